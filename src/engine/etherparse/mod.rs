//! The `etherparse` engine: etherparse 0.21's `LaxSlicedPacket` mapped into pcapkit's
//! records; whatever etherparse does not decode is handed to the native dissector.
//!
//! At each entry point the walk reaches (the Ethernet header; an IPv4/IPv6 header, e.g. of a
//! raw-IP link type, after SLL/SLL2/Null/NFLOG headers native decoded, or inside a tunnel;
//! ARP or a VLAN tag after a cooked header), the rest is sliced once with `LaxSlicedPacket`
//! (`from_ethernet`, `from_ip`, `from_ether_type`), and each following layer is the lax
//! packet's slice that starts at the same byte. Where the lax packet has none (it stopped at
//! an error or at a protocol it does not know; IPv6 extension headers, see
//! `Decoder::lax_layer`), the layer is etherparse's header slice for it, whose
//! `LenError`/`HeaderSliceError` — the same check that set the lax packet's `stop_err` —
//! becomes the frame's `error` at that layer. The lax packet is not tried "strict first":
//! on a whole frame `SlicedPacket` and `LaxSlicedPacket` slice the same headers.
//!
//! etherparse decodes here: Ethernet II, 802.1Q tags, ARP/RARP, IPv4 (+ options area), the IP
//! Authentication Header, IPv6 and its Hop-by-Hop, Routing, Fragment and Destination Options
//! headers, TCP (+ options), UDP, and ICMP/ICMPv6 echo messages (native's records of the other
//! ICMP types carry bodies etherparse does not parse). Everything else (SLL and other link
//! headers, 802.3/LLC, IGMP, GRE, ESP, HTTP, DNS, ...) goes to native.

use super::adapter::{self as ad, AhFields, ArpFields, Ipv4Fields, Ipv6Fields, TcpFields};
use super::native::{DecodeError, DecodeResult, LayerDecoder, dissect_with, dissect_with_into};
use super::{DissectOptions, Dissector};
use crate::capture::RawFrame;
use crate::model::{Frame, ProtoId, TcpOption};
use etherparse::{
    ArpPacketSlice, EtherType, Ethernet2HeaderSlice, Icmpv4Slice, Icmpv6Slice, IpAuthHeaderSlice,
    Ipv4HeaderSlice, Ipv6FragmentHeaderSlice, Ipv6HeaderSlice, Ipv6RawExtHeaderSlice,
    LaxLinkExtSlice, LaxNetSlice, LaxSlicedPacket, LinkSlice, SingleVlanHeaderSlice,
    TcpHeaderSlice, TcpOptionElement, TransportSlice, UdpHeaderSlice,
};

/// The etherparse dissector.
#[derive(Clone, Copy, Debug, Default)]
pub struct EtherparseDissector;

impl Dissector for EtherparseDissector {
    fn dissect(&self, raw: &RawFrame<'_>, opts: &DissectOptions) -> Frame {
        dissect_with(raw, opts, &mut Decoder::default())
    }

    fn dissect_into(&self, raw: &RawFrame<'_>, opts: &DissectOptions, frame: &mut Frame) {
        dissect_with_into(raw, opts, &mut Decoder::default(), frame);
    }
}

/// Per-frame state of the adapter: the frame's `LaxSlicedPacket`, from the last entry point
/// (Ethernet, IP, SLL) the walk reached.
#[derive(Default)]
struct Decoder<'a> {
    /// The lax packet whose slices the following layers are looked up in.
    lax: Option<LaxSlicedPacket<'a>>,
}

/// An etherparse error as the frame's error reason.
fn err(what: &str, e: impl std::fmt::Display) -> DecodeError {
    ad::crate_error("etherparse", what, e)
}

