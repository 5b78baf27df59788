//! IEEE 802.1Q VLAN tag (and the 802.1ad / legacy QinQ outer tag): the 4 bytes after the
//! Ethertype that named it.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{EtherType, FieldValue, Layer, ProtoId, Vlan};

/// Field offsets of the tag.
mod field {
    pub const TCI: usize = 0;
    pub const TYPE: usize = 2;
}

/// Length of the tag.
pub const HEADER_LEN: usize = 4;

/// A view over a VLAN tag known to be complete.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole tag.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(header) = buffer.first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::truncated("VLAN tag", HEADER_LEN, buffer.len()));
        };
        Ok(Packet { header })
    }

    /// Tag control information: PCP (3 bits), DEI (1 bit), VID (12 bits).
    pub fn tci(&self) -> u16 {
        u16::from_be_bytes([self.header[field::TCI], self.header[field::TCI + 1]])
    }

    /// Priority code point (0–7).
    pub fn pcp(&self) -> u8 {
        pcp(self.tci())
    }

    /// Drop eligible indicator (formerly CFI).
    pub fn dei(&self) -> bool {
        dei(self.tci())
    }

    /// VLAN identifier (0–4095).
    pub fn vid(&self) -> u16 {
        vid(self.tci())
    }

    /// Ethertype of the payload (another tag for QinQ).
    pub fn ether_type(&self) -> u16 {
        u16::from_be_bytes([self.header[field::TYPE], self.header[field::TYPE + 1]])
    }
}

/// The priority code point of a TCI.
fn pcp(tci: u16) -> u8 {
    (tci >> 13) as u8
}

/// The drop eligible indicator of a TCI.
fn dei(tci: u16) -> bool {
    tci & 0x1000 != 0
}

/// The VLAN identifier of a TCI.
fn vid(tci: u16) -> u16 {
    tci & 0x0fff
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
///
/// A tag cut short is a partial layer (`note` says where): with 2 bytes, the TCI and its
/// parts, as tshark shows them.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why) => return Ok(partial::keep(ProtoId::Vlan, data, cut(data), 0, why, note)),
    };
    let ether_type = EtherType(packet.ether_type());
    let payload_len = payload_len(ether_type, data.len().saturating_sub(HEADER_LEN));
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

/// The fields of a tag cut short: the TCI when its 2 bytes are captured.
fn cut(data: &[u8]) -> Fields {
    let Some(tci) = partial::be16(data, field::TCI) else {
        return Vec::new();
    };
    vec![
        ("tci", FieldValue::U16(tci)),
        ("pcp", FieldValue::U8(pcp(tci))),
        ("dei", FieldValue::Bool(dei(tci))),
        ("vid", FieldValue::U16(vid(tci))),
    ]
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
        let d = decode(&tag, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (4, 3));
        assert_eq!(d.next, Some(ProtoId::Llc));
    }

    #[test]
    fn decodes_every_field() {
        let d = decode(&TAGS, &mut None).unwrap();
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
        let d = decode(&TAGS[4..], &mut None).unwrap();
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
        let d = decode(&[0xbf, 0xff, 0x86, 0xdd], &mut None).unwrap();
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
        let d = decode(&[0x00, 0x64, 0x81, 0x00], &mut None).unwrap();
        assert_eq!(d.next, Some(ProtoId::Vlan));
        let d = decode(&[0x00, 0x64, 0x88, 0xa8], &mut None).unwrap();
        assert_eq!(d.next, Some(ProtoId::Vlan));
        let d = decode(&[0x00, 0x64, 0x88, 0xcc], &mut None).unwrap();
        assert_eq!(d.next, None);
    }

    #[test]
    fn short_tag_is_a_partial_layer() {
        for len in 0..HEADER_LEN {
            let mut note = None;
            let d = decode(&TAGS[..len], &mut note).unwrap();
            let Layer::Partial(cut) = d.layer else {
                panic!("not partial")
            };
            assert_eq!(cut.proto, ProtoId::Vlan);
            let names: Vec<_> = cut.fields.iter().map(|(name, _)| *name).collect();
            let expected: &[&str] = if len < 2 {
                &[]
            } else {
                &["tci", "pcp", "dei", "vid"]
            };
            assert_eq!(names, expected);
            assert_eq!(
                note.unwrap().to_string(),
                format!("VLAN tag needs 4 bytes, {len} captured")
            );
        }
        let mut note = None;
        let Layer::Partial(cut) = decode(&[0xbf, 0xff, 0x86], &mut note).unwrap().layer else {
            panic!("not partial")
        };
        assert_eq!(cut.field("vid"), Some(&FieldValue::U16(4095)));
        assert_eq!(cut.field("dei"), Some(&FieldValue::Bool(true)));
        assert_eq!(cut.field("pcp"), Some(&FieldValue::U8(5)));
    }
}
