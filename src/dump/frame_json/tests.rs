//! `write_frame_json` against serde_json, byte for byte.
//!
//! - every frame of every capture in `../shared/captures` (skipped with a message if absent);
//! - a synthetic corpus that needs no files: the sample conversation, plus frames derived from it
//!   (by mutating dissected layers, or dissected from bytes built here, never by struct literals
//!   of layer records, so adding a field to a layer does not break this file's compilation) that
//!   reach every TCP option kind, every flag combination, IPv4/IPv6 options, every optional
//!   field, every DNS record data kind (with mDNS bits and DNS over TCP), ICMP messages with
//!   type-specific fields, odd addresses, escapes in strings, no timestamp, an interface, an
//!   error, unnamed link types and Ethertypes, timestamps before 1970 and after 9999, a chain
//!   longer than 256 bytes, and layers the fast path leaves to serde_json (SLL, SLL2, Null);
//! - the value writers (integers, IPv4, IPv6) against `Display` over wide ranges.
//!
//! The guard against a field added to the model later: identity on real frames catches any
//! new field that is always written; [`every_field_is_exercised`] records, with a serializer
//! that notes `serialize_field` and `skip_field` calls, every key each fast-path layer type can
//! write, and fails if a key (an optional field, say) is never present in the synthetic corpus,
//! so a new optional field fails here until a test frame sets it, and then identity fails until
//! the fast path writes it. Types that serialize as maps (`#[serde(flatten)]`, listed in
//! [`MAP_SERIALIZED`]) do not report skipped fields; the test fails if another fast-path type
//! becomes one, so that someone looks.

use super::{
    FAST_PATH, Out, STAGE, Stage, num, write_frame_json, write_frame_line, write_record_json,
    write_record_line,
};
use crate::capture::RawFrame;
use crate::engine::native::NativeDissector;
use crate::engine::{DissectOptions, Dissector, FrameSink};
use crate::model::{
    AnyAddr, EtherType, Frame, FrameError, HexBytes, Layer, LinkType, ProtoId, Raw, TcpFlags,
    TcpOption, Timestamp,
};
use crate::pipeline::Record;
use crate::reassembly::{Anomaly, AnomalyKind, Key, Kind, Reassembled, ReassemblyOptions};
use crate::synth;
use serde::Serialize;
use serde::ser;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

const CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/captures");

/// Asserts that the fast writer and serde_json agree on `frame`.
#[track_caller]
fn assert_identical(frame: &Frame, what: &str) {
    let expected = serde_json::to_vec(frame).expect("serde_json encodes every frame");
    let mut fast = b"prefix".to_vec();
    write_frame_json(&mut fast, &mut Stage::default(), frame)
        .expect("fast path encodes every frame");
    let what = format!("{what}, frame {}", frame.number);
    assert_appended(&fast, &expected, &what);
    assert_lines(&expected, &what, |window, spill, stage| {
        write_frame_line(window, spill, stage, frame)
    });
}

/// Asserts that the fast writer and serde_json agree on a stage's `record`.
#[track_caller]
fn assert_record_identical(record: &Record, what: &str) {
    let expected = serde_json::to_vec(record).expect("serde_json encodes every record");
    let mut fast = b"prefix".to_vec();
    write_record_json(&mut fast, &mut Stage::default(), record)
        .expect("fast path encodes every record");
    assert_appended(&fast, &expected, what);
    assert_lines(&expected, what, |window, spill, stage| {
        write_record_line(window, spill, stage, record)
    });
}

/// Asserts that `line` writes `expected` and a newline, both in a window of the writer's
/// buffer (the spilled bytes, then those left in the window) and, given a window too short to
/// stage in, to the spill vector alone, with one stage reused for both.
#[track_caller]
fn assert_lines(
    expected: &[u8],
    what: &str,
    mut line: impl FnMut(&mut [u8], &mut Vec<u8>, &mut Stage) -> serde_json::Result<usize>,
) {
    let mut stage = Stage::default();
    let mut expected = expected.to_vec();
    expected.push(b'\n');
    let (mut window, mut spill) = (vec![0; STAGE + 1], Vec::new());
    let len = line(&mut window, &mut spill, &mut stage).expect("fast path encodes it");
    spill.extend_from_slice(&window[..len]);
    assert!(spill == expected, "{what}: in a window");
    let mut spill = Vec::new();
    let len = line(&mut window[..STAGE - 1], &mut spill, &mut stage).expect("and to a Vec");
    assert!(len == 0 && spill == expected, "{what}: in a short window");
}

/// Asserts that `fast` is `prefix` followed by `expected`, else shows where they part.
#[track_caller]
fn assert_appended(fast: &[u8], expected: &[u8], what: &str) {
    assert_eq!(
        &fast[..6],
        b"prefix",
        "{what}: appends, keeps what was there"
    );
    let fast = &fast[6..];
    if fast != expected {
        let at = fast
            .iter()
            .zip(expected)
            .take_while(|(a, b)| a == b)
            .count();
        let from = at.saturating_sub(60);
        panic!(
            "{what}: fast path differs from serde_json at byte {at}\n  serde: …{}\n  \
             fast:  …{}\n  whole serde: {}",
            String::from_utf8_lossy(&expected[from..(at + 60).min(expected.len())]),
            String::from_utf8_lossy(&fast[from..(at + 60).min(fast.len())]),
            String::from_utf8_lossy(expected),
        );
    }
}

fn dissect(number: u64, link_type: LinkType, data: &[u8]) -> Frame {
    let raw = RawFrame {
        number,
        timestamp: Some(Timestamp::new(1_700_000_000, 123_456_789)),
        len: data.len() as u32,
        link_type,
        interface: None,
        data,
    };
    NativeDissector.dissect(&raw, &DissectOptions::default())
}

/// The sample conversation, dissected.
fn sample_frames() -> Vec<Frame> {
    synth::sample_conversation()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let raw = RawFrame {
                number: i as u64 + 1,
                timestamp: Some(s.timestamp),
                len: s.orig_len,
                link_type: LinkType::ETHERNET,
                interface: None,
                data: &s.data,
            };
            NativeDissector.dissect(&raw, &DissectOptions::default())
        })
        .collect()
}

/// The first layer of `proto` in the sample conversation (cloned), for mutation.
fn sample_layer(frames: &[Frame], proto: ProtoId) -> Layer {
    frames
        .iter()
        .find_map(|f| f.layer(proto).cloned())
        .unwrap_or_else(|| panic!("the sample conversation has a {proto} layer"))
}

/// A frame with the given layers (header fields from the first sample frame).
fn with_layers(template: &Frame, layers: Vec<Layer>) -> Frame {
    let mut frame = template.clone();
    frame.layers = layers;
    frame
}

