//! TCP stream reassembly: per connection, per direction, in-order byte streams.
//!
//! A [`HalfStream`] turns the segments of one direction into [`Event`]s: contiguous
//! [`Event::Data`] chunks in stream order (each with the frame it came from), [`Event::Gap`]s
//! for bytes that never arrived (never zero-filled), anomalies for retransmissions and
//! overlaps, and [`Event::Fin`] once the stream is delivered up to its FIN. Sequence numbers are
//! compared modulo 2^32 against the next expected byte, so a stream may wrap around; stream
//! offsets are 64-bit and start at 0 with the byte after the SYN (or the first byte seen when
//! the SYN was not captured).
//!
//! A [`Connection`] pairs two half streams; a [`TcpTable`] keeps connections by address and
//! port pair, numbers them in order of first appearance (a new SYN on a closed or different
//! connection starts a new one: port reuse), and bounds their count and buffered bytes.
//!
//! ```
//! use pcapkit::reassembly::tcp::{Event, HalfStream, Segment};
//!
//! let mut half = HalfStream::new(1 << 20);
//! let mut got = Vec::new();
//! let mut sink = |e: Event<'_>| {
//!     if let Event::Data { bytes, frame, .. } = e {
//!         got.push((bytes.to_vec(), frame));
//!     }
//! };
//! half.segment(&Segment { seq: 100, flags: Segment::SYN, payload: b"", len: 0, frame: 1 }, &mut sink);
//! half.segment(&Segment { seq: 104, flags: 0, payload: b"def", len: 3, frame: 3 }, &mut sink);
//! half.segment(&Segment { seq: 101, flags: 0, payload: b"abc", len: 3, frame: 2 }, &mut sink);
//! assert_eq!(got, [(b"abc".to_vec(), 2), (b"def".to_vec(), 3)]);
//! ```

use super::holes::Holes;
use super::record::{Anomaly, AnomalyKind};
use foldhash::HashMap;
use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

/// One TCP segment as a half stream needs it.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    /// Sequence number.
    pub seq: u32,
    /// Flag bits ([`Segment::SYN`], [`Segment::FIN`], [`Segment::RST`], ...).
    pub flags: u16,
    /// Captured payload.
    pub payload: &'a [u8],
    /// Payload length by the IP header: more than `payload.len()` when the snap length cut
    /// the segment (the uncaptured bytes are a gap).
    pub len: u32,
    /// The frame it came in.
    pub frame: u64,
}

impl Segment<'_> {
    /// FIN flag bit.
    pub const FIN: u16 = 0x001;
    /// SYN flag bit.
    pub const SYN: u16 = 0x002;
    /// RST flag bit.
    pub const RST: u16 = 0x004;
    /// ACK flag bit.
    pub const ACK: u16 = 0x010;

    fn has(&self, bit: u16) -> bool {
        self.flags & bit != 0
    }
}

/// What a half stream reports, in stream order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// Contiguous bytes at stream `offset`, from frame `frame`.
    Data {
        /// Stream offset of the first byte.
        offset: u64,
        /// The bytes.
        bytes: &'a [u8],
        /// The frame that carried them.
        frame: u64,
    },
    /// Bytes `[from, to)` never arrived; the stream continues at `to`.
    Gap {
        /// First missing offset.
        from: u64,
        /// Offset the stream resumes at.
        to: u64,
    },
    /// A retransmission, duplicate or overlap (see [`Anomaly::kind`]).
    Anomaly(Anomaly),
    /// The stream is delivered up to its FIN, at `offset`.
    Fin {
        /// Stream offset of the FIN.
        offset: u64,
        /// The frame that carried it.
        frame: u64,
    },
    /// The connection was reset (RST), or closed for another reason ([`Connection`] only).
    Closed(Close),
}

/// Why a connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Close {
    /// An RST in frame `frame`.
    Reset {
        /// The frame with the RST.
        frame: u64,
    },
    /// A new SYN reused the address and port pair.
    Reused,
    /// A bound (count or memory) was hit: the oldest connection was flushed.
    Evicted,
    /// The input ended.
    End,
}

/// One direction of a connection.
#[derive(Clone, Debug)]
pub struct HalfStream {
    started: bool,
    /// Sequence number of stream offset 0.
    base: u32,
    /// Next offset to deliver.
    next: u64,
    /// Missing ranges at or after `next` while out-of-order bytes are buffered; with none
    /// buffered, one open hole at `next` whatever it holds (see [`HalfStream::holes`]: in-order
    /// data, the common case, leaves it alone).
    holes: Holes,
    /// Out-of-order bytes by offset (disjoint).
    pending: BTreeMap<u64, (Vec<u8>, u64)>,
    pending_bytes: usize,
    /// The FIN's offset, once seen.
    fin: Option<(u64, u64)>,
    fin_done: bool,
    /// The highest offset the peer acknowledged.
    acked: Option<u64>,
    /// The most out-of-order bytes buffered.
    limit: usize,
}

