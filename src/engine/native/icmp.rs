//! ICMP (RFC 792, 950, 1256, 4884) and ICMPv6 (RFC 4443, 4861, 2710, 3810): the common header,
//! the fields of each common type, NDP options, MLD records, and the datagram quoted by error
//! messages, which the walker decodes as a nested IP header.
//!
//! Error messages (ICMP destination unreachable, source quench, redirect, time exceeded,
//! parameter problem; ICMPv6 destination unreachable, packet too big, time exceeded, parameter
//! problem) name IPv4 / IPv6 as their next protocol: the quoted datagram (its length from the
//! RFC 4884 length field when there is one). It is usually cut after 8 bytes of transport
//! header: the walker knows it is inside a quote and stops there silently (see `mod.rs`).

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{
    AnyAddr, FieldValue, HexBytes, Icmp, IcmpBody, IcmpRouterEntry, Layer, MldRecord, NdpOption,
    ProtoId,
};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Field offsets of the ICMP / ICMPv6 header and bodies.
mod field {
    use std::ops::Range;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: usize = 2;
    /// Echo (and timestamp, information, address mask) identifier.
    pub const IDENT: usize = 4;
    /// Echo (and timestamp, information, address mask) sequence number.
    pub const SEQ: usize = 6;
    /// ICMP redirect: gateway address.
    pub const GATEWAY: Range<usize> = 4..8;
    /// ICMP fragmentation needed: next-hop MTU (16 bits).
    pub const MTU_V4: usize = 6;
    /// ICMPv6 packet too big: MTU (32 bits).
    pub const MTU_V6: Range<usize> = 4..8;
    /// ICMPv6 neighbour solicitation/advertisement, redirect: target address.
    pub const TARGET: Range<usize> = 8..24;
    /// ICMPv6 redirect: destination address.
    pub const DESTINATION: Range<usize> = 24..40;
    /// MLD: multicast address.
    pub const MLD_ADDR: Range<usize> = 8..24;
    /// ICMP RFC 4884 length of the quoted datagram (32-bit words), types 3, 11, 12.
    pub const QUOTE_LEN_V4: usize = 5;
    /// ICMPv6 RFC 4884 length of the quoted datagram (64-bit words), types 1, 3.
    pub const QUOTE_LEN_V6: usize = 4;
}

/// Bytes needed to decode anything: type, code, checksum.
pub const MIN_LEN: usize = 4;

/// Length of the ICMP header: type, code, checksum and the type's 4-byte field.
pub const HEADER_LEN: usize = 8;

/// Most NDP options, MLD sources or records, router entries kept for one message.
const MAX_ITEMS: usize = 1024;

/// A view over an ICMP or ICMPv6 message with at least type, code and checksum captured.
///
/// The accessors of the type-specific fields return `None` when their bytes are not captured.
pub struct Packet<'a> {
    /// Type, code and checksum.
    head: &'a [u8; MIN_LEN],
    /// The captured message.
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds type, code and checksum; `what` names the
    /// protocol in the error.
    pub fn new_checked(what: &str, buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(head) = buffer.first_chunk::<MIN_LEN>() else {
            return Err(DecodeError::truncated(what, MIN_LEN, buffer.len()));
        };
        Ok(Packet { head, buffer })
    }

    fn be16_at(&self, at: usize) -> Option<u16> {
        read::be16(self.buffer, at)
    }

    fn be32_at(&self, at: usize) -> Option<u32> {
        read::be32(self.buffer, at)
    }

    fn ipv6_at(&self, range: std::ops::Range<usize>) -> Option<Ipv6Addr> {
        let b: [u8; 16] = self.buffer.get(range)?.try_into().ok()?;
        Some(Ipv6Addr::from(b))
    }

    /// Message type.
    pub fn kind(&self) -> u8 {
        self.head[field::TYPE]
    }

    /// Message code.
    pub fn code(&self) -> u8 {
        self.head[field::CODE]
    }

    /// Checksum as carried.
    pub fn checksum(&self) -> u16 {
        u16::from_be_bytes([self.head[field::CHECKSUM], self.head[field::CHECKSUM + 1]])
    }

    /// Byte at `at`, if captured.
    pub fn byte(&self, at: usize) -> Option<u8> {
        self.buffer.get(at).copied()
    }

    /// Identifier of echo-like messages, if captured.
    pub fn ident(&self) -> Option<u16> {
        self.be16_at(field::IDENT)
    }

    /// Sequence number of echo-like messages, if captured.
    pub fn seq(&self) -> Option<u16> {
        self.be16_at(field::SEQ)
    }

    /// ICMP redirect gateway, if captured.
    pub fn gateway(&self) -> Option<Ipv4Addr> {
        let b: [u8; 4] = self.buffer.get(field::GATEWAY)?.try_into().ok()?;
        Some(Ipv4Addr::from(b))
    }

    /// ICMP fragmentation-needed next-hop MTU, if captured.
    pub fn mtu_v4(&self) -> Option<u32> {
        self.be16_at(field::MTU_V4).map(u32::from)
    }

    /// ICMPv6 packet-too-big MTU, if captured.
    pub fn mtu_v6(&self) -> Option<u32> {
        self.be32_at(field::MTU_V6.start)
    }

    /// ICMPv6 target address (neighbour discovery, redirect), if captured.
    pub fn target(&self) -> Option<Ipv6Addr> {
        self.ipv6_at(field::TARGET)
    }
}

/// The name of an ICMP type, if known.
pub fn type_name_v4(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "echo-reply",
        3 => "destination-unreachable",
        4 => "source-quench",
        5 => "redirect",
        6 => "alternate-host-address",
        8 => "echo-request",
        9 => "router-advertisement",
        10 => "router-solicitation",
        11 => "time-exceeded",
        12 => "parameter-problem",
        13 => "timestamp",
        14 => "timestamp-reply",
        15 => "information-request",
        16 => "information-reply",
        17 => "address-mask-request",
        18 => "address-mask-reply",
        30 => "traceroute",
        40 => "photuris",
        42 => "extended-echo-request",
        43 => "extended-echo-reply",
        _ => return None,
    })
}

/// The name of an ICMPv6 type, if known.
pub fn type_name_v6(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "destination-unreachable",
        2 => "packet-too-big",
        3 => "time-exceeded",
        4 => "parameter-problem",
        128 => "echo-request",
        129 => "echo-reply",
        130 => "mld-query",
        131 => "mld-report",
        132 => "mld-done",
        133 => "router-solicitation",
        134 => "router-advertisement",
        135 => "neighbor-solicitation",
        136 => "neighbor-advertisement",
        137 => "redirect",
        138 => "router-renumbering",
        139 => "node-information-query",
        140 => "node-information-response",
        141 => "inverse-nd-solicitation",
        142 => "inverse-nd-advertisement",
        143 => "mldv2-report",
        144 => "home-agent-address-discovery-request",
        145 => "home-agent-address-discovery-reply",
        146 => "mobile-prefix-solicitation",
        147 => "mobile-prefix-advertisement",
        148 => "certification-path-solicitation",
        149 => "certification-path-advertisement",
        151 => "multicast-router-advertisement",
        152 => "multicast-router-solicitation",
        153 => "multicast-router-termination",
        155 => "rpl-control",
        157 => "duplicate-address-request",
        158 => "duplicate-address-confirmation",
        160 => "extended-echo-request",
        161 => "extended-echo-reply",
        _ => return None,
    })
}

