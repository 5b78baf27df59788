//! One typed record per protocol layer: the parsed meaning of a header (smoltcp's `Repr`).
//!
//! Every record carries `header_len` (bytes of this layer's header) and `payload_len` (bytes this
//! header says follow it, or the captured bytes that follow where the protocol has no length).
//! The serde form of [`Layer`] is `{"protocol": "<name>", ...fields}`.

use super::addr::{AnyAddr, EtherType, HexBytes, MacAddr};
use super::proto::ProtoId;
use serde::{Serialize, Serializer};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// One dissected protocol layer of a frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "protocol")]
pub enum Layer {
    /// Ethernet II / 802.3 header.
    Ethernet(Ethernet),
    /// Linux cooked capture v1.
    #[serde(rename = "SLL")]
    Sll(Sll),
    /// Linux cooked capture v2.
    #[serde(rename = "SLL2")]
    Sll2(Sll2),
    /// BSD loopback header.
    Null(Null),
    /// Linux netfilter NFLOG header.
    #[serde(rename = "NFLOG")]
    Nflog(Nflog),
    /// 802.1Q / 802.1ad tag.
    #[serde(rename = "VLAN")]
    Vlan(Vlan),
    /// ARP packet.
    #[serde(rename = "ARP")]
    Arp(Arp),
    /// RARP packet (same layout as ARP).
    #[serde(rename = "RARP")]
    Rarp(Arp),
    /// IPv4 header.
    #[serde(rename = "IPv4")]
    Ipv4(Ipv4),
    /// IPv6 fixed header.
    #[serde(rename = "IPv6")]
    Ipv6(Ipv6),
    /// IPv6 Hop-by-Hop Options header.
    #[serde(rename = "HOPOPT")]
    HopOpt(Ipv6Options),
    /// IPv6 Routing header.
    #[serde(rename = "IPv6-Route")]
    Ipv6Route(Ipv6Route),
    /// IPv6 Fragment header.
    #[serde(rename = "IPv6-Frag")]
    Ipv6Frag(Ipv6Frag),
    /// IPv6 Destination Options header.
    #[serde(rename = "IPv6-Opts")]
    Ipv6Opts(Ipv6Options),
    /// TCP header.
    #[serde(rename = "TCP")]
    Tcp(Tcp),
    /// UDP header.
    #[serde(rename = "UDP")]
    Udp(Udp),
    /// ICMP message.
    #[serde(rename = "ICMP")]
    Icmp(Icmp),
    /// ICMPv6 message.
    #[serde(rename = "ICMPv6")]
    Icmpv6(Icmp),
    /// HTTP/1.x request or response head (boxed: it is much larger than the other records).
    #[serde(rename = "HTTP")]
    Http(Box<Http>),
    /// Bytes that were not dissected.
    Raw(Raw),
}

impl Layer {
    /// The protocol this layer is.
    pub fn proto(&self) -> ProtoId {
        match self {
            Layer::Ethernet(_) => ProtoId::Ethernet,
            Layer::Sll(_) => ProtoId::Sll,
            Layer::Sll2(_) => ProtoId::Sll2,
            Layer::Null(_) => ProtoId::Null,
            Layer::Nflog(_) => ProtoId::Nflog,
            Layer::Vlan(_) => ProtoId::Vlan,
            Layer::Arp(_) => ProtoId::Arp,
            Layer::Rarp(_) => ProtoId::Rarp,
            Layer::Ipv4(_) => ProtoId::Ipv4,
            Layer::Ipv6(_) => ProtoId::Ipv6,
            Layer::HopOpt(_) => ProtoId::HopOpt,
            Layer::Ipv6Route(_) => ProtoId::Ipv6Route,
            Layer::Ipv6Frag(_) => ProtoId::Ipv6Frag,
            Layer::Ipv6Opts(_) => ProtoId::Ipv6Opts,
            Layer::Tcp(_) => ProtoId::Tcp,
            Layer::Udp(_) => ProtoId::Udp,
            Layer::Icmp(_) => ProtoId::Icmp,
            Layer::Icmpv6(_) => ProtoId::Icmpv6,
            Layer::Http(_) => ProtoId::Http,
            Layer::Raw(_) => ProtoId::Raw,
        }
    }
}

/// Ethernet II header (or 802.3, where `type` is a length and an LLC header follows).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ethernet {
    /// Source MAC address.
    pub src: MacAddr,
    /// Destination MAC address.
    pub dst: MacAddr,
    /// Ethertype of the payload.
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Header length in bytes (14).
    pub header_len: u32,
    /// Captured bytes after the header, padding and trailer included.
    pub payload_len: u32,
}

