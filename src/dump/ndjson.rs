//! `ndjson`: one frame object per line, for jq, Spark and Elasticsearch; the records of the
//! stages are lines of their own (`{"record":"reassembly",...}`) after their frame.

use super::Dumper;
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::engine::FrameSink;
use crate::model::{Frame, Summary};
use crate::pipeline::Record;
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

    fn write_frame(&mut self, frame: &Frame) -> io::Result<()> {
        self.line.clear();
        super::frame_json::write_frame_json(&mut self.line, frame)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }
}

impl<W: Write> FrameSink for NdjsonDumper<W> {
    fn frame(&mut self, _raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        self.write_frame(frame)
    }
}

impl<W: Write> Dumper for NdjsonDumper<W> {
    fn begin(&mut self, _info: &CaptureInfo) -> io::Result<()> {
        Ok(())
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        if let Some(frame) = record.as_frame() {
            return self.write_frame(frame);
        }
        self.line.clear();
        serde_json::to_writer(&mut self.line, record)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    fn finish(&mut self, _summary: &Summary, _stopped: Option<&StoppedEarly>) -> io::Result<()> {
        self.out.flush()
    }
}
