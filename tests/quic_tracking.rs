//! QUIC connection tracking (issue 12; `src/pipeline/quic.rs`) on generated frames: a
//! handshake on port 4433 (no port makes it QUIC: Wireshark's heuristic on the long headers
//! does), the short headers that follow on its conversation, a client that moved to another
//! address and port (matched by the server's id), and UDP that is not QUIC. Each frame's chain
//! and QUIC fields equal what tshark 4.0.17 printed for them (recorded here, and checked
//! against tshark itself where it is installed); every engine writes the same report, and
//! with the tracking off the short headers stay `Raw`.

mod common;

use pcapkit::dump::Format;
use pcapkit::model::{Frame, Layer, QuicHeaderForm};
use pcapkit::{EngineKind, Extractor, Options, synth};
use std::net::Ipv4Addr;
use std::path::Path;

const CLIENT: (Ipv4Addr, u16) = (Ipv4Addr::new(10, 0, 0, 1), 50123);
const SERVER: (Ipv4Addr, u16) = (Ipv4Addr::new(10, 0, 0, 2), 4433);
const MOVED: (Ipv4Addr, u16) = (Ipv4Addr::new(10, 0, 0, 9), 50999);
const OTHER: (Ipv4Addr, u16) = (Ipv4Addr::new(10, 0, 0, 7), 51000);
const CLIENT_CID: [u8; 4] = [0xc1, 0xc2, 0xc3, 0xc4];
const SERVER_CID: [u8; 8] = [0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58];
const INITIAL_DCID: [u8; 8] = [0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7];

/// A QUIC v1 long header of type `bits` (0 Initial, 2 Handshake), 40 protected bytes.
fn long(bits: u8, dcid: &[u8], scid: &[u8]) -> Vec<u8> {
    let mut p = vec![0xc0 | (bits << 4), 0, 0, 0, 1, dcid.len() as u8];
    p.extend_from_slice(dcid);
    p.push(scid.len() as u8);
    p.extend_from_slice(scid);
    if bits == 0 {
        p.push(0); // no token
    }
    p.push(40);
    p.extend((0..40u8).map(|i| i.wrapping_mul(37)));
    p
}

/// A short header (spin bit `spin`) with `dcid` and 30 protected bytes.
fn short(spin: bool, dcid: &[u8]) -> Vec<u8> {
    let mut p = vec![0x41 | (u8::from(spin) << 5)];
    p.extend_from_slice(dcid);
    p.extend((0..30u8).map(|i| i.wrapping_mul(11) ^ 0x5a));
    p
}

