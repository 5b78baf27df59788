//! The library's error type: file-level problems (a frame-level problem is a [`FrameError`]).
//!
//! [`FrameError`]: crate::model::FrameError

use std::io;
use std::path::PathBuf;

/// Something that stops a whole run: unreadable input, unwritable output, bad arguments.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The input path (`-` for stdin).
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The input is not a capture pcapkit can read.
    #[error("{path}: {reason}")]
    Format {
        /// The input path.
        path: PathBuf,
        /// What is wrong, e.g. `not a pcap or pcapng file (magic 0x7f454c46)`.
        reason: String,
    },
    /// The output could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The output path (`-` for stdout).
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// An option has a value pcapkit does not accept.
    #[error("{0}")]
    Usage(String),
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
