//! One typed record per protocol layer: the parsed meaning of a header (smoltcp's `Repr`).
//!
//! Every record carries `header_len` (bytes of this layer's header) and `payload_len` (bytes this
//! header says follow it, or the captured bytes that follow where the protocol has no length).
//! The serde form of [`Layer`] is `{"protocol": "<name>", ...fields}`.

use super::addr::{AnyAddr, EtherType, HexBytes, MacAddr};
use super::proto::ProtoId;
use super::tagged::Tagged;
use serde::{Serialize, Serializer};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// One dissected protocol layer of a frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// Ethernet II / 802.3 header.
    Ethernet(Ethernet),
    /// Linux cooked capture v1.
    Sll(Sll),
    /// Linux cooked capture v2.
    Sll2(Sll2),
    /// BSD loopback header.
    Null(Null),
    /// Linux netfilter NFLOG header.
    Nflog(Nflog),
    /// 802.1Q / 802.1ad tag.
    Vlan(Vlan),
    /// ARP packet (boxed: the largest record; unboxed it made every `Layer` 120 bytes).
    Arp(Box<Arp>),
    /// RARP packet (same layout as ARP).
    Rarp(Box<Arp>),
    /// IPv4 header.
    Ipv4(Ipv4),
    /// IPv6 fixed header.
    Ipv6(Ipv6),
    /// IPv6 Hop-by-Hop Options header.
    HopOpt(Ipv6Options),
    /// IPv6 Routing header.
    Ipv6Route(Ipv6Route),
    /// IPv6 Fragment header.
    Ipv6Frag(Ipv6Frag),
    /// IPv6 Destination Options header.
    Ipv6Opts(Ipv6Options),
    /// TCP header.
    Tcp(Tcp),
    /// UDP header.
    Udp(Udp),
    /// ICMP message.
    Icmp(Icmp),
    /// ICMPv6 message.
    Icmpv6(Icmp),
    /// HTTP/1.x request or response head (boxed: it is much larger than the other records).
    Http(Box<Http>),
    /// IEEE 802.2 LLC header (SNAP included).
    Llc(Llc),
    /// Novell IPX header (boxed: larger than the common records).
    Ipx(Box<Ipx>),
    /// PPP framing and protocol field.
    Ppp(Ppp),
    /// PPP over Ethernet header.
    Pppoe(Pppoe),
    /// L2TP header (boxed: larger than the common records).
    L2tp(Box<L2tp>),
    /// GRE header.
    Gre(Gre),
    /// DNS or mDNS message (boxed: it is much larger than the other records).
    Dns(Box<Dns>),
    /// IP Authentication Header.
    Ah(Ah),
    /// IP Encapsulating Security Payload header.
    Esp(Esp),
    /// Host Identity Protocol header (boxed: larger than the common records).
    Hip(Box<Hip>),
    /// IPv6 Mobility Header (boxed: larger than the common records).
    Mh(Box<Mh>),
    /// OSPFv2 / OSPFv3 packet (boxed: larger than the common records).
    Ospf(Box<Ospf>),
    /// IGMP message (boxed: larger than the common records).
    Igmp(Box<Igmp>),
    /// Radiotap header in front of an 802.11 frame.
    Radiotap(Radiotap),
    /// Per-Packet Information header (link type 192).
    Ppi(Ppi),
    /// IEEE 802.11 MAC header (boxed: four addresses make it larger than the common records).
    Ieee80211(Box<Ieee80211>),
    /// Frame Relay (Q.922) address and encapsulation.
    FrameRelay(FrameRelay),
    /// Cisco HDLC header.
    Chdlc(Chdlc),
    /// IP over InfiniBand encapsulation header.
    Ipoib(Ipoib),
    /// MPLS label stack (boxed: a list).
    Mpls(Box<Mpls>),
    /// VXLAN header.
    Vxlan(Vxlan),
    /// GENEVE header (boxed: options).
    Geneve(Box<Geneve>),
    /// ERSPAN type II or III header.
    Erspan(Erspan),
    /// Teredo authentication and origin indication (boxed: larger than the common records).
    Teredo(Box<Teredo>),
    /// GTP-U (GTPv1 user plane) header.
    Gtp(Gtp),
    /// SCTP common header and chunk list (boxed: a list).
    Sctp(Box<Sctp>),
    /// DHCP / BOOTP message (boxed: larger than the common records).
    Dhcp(Box<Dhcp>),
    /// DHCPv6 message (boxed: a list).
    Dhcpv6(Box<Dhcpv6>),
    /// NTP message (boxed: larger than the common records).
    Ntp(Box<Ntp>),
    /// PIM message (boxed: a list).
    Pim(Box<Pim>),
    /// TLS records and hello fields (boxed: lists).
    Tls(Box<Tls>),
    /// QUIC long-header packet (boxed: connection ids).
    Quic(Box<Quic>),
    /// SIP message head (boxed: headers).
    Sip(Box<Sip>),
    /// ARCNET header (link type 129).
    Arcnet(Arcnet),
    /// Prism monitoring header (link type 119; boxed: larger than the common records).
    Prism(Box<Prism>),
    /// Solaris IPNET header (link type 226).
    Ipnet(Ipnet),
    /// Arista Vendor Specific Protocol header (Ethertype 0xD28B).
    Avsp(Avsp),
    /// Bytes that were not dissected.
    Raw(Raw),
    /// A header cut by the snap length: the fields that fit (boxed: rare).
    Partial(Box<Partial>),
}

/// The variants of [`Layer`], each named as its [`ProtoId`]: one list for [`Layer::proto`]
/// and for the serde form, `{"protocol": <ProtoId::name>, ...the record's fields}`.
macro_rules! layer_protocols {
    ($($variant:ident),* $(,)?) => {
        impl Layer {
            /// The protocol this layer is (a [`Partial`] record's is the protocol it cuts).
            /// Inlined: a table lookup where the caller walks a frame's layers (the chain).
            #[inline]
            pub fn proto(&self) -> ProtoId {
                match self {
                    $(Layer::$variant(_) => ProtoId::$variant,)*
                    Layer::Partial(partial) => partial.proto,
                }
            }
        }

        impl Serialize for Layer {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let tagged = Tagged { tag: self.proto().name(), inner: s };
                match self {
                    $(Layer::$variant(record) => record.serialize(tagged),)*
                    Layer::Partial(partial) => partial.serialize(tagged),
                }
            }
        }
    };
}

layer_protocols! {
    Ethernet,
    Sll,
    Sll2,
    Null,
    Nflog,
    Vlan,
    Arp,
    Rarp,
    Ipv4,
    Ipv6,
    HopOpt,
    Ipv6Route,
    Ipv6Frag,
    Ipv6Opts,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Http,
    Llc,
    Ipx,
    Ppp,
    Pppoe,
    L2tp,
    Gre,
    Dns,
    Ah,
    Esp,
    Hip,
    Mh,
    Ospf,
    Igmp,
    Radiotap,
    Ppi,
    Ieee80211,
    FrameRelay,
    Chdlc,
    Ipoib,
    Mpls,
    Vxlan,
    Geneve,
    Erspan,
    Teredo,
    Gtp,
    Sctp,
    Dhcp,
    Dhcpv6,
    Ntp,
    Pim,
    Tls,
    Quic,
    Sip,
    Arcnet,
    Prism,
    Ipnet,
    Avsp,
    Raw,
}

/// Ethernet II header (or 802.3, where `type` is a length and an LLC header follows).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ethernet {
    /// Source MAC address.
    pub src: MacAddr,
    /// Destination MAC address.
    pub dst: MacAddr,
    /// Ethertype of the payload, or the IEEE 802.3 length when ≤ 1500 (`"0x0054"`).
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Header length in bytes (14).
    pub header_len: u32,
    /// Ethernet II: captured bytes after the header, padding and trailer included;
    /// IEEE 802.3: the length field (the padding after it is not payload).
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
///
/// The addresses are written as Wireshark writes them ([`Arp::hardware_format`],
/// [`Arp::protocol_format`]): a MAC address or dotted IPv4 where the hardware or protocol type
/// and the address length say so, else the bytes in hex (`"0a0b0c"`).
#[derive(Clone, Debug, PartialEq)]
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

/// How an ARP address is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpAddrFormat {
    /// `aa:bb:cc:dd:ee:ff`.
    Mac,
    /// `10.0.0.1`.
    Ipv4,
    /// The bytes in lowercase hex, no separator (empty for a zero-length address).
    Hex,
}

