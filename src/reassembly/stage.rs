//! The reassembly stage: frames in, reassembled datagrams and messages out.

use super::ReassemblyOptions;
use super::defrag::Defragmenter;
use super::http::{Cuts, Cutter, Exchange, Origin};
use super::ip::{Counters, Done};
use super::record::{AnomalyKind, Key, Kind, Reassembled};
use super::tcp::{Close, ConnInfo, Endpoint, Event, Segment, Side, TableLimits, TcpTable};
use super::{ipv4, ipv6, spare};
use crate::capture::RawFrame;
use crate::engine::DissectOptions;
use crate::engine::native::{by_ip_proto, dissect_from_into};
use crate::model::{Frame, Http, Layer, ProtoId, Summary, Tcp, Timestamp};
use crate::pipeline::{Record, Stage};
use std::net::IpAddr;

/// What the stage keeps per TCP connection: a message cutter per direction.
#[derive(Debug, Default)]
struct ConnState {
    cutters: Option<[Cutter; 2]>,
    exchange: Exchange,
}

/// Counters beyond the tables' own.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    tcp_messages: u64,
    tcp_incomplete: u64,
    tcp_gaps: u64,
    tcp_retransmissions: u64,
    suppressed: u64,
}

/// Reassembles IPv4/IPv6 datagrams and TCP messages as a pipeline [`Stage`].
///
/// Each datagram or message becomes a [`Record::Reassembly`] right after the frame that
/// completed it (or, for what is still open, after the last frame).
#[derive(Debug)]
pub struct ReassemblyStage {
    opts: ReassemblyOptions,
    frags: Defragmenter,
    tcp: TcpTable<ConnState>,
    /// Capture time of the latest frame with one (whole seconds).
    now: i64,
    last_time: Option<Timestamp>,
    last_frame: u64,
    counts: Counts,
    /// Records of the messages that reassembled datagrams' segments cut: they follow the
    /// datagrams' own records.
    pending: Vec<Record>,
    /// What one stream event cuts (kept to reuse its allocations and buffers).
    cut: Cuts,
}

impl ReassemblyStage {
    /// A stage with `opts`.
    pub fn new(opts: ReassemblyOptions) -> ReassemblyStage {
        let tcp_limits = TableLimits::default()
            .max_streams(opts.max_streams)
            .max_stream_buffer(opts.max_stream_buffer)
            .max_memory(opts.max_stream_memory);
        ReassemblyStage {
            opts,
            frags: Defragmenter::new(&opts),
            tcp: TcpTable::new(tcp_limits),
            now: i64::MIN,
            last_time: None,
            last_frame: 0,
            counts: Counts::default(),
            pending: Vec::new(),
            cut: Cuts::default(),
        }
    }

    /// Bytes held by the open datagrams and the out-of-order TCP buffers.
    pub fn memory(&self) -> usize {
        self.frags.memory() + self.tcp.memory()
    }

    /// Open datagrams and connections.
    pub fn open(&self) -> (usize, usize, usize) {
        (self.frags.v4.len(), self.frags.v6.len(), self.tcp.len())
    }

    /// Turns finished datagrams into records (and feeds a reassembled TCP segment on).
    fn datagrams(&mut self, out: &mut Vec<Record>) {
        let mut v4 = std::mem::take(&mut self.frags.v4_done);
        for done in v4.drain(..) {
            let key = Key::Ip {
                src: IpAddr::V4(done.key.src),
                dst: IpAddr::V4(done.key.dst),
                protocol: done.protocol,
                id: u32::from(done.key.id),
            };
            self.datagram(Kind::Ipv4, key, done, out);
        }
        self.frags.v4_done = v4;
        let mut v6 = std::mem::take(&mut self.frags.v6_done);
        for done in v6.drain(..) {
            let key = Key::Ip {
                src: IpAddr::V6(done.key.src),
                dst: IpAddr::V6(done.key.dst),
                protocol: done.protocol,
                id: done.key.id,
            };
            self.datagram(Kind::Ipv6, key, done, out);
        }
        self.frags.v6_done = v6;
        out.append(&mut self.pending);
    }