/// The name of an NDP option type.
pub fn ndp_option_name(kind: u8) -> &'static str {
    match kind {
        1 => "source-link-layer-address",
        2 => "target-link-layer-address",
        3 => "prefix-information",
        4 => "redirected-header",
        5 => "mtu",
        6 => "nbma-shortcut-limit",
        7 => "advertisement-interval",
        8 => "home-agent-information",
        9 => "source-address-list",
        10 => "target-address-list",
        11 => "cga",
        12 => "rsa-signature",
        13 => "timestamp",
        14 => "nonce",
        15 => "trust-anchor",
        16 => "certificate",
        17 => "ip-address-prefix",
        19 => "link-layer-address",
        20 => "neighbor-advertisement-acknowledgment",
        24 => "route-information",
        25 => "recursive-dns-server",
        26 => "ra-flags-extension",
        31 => "dns-search-list",
        38 => "pref64",
        _ => "unknown",
    }
}

/// The name of an MLDv2 multicast address record type, if known.
pub fn mld_record_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "mode-is-include",
        2 => "mode-is-exclude",
        3 => "change-to-include",
        4 => "change-to-exclude",
        5 => "allow-new-sources",
        6 => "block-old-sources",
        _ => return None,
    })
}

/// The record with type, code and checksum; the type-specific fields left `None`.
fn base(packet: &Packet<'_>, type_name: Option<&'static str>) -> Icmp {
    Icmp {
        kind: packet.kind(),
        code: packet.code(),
        checksum: packet.checksum(),
        type_name,
        id: None,
        seq: None,
        mtu: None,
        gateway: None,
        target: None,
        body: None,
        header_len: 0,
        payload_len: 0,
    }
}

/// What a type's decoding found besides the record's fields.
struct Shape {
    /// Bytes of the message this layer covers (its header by type; NDP options included).
    header_len: usize,
    /// Bytes after the header the message declares (echo data, quoted datagram).
    payload_len: usize,
    /// The quoted datagram's protocol, for error messages.
    next: Option<ProtoId>,
}

impl Shape {
    /// A fixed `header_len`, the rest of the declared message as payload, nothing next.
    fn fixed(header_len: usize, declared: usize) -> Shape {
        Shape {
            header_len,
            payload_len: declared.saturating_sub(header_len),
            next: None,
        }
    }

    /// The whole message is header (bodies with options or records up to its end).
    fn whole(declared: usize, captured: usize) -> Shape {
        let _ = captured;
        Shape {
            header_len: declared,
            payload_len: 0,
            next: None,
        }
    }
}

/// Finishes a decode: sets the record's lengths and wraps it for the walker.
fn finish(mut icmp: Icmp, shape: Shape, captured: usize, v6: bool) -> DecodeResult {
    let header_len = shape.header_len;
    icmp.header_len = u32::try_from(header_len.min(captured)).unwrap_or(u32::MAX);
    icmp.payload_len = u32::try_from(shape.payload_len).unwrap_or(u32::MAX);
    Ok(Decoded {
        layer: if v6 {
            Layer::Icmpv6(icmp)
        } else {
            Layer::Icmp(icmp)
        },
        header_len,
        payload_len: shape.payload_len,
        next: shape.next,
    })
}

/// The quoted datagram of an error message: its length (RFC 4884 `words` × `unit` when that
/// is set and fits, else the rest of the message) and its protocol if it starts with `ip`, or
/// if none of it was captured and `uncaptured` (tshark 4.0 calls the IP dissector there for
/// ICMP destination unreachable, source quench and time exceeded; not for a redirect, nor for
/// ICMPv6).
fn quote(
    data: &[u8],
    declared: usize,
    words: Option<u8>,
    unit: usize,
    ip: ProtoId,
    version: u8,
    uncaptured: bool,
) -> Shape {
    let rest = declared.saturating_sub(HEADER_LEN);
    let payload_len = match words.map(|w| usize::from(w) * unit) {
        Some(len) if len > 0 && len <= rest => len,
        _ => rest,
    };
    let next = match data.get(HEADER_LEN) {
        Some(b) => (*b >> 4 == version).then_some(ip),
        None => (uncaptured && rest > 0 && data.len() == HEADER_LEN).then_some(ip),
    };
    Shape {
        header_len: HEADER_LEN,
        payload_len,
        next,
    }
}

/// Decodes an ICMP message; `declared` is the length the IP header gives it.
///
/// Echo, information, timestamp and address-mask messages carry `id`/`seq` (timestamps and
/// the mask in the body), fragmentation needed (type 3 code 4) the next-hop `mtu`, redirect
/// the `gateway`, parameter problem the `pointer`, router advertisement its entries. Error
/// messages name the quoted IPv4 datagram as next. Fewer than 4 bytes is an error; a body cut
/// short keeps what was captured, and `partial` says why the rest is missing.
pub fn decode_v4(data: &[u8], declared: usize, partial: &mut Option<DecodeError>) -> DecodeResult {
    let packet = Packet::new_checked("ICMP header", data)?;
    let kind = packet.kind();
    let mut icmp = base(&packet, type_name_v4(kind));
    let declared = declared.max(MIN_LEN);
    let captured = data.len();
    let shape = match kind {
        0 | 8 | 15 | 16 => {
            icmp.id = packet.ident();
            icmp.seq = packet.seq();
            Shape::fixed(HEADER_LEN, declared)
        }
        13 | 14 => {
            icmp.id = packet.ident();
            icmp.seq = packet.seq();
            if let (Some(o), Some(r), Some(t)) =
                (packet.be32_at(8), packet.be32_at(12), packet.be32_at(16))
            {
                icmp.body = Some(Box::new(IcmpBody::Timestamp {
                    originate_timestamp: o,
                    receive_timestamp: r,
                    transmit_timestamp: t,
                }));
            } else if captured < declared.min(20) {
                *partial = Some(DecodeError::truncated("ICMP timestamp", 20, captured));
            }
            Shape::fixed(20, declared)
        }
        17 | 18 => {
            icmp.id = packet.ident();
            icmp.seq = packet.seq();
            if let Some(mask) = packet.be32_at(8) {
                icmp.body = Some(Box::new(IcmpBody::AddressMask {
                    address_mask: Ipv4Addr::from(mask),
                }));
            }
            Shape::fixed(12, declared)
        }
        9 => router_advertisement_v4(&packet, &mut icmp, declared, partial),
        3 | 4 | 5 | 11 | 12 => {
            match kind {
                3 if packet.code() == 4 => icmp.mtu = packet.mtu_v4(),
                5 => icmp.gateway = packet.gateway(),
                12 => {
                    if let Some(pointer) = packet.byte(4) {
                        icmp.body = Some(Box::new(IcmpBody::ParameterProblem {
                            pointer: pointer.into(),
                        }));
                    }
                }
                _ => {}
            }
            let words = matches!(kind, 3 | 11 | 12)
                .then(|| packet.byte(field::QUOTE_LEN_V4))
                .flatten();
            // tshark names a quote cut off right after the header, except a redirect's.
            quote(data, declared, words, 4, ProtoId::Ipv4, 4, kind != 5)
        }
        _ => Shape::fixed(HEADER_LEN, declared),
    };
    finish(icmp, shape, captured, false)
}

