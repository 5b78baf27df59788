//! QUIC connection tracking, as Wireshark's `packet-quic.c` (4.0) does it: what makes a UDP
//! payload QUIC when the packet alone cannot tell.
//!
//! A short-header (1-RTT) packet has no version and no connection-id length: it is QUIC only
//! because of the packets before it. Wireshark's heuristic takes a long header on any port
//! (version of draft 11 or later, ids of at most 20 bytes) and makes the UDP conversation
//! QUIC from then on; a client Initial creates a connection (the server is where it went, the
//! client's id its source id), the server's first Initial, Handshake or Retry gives the
//! server's id. Later packets of the conversation are QUIC whatever they hold; a short header
//! on another conversation is QUIC when its destination id is a known id (connection
//! migration). A short header's id is as long as the id its receiver chose.
//!
//! [`QuicTracker`] runs in capture order on the frames every engine hands to the pipeline
//! ([`super::StageChain::track`]), and turns the `UDP:Raw` end of such a frame into the QUIC
//! layers the native walker would have made had it known (a long header: [`quic::decode`] and
//! the decrypted client Initial; a short header: [`quic::decode_short`]). Payloads another
//! decoder claimed stay as they are. The state is bounded: at most [`MAX_CONVERSATIONS`] QUIC
//! conversations and [`MAX_CONNECTIONS`] connections, the oldest forgotten first.

use crate::capture::RawFrame;
use crate::engine::native::quic;
use crate::engine::{DissectOptions, Stop};
use crate::model::{Frame, FrameError, Layer, Level, ProtoId, Span};
use std::collections::{HashMap, VecDeque};

/// The most UDP conversations known to be QUIC; the oldest is forgotten past this.
pub const MAX_CONVERSATIONS: usize = 4096;

/// The most QUIC connections (each with up to three ids) tracked; the oldest is forgotten
/// past this.
pub const MAX_CONNECTIONS: usize = 4096;

/// The shortest short-header packet Wireshark looks up by its id alone (flags, a 1-byte id,
/// a 1-byte packet number, a 16-byte tag).
const MIN_MIGRATED_SHORT: usize = 1 + 1 + 1 + 16;

/// One end of a UDP conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Endpoint {
    v6: bool,
    addr: [u8; 16],
    port: u16,
}

/// A UDP conversation, its two ends in order (either direction is the same conversation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct ConvKey(Endpoint, Endpoint);

impl ConvKey {
    fn new(a: Endpoint, b: Endpoint) -> ConvKey {
        if a <= b { ConvKey(a, b) } else { ConvKey(b, a) }
    }
}

/// A connection: where its client's first Initial went, and the ids each side chose.
#[derive(Debug, Default)]
struct Connection {
    server: Option<Endpoint>,
    /// The client's id (its Initial's source id; may be empty).
    client_cid: Vec<u8>,
    /// The server's id (the source id of its first Initial, Handshake or Retry; empty until).
    server_cid: Vec<u8>,
    /// The destination id of the client's first Initial, until a Retry.
    initial_dcid: Option<Vec<u8>>,
}

/// The QUIC packet forms the lookups distinguish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Packet {
    Initial,
    ZeroRtt,
    Handshake,
    Retry,
    VersionNegotiation,
    Short,
}

/// The connection tracker (see the module's documentation).
#[derive(Debug)]
pub struct QuicTracker {
    opts: DissectOptions,
    /// Conversations the QUIC dissector is set on, with their connection if one was created.
    conversations: HashMap<ConvKey, Option<u64>>,
    conversation_order: VecDeque<ConvKey>,
    connections: HashMap<u64, Connection>,
    connection_order: VecDeque<u64>,
    next_id: u64,
    /// Ids clients chose (destination of server packets) → connection.
    client_cids: HashMap<Vec<u8>, u64>,
    /// Ids servers chose (destination of client packets) → connection.
    server_cids: HashMap<Vec<u8>, u64>,
    /// Destination ids of clients' first Initials → connection.
    initial_dcids: HashMap<Vec<u8>, u64>,
    /// Bit `n` set: an id of `n` bytes is known.
    cid_lengths: u32,
    /// Conversations and connections forgotten for the bounds.
    evicted: u64,
}