impl Arp {
    /// The format of `sha` and `tha`: a MAC address for Ethernet (1) and IEEE 802 (6) hardware
    /// with 6-byte addresses, else hex (Wireshark's `ARP_HW_IS_ETHER`).
    pub fn hardware_format(&self) -> ArpAddrFormat {
        if matches!(self.htype, 1 | 6) && self.hlen == 6 {
            ArpAddrFormat::Mac
        } else {
            ArpAddrFormat::Hex
        }
    }

    /// The format of `spa` and `tpa`: dotted IPv4 for protocol type 0x0800 (or AX.25's IP,
    /// 0xCC) with 4-byte addresses, else hex (Wireshark's `ARP_PRO_IS_IPv4`).
    pub fn protocol_format(&self) -> ArpAddrFormat {
        if matches!(self.ptype.0, 0x0800 | 0x00cc) && self.plen == 4 {
            ArpAddrFormat::Ipv4
        } else {
            ArpAddrFormat::Hex
        }
    }
}

/// An ARP address with the format it is written in.
struct ArpAddr<'a>(&'a AnyAddr, ArpAddrFormat);

impl fmt::Display for ArpAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0.0.as_slice();
        match (self.1, bytes) {
            (ArpAddrFormat::Mac, &[a, b, c, d, e, g]) => MacAddr([a, b, c, d, e, g]).fmt(f),
            (ArpAddrFormat::Ipv4, &[a, b, c, d]) => Ipv4Addr::new(a, b, c, d).fmt(f),
            _ => bytes.iter().try_for_each(|byte| write!(f, "{byte:02x}")),
        }
    }
}

impl Serialize for ArpAddr<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for Arp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (hardware, protocol) = (self.hardware_format(), self.protocol_format());
        let mut record = s.serialize_struct("Arp", 11)?;
        record.serialize_field("htype", &self.htype)?;
        record.serialize_field("ptype", &self.ptype)?;
        record.serialize_field("hlen", &self.hlen)?;
        record.serialize_field("plen", &self.plen)?;
        record.serialize_field("opcode", &self.opcode)?;
        record.serialize_field("sha", &ArpAddr(&self.sha, hardware))?;
        record.serialize_field("spa", &ArpAddr(&self.spa, protocol))?;
        record.serialize_field("tha", &ArpAddr(&self.tha, hardware))?;
        record.serialize_field("tpa", &ArpAddr(&self.tpa, protocol))?;
        record.serialize_field("header_len", &self.header_len)?;
        record.serialize_field("payload_len", &self.payload_len)?;
        record.end()
    }
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

    /// Every flag bit with its name, in the order reports list them (SYN, ACK, FIN, ...): the
    /// one table the model, `frame_json` and `tree` use.
    pub const NAMES: [(u16, &'static str); 9] = [
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

    /// The flags a comma-separated list of names gives (`SYN,ACK`); unknown names add none.
    pub fn from_names(names: &str) -> TcpFlags {
        TcpFlags(names.split(',').fold(0, |bits, name| {
            let bit = Self::NAMES.iter().find(|(_, n)| *n == name);
            bits | bit.map_or(0, |&(bit, _)| bit)
        }))
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
    /// The other fields of the message's type (NDP, MLD, timestamps, ...), written flat into
    /// this record; `None` for types without more fields. Boxed: most messages have none.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub body: Option<Box<IcmpBody>>,
    /// Header length in bytes as captured: 8 (type, code, checksum and the type's 4-byte
    /// field) for echo and error messages, 12 address mask, 20 timestamp, 8 + entries router
    /// advertisement; NDP and MLD messages are all header (options and records included).
    pub header_len: u32,
    /// Bytes after the header: echo data, or the datagram an error message quotes (decoded
    /// as the next layers).
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

/// Whether an HTTP (or SIP) head is a request or a response.
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

/// A header cut by the snap length (Ethernet, VLAN, ARP/RARP, IPv4, IPv6, TCP, UDP), as
/// Wireshark shows it: the fields that were captured whole, under the names and in the order of
/// the protocol's complete record, then `"truncated": true`; fields that did not fit are absent
/// (never zeros). Its [`Layer::proto`] is the protocol it cuts, so the chain names it
/// (`Ethernet:IPv4`), and the frame's `error` says where the header was cut.
///
/// Serialized as `{"protocol": "IPv4", "version": 4, "ihl": 5, ..., "truncated": true,
/// "header_len": N, "payload_len": M}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    /// The protocol whose header was cut.
    pub proto: ProtoId,
    /// The fields that fit, each under its name in the complete record.
    pub fields: Vec<(&'static str, FieldValue)>,
    /// The captured bytes of the cut header.
    pub header_len: u32,
    /// The payload length the captured fields declare (IPv4 total length − header, IPv6 payload
    /// length, TCP segment − header, UDP length − 8), 0 when they do not say.
    pub payload_len: u32,
}

/// The value of one field of a [`Partial`] record, serialized as the complete record's field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// A byte-wide number.
    U8(u8),
    /// A 16-bit number.
    U16(u16),
    /// A 32-bit number.
    U32(u32),
    /// A flag.
    Bool(bool),
    /// An Ethertype (`"IPv4"`, `"0x88cc"`).
    EtherType(EtherType),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address.
    Ipv6(Ipv6Addr),
    /// TCP flags (`"SYN,ACK"`).
    TcpFlags(TcpFlags),
    /// The TCP options captured whole.
    TcpOptions(Vec<TcpOption>),
    /// Bytes, as hex (a Mobility Header's cookie).
    Bytes(HexBytes),
    /// IPv6 addresses (a Mobility Header's home agents, a Routing header's addresses).
    Ipv6List(Vec<Ipv6Addr>),
    /// IPv6 Hop-by-Hop or Destination options (the last may be cut: its data as captured).
    IpOptions(Vec<IpOption>),
    /// A fixed name (an L2TP message kind, a GTP-U message type's name).
    Str(&'static str),
}

impl Partial {
    /// The value of the field `name`, if it was captured.
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::U8(v) => s.serialize_u8(*v),
            FieldValue::U16(v) => s.serialize_u16(*v),
            FieldValue::U32(v) => s.serialize_u32(*v),
            FieldValue::Bool(v) => s.serialize_bool(*v),
            FieldValue::EtherType(v) => v.serialize(s),
            FieldValue::Ipv4(v) => v.serialize(s),
            FieldValue::Ipv6(v) => v.serialize(s),
            FieldValue::TcpFlags(v) => v.serialize(s),
            FieldValue::TcpOptions(v) => v.serialize(s),
            FieldValue::Bytes(v) => v.serialize(s),
            FieldValue::Ipv6List(v) => v.serialize(s),
            FieldValue::IpOptions(v) => v.serialize(s),
            FieldValue::Str(v) => s.serialize_str(v),
        }
    }
}

impl Serialize for Partial {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.fields.len() + 3))?;
        for (name, value) in &self.fields {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry("truncated", &true)?;
        map.serialize_entry("header_len", &self.header_len)?;
        map.serialize_entry("payload_len", &self.payload_len)?;
        map.end()
    }
}

// ---- Link layer and tunnels: LLC, IPX, PPP, PPPoE, L2TP, GRE ----

/// IEEE 802.2 LLC header (after an 802.3 length field), with its SNAP extension when the
/// SAPs are 0xAA.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Llc {
    /// Destination service access point (the whole byte, I/G bit included).
    pub dsap: u8,
    /// Source service access point (the whole byte, C/R bit included).
    pub ssap: u8,
    /// Control field: one byte for U frames, two for I and S frames.
    pub control: u16,
    /// Name of the DSAP (`SNAP`, `NetWare`, `STP`, `NetBIOS`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dsap_name: Option<&'static str>,
    /// SNAP organisationally unique identifier (0 for encapsulated Ethertypes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oui: Option<u32>,
    /// SNAP protocol id (an Ethertype when the OUI is 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u16>,
    /// Header length in bytes (3 or 4, plus 5 for SNAP).
    pub header_len: u32,
    /// Bytes after the header, by the 802.3 length.
    pub payload_len: u32,
}