/// ICMP router advertisement: number of addresses, entry size, lifetime and the entries.
fn router_advertisement_v4(
    packet: &Packet<'_>,
    icmp: &mut Icmp,
    declared: usize,
    partial: &mut Option<DecodeError>,
) -> Shape {
    let (Some(num_addrs), Some(entry_size), Some(lifetime)) =
        (packet.byte(4), packet.byte(5), packet.be16_at(6))
    else {
        return Shape::fixed(HEADER_LEN, declared);
    };
    let entry_len = usize::from(entry_size) * 4;
    let entries_len = usize::from(num_addrs) * entry_len;
    let mut entries = Vec::new();
    if entry_len >= 8 {
        for i in 0..usize::from(num_addrs) {
            let at = HEADER_LEN + i * entry_len;
            let (Some(address), Some(preference)) = (packet.be32_at(at), packet.be32_at(at + 4))
            else {
                let why = if at + 8 > declared {
                    "past the message"
                } else {
                    "not captured"
                };
                *partial = Some(DecodeError::other(format!(
                    "ICMP router advertisement entry {} of {num_addrs} at byte {at}: {why}",
                    i + 1
                )));
                break;
            };
            entries.push(IcmpRouterEntry {
                address: Ipv4Addr::from(address),
                preference: preference as i32,
            });
        }
    }
    icmp.body = Some(Box::new(IcmpBody::RouterAdvertisementV4 {
        num_addrs,
        addr_entry_size: entry_size,
        lifetime,
        entries,
    }));
    Shape::fixed((HEADER_LEN + entries_len).min(declared), declared)
}

/// Decodes an ICMPv6 message; `declared` is the length the IPv6 headers give it.
///
/// Echo messages carry `id`/`seq`, packet too big the `mtu`, parameter problem the
/// `pointer`, neighbour discovery messages their fields and options (`target` for neighbour
/// solicitation/advertisement and redirect), MLD messages their addresses, sources and
/// records. Error messages name the quoted IPv6 datagram as next. Fewer than 4 bytes is an
/// error; a body cut short keeps what was captured, and `partial` says why the rest is missing.
pub fn decode_v6(data: &[u8], declared: usize, partial: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked("ICMPv6 header", data) {
        Ok(packet) => packet,
        // Cut inside its 4 bytes: tshark shows the type from 1 byte, the code from 2 (ICMP
        // shows nothing below 6 bytes: the walker names it without a field).
        Err(why) => {
            let fields = ["type", "code"]
                .into_iter()
                .zip(data)
                .map(|(name, &b)| (name, FieldValue::U8(b)))
                .collect();
            return Ok(super::partial::keep(
                ProtoId::Icmpv6,
                data,
                fields,
                0,
                why,
                partial,
            ));
        }
    };
    let kind = packet.kind();
    let mut icmp = base(&packet, type_name_v6(kind));
    let declared = declared.max(MIN_LEN);
    let captured = data.len();
    // The bytes of the message that are captured (NDP options and MLD lists stop there).
    let msg = data.get(..declared).unwrap_or(data);
    let shape = match kind {
        128 | 129 => {
            icmp.id = packet.ident();
            icmp.seq = packet.seq();
            Shape::fixed(HEADER_LEN, declared)
        }
        1..=4 => {
            match kind {
                2 => icmp.mtu = packet.mtu_v6(),
                4 => {
                    if let Some(pointer) = packet.be32_at(4) {
                        icmp.body = Some(Box::new(IcmpBody::ParameterProblem { pointer }));
                    }
                }
                _ => {}
            }
            let words = matches!(kind, 1 | 3)
                .then(|| packet.byte(field::QUOTE_LEN_V6))
                .flatten();
            quote(data, declared, words, 8, ProtoId::Ipv6, 6, false)
        }
        130..=132 => {
            if kind == 130 && declared >= 28 {
                mldv2_query(&packet, msg, &mut icmp, declared, partial)
            } else {
                let fixed = 24;
                if let (Some(delay), Some(addr)) =
                    (packet.be16_at(4), packet.ipv6_at(field::MLD_ADDR))
                {
                    icmp.body = Some(Box::new(IcmpBody::Mld {
                        max_resp_delay: delay,
                        multicast_address: addr,
                    }));
                } else if declared >= fixed {
                    *partial = Some(DecodeError::truncated("MLD message", fixed, captured));
                }
                Shape::fixed(fixed.min(declared), declared)
            }
        }
        143 => mldv2_report(&packet, msg, &mut icmp, declared, partial),
        133..=137 => ndp(&packet, msg, &mut icmp, declared, partial),
        _ => Shape::fixed(HEADER_LEN, declared),
    };
    finish(icmp, shape, captured, true)
}

/// Neighbour discovery: router solicitation/advertisement, neighbour solicitation/
/// advertisement, redirect, each with its options.
fn ndp(
    packet: &Packet<'_>,
    msg: &[u8],
    icmp: &mut Icmp,
    declared: usize,
    partial: &mut Option<DecodeError>,
) -> Shape {
    let kind = packet.kind();
    let fixed = match kind {
        133 => 8,
        134 => 16,
        135 | 136 => 24,
        _ => 40,
    };
    let whole = Shape::whole(declared, msg.len());
    if msg.len() < fixed {
        if declared >= fixed {
            *partial = Some(DecodeError::truncated(
                type_name_v6(kind).unwrap_or("NDP message"),
                fixed,
                msg.len(),
            ));
        }
        if kind >= 135 {
            icmp.target = packet.target();
        }
        return whole;
    }
    let options = ndp_options(
        msg.get(fixed..).unwrap_or_default(),
        fixed,
        declared,
        partial,
    );
    let flags = packet.byte(4).unwrap_or(0);
    let body = match kind {
        133 | 135 => IcmpBody::Ndp { options },
        134 => {
            let ra_flags = packet.byte(5).unwrap_or(0);
            IcmpBody::RouterAdvertisement {
                cur_hop_limit: flags,
                managed: ra_flags & 0x80 != 0,
                other: ra_flags & 0x40 != 0,
                home_agent: ra_flags & 0x20 != 0,
                preference: (ra_flags >> 3) & 0x03,
                proxy: ra_flags & 0x04 != 0,
                router_lifetime: packet.be16_at(6).unwrap_or(0),
                reachable_time: packet.be32_at(8).unwrap_or(0),
                retrans_timer: packet.be32_at(12).unwrap_or(0),
                options,
            }
        }
        136 => IcmpBody::NeighborAdvertisement {
            router: flags & 0x80 != 0,
            solicited: flags & 0x40 != 0,
            override_flag: flags & 0x20 != 0,
            options,
        },
        _ => IcmpBody::Redirect {
            destination: packet
                .ipv6_at(field::DESTINATION)
                .unwrap_or(Ipv6Addr::UNSPECIFIED),
            options,
        },
    };
    if kind >= 135 {
        icmp.target = packet.target();
    }
    icmp.body = Some(Box::new(body));
    whole
}

/// Parses NDP options from `bytes` (the captured message after its fixed part, which starts
/// `base` bytes into the message). A length of 0 or an option past the message stops parsing
/// with `partial` set; an option past the captured bytes too.
fn ndp_options(
    bytes: &[u8],
    base: usize,
    declared: usize,
    partial: &mut Option<DecodeError>,
) -> Vec<NdpOption> {
    let mut options = Vec::new();
    let mut at = 0usize;
    while let Some(&kind) = bytes.get(at) {
        let pos = base + at;
        if options.len() >= MAX_ITEMS {
            *partial = Some(DecodeError::other(format!(
                "more than {MAX_ITEMS} NDP options: stopped at byte {pos}"
            )));
            break;
        }
        let Some(&units) = bytes.get(at + 1) else {
            *partial = Some(DecodeError::truncated("NDP option header", 2, 1));
            break;
        };
        let len = usize::from(units) * 8;
        if len == 0 {
            *partial = Some(DecodeError::other(format!(
                "NDP option {kind} at byte {pos}: length 0"
            )));
            break;
        }
        let Some(opt) = bytes.get(at..at + len) else {
            let why = if pos + len > declared {
                format!("past the message ({declared} bytes)")
            } else {
                format!("{} captured", bytes.len() - at)
            };
            *partial = Some(DecodeError::other(format!(
                "NDP option {kind} at byte {pos} needs {len} bytes, {why}"
            )));
            break;
        };
        options.push(ndp_option(kind, opt));
        at += len;
    }
    options
}

