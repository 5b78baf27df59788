//! The `pnet` engine: pnet_packet 0.35's zero-copy views mapped into pcapkit's records;
//! whatever pnet does not decode is handed to the native dissector.
//!
//! pnet decodes here: Ethernet II, Linux cooked capture v1 and v2, 802.1Q tags, ARP/RARP (Ethernet/IPv4 addresses: the only
//! layout pnet's `ArpPacket` has), IPv4 (+ options area), IPv6 and its Hop-by-Hop, Routing,
//! Fragment and Destination Options headers, TCP (+ options area), UDP, ICMP and ICMPv6 echo
//! messages, GRE (version 0 without routing).
//!
//! pnet's constructors only check a minimum size and its getters never fail, so the adapter
//! makes the checks native makes (IPv4 version, IHL ≥ 5, the whole header captured, total
//! length ≥ header; TCP data offset ≥ 5, within the segment and captured; extension header
//! length) and records the error at the same layer and offset.

use super::adapter::{
    self as ad, ArpFields, GreFields, Ipv4Fields, Ipv6Fields, SllFields, TcpFields,
};
use super::native::{DecodeError, DecodeResult, LayerDecoder, dissect_with, dissect_with_into};
use super::{DissectOptions, Dissector};
use crate::capture::RawFrame;
use crate::model::{Frame, ProtoId};
use pnet_packet::arp::ArpPacket;
use pnet_packet::ethernet::EthernetPacket;
use pnet_packet::gre::GrePacket;
use pnet_packet::icmp::IcmpPacket;
use pnet_packet::icmpv6::Icmpv6Packet;
use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::ipv6::{ExtensionPacket, FragmentPacket, Ipv6Packet};
use pnet_packet::sll::SLLPacket;
use pnet_packet::sll2::SLL2Packet;
use pnet_packet::tcp::TcpPacket;
use pnet_packet::udp::UdpPacket;
use pnet_packet::vlan::VlanPacket;

/// The pnet dissector.
#[derive(Clone, Copy, Debug, Default)]
pub struct PnetDissector;

impl Dissector for PnetDissector {
    fn dissect(&self, raw: &RawFrame<'_>, opts: &DissectOptions) -> Frame {
        dissect_with(raw, opts, &mut Decoder)
    }

    fn dissect_into(&self, raw: &RawFrame<'_>, opts: &DissectOptions, frame: &mut Frame) {
        dissect_with_into(raw, opts, &mut Decoder, frame);
    }
}

/// Per-frame state of the adapter (none: each layer is viewed on its own).
struct Decoder;

/// A header shorter than pnet's minimum for it.
fn short(what: &str, needed: usize, captured: usize) -> Option<DecodeResult> {
    Some(Err(DecodeError::truncated(what, needed, captured)))
}

