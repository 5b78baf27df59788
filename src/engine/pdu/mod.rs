//! The `pdu` engine: pdu 1.5's views mapped into pcapkit's records; whatever pdu does not
//! decode is handed to the native dissector.
//!
//! pdu decodes here: Ethernet II with one 802.1Q tag (pdu reads the tag as part of the
//! Ethernet header; it becomes pcapkit's Ethernet and VLAN records), ARP (Ethernet/IPv4),
//! IPv4 (+ options area), IPv6 and its Hop-by-Hop, Routing and Destination Options headers
//! (pdu's extension-header iterator; Fragment headers go to native, whose record needs the
//! next-header byte pdu does not give), TCP (+ options area), UDP, ICMP and ICMPv6 echo
//! messages, GRE (version 0 without routing) and ESP.
//!
//! pdu's errors (`Truncated`, `Malformed`) carry no layer or offset, and pdu rejects some valid
//! input (IPv4 total length 0 of TSO captures, 802.3 frames, an IPv6 chain ending in No Next
//! Header): where pdu rejects a header, native decodes that layer and reports any error with
//! its exact place. TCP data offset checks are made before pdu sees the segment. pdu does not
//! trim payloads to the IP or UDP length; pcapkit's walker does that for every engine.

use super::adapter::{self as ad, ArpFields, GreFields, Ipv4Fields, Ipv6Fields, TcpFields};
use super::native::{DecodeResult, LayerDecoder, dissect_with, dissect_with_into};
use super::{DissectOptions, Dissector};
use crate::capture::RawFrame;
use crate::model::{Frame, ProtoId};
use pdu::{
    ArpPdu, EspPdu, EthernetPdu, GrePdu, IcmpPdu, Ipv4Pdu, Ipv6ExtensionHeader, Ipv6Pdu, TcpPdu,
    UdpPdu,
};

/// The pdu dissector.
#[derive(Clone, Copy, Debug, Default)]
pub struct PduDissector;

impl Dissector for PduDissector {
    fn dissect(&self, raw: &RawFrame<'_>, opts: &DissectOptions) -> Frame {
        dissect_with(raw, opts, &mut Decoder::default())
    }

    fn dissect_into(&self, raw: &RawFrame<'_>, opts: &DissectOptions, frame: &mut Frame) {
        dissect_with_into(raw, opts, &mut Decoder::default(), frame);
    }
}

/// At most this many IPv6 extension headers are remembered from one pdu IPv6 view.
const MAX_EXTS: usize = 8;

/// Per-frame state: what pdu read ahead as part of an earlier layer.
#[derive(Default)]
struct Decoder<'a> {
    /// The VLAN tag pdu read with the Ethernet header: (where it starts, TCI, inner Ethertype).
    vlan: Option<(usize, u16, u16)>,
    /// IPv6 extension headers pdu sliced with the IPv6 header (address of each header's
    /// first byte, the header's bytes).
    exts: [Option<(usize, &'a [u8])>; MAX_EXTS],
}

impl<'a> Decoder<'a> {
    /// Remembers the extension headers of a pdu IPv6 view.
    ///
    /// pdu's iterator borrows the view for `'a`, so each header is re-sliced from `base` (the
    /// bytes the view was made from) at the place pdu sliced it.
    fn keep_exts(&mut self, ip: &Ipv6Pdu<'_>, base: &'a [u8]) {
        self.exts = [None; MAX_EXTS];
        let start = base.as_ptr() as usize;
        for (slot, ext) in self.exts.iter_mut().zip(ip.extension_headers()) {
            if let Ipv6ExtensionHeader::Raw { data, .. } = ext {
                let at = (data.as_ptr() as usize).wrapping_sub(start);
                if let Some(header) = base.get(at..at.saturating_add(data.len())) {
                    *slot = Some((header.as_ptr() as usize, header));
                }
            }
        }
    }

    /// The extension header pdu sliced at `data`'s first byte, if any and if it fits in
    /// `data` (pdu parsed the chain on the untrimmed buffer: a header running past the IPv6
    /// payload length goes to native, which reports it).
    fn ext_at(&self, data: &[u8]) -> Option<&'a [u8]> {
        let at = data.as_ptr() as usize;
        self.exts
            .iter()
            .flatten()
            .find(|(p, h)| *p == at && h.len() <= data.len())
            .map(|&(_, h)| h)
    }
}

