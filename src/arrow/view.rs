//! One pass over a frame's layers that picks the layers the summary columns come from.
//!
//! The rules (the schema table's null rules say the same per column):
//! - link: the first Ethernet layer (MAC addresses), the first Ethernet, SLL or SLL2 layer
//!   (`ethertype`), the first VLAN tag;
//! - IP: the first (outermost) IPv4 or IPv6 layer; an IPv6 datagram is a fragment when an
//!   IPv6-Frag header follows it before any inner IP layer;
//! - transport: the first TCP or UDP layer, whichever comes first (`tcp_*` columns are null
//!   when it is UDP); the first ICMP or ICMPv6 layer;
//! - application: the first HTTP, DNS and TLS layer.

use crate::model::{
    Dns, EtherType, Ethernet, Frame, Http, Icmp, Ipv4, Ipv6, Layer, Tcp, Tls, Udp, Vlan,
};

/// The outermost IP header of a frame.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ip<'f> {
    /// An IPv4 header.
    V4(&'f Ipv4),
    /// An IPv6 fixed header.
    V6(&'f Ipv6),
}

/// The first transport header of a frame.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Transport<'f> {
    /// A TCP header.
    Tcp(&'f Tcp),
    /// A UDP header.
    Udp(&'f Udp),
}

/// The layers of one frame that the summary columns read (see the module docs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrameView<'f> {
    /// The frame itself (frame-level columns).
    pub frame: &'f Frame,
    /// The first Ethernet layer.
    pub ethernet: Option<&'f Ethernet>,
    /// The `type` of the first Ethernet, SLL or SLL2 layer.
    pub ether_type: Option<EtherType>,
    /// The first VLAN tag.
    pub vlan: Option<&'f Vlan>,
    /// The outermost IP header.
    pub ip: Option<Ip<'f>>,
    /// Whether the outermost IP datagram is a fragment (`None` without an IP layer).
    pub fragment: Option<bool>,
    /// The first TCP or UDP header.
    pub transport: Option<Transport<'f>>,
    /// The first ICMP or ICMPv6 message.
    pub icmp: Option<&'f Icmp>,
    /// The first HTTP head.
    pub http: Option<&'f Http>,
    /// The first DNS message.
    pub dns: Option<&'f Dns>,
    /// The first TLS layer.
    pub tls: Option<&'f Tls>,
}

impl<'f> FrameView<'f> {
    /// Picks the summary layers of `frame` in one pass.
    pub fn new(frame: &'f Frame) -> FrameView<'f> {
        let mut view = FrameView {
            frame,
            ethernet: None,
            ether_type: None,
            vlan: None,
            ip: None,
            fragment: None,
            transport: None,
            icmp: None,
            http: None,
            dns: None,
            tls: None,
        };
        // Whether an IPv6-Frag header may still belong to the outermost IP layer.
        let mut outer_ipv6 = false;
        for layer in &frame.layers {
            match layer {
                Layer::Ethernet(eth) => {
                    view.ethernet.get_or_insert(eth);
                    view.ether_type.get_or_insert(eth.ether_type);
                }
                Layer::Sll(sll) => {
                    view.ether_type.get_or_insert(sll.ether_type);
                }
                Layer::Sll2(sll) => {
                    view.ether_type.get_or_insert(sll.ether_type);
                }
                Layer::Vlan(vlan) => {
                    view.vlan.get_or_insert(vlan);
                }
                Layer::Ipv4(ip) => {
                    outer_ipv6 = false;
                    if view.ip.is_none() {
                        view.ip = Some(Ip::V4(ip));
                        view.fragment = Some(ip.mf || ip.frag_offset > 0);
                    }
                }
                Layer::Ipv6(ip) => {
                    outer_ipv6 = view.ip.is_none();
                    if outer_ipv6 {
                        view.ip = Some(Ip::V6(ip));
                        view.fragment = Some(false);
                    }
                }
                Layer::Ipv6Frag(frag) if outer_ipv6 => {
                    view.fragment = Some(frag.mf || frag.frag_offset > 0);
                    outer_ipv6 = false;
                }
                Layer::Tcp(tcp) => {
                    view.transport.get_or_insert(Transport::Tcp(tcp));
                }
                Layer::Udp(udp) => {
                    view.transport.get_or_insert(Transport::Udp(udp));
                }
                Layer::Icmp(icmp) | Layer::Icmpv6(icmp) => {
                    view.icmp.get_or_insert(icmp);
                }
                Layer::Http(http) => {
                    view.http.get_or_insert(http);
                }
                Layer::Dns(dns) => {
                    view.dns.get_or_insert(dns);
                }
                Layer::Tls(tls) => {
                    view.tls.get_or_insert(tls);
                }
                _ => {}
            }
        }
        view
    }

    /// The first TCP header, when the first transport header is TCP.
    pub fn tcp(&self) -> Option<&'f Tcp> {
        match self.transport? {
            Transport::Tcp(tcp) => Some(tcp),
            Transport::Udp(_) => None,
        }
    }
}
