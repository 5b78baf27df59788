//! IEEE 802.1Q VLAN tag (and the 802.1ad / legacy QinQ outer tag): the 4 bytes after the
//! Ethertype that named it.

use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{EtherType, Layer, Vlan};

/// Field offsets of the tag.
mod field {
    use std::ops::Range;
    pub const TCI: Range<usize> = 0..2;
    pub const TYPE: Range<usize> = 2..4;
}

/// Length of the tag.
pub const HEADER_LEN: usize = 4;

/// A view over a VLAN tag known to be complete.
pub struct Packet<'a> {
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole tag.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        if buffer.len() < HEADER_LEN {
            return Err(DecodeError::truncated("VLAN tag", HEADER_LEN, buffer.len()));
        }
        Ok(Packet { buffer })
    }

    /// Tag control information: PCP (3 bits), DEI (1 bit), VID (12 bits).
    pub fn tci(&self) -> u16 {
        u16::from_be_bytes([
            self.buffer[field::TCI.start],
            self.buffer[field::TCI.start + 1],
        ])
    }

    /// Priority code point (0–7).
    pub fn pcp(&self) -> u8 {
        (self.tci() >> 13) as u8
    }

    /// Drop eligible indicator (formerly CFI).
    pub fn dei(&self) -> bool {
        self.tci() & 0x1000 != 0
    }

    /// VLAN identifier (0–4095).
    pub fn vid(&self) -> u16 {
        self.tci() & 0x0fff
    }

    /// Ethertype of the payload (another tag for QinQ).
    pub fn ether_type(&self) -> u16 {
        u16::from_be_bytes([
            self.buffer[field::TYPE.start],
            self.buffer[field::TYPE.start + 1],
        ])
    }
}

/// The payload length after a tag: the captured remainder, except that (as after an Ethernet
/// header) a type ≤ 1500 is an 802.3 length, with padding after it.
pub(crate) fn payload_len(ether_type: EtherType, captured: usize) -> usize {
    if ether_type.0 <= super::ethernet::MAX_802_3_LEN {
        captured.min(usize::from(ether_type.0))
    } else {
        captured
    }
}

/// Decodes a VLAN tag; the payload runs to the end of the captured bytes (or the 802.3 length).
pub fn decode(data: &[u8]) -> DecodeResult {
    let packet = Packet::new_checked(data)?;
    let ether_type = EtherType(packet.ether_type());
    let payload_len = payload_len(ether_type, data.len() - HEADER_LEN);
    Ok(Decoded {
        layer: Layer::Vlan(Vlan {
            tci: packet.tci(),
            pcp: packet.pcp(),
            dei: packet.dei(),
            vid: packet.vid(),
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

    /// pcpp__VlanPackets.pcap frame 1 after the Ethernet header: two 802.1Q tags
    /// (vid 118, then vid 10 → IPv4; tshark: priority 0, dei 0), then 4 bytes of IPv4.
    const TAGS: [u8; 12] = [
        0x00, 0x76, 0x81, 0x00, // outer: tci 0x0076, inner tag follows
        0x00, 0x0a, 0x08, 0x00, // inner: tci 0x000a, IPv4 follows
        0x45, 0x00, 0x00, 0x64,
    ];

    #[test]
    fn length_field_trims_the_payload() {
        // A tag carrying an 802.3 length of 3 (LLC header only), then 2 bytes of padding.
        let tag = [0x00, 0x0a, 0x00, 0x03, 0x42, 0x42, 0x03, 0x00, 0x00];
        let d = decode(&tag).unwrap();
        assert_eq!((d.header_len, d.payload_len), (4, 3));
        assert_eq!(d.next, Some(ProtoId::Llc));
    }

    #[test]
    fn decodes_every_field() {
        let d = decode(&TAGS).unwrap();
        assert_eq!((d.header_len, d.payload_len), (4, 8));
        assert_eq!(d.next, Some(ProtoId::Vlan));
        assert_eq!(
            d.layer,
            Layer::Vlan(Vlan {
                tci: 0x0076,
                pcp: 0,
                dei: false,
                vid: 118,
                ether_type: EtherType::VLAN,
                header_len: 4,
                payload_len: 8,
            })
        );
        let d = decode(&TAGS[4..]).unwrap();
        assert_eq!((d.header_len, d.payload_len), (4, 4));
        assert_eq!(d.next, Some(ProtoId::Ipv4));
        let Layer::Vlan(vlan) = d.layer else {
            panic!("not VLAN")
        };
        assert_eq!(
            (vlan.tci, vlan.vid, vlan.ether_type),
            (10, 10, EtherType::IPV4)
        );
    }

    #[test]
    fn splits_the_tci() {
        // pcp 5, dei 1, vid 4095.
        let d = decode(&[0xbf, 0xff, 0x86, 0xdd]).unwrap();
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (4, 0, Some(ProtoId::Ipv6))
        );
        let Layer::Vlan(vlan) = d.layer else {
            panic!("not VLAN")
        };
        assert_eq!(
            (vlan.tci, vlan.pcp, vlan.dei, vlan.vid),
            (0xbfff, 5, true, 4095)
        );
    }

    #[test]
    fn qinq_outer_tags_nest() {
        // tcpdump__802.1ad_QinQ.pcap style: 802.1ad tag names an 802.1Q tag.
        let d = decode(&[0x00, 0x64, 0x81, 0x00]).unwrap();
        assert_eq!(d.next, Some(ProtoId::Vlan));
        let d = decode(&[0x00, 0x64, 0x88, 0xa8]).unwrap();
        assert_eq!(d.next, Some(ProtoId::Vlan));
        let d = decode(&[0x00, 0x64, 0x88, 0xcc]).unwrap();
        assert_eq!(d.next, None);
    }

    #[test]
    fn short_tag_is_an_error() {
        assert_eq!(
            decode(&TAGS[..3]).err().unwrap().to_string(),
            "VLAN tag needs 4 bytes, 3 captured"
        );
    }
}