/// Linux cooked capture v1 header (16 bytes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sll {
    /// Packet type: `host`, `broadcast`, `multicast`, `otherhost`, `outgoing`, or the number.
    pub packet_type: SllPacketType,
    /// ARPHRD_ type of the device (1 = Ethernet).
    pub hatype: u16,
    /// Link-layer source address (as long as the header says, at most 8 bytes).
    pub addr: AnyAddr,
    /// Protocol of the payload.
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Header length in bytes (16).
    pub header_len: u32,
    /// Captured bytes after the header.
    pub payload_len: u32,
}

/// Linux cooked capture v2 header (20 bytes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sll2 {
    /// Protocol of the payload.
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Interface index the packet was captured on.
    pub interface_index: u32,
    /// ARPHRD_ type of the device.
    pub hatype: u16,
    /// Packet type, as in SLL.
    pub packet_type: SllPacketType,
    /// Link-layer address.
    pub addr: AnyAddr,
    /// Header length in bytes (20).
    pub header_len: u32,
    /// Captured bytes after the header.
    pub payload_len: u32,
}

/// The packet type of a Linux cooked capture header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SllPacketType(pub u16);

impl SllPacketType {
    /// The kernel's name for the packet type.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "host",
            1 => "broadcast",
            2 => "multicast",
            3 => "otherhost",
            4 => "outgoing",
            _ => return None,
        })
    }
}

impl Serialize for SllPacketType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(name) => s.serialize_str(name),
            None => s.collect_str(&self.0),
        }
    }
}

/// BSD null/loopback header: the address family in host byte order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Null {
    /// Address family (2 = IPv4; 24, 28, 30 = IPv6 on the BSDs and macOS).
    pub family: u32,
    /// Header length in bytes (4).
    pub header_len: u32,
    /// Captured bytes after the header.
    pub payload_len: u32,
}

/// Linux netfilter NFLOG header (link type 239): a 4-byte header and type-length-value
/// attributes, one of which (`NFULA_PAYLOAD`) carries the logged packet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Nflog {
    /// Address family of the logged packet (2 IPv4, 10 IPv6).
    pub family: u8,
    /// NFLOG version (0).
    pub version: u8,
    /// Resource id: the netfilter log group.
    pub resource_id: u16,
    /// Log prefix (`NFULA_PREFIX`), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The attributes, in order.
    pub attributes: Vec<NflogAttribute>,
    /// Bytes up to the logged packet (header and attributes before it).
    pub header_len: u32,
    /// Length of the logged packet.
    pub payload_len: u32,
}

/// One NFLOG type-length-value attribute.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NflogAttribute {
    /// Attribute type number.
    #[serde(rename = "type")]
    pub kind: u16,
    /// Attribute name (`PACKET_HDR`, `PREFIX`, `PAYLOAD`, ...), or `Unknown`.
    pub name: &'static str,
    /// Attribute length, its 4-byte header included (padding excluded).
    pub len: u16,
}

/// IEEE 802.1Q tag (also the outer 802.1ad tag of QinQ).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vlan {
    /// Tag control information (PCP, DEI and VID together).
    pub tci: u16,
    /// Priority code point (0–7).
    pub pcp: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// VLAN identifier (0–4095).
    pub vid: u16,
    /// Ethertype of the payload.
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Header length in bytes (4).
    pub header_len: u32,
    /// Captured bytes after the tag.
    pub payload_len: u32,
}

/// ARP or RARP packet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arp {
    /// Hardware type (1 = Ethernet).
    pub htype: u16,
    /// Protocol type.
    pub ptype: EtherType,
    /// Hardware address length.
    pub hlen: u8,
    /// Protocol address length.
    pub plen: u8,
    /// Operation (1 request, 2 reply, 3/4 RARP request/reply).
    pub opcode: u16,
    /// Sender hardware address.
    pub sha: AnyAddr,
    /// Sender protocol address.
    pub spa: AnyAddr,
    /// Target hardware address.
    pub tha: AnyAddr,
    /// Target protocol address.
    pub tpa: AnyAddr,
    /// Length of the ARP packet in bytes (8 + 2·hlen + 2·plen).
    pub header_len: u32,
    /// Bytes after the packet (0: any trailing bytes are link-layer padding).
    pub payload_len: u32,
}