impl HalfStream {
    /// A direction that buffers at most `limit` out-of-order bytes.
    pub fn new(limit: usize) -> HalfStream {
        HalfStream {
            started: false,
            base: 0,
            next: 0,
            holes: Holes::empty(),
            pending: BTreeMap::new(),
            pending_bytes: 0,
            fin: None,
            fin_done: false,
            acked: None,
            limit,
        }
    }

    /// The next stream offset to deliver (bytes delivered or skipped as gaps so far).
    pub fn delivered(&self) -> u64 {
        self.next
    }

    /// Out-of-order bytes buffered.
    pub fn buffered(&self) -> usize {
        self.pending_bytes
    }

    /// Whether the stream was delivered up to its FIN.
    pub fn finished(&self) -> bool {
        self.fin_done
    }

    /// The sequence number of stream offset 0, once the first segment was seen.
    pub fn base_seq(&self) -> Option<u32> {
        self.started.then_some(self.base)
    }

    /// The stream offset of `seq`, unwrapped around the next expected byte (None if before
    /// the stream's start).
    fn offset_of(&self, seq: u32) -> Option<u64> {
        let rel = seq.wrapping_sub(self.base).wrapping_sub(self.next as u32) as i32;
        let at = self.next as i64 + i64::from(rel);
        u64::try_from(at).ok()
    }

    /// The peer acknowledged up to `ack`: bytes before it that never arrived are a gap.
    pub fn peer_ack(&mut self, ack: u32, emit: &mut impl FnMut(Event<'_>)) {
        if !self.started {
            return;
        }
        let Some(at) = self.offset_of(ack) else {
            return;
        };
        // The ACK of a FIN counts one past the data.
        let at = match self.fin {
            Some((fin, _)) if at > fin => fin,
            _ => at,
        };
        if at <= self.next || self.acked.is_some_and(|a| a >= at) {
            return;
        }
        self.acked = Some(at);
        while let Some((&first, _)) = self.pending.first_key_value() {
            if first > at {
                break;
            }
            self.skip_to(first, emit);
        }
    }

    /// Takes one segment of this direction.
    pub fn segment(&mut self, seg: &Segment<'_>, emit: &mut impl FnMut(Event<'_>)) {
        let syn = seg.has(Segment::SYN);
        if !self.started {
            self.started = true;
            self.base = seg.seq.wrapping_add(u32::from(syn));
        }
        let Some(start) = self.offset_of(seg.seq.wrapping_add(u32::from(syn))) else {
            return;
        };
        let captured = seg.payload.len() as u64;
        let end = start + captured.max(u64::from(seg.len));
        if seg.has(Segment::FIN) && self.fin.is_none() {
            self.fin = Some((end, seg.frame));
        }
        if captured > 0 {
            self.data(start, seg.payload, seg.frame, emit);
        }
        // The snap length cut the segment: what follows its captured part is a known gap.
        if end > start + captured && self.next == start + captured {
            self.skip_to(end, emit);
        }
        self.check_fin(emit);
    }

    fn data(&mut self, start: u64, payload: &[u8], frame: u64, emit: &mut impl FnMut(Event<'_>)) {
        let end = start + payload.len() as u64;
        // Bytes the peer already acknowledged were missed by the capture: a gap now.
        if start > self.next && self.acked.is_some_and(|a| a >= start) {
            self.skip_to(start, emit);
        }
        // Too far ahead for the buffer: give up on what is missing before it.
        if end.saturating_sub(self.next) > self.limit as u64 {
            self.skip_all(emit);
            if start > self.next {
                self.skip_to(start, emit);
            }
        }
        let (mut start, mut payload) = (start, payload);
        if start < self.next {
            let old = end.min(self.next);
            emit(Event::Anomaly(Anomaly {
                kind: AnomalyKind::Retransmission,
                frame,
                range: Some([start, old]),
            }));
            if end <= self.next {
                return;
            }
            payload = payload
                .get((self.next - start) as usize..)
                .unwrap_or_default();
            start = self.next;
        }
        if start == self.next && self.pending.is_empty() {
            emit(Event::Data {
                offset: start,
                bytes: payload,
                frame,
            });
            self.next = end;
            return;
        }
        let mut new_pieces: Vec<(u64, u64)> = Vec::new();
        let mut old = 0u64;
        self.holes().fill(start, end, |from, to, new| {
            if new {
                new_pieces.push((from, to));
            } else {
                old += to - from;
            }
        });
        if old > 0 {
            let same = self.same_bytes(start, payload);
            let kind = if !same {
                AnomalyKind::OverlapConflict
            } else if new_pieces.is_empty() {
                AnomalyKind::Duplicate
            } else {
                AnomalyKind::Overlap
            };
            emit(Event::Anomaly(Anomaly {
                kind,
                frame,
                range: Some([start, end]),
            }));
        }
        for (from, to) in new_pieces {
            let bytes = payload
                .get((from - start) as usize..(to - start) as usize)
                .unwrap_or_default();
            self.pending_bytes += bytes.len();
            self.pending.insert(from, (bytes.to_vec(), frame));
        }
        self.drain(emit);
    }

    /// Whether the buffered bytes `payload` overlaps (from `start`) equal it.
    fn same_bytes(&self, start: u64, payload: &[u8]) -> bool {
        let end = start + payload.len() as u64;
        self.pending.range(..end).rev().all(|(&at, (bytes, _))| {
            let (lo, hi) = (start.max(at), end.min(at + bytes.len() as u64));
            if lo >= hi {
                return true;
            }
            bytes.get((lo - at) as usize..(hi - at) as usize)
                == payload.get((lo - start) as usize..(hi - start) as usize)
        })
    }

    /// Delivers the buffered pieces that are now contiguous.
    fn drain(&mut self, emit: &mut impl FnMut(Event<'_>)) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > self.next {
                break;
            }
            let (at, (bytes, frame)) = entry.remove_entry();
            self.pending_bytes -= bytes.len();
            // A piece that `next` went past (a gap was declared over it): only its bytes from
            // `next` on are new; one left behind would stop `skip_all` from ever ending.
            let end = at + bytes.len() as u64;
            if end <= self.next {
                continue;
            }
            let offset = self.next;
            self.next = end;
            emit(Event::Data {
                offset,
                bytes: &bytes[(offset - at) as usize..],
                frame,
            });
        }
    }