/// One NDP option from its bytes (type and length included).
fn ndp_option(kind: u8, opt: &[u8]) -> NdpOption {
    let mut o = NdpOption {
        kind,
        name: ndp_option_name(kind),
        len: u16::try_from(opt.len()).unwrap_or(u16::MAX),
        link_addr: None,
        prefix_len: None,
        on_link: None,
        autonomous: None,
        valid_lifetime: None,
        preferred_lifetime: None,
        prefix: None,
        mtu: None,
        data: None,
    };
    let be32 = |at: usize| read::be32(opt, at);
    // The option's data, after its type and length.
    let data = opt.get(2..).unwrap_or_default();
    match (kind, opt) {
        (1 | 2, _) => {
            // Ethernet: 6 bytes (an 8-byte option); other links: the whole option data
            // (padding included).
            let addr = if opt.len() == 8 {
                data.get(..6).unwrap_or(data)
            } else {
                data
            };
            o.link_addr = Some(AnyAddr(addr.to_vec()));
        }
        (3, &[_, _, prefix_len, flags, ..]) if opt.len() >= 32 => {
            o.prefix_len = Some(prefix_len);
            o.on_link = Some(flags & 0x80 != 0);
            o.autonomous = Some(flags & 0x40 != 0);
            o.valid_lifetime = be32(4);
            o.preferred_lifetime = be32(8);
            let p: Option<[u8; 16]> = opt.get(16..32).and_then(|b| b.try_into().ok());
            o.prefix = p.map(Ipv6Addr::from);
        }
        (5, _) if opt.len() >= 8 => o.mtu = be32(4),
        _ => o.data = Some(HexBytes(data.to_vec())),
    }
    o
}

/// The next `count` (at most [`MAX_ITEMS`]) IPv6 addresses at `at` in `msg`; sets `partial`
/// where one is missing.
fn addresses(
    msg: &[u8],
    at: usize,
    count: u16,
    declared: usize,
    what: &str,
    partial: &mut Option<DecodeError>,
) -> Vec<Ipv6Addr> {
    let count = usize::from(count);
    let mut out = Vec::with_capacity(count.min(msg.len().saturating_sub(at) / 16));
    for i in 0..count {
        let start = at + i * 16;
        match msg
            .get(start..start + 16)
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
        {
            Some(b) => out.push(Ipv6Addr::from(b)),
            None => {
                let why = if start + 16 > declared {
                    "past the message"
                } else {
                    "not captured"
                };
                *partial = Some(DecodeError::other(format!(
                    "{what}: source {} of {count} at byte {start}: {why}",
                    i + 1
                )));
                break;
            }
        }
    }
    out
}

/// MLDv2 query (a query of at least 28 bytes).
fn mldv2_query(
    packet: &Packet<'_>,
    msg: &[u8],
    icmp: &mut Icmp,
    declared: usize,
    partial: &mut Option<DecodeError>,
) -> Shape {
    let Some(fixed) = msg.first_chunk::<28>() else {
        *partial = Some(DecodeError::truncated("MLDv2 query", 28, msg.len()));
        return Shape::whole(declared, msg.len());
    };
    let num_sources = packet.be16_at(26).unwrap_or(0);
    let sources = addresses(msg, 28, num_sources, declared, "MLDv2 query", partial);
    let flags = fixed[24];
    icmp.body = Some(Box::new(IcmpBody::Mldv2Query {
        max_resp_code: packet.be16_at(4).unwrap_or(0),
        multicast_address: packet
            .ipv6_at(field::MLD_ADDR)
            .unwrap_or(Ipv6Addr::UNSPECIFIED),
        suppress: flags & 0x08 != 0,
        qrv: flags & 0x07,
        qqic: fixed[25],
        num_sources,
        sources,
    }));
    Shape::whole(declared, msg.len())
}

/// MLDv2 report: its multicast address records.
fn mldv2_report(
    packet: &Packet<'_>,
    msg: &[u8],
    icmp: &mut Icmp,
    declared: usize,
    partial: &mut Option<DecodeError>,
) -> Shape {
    let Some(num_records) = packet.be16_at(6) else {
        if declared >= HEADER_LEN {
            *partial = Some(DecodeError::truncated(
                "MLDv2 report",
                HEADER_LEN,
                msg.len(),
            ));
        }
        return Shape::whole(declared, msg.len());
    };
    let mut records = Vec::new();
    let mut at = HEADER_LEN;
    for i in 0..num_records {
        if records.len() >= MAX_ITEMS {
            *partial = Some(DecodeError::other(format!(
                "more than {MAX_ITEMS} MLDv2 records: stopped at byte {at}"
            )));
            break;
        }
        let Some(head) = msg.get(at..).and_then(<[u8]>::first_chunk::<20>) else {
            let why = if at + 20 > declared {
                "past the message"
            } else {
                "not captured"
            };
            *partial = Some(DecodeError::other(format!(
                "MLDv2 report: record {} of {num_records} at byte {at}: {why}",
                i + 1
            )));
            break;
        };
        let [record_type, aux_data_len, n0, n1, addr @ ..] = *head;
        let num_sources = u16::from_be_bytes([n0, n1]);
        let before = partial.is_some();
        let sources = addresses(msg, at + 20, num_sources, declared, "MLDv2 record", partial);
        records.push(MldRecord {
            record_type,
            type_name: mld_record_name(record_type),
            aux_data_len,
            num_sources,
            multicast_address: Ipv6Addr::from(addr),
            sources,
        });
        if partial.is_some() && !before {
            break;
        }
        at += 20 + usize::from(num_sources) * 16 + usize::from(aux_data_len) * 4;
    }
    icmp.body = Some(Box::new(IcmpBody::Mldv2Report {
        num_records,
        records,
    }));
    Shape::whole(declared, msg.len())
}
#[cfg(test)]
mod tests {
    use super::*;

    fn record(d: &Decoded) -> &Icmp {
        match &d.layer {
            Layer::Icmp(icmp) | Layer::Icmpv6(icmp) => icmp,
            other => panic!("not ICMP: {other:?}"),
        }
    }

    fn body(d: &Decoded) -> &IcmpBody {
        record(d).body.as_deref().expect("a body")
    }

    /// Decodes ICMP, returning the result and the partial note.
    fn v4(bytes: &[u8], declared: usize) -> (Decoded, Option<DecodeError>) {
        let mut partial = None;
        let d = decode_v4(bytes, declared, &mut partial).unwrap();
        (d, partial)
    }

    /// Decodes ICMPv6, returning the result and the partial note.
    fn v6(bytes: &[u8], declared: usize) -> (Decoded, Option<DecodeError>) {
        let mut partial = None;
        let d = decode_v6(bytes, declared, &mut partial).unwrap();
        (d, partial)
    }

    /// A header cut inside its 4 bytes: the type from 1 byte, the code from 2, as tshark shows
    /// them.
    #[test]
    fn icmpv6_cut_short_keeps_type_and_code() {
        let echo = [128, 0, 0xab, 0xcd];
        for (n, json) in [
            (
                0,
                serde_json::json!({"protocol": "ICMPv6", "truncated": true, "header_len": 0,
                "payload_len": 0}),
            ),
            (
                1,
                serde_json::json!({"protocol": "ICMPv6", "type": 128, "truncated": true,
                "header_len": 1, "payload_len": 0}),
            ),
            (
                3,
                serde_json::json!({"protocol": "ICMPv6", "type": 128, "code": 0,
                "truncated": true, "header_len": 3, "payload_len": 0}),
            ),
        ] {
            let (d, note) = v6(&echo[..n], 8);
            assert_eq!(serde_json::to_value(&d.layer).unwrap(), json, "{n}");
            assert_eq!(
                note.unwrap().to_string(),
                format!("ICMPv6 header needs 4 bytes, {n} captured")
            );
        }
    }

