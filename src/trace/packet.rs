//! What a frame contributes to a flow: its innermost TCP or UDP header, read the way
//! Wireshark 4.0 assigns `tcp.stream`.
//!
//! - The innermost IPv4/IPv6 header decides (tunnels: the inner packet; an ICMP error: the
//!   datagram it quotes, which Wireshark also puts in the quoted connection's stream).
//! - The transport header is read from the IP payload bytes (the spans), so a header the
//!   dissector did not decode (a quoted one, one after `-P IPv4`) still counts. Wireshark reads
//!   ports, sequence and acknowledgement numbers, flags and window before it looks up the
//!   connection: fewer than 16 captured TCP bytes (8 UDP) belong to no flow.
//! - IP fragments: a fully captured fragment is held back (only its coverage, and the first
//!   fragment's transport header); the frame that completes the datagram carries the flow, the
//!   other fragments belong to none, as with Wireshark's default defragmentation. A fragment
//!   cut by the snap length is dissected on its own (a first fragment carries the flow,
//!   without sequence analysis).

use super::key::{Endpoint, Transport};
use crate::capture::RawFrame;
use crate::model::{Frame, Layer};
use foldhash::HashMap;
use std::collections::VecDeque;
use std::net::IpAddr;

/// The TCP header fields flow tracking uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSeg {
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flag bits (NS..FIN).
    pub flags: u16,
    /// Header length in bytes (data offset · 4).
    pub hlen: u32,
}

/// A frame's place in a flow: its transport header, seen from the frame's sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// TCP or UDP.
    pub transport: Transport,
    /// The sender.
    pub src: Endpoint,
    /// The receiver.
    pub dst: Endpoint,
    /// TCP fields (`None` for UDP).
    pub tcp: Option<TcpSeg>,
    /// Transport payload bytes the headers declare (0 where unknown).
    pub payload_len: u32,
    /// Whether the segment is analysed (not quoted in an ICMP error, not an unreassembled
    /// fragment, header within the declared length): only those set sequence bases and
    /// FIN/RST state, as in Wireshark.
    pub analyze: bool,
}

/// Bound on datagrams being defragmented at once (the oldest is dropped beyond it).
const MAX_PENDING: usize = 4096;
/// Bound on separate byte ranges one datagram may have before it is dropped.
const MAX_RANGES: usize = 64;

/// Identity of a fragmented datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct FragKey {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    proto: u8,
}

/// The transport header of a datagram's first fragment, kept until the datagram completes.
#[derive(Clone, Copy, Debug)]
struct Head {
    proto: u8,
    src: IpAddr,
    dst: IpAddr,
    bytes: [u8; 20],
    len: usize,
    /// Extension-header bytes between the fragment header and the transport header (IPv6).
    skip: u32,
    /// The transport length, when an inner header declares it (a fragmented tunnel).
    declared: Option<u32>,
    analyze: bool,
}

/// Coverage of one datagram: merged byte ranges, the total length once the last fragment is
/// seen, the first fragment's transport header.
#[derive(Debug, Default)]
struct Pending {
    generation: u64,
    ranges: Vec<(u32, u32)>,
    total: Option<u32>,
    head: Option<Head>,
}

impl Pending {
    /// Adds `start..end`; false when the datagram has too many separate ranges.
    fn add(&mut self, start: u32, end: u32) -> bool {
        let (mut s, mut e) = (start, end);
        self.ranges.retain(|&(a, b)| {
            if a <= e && s <= b {
                s = s.min(a);
                e = e.max(b);
                false
            } else {
                true
            }
        });
        let at = self.ranges.partition_point(|&(a, _)| a < s);
        self.ranges.insert(at, (s, e));
        self.ranges.len() <= MAX_RANGES
    }

    fn complete(&self) -> bool {
        matches!(self.total, Some(t) if self.ranges.first() == Some(&(0, t)))
    }
}

/// Tracks which frame completes each fragmented datagram (coverage only, no bytes).
#[derive(Debug, Default)]
pub struct Fragments {
    pending: HashMap<FragKey, Pending>,
    /// Arrival order, oldest first; an entry whose generation is not its datagram's is stale.
    order: VecDeque<(FragKey, u64)>,
    generation: u64,
    /// Datagrams dropped by a bound before they completed.
    pub dropped: u64,
}

/// One fragment, as the locator found it.
struct FragPart {
    key: FragKey,
    offset: u32,
    len: u32,
    more: bool,
}

