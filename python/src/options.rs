//! Keyword arguments shared by `extract` and `frames_arrow`, turned into pcapkit options.

use crate::errors::to_py;
use pcapkit::{EngineKind, Options, Stop};
use pyo3::PyResult;

/// `engine=`, `layer=`, `protocol=`, `threads=` as library [`Options`] (unknown names raise
/// `ValueError` with the list of valid ones).
pub(crate) fn dissect_options(
    engine: Option<&str>,
    layer: Option<&str>,
    protocol: Option<&str>,
    threads: usize,
) -> PyResult<Options> {
    let engine: EngineKind = engine.unwrap_or("native").parse().map_err(to_py)?;
    let stop = Stop::from_names(protocol, layer).map_err(to_py)?;
    Ok(Options::default()
        .engine(engine)
        .stop(stop)
        .threads(threads))
}
