//! Field-level comparison of the link-layer and tunnel decoders (LLC, IPX, PPP, PPPoE, L2TP,
//! GRE) with Wireshark on the captures in `../shared/captures`, read in place.
//!
//! Where a capture has a `<file>.tshark.json` (`tcpdump__pptp.pcap`, `pcpp__VlanPackets.pcap`),
//! every frame with the protocol is compared with the JSON field by field. The larger captures
//! (`tcpdump__ipx.pcap`, `dpkt__nb6-http.pcap`) have no JSON: their expected values below were
//! taken from tshark 4.0.17 (`tshark -r F -T fields -e ipx.len -e l2tp.tunnel ...`) and every
//! frame carrying the protocol is checked against that table.

mod common;

use pcapkit::Extractor;
use pcapkit::model::{Frame, Gre, Ipx, L2tp, Layer, Llc, Ppp, Pppoe};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The shared capture `name`, or `None` when absent (skipped, or a failure under CI).
fn capture(name: &str) -> Option<PathBuf> {
    common::shared_capture(name)
}

fn frames(path: &Path) -> Vec<Frame> {
    Extractor::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .frames()
        .collect()
}

/// The tshark JSON of a capture: one `_source.layers` object per frame.
fn tshark_layers(path: &Path) -> Vec<Value> {
    let json = PathBuf::from(format!("{}.tshark.json", path.display()));
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{}: {e}", json.display()));
    let doc: Value = serde_json::from_str(&text).expect("tshark JSON");
    doc.as_array()
        .expect("tshark JSON is an array")
        .iter()
        .map(|f| f["_source"]["layers"].clone())
        .collect()
}

/// A tshark field value as a number: `"0x3001"` (hex) or `"48"` (decimal).
fn num(layer: &Value, field: &str) -> u64 {
    let text = layer[field]
        .as_str()
        .unwrap_or_else(|| panic!("tshark field {field} missing in {layer}"));
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .unwrap_or_else(|_| panic!("tshark field {field} = {text:?} is not a number"))
}

fn layer_of<'a, T>(frame: &'a Frame, pick: impl Fn(&'a Layer) -> Option<&'a T>) -> &'a T {
    frame.layers.iter().find_map(pick).unwrap_or_else(|| {
        panic!(
            "frame {}: layer missing in {}",
            frame.number,
            frame.protocol_chain()
        )
    })
}

fn gre(l: &Layer) -> Option<&Gre> {
    match l {
        Layer::Gre(g) => Some(g),
        _ => None,
    }
}

fn ppp(l: &Layer) -> Option<&Ppp> {
    match l {
        Layer::Ppp(p) => Some(p),
        _ => None,
    }
}

fn llc(l: &Layer) -> Option<&Llc> {
    match l {
        Layer::Llc(x) => Some(x),
        _ => None,
    }
}

fn ipx(l: &Layer) -> Option<&Ipx> {
    match l {
        Layer::Ipx(x) => Some(x),
        _ => None,
    }
}

fn pppoe(l: &Layer) -> Option<&Pppoe> {
    match l {
        Layer::Pppoe(x) => Some(x),
        _ => None,
    }
}

fn l2tp(l: &Layer) -> Option<&L2tp> {
    match l {
        Layer::L2tp(x) => Some(x),
        _ => None,
    }
}

