//! Field-level checks of the IP suite decoders (AH, ESP, HIP, MH, OSPF, IGMP) against
//! Wireshark, on the captures in `../shared/captures`.
//!
//! For captures with a `<file>.tshark.json` (tshark 4.0.17, `-T json`, see the folder's
//! README), every occurrence of each compared field is read from the JSON *in document order*
//! (the JSON has repeated keys, e.g. one `ospf.hello.active_neighbor` per neighbour, so it is
//! scanned line by line rather than parsed into maps) and compared with our layers' values.
//! `cutehip__hip.pcap` has no JSON (81 frames); its HIP values below were printed by the same
//! tshark (`tshark -n -r cutehip__hip.pcap -Y hip -V`).

mod common;

use pcapkit::Extractor;
use pcapkit::model::{Frame, Layer};
use std::path::{Path, PathBuf};

/// The shared capture `name`, or `None` when absent (skipped, or a failure under CI).
fn capture(name: &str) -> Option<PathBuf> {
    common::shared_capture(name)
}

/// Our frames of `path`.
fn frames(path: &Path) -> Vec<Frame> {
    Extractor::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .frames()
        .collect()
}

/// Every `"key": "value"` pair of each frame of a tshark JSON file, in document order.
fn tshark_fields(path: &Path) -> Vec<Vec<(String, String)>> {
    let json_path = PathBuf::from(format!("{}.tshark.json", path.display()));
    let text = std::fs::read_to_string(&json_path)
        .unwrap_or_else(|e| panic!("{}: {e}", json_path.display()));
    let mut frames: Vec<Vec<(String, String)>> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("\"_index\"") {
            frames.push(Vec::new());
            continue;
        }
        let Some(rest) = line.strip_prefix('"') else {
            continue;
        };
        let Some((key, value)) = rest.split_once("\": \"") else {
            continue;
        };
        let value = value.trim_end_matches(',').trim_end_matches('"');
        if let Some(frame) = frames.last_mut() {
            frame.push((key.to_owned(), value.to_owned()));
        }
    }
    frames
}

