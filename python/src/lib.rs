//! `pcapkit_rs`: the Python binding of pcapkit.
//!
//! - `extract(fin, fout=None, format=None, ...)`: PyPCAPKit's verb; frames as dicts with the
//!   keys of pcapkit's JSON frame model, and the report written through pcapkit's output path.
//! - `frames_arrow(path, ...)`: the frames as a lazy `pyarrow.RecordBatchReader` (pcapkit's
//!   flat Arrow schema, handed over through the Arrow C stream interface).
//! - `PcapkitError`: raised for a file that is not a capture pcapkit reads; bad arguments
//!   raise `ValueError`, unreadable input and unwritable output `OSError` (by errno:
//!   `FileNotFoundError`, `PermissionError`, ...).
//!
//! Reading and dissecting run with the GIL released.

#![warn(missing_docs)]

mod arrow;
mod errors;
mod extract;
mod options;

use pyo3::prelude::*;

/// The module `pcapkit_rs`.
#[pymodule]
fn pcapkit_rs(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PcapkitError", m.py().get_type::<errors::PcapkitError>())?;
    m.add_function(wrap_pyfunction!(extract::extract, m)?)?;
    m.add_class::<extract::Extraction>()?;
    m.add_function(wrap_pyfunction!(arrow::frames_arrow, m)?)?;
    Ok(())
}