impl<'a> LayerDecoder<'a> for Decoder {
    fn decode(
        &mut self,
        proto: ProtoId,
        data: &'a [u8],
        declared: usize,
        _offset: usize,
    ) -> Option<DecodeResult> {
        let len = data.len();
        Some(match proto {
            ProtoId::Ethernet => {
                let Some(p) = EthernetPacket::new(data) else {
                    return short(
                        "Ethernet header",
                        EthernetPacket::minimum_packet_size(),
                        len,
                    );
                };
                return ad::ethernet(
                    p.get_source().octets(),
                    p.get_destination().octets(),
                    p.get_ethertype().0,
                    len,
                );
            }
            ProtoId::Sll => {
                // pnet's minimum size leaves out the 8-byte address field, and the protocol
                // getter then reads past the buffer: check the whole header first.
                let Some(p) = SLLPacket::new(data).filter(|_| len >= 16) else {
                    return short("SLL header", 16, len);
                };
                ad::sll(
                    SllFields {
                        packet_type: p.get_packet_type(),
                        hatype: p.get_link_layer_address_type(),
                        addr_field: p.get_link_layer_address_raw(),
                        halen: usize::from(p.get_link_layer_address_len()),
                        protocol: p.get_protocol().0,
                        interface_index: None,
                    },
                    len,
                )
            }
            ProtoId::Sll2 => {
                // pnet's minimum size leaves out the 8-byte address field, and the protocol
                // getter then reads past the buffer: check the whole header first.
                let Some(p) = SLL2Packet::new(data).filter(|_| len >= 20) else {
                    return short("SLL2 header", 20, len);
                };
                ad::sll(
                    SllFields {
                        packet_type: u16::from(p.get_packet_type()),
                        hatype: p.get_arphrd_type(),
                        addr_field: p.get_link_layer_address_raw(),
                        halen: usize::from(p.get_link_layer_address_length()),
                        protocol: p.get_protocol_type().0,
                        interface_index: Some(p.get_interface_index()),
                    },
                    len,
                )
            }
            ProtoId::Vlan => {
                let Some(p) = VlanPacket::new(data) else {
                    return short("VLAN tag", VlanPacket::minimum_packet_size(), len);
                };
                let tci = u16::from(p.get_priority_code_point().0) << 13
                    | u16::from(p.get_drop_eligible_indicator() & 1) << 12
                    | (p.get_vlan_identifier() & 0x0fff);
                ad::vlan(tci, p.get_ethertype().0, len)
            }
            ProtoId::Arp | ProtoId::Rarp => {
                // pnet's ArpPacket is Ethernet/IPv4 only; other address sizes go to native.
                if data.get(4..6) != Some(&[6, 4][..]) {
                    return None;
                }
                let Some(p) = ArpPacket::new(data) else {
                    return short("ARP packet", ArpPacket::minimum_packet_size(), len);
                };
                let (sha, tha) = (
                    p.get_sender_hw_addr().octets(),
                    p.get_target_hw_addr().octets(),
                );
                let spa = p.get_sender_proto_addr().octets();
                let tpa = p.get_target_proto_addr().octets();
                ad::arp(
                    proto,
                    ArpFields {
                        htype: p.get_hardware_type().0,
                        ptype: p.get_protocol_type().0,
                        opcode: p.get_operation().0,
                        addrs: [&sha, &spa, &tha, &tpa],
                    },
                )
            }
            ProtoId::Ipv4 => {
                let Some(p) = Ipv4Packet::new(data) else {
                    return short("IPv4 header", Ipv4Packet::minimum_packet_size(), len);
                };
                let version = p.get_version();
                if version != 4 {
                    return Some(Err(DecodeError::other(format!(
                        "IPv4 version {version}, expected 4"
                    ))));
                }
                let (ihl, total_len) = (p.get_header_length(), p.get_total_length());
                if let Err(e) = ad::check_ipv4(ihl, total_len, len) {
                    return Some(Err(e));
                }
                let flags = p.get_flags();
                ad::ipv4(
                    Ipv4Fields {
                        ihl,
                        tos: (p.get_dscp() << 2) | p.get_ecn(),
                        total_len,
                        id: p.get_identification(),
                        df: flags & 0b010 != 0,
                        mf: flags & 0b001 != 0,
                        frag_offset: p.get_fragment_offset().wrapping_mul(8),
                        ttl: p.get_ttl(),
                        proto: p.get_next_level_protocol().0,
                        checksum: p.get_checksum(),
                        src: p.get_source().octets(),
                        dst: p.get_destination().octets(),
                        options: p.get_options_raw(),
                    },
                    len,
                )
            }
            ProtoId::Ipv6 => {
                let Some(p) = Ipv6Packet::new(data) else {
                    return short("IPv6 header", Ipv6Packet::minimum_packet_size(), len);
                };
                let version = p.get_version();
                if version != 6 {
                    return Some(Err(DecodeError::other(format!(
                        "IPv6 version {version}, expected 6"
                    ))));
                }
                ad::ipv6(
                    Ipv6Fields {
                        traffic_class: p.get_traffic_class(),
                        flow_label: p.get_flow_label(),
                        payload_len: p.get_payload_length(),
                        next_header: p.get_next_header().0,
                        hop_limit: p.get_hop_limit(),
                        src: p.get_source().octets(),
                        dst: p.get_destination().octets(),
                    },
                    len,
                )
            }
            ProtoId::HopOpt | ProtoId::Ipv6Opts | ProtoId::Ipv6Route => {
                let Some(p) = ExtensionPacket::new(data) else {
                    return short("IPv6 extension header", 8, len);
                };
                // pnet slices the options by hdr_ext_len but clamps silently: check it here.
                let header_len = (usize::from(p.get_hdr_ext_len()) + 1) * 8;
                match data.get(..header_len) {
                    Some(header) if len >= 8 => return ad::ipv6_ext(proto, header, declared),
                    _ => return short("IPv6 extension header", header_len.max(8), len),
                }
            }
            ProtoId::Ipv6Frag => {
                if FragmentPacket::new(data).is_none() {
                    return short(
                        "IPv6 Fragment header",
                        FragmentPacket::minimum_packet_size(),
                        len,
                    );
                }
                return ad::ipv6_ext(proto, data.get(..8)?, declared);
            }
            ProtoId::Tcp => {
                let Some(p) = TcpPacket::new(data) else {
                    return short("TCP header", TcpPacket::minimum_packet_size(), len);
                };
                let data_offset = p.get_data_offset();
                if let Err(e) = ad::check_tcp(data_offset, declared, len) {
                    return Some(Err(e));
                }
                let flags = u16::from(p.get_reserved() & 1) << 8 | u16::from(p.get_flags());
                ad::tcp(
                    TcpFields {
                        src_port: p.get_source(),
                        dst_port: p.get_destination(),
                        seq: p.get_sequence(),
                        ack: p.get_acknowledgement(),
                        data_offset,
                        flags,
                        window: p.get_window(),
                        checksum: p.get_checksum(),
                        urgent: p.get_urgent_ptr(),
                    },
                    ad::tcp_options(p.get_options_raw()),
                    data,
                    declared,
                )
            }
            ProtoId::Udp => {
                let Some(p) = UdpPacket::new(data) else {
                    return short("UDP header", UdpPacket::minimum_packet_size(), len);
                };
                ad::udp(
                    p.get_source(),
                    p.get_destination(),
                    p.get_length(),
                    p.get_checksum(),
                    data,
                )
            }
            // pnet's views need 4 bytes; the per-type fields need the whole 8-byte header,
            // which native reports partially: shorter messages go to native.
            ProtoId::Icmp if len >= 8 => {
                let p = IcmpPacket::new(data)?;
                return ad::icmp(
                    false,
                    p.get_icmp_type().0,
                    p.get_icmp_code().0,
                    p.get_checksum(),
                    data,
                    declared,
                );
            }
            ProtoId::Icmpv6 if len >= 8 => {
                let p = Icmpv6Packet::new(data)?;
                return ad::icmp(
                    true,
                    p.get_icmpv6_type().0,
                    p.get_icmpv6_code().0,
                    p.get_checksum(),
                    data,
                    declared,
                );
            }
            ProtoId::Gre => {
                // pnet's GRE view panics on a routing field (RFC 1701) and knows no version 1
                // (PPTP) fields: those go to native, checked on the raw bytes before pnet.
                let &[high, low, ..] = data else {
                    return None;
                };
                if high & 0x40 != 0 || low & 0x07 != 0 {
                    return None;
                }
                let p = GrePacket::new(data)?;
                let (c, k, s) = (
                    p.get_checksum_present(),
                    p.get_key_present(),
                    p.get_sequence_present(),
                );
                let header_len = 4 + 4 * usize::from(c + k + s);
                if len < header_len {
                    return short("GRE header", header_len, len);
                }
                let be16 = |b: &[u8]| b.first_chunk().map(|&b| u16::from_be_bytes(b));
                let be32 = |b: &[u8]| b.first_chunk().map(|&b| u32::from_be_bytes(b));
                let flags = u16::from(c) << 15
                    | u16::from(p.get_routing_present()) << 14
                    | u16::from(k) << 13
                    | u16::from(s) << 12
                    | u16::from(p.get_strict_source_route()) << 11
                    | u16::from(p.get_recursion_control()) << 8
                    | u16::from(p.get_zero_flags()) << 3
                    | u16::from(p.get_version());
                let checksum = be16(p.get_checksum_raw()).zip(be16(p.get_offset_raw()));
                ad::gre(
                    GreFields {
                        flags,
                        ether_type: p.get_protocol_type(),
                        checksum,
                        key: be32(p.get_key_raw()),
                        seq: be32(p.get_sequence_raw()),
                        header_len,
                    },
                    len,
                )
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::adapter::testing;

    #[test]
    fn pnet_decodes_its_protocols_itself_and_like_native() {
        testing::assert_coverage!(
            "pnet",
            || Decoder,
            &[
                ProtoId::Ethernet,
                ProtoId::Vlan,
                ProtoId::Arp,
                ProtoId::Ipv4,
                ProtoId::Ipv6,
                ProtoId::HopOpt,
                ProtoId::Tcp,
                ProtoId::Udp,
                ProtoId::Icmp,
                ProtoId::Icmpv6,
            ],
            90,
        );
    }

    #[test]
    fn pnet_adapter_makes_the_checks_pnet_does_not() {
        let mut ip = [0u8; 40];
        ip[0] = 0x44; // IHL 4
        assert!(matches!(
            Decoder.decode(ProtoId::Ipv4, &ip, 40, 14),
            Some(Err(_))
        ));
        ip[0] = 0x4f; // IHL 15: 60 bytes, 40 captured
        assert!(matches!(
            Decoder.decode(ProtoId::Ipv4, &ip, 40, 14),
            Some(Err(_))
        ));
        let mut tcp = [0u8; 40];
        tcp[12] = 0xf0; // data offset 15 = 60 bytes, segment 40
        assert!(matches!(
            Decoder.decode(ProtoId::Tcp, &tcp, 40, 34),
            Some(Err(_))
        ));
    }
}