/// Every value of `key` in one frame's fields, in order.
fn all<'a>(fields: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Bytes as tshark prints them in JSON: colon-separated hex.
fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Our values (formatted as tshark prints them) of one frame, as (key, values) pairs.
type Ours = Vec<(&'static str, Vec<String>)>;

/// Compares `ours` with tshark's fields of the same frame; returns the number of values
/// compared. Panics with the file, frame and field on the first difference.
fn compare(file: &str, number: u64, ours: &Ours, theirs: &[(String, String)]) -> usize {
    let mut compared = 0;
    for (key, values) in ours {
        let expected = all(theirs, key);
        assert_eq!(
            values, &expected,
            "{file} frame {number}: field {key}: ours {values:?}, tshark {expected:?}"
        );
        compared += values.len();
    }
    compared
}

fn push(ours: &mut Ours, key: &'static str, value: impl ToString) {
    match ours.iter_mut().find(|(k, _)| *k == key) {
        Some((_, values)) => values.push(value.to_string()),
        None => ours.push((key, vec![value.to_string()])),
    }
}

/// The IP-suite fields of our frame, keyed by tshark's field names.
fn ipsuite_fields(frame: &Frame) -> Ours {
    let mut o = Ours::new();
    for layer in &frame.layers {
        match layer {
            Layer::Ah(ah) => {
                push(&mut o, "ah.next_header", ah.next_header);
                push(&mut o, "ah.length", ah.len);
                push(&mut o, "ah.spi", format!("0x{:08x}", ah.spi));
                push(&mut o, "ah.sequence", ah.seq);
                push(&mut o, "ah.icv", colon_hex(&ah.icv.0));
            }
            Layer::Esp(esp) => {
                push(&mut o, "esp.spi", format!("0x{:08x}", esp.spi));
                push(&mut o, "esp.sequence", esp.seq);
            }
            Layer::Mh(mh) => mh_fields(&mut o, mh),
            Layer::Ospf(ospf) => ospf_fields(&mut o, ospf),
            Layer::Igmp(igmp) => {
                if let Some(v) = igmp.version {
                    push(&mut o, "igmp.version", v);
                }
                push(&mut o, "igmp.type", format!("0x{:02x}", igmp.kind));
                push(&mut o, "igmp.max_resp", igmp.max_resp);
                push(&mut o, "igmp.checksum", format!("0x{:04x}", igmp.checksum));
                if let Some(g) = igmp.group {
                    push(&mut o, "igmp.maddr", g);
                }
                if let Some(s) = igmp.s {
                    push(&mut o, "igmp.s", u8::from(s));
                }
                if let Some(q) = igmp.qrv {
                    push(&mut o, "igmp.qrv", q);
                }
                if let Some(q) = igmp.qqic {
                    push(&mut o, "igmp.qqic", q);
                }
                if let Some(n) = igmp.num_sources {
                    push(&mut o, "igmp.num_src", n);
                }
            }
            _ => {}
        }
    }
    o
}

fn mh_fields(o: &mut Ours, mh: &pcapkit::model::Mh) {
    push(o, "mip6.proto", mh.next_header);
    push(o, "mip6.hlen", mh.hdr_len);
    push(o, "mip6.mhtype", mh.mh_type);
    push(o, "mip6.csum", format!("0x{:04x}", mh.checksum));
    let prefix = match mh.mh_type {
        5 => "bu",
        6 => "ba",
        _ => "",
    };
    if let Some(seq) = mh.seq {
        push(
            o,
            if prefix == "bu" {
                "mip6.bu.seqnr"
            } else {
                "mip6.ba.seqnr"
            },
            seq,
        );
    }
    if let Some(lifetime) = mh.lifetime {
        let key = if prefix == "bu" {
            "mip6.bu.lifetime"
        } else {
            "mip6.ba.lifetime"
        };
        push(o, key, lifetime);
    }
    if let Some(flags) = mh.flags
        && prefix == "bu"
    {
        push(o, "mip6.bu.a_flag", u8::from(flags & 0x8000 != 0));
        push(o, "mip6.bu.h_flag", u8::from(flags & 0x4000 != 0));
    }
    if let Some(status) = mh.status {
        push(
            o,
            if mh.mh_type == 7 {
                "mip6.be.status"
            } else {
                "mip6.ba.status"
            },
            status,
        );
    }
    let hex = |b: &pcapkit::model::HexBytes| format!("0x{b}");
    match mh.mh_type {
        1 => push(o, "mip6.hoti.cookie", hex(mh.cookie.as_ref().unwrap())),
        2 => push(o, "mip6.coti.cookie", hex(mh.cookie.as_ref().unwrap())),
        3 | 4 => {
            let p = if mh.mh_type == 3 { "hot" } else { "cot" };
            let key = |f: &str| -> &'static str {
                match (p, f) {
                    ("hot", "n") => "mip6.hot.nindex",
                    ("hot", "c") => "mip6.hot.cookie",
                    ("hot", _) => "mip6.hot.token",
                    ("cot", "n") => "mip6.cot.nindex",
                    ("cot", "c") => "mip6.cot.cookie",
                    // Wireshark 4.0 files the CoT's care-of keygen token under hot.token.
                    _ => "mip6.hot.token",
                }
            };
            push(o, key("n"), mh.nonce_index.unwrap());
            push(o, key("c"), hex(mh.cookie.as_ref().unwrap()));
            push(o, key("t"), hex(mh.keygen_token.as_ref().unwrap()));
        }
        7 => push(o, "mip6.be.haddr", mh.home_address.unwrap()),
        _ => {}
    }
    if let Some(a) = mh.care_of_address {
        push(o, "mip6.acoa.acoa", a);
    }
    if let Some(i) = mh.home_nonce_index {
        push(o, "mip6.ni.hni", i);
    }
    if let Some(i) = mh.careof_nonce_index {
        push(o, "mip6.ni.cni", i);
    }
    if let Some(i) = mh.refresh_interval {
        push(o, "mip6.bra.interval", i);
    }
}

