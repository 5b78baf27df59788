//! The pipeline every engine shares: reader → engine (dissect) → stages → encoder → writer.
//!
//! What flows to the encoders is a [`Record`]: a frame, and (with their stages) a reassembled
//! datagram or message, or the end of a flow. A [`Stage`] is stateful: it sees every frame in
//! capture order, under every engine, and may emit records of its own.
//!
//! [`Tail`] is what an engine drives: everything after dissection (the QUIC connection
//! tracking, [`QuicTracker`], which may turn a frame's undecoded UDP payload into QUIC; the
//! stages, the run's totals, the report). [`SummaryStage`] and [`ProgressStage`] are stages like any other.

mod quic;
mod stages;
mod tail;

pub use quic::{MAX_CONNECTIONS, MAX_CONVERSATIONS, QuicTracker};
pub use stages::{ProgressStage, ReadPosition, SummaryStage};
pub(crate) use tail::{Front, Report};
pub use tail::{StageChain, Tail};

use crate::capture::RawFrame;
use crate::model::{Frame, Summary};
use serde::{Serialize, Serializer};

/// One item of a report, in the order the report lists them.
///
/// Every record but a frame serializes as an object whose first key is `"record"` (its
/// [`RecordKind::name`]): `ndjson` writes it as a line of its own, `json` and `plist` in the
/// section [`RecordKind::section`] after `frames`, `tree` as a block after the frame that
/// emitted it; `pcap` and `-F` write frames only.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A dissected capture frame.
    Frame(Frame),
    /// A reassembled IP datagram or TCP message (`--reassemble`).
    Reassembly(Box<crate::reassembly::Reassembled>),
    /// A flow that ended (`--trace`): serialized with `"record": "flow"` first.
    Flow(Box<crate::trace::Flow>),
    /// A record made up by a test stage, of any kind.
    #[cfg(test)]
    Test(RecordKind, serde_json::Value),
}

impl Record {
    /// What kind of record this is (see the table [`RecordKind::ALL`]).
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Frame(_) => RecordKind::Frame,
            Record::Reassembly(_) => RecordKind::Reassembly,
            Record::Flow(_) => RecordKind::Flow,
            #[cfg(test)]
            Record::Test(kind, _) => *kind,
        }
    }

    /// The frame, if this record is one.
    pub fn as_frame(&self) -> Option<&Frame> {
        match self {
            Record::Frame(frame) => Some(frame),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

impl Serialize for Record {
    /// Serializes the record itself (a frame as a frame, with no `record` key).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Record::Frame(frame) => frame.serialize(s),
            Record::Reassembly(r) => r.serialize(s),
            Record::Flow(flow) => flow.serialize(s),
            #[cfg(test)]
            Record::Test(_, value) => value.serialize(s),
        }
    }
}

/// The kinds of records, with their names in reports: the one table every format uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordKind {
    /// A capture frame (`frames` in `json`).
    Frame,
    /// A reassembled datagram, stream segment or message (`"record": "reassembly"`).
    Reassembly,
    /// A flow that ended (`"record": "flow"`).
    Flow,
}

impl RecordKind {
    /// Every kind, in the order of their sections in `json` and `plist` reports.
    pub const ALL: &'static [RecordKind] =
        &[RecordKind::Frame, RecordKind::Reassembly, RecordKind::Flow];

    /// `(kind, "record" value, json/plist section)`: the table behind the names.
    const NAMES: &'static [(RecordKind, &'static str, &'static str)] = &[
        (RecordKind::Frame, "frame", "frames"),
        (RecordKind::Reassembly, "reassembly", "reassembly"),
        (RecordKind::Flow, "flow", "flows"),
    ];

    /// Position in [`RecordKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The value of the record's `"record"` key (`frame` for frames, which carry no key).
    pub fn name(self) -> &'static str {
        RecordKind::NAMES[self.index()].1
    }

    /// The key of the section that lists records of this kind in `json` and `plist`.
    pub fn section(self) -> &'static str {
        RecordKind::NAMES[self.index()].2
    }
}

/// A stateful step over the frames of a capture, in capture order.
///
/// Records a stage emits while it sees frame N are reported right after frame N, in the order
/// emitted; those it emits in [`Stage::finish`] come after the last frame.
pub trait Stage: Send {
    /// Sees one frame: `raw` has its captured bytes (`frame.spans` index into `raw.data`).
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame, out: &mut Vec<Record>);

    /// The input has ended: emit whatever is still open.
    fn finish(&mut self, out: &mut Vec<Record>);

    /// Adds this stage's counters (bounds hit, records emitted, ...) to the run's totals.
    fn summarize(&self, _summary: &mut Summary) {}
}

#[cfg(test)]
mod tests;
