//! pcapkit's errors as Python exceptions.

use pcapkit::Error;
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::{PyErr, create_exception};
use std::io;
use std::path::Path;

create_exception!(
    pcapkit_rs,
    PcapkitError,
    PyException,
    "The input is not a capture pcapkit can read (bad magic, damaged header, ...)."
);

/// Maps a library error to the Python exception a caller would expect.
pub(crate) fn to_py(err: Error) -> PyErr {
    match err {
        Error::Read { path, source } | Error::Write { path, source } => os_error(&path, &source),
        Error::Format { .. } => PcapkitError::new_err(err.to_string()),
        Error::Usage(message) => PyValueError::new_err(message),
    }
}

/// An `OSError` built as `OSError(errno, strerror, filename)`, so Python picks the subclass
/// (`FileNotFoundError`, `PermissionError`, `IsADirectoryError`, ...) from the errno.
fn os_error(path: &Path, source: &io::Error) -> PyErr {
    let filename = path.display().to_string();
    match source.raw_os_error() {
        Some(errno) => PyOSError::new_err((errno, source.to_string(), filename)),
        None => PyOSError::new_err(format!("{filename}: {source}")),
    }
}
