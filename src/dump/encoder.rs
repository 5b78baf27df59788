//! The encoder / writer split: a pure [`Encoder`] per streaming format turns records into
//! bytes; one ordered writer, [`EncodingDumper`], owns the destination and the order.
//!
//! Encoders keep no state that depends on what came before (each frame comes with its
//! position in the report, which is all `json` needs for its commas), so a parallel engine gives each worker a copy ([`Dumper::frame_encoder`])
//! and hands the encoded bytes back to the writer in frame order ([`Dumper::write_encoded`]).
//! The exception is `pcap` ([`Encoder::ordered`]): its header waits for the first frame of a
//! pcapng input and every frame is checked against it; its frames are encoded by the writer.

use super::Dumper;
use super::sections::Sections;
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::engine::FrameSink;
use crate::model::{Frame, Summary};
use crate::pipeline::{Record, RecordKind};
use std::io::{self, Write};

/// What a streaming report is written to: a [`Write`] that may lend its own buffer, so that
/// records are encoded straight into it instead of into a line buffer copied in with
/// `write_all` (a [`BackgroundWriter`](super::BackgroundWriter)'s chunk, a `Vec`).
pub trait ReportWrite: Write {
    /// The buffer to append the next record to, if this writer has one: what is appended is
    /// written as if by `write_all`. `None` (the default): records go through `write_all`.
    fn buffer(&mut self) -> io::Result<Option<&mut Vec<u8>>> {
        Ok(None)
    }

    /// Runs `encode` on the free part of this writer's own buffer (a window of initialized
    /// bytes, at least 4 KiB long) and an empty spill vector:
    /// `encode` returns how many bytes it left at the start of the window, and what it wrote is
    /// the spill's bytes (those that did not fit), then those. No copy when nothing spills. A
    /// failed `encode` writes nothing. `None` (the default): this writer has no such buffer.
    fn encode_in_place(&mut self, _encode: &mut InPlace<'_>) -> Option<io::Result<()>> {
        None
    }
}

/// What [`ReportWrite::encode_in_place`] runs: `(window, spill)` to the bytes left in `window`.
pub type InPlace<'a> = dyn FnMut(&mut [u8], &mut Vec<u8>) -> io::Result<usize> + 'a;

impl ReportWrite for Vec<u8> {
    fn buffer(&mut self) -> io::Result<Option<&mut Vec<u8>>> {
        Ok(Some(self))
    }
}

impl<W: ReportWrite + ?Sized> ReportWrite for &mut W {
    fn buffer(&mut self) -> io::Result<Option<&mut Vec<u8>>> {
        (**self).buffer()
    }

    fn encode_in_place(&mut self, encode: &mut InPlace<'_>) -> Option<io::Result<()>> {
        (**self).encode_in_place(encode)
    }
}

impl<W: ReportWrite + ?Sized> ReportWrite for Box<W> {
    fn buffer(&mut self) -> io::Result<Option<&mut Vec<u8>>> {
        (**self).buffer()
    }

    fn encode_in_place(&mut self, encode: &mut InPlace<'_>) -> Option<io::Result<()>> {
        (**self).encode_in_place(encode)
    }
}

impl ReportWrite for io::Sink {}
impl ReportWrite for io::Stdout {}
impl ReportWrite for std::fs::File {}
impl<W: Write> ReportWrite for io::BufWriter<W> {}

/// Where a format puts the records of the stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In the stream, right after the frame that emitted them (`ndjson`, `tree`).
    Inline,
    /// In one section per kind after the frames (`json`, `plist`).
    Sections,
    /// Nowhere: the format holds frames only (`pcap`).
    FramesOnly,
}

