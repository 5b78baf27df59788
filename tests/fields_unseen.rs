//! What the unseen-captures sweep (issue 12, session 12; `scripts/unseen_sweep.sh`) found
//! pcapkit missing, on generated frames: MPLS after PPP (0x0281, 0x0283) and in IPv4 (protocol
//! 137), ESP in UDP on port 4500 (RFC 3948, told from IKE and NAT-keepalives), the Mobility
//! Header under its draft number 62, and Arista's vendor header (AVSP, Ethertype 0xD28B). Each
//! frame's chain, in tshark's names, equals tshark 4.0.17's `frame.protocols` recorded here
//! (pseudo-layers and the layers pcapkit does not decode, `udpencap`, `data`, left out); the
//! ESP and AVSP fields equal tshark's. Where tshark is installed, the recordings themselves are
//! checked against it; every engine gives native's chain.

mod common;

use pcapkit::EngineKind;
use pcapkit::capture::RawFrame;
use pcapkit::engine::DissectOptions;
use pcapkit::model::{Frame, Layer, LinkType};

/// IPv4 header (10.0.0.1 → 10.0.0.2, TTL 64) for `proto` and `payload_len` bytes after it.
fn ipv4(proto: u8, payload_len: usize) -> Vec<u8> {
    let total = (20 + payload_len) as u16;
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    h
}

/// UDP `src` → `dst` with `payload`.
fn udp(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
    let mut h = [src.to_be_bytes(), dst.to_be_bytes()].concat();
    h.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    h.extend_from_slice(&[0, 0]);
    h.extend_from_slice(payload);
    h
}

/// IPv4/UDP 1234 → 5678 with 4 payload bytes.
fn ipv4_udp() -> Vec<u8> {
    let u = udp(1234, 5678, &[1, 2, 3, 4]);
    [ipv4(17, u.len()), u].concat()
}