fn ospf_fields(o: &mut Ours, ospf: &pcapkit::model::Ospf) {
    push(o, "ospf.version", ospf.version);
    push(o, "ospf.msg", ospf.kind);
    push(o, "ospf.packet_length", ospf.length);
    push(o, "ospf.srcrouter", ospf.router_id);
    push(o, "ospf.area_id", ospf.area_id);
    push(o, "ospf.checksum", format!("0x{:04x}", ospf.checksum));
    if let Some(a) = ospf.auth_type {
        push(o, "ospf.auth.type", a);
    }
    if let Some(i) = ospf.instance_id {
        push(o, "ospf.instance_id", i);
    }
    if let Some(m) = ospf.network_mask {
        push(o, "ospf.hello.network_mask", m);
    }
    if let Some(i) = ospf.interface_id {
        push(o, "ospf.hello.interface_id", i);
    }
    if let Some(i) = ospf.hello_interval {
        push(o, "ospf.hello.hello_interval", i);
    }
    if let Some(i) = ospf.dead_interval {
        push(o, "ospf.hello.router_dead_interval", i);
    }
    if let Some(p) = ospf.priority {
        push(o, "ospf.hello.router_priority", p);
    }
    if let Some(a) = ospf.dr {
        push(o, "ospf.hello.designated_router", a);
    }
    if let Some(a) = ospf.bdr {
        push(o, "ospf.hello.backup_designated_router", a);
    }
    for n in ospf.neighbors.iter().flatten() {
        push(o, "ospf.hello.active_neighbor", n);
    }
    if let Some(m) = ospf.mtu {
        push(o, "ospf.db.interface_mtu", m);
    }
    if let Some(s) = ospf.dd_seq {
        push(o, "ospf.db.dd_sequence", s);
    }
    if let Some(f) = ospf.dd_flags {
        push(o, "ospf.dbd", format!("0x{f:02x}"));
    }
    // Hello and DD options come before the LSA headers' options in tshark's order.
    if let Some(options) = ospf.options
        && ospf.version == 2
    {
        push(o, "ospf.v2.options", format!("0x{options:02x}"));
    }
    if let Some(c) = ospf.lsa_count {
        push(o, "ospf.ls.number_of_lsas", c);
    }
    for r in ospf.requests.iter().flatten() {
        push(o, "ospf.lsa", r.ls_type);
        push(o, "ospf.link_state_id", r.link_state_id);
        push(o, "ospf.advrouter", r.advertising_router);
    }
    for l in ospf.lsas.iter().flatten() {
        if ospf.version == 2 {
            push(o, "ospf.lsa", l.ls_type);
            if (9..=11).contains(&l.ls_type) {
                // tshark splits an opaque LSA's id into opaque type and id.
                push(o, "ospf.lsid_opaque_type", l.link_state_id.octets()[0]);
            } else {
                push(o, "ospf.lsa.id", l.link_state_id);
            }
            push(o, "ospf.lsa.age", l.age);
            push(
                o,
                "ospf.v2.options",
                format!("0x{:02x}", l.options.unwrap_or(0)),
            );
        }
        push(o, "ospf.advrouter", l.advertising_router);
        push(o, "ospf.lsa.seqnum", format!("0x{:08x}", l.seq));
        push(o, "ospf.lsa.chksum", format!("0x{:04x}", l.checksum));
        push(o, "ospf.lsa.length", l.length);
    }
    if ospf.version == 3 && ospf.kind == 1 {
        push(
            o,
            "ospf.v3.options",
            format!("0x{:06x}", ospf.options.unwrap_or(0)),
        );
    }
}

/// Compares every frame of `name` with its tshark JSON; returns (frames with an IP-suite
/// layer, values compared).
fn check_file(name: &str) -> Option<(usize, usize)> {
    let path = capture(name)?;
    let ours = frames(&path);
    let theirs = tshark_fields(&path);
    assert_eq!(ours.len(), theirs.len(), "{name}: frame count");
    let (mut with_layer, mut compared) = (0, 0);
    for (frame, fields) in ours.iter().zip(&theirs) {
        let o = ipsuite_fields(frame);
        if !o.is_empty() {
            with_layer += 1;
        }
        compared += compare(name, frame.number, &o, fields);
    }
    println!("{name}: {with_layer} frame(s) with IP-suite layers, {compared} values equal");
    Some((with_layer, compared))
}

#[test]
fn ipsec_ah_and_esp_match_wireshark() {
    let Some((with_layer, values)) = check_file("pcpp__ipsec.pcapng") else {
        return;
    };
    // Frame 1 AH+ESP, frame 2 ESP over IPv6, frame 3 AH tunnel mode.
    assert_eq!(with_layer, 3);
    assert_eq!(values, 14);
    let path = capture("pcpp__ipsec.pcapng").unwrap();
    let f = frames(&path);
    let Layer::Ah(ah) = &f[0].layers[2] else {
        panic!("frame 1 layer 3 is not AH: {:?}", f[0].protocol_chain())
    };
    assert_eq!((ah.spi, ah.seq, ah.next_header), (0x8179_b705, 3, 50));
    assert_eq!(
        f[0].protocol_chain().to_string(),
        "Ethernet:IPv4:AH:ESP:Raw"
    );
}

