//! Engine agreement: every engine over every capture in `../shared/captures` and over generated
//! frames, compared frame by frame with the native engine.
//!
//! The comparison is the strongest one available: the whole serialized frame (JSON) must be
//! equal, except the text of `error.reason` (each crate words its errors its own way; the
//! error's `layer` and `offset` must still be equal). Because an adapter hands whatever its
//! crate does not decode to native, equal JSON means equal `protocols`, lengths, addresses,
//! ports, TCP flags/seq/ack/options and every other field wherever two engines decode the same
//! protocol. Since every engine is compared with native, and native with Wireshark in
//! `tests/oracle.rs`, the oracle holds for every engine on every frame counted identical here.
//!
//! Accepted differences are in [`ALLOWED`] (file, frame, engine, why). The test asserts that at
//! least 99.5 % of all frames are identical for each engine and that every other frame is
//! allow-listed.
//!
//! Bad input: every truncation of every generated frame and of the first frames of each
//! capture, and frames with broken lengths (IHL < 5, total length past the buffer, TCP data
//! offset past the segment, UDP length < 8, random byte flips), go through every engine: no
//! panic, and the same layers and error place as native. Longer campaigns:
//! `PCAPKIT_FRAMES_PER_CAPTURE=100000` (every frame of every capture, not the first 6) and
//! `PCAPKIT_FUZZ_ROUNDS=N` (default 20,000).

mod common;

use pcapkit::capture::{CaptureReader, RawFrame};
use pcapkit::engine::{DissectOptions, Dissector, EngineKind, Stop};
use pcapkit::model::{Frame, Level, LinkType, ProtoId};
use std::path::PathBuf;

use common::SHARED_CAPTURES as CAPTURES;

/// Minimum share of frames identical to native, per engine, in per mille (99.5 %).
const MIN_AGREEMENT_PERMILLE: usize = 995;

/// Accepted differences from native: (capture file, frame number, engine, why).
///
/// Empty while every engine agrees with native on every frame; an entry names the crate's
/// behaviour that makes the difference (e.g. an option kind a crate does not parse).
const ALLOWED: &[(&str, u64, &str, &str)] = &[];

/// The frame as compared: its JSON with the error's reason text removed.
fn comparable(frame: &Frame) -> serde_json::Value {
    let mut value = serde_json::to_value(frame).expect("a frame serializes");
    if let Some(error) = value.get_mut("error").and_then(|e| e.as_object_mut()) {
        error.remove("reason");
    }
    value
}

/// Dissects `raw` with every engine and returns the adapters whose frame differs from native's,
/// with both frames as JSON.
fn disagreements(
    dissectors: &[(EngineKind, Box<dyn Dissector>)],
    raw: &RawFrame<'_>,
    opts: &DissectOptions,
) -> Vec<(EngineKind, serde_json::Value, serde_json::Value)> {
    let native = comparable(&dissectors[0].1.dissect(raw, opts));
    dissectors[1..]
        .iter()
        .filter_map(|(kind, d)| {
            let ours = comparable(&d.dissect(raw, opts));
            (ours != native).then(|| (*kind, ours, native.clone()))
        })
        .collect()
}

/// Every engine's dissector, native first (the parallel engines run native's: their reports
/// are compared with native's byte for byte in `tests/parallel.rs`).
fn all_dissectors() -> Vec<(EngineKind, Box<dyn Dissector>)> {
    assert_eq!(EngineKind::ALL[0], EngineKind::Native);
    EngineKind::ALL
        .iter()
        .filter(|k| !k.is_parallel())
        .map(|&k| (k, k.dissector()))
        .collect()
}

/// The capture files to compare (sorted), or `None` when the folder is absent (see
/// [`common::shared_captures`]: skipped with a message, or a failure under CI); `part` says
/// what is skipped of a test that goes on with generated frames.
fn capture_files(part: &str) -> Option<Vec<PathBuf>> {
    let dir = common::shared_captures_for(part)?;
    let entries = std::fs::read_dir(dir).ok()?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".pcap") || name.ends_with(".pcapng")
        })
        .collect();
    files.sort();
    Some(files)
}

/// A frame of `link_type` from bytes, numbered 1.
fn raw(link_type: LinkType, len: u32, data: &[u8]) -> RawFrame<'_> {
    RawFrame {
        number: 1,
        timestamp: None,
        len,
        link_type,
        interface: None,
        data,
    }
}

