//! Field-level comparison of the wireless and WAN link-type decoders (Radiotap, IEEE 802.11,
//! PPI, Frame Relay) with Wireshark's JSON (`<file>.tshark.json`) on the captures in
//! `../shared/captures`, read in place: every frame carrying the protocol is compared field by
//! field.

mod common;

use common::frames_and_tshark_layers as load;
use common::tshark_num as num;
use pcapkit::model::{Frame, FrameRelay, Ieee80211, Layer, Ppi, Radiotap};
use serde_json::Value;

/// A tshark field as text.
fn text<'a>(layer: &'a Value, field: &str) -> &'a str {
    layer[field]
        .as_str()
        .unwrap_or_else(|| panic!("tshark field {field} missing in {layer}"))
}

/// A flag field (`"0"`/`"1"`), found anywhere under `layer`.
fn flag(layer: &Value, field: &str) -> bool {
    find(layer, field).is_some_and(|v| v == "1")
}

/// A field's text anywhere under `layer` (tshark nests flags in `*_tree` objects).
fn find<'a>(layer: &'a Value, field: &str) -> Option<&'a str> {
    match layer {
        Value::Object(map) => map
            .get(field)
            .and_then(Value::as_str)
            .or_else(|| map.values().find_map(|v| find(v, field))),
        _ => None,
    }
}

fn radiotap(frame: &Frame) -> Option<&Radiotap> {
    frame.layers.iter().find_map(|l| match l {
        Layer::Radiotap(r) => Some(r),
        _ => None,
    })
}

fn wlan(frame: &Frame) -> Option<&Ieee80211> {
    frame.layers.iter().find_map(|l| match l {
        Layer::Ieee80211(w) => Some(&**w),
        _ => None,
    })
}

/// Compares our 802.11 record with tshark's `wlan` layer.
fn check_wlan(n: u64, w: &Ieee80211, t: &Value) {
    let fc = find(t, "wlan.fc").map_or_else(|| panic!("frame {n}: no wlan.fc"), |s| s.to_owned());
    assert_eq!(format!("0x{:04x}", w.frame_control), fc, "frame {n}");
    assert_eq!(
        i64::from(w.kind),
        num(&t["wlan.fc_tree"], "wlan.fc.type"),
        "frame {n}"
    );
    assert_eq!(
        i64::from(w.subtype),
        num(&t["wlan.fc_tree"], "wlan.fc.subtype"),
        "frame {n}"
    );
    assert_eq!(w.protected, flag(t, "wlan.fc.protected"), "frame {n}");
    assert_eq!(i64::from(w.duration), num(t, "wlan.duration"), "frame {n}");
    assert_eq!(w.addr1.to_string(), text(t, "wlan.ra"), "frame {n}");
    match w.addr2 {
        Some(ta) => assert_eq!(ta.to_string(), text(t, "wlan.ta"), "frame {n}"),
        None => assert!(t.get("wlan.ta").is_none(), "frame {n}"),
    }
    match w.seq {
        Some(seq) => {
            assert_eq!(i64::from(seq), num(t, "wlan.seq"), "frame {n}");
            assert_eq!(
                w.frag.map(i64::from),
                Some(num(t, "wlan.frag")),
                "frame {n}"
            );
        }
        None => assert!(t.get("wlan.seq").is_none(), "frame {n}"),
    }
}