/// Frames the fast path does not special-case: SLL (v1, known and unknown packet types, short
/// and 8-byte addresses), SLL2 and BSD Null, dissected from bytes.
fn fallback_frames() -> Vec<Frame> {
    let ip = synth::ipv4(
        synth::Ipv4Fields {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            proto: 17,
            id: 7,
            ttl: 64,
            df: false,
            mf: false,
            frag_offset: 0,
        },
        &synth::udp(
            Ipv4Addr::new(10, 0, 0, 1).into(),
            Ipv4Addr::new(10, 0, 0, 2).into(),
            5353,
            5353,
            b"abc",
        ),
    );
    let mut frames = Vec::new();
    for (packet_type, halen) in [(0u16, 6u16), (4, 8), (9, 2)] {
        let mut sll = Vec::new();
        sll.extend_from_slice(&packet_type.to_be_bytes());
        sll.extend_from_slice(&1u16.to_be_bytes());
        sll.extend_from_slice(&halen.to_be_bytes());
        sll.extend_from_slice(&[0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0xde, 0xad]);
        sll.extend_from_slice(&0x0800u16.to_be_bytes());
        sll.extend_from_slice(&ip);
        frames.push(dissect(1, LinkType::LINUX_SLL, &sll));
    }
    let mut sll2 = Vec::new();
    sll2.extend_from_slice(&0x0800u16.to_be_bytes());
    sll2.extend_from_slice(&[0, 0]);
    sll2.extend_from_slice(&3u32.to_be_bytes());
    sll2.extend_from_slice(&1u16.to_be_bytes());
    sll2.extend_from_slice(&[0, 6, 0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0, 0]);
    sll2.extend_from_slice(&ip);
    frames.push(dissect(2, LinkType::LINUX_SLL2, &sll2));
    let mut null = 2u32.to_le_bytes().to_vec();
    null.extend_from_slice(&ip);
    frames.push(dissect(3, LinkType::NULL, &null));
    for frame in &frames {
        assert!(
            frame.layers.iter().any(|l| !FAST_PATH.contains(&l.proto())),
            "a fallback layer in {}",
            frame.protocol_chain()
        );
    }
    frames
}

/// IPv6 with a type-0 Routing header (two addresses) and a Fragment header, dissected.
fn ipv6_route_frag_frame() -> Frame {
    let a = |s: &str| s.parse::<Ipv6Addr>().expect("address");
    let mut ext = vec![44, 4, 0, 2, 0, 0, 0, 0];
    ext.extend_from_slice(&a("2001:db8::1").octets());
    ext.extend_from_slice(&a("::ffff:192.0.2.1").octets());
    ext.extend_from_slice(&[17, 0, 0x01, 0x01, 0xde, 0xad, 0xbe, 0xef]);
    ext.extend_from_slice(&[0x14, 0xe9, 0x14, 0xe9, 0, 12, 0, 0, 1, 2, 3, 4]);
    let ip = synth::ipv6(a("fe80::1"), a("ff02::1:ff00:1"), 43, 255, &ext);
    let data = synth::ethernet(synth_mac(1), synth_mac(2), synth::ethertype::IPV6, &ip);
    dissect(9, LinkType::ETHERNET, &data)
}

fn synth_mac(last: u8) -> crate::model::MacAddr {
    crate::model::MacAddr([0x02, 0, 0, 0, 0, last])
}

/// A DNS name, uncompressed (labels may hold any byte).
fn dns_name(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split(|&b| b == b'.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        out.extend_from_slice(label);
    }
    out.push(0);
    out
}

