//! [`Tail`]: everything after dissection, in capture order, on the thread that owns it.

use super::{QuicTracker, ReadPosition, Record, Stage, SummaryStage};
use crate::capture::{RawFrame, StoppedEarly};
use crate::dump::{Dumper, FrameEncoder};
use crate::engine::batch::Batch;
use crate::model::{Frame, Summary};
use std::io;

/// What an engine drives with each dissected frame: the stages (the run's totals first, then
/// those the caller added), then the report (frame first, then what the stages emitted),
/// then the stored copy when the caller keeps frames.
///
/// It has two halves that an engine may drive from two threads ([`Tail::split`]): the
/// [`Front`] (stages, stored frames: capture order, no output) and the [`Report`].
pub struct Tail<'a> {
    front: Front,
    report: Report<'a>,
    /// See [`Tail::needs_frames`] (fixed when the tail is made).
    needs_frames: bool,
}

/// The stages of a run in order (the run's totals first, then those the caller added), with
/// the records they emitted and not yet taken, and before them the QUIC connection tracking
/// (which may change a frame: [`StageChain::observe`]). `Send`: the frame iterators and the
/// `pipeline` engine's first stage own one.
pub struct StageChain {
    quic: Option<QuicTracker>,
    summary: SummaryStage,
    stages: Vec<Box<dyn Stage>>,
    records: Vec<Record>,
    position: ReadPosition,
}

/// The stages of a [`Tail`] and its stored frames: what sees every frame in capture order.
pub(crate) struct Front {
    chain: StageChain,
    stored: Option<Vec<Frame>>,
}

/// The report of a [`Tail`]: where frames and records are written, in order.
pub(crate) struct Report<'a> {
    dumper: Option<&'a mut (dyn Dumper + 'a)>,
}

impl<'a> Tail<'a> {
    /// A tail over `stages` (after the QUIC tracking `quic`, if any) into `dumper` (if any),
    /// keeping frames when `store` is set; the engine's reader side reports its byte position
    /// into `position`.
    pub fn new(
        quic: Option<QuicTracker>,
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
            front: Front {
                chain: StageChain::new(quic, stages, position),
                stored: store.then(Vec::new),
            },
            report: Report { dumper },
            needs_frames,
        }
    }

    /// Where the engine's reader records its byte position.
    pub fn position(&self) -> &ReadPosition {
        self.front.chain.position()
    }

    /// Whether stages other than the totals run (they need frames in order with raw bytes).
    pub fn has_stages(&self) -> bool {
        self.front.chain.has_stages()
    }

    /// Whether the QUIC tracking runs: a parallel engine whose frames do not travel on
    /// ([`Tail::needs_frames`]) hands over those it may change ([`Batch::candidates`]).
    pub(crate) fn tracks_quic(&self) -> bool {
        self.front.chain.quic.is_some()
    }

    /// Runs the QUIC tracking and the stages over one frame; their records wait in
    /// [`Tail::take_records`]. `true` if the tracking changed the frame.
    pub fn observe(&mut self, raw: &RawFrame<'_>, frame: &mut Frame) -> bool {
        self.front.chain.observe(raw, frame)
    }

    /// The records the stages emitted since the last call.
    pub fn take_records(&mut self) -> std::vec::Drain<'_, Record> {
        self.front.chain.take_records()
    }

    /// Takes one frame in capture order: the QUIC tracking (which may change it), the
    /// stages, then the report, then the stored copy.
    pub fn frame(&mut self, raw: &RawFrame<'_>, frame: &mut Frame) -> io::Result<()> {
        let front = &mut self.front;
        front.chain.observe(raw, frame);
        self.report.frame(raw, frame)?;
        if front.chain.has_records() {
            self.report.records(front.chain.take_records())?;
        }
        front.store(frame);
        Ok(())
    }

    /// A copy of the report's frame encoder for a worker, when frames may be encoded apart
    /// from the report's writer (see [`Dumper::frame_encoder`]).
    pub fn frame_encoder(&self) -> Option<Box<dyn FrameEncoder>> {
        self.report
            .dumper
            .as_deref()
            .and_then(Dumper::frame_encoder)
    }

    /// Whether the dissected frames must reach the tail one by one in capture order (there
    /// are stages, frames are stored, or the report encodes its frames itself); otherwise a
    /// parallel engine hands over totals, encoded bytes and the QUIC tracking's candidates
    /// only.
    pub fn needs_frames(&self) -> bool {
        self.needs_frames
    }

    /// The two halves, for an engine that runs the stages on one thread and writes the
    /// report on another (the front is `Send`; the report stays on the calling thread).
    pub(crate) fn split(&mut self) -> (&mut Front, &mut Report<'a>) {
        (&mut self.front, &mut self.report)
    }

    /// Takes one batch of a parallel engine, in capture order: its frames (when
    /// [`needs_frames`](Self::needs_frames)) through the stages, or its totals; then the
    /// batch to the report (see [`Report::batch`]).
    pub(crate) fn batch(&mut self, batch: &mut Batch) -> io::Result<()> {
        if self.needs_frames {
            self.front.observe_batch(batch);
        } else {
            self.front.chain.summary.0.merge(&batch.summary);
            self.front.observe_candidates(batch);
        }
        self.report.batch(batch)
    }

    /// Ends the stages; their last records wait in [`Tail::take_records`].
    pub fn finish_stages(&mut self) {
        self.front.chain.finish_stages();
    }

    /// The run's totals so far: the frame counts and every stage's counters.
    pub fn summary(&self) -> Summary {
        self.front.chain.summary()
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
        self.report.records(self.front.chain.take_records())?;
        if let Some(dumper) = self.report.dumper {
            dumper.finish(&summary, stopped)?;
        }
        Ok((summary, self.front.stored.unwrap_or_default()))
    }
}