#[test]
fn radiotap_and_80211_match_tshark() {
    let Some((frames, tshark)) = load("arkime__80211http.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let r = radiotap(frame).unwrap_or_else(|| panic!("frame {n}: no Radiotap"));
        let rt = &t["radiotap"];
        assert_eq!(i64::from(r.len), num(rt, "radiotap.length"), "frame {n}");
        assert_eq!(
            r.tsft.map(|v| v as i64),
            Some(num(rt, "radiotap.mactime")),
            "frame {n}"
        );
        assert_eq!(
            r.flags.map(i64::from),
            Some(num(rt, "radiotap.flags")),
            "frame {n}"
        );
        assert_eq!(r.fcs_at_end, flag(rt, "radiotap.flags.fcs"), "frame {n}");
        assert_eq!(
            r.rate.map(|v| f64::from(v) / 2.0),
            text(rt, "radiotap.datarate").parse().ok(),
            "frame {n}"
        );
        assert_eq!(
            r.channel_freq.map(i64::from),
            Some(num(rt, "radiotap.channel.freq"))
        );
        assert_eq!(
            r.channel_flags.map(i64::from),
            Some(num(rt, "radiotap.channel.flags"))
        );
        assert_eq!(
            r.antenna_signal.map(i64::from),
            Some(num(rt, "radiotap.dbm_antsignal"))
        );
        let w = wlan(frame).unwrap_or_else(|| panic!("frame {n}: no 802.11"));
        check_wlan(n, w, &t["wlan"]);
        // FCS excluded: the 802.11 record and the radiotap payload agree with the frame.
        assert_eq!(
            r.payload_len as usize,
            frame.len as usize - 36 - 4,
            "frame {n}"
        );
        assert_eq!(w.header_len + w.payload_len, r.payload_len, "frame {n}");
    }
    assert_eq!(
        frames[0].protocol_chain(),
        "Radiotap:IEEE802.11:LLC:IPv4:TCP"
    );
}

#[test]
fn bare_80211_matches_tshark() {
    let Some((frames, tshark)) = load("libpcap__Network_Join_Nokia_Mobile.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let w = wlan(frame).unwrap_or_else(|| panic!("frame {}: no 802.11", frame.number));
        check_wlan(frame.number, w, &t["wlan"]);
        assert_eq!(frame.error, None, "frame {}", frame.number);
    }
    // Frame 3 is a protected data frame: its body stays Raw.
    assert!(wlan(&frames[2]).unwrap().protected);
    assert_eq!(frames[2].protocol_chain(), "IEEE802.11:Raw");
}

#[test]
fn frame_relay_matches_tshark() {
    let Some((frames, tshark)) = load("arkime__icmp-frame-relay.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let fr: &FrameRelay = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::FrameRelay(f) => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no Frame Relay"));
        let tf = &t["fr"];
        assert_eq!(i64::from(fr.dlci), num(tf, "fr.dlci"), "frame {n}");
        assert_eq!(fr.fecn, flag(tf, "fr.fecn"), "frame {n}");
        assert_eq!(fr.becn, flag(tf, "fr.becn"), "frame {n}");
        assert_eq!(fr.de, flag(tf, "fr.de"), "frame {n}");
        assert_eq!(fr.cr, flag(tf, "fr.cr"), "frame {n}");
        assert_eq!(
            fr.ether_type.map(|e| i64::from(e.0)),
            Some(num(tf, "fr.chdlctype"))
        );
        assert!(
            frame.protocol_chain().starts_with("FrameRelay:IPv4:ICMP"),
            "frame {n}"
        );
    }
}

#[test]
fn ppi_matches_tshark() {
    let Some((frames, tshark)) = load("ndpi__someip_sd_sample.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let Some(Layer::Ppi(ppi)) = frame.layers.first() else {
            panic!("frame {n}: no PPI first");
        };
        let ppi: &Ppi = ppi;
        let tp = &t["ppi"];
        assert_eq!(i64::from(ppi.version), num(tp, "ppi.version"), "frame {n}");
        assert_eq!(i64::from(ppi.flags), num(tp, "ppi.flags"), "frame {n}");
        assert_eq!(i64::from(ppi.len), num(tp, "ppi.length"), "frame {n}");
        assert_eq!(i64::from(ppi.dlt), num(tp, "ppi.dlt"), "frame {n}");
        assert!(
            frame.protocol_chain().starts_with("PPI:Ethernet:IPv4:UDP"),
            "frame {n}"
        );
    }
}
