//! The trace folder's index: `index.ndjson`, one line per flow as it ends, and `index.json`,
//! the same entries sorted by protocol and id, written at the end.
//!
//! Memory stays bounded by the open flows: an entry is serialized once, when its flow ends,
//! into a spill file in the folder (`.index.pcapkit-PID.spill`, created with `create_new`),
//! and only its place there (12 bytes a flow) is kept. At the end both indexes are written
//! with the project's [`Output`] (temporary name, renamed when complete): `index.ndjson` is
//! the spill in end order, `index.json` its lines read back in id order. A flow resumed after
//! it ended (a late frame) has a later line with the same id: that line, the flow's final
//! account, is the one `index.json` lists. A failed run leaves neither index (and removes the
//! spill).

use super::files::create_new;
use super::key::Transport;
use super::table::Flow;
use crate::dump::Output;
use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Name of the streaming index.
pub const NDJSON: &str = "index.ndjson";
/// Name of the sorted index.
pub const JSON: &str = "index.json";

/// Where each flow's latest line is in `index.ndjson`: (offset, length) by id, per transport.
type Places = [Vec<(u64, u32)>; 2];

/// Writes `index.ndjson` as flows end, and `index.json` at the end.
pub struct Index {
    dir: PathBuf,
    spill_path: PathBuf,
    spill: BufWriter<File>,
    written: u64,
    places: Places,
    line: Vec<u8>,
}

impl Index {
    /// Starts the index of the trace folder `dir` (the spill file).
    pub fn create(dir: &Path) -> Result<Index> {
        let spill_path = dir.join(format!(".index.pcapkit-{}.spill", std::process::id()));
        let spill = create_new(&spill_path).map_err(|source| Error::Write {
            path: spill_path.clone(),
            source,
        })?;
        Ok(Index {
            dir: dir.to_owned(),
            spill_path,
            spill: BufWriter::with_capacity(1 << 16, spill),
            written: 0,
            places: [Vec::new(), Vec::new()],
            line: Vec::with_capacity(512),
        })
    }

    /// Appends the entry of a flow that ended.
    pub fn add(&mut self, flow: &Flow) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, flow)?;
        self.line.push(b'\n');
        self.spill.write_all(&self.line)?;
        let places = &mut self.places[flow.transport.index()];
        let id = usize::try_from(flow.id).map_err(io::Error::other)?;
        if places.len() <= id {
            places.resize(id + 1, (0, 0));
        }
        places[id] = (self.written, self.line.len() as u32);
        self.written += self.line.len() as u64;
        Ok(())
    }

    /// Writes `index.ndjson` (entries in end order) and `index.json` (`{"flows": [...]}`,
    /// TCP flows by id, then UDP conversations by id), then removes the spill.
    pub fn finish(mut self) -> Result<()> {
        let spill_err = |source| Error::Write {
            path: self.spill_path.clone(),
            source,
        };
        self.spill.flush().map_err(spill_err)?;
        let mut src = File::open(&self.spill_path).map_err(spill_err)?;
        let len = src.metadata().map_err(spill_err)?.len();
        if len != self.written {
            return Err(spill_err(io::Error::other(
                "changed while the index was being written",
            )));
        }
        write_atomically(&self.dir.join(NDJSON), |out| {
            io::copy(&mut (&mut src).take(len), out).map(drop)
        })?;
        write_atomically(&self.dir.join(JSON), |out| {
            copy_sorted(&mut src, &self.places, out)
        })
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.spill_path);
    }
}

/// Writes `path` through [`Output`]: complete, or not at all. A plain `BufWriter` over the
/// destination, not a background writer thread: the run is over when the index is written,
/// so a thread would overlap nothing (and cost two thread starts per trace run).
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let (output, out) = Output::open(path, None)?;
    let mut out = BufWriter::with_capacity(1 << 16, out);
    body(&mut out)
        .and_then(|()| out.flush())
        .map_err(|source| Error::Write {
            path: path.to_owned(),
            source,
        })?;
    drop(out);
    output.commit()
}

/// Writes `{"flows": [...]}` from the lines at `places` in `src`.
fn copy_sorted(src: &mut File, places: &Places, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\"flows\": [")?;
    let mut line = Vec::new();
    let mut first = true;
    let mut at = u64::MAX;
    for transport in [Transport::Tcp, Transport::Udp] {
        for &(offset, len) in &places[transport.index()] {
            if len == 0 {
                continue;
            }
            if offset != at {
                src.seek(SeekFrom::Start(offset))?;
            }
            line.resize(len as usize, 0);
            src.read_exact(&mut line)?;
            at = offset + u64::from(len);
            out.write_all(if first { b"\n  " } else { b",\n  " })?;
            out.write_all(line.strip_suffix(b"\n").unwrap_or(&line))?;
            first = false;
        }
    }
    out.write_all(if first { b"]}\n" } else { b"\n]}\n" })
}
