//! GENEVE (RFC 8926), UDP port 6081: an 8-byte header (version, options length in 4-byte
//! words, O and C flags, protocol type, 24-bit VNI), then the options (class, type, length in
//! 4-byte words) and a payload named by the protocol type (0x6558: Ethernet).

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, gre};
use crate::model::{EtherType, FieldValue, Geneve, GeneveOption, Layer, ProtoId};

/// The GENEVE port.
pub const PORT: u16 = 6081;

/// Length of the fixed header.
pub const HEADER_LEN: usize = 8;

/// Length of an option's header.
pub const OPTION_HEADER_LEN: usize = 4;

/// Whether a UDP payload on the GENEVE port is GENEVE: version 0 and the options it announces
/// fit in the captured bytes.
pub fn is_geneve(payload: &[u8]) -> bool {
    match payload.first() {
        Some(&b) => b >> 6 == 0 && payload.len() >= HEADER_LEN + 4 * usize::from(b & 0x3f),
        None => false,
    }
}

/// Whether a payload on the GENEVE port, cut inside its header or options, is GENEVE as far as
/// it is captured: version 0 (tshark names `geneve` from one byte on).
pub fn is_cut_geneve(payload: &[u8]) -> bool {
    payload.first().is_some_and(|&b| b >> 6 == 0) && !is_geneve(payload)
}

/// The partial layer of a GENEVE header cut before its `needed` bytes, as tshark shows it:
/// version and options length from 1 byte, the flags from 2, the type from 4, the VNI from
/// 7; options cut short show none.
fn cut(data: &[u8], needed: usize, note: &mut Option<DecodeError>) -> Decoded {
    let mut fields = Fields::with_capacity(6);
    if let Some(&b) = data.first() {
        fields.push(("version", FieldValue::U8(b >> 6)));
        fields.push(("opt_len", FieldValue::U16(4 * u16::from(b & 0x3f))));
    }
    if let Some(&b) = data.get(1) {
        fields.push(("oam", FieldValue::Bool(b & 0x80 != 0)));
        fields.push(("critical", FieldValue::Bool(b & 0x40 != 0)));
    }
    if let Some(t) = partial::be16(data, 2) {
        fields.push(("type", FieldValue::EtherType(EtherType(t))));
    }
    if let Some(&[a, b, c]) = data.get(4..7) {
        fields.push(("vni", FieldValue::U32(u32::from_be_bytes([0, a, b, c]))));
    }
    let why = DecodeError::truncated("GENEVE header", needed, data.len());
    partial::keep(ProtoId::Geneve, data, fields, 0, why, note)
}

