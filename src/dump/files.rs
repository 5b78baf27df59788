//! `-F/--files`: one report file per frame inside a folder.

use super::{Dumper, Format, Output};
use crate::capture::{CaptureInfo, FileId, RawFrame, StoppedEarly};
use crate::engine::FrameSink;
use crate::error::{Error, Result};
use crate::model::{Frame, Summary};
use crate::pipeline::Record;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes each frame as a complete report of its own, `DIR/frame-000001.EXT` and so on.
///
/// Each file is the document the format writes for a capture of that one frame: `json` and
/// `plist` the whole document (`file`, a one-element `frames`, the one frame's `summary`),
/// `ndjson` one line, `tree` one block and its totals, `pcap` a one-frame pcap. Numbers are
/// zero-padded to six digits and widen past 999,999 (`frame-1000000.json`): the frame count
/// is not known while streaming. Each file is an [`Output`]: written under a hidden temporary
/// name and renamed when complete (through a symlink to its target; the folder itself may be
/// a symlink).
pub struct FilesDumper {
    format: Format,
    dir: PathBuf,
    info: Option<CaptureInfo>,
    buffer: Vec<u8>,
    inputs: Vec<FileId>,
}

impl FilesDumper {
    /// Creates the folder `dir` (and its parents) if missing; fails if it is not a folder.
    pub fn new(format: Format, dir: &Path) -> Result<FilesDumper> {
        let failed = |source| Error::Write {
            path: dir.to_owned(),
            source,
        };
        fs::create_dir_all(dir).map_err(failed)?;
        if !fs::metadata(dir).map_err(failed)?.is_dir() {
            return Err(failed(io::Error::other("not a folder")));
        }
        Ok(FilesDumper {
            format,
            dir: dir.to_owned(),
            info: None,
            buffer: Vec::with_capacity(8192),
            inputs: Vec::new(),
        })
    }

    /// Refuses to write any frame file that is the file `input` identifies.
    pub fn except(self, input: Option<FileId>) -> FilesDumper {
        self.except_all(input.as_slice())
    }

    /// Refuses to write any frame file that is one of `inputs`.
    pub fn except_all(mut self, inputs: &[FileId]) -> FilesDumper {
        self.inputs = inputs.to_vec();
        self
    }

    /// The name of frame `number`'s file: `frame-000042.json`.
    pub fn file_name(format: Format, number: u64) -> String {
        format!("frame-{number:06}.{}", format.extension())
    }
}

impl FrameSink for FilesDumper {
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        let info = self.info.as_ref().ok_or_else(|| {
            io::Error::other("FilesDumper::begin was not called before the first frame")
        })?;
        self.buffer.clear();
        {
            let mut dumper = self.format.dumper(Box::new(&mut self.buffer));
            dumper.begin(info)?;
            dumper.frame(raw, frame)?;
            let mut summary = Summary::default();
            summary.add(frame);
            dumper.finish(&summary, None)?;
        }
        let path = self
            .dir
            .join(FilesDumper::file_name(self.format, frame.number));
        let failed = |err: Error| match err {
            Error::Write { source, .. } => {
                io::Error::new(source.kind(), format!("{}: {source}", path.display()))
            }
            other => io::Error::other(other.to_string()),
        };
        let (output, mut writer) = Output::open_excluding(&path, &self.inputs).map_err(failed)?;
        writer
            .write_all(&self.buffer)
            .and_then(|()| writer.flush())
            .map_err(|err| io::Error::new(err.kind(), format!("{}: {err}", path.display())))?;
        drop(writer);
        output.commit().map_err(failed)
    }
}

impl Dumper for FilesDumper {
    fn begin(&mut self, info: &CaptureInfo) -> io::Result<()> {
        self.info = Some(info.clone());
        Ok(())
    }

    /// `-F` writes frames only.
    fn record(&mut self, _record: &Record) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary, _stopped: Option<&StoppedEarly>) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_pad_to_six_digits_and_widen() {
        assert_eq!(FilesDumper::file_name(Format::Json, 1), "frame-000001.json");
        assert_eq!(
            FilesDumper::file_name(Format::Pcap, 1_234_567),
            "frame-1234567.pcap"
        );
        assert_eq!(
            FilesDumper::file_name(Format::Tree, 999_999),
            "frame-999999.txt"
        );
    }

    #[test]
    fn a_file_in_the_way_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"x").unwrap();
        assert!(FilesDumper::new(Format::Json, &file).is_err());
        assert!(FilesDumper::new(Format::Json, &dir.path().join("a/b")).is_ok());
        assert!(dir.path().join("a/b").is_dir());
    }
}