/// Novell IPX header (30 bytes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipx {
    /// Checksum as carried (0xFFFF: none).
    pub checksum: u16,
    /// Length field: header and data.
    pub len: u16,
    /// Transport control: the hop count.
    pub transport_control: u8,
    /// Packet type (0 unknown, 1 RIP, 4 PEP/SAP, 5 SPX, 17 NCP, 20 NetBIOS broadcast).
    pub packet_type: u8,
    /// Name of the packet type, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet_type_name: Option<&'static str>,
    /// Destination network number.
    pub dst_net: u32,
    /// Destination node address.
    pub dst_node: MacAddr,
    /// Destination socket.
    pub dst_socket: u16,
    /// Name of the destination socket (`NCP`, `SAP`, `RIP`, `NetBIOS`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_socket_name: Option<&'static str>,
    /// Source network number.
    pub src_net: u32,
    /// Source node address.
    pub src_node: MacAddr,
    /// Source socket.
    pub src_socket: u16,
    /// Name of the source socket, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_socket_name: Option<&'static str>,
    /// Header length in bytes (30).
    pub header_len: u32,
    /// Data length by the length field (len − 30).
    pub payload_len: u32,
}

/// Point-to-Point Protocol framing: optional address and control bytes, the protocol field,
/// and for control protocols (LCP, IPCP, IPV6CP, CCP, PAP, CHAP, EAP) their code, identifier
/// and length.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ppp {
    /// Address byte (0xFF), when the address and control field is present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<u8>,
    /// Control byte (0x03), when the address and control field is present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<u8>,
    /// Protocol field (one byte when compressed), Wireshark's `ppp.protocol` (not `protocol`:
    /// every layer's `protocol` key is its own name; not `proto`: that is an IP protocol).
    pub ppp_protocol: u16,
    /// Name of the protocol (`IPv4`, `IPv6`, `LCP`, `IPCP`, `CHAP`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ppp_protocol_name: Option<&'static str>,
    /// Control protocol code (1 Configure-Request, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
    /// Name of the code, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_name: Option<&'static str>,
    /// Control protocol identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u8>,
    /// Control protocol length (code, identifier and length included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub len: Option<u16>,
    /// Header length in bytes: framing and protocol field, plus 4 for a control protocol.
    pub header_len: u32,
    /// Bytes after the header: the captured rest, or a control message's options and data.
    pub payload_len: u32,
}

/// PPP over Ethernet header: session stage (Ethertype 0x8864, code 0, PPP follows) or
/// discovery stage (0x8863: PADI, PADO, PADR, PADS, PADT with their tags).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pppoe {
    /// Version (1).
    pub version: u8,
    /// Type (1).
    #[serde(rename = "type")]
    pub kind: u8,
    /// Code (0 session data, 0x09 PADI, 0x07 PADO, 0x19 PADR, 0x65 PADS, 0xa7 PADT).
    pub code: u8,
    /// Name of the code, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_name: Option<&'static str>,
    /// Session identifier.
    pub session_id: u16,
    /// Length field: bytes after the 6-byte header.
    pub len: u16,
    /// Discovery tags, in order (discovery stage only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<PppoeTag>>,
    /// Header length in bytes (6; discovery: 6 + the tags).
    pub header_len: u32,
    /// Session stage: the PPP frame's length by the length field; discovery: 0.
    pub payload_len: u32,
}

/// One PPPoE discovery tag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PppoeTag {
    /// Tag type number.
    #[serde(rename = "type")]
    pub kind: u16,
    /// Tag name (`Service-Name`, `AC-Name`, `Host-Uniq`, `AC-Cookie`, ...), or `Unknown`.
    pub name: &'static str,
    /// Length of the value.
    pub len: u16,
    /// The value as hex.
    pub value: HexBytes,
    /// The value as text, for the UTF-8 tags (names and error messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Layer 2 Tunnelling Protocol header: version 2 (RFC 2661), or version 3 over UDP (RFC 3931).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct L2tp {
    /// Version (2 or 3).
    pub version: u8,
    /// `control` or `data` (the T bit).
    pub kind: &'static str,
    /// The flags and version word as carried.
    pub flags: u16,
    /// Length field (present when the L bit is set; always in v3 control messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub len: Option<u16>,
    /// Tunnel id (v2), or control connection id (v3 control messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tunnel_id: Option<u32>,
    /// Session id (v2, and v3 data messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<u32>,
    /// Sequence number Ns (when the S bit is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ns: Option<u16>,
    /// Expected sequence number Nr (when the S bit is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nr: Option<u16>,
    /// Offset size (when the O bit is set): padding bytes before the payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u16>,
    /// Control message type, from the leading Message Type AVP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<u16>,
    /// Name of the control message type (`SCCRQ`, `HELLO`, `ICRQ`, ...; `ZLB` for a
    /// zero-length body, an acknowledgement with no AVP), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type_name: Option<&'static str>,
    /// Header length in bytes (offset padding included).
    pub header_len: u32,
    /// Bytes after the header: the PPP frame of a data message, the AVPs of a control message.
    pub payload_len: u32,
}

/// Generic Routing Encapsulation header (RFC 2784/2890), and enhanced GRE version 1 (PPTP,
/// RFC 2637), whose key field holds the payload length and the call id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gre {
    /// Flags and version word as carried (C 0x8000, R 0x4000, K 0x2000, S 0x1000, A 0x0080).
    pub flags: u16,
    /// Version (0 GRE, 1 enhanced GRE).
    pub version: u8,
    /// Protocol type of the payload (an Ethertype: `IPv4`, `PPP`, `TEB`, ...).
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Checksum (C bit, or R bit in version 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<u16>,
    /// Routing offset (with the checksum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u16>,
    /// Key (K bit, version 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<u32>,
    /// Call id (K bit, version 1; the payload length is `payload_len`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_id: Option<u16>,
    /// Sequence number (S bit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u32>,
    /// Acknowledgement number (A bit, version 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack: Option<u32>,
    /// Header length in bytes (4 to 16, plus source route entries).
    pub header_len: u32,
    /// Payload length: version 1's payload length field, else the captured rest.
    pub payload_len: u32,
}

// ---------------------------------------------------------------------------------------------
// ICMP / ICMPv6 message bodies and DNS (issue 3).
// ---------------------------------------------------------------------------------------------

/// The fields of an ICMP or ICMPv6 message type beyond type, code, checksum, `id`/`seq`,
/// `mtu`, `gateway` and `target`; serialized flat into the [`Icmp`] record.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum IcmpBody {
    /// ICMP / ICMPv6 parameter problem.
    ParameterProblem {
        /// Offset of the offending byte in the quoted datagram.
        pointer: u32,
    },
    /// ICMP timestamp request/reply (milliseconds since midnight UT).
    Timestamp {
        /// Originate timestamp.
        originate_timestamp: u32,
        /// Receive timestamp.
        receive_timestamp: u32,
        /// Transmit timestamp.
        transmit_timestamp: u32,
    },
    /// ICMP address mask request/reply.
    AddressMask {
        /// The address mask.
        address_mask: Ipv4Addr,
    },
    /// ICMP router advertisement (RFC 1256; Mobile IP extensions are not decoded).
    RouterAdvertisementV4 {
        /// Number of router addresses.
        num_addrs: u8,
        /// 32-bit words per address entry (2).
        addr_entry_size: u8,
        /// Lifetime in seconds.
        lifetime: u16,
        /// The router entries captured (at most `num_addrs`).
        entries: Vec<IcmpRouterEntry>,
    },
    /// ICMPv6 router solicitation or neighbour solicitation: only options.
    Ndp {
        /// NDP options, in order.
        options: Vec<NdpOption>,
    },
    /// ICMPv6 router advertisement (RFC 4861, 4191, 5175).
    RouterAdvertisement {
        /// Current hop limit.
        cur_hop_limit: u8,
        /// M flag: managed address configuration.
        managed: bool,
        /// O flag: other configuration.
        other: bool,
        /// H flag: home agent.
        home_agent: bool,
        /// Default router preference (0 medium, 1 high, 3 low, 2 reserved).
        preference: u8,
        /// P flag: neighbour discovery proxy.
        proxy: bool,
        /// Router lifetime in seconds.
        router_lifetime: u16,
        /// Reachable time in milliseconds.
        reachable_time: u32,
        /// Retransmission timer in milliseconds.
        retrans_timer: u32,
        /// NDP options, in order.
        options: Vec<NdpOption>,
    },
    /// ICMPv6 neighbour advertisement (the target is the record's `target`).
    NeighborAdvertisement {
        /// R flag: the sender is a router.
        router: bool,
        /// S flag: solicited.
        solicited: bool,
        /// O flag: override.
        #[serde(rename = "override")]
        override_flag: bool,
        /// NDP options, in order.
        options: Vec<NdpOption>,
    },
    /// ICMPv6 redirect (the better first hop is the record's `target`).
    Redirect {
        /// The destination that is redirected.
        destination: Ipv6Addr,
        /// NDP options, in order.
        options: Vec<NdpOption>,
    },
    /// MLDv1 query, report or done (RFC 2710); an MLDv1-sized query.
    Mld {
        /// Maximum response delay in milliseconds.
        max_resp_delay: u16,
        /// Multicast address (`::` in a general query).
        multicast_address: Ipv6Addr,
    },
    /// MLDv2 query (RFC 3810).
    Mldv2Query {
        /// Maximum response code (the delay in ms, floating-point coded above 32767).
        max_resp_code: u16,
        /// Multicast address (`::` in a general query).
        multicast_address: Ipv6Addr,
        /// S flag: suppress router-side processing.
        suppress: bool,
        /// Querier's robustness variable.
        qrv: u8,
        /// Querier's query interval code.
        qqic: u8,
        /// Number of sources the query declares.
        num_sources: u16,
        /// The source addresses captured.
        sources: Vec<Ipv6Addr>,
    },
    /// MLDv2 report (RFC 3810).
    Mldv2Report {
        /// Number of multicast address records the report declares.
        num_records: u16,
        /// The records captured.
        records: Vec<MldRecord>,
    },
}

