//! Output destinations: stdout, or a file written under a temporary name and renamed into
//! place only when the report is complete (a partial file never looks finished).

use super::background::BackgroundWriter;
use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where a report goes. For a file, call [`Output::commit`] once the report is complete;
/// dropping an uncommitted file output removes the partial file.
#[derive(Debug)]
pub struct Output {
    target: Option<Target>,
}

#[derive(Debug)]
struct Target {
    path: PathBuf,
    temp: PathBuf,
}

impl Output {
    /// Standard output, with the (buffered, background) writer to use for it.
    pub fn stdout() -> (Output, Box<dyn Write>) {
        let writer = BackgroundWriter::new(io::stdout());
        (Output { target: None }, Box::new(writer))
    }

    /// A file at `path`, written first as a hidden temporary file beside it; the writer is
    /// buffered and writes on a background thread.
    pub fn file(path: &Path) -> Result<(Output, Box<dyn Write>)> {
        let name = path
            .file_name()
            .ok_or_else(|| Error::Usage(format!("{}: not a file name", path.display())))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".pcapkit-{}.tmp", std::process::id()));
        let temp = path.with_file_name(temp_name);
        let file = File::create(&temp).map_err(|source| Error::Write {
            path: path.to_owned(),
            source,
        })?;
        let target = Target {
            path: path.to_owned(),
            temp,
        };
        Ok((
            Output {
                target: Some(target),
            },
            Box::new(BackgroundWriter::new(file)),
        ))
    }

    /// The final path, or `None` for stdout.
    pub fn path(&self) -> Option<&Path> {
        self.target.as_ref().map(|t| t.path.as_path())
    }

    /// Moves a complete file report into place. Call after the writer has been dropped.
    pub fn commit(mut self) -> Result<()> {
        if let Some(target) = self.target.take() {
            fs::rename(&target.temp, &target.path).map_err(|source| {
                let _ = fs::remove_file(&target.temp);
                Error::Write {
                    path: target.path.clone(),
                    source,
                }
            })?;
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(target) = self.target.take() {
            let _ = fs::remove_file(&target.temp);
        }
    }
}
