//! Typed access to a frame's layers: `frame.get::<Tcp>()`, `frame.tcp()`, and
//! `frame.contains(ProtoId::Ipv4)` (the original's `frame[TCP]` and `IP in frame`).

use super::frame::Frame;
use super::layer::*;
use super::proto::ProtoId;
use std::borrow::Borrow;

/// A layer record type that [`Frame::get`] can look for (one impl per record type; a type
/// that several protocols share, such as [`Icmp`] for ICMP and ICMPv6, finds either).
pub trait LayerRecord {
    /// The record inside `layer`, if `layer` holds one of this type.
    fn in_layer(layer: &Layer) -> Option<&Self>;
}

/// Implements [`LayerRecord`] for each record type from the `Layer` variants that hold it.
macro_rules! layer_records {
    ($($record:ty => $($variant:ident)|+;)*) => {$(
        impl LayerRecord for $record {
            fn in_layer(layer: &Layer) -> Option<&Self> {
                match layer {
                    $(Layer::$variant(record) => Some(Borrow::<$record>::borrow(record)),)+
                    _ => None,
                }
            }
        }
    )*};
}

layer_records! {
    Ethernet => Ethernet;
    Sll => Sll;
    Sll2 => Sll2;
    Null => Null;
    Nflog => Nflog;
    Vlan => Vlan;
    Arp => Arp | Rarp;
    Ipv4 => Ipv4;
    Ipv6 => Ipv6;
    Ipv6Options => HopOpt | Ipv6Opts;
    Ipv6Route => Ipv6Route;
    Ipv6Frag => Ipv6Frag;
    Tcp => Tcp;
    Udp => Udp;
    Icmp => Icmp | Icmpv6;
    Http => Http;
    Llc => Llc;
    Ipx => Ipx;
    Ppp => Ppp;
    Pppoe => Pppoe;
    L2tp => L2tp;
    Gre => Gre;
    Dns => Dns;
    Ah => Ah;
    Esp => Esp;
    Hip => Hip;
    Mh => Mh;
    Ospf => Ospf;
    Igmp => Igmp;
    Radiotap => Radiotap;
    Ppi => Ppi;
    Ieee80211 => Ieee80211;
    FrameRelay => FrameRelay;
    Chdlc => Chdlc;
    Ipoib => Ipoib;
    Mpls => Mpls;
    Vxlan => Vxlan;
    Geneve => Geneve;
    Erspan => Erspan;
    Teredo => Teredo;
    Gtp => Gtp;
    Sctp => Sctp;
    Dhcp => Dhcp;
    Dhcpv6 => Dhcpv6;
    Ntp => Ntp;
    Pim => Pim;
    Tls => Tls;
    Quic => Quic;
    Raw => Raw;
    Partial => Partial;
}

/// Named accessors for the protocols library users ask for most.
macro_rules! accessors {
    ($($name:ident: $record:ty = $proto:ident;)*) => {
        impl Frame {
            $(
                #[doc = concat!("The first ", stringify!($proto), " layer (outermost), if any.")]
                pub fn $name(&self) -> Option<&$record> {
                    self.layers.iter().find_map(|layer| match layer {
                        Layer::$proto(record) => Some(Borrow::<$record>::borrow(record)),
                        _ => None,
                    })
                }
            )*
        }
    };
}

accessors! {
    ethernet: Ethernet = Ethernet;
    vlan: Vlan = Vlan;
    arp: Arp = Arp;
    ipv4: Ipv4 = Ipv4;
    ipv6: Ipv6 = Ipv6;
    tcp: Tcp = Tcp;
    udp: Udp = Udp;
    icmp: Icmp = Icmp;
    icmpv6: Icmp = Icmpv6;
    http: Http = Http;
    dns: Dns = Dns;
}

impl Frame {
    /// The first layer (outermost) whose record is a `T`: `frame.get::<Tcp>()`.
    pub fn get<T: LayerRecord>(&self) -> Option<&T> {
        self.layers.iter().find_map(T::in_layer)
    }

    /// Every layer whose record is a `T`, outermost first (tunnels have several IPv4).
    pub fn all<T: LayerRecord + 'static>(&self) -> impl Iterator<Item = &T> + '_ {
        self.layers.iter().filter_map(T::in_layer)
    }

    /// Whether the frame has a layer of `proto`: `frame.contains(ProtoId::Ipv4)`.
    pub fn contains(&self, proto: ProtoId) -> bool {
        self.protocols().any(|p| p == proto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::RawFrame;
    use crate::engine::{DissectOptions, Dissector, native::NativeDissector};
    use crate::model::{LinkType, Timestamp};
    use crate::synth;

    #[test]
    fn accessors_find_the_layers_of_a_tcp_frame() {
        let conversation = synth::sample_conversation();
        let frames: Vec<Frame> = conversation
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let raw = RawFrame {
                    number: i as u64 + 1,
                    timestamp: Some(Timestamp::new(0, 0)),
                    len: f.orig_len,
                    link_type: LinkType::ETHERNET,
                    interface: None,
                    data: &f.data,
                };
                NativeDissector.dissect(&raw, &DissectOptions::default())
            })
            .collect();
        let tcp = frames.iter().find(|f| f.contains(ProtoId::Tcp)).unwrap();
        assert!(tcp.contains(ProtoId::Ipv4) || tcp.contains(ProtoId::Ipv6));
        assert_eq!(
            tcp.tcp().map(|t| t.src_port),
            tcp.get::<Tcp>().map(|t| t.src_port)
        );
        assert!(tcp.udp().is_none() && tcp.get::<Udp>().is_none());
        assert!(tcp.ethernet().is_some());
        assert_eq!(tcp.all::<Tcp>().count(), 1);
        let http = frames.iter().find(|f| f.http().is_some()).unwrap();
        assert!(http.get::<Http>().is_some() && http.contains(ProtoId::Http));
    }
}
