//! Cisco HDLC (link type 104) and IP over InfiniBand (RFC 4391, link type 242): both a
//! 4-byte header whose protocol field is an Ethertype.

use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{Chdlc, EtherType, Ipoib, Layer};

/// Length of either header.
pub const HEADER_LEN: usize = 4;

/// Decodes a Cisco HDLC header (address, control, protocol).
pub fn decode_chdlc(data: &[u8]) -> DecodeResult {
    let Some(h) = data.first_chunk::<HEADER_LEN>() else {
        return Err(DecodeError::truncated(
            "Cisco HDLC header",
            HEADER_LEN,
            data.len(),
        ));
    };
    let ether_type = EtherType(u16::from_be_bytes([h[2], h[3]]));
    let payload_len = data.len() - HEADER_LEN;
    Ok(Decoded {
        layer: Layer::Chdlc(Chdlc {
            address: h[0],
            control: h[1],
            ether_type,
            header_len: HEADER_LEN as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN,
        payload_len,
        next: by_ethertype(ether_type),
    })
}

/// Decodes an IP over InfiniBand header (protocol, reserved).
pub fn decode_ipoib(data: &[u8]) -> DecodeResult {
    let Some(h) = data.first_chunk::<HEADER_LEN>() else {
        return Err(DecodeError::truncated(
            "IPoIB header",
            HEADER_LEN,
            data.len(),
        ));
    };
    let ether_type = EtherType(u16::from_be_bytes([h[0], h[1]]));
    let payload_len = data.len() - HEADER_LEN;
    Ok(Decoded {
        layer: Layer::Ipoib(Ipoib {
            ether_type,
            reserved: u16::from_be_bytes([h[2], h[3]]),
            header_len: HEADER_LEN as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN,
        payload_len,
        next: by_ethertype(ether_type),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProtoId;

    #[test]
    fn chdlc_decodes_every_field() {
        let d = decode_chdlc(&[0x0f, 0x00, 0x08, 0x00, 0x45]).unwrap();
        assert_eq!(
            d.layer,
            Layer::Chdlc(Chdlc {
                address: 0x0f,
                control: 0,
                ether_type: EtherType::IPV4,
                header_len: 4,
                payload_len: 1,
            })
        );
        assert_eq!(d.next, Some(ProtoId::Ipv4));
        assert_eq!(
            decode_chdlc(&[0x8f, 0, 0x86, 0xdd]).unwrap().next,
            Some(ProtoId::Ipv6)
        );
        assert_eq!(
            decode_chdlc(&[0x0f, 0, 0x08]).err().unwrap().to_string(),
            "Cisco HDLC header needs 4 bytes, 3 captured"
        );
    }

    #[test]
    fn ipoib_decodes_every_field() {
        let d = decode_ipoib(&[0x86, 0xdd, 0x00, 0x01]).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ipoib(Ipoib {
                ether_type: EtherType::IPV6,
                reserved: 1,
                header_len: 4,
                payload_len: 0,
            })
        );
        assert_eq!(d.next, Some(ProtoId::Ipv6));
        assert!(decode_ipoib(&[0x08]).is_err());
    }
}
