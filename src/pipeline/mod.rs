//! The pipeline every engine shares: reader → engine (dissect) → stages → encoder → writer.
//!
//! What flows to the encoders is a [`Record`]: a frame, and (with their stages) a reassembled
//! datagram or message, or the end of a flow. A [`Stage`] is stateful: it sees every frame in
//! capture order, under every engine, and may emit records of its own.

use crate::capture::RawFrame;
use crate::model::{Frame, Summary};

/// One item of a report, in the order the report lists them.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A dissected capture frame.
    Frame(Frame),
    /// A flow that ended (`--trace`): serialized with `"record": "flow"` first.
    Flow(Box<crate::trace::Flow>),
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