/// Turns records into the bytes of one report format.
pub trait Encoder: Send + Clone + 'static {
    /// Where this format puts records other than frames.
    fn placement(&self) -> Placement;

    /// Whether frames must be encoded in order by the writer (state that depends on earlier
    /// frames); `false` lets workers encode copies of the encoder in parallel.
    fn ordered(&self) -> bool {
        false
    }

    /// The bytes before the first record, given the capture header.
    fn begin(&mut self, info: &CaptureInfo, out: &mut Vec<u8>) -> io::Result<()>;

    /// One frame of the capture (`raw` has its captured bytes); `index` is its position among
    /// the report's frames (0 for the first).
    fn frame(
        &mut self,
        raw: &RawFrame<'_>,
        frame: &Frame,
        index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()>;

    /// Whether frames are encoded with [`Encoder::frame_in_place`] when the writer lends a
    /// window of its buffer ([`ReportWrite::encode_in_place`]).
    fn in_place(&self) -> bool {
        false
    }

    /// [`Encoder::frame`] staged in `window` in front of `spill` (as
    /// [`ReportWrite::encode_in_place`] describes); returns how many bytes it left in `window`.
    /// The default encodes into `spill` with [`Encoder::frame`].
    fn frame_in_place(
        &mut self,
        raw: &RawFrame<'_>,
        frame: &Frame,
        index: u64,
        _window: &mut [u8],
        spill: &mut Vec<u8>,
    ) -> io::Result<usize> {
        self.frame(raw, frame, index, spill)?;
        Ok(0)
    }

    /// [`Encoder::record`] for [`Placement::Inline`] records and frames a stage emits, in place
    /// as [`Encoder::frame_in_place`]; the default encodes into `spill` with
    /// [`Encoder::record`].
    fn record_in_place(
        &mut self,
        record: &Record,
        index: u64,
        _window: &mut [u8],
        spill: &mut Vec<u8>,
    ) -> io::Result<usize> {
        self.record(record, index, spill)?;
        Ok(0)
    }

    /// A record of a stage; `index` is its position among the records of its kind (frames
    /// count the capture's frames) for the formats that list them in sections.
    fn record(&mut self, record: &Record, index: u64, out: &mut Vec<u8>) -> io::Result<()>;

    /// What closes the frames, once `frames` frames were written (before the sections).
    fn end_frames(&self, _frames: u64, _out: &mut Vec<u8>) {}

    /// What opens the section of `kind` ([`Placement::Sections`] only).
    fn section_begin(&self, _kind: RecordKind, _out: &mut Vec<u8>) {}

    /// What closes the section of `kind`.
    fn section_end(&self, _kind: RecordKind, _out: &mut Vec<u8>) {}

    /// The bytes after everything else: the run's totals, where the input stopped early.
    fn finish(
        &mut self,
        summary: &Summary,
        stopped: Option<&StoppedEarly>,
        out: &mut Vec<u8>,
    ) -> io::Result<()>;
}

/// A worker's copy of an encoder: encodes frames apart from the writer.
pub trait FrameEncoder: Send {
    /// Appends the bytes of one frame to `out`; `index` is its position in the report (for a
    /// capture's frames, `number - 1`).
    fn encode_frame(
        &mut self,
        raw: &RawFrame<'_>,
        frame: &Frame,
        index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()>;
}

impl<E: Encoder> FrameEncoder for E {
    fn encode_frame(
        &mut self,
        raw: &RawFrame<'_>,
        frame: &Frame,
        index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        self.frame(raw, frame, index, out)
    }
}

/// The ordered writer of a streaming format: encodes with `E` straight into the buffer `out`
/// lends ([`ReportWrite::buffer`]), else into a reused buffer written with one `write_all`
/// (give it a buffered writer, such as those of [`Output`](super::Output)); spools sectioned
/// records until the end.
pub struct EncodingDumper<E: Encoder, W: ReportWrite> {
    encoder: E,
    out: W,
    buffer: Vec<u8>,
    frames: u64,
    sections: Sections,
}

impl<E: Encoder + Default, W: ReportWrite> EncodingDumper<E, W> {
    /// A dumper writing to `out`.
    pub fn new(out: W) -> Self {
        EncodingDumper::with_encoder(E::default(), out)
    }
}

impl<E: Encoder, W: ReportWrite> EncodingDumper<E, W> {
    /// A dumper encoding with `encoder` into `out`.
    pub fn with_encoder(encoder: E, out: W) -> Self {
        EncodingDumper {
            encoder,
            out,
            buffer: Vec::with_capacity(8192),
            frames: 0,
            sections: Sections::default(),
        }
    }

