//! Spools for the records `json` and `plist` list in sections after `frames`.
//!
//! A document lists frames first and then, per record kind, the records the stages emitted
//! (`"reassembly": [...]`, `"flows": [...]`). Records arrive interleaved with frames, so each
//! kind's encoded records go to an anonymous temporary file (created at the kind's first
//! record, deleted by the system when closed) and are copied into the report at its end:
//! memory stays flat however many records a run emits.

use crate::pipeline::RecordKind;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

/// One kind's spooled records.
struct Spool {
    file: BufWriter<File>,
    count: u64,
}

/// The spooled records of every kind, in [`RecordKind::ALL`] order.
#[derive(Default)]
pub(crate) struct Sections {
    spools: Vec<Option<Spool>>,
}

impl Sections {
    /// How many records of `kind` are spooled (the next one's index in its section).
    pub(crate) fn count(&self, kind: RecordKind) -> u64 {
        self.spools
            .get(kind.index())
            .and_then(Option::as_ref)
            .map_or(0, |spool| spool.count)
    }

    /// Appends one encoded record of `kind`.
    pub(crate) fn push(&mut self, kind: RecordKind, bytes: &[u8]) -> io::Result<()> {
        if self.spools.len() <= kind.index() {
            self.spools.resize_with(kind.index() + 1, || None);
        }
        let slot = &mut self.spools[kind.index()];
        if slot.is_none() {
            *slot = Some(Spool {
                file: BufWriter::with_capacity(64 * 1024, tempfile::tempfile()?),
                count: 0,
            });
        }
        if let Some(spool) = slot {
            spool.file.write_all(bytes)?;
            spool.count += 1;
        }
        Ok(())
    }

    /// Writes every kind that has records: `open(kind)`, its records, `close(kind)`; empties
    /// the spools.
    pub(crate) fn drain_into(
        &mut self,
        out: &mut dyn Write,
        mut open: impl FnMut(RecordKind, &mut dyn Write) -> io::Result<()>,
        mut close: impl FnMut(RecordKind, &mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        for (index, slot) in self.spools.iter_mut().enumerate() {
            let (Some(spool), Some(&kind)) = (slot.take(), RecordKind::ALL.get(index)) else {
                continue;
            };
            let mut file = spool
                .file
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?;
            file.rewind()?;
            open(kind, out)?;
            io::copy(&mut file, out)?;
            close(kind, out)?;
        }
        Ok(())
    }
}
