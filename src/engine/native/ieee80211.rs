//! IEEE 802.11 MAC header (bare as link type 105, or behind radiotap and PPI).
//!
//! The frame control field gives the type (management, control, data, extension), subtype
//! and flags, and with them the header's layout: management frames have three addresses and
//! a sequence control (24 bytes); control frames one or two addresses (ACK and CTS 10 bytes,
//! the rest 16); data frames 24 bytes, a fourth address when both To DS and From DS are set,
//! a QoS control field for QoS subtypes, and an HT control field when a QoS frame has the
//! +HTC/Order bit. A data frame with a body carries an 802.2 LLC header, unless it is
//! protected (its body is encrypted and left `Raw`) or an A-MSDU.

use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{Ieee80211, Layer, MacAddr, ProtoId};

/// Flag bits of the frame control field's second byte.
pub mod flags {
    /// To DS.
    pub const TO_DS: u8 = 0x01;
    /// From DS.
    pub const FROM_DS: u8 = 0x02;
    /// Protected frame: the body is encrypted.
    pub const PROTECTED: u8 = 0x40;
    /// +HTC / Order.
    pub const ORDER: u8 = 0x80;
}

/// Length of the shortest header (frame control, duration, one address: ACK, CTS).
pub const MIN_HEADER_LEN: usize = 10;

/// Frame types.
pub mod kind {
    /// Management frames.
    pub const MANAGEMENT: u8 = 0;
    /// Control frames.
    pub const CONTROL: u8 = 1;
    /// Data frames.
    pub const DATA: u8 = 2;
}

/// QoS control bit: the body is an A-MSDU.
const QOS_AMSDU: u16 = 0x0080;

/// The name of a frame type.
fn type_name(kind: u8) -> &'static str {
    match kind {
        kind::MANAGEMENT => "management",
        kind::CONTROL => "control",
        kind::DATA => "data",
        _ => "extension",
    }
}

/// The name of a subtype of `kind`, if known.
pub fn subtype_name(kind: u8, subtype: u8) -> Option<&'static str> {
    Some(match (kind, subtype) {
        (0, 0) => "Association Request",
        (0, 1) => "Association Response",
        (0, 2) => "Reassociation Request",
        (0, 3) => "Reassociation Response",
        (0, 4) => "Probe Request",
        (0, 5) => "Probe Response",
        (0, 6) => "Timing Advertisement",
        (0, 8) => "Beacon",
        (0, 9) => "ATIM",
        (0, 10) => "Disassociation",
        (0, 11) => "Authentication",
        (0, 12) => "Deauthentication",
        (0, 13) => "Action",
        (0, 14) => "Action No Ack",
        (1, 4) => "Beamforming Report Poll",
        (1, 5) => "VHT NDP Announcement",
        (1, 7) => "Control Wrapper",
        (1, 8) => "Block Ack Request",
        (1, 9) => "Block Ack",
        (1, 10) => "PS-Poll",
        (1, 11) => "RTS",
        (1, 12) => "CTS",
        (1, 13) => "ACK",
        (1, 14) => "CF-End",
        (1, 15) => "CF-End + CF-Ack",
        (2, 0) => "Data",
        (2, 1) => "Data + CF-Ack",
        (2, 2) => "Data + CF-Poll",
        (2, 3) => "Data + CF-Ack + CF-Poll",
        (2, 4) => "Null",
        (2, 5) => "CF-Ack",
        (2, 6) => "CF-Poll",
        (2, 7) => "CF-Ack + CF-Poll",
        (2, 8) => "QoS Data",
        (2, 9) => "QoS Data + CF-Ack",
        (2, 10) => "QoS Data + CF-Poll",
        (2, 11) => "QoS Data + CF-Ack + CF-Poll",
        (2, 12) => "QoS Null",
        (2, 14) => "QoS CF-Poll",
        (2, 15) => "QoS CF-Ack + CF-Poll",
        _ => return None,
    })
}

