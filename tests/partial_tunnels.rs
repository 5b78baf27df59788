//! Issue 12, tunnel headers cut by the snap length: each cut keeps the fields tshark 4.0.17
//! shows for that many captured bytes, with the complete record's values, and the frame's
//! error names the protocol. The lengths at which the fields appear are recorded here (read
//! off tshark) and checked against live tshark where it is installed.

mod common;

use common::{Pcap, ethernet, ipv4};
use pcapkit::model::{Layer, ProtoId};
use serde_json::Value;

/// UDP `src` → `dst`, checksum 0x1234.
fn udp(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
    let mut h = src.to_be_bytes().to_vec();
    h.extend_from_slice(&dst.to_be_bytes());
    h.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    h.extend_from_slice(&[0x12, 0x34]);
    h.extend_from_slice(payload);
    h
}

/// A header's recording: at each captured length, the fields (our name, tshark's field)
/// that appear.
type Steps = &'static [(usize, &'static [(&'static str, &'static str)])];

/// One cut-header case: a complete Ethernet frame, where the header starts and how long it
/// is, and when tshark shows each field.
struct Case {
    proto: ProtoId,
    /// tshark's layer name.
    tshark: &'static str,
    frame: Vec<u8>,
    start: usize,
    header_len: usize,
    /// The fewest captured bytes the protocol is named on (by tshark and pcapkit).
    from: usize,
    steps: Steps,
    /// Captured lengths at which tshark names another protocol (a UDP heuristic that wins on
    /// so few bytes), and its name: pcapkit keeps the port's protocol there.
    tshark_other: &'static [(usize, &'static str)],
}

fn expected_names(steps: Steps, captured: usize) -> Vec<&'static str> {
    steps
        .iter()
        .filter(|(at, _)| *at <= captured)
        .flat_map(|(_, names)| names.iter().map(|(ours, _)| *ours))
        .collect()
}

/// Cuts the case's header at every length and checks each cut: a partial layer of the
/// protocol, last, with the recorded names and the complete record's values; the chain in
/// front as the complete frame's; the error at the header. Then the recording against tshark.
fn check(case: &Case) {
    let full = &case.frame;
    let complete = common::dissect_every_engine(full, full.len());
    assert_eq!(complete.error, None, "{:?}", case.proto);
    let index = complete
        .layers
        .iter()
        .position(|l| l.proto() == case.proto)
        .expect("the protocol in the complete frame");
    assert_eq!(complete.spans[index].start as usize, case.start);
    assert_eq!(
        complete.spans[index].header_end as usize - case.start,
        case.header_len,
        "{:?} header length",
        case.proto
    );
    let complete_json = serde_json::to_value(&complete).unwrap();
    let whole = &complete_json["layers"][index];
    for captured in 0..case.header_len {
        let cut = case.start + captured;
        let frame = common::dissect_every_engine(&full[..cut], full.len());
        let at = format!("{:?} at {captured}", case.proto);
        let protos: Vec<ProtoId> = frame.layers.iter().map(Layer::proto).collect();
        let before: Vec<ProtoId> = complete.layers[..=index].iter().map(Layer::proto).collect();
        if captured < case.from {
            // Not yet the protocol: what the payload is named is the port walker's business.
            assert_eq!(protos[..index], before[..index], "{at}");
            assert!(!protos[index..].contains(&case.proto), "{at}");
            continue;
        }
        assert_eq!(protos, before, "{at}");
        let Layer::Partial(partial) = &frame.layers[index] else {
            panic!("{at}: not partial: {:?}", frame.layers[index]);
        };
        assert_eq!(partial.header_len as usize, captured, "{at}");
        let error = frame.error.as_ref().expect("a cut frame has an error");
        assert_eq!(
            (error.layer, error.offset as usize),
            (case.proto, case.start),
            "{at}"
        );
        let names: Vec<&str> = partial.fields.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, expected_names(case.steps, captured), "{at}");
        let layer = serde_json::to_value(&frame.layers[index]).unwrap();
        let object = layer.as_object().unwrap();
        assert_eq!(object.len(), names.len() + 4, "{at}");
        assert_eq!(object["truncated"], Value::Bool(true), "{at}");
        for name in &names {
            assert_eq!(object[*name], whole[*name], "{name} {at}");
        }
    }
    check_tshark(case);
}