#[test]
fn pptp_gre_and_ppp_match_wireshark() {
    let Some(path) = capture("tcpdump__pptp.pcap") else {
        return;
    };
    let ours = frames(&path);
    let theirs = tshark_layers(&path);
    assert_eq!(ours.len(), theirs.len());
    let mut compared = 0;
    for (frame, t) in ours.iter().zip(&theirs) {
        let Some(tg) = t.get("gre") else {
            assert!(
                !frame.protocols().any(|p| p.name() == "GRE"),
                "frame {}: GRE where Wireshark has none",
                frame.number
            );
            continue;
        };
        compared += 1;
        assert_eq!(frame.protocol_chain(), "Ethernet:IPv4:GRE:PPP:Raw");
        let g = layer_of(frame, gre);
        assert_eq!(u64::from(g.flags), num(tg, "gre.flags_and_version"));
        let flags = &tg["gre.flags_and_version_tree"];
        assert_eq!(u64::from(g.version), num(flags, "gre.flags.version"));
        assert_eq!(u64::from(g.ether_type.0), num(tg, "gre.proto"));
        assert_eq!(u64::from(g.payload_len), num(tg, "gre.key.payload_length"));
        assert_eq!(g.call_id.map(u64::from), Some(num(tg, "gre.key.call_id")));
        assert_eq!(g.seq.map(u64::from), Some(num(tg, "gre.sequence_number")));
        assert_eq!(g.ack, None);
        let tp = &t["ppp"];
        let p = layer_of(frame, ppp);
        assert_eq!(p.address.map(u64::from), Some(num(tp, "ppp.address")));
        assert_eq!(p.control.map(u64::from), Some(num(tp, "ppp.control")));
        assert_eq!(u64::from(p.ppp_protocol), num(tp, "ppp.protocol"));
        let lcp = &t["lcp"];
        assert_eq!(p.ppp_protocol_name, Some("LCP"));
        assert_eq!(p.code.map(u64::from), Some(num(lcp, "ppp.code")));
        assert_eq!(p.id.map(u64::from), Some(num(lcp, "ppp.identifier")));
        assert_eq!(p.len.map(u64::from), Some(num(lcp, "ppp.length")));
        assert_eq!(p.code_name, Some("Configure-Request"));
    }
    assert_eq!(compared, 1, "tcpdump__pptp.pcap has one GRE frame (16)");
}

#[test]
fn llc_snap_matches_wireshark() {
    let Some(path) = capture("pcpp__VlanPackets.pcap") else {
        return;
    };
    let ours = frames(&path);
    let theirs = tshark_layers(&path);
    assert_eq!(ours.len(), theirs.len());
    let mut compared = 0;
    for (frame, t) in ours.iter().zip(&theirs) {
        let Some(tl) = t.get("llc") else {
            assert!(
                !frame.protocols().any(|p| p.name() == "LLC"),
                "frame {}: LLC where Wireshark has none",
                frame.number
            );
            continue;
        };
        compared += 1;
        let l = layer_of(frame, llc);
        assert_eq!(
            u64::from(l.dsap),
            num(tl, "llc.dsap"),
            "frame {}",
            frame.number
        );
        assert_eq!(u64::from(l.ssap), num(tl, "llc.ssap"));
        assert_eq!(u64::from(l.control), num(tl, "llc.control"));
        assert_eq!(l.oui.map(u64::from), Some(num(tl, "llc.oui")));
        let pid = if tl.get("llc.cisco_pid").is_some() {
            num(tl, "llc.cisco_pid")
        } else {
            num(tl, "llc.pid")
        };
        assert_eq!(l.pid.map(u64::from), Some(pid));
        assert_eq!(l.header_len, 8);
        // The LLC payload is what the 802.3 length (eth.len) or VLAN length (vlan.len) leaves.
        let declared = match (t["eth"].get("eth.len"), t.get("vlan")) {
            (Some(_), _) => num(&t["eth"], "eth.len"),
            (None, Some(vlan)) => num(vlan, "vlan.len"),
            (None, None) => panic!("frame {}: no 802.3 length", frame.number),
        };
        if t["eth"].get("eth.len").is_some() {
            assert_eq!(u64::from(l.header_len + l.payload_len), declared);
        } else {
            // Behind a VLAN tag the walker does not trim to the length: at least that much.
            assert!(u64::from(l.header_len + l.payload_len) >= declared);
        }
    }
    assert_eq!(
        compared, 6,
        "pcpp__VlanPackets.pcap has six LLC frames (21-26)"
    );
}