/// One generated frame and what tshark 4.0.17 printed for it: `frame.protocols`, and for
/// QUIC `quic.header_form`, `quic.dcid` (the first packet's), `quic.spin_bit`.
struct Case {
    what: &'static str,
    data: Vec<u8>,
    tshark: &'static str,
    quic: Option<(u8, &'static str, Option<bool>)>,
}

fn cases() -> Vec<Case> {
    let quic = "eth:ethertype:ip:udp:quic";
    vec![
        Case {
            what: "UDP before any QUIC: a short-header look-alike",
            data: synth::ethernet_ipv4_udp(CLIENT, SERVER, &short(false, &SERVER_CID)),
            tshark: "eth:ethertype:ip:udp:data",
            quic: None,
        },
        Case {
            what: "client Initial on port 4433",
            data: synth::ethernet_ipv4_udp(CLIENT, SERVER, &long(0, &INITIAL_DCID, &CLIENT_CID)),
            tshark: quic,
            quic: Some((1, "d0d1d2d3d4d5d6d7", None)),
        },
        Case {
            what: "server Handshake",
            data: synth::ethernet_ipv4_udp(SERVER, CLIENT, &long(2, &CLIENT_CID, &SERVER_CID)),
            tshark: quic,
            quic: Some((1, "c1c2c3c4", None)),
        },
        Case {
            what: "client short header",
            data: synth::ethernet_ipv4_udp(CLIENT, SERVER, &short(true, &SERVER_CID)),
            tshark: quic,
            quic: Some((0, "5152535455565758", Some(true))),
        },
        Case {
            what: "server short header",
            data: synth::ethernet_ipv4_udp(SERVER, CLIENT, &short(false, &CLIENT_CID)),
            tshark: quic,
            quic: Some((0, "c1c2c3c4", Some(false))),
        },
        Case {
            what: "client moved: short header to the server's id",
            data: synth::ethernet_ipv4_udp(MOVED, SERVER, &short(false, &SERVER_CID)),
            tshark: quic,
            quic: Some((0, "5152535455565758", Some(false))),
        },
        Case {
            what: "server to the moved client",
            data: synth::ethernet_ipv4_udp(SERVER, MOVED, &short(true, &CLIENT_CID)),
            tshark: quic,
            quic: Some((0, "c1c2c3c4", Some(true))),
        },
        Case {
            what: "another conversation, an unknown id",
            data: synth::ethernet_ipv4_udp(OTHER, SERVER, &short(false, &[0x77; 8])),
            tshark: "eth:ethertype:ip:udp:data",
            quic: None,
        },
    ]
}

/// The cases as a classic pcap, `rounds` times over (the same conversations again).
fn capture(rounds: usize) -> Vec<u8> {
    let mut pcap = common::Pcap::new(false, false, 1, 65535);
    for _ in 0..rounds {
        for (i, c) in cases().iter().enumerate() {
            pcap = pcap.record(1, i as u32, c.data.len() as u32, &c.data);
        }
    }
    pcap.bytes()
}

/// pcapkit's chain in tshark's names (Raw is tshark's `data`).
fn our_chain(frame: &Frame) -> String {
    let mut names = Vec::new();
    for p in frame.protocols() {
        names.push(match p.name() {
            "Ethernet" => "eth:ethertype",
            "IPv4" => "ip",
            "UDP" => "udp",
            "QUIC" => "quic",
            "Raw" => "data",
            other => panic!("frame {}: {other} not expected here", frame.number),
        });
    }
    names.join(":")
}

fn frames(path: &Path, options: Options) -> Vec<Frame> {
    Extractor::open(path)
        .unwrap()
        .options(options)
        .frames()
        .collect()
}

#[test]
fn tracked_frames_match_tshark() {
    let file = common::temp_file(&capture(1));
    let cases = cases();
    let frames = frames(file.path(), Options::default());
    assert_eq!(frames.len(), cases.len());
    for (frame, case) in frames.iter().zip(&cases) {
        assert_eq!(frame.error, None, "{}", case.what);
        assert_eq!(our_chain(frame), case.tshark, "{}", case.what);
        let quic = frame.layers.iter().find_map(|l| match l {
            Layer::Quic(q) => Some(q),
            _ => None,
        });
        let ours = quic.map(|q| {
            let form = u8::from(q.header_form == QuicHeaderForm::Long);
            (form, q.dcid.to_string(), q.spin_bit)
        });
        let expected = case.quic.map(|(f, d, s)| (f, d.to_owned(), s));
        assert_eq!(ours, expected, "{}", case.what);
    }

    // The recordings against tshark itself, where it is installed.
    let Some(tshark) = common::tshark_json_of(&capture(1), &[]) else {
        return;
    };
    assert_eq!(tshark.len(), cases.len());
    for (t, c) in tshark.iter().zip(&cases) {
        assert_eq!(common::tshark_chain(t), c.tshark, "{}", c.what);
        let field = |k: &str| {
            t.get("quic")
                .and_then(|q| q.find(k))
                .and_then(common::Node::text)
        };
        let spin = field("quic.spin_bit").map(|s| s == "1");
        // tshark prints ids with colons.
        let dcid = field("quic.dcid").unwrap_or_default().replace(':', "");
        let theirs = field("quic.header_form").map(|f| (f.to_owned(), dcid, spin));
        let recorded = c.quic.map(|(f, d, s)| (f.to_string(), d.to_owned(), s));
        assert_eq!(theirs, recorded, "{}", c.what);
    }
}

#[test]
fn without_tracking_short_headers_stay_raw() {
    let file = common::temp_file(&capture(1));
    let frames = frames(file.path(), Options::default().quic_tracking(false));
    for (frame, case) in frames.iter().zip(&cases()) {
        let expected = match case.quic {
            // Port 4433 is not QUIC's port: without tracking no long header there is either.
            Some(_) => "eth:ethertype:ip:udp:data",
            None => case.tshark,
        };
        assert_eq!(our_chain(frame), expected, "{}", case.what);
    }
}

/// The report of `path` in `format` with `engine` at `threads`; with a stage (progress
/// reports) when `staged`, so that the frames travel with their batch to the tail.
fn report(
    path: &Path,
    format: Format,
    engine: EngineKind,
    threads: usize,
    staged: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dumper = format.dumper(Box::new(&mut out));
    let mut extractor = Extractor::open(path)
        .unwrap()
        .engine(engine)
        .threads(threads);
    if staged {
        extractor = extractor.progress(|_| {});
    }
    extractor.run_into(Some(dumper.as_mut())).unwrap();
    drop(dumper);
    out
}

#[test]
fn every_engine_writes_the_same_report() {
    // Enough rounds for several batches of the parallel engines, whose workers encode frames
    // before the tracking sees them.
    let file = common::temp_file(&capture(400));
    for &format in Format::ALL {
        let native = report(file.path(), format, EngineKind::Native, 0, false);
        for &engine in EngineKind::ALL {
            for threads in [1, 2, 3] {
                for staged in [false, true] {
                    let ours = report(file.path(), format, engine, threads, staged);
                    assert!(
                        ours == native,
                        "{format} {engine} --threads {threads} (stage: {staged}): report \
                         differs from native"
                    );
                }
            }
        }
    }
    let text = String::from_utf8(report(
        file.path(),
        Format::Ndjson,
        EngineKind::Server,
        2,
        false,
    ))
    .unwrap();
    // Four short headers a round, and from the second round on the look-alike too: its
    // conversation is QUIC by then.
    assert_eq!(
        text.matches(r#""header_form":"short""#).count(),
        4 * 400 + 399
    );
}
