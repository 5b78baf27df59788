//! Per-Packet Information (link type 192): a little-endian header (version, flags, length,
//! the data link type of the frame that follows) and fields pcapkit does not decode; the frame
//! after it is dissected by its link type.

use super::{DecodeError, DecodeResult, Decoded, first_protocol};
use crate::model::{Layer, LinkType, Ppi};

/// Length of the fixed header.
pub const HEADER_LEN: usize = 8;

/// Decodes a PPI header; `declared` is the frame's original length.
pub fn decode(data: &[u8], declared: usize) -> DecodeResult {
    let &[version, flags, l0, l1, d0, d1, d2, d3, ..] = data else {
        return Err(DecodeError::truncated("PPI header", HEADER_LEN, data.len()));
    };
    let len = u16::from_le_bytes([l0, l1]);
    let dlt = u32::from_le_bytes([d0, d1, d2, d3]);
    let header_len = usize::from(len);
    if header_len < HEADER_LEN {
        return Err(DecodeError::other(format!(
            "PPI length {len} < {HEADER_LEN} (the header alone)"
        )));
    }
    let Some(payload) = data.get(header_len..) else {
        return Err(DecodeError::truncated("PPI header", header_len, data.len()));
    };
    let payload_len = declared.max(data.len()) - header_len;
    Ok(Decoded {
        layer: Layer::Ppi(Ppi {
            version,
            flags,
            len,
            dlt,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next: first_protocol(LinkType(dlt), payload),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProtoId;

    /// ndpi__someip_sd_sample.pcap frame 1: PPI length 16, DLT 1 (one 8-byte field), then
    /// Ethernet.
    const FRAME: [u8; 18] = [
        0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0x01,
        0x00,
    ];

    #[test]
    fn decodes_every_field() {
        let d = decode(&FRAME, FRAME.len()).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ppi(Ppi {
                version: 0,
                flags: 0,
                len: 16,
                dlt: 1,
                header_len: 16,
                payload_len: 2,
            })
        );
        assert_eq!(d.next, Some(ProtoId::Ethernet));
        let mut wlan = FRAME;
        wlan[4] = 105;
        assert_eq!(decode(&wlan, 18).unwrap().next, Some(ProtoId::Ieee80211));
        wlan[4] = 200;
        assert_eq!(decode(&wlan, 18).unwrap().next, None);
    }

    #[test]
    fn bad_lengths_are_errors() {
        assert_eq!(
            decode(&FRAME[..7], 7).err().unwrap().to_string(),
            "PPI header needs 8 bytes, 7 captured"
        );
        assert_eq!(
            decode(&FRAME[..15], 15).err().unwrap().to_string(),
            "PPI header needs 16 bytes, 15 captured"
        );
        let mut short = FRAME;
        short[2] = 7;
        assert_eq!(
            decode(&short, 18).err().unwrap().to_string(),
            "PPI length 7 < 8 (the header alone)"
        );
        // Header only.
        assert_eq!(decode(&FRAME[..16], 16).unwrap().payload_len, 0);
    }
}
