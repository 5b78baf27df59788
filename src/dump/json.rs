//! `json`: one document `{"file": …, "frames": […], "summary": …}`, written incrementally.

use super::encoder::{Encoder, EncodingDumper, Placement};
use super::frame_json::{self, Stage};
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::model::{Frame, Summary};
use crate::pipeline::{Record, RecordKind};
use std::io;

/// Encodes the JSON document one frame at a time (never built in memory).
///
/// Each frame sits on a line of its own inside `frames`, so `grep` and `head` stay useful.
/// The stages' records follow `frames` in one array per kind (`"reassembly": [...]`, one
/// record per line). When reading stopped at a damaged tail, a `stopped_early` object follows
/// `summary`.
#[derive(Clone, Debug, Default)]
pub struct JsonEncoder {
    /// The frame writers' staging buffer, reused for every frame.
    stage: Stage,
}

/// Writes the JSON document (see [`JsonEncoder`]); give it a buffered writer, as for
/// [`NdjsonDumper`](super::NdjsonDumper). Sectioned records are spooled to temporary files.
pub type JsonDumper<W> = EncodingDumper<JsonEncoder, W>;

/// What precedes the element at `index` of an array.
fn separator(index: u64) -> &'static [u8] {
    if index == 0 { b"\n" } else { b",\n" }
}

impl Encoder for JsonEncoder {
    fn placement(&self) -> Placement {
        Placement::Sections
    }

    fn begin(&mut self, info: &CaptureInfo, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(b"{\"file\":");
        serde_json::to_writer(&mut *out, info)?;
        out.extend_from_slice(b",\"frames\":[");
        Ok(())
    }

    fn frame(
        &mut self,
        _raw: &RawFrame<'_>,
        frame: &Frame,
        index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        out.extend_from_slice(separator(index));
        Ok(frame_json::write_frame_json(out, &mut self.stage, frame)?)
    }

    fn record(&mut self, record: &Record, index: u64, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(separator(index));
        frame_json::write_record_json(out, &mut self.stage, record)?;
        Ok(())
    }

    fn end_frames(&self, frames: u64, out: &mut Vec<u8>) {
        out.extend_from_slice(if frames == 0 { b"],\n" } else { b"\n],\n" });
    }

    fn section_begin(&self, kind: RecordKind, out: &mut Vec<u8>) {
        out.push(b'"');
        out.extend_from_slice(kind.section().as_bytes());
        out.extend_from_slice(b"\":[");
    }

    fn section_end(&self, _kind: RecordKind, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\n],\n");
    }

    fn finish(
        &mut self,
        summary: &Summary,
        stopped: Option<&StoppedEarly>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        out.extend_from_slice(b"\"summary\":");
        serde_json::to_writer(&mut *out, summary)?;
        if let Some(stopped) = stopped {
            out.extend_from_slice(b",\n\"stopped_early\":");
            serde_json::to_writer(&mut *out, stopped)?;
        }
        out.extend_from_slice(b"}\n");
        Ok(())
    }
}