impl QuicTracker {
    /// A tracker for frames dissected with `opts`, or `None` when they stop before QUIC
    /// (`-P udp`, `-L` below the application layer): there is nothing to track then.
    pub fn new(opts: DissectOptions) -> Option<QuicTracker> {
        let stops_before = match opts.stop {
            Some(Stop::Protocol(ProtoId::Udp)) => true,
            Some(Stop::Level(level)) => level < Level::App,
            _ => false,
        };
        (!stops_before).then(|| QuicTracker {
            opts,
            conversations: HashMap::new(),
            conversation_order: VecDeque::new(),
            connections: HashMap::new(),
            connection_order: VecDeque::new(),
            next_id: 0,
            client_cids: HashMap::new(),
            server_cids: HashMap::new(),
            initial_dcids: HashMap::new(),
            cid_lengths: 0,
            evicted: 0,
        })
    }

    /// Conversations and connections forgotten so far to stay within the bounds.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Sees one frame in capture order; when the frame's UDP payload is QUIC by the state so
    /// far, replaces its `Raw` end with the QUIC layers and returns `true`.
    #[inline]
    pub fn track(&mut self, raw: &RawFrame<'_>, frame: &mut Frame) -> bool {
        QuicTracker::may_track(frame) && self.track_udp(raw, frame)
    }

    /// Whether [`QuicTracker::track`] may change or learn from `frame`: it ends with a UDP
    /// payload no decoder claimed, or with QUIC. Most frames do not: one test of the last
    /// layer or two.
    #[inline]
    pub fn may_track(frame: &Frame) -> bool {
        let layers = &frame.layers;
        match layers.last() {
            Some(Layer::Raw(_)) => matches!(layers.iter().nth_back(1), Some(Layer::Udp(_))),
            Some(Layer::Tls(_)) => matches!(layers.iter().nth_back(1), Some(Layer::Quic(_))),
            Some(Layer::Quic(_)) => true,
            _ => false,
        }
    }

    /// [`QuicTracker::track`] for a frame that may end with a UDP payload.
    #[inline(never)]
    fn track_udp(&mut self, raw: &RawFrame<'_>, frame: &mut Frame) -> bool {
        let Some((udp_at, decoded)) = udp_payload(frame) else {
            return false;
        };
        let Some(span) = frame.spans.get(udp_at + 1).copied() else {
            return false;
        };
        let payload = raw
            .data
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default();
        let Some(&first) = payload.first() else {
            return false;
        };
        // The common case, a capture with no QUIC: one test per UDP payload.
        if first & 0x80 == 0 && self.conversations.is_empty() && self.cid_lengths == 0 {
            return false;
        }
        let Some(conv) = conversation(frame, udp_at) else {
            return false;
        };
        let known = self.conversations.contains_key(&conv.key);
        if first & 0x80 != 0 {
            if !known && !quic::is_heuristic_long(payload) {
                return false;
            }
            self.set_quic(conv.key);
            self.long_header(&conv, payload);
            !decoded && self.replace_long(frame, span, payload)
        } else {
            if decoded {
                return false;
            }
            let mut dcid = payload.get(1..).unwrap_or_default();
            dcid = dcid.get(..quic::MAX_CID_LEN).unwrap_or(dcid);
            if !known {
                if self.cid_lengths == 0 || payload.len() < MIN_MIGRATED_SHORT {
                    return false;
                }
                dcid = dcid.get(..payload.len() - 2 - 16).unwrap_or(dcid);
            }
            let found = self.find(&conv, Packet::Short, dcid);
            if !known && found.is_none() {
                return false;
            }
            self.set_quic(conv.key);
            let dcid_len = found.map_or(0, |(id, from_server)| {
                self.connections.get(&id).map_or(0, |c| {
                    if from_server {
                        c.client_cid.len()
                    } else {
                        c.server_cid.len()
                    }
                })
            });
            let decoded = quic::decode_short(payload, dcid_len);
            self.replace(frame, span, decoded.layer, decoded.header_len, None)
        }
    }