/// One router entry of an ICMP router advertisement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IcmpRouterEntry {
    /// Router address.
    pub address: Ipv4Addr,
    /// Preference level (signed; higher is preferred).
    pub preference: i32,
}

/// One ICMPv6 neighbour discovery option (RFC 4861 and later).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NdpOption {
    /// Option type number.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Option name (`source-link-layer-address`, `prefix-information`, `mtu`, ...), or `unknown`.
    pub name: &'static str,
    /// Option length in bytes (the length field is in units of 8 bytes).
    pub len: u16,
    /// Link-layer address (source/target link-layer address options).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_addr: Option<AnyAddr>,
    /// Prefix length in bits (prefix information).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_len: Option<u8>,
    /// L flag: on-link (prefix information).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_link: Option<bool>,
    /// A flag: autonomous address configuration (prefix information).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autonomous: Option<bool>,
    /// Valid lifetime in seconds (prefix information).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_lifetime: Option<u32>,
    /// Preferred lifetime in seconds (prefix information).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_lifetime: Option<u32>,
    /// The prefix (prefix information).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<Ipv6Addr>,
    /// Link MTU (MTU option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Option data after type and length, for the options not decoded above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<HexBytes>,
}

/// One multicast address record of an MLDv2 report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MldRecord {
    /// Record type (1 is-include ... 6 block-old-sources).
    pub record_type: u8,
    /// Name of the record type (`mode-is-include`, `change-to-exclude`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Auxiliary data length in 32-bit words.
    pub aux_data_len: u8,
    /// Number of sources the record declares.
    pub num_sources: u16,
    /// Multicast address.
    pub multicast_address: Ipv6Addr,
    /// Source addresses captured.
    pub sources: Vec<Ipv6Addr>,
}

/// DNS message (RFC 1035) over UDP or TCP, or mDNS (RFC 6762).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dns {
    /// Length prefix of DNS over TCP (absent over UDP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_len: Option<u16>,
    /// Transaction id.
    pub id: u16,
    /// QR: the message is a response.
    pub qr: bool,
    /// Opcode (0 query, 1 iquery, 2 status, 4 notify, 5 update, 6 dso).
    pub opcode: u8,
    /// Name of the opcode, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opcode_name: Option<&'static str>,
    /// AA: authoritative answer.
    pub aa: bool,
    /// TC: truncated.
    pub tc: bool,
    /// RD: recursion desired.
    pub rd: bool,
    /// RA: recursion available.
    pub ra: bool,
    /// Z: reserved bit.
    pub z: bool,
    /// AD: authentic data (DNSSEC).
    pub ad: bool,
    /// CD: checking disabled (DNSSEC).
    pub cd: bool,
    /// Response code (the header's 4 bits; an OPT record may extend it).
    pub rcode: u8,
    /// Name of the response code, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode_name: Option<&'static str>,
    /// Number of questions the header declares.
    pub qdcount: u16,
    /// Number of answer records the header declares.
    pub ancount: u16,
    /// Number of authority records the header declares.
    pub nscount: u16,
    /// Number of additional records the header declares.
    pub arcount: u16,
    /// Questions parsed.
    pub questions: Vec<DnsQuestion>,
    /// Answer records parsed.
    pub answers: Vec<DnsRecord>,
    /// Authority records parsed.
    pub authorities: Vec<DnsRecord>,
    /// Additional records parsed.
    pub additionals: Vec<DnsRecord>,
    /// Length of the message (the TCP length prefix included).
    pub header_len: u32,
    /// Bytes after the message in the segment or datagram (0 for one whole message).
    pub payload_len: u32,
}

/// One DNS question.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DnsQuestion {
    /// Queried name, dotted, without the final dot (`.` for the root).
    pub name: String,
    /// Query type number.
    #[serde(rename = "type")]
    pub kind: u16,
    /// Name of the type (`A`, `AAAA`, `PTR`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Query class (1 = IN); for mDNS without the unicast-response bit.
    pub class: u16,
    /// mDNS only: the QU bit (a unicast response is requested).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unicast_response: Option<bool>,
}

/// One DNS resource record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DnsRecord {
    /// Owner name, dotted, without the final dot (`.` for the root).
    pub name: String,
    /// Record type number.
    #[serde(rename = "type")]
    pub kind: u16,
    /// Name of the type (`A`, `CNAME`, `OPT`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Class (1 = IN; an OPT record's UDP payload size); for mDNS without the cache-flush bit.
    pub class: u16,
    /// mDNS only: the cache-flush bit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_flush: Option<bool>,
    /// Time to live in seconds (an OPT record's extended rcode, version and flags).
    pub ttl: u32,
    /// Length of the record data.
    pub rdlength: u16,
    /// The decoded record data, written flat into this record.
    #[serde(flatten)]
    pub rdata: DnsRdata,
}

/// The data of a DNS resource record, decoded for the common types.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DnsRdata {
    /// A: an IPv4 address.
    A {
        /// The address.
        address: Ipv4Addr,
    },
    /// AAAA: an IPv6 address.
    Aaaa {
        /// The address.
        address: Ipv6Addr,
    },
    /// CNAME: the canonical name.
    Cname {
        /// The canonical name.
        cname: String,
    },
    /// NS: an authoritative name server.
    Ns {
        /// The name server.
        ns: String,
    },
    /// PTR: a domain name pointer.
    Ptr {
        /// The name pointed to.
        ptr: String,
    },
    /// MX: a mail exchange.
    Mx {
        /// Preference (lower is preferred).
        preference: u16,
        /// The mail exchange host.
        exchange: String,
    },
    /// TXT: character strings.
    Txt {
        /// The strings (bytes that are not UTF-8 replaced).
        txt: Vec<String>,
    },
    /// SOA: start of a zone of authority.
    Soa {
        /// Primary name server.
        mname: String,
        /// Mailbox of the responsible person.
        rname: String,
        /// Serial number.
        serial: u32,
        /// Refresh interval in seconds.
        refresh: u32,
        /// Retry interval in seconds.
        retry: u32,
        /// Expire limit in seconds.
        expire: u32,
        /// Minimum (negative caching) TTL in seconds.
        minimum: u32,
    },
    /// SRV: a service location.
    Srv {
        /// Priority (lower is preferred).
        priority: u16,
        /// Weight among equal priorities.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: String,
    },
    /// OPT: the EDNS(0) pseudo-record (RFC 6891), read from its class and TTL.
    Opt {
        /// Requester's UDP payload size (the class field).
        udp_payload_size: u16,
        /// Upper 8 bits of the extended response code.
        ext_rcode: u8,
        /// EDNS version.
        version: u8,
        /// DO bit: DNSSEC answers OK.
        do_flag: bool,
        /// The options, undecoded (empty when there are none).
        options: HexBytes,
    },
    /// Any other type (or data that does not fit its type): the bytes as hex.
    Other {
        /// The record data.
        rdata: HexBytes,
    },
}

