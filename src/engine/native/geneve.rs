//! GENEVE (RFC 8926), UDP port 6081: an 8-byte header (version, options length in 4-byte
//! words, O and C flags, protocol type, 24-bit VNI), then the options (class, type, length in
//! 4-byte words) and a payload named by the protocol type (0x6558: Ethernet).

use super::{DecodeError, DecodeResult, Decoded, gre};
use crate::model::{EtherType, Geneve, GeneveOption, Layer};

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

/// Decodes a GENEVE header and its options.
pub fn decode(data: &[u8], declared: usize) -> DecodeResult {
    let Some(h) = data.first_chunk::<HEADER_LEN>() else {
        return Err(DecodeError::truncated(
            "GENEVE header",
            HEADER_LEN,
            data.len(),
        ));
    };
    let opt_len = 4 * usize::from(h[0] & 0x3f);
    let header_len = HEADER_LEN + opt_len;
    let Some(mut rest) = data.get(HEADER_LEN..header_len) else {
        return Err(DecodeError::truncated(
            "GENEVE header",
            header_len,
            data.len(),
        ));
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
        let d = decode(&frame, 9).unwrap();
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
        let d = decode(&frame, frame.len()).unwrap();
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
        assert_eq!(
            decode(&frame[..19], 19).err().unwrap().to_string(),
            "GENEVE header needs 20 bytes, 19 captured"
        );
        // An option longer than the options field.
        let mut bad = frame.clone();
        bad[11] = 0x05;
        assert_eq!(
            decode(&bad, bad.len()).err().unwrap().to_string(),
            "GENEVE option at offset 8 runs past the options (24 bytes, 12 left)"
        );
    }

    #[test]
    fn version_and_short_headers() {
        assert!(!is_geneve(&[0x40, 0, 0x65, 0x58, 0, 0, 0, 0]));
        assert!(!is_geneve(&[0x00, 0, 0x65]));
        assert!(!is_geneve(&[]));
        assert!(decode(&[0; 7], 7).is_err());
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0bad_cafe_f00d_1234u64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 64);
            for len in 0..=bytes.len() {
                let _ = is_geneve(&bytes[..len]);
                let _ = decode(&bytes[..len], len);
            }
        }
    }
}
