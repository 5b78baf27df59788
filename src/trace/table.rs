//! The flow table: open flows by canonical key, numbered like Wireshark's `tcp.stream`, with
//! their ends (FIN+FIN or RST plus a grace period, idle timeout, port reuse, a bound) and the
//! recently ended flows a late packet may resume.

use super::key::{Endpoint, FlowKey, Transport};
use super::packet::Seen;
use crate::model::{LinkType, TcpFlags, Timestamp};
use foldhash::HashMap;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

/// Limits and timeouts of the flow table (times are capture time, in seconds); build from the
/// default with the setters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableLimits {
    /// A TCP flow with no frame for this long ends (`timeout`).
    pub tcp_idle: i64,
    /// A UDP conversation with no frame for this long ends (`timeout`).
    pub udp_idle: i64,
    /// A TCP flow that saw FIN both ways or a RST ends this long after its last frame.
    pub grace: i64,
    /// Open flows at most; beyond it the one closest to its timeout ends (`evicted`).
    pub max_flows: usize,
    /// Ended flows remembered so that a late packet resumes them (same id) rather than
    /// starting a new flow; the oldest is forgotten beyond it.
    pub max_ended: usize,
}

impl Default for TableLimits {
    fn default() -> Self {
        TableLimits {
            tcp_idle: 600,
            udp_idle: 60,
            grace: 10,
            max_flows: 100_000,
            max_ended: 65_536,
        }
    }
}

impl TableLimits {
    crate::setters::setters! {
        tcp_idle: i64,
        udp_idle: i64,
        grace: i64,
        max_flows: usize,
        max_ended: usize,
    }
}

/// How a flow ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowState {
    /// FIN seen in both directions (and no RST).
    Complete,
    /// A RST was seen.
    Reset,
    /// No frame for the idle timeout.
    Timeout,
    /// Still open when the capture ended.
    Open,
    /// A SYN with a new initial sequence number started another flow on the same 4-tuple.
    Reused,
    /// Ended early to keep the number of open flows within its bound.
    Evicted,
}

/// Frames and bytes in one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DirStats {
    /// Frames.
    pub frames: u64,
    /// Bytes on the wire (the frames' original lengths).
    pub bytes: u64,
    /// Transport payload bytes.
    pub payload: u64,
}

/// Per-direction TCP state, indexed like [`Flow::dirs`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TcpDir {
    base_seq: Option<u32>,
    fin: bool,
}

/// One flow (both directions), open or ended: also its report and index entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    /// Flow number: Wireshark's `tcp.stream` for TCP, its `udp.stream` for UDP.
    pub id: u64,
    /// TCP or UDP.
    pub transport: Transport,
    /// The endpoint that sent the first frame (the SYN's sender when the first is a SYN-ACK).
    pub a: Endpoint,
    /// The other endpoint.
    pub b: Endpoint,
    /// Number and time of the first frame.
    pub first: (u64, Option<Timestamp>),
    /// Number and time of the last frame.
    pub last: (u64, Option<Timestamp>),
    /// `[a → b, b → a]`.
    pub dirs: [DirStats; 2],
    /// How it ended (`Open` while open).
    pub state: FlowState,
    /// The flow's pcap file name (inside the trace folder).
    pub file: String,
    /// Alive as long as the flow is kept: the writer thread keeps its file's identity while
    /// it is (see [`super::writer`]).
    pub(super) file_token: Arc<()>,
    /// Link type of the flow's file (that of its first frame).
    pub(super) link_type: Option<LinkType>,
    tcp: [TcpDir; 2],
    rst: bool,
    /// Capture time of the last frame (seconds), for timeouts.
    last_secs: i64,
}

impl Flow {
    /// Whether the flow saw FIN both ways or a RST (it ends after the grace period).
    pub fn closing(&self) -> bool {
        self.rst || (self.tcp[0].fin && self.tcp[1].fin)
    }

    /// The state to report when the flow ends for `why` (closed flows say how they closed).
    fn end_state(&self, why: FlowState) -> FlowState {
        if self.rst {
            FlowState::Reset
        } else if self.tcp[0].fin && self.tcp[1].fin {
            FlowState::Complete
        } else {
            why
        }
    }
}

impl Serialize for Flow {
    /// `{"record": "flow", "id", "protocol", "a", "b", "first_frame", "first_time", "last_frame",
    /// "last_time", "a_to_b", "b_to_a", "state", "file"}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Flow", 13)?;
        st.serialize_field("record", "flow")?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("protocol", &self.transport)?;
        st.serialize_field("a", &self.a)?;
        st.serialize_field("b", &self.b)?;
        st.serialize_field("first_frame", &self.first.0)?;
        match self.first.1 {
            Some(t) => st.serialize_field("first_time", &t)?,
            None => st.skip_field("first_time")?,
        }
        st.serialize_field("last_frame", &self.last.0)?;
        match self.last.1 {
            Some(t) => st.serialize_field("last_time", &t)?,
            None => st.skip_field("last_time")?,
        }
        st.serialize_field("a_to_b", &self.dirs[0])?;
        st.serialize_field("b_to_a", &self.dirs[1])?;
        st.serialize_field("state", &self.state)?;
        st.serialize_field("file", &self.file)?;
        st.end()
    }
}