// ---- IP suite: AH, ESP, HIP, MH, OSPF, IGMP ----

/// IP Authentication Header (RFC 4302).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ah {
    /// Protocol number of the protected payload.
    pub next_header: u8,
    /// Payload length field: the header's length in 32-bit words, minus 2.
    pub len: u8,
    /// Reserved field.
    pub reserved: u16,
    /// Security parameters index.
    pub spi: u32,
    /// Sequence number.
    pub seq: u32,
    /// Integrity check value.
    pub icv: HexBytes,
    /// Header length in bytes ((len + 2)·4).
    pub header_len: u32,
    /// Bytes after this header, by the IP header.
    pub payload_len: u32,
}

/// IP Encapsulating Security Payload header (RFC 4303); the rest is encrypted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Esp {
    /// Security parameters index.
    pub spi: u32,
    /// Sequence number.
    pub seq: u32,
    /// Header length in bytes (8).
    pub header_len: u32,
    /// Encrypted bytes after the header (payload, padding, trailer and ICV).
    pub payload_len: u32,
}

/// Host Identity Protocol header (RFC 7401) with its parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hip {
    /// Protocol number of the payload (59: none).
    pub next_header: u8,
    /// Header length field: 8-byte units beyond the first 8 bytes.
    pub hdr_len: u8,
    /// Packet type.
    pub packet_type: u8,
    /// Name of the packet type (`I1`, `R1`, `I2`, `R2`, `UPDATE`, `NOTIFY`, `CLOSE`,
    /// `CLOSE_ACK`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Version.
    pub version: u8,
    /// Checksum as carried.
    pub checksum: u16,
    /// Controls.
    pub controls: u16,
    /// Sender's Host Identity Tag.
    pub sender_hit: Ipv6Addr,
    /// Receiver's Host Identity Tag.
    pub receiver_hit: Ipv6Addr,
    /// Parameters, in order (those captured whole).
    pub parameters: Vec<HipParameter>,
    /// Header length in bytes ((hdr_len + 1)·8), parameters included.
    pub header_len: u32,
    /// Bytes after the header, by the IP header.
    pub payload_len: u32,
}

/// One HIP parameter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HipParameter {
    /// Parameter type number.
    #[serde(rename = "type")]
    pub kind: u16,
    /// Parameter name (`PUZZLE`, `HOST_ID`, `HIP_MAC`, ...), or `Unknown`.
    pub name: &'static str,
    /// Length of the contents (type, length and padding excluded).
    pub len: u16,
}

/// IPv6 Mobility Header (RFC 6275) with the fields of its message type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mh {
    /// Payload protocol (59: none).
    pub next_header: u8,
    /// Header length field: 8-byte units beyond the first 8 bytes.
    pub hdr_len: u8,
    /// Mobility Header type.
    #[serde(rename = "type")]
    pub mh_type: u8,
    /// Name of the type (`BRR`, `HoTI`, `CoTI`, `HoT`, `CoT`, `BU`, `BA`, `BE`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Checksum as carried.
    pub checksum: u16,
    /// Sequence number (BU, BA, FBU, FBack, HI, HAck, BR, LRI, LRA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u16>,
    /// Flags (BU: the 16-bit flags word, A = 0x8000; BA: the flags byte, K = 0x80; HB: the
    /// 16-bit word, U = 0x0002, R = 0x0001; HI: the flags byte, S = 0x80, U = 0x40; BR: the
    /// 16-bit word, P = 0x8000, V = 0x4000, G = 0x2000; LRA: the flags byte, U = 0x80).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<u16>,
    /// Heartbeat sequence number (HB: 32 bits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hb_seq: Option<u32>,
    /// Code (HI, HAck).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
    /// Binding Revocation type (BR: 1 indication, 2 acknowledgement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub br_type: Option<u8>,
    /// Revocation trigger (BR indication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<u8>,
    /// Number of home agent addresses (HAS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_addrs: Option<u8>,
    /// Home agent addresses (HAS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub home_agents: Vec<Ipv6Addr>,
    /// The message data as bytes, where tshark shows it so: EMH's (with hdr_len > 0) and that
    /// of a type past 18.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<HexBytes>,
    /// Lifetime (BU, BA, FBU, FBack: 4-second units; LRI, LRA: as RFC 6705 carries it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<u16>,
    /// Status (BA, BE, FBack, BR acknowledgement, LRA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u8>,
    /// Home or care-of nonce index (HoT, CoT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce_index: Option<u16>,
    /// Home or care-of init cookie (HoTI, CoTI, HoT, CoT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie: Option<HexBytes>,
    /// Home or care-of keygen token (HoT, CoT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keygen_token: Option<HexBytes>,
    /// Home address (BE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_address: Option<Ipv6Addr>,
    /// Alternate care-of address (option 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care_of_address: Option<Ipv6Addr>,
    /// Home nonce index (Nonce Indices option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_nonce_index: Option<u16>,
    /// Care-of nonce index (Nonce Indices option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub careof_nonce_index: Option<u16>,
    /// Refresh interval in 4-second units (Binding Refresh Advice option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_interval: Option<u16>,
    /// Mobility options, in order (padding included).
    pub options: Vec<MhOption>,
    /// Header length in bytes ((hdr_len + 1)·8).
    pub header_len: u32,
    /// Bytes after the header, by the IPv6 header.
    pub payload_len: u32,
}

/// One mobility option.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MhOption {
    /// Option type number.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Option name (`Pad1`, `PadN`, `AlternateCareofAddress`, ...), or `Unknown`.
    pub name: &'static str,
    /// Length of the option data (0 for Pad1, which has no length byte).
    pub len: u8,
}

/// OSPFv2 or OSPFv3 packet: the common header and the fields of its type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ospf {
    /// Version (2 or 3).
    pub version: u8,
    /// Packet type (1 Hello, 2 DB Description, 3 LS Request, 4 LS Update, 5 LS Ack).
    #[serde(rename = "type")]
    pub kind: u8,
    /// Name of the type (`hello`, `db-description`, `ls-request`, `ls-update`, `ls-ack`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Packet length field (header and body; no authentication trailer or LLS block).
    pub length: u16,
    /// Router id of the sender.
    pub router_id: Ipv4Addr,
    /// Area id.
    pub area_id: Ipv4Addr,
    /// Checksum as carried.
    pub checksum: u16,
    /// Authentication type (v2: 0 none, 1 simple, 2 cryptographic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<u16>,
    /// Instance id (v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<u8>,
    /// Network mask (v2 Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_mask: Option<Ipv4Addr>,
    /// Interface id (v3 Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_id: Option<u32>,
    /// Hello interval in seconds (Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hello_interval: Option<u16>,
    /// Router dead interval in seconds (Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_interval: Option<u32>,
    /// Options (Hello, DB Description; 8 bits in v2, 24 in v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<u32>,
    /// Router priority (Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// Designated router (Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dr: Option<Ipv4Addr>,
    /// Backup designated router (Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bdr: Option<Ipv4Addr>,
    /// Active neighbours (Hello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neighbors: Option<Vec<Ipv4Addr>>,
    /// Interface MTU (DB Description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u16>,
    /// Flags I, M, MS (DB Description: 4 I, 2 M, 1 MS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dd_flags: Option<u8>,
    /// DD sequence number (DB Description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dd_seq: Option<u32>,
    /// Requested LSAs (LS Request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<Vec<OspfLsRequest>>,
    /// Number of LSAs field (LS Update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsa_count: Option<u32>,
    /// LSA headers (DB Description, LS Update, LS Ack).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsas: Option<Vec<OspfLsaHeader>>,
    /// Bytes of the layer: the whole IP payload (packet, authentication trailer, LLS block).
    pub header_len: u32,
    /// Always 0: nothing follows an OSPF packet.
    pub payload_len: u32,
}

/// One entry of an OSPF Link State Request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OspfLsRequest {
    /// LS type.
    pub ls_type: u32,
    /// Name of the LS type (`Router`, `Network`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ls_type_name: Option<&'static str>,
    /// Link state id.
    pub link_state_id: Ipv4Addr,
    /// Advertising router.
    pub advertising_router: Ipv4Addr,
}