/// IPv4 header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipv4 {
    /// Version field (4).
    pub version: u8,
    /// Header length in 32-bit words.
    pub ihl: u8,
    /// Type of service / DSCP+ECN byte.
    pub tos: u8,
    /// Total length of the datagram.
    pub total_len: u16,
    /// Identification.
    pub id: u16,
    /// Don't Fragment flag.
    pub df: bool,
    /// More Fragments flag.
    pub mf: bool,
    /// Fragment offset in bytes.
    pub frag_offset: u16,
    /// Time to live.
    pub ttl: u8,
    /// Protocol number of the payload (6 TCP, 17 UDP, ...).
    pub proto: u8,
    /// Header checksum as carried.
    pub checksum: u16,
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Header options, in order.
    pub options: Vec<IpOption>,
    /// Header length in bytes (4·ihl).
    pub header_len: u32,
    /// Payload length by the header (total_len − header_len).
    pub payload_len: u32,
}

/// One IPv4 option or IPv6 hop-by-hop/destination option.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IpOption {
    /// Option type number.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Short name of the option (`NOP`, `RR`, `PadN`, `RouterAlert`, ...), or `Unknown`.
    pub name: &'static str,
    /// Total length of the option in bytes, type and length bytes included.
    pub len: u16,
    /// Option data after the type and length bytes.
    pub data: HexBytes,
}

/// IPv6 fixed header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipv6 {
    /// Version field (6).
    pub version: u8,
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label (20 bits).
    pub flow_label: u32,
    /// Payload length (extension headers included).
    pub payload_len: u32,
    /// Protocol number of the first header after this one.
    pub next_header: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Header length in bytes (40).
    pub header_len: u32,
}

/// IPv6 Hop-by-Hop or Destination Options extension header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipv6Options {
    /// Protocol number of the next header.
    pub next_header: u8,
    /// Options, padding included.
    pub options: Vec<IpOption>,
    /// Header length in bytes (8·(hdr_ext_len + 1)).
    pub header_len: u32,
    /// Bytes after this header, by the IPv6 payload length.
    pub payload_len: u32,
}

/// IPv6 Routing extension header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipv6Route {
    /// Protocol number of the next header.
    pub next_header: u8,
    /// Routing type (0 source route, 2 mobile IPv6, 3 RPL, 4 segment routing).
    pub routing_type: u8,
    /// Segments left.
    pub segments_left: u8,
    /// Addresses carried by routing types 0, 2 and 4.
    pub addresses: Vec<Ipv6Addr>,
    /// Header length in bytes.
    pub header_len: u32,
    /// Bytes after this header, by the IPv6 payload length.
    pub payload_len: u32,
}

/// IPv6 Fragment extension header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipv6Frag {
    /// Protocol number of the fragmented payload.
    pub next_header: u8,
    /// Fragment offset in bytes.
    pub frag_offset: u16,
    /// More Fragments flag.
    pub mf: bool,
    /// Identification.
    pub id: u32,
    /// Header length in bytes (8).
    pub header_len: u32,
    /// Bytes after this header, by the IPv6 payload length.
    pub payload_len: u32,
}

/// TCP header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tcp {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number (absolute).
    pub seq: u32,
    /// Acknowledgement number (absolute).
    pub ack: u32,
    /// Data offset in 32-bit words.
    pub data_offset: u8,
    /// Flags, e.g. `"SYN,ACK"`.
    pub flags: TcpFlags,
    /// Window (unscaled).
    pub window: u16,
    /// Checksum as carried.
    pub checksum: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// Options, in order.
    pub options: Vec<TcpOption>,
    /// Header length in bytes (4·data_offset).
    pub header_len: u32,
    /// Segment payload length by the IP header.
    pub payload_len: u32,
}

/// The nine TCP flag bits (NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpFlags(pub u16);

impl TcpFlags {
    /// FIN flag bit.
    pub const FIN: u16 = 0x001;
    /// SYN flag bit.
    pub const SYN: u16 = 0x002;
    /// RST flag bit.
    pub const RST: u16 = 0x004;
    /// PSH flag bit.
    pub const PSH: u16 = 0x008;
    /// ACK flag bit.
    pub const ACK: u16 = 0x010;
    /// URG flag bit.
    pub const URG: u16 = 0x020;
    /// ECE flag bit.
    pub const ECE: u16 = 0x040;
    /// CWR flag bit.
    pub const CWR: u16 = 0x080;
    /// NS (accurate ECN) flag bit.
    pub const NS: u16 = 0x100;