    fn datagram<K>(&mut self, kind: Kind, key: Key, done: Done<K>, out: &mut Vec<Record>) {
        if self.opts.strict && !done.complete {
            // Not reported: not worth dissecting.
            self.counts.suppressed += 1;
            return;
        }
        let first = by_ip_proto(done.protocol).unwrap_or(ProtoId::Raw);
        let mut frame = spare::frame();
        dissect_from_into(first, &done.data, &DissectOptions::default(), &mut frame);
        frame.number = done.number;
        frame.timestamp = self.last_time;
        if done.complete
            && self.opts.kinds.tcp
            && let Key::Ip { src, dst, .. } = key
            && let Some(found) = scan(&frame, true).tcp
        {
            let mut pending = std::mem::take(&mut self.pending);
            self.segment_of(&frame, &done.data, found, Some((src, dst)), &mut pending);
            self.pending = pending;
        }
        self.report(
            Reassembled {
                kind,
                key,
                frames: done.frames,
                complete: done.complete,
                missing: done.missing,
                anomalies: done.anomalies,
                len: done.len,
                frame,
            },
            out,
        );
    }

    /// Emits a record unless strict mode hides it.
    fn report(&mut self, record: Reassembled, out: &mut Vec<Record>) {
        report(record, self.opts.strict, &mut self.counts, out);
    }

    /// Feeds the TCP segment [`scan`] found in `frame` (`data` its bytes; `outer` the
    /// addresses when the frame starts at TCP); the records of the messages it ends go to
    /// `out`.
    fn segment_of(
        &mut self,
        frame: &Frame,
        data: &[u8],
        found: Found<'_>,
        outer: Option<(IpAddr, IpAddr)>,
        out: &mut Vec<Record>,
    ) {
        let (ip, tcp, at) = found;
        let Some((src, dst)) = addresses(ip, outer) else {
            return;
        };
        let payload = frame.payload(at, data).unwrap_or_default();
        let seg = Segment {
            seq: tcp.seq,
            flags: tcp.flags.0,
            payload,
            len: tcp.payload_len,
            frame: frame.number,
        };
        let ack = (tcp.flags.0 & Segment::ACK != 0).then_some(tcp.ack);
        let src = Endpoint {
            addr: src,
            port: tcp.src_port,
        };
        let dst = Endpoint {
            addr: dst,
            port: tcp.dst_port,
        };
        let number = seg.frame;
        let parsed = http_at_payload(frame, at).map(|http| (payload, http));
        let at = Context {
            number,
            parsed,
            max_message: self.opts.max_message,
            strict: self.opts.strict,
            last_frame: self.last_frame,
            last_time: self.last_time,
        };
        let counts = &mut self.counts;
        let cut = &mut self.cut;
        self.tcp
            .segment(src, dst, &seg, ack, &mut |state, info, side, event| {
                on_event(state, info, side, event, at, counts, cut);
                if !cut.messages.is_empty() {
                    messages(info, at, counts, cut, out);
                }
            });
    }
}

/// Emits a record unless strict mode (`strict`) hides it.
fn report(record: Reassembled, strict: bool, counts: &mut Counts, out: &mut Vec<Record>) {
    if strict && !record.complete {
        counts.suppressed += 1;
        return;
    }
    out.push(Record::Reassembly(spare::boxed(record)));
}

/// Turns the messages cut from connection `info` into records.
fn messages(
    info: &ConnInfo,
    at: Context<'_>,
    counts: &mut Counts,
    cut: &mut Cuts,
    out: &mut Vec<Record>,
) {
    for msg in cut.messages.drain(..) {
        let side = msg.side & 1;
        let (from, to) = (info.ends[side], info.ends[side ^ 1]);
        let mut frame = msg.frame;
        frame.number = msg.frames.last().copied().unwrap_or(at.last_frame);
        frame.timestamp = at.last_time;
        counts.tcp_messages += 1;
        counts.tcp_incomplete += u64::from(!msg.complete);
        let record = Reassembled {
            kind: Kind::Tcp,
            key: Key::Tcp {
                src: from.addr,
                src_port: from.port,
                dst: to.addr,
                dst_port: to.port,
                stream: info.stream,
                offset: msg.offset,
            },
            frames: msg.frames,
            complete: msg.complete,
            missing: msg.missing,
            anomalies: msg.anomalies,
            len: msg.len,
            frame,
        };
        report(record, at.strict, counts, out);
    }
}

