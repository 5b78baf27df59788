//! SIP and LLMNR (issue 12) on generated frames: a SIP request over UDP 5060 and a response
//! with compact header names over TCP 5060 (RFC 3261's examples), an LLMNR query to
//! 224.0.0.252 port 5355 and its answer (RFC 4795, through the DNS decoder). Each frame's chain
//! and fields equal what tshark 4.0.17 printed for them, recorded here; where tshark is
//! installed the recordings are checked against it, and every engine gives native's chain.

mod common;

use pcapkit::EngineKind;
use pcapkit::capture::RawFrame;
use pcapkit::engine::DissectOptions;
use pcapkit::model::{DnsRdata, Frame, HttpKind, Layer, LinkType};

/// IPv4 header 10.0.0.1 → `dst` (TTL 64) for `proto` and `payload`.
fn ipv4(proto: u8, dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&((20 + payload.len()) as u16).to_be_bytes());
    h.extend_from_slice(&[0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1]);
    h.extend_from_slice(&dst);
    h.extend_from_slice(payload);
    h
}

/// Ethernet/IPv4/UDP `src` → `dst` to `to` with `payload`.
fn udp(src: u16, dst: u16, to: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut u = [src.to_be_bytes(), dst.to_be_bytes()].concat();
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    ethernet(&ipv4(17, to, &u))
}

/// Ethernet/IPv4/TCP `src` → `dst` (PSH+ACK) with `payload`.
fn tcp(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
    let mut t = [src.to_be_bytes(), dst.to_be_bytes()].concat();
    t.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend_from_slice(payload);
    ethernet(&ipv4(6, [10, 0, 0, 2], &t))
}

fn ethernet(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x11, 0x22, 0x33, 0x44, 0x66, 0x08, 0x00,
    ];
    f.extend_from_slice(payload);
    f
}

const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Content-Length: 4\r\n\r\nv=0\n";

/// A response with compact names: `v` Via, `i` Call-ID, `l` Content-Length.
const OK: &[u8] = b"SIP/2.0 200 OK\r\n\
v: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
i: a84b4c76e66710@pc33.atlanta.example.com\r\n\
CSeq: 314159 INVITE\r\n\
l: 0\r\n\r\n";

/// An LLMNR query for `wpad1` (type A), id 0x1234; with `answer`, the response carrying
/// 10.0.0.9 (TTL 30) by a pointer to the question's name.
fn llmnr(answer: bool) -> Vec<u8> {
    let (flags, ancount) = if answer { (0x8000u16, 1u16) } else { (0, 0) };
    let mut m = vec![0x12, 0x34];
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    m.extend_from_slice(&ancount.to_be_bytes());
    m.extend_from_slice(&[0, 0, 0, 0, 5, b'w', b'p', b'a', b'd', b'1', 0, 0, 1, 0, 1]);
    if answer {
        m.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 9]);
    }
    m
}

/// The frames, each with tshark 4.0.17's `frame.protocols`.
fn frames() -> Vec<(Vec<u8>, &'static str)> {
    vec![
        (
            udp(5060, 5060, [10, 0, 0, 2], INVITE),
            "eth:ethertype:ip:udp:sip",
        ),
        (tcp(5060, 40000, OK), "eth:ethertype:ip:tcp:sip"),
        (
            udp(50000, 5355, [224, 0, 0, 252], &llmnr(false)),
            "eth:ethertype:ip:udp:llmnr",
        ),
        (
            udp(5355, 50000, [10, 0, 0, 2], &llmnr(true)),
            "eth:ethertype:ip:udp:llmnr",
        ),
    ]
}

fn dissect(kind: EngineKind, data: &[u8]) -> Frame {
    let raw = RawFrame {
        number: 1,
        timestamp: None,
        len: data.len() as u32,
        link_type: LinkType(1),
        interface: None,
        data,
    };
    kind.dissector().dissect(&raw, &DissectOptions::default())
}

