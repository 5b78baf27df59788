//! VXLAN (RFC 7348), UDP port 4789: an 8-byte header (flags with the I bit, 24-bit VNI) in
//! front of an Ethernet frame.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{FieldValue, Layer, ProtoId, Vxlan};

/// The VXLAN port.
pub const PORT: u16 = 4789;

/// Length of the header.
pub const HEADER_LEN: usize = 8;

/// The I flag: the VNI is valid.
pub const FLAG_I: u8 = 0x08;

/// Whether a UDP payload on the VXLAN port is VXLAN: a whole header with the I flag set (the
/// other flag bits vary: group-based policy, GPE; Wireshark checks none).
pub fn is_vxlan(payload: &[u8]) -> bool {
    payload
        .first_chunk::<HEADER_LEN>()
        .is_some_and(|h| h[0] & FLAG_I != 0)
}

/// Whether a payload on the VXLAN port, cut inside its header, is VXLAN as far as it is
/// captured: the I flag set (tshark names `vxlan` from one byte on).
pub fn is_cut_vxlan(payload: &[u8]) -> bool {
    payload.len() < HEADER_LEN && payload.first().is_some_and(|&b| b & FLAG_I != 0)
}

/// Decodes a VXLAN header. A header cut short is a partial layer (`note` says where): the
/// flags once 2 bytes are captured, the VNI once 7 are, as tshark shows them.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let Some(h) = data.first_chunk::<HEADER_LEN>() else {
        let mut fields = Fields::with_capacity(2);
        if let [flags, _, ..] = *data {
            fields.push(("flags", FieldValue::U8(flags)));
        }
        if let [.., a, b, c] = *data.get(..7).unwrap_or_default() {
            fields.push(("vni", FieldValue::U32(u32::from_be_bytes([0, a, b, c]))));
        }
        let why = DecodeError::truncated("VXLAN header", HEADER_LEN, data.len());
        return Ok(partial::keep(ProtoId::Vxlan, data, fields, 0, why, note));
    };
    let payload_len = declared.max(data.len()) - HEADER_LEN;
    Ok(Decoded {
        layer: Layer::Vxlan(Vxlan {
            flags: h[0],
            vni: u32::from_be_bytes([0, h[4], h[5], h[6]]),
            header_len: HEADER_LEN as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN,
        payload_len,
        next: Some(ProtoId::Ethernet),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_field() {
        let frame = [0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0, 0xff];
        assert!(is_vxlan(&frame));
        let d = decode(&frame, 9, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Vxlan(Vxlan {
                flags: 8,
                vni: 0x123456,
                header_len: 8,
                payload_len: 1,
            })
        );
        assert_eq!(d.next, Some(ProtoId::Ethernet));
        // Max VNI, declared beyond the captured bytes.
        let max = [0x88, 0, 0, 0, 0xff, 0xff, 0xff, 0];
        assert!(is_vxlan(&max));
        let d = decode(&max, 100, &mut None).unwrap();
        assert_eq!(d.payload_len, 92);
    }

    #[test]
    fn flags_and_length_confirm() {
        assert!(!is_vxlan(&[0x00, 0, 0, 0, 0, 0, 1, 0]));
        // arkime__gre-erspan-vxlan.pcap: flags 0x0c, group policy 3.
        assert!(is_vxlan(&[0x0c, 0, 0, 3, 0, 0, 0, 0]));
        assert!(!is_vxlan(&[0x04, 0, 0, 0, 0, 0, 1, 0]));
        assert!(!is_vxlan(&[0x08, 0, 0, 0, 0, 0, 1]));
    }

    #[test]
    fn a_cut_header_keeps_the_fields_tshark_shows() {
        let header = [0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0];
        let fields_at = |n: usize| {
            let mut note = None;
            let d = decode(&header[..n], 50, &mut note).unwrap();
            assert_eq!(
                note.unwrap().to_string(),
                format!("VXLAN header needs 8 bytes, {n} captured")
            );
            let Layer::Partial(p) = d.layer else {
                panic!("not partial")
            };
            assert_eq!(
                (p.proto, p.header_len, d.next),
                (ProtoId::Vxlan, n as u32, None)
            );
            p.fields
        };
        assert_eq!(fields_at(1), vec![]);
        assert_eq!(fields_at(2), vec![("flags", FieldValue::U8(8))]);
        assert_eq!(fields_at(6), vec![("flags", FieldValue::U8(8))]);
        assert_eq!(
            fields_at(7),
            vec![
                ("flags", FieldValue::U8(8)),
                ("vni", FieldValue::U32(0x123456))
            ]
        );
    }
}