/// A DNS message: header (`flags`), questions (name, type, class) and the three record
/// sections (name, type, class, ttl, rdata).
type DnsRr<'a> = (&'a [u8], u16, u16, u32, Vec<u8>);
fn dns_message(
    flags: u16,
    questions: &[(&[u8], u16, u16)],
    sections: [&[DnsRr<'_>]; 3],
) -> Vec<u8> {
    let mut m = vec![0xbe, 0xef];
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&(questions.len() as u16).to_be_bytes());
    for section in sections {
        m.extend_from_slice(&(section.len() as u16).to_be_bytes());
    }
    for (name, kind, class) in questions {
        m.extend_from_slice(&dns_name(name));
        m.extend_from_slice(&kind.to_be_bytes());
        m.extend_from_slice(&class.to_be_bytes());
    }
    for section in sections {
        for (name, kind, class, ttl, rdata) in section {
            m.extend_from_slice(&dns_name(name));
            m.extend_from_slice(&kind.to_be_bytes());
            m.extend_from_slice(&class.to_be_bytes());
            m.extend_from_slice(&ttl.to_be_bytes());
            m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
            m.extend_from_slice(rdata);
        }
    }
    m
}

/// DNS over UDP (a response with every record data kind, a query with odd header values),
/// mDNS (unicast-response and cache-flush bits) and DNS over TCP, dissected.
fn dns_frames() -> Vec<Frame> {
    let (c, s) = (Ipv4Addr::new(10, 1, 1, 1), Ipv4Addr::new(10, 1, 1, 53));
    let cat = |parts: &[&[u8]]| parts.concat();
    let soa = cat(&[
        &dns_name(b"ns1.example.test"),
        &dns_name(b"hostmaster.example.test"),
        &[
            0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0x09, 0x3a, 0x80, 0, 0, 0, 60,
        ],
    ]);
    let answers: Vec<DnsRr<'_>> = vec![
        (b"a.example.test", 1, 1, 300, vec![192, 0, 2, 1]),
        (
            b"a.example.test",
            28,
            1,
            0,
            "2001:db8::1"
                .parse::<Ipv6Addr>()
                .map(|a| a.octets().to_vec())
                .unwrap_or_default(),
        ),
        (
            b"www.example.test",
            5,
            1,
            u32::MAX,
            dns_name(b"a.example.test"),
        ),
        (b"example.test", 2, 1, 1, dns_name(b"ns1.example.test")),
        (
            b"1.2.0.192.in-addr.arpa",
            12,
            1,
            1,
            dns_name(b"q\"uo\\te.example.test"),
        ),
        (
            b"example.test",
            15,
            1,
            1,
            cat(&[&[0, 10], &dns_name(b"mx.example.test")]),
        ),
        (
            b"example.test",
            16,
            1,
            1,
            cat(&[&[5], b"hello", &[7], b"wo\"rld\n", &[0]]),
        ),
        (
            b"example.test",
            33,
            1,
            1,
            cat(&[&[0, 1, 0, 2, 0x13, 0xc4], &dns_name(b"sip.example.test")]),
        ),
        (b"weird label \x01.test", 99, 3, 1, vec![1, 2, 3]),
        (b"", 0xff00, 1, 1, Vec::new()),
    ];
    let authorities: Vec<DnsRr<'_>> = vec![(b"example.test", 6, 1, 3600, soa)];
    let additionals: Vec<DnsRr<'_>> = vec![
        (b"", 41, 1232, 0x0100_8000, vec![0, 10, 0, 2, 0xab, 0xcd]),
        (b"", 41, 512, 0, Vec::new()),
    ];
    let response = dns_message(
        0x8580,
        &[(b"a.example.test", 1, 1), (b"x.test", 0xfff0, 0x00fe)],
        [&answers, &authorities, &additionals],
    );
    let query = dns_message(0x05ff, &[(b"odd.test", 1, 1)], [&[], &[], &[]]);
    let mdns = dns_message(
        0x8400,
        &[(b"printer.local", 12, 0x8001)],
        [
            &[(b"printer.local", 1, 0x8001, 120, vec![169, 254, 0, 7])],
            &[],
            &[],
        ],
    );
    let udp = |src_port, dst_port, payload: &[u8]| {
        let fields = synth::Ipv4Fields {
            src: c,
            dst: s,
            proto: 17,
            id: 9,
            ttl: 64,
            df: true,
            mf: false,
            frag_offset: 0,
        };
        let segment = synth::udp(c.into(), s.into(), src_port, dst_port, payload);
        let ip = synth::ipv4(fields, &segment);
        synth::ethernet(synth_mac(1), synth_mac(2), synth::ethertype::IPV4, &ip)
    };
    let mut with_prefix = (query.len() as u16).to_be_bytes().to_vec();
    with_prefix.extend_from_slice(&query);
    let tcp = {
        let fields = synth::Ipv4Fields {
            src: c,
            dst: s,
            proto: 6,
            id: 10,
            ttl: 64,
            df: true,
            mf: false,
            frag_offset: 0,
        };
        let seg = synth::TcpFields {
            src_port: 40000,
            dst_port: 53,
            seq: 1,
            ack: 1,
            flags: 0x18,
            window: 1000,
        };
        let segment = synth::tcp(c.into(), s.into(), seg, &[], &with_prefix);
        let ip = synth::ipv4(fields, &segment);
        synth::ethernet(synth_mac(1), synth_mac(2), synth::ethertype::IPV4, &ip)
    };
    let frames: Vec<Frame> = [
        udp(53, 40000, &response),
        udp(40000, 53, &query),
        udp(5353, 5353, &mdns),
        tcp,
    ]
    .iter()
    .enumerate()
    .map(|(i, data)| dissect(i as u64 + 1, LinkType::ETHERNET, data))
    .collect();
    let expected: [&[&str]; 4] = [
        &[
            "\"address\":\"192.0.2.1\"",
            "\"address\":\"2001:db8::1\"",
            "\"cname\"",
            "\"ns\"",
            "\"ptr\"",
            "\"exchange\"",
            "\"txt\"",
            "\"mname\"",
            "\"target\"",
            "\"rdata\"",
            "\"udp_payload_size\":1232",
            "\"udp_payload_size\":512",
        ],
        &["\"rcode\":15"],
        &["\"unicast_response\":true", "\"cache_flush\":true"],
        &["\"tcp_len\""],
    ];
    for (frame, keys) in frames.iter().zip(expected) {
        let json = serde_json::to_string(&frame.layer(ProtoId::Dns)).unwrap_or_default();
        for key in keys {
            assert!(json.contains(key), "{key} in {json}");
        }
    }
    frames
}

/// The layer `data` dissects to from `first` on (for layers the sample conversation lacks).
fn dissected_layer(first: ProtoId, data: &[u8]) -> Layer {
    let frame = crate::engine::native::dissect_from(first, data, &DissectOptions::default());
    match frame.layers.into_iter().next() {
        Some(layer) if layer.proto() == first => layer,
        other => panic!("{first} from {data:?}: {other:?}"),
    }
}

/// TLS layers: records alone, a ClientHello with every optional field (a string that needs
/// escaping), a ServerHello with empty lists.
fn tls_layers() -> Vec<Layer> {
    // An application-data record, then a change_cipher_spec.
    let bare = dissected_layer(
        ProtoId::Tls,
        &[23, 3, 3, 0, 2, 0xaa, 0xbb, 20, 3, 3, 0, 1, 1],
    );
    let mut client = bare.clone();
    if let Layer::Tls(t) = &mut client {
        t.handshake_type = Some(1);
        t.handshake_type_name = Some("client_hello");
        t.hello_version = Some(0x0303);
        t.cipher_suites = Some(vec![0x1301, 0x1302, 0xc02b, 0]);
        t.sni = Some("ex\"ample\u{1}.com é".into());
        t.alpn = Some(vec!["h2".into(), "http/1.1".into()]);
        t.supported_versions = Some(vec![0x0304, 0x0303]);
    }
    let mut server = bare.clone();
    if let Layer::Tls(t) = &mut server {
        t.records.clear();
        t.handshake_type = Some(2);
        t.handshake_type_name = Some("server_hello");
        t.cipher_suites = Some(Vec::new());
        t.cipher_suite = Some(0x1301);
        t.alpn = Some(Vec::new());
        t.supported_versions = Some(vec![0x0304]);
    }
    vec![bare, client, server]
}

