//! `json`: one document `{"file": …, "frames": […], "summary": …}`, written incrementally.

use super::Dumper;
use super::sections::Sections;
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::engine::FrameSink;
use crate::model::{Frame, Summary};
use crate::pipeline::Record;
use std::io::{self, Write};

/// Writes the JSON document one frame at a time (never built in memory).
///
/// Each frame sits on a line of its own inside `frames`, so `grep` and `head` stay useful.
/// The stages' records follow `frames` in one array per kind (`"reassembly": [...]`, one
/// record per line), spooled to temporary files meanwhile. When reading stopped at a damaged
/// tail, a `stopped_early` object follows `summary`. Give it a buffered writer, as for
/// [`NdjsonDumper`](super::NdjsonDumper).
pub struct JsonDumper<W: Write> {
    out: W,
    item: Vec<u8>,
    frames: u64,
    sections: Sections,
}

impl<W: Write> JsonDumper<W> {
    /// A dumper writing to `out`.
    pub fn new(out: W) -> Self {
        JsonDumper {
            out,
            item: Vec::with_capacity(4096),
            frames: 0,
            sections: Sections::default(),
        }
    }

    fn write_frame(&mut self, frame: &Frame) -> io::Result<()> {
        self.item.clear();
        self.item
            .extend_from_slice(if self.frames == 0 { b"\n" } else { b",\n" });
        super::frame_json::write_frame_json(&mut self.item, frame)?;
        self.frames += 1;
        self.out.write_all(&self.item)
    }
}

impl<W: Write> FrameSink for JsonDumper<W> {
    fn frame(&mut self, _raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        self.write_frame(frame)
    }
}

impl<W: Write> Dumper for JsonDumper<W> {
    fn begin(&mut self, info: &CaptureInfo) -> io::Result<()> {
        self.out.write_all(b"{\"file\":")?;
        serde_json::to_writer(&mut self.out, info)?;
        self.out.write_all(b",\"frames\":[")
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        if let Some(frame) = record.as_frame() {
            return self.write_frame(frame);
        }
        let kind = record.kind();
        self.item.clear();
        self.item
            .extend_from_slice(if self.sections.count(kind) == 0 {
                b"\n"
            } else {
                b",\n"
            });
        serde_json::to_writer(&mut self.item, record)?;
        self.sections.push(kind, &self.item)
    }

    fn finish(&mut self, summary: &Summary, stopped: Option<&StoppedEarly>) -> io::Result<()> {
        self.out
            .write_all(if self.frames == 0 { b"],\n" } else { b"\n],\n" })?;
        self.sections.drain_into(
            &mut self.out,
            |kind, out| write!(out, "\"{}\":[", kind.section()),
            |_, out| out.write_all(b"\n],\n"),
        )?;
        self.out.write_all(b"\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary)?;
        if let Some(stopped) = stopped {
            self.out.write_all(b",\n\"stopped_early\":")?;
            serde_json::to_writer(&mut self.out, stopped)?;
        }
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}
