//! Batches of raw frames copied out of the reader's buffer, for the parallel engines.
//!
//! The reader lends each frame only until the next one is read, so a parallel engine copies
//! frames into a [`Batch`]: one contiguous byte buffer plus the frames' metadata. Batches are
//! recycled through a [`Pool`] (a bounded set, returned over a channel), so the run allocates a
//! few of them and then none, and the number in flight bounds memory.
//!
//! Threads pass [`Done`] messages: a batch, or the news that a thread panicked on one (a bug,
//! which must end the run with an error rather than leave the re-sequencer waiting forever).

use crate::capture::{CaptureReader, RawFrame};
use crate::dump::FrameEncoder;
use crate::model::{Frame, LinkType, Summary, Timestamp};
use crate::pipeline::{ReadPosition, Record, Tail};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::collections::BTreeMap;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Captured bytes per batch before it is sent early (jumbo frames, long snap lengths).
const BATCH_BYTES: usize = 1 << 20;

/// One frame's metadata in a batch; its bytes are `data[start..end]`.
#[derive(Clone, Copy, Debug)]
struct Meta {
    number: u64,
    timestamp: Option<Timestamp>,
    len: u32,
    link_type: LinkType,
    interface: Option<u32>,
    start: usize,
    end: usize,
}

/// Frames copied out of the reader: their bytes end to end, and their metadata.
#[derive(Debug, Default)]
pub(crate) struct RawBatch {
    data: Vec<u8>,
    meta: Vec<Meta>,
}

impl RawBatch {
    /// Copies one frame in.
    fn push(&mut self, raw: &RawFrame<'_>) {
        let start = self.data.len();
        self.data.extend_from_slice(raw.data);
        self.meta.push(Meta {
            number: raw.number,
            timestamp: raw.timestamp,
            len: raw.len,
            link_type: raw.link_type,
            interface: raw.interface,
            start,
            end: self.data.len(),
        });
    }

    /// Number of frames.
    pub(crate) fn len(&self) -> usize {
        self.meta.len()
    }

    /// The frames, as the reader lent them.
    pub(crate) fn frames(&self) -> impl Iterator<Item = RawFrame<'_>> {
        self.meta.iter().map(|m| self.raw(m))
    }

    /// Frame `index` of the batch; past the last frame, an empty one (number 0, no bytes).
    pub(crate) fn frame(&self, index: usize) -> RawFrame<'_> {
        match self.meta.get(index) {
            Some(m) => self.raw(m),
            None => RawFrame {
                number: 0,
                timestamp: None,
                len: 0,
                link_type: LinkType::default(),
                interface: None,
                data: &[],
            },
        }
    }

    /// The frame `m` describes.
    fn raw(&self, m: &Meta) -> RawFrame<'_> {
        RawFrame {
            number: m.number,
            timestamp: m.timestamp,
            len: m.len,
            link_type: m.link_type,
            interface: m.interface,
            data: self.data.get(m.start..m.end).unwrap_or_default(),
        }
    }
}

/// Consecutive frames of the capture and what the engine made of them so far; every buffer
/// is kept for the batch's next use.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Position of the batch in the capture (0 for the first).
    pub(crate) seq: u64,
    /// The frames as read.
    pub(crate) raw: RawBatch,
    /// The dissected frames, when they travel on (stages, stored frames, ordered encoders);
    /// those of the batch's previous use until the dissecting thread clears them.
    pub(crate) frames: Vec<Frame>,
    /// The records the stages emitted, each with the index in the batch of the frame it
    /// follows (when the stages ran before the batch reached the report).
    pub(crate) records: Vec<(usize, Record)>,
    /// The frames a worker encoded, if one did.
    pub(crate) encoded: Encoded,
    /// When the frames do not travel on, those the QUIC tracking may change (see
    /// [`QuicTracker::may_track`](crate::pipeline::QuicTracker::may_track)), with their index
    /// in the batch: the tracking sees them in capture order, and the totals count them then.
    pub(crate) candidates: Vec<(usize, Frame)>,
    /// Totals of the batch's frames, when the frames do not travel on.
    pub(crate) summary: Summary,
}

impl Batch {
    /// Empties the batch for reuse, keeping its buffers. The dissected frames are left for
    /// the thread that dissects the batch next to drop: freeing memory on the thread that
    /// allocated it is much cheaper (glibc's per-thread arenas).
    fn clear(&mut self) {
        self.raw.data.clear();
        self.raw.meta.clear();
        self.records.clear();
        self.encoded.clear();
        self.candidates.clear();
        self.summary = Summary::default();
    }
}

/// Frames of a batch encoded apart from the report's writer, by a copy of its encoder.
#[derive(Debug, Default)]
pub(crate) struct Encoded {
    /// Whether a worker encoded the batch (then the report writes these bytes).
    pub(crate) done: bool,
    /// The encoded frames, end to end.
    pub(crate) out: Vec<u8>,
    /// End offsets in `out`, one per encoded frame.
    pub(crate) ends: Vec<usize>,
    /// Why encoding stopped before the end of the batch (the frames before it are done).
    pub(crate) error: Option<io::Error>,
    /// Frames the QUIC tracking changed after they were encoded, with their index in the
    /// batch, in order: the report writes these instead of their encoded bytes.
    pub(crate) redo: Vec<(usize, Frame)>,
}

