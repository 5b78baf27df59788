//! Output destinations: stdout, or a path judged before anything is written (see
//! `target.rs`): a regular file or a new name is written under a temporary name beside it and
//! renamed into place only when the report is complete (a partial file never looks finished,
//! a failed run leaves an existing report untouched); a device, FIFO, socket or `/dev/std*`
//! is written in place; a symlink is written through to its target; the input is refused.

use super::background::BackgroundWriter;
use super::encoder::ReportWrite;
use super::pipe;
use super::target::{self, Destination};
use super::temp::TempFile;
use crate::capture::FileId;
use crate::error::{Error, Result};
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

/// Where a report goes. Call [`Output::commit`] once the report is complete (after dropping
/// its writer); dropping an uncommitted output removes the temporary file, if there is one.
#[derive(Debug)]
pub struct Output {
    /// The path as given; `None` for stdout.
    path: Option<PathBuf>,
    /// For an atomic write: the temporary file and the file it replaces.
    pending: Option<(TempFile, PathBuf)>,
}

impl Output {
    /// Standard output, with the (buffered, background) writer to use for it.
    pub fn stdout() -> (Output, Box<dyn ReportWrite>) {
        pipe::widen(io::stdout());
        let writer = BackgroundWriter::new(io::stdout());
        (
            Output {
                path: None,
                pending: None,
            },
            Box::new(writer),
        )
    }

    /// The destination `path` (see the module docs); the writer is buffered and writes on a
    /// background thread.
    pub fn file(path: &Path) -> Result<(Output, Box<dyn ReportWrite>)> {
        Output::file_except(path, None)
    }

    /// Like [`Output::file`], but refuses (with [`Error::Usage`]) a path that is the file
    /// `input` identifies (see [`CaptureReader::file_id`](crate::capture::CaptureReader::file_id)).
    pub fn file_except(
        path: &Path,
        input: Option<FileId>,
    ) -> Result<(Output, Box<dyn ReportWrite>)> {
        Output::file_excluding(path, input.as_slice())
    }

    /// Like [`Output::file_except`], refusing every file of `inputs` (a run over several
    /// captures: no report may be any of them).
    pub fn file_excluding(
        path: &Path,
        inputs: &[FileId],
    ) -> Result<(Output, Box<dyn ReportWrite>)> {
        let (output, destination) = Output::open_excluding(path, inputs)?;
        Ok((output, Box::new(BackgroundWriter::new(destination))))
    }

    /// Checks, writing nothing, that `path` could be a report's destination: not one of
    /// `inputs`, not a folder (the same judgement as [`Output::file_excluding`]).
    pub fn check(path: &Path, inputs: &[FileId]) -> Result<()> {
        target::resolve(path, inputs).map(drop)
    }

    /// Like [`Output::file_except`], with an unbuffered writer (for small reports written in
    /// one call).
    pub fn open(path: &Path, input: Option<FileId>) -> Result<(Output, Box<dyn Write + Send>)> {
        Output::open_excluding(path, input.as_slice())
    }

    /// Like [`Output::open`], refusing every file of `inputs`.
    pub fn open_excluding(
        path: &Path,
        inputs: &[FileId],
    ) -> Result<(Output, Box<dyn Write + Send>)> {
        let failed = |source| Error::Write {
            path: path.to_owned(),
            source,
        };
        let mut output = Output {
            path: Some(path.to_owned()),
            pending: None,
        };
        let writer: Box<dyn Write + Send> = match target::resolve(path, inputs)? {
            Destination::Stdout => {
                pipe::widen(io::stdout());
                Box::new(io::stdout())
            }
            Destination::InPlace { path, append } => {
                // No truncation and no creation: a device stays a device.
                let file = OpenOptions::new()
                    .write(true)
                    .append(append)
                    .open(path)
                    .map_err(failed)?;
                pipe::widen(&file);
                Box::new(file)
            }
            Destination::Socket(path) => Box::new(UnixStream::connect(path).map_err(failed)?),
            Destination::Atomic(final_path) => {
                let (temp, file) = TempFile::beside(&final_path).map_err(failed)?;
                output.pending = Some((temp, final_path));
                Box::new(file)
            }
        };
        Ok((output, writer))
    }

    /// The path as given, or `None` for stdout.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Moves a complete report into place (nothing to do for a destination written in
    /// place). Call after the writer has been dropped.
    pub fn commit(mut self) -> Result<()> {
        if let Some((temp, final_path)) = self.pending.take() {
            temp.persist(&final_path).map_err(|source| Error::Write {
                path: self.path.clone().unwrap_or(final_path),
                source,
            })?;
        }
        Ok(())
    }
}
