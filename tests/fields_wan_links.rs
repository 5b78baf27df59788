//! Cisco HDLC (104), IP over InfiniBand (242), ARCNET (129), the Prism monitoring header
//! (119) and Solaris IPNET (226) against tshark run at test time, on generated frames (no
//! shared capture holds these link types).
//!
//! Each link type gets one pcap: every protocol value the decoder hands on, and the header
//! cut at every length (0 bytes included). For every frame, tshark's chain
//! (`frame.protocols`) is pcapkit's, and every field of the link layer tshark shows, among
//! those pcapkit models, has pcapkit's value (the sorted lists are equal); for a cut ARCNET
//! header, the fields that fit (a cut CHDLC or IPoIB header: no field, as tshark shows none
//! that pcapkit models, and the frame's error names the layer). Oracle quirks, not compared,
//! each with its reason:
//! - CHDLC protocol 0x8035 is Cisco SLARP, which pcapkit does not decode (its body is Raw);
//!   tshark's chain there is `chdlc:slarp`. BACnet behind ARCNET's LLC (SAP 0x82): tshark goes
//!   on into `bacnet:bacapp`, pcapkit's LLC payload is Raw; the chains are compared up to LLC.
//! - IPoIB (and IPNET) with a protocol (family) tshark does not hand on: tshark shows no `data`
//!   layer for the rest, pcapkit a Raw one; the chains are compared without it. An IPoIB header with nothing
//!   after it: tshark calls its IPv4 dissector on no bytes (`ipoib:ip`, an empty layer) where
//!   Cisco HDLC's and ARCNET's do not; pcapkit, as for every link type, gives no layer.
//! - ARCNET exception packets (RFC 1201 §4: split flag 0xFF, two padding bytes, then the
//!   protocol id, split flag and sequence again): tshark 4.0 reads the 0xFF as the split flag
//!   and the padding as the sequence, and hands the rest to the protocol from the padding on.
//!
//! - Prism: a link-type-119 frame without a Prism header (its first word no message code) is a
//!   bare 802.11 frame for both, but tshark names `prism` first (its dissector was called and
//!   handed the frame on); pcapkit's chain starts with IEEE802.11. A cut Prism header: pcapkit
//!   keeps the message code and length that fit, not the device name and items tshark also
//!   shows (compared: the code and length).
//!
//! A few frames' tshark values are also kept here, so that a run without tshark still checks
//! them.

mod common;

use common::Node;
use pcapkit::model::{Frame, Layer, ProtoId};

/// An IPv4/UDP datagram (10.0.0.1 → 10.0.0.2, 12345 → 12345, no payload).
const IPV4_UDP: [u8; 28] = [
    0x45, 0, 0, 0x1c, 0, 1, 0, 0, 0x40, 0x11, 0xf7, 0xcb, 10, 0, 0, 1, 10, 0, 0, 2, 0x30, 0x39,
    0x30, 0x39, 0, 8, 0, 0,
];

/// An ARP request (Ethernet, IPv4).
const ARP: [u8; 28] = [
    0, 1, 8, 0, 6, 4, 0, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0,
    0, 2,
];

/// An IPv6 header (2001:db8::1 → 2001:db8::2, no next header, no payload).
fn ipv6() -> Vec<u8> {
    let mut h = vec![0x60, 0, 0, 0, 0, 0, 59, 64];
    for last in [1u8, 2] {
        h.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        h.extend_from_slice(&[0; 11]);
        h.push(last);
    }
    h
}

/// `header` + `body`, then the header alone cut at every length.
fn with_cuts(out: &mut Vec<Vec<u8>>, header: &[u8], body: &[u8]) {
    out.push([header, body].concat());
    out.extend((0..header.len()).map(|n| header[..n].to_vec()));
}

/// Cisco HDLC frames: unicast and broadcast addresses, IPv4, IPv6, ARP, SLARP, an unknown
/// protocol, and a header with nothing after it.
fn chdlc_frames() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    with_cuts(&mut out, &[0x0f, 0x00, 0x08, 0x00], &IPV4_UDP);
    out.push([&[0x8f, 0x00, 0x86, 0xdd][..], &ipv6()].concat());
    out.push([&[0x0f, 0x00, 0x08, 0x06][..], &ARP].concat());
    out.push(vec![0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 2, 0, 0, 0, 1]);
    out.push(vec![0x0f, 0x05, 0x12, 0x34, 1, 2, 3]);
    out.push(vec![0x0f, 0x00, 0x08, 0x00]);
    out
}

