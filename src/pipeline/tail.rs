//! [`Tail`]: everything after dissection, in capture order, on the thread that owns it.

use super::{ReadPosition, Record, Stage, SummaryStage};
use crate::capture::{RawFrame, StoppedEarly};
use crate::dump::Dumper;
use crate::model::{Frame, Summary};
use std::io;

/// What an engine drives with each dissected frame: the stages (the run's totals first, then
/// those the caller added), then the report (frame first, then what the stages emitted),
/// then the stored copy when the caller keeps frames.
pub struct Tail<'a> {
    summary: SummaryStage,
    stages: Vec<Box<dyn Stage>>,
    dumper: Option<&'a mut (dyn Dumper + 'a)>,
    stored: Option<Vec<Frame>>,
    records: Vec<Record>,
    position: ReadPosition,
}

impl<'a> Tail<'a> {
    /// A tail over `stages` into `dumper` (if any), keeping frames when `store` is set; the
    /// engine's reader side reports its byte position into `position`.
    pub fn new(
        stages: Vec<Box<dyn Stage>>,
        dumper: Option<&'a mut (dyn Dumper + 'a)>,
        store: bool,
        position: ReadPosition,
    ) -> Tail<'a> {
        Tail {
            summary: SummaryStage::default(),
            stages,
            dumper,
            stored: store.then(Vec::new),
            records: Vec::new(),
            position,
        }
    }

    /// Where the engine's reader records its byte position.
    pub fn position(&self) -> &ReadPosition {
        &self.position
    }

    /// Whether stages other than the totals run (they need frames in order with raw bytes).
    pub fn has_stages(&self) -> bool {
        !self.stages.is_empty()
    }

    /// Runs the stages over one frame; their records wait in [`Tail::take_records`].
    pub fn observe(&mut self, raw: &RawFrame<'_>, frame: &Frame) {
        self.summary.frame(raw, frame, &mut self.records);
        for stage in &mut self.stages {
            stage.frame(raw, frame, &mut self.records);
        }
    }

    /// The records the stages emitted since the last call.
    pub fn take_records(&mut self) -> std::vec::Drain<'_, Record> {
        self.records.drain(..)
    }

    /// Takes one frame in capture order: stages, then the report, then the stored copy.
    pub fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        self.observe(raw, frame);
        if let Some(dumper) = self.dumper.as_deref_mut() {
            dumper.frame(raw, frame)?;
            for record in &self.records {
                dumper.record(record)?;
            }
        }
        self.records.clear();
        if let Some(stored) = &mut self.stored {
            stored.push(frame.clone());
        }
        Ok(())
    }

    /// Ends the stages; their last records wait in [`Tail::take_records`].
    pub fn finish_stages(&mut self) {
        for stage in &mut self.stages {
            stage.finish(&mut self.records);
        }
    }

    /// The run's totals so far: the frame counts and every stage's counters.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        self.summary.summarize(&mut summary);
        for stage in &self.stages {
            stage.summarize(&mut summary);
        }
        summary
    }

    /// Ends the run: the stages' last records and the report's end (totals, and where the
    /// input stopped early); returns the totals and the stored frames. `record_size_hits` is
    /// how many records the reader refused for their size (`CaptureReader::limit_hits`).
    pub fn finish(
        mut self,
        stopped: Option<&StoppedEarly>,
        record_size_hits: u64,
    ) -> io::Result<(Summary, Vec<Frame>)> {
        self.finish_stages();
        let mut summary = self.summary();
        summary.limits.record_size += record_size_hits;
        if let Some(dumper) = self.dumper {
            for record in &self.records {
                dumper.record(record)?;
            }
            dumper.finish(&summary, stopped)?;
        }
        Ok((summary, self.stored.unwrap_or_default()))
    }
}
