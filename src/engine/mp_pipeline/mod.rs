//! `pipeline`: one thread per step, joined by bounded channels of batches.
//!
//! ```text
//! reader ──▶ dissect ──▶ encode ──▶ stages + report (calling thread) ──▶ writer thread
//!   ▲                                        │                         (BackgroundWriter)
//!   └──────────── empty batches returned ◀───┘
//! ```
//! Each channel holds at most [`DEPTH`] batches and at most `pool` batches exist, so a slow
//! step holds the ones before it back (back-pressure) and memory is bounded. Batches stay in
//! capture order all the way. The stages run on the thread that owns the report (the
//! [`Tail`]), since their records go into it between frames; the report's system calls are on
//! the writer thread.

use super::batch::{Batch, Done, Pool, drive, relay};
use super::native::NativeDissector;
use super::{DissectOptions, Dissector, Engine};
use crate::capture::CaptureReader;
use crate::dump::FrameEncoder;
use crate::pipeline::Tail;
use crossbeam_channel::bounded;
use std::io;

/// Batches each channel between two steps holds.
const DEPTH: usize = 2;
/// Frames per batch: small, because the dissected frames (a few hundred bytes of heap each)
/// move from the dissecting core to the encoding one and should still be in cache there.
const BATCH_FRAMES: usize = 64;

/// The `pipeline` engine: reader, dissector and encoder threads before the calling thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pipeline;

impl Engine for Pipeline {
    fn run(
        &self,
        input: &mut CaptureReader,
        opts: &DissectOptions,
        tail: &mut Tail<'_>,
    ) -> io::Result<()> {
        let keep_frames = tail.needs_frames();
        let mut encoder = tail.frame_encoder();
        let (read_tx, read_rx) = bounded::<Done>(DEPTH);
        let (dissected_tx, dissected_rx) = bounded::<Done>(DEPTH);
        let (encoded_tx, encoded_rx) = bounded::<Done>(DEPTH);
        let steps: Vec<Box<dyn FnOnce() + Send + '_>> = vec![
            Box::new(move || relay(&read_rx, &dissected_tx, |batch| dissect(batch, opts))),
            Box::new(move || {
                relay(&dissected_rx, &encoded_tx, |batch| {
                    encode(batch, &mut encoder, keep_frames);
                });
            }),
        ];
        // A batch in each channel and in each of the four steps, and one spare.
        let pool = Pool::new(3 * DEPTH + 5, BATCH_FRAMES);
        drive(input, tail, pool, read_tx, encoded_rx, steps)
    }
}

/// Dissects every frame of `batch` into `batch.frames`.
fn dissect(batch: &mut Batch, opts: &DissectOptions) {
    let Batch { raw, frames, .. } = batch;
    frames.clear();
    frames.extend(raw.frames().map(|raw| NativeDissector.dissect(&raw, opts)));
}

/// Encodes the dissected frames when there is an encoder; passes them on, or only their
/// totals (the frames are then dropped here, while they are in this core's cache).
fn encode(batch: &mut Batch, encoder: &mut Option<Box<dyn FrameEncoder>>, keep_frames: bool) {
    let Batch {
        raw,
        frames,
        out,
        ends,
        summary,
        error,
        ..
    } = batch;
    let mut done = 0;
    if let Some(encoder) = encoder {
        for (raw, frame) in raw.frames().zip(frames.iter()) {
            if let Err(err) = encoder.encode_frame(&raw, frame, raw.number - 1, out) {
                *error = Some(err);
                break;
            }
            ends.push(out.len());
            done += 1;
        }
    } else {
        done = frames.len();
    }
    // Only the frames before an encoding error go on (those that get written).
    frames.truncate(done);
    if !keep_frames {
        for frame in frames.drain(..) {
            summary.add(&frame);
        }
    }
}
