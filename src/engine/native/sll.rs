//! Linux cooked capture headers: SLL (v1, 16 bytes) and SLL2 (v2, 20 bytes).

use super::{DecodeError, DecodeResult, Decoded, by_ethertype, read};
use crate::model::{AnyAddr, EtherType, Layer, ProtoId, Sll, Sll2, SllPacketType};

/// ARPHRD_NETLINK: the protocol field holds a netlink family, not an Ethertype.
const ARPHRD_NETLINK: u16 = 824;

/// Length of the link-layer address field in both versions (longer addresses are cut).
const ADDR_FIELD_LEN: usize = 8;

/// Field offsets of the SLL (v1) header.
mod field_v1 {
    use std::ops::Range;
    pub const PACKET_TYPE: Range<usize> = 0..2;
    pub const HATYPE: Range<usize> = 2..4;
    pub const HALEN: Range<usize> = 4..6;
    pub const ADDR: Range<usize> = 6..14;
    pub const PROTOCOL: Range<usize> = 14..16;
}

/// Field offsets of the SLL2 header.
mod field_v2 {
    use std::ops::Range;
    pub const PROTOCOL: Range<usize> = 0..2;
    pub const IFINDEX: Range<usize> = 4..8;
    pub const HATYPE: Range<usize> = 8..10;
    pub const PACKET_TYPE: usize = 10;
    pub const HALEN: usize = 11;
    pub const ADDR: Range<usize> = 12..20;
}

/// Length of the SLL (v1) header.
pub const HEADER_LEN_V1: usize = 16;

/// Length of the SLL2 header.
pub const HEADER_LEN_V2: usize = 20;

/// Big-endian u16 at `range` (the caller has checked the length; 0 if it were not there).
fn be16(buffer: &[u8], range: std::ops::Range<usize>) -> u16 {
    read::be16(buffer, range.start).unwrap_or_default()
}

/// The first `len` bytes (at most the field's) of the address field at `range`.
fn addr(buffer: &[u8], range: std::ops::Range<usize>, len: usize) -> &[u8] {
    buffer
        .get(range)
        .and_then(|field| field.get(..len.min(ADDR_FIELD_LEN)))
        .unwrap_or_default()
}

/// A view over an SLL (v1) header known to be complete.
pub struct PacketV1<'a> {
    buffer: &'a [u8],
}

impl<'a> PacketV1<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<PacketV1<'a>, DecodeError> {
        if buffer.len() < HEADER_LEN_V1 {
            return Err(DecodeError::truncated(
                "SLL header",
                HEADER_LEN_V1,
                buffer.len(),
            ));
        }
        Ok(PacketV1 { buffer })
    }

    /// Packet type (0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing).
    pub fn packet_type(&self) -> u16 {
        be16(self.buffer, field_v1::PACKET_TYPE)
    }

    /// ARPHRD_ type of the capturing device.
    pub fn hatype(&self) -> u16 {
        be16(self.buffer, field_v1::HATYPE)
    }

    /// Link-layer address length as carried (may exceed the 8-byte field).
    pub fn halen(&self) -> u16 {
        be16(self.buffer, field_v1::HALEN)
    }

    /// The link-layer address: the first `min(halen, 8)` bytes of the address field.
    pub fn addr(&self) -> &'a [u8] {
        addr(self.buffer, field_v1::ADDR, usize::from(self.halen()))
    }

    /// Protocol of the payload (an Ethertype for most device types).
    pub fn protocol(&self) -> u16 {
        be16(self.buffer, field_v1::PROTOCOL)
    }
}

/// A view over an SLL2 header known to be complete.
pub struct PacketV2<'a> {
    buffer: &'a [u8],
}

