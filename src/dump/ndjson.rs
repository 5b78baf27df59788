//! `ndjson`: one frame object per line, for jq, Spark and Elasticsearch; the records of the
//! stages are lines of their own (`{"record":"reassembly",...}`) after their frame.

use super::encoder::{Encoder, EncodingDumper, Placement};
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::model::{Frame, Summary};
use crate::pipeline::Record;
use std::io;

/// Encodes each frame as one line of JSON; nothing before or after the frames.
#[derive(Clone, Copy, Debug, Default)]
pub struct NdjsonEncoder;

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
        super::frame_json::write_frame_json(out, frame)?;
        out.push(b'\n');
        Ok(())
    }

    fn record(&mut self, record: &Record, _index: u64, out: &mut Vec<u8>) -> io::Result<()> {
        super::frame_json::write_record_json(out, record)?;
        out.push(b'\n');
        Ok(())
    }

    fn finish(&mut self, _: &Summary, _: Option<&StoppedEarly>, _: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }
}