/// An OSPF LSA header (20 bytes).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OspfLsaHeader {
    /// LS age in seconds.
    pub age: u16,
    /// Options (v2 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<u8>,
    /// LS type (8 bits in v2, 16 in v3).
    pub ls_type: u32,
    /// Name of the LS type (`Router`, `Network`, `AS-External`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ls_type_name: Option<&'static str>,
    /// Link state id.
    pub link_state_id: Ipv4Addr,
    /// Advertising router.
    pub advertising_router: Ipv4Addr,
    /// LS sequence number.
    pub seq: u32,
    /// LS checksum.
    pub checksum: u16,
    /// Length of the LSA, header included.
    pub length: u16,
}

/// IGMP v1, v2 or v3 message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Igmp {
    /// IGMP version (1, 2, 3), told by type and length as Wireshark does; absent for types
    /// of other protocols sharing IGMP (DVMRP, PIMv1, mtrace, MRD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u8>,
    /// Message type.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Name of the type (`membership-query`, `v2-membership-report`, `leave-group`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Max response time (code) of queries; reserved in reports.
    pub max_resp: u8,
    /// Checksum as carried.
    pub checksum: u16,
    /// Group address (v1/v2 messages and v3 queries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Ipv4Addr>,
    /// Suppress router-side processing flag (v3 query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s: Option<bool>,
    /// Querier's robustness variable (v3 query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qrv: Option<u8>,
    /// Querier's query interval code (v3 query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qqic: Option<u8>,
    /// Number of sources field (v3 query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_sources: Option<u16>,
    /// Source addresses (v3 query; those captured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Ipv4Addr>>,
    /// Number of group records field (v3 report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_records: Option<u16>,
    /// Group records (v3 report; those captured whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<IgmpGroupRecord>>,
    /// Bytes of the message: the whole IP payload.
    pub header_len: u32,
    /// Always 0.
    pub payload_len: u32,
}

/// One IGMPv3 group record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IgmpGroupRecord {
    /// Record type.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Name of the record type (`MODE_IS_INCLUDE`, ..., `BLOCK_OLD_SOURCES`), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Auxiliary data length in 32-bit words.
    pub aux_len: u8,
    /// Number of sources field.
    pub num_sources: u16,
    /// Multicast address.
    pub group: Ipv4Addr,
    /// Source addresses.
    pub sources: Vec<Ipv4Addr>,
}

// ---------------------------------------------------------------------------------------------
// Breadth (issue 12): wireless and WAN link types, tunnels, SCTP.
// ---------------------------------------------------------------------------------------------

/// Radiotap header (link type 127): the fields of the first present word pcapkit reads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Radiotap {
    /// Header version (0).
    pub version: u8,
    /// Header length field: the 802.11 frame starts here.
    pub len: u16,
    /// The first present-flags word.
    pub present: u32,
    /// TSFT: the MAC timestamp in microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsft: Option<u64>,
    /// Flags field (0x10: the frame ends with its FCS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<u8>,
    /// Data rate in 500 kb/s units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<u8>,
    /// Channel frequency in MHz.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_freq: Option<u16>,
    /// Channel flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_flags: Option<u16>,
    /// Antenna signal in dBm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub antenna_signal: Option<i8>,
    /// The 802.11 frame ends with a 4-byte FCS (flags bit 0x10).
    pub fcs_at_end: bool,
    /// Header length in bytes (`len`).
    pub header_len: u32,
    /// The 802.11 frame's length (FCS excluded).
    pub payload_len: u32,
}

/// Prism monitoring header (link type 119): message code and length, device name and the
/// values of the ten standard items that carry one (status 0).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prism {
    /// Message code (0x44 or 0x41).
    pub msgcode: u32,
    /// Message length (144).
    pub msglen: u32,
    /// Capturing device name.
    pub devname: String,
    /// Host time (jiffies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosttime: Option<u32>,
    /// MAC timestamp, lower 32 bits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mactime: Option<u32>,
    /// Channel number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<u32>,
    /// RSSI (dBm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rssi: Option<i32>,
    /// Signal quality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sq: Option<u32>,
    /// Signal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// Noise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<i32>,
    /// Data rate in 500 kb/s units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<u32>,
    /// Transmitted frame (1) or received (0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub istx: Option<u32>,
    /// Frame length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frmlen: Option<u32>,
    /// Header length in bytes (144).
    pub header_len: u32,
    /// The 802.11 frame's length.
    pub payload_len: u32,
}

/// Solaris IPNET header (link type 226).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipnet {
    /// Header version.
    pub version: u8,
    /// Solaris address family (2 IPv4, 26 IPv6).
    pub family: u8,
    /// Hook type.
    pub htype: u16,
    /// Length of the datagram: the last `pktlen` captured bytes.
    pub pktlen: u32,
    /// Interface index.
    pub ifindex: u32,
    /// Group interface index.
    pub grifindex: u32,
    /// Source zone.
    pub zsrc: u32,
    /// Destination zone.
    pub zdst: u32,
    /// Bytes before the datagram: the 24-byte header and any bytes between it and the last
    /// `pktlen` captured bytes (24 when fewer than `pktlen` follow the header).
    pub header_len: u32,
    /// The datagram's length (`pktlen`).
    pub payload_len: u32,
}

/// Arista Vendor Specific Protocol header (Ethertype 0xD28B): subtype, the timestamp of
/// subtype 1, and the Ethertype of the frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Avsp {
    /// Subtype (1: timestamp).
    pub subtype: u16,
    /// Timestamp version (0x10, 0x110: 64-bit TAI, UTC; 0x20, 0x120: 48-bit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u16>,
    /// Timestamp seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    /// Timestamp nanoseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nanoseconds: Option<u32>,
    /// Ethertype of the frame that follows.
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Header length in bytes.
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}

/// Per-Packet Information header (link type 192): its fields are left undecoded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ppi {
    /// Version (0).
    pub version: u8,
    /// Flags (bit 0: 32-bit alignment).
    pub flags: u8,
    /// Header length field, fields included.
    pub len: u16,
    /// Link type of the frame that follows (1 Ethernet, 105 802.11).
    pub dlt: u32,
    /// Header length in bytes (`len`).
    pub header_len: u32,
    /// Bytes of the frame that follows.
    pub payload_len: u32,
}

/// IEEE 802.11 MAC header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ieee80211 {
    /// Frame control field, first byte (protocol version, type, subtype) as carried.
    pub frame_control: u16,
    /// Frame type: 0 management, 1 control, 2 data, 3 extension.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Name of the type (`management`, `control`, `data`, `extension`).
    pub type_name: &'static str,
    /// Frame subtype.
    pub subtype: u8,
    /// Name of the subtype (`Beacon`, `QoS Data`, `ACK`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype_name: Option<&'static str>,
    /// Flags byte of the frame control field (To DS 0x01, From DS 0x02, More Fragments 0x04,
    /// Retry 0x08, Power Management 0x10, More Data 0x20, Protected 0x40, +HTC/Order 0x80).
    pub flags: u8,
    /// The frame body is encrypted (Protected Frame bit): it is left `Raw`.
    pub protected: bool,
    /// Duration / ID field.
    pub duration: u16,
    /// Address 1 (receiver).
    pub addr1: MacAddr,
    /// Address 2 (transmitter), where the frame has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr2: Option<MacAddr>,
    /// Address 3, where the frame has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr3: Option<MacAddr>,
    /// Address 4 (data frames with To DS and From DS set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr4: Option<MacAddr>,
    /// Sequence number (sequence control, upper 12 bits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u16>,
    /// Fragment number (sequence control, lower 4 bits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frag: Option<u8>,
    /// QoS control field (QoS data subtypes), little-endian as Wireshark shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos_control: Option<u16>,
    /// Header length in bytes (MAC header, QoS and HT control included).
    pub header_len: u32,
    /// Frame body bytes (FCS excluded).
    pub payload_len: u32,
}

/// Frame Relay (Q.922) address field and its encapsulation: RFC 2427 NLPID (control 0x03) or
/// Cisco's Ethertype.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrameRelay {
    /// Data link connection identifier.
    pub dlci: u32,
    /// Command/response bit.
    pub cr: bool,
    /// Forward explicit congestion notification.
    pub fecn: bool,
    /// Backward explicit congestion notification.
    pub becn: bool,
    /// Discard eligibility.
    pub de: bool,
    /// Control field (0x03, unnumbered information), RFC 2427 encapsulation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<u8>,
    /// Network layer protocol id (0xCC IPv4, 0x8E IPv6, 0x80 SNAP), RFC 2427 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nlpid: Option<u8>,
    /// Ethertype: Cisco encapsulation, or SNAP's protocol id.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ether_type: Option<EtherType>,
    /// Header length in bytes.
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}

