//! Field-level comparison of the service decoders (DHCP, NTP, PIM) with Wireshark's JSON
//! (`<file>.tshark.json`) on the captures in `../shared/captures`, read in place: every frame
//! carrying the protocol is compared field by field.

mod common;

use common::frames_and_tshark_layers as load;
use common::tshark_num as num;
use pcapkit::model::Layer;
use serde_json::Value;

/// A tshark field as a decimal or `0x` hex number.
#[test]
fn dhcp_matches_tshark() {
    let Some((frames, tshark)) = load("pcapng-testgen__be_test001.pcapng") else {
        return;
    };
    let mut seen = 0;
    for (frame, t) in frames.iter().zip(&tshark) {
        let Some(td) = t.get("dhcp") else { continue };
        let n = frame.number;
        let d = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::Dhcp(d) => Some(d),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no DHCP in {}", frame.protocol_chain()));
        seen += 1;
        assert_eq!(i64::from(d.op), num(td, "dhcp.type"), "frame {n}");
        assert_eq!(i64::from(d.htype), num(td, "dhcp.hw.type"), "frame {n}");
        assert_eq!(i64::from(d.hlen), num(td, "dhcp.hw.len"), "frame {n}");
        assert_eq!(i64::from(d.hops), num(td, "dhcp.hops"), "frame {n}");
        assert_eq!(i64::from(d.xid), num(td, "dhcp.id"), "frame {n}");
        assert_eq!(i64::from(d.secs), num(td, "dhcp.secs"), "frame {n}");
        assert_eq!(i64::from(d.flags), num(td, "dhcp.flags"), "frame {n}");
        for (ours, field) in [
            (d.ciaddr, "dhcp.ip.client"),
            (d.yiaddr, "dhcp.ip.your"),
            (d.siaddr, "dhcp.ip.server"),
            (d.giaddr, "dhcp.ip.relay"),
        ] {
            assert_eq!(
                ours.to_string(),
                td[field].as_str().unwrap(),
                "frame {n} {field}"
            );
        }
        assert_eq!(
            d.chaddr.to_string(),
            td["dhcp.hw.mac_addr"].as_str().unwrap()
        );
        assert_eq!(frame.error, None, "frame {n}");
    }
    assert!(seen > 0, "no DHCP frame compared");
}

#[test]
fn ntp_matches_tshark() {
    let Some((frames, tshark)) = load("zeek__ntp.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let ntp = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::Ntp(x) => Some(x),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no NTP in {}", frame.protocol_chain()));
        let tn = &t["ntp"];
        let flags = (ntp.leap << 6) | (ntp.version << 3) | ntp.mode;
        assert_eq!(i64::from(flags), num(tn, "ntp.flags"), "frame {n}");
        assert_eq!(
            ntp.stratum.map(i64::from),
            Some(num(tn, "ntp.stratum")),
            "frame {n}"
        );
        assert_eq!(
            ntp.poll.map(i64::from),
            Some(num(tn, "ntp.ppoll")),
            "frame {n}"
        );
        // tshark shows the (signed) precision byte unsigned.
        assert_eq!(
            ntp.precision.map(|p| i64::from(p as u8)),
            Some(num(tn, "ntp.precision"))
        );
        let refid = ntp.ref_id.unwrap().to_be_bytes();
        let refid = refid.map(|b| format!("{b:02x}")).join(":");
        if tn["ntp.refid"].as_str().is_some_and(|s| s.contains(':')) {
            assert_eq!(refid, tn["ntp.refid"].as_str().unwrap(), "frame {n}");
        }
        // A zero timestamp is tshark's NULL.
        for (ours, field) in [
            (ntp.ref_ts, "ntp.reftime"),
            (ntp.orig_ts, "ntp.org"),
            (ntp.recv_ts, "ntp.rec"),
            (ntp.xmit_ts, "ntp.xmt"),
        ] {
            assert_eq!(ours == Some(0), tn[field] == "NULL", "frame {n} {field}");
        }
    }
}

#[test]
fn pim_hellos_match_tshark() {
    let Some((frames, tshark)) = load("tcpdump__PIMv2_hellos.pcap") else {
        return;
    };
    assert_eq!(frames.len(), tshark.len());
    for (frame, t) in frames.iter().zip(&tshark) {
        let n = frame.number;
        let pim = frame
            .layers
            .iter()
            .find_map(|l| match l {
                Layer::Pim(p) => Some(p),
                _ => None,
            })
            .unwrap_or_else(|| panic!("frame {n}: no PIM in {}", frame.protocol_chain()));
        let tp = &t["pim"];
        assert_eq!(i64::from(pim.version), num(tp, "pim.version"), "frame {n}");
        assert_eq!(i64::from(pim.kind), num(tp, "pim.type"), "frame {n}");
        assert_eq!(i64::from(pim.checksum), num(tp, "pim.cksum"), "frame {n}");
        // serde_json orders tshark's object keys by name: compare the options sorted.
        let mut theirs: Vec<(i64, i64)> = tp["pim.option"]
            .as_object()
            .expect("pim.option")
            .values()
            .map(|o| (num(o, "pim.optiontype"), num(o, "pim.optionlength")))
            .collect();
        let mut ours: Vec<(i64, i64)> = pim
            .options
            .as_ref()
            .unwrap()
            .iter()
            .map(|o| (i64::from(o.code), i64::from(o.len)))
            .collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs, "frame {n}");
        let holdtime = tp["pim.option"]
            .as_object()
            .unwrap()
            .values()
            .find_map(|o| o.get("pim.holdtime").and_then(Value::as_str));
        assert_eq!(pim.holdtime.map(|h| h.to_string()).as_deref(), holdtime);
    }
}