/// NTP layers: a client header (every field; extreme values), a control message.
fn ntp_layers() -> Vec<Layer> {
    let mut header = vec![0xe3, 16, 0x80, 0x7f];
    header.extend([0xff; 44]);
    let full = dissected_layer(ProtoId::Ntp, &header);
    let mut control = dissected_layer(ProtoId::Ntp, &[0x16, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    let mut zeros = full.clone();
    if let Layer::Ntp(n) = &mut zeros {
        (n.poll, n.precision) = (Some(0), Some(-1));
        (n.root_delay, n.ref_ts, n.orig_ts) = (Some(0), Some(0), Some(1 << 63));
    }
    if let Layer::Ntp(n) = &mut control {
        n.payload_len = 7;
    }
    vec![full, zeros, control]
}

/// The synthetic corpus: sample conversation plus mutated frames covering every branch.
fn synthetic_corpus() -> Vec<Frame> {
    let sample = sample_frames();
    let t = &sample[0];
    let mut corpus = sample.clone();

    // Frame header: no timestamp, an interface, an error, odd numbers and link types.
    let mut f = sample[3].clone();
    f.timestamp = None;
    f.interface = Some(7);
    f.error = Some(FrameError {
        layer: ProtoId::Tcp,
        offset: 34,
        reason: "header needs \"20\" bytes,\n\t\\ 12 captured é \u{1}".into(),
    });
    corpus.push(f);
    for (secs, nanos) in [
        (-1, 0),
        (-86_401, 999_999_999),
        (0, 0),
        (1, 1),
        (9, 10),
        (59, 99),
        (99_999_999, 100),
        (100_000_000, 999),
        (100_000_001, 1_000),
        (951_782_400, 123_456_789),
        (951_868_799, 999_999_999),
        (1_700_000_000, 4_294_967_295),
        (2_147_483_648, 0),
        (4_102_444_800, 1),
        (253_402_300_799, 999_999_999),
        (253_402_300_800, 0),
        (300_000_000_000, 5),
        (-300_000_000_000, 5),
        (i64::MAX / 2, 1),
        (i64::MIN / 2, 1),
    ] {
        let mut f = t.clone();
        // Direct construction: `nanos` beyond a second must print as `Timestamp` prints it.
        f.timestamp = Some(Timestamp { secs, nanos });
        corpus.push(f);
    }
    for day in (0..4_000_000).step_by(997) {
        let mut f = t.clone();
        f.timestamp = Some(Timestamp::new(day * 86_400 + day % 86_400, day as u64));
        corpus.push(f);
    }
    for link_type in [0, 1, 12, 101, 113, 147, 150, 162, 276, 4000, u32::MAX] {
        let mut f = t.clone();
        f.link_type = LinkType(link_type);
        f.interface = Some(link_type);
        corpus.push(f);
    }
    let mut f = t.clone();
    f.number = u64::MAX;
    f.len = u32::MAX;
    f.cap_len = 0;
    corpus.push(f);
    // A chain longer than ChainText's 256-byte buffer, and an empty one.
    let raw = |n| {
        Layer::Raw(Raw {
            header_len: 0,
            payload_len: n,
        })
    };
    corpus.push(with_layers(t, (0..90).map(raw).collect()));
    corpus.push(with_layers(t, Vec::new()));

    // Ethernet and VLAN: every named Ethertype and a few unnamed ones; MAC extremes.
    let eth = sample_layer(&sample, ProtoId::Ethernet);
    let vlan = sample_layer(&sample, ProtoId::Vlan);
    let ether_types = (0..=u16::MAX)
        .filter(|&n| EtherType(n).name().is_some())
        .chain([0, 0x05dc, 0x1234, 0xabcd, 0xffff]);
    for n in ether_types {
        let (mut e, mut v) = (eth.clone(), vlan.clone());
        if let (Layer::Ethernet(e), Layer::Vlan(v)) = (&mut e, &mut v) {
            e.ether_type = EtherType(n);
            e.src.0 = [0xff; 6];
            e.dst.0 = [0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];
            v.ether_type = EtherType(n);
            v.dei = n % 2 == 0;
            v.pcp = (n % 8) as u8;
            v.vid = n % 4096;
            v.tci = n;
        }
        corpus.push(with_layers(t, vec![e, v]));
    }

    // ARP and RARP with addresses of every length form.
    let arp = sample_layer(&sample, ProtoId::Arp);
    let addrs: [&[u8]; 7] = [
        &[],
        &[1, 2, 3],
        &[192, 168, 0, 255],
        &[0, 0x1a, 0x2b, 0x3c, 0x4d, 0xff],
        &[1, 2, 3, 4, 5, 6, 7, 8],
        &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        &[0; 16],
    ];
    for (i, addr) in addrs.iter().enumerate() {
        let mut a = arp.clone();
        if let Layer::Arp(a) = &mut a {
            a.sha = AnyAddr(addr.to_vec());
            a.spa = AnyAddr(addrs[(i + 1) % addrs.len()].to_vec());
            a.tha = AnyAddr(addrs[(i + 2) % addrs.len()].to_vec());
            a.tpa = AnyAddr(addrs[(i + 3) % addrs.len()].to_vec());
            a.ptype = EtherType(0x1234_u16.wrapping_mul(i as u16));
            a.hlen = 255;
            a.opcode = u16::MAX;
        }
        let rarp = match &a {
            Layer::Arp(a) => Layer::Rarp(a.clone()),
            other => other.clone(),
        };
        corpus.push(with_layers(t, vec![eth.clone(), a, rarp]));
    }

    // IPv4 and IPv6 addresses and options; IPv6 extension headers.
    let v4 = sample_layer(&sample, ProtoId::Ipv4);
    let v6 = sample_layer(&sample, ProtoId::Ipv6);
    let hop = sample_layer(&sample, ProtoId::HopOpt);
    let Layer::HopOpt(hop_opts) = &hop else {
        unreachable!()
    };
    assert!(!hop_opts.options.is_empty(), "sample HOPOPT has options");
    let mut ip_options = hop_opts.options.clone();
    let mut weird = ip_options[0].clone();
    weird.name = "we\"ird\\\u{7}";
    weird.data = HexBytes(vec![0, 0xff, 0x10]);
    ip_options.push(weird);
    let mut empty_data = ip_options[0].clone();
    empty_data.data = HexBytes(Vec::new());
    ip_options.push(empty_data);
    let v4_addrs = [
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::BROADCAST,
        Ipv4Addr::new(10, 0, 100, 9),
        Ipv4Addr::new(1, 22, 133, 4),
    ];
    let v6_addrs: Vec<Ipv6Addr> = [
        "::",
        "::1",
        "::ffff:1.2.3.4",
        "::1.2.3.4",
        "2001:db8::",
        "fe80::1:2:3:4",
        "1:0:0:1:0:0:0:1",
        "1:2:3:4:5:6:7:8",
        "0:0:1::",
        "ff02::1:ff00:1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "64:ff9b::192.0.2.33",
    ]
    .iter()
    .map(|s| s.parse().expect("address"))
    .collect();
    for (i, &a) in v4_addrs.iter().enumerate() {
        let mut l = v4.clone();
        if let Layer::Ipv4(ip) = &mut l {
            ip.src = a;
            ip.dst = v4_addrs[(i + 1) % v4_addrs.len()];
            ip.options = ip_options[..i % (ip_options.len() + 1)].to_vec();
            ip.df = i % 2 == 0;
            ip.mf = i % 2 == 1;
            ip.tos = 255;
            ip.ttl = (i as u8).wrapping_mul(100);
        }
        corpus.push(with_layers(t, vec![eth.clone(), l]));
    }
    for (i, a) in v6_addrs.iter().enumerate() {
        let mut l = v6.clone();
        if let Layer::Ipv6(ip) = &mut l {
            ip.src = *a;
            ip.dst = v6_addrs[(i + 5) % v6_addrs.len()];
            ip.flow_label = 0xf_ffff;
            ip.traffic_class = i as u8;
        }
        let mut opts = hop.clone();
        if let Layer::HopOpt(x) = &mut opts {
            x.options = ip_options[..i % (ip_options.len() + 1)].to_vec();
        }
        let dest_opts = match &opts {
            Layer::HopOpt(x) => Layer::Ipv6Opts(x.clone()),
            other => other.clone(),
        };
        corpus.push(with_layers(t, vec![eth.clone(), l, opts, dest_opts]));
    }
    corpus.push(ipv6_route_frag_frame());
    let mut routed = ipv6_route_frag_frame();
    for layer in &mut routed.layers {
        match layer {
            Layer::Ipv6Route(r) => r.addresses = v6_addrs.clone(),
            Layer::Ipv6Frag(f) => {
                f.mf = false;
                f.id = u32::MAX;
                f.frag_offset = 65528;
            }
            _ => {}
        }
    }
    corpus.push(routed);
    let mut no_addresses = ipv6_route_frag_frame();
    for layer in &mut no_addresses.layers {
        if let Layer::Ipv6Route(r) = layer {
            r.addresses.clear();
        }
    }
    corpus.push(no_addresses);

    // TCP: every option kind, every flag combination, extreme numbers.
    let tcp = sample_layer(&sample, ProtoId::Tcp);
    let options = vec![
        TcpOption::EndOfList,
        TcpOption::Nop,
        TcpOption::Mss { value: u16::MAX },
        TcpOption::WindowScale { shift: 14 },
        TcpOption::SackPermitted,
        TcpOption::Sack { blocks: Vec::new() },
        TcpOption::Sack {
            blocks: vec![(1, 2)],
        },
        TcpOption::Sack {
            blocks: vec![(0, u32::MAX), (5, 6), (7, 8), (9, 10)],
        },
        TcpOption::Timestamps {
            tsval: u32::MAX,
            tsecr: 0,
        },
        TcpOption::Other {
            number: 19,
            name: "MD5",
            data: HexBytes(vec![0xde, 0xad, 0xbe, 0xef]),
        },
        TcpOption::Other {
            number: 255,
            name: "we\"ird\\\n",
            data: HexBytes(Vec::new()),
        },
    ];
    for flags in 0..=0x1ff_u16 {
        let mut l = tcp.clone();
        if let Layer::Tcp(tcp) = &mut l {
            tcp.flags = TcpFlags(flags);
            tcp.options = options[..usize::from(flags) % (options.len() + 1)].to_vec();
            tcp.seq = u32::MAX - u32::from(flags);
            tcp.ack = u32::from(flags);
            tcp.urgent = flags;
            tcp.data_offset = (flags % 16) as u8;
        }
        corpus.push(with_layers(t, vec![eth.clone(), v4.clone(), l, raw(10)]));
    }

    // UDP and Raw extremes.
    let udp = sample_layer(&sample, ProtoId::Udp);
    for n in [0u16, 9, 10, 99, 100, 65535] {
        let mut l = udp.clone();
        if let Layer::Udp(u) = &mut l {
            u.src_port = n;
            u.len = n;
            u.checksum = n;
            u.payload_len = u32::from(n) * 65537;
        }
        corpus.push(with_layers(t, vec![l, raw(u32::from(n))]));
    }

    // ICMP and ICMPv6: every optional field set, none set, odd type names.
    for proto in [ProtoId::Icmp, ProtoId::Icmpv6] {
        let icmp = sample_layer(&sample, proto);
        for variant in 0..4 {
            let mut l = icmp.clone();
            if let Layer::Icmp(i) | Layer::Icmpv6(i) = &mut l {
                let all = variant == 0;
                i.type_name = match variant {
                    0 => Some("echo-request"),
                    1 => Some("quo\"ted"),
                    _ => None,
                };
                i.id = (all || variant == 2).then_some(0);
                i.seq = all.then_some(u16::MAX);
                i.mtu = all.then_some(1500);
                i.gateway = (all || variant == 3).then_some(Ipv4Addr::new(192, 0, 2, 1));
                i.target = all.then_some(v6_addrs[2]);
            }
            corpus.push(with_layers(t, vec![eth.clone(), l, raw(1)]));
        }
    }

    // ICMP messages with type-specific fields (parameter problem, timestamp), dissected.
    let v4_fields = synth::Ipv4Fields {
        src: Ipv4Addr::new(192, 0, 2, 1),
        dst: Ipv4Addr::new(192, 0, 2, 2),
        proto: 1,
        id: 1,
        ttl: 64,
        df: false,
        mf: false,
        frag_offset: 0,
    };
    let quoted = synth::ipv4(
        synth::Ipv4Fields {
            proto: 17,
            ..v4_fields
        },
        &[0; 8],
    );
    let mut problem = vec![12, 0, 0, 0, 9, 0, 0, 0];
    problem.extend_from_slice(&quoted);
    let mut timestamp = vec![13, 0, 0, 0, 0, 7, 0, 1];
    timestamp.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff]);
    for message in [problem, timestamp] {
        let ip = synth::ipv4(v4_fields, &message);
        let data = synth::ethernet(synth_mac(1), synth_mac(2), synth::ethertype::IPV4, &ip);
        let frame = dissect(1, LinkType::ETHERNET, &data);
        assert!(
            frame
                .layers
                .iter()
                .any(|l| matches!(l, Layer::Icmp(i) if i.body.is_some())),
            "ICMP with type-specific fields: {frame:?}"
        );
        corpus.push(frame);
    }

    // DNS: every record data kind, mDNS bits, DNS over TCP, odd names and header values.
    corpus.extend(dns_frames());

    // HTTP: strings that need escaping, absent optional fields, many and no headers.
    let heads: Vec<Layer> = sample
        .iter()
        .flat_map(|f| f.layers.iter())
        .filter(|l| matches!(l, Layer::Http(_)))
        .cloned()
        .collect();
    assert!(
        heads.len() >= 2,
        "the sample has an HTTP request and a response"
    );
    for (i, head) in heads.iter().enumerate() {
        let mut l = head.clone();
        if let Layer::Http(h) = &mut l {
            if h.method.is_none() {
                h.method = Some("M\"E\\T".into());
                h.target = Some("/a\u{0}b\u{1f}c\u{7f}d\u{80}é😀".into());
            } else {
                h.status = Some(418);
                h.reason = Some("I'm a \"teapot\"\r\n".into());
            }
            h.headers
                .push(("X-\t".into(), "\u{8}\u{c}\n\r\t\"\\/".into()));
            h.headers.push((String::new(), String::new()));
            h.headers
                .push(("Plain".into(), "caf\u{e9} \u{7f} 😀 '/<>&".into()));
            h.version = format!("HTTP/1.{i}\u{2028}");
        }
        corpus.push(with_layers(t, vec![l]));
        let mut bare = head.clone();
        if let Layer::Http(h) = &mut bare {
            h.method = None;
            h.target = None;
            h.status = None;
            h.reason = None;
            h.headers.clear();
        }
        corpus.push(with_layers(t, vec![bare]));
    }

    // TLS: no hello fields, every hello field (a string that needs escaping), empty lists.
    corpus.extend(tls_layers().into_iter().map(|l| with_layers(t, vec![l])));
    // NTP: a mode 1-5 header with every field (negative log2 values), a control message.
    corpus.extend(ntp_layers().into_iter().map(|l| with_layers(t, vec![l])));

    // Layers the fast path leaves to serde_json, alone and between fast layers.
    let fallback = fallback_frames();
    let mixed: Vec<Layer> = [
        eth.clone(),
        fallback[0].layers[0].clone(),
        v4.clone(),
        fallback[3].layers[0].clone(),
        fallback[4].layers[0].clone(),
        tcp.clone(),
    ]
    .into();
    corpus.push(with_layers(t, mixed));
    corpus.extend(fallback);
    for (i, f) in corpus.iter_mut().enumerate() {
        if f.number != u64::MAX {
            f.number = i as u64 + 1;
        }
    }
    corpus
}