/// Cisco HDLC header (link type 104).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chdlc {
    /// Address (0x0F unicast, 0x8F broadcast).
    pub address: u8,
    /// Control (0).
    pub control: u8,
    /// Protocol, an Ethertype.
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Header length in bytes (4).
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}

/// IP over InfiniBand encapsulation header (RFC 4391, link type 242).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipoib {
    /// Protocol, an Ethertype.
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Reserved field.
    pub reserved: u16,
    /// Header length in bytes (44: the 40-byte GRH or pseudo-header, then 4).
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}

/// MPLS label stack (RFC 3032) and, for an Ethernet pseudowire, its control word (RFC 4448).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mpls {
    /// Label stack entries, top first.
    pub labels: Vec<MplsLabel>,
    /// Pseudowire control word, when the payload is an Ethernet frame behind one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_word: Option<u32>,
    /// Header length in bytes (4 per label, plus 4 for the control word).
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}

/// One MPLS label stack entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MplsLabel {
    /// Label value (20 bits).
    pub label: u32,
    /// Traffic class (3 bits).
    pub tc: u8,
    /// Bottom of stack.
    pub bottom: bool,
    /// Time to live.
    pub ttl: u8,
}

/// VXLAN header (RFC 7348, UDP 4789).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vxlan {
    /// Flags byte (0x08: VNI valid).
    pub flags: u8,
    /// VXLAN network identifier (24 bits).
    pub vni: u32,
    /// Header length in bytes (8).
    pub header_len: u32,
    /// Bytes of the inner Ethernet frame.
    pub payload_len: u32,
}

/// GENEVE header (RFC 8926, UDP 6081).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Geneve {
    /// Version (0).
    pub version: u8,
    /// Length of the options in bytes.
    pub opt_len: u16,
    /// OAM packet.
    pub oam: bool,
    /// Critical options present.
    pub critical: bool,
    /// Protocol type of the payload (an Ethertype; `TEB`: Ethernet).
    #[serde(rename = "type")]
    pub ether_type: EtherType,
    /// Virtual network identifier (24 bits).
    pub vni: u32,
    /// Options, in order.
    pub options: Vec<GeneveOption>,
    /// Header length in bytes (8 + options).
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}

/// One GENEVE option.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GeneveOption {
    /// Option class.
    pub class: u16,
    /// Option type (high bit: critical).
    #[serde(rename = "type")]
    pub kind: u8,
    /// Length of the option data in bytes.
    pub len: u8,
}

/// ERSPAN header: type II (GRE protocol 0x88BE with a sequence number) or type III (0x22EB).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Erspan {
    /// ERSPAN version field (1: type II, 2: type III).
    pub version: u8,
    /// Original VLAN of the mirrored frame.
    pub vlan: u16,
    /// Class of service.
    pub cos: u8,
    /// Encapsulation type of the mirrored frame (En).
    pub encap: u8,
    /// The mirrored frame was truncated (T).
    pub truncated: bool,
    /// Session id (10 bits).
    pub session_id: u16,
    /// Port index (type II, 20 bits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Timestamp (type III).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u32>,
    /// Security group tag (type III).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sgt: Option<u16>,
    /// Header length in bytes (8; type III: 12, plus 8 with the platform sub-header).
    pub header_len: u32,
    /// Bytes of the mirrored Ethernet frame.
    pub payload_len: u32,
}

/// Teredo encapsulation (RFC 4380, UDP 3544): the optional authentication and origin
/// indication in front of the IPv6 packet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Teredo {
    /// Authentication: client identifier length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_id_len: Option<u8>,
    /// Authentication: authentication value length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_value_len: Option<u8>,
    /// Authentication: nonce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<HexBytes>,
    /// Authentication: confirmation byte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<u8>,
    /// Origin indication: the client's mapped port (de-obfuscated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_port: Option<u16>,
    /// Origin indication: the client's mapped address (de-obfuscated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_addr: Option<Ipv4Addr>,
    /// Header length in bytes (0 when the IPv6 packet follows UDP directly).
    pub header_len: u32,
    /// Bytes of the IPv6 packet.
    pub payload_len: u32,
}

/// GTP-U header (3GPP TS 29.281, UDP 2152).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gtp {
    /// Version (1).
    pub version: u8,
    /// The flags byte as carried (version, PT, E, S, PN).
    pub flags: u8,
    /// Message type (255 G-PDU: user data follows).
    pub message_type: u8,
    /// Name of the message type, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type_name: Option<&'static str>,
    /// Length field: bytes after the first 8.
    pub len: u16,
    /// Tunnel endpoint identifier.
    pub teid: u32,
    /// Sequence number (when any of E, S, PN is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u16>,
    /// N-PDU number (when any of E, S, PN is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub npdu: Option<u8>,
    /// Types of the extension headers, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<u8>,
    /// Header length in bytes (8, 12, plus extension headers).
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}

/// SCTP common header and its chunks (RFC 9260).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sctp {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Verification tag.
    pub verification_tag: u32,
    /// Checksum (CRC32c) as carried.
    pub checksum: u32,
    /// Chunks, in order (up to the first DATA chunk whose payload is decoded further).
    pub chunks: Vec<SctpChunk>,
    /// Header length in bytes: common header and chunks (up to the user data decoded further).
    pub header_len: u32,
    /// Bytes after the header: the user data decoded further, else 0.
    pub payload_len: u32,
}

/// One SCTP chunk.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SctpChunk {
    /// Chunk type.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Name of the chunk type (`DATA`, `INIT`, `SACK`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
    /// Chunk flags.
    pub flags: u8,
    /// Chunk length field (header included, padding excluded).
    pub len: u16,
    /// DATA: transmission sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsn: Option<u32>,
    /// DATA: stream identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_id: Option<u16>,
    /// DATA: stream sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_seq: Option<u16>,
    /// DATA: payload protocol identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ppid: Option<u32>,
}

/// DHCP / BOOTP message (RFC 2131, 951): the fixed fields and the option list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dhcp {
    /// Operation: 1 request, 2 reply.
    pub op: u8,
    /// Hardware address type (1 Ethernet).
    pub htype: u8,
    /// Hardware address length.
    pub hlen: u8,
    /// Relay hops.
    pub hops: u8,
    /// Transaction id.
    pub xid: u32,
    /// Seconds since the client began.
    pub secs: u16,
    /// Flags (0x8000: broadcast).
    pub flags: u16,
    /// Client address.
    pub ciaddr: Ipv4Addr,
    /// "Your" (offered) address.
    pub yiaddr: Ipv4Addr,
    /// Next server address.
    pub siaddr: Ipv4Addr,
    /// Relay agent address.
    pub giaddr: Ipv4Addr,
    /// Client hardware address (its first `hlen` bytes, at most 16).
    pub chaddr: AnyAddr,
    /// DHCP message type (option 53), absent for plain BOOTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<u8>,
    /// Name of the message type (`Discover`, `Offer`, `Request`, `ACK`, ...), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type_name: Option<&'static str>,
    /// Options after the magic cookie, in order (pad options left out, `End` included).
    pub options: Vec<DhcpOption>,
    /// Header length in bytes: the whole message.
    pub header_len: u32,
    /// Always 0.
    pub payload_len: u32,
}

/// One DHCP (or DHCPv6) option: its code and length (the value is not interpreted).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DhcpOption {
    /// Option code.
    pub code: u16,
    /// Length of the value.
    pub len: u16,
}

/// DHCPv6 message (RFC 8415): client/server or relay header and the option list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dhcpv6 {
    /// Message type (1 Solicit, 2 Advertise, 3 Request, ..., 12 Relay-forward, 13 Relay-reply).
    pub msg_type: u8,
    /// Name of the message type, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_type_name: Option<&'static str>,
    /// Transaction id (client/server messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<u32>,
    /// Hop count (relay messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hop_count: Option<u8>,
    /// Link address (relay messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_addr: Option<Ipv6Addr>,
    /// Peer address (relay messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_addr: Option<Ipv6Addr>,
    /// Options, in order.
    pub options: Vec<DhcpOption>,
    /// Header length in bytes: the whole message.
    pub header_len: u32,
    /// Always 0.
    pub payload_len: u32,
}

