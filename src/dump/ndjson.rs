//! `ndjson`: one frame object per line, for jq, Spark and Elasticsearch; the records of the
//! stages are lines of their own (`{"record":"reassembly",...}`) after their frame.

use super::encoder::{Encoder, EncodingDumper, Placement};
use super::frame_json::{self, Stage};
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::model::{Frame, Summary};
use crate::pipeline::Record;
use std::io;
use std::sync::Arc;

/// Encodes each frame as one line of JSON; nothing before or after the frames.
#[derive(Clone, Debug, Default)]
pub struct NdjsonEncoder {
    /// `"file":"<input>",` put first in every line ([`NdjsonEncoder::tagged`]), if any.
    file_field: Option<Arc<[u8]>>,
    /// The frame writers' staging buffer, reused for every line.
    stage: Stage,
}

impl NdjsonEncoder {
    /// An encoder whose every line starts with `"file":"<input>"`, naming the capture it
    /// comes from (several inputs concatenated on one stream).
    pub fn tagged(input: &str) -> NdjsonEncoder {
        let mut field = b"\"file\":".to_vec();
        // A string always serializes.
        let _ = serde_json::to_writer(&mut field, input);
        field.push(b',');
        NdjsonEncoder {
            file_field: Some(field.into()),
            stage: Stage::default(),
        }
    }

    /// Puts the file field after the `{` of the line that starts at `start`.
    fn tag(&self, out: &mut Vec<u8>, start: usize) {
        if let Some(field) = &self.file_field
            && out.get(start) == Some(&b'{')
        {
            out.splice(start + 1..start + 1, field.iter().copied());
        }
    }
}

/// Writes each frame as one line of JSON (see [`NdjsonEncoder`]).
///
/// Each line is encoded into a reused buffer and written with one `write_all`: give it a
/// buffered writer (a `BufWriter`, or the writers of [`Output`](super::Output)).
pub type NdjsonDumper<W> = EncodingDumper<NdjsonEncoder, W>;

impl Encoder for NdjsonEncoder {
    fn placement(&self) -> Placement {
        Placement::Inline
    }

    fn begin(&mut self, _info: &CaptureInfo, _out: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }

    fn frame(
        &mut self,
        _raw: &RawFrame<'_>,
        frame: &Frame,
        _index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let start = out.len();
        frame_json::write_frame_json(out, &mut self.stage, frame)?;
        self.tag(out, start);
        out.push(b'\n');
        Ok(())
    }

    /// Untagged lines go straight into the writer's buffer (a tag is spliced in afterwards).
    fn in_place(&self) -> bool {
        self.file_field.is_none()
    }

    fn frame_in_place(
        &mut self,
        _raw: &RawFrame<'_>,
        frame: &Frame,
        _index: u64,
        window: &mut [u8],
        spill: &mut Vec<u8>,
    ) -> io::Result<usize> {
        Ok(frame_json::write_frame_line(
            window,
            spill,
            &mut self.stage,
            frame,
        )?)
    }

    /// Untagged record lines go straight into the writer's buffer too.
    fn record_in_place(
        &mut self,
        record: &Record,
        _index: u64,
        window: &mut [u8],
        spill: &mut Vec<u8>,
    ) -> io::Result<usize> {
        Ok(frame_json::write_record_line(
            window,
            spill,
            &mut self.stage,
            record,
        )?)
    }

    fn record(&mut self, record: &Record, _index: u64, out: &mut Vec<u8>) -> io::Result<()> {
        let start = out.len();
        frame_json::write_record_json(out, &mut self.stage, record)?;
        self.tag(out, start);
        out.push(b'\n');
        Ok(())
    }

    fn finish(&mut self, _: &Summary, _: Option<&StoppedEarly>, _: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }
}