/// Checks the recording against tshark: at each cut the protocol is the last of
/// `frame.protocols` and the recorded fields, no others of the recording, are in its layer.
fn check_tshark(case: &Case) {
    let mut pcap = Pcap::new(false, false, 1, 65535);
    for captured in 0..case.header_len {
        let cut = case.start + captured;
        pcap = pcap.record(0, 0, case.frame.len() as u32, &case.frame[..cut]);
    }
    let Some(frames) = common::tshark_json_of(&pcap.bytes(), &[]) else {
        return;
    };
    assert_eq!(frames.len(), case.header_len);
    for (captured, layers) in frames.iter().enumerate() {
        let at = format!("{:?} at {captured}", case.proto);
        let protocols = layers
            .find("frame.protocols")
            .and_then(|n| n.text())
            .unwrap();
        if captured < case.from {
            assert!(layers.get(case.tshark).is_none(), "{at}: {protocols}");
            continue;
        }
        if let Some((_, other)) = case.tshark_other.iter().find(|(n, _)| *n == captured) {
            assert!(
                protocols.ends_with(&format!(":{other}")),
                "{at}: {protocols}"
            );
            continue;
        }
        assert!(
            protocols.ends_with(&format!(":{}", case.tshark)),
            "{at}: {protocols}"
        );
        let layer = layers.get(case.tshark);
        let expected = expected_names(case.steps, captured);
        for (ours, field) in case.steps.iter().flat_map(|(_, f)| f.iter()) {
            let shown = layer.is_some_and(|l| l.find(field).is_some());
            assert_eq!(shown, expected.contains(ours), "{at}: {field}");
        }
    }
}

/// GRE version 0 with checksum, key and sequence number (C K S), IPv4/UDP inside.
fn gre_v0() -> Case {
    let mut gre = vec![0xb0, 0x00, 0x08, 0x00, 0x12, 0x34, 0x00, 0x00];
    gre.extend_from_slice(&[0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x07]);
    gre.extend(ipv4(17, &udp(1, 2, b"hi")));
    Case {
        proto: ProtoId::Gre,
        tshark: "gre",
        frame: ethernet(0x0800, &ipv4(47, &gre)),
        start: 34,
        header_len: 16,
        from: 0,
        steps: &[
            (
                4,
                &[
                    ("flags", "gre.flags_and_version"),
                    ("version", "gre.flags.version"),
                    ("type", "gre.proto"),
                ],
            ),
            (6, &[("checksum", "gre.checksum")]),
            (8, &[("offset", "gre.offset")]),
            (12, &[("key", "gre.key")]),
        ],
        tshark_other: &[],
    }
}

/// Enhanced GRE (PPTP, version 1) with key, sequence and acknowledgement (K S A), PPP inside.
fn gre_v1() -> Case {
    let mut gre = vec![0x30, 0x81, 0x88, 0x0b, 0x00, 0x30, 0x00, 0x05];
    gre.extend_from_slice(&[0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x03]);
    // 48 bytes of PPP: an LCP Configure-Request without options, then padding.
    gre.extend_from_slice(&[0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04]);
    gre.extend_from_slice(&[0; 40]);
    Case {
        proto: ProtoId::Gre,
        tshark: "gre",
        frame: ethernet(0x0800, &ipv4(47, &gre)),
        start: 34,
        header_len: 16,
        from: 0,
        steps: &[
            (
                4,
                &[
                    ("flags", "gre.flags_and_version"),
                    ("version", "gre.flags.version"),
                    ("type", "gre.proto"),
                ],
            ),
            (8, &[("call_id", "gre.key.call_id")]),
            (12, &[("seq", "gre.sequence_number")]),
        ],
        tshark_other: &[],
    }
}

#[test]
fn gre_cut_at_every_length() {
    check(&gre_v0());
    check(&gre_v1());
}

/// Version 1's payload length (the key's first half) is the layer's payload length once
/// captured, as tshark shows `gre.key.payload_length` from 6 bytes.
#[test]
fn gre_v1_payload_length_from_six_bytes() {
    let case = gre_v1();
    for captured in 0..case.header_len {
        let frame =
            common::dissect_every_engine(&case.frame[..case.start + captured], case.frame.len());
        let Some(Layer::Partial(p)) = frame.layers.last() else {
            panic!("not partial at {captured}");
        };
        assert_eq!(
            p.payload_len,
            if captured >= 6 { 48 } else { 0 },
            "{captured}"
        );
    }
}