#[test]
fn synthetic_corpus_is_identical() {
    let corpus = synthetic_corpus();
    for frame in &corpus {
        assert_identical(frame, "synthetic corpus");
    }
    let seen: BTreeSet<ProtoId> = corpus.iter().flat_map(|f| f.protocols()).collect();
    for proto in FAST_PATH {
        assert!(
            seen.contains(proto),
            "no {proto} layer in the synthetic corpus"
        );
    }
    assert!(
        seen.iter().any(|p| !FAST_PATH.contains(p)),
        "the corpus has layers that go through the fallback"
    );
}

#[test]
fn fallback_layers_are_identical() {
    let frames = fallback_frames();
    let chains: Vec<String> = frames.iter().map(Frame::protocol_chain).collect();
    assert_eq!(
        chains,
        [
            "SLL:IPv4:UDP:Raw",
            "SLL:IPv4:UDP:Raw",
            "SLL:IPv4:UDP:Raw",
            "SLL2:IPv4:UDP:Raw",
            "Null:IPv4:UDP:Raw"
        ]
    );
    for frame in &frames {
        assert_identical(frame, "fallback");
    }
}

/// The captures in `../shared/captures`, sorted; `None` (with a message) without the folder.
fn capture_paths() -> Option<Vec<PathBuf>> {
    let dir = Path::new(CAPTURES);
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("skipped: no capture folder at {}", dir.display());
        return None;
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "pcap" || e == "pcapng" || e == "cap")
        })
        .collect();
    paths.sort();
    Some(paths)
}

