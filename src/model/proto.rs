//! Protocol identifiers, their spelling in `protocols` chains, and their layer level.

use serde::{Serialize, Serializer};
use std::fmt;

/// The level of the stack a protocol belongs to, as used by `-L/--layer`.
///
/// Levels are ordered: dissection stopped at [`Level::Link`] keeps link-layer protocols and
/// reports everything above them as `Raw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing is dissected: the whole frame is one `Raw` layer.
    Raw,
    /// Link layer: Ethernet, Linux cooked capture, VLAN tags, ARP, LLC.
    Link,
    /// Internet layer: IP and what rides directly on it without ports (ICMP, extension headers).
    Inet,
    /// Transport layer: TCP and UDP.
    Trans,
    /// Application layer: HTTP, DNS.
    App,
}

impl Level {
    /// Parses a level name as accepted by `-L` (case-insensitive): raw, link, inet, trans, app.
    pub fn from_name(name: &str) -> Option<Level> {
        Some(match name.to_ascii_lowercase().as_str() {
            "raw" => Level::Raw,
            "link" => Level::Link,
            "inet" | "internet" | "network" => Level::Inet,
            "trans" | "transport" => Level::Trans,
            "app" | "application" => Level::App,
            _ => return None,
        })
    }
}

macro_rules! protocols {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $level:ident;)*) => {
        /// One protocol pcapkit knows by name: the elements of a frame's `protocols` chain.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ProtoId { $($(#[$doc])* $variant,)* }

        impl ProtoId {
            /// Every protocol, in declaration order.
            pub const ALL: &'static [ProtoId] = &[$(ProtoId::$variant,)*];

            /// The protocol's name as it appears in `protocols` and in each layer's `protocol` key.
            pub const fn name(self) -> &'static str {
                match self { $(ProtoId::$variant => $name,)* }
            }

            /// The stack level of the protocol.
            pub const fn level(self) -> Level {
                match self { $(ProtoId::$variant => Level::$level,)* }
            }
        }
    };
}

protocols! {
    /// Ethernet II or IEEE 802.3 MAC header.
    Ethernet = "Ethernet", Link;
    /// Linux cooked capture v1 (link type 113).
    Sll = "SLL", Link;
    /// Linux cooked capture v2 (link type 276).
    Sll2 = "SLL2", Link;
    /// BSD null/loopback family header (link types 0 and 108).
    Null = "Null", Link;
    /// Linux netfilter NFLOG header and attributes (link type 239).
    Nflog = "NFLOG", Link;
    /// IEEE 802.1Q / 802.1ad VLAN tag.
    Vlan = "VLAN", Link;
    /// IEEE 802.2 LLC (and SNAP) header.
    Llc = "LLC", Link;
    /// Address Resolution Protocol.
    Arp = "ARP", Link;
    /// Reverse Address Resolution Protocol.
    Rarp = "RARP", Link;
    /// Point-to-Point Protocol.
    Ppp = "PPP", Link;
    /// PPP over Ethernet.
    Pppoe = "PPPoE", Link;
    /// Layer 2 Tunnelling Protocol.
    L2tp = "L2TP", Link;
    /// Internet Protocol version 4.
    Ipv4 = "IPv4", Inet;
    /// Internet Protocol version 6.
    Ipv6 = "IPv6", Inet;
    /// IPv6 Hop-by-Hop Options extension header.
    HopOpt = "HOPOPT", Inet;
    /// IPv6 Routing extension header.
    Ipv6Route = "IPv6-Route", Inet;
    /// IPv6 Fragment extension header.
    Ipv6Frag = "IPv6-Frag", Inet;
    /// IPv6 Destination Options extension header.
    Ipv6Opts = "IPv6-Opts", Inet;
    /// IP Authentication Header.
    Ah = "AH", Inet;
    /// IP Encapsulating Security Payload.
    Esp = "ESP", Inet;
    /// Host Identity Protocol.
    Hip = "HIP", Inet;
    /// IPv6 Mobility Header.
    Mh = "MH", Inet;
    /// Internet Control Message Protocol.
    Icmp = "ICMP", Inet;
    /// ICMP for IPv6.
    Icmpv6 = "ICMPv6", Inet;
    /// Internet Group Management Protocol.
    Igmp = "IGMP", Inet;
    /// Open Shortest Path First.
    Ospf = "OSPF", Inet;
    /// Generic Routing Encapsulation.
    Gre = "GRE", Inet;
    /// Novell Internetwork Packet Exchange.
    Ipx = "IPX", Inet;
    /// Transmission Control Protocol.
    Tcp = "TCP", Trans;
    /// User Datagram Protocol.
    Udp = "UDP", Trans;
    /// Hypertext Transfer Protocol (1.x).
    Http = "HTTP", App;
    /// Domain Name System.
    Dns = "DNS", App;
    /// Radiotap header (link type 127).
    Radiotap = "Radiotap", Link;
    /// Per-Packet Information header (link type 192).
    Ppi = "PPI", Link;
    /// IEEE 802.11 MAC header.
    Ieee80211 = "IEEE802.11", Link;
    /// Frame Relay.
    FrameRelay = "FrameRelay", Link;
    /// Cisco HDLC.
    Chdlc = "CHDLC", Link;
    /// IP over InfiniBand.
    Ipoib = "IPoIB", Link;
    /// MPLS label stack.
    Mpls = "MPLS", Link;
    /// Virtual eXtensible LAN.
    Vxlan = "VXLAN", Link;
    /// Generic Network Virtualization Encapsulation.
    Geneve = "GENEVE", Link;
    /// Encapsulated Remote SPAN.
    Erspan = "ERSPAN", Link;
    /// Teredo (IPv6 over UDP).
    Teredo = "Teredo", Link;
    /// GPRS Tunnelling Protocol, user plane.
    Gtp = "GTP", Link;
    /// Stream Control Transmission Protocol.
    Sctp = "SCTP", Trans;
    /// Protocol Independent Multicast (version 2).
    Pim = "PIM", Inet;
    /// Dynamic Host Configuration Protocol / BOOTP.
    Dhcp = "DHCP", App;
    /// DHCP for IPv6.
    Dhcpv6 = "DHCPv6", App;
    /// Network Time Protocol.
    Ntp = "NTP", App;
    /// Transport Layer Security.
    Tls = "TLS", App;
    /// QUIC (long-header packets).
    Quic = "QUIC", App;
    /// ARCNET (link type 129).
    Arcnet = "ARCNET", Link;
    /// Session Initiation Protocol.
    Sip = "SIP", App;
    /// Prism monitoring header (link type 119).
    Prism = "Prism", Link;
    /// Solaris IPNET (link type 226).
    Ipnet = "IPNET", Link;
    /// Arista Vendor Specific Protocol (Ethertype 0xD28B).
    Avsp = "AVSP", Link;
    /// Bytes that were not dissected.
    Raw = "Raw", Raw;
}

impl ProtoId {
    /// Looks a protocol up by name, case-insensitively (`-P tcp`, `-P IPv6-Frag`).
    pub fn from_name(name: &str) -> Option<ProtoId> {
        ProtoId::ALL
            .iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for ProtoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ProtoId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for &p in ProtoId::ALL {
            assert_eq!(ProtoId::from_name(&p.name().to_lowercase()), Some(p));
        }
        assert_eq!(ProtoId::from_name("ipv6-frag"), Some(ProtoId::Ipv6Frag));
        assert_eq!(ProtoId::from_name("nope"), None);
    }

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Level::from_name("TRANS"), Some(Level::Trans));
        assert!(Level::Link < Level::Inet);
    }
}