    /// Runs `encode` in place ([`ReportWrite::encode_in_place`]) when the encoder does so and
    /// `out` lends a window; `None` otherwise (nothing written).
    fn in_place(
        &mut self,
        mut encode: impl FnMut(&mut E, &mut [u8], &mut Vec<u8>) -> io::Result<usize>,
    ) -> Option<io::Result<()>> {
        if !self.encoder.in_place() {
            return None;
        }
        let encoder = &mut self.encoder;
        self.out
            .encode_in_place(&mut |window, spill| encode(encoder, window, spill))
    }

    /// A record written in place when it can be ([`EncodingDumper::in_place`]), else as
    /// [`EncodingDumper::emit`] writes it.
    fn emit_record(&mut self, record: &Record, index: u64) -> io::Result<()> {
        let in_place = self.in_place(|encoder, window, spill| {
            encoder.record_in_place(record, index, window, spill)
        });
        match in_place {
            Some(written) => written,
            None => self.emit(|encoder, out| encoder.record(record, index, out)),
        }
    }

    /// Writes what `encode` appends: to the buffer `out` lends, else to the reused buffer
    /// then `out`. A failed `encode` writes nothing.
    fn emit(
        &mut self,
        encode: impl FnOnce(&mut E, &mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        if let Some(lent) = self.out.buffer()? {
            let start = lent.len();
            let encoded = encode(&mut self.encoder, lent);
            if encoded.is_err() {
                lent.truncate(start);
            }
            return encoded;
        }
        self.buffer.clear();
        encode(&mut self.encoder, &mut self.buffer)?;
        self.out.write_all(&self.buffer)
    }
}

impl<E: Encoder, W: ReportWrite> FrameSink for EncodingDumper<E, W> {
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        let index = self.frames;
        let in_place = self.in_place(|encoder, window, spill| {
            encoder.frame_in_place(raw, frame, index, window, spill)
        });
        match in_place {
            Some(written) => written?,
            None => self.emit(|encoder, out| encoder.frame(raw, frame, index, out))?,
        }
        self.frames += 1;
        Ok(())
    }
}

impl<E: Encoder, W: ReportWrite> Dumper for EncodingDumper<E, W> {
    fn begin(&mut self, info: &CaptureInfo) -> io::Result<()> {
        self.emit(|encoder, out| encoder.begin(info, out))
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        let kind = record.kind();
        match self.encoder.placement() {
            Placement::FramesOnly => Ok(()),
            // A frame a stage emits joins the frames; it has no raw bytes for `pcap`.
            _ if kind == RecordKind::Frame => {
                let index = self.frames;
                self.emit_record(record, index)?;
                self.frames += 1;
                Ok(())
            }
            Placement::Inline => self.emit_record(record, 0),
            Placement::Sections => {
                self.buffer.clear();
                let index = self.sections.count(kind);
                self.encoder.record(record, index, &mut self.buffer)?;
                self.sections.push(kind, &self.buffer)
            }
        }
    }

    fn finish(&mut self, summary: &Summary, stopped: Option<&StoppedEarly>) -> io::Result<()> {
        let frames = self.frames;
        self.emit(|encoder, out| {
            encoder.end_frames(frames, out);
            Ok(())
        })?;
        let encoder = &self.encoder;
        let mut scratch = Vec::new();
        self.sections.drain_into(
            &mut self.out,
            |kind, out| {
                scratch.clear();
                encoder.section_begin(kind, &mut scratch);
                out.write_all(&scratch)
            },
            |kind, out| {
                let mut end = Vec::new();
                encoder.section_end(kind, &mut end);
                out.write_all(&end)
            },
        )?;
        self.emit(|encoder, out| encoder.finish(summary, stopped, out))?;
        self.out.flush()
    }

    fn frame_encoder(&self) -> Option<Box<dyn FrameEncoder>> {
        if self.encoder.ordered() {
            return None;
        }
        Some(Box::new(self.encoder.clone()))
    }

    fn write_encoded(&mut self, bytes: &[u8], frames: u64) -> io::Result<()> {
        self.frames += frames;
        self.out.write_all(bytes)
    }
}
