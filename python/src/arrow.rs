//! `frames_arrow()`: the frames as a lazy `pyarrow.RecordBatchReader`, through the Arrow C
//! stream interface (`__arrow_c_stream__`, a PyCapsule named "arrow_array_stream").

use crate::errors::to_py;
use crate::options::dissect_options;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
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
    batches: Mutex<Option<FrameBatches>>,
}

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
        batches: Mutex::new(Some(batches)),
    };
    py.import("pyarrow")?
        .getattr("RecordBatchReader")?
        .call_method1("from_stream", (stream,))
}