impl Encoded {
    /// Encodes one more frame; `false` (and the error kept) if the encoder failed, which
    /// ends the batch.
    pub(crate) fn push(
        &mut self,
        encoder: &mut dyn FrameEncoder,
        raw: &RawFrame<'_>,
        frame: &Frame,
    ) -> bool {
        self.done = true;
        match encoder.encode_frame(raw, frame, raw.number - 1, &mut self.out) {
            Ok(()) => {
                self.ends.push(self.out.len());
                true
            }
            Err(err) => {
                self.error = Some(err);
                false
            }
        }
    }

    fn clear(&mut self) {
        self.done = false;
        self.out.clear();
        self.ends.clear();
        self.error = None;
        self.redo.clear();
    }
}

/// Recycled batches: at most `size` exist; the consumers give them back when done.
pub(crate) struct Pool {
    free: Receiver<Box<Batch>>,
    made: usize,
    size: usize,
    /// Frames per batch.
    frames: usize,
}

impl Pool {
    /// A pool of at most `size` batches of up to `frames` frames (made when first needed),
    /// and where consumers return them (the pool keeps no sender: when every consumer is gone,
    /// waiting ends).
    pub(crate) fn new(size: usize, frames: usize) -> (Pool, Sender<Box<Batch>>) {
        let (back, free) = bounded(size);
        (
            Pool {
                free,
                made: 0,
                size,
                frames: frames.max(1),
            },
            back,
        )
    }

    /// A free batch, waiting for one when all are in flight; `None` once no consumer is left
    /// to return one (the run is ending).
    fn take(&mut self) -> Option<Box<Batch>> {
        if let Ok(batch) = self.free.try_recv() {
            return Some(batch);
        }
        if self.made < self.size {
            self.made += 1;
            return Some(Box::default());
        }
        self.free.recv().ok()
    }
}

/// The reader's loop: fills batches from `input` and hands each to `send` in capture order,
/// recording the byte position after each; stops at the end of the input or when `send` (or
/// the pool) says the consumers are gone.
pub(crate) fn read_batches(
    input: &mut CaptureReader,
    mut pool: Pool,
    position: &ReadPosition,
    mut send: impl FnMut(Box<Batch>) -> bool,
) {
    let mut seq = 0;
    loop {
        let Some(mut batch) = pool.take() else {
            return;
        };
        batch.clear();
        batch.seq = seq;
        while batch.raw.len() < pool.frames && batch.raw.data.len() < BATCH_BYTES {
            let Some(raw) = input.next_frame() else {
                break;
            };
            batch.raw.push(&raw);
        }
        position.set(input.bytes_read());
        if batch.raw.len() == 0 {
            return;
        }
        seq += 1;
        if !send(batch) {
            return;
        }
    }
}

/// What travels between the threads of a parallel engine.
pub(crate) enum Done {
    /// A batch, with whatever the threads before did to it (boxed: batches move often).
    Batch(Box<Batch>),
    /// A thread panicked on a batch: the run stops with this message.
    Panicked(String),
}

/// One step of a parallel engine on its own thread: applies `work` to every batch from `from`
/// and passes it on to `to`, until `from` ends or `to` is gone; a panic in `work` is passed on
/// as [`Done::Panicked`] and ends the step.
pub(crate) fn relay(from: &Receiver<Done>, to: &Sender<Done>, mut work: impl FnMut(&mut Batch)) {
    for message in from {
        let message = match message {
            Done::Batch(mut batch) => match catch_unwind(AssertUnwindSafe(|| work(&mut batch))) {
                Ok(()) => Done::Batch(batch),
                Err(panic) => Done::Panicked(panic_message(panic.as_ref())),
            },
            panicked => panicked,
        };
        let panicked = matches!(message, Done::Panicked(_));
        if to.send(message).is_err() || panicked {
            return;
        }
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("a worker thread panicked: {text}")
}

/// Takes finished batches in any order, hands them to `tail` in capture order and returns
/// them to the pool; ends when every sender is gone, at the first write error, or when a
/// thread panicked.
fn resequence(
    done: &Receiver<Done>,
    returns: &Sender<Box<Batch>>,
    tail: &mut Tail<'_>,
) -> io::Result<()> {
    let mut next = 0;
    let mut waiting = BTreeMap::new();
    for message in done {
        let batch = match message {
            Done::Batch(batch) => batch,
            Done::Panicked(message) => return Err(io::Error::other(message)),
        };
        waiting.insert(batch.seq, batch);
        while let Some(mut batch) = waiting.remove(&next) {
            tail.batch(&mut batch)?;
            next += 1;
            // The reader may have stopped already; a batch nobody takes is dropped.
            let _ = returns.send(batch);
        }
    }
    Ok(())
}

/// Runs a parallel engine: the reader on a thread of its own, sending batches into `first`;
/// each of `steps` on a thread of its own; and on the calling thread the re-sequencer, taking
/// batches from `last` into `tail` and returning them to `pool`. When the re-sequencer stops
/// (the end, a write error, a panic), it lets go of its channels so that every thread stops
/// at its next send or wait; all are joined before this returns.
pub(crate) fn drive<'a>(
    input: &'a mut CaptureReader,
    tail: &mut Tail<'_>,
    (pool, returns): (Pool, Sender<Box<Batch>>),
    first: Sender<Done>,
    last: Receiver<Done>,
    steps: Vec<Box<dyn FnOnce() + Send + 'a>>,
) -> io::Result<()> {
    let position = tail.position().clone();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            read_batches(input, pool, &position, |batch| {
                first.send(Done::Batch(batch)).is_ok()
            });
        });
        for step in steps {
            scope.spawn(step);
        }
        let result = resequence(&last, &returns, tail);
        drop((last, returns));
        let read = reader.join();
        result?;
        read.map_err(|_| io::Error::other("the reader thread panicked"))
    })
}