/// Where a frame went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The flow's transport and id.
    pub flow: (Transport, u64),
    /// The frame started the flow (its file is new).
    pub new: bool,
    /// The frame resumed an ended flow (its file is appended to).
    pub resumed: bool,
}

/// Counters the table keeps for the run's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableCounters {
    /// Flows evicted by `max_flows`.
    pub evicted: u64,
    /// Ended flows forgotten by `max_ended`.
    pub forgotten: u64,
    /// Ended flows a late frame resumed.
    pub resumed: u64,
}

/// Open flows by key, ended ones kept for resumption, and the timers that end them.
#[derive(Debug)]
pub struct FlowTable {
    limits: TableLimits,
    open: HashMap<FlowKey, Flow>,
    ended: HashMap<FlowKey, Flow>,
    /// Ended flows in end order, with their id (stale when the key now holds another).
    ended_order: VecDeque<(FlowKey, u64)>,
    /// One entry per open flow: (deadline, transport, id, key); checked lazily.
    timers: BinaryHeap<Reverse<(i64, Transport, u64, FlowKey)>>,
    next_id: [u64; 2],
    now: i64,
    /// Bound hits and resumptions.
    pub counters: TableCounters,
}

impl FlowTable {
    /// An empty table.
    pub fn new(limits: TableLimits) -> FlowTable {
        FlowTable {
            limits,
            open: HashMap::default(),
            ended: HashMap::default(),
            ended_order: VecDeque::new(),
            timers: BinaryHeap::new(),
            next_id: [0; 2],
            now: i64::MIN,
            counters: TableCounters::default(),
        }
    }

    /// Open flows now.
    pub fn open_flows(&self) -> usize {
        self.open.len()
    }

    /// Flows numbered so far, per transport (`[TCP, UDP]`).
    pub fn numbered(&self) -> [u64; 2] {
        self.next_id
    }

    /// The open flow `key`, if any.
    pub fn get_mut(&mut self, key: &FlowKey) -> Option<&mut Flow> {
        self.open.get_mut(key)
    }

    fn deadline(&self, flow: &Flow) -> i64 {
        let wait = if flow.closing() {
            self.limits.grace
        } else if flow.transport == Transport::Tcp {
            self.limits.tcp_idle
        } else {
            self.limits.udp_idle
        };
        flow.last_secs.saturating_add(wait)
    }

    /// Adds frame `number` (`len` bytes on the wire) to its flow. Flows it ends (timeouts up
    /// to its time, port reuse, the open-flow bound) are pushed to `ended`, in that order.
    pub fn observe(
        &mut self,
        seen: &Seen,
        number: u64,
        time: Option<Timestamp>,
        len: u32,
        name: impl FnOnce(Transport, u64, Endpoint, Endpoint) -> String,
        ended: &mut Vec<Flow>,
    ) -> Placed {
        let secs = time.map_or(self.now, |t| t.secs);
        self.now = self.now.max(secs);
        self.expire(ended);
        let (key, _) = FlowKey::new(seen.transport, seen.src, seen.dst);
        let mut resumed = false;
        // One lookup on the usual path: the frame's flow is open and goes on.
        let mut new = match self.open.get(&key).map(|f| reuses(f, seen)) {
            Some(false) => false,
            Some(true) => {
                if let Some(mut old) = self.open.remove(&key) {
                    old.state = old.end_state(FlowState::Reused);
                    ended.push(old);
                }
                true
            }
            None => true,
        };
        if new
            && let Some(flow) = self.ended.remove(&key)
            && !reuses(&flow, seen)
        {
            // A late frame: the ended flow goes on, under its id, into its file.
            self.timers
                .push(Reverse((i64::MIN, flow.transport, flow.id, key)));
            self.open.insert(key, flow);
            resumed = true;
            new = false;
        }
        if new {
            if self.open.len() >= self.limits.max_flows {
                self.evict_one(ended);
            }
            let t = seen.transport.index();
            let id = self.next_id[t];
            self.next_id[t] += 1;
            let synack = seen.tcp.is_some_and(|t| {
                t.flags & (TcpFlags::SYN | TcpFlags::ACK) == TcpFlags::SYN | TcpFlags::ACK
            });
            let (a, b) = if synack {
                (seen.dst, seen.src)
            } else {
                (seen.src, seen.dst)
            };
            let flow = Flow {
                id,
                transport: seen.transport,
                a,
                b,
                first: (number, time),
                last: (number, time),
                dirs: [DirStats::default(); 2],
                state: FlowState::Open,
                file: name(seen.transport, id, a, b),
                file_token: Arc::new(()),
                link_type: None,
                tcp: [TcpDir::default(); 2],
                rst: false,
                last_secs: secs,
            };
            let deadline = self.deadline(&flow);
            self.timers
                .push(Reverse((deadline, seen.transport, id, key)));
            self.open.insert(key, flow);
        }
        let Some(flow) = self.open.get_mut(&key) else {
            return Placed {
                flow: (seen.transport, u64::MAX),
                new,
                resumed,
            };
        };
        let dir = usize::from(flow.a != seen.src);
        flow.last = (number, time.or(flow.last.1));
        flow.last_secs = flow.last_secs.max(secs);
        flow.state = FlowState::Open;
        let stats = &mut flow.dirs[dir];
        stats.frames += 1;
        stats.bytes += u64::from(len);
        stats.payload += u64::from(seen.payload_len);
        if let (Some(t), true) = (seen.tcp, seen.analyze) {
            // Wireshark's base sequence numbers: the first segment of a direction sets its own
            // (the SYN's seq, else seq - 1); an ACK sets the other direction's (ack - 1).
            if flow.tcp[dir].base_seq.is_none() {
                flow.tcp[dir].base_seq = Some(if t.flags & TcpFlags::SYN != 0 {
                    t.seq
                } else {
                    t.seq.wrapping_sub(1)
                });
            }
            if flow.tcp[1 - dir].base_seq.is_none() && t.flags & TcpFlags::ACK != 0 {
                flow.tcp[1 - dir].base_seq = Some(t.ack.wrapping_sub(1));
            }
            let was_closing = flow.closing();
            flow.tcp[dir].fin |= t.flags & TcpFlags::FIN != 0;
            flow.rst |= t.flags & TcpFlags::RST != 0;
            if !was_closing && flow.closing() {
                // The deadline moves closer (grace instead of idle): the timer must know.
                let at = flow.last_secs.saturating_add(self.limits.grace);
                self.timers
                    .push(Reverse((at, flow.transport, flow.id, key)));
            }
        }
        if resumed {
            self.counters.resumed += 1;
        }
        Placed {
            flow: (seen.transport, flow.id),
            new,
            resumed,
        }
    }