/// GENEVE with the C flag, TEB, VNI 0x123456 and one 8-byte option, Ethernet inside.
fn geneve() -> Case {
    let mut g = vec![0x02, 0x40, 0x65, 0x58, 0x12, 0x34, 0x56, 0x00];
    g.extend_from_slice(&[0x01, 0x02, 0x03, 0x01, 0xde, 0xad, 0xbe, 0xef]);
    g.extend(ethernet(0x0800, &ipv4(17, &udp(1, 2, b"hi"))));
    Case {
        proto: ProtoId::Geneve,
        tshark: "geneve",
        frame: ethernet(0x0800, &ipv4(17, &udp(5000, 6081, &g))),
        start: 42,
        header_len: 16,
        from: 1,
        steps: &[
            (
                1,
                &[
                    ("version", "geneve.version"),
                    ("opt_len", "geneve.option.length"),
                ],
            ),
            (
                2,
                &[
                    ("oam", "geneve.flags.oam"),
                    ("critical", "geneve.flags.critical"),
                ],
            ),
            (4, &[("type", "geneve.proto_type")]),
            // Cut inside the options: tshark shows none of them.
            (7, &[("vni", "geneve.vni")]),
        ],
        // Four bytes on port 6081 (02 40 65 58) pass tshark's TAPA heuristic.
        tshark_other: &[(4, "tapa")],
    }
}

#[test]
fn geneve_cut_at_every_length() {
    check(&geneve());
}

/// A GTP-U G-PDU with S and PN set (sequence 7, N-PDU 9), TEID 0x11223344, IPv4 inside.
fn gtp() -> Case {
    let inner = ipv4(17, &udp(1, 2, b"hi"));
    let mut g = vec![0x33, 0xff];
    g.extend_from_slice(&(4 + inner.len() as u16).to_be_bytes());
    g.extend_from_slice(&[0x11, 0x22, 0x33, 0x44, 0x00, 0x07, 0x09, 0x00]);
    g.extend(inner);
    Case {
        proto: ProtoId::Gtp,
        tshark: "gtp",
        frame: ethernet(0x0800, &ipv4(17, &udp(2152, 2152, &g))),
        start: 42,
        header_len: 12,
        from: 2,
        steps: &[
            (
                2,
                &[
                    ("version", "gtp.flags.version"),
                    ("flags", "gtp.flags"),
                    ("message_type", "gtp.message"),
                    ("message_type_name", "gtp.message"),
                ],
            ),
            (4, &[("len", "gtp.length")]),
            (8, &[("teid", "gtp.teid")]),
            (10, &[("seq", "gtp.seq_number")]),
            (11, &[("npdu", "gtp.npdu_number")]),
        ],
        tshark_other: &[],
    }
}

#[test]
fn gtp_cut_at_every_length() {
    check(&gtp());
}

/// IPv6, hop limit 64, 2001:db8::1 → 2001:db8::2, carrying `next_header`.
fn ipv6(next_header: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x6a, 0x0c, 0xde, 0xf1];
    h.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    h.extend_from_slice(&[next_header, 64]);
    for last in [1u8, 2] {
        h.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        h.extend_from_slice(&[0; 11]);
        h.push(last);
    }
    h.extend_from_slice(payload);
    h
}

/// Teredo with an authentication header (client id 2 bytes, value 3, nonce 1..8,
/// confirmation 0x42) and an origin indication (port 4000, 10.1.2.3, inverted), IPv6 inside.
fn teredo() -> Case {
    let mut t = vec![0x00, 0x01, 2, 3, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];
    t.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 0x42]);
    t.extend_from_slice(&[0x00, 0x00]);
    t.extend_from_slice(&(!4000u16).to_be_bytes());
    t.extend_from_slice(&[!10u8, !1, !2, !3]);
    t.extend(ipv6(17, &udp(1, 2, b"hi")));
    Case {
        proto: ProtoId::Teredo,
        tshark: "teredo",
        frame: ethernet(0x0800, &ipv4(17, &udp(3544, 3544, &t))),
        start: 42,
        header_len: 26,
        from: 1,
        steps: &[
            (
                4,
                &[
                    ("auth_id_len", "teredo.auth.idlen"),
                    ("auth_value_len", "teredo.auth.aulen"),
                ],
            ),
            // The client id and authentication value (from 6 and 9) have no field here.
            (17, &[("nonce", "teredo.auth.nonce")]),
            (18, &[("confirmation", "teredo.auth.conf")]),
            (22, &[("origin_port", "teredo.orig.port")]),
        ],
        tshark_other: &[],
    }
}