/// The header length a frame control field announces.
fn header_len(kind: u8, subtype: u8, fc_flags: u8) -> usize {
    match kind {
        kind::MANAGEMENT => 24 + if fc_flags & flags::ORDER != 0 { 4 } else { 0 },
        // ACK and CTS: one address; the others two (a Control Wrapper's carried frame
        // control and HT control take the second address's place).
        kind::CONTROL => match subtype {
            12 | 13 => 10,
            _ => 16,
        },
        kind::DATA => {
            let four = fc_flags & (flags::TO_DS | flags::FROM_DS) == flags::TO_DS | flags::FROM_DS;
            let qos = subtype & 0x08 != 0;
            24 + if four { 6 } else { 0 }
                + if qos { 2 } else { 0 }
                + if qos && fc_flags & flags::ORDER != 0 {
                    4
                } else {
                    0
                }
        }
        _ => MIN_HEADER_LEN,
    }
}

/// Decodes an 802.11 MAC header; `declared` is the frame's length, FCS excluded.
pub fn decode(data: &[u8], declared: usize) -> DecodeResult {
    let Some(&[fc0, fc_flags, ..]) = data.first_chunk::<MIN_HEADER_LEN>() else {
        return Err(DecodeError::truncated(
            "IEEE 802.11 header",
            MIN_HEADER_LEN,
            data.len(),
        ));
    };
    let kind = (fc0 >> 2) & 0x03;
    let subtype = fc0 >> 4;
    let header_len = header_len(kind, subtype, fc_flags);
    if data.len() < header_len {
        return Err(DecodeError::truncated(
            "IEEE 802.11 header",
            header_len,
            data.len(),
        ));
    }
    let mac = |at: usize| MacAddr::from_slice(data.get(at..).unwrap_or_default());
    let le16 = |at: usize| {
        data.get(at..)
            .and_then(<[u8]>::first_chunk::<2>)
            .map(|b| u16::from_le_bytes(*b))
    };
    let addr1 = mac(4).unwrap_or_default();
    let (addr2, addr3, addr4, seq_ctl, qos_control) = match kind {
        kind::MANAGEMENT => (mac(10), mac(16), None, le16(22), None),
        kind::CONTROL if header_len >= 16 => (mac(10), None, None, None, None),
        kind::DATA => {
            let four =
                header_len >= 30 && fc_flags & flags::FROM_DS != 0 && fc_flags & flags::TO_DS != 0;
            let qos_at = if four { 30 } else { 24 };
            let qos = (subtype & 0x08 != 0).then(|| le16(qos_at)).flatten();
            (
                mac(10),
                mac(16),
                if four { mac(24) } else { None },
                le16(22),
                qos,
            )
        }
        _ => (None, None, None, None, None),
    };
    let protected = fc_flags & flags::PROTECTED != 0;
    let has_body = kind == kind::DATA && subtype & 0x04 == 0;
    let amsdu = qos_control.is_some_and(|q| q & QOS_AMSDU != 0);
    let payload_len = declared.max(data.len()).saturating_sub(header_len);
    Ok(Decoded {
        layer: Layer::Ieee80211(Box::new(Ieee80211 {
            frame_control: u16::from_be_bytes([fc0, fc_flags]),
            kind,
            type_name: type_name(kind),
            subtype,
            subtype_name: subtype_name(kind, subtype),
            flags: fc_flags,
            protected,
            duration: le16(2).unwrap_or(0),
            addr1,
            addr2,
            addr3,
            addr4,
            seq: seq_ctl.map(|s| s >> 4),
            frag: seq_ctl.map(|s| (s & 0x0f) as u8),
            qos_control,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        })),
        header_len,
        payload_len,
        next: (has_body && !protected && !amsdu && payload_len > 0).then_some(ProtoId::Llc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wlan_of(d: &Decoded) -> &Ieee80211 {
        let Layer::Ieee80211(w) = &d.layer else {
            panic!("not 802.11")
        };
        w
    }

    const A: [u8; 6] = [0x88, 0x25, 0x93, 0x40, 0x6b, 0x6f];
    const B: [u8; 6] = [0xf8, 0xa9, 0xd0, 0x1e, 0x90, 0xa3];

    /// arkime__80211http.pcap frame 1's 802.11 header (data, To DS), then LLC/SNAP.
    fn data_frame() -> Vec<u8> {
        let mut f = vec![0x08, 0x01, 0x02, 0x01];
        f.extend(A);
        f.extend(B);
        f.extend(A);
        f.extend([0x20, 0xb7]);
        f.extend([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        f
    }

    #[test]
    fn data_frame_decodes_every_field() {
        let f = data_frame();
        let d = decode(&f, f.len()).unwrap();
        assert_eq!(
            *wlan_of(&d),
            Ieee80211 {
                frame_control: 0x0801,
                kind: 2,
                type_name: "data",
                subtype: 0,
                subtype_name: Some("Data"),
                flags: 0x01,
                protected: false,
                duration: 0x0102,
                addr1: MacAddr(A),
                addr2: Some(MacAddr(B)),
                addr3: Some(MacAddr(A)),
                addr4: None,
                seq: Some(0xb72),
                frag: Some(0),
                qos_control: None,
                header_len: 24,
                payload_len: 8,
            }
        );
        assert_eq!(d.next, Some(ProtoId::Llc));
    }

    #[test]
    fn qos_four_address_and_htc() {
        // QoS data (subtype 8), To DS + From DS + Order: 30 + 2 + 4 bytes.
        let mut f = vec![0x88, 0x83, 0, 0];
        f.extend([A, B, A].concat());
        f.extend([0x10, 0x00]);
        f.extend(B);
        f.extend([0x05, 0x00]); // QoS control, TID 5
        f.extend([0, 0, 0, 0]); // HT control
        f.extend([0xaa, 0xaa, 0x03]);
        let d = decode(&f, f.len()).unwrap();
        let w = wlan_of(&d);
        assert_eq!(
            (w.addr4, w.qos_control, w.seq),
            (Some(MacAddr(B)), Some(5), Some(1))
        );
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (36, 3, Some(ProtoId::Llc))
        );
        // A-MSDU bodies are not LLC.
        f[30] = 0x85;
        assert_eq!(decode(&f, f.len()).unwrap().next, None);
        assert_eq!(
            decode(&f[..35], 35).err().unwrap().to_string(),
            "IEEE 802.11 header needs 36 bytes, 35 captured"
        );
    }

    #[test]
    fn protected_and_null_frames_have_no_llc() {
        let mut f = data_frame();
        f[1] |= flags::PROTECTED;
        let d = decode(&f, f.len()).unwrap();
        assert!(wlan_of(&d).protected);
        assert_eq!(d.next, None);
        // Null function (subtype 4): no body.
        let mut null = data_frame();
        null[0] = 0x48;
        assert_eq!(decode(&null[..24], 24).unwrap().next, None);
    }

    #[test]
    fn control_and_management_frames() {
        // libpcap__Network_Join_Nokia_Mobile.pcap frame 4: ACK, 10 bytes.
        let ack = [0xd4, 0x00, 0x00, 0x00, 0x00, 0x16, 0xbc, 0x3d, 0xaa, 0x57];
        let d = decode(&ack, 10).unwrap();
        let w = wlan_of(&d);
        assert_eq!(
            (w.kind, w.subtype_name, w.addr2, w.seq),
            (1, Some("ACK"), None, None)
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (10, 0, None));
        // RTS: 16 bytes, two addresses.
        let mut rts = vec![0xb4, 0x00, 0, 0];
        rts.extend([A, B].concat());
        let d = decode(&rts, 16).unwrap();
        assert_eq!(wlan_of(&d).addr2, Some(MacAddr(B)));
        assert!(decode(&rts[..15], 15).is_err());
        // Beacon: 24 bytes, then the body (left Raw).
        let mut beacon = vec![0x80, 0x00, 0, 0];
        beacon.extend([[0xff; 6], A, A].concat());
        beacon.extend([0x30, 0x27, 1, 2, 3]);
        let d = decode(&beacon, beacon.len()).unwrap();
        let w = wlan_of(&d);
        assert_eq!(
            (w.type_name, w.subtype_name, w.seq),
            ("management", Some("Beacon"), Some(0x273))
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (24, 3, None));
    }

    #[test]
    fn short_frames_are_errors() {
        assert_eq!(
            decode(&[0x08, 0x01, 0, 0, 0, 0, 0, 0, 0], 9)
                .err()
                .unwrap()
                .to_string(),
            "IEEE 802.11 header needs 10 bytes, 9 captured"
        );
        let f = data_frame();
        assert_eq!(
            decode(&f[..23], 23).err().unwrap().to_string(),
            "IEEE 802.11 header needs 24 bytes, 23 captured"
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x8021_1802_1180_2118u64;
        for _ in 0..300 {
            let bytes = super::super::test_random_bytes(&mut seed, 48);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], len);
                let _ = decode(&bytes[..len], 0);
            }
        }
    }
}
