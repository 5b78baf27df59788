//! [`Tail`]: everything after dissection, in capture order, on the thread that owns it; and
//! [`StageChain`], its part without the report (what the pull iterators drive, `Send`).

use super::{ReadPosition, Record, Stage, SummaryStage};
use crate::capture::{RawFrame, StoppedEarly};
use crate::dump::{Dumper, FrameEncoder};
use crate::engine::batch::Batch;
use crate::model::{Frame, Summary};
use std::io;

/// The stages of a run in order (the run's totals first, then those the caller added), with
/// the records they emitted and not yet taken.
pub struct StageChain {
    summary: SummaryStage,
    stages: Vec<Box<dyn Stage>>,
    records: Vec<Record>,
    position: ReadPosition,
}

impl StageChain {
    /// The totals stage, then `stages`; the engine's reader side reports its byte position
    /// into `position`.
    pub fn new(stages: Vec<Box<dyn Stage>>, position: ReadPosition) -> StageChain {
        StageChain {
            summary: SummaryStage::default(),
            stages,
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

    /// Runs the stages over one frame; their records wait in [`StageChain::take_records`].
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

    /// Ends the stages; their last records wait in [`StageChain::take_records`].
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
}

/// What an engine drives with each dissected frame: the stages (see [`StageChain`]), then
/// the report (frame first, then what the stages emitted), then the stored copy when the
/// caller keeps frames.
pub struct Tail<'a> {
    chain: StageChain,
    dumper: Option<&'a mut (dyn Dumper + 'a)>,
    stored: Option<Vec<Frame>>,
    /// See [`Tail::needs_frames`] (fixed when the tail is made).
    needs_frames: bool,
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
        let needs_frames = !stages.is_empty()
            || store
            || dumper
                .as_deref()
                .is_some_and(|dumper| dumper.frame_encoder().is_none());
        Tail {
            chain: StageChain::new(stages, position),
            dumper,
            stored: store.then(Vec::new),
            needs_frames,
        }
    }

    /// Where the engine's reader records its byte position.
    pub fn position(&self) -> &ReadPosition {
        self.chain.position()
    }

    /// Whether stages other than the totals run (they need frames in order with raw bytes).
    pub fn has_stages(&self) -> bool {
        self.chain.has_stages()
    }

    /// Takes one frame in capture order: stages, then the report, then the stored copy.
    pub fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        self.chain.observe(raw, frame);
        if let Some(dumper) = self.dumper.as_deref_mut() {
            dumper.frame(raw, frame)?;
            for record in &self.chain.records {
                dumper.record(record)?;
            }
        }
        self.chain.records.clear();
        if let Some(stored) = &mut self.stored {
            stored.push(frame.clone());
        }
        Ok(())
    }

    /// A copy of the report's frame encoder for a worker, when frames may be encoded apart
    /// from the report's writer (see [`Dumper::frame_encoder`]).
    pub fn frame_encoder(&self) -> Option<Box<dyn FrameEncoder>> {
        self.dumper.as_deref().and_then(Dumper::frame_encoder)
    }

    /// Whether the dissected frames must reach the tail one by one in capture order (there
    /// are stages, frames are stored, or the report encodes its frames itself); otherwise a
    /// parallel engine hands over totals and encoded bytes only.
    pub fn needs_frames(&self) -> bool {
        self.needs_frames
    }

    /// Takes one batch of a parallel engine, in capture order: its frames (when
    /// [`needs_frames`](Self::needs_frames)) or its totals, and its encoded bytes (when
    /// [`frame_encoder`](Self::frame_encoder) gave the workers an encoder); then the error
    /// that stopped the batch's encoding, if any.
    pub(crate) fn batch(&mut self, batch: &mut Batch) -> io::Result<()> {
        let encoded = !batch.ends.is_empty();
        if !self.needs_frames {
            self.chain.summary.0.merge(&batch.summary);
            if let (Some(dumper), true) = (self.dumper.as_deref_mut(), encoded) {
                dumper.write_encoded(&batch.out, batch.ends.len() as u64)?;
            }
        } else if let (Some(dumper), true) = (self.dumper.as_deref_mut(), encoded) {
            // Encoded frames are written in runs, split where a stage emitted records.
            let mut unwritten = 0;
            let mut pending = 0;
            for ((raw, frame), &end) in batch.raw.frames().zip(&batch.frames).zip(&batch.ends) {
                self.chain.observe(&raw, frame);
                pending += 1;
                if !self.chain.records.is_empty() {
                    dumper.write_encoded(&batch.out[unwritten..end], pending)?;
                    (unwritten, pending) = (end, 0);
                    for record in self.chain.take_records() {
                        dumper.record(&record)?;
                    }
                }
                if let Some(stored) = &mut self.stored {
                    stored.push(frame.clone());
                }
            }
            dumper.write_encoded(&batch.out[unwritten..], pending)?;
        } else {
            for (raw, frame) in batch.raw.frames().zip(&batch.frames) {
                self.frame(&raw, frame)?;
            }
        }
        batch.error.take().map_or(Ok(()), Err)
    }

    /// The run's totals so far: the frame counts and every stage's counters.
    pub fn summary(&self) -> Summary {
        self.chain.summary()
    }

    /// Ends the run: the stages' last records and the report's end (totals, and where the
    /// input stopped early); returns the totals and the stored frames. `record_size_hits` is
    /// how many records the reader refused for their size (`CaptureReader::limit_hits`).
    pub fn finish(
        mut self,
        stopped: Option<&StoppedEarly>,
        record_size_hits: u64,
    ) -> io::Result<(Summary, Vec<Frame>)> {
        self.chain.finish_stages();
        let mut summary = self.chain.summary();
        summary.limits.record_size += record_size_hits;
        if let Some(dumper) = self.dumper {
            for record in &self.chain.records {
                dumper.record(record)?;
            }
            dumper.finish(&summary, stopped)?;
        }
        Ok((summary, self.stored.unwrap_or_default()))
    }
}
