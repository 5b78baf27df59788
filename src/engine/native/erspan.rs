//! ERSPAN, Cisco's Encapsulated Remote SPAN, over GRE: type II (protocol 0x88BE, GRE sequence
//! number present; an 8-byte header) and type III (0x22EB; 12 bytes, plus an 8-byte platform
//! sub-header when the O bit is set), then the mirrored Ethernet frame. Type I (0x88BE without
//! a sequence number) has no header: GRE hands it to Ethernet directly.

use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{Erspan, Layer, ProtoId};

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

/// Decodes an ERSPAN type II or III header (told apart by its version field: 1 or 2).
pub fn decode(data: &[u8]) -> DecodeResult {
    let Some(h) = data.first_chunk::<TYPE_II_LEN>() else {
        return Err(DecodeError::truncated(
            "ERSPAN header",
            TYPE_II_LEN,
            data.len(),
        ));
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
                return Err(DecodeError::truncated(
                    "ERSPAN header",
                    TYPE_III_LEN,
                    data.len(),
                ));
            };
            e.timestamp = Some(u32::from_be_bytes([x[4], x[5], x[6], x[7]]));
            e.sgt = Some(u16::from_be_bytes([x[8], x[9]]));
            let len = TYPE_III_LEN + if x[11] & 0x01 != 0 { PLATFORM_LEN } else { 0 };
            if data.len() < len {
                return Err(DecodeError::truncated("ERSPAN header", len, data.len()));
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
        let d = decode(&[0x10, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x01, 0xff]).unwrap();
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
        let d = decode(&[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap();
        let e = erspan_of(&d);
        assert_eq!((e.vlan, e.cos, e.encap, e.truncated), (0xfff, 7, 3, true));
        assert_eq!((e.session_id, e.index), (0x3ff, Some(0xfffff)));
    }

    #[test]
    fn type_iii_with_and_without_platform_header() {
        let mut f = vec![
            0x20, 0x05, 0x00, 0x07, 0, 0, 0x01, 0x00, 0x00, 0x2a, 0x00, 0x00,
        ];
        let d = decode(&f).unwrap();
        let e = erspan_of(&d);
        assert_eq!((e.version, e.vlan, e.session_id), (2, 5, 7));
        assert_eq!((e.timestamp, e.sgt, e.index), (Some(256), Some(42), None));
        assert_eq!(d.header_len, 12);
        f[11] = 0x01;
        assert_eq!(
            decode(&f).err().unwrap().to_string(),
            "ERSPAN header needs 20 bytes, 12 captured"
        );
        f.extend([0u8; 8]);
        assert_eq!(decode(&f).unwrap().header_len, 20);
        assert_eq!(
            decode(&f[..11]).err().unwrap().to_string(),
            "ERSPAN header needs 12 bytes, 11 captured"
        );
    }

    #[test]
    fn bad_headers_are_errors() {
        assert_eq!(
            decode(&[0x10, 0, 0]).err().unwrap().to_string(),
            "ERSPAN header needs 8 bytes, 3 captured"
        );
        assert_eq!(
            decode(&[0x30, 0, 0, 0, 0, 0, 0, 0])
                .err()
                .unwrap()
                .to_string(),
            "ERSPAN version 3 (1: type II, 2: type III)"
        );
    }
}
