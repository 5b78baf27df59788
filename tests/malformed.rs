//! The malformed-capture suite: captures and frames that lie, under every engine.
//!
//! Expected everywhere: no panic, no hang (each test runs under a watchdog), no allocation that
//! follows a lying length (see also `tests/hostile_memory.rs`), the layers decoded before the
//! damage kept, `error` set where a header cannot be read, and the run going on to the next
//! frame.

mod common;

use common::{Ng, Pcap};
use pcapkit::capture::{CaptureReader, PcapWriter, RawFrame, StoppedEarly};
use pcapkit::engine::DissectOptions;
use pcapkit::model::{Frame, LinkType, Timestamp};
use pcapkit::synth::sample_conversation;
use pcapkit::{EngineKind, Extractor};
use std::io::Cursor;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long one test may take before it counts as a hang.
const WATCHDOG: Duration = Duration::from_secs(120);

/// Runs `f` on a thread of its own and fails if it panics or does not finish in time.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("watchdog: no result after {WATCHDOG:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("worker ended without a result"),
        },
    }
}

/// What reading `bytes` gave: frames (link type, original length, bytes, time) and the stop.
struct Read {
    frames: Vec<(u32, Vec<u8>, Option<Timestamp>)>,
    stopped: Option<StoppedEarly>,
}

fn read(bytes: Vec<u8>) -> Read {
    within(move || {
        let mut reader =
            CaptureReader::from_reader("-", Box::new(Cursor::new(bytes))).expect("header reads");
        let mut frames = Vec::new();
        while let Some(f) = reader.next_frame() {
            frames.push((f.len, f.data.to_vec(), f.timestamp));
        }
        Read {
            frames,
            stopped: reader.stopped_early().cloned(),
        }
    })
}

/// Every engine's frames of the capture `bytes`, with the run's malformed count.
fn extract_all(bytes: Vec<u8>) -> Vec<(EngineKind, Vec<Frame>, u64)> {
    within(move || {
        EngineKind::ALL
            .iter()
            .map(|&engine| {
                let reader =
                    CaptureReader::from_reader("-", Box::new(Cursor::new(bytes.clone()))).unwrap();
                let done = Extractor::new(reader)
                    .engine(engine)
                    .store(true)
                    .run_into(None)
                    .unwrap();
                (engine, done.frames, done.summary.malformed)
            })
            .collect()
    })
}

fn ts(secs: i64, nanos: u64) -> Option<Timestamp> {
    Some(Timestamp::new(secs, nanos))
}

// --- pcap records -----------------------------------------------------------------------

#[test]
fn pcap_records_that_lie_about_their_lengths_or_times() {
    let frame = &sample_conversation()[3].data;
    let bytes = Pcap::new(false, false, 1, 64)
        // caplen > snaplen: kept as captured (tshark does the same).
        .record(30, 0, frame.len() as u32, frame)
        // caplen > origlen: kept, the original length as written.
        .record(20, 0, 10, frame)
        // Zero-length records, one claiming a wire length.
        .record(10, 0, 0, &[])
        .record(10, 1, 1514, &[])
        // Time going backwards.
        .record(5, 999_999, frame.len() as u32, frame)
        .bytes();
    let r = read(bytes.clone());
    assert!(r.stopped.is_none(), "{:?}", r.stopped);
    let lens: Vec<(u32, usize)> = r.frames.iter().map(|f| (f.0, f.1.len())).collect();
    let n = frame.len();
    assert_eq!(
        lens,
        [(n as u32, n), (10, n), (0, 0), (1514, 0), (n as u32, n)]
    );
    let times: Vec<_> = r.frames.iter().map(|f| f.2).collect();
    assert_eq!(
        times,
        [
            ts(30, 0),
            ts(20, 0),
            ts(10, 0),
            ts(10, 1000),
            ts(5, 999_999_000)
        ]
    );
    for (engine, frames, _) in extract_all(bytes) {
        assert_eq!(frames.len(), 5, "{engine}");
        assert_eq!(frames[0].protocol_chain(), frames[4].protocol_chain());
        assert_eq!(frames[2].cap_len, 0, "{engine}");
    }
}

#[test]
fn pcap_record_lengths_past_the_file_or_the_limit_stop_cleanly() {
    let frame = &sample_conversation()[0].data;
    let good = Pcap::new(true, true, 1, 65535).record(1, 2, frame.len() as u32, frame);
    let at = good.len() as u64;
    for caplen in [u32::MAX, 0x8000_0000, 300 << 20, 70_000] {
        let mut bytes = good.bytes();
        // A record header (big-endian) claiming `caplen`, and a few bytes of it.
        for v in [3u32, 0, caplen, caplen] {
            bytes.extend_from_slice(&v.to_be_bytes());
        }
        bytes.extend_from_slice(&[0xab; 100]);
        let r = read(bytes);
        assert_eq!(r.frames.len(), 1, "caplen {caplen}");
        let stop = r.stopped.expect("stops");
        assert_eq!(stop.offset, at, "caplen {caplen}");
    }
}

