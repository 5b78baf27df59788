//! ERSPAN, Cisco's Encapsulated Remote SPAN, over GRE: type II (protocol 0x88BE, GRE sequence
//! number present; an 8-byte header) and type III (0x22EB; 12 bytes, plus an 8-byte platform
//! sub-header when the O bit is set), then the mirrored Ethernet frame. Type I (0x88BE without
//! a sequence number) has no header: GRE hands it to Ethernet directly.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{Erspan, FieldValue, Layer, ProtoId};

/// GRE protocol type of ERSPAN types I and II.
pub const TYPE_II: u16 = 0x88be;

/// GRE protocol type of ERSPAN type III.
pub const TYPE_III: u16 = 0x22eb;

/// Length of the type II header.
pub const TYPE_II_LEN: usize = 8;

/// Length of the type III header without its platform sub-header.
pub const TYPE_III_LEN: usize = 12;

/// Length of the type III platform-specific sub-header.
pub const PLATFORM_LEN: usize = 8;

/// The partial layer of an ERSPAN header cut before its `needed` bytes, as tshark shows it:
/// version and VLAN from 2 bytes, CoS, encapsulation and session id from 4, and type III's
/// timestamp from 8 and SGT from 10. The T bit is left out: its name, `truncated`, is the
/// partial layer's own marker.
fn cut(data: &[u8], needed: usize, note: &mut Option<DecodeError>) -> Decoded {
    let mut fields = Fields::with_capacity(7);
    if let Some(w0) = partial::be16(data, 0) {
        fields.push(("version", FieldValue::U8((w0 >> 12) as u8)));
        fields.push(("vlan", FieldValue::U16(w0 & 0x0fff)));
        if let Some(w1) = partial::be16(data, 2) {
            fields.push(("cos", FieldValue::U8((w1 >> 13) as u8)));
            fields.push(("encap", FieldValue::U8(((w1 >> 11) & 0x3) as u8)));
            fields.push(("session_id", FieldValue::U16(w1 & 0x03ff)));
        }
        if w0 >> 12 == 2 {
            if let Some(timestamp) = partial::be32(data, 4) {
                fields.push(("timestamp", FieldValue::U32(timestamp)));
            }
            if let Some(sgt) = partial::be16(data, 8) {
                fields.push(("sgt", FieldValue::U16(sgt)));
            }
        }
    }
    let why = DecodeError::truncated("ERSPAN header", needed, data.len());
    partial::keep(ProtoId::Erspan, data, fields, 0, why, note)
}

