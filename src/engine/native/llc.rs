//! IEEE 802.2 LLC header and its SNAP extension, carried by 802.3 frames whose type field is a
//! length (≤ 1500).
//!
//! DSAP/SSAP 0xE0 (NetWare) carries IPX; SNAP (0xAA/0xAA) with OUI 0 (or Cisco's 0x0000F8)
//! carries an Ethertype. Anything else (STP, NetBIOS, CDP over SNAP, ...) is left `Raw`.
//!
//! Novell "raw 802.3" frames have no LLC header: their payload starts with the IPX checksum
//! 0xFFFF. A caller that can see the payload (Ethernet) sends those to IPX directly; when a
//! length field leads here anyway (a VLAN tag's), [`decode`] hands them to IPX, as Wireshark's
//! 802.3 dissector does.

use super::{DecodeError, DecodeResult, Decoded, by_ethertype, ipx, read};
use crate::model::{EtherType, Layer, Llc, ProtoId};

/// Field offsets of the LLC header.
mod field {
    pub const DSAP: usize = 0;
    pub const SSAP: usize = 1;
    pub const CONTROL: usize = 2;
}

/// Length of the shortest LLC header (DSAP, SSAP, one-byte U-format control).
pub const MIN_HEADER_LEN: usize = 3;

/// Length of the SNAP extension (OUI and protocol id).
pub const SNAP_LEN: usize = 5;

/// The SNAP service access point.
pub const SAP_SNAP: u8 = 0xaa;

/// The DARPA Internet Protocol service access point (IPv4 with no SNAP).
pub const SAP_IP: u8 = 0x06;

/// The NetWare (IPX) service access point.
pub const SAP_NETWARE: u8 = 0xe0;

/// A view over an LLC header known to be complete (SNAP extension included when the SAPs
/// announce it).
pub struct Packet<'a> {
    buffer: &'a [u8],
    /// The first `MIN_HEADER_LEN` bytes: SAPs and the first control byte.
    head: &'a [u8; MIN_HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds the whole header its control field and
    /// SAPs announce.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(head) = buffer.first_chunk() else {
            return Err(DecodeError::truncated(
                "LLC header",
                MIN_HEADER_LEN,
                buffer.len(),
            ));
        };
        let packet = Packet { buffer, head };
        let needed = packet.header_len();
        if buffer.len() < needed {
            return Err(DecodeError::truncated("LLC header", needed, buffer.len()));
        }
        Ok(packet)
    }

    /// Destination SAP (the whole byte).
    pub fn dsap(&self) -> u8 {
        self.head[field::DSAP]
    }

    /// Source SAP (the whole byte).
    pub fn ssap(&self) -> u8 {
        self.head[field::SSAP]
    }

    /// Length of the control field: 1 for U frames (low bits 11), 2 for I and S frames.
    pub fn control_len(&self) -> usize {
        if self.head[field::CONTROL] & 0x03 == 0x03 {
            1
        } else {
            2
        }
    }

    /// The control field (needs the whole header: call after `new_checked`).
    pub fn control(&self) -> u16 {
        if self.control_len() == 1 {
            u16::from(self.head[field::CONTROL])
        } else {
            read::be16(self.buffer, field::CONTROL).unwrap_or_default()
        }
    }

    /// Whether a SNAP extension follows (both SAPs 0xAA, ignoring the I/G and C/R bits).
    pub fn is_snap(&self) -> bool {
        self.dsap() & 0xfe == SAP_SNAP && self.ssap() & 0xfe == SAP_SNAP
    }

    /// Header length: SAPs, control, and SNAP when present.
    pub fn header_len(&self) -> usize {
        2 + self.control_len() + if self.is_snap() { SNAP_LEN } else { 0 }
    }

    /// SNAP OUI and protocol id (call after `new_checked`).
    pub fn snap(&self) -> Option<(u32, u16)> {
        if !self.is_snap() {
            return None;
        }
        let at = 2 + self.control_len();
        let &[o0, o1, o2, p0, p1] = self.buffer.get(at..)?.first_chunk::<SNAP_LEN>()?;
        let oui = u32::from_be_bytes([0, o0, o1, o2]);
        Some((oui, u16::from_be_bytes([p0, p1])))
    }
}

/// The name of a service access point (the I/G or C/R bit ignored), if known.
pub fn sap_name(sap: u8) -> Option<&'static str> {
    Some(match sap & 0xfe {
        0x00 => "NULL",
        0x02 => "LLC-Sublayer-Management",
        0x04 | 0x08 | 0x0c => "SNA",
        0x06 => "IP",
        0x0e => "PROWAY-NM",
        0x18 => "TI",
        0x42 => "STP",
        0x4e => "EIA-RS-511",
        0x5e => "ISI-IP",
        0x7e => "X.25-PLP",
        0x80 => "XNS",
        0x8e => "PROWAY-ASLM",
        0x98 => "ARP",
        0xaa => "SNAP",
        0xbc => "Banyan-VINES",
        0xe0 => "NetWare",
        0xf0 => "NetBIOS",
        0xf4 => "LAN-Management",
        0xf8 => "RPL",
        0xfa => "UB",
        0xfe => "OSI",
        _ => return None,
    })
}

