//! `pipeline`: the run cut into two stages, each on its own thread, joined by one bounded
//! channel of batches.
//!
//! ```text
//!  stage 1 (a thread of its own)          stage 2 (calling thread)          writer thread
//!  read ─▶ dissect ─▶ stages + totals ──batches──▶ encode ─▶ report ──buffers──▶ write(2)
//!   ▲      (capture order, frames kept          (frame, then the records      (BackgroundWriter,
//!   │       for the stages and the report)       the stages emitted with it)   for a file or pipe)
//!   └──────────────── empty batches returned (their frames are dropped by stage 1) ◀──┘
//! ```
//! Stage 1 reads frames into a pooled [`Batch`], dissects them and runs every stage over
//! them in capture order (reassembly, trace, totals, progress, stored frames), keeping the
//! records each stage emits with the frame that emitted it. Stage 2 encodes the frames with
//! the report's encoder and writes each one's records after it. Encoding is the larger half
//! (≈ 60 % of the work for NDJSON, against ≈ 40 % for reading, dissecting and the totals), so
//! when stage 2 falls behind (the channel is full) stage 1 encodes the batch itself with a
//! copy of the encoder, and stage 2 only writes those bytes; with costly stages (reassembly,
//! trace) stage 1 is the slower one, so stage 2 rarely falls behind and stage 1 encodes little. The output does not depend
//! on which stage encoded what: encoders are pure (`pcap`, whose encoder is ordered, is
//! always encoded by stage 2).
//!
//! `--threads` (`Options::threads`) counts the threads that dissect and encode: from 2 on (the
//! default on a machine with 2 cores or more), the two stages; 1 runs the whole pipeline on
//! the calling thread, as `native` does (two stages on one core only add hand-offs). The
//! stages are two, so more than 2 threads is the same as 2.
//!
//! Memory is bounded: the channel holds at most [`DEPTH`] batches and at most `DEPTH + 2`
//! exist (one filling, one writing), so the faster stage waits for the slower one. Frames are
//! dropped by stage 1, which allocated them (cheaper for the allocator than a free on
//! another thread). A write error stops stage 2, which lets go of the channels, so stage 1
//! stops at its next send or wait; a panic in stage 1 ends the run with an error.

use super::batch::{Batch, Pool, panic_message, read_batches};
use super::native::NativeDissector;
use super::{DissectOptions, Dissector, Engine, Sequential};
use crate::capture::CaptureReader;
use crate::dump::FrameEncoder;
use crate::pipeline::{Front, Report, Tail};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::io;

/// Batches the channel between the stages holds.
const DEPTH: usize = 2;
/// Frames per batch: enough that a hand-off costs little per frame, few enough that the
/// dissected frames (a few hundred bytes of heap each) are still in cache when stage 2
/// encodes them.
const BATCH_FRAMES: usize = 256;

/// The `pipeline` engine: read, dissect and stages on one thread; encode and report on the
/// calling one.
#[derive(Clone, Copy, Debug)]
pub struct Pipeline {
    /// Threads for the two stages: 1 runs both on the calling thread; 2 or more, two.
    pub threads: usize,
}

impl Engine for Pipeline {
    fn run(
        &self,
        input: &mut CaptureReader,
        opts: &DissectOptions,
        tail: &mut Tail<'_>,
    ) -> io::Result<()> {
        if self.threads < 2 {
            return Sequential(NativeDissector).run(input, opts, tail);
        }
        let helper = tail.frame_encoder();
        let position = tail.position().clone();
        let (front, report) = tail.split();
        let (to_report, batches) = bounded::<Box<Batch>>(DEPTH);
        let (pool, returns) = Pool::new(DEPTH + 2, BATCH_FRAMES);
        std::thread::scope(|scope| {
            let stage1 = scope.spawn(move || {
                let mut helper = helper;
                read_batches(input, pool, &position, |mut batch| {
                    dissect(&mut batch, opts, front);
                    if to_report.is_full()
                        && let Some(encoder) = helper.as_deref_mut()
                    {
                        encode(&mut batch, encoder);
                    }
                    let failed = batch.encoded.error.is_some();
                    to_report.send(batch).is_ok() && !failed
                });
            });
            let result = write(&batches, &returns, report);
            drop((batches, returns));
            let stage1 = stage1.join();
            result?;
            stage1.map_err(|panic| io::Error::other(panic_message(panic.as_ref())))
        })
    }
}

/// Stage 1 on one batch: dissects its frames and runs the stages over them. Each frame of
/// the batch's last use is dropped as its slot is refilled, so the allocator reuses its
/// memory for the next frame at once (dropping them all first overflows glibc's per-thread
/// cache, and every allocation then takes the slow path).
fn dissect(batch: &mut Batch, opts: &DissectOptions, front: &mut Front) {
    let Batch { raw, frames, .. } = &mut *batch;
    frames.truncate(raw.len());
    for (index, raw) in raw.frames().enumerate() {
        let frame = NativeDissector.dissect(&raw, opts);
        match frames.get_mut(index) {
            Some(slot) => *slot = frame,
            None => frames.push(frame),
        }
    }
    front.observe_batch(batch);
}

/// Stage 1 helping stage 2: encodes the batch's frames (up to the first error).
fn encode(batch: &mut Batch, encoder: &mut dyn FrameEncoder) {
    let Batch {
        raw,
        frames,
        encoded,
        ..
    } = batch;
    for (raw, frame) in raw.frames().zip(frames.iter()) {
        if !encoded.push(encoder, &raw, frame) {
            break;
        }
    }
}

/// Stage 2: writes every batch in order and returns it; ends at the end of the input or at
/// the first write error.
fn write(
    batches: &Receiver<Box<Batch>>,
    returns: &Sender<Box<Batch>>,
    report: &mut Report<'_>,
) -> io::Result<()> {
    for mut batch in batches {
        report.batch(&mut batch)?;
        // Stage 1 may have stopped already; a batch nobody takes is dropped.
        let _ = returns.send(batch);
    }
    Ok(())
}