#[test]
fn every_capture_is_identical() {
    let Some(paths) = capture_paths() else {
        return;
    };
    let (mut files, mut frames) = (0, 0);
    let mut seen = BTreeSet::new();
    for path in &paths {
        let extractor = match crate::Extractor::open(path) {
            Ok(extractor) => extractor,
            Err(e) => {
                eprintln!("{}: not read ({e})", path.display());
                continue;
            }
        };
        files += 1;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        for frame in extractor.frames() {
            assert_identical(&frame, &name);
            seen.extend(frame.protocols());
            frames += 1;
        }
    }
    eprintln!(
        "{frames} frames of {files} captures identical; protocols seen: {:?}",
        seen
    );
    if files > 0 {
        assert!(frames > 1000, "the captures hold over a thousand frames");
    }
}

#[test]
fn dumpers_use_the_fast_path() {
    let frames = sample_frames();
    let mut out = Vec::new();
    let mut dumper = crate::dump::NdjsonDumper::new(&mut out);
    let raw = RawFrame {
        number: 0,
        timestamp: None,
        len: 0,
        link_type: LinkType::ETHERNET,
        interface: None,
        data: &[],
    };
    for frame in &frames {
        dumper.frame(&raw, frame).expect("write to a Vec");
    }
    drop(dumper);
    let mut expected = Vec::new();
    for frame in &frames {
        serde_json::to_writer(&mut expected, frame).expect("encode");
        expected.push(b'\n');
    }
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&expected)
    );
}

/// The value writers against the `Display`/serde forms they reproduce, over wide ranges.
#[test]
fn value_writers_match() {
    use super::{Out, byte, ipv4, ipv6, num};
    let mut out = Vec::new();
    // One stage for every check: what earlier values left in it must never show.
    let mut stage = Stage::default();
    let mut check = |write: &dyn Fn(&mut Out<'_>), expected: String| {
        out.clear();
        Out::with(&mut out, &mut stage, write);
        assert_eq!(String::from_utf8_lossy(&out), expected);
    };
    let mut numbers: Vec<u32> = (0..=100_000).collect();
    for p in 0..10 {
        let p = 10u32.pow(p);
        numbers.extend([p - 1, p, p + 1, p.saturating_mul(7)]);
    }
    numbers.extend([u32::MAX, u32::MAX - 1, u32::from(u16::MAX)]);
    // Both 4-digit lanes of `ascii8` through every value; then a stride over all of u32.
    numbers.extend((0..10_000).map(|k| k * 10_001));
    numbers.extend((0..=u32::MAX).step_by(65_537));
    for n in numbers {
        check(&|o| num(o, n), n.to_string());
    }
    for n in 0..=u8::MAX {
        check(&|o| byte(o, n), n.to_string());
        let a = Ipv4Addr::new(n, n.wrapping_mul(7), 255 - n, n / 10);
        check(
            &|o| ipv4(o, a),
            serde_json::to_string(&a).unwrap_or_default(),
        );
    }
    // Every pattern of zero groups, with groups of every hex width.
    for zeros in 0..=u8::MAX {
        for width in [0x1, 0x2a, 0x3bc, 0xffff] {
            let mut segments = [0u16; 8];
            for (i, s) in segments.iter_mut().enumerate() {
                if zeros & (1 << i) == 0 {
                    *s = width - (i as u16 % 2);
                }
            }
            let a = Ipv6Addr::from(segments);
            check(
                &|o| ipv6(o, &a),
                serde_json::to_string(&a).unwrap_or_default(),
            );
        }
    }
    for a in [
        "::ffff:0.0.0.0",
        "::ffff:255.1.10.100",
        "::fffe:1.2.3.4",
        "::1.2.3.4",
    ] {
        let a: Ipv6Addr = a.parse().expect("address");
        check(
            &|o| ipv6(o, &a),
            serde_json::to_string(&a).unwrap_or_default(),
        );
    }
}