    fn icmp(kind: u8, code: u8, checksum: u16, name: Option<&'static str>) -> Icmp {
        Icmp {
            kind,
            code,
            checksum,
            type_name: name,
            id: None,
            seq: None,
            mtu: None,
            gateway: None,
            target: None,
            body: None,
            header_len: 8,
            payload_len: 0,
        }
    }

    /// pcpp__IcmpPackets.pcapng frame 9: echo request, ident 55099 (0xd73b), seq 0, checksum
    /// 0xbbb3, 64 bytes (IP total 84).
    #[test]
    fn echo_request_from_capture() {
        let bytes = [0x08, 0x00, 0xbb, 0xb3, 0xd7, 0x3b, 0x00, 0x00, 0x51, 0xa7];
        let (d, partial) = v4(&bytes, 64);
        assert_eq!(partial, None);
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                id: Some(55099),
                seq: Some(0),
                payload_len: 56,
                ..icmp(8, 0, 0xbbb3, Some("echo-request"))
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 56, None));

        let mut reply = bytes;
        reply[0] = 0;
        assert_eq!(record(&v4(&reply, 64).0).type_name, Some("echo-reply"));
    }

    /// pcpp__IcmpPackets.pcapng frame 2: redirect for host, gateway 10.2.99.98, quoting an
    /// IPv4 datagram (0x45...): next is IPv4.
    #[test]
    fn redirect_from_capture() {
        let bytes = [0x05, 0x01, 0x38, 0x3e, 0x0a, 0x02, 0x63, 0x62, 0x45, 0x00];
        let (d, _) = v4(&bytes, 36);
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                gateway: Some(Ipv4Addr::new(10, 2, 99, 98)),
                payload_len: 28,
                ..icmp(5, 1, 0x383e, Some("redirect"))
            })
        );
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (8, 28, Some(ProtoId::Ipv4))
        );
        // Cut right after the header: tshark names no quote of a redirect.
        assert_eq!(v4(&bytes[..8], 36).0.next, None);
    }

    /// pcpp__IcmpPackets.pcapng frame 5: time exceeded quoting IPv4 10.0.1.2 → 172.16.0.2 UDP
    /// 49181 → 33445, padded to 128 bytes and followed by an RFC 4884 extension (its length
    /// field is 0 here, so the quote is the rest of the message).
    #[test]
    fn time_exceeded_quotes_ipv4() {
        let mut bytes = vec![
            0x0b, 0x00, 0xac, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x1c, 0x00, 0xe5,
            0x00, 0x00, 0x02, 0x11, 0x00, 0xd9, 0x0a, 0x00, 0x01, 0x02, 0xac, 0x10, 0x00, 0x02,
            0xc0, 0x1d, 0x82, 0xa5, 0x00, 0x08, 0x06, 0x07,
        ];
        bytes.resize(148, 0);
        let (d, partial) = v4(&bytes, 148);
        assert_eq!(partial, None);
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (8, 140, Some(ProtoId::Ipv4))
        );
        assert_eq!(record(&d).type_name, Some("time-exceeded"));
        // With the RFC 4884 length set (32 words = 128 bytes), the quote stops there.
        bytes[5] = 32;
        let (d, _) = v4(&bytes, 148);
        assert_eq!((d.payload_len, d.next), (128, Some(ProtoId::Ipv4)));
        // A length past the message is ignored.
        bytes[5] = 200;
        assert_eq!(v4(&bytes, 148).0.payload_len, 140);
        // A quote that is not IPv4: no next protocol.
        bytes[8] = 0x60;
        assert_eq!(v4(&bytes, 148).0.next, None);
        // Nothing quoted captured although the message declares a quote (cut by the snap
        // length): the quote is named, as tshark names `ip` there; none declared, none named.
        assert_eq!(v4(&bytes[..8], 148).0.next, Some(ProtoId::Ipv4));
        assert_eq!(v4(&bytes[..8], 8).0.next, None);
    }

    /// pcpp__IcmpPackets.pcapng frames 7 and 8: timestamp request and reply; frame 15's
    /// address mask reply (ident 45580, seq 0).
    #[test]
    fn timestamp_and_mask() {
        let reply = [
            0x0e, 0x00, 0xe3, 0x19, 0x39, 0x30, 0x00, 0x00, 0x00, 0xf6, 0x24, 0x63, 0x62, 0x2d,
            0xf6, 0x00, 0x62, 0x2d, 0xf6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        let (d, partial) = v4(&reply, 20);
        assert_eq!(partial, None);
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                id: Some(14640),
                seq: Some(0),
                body: Some(Box::new(IcmpBody::Timestamp {
                    originate_timestamp: 16131171,
                    receive_timestamp: 1647179264,
                    transmit_timestamp: 1647179264,
                })),
                header_len: 20,
                ..icmp(14, 0, 0xe319, Some("timestamp-reply"))
            })
        );
        assert_eq!((d.header_len, d.payload_len), (20, 0));
        // Cut inside the timestamps: id/seq kept, the note says what is missing.
        let (d, partial) = v4(&reply[..12], 20);
        assert_eq!(record(&d).body, None);
        assert_eq!(record(&d).id, Some(14640));
        assert_eq!(
            partial.unwrap().to_string(),
            "ICMP timestamp needs 20 bytes, 12 captured"
        );

        let mask = [
            0x12, 0x00, 0x3b, 0xf3, 0xb2, 0x0c, 0x00, 0x00, 255, 255, 255, 0,
        ];
        let (d, _) = v4(&mask, 12);
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                id: Some(45580),
                seq: Some(0),
                body: Some(Box::new(IcmpBody::AddressMask {
                    address_mask: Ipv4Addr::new(255, 255, 255, 0)
                })),
                header_len: 12,
                ..icmp(18, 0, 0x3bf3, Some("address-mask-reply"))
            })
        );
    }

    /// pcpp__IcmpPackets.pcapng frame 3: router advertisement, 1 address of 2 words, lifetime
    /// 200, router 192.168.144.2 preference -2147483648, then Mobile IP extensions (payload).
    #[test]
    fn router_advertisement_v4() {
        let bytes = [
            0x09, 0x10, 0x81, 0x53, 0x01, 0x02, 0x00, 0xc8, 0xc0, 0xa8, 0x90, 0x02, 0x80, 0x00,
            0x00, 0x00, 0x10, 0x0a, 0x00, 0x05, 0x00, 0xc8, 0x30, 0x00, 0xc0, 0xa8, 0x90, 0x02,
            0x18, 0x10, 0x11, 0x51, 0x28, 0x82, 0x26, 0x2a, 0x7a, 0x60, 0x14, 0xc7, 0x5f, 0x0e,
            0x31, 0x97, 0x4e, 0xc8, 0x13, 0x01, 0x18, 0x00,
        ];
        let (d, partial) = v4(&bytes, 50);
        assert_eq!(partial, None);
        assert_eq!(
            body(&d),
            &IcmpBody::RouterAdvertisementV4 {
                num_addrs: 1,
                addr_entry_size: 2,
                lifetime: 200,
                entries: vec![IcmpRouterEntry {
                    address: Ipv4Addr::new(192, 168, 144, 2),
                    preference: i32::MIN,
                }],
            }
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (16, 34, None));
        // Three entries declared, one captured: the note says which is missing.
        let mut more = bytes;
        more[4] = 3;
        let (d, partial) = v4(&more[..20], 50);
        assert_eq!(
            partial.unwrap().to_string(),
            "ICMP router advertisement entry 2 of 3 at byte 16: not captured"
        );
        match body(&d) {
            IcmpBody::RouterAdvertisementV4 { entries, .. } => assert_eq!(entries.len(), 1),
            other => panic!("{other:?}"),
        }
        // Entries past the message.
        more[4] = 200;
        let (_, partial) = v4(&more, 50);
        assert_eq!(
            partial.unwrap().to_string(),
            "ICMP router advertisement entry 6 of 200 at byte 48: past the message"
        );
    }

    #[test]
    fn parameter_problem_pointer() {
        let bytes = [0x0c, 0x00, 0x12, 0x34, 0x14, 0x00, 0x00, 0x00, 0x45];
        let (d, _) = v4(&bytes, 36);
        assert_eq!(body(&d), &IcmpBody::ParameterProblem { pointer: 20 });
        assert_eq!(d.next, Some(ProtoId::Ipv4));
        let bytes = [0x04, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x28, 0x60];
        let (d, _) = v6(&bytes, 48);
        assert_eq!(body(&d), &IcmpBody::ParameterProblem { pointer: 40 });
        assert_eq!((d.payload_len, d.next), (40, Some(ProtoId::Ipv6)));
    }

    #[test]
    fn fragmentation_needed_mtu() {
        let bytes = [0x03, 0x04, 0x12, 0x34, 0x00, 0x00, 0x05, 0xdc];
        let (d, _) = v4(&bytes, 36);
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                mtu: Some(1500),
                payload_len: 28,
                ..icmp(3, 4, 0x1234, Some("destination-unreachable"))
            })
        );
        // Port unreachable (code 3, pcpp frame 6) has no MTU.
        let port = [0x03, 0x03, 0xb4, 0x2a, 0, 0, 0, 0];
        assert_eq!(
            v4(&port, 36).0.layer,
            Layer::Icmp(Icmp {
                payload_len: 28,
                ..icmp(3, 3, 0xb42a, Some("destination-unreachable"))
            })
        );
    }

    #[test]
    fn v4_names() {
        let names: Vec<_> = [0u8, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 99]
            .into_iter()
            .map(type_name_v4)
            .collect();
        assert_eq!(
            names,
            [
                Some("echo-reply"),
                Some("destination-unreachable"),
                Some("source-quench"),
                Some("redirect"),
                Some("echo-request"),
                Some("router-advertisement"),
                Some("router-solicitation"),
                Some("time-exceeded"),
                Some("parameter-problem"),
                Some("timestamp"),
                Some("timestamp-reply"),
                None
            ]
        );
    }

    #[test]
    fn partial_header_gives_type_code_checksum() {
        let bytes = [0x08, 0x00, 0xbb, 0xb3, 0xd7, 0x3b];
        let (d, _) = v4(&bytes, 64);
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                id: Some(55099),
                header_len: 6,
                payload_len: 56,
                ..icmp(8, 0, 0xbbb3, Some("echo-request"))
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 56, None));
        let (d, partial) = v6(&[0x87, 0, 0, 0], 4);
        assert_eq!(partial, None);
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                header_len: 4,
                ..icmp(135, 0, 0, Some("neighbor-solicitation"))
            })
        );
        assert_eq!((d.header_len, d.payload_len), (4, 0));
    }

    #[test]
    fn icmp_shorter_than_4_is_an_error() {
        // The walker names it (a partial layer of no field, as tshark shows it below 6 bytes);
        // ICMPv6's own partial layer: `icmpv6_cut_short_keeps_type_and_code`.
        assert_eq!(
            decode_v4(&[8, 0, 0], 3, &mut None)
                .err()
                .unwrap()
                .to_string(),
            "ICMP header needs 4 bytes, 3 captured"
        );
    }

    /// tcpdump__icmpv6.pcap frame 3: MLDv2 general query (28 bytes): max response code 10000,
    /// QRV 2, QQIC 60, no sources.
    #[test]
    fn mldv2_query_from_capture() {
        let mut bytes = vec![
            0x82, 0x00, 0x62, 0x3a, 0x27, 0x10, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0x02, 0x3c, 0x00, 0x00,
        ];
        let (d, partial) = v6(&bytes, 28);
        assert_eq!(partial, None);
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                body: Some(Box::new(IcmpBody::Mldv2Query {
                    max_resp_code: 10000,
                    multicast_address: Ipv6Addr::UNSPECIFIED,
                    suppress: false,
                    qrv: 2,
                    qqic: 60,
                    num_sources: 0,
                    sources: vec![],
                })),
                header_len: 28,
                ..icmp(130, 0, 0x623a, Some("mld-query"))
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (28, 0, None));
        // One source, then two declared but only one there.
        bytes[27] = 1;
        bytes.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let (d, partial) = v6(&bytes, 44);
        assert_eq!(partial, None);
        match body(&d) {
            IcmpBody::Mldv2Query { sources, .. } => {
                assert_eq!(sources, &["fe80::1".parse::<Ipv6Addr>().unwrap()])
            }
            other => panic!("{other:?}"),
        }
        bytes[27] = 2;
        let (d, partial) = v6(&bytes, 44);
        assert_eq!(
            partial.unwrap().to_string(),
            "MLDv2 query: source 2 of 2 at byte 44: past the message"
        );
        assert!(
            matches!(body(&d), IcmpBody::Mldv2Query { sources, num_sources: 2, .. } if sources.len() == 1)
        );
        // A 24-byte query is MLDv1.
        let (d, _) = v6(&bytes[..24], 24);
        assert_eq!(
            body(&d),
            &IcmpBody::Mld {
                max_resp_delay: 10000,
                multicast_address: Ipv6Addr::UNSPECIFIED
            }
        );
    }

    /// tcpdump__icmpv6.pcap frame 4: MLDv2 report with 4 records, all "mode-is-exclude".
    #[test]
    fn mldv2_report_from_capture() {
        let bytes = [
            0x8f, 0x00, 0x2a, 0x0e, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0xff, 0x02,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0xb8, 0x11, 0x22, 0x33, 0x44,
            0x02, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x01, 0xff, 0xcc, 0xe5, 0x46, 0x02, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xa7, 0x10, 0xad, 0x02, 0x00,
            0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0xff, 0x00, 0x00, 0x02,
        ];
        let (d, partial) = v6(&bytes, 88);
        assert_eq!(partial, None);
        let IcmpBody::Mldv2Report {
            num_records,
            records,
        } = body(&d)
        else {
            panic!("{:?}", body(&d))
        };
        assert_eq!(*num_records, 4);
        let addrs: Vec<String> = records
            .iter()
            .map(|r| r.multicast_address.to_string())
            .collect();
        assert_eq!(
            addrs,
            [
                "ff02::db8:1122:3344",
                "ff02::1:ffcc:e546",
                "ff02::1:ffa7:10ad",
                "ff02::1:ff00:2"
            ]
        );
        assert!(records.iter().all(|r| r.record_type == 2
            && r.type_name == Some("mode-is-exclude")
            && r.num_sources == 0
            && r.sources.is_empty()));
        assert_eq!((d.header_len, d.payload_len), (88, 0));
        // Cut by the snap length inside record 3: two records kept.
        let (d, partial) = v6(&bytes[..60], 88);
        assert_eq!(
            partial.unwrap().to_string(),
            "MLDv2 report: record 3 of 4 at byte 48: not captured"
        );
        assert!(matches!(body(&d), IcmpBody::Mldv2Report { records, .. } if records.len() == 2));
        assert_eq!(record(&d).header_len, 60);
        // A record count larger than the message.
        let mut lying = bytes;
        lying[6..8].copy_from_slice(&[0xff, 0xff]);
        let (_, partial) = v6(&lying, 88);
        assert_eq!(
            partial.unwrap().to_string(),
            "MLDv2 report: record 5 of 65535 at byte 88: past the message"
        );
        // A source count larger than the message.
        let mut lying = bytes;
        lying[10..12].copy_from_slice(&[0x10, 0x00]);
        let (_, partial) = v6(&lying, 88);
        assert_eq!(
            partial.unwrap().to_string(),
            "MLDv2 record: source 4 of 4096 at byte 76: past the message"
        );
    }

    /// tcpdump__icmpv6.pcap frame 1: router advertisement with prefix information, RDNSS,
    /// DNSSL, MTU, source link-layer address, advertisement interval and home agent options.
    #[test]
    fn router_advertisement_from_capture() {
        let bytes = [
            0x86, 0x00, 0x24, 0x01, 0x40, 0x20, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x03, 0x04, 0x48, 0xc0, 0x00, 0x27, 0x8d, 0x00, 0x00, 0x09, 0x3a, 0x80,
            0x00, 0x00, 0x00, 0x00, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x19, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
            0xab, 0xcd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xef, 0xef, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x01, 0x1f, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x07, 0x65,
            0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x07, 0x65, 0x78,
            0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x04, 0x64, 0x6f, 0x6d,
            0x31, 0x04, 0x64, 0x6f, 0x6d, 0x32, 0x03, 0x74, 0x6c, 0x64, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x01, 0x01,
            0xb0, 0x99, 0x28, 0xc8, 0xd6, 0x6c, 0x07, 0x01, 0x00, 0x00, 0x00, 0x00, 0x13, 0x88,
            0x08, 0x01, 0x00, 0x00, 0xc3, 0x51, 0x00, 0x0f,
        ];
        let (d, partial) = v6(&bytes, 176);
        assert_eq!(partial, None);
        assert_eq!((d.header_len, d.payload_len, d.next), (176, 0, None));
        let IcmpBody::RouterAdvertisement {
            cur_hop_limit,
            managed,
            other,
            home_agent,
            preference,
            proxy,
            router_lifetime,
            reachable_time,
            retrans_timer,
            options,
        } = body(&d)
        else {
            panic!("{:?}", body(&d))
        };
        assert_eq!(
            (
                *cur_hop_limit,
                *managed,
                *other,
                *home_agent,
                *preference,
                *proxy
            ),
            (64, false, false, true, 0, false)
        );
        assert_eq!(
            (*router_lifetime, *reachable_time, *retrans_timer),
            (15, 0, 0)
        );
        let kinds: Vec<(u8, &str, u16)> = options.iter().map(|o| (o.kind, o.name, o.len)).collect();
        assert_eq!(
            kinds,
            [
                (3, "prefix-information", 32),
                (25, "recursive-dns-server", 40),
                (31, "dns-search-list", 56),
                (5, "mtu", 8),
                (1, "source-link-layer-address", 8),
                (7, "advertisement-interval", 8),
                (8, "home-agent-information", 8),
            ]
        );
        let prefix = &options[0];
        assert_eq!(prefix.prefix_len, Some(72));
        assert_eq!(
            (prefix.on_link, prefix.autonomous),
            (Some(true), Some(true))
        );
        assert_eq!(
            (prefix.valid_lifetime, prefix.preferred_lifetime),
            (Some(2592000), Some(604800))
        );
        assert_eq!(
            prefix.prefix,
            Some("2222:3333:4444:5555:6600::".parse().unwrap())
        );
        assert_eq!(options[3].mtu, Some(100));
        assert_eq!(
            options[4].link_addr.as_ref().map(|a| a.to_string()),
            Some("b0:99:28:c8:d6:6c".to_owned())
        );
        assert_eq!(
            options[5].data.as_ref().map(|d| d.to_string()),
            Some("000000001388".to_owned())
        );

        // An option cut by the snap length: the options before it are kept.
        let (d, partial) = v6(&bytes[..100], 176);
        assert_eq!(
            partial.unwrap().to_string(),
            "NDP option 31 at byte 88 needs 56 bytes, 12 captured"
        );
        assert!(
            matches!(body(&d), IcmpBody::RouterAdvertisement { options, .. } if options.len() == 2)
        );
        // An option length past the message.
        let mut long = bytes;
        long[169] = 9;
        let (_, partial) = v6(&long, 176);
        assert_eq!(
            partial.unwrap().to_string(),
            "NDP option 8 at byte 168 needs 72 bytes, past the message (176 bytes)"
        );
        // An option of length 0 stops parsing.
        let mut zero = bytes;
        zero[17] = 0;
        let (d, partial) = v6(&zero, 176);
        assert_eq!(
            partial.unwrap().to_string(),
            "NDP option 3 at byte 16: length 0"
        );
        assert!(
            matches!(body(&d), IcmpBody::RouterAdvertisement { options, .. } if options.is_empty())
        );
    }

    #[test]
    fn echo_v6() {
        let bytes = [0x81, 0x00, 0xab, 0xcd, 0x12, 0x34, 0x00, 0x07, 0xaa];
        let (d, _) = v6(&bytes, 9);
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                id: Some(0x1234),
                seq: Some(7),
                payload_len: 1,
                ..icmp(129, 0, 0xabcd, Some("echo-reply"))
            })
        );
    }

    #[test]
    fn packet_too_big_quotes_ipv6() {
        let bytes = [0x02, 0x00, 0x11, 0x22, 0x00, 0x00, 0x05, 0x00, 0x60, 0x00];
        let (d, _) = v6(&bytes, 1240);
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                mtu: Some(1280),
                payload_len: 1232,
                ..icmp(2, 0, 0x1122, Some("packet-too-big"))
            })
        );
        assert_eq!(d.next, Some(ProtoId::Ipv6));
        // ICMPv6 destination unreachable with an RFC 4884 length (3 × 8 bytes).
        let bytes = [0x01, 0x04, 0x11, 0x22, 0x03, 0x00, 0x00, 0x00, 0x60];
        let (d, _) = v6(&bytes, 100);
        assert_eq!((d.payload_len, d.next), (24, Some(ProtoId::Ipv6)));
    }

    #[test]
    fn neighbor_discovery() {
        // Neighbour advertisement: flags R, S, O; target fe80::1; target link-layer option.
        let mut na = [0u8; 32];
        na[..5].copy_from_slice(&[0x88, 0x00, 0x99, 0x88, 0xe0]);
        na[8..10].copy_from_slice(&[0xfe, 0x80]);
        na[23] = 0x01;
        na[24..32].copy_from_slice(&[2, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55]);
        let (d, partial) = v6(&na, 32);
        assert_eq!(partial, None);
        assert_eq!(record(&d).target, Some("fe80::1".parse().unwrap()));
        let IcmpBody::NeighborAdvertisement {
            router,
            solicited,
            override_flag,
            options,
        } = body(&d)
        else {
            panic!("{:?}", body(&d))
        };
        assert_eq!((*router, *solicited, *override_flag), (true, true, true));
        assert_eq!(options.len(), 1);
        assert_eq!(options[0].name, "target-link-layer-address");
        assert_eq!(
            options[0].link_addr.as_ref().unwrap().to_string(),
            "00:11:22:33:44:55"
        );
        assert_eq!((d.header_len, d.payload_len), (32, 0));

        // Neighbour solicitation: options only.
        let mut ns = na;
        ns[0] = 135;
        ns[24] = 1;
        let (d, _) = v6(&ns, 32);
        assert!(
            matches!(body(&d), IcmpBody::Ndp { options } if options[0].name == "source-link-layer-address")
        );

        // Redirect: target and destination; cut before the destination: target only.
        let mut redirect = [0u8; 40];
        redirect[0] = 137;
        redirect[8..10].copy_from_slice(&[0xfe, 0x80]);
        redirect[23] = 1;
        redirect[24] = 0x20;
        redirect[25] = 0x01;
        let (d, partial) = v6(&redirect, 40);
        assert_eq!(partial, None);
        assert_eq!(
            body(&d),
            &IcmpBody::Redirect {
                destination: "2001::".parse().unwrap(),
                options: vec![]
            }
        );
        let (d, partial) = v6(&redirect[..30], 40);
        assert_eq!(record(&d).target, Some("fe80::1".parse().unwrap()));
        assert_eq!(record(&d).body, None);
        assert_eq!(
            partial.unwrap().to_string(),
            "redirect needs 40 bytes, 30 captured"
        );
        let (d, _) = v6(&redirect[..23], 40);
        assert_eq!(record(&d).target, None);
    }

    #[test]
    fn v6_names() {
        let names: Vec<_> = [
            1u8, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 143, 0,
        ]
        .into_iter()
        .map(type_name_v6)
        .collect();
        assert_eq!(
            names,
            [
                Some("destination-unreachable"),
                Some("packet-too-big"),
                Some("time-exceeded"),
                Some("parameter-problem"),
                Some("echo-request"),
                Some("echo-reply"),
                Some("mld-query"),
                Some("mld-report"),
                Some("mld-done"),
                Some("router-solicitation"),
                Some("router-advertisement"),
                Some("neighbor-solicitation"),
                Some("neighbor-advertisement"),
                Some("redirect"),
                Some("mldv2-report"),
                None
            ]
        );
    }

    #[test]
    fn serializes_flat() {
        let (d, _) = v6(
            &[
                0x83, 0x00, 0x12, 0x34, 0x00, 0x64, 0, 0, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0xfb,
            ],
            24,
        );
        assert_eq!(
            serde_json::to_string(&d.layer).unwrap(),
            r#"{"protocol":"ICMPv6","type":131,"code":0,"checksum":4660,"type_name":"mld-report","max_resp_delay":100,"multicast_address":"ff02::fb","header_len":24,"payload_len":0}"#
        );
    }

    /// Dissects `data` as a raw-IP frame.
    fn walk(data: &[u8]) -> crate::model::Frame {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::LinkType;
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: data.len() as u32,
            link_type: LinkType::RAW,
            interface: None,
            data,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    /// An IPv4 header (no options) of `total` bytes carrying protocol `proto`.
    fn ipv4(total: usize, proto: u8) -> Vec<u8> {
        let t = (total as u16).to_be_bytes();
        vec![
            0x45, 0, t[0], t[1], 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]
    }

    #[test]
    fn walker_decodes_the_quoted_datagram() {
        // Port unreachable quoting IPv4 (total 60) + 8 bytes of UDP: IPv4:ICMP:IPv4:UDP.
        let mut f = ipv4(56, 1);
        f.extend_from_slice(&[3, 3, 0, 0, 0, 0, 0, 0]);
        f.extend(ipv4(60, 17));
        f.extend_from_slice(&[0x9c, 0x40, 0x82, 0xa5, 0, 40, 0, 0]);
        let frame = walk(&f);
        assert_eq!(frame.error, None);
        assert_eq!(frame.protocol_chain(), "IPv4:ICMP:IPv4:UDP");
        // The same quoting 8 bytes of TCP: a partial TCP layer (tshark's `icmp:ip:tcp`), no
        // frame error.
        f[37] = 6;
        let frame = walk(&f);
        assert_eq!(frame.error, None);
        assert_eq!(frame.protocol_chain(), "IPv4:ICMP:IPv4:TCP");
        assert!(matches!(&frame.layers[3], Layer::Partial(cut) if cut.header_len == 8));
        // Outside a quote, the same TCP header is an error (and the partial layer).
        let mut plain = ipv4(28, 6);
        plain.extend_from_slice(&f[48..]);
        let frame = walk(&plain);
        assert_eq!(frame.protocol_chain(), "IPv4:TCP");
        assert_eq!(
            frame.error.map(|e| (e.layer, e.offset)),
            Some((ProtoId::Tcp, 20))
        );
    }

    #[test]
    fn walker_caps_nested_quotes() {
        // 40 time-exceeded messages, each quoting the next: stopped at 32 layers, said so.
        let depth = 40;
        let mut f = Vec::new();
        for level in 0..depth {
            let remaining = (depth - level) * 28;
            f.extend(ipv4(remaining, 1));
            f.extend_from_slice(&[11, 0, 0, 0, 0, 0, 0, 0]);
        }
        let frame = walk(&f);
        assert_eq!(frame.layers.len(), 32);
        let error = frame.error.expect("an error");
        assert_eq!(
            error.reason,
            "more than 32 nested layers: dissection stopped"
        );
        assert_eq!((error.layer, error.offset), (ProtoId::Ipv4, 16 * 28));
    }

    #[test]
    fn walker_keeps_a_partial_ndp_message() {
        // IPv6 + router advertisement whose first option has length 0.
        let mut f = vec![0x60, 0, 0, 0, 0, 24, 58, 255];
        f.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        f.extend_from_slice(&[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        f.extend_from_slice(&[134, 0, 0, 0, 64, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0]);
        f.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
        let frame = walk(&f);
        assert_eq!(frame.protocol_chain(), "IPv6:ICMPv6");
        let error = frame.error.expect("an error");
        assert_eq!((error.layer, error.offset), (ProtoId::Icmpv6, 40));
        assert_eq!(error.reason, "NDP option 1 at byte 16: length 0");
        let Layer::Icmpv6(icmp) = &frame.layers[1] else {
            panic!("{:?}", frame.layers[1])
        };
        assert!(matches!(
            icmp.body.as_deref(),
            Some(IcmpBody::RouterAdvertisement { router_lifetime: 30, options, .. }) if options.is_empty()
        ));
    }

    #[test]
    fn walker_never_errs_on_a_garbage_quote() {
        // IPv4 + time exceeded + a quote that starts like IPv4 and is otherwise random: any
        // header that does not decode in the quote ends the walk without a frame error.
        let mut x = 0x2545_f491u32;
        for round in 0..3000 {
            let mut f = ipv4(84, 1);
            f.extend_from_slice(&[11, 0, 0, 0, 0, 0, 0, 0]);
            for _ in 0..56 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                f.push(x as u8);
            }
            f[28] = 0x45;
            f[30..32].copy_from_slice(&[0, 56]);
            f[37] = [1, 6, 17, 58, 0, 43, 44][round % 7];
            let frame = walk(&f);
            assert!(
                frame.error.is_none()
                    || frame
                        .error
                        .as_ref()
                        .is_some_and(|e| e.reason.contains("nested")),
                "{:?}",
                frame.error
            );
            assert_eq!(frame.layers[2].proto(), ProtoId::Ipv4);
        }
    }

    #[test]
    fn no_panic_on_any_type_or_prefix() {
        for fill in [0x00u8, 0x01, 0xff] {
            let mut bytes = [fill; 64];
            for kind in 0..=255u8 {
                bytes[0] = kind;
                for code in [0u8, 4] {
                    bytes[1] = code;
                    for len in 0..=bytes.len() {
                        for declared in [0, len, 40, usize::MAX] {
                            let _ = decode_v4(&bytes[..len], declared, &mut None);
                            let _ = decode_v6(&bytes[..len], declared, &mut None);
                        }
                    }
                }
            }
        }
    }
}
