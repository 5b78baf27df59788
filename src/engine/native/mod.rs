//! pcapkit's own dissector: zero-copy views over the frame's bytes, one module per protocol.
//!
//! Each protocol module follows smoltcp's `wire` style: a view (`Packet<'a>`) built with one
//! length check (`new_checked`) whose accessors then cannot panic, and a `decode` function that
//! turns the view into the protocol's [`Layer`] record and says what comes next. This module
//! walks the chain from the link type to the last protocol it knows, trimming each payload to
//! the length its header declares (so Ethernet padding never reaches UDP), and records where
//! and why it stopped if a header does not fit. A header cut short, bogus or of no captured
//! byte is named as tshark 4.0 names it (a partial layer), by the rules of `names_empty`.
//!
//! Protocols: link types Ethernet, SLL/SLL2, Null, NFLOG, raw IP, PPP, PPPoE, Radiotap, PPI,
//! Prism, bare IEEE 802.11, Frame Relay, Cisco HDLC, IPoIB, ARCNET, Solaris IPNET; then 802.2 LLC/SNAP, VLAN, Arista AVSP, MPLS, ARP/RARP,
//! PPPoE, PPP, IPX; IPv4, IPv6 and its extension headers, AH, ESP, HIP, MH, ICMP, ICMPv6,
//! IGMP, OSPF, PIM, GRE (with ERSPAN), L2TP; TCP, UDP, SCTP; and, chosen in [`app`] by port
//! and confirmed by content, VXLAN, GENEVE, Teredo, GTP-U, ESP in UDP, DNS/mDNS/LLMNR, DHCP, DHCPv6,
//! NTP, TLS, QUIC, SIP and HTTP.

pub(crate) mod app;
mod arp;
mod dns;
mod ethernet;
mod http;
pub(crate) mod icmp;
pub(crate) mod ipv4;
mod ipv6;
pub(crate) mod ipv6_ext;
mod nflog;
mod null;
mod partial;
mod sll;
pub(crate) mod tcp;
mod udp;
pub(crate) mod vlan;
// Link layer and tunnels.
pub(crate) mod gre;
mod ipx;
mod l2tp;
mod llc;
mod ppp;
mod pppoe;
// IP suite.
mod ah;
mod esp;
mod hip;
mod igmp;
mod mh;
mod ospf;
// Breadth: wireless and WAN link types, tunnels, SCTP.
mod arcnet;
mod avsp;
mod chdlc;
mod dhcp;
mod dhcpv6;
mod erspan;
mod frame_relay;
mod geneve;
mod gtp;
mod ieee80211;
mod ipnet;
mod mpls;
mod ntp;
mod pim;
mod ppi;
mod prism;
pub(crate) mod quic;
mod quic_initial;
mod radiotap;
mod sctp;
mod sip;
mod teredo;
pub(crate) mod tls;
mod vxlan;
// Bounds-checked field reads shared by the dissectors.
mod read;

use super::{DissectOptions, Dissector, Stop};
use crate::capture::RawFrame;
use crate::model::{EtherType, Frame, FrameError, Layer, Level, LinkType, ProtoId, Raw, Span};

/// The most IPv6 extension headers one frame may have (they do not count towards
/// [`DissectOptions::max_layers`]): a 64 KiB packet holds at most 8192 of them, no real one a hundred.
const MAX_EXTENSION_HEADERS: usize = 256;

/// What a protocol's `decode` found: its record, where its payload is, and what follows.
pub(crate) struct Decoded {
    /// The layer record.
    pub layer: Layer,
    /// Bytes of this layer's header (the payload starts here).
    pub header_len: usize,
    /// Bytes of payload the header declares (captured bytes beyond it are padding or trailer).
    pub payload_len: usize,
    /// The protocol of the payload, if this layer names one pcapkit decodes.
    pub next: Option<ProtoId>,
}

/// A [`Decoded`] whose record is already on the frame's layer list: where its payload is and
/// what follows.
struct Placed {
    /// Bytes of this layer's header.
    header_len: usize,
    /// Bytes of payload the header declares.
    payload_len: usize,
    /// The protocol of the payload, if pcapkit decodes it.
    next: Option<ProtoId>,
}

