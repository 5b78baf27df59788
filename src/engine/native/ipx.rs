//! Novell IPX header (Ethertype 0x8137, 802.2 LLC SAP 0xE0, or Novell raw 802.3).
//!
//! The 30-byte header is decoded; its data (SPX, NCP, SAP, RIP, NetBIOS, ...) is left `Raw`.

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{Ipx, Layer, MacAddr};

/// Field offsets of the IPX header.
mod field {
    use std::ops::Range;
    pub const CHECKSUM: usize = 0;
    pub const LENGTH: usize = 2;
    pub const TRANSPORT_CONTROL: usize = 4;
    pub const PACKET_TYPE: usize = 5;
    pub const DST_NET: usize = 6;
    pub const DST_NODE: Range<usize> = 10..16;
    pub const DST_SOCKET: usize = 16;
    pub const SRC_NET: usize = 18;
    pub const SRC_NODE: Range<usize> = 22..28;
    pub const SRC_SOCKET: usize = 28;
}

/// Length of the IPX header.
pub const HEADER_LEN: usize = 30;

/// A view over an IPX packet whose header is known to be complete.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(header) = buffer.first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "IPX header",
                HEADER_LEN,
                buffer.len(),
            ));
        };
        Ok(Packet { header })
    }

    fn be16(&self, at: usize) -> u16 {
        read::be16(self.header, at).unwrap_or(0)
    }

    fn be32(&self, at: usize) -> u32 {
        read::be32(self.header, at).unwrap_or(0)
    }

    fn node(&self, range: std::ops::Range<usize>) -> MacAddr {
        MacAddr::from_slice(self.header.get(range).unwrap_or_default()).unwrap_or_default()
    }

    /// Checksum as carried (0xFFFF: not used).
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM)
    }

    /// Length field: header and data.
    pub fn len(&self) -> u16 {
        self.be16(field::LENGTH)
    }

    /// Transport control (hop count).
    pub fn transport_control(&self) -> u8 {
        self.header[field::TRANSPORT_CONTROL]
    }

    /// Packet type.
    pub fn packet_type(&self) -> u8 {
        self.header[field::PACKET_TYPE]
    }

    /// Destination network.
    pub fn dst_net(&self) -> u32 {
        self.be32(field::DST_NET)
    }

    /// Destination node.
    pub fn dst_node(&self) -> MacAddr {
        self.node(field::DST_NODE)
    }

    /// Destination socket.
    pub fn dst_socket(&self) -> u16 {
        self.be16(field::DST_SOCKET)
    }

    /// Source network.
    pub fn src_net(&self) -> u32 {
        self.be32(field::SRC_NET)
    }

    /// Source node.
    pub fn src_node(&self) -> MacAddr {
        self.node(field::SRC_NODE)
    }

    /// Source socket.
    pub fn src_socket(&self) -> u16 {
        self.be16(field::SRC_SOCKET)
    }
}

/// The name of an IPX packet type, as Wireshark shows it.
pub fn packet_type_name(packet_type: u8) -> Option<&'static str> {
    Some(match packet_type {
        0 => "IPX",
        1 => "RIP",
        2 => "Echo",
        3 => "Error",
        4 => "PEP",
        5 => "SPX",
        17 => "NCP",
        20 => "NetBIOS Broadcast",
        _ => return None,
    })
}

/// The name of a well-known IPX socket.
pub fn socket_name(socket: u16) -> Option<&'static str> {
    Some(match socket {
        0x0002 => "Cisco PING",
        0x0451 => "NCP",
        0x0452 => "SAP",
        0x0453 => "RIP",
        0x0455 => "NetBIOS",
        0x0456 => "Diagnostic",
        0x0457 => "Serialization",
        0x0550 => "NWLink SMB Server",
        0x0551 => "NWLink SMB Name Query",
        0x0552 => "NWLink SMB Redirector",
        0x0553 => "NWLink SMB Mailslot Datagram",
        0x0554 => "NWLink SMB Messenger",
        0x0555 => "NWLink SMB Browse",
        0x055d => "Attachmate Gateway",
        0x4001 => "IPX Message",
        0x85be => "Cisco EIGRP for IPX",
        0x8104 => "NetWare 386",
        0x900f => "SNMP Agent",
        0x9010 => "SNMP Sink",
        0x9086 => "Novell PING",
        _ => return None,
    })
}