#[cfg(all(feature = "etherparse", feature = "pnet", feature = "pdu"))]
#[test]
fn engine_names_parse_and_list() {
    let names: Vec<&str> = EngineKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(
        names,
        ["native", "etherparse", "pnet", "pdu", "server", "pipeline"]
    );
    assert_eq!("PNET".parse::<EngineKind>().unwrap(), EngineKind::Pnet);
    assert_eq!(
        "EtherParse".parse::<EngineKind>().unwrap(),
        EngineKind::Etherparse
    );
    let err = "scapy".parse::<EngineKind>().unwrap_err().to_string();
    assert!(
        err.contains("native, etherparse, pnet, pdu, server, pipeline"),
        "{err}"
    );
    for kind in EngineKind::ALL {
        assert!(!kind.description().is_empty());
    }
}

#[test]
fn every_engine_agrees_with_native_on_every_capture() {
    let Some(files) = capture_files("") else {
        return;
    };
    let dissectors = all_dissectors();
    let opts = DissectOptions::default();
    let mut total = 0usize;
    let mut differing = vec![0usize; EngineKind::ALL.len()];
    let mut unexplained = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Ok(mut reader) = CaptureReader::open(path) else {
            continue;
        };
        while let Some(frame) = reader.next_frame() {
            total += 1;
            for (kind, ours, native) in disagreements(&dissectors, &frame, &opts) {
                let index = EngineKind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
                differing[index] += 1;
                let allowed = ALLOWED
                    .iter()
                    .any(|&(f, n, e, _)| f == name && n == frame.number && e == kind.name());
                if !allowed {
                    unexplained.push(format!(
                        "{name} frame {} engine {kind}:\n  ours   {ours}\n  native {native}",
                        frame.number
                    ));
                }
            }
        }
    }
    assert!(total > 1000, "only {total} frames read from {CAPTURES}");
    for (kind, &diff) in EngineKind::ALL.iter().zip(&differing) {
        let same = total - diff;
        eprintln!("{kind}: {same}/{total} frames identical to native");
        assert!(
            same * 1000 >= total * MIN_AGREEMENT_PERMILLE,
            "{kind}: only {same} of {total} frames identical"
        );
    }
    assert!(
        unexplained.is_empty(),
        "{} frames differ from native outside the allow-list:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}

#[test]
fn every_engine_agrees_on_generated_frames_and_with_stops() {
    let dissectors = all_dissectors();
    let frames = pcapkit::synth::sample_conversation();
    assert!(frames.len() >= 10);
    let stops = [
        None,
        Some(Stop::Protocol(ProtoId::Ipv4)),
        Some(Stop::Protocol(ProtoId::Tcp)),
        Some(Stop::Level(Level::Link)),
        Some(Stop::Level(Level::Inet)),
        Some(Stop::Level(Level::Trans)),
    ];
    for stop in stops {
        let opts = DissectOptions::default().stop(stop);
        for f in &frames {
            let r = raw(LinkType::ETHERNET, f.orig_len, &f.data);
            let diff = disagreements(&dissectors, &r, &opts);
            assert!(diff.is_empty(), "stop {stop:?}: {diff:?}");
        }
    }
    // The adapters decode these frames themselves: spot-check one frame's fields.
    let tcp = frames
        .iter()
        .find(|f| f.data.len() > 54 && f.data[23] == 6)
        .expect("a TCP frame");
    for (kind, d) in &dissectors {
        let frame = d.dissect(
            &raw(LinkType::ETHERNET, tcp.orig_len, &tcp.data),
            &DissectOptions::default(),
        );
        assert!(
            frame.protocol_chain().starts_with("Ethernet:IPv4:TCP"),
            "{kind}: {}",
            frame.protocol_chain()
        );
        assert!(frame.error.is_none(), "{kind}");
    }
}

/// Frames for the bad-input tests: the generated frames (every link type) and the first
/// frames of each shared capture (with their link types) when the captures are there.
fn sample_frames() -> Vec<(LinkType, Vec<u8>)> {
    let mut out = common::generated_frames();
    // PCAPKIT_FRAMES_PER_CAPTURE=N takes more frames of each capture (default 6).
    let per_capture: usize = std::env::var("PCAPKIT_FRAMES_PER_CAPTURE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6);
    for path in capture_files(": generated frames only").unwrap_or_default() {
        let Ok(mut reader) = CaptureReader::open(&path) else {
            continue;
        };
        let mut n = 0;
        while let Some(frame) = reader.next_frame() {
            out.push((frame.link_type, frame.data.to_vec()));
            n += 1;
            if n == per_capture {
                break;
            }
        }
    }
    out
}

/// Dissects with every engine and checks the layers and error place equal native's.
fn check_same(dissectors: &[(EngineKind, Box<dyn Dissector>)], r: &RawFrame<'_>, what: &str) {
    let diff = disagreements(dissectors, r, &DissectOptions::default());
    if let Some((kind, ours, native)) = diff.first() {
        panic!("{what}: engine {kind}\n  ours   {ours}\n  native {native}");
    }
}

#[test]
fn every_truncation_of_every_frame_agrees_and_never_panics() {
    let dissectors = all_dissectors();
    let mut checked = 0usize;
    for (i, (link_type, data)) in sample_frames().iter().enumerate() {
        let len = data.len() as u32;
        for cut in 0..=data.len() {
            let r = raw(*link_type, len, &data[..cut]);
            check_same(&dissectors, &r, &format!("frame {i} cut at {cut} of {len}"));
            checked += 1;
        }
    }
    assert!(checked > 10_000, "only {checked} truncations");
}

/// An Ethernet + IPv4 + TCP frame from the generated conversation.
fn tcp_frame() -> Vec<u8> {
    pcapkit::synth::sample_conversation()
        .into_iter()
        .find(|f| f.data.len() > 60 && f.data[12..14] == [0x08, 0x00] && f.data[23] == 6)
        .expect("a TCP frame")
        .data
}

#[test]
fn broken_lengths_are_reported_like_native() {
    let dissectors = all_dissectors();
    let base = tcp_frame();
    let opts = DissectOptions::default();
    // (what, byte offset, new value, layer of the error, error offset)
    let cases: &[(&str, usize, u8, ProtoId, u32)] = &[
        ("IHL 4", 14, 0x44, ProtoId::Ipv4, 14),
        ("IHL 0", 14, 0x40, ProtoId::Ipv4, 14),
        ("IPv4 version 5", 14, 0x55, ProtoId::Ipv4, 14),
        ("IHL 15 past the capture", 14, 0x4f, ProtoId::Ipv4, 14),
        ("total length 10 < header", 17, 10, ProtoId::Ipv4, 14),
        ("TCP data offset 4", 46, 0x40, ProtoId::Tcp, 34),
        (
            "TCP data offset 15 past the segment",
            46,
            0xf0,
            ProtoId::Tcp,
            34,
        ),
    ];
    for &(what, at, value, layer, offset) in cases {
        let mut data = base.clone();
        if what.starts_with("total length") {
            data[16] = 0;
        }
        if what.ends_with("past the capture") {
            data.truncate(14 + 40);
        }
        data[at] = value;
        let r = raw(LinkType::ETHERNET, data.len() as u32, &data);
        check_same(&dissectors, &r, what);
        for (kind, d) in &dissectors {
            let frame = d.dissect(&r, &opts);
            let error = frame
                .error
                .as_ref()
                .unwrap_or_else(|| panic!("{kind} {what}: no error"));
            assert_eq!(
                (error.layer, error.offset),
                (layer, offset),
                "{kind} {what}"
            );
        }
    }
    // A total length past the captured bytes is no error: the payload is declared, not present.
    let mut data = base.clone();
    data[16] = 0x0f;
    let r = raw(LinkType::ETHERNET, data.len() as u32, &data);
    check_same(&dissectors, &r, "total length past the buffer");
    for (kind, d) in &dissectors {
        let frame = d.dissect(&r, &opts);
        let ipv4 = serde_json::to_value(&frame.layers[1]).unwrap();
        assert_eq!(ipv4["total_len"], 0x0f00 + u64::from(base[17]), "{kind}");
    }
}

#[test]
fn random_byte_flips_never_panic_and_agree() {
    let dissectors = all_dissectors();
    let frames = sample_frames();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // PCAPKIT_FUZZ_ROUNDS=N runs a longer campaign.
    let rounds: usize = std::env::var("PCAPKIT_FUZZ_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    for round in 0..rounds {
        let (link_type, data) = &frames[next() as usize % frames.len()];
        let mut data = data.clone();
        if data.is_empty() {
            continue;
        }
        for _ in 0..1 + next() % 4 {
            let at = next() as usize % data.len().min(120);
            data[at] = next() as u8;
        }
        let len = data.len() as u32;
        if next() % 2 == 0 {
            data.truncate(next() as usize % (data.len() + 1));
        }
        let r = raw(*link_type, len, &data);
        check_same(&dissectors, &r, &format!("round {round}"));
    }
}

/// The repository's sample capture.
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/sample.pcap");

#[test]
fn library_selects_engines_by_kind_and_by_name() {
    let chains = |extractor: pcapkit::Extractor| -> Vec<String> {
        extractor.frames().map(|f| f.protocol_chain()).collect()
    };
    let native = chains(pcapkit::Extractor::open(SAMPLE).unwrap());
    assert!(native.len() >= 10);
    assert!(native.iter().any(|c| c.starts_with("Ethernet:IPv4:TCP")));
    for &kind in EngineKind::ALL {
        let by_kind = chains(pcapkit::Extractor::open(SAMPLE).unwrap().engine(kind));
        assert_eq!(by_kind, native, "{kind}");
        let upper = kind.name().to_uppercase();
        let by_name = chains(
            pcapkit::Extractor::open(SAMPLE)
                .unwrap()
                .engine_name(&upper)
                .unwrap(),
        );
        assert_eq!(by_name, native, "{upper}");
    }
    let err = pcapkit::Extractor::open(SAMPLE)
        .unwrap()
        .engine_name("dpkt")
        .err()
        .expect("an unknown engine is an error")
        .to_string();
    assert!(err.contains("native"), "{err}");
    #[cfg(feature = "pnet")]
    assert!(err.contains("pnet"), "{err}");
}

#[cfg(all(feature = "etherparse", feature = "pnet", feature = "pdu"))]
#[test]
fn cli_lists_engines_and_gives_identical_output_with_each() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_pcapkit");
    let out = Command::new(bin).arg("--engines").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in ["native", "etherparse", "pnet", "pdu"] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} missing from --engines:\n{text}"
        );
    }
    let run = |engine: &str| {
        let out = Command::new(bin)
            .args([SAMPLE, "-f", "ndjson", "-q", "-E", engine])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Each line as JSON with the error's reason text removed (crates word errors their way).
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|line| {
                let mut v: serde_json::Value = serde_json::from_str(line).expect("an NDJSON line");
                if let Some(e) = v.get_mut("error").and_then(|e| e.as_object_mut()) {
                    e.remove("reason");
                }
                v
            })
            .collect::<Vec<_>>()
    };
    let native = run("native");
    assert!(native.len() >= 10);
    assert!(native.iter().any(|f| f.get("error").is_some()));
    for engine in ["etherparse", "Pnet", "PDU"] {
        assert!(
            run(engine) == native,
            "-E {engine} output differs from native"
        );
    }
    let out = Command::new(bin)
        .args([SAMPLE, "-E", "scapy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("etherparse"), "{stderr}");
}

/// `dissect_into` over one reused frame (what the single-threaded engines run) gives exactly
/// `dissect`'s frame for every engine: nothing of the frame before leaks into the next, on the
/// generated frames, every truncation of them (frames with errors after frames without, and
/// back) and, with the shared captures, the first frames of each.
#[test]
fn dissect_into_a_reused_frame_equals_dissect() {
    let opts = DissectOptions::default();
    let frames = sample_frames();
    let mut errors = 0usize;
    for (kind, dissector) in all_dissectors() {
        let mut reused = Frame::default();
        let mut checked = 0usize;
        for (i, (link_type, data)) in frames.iter().enumerate() {
            let len = data.len() as u32;
            for cut in (0..=data.len()).rev().step_by(7) {
                let mut r = raw(*link_type, len, &data[..cut]);
                r.number = checked as u64 + 1;
                r.interface = (cut % 2 == 0).then_some(cut as u32);
                dissector.dissect_into(&r, &opts, &mut reused);
                let fresh = dissector.dissect(&r, &opts);
                assert_eq!(reused, fresh, "{kind}: frame {i} cut at {cut} of {len}");
                errors += usize::from(fresh.error.is_some());
                checked += 1;
            }
        }
        assert!(checked > 1_000, "{kind}: only {checked} frames");
    }
    assert!(
        errors > 100,
        "only {errors} frames with an error among those checked"
    );
}