impl Placed {
    /// Pushes `decoded`'s record onto `layers`, keeping the rest. With room known to be left
    /// (no grow call between them), the record goes from the decoder's result straight to
    /// the list, not through a temporary.
    #[inline(always)]
    fn push(decoded: Decoded, layers: &mut Vec<Layer>) -> Placed {
        if layers.len() < layers.capacity() {
            layers.push(decoded.layer);
        } else {
            push_growing(layers, decoded.layer);
        }
        Placed {
            header_len: decoded.header_len,
            payload_len: decoded.payload_len,
            next: decoded.next,
        }
    }
}

/// Pushes `layer` onto `layers`, which is full: the rare case of [`Placed::push`].
#[cold]
#[inline(never)]
fn push_growing(layers: &mut Vec<Layer>, layer: Layer) {
    layers.push(layer);
}

/// Why a header could not be decoded; its `Display` becomes the frame's [`FrameError`]
/// reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DecodeError {
    /// The header (or a part of it, `what`) needs more bytes than were captured.
    #[error("{what} needs {needed} bytes, {captured} captured")]
    Truncated {
        /// What was cut, e.g. `TCP header`.
        what: String,
        /// Bytes it needs.
        needed: usize,
        /// Bytes there are.
        captured: usize,
    },
    /// Any other reason, in words (a bad version, a length below the header, ...).
    #[error("{0}")]
    Other(String),
}

impl DecodeError {
    /// The header needs `needed` bytes but only `captured` are there.
    pub fn truncated(what: &str, needed: usize, captured: usize) -> DecodeError {
        DecodeError::Truncated {
            what: what.to_owned(),
            needed,
            captured,
        }
    }

    /// Another reason, in words: `DecodeError::other(format!("bad version {v}"))`.
    pub fn other(reason: impl Into<String>) -> DecodeError {
        DecodeError::Other(reason.into())
    }
}

/// Result of a protocol's `decode`.
pub(crate) type DecodeResult = Result<Decoded, DecodeError>;

/// The native dissector.
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeDissector;

impl Dissector for NativeDissector {
    fn dissect(&self, raw: &RawFrame<'_>, opts: &DissectOptions) -> Frame {
        dissect_with(raw, opts, &mut NativeOnly)
    }

    fn dissect_into(&self, raw: &RawFrame<'_>, opts: &DissectOptions, frame: &mut Frame) {
        dissect_with_into(raw, opts, &mut NativeOnly, frame);
    }
}

/// A decoder an adapter engine (etherparse, pnet, pdu) plugs into the walker.
///
/// The walker asks it first for every layer; `None` hands that layer to the native decoder,
/// so protocols the adapter's crate does not decode are still dissected (and the adapter is
/// asked again for the layers after them). The walker keeps the rest identical for every
/// engine: payload trimming, `-P`/`-L`, the layer cap, `Raw` remainders and frame errors.
pub(crate) trait LayerDecoder<'a> {
    /// Decodes `proto` at the start of `data` (`offset` bytes into the frame), or `None`.
    fn decode(
        &mut self,
        proto: ProtoId,
        data: &'a [u8],
        declared: usize,
        offset: usize,
    ) -> Option<DecodeResult>;
}

/// The native decoders alone.
pub(crate) struct NativeOnly;

impl LayerDecoder<'_> for NativeOnly {
    #[inline(always)]
    fn decode(&mut self, _: ProtoId, _: &[u8], _: usize, _: usize) -> Option<DecodeResult> {
        None
    }
}

/// Dissects `raw` with `decoder` consulted before the native decoders for each layer.
pub(crate) fn dissect_with<'a>(
    raw: &RawFrame<'a>,
    opts: &DissectOptions,
    decoder: &mut impl LayerDecoder<'a>,
) -> Frame {
    let mut frame = Frame {
        layers: Vec::with_capacity(6),
        spans: Vec::with_capacity(6),
        ..Frame::default()
    };
    dissect_with_into(raw, opts, decoder, &mut frame);
    frame
}