/// Decodes an IPX header; the data (length − 30 bytes) is left to the walker as `Raw`.
///
/// A length field below 30 is an error; one beyond the captured bytes is kept (snap length).
pub fn decode(data: &[u8]) -> DecodeResult {
    let packet = Packet::new_checked(data)?;
    let len = packet.len();
    if usize::from(len) < HEADER_LEN {
        return Err(DecodeError::other(format!(
            "IPX length {len} < {HEADER_LEN} (the header alone)"
        )));
    }
    let payload_len = usize::from(len) - HEADER_LEN;
    Ok(Decoded {
        layer: Layer::Ipx(Box::new(Ipx {
            checksum: packet.checksum(),
            len,
            transport_control: packet.transport_control(),
            packet_type: packet.packet_type(),
            packet_type_name: packet_type_name(packet.packet_type()),
            dst_net: packet.dst_net(),
            dst_node: packet.dst_node(),
            dst_socket: packet.dst_socket(),
            dst_socket_name: socket_name(packet.dst_socket()),
            src_net: packet.src_net(),
            src_node: packet.src_node(),
            src_socket: packet.src_socket(),
            src_socket_name: socket_name(packet.src_socket()),
            header_len: HEADER_LEN as u32,
            payload_len: payload_len as u32,
        })),
        header_len: HEADER_LEN,
        payload_len,
        next: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tcpdump__ipx.pcap frame 1 after the LLC header: checksum 0xFFFF, length 80, 0 hops,
    /// type 0x14 (NetBIOS broadcast), dst 0x00000000.ff:ff:ff:ff:ff:ff socket 0x0455, src
    /// 0xA8F87967.00:00:00:00:00:01 socket 0x0455, then the first 2 of 50 data bytes.
    const PACKET: [u8; 32] = [
        0xff, 0xff, 0x00, 0x50, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x04, 0x55, 0xa8, 0xf8, 0x79, 0x67, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x55,
        0x00, 0x00,
    ];

    #[test]
    fn decodes_every_field() {
        let d = decode(&PACKET).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (30, 50, None));
        let Layer::Ipx(ipx) = d.layer else {
            panic!("not IPX")
        };
        assert_eq!(
            *ipx,
            Ipx {
                checksum: 0xffff,
                len: 80,
                transport_control: 0,
                packet_type: 0x14,
                packet_type_name: Some("NetBIOS Broadcast"),
                dst_net: 0,
                dst_node: MacAddr([0xff; 6]),
                dst_socket: 0x0455,
                dst_socket_name: Some("NetBIOS"),
                src_net: 0xa8f8_7967,
                src_node: MacAddr([0, 0, 0, 0, 0, 1]),
                src_socket: 0x0455,
                src_socket_name: Some("NetBIOS"),
                header_len: 30,
                payload_len: 50,
            }
        );
    }

    #[test]
    fn length_below_the_header_is_an_error() {
        let mut bad = PACKET;
        for len in [0u8, 29] {
            bad[2..4].copy_from_slice(&[0, len]);
            assert_eq!(
                decode(&bad).err().unwrap().to_string(),
                format!("IPX length {len} < 30 (the header alone)")
            );
        }
    }

    #[test]
    fn length_past_the_captured_bytes_is_kept() {
        let mut big = PACKET;
        big[2..4].copy_from_slice(&[0xff, 0xff]);
        let d = decode(&big).unwrap();
        assert_eq!(d.payload_len, 65535 - 30);
    }

    #[test]
    fn short_header_is_an_error() {
        assert_eq!(
            decode(&PACKET[..29]).err().unwrap().to_string(),
            "IPX header needs 30 bytes, 29 captured"
        );
    }

    #[test]
    fn names() {
        assert_eq!(socket_name(0x0452), Some("SAP"));
        assert_eq!(socket_name(0x4008), None);
        assert_eq!(packet_type_name(4), Some("PEP"));
        assert_eq!(packet_type_name(99), None);
    }
}
