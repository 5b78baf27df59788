//! `frames_arrow()`: the frames as a lazy `pyarrow.RecordBatchReader`, through the Arrow C
//! stream interface (`__arrow_c_stream__`, a PyCapsule named "arrow_array_stream").

use crate::errors::to_py;
use crate::options::dissect_options;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use pcapkit::Extractor;
use pcapkit::arrow::{DEFAULT_BATCH_ROWS, FrameBatches};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CString;
use std::path::PathBuf;
use std::sync::Mutex;

/// The frames of one capture as an Arrow stream, exported once through
/// `__arrow_c_stream__` (the Arrow PyCapsule interface: pyarrow imports it without a copy).
///
/// Each batch is read and dissected when the consumer asks for it; pyarrow asks with the GIL
/// released.
#[pyclass(frozen, module = "pcapkit_rs")]
pub(crate) struct FrameStream {
    batches: Mutex<Option<Trimmed>>,
}

/// [`FrameBatches`] that give the memory of the batches the consumer has released back to
/// the system before building the next one. Without it glibc keeps those freed buffers
/// resident (≈ 15 MB in a 64 Ki-row `for` loop over the 1M mix, for ≈ 1 % more CPU time;
/// BENCHMARKS.md, "Narrow columns and Python memory, session 11").
struct Trimmed(FrameBatches);

impl Iterator for Trimmed {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        release_freed_memory();
        self.0.next()
    }
}

impl RecordBatchReader for Trimmed {
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }
}

/// Returns the allocator's free pages to the system (glibc `malloc_trim`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_freed_memory() {
    // SAFETY: malloc_trim only walks glibc's own free lists; any pad is valid.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators return memory on their own terms: nothing to do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_freed_memory() {}

#[pymethods]
impl FrameStream {
    /// The stream as a PyCapsule (the Arrow PyCapsule interface); `requested_schema` is
    /// ignored: the schema is pcapkit's one frame schema. A stream exports once.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = self
            .batches
            .lock()
            .map_err(|_| PyValueError::new_err("the frame stream was poisoned by a panic"))?
            .take()
            .ok_or_else(|| PyValueError::new_err("the frame stream was already consumed"))?;
        let stream = FFI_ArrowArrayStream::new(Box::new(batches));
        let name = CString::from(c"arrow_array_stream");
        PyCapsule::new(py, stream, Some(name))
    }
}

/// The frames of the capture at `path` as a lazy `pyarrow.RecordBatchReader` of
/// `batch_rows`-row batches (pcapkit's flat frame schema, docs/ARROW-SCHEMA.md).
///
/// `engine`, `layer`, `protocol`: as `extract`. The capture is opened now (a missing or
/// foreign file raises here); frames are read as batches are.
#[pyfunction]
#[pyo3(signature = (path, engine=None, layer=None, protocol=None, batch_rows=DEFAULT_BATCH_ROWS))]
pub(crate) fn frames_arrow<'py>(
    py: Python<'py>,
    path: PathBuf,
    engine: Option<&str>,
    layer: Option<&str>,
    protocol: Option<&str>,
    batch_rows: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let options = dissect_options(engine, layer, protocol, 0)?;
    let batches = py
        .detach(|| FrameBatches::new(Extractor::open(&path)?.options(options), batch_rows))
        .map_err(to_py)?;
    let stream = FrameStream {
        batches: Mutex::new(Some(Trimmed(batches))),
    };
    py.import("pyarrow")?
        .getattr("RecordBatchReader")?
        .call_method1("from_stream", (stream,))
}