/// [`dissect_with`] into `frame`, whose fields are all replaced (its vectors' memory reused).
pub(crate) fn dissect_with_into<'a>(
    raw: &RawFrame<'a>,
    opts: &DissectOptions,
    decoder: &mut impl LayerDecoder<'a>,
    frame: &mut Frame,
) {
    frame.number = raw.number;
    frame.timestamp = raw.timestamp;
    frame.len = raw.len;
    frame.cap_len = raw.cap_len();
    frame.link_type = raw.link_type;
    frame.interface = raw.interface;
    frame.layers.clear();
    frame.spans.clear();
    frame.error = None;
    let first = first_protocol(raw.link_type, raw.data);
    walk(frame, raw.data, raw.len as usize, first, opts, decoder);
}

/// Dissects `data` as a buffer that starts with a `first` header (a reassembled IP payload
/// from its transport layer, a TCP stream's message from its application layer), with the
/// native decoders.
///
/// The result is a [`Frame`] whose `layers`, `spans` and `error` describe `data`; its
/// `number` is 0, it has no time, `len` and `cap_len` are `data`'s length and its link type
/// is 0: the caller fills in what the buffer stands for.
pub fn dissect_from(first: ProtoId, data: &[u8], opts: &DissectOptions) -> Frame {
    let mut frame = Frame {
        layers: Vec::with_capacity(4),
        spans: Vec::with_capacity(4),
        ..Frame::default()
    };
    dissect_from_into(first, data, opts, &mut frame);
    frame
}

/// [`dissect_from`] into `frame`, whose fields are all replaced (its vectors' memory reused:
/// what the reassembly stage does with the records the report is done with).
pub(crate) fn dissect_from_into(
    first: ProtoId,
    data: &[u8],
    opts: &DissectOptions,
    frame: &mut Frame,
) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    frame.number = 0;
    frame.timestamp = None;
    frame.len = len;
    frame.cap_len = len;
    frame.link_type = LinkType(0);
    frame.interface = None;
    frame.layers.clear();
    frame.spans.clear();
    frame.error = None;
    walk(frame, data, data.len(), Some(first), opts, &mut NativeOnly);
}

/// The protocol a frame of `link_type` starts with; `None` for link types pcapkit does not know.
pub(crate) fn first_protocol(link_type: LinkType, data: &[u8]) -> Option<ProtoId> {
    match link_type {
        LinkType::ETHERNET => Some(ProtoId::Ethernet),
        LinkType::NULL | LinkType::LOOP => Some(ProtoId::Null),
        LinkType::LINUX_SLL => Some(ProtoId::Sll),
        LinkType::LINUX_SLL2 => Some(ProtoId::Sll2),
        LinkType::NFLOG => Some(ProtoId::Nflog),
        LinkType::IPV4 => Some(ProtoId::Ipv4),
        LinkType::IPV6 => Some(ProtoId::Ipv6),
        LinkType::RAW | LinkType::RAW_BSD | LinkType::RAW_OPENBSD => raw_ip(data),
        // PPP (9) and PPP in HDLC-like framing (50); PPPoE without its Ethernet header (51).
        LinkType(9 | 50) => Some(ProtoId::Ppp),
        LinkType(51) => Some(ProtoId::Pppoe),
        LinkType(104) => Some(ProtoId::Chdlc),
        LinkType(105) => Some(ProtoId::Ieee80211),
        LinkType(107) => Some(ProtoId::FrameRelay),
        LinkType(119) => prism::first_protocol(data),
        LinkType(127) => Some(ProtoId::Radiotap),
        LinkType(129) => Some(ProtoId::Arcnet),
        LinkType(192) => Some(ProtoId::Ppi),
        LinkType(226) => Some(ProtoId::Ipnet),
        LinkType(242) => Some(ProtoId::Ipoib),
        _ => None,
    }
}

/// The first header of a raw-IP link type (101, 12, 14) as Wireshark's `raw` dissector picks
/// it: PPP in HDLC-like framing when the frame starts with 0xFF 0x03; nothing (the bytes are
/// `Raw`) below 8 captured bytes, since it reads bytes 6-7 next (for Linux ISDN's PPP); else
/// IPv4 or IPv6 by the version nibble. Its two other cases, PPP after 6 bytes of fake MAC
/// address and IPv4 after 10 zero bytes, need a walk that starts past the frame's first bytes
/// and are not followed.
fn raw_ip(data: &[u8]) -> Option<ProtoId> {
    if data.starts_with(&ppp::ADDRESS_CONTROL) {
        Some(ProtoId::Ppp)
    } else if data.len() < 8 {
        None
    } else {
        ip_by_version(data)
    }
}