// --- pcapng blocks ----------------------------------------------------------------------

/// An SHB and an IDB (Ethernet), then one good EPB.
fn ng_start() -> Ng {
    let frame = &sample_conversation()[0].data;
    Ng::new(false)
        .idb(1, 0, &[])
        .epb(0, 1, frame.len() as u32, frame, &[])
}

#[test]
fn pcapng_blocks_with_bad_lengths_stop_after_the_good_ones() {
    for (len, why) in [
        (0u32, "shorter than the minimum"),
        (8, "shorter than the minimum"),
        (33, "multiple of 4"),
        (0xffff_fff0, "record limit"),
        (1 << 20, "file ends inside a block"),
    ] {
        let start = ng_start();
        let at = start.len() as u64;
        let mut damaged = 6u32.to_le_bytes().to_vec();
        damaged.extend_from_slice(&len.to_le_bytes());
        damaged.extend_from_slice(&[0; 40]);
        let r = read(start.raw(&damaged).bytes());
        assert_eq!(r.frames.len(), 1, "length {len}");
        let stop = r.stopped.unwrap_or_else(|| panic!("length {len}: no stop"));
        assert_eq!(stop.offset, at, "length {len}");
        assert!(stop.reason.contains(why), "length {len}: {}", stop.reason);
    }
}

#[test]
fn pcapng_unknown_blocks_are_skipped() {
    let frame = &sample_conversation()[1].data;
    let bytes = ng_start()
        .block(0x0bad_cafe, &[1, 2, 3, 4, 5])
        .block(0x8000_0001, &[])
        .epb(0, 2, frame.len() as u32, frame, &[])
        .bytes();
    let r = read(bytes);
    assert!(r.stopped.is_none(), "{:?}", r.stopped);
    assert_eq!(r.frames.len(), 2);
}

#[test]
fn pcapng_options_past_the_block_end_stop_with_a_reason() {
    // An IDB whose option claims 200 bytes in a 24-byte block.
    let start = ng_start();
    let at = start.len() as u64;
    let mut body = vec![1, 0, 0, 0, 0, 0, 0, 0];
    body.extend_from_slice(&[9, 0, 200, 0, 6, 0, 0, 0]);
    let r = read(start.block(1, &body).bytes());
    assert_eq!(r.frames.len(), 1);
    let stop = r.stopped.expect("stops");
    assert_eq!(stop.offset, at);
    assert!(stop.reason.contains("runs past"), "{}", stop.reason);
    // An EPB whose captured length runs past its block.
    let start = ng_start();
    let mut epb = Vec::new();
    for v in [0u32, 0, 3, 500, 500] {
        epb.extend_from_slice(&v.to_le_bytes());
    }
    epb.extend_from_slice(&[0; 8]);
    let r = read(start.block(6, &epb).bytes());
    assert_eq!(r.frames.len(), 1);
    assert!(r.stopped.expect("stops").reason.contains("captured bytes"));
}

// --- protocol fields that lie -----------------------------------------------------------

/// One lie: the frame `frame` of the sample conversation with `bytes` written at `at`, and the
/// protocol whose field it is (every layer before it must still be decoded).
struct Lie {
    what: &'static str,
    frame: usize,
    at: usize,
    bytes: Vec<u8>,
    /// Layers that must be decoded before the damaged one.
    kept: &'static str,
    /// Whether the header is then unreadable (the frame's `error` must name it).
    error: bool,
}

fn lie(what: &'static str, frame: usize, at: usize, bytes: &[u8], kept: &'static str) -> Lie {
    Lie {
        what,
        frame,
        at,
        bytes: bytes.to_vec(),
        kept,
        error: false,
    }
}