impl<'a> LayerDecoder<'a> for Decoder<'a> {
    fn decode(
        &mut self,
        proto: ProtoId,
        data: &'a [u8],
        declared: usize,
        offset: usize,
    ) -> Option<DecodeResult> {
        let len = data.len();
        Some(match proto {
            ProtoId::Ethernet => {
                let eth = EthernetPdu::new(data).ok()?;
                let tpid = eth.tpid();
                if let (Some(vid), Some(pcp), Some(dei)) =
                    (eth.vlan(), eth.vlan_pcp(), eth.vlan_dei())
                {
                    let tci = u16::from(pcp) << 13 | u16::from(dei) << 12 | vid;
                    self.vlan = Some((offset + 14, tci, eth.ethertype()));
                }
                return ad::ethernet(eth.source_address(), eth.destination_address(), tpid, len);
            }
            ProtoId::Vlan => match self.vlan.take() {
                Some((at, tci, ether_type)) if at == offset => ad::vlan(tci, ether_type, len),
                _ => return None,
            },
            ProtoId::Arp | ProtoId::Rarp => {
                let arp = ArpPdu::new(data).ok()?;
                let (sha, spa) = (arp.sender_hardware_address(), arp.sender_protocol_address());
                let (tha, tpa) = (arp.target_hardware_address(), arp.target_protocol_address());
                ad::arp(
                    proto,
                    ArpFields {
                        htype: arp.hardware_type(),
                        ptype: arp.protocol_type(),
                        opcode: arp.opcode(),
                        addrs: [&sha, &spa, &tha, &tpa],
                    },
                )
            }
            ProtoId::Ipv4 => {
                let ip = Ipv4Pdu::new(data).ok()?;
                let header_len = ip.computed_ihl();
                ad::ipv4(
                    Ipv4Fields {
                        ihl: ip.ihl(),
                        tos: (ip.dscp() << 2) | ip.ecn(),
                        total_len: ip.total_length(),
                        id: ip.identification(),
                        df: ip.dont_fragment(),
                        mf: ip.more_fragments(),
                        frag_offset: ip.computed_fragment_offset(),
                        ttl: ip.ttl(),
                        proto: ip.protocol(),
                        checksum: ip.checksum(),
                        src: ip.source_address(),
                        dst: ip.destination_address(),
                        options: data.get(20..header_len).unwrap_or_default(),
                    },
                    len,
                )
            }
            ProtoId::Ipv6 => {
                let ip = Ipv6Pdu::new(data).ok()?;
                self.keep_exts(&ip, data);
                ad::ipv6(
                    Ipv6Fields {
                        traffic_class: (ip.dscp() << 2) | ip.ecn(),
                        flow_label: ip.flow_label(),
                        payload_len: ip.payload_length(),
                        next_header: ip.next_header(),
                        hop_limit: ip.hop_limit(),
                        src: ip.source_address(),
                        dst: ip.destination_address(),
                    },
                    len,
                )
            }
            ProtoId::HopOpt | ProtoId::Ipv6Opts | ProtoId::Ipv6Route => {
                return ad::ipv6_ext(proto, self.ext_at(data)?, declared);
            }
            ProtoId::Tcp => {
                // pdu checks only that the header is captured: make native's checks first.
                let data_offset = data.get(12).map_or(5, |b| b >> 4);
                if len >= 20
                    && let Err(e) = ad::check_tcp(data_offset, declared, len)
                {
                    return Some(Err(e));
                }
                let tcp = TcpPdu::new(data).ok()?;
                let header_len = tcp.computed_data_offset();
                // pdu has no accessor for the NS bit: it is the low bit of byte 12.
                let ns = u16::from(data.get(12).map_or(0, |b| b & 1));
                ad::tcp(
                    TcpFields {
                        src_port: tcp.source_port(),
                        dst_port: tcp.destination_port(),
                        seq: tcp.sequence_number(),
                        ack: tcp.acknowledgement_number(),
                        data_offset: tcp.data_offset(),
                        flags: ns << 8 | u16::from(tcp.flags()),
                        window: tcp.window_size(),
                        checksum: tcp.checksum(),
                        urgent: tcp.urgent_pointer(),
                    },
                    ad::tcp_options(data.get(20..header_len).unwrap_or_default()),
                    data,
                    declared,
                )
            }
            ProtoId::Udp => {
                let udp = UdpPdu::new(data).ok()?;
                ad::udp(
                    udp.source_port(),
                    udp.destination_port(),
                    udp.length(),
                    udp.checksum(),
                    data,
                )
            }
            ProtoId::Icmp | ProtoId::Icmpv6 => {
                let icmp = IcmpPdu::new(data).ok()?;
                return ad::icmp(
                    proto == ProtoId::Icmpv6,
                    icmp.message_type(),
                    icmp.message_code(),
                    icmp.checksum(),
                    data,
                    declared,
                );
            }
            ProtoId::Esp => {
                let esp = EspPdu::new(data).ok()?;
                ad::esp(esp.spi(), esp.sequence_number(), declared)
            }
            ProtoId::Gre => {
                // pdu knows RFC 2784/2890 GRE only: version 0, no routing (R bit) field.
                let gre = GrePdu::new(data).ok()?;
                let flags = u16::from_be_bytes([*data.first()?, *data.get(1)?]);
                if flags & 0x4000 != 0 {
                    return None;
                }
                // pdu gives the checksum but not the reserved word after it (bytes 6–7).
                let reserved = data
                    .get(6..)
                    .and_then(|b| b.first_chunk())
                    .map_or(0, |&b| u16::from_be_bytes(b));
                let checksum = gre.checksum().map(|c| (c, reserved));
                ad::gre(
                    GreFields {
                        flags,
                        ether_type: gre.ethertype(),
                        checksum,
                        key: gre.key(),
                        seq: gre.sequence_number(),
                        header_len: gre.computed_ihl(),
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
    fn pdu_decodes_its_protocols_itself_and_like_native() {
        testing::assert_coverage!(
            "pdu",
            Decoder::default,
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
    fn pdu_adapter_checks_tcp_data_offset() {
        let mut tcp = [0u8; 40];
        tcp[12] = 0xf0; // data offset 15 = 60 bytes, segment 40
        let result = Decoder::default().decode(ProtoId::Tcp, &tcp, 40, 34);
        assert!(matches!(result, Some(Err(_))));
    }
}