/// The protocol a SNAP header names: OUI 0 (RFC 1042) and 0x0000F8 (Cisco, 802.1H) carry an
/// Ethertype.
fn snap_next(oui: u32, pid: u16) -> Option<ProtoId> {
    match oui {
        0x000000 | 0x0000f8 if pid > 1500 => by_ethertype(EtherType(pid)),
        _ => None,
    }
}

/// Decodes an LLC header (or, for a Novell raw 802.3 payload, the IPX header it really is).
///
/// The payload runs to the end of the bytes the 802.3 length declared (the walker has already
/// trimmed the padding away).
pub fn decode(data: &[u8]) -> DecodeResult {
    if data.starts_with(&[0xff, 0xff]) {
        return ipx::decode(data);
    }
    let packet = Packet::new_checked(data)?;
    let header_len = packet.header_len();
    let payload_len = data.len() - header_len;
    let snap = packet.snap();
    let next = match snap {
        Some((oui, pid)) => snap_next(oui, pid),
        // Wireshark dispatches on the DSAP alone.
        None => match packet.dsap() & 0xfe {
            SAP_NETWARE => Some(ProtoId::Ipx),
            SAP_IP => Some(ProtoId::Ipv4),
            _ => None,
        },
    };
    Ok(Decoded {
        layer: Layer::Llc(Llc {
            dsap: packet.dsap(),
            ssap: packet.ssap(),
            control: packet.control(),
            dsap_name: sap_name(packet.dsap()),
            oui: snap.map(|s| s.0),
            pid: snap.map(|s| s.1),
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tcpdump__ipx.pcap frame 1 after the 802.3 header: DSAP 0xE0, SSAP 0xE0, UI (0x03),
    /// then the first bytes of the IPX header (checksum 0xFFFF, length 80).
    const NETWARE: [u8; 7] = [0xe0, 0xe0, 0x03, 0xff, 0xff, 0x00, 0x50];

    /// pcpp__VlanPackets.pcap frame 23 after the 802.3 header: SNAP, UI, OUI 0x00000C (Cisco),
    /// PID 0x2000 (CDP), then two bytes of CDP.
    const CISCO_SNAP: [u8; 10] = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02, 0xb4];

    fn llc_of(d: &Decoded) -> &Llc {
        let Layer::Llc(llc) = &d.layer else {
            panic!("not LLC: {:?}", d.layer)
        };
        llc
    }

    #[test]
    fn netware_sap_carries_ipx() {
        let d = decode(&NETWARE).unwrap();
        assert_eq!(
            *llc_of(&d),
            Llc {
                dsap: 0xe0,
                ssap: 0xe0,
                control: 0x03,
                dsap_name: Some("NetWare"),
                oui: None,
                pid: None,
                header_len: 3,
                payload_len: 4,
            }
        );
        assert_eq!((d.header_len, d.payload_len), (3, 4));
        assert_eq!(d.next, Some(ProtoId::Ipx));
    }

    #[test]
    fn snap_with_cisco_oui_is_left_raw() {
        let d = decode(&CISCO_SNAP).unwrap();
        let llc = llc_of(&d);
        assert_eq!((llc.oui, llc.pid), (Some(0x00000c), Some(0x2000)));
        assert_eq!(llc.dsap_name, Some("SNAP"));
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 2, None));
    }

    #[test]
    fn snap_with_oui_zero_dispatches_by_ethertype() {
        let mut frame = CISCO_SNAP;
        frame[3..8].copy_from_slice(&[0, 0, 0, 0x08, 0x00]);
        assert_eq!(decode(&frame).unwrap().next, Some(ProtoId::Ipv4));
        frame[3..8].copy_from_slice(&[0, 0, 0xf8, 0x86, 0xdd]);
        assert_eq!(decode(&frame).unwrap().next, Some(ProtoId::Ipv6));
        // A length-sized PID is not an Ethertype.
        frame[3..8].copy_from_slice(&[0, 0, 0, 0x00, 0x40]);
        assert_eq!(decode(&frame).unwrap().next, None);
    }

    #[test]
    fn information_frames_have_a_two_byte_control() {
        // STP-like SAPs with an I frame (control low bit 0): 0x0a 0x0c.
        let frame = [0x42, 0x42, 0x0a, 0x0c, 0x99];
        let d = decode(&frame).unwrap();
        let llc = llc_of(&d);
        assert_eq!(llc.control, 0x0a0c);
        assert_eq!(llc.dsap_name, Some("STP"));
        assert_eq!((d.header_len, d.payload_len, d.next), (4, 1, None));
    }

    #[test]
    fn novell_raw_payload_is_ipx() {
        let mut ipx = [0u8; 30];
        ipx[..4].copy_from_slice(&[0xff, 0xff, 0x00, 0x1e]);
        let d = decode(&ipx).unwrap();
        assert!(matches!(d.layer, Layer::Ipx(_)));
        assert_eq!((d.header_len, d.payload_len), (30, 0));
    }

    #[test]
    fn short_headers_are_errors() {
        assert_eq!(
            decode(&NETWARE[..2]).err().unwrap().to_string(),
            "LLC header needs 3 bytes, 2 captured"
        );
        assert_eq!(
            decode(&[0x42, 0x42, 0x00]).err().unwrap().to_string(),
            "LLC header needs 4 bytes, 3 captured"
        );
        assert_eq!(
            decode(&CISCO_SNAP[..7]).err().unwrap().to_string(),
            "LLC header needs 8 bytes, 7 captured"
        );
        assert!(decode(&[]).is_err());
    }

    /// Dissects an Ethernet frame through the walker.
    fn dissect(data: &[u8]) -> crate::model::Frame {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::LinkType;
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: data.len() as u32,
            link_type: LinkType::ETHERNET,
            interface: None,
            data,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    /// An IPX header with length 30 (no data), checksum 0xFFFF.
    fn ipx_header() -> Vec<u8> {
        let mut ipx = vec![0u8; 30];
        ipx[..4].copy_from_slice(&[0xff, 0xff, 0x00, 0x1e]);
        ipx
    }

    /// An Ethernet header with `type_or_len` in the type field.
    fn ethernet(type_or_len: u16) -> Vec<u8> {
        let mut eth = vec![0xff; 6];
        eth.extend([0x00, 0x03, 0x47, 0x1b, 0xc1, 0xa8]);
        eth.extend(type_or_len.to_be_bytes());
        eth
    }

    #[test]
    fn walker_trims_802_3_padding_and_decodes_llc_ipx() {
        // Length 33: LLC (3) + IPX (30); then 11 bytes of padding up to the 60-byte minimum.
        let mut frame = ethernet(33);
        frame.extend(NETWARE[..3].iter());
        frame.extend(ipx_header());
        frame.extend([0u8; 11]);
        let f = dissect(&frame);
        assert_eq!(f.protocol_chain(), "Ethernet:LLC:IPX");
        assert_eq!(f.error, None);
        let Layer::Ethernet(eth) = &f.layers[0] else {
            panic!("not Ethernet")
        };
        assert_eq!((eth.ether_type, eth.payload_len), (EtherType(33), 33));
        let Layer::Llc(llc) = &f.layers[1] else {
            panic!("not LLC")
        };
        assert_eq!(llc.payload_len, 30);
    }

    #[test]
    fn walker_novell_raw_802_3_is_ipx_without_llc() {
        let mut frame = ethernet(30);
        frame.extend(ipx_header());
        frame.extend([0u8; 16]);
        let f = dissect(&frame);
        assert_eq!(f.protocol_chain(), "Ethernet:IPX");
        assert_eq!(f.error, None);
        // Ethertype 0x8137 (Ethernet II) too.
        let mut frame = ethernet(0x8137);
        frame.extend(ipx_header());
        assert_eq!(dissect(&frame).protocol_chain(), "Ethernet:IPX");
    }

    #[test]
    fn walker_length_behind_a_vlan_tag_is_llc() {
        // pcpp__VlanPackets.pcap frame 21 shape: VLAN 118 with a length, then SNAP/CDP.
        let mut frame = ethernet(0x8100);
        frame.extend([0xa0, 0x76, 0x00, 0x0a]);
        frame.extend(CISCO_SNAP);
        let f = dissect(&frame);
        assert_eq!(f.protocol_chain(), "Ethernet:VLAN:LLC:Raw");
        // A Novell raw payload behind the tag is IPX.
        let mut frame = ethernet(0x8100);
        frame.extend([0xa0, 0x76, 0x00, 0x1e]);
        frame.extend(ipx_header());
        assert_eq!(dissect(&frame).protocol_chain(), "Ethernet:VLAN:IPX");
    }

    #[test]
    fn walker_reports_a_cut_llc_header() {
        let mut frame = ethernet(40);
        frame.extend([0xaa, 0xaa, 0x03, 0x00]);
        let f = dissect(&frame);
        // Named, as tshark names `llc`: a partial layer with no field.
        assert_eq!(f.protocol_chain(), "Ethernet:LLC");
        assert!(matches!(f.layers.last(), Some(Layer::Partial(_))));
        let error = f.error.unwrap();
        assert_eq!((error.layer, error.offset), (ProtoId::Llc, 14));
        assert_eq!(error.reason, "LLC header needs 8 bytes, 4 captured");
    }
}