/// Our chain in tshark's names (pseudo-layer `ethertype` aside).
fn our_chain(frame: &Frame) -> String {
    let llmnr = frame
        .layers
        .iter()
        .any(|l| matches!(l, Layer::Udp(u) if u.src_port == 5355 || u.dst_port == 5355));
    let names: Vec<&str> = frame
        .protocols()
        .map(|p| match p.name() {
            "Ethernet" => "eth:ethertype",
            "IPv4" => "ip",
            "UDP" => "udp",
            "TCP" => "tcp",
            "SIP" => "sip",
            "DNS" if llmnr => "llmnr",
            other => panic!("{other} not expected here"),
        })
        .collect();
    names.join(":")
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn sip_and_llmnr_match_tshark() {
    let frames = frames();
    let ours: Vec<Frame> = frames
        .iter()
        .map(|(data, _)| dissect(EngineKind::Native, data))
        .collect();
    for ((data, chain), frame) in frames.iter().zip(&ours) {
        assert_eq!(frame.error, None, "{chain}");
        assert_eq!(our_chain(frame), *chain);
        for kind in EngineKind::ALL.iter().filter(|k| !k.is_parallel()) {
            assert_eq!(
                dissect(*kind, data).protocol_chain(),
                frame.protocol_chain(),
                "{kind:?}"
            );
        }
    }

    let Some(Layer::Sip(invite)) = ours[0].layers.last() else {
        panic!("no SIP layer")
    };
    assert_eq!(invite.kind, HttpKind::Request);
    assert_eq!(invite.method.as_deref(), Some("INVITE"));
    assert_eq!(invite.uri.as_deref(), Some("sip:bob@biloxi.example.com"));
    assert_eq!(invite.headers.len(), 7);
    assert_eq!(
        header(&invite.headers, "Call-ID"),
        Some("a84b4c76e66710@pc33.atlanta.example.com")
    );
    assert_eq!(
        (invite.header_len, invite.payload_len),
        (INVITE.len() as u32 - 4, 4)
    );
    let Some(Layer::Sip(ok)) = ours[1].layers.last() else {
        panic!("no SIP layer")
    };
    assert_eq!(ok.kind, HttpKind::Response);
    assert_eq!((ok.status, ok.reason.as_deref()), (Some(200), Some("OK")));
    // Compact names as carried (tshark shows them under their long names).
    let names: Vec<&str> = ok.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["v", "i", "CSeq", "l"]);
    assert_eq!((ok.header_len, ok.payload_len), (OK.len() as u32, 0));

    for (frame, answer) in [(&ours[2], false), (&ours[3], true)] {
        let Some(Layer::Dns(dns)) = frame.layers.last() else {
            panic!("no DNS layer")
        };
        assert_eq!((dns.id, dns.qr), (0x1234, answer));
        assert_eq!(dns.questions[0].name, "wpad1");
        assert_eq!(dns.answers.len(), usize::from(answer));
        if answer {
            assert_eq!(dns.answers[0].ttl, 30);
            let DnsRdata::A { address } = &dns.answers[0].rdata else {
                panic!("no address")
            };
            assert_eq!(address.to_string(), "10.0.0.9");
        }
    }

    let mut pcap = common::Pcap::new(false, false, 1, 65535);
    for (data, _) in &frames {
        pcap = pcap.record(1, 0, data.len() as u32, data);
    }
    let Some(tshark) = common::tshark_json_of(&pcap.bytes(), &[]) else {
        return;
    };
    assert_eq!(tshark.len(), frames.len());
    let text = |layers: &common::Node, key: &str| {
        layers
            .find(key)
            .and_then(common::Node::text)
            .map(str::to_owned)
    };
    for (t, (_, chain)) in tshark.iter().zip(&frames) {
        assert_eq!(common::tshark_chain(t), *chain);
    }
    let t = &tshark[0];
    assert_eq!(text(t, "sip.Method").as_deref(), invite.method.as_deref());
    assert_eq!(text(t, "sip.r-uri").as_deref(), invite.uri.as_deref());
    assert_eq!(
        text(t, "sip.Call-ID").as_deref(),
        header(&invite.headers, "Call-ID")
    );
    assert_eq!(
        text(t, "sip.Content-Length").as_deref(),
        header(&invite.headers, "Content-Length")
    );
    let t = &tshark[1];
    assert_eq!(text(t, "sip.Status-Code"), ok.status.map(|s| s.to_string()));
    assert_eq!(
        text(t, "sip.Status-Line").as_deref(),
        Some("SIP/2.0 200 OK")
    );
    assert_eq!(text(t, "sip.Via").as_deref(), header(&ok.headers, "v"));
    assert_eq!(text(t, "sip.Call-ID").as_deref(), header(&ok.headers, "i"));
    assert_eq!(text(t, "sip.CSeq").as_deref(), header(&ok.headers, "CSeq"));
    assert_eq!(
        text(t, "sip.Content-Length").as_deref(),
        header(&ok.headers, "l")
    );
    for (t, answer) in [(&tshark[2], false), (&tshark[3], true)] {
        assert_eq!(text(t, "dns.id").as_deref(), Some("0x1234"));
        assert_eq!(text(t, "dns.qry.name").as_deref(), Some("wpad1"));
        assert_eq!(
            text(t, "dns.flags.response").as_deref(),
            Some(if answer { "1" } else { "0" })
        );
        assert_eq!(text(t, "dns.a").as_deref(), answer.then_some("10.0.0.9"));
    }
}
