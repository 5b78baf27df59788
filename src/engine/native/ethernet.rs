//! Ethernet II / IEEE 802.3 MAC header.

use super::partial;
use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{EtherType, Ethernet, Layer, MacAddr, ProtoId};

/// Field offsets of the Ethernet header.
mod field {
    use std::ops::Range;
    pub const DST: Range<usize> = 0..6;
    pub const SRC: Range<usize> = 6..12;
    pub const TYPE: usize = 12;
}

/// Length of the Ethernet header.
pub const HEADER_LEN: usize = 14;

/// The largest IEEE 802.3 length field; larger type values are Ethertypes.
pub const MAX_802_3_LEN: u16 = 1500;

/// A view over an Ethernet frame whose header is known to be complete.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
    payload: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some((header, payload)) = buffer.split_first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "Ethernet header",
                HEADER_LEN,
                buffer.len(),
            ));
        };
        Ok(Packet { header, payload })
    }

    /// Destination address.
    pub fn dst(&self) -> MacAddr {
        MacAddr(self.header[field::DST].try_into().unwrap_or_default())
    }

    /// Source address.
    pub fn src(&self) -> MacAddr {
        MacAddr(self.header[field::SRC].try_into().unwrap_or_default())
    }

    /// Ethertype, or the 802.3 length when ≤ 1500.
    pub fn ether_type(&self) -> u16 {
        u16::from_be_bytes([self.header[field::TYPE], self.header[field::TYPE + 1]])
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

/// Decodes an Ethernet header; the payload runs to the end of the captured bytes.
///
/// A header cut short is a partial layer with no fields (`note` says where it was cut):
/// tshark 4.0 shows `eth` in the chain of such a frame but none of its fields.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why) => {
            let fields = Vec::new();
            return Ok(partial::keep(ProtoId::Ethernet, data, fields, 0, why, note));
        }
    };
    let ether_type = EtherType(packet.ether_type());
    let captured = packet.payload().len();
    // IEEE 802.3: a type field ≤ 1500 is the payload's length (padding follows it), and an
    // 802.2 LLC header follows, or IPX directly in a Novell raw 802.3 frame (checksum 0xFFFF).
    let (payload_len, next) = if ether_type.0 <= MAX_802_3_LEN {
        let raw_ipx = packet.payload().starts_with(&[0xff, 0xff]);
        let next = if raw_ipx { ProtoId::Ipx } else { ProtoId::Llc };
        (usize::from(ether_type.0), Some(next))
    } else {
        (captured, by_ethertype(ether_type))
    };
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
        next,
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
        let d = decode(&FRAME, &mut None).unwrap();
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
        assert_eq!(decode(&frame, &mut None).unwrap().next, None);
    }

    #[test]
    fn short_header_is_a_partial_layer_without_fields() {
        for len in 0..HEADER_LEN {
            let mut note = None;
            let d = decode(&FRAME[..len], &mut note).unwrap();
            let Layer::Partial(cut) = d.layer else {
                panic!("not partial")
            };
            assert_eq!((cut.proto, cut.fields.len()), (ProtoId::Ethernet, 0));
            assert_eq!((d.header_len, d.payload_len, d.next), (len, 0, None));
            assert_eq!(
                note.unwrap().to_string(),
                format!("Ethernet header needs 14 bytes, {len} captured")
            );
        }
    }
}