impl<'a> PacketV2<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<PacketV2<'a>, DecodeError> {
        if buffer.len() < HEADER_LEN_V2 {
            return Err(DecodeError::truncated(
                "SLL2 header",
                HEADER_LEN_V2,
                buffer.len(),
            ));
        }
        Ok(PacketV2 { buffer })
    }

    /// Protocol of the payload (an Ethertype for most device types).
    pub fn protocol(&self) -> u16 {
        be16(self.buffer, field_v2::PROTOCOL)
    }

    /// Index of the interface the packet was captured on.
    pub fn interface_index(&self) -> u32 {
        read::be32(self.buffer, field_v2::IFINDEX.start).unwrap_or_default()
    }

    /// ARPHRD_ type of the capturing device.
    pub fn hatype(&self) -> u16 {
        be16(self.buffer, field_v2::HATYPE)
    }

    /// Packet type (0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing).
    pub fn packet_type(&self) -> u8 {
        self.buffer
            .get(field_v2::PACKET_TYPE)
            .copied()
            .unwrap_or_default()
    }

    /// Link-layer address length as carried (may exceed the 8-byte field).
    pub fn halen(&self) -> u8 {
        self.buffer
            .get(field_v2::HALEN)
            .copied()
            .unwrap_or_default()
    }

    /// The link-layer address: the first `min(halen, 8)` bytes of the address field.
    pub fn addr(&self) -> &'a [u8] {
        addr(self.buffer, field_v2::ADDR, usize::from(self.halen()))
    }
}

/// The protocol that follows a cooked header with device type `hatype` and protocol `protocol`.
///
/// Netlink captures carry a netlink family in the protocol field, and values below 0x0600
/// (0x0001 Novell 802.3, 0x0004 802.2 LLC, ...) are Linux `ETH_P_*` pseudo-types, not Ethertypes.
///
/// Of those pseudo-types, `ETH_P_802_2` (an 802.2 LLC header follows) and `ETH_P_802_3` (a
/// Novell raw 802.3 payload: IPX) are dissected, as Wireshark does.
fn next_protocol(hatype: u16, protocol: u16) -> Option<ProtoId> {
    match (hatype, protocol) {
        (ARPHRD_NETLINK, _) => None,
        (_, ETH_P_802_3) => Some(ProtoId::Ipx),
        (_, ETH_P_802_2) => Some(ProtoId::Llc),
        (_, 0..0x0600) => None,
        _ => by_ethertype(EtherType(protocol)),
    }
}

/// Linux `ETH_P_802_3`: a Novell raw 802.3 frame.
const ETH_P_802_3: u16 = 0x0001;

/// Linux `ETH_P_802_2`: an 802.2 LLC frame.
const ETH_P_802_2: u16 = 0x0004;