/// A frame's TCP segment: the IP layer it follows (`None` when the frame starts at TCP), its
/// layer, the layer's index.
type Found<'f> = (Option<&'f Layer>, &'f Tcp, usize);

/// What one pass over a frame's layers finds.
struct Scan<'f> {
    /// Whether a layer is an IP fragment, at any depth (tunnels and ICMP quotes included: the
    /// fragment tables take them all); without one they have nothing to do.
    fragment: bool,
    /// The innermost TCP segment, unless inside an IP fragment (everything there is partial,
    /// tunnelled layers included: the reassembled datagram brings the segment) or quoted by
    /// an ICMP error.
    tcp: Option<Found<'f>>,
}

/// Looks at `frame`'s layers once; `outer`: the frame starts at TCP, whose addresses the
/// caller has.
fn scan(frame: &Frame, outer: bool) -> Scan<'_> {
    let mut fragment = false;
    let mut quoted = false;
    let mut ip = None;
    let mut tcp = None;
    for (i, layer) in frame.layers.iter().enumerate() {
        match layer {
            Layer::Ipv4(v4) => {
                if !quoted {
                    ip = Some(layer);
                }
                fragment |= ipv4::is_fragment(v4);
            }
            Layer::Ipv6(_) if !quoted => ip = Some(layer),
            Layer::Ipv6Frag(f) => fragment |= ipv6::is_fragment(f),
            Layer::Icmp(_) | Layer::Icmpv6(_) => quoted = true,
            Layer::Tcp(segment) if !fragment && !quoted && (outer || ip.is_some()) => {
                tcp = Some((ip, segment, i));
            }
            _ => {}
        }
    }
    Scan { fragment, tcp }
}

/// The (source, destination) addresses of IP layer `ip`; `outer` without one.
fn addresses(ip: Option<&Layer>, outer: Option<(IpAddr, IpAddr)>) -> Option<(IpAddr, IpAddr)> {
    match ip {
        Some(Layer::Ipv4(ip)) => Some((IpAddr::V4(ip.src), IpAddr::V4(ip.dst))),
        Some(Layer::Ipv6(ip)) => Some((IpAddr::V6(ip.src), IpAddr::V6(ip.dst))),
        _ => outer,
    }
}

/// The HTTP layer right after the TCP layer `tcp` of `frame`, if it starts at the segment's
/// first payload byte.
fn http_at_payload(frame: &Frame, tcp: usize) -> Option<&Http> {
    let (Some(Layer::Http(http)), Some(seg), Some(app)) = (
        frame.layers.get(tcp + 1),
        frame.spans.get(tcp),
        frame.spans.get(tcp + 1),
    ) else {
        return None;
    };
    (app.start == seg.header_end).then_some(&**http)
}

/// What a stream event came with: the frame (`number`), that frame's segment payload with
/// its HTTP layer (if it has one there), the cutters' message bound; and what the records of
/// the messages take: strict mode, the latest frame and capture time.
#[derive(Clone, Copy)]
struct Context<'a> {
    number: u64,
    parsed: Option<(&'a [u8], &'a Http)>,
    max_message: usize,
    strict: bool,
    last_frame: u64,
    last_time: Option<Timestamp>,
}

/// Routes one stream event to the connection's cutters.
fn on_event(
    state: &mut ConnState,
    info: &ConnInfo,
    side: Side,
    event: Event<'_>,
    at: Context<'_>,
    counts: &mut Counts,
    out: &mut Cuts,
) {
    let side = side & 1;
    let other = side ^ 1;
    let max_message = at.max_message;
    let cutters = state
        .cutters
        .get_or_insert_with(|| [Cutter::new(0, max_message), Cutter::new(1, max_message)]);
    match event {
        Event::Data {
            offset,
            bytes,
            frame,
        } => {
            if state.exchange.last_side == Some(other) && cutters[other].is_opaque() {
                cutters[other].end(false, out);
            }
            state.exchange.last_side = Some(side);
            // The segment's own bytes from its first on (not a buffered piece, not a
            // retransmission's new tail): its dissection applies.
            let parsed = at
                .parsed
                .filter(|(payload, _)| std::ptr::eq(payload.as_ptr(), bytes.as_ptr()))
                .map(|(_, http)| http);
            let from = Origin {
                frame,
                ports: (info.ends[side].port, info.ends[other].port),
                parsed,
            };
            cutters[side].data(offset, bytes, from, &mut state.exchange, out);
        }
        Event::Gap { from, to } => {
            counts.tcp_gaps += 1;
            cutters[side].gap(from, to, out);
        }
        Event::Anomaly(anomaly) => {
            counts.tcp_retransmissions += u64::from(anomaly.kind == AnomalyKind::Retransmission);
            cutters[side].anomaly(anomaly);
        }
        Event::Fin { .. } => cutters[side].end(true, out),
        Event::Closed(why) => {
            if why == Close::Evicted {
                cutters[side].note(AnomalyKind::Evicted, at.number);
            }
            let closing = matches!(why, Close::Reset { .. } | Close::Reused);
            cutters[side].end(closing, out);
        }
    }
}

