//! GTP-U, the GPRS Tunnelling Protocol's user plane (3GPP TS 29.281), on UDP port 2152.
//!
//! An 8-byte header (flags, message type, length, TEID), 4 more bytes (sequence number, N-PDU
//! number, next extension type) when any of the E, S, PN flags is set, then the extension
//! headers, each `4 × n` bytes long ending with the next one's type. A G-PDU (type 255)
//! carries an IPv4 or IPv6 packet, chosen by its version nibble.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, ip_by_version};
use crate::model::{FieldValue, Gtp, Layer, ProtoId};

/// Length of the mandatory header.
pub const HEADER_LEN: usize = 8;

/// Length of the optional sequence number, N-PDU number and next extension type.
pub const OPTIONAL_LEN: usize = 4;

/// The G-PDU message type: user data follows.
pub const G_PDU: u8 = 255;

/// The most extension headers read; more is an error.
pub const MAX_EXTENSIONS: usize = 16;

/// Flag bits of the first byte.
pub mod flags {
    /// Protocol type: 1 GTP, 0 GTP'.
    pub const PT: u8 = 0x10;
    /// Extension header flag.
    pub const E: u8 = 0x04;
    /// Sequence number flag.
    pub const S: u8 = 0x02;
    /// N-PDU number flag.
    pub const PN: u8 = 0x01;
}

/// The name of a GTPv1-U message type, if known.
pub fn message_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "Echo Request",
        2 => "Echo Response",
        26 => "Error Indication",
        31 => "Supported Extension Headers Notification",
        253 => "Tunnel Status",
        254 => "End Marker",
        255 => "G-PDU",
        _ => return None,
    })
}

/// Whether `payload` (a UDP payload, possibly cut by the snap length or an IP fragment's end)
/// is plausibly GTP-U: version 1, PT 1, a known message type, and a length that covers the
/// captured bytes.
pub fn is_gtp_u(payload: &[u8]) -> bool {
    match payload.get(..4) {
        Some(&[first, kind, hi, lo]) => {
            first >> 5 == 1
                && first & flags::PT != 0
                && message_type_name(kind).is_some()
                && usize::from(u16::from_be_bytes([hi, lo])) + HEADER_LEN >= payload.len()
        }
        _ => false,
    }
}

/// Whether a payload on the GTP-U port, cut before its length field, is GTP-U as far as it is
/// captured: version 1, PT 1 and a known message type (tshark names `gtp` from two bytes on).
pub fn is_cut_gtp_u(payload: &[u8]) -> bool {
    matches!(payload, &[first, kind] | &[first, kind, _]
        if first >> 5 == 1 && first & flags::PT != 0 && message_type_name(kind).is_some())
}

/// The partial layer of a GTP-U header cut before its `needed` bytes, as tshark shows it:
/// version, flags and message type (and its name) from 2 bytes, the length from 4, the TEID from 8, then the
/// sequence number (from 10) and N-PDU number (from 11) only when their flags are set.
fn cut(data: &[u8], needed: usize, note: &mut Option<DecodeError>) -> Decoded {
    let mut fields = Fields::with_capacity(7);
    if let [first, message_type, ..] = *data {
        fields.push(("version", FieldValue::U8(first >> 5)));
        fields.push(("flags", FieldValue::U8(first)));
        fields.push(("message_type", FieldValue::U8(message_type)));
        if let Some(name) = message_type_name(message_type) {
            fields.push(("message_type_name", FieldValue::Str(name)));
        }
        if let Some(len) = partial::be16(data, 2) {
            fields.push(("len", FieldValue::U16(len)));
        }
        if let Some(teid) = partial::be32(data, 4) {
            fields.push(("teid", FieldValue::U32(teid)));
        }
        if let Some(seq) = partial::be16(data, HEADER_LEN).filter(|_| first & flags::S != 0) {
            fields.push(("seq", FieldValue::U16(seq)));
        }
        if let Some(&npdu) = data.get(HEADER_LEN + 2).filter(|_| first & flags::PN != 0) {
            fields.push(("npdu", FieldValue::U8(npdu)));
        }
    }
    let why = DecodeError::truncated("GTP-U header", needed, data.len());
    partial::keep(ProtoId::Gtp, data, fields, 0, why, note)
}