    /// The missing ranges at or after `next` (one open hole there when nothing is buffered).
    fn holes(&mut self) -> &mut Holes {
        if self.pending.is_empty() {
            self.holes.reset(self.next);
        }
        &mut self.holes
    }

    /// Gives up on the bytes missing before `to`: reports them as gaps, then delivers.
    fn skip_to(&mut self, to: u64, emit: &mut impl FnMut(Event<'_>)) {
        for [from, to] in self.holes().skip_to(to) {
            // The buffered pieces before this hole are delivered before it, in stream order.
            self.drain(emit);
            if from < to {
                emit(Event::Gap { from, to });
            }
            self.next = self.next.max(to);
        }
        self.drain(emit);
        self.next = self.next.max(to);
        self.drain(emit);
    }

    /// Delivers everything buffered, reporting what is missing between as gaps.
    pub fn skip_all(&mut self, emit: &mut impl FnMut(Event<'_>)) {
        while let Some((&first, _)) = self.pending.first_key_value() {
            self.skip_to(first, emit);
        }
    }

    /// Reports the FIN once everything before it is delivered.
    fn check_fin(&mut self, emit: &mut impl FnMut(Event<'_>)) {
        if let Some((fin, frame)) = self.fin
            && !self.fin_done
            && self.next >= fin
        {
            self.fin_done = true;
            emit(Event::Fin { offset: fin, frame });
        }
    }

    /// The input ended or the connection closed: delivers what is buffered (with gaps) and,
    /// if a FIN was seen past a gap, the gap up to it.
    pub fn flush(&mut self, emit: &mut impl FnMut(Event<'_>)) {
        self.skip_all(emit);
        if let Some((fin, _)) = self.fin
            && fin > self.next
        {
            self.skip_to(fin, emit);
        }
        self.check_fin(emit);
        self.pending = BTreeMap::new();
        self.pending_bytes = 0;
    }
}

/// An address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// IP address.
    pub addr: IpAddr,
    /// TCP port.
    pub port: u16,
}

/// Which direction: 0 is from the endpoint that sent the connection's first segment.
pub type Side = usize;

/// What identifies a connection, whatever the direction: both endpoints by value, the lower
/// first. An address is a `u128` (IPv4 as IPv4-mapped IPv6) and its family a bit beside the
/// port, so an IPv4 endpoint and the IPv4-mapped IPv6 one stay two endpoints. Compared and
/// hashed as integers (the table looks one up per segment; `IpAddr`'s enum compares branch
/// by branch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PairKey {
    addrs: [u128; 2],
    /// Port, and 1 << 16 for IPv6, of each endpoint.
    ports: [u32; 2],
}

impl std::hash::Hash for PairKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u128(self.addrs[0]);
        state.write_u128(self.addrs[1]);
        state.write_u64(u64::from(self.ports[0]) << 32 | u64::from(self.ports[1]));
    }
}

impl PairKey {
    /// The key of a segment from `a` to `b`, and whether `a` is the key's second endpoint
    /// (what tells the segment's direction: see [`Connection::side_in`]).
    fn of(a: Endpoint, b: Endpoint) -> (PairKey, bool) {
        let number = |end: Endpoint| match end.addr {
            IpAddr::V4(v4) => (u128::from(v4.to_ipv6_mapped()), u32::from(end.port)),
            IpAddr::V6(v6) => (u128::from(v6), u32::from(end.port) | 1 << 16),
        };
        let (a, b) = (number(a), number(b));
        let swapped = a > b;
        let (lo, hi) = if swapped { (b, a) } else { (a, b) };
        let key = PairKey {
            addrs: [lo.0, hi.0],
            ports: [lo.1, hi.1],
        };
        (key, swapped)
    }
}

/// What identifies a connection to the callers of a [`TcpTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnInfo {
    /// `ends[0]` sent the first segment seen (normally the client), `ends[1]` is its peer.
    pub ends: [Endpoint; 2],
    /// Connection index in order of first appearance.
    pub stream: u64,
}