/// Summary counter names of the IPv4 fragment table.
const IPV4_COUNTERS: [&str; 6] = [
    "reassembly.ipv4.fragments",
    "reassembly.ipv4.datagrams",
    "reassembly.ipv4.incomplete",
    "reassembly.ipv4.timeouts",
    "reassembly.ipv4.evicted",
    "reassembly.ipv4.too_large",
];

/// Summary counter names of the IPv6 fragment table.
const IPV6_COUNTERS: [&str; 6] = [
    "reassembly.ipv6.fragments",
    "reassembly.ipv6.datagrams",
    "reassembly.ipv6.incomplete",
    "reassembly.ipv6.timeouts",
    "reassembly.ipv6.evicted",
    "reassembly.ipv6.too_large",
];

/// Adds a fragment table's counters under `names` (in [`Counters`] field order).
fn add_fragment_counters(summary: &mut Summary, names: &[&'static str; 6], c: Counters) {
    let values = [
        c.fragments,
        c.complete,
        c.incomplete,
        c.timeouts,
        c.evicted,
        c.too_large,
    ];
    for (name, value) in names.iter().zip(values) {
        summary.count_event(name, value);
    }
}

impl Stage for ReassemblyStage {
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame, out: &mut Vec<Record>) {
        if let Some(ts) = raw.timestamp {
            self.now = ts.secs;
            self.last_time = Some(ts);
        }
        self.last_frame = raw.number;
        let scan = scan(frame, false);
        if (self.opts.kinds.ipv4 || self.opts.kinds.ipv6) && scan.fragment {
            self.frags.feed(frame, raw.data, self.now);
            if self.frags.has_done() {
                self.datagrams(out);
            }
        }
        if self.opts.kinds.tcp
            && let Some(found) = scan.tcp
        {
            self.segment_of(frame, raw.data, found, None, out);
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>) {
        let last = self.last_frame;
        self.frags.flush_all(last);
        self.datagrams(out);
        let at = Context {
            number: last,
            parsed: None,
            max_message: self.opts.max_message,
            strict: self.opts.strict,
            last_frame: last,
            last_time: self.last_time,
        };
        let counts = &mut self.counts;
        let cut = &mut self.cut;
        self.tcp.finish(&mut |state, info, side, event| {
            on_event(state, info, side, event, at, counts, cut);
            messages(info, at, counts, cut, out);
        });
    }

    fn summarize(&self, summary: &mut Summary) {
        let kinds = self.opts.kinds;
        if kinds.ipv4 {
            add_fragment_counters(summary, &IPV4_COUNTERS, self.frags.v4.counters);
        }
        if kinds.ipv6 {
            add_fragment_counters(summary, &IPV6_COUNTERS, self.frags.v6.counters);
        }
        if kinds.tcp {
            let c = self.tcp.counters;
            summary.count_event("reassembly.tcp.streams", c.streams);
            summary.count_event("reassembly.tcp.evicted", c.evicted);
            summary.count_event("reassembly.tcp.reused", c.reused);
            summary.count_event("reassembly.tcp.messages", self.counts.tcp_messages);
            summary.count_event("reassembly.tcp.incomplete", self.counts.tcp_incomplete);
            summary.count_event("reassembly.tcp.gaps", self.counts.tcp_gaps);
            summary.count_event(
                "reassembly.tcp.retransmissions",
                self.counts.tcp_retransmissions,
            );
        }
        if self.opts.strict {
            summary.count_event("reassembly.strict.suppressed", self.counts.suppressed);
        }
    }
}