/// IPoIB frames at link type 242: a GRH (version 6), a unicast pseudo-header (first two
/// bytes zero), IPv4, IPv6, ARP and an unknown protocol, and every cut of the 44 bytes.
fn ipoib_frames() -> Vec<Vec<u8>> {
    let mut grh = vec![0x60, 0x12, 0x34, 0x56, 0, 0x1c, 0x1b, 0x40];
    grh.extend((0..32).map(|i| i as u8));
    let mut unicast = vec![0; 20];
    unicast.extend_from_slice(&[0, 0, 0, 0x48]);
    unicast.extend((0..16).map(|i| 0xf0 | i as u8));
    let mut out = Vec::new();
    let header = |pseudo: &[u8], t: u16, reserved: u16| {
        [pseudo, &t.to_be_bytes(), &reserved.to_be_bytes()].concat()
    };
    with_cuts(&mut out, &header(&grh, 0x0800, 0), &IPV4_UDP);
    out.push([header(&unicast, 0x86dd, 7), ipv6()].concat());
    out.push([header(&grh, 0x0806, 0), ARP.to_vec()].concat());
    out.push([header(&unicast, 0x1234, 0xffff), vec![1, 2, 3]].concat());
    out.push(header(&grh, 0x0800, 0));
    out
}

/// ARCNET (Linux) frames: RFC 1201 ids with split flag and sequence (IPv4, ARP, RARP, IPv6,
/// IPX, an unknown id), RFC 1051's IP and ARP, diagnostics, BACnet (LLC), an exception
/// packet, and every cut of the headers.
fn arcnet_frames() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    with_cuts(&mut out, &[1, 2, 0, 0, 212, 0, 0x12, 0x34], &IPV4_UDP);
    out.push([&[3, 4, 0, 0, 213, 0, 0, 5][..], &ARP].concat());
    out.push([&[3, 4, 0, 0, 214, 0, 0, 6][..], &ARP].concat());
    out.push([&[5, 0, 0, 0, 196, 0, 0, 7][..], &ipv6()].concat());
    out.push(vec![5, 6, 0, 0, 250, 0, 0, 8, 0xff, 0xff]);
    out.push(vec![5, 6, 0, 0, 1, 0, 0, 9, 1, 2]);
    with_cuts(&mut out, &[7, 8, 0, 0, 240], &IPV4_UDP);
    out.push([&[7, 8, 0, 0, 241][..], &ARP].concat());
    out.push(vec![7, 8, 0, 0, 128, 1, 2, 3]);
    out.push(vec![9, 0xff, 0, 0, 205, 0x82, 0x82, 0x03, 0x01, 0x00]);
    out.push(
        [
            &[1, 2, 0, 0, 212, 0xff, 0xff, 0xff, 212, 0, 0, 9][..],
            &IPV4_UDP,
        ]
        .concat(),
    );
    out
}