/// IPv4 or IPv6 by the version nibble of the first byte (raw-IP link types).
pub(crate) fn ip_by_version(data: &[u8]) -> Option<ProtoId> {
    match data.first().map(|b| b >> 4) {
        Some(4) => Some(ProtoId::Ipv4),
        Some(6) => Some(ProtoId::Ipv6),
        _ => None,
    }
}

/// The protocol an Ethertype names, if pcapkit decodes it.
pub(crate) fn by_ethertype(ether_type: EtherType) -> Option<ProtoId> {
    match ether_type {
        EtherType::IPV4 => Some(ProtoId::Ipv4),
        EtherType::IPV6 => Some(ProtoId::Ipv6),
        EtherType::ARP => Some(ProtoId::Arp),
        EtherType::RARP => Some(ProtoId::Rarp),
        EtherType::VLAN | EtherType::QINQ | EtherType::QINQ_LEGACY => Some(ProtoId::Vlan),
        EtherType(0x8137) => Some(ProtoId::Ipx),
        EtherType(0x880b) => Some(ProtoId::Ppp),
        EtherType(0x8863 | 0x8864) => Some(ProtoId::Pppoe),
        EtherType(0x8847 | 0x8848) => Some(ProtoId::Mpls),
        avsp::ETHER_TYPE => Some(ProtoId::Avsp),
        // An 802.3 length where an Ethertype would be (VLAN tag): an 802.2 LLC header follows
        // (`llc::decode` hands a Novell raw 802.3 payload to IPX).
        EtherType(0..=1500) => Some(ProtoId::Llc),
        _ => None,
    }
}

/// The protocol an IP protocol / IPv6 next-header number names, if pcapkit decodes it.
/// Inlined: called for every IP header and extension header.
#[inline]
pub(crate) fn by_ip_proto(number: u8) -> Option<ProtoId> {
    match number {
        0 => Some(ProtoId::HopOpt),
        1 => Some(ProtoId::Icmp),
        2 => Some(ProtoId::Igmp),
        4 => Some(ProtoId::Ipv4),
        6 => Some(ProtoId::Tcp),
        17 => Some(ProtoId::Udp),
        41 => Some(ProtoId::Ipv6),
        43 => Some(ProtoId::Ipv6Route),
        44 => Some(ProtoId::Ipv6Frag),
        47 => Some(ProtoId::Gre),
        50 => Some(ProtoId::Esp),
        51 => Some(ProtoId::Ah),
        58 => Some(ProtoId::Icmpv6),
        60 => Some(ProtoId::Ipv6Opts),
        // The Mobility Header's number in the Mobile IPv6 drafts, which Wireshark still reads.
        62 => Some(ProtoId::Mh),
        89 => Some(ProtoId::Ospf),
        103 => Some(ProtoId::Pim),
        132 => Some(ProtoId::Sctp),
        135 => Some(ProtoId::Mh),
        // MPLS in IP (RFC 4023).
        137 => Some(ProtoId::Mpls),
        139 => Some(ProtoId::Hip),
        _ => None,
    }
}