/// Decodes an ERSPAN type II or III header (told apart by its version field: 1 or 2). A
/// header cut short is a partial layer (`note` says where) with the fields that fit.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let Some(h) = data.first_chunk::<TYPE_II_LEN>() else {
        return Ok(cut(data, TYPE_II_LEN, note));
    };
    let w0 = u16::from_be_bytes([h[0], h[1]]);
    let w1 = u16::from_be_bytes([h[2], h[3]]);
    let version = (w0 >> 12) as u8;
    let mut e = Erspan {
        version,
        vlan: w0 & 0x0fff,
        cos: (w1 >> 13) as u8,
        encap: ((w1 >> 11) & 0x3) as u8,
        truncated: w1 & 0x0400 != 0,
        session_id: w1 & 0x03ff,
        index: None,
        timestamp: None,
        sgt: None,
        header_len: 0,
        payload_len: 0,
    };
    let header_len = match version {
        1 => {
            e.index = Some(u32::from_be_bytes([0, h[5] & 0x0f, h[6], h[7]]));
            TYPE_II_LEN
        }
        2 => {
            let Some(x) = data.first_chunk::<TYPE_III_LEN>() else {
                return Ok(cut(data, TYPE_III_LEN, note));
            };
            e.timestamp = Some(u32::from_be_bytes([x[4], x[5], x[6], x[7]]));
            e.sgt = Some(u16::from_be_bytes([x[8], x[9]]));
            let len = TYPE_III_LEN + if x[11] & 0x01 != 0 { PLATFORM_LEN } else { 0 };
            if data.len() < len {
                return Ok(cut(data, len, note));
            }
            len
        }
        _ => {
            return Err(DecodeError::other(format!(
                "ERSPAN version {version} (1: type II, 2: type III)"
            )));
        }
    };
    let payload_len = data.len() - header_len;
    e.header_len = header_len as u32;
    e.payload_len = payload_len as u32;
    Ok(Decoded {
        layer: Layer::Erspan(e),
        header_len,
        payload_len,
        next: Some(ProtoId::Ethernet),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erspan_of(d: &Decoded) -> &Erspan {
        let Layer::Erspan(e) = &d.layer else {
            panic!("not ERSPAN")
        };
        e
    }

    #[test]
    fn type_ii_decodes_every_field() {
        // arkime__gre-erspan-vxlan.pcap frame 1: version 1, span id 20, index 1.
        let d = decode(
            &[0x10, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x01, 0xff],
            &mut None,
        )
        .unwrap();
        assert_eq!(
            *erspan_of(&d),
            Erspan {
                version: 1,
                vlan: 0,
                cos: 0,
                encap: 0,
                truncated: false,
                session_id: 20,
                index: Some(1),
                timestamp: None,
                sgt: None,
                header_len: 8,
                payload_len: 1,
            }
        );
        assert_eq!(d.next, Some(ProtoId::Ethernet));
        // Every field at its maximum.
        let d = decode(&[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], &mut None).unwrap();
        let e = erspan_of(&d);
        assert_eq!((e.vlan, e.cos, e.encap, e.truncated), (0xfff, 7, 3, true));
        assert_eq!((e.session_id, e.index), (0x3ff, Some(0xfffff)));
    }

    #[test]
    fn type_iii_with_and_without_platform_header() {
        let mut f = vec![
            0x20, 0x05, 0x00, 0x07, 0, 0, 0x01, 0x00, 0x00, 0x2a, 0x00, 0x00,
        ];
        let d = decode(&f, &mut None).unwrap();
        let e = erspan_of(&d);
        assert_eq!((e.version, e.vlan, e.session_id), (2, 5, 7));
        assert_eq!((e.timestamp, e.sgt, e.index), (Some(256), Some(42), None));
        assert_eq!(d.header_len, 12);
        f[11] = 0x01;
        assert_eq!(cut_of(&f).1, "ERSPAN header needs 20 bytes, 12 captured");
        f.extend([0u8; 8]);
        assert_eq!(decode(&f, &mut None).unwrap().header_len, 20);
        let (fields, why) = cut_of(&f[..11]);
        assert_eq!(why, "ERSPAN header needs 12 bytes, 11 captured");
        assert_eq!(
            fields.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [
                "version",
                "vlan",
                "cos",
                "encap",
                "session_id",
                "timestamp",
                "sgt"
            ]
        );
    }

    /// The fields of a cut header and the note it leaves.
    fn cut_of(data: &[u8]) -> (Vec<(&'static str, FieldValue)>, String) {
        let mut note = None;
        let d = decode(data, &mut note).unwrap();
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!(
            (p.proto, p.header_len),
            (ProtoId::Erspan, data.len() as u32)
        );
        (p.fields, note.unwrap().to_string())
    }

    #[test]
    fn bad_headers_are_errors() {
        let (fields, why) = cut_of(&[0x10, 0x05, 0]);
        assert_eq!(why, "ERSPAN header needs 8 bytes, 3 captured");
        assert_eq!(
            fields,
            [("version", FieldValue::U8(1)), ("vlan", FieldValue::U16(5))]
        );
        assert_eq!(
            decode(&[0x30, 0, 0, 0, 0, 0, 0, 0], &mut None)
                .err()
                .unwrap()
                .to_string(),
            "ERSPAN version 3 (1: type II, 2: type III)"
        );
    }
}