/// Ethernet (IPv4 or IPv6 by `ether_type`) in front of `payload`.
fn ethernet(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x11, 0x22, 0x33, 0x44, 0x66,
    ];
    f.extend_from_slice(&ether_type.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// Ethernet/IPv4/UDP to port 4500 carrying `payload`.
fn nat_t(payload: &[u8]) -> Vec<u8> {
    let u = udp(4500, 4500, payload);
    ethernet(0x0800, &[ipv4(17, u.len()), u].concat())
}

/// One generated frame: what it is, link type, bytes, tshark 4.0.17's `frame.protocols`.
struct Case {
    what: &'static str,
    link: u32,
    data: Vec<u8>,
    tshark: &'static str,
}

fn cases() -> Vec<Case> {
    // One MPLS label (16, bottom of stack, TTL 64).
    let label = [0x00, 0x01, 0x01, 0x40];
    let ppp = |protocol: u16| {
        let mut f = vec![0xff, 0x03];
        f.extend_from_slice(&protocol.to_be_bytes());
        f.extend_from_slice(&label);
        f.extend_from_slice(&ipv4_udp());
        f
    };
    let mpls_in_ip = {
        let inner = [&label[..], &ipv4_udp()].concat();
        ethernet(0x0800, &[ipv4(137, inner.len()), inner].concat())
    };
    // ESP: SPI 0x01020304, sequence 5, 8 bytes of ciphertext.
    let esp = [1, 2, 3, 4, 0, 0, 0, 5, 9, 9, 9, 9, 9, 9, 9, 9];
    // IKE behind the zero non-ESP marker: 8 bytes, too short for tshark's ISAKMP (`data`).
    let ike = [0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
    // AVSP timestamps: 64-bit TAI (0x5cef0000 s, 999 ns), 48-bit UTC (60832 s, 7 ns), each
    // followed by the Ethertype; a VLAN tag (VID 5) carrying IPv4.
    let avsp64 = [
        0, 1, 0, 0x10, 0x5c, 0xef, 0, 0, 0, 0, 0x03, 0xe7, 0x08, 0x00,
    ];
    let avsp48 = [0, 1, 0x01, 0x20, 0xed, 0xa0, 0, 0, 0, 7, 0x81, 0x00];
    let vlan_ipv4 = [0, 5, 0x08, 0x00];
    // IPv6 (next header 62) and a Binding Refresh Request (MH type 0, 8 bytes).
    let mut mh_old = vec![0x60, 0, 0, 0, 0, 8, 62, 64];
    for last in [1u8, 2] {
        mh_old.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        mh_old.extend_from_slice(&[0; 11]);
        mh_old.push(last);
    }
    mh_old.extend_from_slice(&[59, 0, 0, 0, 0, 0, 0, 0]);
    vec![
        Case {
            what: "PPP, MPLS unicast",
            link: 9,
            data: ppp(0x0281),
            tshark: "ppp:mpls:ip:udp:data",
        },
        Case {
            what: "PPP, MPLS multicast",
            link: 9,
            data: ppp(0x0283),
            tshark: "ppp:mpls:ip:udp:data",
        },
        Case {
            what: "MPLS in IPv4 (protocol 137)",
            link: 1,
            data: mpls_in_ip,
            tshark: "eth:ethertype:ip:mpls:ip:udp:data",
        },
        Case {
            what: "ESP in UDP",
            link: 1,
            data: nat_t(&esp),
            tshark: "eth:ethertype:ip:udp:udpencap:esp",
        },
        Case {
            what: "ESP in UDP, header only",
            link: 1,
            data: nat_t(&esp[..8]),
            tshark: "eth:ethertype:ip:udp:udpencap:esp",
        },
        Case {
            what: "IKE behind the non-ESP marker",
            link: 1,
            data: nat_t(&ike),
            tshark: "eth:ethertype:ip:udp:udpencap:data",
        },
        Case {
            what: "NAT-keepalive",
            link: 1,
            data: nat_t(&[0xff]),
            tshark: "eth:ethertype:ip:udp:udpencap",
        },
        Case {
            what: "AVSP, 64-bit TAI timestamp",
            link: 1,
            data: ethernet(0xd28b, &[&avsp64[..], &ipv4_udp()].concat()),
            tshark: "eth:ethertype:avsp:ethertype:ip:udp:data",
        },
        Case {
            what: "AVSP, 48-bit UTC timestamp, VLAN",
            link: 1,
            data: ethernet(0xd28b, &[&avsp48[..], &vlan_ipv4[..], &ipv4_udp()].concat()),
            tshark: "eth:ethertype:avsp:ethertype:vlan:ethertype:ip:udp:data",
        },
        Case {
            what: "AVSP, another subtype, MPLS",
            link: 1,
            data: ethernet(
                0xd28b,
                &[&[0, 2, 0x88, 0x47][..], &label, &ipv4_udp()].concat(),
            ),
            tshark: "eth:ethertype:avsp:ethertype:mpls:ip:udp:data",
        },
        Case {
            what: "Mobility Header, next header 62",
            link: 1,
            data: ethernet(0x86dd, &mh_old),
            tshark: "eth:ethertype:ipv6:mipv6",
        },
    ]
}

/// tshark's chain with the names pcapkit does not decode (or has no layer for) left out.
fn their_names(protocols: &str) -> Vec<&str> {
    protocols
        .split(':')
        .filter(|n| !matches!(*n, "ethertype" | "udpencap" | "data"))
        .collect()
}

/// pcapkit's chain in tshark's names, Raw left out.
fn our_names(frame: &Frame) -> Vec<&'static str> {
    frame
        .protocols()
        .filter_map(|p| {
            Some(match p.name() {
                "Ethernet" => "eth",
                "PPP" => "ppp",
                "MPLS" => "mpls",
                "IPv4" => "ip",
                "IPv6" => "ipv6",
                "UDP" => "udp",
                "ESP" => "esp",
                "MH" => "mipv6",
                "AVSP" => "avsp",
                "VLAN" => "vlan",
                "Raw" => return None,
                other => panic!("frame {}: {other} not expected here", frame.number),
            })
        })
        .collect()
}

fn dissect(kind: EngineKind, case: &Case) -> Frame {
    let raw = RawFrame {
        number: 1,
        timestamp: None,
        len: case.data.len() as u32,
        link_type: LinkType(case.link),
        interface: None,
        data: &case.data,
    };
    kind.dissector().dissect(&raw, &DissectOptions::default())
}

#[test]
fn sweep_findings_match_tshark() {
    let cases = cases();
    for case in &cases {
        let native = dissect(EngineKind::Native, case);
        assert_eq!(native.error, None, "{}", case.what);
        assert_eq!(
            our_names(&native),
            their_names(case.tshark),
            "{}",
            case.what
        );
        for kind in EngineKind::ALL.iter().filter(|k| !k.is_parallel()) {
            let frame = dissect(*kind, case);
            assert_eq!(
                frame.protocol_chain(),
                native.protocol_chain(),
                "{kind:?}: {}",
                case.what
            );
        }
    }
    // ESP's fields, as tshark 4.0.17 shows them (esp.spi 0x01020304, esp.sequence 5).
    let esp = dissect(EngineKind::Native, &cases[3]);
    let Some(Layer::Esp(e)) = esp.layers.iter().find(|l| matches!(l, Layer::Esp(_))) else {
        panic!("no ESP layer");
    };
    assert_eq!((e.spi, e.seq, e.payload_len), (0x0102_0304, 5, 8));

    // AVSP's timestamps, as tshark 4.0.17 shows them (avsp.64sec 1559166976, avsp.64ns 999;
    // avsp.48sec 60832, avsp.48ns 7).
    for (i, seconds, ns) in [(7, 0x5cef_0000, 999), (8, 60832, 7)] {
        let frame = dissect(EngineKind::Native, &cases[i]);
        let Some(Layer::Avsp(a)) = frame.layers.get(1) else {
            panic!("{}: no AVSP layer", cases[i].what);
        };
        assert_eq!((a.seconds, a.nanoseconds), (Some(seconds), Some(ns)));
    }

    // The recordings against tshark itself, where it is installed.
    for link in [1u32, 9] {
        let mine: Vec<&Case> = cases.iter().filter(|c| c.link == link).collect();
        let mut pcap = common::Pcap::new(false, false, link, 65535);
        for c in &mine {
            pcap = pcap.record(1, 0, c.data.len() as u32, &c.data);
        }
        let Some(tshark) = common::tshark_json_of(&pcap.bytes(), &[]) else {
            return;
        };
        assert_eq!(tshark.len(), mine.len());
        for (t, c) in tshark.iter().zip(&mine) {
            assert_eq!(common::tshark_chain(t), c.tshark, "{}", c.what);
            if let Some(avsp) = t.get("avsp") {
                let field = |k: &str| avsp.find(k).and_then(common::Node::text);
                let sec = field("avsp.64sec").or_else(|| field("avsp.48sec"));
                let ns = field("avsp.64ns").or_else(|| field("avsp.48ns"));
                match c.what {
                    "AVSP, 64-bit TAI timestamp" => {
                        assert_eq!((sec, ns), (Some("1559166976"), Some("999")))
                    }
                    "AVSP, 48-bit UTC timestamp, VLAN" => {
                        assert_eq!((sec, ns), (Some("60832"), Some("7")))
                    }
                    _ => assert_eq!((sec, ns), (None, None)),
                }
            }
            if let Some(esp) = t.get("esp") {
                let field = |k: &str| esp.get(k).and_then(common::Node::text);
                assert_eq!(field("esp.spi"), Some("0x01020304"), "{}", c.what);
                assert_eq!(field("esp.sequence"), Some("5"), "{}", c.what);
            }
        }
    }
}