/// Both directions of one TCP connection.
#[derive(Clone, Debug)]
pub struct Connection {
    /// Its endpoints and index.
    pub info: ConnInfo,
    halves: [HalfStream; 2],
    reset: bool,
    /// Whether `info.ends[0]` is its [`PairKey`]'s second endpoint.
    first_swapped: bool,
}

impl Connection {
    /// A connection whose first segment went from `src` to `dst`.
    pub fn new(src: Endpoint, dst: Endpoint, stream: u64, limit: usize) -> Connection {
        Connection {
            info: ConnInfo {
                ends: [src, dst],
                stream,
            },
            halves: [HalfStream::new(limit), HalfStream::new(limit)],
            reset: false,
            first_swapped: PairKey::of(src, dst).1,
        }
    }

    /// The direction a segment from `src` travels in.
    pub fn side_of(&self, src: Endpoint) -> Side {
        usize::from(src != self.info.ends[0])
    }

    /// The direction of a segment whose source is its key's second endpoint if `swapped`
    /// ([`PairKey::of`]): [`Connection::side_of`] without comparing addresses. Both ends
    /// the same endpoint: never swapped, side 0, as `side_of` says.
    fn side_in(&self, swapped: bool) -> Side {
        usize::from(swapped != self.first_swapped)
    }

    /// One direction.
    pub fn half(&self, side: Side) -> &HalfStream {
        &self.halves[side & 1]
    }

    /// Whether both directions are delivered up to their FIN, or an RST was seen.
    pub fn is_closed(&self) -> bool {
        self.reset || (self.halves[0].finished() && self.halves[1].finished())
    }

    /// Out-of-order bytes buffered in both directions.
    pub fn buffered(&self) -> usize {
        self.halves[0].buffered() + self.halves[1].buffered()
    }