/// Decodes one header of protocol `proto` at the start of `data`.
///
/// `declared` is how many bytes the enclosing header says this layer spans (≥ `data.len()`
/// when the capture was cut by the snap length).
///
/// The record goes onto `layers` (the frame's list), where it is moved once: from the decoder's
/// result into the list's memory. The last of `layers` is the layer this one is the payload of
/// (DNS reads the TCP length prefix and the mDNS port from it). A decoder that keeps a partial
/// record (DNS records, NDP options parsed before a length went wrong) returns it and sets
/// `partial` to why it stopped early: the walker keeps the layer, makes `partial` the frame's
/// error and stops (inside a datagram quoted by an ICMP error, it stops without an error: the
/// quote is cut by design).
fn decode(
    proto: ProtoId,
    data: &[u8],
    declared: usize,
    layers: &mut Vec<Layer>,
    partial: &mut Option<DecodeError>,
) -> Option<Result<Placed, DecodeError>> {
    let below = layers.last();
    let result = match proto {
        ProtoId::Ethernet => ethernet::decode(data, partial),
        ProtoId::Sll => sll::decode_v1(data),
        ProtoId::Sll2 => sll::decode_v2(data),
        ProtoId::Null => null::decode(data),
        ProtoId::Nflog => nflog::decode(data, partial),
        ProtoId::Vlan => vlan::decode(data, partial),
        ProtoId::Arp => arp::decode(data, ProtoId::Arp, partial),
        ProtoId::Rarp => arp::decode(data, ProtoId::Rarp, partial),
        ProtoId::Ipv4 => ipv4::decode(data, partial),
        ProtoId::Ipv6 => ipv6::decode(data, partial),
        ProtoId::HopOpt | ProtoId::Ipv6Opts | ProtoId::Ipv6Route | ProtoId::Ipv6Frag => {
            ipv6_ext::decode(proto, data, declared, partial)
        }
        ProtoId::Tcp => tcp::decode(data, declared, partial),
        ProtoId::Udp => udp::decode(data, partial),
        ProtoId::Icmp => icmp::decode_v4(data, declared, partial),
        ProtoId::Icmpv6 => icmp::decode_v6(data, declared, partial),
        ProtoId::Dns => dns::decode(data, declared, below, partial),
        ProtoId::Http => http::decode(data),
        ProtoId::Llc => llc::decode(data),
        ProtoId::Ipx => ipx::decode(data),
        ProtoId::Ppp => ppp::decode(data, partial),
        ProtoId::Pppoe => pppoe::decode(data),
        ProtoId::L2tp => l2tp::decode(data, partial),
        ProtoId::Gre => gre::decode(data, partial),
        ProtoId::Ah => ah::decode(data, declared, partial),
        ProtoId::Esp => esp::decode(data, declared, partial),
        ProtoId::Hip => hip::decode(data, declared, partial),
        ProtoId::Mh => mh::decode(data, declared, partial),
        ProtoId::Ospf => ospf::decode(data, declared, partial),
        ProtoId::Igmp => igmp::decode(data, declared, partial),
        ProtoId::Gtp => gtp::decode(data, partial),
        ProtoId::Mpls => mpls::decode(data),
        ProtoId::Sctp => sctp::decode(data, declared, partial),
        ProtoId::Pim => match below {
            Some(Layer::Igmp(_)) => pim::decode_v1(data),
            _ => pim::decode(data, partial),
        },
        ProtoId::Tls => tls::decode(data),
        ProtoId::Quic => quic::decode(data),
        ProtoId::Sip => sip::decode(data),
        ProtoId::Arcnet => arcnet::decode(data, partial),
        ProtoId::Dhcp => dhcp::decode(data, partial),
        ProtoId::Dhcpv6 => dhcpv6::decode(data, partial),
        ProtoId::Ntp => ntp::decode(data, declared, partial),
        ProtoId::Erspan => erspan::decode(data, partial),
        ProtoId::Radiotap => radiotap::decode(data, declared),
        ProtoId::Ppi => ppi::decode(data, declared),
        ProtoId::Prism => prism::decode(data, declared, partial),
        ProtoId::Ipnet => ipnet::decode(data, partial),
        ProtoId::Avsp => avsp::decode(data, partial),
        ProtoId::Ieee80211 => ieee80211::decode(data, declared),
        ProtoId::FrameRelay => frame_relay::decode(data),
        ProtoId::Chdlc => chdlc::decode_chdlc(data),
        ProtoId::Ipoib => chdlc::decode_ipoib(data),
        ProtoId::Vxlan => vxlan::decode(data, declared, partial),
        ProtoId::Geneve => geneve::decode(data, declared, partial),
        ProtoId::Teredo => teredo::decode(data, declared, partial),
        _ => return None,
    };
    Some(match result {
        Ok(decoded) => Ok(Placed::push(decoded, layers)),
        Err(err) => Err(err),
    })
}

