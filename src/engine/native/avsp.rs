//! Arista Vendor Specific Protocol (Ethertype 0xD28B): the header Arista switches put between
//! the MAC addresses and the frame's Ethertype, as Wireshark 4.0 reads it (`packet-avsp.c`).
//!
//! A 16-bit subtype; subtype 1 (timestamp) then has a 16-bit version and the time: 64-bit
//! (version 0x10 TAI, 0x110 UTC: 32-bit seconds and nanoseconds) or 48-bit (0x20 TAI, 0x120
//! UTC: 16-bit seconds, 32-bit nanoseconds). The Ethertype of the frame follows. A timestamp of
//! an unknown version ends the dissection there, as in Wireshark.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ethertype, read};
use crate::model::{Avsp, EtherType, FieldValue, Layer, ProtoId};

/// The Ethertype that announces the header.
pub const ETHER_TYPE: EtherType = EtherType(0xd28b);

/// The timestamp subtype.
const TIMESTAMP: u16 = 1;

/// Decodes an AVSP header. A cut header keeps its subtype and version where they fit (a
/// partial layer, `note` set).
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let be16 = |at: usize| read::be16(data, at);
    let subtype = be16(0);
    let version = if subtype == Some(TIMESTAMP) {
        be16(2)
    } else {
        None
    };
    // The timestamp's seconds width, and where the Ethertype is.
    let (seconds_len, ether_type_at) = match (subtype, version) {
        (Some(TIMESTAMP), Some(0x10 | 0x110)) => (4, 12),
        (Some(TIMESTAMP), Some(0x20 | 0x120)) => (2, 10),
        (Some(TIMESTAMP), Some(v)) => {
            return Err(DecodeError::other(format!(
                "AVSP timestamp version 0x{v:x} is unknown"
            )));
        }
        (Some(TIMESTAMP), None) => (0, 4),
        _ => (0, 2),
    };
    let header_len = ether_type_at + 2;
    let Some(ether_type) = be16(ether_type_at) else {
        let why = DecodeError::truncated("AVSP header", header_len, data.len());
        let mut fields: Fields = Vec::new();
        fields.extend(subtype.map(|v| ("subtype", FieldValue::U16(v))));
        fields.extend(version.map(|v| ("version", FieldValue::U16(v))));
        return Ok(partial::keep(ProtoId::Avsp, data, fields, 0, why, note));
    };
    let (seconds, nanoseconds) = match seconds_len {
        4 => (read::be32(data, 4), read::be32(data, 8)),
        2 => (be16(4).map(u32::from), read::be32(data, 6)),
        _ => (None, None),
    };
    let ether_type = EtherType(ether_type);
    let payload_len = data.len() - header_len;
    Ok(Decoded {
        layer: Layer::Avsp(Avsp {
            subtype: subtype.unwrap_or(0),
            version,
            seconds,
            nanoseconds,
            ether_type,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next: next_protocol(ether_type),
    })
}

/// The protocol after the header. Wireshark hands the type to its Ethertype table directly, so
/// a value of 1500 or less (an 802.3 length after a VLAN tag) names nothing: the rest is data.
fn next_protocol(ether_type: EtherType) -> Option<ProtoId> {
    if ether_type.0 <= super::ethernet::MAX_802_3_LEN {
        None
    } else {
        by_ethertype(ether_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_timestamp_widths_and_other_subtypes() {
        // 64-bit TAI: 0x12345678 s, 999 ns, then IPv4.
        let mut f = vec![
            0, 1, 0, 0x10, 0x12, 0x34, 0x56, 0x78, 0, 0, 0x03, 0xe7, 0x08, 0x00,
        ];
        f.extend([0x45, 0]);
        let d = decode(&f, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Avsp(Avsp {
                subtype: 1,
                version: Some(0x10),
                seconds: Some(0x1234_5678),
                nanoseconds: Some(999),
                ether_type: EtherType::IPV4,
                header_len: 14,
                payload_len: 2,
            })
        );
        assert_eq!(d.next, Some(ProtoId::Ipv4));
        // 48-bit UTC: 16-bit seconds, then a VLAN tag.
        let f = [0, 1, 0x01, 0x20, 0, 7, 0, 0, 0, 9, 0x81, 0x00];
        let d = decode(&f, &mut None).unwrap();
        let Layer::Avsp(a) = &d.layer else { panic!() };
        assert_eq!(
            (a.seconds, a.nanoseconds, a.header_len),
            (Some(7), Some(9), 12)
        );
        assert_eq!(d.next, Some(ProtoId::Vlan));
        // Another subtype: the Ethertype right after it.
        let d = decode(&[0, 2, 0x88, 0x47], &mut None).unwrap();
        assert_eq!((d.header_len, d.next), (4, Some(ProtoId::Mpls)));
        // A type of 1500 or less is not an 802.3 length here: tshark 4.0.17 gives
        // `eth:ethertype:avsp:ethertype:data` (types 0x0040 and 0x05dc before an LLC header).
        for ether_type in [0x0040u16, 0x05dc] {
            let mut f = vec![0, 2];
            f.extend(ether_type.to_be_bytes());
            f.extend([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
            let d = decode(&f, &mut None).unwrap();
            assert_eq!((d.header_len, d.payload_len, d.next), (4, 8, None));
        }
    }

    #[test]
    fn unknown_versions_and_cut_headers() {
        assert_eq!(
            decode(&[0, 1, 0, 0x30, 0, 0], &mut None)
                .err()
                .unwrap()
                .to_string(),
            "AVSP timestamp version 0x30 is unknown"
        );
        let mut note = None;
        let d = decode(&[0, 1, 0, 0x10, 1, 2], &mut note).unwrap();
        let Layer::Partial(cut) = &d.layer else {
            panic!()
        };
        assert_eq!(
            cut.fields,
            [
                ("subtype", FieldValue::U16(1)),
                ("version", FieldValue::U16(0x10))
            ]
        );
        assert_eq!(
            note.unwrap().to_string(),
            "AVSP header needs 14 bytes, 6 captured"
        );
    }
}