/// Teredo with an origin indication alone (port 4000, 10.1.2.3), IPv6 inside.
fn teredo_origin() -> Case {
    let mut t = vec![0x00, 0x00];
    t.extend_from_slice(&(!4000u16).to_be_bytes());
    t.extend_from_slice(&[!10u8, !1, !2, !3]);
    t.extend(ipv6(17, &udp(1, 2, b"hi")));
    Case {
        proto: ProtoId::Teredo,
        tshark: "teredo",
        frame: ethernet(0x0800, &ipv4(17, &udp(3544, 3544, &t))),
        start: 42,
        header_len: 8,
        from: 1,
        steps: &[(4, &[("origin_port", "teredo.orig.port")])],
        tshark_other: &[],
    }
}

#[test]
fn teredo_cut_at_every_length() {
    check(&teredo());
    check(&teredo_origin());
}

/// GRE with a sequence number carrying `erspan` (protocol `proto`) and an Ethernet frame.
fn erspan_case(proto: u16, gre_flags: u8, erspan: &[u8], steps: Steps) -> Case {
    let mut g = vec![gre_flags, 0x00];
    g.extend_from_slice(&proto.to_be_bytes());
    if gre_flags != 0 {
        g.extend_from_slice(&[0, 0, 0, 5]);
    }
    let start = 34 + g.len();
    g.extend_from_slice(erspan);
    g.extend(ethernet(0x0800, &ipv4(17, &udp(1, 2, b"hi"))));
    Case {
        proto: ProtoId::Erspan,
        tshark: "erspan",
        frame: ethernet(0x0800, &ipv4(47, &g)),
        start,
        header_len: erspan.len(),
        from: 0,
        steps,
        tshark_other: &[],
    }
}

/// The first word's fields, common to types II and III. tshark's `erspan.truncated` (the T
/// bit, from 4 bytes) is not kept: `truncated` is the partial layer's marker.
const ERSPAN_WORD: [(usize, &[(&str, &str)]); 2] = [
    (2, &[("version", "erspan.version"), ("vlan", "erspan.vlan")]),
    (
        4,
        &[
            ("cos", "erspan.cos"),
            ("encap", "erspan.encap"),
            ("session_id", "erspan.spanid"),
        ],
    ),
];

#[test]
fn erspan_cut_at_every_length() {
    // Type II: VLAN 5, CoS 1, session 20, index 1 (the 8-byte header has no field after 4).
    let ii = [0x10, 0x05, 0x20, 0x14, 0x00, 0x00, 0x00, 0x01];
    check(&erspan_case(0x88be, 0x10, &ii, &ERSPAN_WORD));
    // Type III with the platform sub-header: timestamp 256, SGT 42, then flags (O set) and
    // the platform id, which the model does not keep.
    let mut iii = vec![
        0x20, 0x05, 0x20, 0x07, 0, 0, 0x01, 0x00, 0x00, 0x2a, 0x00, 0x01,
    ];
    iii.extend_from_slice(&[0x08, 0, 0, 0, 0, 0, 0, 9]);
    const III: Steps = &[
        ERSPAN_WORD[0],
        (
            4,
            &[
                ("cos", "erspan.cos"),
                ("encap", "erspan.bso"),
                ("session_id", "erspan.spanid"),
            ],
        ),
        (8, &[("timestamp", "erspan.timestamp")]),
        (10, &[("sgt", "erspan.sgt")]),
    ];
    check(&erspan_case(0x22eb, 0x00, &iii, III));
}

/// An L2TP message on UDP 1701.
fn l2tp_case(message: Vec<u8>, header_len: usize, steps: Steps) -> Case {
    Case {
        proto: ProtoId::L2tp,
        tshark: "l2tp",
        frame: ethernet(0x0800, &ipv4(17, &udp(1701, 1701, &message))),
        start: 42,
        header_len,
        from: 2,
        steps,
        tshark_other: &[],
    }
}