    /// Updates the connections with a long header (`dissect_quic`: find, then create or
    /// update).
    fn long_header(&mut self, conv: &Conversation, payload: &[u8]) {
        let Ok(header) = quic::decode(payload) else {
            return;
        };
        let Layer::Quic(header) = header.layer else {
            return;
        };
        let packet = match (header.version, header.packet_type) {
            (0, _) => Packet::VersionNegotiation,
            (_, 0) => Packet::Initial,
            (_, 1) => Packet::ZeroRtt,
            (_, 2) => Packet::Handshake,
            _ => Packet::Retry,
        };
        let (dcid, scid) = (&header.dcid.0, &header.scid.0);
        match (packet, self.find(conv, packet, dcid)) {
            (Packet::Initial, None) => {
                let id = self.create(conv);
                self.update_initial(id, scid, dcid);
            }
            (Packet::Initial, Some((id, false))) => {
                let restart = !dcid.is_empty()
                    && self
                        .connections
                        .get(&id)
                        .is_some_and(|c| c.initial_dcid.is_none());
                if restart {
                    // The client's Initial after a Retry: its new ids; the server's next
                    // Initial gives the server's id again.
                    self.update_initial(id, scid, dcid);
                    if let Some(c) = self.connections.get_mut(&id) {
                        let old = std::mem::take(&mut c.server_cid);
                        remove_if(&mut self.server_cids, &old, id);
                    }
                }
            }
            (Packet::Initial | Packet::Handshake | Packet::Retry, Some((id, true))) => {
                let Some(c) = self.connections.get_mut(&id) else {
                    return;
                };
                if packet == Packet::Retry
                    && let Some(old) = c.initial_dcid.take()
                {
                    remove_if(&mut self.initial_dcids, &old, id);
                }
                if c.server_cid.is_empty() && !scid.is_empty() {
                    c.server_cid.clone_from(scid);
                    insert_cid(&mut self.server_cids, &mut self.cid_lengths, scid, id);
                }
            }
            _ => {}
        }
    }

    /// The connection of a packet and whether the server sent it (`quic_connection_find`);
    /// a short header's `dcid` holds the id and what follows it.
    fn find(&self, conv: &Conversation, packet: Packet, dcid: &[u8]) -> Option<(u64, bool)> {
        let mut found = if packet == Packet::ZeroRtt && !dcid.is_empty() {
            self.live(self.initial_dcids.get(dcid))
                .map(|id| (id, false))
        } else {
            let mut found = self.find_dcid(conv, Some(dcid));
            if packet == Packet::Initial && found.is_none() && !dcid.is_empty() {
                found = self
                    .live(self.initial_dcids.get(dcid))
                    .map(|id| (id, false));
            }
            if packet == Packet::Initial
                && !dcid.is_empty()
                && let Some((id, false)) = found
                && let Some(c) = self.connections.get(&id)
                && c.initial_dcid.as_deref() != Some(dcid)
                && !dcid.starts_with(&c.server_cid)
            {
                // A fresh client Initial (after Version Negotiation, say).
                found = None;
            }
            found
        };
        if packet == Packet::Short && found.is_none() {
            found = self.find_dcid(conv, None).filter(|&(id, from_server)| {
                self.connections.get(&id).is_some_and(|c| {
                    dcid.starts_with(if from_server {
                        &c.client_cid
                    } else {
                        &c.server_cid
                    })
                })
            });
            let mut len = dcid.len();
            while found.is_none() && len > 1 {
                len -= 1;
                if self.known_length(len) {
                    found = self.find_dcid(conv, dcid.get(..len));
                }
            }
        }
        found
    }

    /// The connection of a destination id (or, without one, of the conversation) and
    /// whether the server sent the packet (`quic_connection_find_dcid`).
    fn find_dcid(&self, conv: &Conversation, dcid: Option<&[u8]>) -> Option<(u64, bool)> {
        let (id, mut from_server, check_ports) = match dcid {
            Some(dcid) if !dcid.is_empty() => {
                if !self.known_length(dcid.len()) {
                    return None;
                }
                if let Some(id) = self.live(self.client_cids.get(dcid)) {
                    (id, true, self.server_cids.contains_key(dcid))
                } else {
                    (self.live(self.server_cids.get(dcid))?, false, false)
                }
            }
            _ => (
                self.live(self.conversations.get(&conv.key)?.as_ref())?,
                false,
                true,
            ),
        };
        if check_ports {
            from_server = self.connections.get(&id)?.server == Some(conv.src);
        }
        Some((id, from_server))
    }

    /// `id` if its connection is still tracked.
    fn live(&self, id: Option<&u64>) -> Option<u64> {
        id.copied().filter(|id| self.connections.contains_key(id))
    }

    fn known_length(&self, len: usize) -> bool {
        len < 32 && self.cid_lengths & (1 << len) != 0
    }