/// An 802.11 data frame (to the DS, LLC/SNAP) carrying [`IPV4_UDP`].
fn wlan_data() -> Vec<u8> {
    let mut f = vec![0x08, 0x01, 0, 0];
    for last in [0x55, 0x66, 0x77] {
        f.extend_from_slice(&[0, 0x11, 0x22, 0x33, 0x44, last]);
    }
    f.extend_from_slice(&[0x10, 0x00, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
    f.extend_from_slice(&IPV4_UDP);
    f
}

/// A Prism header in either byte order with type-1 (0x44) or type-2 (0x41) codes, device
/// `wlan0`, every item with a value but the signal (status 1), the noise negative.
fn prism_header(big_endian: bool, type1: bool) -> Vec<u8> {
    let word = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let half = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut h = Vec::new();
    h.extend(word(if type1 { 0x44 } else { 0x41 }));
    h.extend(word(144));
    h.extend(b"wlan0\0\0\0\0\0\0\0\0\0\0\0");
    let values: [(u16, i32); 10] = [
        (0, 1000),
        (0, 2000),
        (0, 6),
        (0, -60),
        (0, 40),
        (1, 0),
        (0, -95),
        (0, 108),
        (0, 1),
        (0, 60),
    ];
    for (i, (status, value)) in (1u32..).zip(values) {
        h.extend(word(if type1 {
            (i << 16) | 0x44
        } else {
            (i << 12) | 0x41
        }));
        h.extend(half(status));
        h.extend(half(4));
        h.extend(word(value as u32));
    }
    h
}

/// Prism frames: both byte orders and code families over 802.11 data, the header alone, cut
/// at every length, and an 802.11 frame with no Prism header under link type 119.
fn prism_frames() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    with_cuts(&mut out, &prism_header(false, false), &wlan_data());
    out.push([prism_header(true, true), wlan_data()].concat());
    out.push([prism_header(false, true), wlan_data()].concat());
    out.push([prism_header(true, false), wlan_data()].concat());
    out.push(prism_header(false, false));
    out.push(wlan_data());
    out
}

/// IPNET frames: IPv4, IPv6 and an unknown family (the datagram being the last `pktlen`
/// bytes, one frame with two bytes between header and datagram), and every cut of the header.
fn ipnet_frames() -> Vec<Vec<u8>> {
    let header = |family: u8, pktlen: usize| {
        let mut h = vec![1, family, 0, 2];
        h.extend_from_slice(&(pktlen as u32).to_be_bytes());
        for v in [3u32, 4, u32::MAX, 0] {
            h.extend_from_slice(&v.to_be_bytes());
        }
        h
    };
    let mut out = Vec::new();
    with_cuts(&mut out, &header(2, IPV4_UDP.len()), &IPV4_UDP);
    out.push([header(26, ipv6().len()), ipv6()].concat());
    out.push(
        [
            header(2, IPV4_UDP.len()),
            vec![0xaa, 0xbb],
            IPV4_UDP.to_vec(),
        ]
        .concat(),
    );
    out.push([header(9, 3), vec![1, 2, 3]].concat());
    out
}

/// Whether `frame` is an ARCNET exception packet (an oracle quirk, above).
fn arcnet_exception(frame: &[u8]) -> bool {
    frame.len() > 5 && !matches!(frame[4], 240 | 241 | 128 | 205) && frame[5] == 0xff
}

/// pcapkit's link layer fields under tshark's names and in its spelling; `None` for a cut
/// header with no field (a field-less partial layer).
fn ours(frame: &Frame) -> Option<Vec<(String, String)>> {
    let s = |k: &str, v: String| (k.to_owned(), v);
    let mut o = match frame.layers.first()? {
        Layer::Chdlc(c) => vec![
            s("chdlc.address", format!("0x{:02x}", c.address)),
            s("chdlc.control", format!("0x{:02x}", c.control)),
            s("chdlc.protocol", format!("0x{:04x}", c.ether_type.0)),
        ],
        Layer::Ipoib(i) => vec![
            s("ipoib.type", format!("0x{:04x}", i.ether_type.0)),
            s("ipoib.reserved", format!("0x{:04x}", i.reserved)),
        ],
        Layer::Arcnet(a) => {
            let [hi, lo] = a.offset.to_be_bytes();
            let mut o = vec![
                s("arcnet.src", format!("0x{:02x}", a.src)),
                s("arcnet.dst", format!("0x{:02x}", a.dst)),
                s("arcnet.offset", format!("{hi:02x}:{lo:02x}")),
                s("arcnet.protID", format!("0x{:02x}", a.protocol_id)),
            ];
            o.extend(a.split_flag.map(|f| s("arcnet.split_flag", f.to_string())));
            o.extend(a.seq.map(|q| s("arcnet.sequence", q.to_string())));
            o
        }
        Layer::Prism(p) => {
            let mut o = vec![
                s("prism.msgcode", format!("0x{:08x}", p.msgcode)),
                s("prism.msglen", p.msglen.to_string()),
                s("prism.devname", p.devname.clone()),
            ];
            let decimal = [
                ("hosttime", p.hosttime.map(i64::from)),
                ("mactime", p.mactime.map(i64::from)),
                ("channel", p.channel.map(i64::from)),
                ("rssi", p.rssi.map(i64::from)),
                ("sq", p.sq.map(i64::from)),
                ("signal", p.signal.map(i64::from)),
                ("noise", p.noise.map(i64::from)),
                ("rate", p.rate.map(i64::from)),
                ("frmlen", p.frmlen.map(i64::from)),
            ];
            for (name, v) in decimal {
                o.extend(v.map(|v| s(&format!("prism.did.{name}"), v.to_string())));
            }
            o.extend(p.istx.map(|v| s("prism.did.istx", format!("0x{v:08x}"))));
            o
        }
        Layer::Ipnet(i) => vec![
            s("ipnet.version", i.version.to_string()),
            s("ipnet.family", i.family.to_string()),
            s("ipnet.htype", i.htype.to_string()),
            s("ipnet.pktlen", i.pktlen.to_string()),
            s("ipnet.ifindex", i.ifindex.to_string()),
            s("ipnet.grifindex", i.grifindex.to_string()),
            s("ipnet.zsrc", i.zsrc.to_string()),
            s("ipnet.zdst", i.zdst.to_string()),
        ],
        // A cut header: the fields that fit (ARCNET's, Prism's, IPNET's; none for the others).
        Layer::Partial(p) if p.fields.is_empty() => return None,
        Layer::Partial(p) if p.proto == ProtoId::Ipnet => p
            .fields
            .iter()
            .map(|(name, value)| {
                let n = serde_json::to_value(value).expect("a field value");
                s(&format!("ipnet.{name}"), n.to_string())
            })
            .collect(),
        Layer::Partial(p) if p.proto == ProtoId::Prism => p
            .fields
            .iter()
            .map(|(name, value)| {
                let n = serde_json::to_value(value).expect("a field value");
                let n = n.as_u64().expect("a number");
                match *name {
                    "msgcode" => s("prism.msgcode", format!("0x{n:08x}")),
                    other => s(&format!("prism.{other}"), n.to_string()),
                }
            })
            .collect(),
        Layer::Partial(p) => p
            .fields
            .iter()
            .map(|(name, value)| {
                let v = serde_json::to_value(value).expect("a field value");
                let n = v.as_u64().expect("a number");
                match *name {
                    "offset" => s("arcnet.offset", format!("{:02x}:{:02x}", n >> 8, n & 0xff)),
                    "split_flag" => s("arcnet.split_flag", n.to_string()),
                    "protocol_id" => s("arcnet.protID", format!("0x{n:02x}")),
                    other => s(&format!("arcnet.{other}"), format!("0x{n:02x}")),
                }
            })
            .collect(),
        other => panic!("frame {}: link layer {other:?}", frame.number),
    };
    o.sort();
    Some(o)
}

/// tshark's fields of the link layer `proto` that [`ours`] models (IPoIB's GRH and
/// pseudo-header fields, Prism's item codes, statuses and lengths are not modelled; of a cut
/// Prism header, only the code and length), sorted.
fn theirs(layers: &Node, proto: &str, cut: bool) -> Vec<(String, String)> {
    let modelled = |k: &str| {
        k.starts_with(&format!("{proto}."))
            && !k.starts_with("ipoib.grh")
            && !k.starts_with("ipoib.daddr")
            && k != "ipoib.dgid"
            && !matches!(
                k,
                "prism.did.type" | "prism.did.status" | "prism.did.length"
            )
            && (!cut || proto != "prism" || matches!(k, "prism.msgcode" | "prism.msglen"))
    };
    let mut t: Vec<(String, String)> = layers
        .get(proto)
        .map(Node::leaves)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| modelled(k))
        .collect();
    t.sort();
    t
}