    /// Takes a segment travelling in direction `side` (its ACK informs the other side).
    pub fn segment(
        &mut self,
        side: Side,
        seg: &Segment<'_>,
        ack: Option<u32>,
        emit: &mut impl FnMut(Side, Event<'_>),
    ) {
        let side = side & 1;
        let other = side ^ 1;
        if let Some(ack) = ack {
            self.halves[other].peer_ack(ack, &mut |e| emit(other, e));
        }
        self.halves[side].segment(seg, &mut |e| emit(side, e));
        if seg.has(Segment::RST) && !self.reset {
            self.close(Close::Reset { frame: seg.frame }, emit);
        }
    }

    /// Takes a segment travelling in direction `side` that brings no bytes and no SYN, FIN or RST, when that can
    /// report nothing: the other direction buffers nothing (its peer's ACK then declares no
    /// gap) and this one saw no FIN (none waits to be reported). Returns whether it did;
    /// otherwise the segment is for [`Connection::segment`]. Most segments are such ACKs,
    /// and the buffered bytes and the closed state stay as they were.
    fn bare_ack(&mut self, side: Side, seg: &Segment<'_>, ack: Option<u32>) -> bool {
        let bare = seg.payload.is_empty()
            && seg.len == 0
            && seg.flags & (Segment::SYN | Segment::FIN | Segment::RST) == 0;
        let other = side ^ 1;
        if !bare || !self.halves[other].pending.is_empty() || self.halves[side].fin.is_some() {
            return false;
        }
        if let Some(ack) = ack {
            self.halves[other].peer_ack(ack, &mut |_| {});
        }
        self.halves[side].segment(seg, &mut |_| {});
        true
    }

    /// Flushes both directions and reports `why` on each.
    pub fn close(&mut self, why: Close, emit: &mut impl FnMut(Side, Event<'_>)) {
        self.reset |= matches!(why, Close::Reset { .. });
        for side in 0..2 {
            self.halves[side].flush(&mut |e| emit(side, e));
            emit(side, Event::Closed(why));
        }
    }
}

/// Feeds a segment travelling in direction `side` to its connection; returns the
/// connection's buffered bytes before and after, and whether it is now closed.
fn feed<T>(
    entry: &mut (Connection, T),
    side: Side,
    seg: &Segment<'_>,
    ack: Option<u32>,
    emit: &mut impl FnMut(&mut T, &ConnInfo, Side, Event<'_>),
) -> ((usize, usize), bool) {
    let (conn, state) = entry;
    let before = conn.buffered();
    let info = conn.info;
    conn.segment(side, seg, ack, &mut |s, e| emit(state, &info, s, e));
    ((before, conn.buffered()), conn.is_closed())
}

/// Bounds of a [`TcpTable`] (build from the default with the setters:
/// `TableLimits::default().max_streams(2)`); the defaults are those of [`ReassemblyOptions`].
///
/// [`ReassemblyOptions`]: super::ReassemblyOptions
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableLimits {
    /// Open connections (default 16 384).
    pub max_streams: usize,
    /// Out-of-order bytes per direction (default 1 MiB).
    pub max_stream_buffer: usize,
    /// Out-of-order bytes over all connections (default 32 MiB).
    pub max_memory: usize,
}

impl Default for TableLimits {
    fn default() -> Self {
        let opts = super::ReassemblyOptions::default();
        TableLimits {
            max_streams: opts.max_streams,
            max_stream_buffer: opts.max_stream_buffer,
            max_memory: opts.max_stream_memory,
        }
    }
}

impl TableLimits {
    crate::setters::setters! {
        max_streams: usize,
        max_stream_buffer: usize,
        max_memory: usize,
    }
}

/// Counters of a [`TcpTable`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableCounters {
    /// Connections opened.
    pub streams: u64,
    /// Connections flushed early by a bound.
    pub evicted: u64,
    /// Connections replaced by a new SYN on the same address and port pair.
    pub reused: u64,
}

/// Connections by address and port pair, each with the caller's state `T`, within bounds.
#[derive(Debug)]
pub struct TcpTable<T> {
    /// Kept in the buckets, beside their keys: a segment's lookup then lands on its
    /// connection's lines (a box cost one more dependent miss per segment).
    map: HashMap<PairKey, (Connection, T)>,
    order: VecDeque<(PairKey, u64)>,
    /// Pairs whose connection closed (both FINs delivered, or an RST), most recent last: their
    /// late segments (the last ACK, a retransmitted FIN) open nothing; a new SYN does.
    closed: HashMap<PairKey, ()>,
    closed_order: VecDeque<PairKey>,
    next_stream: u64,
    memory: usize,
    limits: TableLimits,
    /// What the table did.
    pub counters: TableCounters,
}

impl<T: Default> TcpTable<T> {
    /// An empty table.
    pub fn new(limits: TableLimits) -> TcpTable<T> {
        TcpTable {
            map: HashMap::default(),
            order: VecDeque::new(),
            closed: HashMap::default(),
            closed_order: VecDeque::new(),
            next_stream: 0,
            memory: 0,
            limits,
            counters: TableCounters::default(),
        }
    }

    /// Open connections.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no connection is open.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Out-of-order bytes buffered over all connections.
    pub fn memory(&self) -> usize {
        self.memory
    }

    /// Takes a segment from `src` to `dst`; `emit` gets the connection's state, the
    /// connection, the direction and each event (a connection flushed to make room or replaced
    /// by a new SYN reports [`Event::Closed`] last).
    pub fn segment(
        &mut self,
        src: Endpoint,
        dst: Endpoint,
        seg: &Segment<'_>,
        ack: Option<u32>,
        emit: &mut impl FnMut(&mut T, &ConnInfo, Side, Event<'_>),
    ) {
        let (key, swapped) = PairKey::of(src, dst);
        let fresh_syn = seg.has(Segment::SYN) && !seg.has(Segment::ACK);
        // The common case, a segment of a known connection: one lookup.
        let fed = match self.map.get_mut(&key) {
            Some(entry) if !fresh_syn => {
                let side = entry.0.side_in(swapped);
                if entry.0.bare_ack(side, seg, ack) {
                    // Nothing buffered, delivered or closed: no bookkeeping either.
                    return;
                }
                Some(feed(entry, side, seg, ack, emit))
            }
            _ => None,
        };
        let (buffered, closed) = match fed {
            Some(fed) => fed,
            None => match self.open(key, src, dst, seg, fresh_syn, emit) {
                Some(entry) => {
                    let side = entry.0.side_in(swapped);
                    feed(entry, side, seg, ack, emit)
                }
                None => return,
            },
        };
        self.memory = (self.memory + buffered.1).saturating_sub(buffered.0);
        if closed {
            // Done: drop it now, so the table holds only live connections.
            self.memory = self.memory.saturating_sub(buffered.1);
            self.map.remove(&key);
            self.remember_closed(key);
        }
        while self.memory > self.limits.max_memory {
            if !self.evict_oldest(emit) {
                break;
            }
        }
        if self.order.len() > 2 * self.map.len() + 1024 {
            let map = &self.map;
            self.order
                .retain(|(k, s)| map.get(k).is_some_and(|e| e.0.info.stream == *s));
        }
    }

    /// Finds or opens the connection of a segment that is a fresh SYN or of an unknown pair:
    /// port reuse, the closed set and the count bound are handled here. `None`: ignore it.
    fn open(
        &mut self,
        key: PairKey,
        src: Endpoint,
        dst: Endpoint,
        seg: &Segment<'_>,
        fresh_syn: bool,
        emit: &mut impl FnMut(&mut T, &ConnInfo, Side, Event<'_>),
    ) -> Option<&mut (Connection, T)> {
        if fresh_syn && let Some(entry) = self.map.get(&key) {
            let conn = &entry.0;
            let side = conn.side_of(src);
            let same = conn.half(side).base_seq() == Some(seg.seq.wrapping_add(1));
            if !same && (conn.is_closed() || conn.half(side).base_seq().is_some()) {
                self.counters.reused += 1;
                self.remove(key, Close::Reused, emit);
            }
        }
        let known = self.map.contains_key(&key);
        if !known && self.closed.contains_key(&key) {
            if !fresh_syn {
                return None;
            }
            self.closed.remove(&key);
        }
        let max = self.limits.max_streams.max(1);
        if !known {
            while self.map.len() >= max {
                if !self.evict_oldest(emit) {
                    break;
                }
            }
        }
        let mut created = false;
        let (stream, limit) = (self.next_stream, self.limits.max_stream_buffer);
        let entry = self.map.entry(key).or_insert_with(|| {
            created = true;
            (Connection::new(src, dst, stream, limit), T::default())
        });
        if created {
            self.next_stream += 1;
            self.counters.streams += 1;
            self.order.push_back((key, stream));
        }
        Some(entry)
    }

    /// Records that `key`'s connection closed, forgetting the oldest such pair past the
    /// connection bound.
    fn remember_closed(&mut self, key: PairKey) {
        if self.closed.insert(key, ()).is_none() {
            self.closed_order.push_back(key);
        }
        while self.closed_order.len() > self.limits.max_streams.max(1) {
            if let Some(old) = self.closed_order.pop_front() {
                self.closed.remove(&old);
            }
        }
    }

    /// Closes every connection (the input ended), oldest first.
    pub fn finish(&mut self, emit: &mut impl FnMut(&mut T, &ConnInfo, Side, Event<'_>)) {
        while let Some((key, stream)) = self.order.pop_front() {
            if self
                .map
                .get(&key)
                .is_some_and(|e| e.0.info.stream == stream)
            {
                self.remove(key, Close::End, emit);
            }
        }
    }

    fn evict_oldest(&mut self, emit: &mut impl FnMut(&mut T, &ConnInfo, Side, Event<'_>)) -> bool {
        while let Some((key, stream)) = self.order.pop_front() {
            let Some(entry) = self.map.get(&key) else {
                continue;
            };
            if entry.0.info.stream != stream {
                continue;
            }
            // A closed connection is kept only to recognise its last segments: dropping it
            // is no loss, and not counted.
            let why = if entry.0.is_closed() {
                Close::End
            } else {
                self.counters.evicted += 1;
                Close::Evicted
            };
            self.remove(key, why, emit);
            return true;
        }
        false
    }

    fn remove(
        &mut self,
        key: PairKey,
        why: Close,
        emit: &mut impl FnMut(&mut T, &ConnInfo, Side, Event<'_>),
    ) {
        if let Some(entry) = self.map.remove(&key) {
            let (mut conn, mut state) = entry;
            self.memory = self.memory.saturating_sub(conn.buffered());
            let info = conn.info;
            conn.close(why, &mut |s, e| emit(&mut state, &info, s, e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds (seq, flags, payload) segments, frames 1, 2, ...; returns the events as text.
    fn run(start_limit: usize, segs: &[(u32, u16, &[u8])]) -> (Vec<u8>, Vec<String>) {
        let mut half = HalfStream::new(start_limit);
        let mut stream = Vec::new();
        let mut log = Vec::new();
        let mut at = 0u64;
        let mut sink = |e: Event<'_>| match e {
            Event::Data { bytes, offset, .. } => {
                assert_eq!(offset, at);
                at += bytes.len() as u64;
                stream.extend_from_slice(bytes);
            }
            Event::Gap { from, to } => {
                assert_eq!(from, at);
                at = to;
                log.push(format!("gap {from}-{to}"));
            }
            Event::Anomaly(a) => log.push(format!("{:?}", a.kind)),
            Event::Fin { offset, .. } => log.push(format!("fin {offset}")),
            Event::Closed(c) => log.push(format!("{c:?}")),
        };
        for (i, &(seq, flags, payload)) in segs.iter().enumerate() {
            let seg = Segment {
                seq,
                flags,
                payload,
                len: payload.len() as u32,
                frame: i as u64 + 1,
            };
            half.segment(&seg, &mut sink);
        }
        half.flush(&mut sink);
        (stream, log)
    }

    const SYN: u16 = Segment::SYN;
    const FIN: u16 = Segment::FIN;

    #[test]
    fn in_order_out_of_order_and_fin() {
        let (s, log) = run(
            1 << 20,
            &[
                (10, SYN, b""),
                (11, 0, b"hello "),
                (23, FIN, b"!"),
                (17, 0, b"world "),
            ],
        );
        assert_eq!(s, b"hello world !");
        assert_eq!(log, ["fin 13"]);
    }

    #[test]
    fn wraps_around_two_to_the_32() {
        let isn = u32::MAX - 3;
        let (s, log) = run(
            1 << 20,
            &[
                (isn, SYN, b""),
                (isn.wrapping_add(1), 0, b"abcd"),
                (isn.wrapping_add(9), 0, b"ijkl"),
                (isn.wrapping_add(5), 0, b"efgh"),
            ],
        );
        assert_eq!(s, b"abcdefghijkl");
        assert!(log.is_empty());
    }

    #[test]
    fn retransmission_and_overlaps() {
        let (s, log) = run(
            1 << 20,
            &[
                (1, 0, b"abcd"),
                (1, 0, b"abcd"),
                (9, 0, b"ijkl"),
                (9, 0, b"ijkl"),
                (7, 0, b"ghIJ"),
                (5, 0, b"efgh"),
            ],
        );
        assert_eq!(s, b"abcdefghijkl");
        assert_eq!(
            log,
            ["Retransmission", "Duplicate", "OverlapConflict", "Overlap"]
        );
    }

    #[test]
    fn gaps_are_reported_never_filled() {
        let (s, log) = run(1 << 20, &[(0, SYN, b""), (1, 0, b"ab"), (7, FIN, b"gh")]);
        assert_eq!(s, b"abgh");
        assert_eq!(log, ["gap 2-6", "fin 8"]);
    }

    #[test]
    fn zero_window_probe_then_the_real_segment() {
        let (s, log) = run(
            1 << 20,
            &[(0, SYN, b""), (1, 0, b"ab"), (3, 0, b"c"), (3, 0, b"cdef")],
        );
        assert_eq!(s, b"abcdef");
        assert_eq!(log, ["Retransmission"]);
    }

    #[test]
    fn any_shuffle_or_duplication_of_segments_gives_the_original_stream() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let len = 1 + (next() % 5000) as usize;
            let data: Vec<u8> = (0..len).map(|i| (i * 13 + round) as u8).collect();
            let isn = next() as u32;
            let mut segs: Vec<(u32, usize, usize)> = Vec::new();
            let mut at = 0;
            while at < len {
                let n = (1 + (next() % 700) as usize).min(len - at);
                segs.push((isn.wrapping_add(1 + at as u32), at, at + n));
                at += n;
            }
            for _ in 0..next() % 4 {
                let i = (next() % segs.len() as u64) as usize;
                segs.push(segs[i]);
            }
            for i in (1..segs.len()).rev() {
                let j = (next() % (i as u64 + 1)) as usize;
                segs.swap(i, j);
            }
            let mut input: Vec<(u32, u16, &[u8])> = vec![(isn, SYN, b"")];
            input.extend(segs.iter().map(|&(seq, a, b)| (seq, 0, &data[a..b])));
            let (stream, log) = run(1 << 20, &input);
            assert_eq!(stream, data, "round {round}");
            assert!(log.iter().all(|l| !l.starts_with("gap")), "round {round}");
        }
    }

    #[test]
    fn a_segment_cut_by_the_snap_length_leaves_a_gap() {
        let mut half = HalfStream::new(1 << 20);
        let mut log = Vec::new();
        let mut sink = |e: Event<'_>| log.push(format!("{e:?}"));
        let cut = Segment {
            seq: 0,
            flags: 0,
            payload: b"head",
            len: 10,
            frame: 1,
        };
        half.segment(&cut, &mut sink);
        let next = Segment {
            seq: 10,
            payload: b"tail",
            len: 4,
            frame: 2,
            ..cut
        };
        half.segment(&next, &mut sink);
        assert_eq!(half.delivered(), 14);
        assert!(log[1].starts_with("Gap { from: 4, to: 10 }"));
        assert!(log[2].contains("offset: 10"));
    }

    #[test]
    fn syn_with_data() {
        let (s, log) = run(1 << 20, &[(50, SYN, b"early"), (56, 0, b" bird")]);
        assert_eq!(s, b"early bird");
        assert!(log.is_empty());
    }

    #[test]
    fn first_segment_without_syn_sets_the_base() {
        let (s, _) = run(1 << 20, &[(7000, 0, b"mid"), (7003, 0, b"stream")]);
        assert_eq!(s, b"midstream");
    }

    #[test]
    fn a_segment_far_ahead_becomes_a_gap_not_a_huge_buffer() {
        let mut half = HalfStream::new(64);
        let mut gaps = Vec::new();
        let mut sink = |e: Event<'_>| {
            if let Event::Gap { from, to } = e {
                gaps.push((from, to));
            }
        };
        let seg = |seq, payload: &'static [u8], frame| Segment {
            seq,
            flags: 0,
            payload,
            len: payload.len() as u32,
            frame,
        };
        half.segment(&seg(0, b"a", 1), &mut sink);
        half.segment(&seg(10, b"b", 2), &mut sink);
        assert_eq!(half.buffered(), 1);
        half.segment(&seg(1_000_000, b"c", 3), &mut sink);
        assert_eq!(half.buffered(), 0);
        assert_eq!(gaps, [(1, 10), (11, 1_000_000)]);
        assert_eq!(half.delivered(), 1_000_001);
    }

    #[test]
    fn peer_ack_past_a_hole_declares_the_gap() {
        let mut half = HalfStream::new(1 << 20);
        let mut log = Vec::new();
        let mut sink = |e: Event<'_>| log.push(format!("{e:?}"));
        let seg = |seq, payload: &'static [u8], frame| Segment {
            seq,
            flags: 0,
            payload,
            len: payload.len() as u32,
            frame,
        };
        half.segment(&seg(100, b"ab", 1), &mut sink);
        half.segment(&seg(105, b"fg", 2), &mut sink);
        half.peer_ack(107, &mut sink);
        assert_eq!(half.delivered(), 7);
        assert!(log[1].starts_with("Gap { from: 2, to: 5 }"));
    }

    /// 10.0.0.1:1000 and 10.0.0.2:80.
    fn client_and_server() -> (Endpoint, Endpoint) {
        let end = |last, port| Endpoint {
            addr: IpAddr::from([10, 0, 0, last]),
            port,
        };
        (end(1, 1000), end(2, 80))
    }

    #[test]
    fn bare_acks_through_the_table_report_what_a_connection_reports() {
        let (a, b) = client_and_server();
        let seg = |seq, flags, payload: &'static [u8], frame| Segment {
            seq,
            flags,
            payload,
            len: payload.len() as u32,
            frame,
        };
        const A: u16 = Segment::ACK;
        // (from a, segment, ACK): bare ACKs before and after data, one past a hole (a gap),
        // one after a FIN whose bytes are missing (the FIN then reported), an RST last.
        let segs: [(bool, Segment<'static>, Option<u32>); 10] = [
            (true, seg(100, 0, b"", 1), None),
            (false, seg(500, A, b"", 2), Some(101)),
            (true, seg(101, A, b"ab", 3), Some(501)),
            (true, seg(105, A, b"fg", 4), Some(501)),
            (false, seg(501, A, b"", 5), Some(103)),
            (false, seg(501, A, b"", 6), Some(107)),
            (false, seg(501, A | Segment::FIN, b"", 7), Some(107)),
            (true, seg(110, A | Segment::FIN, b"", 8), Some(502)),
            (false, seg(502, A, b"", 9), Some(111)),
            (true, seg(111, Segment::RST, b"", 10), None),
        ];
        let mut by_table = Vec::new();
        let limits = TableLimits::default();
        let mut table: TcpTable<()> = TcpTable::new(limits);
        for (from_a, s, ack) in &segs {
            let (src, dst) = if *from_a { (a, b) } else { (b, a) };
            table.segment(src, dst, s, *ack, &mut |_, _, side, e| {
                by_table.push(format!("{side} {e:?}"));
            });
        }
        let mut by_conn = Vec::new();
        let mut conn = Connection::new(a, b, 0, limits.max_stream_buffer);
        for (from_a, s, ack) in &segs {
            let side = usize::from(!*from_a);
            conn.segment(side, s, *ack, &mut |side, e| {
                by_conn.push(format!("{side} {e:?}"));
            });
        }
        assert_eq!(by_table, by_conn);
        assert!(by_conn.iter().any(|e| e.starts_with("0 Gap")));
        assert!(by_conn.iter().any(|e| e.starts_with("0 Fin")));
        assert!(by_conn.iter().any(|e| e.starts_with("1 Fin")));
    }

    #[test]
    fn table_numbers_streams_and_reuses_ports() {
        let limits = TableLimits::default()
            .max_streams(2)
            .max_stream_buffer(1 << 20)
            .max_memory(1 << 20);
        let mut table: TcpTable<Vec<String>> = TcpTable::new(limits);
        let (a, b) = client_and_server();
        let closed = std::cell::RefCell::new(Vec::new());
        let mut emit = |_: &mut Vec<String>, c: &ConnInfo, side: Side, e: Event<'_>| {
            if let Event::Closed(why) = e {
                closed.borrow_mut().push((c.stream, side, why));
            }
        };
        let syn = |seq| Segment {
            seq,
            flags: Segment::SYN,
            payload: b"",
            len: 0,
            frame: 1,
        };
        table.segment(a, b, &syn(1), None, &mut emit);
        table.segment(b, a, &syn(9), Some(2), &mut emit);
        assert_eq!(table.len(), 1);
        // The same SYN again is a retransmission, a different one a new connection.
        table.segment(a, b, &syn(1), None, &mut emit);
        assert_eq!(table.counters.streams, 1);
        table.segment(a, b, &syn(500), None, &mut emit);
        assert_eq!(table.counters.streams, 2);
        assert_eq!(
            *closed.borrow(),
            [(0, 0, Close::Reused), (0, 1, Close::Reused)]
        );
        // A connection that closed leaves the table; its last ACK opens nothing.
        let seg = |seq, flags| Segment {
            seq,
            flags,
            payload: b"",
            len: 0,
            frame: 2,
        };
        assert_eq!(table.len(), 1);
        table.segment(
            a,
            b,
            &seg(501, Segment::FIN | Segment::ACK),
            Some(10),
            &mut emit,
        );
        table.segment(
            b,
            a,
            &seg(10, Segment::FIN | Segment::ACK),
            Some(502),
            &mut emit,
        );
        assert_eq!(table.len(), 0);
        table.segment(a, b, &seg(502, Segment::ACK), Some(11), &mut emit);
        assert_eq!(table.len(), 0);
        assert_eq!(table.counters.streams, 2);
        // A SYN flood: never more than max_streams open.
        for port in 0..100 {
            let c = Endpoint { port, ..a };
            table.segment(c, b, &syn(port.into()), None, &mut emit);
        }
        assert_eq!(table.len(), 2);
        assert_eq!(table.counters.evicted, 98);
    }
}