/// One row of [`IPX_FRAMES`].
type IpxRow = (u64, u32, u16, u8, u16, u32, &'static str, u16);

/// tshark 4.0.17 on tcpdump__ipx.pcap: frame, eth.len, ipx.len, ipx.packet_type,
/// ipx.dst.socket, ipx.src.net, ipx.src.node, ipx.src.socket (every frame: checksum 0xffff,
/// 0 hops, destination network 0, destination node broadcast).
const IPX_FRAMES: &[IpxRow] = &[
    (
        1,
        84,
        80,
        0x14,
        0x0455,
        0xa8f8_7967,
        "00:00:00:00:00:01",
        0x0455,
    ),
    (
        4,
        196,
        192,
        0x04,
        0x0455,
        0xa8f8_7967,
        "00:00:00:00:00:01",
        0x0455,
    ),
    (10, 99, 96, 0x00, 0x0452, 0, "00:30:c1:bf:57:55", 0x0452),
    (11, 100, 96, 0x04, 0x0452, 0, "00:14:85:ac:cd:ad", 0x4008),
    (13, 44, 40, 0x01, 0x0453, 0, "00:03:47:1b:c1:a8", 0x0453),
    (31, 192, 188, 0x04, 0x0455, 0, "00:13:20:61:83:a3", 0x0455),
    (36, 220, 217, 0x14, 0x0553, 0, "00:13:20:61:83:a3", 0x0553),
    (44, 190, 187, 0x04, 0x0455, 0, "00:14:85:ac:cd:ad", 0x0455),
    (
        56,
        220,
        217,
        0x14,
        0x0553,
        0xa8f8_7967,
        "00:00:00:00:00:01",
        0x0553,
    ),
];

#[test]
fn ipx_over_llc_matches_wireshark() {
    let Some(path) = capture("tcpdump__ipx.pcap") else {
        return;
    };
    let ours = frames(&path);
    assert_eq!(ours.len(), 64);
    for frame in &ours {
        // tshark: eth:llc:ipx on all 64 frames; the data after IPX is not decoded here.
        let chain = frame.protocol_chain();
        assert!(
            chain == "Ethernet:LLC:IPX:Raw" || chain == "Ethernet:LLC:IPX",
            "frame {}: {chain}",
            frame.number
        );
        assert_eq!(frame.error, None);
        let l = layer_of(frame, llc);
        assert_eq!((l.dsap, l.ssap, l.control), (0xe0, 0xe0, 0x03));
        let x = layer_of(frame, ipx);
        assert_eq!((x.checksum, x.transport_control, x.dst_net), (0xffff, 0, 0));
        assert_eq!(x.dst_node.to_string(), "ff:ff:ff:ff:ff:ff");
    }
    for &(number, eth_len, len, kind, dst_socket, src_net, src_node, src_socket) in IPX_FRAMES {
        let frame = &ours[number as usize - 1];
        let Some(Layer::Ethernet(eth)) = frame.layers.first() else {
            panic!("frame {number}: no Ethernet layer")
        };
        // 802.3: the length field is the Ethernet payload; padding is not passed on.
        assert_eq!(eth.payload_len, eth_len, "frame {number}");
        let l = layer_of(frame, llc);
        assert_eq!(l.header_len + l.payload_len, eth_len, "frame {number}");
        let x = layer_of(frame, ipx);
        assert_eq!(
            (x.len, x.packet_type, x.dst_socket, x.src_net, x.src_socket),
            (len, kind, dst_socket, src_net, src_socket),
            "frame {number}"
        );
        assert_eq!(x.src_node.to_string(), src_node, "frame {number}");
        assert_eq!(x.payload_len, u32::from(len) - 30);
    }
}

/// tshark 4.0.17 on dpkt__nb6-http.pcap, frames with `l2tp`: frame, pppoe.payload_length,
/// l2tp.flags, l2tp.tunnel, l2tp.session, (l2tp.Ns, l2tp.Nr), l2tp.length, l2tp.offset,
/// l2tp.avp.message_type, and the inner ppp.protocol (0 for control messages).
#[derive(Clone, Copy)]
struct L2tpRow {
    frame: u64,
    pppoe_len: u16,
    flags: u16,
    tunnel: u32,
    session: u32,
    /// (Ns, Nr).
    seq: Option<(u16, u16)>,
    len: Option<u16>,
    offset: Option<u16>,
    message: Option<u16>,
    /// Protocol of the PPP frame inside L2TP; 0 for control messages.
    inner: u16,
}

/// One [`L2tpRow`], positionally.
macro_rules! row {
    ($frame:expr, $pppoe_len:expr, $flags:expr, $tunnel:expr, $session:expr, $seq:expr, $len:expr, $offset:expr, $message:expr, $inner:expr) => {
        L2tpRow {
            frame: $frame,
            pppoe_len: $pppoe_len,
            flags: $flags,
            tunnel: $tunnel,
            session: $session,
            seq: $seq,
            len: $len,
            offset: $offset,
            message: $message,
            inner: $inner,
        }
    };
}

#[rustfmt::skip]
const L2TP_FRAMES: &[L2tpRow] = &[
    row!(19, 106, 0x0202, 18994, 54110, None, None, Some(0), None, 0x0057),
    row!(20, 48, 0x0002, 1527, 8298, None, None, None, None, 0xc021),
    row!(21, 50, 0x0302, 18994, 54110, None, None, Some(0), None, 0xc021),
    row!(22, 50, 0xc802, 1527, 0, Some((15, 2)), Some(20), None, Some(6), 0),
    row!(23, 42, 0xc802, 18994, 0, Some((2, 16)), Some(12), None, None, 0),
    row!(24, 54, 0x0302, 18994, 54110, None, None, Some(0), None, 0xc021),
    row!(25, 52, 0x0002, 1527, 8298, None, None, None, None, 0xc021),
    row!(47, 54, 0x0302, 18994, 54110, None, None, Some(0), None, 0xc021),
    row!(48, 52, 0x0002, 1527, 8298, None, None, None, None, 0xc021),
    row!(53, 120, 0x0002, 1527, 8298, None, None, None, None, 0x0057),
    row!(54, 122, 0x0202, 18994, 54110, None, None, Some(0), None, 0x0057),
    row!(55, 112, 0x0002, 1527, 8298, None, None, None, None, 0x0057),
    row!(56, 194, 0x0002, 1527, 8298, None, None, None, None, 0x0057),
    row!(57, 114, 0x0202, 18994, 54110, None, None, Some(0), None, 0x0057),
    row!(58, 495, 0x0202, 18994, 54110, None, None, Some(0), None, 0x0057),
    row!(59, 112, 0x0002, 1527, 8298, None, None, None, None, 0x0057),
    row!(60, 112, 0x0002, 1527, 8298, None, None, None, None, 0x0057),
    row!(61, 114, 0x0202, 18994, 54110, None, None, Some(0), None, 0x0057),
    row!(62, 112, 0x0002, 1527, 8298, None, None, None, None, 0x0057),
];

#[test]
fn pppoe_l2tp_ppp_match_wireshark() {
    let Some(path) = capture("dpkt__nb6-http.pcap") else {
        return;
    };
    let ours = frames(&path);
    assert_eq!(ours.len(), 62);
    let with_l2tp: Vec<u64> = ours
        .iter()
        .filter(|f| f.protocols().any(|p| p.name() == "L2TP"))
        .map(|f| f.number)
        .collect();
    let expected: Vec<u64> = L2TP_FRAMES.iter().map(|r| r.frame).collect();
    assert_eq!(with_l2tp, expected, "frames with L2TP");
    for row in L2TP_FRAMES {
        let L2tpRow {
            frame: number,
            pppoe_len,
            flags,
            tunnel,
            session,
            seq,
            len,
            offset,
            message,
            inner,
        } = *row;
        let frame = &ours[number as usize - 1];
        assert_eq!(frame.error, None, "frame {number}");
        let s = layer_of(frame, pppoe);
        assert_eq!(
            (s.version, s.kind, s.code, s.session_id, s.len),
            (1, 1, 0, 0x3b1a, pppoe_len),
            "frame {number}"
        );
        let l = layer_of(frame, l2tp);
        assert_eq!(
            (l.flags, l.tunnel_id, l.session_id),
            (flags, Some(tunnel), Some(session)),
            "frame {number}"
        );
        assert_eq!((l.ns, l.nr), (seq.map(|s| s.0), seq.map(|s| s.1)));
        assert_eq!((l.len, l.offset, l.message_type), (len, offset, message));
        let ppps: Vec<&Ppp> = frame.layers.iter().filter_map(ppp).collect();
        assert_eq!(
            ppps[0].ppp_protocol, 0x0021,
            "frame {number}: PPP in PPPoE carries IPv4"
        );
        assert_eq!((ppps[0].address, ppps[0].control), (None, None));
        if inner == 0 {
            assert_eq!(
                ppps.len(),
                1,
                "frame {number}: control message, no inner PPP"
            );
            assert_eq!(l.kind, "control");
        } else {
            assert_eq!(l.kind, "data");
            assert_eq!(ppps[1].ppp_protocol, inner, "frame {number}");
            assert_eq!((ppps[1].address, ppps[1].control), (Some(0xff), Some(0x03)));
        }
    }
    // Frame 23 is a zero-length body (an acknowledgement): no AVP, no message type.
    let zlb = layer_of(&ours[22], l2tp);
    assert_eq!((zlb.payload_len, zlb.message_type_name), (0, Some("ZLB")));
    // Frame 20: LCP Echo-Request, identifier 36, length 8 (tshark ppp.code/identifier/length).
    let lcp = ours[19]
        .layers
        .iter()
        .filter_map(ppp)
        .nth(1)
        .expect("inner PPP");
    assert_eq!((lcp.code, lcp.id, lcp.len), (Some(9), Some(36), Some(8)));
    assert_eq!(lcp.code_name, Some("Echo-Request"));
    // Frame 19: the full chain down to ICMPv6, as tshark's eth:pppoes:ppp:ip:udp:l2tp:ppp:ipv6:icmpv6.
    assert_eq!(
        ours[18].protocol_chain(),
        "Ethernet:PPPoE:PPP:IPv4:UDP:L2TP:PPP:IPv6:ICMPv6"
    );
}

/// Every link/tunnel layer of the four captures serializes as one flat JSON object whose
/// `protocol` key appears once (no field may be called `protocol`, nor `proto`, which is an
/// IP protocol number everywhere else) and which carries
/// `header_len` and `payload_len`.
#[test]
fn tunnel_layers_serialize_with_one_protocol_key() {
    let names = ["LLC", "IPX", "PPP", "PPPoE", "L2TP", "GRE"];
    let mut seen = std::collections::BTreeSet::new();
    for file in [
        "tcpdump__ipx.pcap",
        "dpkt__nb6-http.pcap",
        "tcpdump__pptp.pcap",
        "pcpp__VlanPackets.pcap",
    ] {
        let Some(path) = capture(file) else {
            return;
        };
        for frame in frames(&path) {
            for layer in &frame.layers {
                let name = layer.proto().name();
                if !names.contains(&name) {
                    continue;
                }
                seen.insert(name);
                let json = serde_json::to_string(layer).expect("serializes");
                assert_eq!(
                    json.matches("\"protocol\":").count(),
                    1,
                    "{file} frame {}: {json}",
                    frame.number
                );
                assert!(
                    json.starts_with(&format!("{{\"protocol\":\"{name}\"")),
                    "{json}"
                );
                // `proto` is an IP protocol number wherever it appears (tree view, scripts).
                assert!(!json.contains("\"proto\":"), "{json}");
                let value: Value = serde_json::from_str(&json).expect("valid JSON");
                assert!(
                    value["header_len"].is_u64() && value["payload_len"].is_u64(),
                    "{json}"
                );
            }
        }
    }
    assert_eq!(seen.len(), names.len(), "every tunnel layer met: {seen:?}");
}

/// Bad input: every truncation and thousands of random byte corruptions of the tunnel frames
/// of the four captures go through the native dissector without a panic, within the layer cap,
/// with any error pointing inside the frame.
#[test]
fn corrupted_tunnel_frames_never_panic() {
    use pcapkit::capture::{CaptureReader, RawFrame};
    use pcapkit::engine::native::NativeDissector;
    use pcapkit::engine::{DissectOptions, Dissector};

    let names = ["LLC", "IPX", "PPP", "PPPoE", "L2TP", "GRE"];
    let opts = DissectOptions::default();
    let check = |raw: &RawFrame<'_>| {
        let frame = NativeDissector.dissect(raw, &opts);
        assert!(frame.layers.len() <= 33, "{} layers", frame.layers.len());
        if let Some(error) = &frame.error {
            assert!(
                (error.offset as usize) <= raw.data.len(),
                "error offset {} past {} bytes: {error:?}",
                error.offset,
                raw.data.len()
            );
        }
        frame
    };
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut frames, mut runs) = (0, 0);
    for file in [
        "tcpdump__ipx.pcap",
        "dpkt__nb6-http.pcap",
        "tcpdump__pptp.pcap",
        "pcpp__VlanPackets.pcap",
    ] {
        let Some(path) = capture(file) else {
            return;
        };
        let mut reader = CaptureReader::open(&path).expect("open");
        while let Some(raw) = reader.next_frame() {
            if !check(&raw).protocols().any(|p| names.contains(&p.name())) {
                continue;
            }
            frames += 1;
            let data = raw.data.to_vec();
            for cut in 0..data.len() {
                check(&RawFrame {
                    data: &data[..cut],
                    ..raw
                });
                runs += 1;
            }
            for _ in 0..200 {
                let mut bad = data.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() % bad.len() as u64) as usize;
                    bad[at] = next() as u8;
                }
                check(&RawFrame { data: &bad, ..raw });
                runs += 1;
            }
        }
    }
    assert!(frames >= 100, "only {frames} tunnel frames found");
    println!("{frames} tunnel frames, {runs} corrupted or cut variants dissected");
}