impl<'a> LayerDecoder<'a> for Decoder<'a> {
    fn decode(
        &mut self,
        proto: ProtoId,
        data: &'a [u8],
        declared: usize,
        _offset: usize,
    ) -> Option<DecodeResult> {
        if let Some(result) = self.lax_layer(proto, data, declared) {
            return Some(result);
        }
        if matches!(
            proto,
            ProtoId::Ethernet | ProtoId::Ipv4 | ProtoId::Ipv6 | ProtoId::Sll
        ) {
            self.lax = lax_from(proto, data);
            if let Some(result) = self.lax_layer(proto, data, declared) {
                return Some(result);
            }
        }
        slice_layer(proto, data, declared)
    }
}

/// Parses `data` with `LaxSlicedPacket` from the entry point for `proto`: Ethernet, IP, or
/// an Ethertype (ARP, VLAN) after a link header etherparse does not slice (SLL, SLL2, Null,
/// NFLOG: native decodes that header, which is "stripping" it).
fn lax_from(proto: ProtoId, data: &[u8]) -> Option<LaxSlicedPacket<'_>> {
    match proto {
        ProtoId::Ethernet => LaxSlicedPacket::from_ethernet(data).ok(),
        ProtoId::Ipv4 | ProtoId::Ipv6 => LaxSlicedPacket::from_ip(data).ok(),
        ProtoId::Arp => Some(LaxSlicedPacket::from_ether_type(EtherType::ARP, data)),
        ProtoId::Vlan => Some(LaxSlicedPacket::from_ether_type(
            EtherType::VLAN_TAGGED_FRAME,
            data,
        )),
        _ => None,
    }
}

/// Whether `slice` starts where `data` does (the lax packet's layer for this place).
fn at(slice: &[u8], data: &[u8]) -> bool {
    std::ptr::eq(slice.as_ptr(), data.as_ptr())
}

