//! DHCPv6 (RFC 8415) against tshark run at test time, on generated frames (no shared capture
//! with DHCPv6 has a tshark JSON).
//!
//! Every message type (1-13; 12 and 13 with the relay header and a Relay Message option), a
//! zero-length option, the length edges (an option value past the message, 1-3 bytes after
//! the last option) and each message cut by the snap length at every length from its header
//! on. For every frame, tshark's chain is pcapkit's, and the header's fields and the
//! top-level options (type, length, in order) are tshark's; past a bad option, neither lists
//! more. Not generated, each a known difference: a message cut inside its 4-byte (relay:
//! 34-byte) header and an unknown message type, where tshark trusts the port and pcapkit's
//! content check (`native/app.rs`) does not confirm DHCPv6 (its payload is Raw).

mod common;

use common::Node;
use pcapkit::model::{Frame, Layer};

/// Ethernet + IPv6 (2001:db8::1 → 2001:db8::2) + UDP 546 → 547 around `payload`.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    ];
    f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0]);
    f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[17, 64]);
    for last in [1u8, 2] {
        f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        f.extend_from_slice(&[0; 11]);
        f.push(last);
    }
    f.extend_from_slice(&[0x02, 0x22, 0x02, 0x23]);
    f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// Where the DHCPv6 message starts in [`frame`].
const AT: usize = 62;

/// An option: code, `value`, its length field (`None`: the value's length).
fn opt(code: u16, value: &[u8], len: Option<u16>) -> Vec<u8> {
    let mut o = code.to_be_bytes().to_vec();
    o.extend_from_slice(&len.unwrap_or(value.len() as u16).to_be_bytes());
    o.extend_from_slice(value);
    o
}

/// Client identifier (a DUID-LL), elapsed time 0, rapid commit (no value).
fn options() -> Vec<u8> {
    let duid = [0, 3, 0, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55];
    [
        opt(1, &duid, None),
        opt(8, &[0, 0], None),
        opt(14, &[], None),
    ]
    .concat()
}

/// A client/server message of `kind`, transaction id 0x123456, then `rest`.
fn message(kind: u8, rest: &[u8]) -> Vec<u8> {
    [&[kind, 0x12, 0x34, 0x56][..], rest].concat()
}

/// A relay message of `kind`, hop count 0, link address 2001:db8::a, peer fe80::1, carrying
/// a Solicit.
fn relay(kind: u8) -> Vec<u8> {
    let mut m = vec![kind, 0];
    m.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    m.extend_from_slice(&[0; 11]);
    m.push(0x0a);
    m.extend_from_slice(&[0xfe, 0x80]);
    m.extend_from_slice(&[0; 13]);
    m.push(1);
    m.extend(opt(9, &message(1, &options()), None));
    m
}

/// Every generated message, with its captured length (`None`: whole).
fn messages() -> Vec<(Vec<u8>, Option<usize>)> {
    let mut out: Vec<(Vec<u8>, Option<usize>)> = (1..=11)
        .map(|kind| (message(kind, &options()), None))
        .collect();
    out.extend([12, 13].map(|kind| (relay(kind), None)));
    let edges = [
        message(1, &opt(8, &[0, 0], Some(40))),
        message(7, &[options(), opt(23, &[1; 16], Some(32))].concat()),
        message(1, &[options(), vec![0]].concat()),
        message(1, &[options(), vec![0, 1]].concat()),
        message(1, &[options(), vec![0, 1, 0]].concat()),
        message(3, &[]),
    ];
    out.extend(edges.into_iter().map(|m| (m, None)));
    for whole in [message(1, &options()), relay(12)] {
        let header = if whole[0] == 12 { 34 } else { 4 };
        out.extend((header..whole.len()).map(|cut| (whole.clone(), Some(cut))));
    }
    out
}

