//! The bench input dissected in memory, for the benches of what comes after dissection
//! (`dumpers`, `arrow`); include it beside `common` with `#[path = "common/dissected.rs"]`.

use super::common::{OwnedFrame, bench_input, load};
use pcapkit::capture::CaptureInfo;
use pcapkit::engine::native::NativeDissector;
use pcapkit::engine::{DissectOptions, Dissector};
use pcapkit::model::Frame;
use std::path::PathBuf;

/// The bench input's path, header, and frames with their native dissection.
pub type Dissected = (PathBuf, CaptureInfo, Vec<(OwnedFrame, Frame)>);

/// Reads and dissects the bench input (see [`bench_input`]).
pub fn load_dissected() -> pcapkit::Result<Dissected> {
    let path = bench_input().map_err(|source| pcapkit::Error::Read {
        path: "bench input".into(),
        source,
    })?;
    let (info, frames) = load(&path)?;
    let opts = DissectOptions::default();
    let dissected = frames
        .into_iter()
        .map(|owned| {
            let frame = NativeDissector.dissect(&owned.raw(), &opts);
            (owned, frame)
        })
        .collect();
    Ok((path, info, dissected))
}