impl<'a> Decoder<'a> {
    /// The layer the frame's `LaxSlicedPacket` sliced at `data`'s first byte, as a record.
    ///
    /// IPv6 extension headers are not looked up in the lax packet: etherparse 0.21's
    /// extension iterator (`Ipv6ExtensionsSlice::into_iter`) walks on past a chain the lax
    /// parse cut short, with unchecked slicing (a panic in debug builds, undefined behaviour
    /// in release; found by the random-corruption test). They are sliced one by one instead.
    fn lax_layer(&self, proto: ProtoId, data: &'a [u8], declared: usize) -> Option<DecodeResult> {
        let lax = self.lax.as_ref()?;
        match proto {
            ProtoId::Ethernet => match &lax.link {
                Some(LinkSlice::Ethernet2(e)) if at(e.slice(), data) => {
                    ad::ethernet(e.source(), e.destination(), e.ether_type().0, data.len())
                }
                _ => None,
            },
            ProtoId::Vlan => lax.link_exts.iter().find_map(|ext| match ext {
                LaxLinkExtSlice::Vlan(v) if at(v.slice(), data) => {
                    let tci = u16::from(v.priority_code_point().value()) << 13
                        | u16::from(v.drop_eligible_indicator()) << 12
                        | v.vlan_identifier().value();
                    Some(ad::vlan(tci, v.ether_type().0, data.len()))
                }
                _ => None,
            }),
            ProtoId::Arp | ProtoId::Rarp => match &lax.net {
                Some(LaxNetSlice::Arp(p)) if at(p.slice(), data) => Some(arp_record(proto, p)),
                _ => None,
            },
            ProtoId::Ipv4 => match &lax.net {
                Some(LaxNetSlice::Ipv4(ip)) if at(ip.header().slice(), data) => {
                    Some(ipv4_record(&ip.header(), data))
                }
                _ => None,
            },
            ProtoId::Ah => match &lax.net {
                Some(LaxNetSlice::Ipv4(ip)) => {
                    let auth = ip.extensions().auth?;
                    at(auth.slice(), data).then(|| ah_record(&auth, declared))
                }
                _ => None,
            },
            ProtoId::Ipv6 => match &lax.net {
                Some(LaxNetSlice::Ipv6(ip)) if at(ip.header().slice(), data) => {
                    Some(ipv6_record(&ip.header(), data))
                }
                _ => None,
            },
            ProtoId::Tcp => match &lax.transport {
                Some(TransportSlice::Tcp(t)) if at(t.header_slice(), data) => {
                    let h = TcpHeaderSlice::from_slice(t.header_slice()).ok()?;
                    Some(tcp_record(&h, data, declared))
                }
                _ => None,
            },
            ProtoId::Udp => match &lax.transport {
                Some(TransportSlice::Udp(u)) if at(u.header_slice(), data) => Some(ad::udp(
                    u.source_port(),
                    u.destination_port(),
                    u.length(),
                    u.checksum(),
                    data,
                )),
                _ => None,
            },
            ProtoId::Icmp => match &lax.transport {
                Some(TransportSlice::Icmpv4(m)) if at(m.slice(), data) && data.len() >= 8 => {
                    ad::icmp(
                        false,
                        m.type_u8(),
                        m.code_u8(),
                        m.checksum(),
                        m.slice(),
                        declared,
                    )
                }
                _ => None,
            },
            ProtoId::Icmpv6 => match &lax.transport {
                Some(TransportSlice::Icmpv6(m)) if at(m.slice(), data) && data.len() >= 8 => {
                    ad::icmp(
                        true,
                        m.type_u8(),
                        m.code_u8(),
                        m.checksum(),
                        m.slice(),
                        declared,
                    )
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// One layer from etherparse's header slice for it (where the frame's lax packet has none:
/// after a protocol etherparse does not know, or where the lax packet stopped, whose error
/// the header slice raises again, here at the layer it belongs to).
fn slice_layer(proto: ProtoId, data: &[u8], declared: usize) -> Option<DecodeResult> {
    Some(match proto {
        ProtoId::Ethernet => match Ethernet2HeaderSlice::from_slice(data) {
            Ok(h) => {
                return ad::ethernet(h.source(), h.destination(), h.ether_type().0, data.len());
            }
            Err(e) => Err(err("Ethernet header", e)),
        },
        ProtoId::Vlan => match SingleVlanHeaderSlice::from_slice(data) {
            Ok(h) => {
                let tci = u16::from(h.priority_code_point().value()) << 13
                    | u16::from(h.drop_eligible_indicator()) << 12
                    | h.vlan_identifier().value();
                ad::vlan(tci, h.ether_type().0, data.len())
            }
            Err(e) => Err(err("VLAN tag", e)),
        },
        ProtoId::Arp | ProtoId::Rarp => match ArpPacketSlice::from_slice(data) {
            Ok(p) => arp_record(proto, &p),
            Err(e) => Err(err("ARP packet", e)),
        },
        ProtoId::Ipv4 => match Ipv4HeaderSlice::from_slice(data) {
            Ok(h) => ipv4_record(&h, data),
            Err(e) => Err(err("IPv4 header", e)),
        },
        ProtoId::Ipv6 => match Ipv6HeaderSlice::from_slice(data) {
            Ok(h) => ipv6_record(&h, data),
            Err(e) => Err(err("IPv6 header", e)),
        },
        ProtoId::HopOpt | ProtoId::Ipv6Opts | ProtoId::Ipv6Route => {
            match Ipv6RawExtHeaderSlice::from_slice(data) {
                Ok(h) => return ad::ipv6_ext(proto, h.slice(), declared),
                Err(e) => Err(err("IPv6 extension header", e)),
            }
        }
        ProtoId::Ipv6Frag => match Ipv6FragmentHeaderSlice::from_slice(data) {
            Ok(h) => return ad::ipv6_ext(proto, h.slice(), declared),
            Err(e) => Err(err("IPv6 Fragment header", e)),
        },
        ProtoId::Ah => match IpAuthHeaderSlice::from_slice(data) {
            Ok(h) => ah_record(&h, declared),
            Err(e) => Err(err("AH header", e)),
        },
        ProtoId::Tcp => match TcpHeaderSlice::from_slice(data) {
            Ok(h) => tcp_record(&h, data, declared),
            Err(e) => Err(err("TCP header", e)),
        },
        ProtoId::Udp => match UdpHeaderSlice::from_slice(data) {
            Ok(h) => ad::udp(
                h.source_port(),
                h.destination_port(),
                h.length(),
                h.checksum(),
                data,
            ),
            Err(e) => Err(err("UDP header", e)),
        },
        // Only echo-like messages are the adapter's (see `adapter::icmp`): etherparse's length
        // rules for other types (e.g. 20 bytes for a timestamp) are not native's. etherparse
        // needs the whole 8-byte header; native reports 4..7 bytes.
        ProtoId::Icmp if data.len() >= 8 && matches!(data.first(), Some(0 | 8 | 15 | 16)) => {
            match Icmpv4Slice::from_slice(data) {
                Ok(m) => {
                    return ad::icmp(
                        false,
                        m.type_u8(),
                        m.code_u8(),
                        m.checksum(),
                        m.slice(),
                        declared,
                    );
                }
                Err(e) => Err(err("ICMP header", e)),
            }
        }
        ProtoId::Icmpv6 if data.len() >= 8 && matches!(data.first(), Some(128 | 129)) => {
            match Icmpv6Slice::from_slice(data) {
                Ok(m) => {
                    return ad::icmp(
                        true,
                        m.type_u8(),
                        m.code_u8(),
                        m.checksum(),
                        m.slice(),
                        declared,
                    );
                }
                Err(e) => Err(err("ICMPv6 header", e)),
            }
        }
        _ => return None,
    })
}

/// An ARP/RARP record from etherparse's ARP slice.
fn arp_record(proto: ProtoId, p: &ArpPacketSlice<'_>) -> DecodeResult {
    ad::arp(
        proto,
        ArpFields {
            htype: p.hw_addr_type().0,
            ptype: p.proto_addr_type().0,
            opcode: p.operation().0,
            addrs: [
                p.sender_hw_addr(),
                p.sender_protocol_addr(),
                p.target_hw_addr(),
                p.target_protocol_addr(),
            ],
        },
    )
}

/// An IPv4 record from etherparse's header slice; a total length below the header (which
/// etherparse reports from `payload_len`) is the layer's error. `data` is the datagram.
fn ipv4_record(h: &Ipv4HeaderSlice<'_>, data: &[u8]) -> DecodeResult {
    let total_len = h.total_len();
    if total_len != 0
        && let Err(e) = h.payload_len()
    {
        return Err(err("IPv4 total length", e));
    }
    ad::ipv4(
        Ipv4Fields {
            ihl: h.ihl(),
            tos: (h.dcp().value() << 2) | h.ecn().value(),
            total_len,
            id: h.identification(),
            df: h.dont_fragment(),
            mf: h.more_fragments(),
            frag_offset: h.fragments_offset().value().saturating_mul(8),
            ttl: h.ttl(),
            proto: h.protocol().0,
            checksum: h.header_checksum(),
            src: h.source(),
            dst: h.destination(),
            options: h.options(),
        },
        data.len(),
    )
}

/// An IPv6 record from etherparse's header slice.
fn ipv6_record(h: &Ipv6HeaderSlice<'_>, data: &[u8]) -> DecodeResult {
    ad::ipv6(
        Ipv6Fields {
            traffic_class: h.traffic_class(),
            flow_label: h.flow_label().value(),
            payload_len: h.payload_length(),
            next_header: h.next_header().0,
            hop_limit: h.hop_limit(),
            src: h.source(),
            dst: h.destination(),
        },
        data.len(),
    )
}

/// An AH record from etherparse's slice (length, reserved word read from the slice).
fn ah_record(h: &IpAuthHeaderSlice<'_>, declared: usize) -> DecodeResult {
    let bytes = h.slice();
    ad::ah(
        AhFields {
            next_header: h.next_header().0,
            len: bytes.get(1).copied().unwrap_or_default(),
            reserved: bytes
                .get(2..)
                .and_then(|b| b.first_chunk())
                .map_or(0, |&b| u16::from_be_bytes(b)),
            spi: h.spi(),
            seq: h.sequence_number(),
            icv: h.raw_icv(),
        },
        declared,
    )
}

/// A TCP record from etherparse's header slice, after native's data-offset checks (a data
/// offset below 5 is already etherparse's error; past the segment is checked here).
fn tcp_record(h: &TcpHeaderSlice<'_>, data: &[u8], declared: usize) -> DecodeResult {
    ad::check_tcp(h.data_offset(), declared, data.len())?;
    let flags = [
        h.fin(),
        h.syn(),
        h.rst(),
        h.psh(),
        h.ack(),
        h.urg(),
        h.ece(),
        h.cwr(),
        h.ns(),
    ]
    .iter()
    .enumerate()
    .fold(0u16, |acc, (bit, &set)| acc | (u16::from(set) << bit));
    ad::tcp(
        TcpFields {
            src_port: h.source_port(),
            dst_port: h.destination_port(),
            seq: h.sequence_number(),
            ack: h.acknowledgment_number(),
            data_offset: h.data_offset(),
            flags,
            window: h.window_size(),
            checksum: h.checksum(),
            urgent: h.urgent_pointer(),
        },
        tcp_options(h),
        data,
        declared,
    )
}

/// The TCP options as etherparse's iterator reads them.
///
/// etherparse stops at End of List and rejects kinds it does not know (MD5, MPTCP, TFO, ...):
/// an End of List is recorded as native does; on a kind etherparse rejects, the options list
/// is structured from the options area etherparse sliced (allow-listed in the agreement test
/// as a crate difference if it ever disagreed).
fn tcp_options(h: &TcpHeaderSlice<'_>) -> Vec<TcpOption> {
    let bytes = h.options();
    let mut out = Vec::new();
    let mut at = 0usize;
    for element in h.options_iterator() {
        let Ok(element) = element else {
            return ad::tcp_options(bytes);
        };
        let (option, len) = match element {
            TcpOptionElement::Noop => (TcpOption::Nop, 1),
            TcpOptionElement::MaximumSegmentSize(value) => (TcpOption::Mss { value }, 4),
            TcpOptionElement::WindowScale(shift) => (TcpOption::WindowScale { shift }, 3),
            TcpOptionElement::SelectiveAcknowledgementPermitted => (TcpOption::SackPermitted, 2),
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                let blocks: Vec<(u32, u32)> = std::iter::once(first)
                    .chain(rest.iter().flatten().copied())
                    .collect();
                let len = 2 + 8 * blocks.len();
                (TcpOption::Sack { blocks }, len)
            }
            TcpOptionElement::Timestamp(tsval, tsecr) => {
                (TcpOption::Timestamps { tsval, tsecr }, 10)
            }
        };
        out.push(option);
        at += len;
    }
    if bytes.get(at) == Some(&0) {
        out.push(TcpOption::EndOfList);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::adapter::testing;

    #[test]
    fn etherparse_decodes_its_protocols_itself_and_like_native() {
        testing::assert_coverage!(
            "etherparse",
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
    fn etherparse_errors_are_reported_at_the_layer() {
        let mut ip = [0u8; 20];
        ip[0] = 0x44; // IHL 4
        let result = Decoder::default().decode(ProtoId::Ipv4, &ip, 20, 14);
        assert!(matches!(result, Some(Err(_))));
        let result = Decoder::default().decode(ProtoId::Tcp, &[0u8; 12], 12, 34);
        assert!(matches!(result, Some(Err(_))));
    }
}