/// Decodes a GTP-U header; the payload length comes from its length field. A header cut
/// short (before its extension headers) is a partial layer (`note` says where) with the
/// fields that fit.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let Some(fixed) = data.first_chunk::<HEADER_LEN>() else {
        return Ok(cut(data, HEADER_LEN, note));
    };
    let first = fixed[0];
    let message_type = fixed[1];
    let len = u16::from_be_bytes([fixed[2], fixed[3]]);
    let teid = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
    let mut header_len = HEADER_LEN;
    let (mut seq, mut npdu, mut extensions) = (None, None, Vec::new());
    if first & (flags::E | flags::S | flags::PN) != 0 {
        let needed = HEADER_LEN + OPTIONAL_LEN;
        let Some(&[seq_hi, seq_lo, npdu_number, next_type]) = data.get(HEADER_LEN..needed) else {
            return Ok(cut(data, needed, note));
        };
        seq = Some(u16::from_be_bytes([seq_hi, seq_lo]));
        npdu = Some(npdu_number);
        header_len = needed;
        let mut next = if first & flags::E != 0 { next_type } else { 0 };
        while next != 0 {
            if extensions.len() == MAX_EXTENSIONS {
                return Err(DecodeError::other(format!(
                    "GTP-U has more than {MAX_EXTENSIONS} extension headers"
                )));
            }
            extensions.push(next);
            let units = data.get(header_len).copied().unwrap_or(0);
            if units == 0 {
                return Err(DecodeError::other(format!(
                    "GTP-U extension header at offset {header_len} has length 0 or is not captured"
                )));
            }
            let end = header_len + 4 * usize::from(units);
            let Some(&following) = data.get(end - 1) else {
                return Err(DecodeError::truncated(
                    "GTP-U extension header",
                    end,
                    data.len(),
                ));
            };
            next = following;
            header_len = end;
        }
    }
    let payload_len = (usize::from(len) + HEADER_LEN).saturating_sub(header_len);
    let payload = data.get(header_len..).unwrap_or_default();
    Ok(Decoded {
        layer: Layer::Gtp(Gtp {
            version: first >> 5,
            flags: first,
            message_type,
            message_type_name: message_type_name(message_type),
            len,
            teid,
            seq,
            npdu,
            extensions,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next: if message_type == G_PDU {
            ip_by_version(payload)
        } else {
            None
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A G-PDU with S set (sequence 7), TEID 0x1234, carrying 4 bytes of an IPv4 header.
    const WITH_SEQ: [u8; 16] = [
        0x32, 0xff, 0x00, 0x08, 0x00, 0x00, 0x12, 0x34, 0x00, 0x07, 0x00, 0x00, 0x45, 0x00, 0x00,
        0x14,
    ];

    fn gtp_of(d: &Decoded) -> &Gtp {
        let Layer::Gtp(g) = &d.layer else {
            panic!("not GTP")
        };
        g
    }

    #[test]
    fn decodes_every_field() {
        let d = decode(&WITH_SEQ, &mut None).unwrap();
        assert_eq!(
            *gtp_of(&d),
            Gtp {
                version: 1,
                flags: 0x32,
                message_type: 255,
                message_type_name: Some("G-PDU"),
                len: 8,
                teid: 0x1234,
                seq: Some(7),
                npdu: Some(0),
                extensions: vec![],
                header_len: 12,
                payload_len: 4,
            }
        );
        assert_eq!((d.header_len, d.next), (12, Some(ProtoId::Ipv4)));
        assert!(is_gtp_u(&WITH_SEQ));
        assert!(is_gtp_u(&WITH_SEQ[..10]));
        let mut long = WITH_SEQ.to_vec();
        long.push(0);
        assert!(!is_gtp_u(&long));
    }

    #[test]
    fn minimal_header_and_echo() {
        let echo = [0x30, 0x01, 0x00, 0x00, 0, 0, 0, 0];
        let d = decode(&echo, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 0, None));
        assert_eq!(gtp_of(&d).message_type_name, Some("Echo Request"));
        // GTP' (PT 0) and version 2 are not GTP-U.
        assert!(!is_gtp_u(&[0x20, 0x01, 0, 0]));
        assert!(!is_gtp_u(&[0x50, 0x01, 0, 0]));
        assert!(!is_gtp_u(&[0x30, 0x07, 0, 0]));
        assert!(!is_gtp_u(&[0x30, 0x01, 0]));
    }

    #[test]
    fn extension_headers_are_walked() {
        // E set, next type 0x85 (PDU session container), one 4-byte extension, then IPv6.
        let mut frame = vec![0x34, 0xff, 0x00, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0x85];
        frame.extend([0x01, 0x00, 0x01, 0x00, 0x60, 0x00]);
        let d = decode(&frame, &mut None).unwrap();
        assert_eq!(gtp_of(&d).extensions, vec![0x85]);
        assert_eq!((d.header_len, d.payload_len), (16, 2));
        assert_eq!(d.next, Some(ProtoId::Ipv6));
        // Zero-length extension and cut extension are errors.
        let mut zero = frame.clone();
        zero[12] = 0;
        assert!(decode(&zero, &mut None).is_err());
        assert_eq!(
            decode(&frame[..14], &mut None).err().unwrap().to_string(),
            "GTP-U extension header needs 16 bytes, 14 captured"
        );
        // Endless chains are capped.
        let mut endless = vec![0x34, 0xff, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0, 0x85];
        endless.extend(std::iter::repeat_n([0x01, 0, 0, 0x85], 20).flatten());
        assert_eq!(
            decode(&endless, &mut None).err().unwrap().to_string(),
            "GTP-U has more than 16 extension headers"
        );
    }

    /// The field names of a cut header, checking the note and the partial layer.
    fn names_at(data: &[u8], needed: usize) -> Vec<&'static str> {
        let mut note = None;
        let d = decode(data, &mut note).unwrap();
        assert_eq!(
            note.unwrap().to_string(),
            format!("GTP-U header needs {needed} bytes, {} captured", data.len())
        );
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!((p.proto, p.header_len), (ProtoId::Gtp, data.len() as u32));
        p.fields.iter().map(|(n, _)| *n).collect()
    }

    #[test]
    fn short_headers_keep_the_fields_that_fit() {
        assert_eq!(names_at(&WITH_SEQ[..1], 8), Vec::<&str>::new());
        assert_eq!(
            names_at(&WITH_SEQ[..7], 8),
            [
                "version",
                "flags",
                "message_type",
                "message_type_name",
                "len"
            ]
        );
        assert_eq!(
            names_at(&WITH_SEQ[..11], 12),
            [
                "version",
                "flags",
                "message_type",
                "message_type_name",
                "len",
                "teid",
                "seq"
            ]
        );
        // N-PDU number only with its flag, the sequence number only with its own.
        let mut pn = WITH_SEQ;
        pn[0] = 0x31;
        assert_eq!(
            names_at(&pn[..11], 12),
            [
                "version",
                "flags",
                "message_type",
                "message_type_name",
                "len",
                "teid",
                "npdu"
            ]
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 48);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], &mut None);
                let _ = is_gtp_u(&bytes[..len]);
            }
        }
    }
}