    /// Ends the open flow closest to its deadline (the open-flow bound).
    fn evict_one(&mut self, ended: &mut Vec<Flow>) {
        while let Some(Reverse((_, _, id, key))) = self.timers.pop() {
            if self.open.get(&key).is_some_and(|f| f.id == id)
                && let Some(mut flow) = self.open.remove(&key)
            {
                flow.state = flow.end_state(FlowState::Evicted);
                self.counters.evicted += 1;
                ended.push(flow.clone());
                self.remember(key, flow);
                return;
            }
        }
    }

    /// Ends every open flow whose deadline (last frame + idle timeout, or + grace once closed)
    /// is before the latest capture time seen.
    fn expire(&mut self, ended: &mut Vec<Flow>) {
        while let Some(&Reverse((at, _, id, key))) = self.timers.peek() {
            if at >= self.now {
                break;
            }
            self.timers.pop();
            let Some(flow) = self.open.get(&key).filter(|f| f.id == id) else {
                continue;
            };
            let deadline = self.deadline(flow);
            if deadline >= self.now {
                self.timers
                    .push(Reverse((deadline, flow.transport, id, key)));
                continue;
            }
            if let Some(mut flow) = self.open.remove(&key) {
                flow.state = flow.end_state(FlowState::Timeout);
                ended.push(flow.clone());
                self.remember(key, flow);
            }
        }
    }

    /// Keeps an ended flow so a late frame on its key resumes it.
    pub fn remember(&mut self, key: FlowKey, flow: Flow) {
        if self.limits.max_ended == 0 || self.open.contains_key(&key) {
            return;
        }
        while self.ended.len() >= self.limits.max_ended {
            let Some((old, id)) = self.ended_order.pop_front() else {
                break;
            };
            if self.ended.get(&old).is_some_and(|f| f.id == id) {
                self.ended.remove(&old);
                self.counters.forgotten += 1;
            }
        }
        self.ended_order.push_back((key, flow.id));
        self.ended.insert(key, flow);
        if self.ended_order.len() > 2 * self.limits.max_ended.max(1) {
            let ended = &self.ended;
            self.ended_order
                .retain(|(k, id)| ended.get(k).is_some_and(|f| f.id == *id));
        }
    }

    /// Ends every open flow (state `open`, or how it closed), in id order.
    pub fn drain(&mut self, ended: &mut Vec<Flow>) {
        let mut all: Vec<Flow> = self.open.drain().map(|(_, f)| f).collect();
        all.sort_by_key(|f| (f.transport, f.id));
        for mut flow in all {
            flow.state = flow.end_state(FlowState::Open);
            ended.push(flow);
        }
        self.timers.clear();
    }
}

/// Wireshark's port-reuse rule: a SYN (without ACK) whose sequence number differs from the
/// base sequence number of its direction starts a new stream on the same 4-tuple.
fn reuses(flow: &Flow, seen: &Seen) -> bool {
    let dir = usize::from(flow.a != seen.src);
    match (seen.tcp, flow.tcp[dir].base_seq) {
        (Some(t), Some(base)) => {
            t.flags & (TcpFlags::SYN | TcpFlags::ACK) == TcpFlags::SYN && t.seq != base
        }
        _ => false,
    }
}
