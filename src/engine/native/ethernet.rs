//! Ethernet II / IEEE 802.3 MAC header.

use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{EtherType, Ethernet, Layer, MacAddr};

/// Field offsets of the Ethernet header.
mod field {
    use std::ops::Range;
    pub const DST: Range<usize> = 0..6;
    pub const SRC: Range<usize> = 6..12;
    pub const TYPE: Range<usize> = 12..14;
}

/// Length of the Ethernet header.
pub const HEADER_LEN: usize = 14;

/// A view over an Ethernet frame whose header is known to be complete.
pub struct Packet<'a> {
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        if buffer.len() < HEADER_LEN {
            return Err(DecodeError::truncated(
                "Ethernet header",
                HEADER_LEN,
                buffer.len(),
            ));
        }
        Ok(Packet { buffer })
    }

    /// Destination address.
    pub fn dst(&self) -> MacAddr {
        MacAddr(self.buffer[field::DST].try_into().unwrap_or_default())
    }

    /// Source address.
    pub fn src(&self) -> MacAddr {
        MacAddr(self.buffer[field::SRC].try_into().unwrap_or_default())
    }

    /// Ethertype, or the 802.3 length when ≤ 1500.
    pub fn ether_type(&self) -> u16 {
        u16::from_be_bytes([
            self.buffer[field::TYPE.start],
            self.buffer[field::TYPE.start + 1],
        ])
    }
}

/// Decodes an Ethernet header; the payload runs to the end of the captured bytes.
pub fn decode(data: &[u8]) -> DecodeResult {
    let packet = Packet::new_checked(data)?;
    let ether_type = EtherType(packet.ether_type());
    let payload_len = data.len() - HEADER_LEN;
    Ok(Decoded {
        layer: Layer::Ethernet(Ethernet {
            src: packet.src(),
            dst: packet.dst(),
            ether_type,
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

    const FRAME: [u8; 16] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst
        0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, // src
        0x08, 0x06, // ARP
        0xaa, 0xbb, // payload
    ];

    #[test]
    fn decodes_every_field() {
        let d = decode(&FRAME).unwrap();
        let Layer::Ethernet(eth) = d.layer else {
            panic!("not Ethernet")
        };
        assert_eq!(eth.dst.to_string(), "ff:ff:ff:ff:ff:ff");
        assert_eq!(eth.src.to_string(), "00:1a:2b:3c:4d:5e");
        assert_eq!(eth.ether_type, EtherType::ARP);
        assert_eq!((eth.header_len, eth.payload_len), (14, 2));
        assert_eq!((d.header_len, d.payload_len), (14, 2));
        assert_eq!(d.next, Some(ProtoId::Arp));
    }

    #[test]
    fn unknown_ethertype_has_no_next() {
        let mut frame = FRAME;
        frame[12..14].copy_from_slice(&[0x88, 0xcc]);
        assert_eq!(decode(&frame).unwrap().next, None);
    }

    #[test]
    fn short_header_is_an_error() {
        assert_eq!(
            decode(&FRAME[..13]).err().unwrap().0,
            "Ethernet header needs 14 bytes, 13 captured"
        );
    }
}