impl Fragments {
    /// Adds a fragment; returns the first fragment's header and the datagram's length when
    /// this fragment completes it.
    fn add(&mut self, part: FragPart, head: Option<Head>) -> Option<(Head, u32)> {
        if !self.pending.contains_key(&part.key) {
            while self.pending.len() >= MAX_PENDING {
                let Some((old, generation)) = self.order.pop_front() else {
                    break;
                };
                if self
                    .pending
                    .get(&old)
                    .is_some_and(|p| p.generation == generation)
                {
                    self.pending.remove(&old);
                    self.dropped += 1;
                }
            }
            self.generation += 1;
            self.order.push_back((part.key, self.generation));
            self.pending.insert(
                part.key,
                Pending {
                    generation: self.generation,
                    ..Pending::default()
                },
            );
            if self.order.len() > 2 * MAX_PENDING {
                let pending = &self.pending;
                self.order
                    .retain(|(k, g)| pending.get(k).is_some_and(|p| p.generation == *g));
            }
        }
        let entry = self.pending.entry(part.key).or_default();
        if head.is_some() {
            entry.head = head;
        }
        if !part.more {
            entry.total = Some(part.offset + part.len);
        }
        let end = part.offset.saturating_add(part.len);
        if !entry.add(part.offset, end) {
            self.pending.remove(&part.key);
            self.dropped += 1;
            return None;
        }
        if !entry.complete() {
            return None;
        }
        let done = self.pending.remove(&part.key)?;
        Some((done.head?, done.total?))
    }
}

/// The innermost IP header's transport, as found in one frame.
struct Inner<'d> {
    /// Index of the innermost IPv4/IPv6 layer.
    ip: usize,
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    /// Captured transport bytes.
    bytes: &'d [u8],
    /// Transport length the headers declare.
    declared: u32,
    /// Extension-header bytes after a fragment header in the innermost chain.
    skip: u32,
    /// Inside an ICMP error's quote.
    in_error: bool,
    /// The innermost chain is a later fragment (no transport header in it).
    later_fragment: bool,
}

/// The innermost IPv4/IPv6 header of the frame and what it carries.
fn inner<'d>(raw: &RawFrame<'d>, frame: &Frame) -> Option<Inner<'d>> {
    let layers = &frame.layers;
    let ip = layers
        .iter()
        .rposition(|l| matches!(l, Layer::Ipv4(_) | Layer::Ipv6(_)))?;
    let (src, dst, mut proto, mut declared, mut later_fragment) = match &layers[ip] {
        Layer::Ipv4(v4) => (
            v4.src.into(),
            v4.dst.into(),
            v4.proto,
            v4.payload_len,
            v4.frag_offset > 0,
        ),
        Layer::Ipv6(v6) => (
            v6.src.into(),
            v6.dst.into(),
            v6.next_header,
            v6.payload_len,
            false,
        ),
        _ => return None,
    };
    // IPv6 extension headers (and AH) up to the transport header.
    let mut last = ip;
    let mut skip = 0u32;
    let mut after_frag = false;
    for (j, layer) in layers.iter().enumerate().skip(ip + 1) {
        let (next, payload_len) = match layer {
            Layer::HopOpt(o) | Layer::Ipv6Opts(o) => (o.next_header, o.payload_len),
            Layer::Ipv6Route(r) => (r.next_header, r.payload_len),
            Layer::Ah(a) => (a.next_header, a.payload_len),
            Layer::Ipv6Frag(f) => {
                later_fragment |= f.frag_offset > 0;
                after_frag = true;
                (f.next_header, f.payload_len)
            }
            _ => break,
        };
        if after_frag && !matches!(layer, Layer::Ipv6Frag(_)) {
            skip += frame.spans.get(j).map_or(0, |s| s.header_end - s.start);
        }
        last = j;
        proto = next;
        declared = payload_len;
    }
    Some(Inner {
        ip,
        src,
        dst,
        proto,
        bytes: frame.payload(last, raw.data).unwrap_or_default(),
        declared,
        skip,
        in_error: layers[..ip]
            .iter()
            .any(|l| matches!(l, Layer::Icmp(_) | Layer::Icmpv6(_))),
        later_fragment,
    })
}

/// The outermost fragmented IP header before any ICMP quote: its layer index (whose payload
/// is the fragment) and the fragment.
fn fragment(frame: &Frame) -> Option<(usize, FragPart)> {
    let mut v6 = None;
    for (i, layer) in frame.layers.iter().enumerate() {
        // (src, dst, id, proto, offset, payload length, more fragments)
        let (src, dst, id, proto, offset, len, more) = match layer {
            Layer::Icmp(_) | Layer::Icmpv6(_) => return None,
            Layer::Ipv6(h) => {
                v6 = Some((IpAddr::from(h.src), IpAddr::from(h.dst)));
                continue;
            }
            Layer::Ipv4(v4) if v4.mf || v4.frag_offset > 0 => {
                let (src, dst) = (v4.src.into(), v4.dst.into());
                let id = u32::from(v4.id);
                (
                    src,
                    dst,
                    id,
                    v4.proto,
                    v4.frag_offset,
                    v4.payload_len,
                    v4.mf,
                )
            }
            Layer::Ipv6Frag(f) if f.mf || f.frag_offset > 0 => {
                let (src, dst) = v6?;
                (src, dst, f.id, 0, f.frag_offset, f.payload_len, f.mf)
            }
            _ => continue,
        };
        let key = FragKey {
            src,
            dst,
            id,
            proto,
        };
        let offset = u32::from(offset);
        return Some((
            i,
            FragPart {
                key,
                offset,
                len,
                more,
            },
        ));
    }
    None
}