    /// Marks a conversation QUIC (Wireshark's `conversation_set_dissector`).
    fn set_quic(&mut self, key: ConvKey) {
        if self.conversations.contains_key(&key) {
            return;
        }
        if self.conversations.len() >= MAX_CONVERSATIONS
            && let Some(old) = self.conversation_order.pop_front()
        {
            self.conversations.remove(&old);
            self.evicted += 1;
        }
        self.conversations.insert(key, None);
        self.conversation_order.push_back(key);
    }

    /// A new connection for a client Initial on `conv`, its server where the Initial went.
    fn create(&mut self, conv: &Conversation) -> u64 {
        if self.connections.len() >= MAX_CONNECTIONS
            && let Some(old) = self.connection_order.pop_front()
            && let Some(c) = self.connections.remove(&old)
        {
            remove_if(&mut self.client_cids, &c.client_cid, old);
            remove_if(&mut self.server_cids, &c.server_cid, old);
            if let Some(dcid) = &c.initial_dcid {
                remove_if(&mut self.initial_dcids, dcid, old);
            }
            self.evicted += 1;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.connections.insert(
            id,
            Connection {
                server: Some(conv.dst),
                ..Connection::default()
            },
        );
        self.connection_order.push_back(id);
        self.set_quic(conv.key);
        if let Some(slot) = self.conversations.get_mut(&conv.key) {
            *slot = Some(id);
        }
        id
    }

    /// The ids of a client Initial (`quic_connection_update_initial`).
    fn update_initial(&mut self, id: u64, scid: &[u8], dcid: &[u8]) {
        let Some(c) = self.connections.get_mut(&id) else {
            return;
        };
        if !scid.is_empty() {
            c.client_cid = scid.to_vec();
            insert_cid(&mut self.client_cids, &mut self.cid_lengths, scid, id);
        }
        if !dcid.is_empty() {
            c.initial_dcid = Some(dcid.to_vec());
            self.initial_dcids.insert(dcid.to_vec(), id);
        }
    }

    /// Replaces the `Raw` end of a frame with a long header's layers, as the walker makes
    /// them; `false` (the frame unchanged) when the header does not decode.
    fn replace_long(&self, frame: &mut Frame, span: Span, payload: &[u8]) -> bool {
        let Ok(decoded) = quic::decode(payload) else {
            return false;
        };
        let header_end = decoded.header_len.min(payload.len());
        let end = decoded
            .header_len
            .saturating_add(decoded.payload_len)
            .min(payload.len())
            .max(header_end);
        let tls = match (&decoded.layer, self.opts.stop) {
            (_, Some(Stop::Protocol(ProtoId::Quic))) => None,
            (Layer::Quic(q), _) => quic::initial_handshake(q, payload),
            _ => None,
        };
        let mut span = span;
        span.end = span.start + end as u32;
        self.replace(frame, span, decoded.layer, header_end, tls)
    }

    /// Puts `layer` (with `header_len` header bytes) where the frame's last layer, its `Raw`
    /// payload at `span`, is; then `next` over the same bytes when the layer limit allows.
    /// At the limit the frame ends before QUIC with the nesting error, as the walker's.
    fn replace(
        &self,
        frame: &mut Frame,
        span: Span,
        layer: Layer,
        header_len: usize,
        next: Option<Layer>,
    ) -> bool {
        frame.layers.pop();
        frame.spans.pop();
        let counted = |frame: &Frame| {
            frame
                .protocols()
                .filter(|p| {
                    !matches!(
                        p,
                        ProtoId::HopOpt
                            | ProtoId::Ipv6Opts
                            | ProtoId::Ipv6Route
                            | ProtoId::Ipv6Frag
                    )
                })
                .count()
        };
        if counted(frame) >= self.opts.max_layers {
            frame.error = Some(FrameError::nesting_limit(
                ProtoId::Quic,
                span.start,
                self.opts.max_layers,
            ));
            return true;
        }
        let header_end = span.start + header_len as u32;
        frame.layers.push(layer);
        frame.spans.push(Span {
            start: span.start,
            header_end,
            end: span.end.max(header_end),
        });
        if let Some(next) = next
            && counted(frame) < self.opts.max_layers
        {
            let at = span.start + header_len as u32;
            frame.layers.push(next);
            frame.spans.push(Span {
                start: at,
                header_end: span.end.max(at),
                end: span.end.max(at),
            });
        }
        true
    }
}

/// The two ends of a frame's UDP conversation, and the conversation.
struct Conversation {
    src: Endpoint,
    dst: Endpoint,
    key: ConvKey,
}

/// Where a frame's last UDP layer is, if the frame ends with it and an undecoded payload
/// (`false`) or a QUIC long header the walker decoded (`true`, with its TLS layer or not);
/// never inside an ICMP error's quote, nor in a frame that stopped with an error.
fn udp_payload(frame: &Frame) -> Option<(usize, bool)> {
    if frame.error.is_some() {
        return None;
    }
    let layers = &frame.layers;
    let n = layers.len();
    let (udp_at, decoded) = match layers.get(n.checked_sub(2)?..)? {
        [Layer::Udp(_), Layer::Raw(_)] => (n - 2, false),
        [Layer::Udp(_), Layer::Quic(_)] => (n - 2, true),
        [Layer::Quic(_), Layer::Tls(_)]
            if matches!(layers.get(n.checked_sub(3)?), Some(Layer::Udp(_))) =>
        {
            (n - 3, true)
        }
        _ => return None,
    };
    let quoted = layers[..udp_at]
        .iter()
        .any(|l| matches!(l, Layer::Icmp(_) | Layer::Icmpv6(_)));
    (!quoted).then_some((udp_at, decoded))
}

/// The conversation of the UDP layer at `udp_at`: its ports and the addresses of the IP
/// header nearest before it.
fn conversation(frame: &Frame, udp_at: usize) -> Option<Conversation> {
    let Some(Layer::Udp(udp)) = frame.layers.get(udp_at) else {
        return None;
    };
    let (v6, src, dst) = frame.layers[..udp_at].iter().rev().find_map(|l| match l {
        Layer::Ipv4(ip) => Some((
            false,
            ip.src.to_ipv6_mapped().octets(),
            ip.dst.to_ipv6_mapped().octets(),
        )),
        Layer::Ipv6(ip) => Some((true, ip.src.octets(), ip.dst.octets())),
        _ => None,
    })?;
    let src = Endpoint {
        v6,
        addr: src,
        port: udp.src_port,
    };
    let dst = Endpoint {
        v6,
        addr: dst,
        port: udp.dst_port,
    };
    Some(Conversation {
        src,
        dst,
        key: ConvKey::new(src, dst),
    })
}

/// Maps `cid` to connection `id` (`quic_cids_insert`), noting its length.
fn insert_cid(map: &mut HashMap<Vec<u8>, u64>, lengths: &mut u32, cid: &[u8], id: u64) {
    map.insert(cid.to_vec(), id);
    *lengths |= 1 << cid.len().min(31);
}

/// Removes `cid` from `map` if it still maps to `id`.
fn remove_if(map: &mut HashMap<Vec<u8>, u64>, cid: &[u8], id: u64) {
    if map.get(cid) == Some(&id) {
        map.remove(cid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Dissector;
    use crate::engine::native::NativeDissector;
    use crate::model::{LinkType, Quic, QuicHeaderForm};
    use crate::synth;
    use std::net::Ipv4Addr;

    const CLIENT: (Ipv4Addr, u16) = (Ipv4Addr::new(10, 0, 0, 1), 50000);
    const SERVER: (Ipv4Addr, u16) = (Ipv4Addr::new(10, 0, 0, 2), 4433);
    const CLIENT_CID: [u8; 4] = [0xc1, 0xc2, 0xc3, 0xc4];
    const SERVER_CID: [u8; 5] = [0x51, 0x52, 0x53, 0x54, 0x55];

    /// A QUIC v1 long header of type `bits` (0 Initial, 2 Handshake) with 20 payload bytes.
    fn long(bits: u8, dcid: &[u8], scid: &[u8]) -> Vec<u8> {
        let mut p = vec![0xc0 | (bits << 4), 0, 0, 0, 1, dcid.len() as u8];
        p.extend_from_slice(dcid);
        p.push(scid.len() as u8);
        p.extend_from_slice(scid);
        if bits == 0 {
            p.push(0); // no token
        }
        p.push(20);
        p.extend([0x5a; 20]);
        p
    }

    /// A short header (spin bit `spin`) with `dcid` and 24 protected bytes.
    fn short(spin: bool, dcid: &[u8]) -> Vec<u8> {
        let mut p = vec![0x40 | (u8::from(spin) << 5)];
        p.extend_from_slice(dcid);
        p.extend([0xa5; 24]);
        p
    }

    /// Dissects `bytes` and runs the tracker over the frame.
    fn run(tracker: &mut QuicTracker, bytes: &[u8]) -> Frame {
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: bytes.len() as u32,
            link_type: LinkType::ETHERNET,
            interface: None,
            data: bytes,
        };
        let mut frame = NativeDissector.dissect(&raw, &DissectOptions::default());
        tracker.track(&raw, &mut frame);
        frame
    }

    fn quic(frame: &Frame) -> &Quic {
        match frame.layers.last() {
            Some(Layer::Quic(q)) => q,
            _ => panic!("not QUIC: {}", frame.protocol_chain()),
        }
    }

    fn tracker() -> QuicTracker {
        QuicTracker::new(DissectOptions::default()).unwrap()
    }

    /// A handshake on port 4433: client Initial, server Handshake.
    fn handshake(t: &mut QuicTracker) {
        let initial = run(
            t,
            &synth::ethernet_ipv4_udp(CLIENT, SERVER, &long(0, &[0xd0; 8], &CLIENT_CID)),
        );
        assert_eq!(quic(&initial).packet_type_name, "Initial");
        let handshake = run(
            t,
            &synth::ethernet_ipv4_udp(SERVER, CLIENT, &long(2, &CLIENT_CID, &SERVER_CID)),
        );
        assert_eq!(quic(&handshake).scid.0, SERVER_CID);
    }

    #[test]
    fn long_header_creates_and_short_headers_follow_the_conversation() {
        let mut t = tracker();
        handshake(&mut t);
        let to_server = run(
            &mut t,
            &synth::ethernet_ipv4_udp(CLIENT, SERVER, &short(true, &SERVER_CID)),
        );
        let q = quic(&to_server);
        assert_eq!(
            (
                q.header_form,
                q.spin_bit,
                &q.dcid.0[..],
                q.header_len,
                q.payload_len
            ),
            (QuicHeaderForm::Short, Some(true), &SERVER_CID[..], 6, 24)
        );
        assert_eq!(to_server.protocol_chain(), "Ethernet:IPv4:UDP:QUIC");
        assert_eq!(
            to_server.spans.last().unwrap().header_end - to_server.spans[3].start,
            6
        );
        let to_client = run(
            &mut t,
            &synth::ethernet_ipv4_udp(SERVER, CLIENT, &short(false, &CLIENT_CID)),
        );
        assert_eq!(quic(&to_client).dcid.0, CLIENT_CID);
        // On the conversation, any payload is QUIC; with a dcid the connection does not know
        // it has no connection, so no dcid (as in Wireshark).
        let odd = run(
            &mut t,
            &synth::ethernet_ipv4_udp(SERVER, CLIENT, &short(false, &[9; 4])),
        );
        assert_eq!((quic(&odd).dcid.0.len(), quic(&odd).header_len), (0, 1));
    }

    #[test]
    fn short_header_matched_by_dcid_after_migration() {
        let mut t = tracker();
        handshake(&mut t);
        let moved = (Ipv4Addr::new(10, 0, 0, 9), 50001);
        let migrated = run(
            &mut t,
            &synth::ethernet_ipv4_udp(moved, SERVER, &short(false, &SERVER_CID)),
        );
        assert_eq!(quic(&migrated).dcid.0, SERVER_CID);
        // The new conversation is QUIC from then on.
        let next = run(
            &mut t,
            &synth::ethernet_ipv4_udp(SERVER, moved, &short(false, &[1; 8])),
        );
        assert_eq!(quic(&next).header_form, QuicHeaderForm::Short);
        // An unknown id on another conversation is not QUIC.
        let other = (Ipv4Addr::new(10, 0, 0, 7), 50002);
        let stranger = run(
            &mut t,
            &synth::ethernet_ipv4_udp(other, SERVER, &short(false, &[7; 5])),
        );
        assert_eq!(stranger.protocol_chain(), "Ethernet:IPv4:UDP:Raw");
        // Too short to be looked up by its id.
        let tiny = run(
            &mut t,
            &synth::ethernet_ipv4_udp(other, SERVER, &[0x40, 0x51, 0x52, 0x53, 0x54, 0x55]),
        );
        assert_eq!(tiny.protocol_chain(), "Ethernet:IPv4:UDP:Raw");
    }

    #[test]
    fn a_udp_flow_with_no_long_header_stays_raw() {
        let mut t = tracker();
        for dcid in [&SERVER_CID[..], &CLIENT_CID, &[0; 8]] {
            let frame = run(
                &mut t,
                &synth::ethernet_ipv4_udp(CLIENT, SERVER, &short(true, dcid)),
            );
            assert_eq!(frame.protocol_chain(), "Ethernet:IPv4:UDP:Raw");
        }
        // A long-form first byte with no QUIC version is not QUIC either.
        let mut fake = long(2, &CLIENT_CID, &SERVER_CID);
        fake[1..5].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
        let frame = run(&mut t, &synth::ethernet_ipv4_udp(CLIENT, SERVER, &fake));
        assert_eq!(frame.protocol_chain(), "Ethernet:IPv4:UDP:Raw");
        assert!(t.conversations.is_empty() && t.connections.is_empty());
    }

    #[test]
    fn the_oldest_conversation_is_forgotten_past_the_bound() {
        let mut t = tracker();
        let peer = |i: usize| (Ipv4Addr::new(10, 1, (i >> 8) as u8, i as u8), 40000);
        for i in 0..=MAX_CONVERSATIONS {
            run(
                &mut t,
                &synth::ethernet_ipv4_udp(peer(i), SERVER, &long(2, &[1; 8], &[2; 8])),
            );
        }
        assert_eq!(t.conversations.len(), MAX_CONVERSATIONS);
        assert_eq!(t.evicted(), 1);
        let first = run(
            &mut t,
            &synth::ethernet_ipv4_udp(peer(0), SERVER, &short(false, &[3; 8])),
        );
        assert_eq!(first.protocol_chain(), "Ethernet:IPv4:UDP:Raw");
        let last = run(
            &mut t,
            &synth::ethernet_ipv4_udp(peer(MAX_CONVERSATIONS), SERVER, &short(false, &[3; 8])),
        );
        assert_eq!(quic(&last).dcid.0, [] as [u8; 0]);
    }

    #[test]
    fn the_oldest_connection_and_its_ids_are_forgotten_past_the_bound() {
        let mut t = tracker();
        for i in 0..=MAX_CONNECTIONS {
            let client = (Ipv4Addr::new(10, 2, (i >> 8) as u8, i as u8), 40000);
            let scid = (i as u32).to_be_bytes();
            run(
                &mut t,
                &synth::ethernet_ipv4_udp(
                    client,
                    SERVER,
                    &long(0, &[&scid[..], &scid].concat(), &scid),
                ),
            );
        }
        assert_eq!(t.connections.len(), MAX_CONNECTIONS);
        assert!(!t.client_cids.contains_key(&0u32.to_be_bytes()[..]));
        assert!(t.client_cids.contains_key(&1u32.to_be_bytes()[..]));
    }

    #[test]
    fn stop_points_and_the_layer_limit_are_kept() {
        assert!(
            QuicTracker::new(DissectOptions::default().stop(Some(Stop::Protocol(ProtoId::Udp))))
                .is_none()
        );
        assert!(
            QuicTracker::new(DissectOptions::default().stop(Some(Stop::Level(Level::Trans))))
                .is_none()
        );
        assert!(
            QuicTracker::new(DissectOptions::default().stop(Some(Stop::Level(Level::App))))
                .is_some()
        );
        let mut t = QuicTracker::new(DissectOptions::default().max_layers(3)).unwrap();
        let frame = run(
            &mut t,
            &synth::ethernet_ipv4_udp(CLIENT, SERVER, &long(0, &[0xd0; 8], &CLIENT_CID)),
        );
        assert_eq!(frame.protocol_chain(), "Ethernet:IPv4:UDP");
        assert!(frame.error.as_ref().unwrap().is_nesting_limit());
    }

    #[test]
    fn no_panic_on_random_payloads() {
        let mut t = tracker();
        handshake(&mut t);
        let mut seed = 0x5eed_0000_0443_0001u64;
        for _ in 0..400 {
            let bytes = crate::engine::native::test_random_bytes(&mut seed, 48);
            for len in 0..bytes.len() {
                for (from, to) in [(CLIENT, SERVER), (SERVER, CLIENT)] {
                    let frame = run(&mut t, &synth::ethernet_ipv4_udp(from, to, &bytes[..len]));
                    assert!(frame.layers.len() == frame.spans.len());
                }
            }
        }
    }
}