impl StageChain {
    /// The QUIC tracking `quic` (if any), the totals stage, then `stages`; the engine's
    /// reader side reports its byte position into `position`.
    pub fn new(
        quic: Option<QuicTracker>,
        stages: Vec<Box<dyn Stage>>,
        position: ReadPosition,
    ) -> StageChain {
        StageChain {
            quic,
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

    /// Runs the QUIC tracking, then the stages over one frame; their records wait in
    /// [`StageChain::take_records`]. `true` if the tracking changed the frame (a UDP payload
    /// of a QUIC connection, now QUIC layers).
    pub fn observe(&mut self, raw: &RawFrame<'_>, frame: &mut Frame) -> bool {
        let changed = self
            .quic
            .as_mut()
            .is_some_and(|quic| quic.track(raw, frame));
        self.summary.frame(raw, frame, &mut self.records);
        for stage in &mut self.stages {
            stage.frame(raw, frame, &mut self.records);
        }
        changed
    }

    /// The records the stages emitted since the last call.
    pub fn take_records(&mut self) -> std::vec::Drain<'_, Record> {
        self.records.drain(..)
    }

    /// Whether the stages emitted records since [`StageChain::take_records`] was last called.
    pub fn has_records(&self) -> bool {
        !self.records.is_empty()
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
        if let Some(evicted) = self.quic.as_ref().map(QuicTracker::evicted)
            && evicted > 0
        {
            summary.count_event("quic_evicted", evicted);
        }
        self.summary.summarize(&mut summary);
        for stage in &self.stages {
            stage.summarize(&mut summary);
        }
        summary
    }
}

impl Front {
    /// The QUIC tracking over the candidate frames of a batch whose frames do not travel on,
    /// in order; each is counted in the totals then (the workers left them out), and those
    /// it changed are written anew.
    fn observe_candidates(&mut self, batch: &mut Batch) {
        let Batch {
            raw,
            candidates,
            encoded,
            ..
        } = batch;
        for (index, mut frame) in candidates.drain(..) {
            if self.chain.observe(&raw.frame(index), &mut frame) {
                encoded.redo.push((index, frame));
            }
        }
    }

    /// Keeps a copy of `frame` when the caller stores frames.
    fn store(&mut self, frame: &Frame) {
        if let Some(stored) = &mut self.stored {
            stored.push(frame.clone());
        }
    }

    /// Runs the QUIC tracking and the stages over the dissected frames of `batch`, in
    /// order, keeping what the stages emit in the batch after the frame that emitted it (and
    /// which frames the tracking changed after a worker encoded them); stores the frames if
    /// asked.
    pub(crate) fn observe_batch(&mut self, batch: &mut Batch) {
        for (index, (raw, frame)) in batch.raw.frames().zip(&mut batch.frames).enumerate() {
            if self.chain.observe(&raw, frame) && batch.encoded.done {
                batch.encoded.redo.push((index, frame.clone()));
            }
            batch
                .records
                .extend(self.chain.take_records().map(|record| (index, record)));
            self.store(frame);
        }
    }
}

impl Report<'_> {
    /// Writes one frame, encoding it with the report's encoder.
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        match self.dumper.as_deref_mut() {
            Some(dumper) => dumper.frame(raw, frame),
            None => Ok(()),
        }
    }

    /// Writes the records of the stages, in order.
    fn records(&mut self, records: impl Iterator<Item = Record>) -> io::Result<()> {
        let Some(dumper) = self.dumper.as_deref_mut() else {
            return Ok(());
        };
        for record in records {
            dumper.record(&record)?;
            // Written: its memory goes to the next records of the stage.
            if let Record::Reassembly(record) = record {
                crate::reassembly::recycle(record);
            }
        }
        Ok(())
    }

    /// Writes one batch, in capture order: its frames (the bytes a worker encoded, or the
    /// dissected frames through the report's encoder), each followed by the records the
    /// stages emitted with it; then the error that stopped the batch's encoding, if any
    /// (the frames before it, and their records, are written).
    pub(crate) fn batch(&mut self, batch: &mut Batch) -> io::Result<()> {
        let Batch {
            raw,
            frames,
            records,
            encoded,
            ..
        } = batch;
        let ready = if encoded.done {
            encoded.ends.len()
        } else {
            frames.len()
        };
        // Frames before `next` are written, and `encoded.out` before `written`; the frames
        // the QUIC tracking changed after they were encoded (`redo`) are encoded again here.
        let (mut next, mut written) = (0, 0);
        let mut redos = encoded.redo.iter().peekable();
        let mut write_to = |report: &mut Self, end: usize| -> io::Result<()> {
            while encoded.done && end > next {
                let redo = redos.next_if(|(index, _)| *index < end);
                let upto = redo.map_or(end, |(index, _)| *index);
                if upto > next {
                    let until = encoded.ends[upto - 1];
                    if let Some(dumper) = report.dumper.as_deref_mut() {
                        dumper.write_encoded(&encoded.out[written..until], (upto - next) as u64)?;
                    }
                    written = until;
                }
                if let Some((index, frame)) = redo {
                    let index = *index;
                    report.frame(&raw.frame(index), frame)?;
                    written = encoded.ends[index];
                    next = index + 1;
                } else {
                    next = end;
                }
            }
            if !encoded.done {
                for (index, frame) in frames.iter().enumerate().take(end).skip(next) {
                    report.frame(&raw.frame(index), frame)?;
                }
            }
            next = end;
            Ok(())
        };
        for (index, record) in records.drain(..) {
            if index >= ready {
                break;
            }
            write_to(self, index + 1)?;
            self.records(std::iter::once(record))?;
        }
        write_to(self, ready)?;
        encoded.error.take().map_or(Ok(()), Err)
    }
}