/// Walks the protocol chain from `first`, appending layers to `frame`.
fn walk<'a>(
    frame: &mut Frame,
    mut data: &'a [u8],
    mut declared: usize,
    first: Option<ProtoId>,
    opts: &DissectOptions,
    decoder: &mut impl LayerDecoder<'a>,
) {
    let mut next = first;
    let mut offset = 0usize;
    // Inside the datagram quoted by an ICMP error message: the quote is cut by design (RFC 792
    // keeps 8 bytes of the transport header), so a header that does not decode there ends the
    // walk without a frame error, its bytes reported as Raw.
    let mut quoted = false;
    // IPv6 extension headers decoded so far (counted apart from the other layers).
    let mut extensions = 0usize;
    // Cut by the snap length: a header that starts at the cut is still shown (as a partial
    // layer without fields), as tshark names a protocol whose dissector got no bytes.
    let cut = frame.len > frame.cap_len;
    // The bytes the frame reports from `offset` on for the current header (`data` holds those
    // captured): the record's original length, bounded by the length fields of the headers
    // around it. Tracked in a cut record only (in an uncut one no byte is reported past the
    // captured ones).
    let mut reported = declared;
    while let Some(proto) = next {
        if data.is_empty()
            && !names_empty(
                frame.layers.last(),
                declared,
                if cut { reported } else { 0 },
                cut && offset == frame.cap_len as usize,
            )
        {
            return;
        }
        if let Some(Stop::Level(level)) = opts.stop
            && proto.level() > level
        {
            break;
        }
        let is_extension = matches!(
            proto,
            ProtoId::HopOpt | ProtoId::Ipv6Opts | ProtoId::Ipv6Route | ProtoId::Ipv6Frag
        );
        if is_extension && extensions >= MAX_EXTENSION_HEADERS {
            frame.error = Some(FrameError {
                layer: proto,
                offset: offset as u32,
                reason: format!(
                    "more than {MAX_EXTENSION_HEADERS} IPv6 extension headers: dissection stopped"
                ),
            });
            return;
        }
        if !is_extension && frame.layers.len() - extensions >= opts.max_layers {
            frame.error = Some(FrameError::nesting_limit(
                proto,
                offset as u32,
                opts.max_layers,
            ));
            return;
        }
        extensions += usize::from(is_extension);
        let mut partial = None;
        let result = match decoder.decode(proto, data, declared, offset) {
            None => decode(proto, data, declared, &mut frame.layers, &mut partial),
            Some(Ok(decoded)) => Some(Ok(Placed::push(decoded, &mut frame.layers))),
            // An adapter's crate rejects a cut or bogus header whole; native keeps what tshark
            // shows of it (a partial layer, or a header cut short, below).
            Some(Err(err)) => {
                match decode(proto, data, declared, &mut frame.layers, &mut partial) {
                    Some(Ok(kept))
                        if partial.is_some()
                            || matches!(frame.layers.last(), Some(Layer::Partial(_))) =>
                    {
                        Some(Ok(kept))
                    }
                    Some(Err(cut @ DecodeError::Truncated { .. })) => Some(Err(cut)),
                    dropped => {
                        if let Some(Ok(_)) = dropped {
                            frame.layers.pop();
                        }
                        partial = None;
                        Some(Err(err))
                    }
                }
            }
        };
        let Some(result) = result else {
            break;
        };
        match result {
            Ok(decoded) => {
                let icmp_error = decoded.next.is_some()
                    && matches!(frame.layers.last(), Some(Layer::Icmp(_) | Layer::Icmpv6(_)));
                let header_end = decoded.header_len.min(data.len());
                let payload_end = decoded
                    .header_len
                    .saturating_add(decoded.payload_len)
                    .min(data.len())
                    .max(header_end);
                frame.spans.push(Span {
                    start: offset as u32,
                    header_end: (offset + header_end) as u32,
                    end: (offset + payload_end) as u32,
                });
                if let Some(reason) = partial.map(|err| err.to_string()) {
                    if !quoted {
                        frame.error = Some(FrameError {
                            layer: proto,
                            offset: offset as u32,
                            reason,
                        });
                    }
                    return;
                }
                quoted |= icmp_error;
                declared = decoded.payload_len;
                // In an uncut record the reported bytes are the captured ones: nothing to track.
                if cut {
                    reported = reported_payload(
                        frame.layers.last(),
                        reported.saturating_sub(header_end),
                        declared,
                        payload_end - header_end,
                    );
                    // IPv4 without a total length (TSO, BIG TCP) declares what the frame
                    // reports.
                    if let Some(Layer::Ipv4(ip)) = frame.layers.last()
                        && ip.total_len == 0
                    {
                        declared = reported;
                    }
                }
                let packet = data;
                data = data.get(header_end..payload_end).unwrap_or_default();
                offset += header_end;
                next = decoded.next;
                if opts.stop == Some(Stop::Protocol(proto)) {
                    break;
                }
                if let Some(Layer::Quic(quic)) = frame.layers.last()
                    && frame.layers.len() - extensions < opts.max_layers
                    && let Some(tls) = quic::initial_handshake(quic, packet)
                {
                    // The decrypted handshake: its bytes are the QUIC payload it came from.
                    frame.layers.push(tls);
                    frame.spans.push(Span {
                        start: offset as u32,
                        header_end: (offset + data.len()) as u32,
                        end: (offset + data.len()) as u32,
                    });
                    return;
                }
            }
            // A header that needs more bytes than there are is still named, as tshark names a
            // protocol whose dissector was called: a partial layer with no field (where its
            // decoder keeps none itself), the cut being the frame's error (none in a quote).
            Err(why @ DecodeError::Truncated { .. }) => {
                let kept = partial::keep(proto, data, partial::Fields::new(), 0, why, &mut partial);
                frame.layers.push(kept.layer);
                frame.spans.push(Span {
                    start: offset as u32,
                    header_end: (offset + data.len()) as u32,
                    end: (offset + data.len()) as u32,
                });
                if !quoted && let Some(why) = partial {
                    frame.error = Some(FrameError {
                        layer: proto,
                        offset: offset as u32,
                        reason: why.to_string(),
                    });
                }
                return;
            }
            Err(_) if quoted => break,
            Err(err) => {
                let reason = err.to_string();
                frame.error = Some(FrameError {
                    layer: proto,
                    offset: offset as u32,
                    reason,
                });
                return;
            }
        }
    }
    // An application message's body is part of that message (e.g. HTTP `body_len`), not Raw.
    let ends_in_app = frame
        .layers
        .last()
        .is_some_and(|l| l.proto().level() == Level::App);
    if !data.is_empty() && !ends_in_app {
        frame.layers.push(Layer::Raw(Raw {
            header_len: 0,
            payload_len: data.len() as u32,
        }));
        let end = (offset + data.len()) as u32;
        frame.spans.push(Span {
            start: offset as u32,
            header_end: offset as u32,
            end,
        });
    }
}