/// pcapkit's DHCPv6 fields under tshark's names and in its spelling, in tshark's order.
fn ours(frame: &Frame) -> Vec<(String, String)> {
    let s = |k: &str, v: String| (k.to_owned(), v);
    let Some(Layer::Dhcpv6(d)) = frame.layers.last() else {
        panic!("frame {}: no DHCPv6 last: {:?}", frame.number, frame.layers);
    };
    let mut o = vec![s("dhcpv6.msgtype", d.msg_type.to_string())];
    o.extend(
        d.transaction_id
            .map(|x| s("dhcpv6.xid", format!("0x{x:06x}"))),
    );
    o.extend(d.hop_count.map(|h| s("dhcpv6.hopcount", h.to_string())));
    o.extend(d.link_addr.map(|a| s("dhcpv6.linkaddr", a.to_string())));
    o.extend(d.peer_addr.map(|a| s("dhcpv6.peeraddr", a.to_string())));
    for option in &d.options {
        o.push(s("dhcpv6.option.type", option.code.to_string()));
        o.push(s("dhcpv6.option.length", option.len.to_string()));
    }
    o
}

/// tshark's header fields and top-level options of `dhcpv6`, in document order (a Relay
/// Message option's inner message is not the outer one's).
fn theirs(layers: &Node) -> Vec<(String, String)> {
    const HEADER: [&str; 5] = [
        "dhcpv6.msgtype",
        "dhcpv6.xid",
        "dhcpv6.hopcount",
        "dhcpv6.linkaddr",
        "dhcpv6.peeraddr",
    ];
    let Some(Node::Object(entries)) = layers.get("dhcpv6") else {
        return Vec::new();
    };
    let mut t = Vec::new();
    for (key, value) in entries {
        let text = |k: &str| value.get(k).and_then(Node::text).map(str::to_owned);
        if HEADER.contains(&key.as_str()) {
            t.extend(value.text().map(|v| (key.clone(), v.to_owned())));
        } else if key == "dhcpv6.option.type_str_tree" {
            for k in ["dhcpv6.option.type", "dhcpv6.option.length"] {
                t.extend(text(k).map(|v| (k.to_owned(), v)));
            }
        }
    }
    t
}

#[test]
fn dhcpv6_matches_tshark() {
    let messages = messages();
    let Some((frames, tshark)) = common::framed_with_tshark(&messages, frame, AT) else {
        return;
    };
    let (mut fields, mut stopped) = (0, 0);
    for ((frame, t), (m, cut)) in frames.iter().zip(&tshark).zip(&messages) {
        let at = format!("frame {} (type {}, cut {cut:?})", frame.number, m[0]);
        let chain = common::tshark_chain(t);
        assert_eq!(chain, "eth:ethertype:ipv6:udp:dhcpv6", "{at}");
        assert_eq!(frame.protocol_chain(), "Ethernet:IPv6:UDP:DHCPv6", "{at}");
        let theirs = theirs(t);
        assert_eq!(ours(frame), theirs, "{at}");
        fields += theirs.len();
        stopped += usize::from(frame.error.is_some());
    }
    // The 5 bad-length edges and every cut that ends inside an option.
    assert!(stopped > 40, "{stopped} option lists stopped early");
    assert!(fields > 300, "{fields} fields compared");
}

/// tshark 4.0's fields for three frames, kept for a run without tshark: a Solicit, a
/// Relay-forward, and an option value past the message.
#[test]
fn kept_tshark_values_match() {
    let messages = messages();
    let (_, frames) = common::framed(&messages[..14], frame, AT);
    let kv = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let options = [
        ("dhcpv6.option.type", "1"),
        ("dhcpv6.option.length", "10"),
        ("dhcpv6.option.type", "8"),
        ("dhcpv6.option.length", "2"),
        ("dhcpv6.option.type", "14"),
        ("dhcpv6.option.length", "0"),
    ];
    let solicit = [
        [("dhcpv6.msgtype", "1"), ("dhcpv6.xid", "0x123456")].as_slice(),
        &options,
    ];
    assert_eq!(ours(&frames[0]), kv(&solicit.concat()));
    let relay = [
        ("dhcpv6.msgtype", "12"),
        ("dhcpv6.hopcount", "0"),
        ("dhcpv6.linkaddr", "2001:db8::a"),
        ("dhcpv6.peeraddr", "fe80::1"),
        ("dhcpv6.option.type", "9"),
        ("dhcpv6.option.length", "28"),
    ];
    assert_eq!(ours(&frames[11]), kv(&relay));
    assert_eq!(
        ours(&frames[13]),
        kv(&[("dhcpv6.msgtype", "1"), ("dhcpv6.xid", "0x123456")])
    );
    assert!(frames[13].error.is_some());
}