/// Decodes a Linux cooked capture (v1) header; the payload runs to the end of the captured bytes.
pub fn decode_v1(data: &[u8]) -> DecodeResult {
    let packet = PacketV1::new_checked(data)?;
    let payload_len = data.len() - HEADER_LEN_V1;
    let hatype = packet.hatype();
    let protocol = packet.protocol();
    Ok(Decoded {
        layer: Layer::Sll(Sll {
            packet_type: SllPacketType(packet.packet_type()),
            hatype,
            addr: AnyAddr(packet.addr().to_vec()),
            ether_type: EtherType(protocol),
            header_len: HEADER_LEN_V1 as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN_V1,
        payload_len,
        next: next_protocol(hatype, protocol),
    })
}

/// Decodes a Linux cooked capture v2 header; the payload runs to the end of the captured bytes.
pub fn decode_v2(data: &[u8]) -> DecodeResult {
    let packet = PacketV2::new_checked(data)?;
    let payload_len = data.len() - HEADER_LEN_V2;
    let hatype = packet.hatype();
    let protocol = packet.protocol();
    Ok(Decoded {
        layer: Layer::Sll2(Sll2 {
            ether_type: EtherType(protocol),
            interface_index: packet.interface_index(),
            hatype,
            packet_type: SllPacketType(u16::from(packet.packet_type())),
            addr: AnyAddr(packet.addr().to_vec()),
            header_len: HEADER_LEN_V2 as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN_V2,
        payload_len,
        next: next_protocol(hatype, protocol),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pcpp__SllPacket.pcap frame 1 (tshark: pkttype 0, hatype 1, halen 6,
    /// src 00:12:44:1e:74:00, etype 0x86dd), header and four bytes of IPv6.
    const SLL: [u8; 20] = [
        0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x12, 0x44, 0x1e, 0x74, 0x00, 0xf6, 0x7f, 0x86,
        0xdd, 0x60, 0x00, 0x00, 0x00,
    ];

    /// pcpp__sll2.pcap frame 1 (tshark: etype 0x0800, ifindex 20, hatype 1, pkttype 0,
    /// halen 6, src f0:3f:95:8f:82:63), header and four bytes of IPv4.
    const SLL2: [u8; 24] = [
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x06, 0xf0, 0x3f, 0x95,
        0x8f, 0x82, 0x63, 0x00, 0x00, 0x45, 0x00, 0x00, 0x47,
    ];

    #[test]
    fn v1_decodes_every_field() {
        let d = decode_v1(&SLL).unwrap();
        assert_eq!((d.header_len, d.payload_len), (16, 4));
        assert_eq!(d.next, Some(ProtoId::Ipv6));
        let Layer::Sll(sll) = d.layer else {
            panic!("not SLL")
        };
        assert_eq!(
            sll,
            Sll {
                packet_type: SllPacketType(0),
                hatype: 1,
                addr: AnyAddr(vec![0x00, 0x12, 0x44, 0x1e, 0x74, 0x00]),
                ether_type: EtherType::IPV6,
                header_len: 16,
                payload_len: 4,
            }
        );
        assert_eq!(sll.packet_type.name(), Some("host"));
        assert_eq!(sll.addr.to_string(), "00:12:44:1e:74:00");
    }

    #[test]
    fn v1_address_length_is_capped_at_the_field() {
        let mut frame = SLL;
        frame[4..6].copy_from_slice(&[0xff, 0xff]);
        frame[0..2].copy_from_slice(&[0x00, 0x04]);
        let Layer::Sll(sll) = decode_v1(&frame).unwrap().layer else {
            panic!("not SLL")
        };
        assert_eq!(sll.addr.0, SLL[6..14].to_vec());
        assert_eq!(sll.packet_type.name(), Some("outgoing"));
        frame[4..6].copy_from_slice(&[0x00, 0x00]);
        let Layer::Sll(sll) = decode_v1(&frame).unwrap().layer else {
            panic!("not SLL")
        };
        assert!(sll.addr.0.is_empty());
    }

    #[test]
    fn v1_pseudo_types_and_netlink() {
        let mut frame = SLL;
        for (proto, next) in [
            ([0x00, 0x01], Some(ProtoId::Ipx)),
            ([0x00, 0x04], Some(ProtoId::Llc)),
            ([0x00, 0x03], None),
            ([0x05, 0xff], None),
        ] {
            frame[14..16].copy_from_slice(&proto);
            assert_eq!(decode_v1(&frame).unwrap().next, next);
        }
        frame[14..16].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(decode_v1(&frame).unwrap().next, Some(ProtoId::Arp));
        frame[2..4].copy_from_slice(&824u16.to_be_bytes());
        assert_eq!(decode_v1(&frame).unwrap().next, None);
    }

    #[test]
    fn v1_header_only_has_empty_payload() {
        let d = decode_v1(&SLL[..16]).unwrap();
        assert_eq!((d.header_len, d.payload_len), (16, 0));
    }

    #[test]
    fn v1_short_header_is_an_error() {
        assert_eq!(
            decode_v1(&SLL[..15]).err().unwrap().to_string(),
            "SLL header needs 16 bytes, 15 captured"
        );
        assert!(decode_v1(&[]).is_err());
    }

    #[test]
    fn v2_decodes_every_field() {
        let d = decode_v2(&SLL2).unwrap();
        assert_eq!((d.header_len, d.payload_len), (20, 4));
        assert_eq!(d.next, Some(ProtoId::Ipv4));
        let Layer::Sll2(sll) = d.layer else {
            panic!("not SLL2")
        };
        assert_eq!(
            sll,
            Sll2 {
                ether_type: EtherType::IPV4,
                interface_index: 20,
                hatype: 1,
                packet_type: SllPacketType(0),
                addr: AnyAddr(vec![0xf0, 0x3f, 0x95, 0x8f, 0x82, 0x63]),
                header_len: 20,
                payload_len: 4,
            }
        );
    }

    #[test]
    fn v2_packet_type_address_and_netlink() {
        let mut frame = SLL2;
        frame[10] = 7;
        frame[11] = 200;
        frame[8..10].copy_from_slice(&824u16.to_be_bytes());
        let d = decode_v2(&frame).unwrap();
        assert_eq!(d.next, None);
        let Layer::Sll2(sll) = d.layer else {
            panic!("not SLL2")
        };
        assert_eq!(sll.packet_type, SllPacketType(7));
        assert_eq!(sll.packet_type.name(), None);
        assert_eq!(sll.addr.0, SLL2[12..20].to_vec());
        assert_eq!(sll.hatype, 824);
    }

    #[test]
    fn v2_short_header_is_an_error() {
        assert_eq!(
            decode_v2(&SLL2[..19]).err().unwrap().to_string(),
            "SLL2 header needs 20 bytes, 19 captured"
        );
    }
}
