//! `ndjson`: one frame object per line, for jq, Spark and Elasticsearch.

use super::{Dumper, WRITE_BUFFER};
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::engine::FrameSink;
use crate::model::{Frame, Summary};
use std::io::{self, BufWriter, Write};

/// Writes each frame as one line of JSON; nothing before or after the frames.
pub struct NdjsonDumper<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> NdjsonDumper<W> {
    /// A dumper writing (buffered) to `out`.
    pub fn new(out: W) -> Self {
        NdjsonDumper {
            out: BufWriter::with_capacity(WRITE_BUFFER, out),
        }
    }
}

impl<W: Write> FrameSink for NdjsonDumper<W> {
    fn frame(&mut self, _raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, frame)?;
        self.out.write_all(b"\n")
    }
}

impl<W: Write> Dumper for NdjsonDumper<W> {
    fn begin(&mut self, _info: &CaptureInfo) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary, _stopped: Option<&StoppedEarly>) -> io::Result<()> {
        self.out.flush()
    }
}
