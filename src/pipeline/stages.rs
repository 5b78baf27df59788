//! The stages every run has or may have: the run's totals and the progress report.

use super::{Record, Stage};
use crate::capture::RawFrame;
use crate::model::{Frame, Summary};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts frames, bytes, malformed frames and protocols: the `summary` of every report.
#[derive(Debug, Default)]
pub struct SummaryStage(pub Summary);

impl Stage for SummaryStage {
    fn frame(&mut self, _raw: &RawFrame<'_>, frame: &Frame, _out: &mut Vec<Record>) {
        self.0.add(frame);
    }

    fn finish(&mut self, _out: &mut Vec<Record>) {}

    fn summarize(&self, summary: &mut Summary) {
        summary.merge(&self.0);
    }
}

/// How far the reader is into the input, in bytes ([`CaptureReader::bytes_read`]); the
/// reader's side sets it, [`ProgressStage`] reads it, possibly on another thread.
///
/// [`CaptureReader::bytes_read`]: crate::capture::CaptureReader::bytes_read
#[derive(Clone, Debug, Default)]
pub struct ReadPosition(Arc<AtomicU64>);

impl ReadPosition {
    /// Records the reader's position.
    pub fn set(&self, bytes: u64) {
        self.0.store(bytes, Ordering::Relaxed);
    }

    /// The last position recorded.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Frames between two progress reports.
const PROGRESS_EVERY: u64 = 4096;

/// Reports the reader's byte position every few thousand frames and once at the end.
pub struct ProgressStage {
    position: ReadPosition,
    report: Box<dyn FnMut(u64) + Send>,
    frames: u64,
}

impl ProgressStage {
    /// Calls `report` with the byte position read from `position`.
    pub fn new(position: ReadPosition, report: Box<dyn FnMut(u64) + Send>) -> ProgressStage {
        ProgressStage {
            position,
            report,
            frames: 0,
        }
    }
}

impl Stage for ProgressStage {
    fn frame(&mut self, _raw: &RawFrame<'_>, _frame: &Frame, _out: &mut Vec<Record>) {
        self.frames += 1;
        if self.frames.is_multiple_of(PROGRESS_EVERY) {
            (self.report)(self.position.get());
        }
    }

    fn finish(&mut self, _out: &mut Vec<Record>) {
        (self.report)(self.position.get());
    }
}
