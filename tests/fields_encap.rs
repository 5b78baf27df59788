//! Field-level comparison of the encapsulation decoders (ERSPAN, VXLAN, Teredo, MPLS,
//! GENEVE) with Wireshark's JSON (`<file>.tshark.json`) on the captures in
//! `../shared/captures`, read in place: every frame carrying the protocol is compared field by
//! field.

mod common;

use common::frames_and_tshark_layers as load;
use pcapkit::model::Layer;
use serde_json::Value;

/// A tshark field as a decimal or `0x` hex number.
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

#[test]
fn erspan_and_vxlan_match_tshark() {
    let Some((frames, tshark)) = load("arkime__gre-erspan-vxlan.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let erspan = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::Erspan(e) => Some(e),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no ERSPAN in {}", frame.protocol_chain()));
        let te = &t["erspan"];
        assert_eq!(
            u64::from(erspan.version),
            num(te, "erspan.version"),
            "frame {n}"
        );
        assert_eq!(u64::from(erspan.vlan), num(te, "erspan.vlan"), "frame {n}");
        assert_eq!(u64::from(erspan.cos), num(te, "erspan.cos"), "frame {n}");
        assert_eq!(
            u64::from(erspan.encap),
            num(te, "erspan.encap"),
            "frame {n}"
        );
        assert_eq!(
            u64::from(erspan.truncated),
            num(te, "erspan.truncated"),
            "frame {n}"
        );
        assert_eq!(
            u64::from(erspan.session_id),
            num(te, "erspan.spanid"),
            "frame {n}"
        );
        assert_eq!(
            erspan.index.map(u64::from),
            Some(num(te, "erspan.index")),
            "frame {n}"
        );
        let vxlan = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::Vxlan(v) => Some(v),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no VXLAN"));
        let tv = &t["vxlan"];
        assert_eq!(
            u64::from(vxlan.flags) << 8,
            num(tv, "vxlan.flags"),
            "frame {n}"
        );
        assert_eq!(u64::from(vxlan.vni), num(tv, "vxlan.vni"), "frame {n}");
        assert!(
            frame
                .protocol_chain()
                .starts_with("Ethernet:IPv4:GRE:ERSPAN:Ethernet:IPv4:UDP:VXLAN:Ethernet:IPv4:TCP"),
            "frame {n}: {}",
            frame.protocol_chain()
        );
    }
}

#[test]
fn teredo_matches_tshark() {
    let Some((frames, tshark)) = load("ndpi__teredo.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    let mut with_origin = 0;
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let teredo = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::Teredo(t) => Some(t),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no Teredo in {}", frame.protocol_chain()));
        let tt = &t["teredo"];
        let auth = &tt["teredo.auth"];
        match teredo.auth_id_len {
            Some(id_len) => {
                assert_eq!(
                    u64::from(id_len),
                    num(auth, "teredo.auth.idlen"),
                    "frame {n}"
                );
                assert_eq!(
                    teredo.auth_value_len.map(u64::from),
                    Some(num(auth, "teredo.auth.aulen"))
                );
                let nonce = teredo.nonce.as_ref().unwrap().to_string();
                let theirs = auth["teredo.auth.nonce"].as_str().unwrap().replace(':', "");
                assert_eq!(nonce, theirs, "frame {n}");
                assert_eq!(
                    teredo.confirmation.map(u64::from),
                    Some(num(auth, "teredo.auth.conf"))
                );
            }
            None => assert!(auth.is_null(), "frame {n}: tshark has auth"),
        }
        let orig = &tt["teredo.orig"];
        match teredo.origin_port {
            Some(port) => {
                with_origin += 1;
                assert_eq!(u64::from(port), num(orig, "teredo.orig.port"), "frame {n}");
                assert_eq!(
                    teredo.origin_addr.unwrap().to_string(),
                    orig["teredo.orig.addr"].as_str().unwrap(),
                    "frame {n}"
                );
            }
            None => assert!(orig.is_null(), "frame {n}: tshark has an origin"),
        }
        assert!(
            frame
                .protocol_chain()
                .starts_with("Ethernet:IPv4:UDP:Teredo:IPv6"),
            "frame {n}"
        );
    }
    assert!(with_origin > 0);
}

#[test]
fn mpls_matches_tshark() {
    let Some((frames, tshark)) = load("pcpp__MplsPackets.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let mpls = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::Mpls(m) => Some(m),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no MPLS in {}", frame.protocol_chain()));
        // tshark's JSON repeats the `mpls.*` keys per label; the parsed object keeps the last,
        // the bottom of the stack.
        let tm = &t["mpls"];
        let bottom = mpls.labels.last().expect("a label");
        assert_eq!(u64::from(bottom.label), num(tm, "mpls.label"), "frame {n}");
        assert_eq!(u64::from(bottom.tc), num(tm, "mpls.exp"), "frame {n}");
        assert_eq!(
            u64::from(bottom.bottom),
            num(tm, "mpls.bottom"),
            "frame {n}"
        );
        assert_eq!(u64::from(bottom.ttl), num(tm, "mpls.ttl"), "frame {n}");
        assert_eq!(
            mpls.control_word.is_some(),
            t.get("pwethcw").is_some(),
            "frame {n}"
        );
    }
    assert_eq!(
        frames[0].protocol_chain(),
        "Ethernet:VLAN:VLAN:MPLS:IPv4:TCP:HTTP"
    );
    assert_eq!(
        frames[1].protocol_chain(),
        "Ethernet:MPLS:Ethernet:VLAN:IPv4:ICMP:Raw"
    );
}

/// GENEVE (UDP 6081) on zeek's capture: every header field and option against tshark's
/// `geneve.*` (tshark's option length counts the option's 4-byte header, pcapkit's `len` its
/// data, as the field carries it).
#[test]
fn geneve_matches_tshark() {
    let Some((frames, tshark)) = load("zeek__geneve.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    let mut compared = 0;
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let Some(g) = frame.layers.iter().find_map(|l| match l {
            Layer::Geneve(g) => Some(g),
            _ => None,
        }) else {
            assert!(t.get("geneve").is_none(), "frame {n}: tshark has geneve");
            continue;
        };
        let tg = &t["geneve"];
        assert_eq!(u64::from(g.version), num(tg, "geneve.version"), "{n}");
        assert_eq!(u64::from(g.opt_len), num(tg, "geneve.option.length"), "{n}");
        let flags = &tg["geneve.flags_tree"];
        assert_eq!(u64::from(g.oam), num(flags, "geneve.flags.oam"), "{n}");
        assert_eq!(
            u64::from(g.critical),
            num(flags, "geneve.flags.critical"),
            "{n}"
        );
        assert_eq!(
            u64::from(g.ether_type.0),
            num(tg, "geneve.proto_type"),
            "{n}"
        );
        assert_eq!(u64::from(g.vni), num(tg, "geneve.vni"), "{n}");
        let options = match &tg["geneve.options_tree"]["geneve.option_tree"] {
            Value::Array(list) => list.clone(),
            Value::Null => Vec::new(),
            one => vec![one.clone()],
        };
        assert_eq!(g.options.len(), options.len(), "{n}");
        for (o, to) in g.options.iter().zip(&options) {
            assert_eq!(u64::from(o.class), num(to, "geneve.option.class"), "{n}");
            assert_eq!(u64::from(o.kind), num(to, "geneve.option.type"), "{n}");
            assert_eq!(u64::from(o.len) + 4, num(to, "geneve.option.length"), "{n}");
        }
        compared += 1;
    }
    assert_eq!(compared, frames.len(), "every frame is GENEVE");
}
