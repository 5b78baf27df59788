//! The stateful stages on a whole run: IP/TCP reassembly (every kind) and flow tracing (TCP and
//! UDP, flow files in a fresh folder under `/dev/shm`, removed after each run) behind the
//! native engine, through `Extractor::records`.
//!
//! The input is a whole capture when it starts with a pcap or pcapng magic; otherwise it is
//! framed into a classic pcap: byte 0 selects the link type (`link_types.rs`), byte 1 the
//! options (bit 0: tiny bounds, so that every table evicts; bit 1: strict; bit 2: tiny trace
//! timeouts), then frames, each `[seconds delta: i8][length: u16 BE][bytes]` (the last one
//! takes what is left).
//!
//! Checks: no panic, no hang; every reassembly record's `frames` (and its anomalies' frame) are
//! frame numbers of the input, and a record of no frame is a gap (incomplete, all missing); every flow's first and last frames are, and it counts no more
//! frames than the input has; the trace writes its files without error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pcapkit::Extractor;
use pcapkit::capture::CaptureReader;
use pcapkit::pipeline::Record;
use pcapkit::reassembly::ReassemblyOptions;
use pcapkit::trace::{TableLimits, TraceOptions};
use std::path::PathBuf;

#[path = "link_types.rs"]
mod link_types;

const MAGICS: [[u8; 4]; 5] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x0a, 0x0d, 0x0d, 0x0a],
];

/// A classic little-endian µs pcap of the frames framed in `body`.
fn framed(link_type: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + body.len() * 2);
    out.extend_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&link_type.to_le_bytes());
    let mut secs: i64 = 1_000_000;
    let mut rest = body;
    while let Some((&[delta, high, low], after)) = rest.split_first_chunk::<3>() {
        secs += i64::from(delta as i8);
        let len = usize::from(u16::from_be_bytes([high, low])).min(after.len());
        let (frame, after) = after.split_at(len);
        rest = after;
        out.extend_from_slice(&(secs.max(0) as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(frame);
    }
    out
}

fn trace_dir() -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("pcapkit-fuzz-stages-{}", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let whole = data.len() >= 4 && MAGICS.iter().any(|m| data[..4] == *m);
    let (capture, flags) = if whole {
        (data.to_vec(), 0)
    } else {
        let Some((&[selector, flags], body)) = data.split_first_chunk::<2>() else {
            return;
        };
        (framed(link_types::link_type(selector), body), flags)
    };

    let mut reassembly = ReassemblyOptions::default().strict(flags & 2 != 0);
    let mut trace = TraceOptions::default().udp(true);
    let mut limits = TableLimits::default();
    if flags & 1 != 0 {
        reassembly = reassembly
            .max_datagram(3000)
            .max_fragment_memory(4096)
            .max_datagrams(2)
            .max_stream_buffer(1024)
            .max_stream_memory(2048)
            .max_streams(2)
            .max_message(512);
        limits = limits.max_flows(2).max_ended(2);
        trace = trace.max_open_files(1);
    }
    if flags & 4 != 0 {
        limits = limits.tcp_idle(3).udp_idle(2).grace(1);
    }
    let trace = trace.limits(limits);

    let Ok(reader) = CaptureReader::from_reader("fuzz", Box::new(std::io::Cursor::new(capture)))
    else {
        return;
    };
    let dir = trace_dir();
    let _ = std::fs::remove_dir_all(&dir);
    let (extractor, handle) = Extractor::new(reader)
        .reassemble(reassembly)
        .trace(&dir, &trace)
        .expect("trace folder");

    let mut frames = 0u64;
    let mut reassembled = Vec::new();
    let mut flows = Vec::new();
    for record in extractor.records() {
        match record {
            Record::Frame(frame) => {
                frames += 1;
                assert_eq!(frame.number, frames);
            }
            Record::Reassembly(r) => {
                // A record comes after the frame that completed it, or at the end. One of no
                // frame is a gap between TCP messages (by design): incomplete, all missing.
                let missing: u64 = r.missing.iter().map(|[from, to]| to - from).sum();
                assert!(
                    !r.frames.is_empty() || (!r.complete && missing == r.len),
                    "a reassembly record of no frame that is not a gap: {:?}",
                    r.key
                );
                reassembled.push((frames, r));
            }
            Record::Flow(flow) => flows.push((frames, flow)),
            _ => {}
        }
    }
    for (seen, r) in &reassembled {
        for &n in &r.frames {
            assert!(n >= 1 && n <= *seen, "frame {n} of {seen} in {:?}", r.key);
        }
        for anomaly in &r.anomalies {
            assert!(anomaly.frame >= 1 && anomaly.frame <= frames);
        }
    }
    for (seen, flow) in &flows {
        assert!(flow.first.0 >= 1 && flow.first.0 <= flow.last.0 && flow.last.0 <= *seen);
        let counted: u64 = flow.dirs.iter().map(|d| d.frames).sum();
        assert!(counted <= frames, "flow {} counts {counted} of {frames} frames", flow.id);
    }
    let result = handle.result();
    let _ = std::fs::remove_dir_all(&dir);
    result.expect("trace files written");
});