/// Finds the frame's innermost TCP (or, with `udp`, UDP) header; feeds fragments to `frags`.
pub fn locate(raw: &RawFrame<'_>, frame: &Frame, udp: bool, frags: &mut Fragments) -> Option<Seen> {
    let inner = inner(raw, frame);
    let Some((at, part)) = fragment(frame) else {
        let i = inner?;
        if i.later_fragment {
            // A quoted later fragment has no transport header.
            return None;
        }
        return seen(i.proto, i.src, i.dst, i.bytes, i.declared, !i.in_error, udp);
    };
    let whole = frame
        .payload(at, raw.data)
        .is_some_and(|p| p.len() as u32 == part.len);
    if !whole {
        // Not reassembled (cut by the snap length): a first fragment is dissected as it is,
        // without sequence analysis; a later one carries no transport header.
        let i = inner.filter(|_| part.offset == 0)?;
        return seen(i.proto, i.src, i.dst, i.bytes, i.declared, false, udp);
    }
    let head = inner.filter(|_| part.offset == 0).map(|i| {
        let len = i.bytes.len().min(20);
        let mut bytes = [0; 20];
        bytes[..len].copy_from_slice(&i.bytes[..len]);
        Head {
            proto: i.proto,
            src: i.src,
            dst: i.dst,
            bytes,
            len,
            skip: i.skip,
            // The fragmented header is the innermost one: its length comes from the whole
            // datagram; else (a tunnel) from the inner header in the first fragment.
            declared: (at < i.ip).then_some(i.declared),
            analyze: !i.in_error,
        }
    });
    let (head, total) = frags.add(part, head)?;
    let declared = head
        .declared
        .unwrap_or_else(|| total.saturating_sub(head.skip));
    seen(
        head.proto,
        head.src,
        head.dst,
        &head.bytes[..head.len],
        declared,
        head.analyze,
        udp,
    )
}

/// Reads a TCP (≥ 16 bytes) or UDP (≥ 8 bytes) header from `bytes`.
fn seen(
    proto: u8,
    src: IpAddr,
    dst: IpAddr,
    bytes: &[u8],
    reported: u32,
    analyze: bool,
    udp: bool,
) -> Option<Seen> {
    let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
    let be32 = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let (transport, tcp, payload_len, analyze) = match proto {
        6 if bytes.len() >= 16 => {
            let hlen = u32::from(bytes[12] >> 4) * 4;
            let analyze = analyze && reported >= hlen;
            let tcp = TcpSeg {
                seq: be32(4),
                ack: be32(8),
                flags: be16(12) & 0x01ff,
                hlen,
            };
            let payload = if analyze { reported - hlen } else { 0 };
            (Transport::Tcp, Some(tcp), payload, analyze)
        }
        17 if udp && bytes.len() >= 8 => {
            let payload = u32::from(be16(4)).saturating_sub(8);
            (Transport::Udp, None, payload, analyze)
        }
        _ => return None,
    };
    let (sport, dport) = (be16(0), be16(2));
    Some(Seen {
        transport,
        src: Endpoint {
            addr: src,
            port: sport,
        },
        dst: Endpoint {
            addr: dst,
            port: dport,
        },
        tcp,
        payload_len,
        analyze,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_completes_in_any_order_and_with_overlaps() {
        let mut p = Pending::default();
        assert!(p.add(16, 24));
        assert!(p.add(0, 8));
        assert!(!p.complete());
        p.total = Some(24);
        assert!(p.add(4, 18));
        assert!(p.complete());
        assert_eq!(p.ranges, vec![(0, 24)]);
    }

    #[test]
    fn fragments_complete_once_and_are_bounded() {
        let key = FragKey {
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            id: 7,
            proto: 6,
        };
        let head = Head {
            proto: 6,
            src: key.src,
            dst: key.dst,
            bytes: [0; 20],
            len: 20,
            skip: 0,
            declared: None,
            analyze: true,
        };
        let mut f = Fragments::default();
        let part = |offset, len, more| FragPart {
            key,
            offset,
            len,
            more,
        };
        assert!(f.add(part(8, 8, false), None).is_none());
        let (_, len) = f.add(part(0, 8, true), Some(head)).unwrap();
        assert_eq!(len, 16);
        assert!(f.pending.is_empty());
        for id in 0..(MAX_PENDING as u32 + 1) {
            let mut p = part(8, 8, true);
            p.key.id = id + 100;
            assert!(f.add(p, None).is_none());
        }
        assert_eq!(f.dropped, 1);
        assert_eq!(f.pending.len(), MAX_PENDING);
    }
}