/// NTP message (RFC 5905): the 48-byte header, or a mode 6/7 control message's first fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ntp {
    /// Leap indicator.
    pub leap: u8,
    /// Version (1 to 4).
    pub version: u8,
    /// Mode (1 symmetric active, 2 passive, 3 client, 4 server, 5 broadcast, 6 control, 7 private).
    pub mode: u8,
    /// Stratum (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stratum: Option<u8>,
    /// Poll interval, log2 seconds (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<i8>,
    /// Precision, log2 seconds (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<i8>,
    /// Root delay, NTP short format (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_delay: Option<u32>,
    /// Root dispersion, NTP short format (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_dispersion: Option<u32>,
    /// Reference id (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_id: Option<u32>,
    /// Reference timestamp, 64-bit NTP format (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_ts: Option<u64>,
    /// Origin timestamp (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orig_ts: Option<u64>,
    /// Receive timestamp (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recv_ts: Option<u64>,
    /// Transmit timestamp (modes 1-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xmit_ts: Option<u64>,
    /// Header length in bytes (48, or the control message's length).
    pub header_len: u32,
    /// Bytes after the header (extension fields, MAC).
    pub payload_len: u32,
}

/// PIM version 2 message (RFC 7761).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pim {
    /// Version (2).
    pub version: u8,
    /// Message type (0 Hello, 1 Register, 2 Register-Stop, 3 Join/Prune, 4 Bootstrap, 5 Assert, ...).
    #[serde(rename = "type")]
    pub kind: u8,
    /// Name of the message type, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    /// Checksum as carried.
    pub checksum: u16,
    /// Hello: its options (type and length).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<DhcpOption>>,
    /// Hello: the holdtime option's value, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holdtime: Option<u16>,
    /// Register: the flags word (0x80000000 Border, 0x40000000 Null-Register).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub register_flags: Option<u32>,
    /// Join/Prune: the upstream neighbor address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_neighbor: Option<AnyAddr>,
    /// Join/Prune: number of groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_groups: Option<u8>,
    /// Header length in bytes (the whole message; Register: 8, the inner datagram follows).
    pub header_len: u32,
    /// Bytes after the header (Register: the inner datagram).
    pub payload_len: u32,
}

/// TLS records starting a TCP segment, and the first handshake message's hello fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tls {
    /// The records whose headers are in the segment, in order.
    pub records: Vec<TlsRecord>,
    /// Handshake message type of the first handshake record (1 ClientHello, 2 ServerHello, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake_type: Option<u8>,
    /// Name of the handshake type, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake_type_name: Option<&'static str>,
    /// ClientHello / ServerHello legacy version (0x0303 for TLS 1.2 and 1.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hello_version: Option<u16>,
    /// ClientHello: the offered cipher suites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher_suites: Option<Vec<u16>>,
    /// ServerHello: the chosen cipher suite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher_suite: Option<u16>,
    /// Server Name Indication (ClientHello `server_name` extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// ALPN protocol names (offered by a ClientHello, chosen by a ServerHello).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn: Option<Vec<String>>,
    /// `supported_versions` extension: offered (ClientHello) or chosen (ServerHello) versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_versions: Option<Vec<u16>>,
    /// Header length in bytes: the captured bytes of the segment.
    pub header_len: u32,
    /// Always 0.
    pub payload_len: u32,
}

/// One TLS record header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TlsRecord {
    /// Content type (20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data, 24
    /// heartbeat).
    pub content_type: u8,
    /// Name of the content type.
    pub content_type_name: &'static str,
    /// Record version (0x0301 TLS 1.0 ... 0x0303 TLS 1.2; TLS 1.3 records say 0x0303).
    pub version: u16,
    /// Record length.
    pub len: u16,
}

/// QUIC packet: a long header (RFC 9000 section 17.2: version, connection ids, packet type),
/// or a short header (section 17.3, a 1-RTT packet), which only the connection it belongs to
/// makes QUIC (`pipeline::quic`, the connection tracking of every engine).
///
/// A short header has no version, packet type nor source id: those fields are then 0 and
/// empty (`packet_type_name` `1-RTT`) and are not serialized; `header_form` and `spin_bit`
/// are serialized for short headers only, so long headers read as before.
#[derive(Clone, Debug, PartialEq)]
pub struct Quic {
    /// The first byte as carried (its low bits are header-protected).
    pub first_byte: u8,
    /// Long or short header (the first byte's high bit).
    pub header_form: QuicHeaderForm,
    /// Short header: the latency spin bit (0x20 of the first byte, not protected).
    pub spin_bit: Option<bool>,
    /// Version (1 = QUIC v1; 0 = version negotiation).
    pub version: u32,
    /// Long packet type (0 Initial, 1 0-RTT, 2 Handshake, 3 Retry; as for v1).
    pub packet_type: u8,
    /// Name of the packet type (`Initial`, `0-RTT`, `Handshake`, `Retry`, `Version
    /// Negotiation`; `1-RTT` for a short header).
    pub packet_type_name: &'static str,
    /// Destination connection id (short header: of the length the connection uses).
    pub dcid: HexBytes,
    /// Source connection id.
    pub scid: HexBytes,
    /// Initial: the token length.
    pub token_len: Option<u64>,
    /// Initial, 0-RTT, Handshake: the Length field (packet number and payload).
    pub len: Option<u64>,
    /// Header length in bytes, up to the (protected) packet number.
    pub header_len: u32,
    /// Bytes after the header: the Length field's value, else the rest of the datagram.
    pub payload_len: u32,
}

/// The form of a QUIC packet's header (RFC 9000 section 17).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuicHeaderForm {
    /// Long header (Initial, 0-RTT, Handshake, Retry, Version Negotiation).
    #[default]
    Long,
    /// Short header (1-RTT).
    Short,
}

impl Serialize for Quic {
    /// A long header's fields, or a short header's (`first_byte`, `header_form`, `spin_bit`,
    /// `dcid`, `header_len`, `payload_len`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let short = self.header_form == QuicHeaderForm::Short;
        let fields = if short {
            6
        } else {
            7 + usize::from(self.token_len.is_some()) + usize::from(self.len.is_some())
        };
        let mut st = s.serialize_struct("Quic", fields)?;
        st.serialize_field("first_byte", &self.first_byte)?;
        if short {
            st.serialize_field("header_form", &self.header_form)?;
            st.serialize_field("spin_bit", &self.spin_bit.unwrap_or_default())?;
            st.serialize_field("dcid", &self.dcid)?;
        } else {
            st.serialize_field("version", &self.version)?;
            st.serialize_field("packet_type", &self.packet_type)?;
            st.serialize_field("packet_type_name", self.packet_type_name)?;
            st.serialize_field("dcid", &self.dcid)?;
            st.serialize_field("scid", &self.scid)?;
            if let Some(token_len) = self.token_len {
                st.serialize_field("token_len", &token_len)?;
            }
            if let Some(len) = self.len {
                st.serialize_field("len", &len)?;
            }
        }
        st.serialize_field("header_len", &self.header_len)?;
        st.serialize_field("payload_len", &self.payload_len)?;
        st.end()
    }
}

/// SIP message head (RFC 3261): start line and the headers scripts look for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sip {
    /// `request` or `response`.
    pub kind: HttpKind,
    /// Request method (`INVITE`, `REGISTER`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Request-URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Response status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response reason phrase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Header fields in order, as `[name, value]` (compact names as carried).
    pub headers: Vec<(String, String)>,
    /// Header length in bytes: start line, headers and the blank line (or the captured rest).
    pub header_len: u32,
    /// Body bytes after the head.
    pub payload_len: u32,
}

/// ARCNET header as Linux captures it (link type 129): addresses, offset, protocol id and, for
/// RFC 1201 encapsulations, the split flag and sequence number.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arcnet {
    /// Source station id.
    pub src: u8,
    /// Destination station id (0: broadcast).
    pub dst: u8,
    /// The Linux offset field.
    pub offset: u16,
    /// Protocol id (212 IPv4, 213 ARP, 214 RARP, 196 IPv6, 250 IPX; 240/241 RFC 1051 IP/ARP).
    pub protocol_id: u8,
    /// Split flag (RFC 1201).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_flag: Option<u8>,
    /// Sequence number (RFC 1201).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u16>,
    /// Header length in bytes.
    pub header_len: u32,
    /// Bytes after the header.
    pub payload_len: u32,
}