    const NAMES: [(u16, &'static str); 9] = [
        (Self::SYN, "SYN"),
        (Self::ACK, "ACK"),
        (Self::FIN, "FIN"),
        (Self::RST, "RST"),
        (Self::PSH, "PSH"),
        (Self::URG, "URG"),
        (Self::ECE, "ECE"),
        (Self::CWR, "CWR"),
        (Self::NS, "NS"),
    ];

    /// Whether every bit of `mask` is set.
    pub fn has(self, mask: u16) -> bool {
        self.0 & mask == mask
    }
}

impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (bit, name) in Self::NAMES {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

impl Serialize for TcpFlags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 40];
        let mut len = 0;
        for (bit, name) in Self::NAMES {
            if self.0 & bit != 0 {
                if len > 0 {
                    buf[len] = b',';
                    len += 1;
                }
                buf[len..len + name.len()].copy_from_slice(name.as_bytes());
                len += name.len();
            }
        }
        s.serialize_str(std::str::from_utf8(&buf[..len]).unwrap_or_default())
    }
}

/// One TCP option; serialized as `{"kind": "MSS", "value": 1460}` and so on.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum TcpOption {
    /// End of option list (kind 0).
    #[serde(rename = "EOL")]
    EndOfList,
    /// No-operation padding (kind 1).
    #[serde(rename = "NOP")]
    Nop,
    /// Maximum segment size (kind 2).
    #[serde(rename = "MSS")]
    Mss {
        /// The MSS in bytes.
        value: u16,
    },
    /// Window scale (kind 3).
    #[serde(rename = "WS")]
    WindowScale {
        /// The shift count.
        shift: u8,
    },
    /// SACK permitted (kind 4).
    #[serde(rename = "SACK_PERM")]
    SackPermitted,
    /// Selective acknowledgement blocks (kind 5).
    #[serde(rename = "SACK")]
    Sack {
        /// (left edge, right edge) pairs.
        blocks: Vec<(u32, u32)>,
    },
    /// Timestamps (kind 8).
    #[serde(rename = "TS")]
    Timestamps {
        /// Timestamp value.
        tsval: u32,
        /// Timestamp echo reply.
        tsecr: u32,
    },
    /// Any other option, by number.
    #[serde(rename = "Other")]
    Other {
        /// Option kind number.
        number: u8,
        /// Name where known (`MD5`, `UTO`, `MPTCP`, `TFO`, `AO`), else `Unknown`.
        name: &'static str,
        /// Option data after the kind and length bytes.
        data: HexBytes,
    },
}

/// UDP header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Udp {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length field (header included).
    pub len: u16,
    /// Checksum as carried (0: none).
    pub checksum: u16,
    /// Header length in bytes (8).
    pub header_len: u32,
    /// Payload length by the length field.
    pub payload_len: u32,
}

/// ICMP or ICMPv6 message: common header plus the fields of its type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Icmp {
    /// Message type.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Message code.
    pub code: u8,
    /// Checksum as carried.
    pub checksum: u16,
    /// Name of the type (`echo-request`, `destination-unreachable`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Echo identifier (echo request/reply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u16>,
    /// Echo sequence number (echo request/reply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u16>,
    /// Next-hop MTU (fragmentation needed; ICMPv6 packet too big).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Gateway address (ICMP redirect).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ipv4Addr>,
    /// Target address (ICMPv6 neighbour solicitation/advertisement, redirect).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Ipv6Addr>,
    /// Header length in bytes (8: type, code, checksum and the type's 4-byte field).
    pub header_len: u32,
    /// Message body length after the header.
    pub payload_len: u32,
}

/// HTTP/1.x request or response head found at the start of a TCP payload.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Http {
    /// `request` or `response`.
    pub kind: HttpKind,
    /// Request method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Request target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Protocol version, e.g. `HTTP/1.1`.
    pub version: String,
    /// Response status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response reason phrase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Header fields in order, as (name, value).
    pub headers: Vec<(String, String)>,
    /// Bytes of body present in this segment after the head.
    pub body_len: u32,
    /// Length of the head (start line and header fields, blank line included).
    pub header_len: u32,
    /// Bytes after the head in this segment (same as `body_len`).
    pub payload_len: u32,
}

/// Whether an HTTP head is a request or a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HttpKind {
    /// A request line (`GET / HTTP/1.1`).
    Request,
    /// A status line (`HTTP/1.1 200 OK`).
    Response,
}

/// Bytes that were not dissected (unknown protocol, stopped dissection, encrypted payload).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Raw {
    /// Always 0: raw bytes have no header.
    pub header_len: u32,
    /// Number of bytes.
    pub payload_len: u32,
}