#[test]
fn esp_sequence_matches_wireshark() {
    let Some((frames, values)) = check_file("tcpdump__02-sunrise-sunset-esp.pcap") else {
        return;
    };
    assert_eq!((frames, values), (8, 16));
}

#[test]
fn mobility_header_matches_wireshark() {
    let Some((frames, values)) = check_file("tcpdump__ipv6_mobility_1.pcap") else {
        return;
    };
    assert_eq!(frames, 16);
    assert_eq!(values, 118);
}

#[test]
fn ospfv2_matches_wireshark() {
    let Some((frames, values)) = check_file("tcpdump__OSPFv2_Capture_FINAL.pcapng") else {
        return;
    };
    assert_eq!(frames, 30);
    assert_eq!(values, 955);
}

#[test]
fn ospf_gmpls_matches_wireshark() {
    let Some((frames, values)) = check_file("tcpdump__ospf-gmpls.pcap") else {
        return;
    };
    assert_eq!(frames, 3);
    assert_eq!(values, 48);
}

#[test]
fn ospfv3_over_ah_matches_wireshark() {
    let Some((frames, values)) = check_file("pcpp__ipv6_options.pcapng") else {
        return;
    };
    // Frames 1 and 4: IPv6 (extension headers) → AH → OSPFv3 Hello.
    assert_eq!(frames, 2);
    assert_eq!(values, 40);
}

#[test]
fn igmp_v3_query_matches_wireshark() {
    let Some((frames, values)) = check_file("pcpp__ipv4-options.pcap") else {
        return;
    };
    assert_eq!((frames, values), (1, 9));
}

/// One HIP frame as tshark shows it.
type HipFrame = (u64, u8, u8, u16, &'static [(u16, u16)]);

/// cutehip__hip.pcap: (frame, packet type, hdr_len, checksum, [(parameter type, length)]) as
/// tshark 4.0.17 prints them.
const HIP_FRAMES: &[HipFrame] = &[
    (3, 1, 6, 0x6455, &[(511, 6)]),
    (
        20,
        2,
        96,
        0x9613,
        &[
            (257, 36),
            (513, 67),
            (579, 6),
            (4095, 8),
            (705, 295),
            (715, 3),
            (511, 1),
            (2049, 2),
            (61633, 258),
        ],
    ),
    (
        23,
        3,
        71,
        0x8897,
        &[
            (65, 12),
            (321, 68),
            (513, 67),
            (579, 2),
            (4095, 4),
            (705, 167),
            (2049, 2),
            (61505, 32),
            (61697, 130),
        ],
    ),
    (40, 4, 44, 0x322d, &[(65, 12), (61569, 32), (61633, 258)]),
];

#[test]
fn hip_parameters_match_wireshark() {
    let Some(path) = capture("cutehip__hip.pcap") else {
        return;
    };
    let frames = frames(&path);
    let mut hip_frames = Vec::new();
    let mut esp = Vec::new();
    for frame in &frames {
        for layer in &frame.layers {
            match layer {
                Layer::Hip(hip) => hip_frames.push((frame.number, hip)),
                Layer::Esp(e) => esp.push((frame.number, e.spi, e.seq)),
                _ => {}
            }
        }
    }
    assert_eq!(hip_frames.len(), HIP_FRAMES.len());
    for ((number, hip), (n, kind, hdr_len, checksum, params)) in hip_frames.iter().zip(HIP_FRAMES) {
        assert_eq!(number, n);
        assert_eq!(
            (hip.packet_type, hip.hdr_len, hip.checksum),
            (*kind, *hdr_len, *checksum)
        );
        assert_eq!((hip.version, hip.next_header), (2, 59));
        let ours: Vec<(u16, u16)> = hip.parameters.iter().map(|p| (p.kind, p.len)).collect();
        assert_eq!(ours, *params, "frame {number}");
    }
    // tshark: hip.hit_sndr of frame 3.
    assert_eq!(
        hip_frames[0].1.sender_hit.to_string(),
        "2001:21:17ff:234:b200:ad27:767:f466"
    );
    assert_eq!(hip_frames[1].1.type_name, Some("R1"));
    // tshark: esp.spi 0x281f460f, sequence 1, 1, 2, 2, 3, 3 in frames 43 .. 75.
    assert_eq!(
        esp,
        [
            (43, 0x281f_460f, 1),
            (53, 0x281f_460f, 1),
            (57, 0x281f_460f, 2),
            (59, 0x281f_460f, 2),
            (68, 0x281f_460f, 3),
            (75, 0x281f_460f, 3)
        ]
    );
}