/// pcapkit's chain in tshark's names (RARP is tshark's `arp`, Raw its `data`).
fn chain_as_tshark(frame: &Frame) -> String {
    frame
        .protocol_chain()
        .split(':')
        .map(|p| match p {
            "CHDLC" => "chdlc",
            "IPoIB" => "ipoib",
            "ARCNET" => "arcnet",
            "Prism" => "prism",
            "IPNET" => "ipnet",
            "IEEE802.11" => "wlan_radio:wlan",
            "IPv4" => "ip",
            "IPv6" => "ipv6",
            "UDP" => "udp",
            "ARP" | "RARP" => "arp",
            "IPX" => "ipx",
            "LLC" => "llc",
            "Raw" => "data",
            other => panic!("frame {}: {other} not expected here", frame.number),
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// The frames of `frames` written as a pcap of `link_type`, and pcapkit's reading of it.
fn pcap_and_frames(link_type: u32, frames: &[Vec<u8>]) -> (Vec<u8>, Vec<Frame>) {
    let mut pcap = common::Pcap::new(false, false, link_type, 65535);
    for f in frames {
        pcap = pcap.record(1, 0, f.len() as u32, f);
    }
    let file = common::temp_file(&pcap.bytes());
    let ours = common::frames_of(file.path());
    assert_eq!(ours.len(), frames.len());
    (pcap.bytes(), ours)
}

/// Compares every frame with tshark; `quirk` names the frames not compared field by field.
/// Returns the number of fields compared, `None` when tshark is absent (outside CI).
fn compare(
    link_type: u32,
    proto: &str,
    frames: &[Vec<u8>],
    quirk: fn(&[u8]) -> bool,
) -> Option<usize> {
    let (pcap, ours_frames) = pcap_and_frames(link_type, frames);
    let tshark = common::tshark_json_of(&pcap, &[])?;
    assert_eq!(tshark.len(), frames.len());
    let mut compared = 0;
    for ((frame, t), bytes) in ours_frames.iter().zip(&tshark).zip(frames) {
        let at = format!("{proto} frame {} ({bytes:02x?})", frame.number);
        let chain = t
            .find("frame.protocols")
            .and_then(Node::text)
            .expect("frame.protocols");
        let cut = matches!(frame.layers.first(), Some(Layer::Partial(_)));
        let fields = theirs(t, proto, cut);
        if quirk(bytes) {
            continue;
        }
        let mine = chain_as_tshark(frame);
        match (proto, chain.strip_suffix(":bacnet:bacapp")) {
            ("ipoib", _) if bytes.len() == 44 => assert_eq!(format!("{mine}:ip"), chain, "{at}"),
            ("ipoib" | "ipnet", _) => {
                assert_eq!(mine.trim_end_matches(":data"), chain, "{at}")
            }
            ("arcnet", Some(llc)) => assert_eq!(mine, format!("{llc}:data"), "{at}"),
            _ => assert_eq!(mine, chain, "{at}"),
        }
        match ours(frame) {
            Some(mine) => {
                assert_eq!(mine, fields, "{at}");
                compared += fields.len();
            }
            // A cut header with no field: the frame's error names the link layer, and tshark
            // shows no modelled field but IPoIB's type once its 2 bytes (at 40) are captured,
            // which pcapkit's cut IPoIB header does not give (a known difference).
            None => {
                assert_eq!(
                    frame.error.as_ref().map(|e| e.layer),
                    Some(frame.layers[0].proto()),
                    "{at}"
                );
                let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                let ipoib_type = proto == "ipoib" && (42..44).contains(&bytes.len());
                let expected: &[&str] = if ipoib_type { &["ipoib.type"] } else { &[] };
                assert_eq!(keys, expected, "{at}");
            }
        }
    }
    Some(compared)
}

#[test]
fn chdlc_matches_tshark() {
    let slarp = |f: &[u8]| f.get(2..4) == Some(&[0x80, 0x35]);
    let fields = compare(104, "chdlc", &chdlc_frames(), slarp);
    // 6 whole frames but SLARP, 3 fields each.
    assert!(
        fields.is_none_or(|n| n == 3 * 5),
        "{fields:?} fields compared"
    );
}

#[test]
fn ipoib_matches_tshark() {
    let fields = compare(242, "ipoib", &ipoib_frames(), |_| false);
    assert!(
        fields.is_none_or(|n| n == 2 * 5),
        "{fields:?} fields compared"
    );
}

#[test]
fn arcnet_matches_tshark() {
    let fields = compare(129, "arcnet", &arcnet_frames(), arcnet_exception);
    // 6 RFC 1201 frames (6 fields), 4 without split flag and sequence (4 fields).
    assert!(
        // And the cut headers' fields that fit: 21 of RFC 1201's 8 bytes, 7 of RFC 1051's 5.
        fields.is_none_or(|n| n == 6 * 6 + 4 * 4 + 21 + 7),
        "{fields:?} fields compared"
    );
}

#[test]
fn prism_matches_tshark() {
    // The bare 802.11 frame is the quirk (above).
    let bare = |f: &[u8]| f.first() == Some(&0x08);
    let fields = compare(119, "prism", &prism_frames(), bare);
    // 4 whole headers + the header alone (12 fields each: 9 items with a value, code, length,
    // name); the cuts keep the code from 4 bytes on (140 cuts) and the length from 8 (136).
    assert!(
        fields.is_none_or(|n| n == 5 * 12 + 140 + 136),
        "{fields:?} fields compared"
    );
}

#[test]
fn ipnet_matches_tshark() {
    let fields = compare(226, "ipnet", &ipnet_frames(), |_| false);
    // 4 whole headers (8 fields each); the cuts keep version (from 1 byte on: 23 cuts),
    // family (22), htype (from 4: 20), pktlen (16), ifindex (12), grifindex (8), zsrc (4).
    assert!(
        fields.is_none_or(|n| n == 4 * 8 + 23 + 22 + 20 + 16 + 12 + 8 + 4),
        "{fields:?} fields compared"
    );
}

/// tshark 4.0's chain and link layer fields for a few frames (link type, frame index), kept
/// for a run without tshark; no fields: a cut header (a field-less partial layer).
type Kept = (
    u32,
    usize,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const KEPT: [Kept; 9] = [
    (
        104,
        0,
        "chdlc:ip:udp",
        &[
            ("chdlc.address", "0x0f"),
            ("chdlc.control", "0x00"),
            ("chdlc.protocol", "0x0800"),
        ],
    ),
    (104, 3, "chdlc", &[]),
    (
        242,
        45,
        "ipoib:ipv6",
        &[("ipoib.type", "0x86dd"), ("ipoib.reserved", "0x0007")],
    ),
    (242, 43, "ipoib", &[]),
    (
        129,
        0,
        "arcnet:ip:udp",
        &[
            ("arcnet.src", "0x01"),
            ("arcnet.dst", "0x02"),
            ("arcnet.offset", "00:00"),
            ("arcnet.protID", "0xd4"),
            ("arcnet.split_flag", "0"),
            ("arcnet.sequence", "4660"),
        ],
    ),
    (
        129,
        21,
        "arcnet:data",
        &[
            ("arcnet.src", "0x07"),
            ("arcnet.dst", "0x08"),
            ("arcnet.offset", "00:00"),
            ("arcnet.protID", "0x80"),
        ],
    ),
    (
        119,
        0,
        "prism:wlan_radio:wlan:llc:ip:udp",
        &[
            ("prism.msgcode", "0x00000041"),
            ("prism.msglen", "144"),
            ("prism.devname", "wlan0"),
            ("prism.did.hosttime", "1000"),
            ("prism.did.mactime", "2000"),
            ("prism.did.channel", "6"),
            ("prism.did.rssi", "-60"),
            ("prism.did.sq", "40"),
            ("prism.did.noise", "-95"),
            ("prism.did.rate", "108"),
            ("prism.did.istx", "0x00000001"),
            ("prism.did.frmlen", "60"),
        ],
    ),
    (
        119,
        9,
        "prism",
        &[("prism.msgcode", "0x00000041"), ("prism.msglen", "144")],
    ),
    (
        129,
        20,
        "arcnet:arp",
        &[
            ("arcnet.src", "0x07"),
            ("arcnet.dst", "0x08"),
            ("arcnet.offset", "00:00"),
            ("arcnet.protID", "0xf1"),
        ],
    ),
];

#[test]
fn kept_tshark_values_match() {
    for (link_type, index, chain, fields) in KEPT {
        let frames = match link_type {
            104 => chdlc_frames(),
            119 => prism_frames(),
            242 => ipoib_frames(),
            _ => arcnet_frames(),
        };
        let (_, ours_frames) = pcap_and_frames(link_type, &frames);
        let frame = &ours_frames[index];
        let at = format!("link type {link_type}, frame {}", frame.number);
        assert_eq!(chain_as_tshark(frame), chain, "{at}");
        let mut kept: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        kept.sort();
        assert_eq!(ours(frame), (!kept.is_empty()).then_some(kept), "{at}");
    }
}