/// Whether the header after `below` is dissected although none of its bytes were captured,
/// as tshark's dissector of `below` calls the next one (measured with tshark 4.0.17, see
/// `docs/DESIGN-NOTES.md`): the first header of a record always; after IPv4, GRE, UDP, TCP
/// and PPPoE only when the frame reports payload bytes (`reported`: a snap-length cut);
/// after L2TP and Frame Relay never; after Ethernet, VLAN, SLL, SLL2, Null, PPP, IPv6 and its
/// extension headers always; after the others when the header declares a payload or the frame
/// was cut right there.
fn names_empty(below: Option<&Layer>, declared: usize, reported: usize, cut_here: bool) -> bool {
    let Some(below) = below else {
        return true;
    };
    match below.proto() {
        ProtoId::Ipv4 | ProtoId::Gre | ProtoId::Udp | ProtoId::Tcp | ProtoId::Pppoe => reported > 0,
        ProtoId::L2tp | ProtoId::FrameRelay => false,
        ProtoId::Ethernet
        | ProtoId::Vlan
        | ProtoId::Sll
        | ProtoId::Sll2
        | ProtoId::Null
        | ProtoId::Ppp
        | ProtoId::Prism
        | ProtoId::Ipv6
        | ProtoId::HopOpt
        | ProtoId::Ipv6Opts
        | ProtoId::Ipv6Route
        | ProtoId::Ipv6Frag => true,
        _ => declared > 0 || cut_here,
    }
}

/// The bytes the frame reports for the payload of `layer`, whose header leaves `remaining`
/// reported bytes after it: the payload length its header declares where it has one (IPv4's
/// total length but 0, IPv6's payload length but 0, UDP, TCP, PPPoE) or where that trims the
/// captured bytes (`captured`, an 802.3 length), else all of `remaining`.
fn reported_payload(
    layer: Option<&Layer>,
    remaining: usize,
    payload_len: usize,
    captured: usize,
) -> usize {
    let declares = match layer {
        Some(Layer::Ipv4(ip)) => ip.total_len != 0,
        Some(Layer::Ipv6(ip)) => ip.payload_len != 0,
        Some(layer) => matches!(layer.proto(), ProtoId::Udp | ProtoId::Tcp | ProtoId::Pppoe),
        None => false,
    };
    if declares || payload_len < captured {
        remaining.min(payload_len)
    } else {
        remaining
    }
}

