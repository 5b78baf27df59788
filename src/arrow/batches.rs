//! [`FrameBatches`]: a streaming [`RecordBatchReader`] over the frames of an [`Extractor`].

use super::columns::FrameColumns;
use super::schema::schema;
use crate::capture::StoppedEarly;
use crate::error::{Error, Result};
use crate::model::Summary;
use crate::{Extractor, Frames};
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};

/// Rows per batch unless told otherwise (64 Ki).
pub const DEFAULT_BATCH_ROWS: usize = 65_536;

/// The frames of a capture as Arrow record batches of [`schema()`], `batch_rows` rows each
/// (the last one shorter).
///
/// One batch is built at a time, as the iterator is advanced: memory is flat in the input's
/// size. The extractor's options apply (engine, `-P`/`-L` stop, stages); the frames are
/// dissected on the calling thread, as by [`Extractor::frames`].
///
/// ```no_run
/// use pcapkit::Extractor;
/// use pcapkit::arrow::{DEFAULT_BATCH_ROWS, FrameBatches};
///
/// let batches = FrameBatches::new(Extractor::open("capture.pcap")?, DEFAULT_BATCH_ROWS)?;
/// for batch in batches {
///     println!("{} rows", batch?.num_rows());
/// }
/// # Ok::<(), pcapkit::Error>(())
/// ```
pub struct FrameBatches {
    frames: Frames,
    columns: FrameColumns,
    batch_rows: usize,
}

impl FrameBatches {
    /// Batches of `batch_rows` rows over `extractor`'s frames; [`Error::Usage`] when
    /// `batch_rows` is 0.
    pub fn new(extractor: Extractor, batch_rows: usize) -> Result<FrameBatches> {
        if batch_rows == 0 {
            return Err(Error::Usage("an Arrow batch needs at least one row".into()));
        }
        Ok(FrameBatches {
            frames: extractor.frames(),
            columns: FrameColumns::with_capacity(batch_rows.min(DEFAULT_BATCH_ROWS)),
            batch_rows,
        })
    }

    /// The totals of the frames read so far.
    pub fn summary(&self) -> Summary {
        self.frames.summary()
    }

    /// Where reading stopped before the end of the input, once the batches are exhausted.
    pub fn stopped_early(&self) -> Option<&StoppedEarly> {
        self.frames.stopped_early()
    }
}

impl Iterator for FrameBatches {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.columns.rows() < self.batch_rows {
            match self.frames.next() {
                Some(frame) => self.columns.push(&frame),
                None => break,
            }
        }
        (self.columns.rows() > 0).then(|| self.columns.finish())
    }
}

impl RecordBatchReader for FrameBatches {
    fn schema(&self) -> SchemaRef {
        schema()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}

    #[test]
    fn batches_can_move_to_another_thread() {
        assert_send::<FrameBatches>();
    }
}
