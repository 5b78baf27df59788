//! `server`: a reader thread, N workers that dissect **and encode**, a re-sequencer.
//!
//! ```text
//! reader ──batches──▶ worker 1..N ──done──▶ re-sequencer + Tail (calling thread) ──▶ writer thread
//!   ▲  (pooled, bounded)   dissect + encode      (frame order)                    (BackgroundWriter)
//!   └──────────────────────── empty batches returned ◀──────────┘
//! ```
//! The reader copies frames into pooled [`Batch`]es; workers take them from one bounded
//! channel; the calling thread puts finished batches back in capture order and drives the
//! pipeline's [`Tail`]: with no stages it only adds the workers' totals and writes their
//! encoded bytes; with stages (or stored frames, or an encoder that must run in order) the
//! dissected frames travel with the batch and the stages see them in capture order, raw bytes
//! included. At most `pool` batches exist, so memory is bounded whatever the speeds.

use super::batch::{Batch, Done, Pool, drive, relay};
use super::native::NativeDissector;
use super::{DissectOptions, Dissector, Engine};
use crate::capture::CaptureReader;
use crate::dump::FrameEncoder;
use crate::model::Frame;
use crate::pipeline::{QuicTracker, Tail};
use crossbeam_channel::bounded;
use std::io;

/// Frames per batch: enough that channel hand-offs cost little per frame; each worker's batch
/// stays on its core from dissection to encoding.
const BATCH_FRAMES: usize = 512;

/// The `server` engine with `threads` workers.
#[derive(Clone, Copy, Debug)]
pub struct Server {
    /// Worker threads (at least 1).
    pub threads: usize,
}

impl Engine for Server {
    fn run(
        &self,
        input: &mut CaptureReader,
        opts: &DissectOptions,
        tail: &mut Tail<'_>,
    ) -> io::Result<()> {
        let threads = self.threads.max(1);
        let keep_frames = tail.needs_frames();
        let quic = tail.tracks_quic();
        let encoders: Vec<Option<Box<dyn FrameEncoder>>> =
            (0..threads).map(|_| tail.frame_encoder()).collect();
        let (work_tx, work_rx) = bounded::<Done>(threads);
        let (done_tx, done_rx) = bounded::<Done>(threads);
        let mut steps: Vec<Box<dyn FnOnce() + Send + '_>> = Vec::new();
        for mut encoder in encoders {
            let (work, done) = (work_rx.clone(), done_tx.clone());
            steps.push(Box::new(move || {
                let mut scratch = Frame::default();
                relay(&work, &done, |batch| {
                    process(batch, &mut encoder, opts, (keep_frames, quic), &mut scratch);
                });
            }));
        }
        // Only the workers hold these ends: the channels close when the workers are done.
        drop((work_rx, done_tx));
        let pool = Pool::new(2 * threads + 2, BATCH_FRAMES);
        drive(input, tail, pool, work_tx, done_rx, steps)
    }
}

/// Dissects every frame of `batch`, encoding it when there is an encoder; keeps the frames
/// or only their totals, and then (with the QUIC tracking, `keep.1`) those the tracking may
/// change, as candidates left out of the totals.
///
/// Frames are dissected into memory that is already there (the batch's frames of its last
/// use, or the worker's one `scratch` frame), as `native` does: no frame is allocated or
/// freed whole, and what a frame's layers allocate is freed right before its successor
/// allocates the same (dropping a batch of frames at once overflows glibc's per-thread
/// cache; a batch's previous frames may come from another worker).
fn process(
    batch: &mut Batch,
    encoder: &mut Option<Box<dyn FrameEncoder>>,
    opts: &DissectOptions,
    (keep_frames, quic): (bool, bool),
    scratch: &mut Frame,
) {
    let Batch {
        raw,
        frames,
        encoded,
        summary,
        candidates,
        ..
    } = batch;
    if keep_frames {
        frames.truncate(raw.len());
    } else {
        frames.clear();
    }
    for (index, raw) in raw.frames().enumerate() {
        if keep_frames && index == frames.len() {
            frames.push(Frame::default());
        }
        let frame = match frames.get_mut(index) {
            Some(frame) if keep_frames => frame,
            _ => &mut *scratch,
        };
        NativeDissector.dissect_into(&raw, opts, frame);
        if let Some(encoder) = encoder.as_deref_mut()
            && !encoded.push(encoder, &raw, frame)
        {
            frames.truncate(index);
            return;
        }
        if keep_frames {
            continue;
        }
        if quic && QuicTracker::may_track(frame) {
            candidates.push((index, frame.clone()));
        } else {
            summary.add(frame);
        }
    }
}
