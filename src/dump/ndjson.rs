//! `ndjson`: one frame object per line, for jq, Spark and Elasticsearch.

use super::Dumper;
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::engine::FrameSink;
use crate::model::{Frame, Summary};
use std::io::{self, Write};

/// Writes each frame as one line of JSON; nothing before or after the frames.
///
/// Each line is encoded into a reused buffer and written with one `write_all`: give it a
/// buffered writer (a `BufWriter`, or the writers of [`Output`](super::Output)).
pub struct NdjsonDumper<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> NdjsonDumper<W> {
    /// A dumper writing to `out`.
    pub fn new(out: W) -> Self {
        NdjsonDumper {
            out,
            line: Vec::with_capacity(4096),
        }
    }
}

impl<W: Write> FrameSink for NdjsonDumper<W> {
    fn frame(&mut self, _raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        self.line.clear();
        super::frame_json::write_frame_json(&mut self.line, frame)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
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