/// PPP (address, control, IPv4) carrying IPv4/UDP.
fn ppp_ipv4() -> Vec<u8> {
    let mut p = vec![0xff, 0x03, 0x00, 0x21];
    p.extend(ipv4(17, &udp(1, 2, b"hi")));
    p
}

const L2TP_V2_IDS: &[(&str, &str)] = &[
    ("version", "l2tp.version"),
    ("kind", "l2tp.type"),
    ("flags", "l2tp.flags"),
    ("len", "l2tp.length"),
    ("tunnel_id", "l2tp.tunnel"),
    ("session_id", "l2tp.session"),
];

#[test]
fn l2tp_cut_at_every_length() {
    // v2 data with L, S and O: length, tunnel 0x1234, session 0x5678, Ns 7, Nr 9, offset 0.
    let ppp = ppp_ipv4();
    let mut m = vec![0x4a, 0x02];
    m.extend_from_slice(&(14 + ppp.len() as u16).to_be_bytes());
    m.extend_from_slice(&[0x12, 0x34, 0x56, 0x78, 0, 7, 0, 9, 0, 0]);
    m.extend_from_slice(&ppp);
    check(&l2tp_case(
        m,
        14,
        &[
            (8, L2TP_V2_IDS),
            (10, &[("ns", "l2tp.Ns")]),
            (12, &[("nr", "l2tp.Nr")]),
        ],
    ));
    // v2 data with S and O, no length: the ids from 6 bytes.
    let mut m = vec![0x0a, 0x02, 0x12, 0x34, 0x56, 0x78, 0, 7, 0, 9, 0, 0];
    m.extend_from_slice(&ppp);
    let no_len: Steps = &[
        (
            6,
            &[
                ("version", "l2tp.version"),
                ("kind", "l2tp.type"),
                ("flags", "l2tp.flags"),
                ("tunnel_id", "l2tp.tunnel"),
                ("session_id", "l2tp.session"),
            ],
        ),
        (8, &[("ns", "l2tp.Ns")]),
        (10, &[("nr", "l2tp.Nr")]),
    ];
    check(&l2tp_case(m, 12, no_len));
    // v3 data: the flags from 2 bytes, the session id ends the header.
    let mut m = vec![0x00, 0x03, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78];
    m.extend_from_slice(&[0; 20]);
    let v3: Steps = &[(
        2,
        &[
            ("version", "l2tp.version"),
            ("kind", "l2tp.type"),
            ("flags", "l2tp.flags"),
        ],
    )];
    check(&l2tp_case(m, 8, v3));
    // v2 control (HELLO): tshark shows no field until the whole message is captured.
    let mut m = vec![0xc8, 0x02, 0x00, 0x14, 0x12, 0x34, 0x00, 0x00, 0, 15, 0, 2];
    m.extend_from_slice(&[0x80, 0x08, 0, 0, 0, 0, 0, 6]);
    check(&l2tp_case(m, 12, &[]));
    // v3 control (a ZLB acknowledgement): none either.
    let m = vec![0xc8, 0x03, 0x00, 0x0c, 0x01, 0x02, 0x03, 0x04, 0, 1, 0, 2];
    check(&l2tp_case(m, 12, &[]));
}

/// PPPoE: tshark shows no field of a header shorter than its 6 bytes (pcapkit's field-less
/// partial layer), for the session stage and the discovery stage alike.
#[test]
fn pppoe_cut_at_every_length() {
    let mut ppp = vec![0x00, 0x21];
    ppp.extend(ipv4(17, &udp(1, 2, b"hi")));
    let mut session = vec![0x11, 0x00, 0x12, 0x34];
    session.extend_from_slice(&(ppp.len() as u16).to_be_bytes());
    session.extend(ppp);
    // A PADT without tags.
    let padt = vec![0x11, 0xa7, 0x12, 0x34, 0x00, 0x00];
    for (ether_type, tshark, message) in [(0x8864, "pppoes", session), (0x8863, "pppoed", padt)] {
        check(&Case {
            proto: ProtoId::Pppoe,
            tshark,
            frame: ethernet(ether_type, &message),
            start: 14,
            header_len: 6,
            from: 0,
            steps: &[],
            tshark_other: &[],
        });
    }
}