/// Frames of the sample conversation: 2 DNS query (UDP), 3 TCP SYN, 12 VLAN + UDP, 15 IPv6
/// hop-by-hop + ICMPv6, 16 IPv6 TCP.
fn lies() -> Vec<Lie> {
    let mut all = Vec::new();
    let values16: [&[u8]; 5] = [&[0, 0], &[0, 1], &[0, 7], &[0x7f, 0xff], &[0xff, 0xff]];
    for v in values16 {
        all.push(lie("Ethernet type as an 802.3 length", 3, 12, v, ""));
        all.push(lie(
            "VLAN inner type as a length",
            12,
            16,
            v,
            "Ethernet:VLAN",
        ));
        all.push(lie("IPv4 total length", 3, 16, v, "Ethernet"));
        all.push(lie("IPv6 payload length", 16, 18, v, "Ethernet"));
        all.push(lie("UDP length", 2, 38, v, "Ethernet:IPv4"));
        all.push(lie("DNS question count", 2, 46, v, "Ethernet:IPv4:UDP"));
        all.push(lie("DNS answer count", 2, 48, v, "Ethernet:IPv4:UDP"));
        all.push(lie(
            "IPv6 hop-by-hop length",
            15,
            55,
            &v[1..],
            "Ethernet:IPv6",
        ));
    }
    for ihl in [0x40u8, 0x41, 0x44, 0x4f] {
        let mut l = lie("IPv4 header length", 3, 14, &[ihl], "Ethernet");
        l.error = ihl < 0x45;
        all.push(l);
    }
    for offset in [0x00u8, 0x40, 0xf0] {
        let mut l = lie("TCP data offset", 3, 46, &[offset], "Ethernet:IPv4");
        l.error = offset < 0x50;
        all.push(l);
    }
    let mut l = lie(
        "UDP length below its header",
        2,
        38,
        &[0, 7],
        "Ethernet:IPv4",
    );
    l.error = true;
    all.push(l);
    all
}

fn apply(l: &Lie) -> Vec<u8> {
    let mut data = sample_conversation()[l.frame].data.clone();
    data[l.at..l.at + l.bytes.len()].copy_from_slice(&l.bytes);
    data
}

#[test]
fn length_and_count_fields_that_lie_keep_the_layers_before() {
    within(|| {
        for l in lies() {
            let data = apply(&l);
            for &engine in EngineKind::ALL {
                let raw = RawFrame::whole(LinkType::ETHERNET, &data);
                let frame = engine.dissector().dissect(&raw, &DissectOptions::default());
                let chain = frame.protocol_chain();
                let what = format!("{engine}: {} = {:02x?}: {chain}", l.what, l.bytes);
                assert!(chain.starts_with(l.kept), "{what}");
                if l.error {
                    assert!(frame.error.is_some(), "{what}: no error");
                }
            }
        }
    });
}

#[test]
fn a_capture_of_lying_frames_runs_to_its_end() {
    let lies = lies();
    let good = &sample_conversation()[6];
    let mut writer = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535, true).unwrap();
    for l in &lies {
        let data = apply(l);
        writer
            .write_frame(Timestamp::new(1, 0), data.len() as u32, &data)
            .unwrap();
    }
    writer
        .write_frame(good.timestamp, good.orig_len, &good.data)
        .unwrap();
    let bytes = writer.into_inner();
    for (engine, frames, malformed) in extract_all(bytes) {
        assert_eq!(frames.len(), lies.len() + 1, "{engine}");
        assert!(malformed >= lies.iter().filter(|l| l.error).count() as u64);
        let last = frames.last().unwrap();
        assert_eq!(last.protocol_chain(), "Ethernet:IPv4:TCP:HTTP", "{engine}");
        assert!(last.error.is_none());
    }
}

// --- truncation -------------------------------------------------------------------------

#[test]
fn every_truncation_in_one_capture_runs_to_its_end_under_every_engine() {
    let frames = common::generated_frames();
    // One pcap per link type: every cut of every frame, the original length kept.
    let mut by_link: Vec<(LinkType, PcapWriter<Vec<u8>>, usize)> = Vec::new();
    for (link_type, data) in &frames {
        let index = match by_link.iter().position(|(l, ..)| l == link_type) {
            Some(i) => i,
            None => {
                let w = PcapWriter::new(Vec::new(), *link_type, 65535, false).unwrap();
                by_link.push((*link_type, w, 0));
                by_link.len() - 1
            }
        };
        let (_, writer, count) = &mut by_link[index];
        for cut in 0..=data.len() {
            writer
                .write_frame(Timestamp::new(1, 0), data.len() as u32, &data[..cut])
                .unwrap();
            *count += 1;
        }
    }
    let mut total = 0;
    for (link_type, writer, count) in by_link {
        for (engine, frames, malformed) in extract_all(writer.into_inner()) {
            assert_eq!(frames.len(), count, "{engine} on {link_type:?}");
            assert!(
                malformed > 0,
                "{engine} on {link_type:?}: cut headers are errors"
            );
            for frame in frames.iter().filter(|f| f.cap_len > 0) {
                let n = frame.number;
                assert!(
                    !frame.layers.is_empty() || frame.error.is_some(),
                    "{engine}: frame {n} has neither layers nor an error"
                );
            }
        }
        total += count;
    }
    assert!(total > 10_000, "only {total} truncations");
}