/// Deterministic pseudo-random bytes (xorshift64) for the decoders' no-panic tests.
#[cfg(test)]
pub(crate) fn test_random_bytes(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed as u8
        })
        .collect()
}

/// Decodes case `i` (`decode(i)`) for each `i` of `order` (no case twice in a row), handing
/// each layer back to `model::recycle` before the next: each must equal the layer the same case
/// gives in fresh memory and, from the second on, sit in the box of the layer before (a DNS,
/// HTTP, ARP or RARP layer).
#[cfg(test)]
pub(crate) fn assert_recycles(order: &[usize], decode: impl Fn(usize) -> Layer) {
    use crate::model::recycle;
    let address = |layer: &Layer| match layer {
        Layer::Dns(b) => &**b as *const _ as *const (),
        Layer::Http(b) => &**b as *const _ as *const (),
        Layer::Arp(b) | Layer::Rarp(b) => &**b as *const _ as *const (),
        other => panic!("not a recycled layer: {other:?}"),
    };
    let fresh: Vec<Layer> = order.iter().map(|&i| decode(i)).collect();
    let mut before = None;
    for (&i, expected) in order.iter().zip(&fresh) {
        let mut layers = vec![decode(i)];
        assert_eq!(&layers[0], expected, "case {i}");
        let here = address(&layers[0]);
        if let Some(before) = before {
            assert_eq!(here, before, "case {i}: the box of the layer before");
        }
        before = Some(here);
        recycle::recycle_layers(&mut layers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MacAddr, Timestamp};
    use crate::synth;
    use std::net::{IpAddr, Ipv4Addr};

    fn udp_frame(padding: usize) -> Vec<u8> {
        let (src, dst) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        let udp = synth::udp(IpAddr::V4(src), IpAddr::V4(dst), 4000, 4001, b"hello");
        let ip = synth::ipv4(
            synth::Ipv4Fields {
                src,
                dst,
                proto: 17,
                id: 1,
                ttl: 64,
                df: false,
                mf: false,
                frag_offset: 0,
            },
            &udp,
        );
        let mut frame = synth::ethernet(MacAddr([2; 6]), MacAddr([4; 6]), 0x0800, &ip);
        frame.resize(frame.len() + padding, 0);
        frame
    }

    #[test]
    fn spans_locate_every_layer_and_trim_padding() {
        let data = udp_frame(13);
        let raw = RawFrame {
            number: 1,
            timestamp: Some(Timestamp::new(0, 0)),
            len: data.len() as u32,
            link_type: LinkType::ETHERNET,
            interface: None,
            data: &data,
        };
        let frame = NativeDissector.dissect(&raw, &DissectOptions::default());
        assert_eq!(frame.protocol_chain(), "Ethernet:IPv4:UDP:Raw");
        assert_eq!(frame.spans.len(), frame.layers.len());
        let starts: Vec<(u32, u32, u32)> = frame
            .spans
            .iter()
            .map(|s| (s.start, s.header_end, s.end))
            .collect();
        // Ethernet keeps its padding (synth pads to 60 bytes, plus 13) as captured payload;
        // IPv4 trims to its total length.
        assert_eq!(
            starts,
            [(0, 14, 73), (14, 34, 47), (34, 42, 47), (42, 42, 47)]
        );
        assert_eq!(frame.payload(2, &data), Some(&b"hello"[..]));
    }

    #[test]
    fn dissect_from_starts_at_the_given_protocol() {
        let data = udp_frame(0);
        let frame = dissect_from(ProtoId::Ipv4, &data[14..], &DissectOptions::default());
        assert_eq!(frame.protocol_chain(), "IPv4:UDP:Raw");
        assert_eq!(frame.payload(1, &data[14..]), Some(&b"hello"[..]));
        assert_eq!(frame.number, 0);
        assert_eq!(frame.cap_len as usize, data.len() - 14);
    }
}