/// `string` against serde_json for every ASCII byte at every position of strings up to 17
/// bytes (both sides of an 8-byte lane), beside plain and non-ASCII neighbours.
#[test]
fn strings_match() {
    let mut out = Vec::new();
    for len in 1..=17 {
        for at in 0..len {
            for b in 0..=0x7fu8 {
                for fill in ['a', 'é'] {
                    let mut text: Vec<char> = std::iter::repeat_n(fill, len).collect();
                    text[at] = char::from(b);
                    let text: String = text.into_iter().collect();
                    out.clear();
                    super::Out::with(&mut out, &mut Stage::default(), |out| {
                        super::string(out, &text)
                    })
                    .expect("encode");
                    assert_eq!(
                        String::from_utf8_lossy(&out),
                        serde_json::to_string(&text).unwrap_or_default(),
                        "{text:?}"
                    );
                    assert_eq!(
                        super::needs_escape(text.as_bytes()),
                        b < 0x20 || b == b'"' || b == b'\\',
                        "{text:?}"
                    );
                }
            }
        }
    }
}

/// The fast path writes protocol and Ethertype names without escaping them.
#[test]
fn static_names_need_no_escaping() {
    let plain = |s: &str| {
        s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    };
    for (i, &proto) in ProtoId::ALL.iter().enumerate() {
        assert!(plain(proto.name()), "{proto:?}");
        // `proto_name` indexes its table by discriminant.
        assert_eq!(proto as usize, i, "{proto:?}");
    }
    for n in 0..=u16::MAX {
        if let Some(name) = EtherType(n).name() {
            assert!(plain(name), "{name}");
        }
        if let Some(name) = LinkType(u32::from(n)).name() {
            assert!(plain(name), "{name}");
        }
    }
}

/// Fast-path layers whose `Serialize` is a map (a `#[serde(flatten)]` field): serde does not
/// report their skipped optional fields, so [`every_field_is_exercised`] sees only the keys the
/// corpus sets; identity over the corpus and the captures is their guard.
const MAP_SERIALIZED: &[ProtoId] = &[ProtoId::Icmp, ProtoId::Icmpv6];

#[test]
fn every_field_is_exercised() {
    let corpus = synthetic_corpus();
    let mut frame_keys = Keys::default();
    let mut layer_keys: BTreeMap<ProtoId, Keys> = BTreeMap::new();
    for frame in &corpus {
        record(frame, &mut frame_keys);
        // A partial layer (a header cut short) goes through serde_json.
        for layer in frame
            .layers
            .iter()
            .filter(|l| !matches!(l, Layer::Partial(_)))
        {
            record(layer, layer_keys.entry(layer.proto()).or_default());
        }
    }
    // Layers that go through serde_json write whatever their Serialize writes: no risk there.
    for proto in FAST_PATH {
        let keys = &layer_keys[proto];
        keys.assert_all_present(proto.name(), |_| true);
        assert_eq!(
            keys.maps.contains(""),
            MAP_SERIALIZED.contains(proto),
            "{proto}: serialized as a map (serde flatten) iff listed in MAP_SERIALIZED"
        );
    }
    // The frame's own keys (its layers are checked above).
    frame_keys.assert_all_present("Frame", |path| !path.contains('.'));
}

// --- a serializer that records struct keys, written and skipped, at every depth -------------

/// The keys structs wrote (`serialize_field`) and skipped (`skip_field`), as paths from the
/// recorded value (`options.kind`, `headers`); list elements share their list's path.
#[derive(Default)]
struct Keys {
    present: BTreeSet<String>,
    skipped: BTreeSet<String>,
    /// Paths serialized as maps (keys recorded as present; skipped entries are invisible).
    maps: BTreeSet<String>,
}

impl Keys {
    fn assert_all_present(&self, what: &str, checked: impl Fn(&str) -> bool) {
        let missing: Vec<_> = self
            .skipped
            .difference(&self.present)
            .filter(|path| checked(path))
            .collect();
        assert!(
            missing.is_empty(),
            "{what}: fields {missing:?} are never set in the synthetic corpus: add a test \
             frame that sets them (and make sure frame_json writes them)"
        );
    }
}

fn record<T: Serialize>(value: &T, keys: &mut Keys) {
    value
        .serialize(KeyRecorder {
            keys,
            path: String::new(),
            entry: String::new(),
        })
        .expect("the model serializes");
}

/// Walks a value as serde presents it; every struct key (and string map key) is recorded under
/// its path.
struct KeyRecorder<'a> {
    keys: &'a mut Keys,
    path: String,
    /// The path of the map entry whose value comes next.
    entry: String,
}

impl KeyRecorder<'_> {
    fn child(&mut self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn nested<T: Serialize + ?Sized>(&mut self, path: String, value: &T) -> Result<(), Never> {
        value.serialize(KeyRecorder {
            keys: self.keys,
            path,
            entry: String::new(),
        })
    }
}

#[derive(Debug)]
enum Never {}

impl fmt::Display for Never {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        panic!("serialization failed: {msg}")
    }
}

macro_rules! leaf {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<(), Never> { Ok(()) })*
    };
}

impl<'a> ser::Serializer for KeyRecorder<'a> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    leaf!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Never> {
        self.keys.maps.insert(self.path.clone());
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        Ok(self)
    }
}