/// Decodes a GENEVE header and its options. A header cut short is a partial layer (`note`
/// says where) with the fields that fit.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let Some(h) = data.first_chunk::<HEADER_LEN>() else {
        return Ok(cut(data, HEADER_LEN, note));
    };
    let opt_len = 4 * usize::from(h[0] & 0x3f);
    let header_len = HEADER_LEN + opt_len;
    let Some(mut rest) = data.get(HEADER_LEN..header_len) else {
        return Ok(cut(data, header_len, note));
    };
    let mut options = Vec::new();
    while !rest.is_empty() {
        let at = header_len - rest.len();
        let Some(o) = rest.first_chunk::<OPTION_HEADER_LEN>() else {
            return Err(DecodeError::other(format!(
                "GENEVE option at offset {at} needs 4 bytes, {} left in the options",
                rest.len()
            )));
        };
        let len = 4 * usize::from(o[3] & 0x1f);
        let Some(after) = rest.get(OPTION_HEADER_LEN + len..) else {
            return Err(DecodeError::other(format!(
                "GENEVE option at offset {at} runs past the options ({} bytes, {} left)",
                OPTION_HEADER_LEN + len,
                rest.len()
            )));
        };
        options.push(GeneveOption {
            class: u16::from_be_bytes([o[0], o[1]]),
            kind: o[2],
            len: len as u8,
        });
        rest = after;
    }
    let ether_type = u16::from_be_bytes([h[2], h[3]]);
    let payload_len = declared.max(data.len()) - header_len;
    Ok(Decoded {
        layer: Layer::Geneve(Box::new(Geneve {
            version: h[0] >> 6,
            opt_len: opt_len as u16,
            oam: h[1] & 0x80 != 0,
            critical: h[1] & 0x40 != 0,
            ether_type: EtherType(ether_type),
            vni: u32::from_be_bytes([0, h[4], h[5], h[6]]),
            options,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        })),
        header_len,
        payload_len,
        next: gre::next_protocol(ether_type),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProtoId;

    fn geneve_of(d: &Decoded) -> &Geneve {
        let Layer::Geneve(g) = &d.layer else {
            panic!("not GENEVE")
        };
        g
    }

    #[test]
    fn no_options_carries_ethernet() {
        let frame = [0x00, 0x00, 0x65, 0x58, 0x00, 0x00, 0x0a, 0x00, 0xff];
        assert!(is_geneve(&frame));
        let d = decode(&frame, 9, &mut None).unwrap();
        let g = geneve_of(&d);
        assert_eq!((g.version, g.opt_len, g.vni), (0, 0, 10));
        assert!(!g.oam && !g.critical && g.options.is_empty());
        assert_eq!((d.header_len, d.payload_len), (8, 1));
        assert_eq!(d.next, Some(ProtoId::Ethernet));
    }

    #[test]
    fn options_are_listed() {
        // Options length 3 words: one option with 4 data bytes, one with none; O and C set.
        let mut frame = vec![0x03, 0xc0, 0x08, 0x00, 0xff, 0xff, 0xff, 0x00];
        frame.extend([0x01, 0x02, 0x80, 0x01, 1, 2, 3, 4]);
        frame.extend([0x00, 0x07, 0x03, 0x00]);
        frame.extend([0x45]);
        let d = decode(&frame, frame.len(), &mut None).unwrap();
        let g = geneve_of(&d);
        assert_eq!(
            (g.opt_len, g.vni, g.oam, g.critical),
            (12, 0xffffff, true, true)
        );
        assert_eq!(
            g.options,
            vec![
                GeneveOption {
                    class: 0x0102,
                    kind: 0x80,
                    len: 4
                },
                GeneveOption {
                    class: 7,
                    kind: 3,
                    len: 0
                },
            ]
        );
        assert_eq!((d.header_len, d.next), (20, Some(ProtoId::Ipv4)));
        // Cut inside the options.
        assert!(!is_geneve(&frame[..19]));
        let mut note = None;
        let d = decode(&frame[..19], 19, &mut note).unwrap();
        assert_eq!(
            note.unwrap().to_string(),
            "GENEVE header needs 20 bytes, 19 captured"
        );
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        // The fixed header's fields, none of the options (as tshark).
        assert_eq!(p.fields.len(), 6);
        // An option longer than the options field.
        let mut bad = frame.clone();
        bad[11] = 0x05;
        assert_eq!(
            decode(&bad, bad.len(), &mut None)
                .err()
                .unwrap()
                .to_string(),
            "GENEVE option at offset 8 runs past the options (24 bytes, 12 left)"
        );
    }

    #[test]
    fn version_and_short_headers() {
        assert!(!is_geneve(&[0x40, 0, 0x65, 0x58, 0, 0, 0, 0]));
        assert!(!is_geneve(&[0x00, 0, 0x65]));
        assert!(!is_geneve(&[]));
        let mut note = None;
        let d = decode(&[0; 7], 7, &mut note).unwrap();
        assert!(note.is_some());
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        let names: Vec<_> = p.fields.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["version", "opt_len", "oam", "critical", "type", "vni"]
        );
        let d = decode(&[0; 1], 7, &mut None).unwrap();
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!(p.fields.len(), 2);
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0bad_cafe_f00d_1234u64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 64);
            for len in 0..=bytes.len() {
                let _ = is_geneve(&bytes[..len]);
                let _ = decode(&bytes[..len], len, &mut None);
            }
        }
    }
}