#[test]
fn nesting_deeper_than_the_limit_ends_the_frame_and_is_counted() {
    // VLAN in VLAN in ... (40 tags), then IPv4.
    let inner = &sample_conversation()[2].data[14..];
    let mut payload = inner.to_vec();
    payload = pcapkit::synth::vlan_tag(0, 1, 0x0800, &payload);
    for _ in 0..39 {
        payload = pcapkit::synth::vlan_tag(0, 1, 0x8100, &payload);
    }
    let data = pcapkit::synth::ethernet(
        pcapkit::model::MacAddr([2; 6]),
        pcapkit::model::MacAddr([4; 6]),
        0x8100,
        &payload,
    );
    let mut writer = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535, false).unwrap();
    writer
        .write_frame(Timestamp::new(1, 0), data.len() as u32, &data)
        .unwrap();
    let bytes = writer.into_inner();
    for max_layers in [32, 8] {
        let bytes = bytes.clone();
        let done = within(move || {
            let reader = CaptureReader::from_reader("-", Box::new(Cursor::new(bytes))).unwrap();
            let options = pcapkit::Options::default()
                .store(true)
                .max_layers(max_layers);
            Extractor::new(reader)
                .options(options)
                .run_into(None)
                .unwrap()
        });
        let frame = &done.frames[0];
        assert_eq!(frame.layers.len(), max_layers);
        assert!(frame.error.as_ref().is_some_and(|e| e.is_nesting_limit()));
        assert_eq!(done.summary.limits.nesting, 1);
    }
}

/// Regression tests of the fuzz findings (`fuzz/`): each crash input, its bytes inline.
fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The records of a raw-IP capture of `frames` run through every reassembler (with `options`).
fn reassembled(
    frames: &[&str],
    options: pcapkit::reassembly::ReassemblyOptions,
) -> Vec<pcapkit::reassembly::Reassembled> {
    let mut pcap = Pcap::new(false, false, 101, 65535);
    for (i, frame) in frames.iter().enumerate() {
        let data = hex(frame);
        pcap = pcap.record(1_000 + i as u32, 0, data.len() as u32, &data);
    }
    let bytes = pcap.bytes();
    within(move || {
        let reader = CaptureReader::from_reader("-", Box::new(Cursor::new(bytes))).unwrap();
        Extractor::new(reader)
            .reassemble(options)
            .records()
            .filter_map(|r| match r {
                pcapkit::pipeline::Record::Reassembly(r) => Some(*r),
                _ => None,
            })
            .collect()
    })
}

/// Fuzz finding (`stages`): a TCP connection evicted by the connection bound reported its
/// `evicted` anomaly with frame 0, not the frame that opened the connection that evicted it.
#[test]
fn fuzz_tcp_eviction_anomaly_names_the_evicting_frame() {
    let mut options = pcapkit::reassembly::ReassemblyOptions::default();
    options.max_streams = 2;
    let records = reassembled(
        &[
            "4500003900010000400666bc0a0000010a0000029c400050fffffffc000000015018ffff58ba0000\
             486f73743a20657861002800000009201f",
            "4500003600010000400666bf0a0000010a0000029c420050ffffffff120000015018ffff3c410000\
             485454502f312e310d0a486f7374",
            "4500005300010000400666a20a0000020a000001005007080000000100000100506000000009201f",
        ],
        options,
    );
    let evicted: Vec<_> = records
        .iter()
        .flat_map(|r| &r.anomalies)
        .filter(|a| a.kind == pcapkit::reassembly::AnomalyKind::Evicted)
        .collect();
    assert!(!evicted.is_empty(), "no eviction: {records:?}");
    for anomaly in evicted {
        assert_eq!(anomaly.frame, 3, "{anomaly:?}");
    }
}

/// Fuzz finding (`stages`): a snap-length-cut segment declared a gap over bytes already
/// buffered out of order; the stream went past them without delivering them, and flushing the
/// connection at the end of the input then looped forever.
#[test]
fn fuzz_tcp_gap_over_buffered_bytes_does_not_hang() {
    let records = reassembled(
        &[
            "4500002800010000400666cd0a0000010a0000029c400050ffffffebffff50015002ffffff620000",
            "",
            "4500003900010000400666bc0a0000010a0000029c400050fffffffc000000015018ffff58ba0000\
             486f73ffffffff78616d706c650d0a0d0a",
            "4500003900010000400666bd0a0000010a0000029c400050ffffffec000000015018ffffffff4c00",
        ],
        pcapkit::reassembly::ReassemblyOptions::default(),
    );
    assert_eq!(records.len(), 1, "{records:?}");
    let message = &records[0];
    assert_eq!(message.frames, [3]);
    assert_eq!(message.missing, [[0, 16]]);
    assert_eq!(message.len, 33);
}