macro_rules! elements {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for KeyRecorder<'_> {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
                let path = self.path.clone();
                self.nested(path, value)
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for KeyRecorder<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Never> {
        self.entry = match serde_json::to_value(key) {
            Ok(serde_json::Value::String(key)) => {
                let path = self.child(&key);
                self.keys.present.insert(path.clone());
                path
            }
            _ => self.path.clone(),
        };
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        let path = std::mem::take(&mut self.entry);
        self.nested(path, value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

macro_rules! fields {
    ($($trait:ident),* $(,)?) => {$(
        impl ser::$trait for KeyRecorder<'_> {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Never> {
                let path = self.child(key);
                self.keys.present.insert(path.clone());
                self.nested(path, value)
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), Never> {
                let path = self.child(key);
                self.keys.skipped.insert(path);
                Ok(())
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// Every reassembly record of every capture, in the order of the report.
#[test]
fn every_capture_reassembly_record_is_identical() {
    let Some(paths) = capture_paths() else {
        return;
    };
    let mut kinds = BTreeMap::new();
    for path in &paths {
        let Ok(extractor) = crate::Extractor::open(path) else {
            continue;
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        for record in extractor.reassemble(ReassemblyOptions::default()).records() {
            if let Record::Reassembly(r) = &record {
                *kinds.entry(format!("{:?}", r.kind)).or_insert(0) += 1;
                assert_record_identical(
                    &record,
                    &format!("{name}, record of frame {}", r.frame.number),
                );
            }
        }
    }
    eprintln!("reassembly records identical: {kinds:?}");
    if !paths.is_empty() {
        for kind in ["Ipv4", "Ipv6", "Tcp"] {
            assert!(
                kinds.get(kind).is_some_and(|&n| n > 0),
                "a {kind} record in the captures"
            );
        }
    }
}

/// Records built here: both key kinds, IPv4 and IPv6 addresses, every anomaly kind with and
/// without a range, missing ranges, an empty and a full re-dissection, a frame error.
#[test]
fn synthetic_reassembly_records_are_identical() {
    let sample = sample_frames();
    let anomaly_kinds = [
        AnomalyKind::Duplicate,
        AnomalyKind::Overlap,
        AnomalyKind::OverlapConflict,
        AnomalyKind::Retransmission,
        AnomalyKind::BeyondEnd,
        AnomalyKind::TooLarge,
        AnomalyKind::Timeout,
        AnomalyKind::Evicted,
        AnomalyKind::Truncated,
        AnomalyKind::NoLastFragment,
    ];
    let anomalies: Vec<Anomaly> = anomaly_kinds
        .iter()
        .enumerate()
        .map(|(i, &kind)| Anomaly {
            kind,
            frame: i as u64 * 1_000_003,
            range: (i % 2 == 0).then_some([i as u64, u64::MAX - i as u64]),
        })
        .collect();
    let keys = [
        Key::Ip {
            src: Ipv4Addr::new(10, 0, 0, 1).into(),
            dst: Ipv4Addr::new(192, 168, 255, 254).into(),
            protocol: 17,
            id: 0xffff,
        },
        Key::Ip {
            src: "2001:db8::1".parse::<Ipv6Addr>().expect("address").into(),
            dst: "::ffff:1.2.3.4"
                .parse::<Ipv6Addr>()
                .expect("address")
                .into(),
            protocol: 58,
            id: u32::MAX,
        },
        Key::Tcp {
            src: Ipv4Addr::new(1, 2, 3, 4).into(),
            src_port: 65535,
            dst: "fe80::1:2".parse::<Ipv6Addr>().expect("address").into(),
            dst_port: 0,
            stream: u64::MAX,
            offset: 4_294_967_296,
        },
    ];
    let mut with_error = sample[3].clone();
    with_error.error = Some(FrameError {
        layer: ProtoId::Http,
        offset: 0,
        reason: "cut \"here\"\n".into(),
    });
    let mut records = 0;
    for (i, key) in keys.into_iter().enumerate() {
        for frame in [
            &sample[3],
            &with_error,
            &with_layers(&sample[0], Vec::new()),
        ] {
            let kind = match key {
                Key::Tcp { .. } => Kind::Tcp,
                Key::Ip { .. } if i == 0 => Kind::Ipv4,
                Key::Ip { .. } => Kind::Ipv6,
            };
            let r = Reassembled {
                kind,
                key,
                frames: (0..i as u64 * 3).map(|n| n * 99_999_999).collect(),
                complete: i % 2 == 0,
                missing: (0..i as u64).map(|n| [n * 8, u64::MAX - n]).collect(),
                anomalies: anomalies[i..].to_vec(),
                len: u64::MAX >> i,
                frame: frame.clone(),
            };
            assert_record_identical(&Record::Reassembly(Box::new(r)), "synthetic record");
            records += 1;
        }
    }
    for frame in &sample {
        assert_record_identical(&Record::Frame(frame.clone()), "frame record");
    }
    assert_eq!(records, 9);
}

/// `ether_type` and `tcp_flags` against serde_json for every Ethertype and every flag
/// combination (their rare cases are written into a fixed `RARE_TEXT` buffer).
#[test]
fn ether_types_and_tcp_flags_match() {
    use super::{Out, ether_type, tcp_flags};
    let mut out = Vec::new();
    for n in 0..=u16::MAX {
        out.clear();
        Out::with(&mut out, &mut Stage::default(), |o| {
            ether_type(o, EtherType(n))
        });
        let expected = serde_json::to_string(&EtherType(n)).unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&out), expected, "{n:#06x}");
    }
    for bits in 0..=0x1ffu16 {
        out.clear();
        Out::with(&mut out, &mut Stage::default(), |o| {
            tcp_flags(o, TcpFlags(bits))
        });
        let expected = serde_json::to_string(&TcpFlags(bits)).unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&out), expected, "{bits:#05x}");
    }
}

/// `num` writes numbers as `itoa` does: every value below 10⁶ (all of the 4- and 5-digit ones
/// that `digits_4_5` writes) and the edges of the longer forms.
#[test]
fn numbers_match_itoa() {
    let values = (0..1_000_000u32).chain([
        9_999_999,
        10_000_000,
        99_999_999,
        100_000_000,
        123_456_789,
        u32::MAX,
    ]);
    let mut written = Vec::new();
    Out::with(&mut written, &mut Stage::default(), |out| {
        for n in values.clone() {
            num(out, n);
            out.push(b' ');
        }
    });
    let mut expected = Vec::new();
    for n in values {
        expected.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        expected.push(b' ');
    }
    assert_eq!(written, expected);
}

/// One stage for frames of the same day, of the next, back to an earlier one and across a
/// year (its remembered date reused, then replaced): every line as serde_json writes it.
#[test]
fn dates_reused_across_frames_match_serde() {
    let sample = sample_frames();
    let mut stage = Stage::default();
    let secs = [
        1_700_000_000,
        1_700_000_001,
        1_700_086_399,
        1_700_086_400,
        1_700_000_000,
        0,
        86_399,
        951_782_400,
        1_704_067_199,
        1_704_067_200,
        1_704_067_200,
    ];
    for (i, secs) in secs.into_iter().enumerate() {
        let mut frame = sample[0].clone();
        frame.timestamp = Some(Timestamp::new(secs, i as u64));
        let expected = serde_json::to_vec(&frame).expect("serde_json encodes every frame");
        let mut fast = Vec::new();
        write_frame_json(&mut fast, &mut stage, &frame).expect("fast path encodes every frame");
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&expected),
            "{secs}"
        );
    }
}
