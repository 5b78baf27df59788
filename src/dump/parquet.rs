//! `parquet` (cargo feature `parquet`): one row per frame in the Arrow schema of
//! [`crate::arrow`], zstd-compressed, for DuckDB, Spark, Polars and friends.
//!
//! Frames are collected into Arrow batches of [`WRITE_BATCH_ROWS`] rows and handed to the
//! `parquet` crate's `ArrowWriter`, which encodes them into row groups of [`ROW_GROUP_ROWS`]
//! rows. The writer works on an in-memory buffer that is emptied into the real output after
//! every batch: what is held is one batch of columns and one row group's encoders (its
//! dictionaries, page buffers and encoded pages, and a zstd context per compressed column),
//! whatever the capture's size. Records other than frames (reassembly, flows) are not rows and
//! are left out.
//!
//! The writer's settings, measured on the 1M-frame mix (BENCHMARKS.md, "Parquet and Arrow
//! memory, session 10" and "Parquet speed and Python memory, session 12"): row groups of
//! 32 Ki rows keep one job near 30 MB (64 Ki: 34 MB, the crate's default 1 Mi: the whole
//! capture's dictionaries), each column chunk one data page up to the crate's 1 MiB page size
//! limit; zstd level 1 except for the
//! [`RAW`] columns; dictionaries except for the [`DELTA`] ones (delta-encoded); min/max
//! statistics only for the [`PRUNED`] columns.

use crate::arrow::{FrameColumns, schema};
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::engine::FrameSink;
use crate::model::{Frame, Summary};
use crate::pipeline::Record;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::io::{self, Write};

use super::Dumper;

/// Rows per Arrow batch handed to the Parquet writer (and the writer's own batch): 16 Ki
/// rows cost 60 instructions a row less than 8 Ki and hold ≈ 2 MB more.
pub const WRITE_BATCH_ROWS: usize = 16_384;

/// Rows per Parquet row group: what bounds the writer's memory (see the module docs).
pub const ROW_GROUP_ROWS: usize = 32_768;

/// Columns delta-encoded instead of through a dictionary: mostly distinct values
/// (counters, times, sequence numbers), where a dictionary only costs, and the lengths
/// (`len`, `cap_len`, `payload_len`: ≈ 1,500 distinct values a row group), where the
/// dictionary's interning, bit-packing and zstd cost 278 instructions a row more than raw
/// deltas (the 1M mix's file grows 4.4 %; BENCHMARKS.md, session 15).
const DELTA: &[&str] = &[
    "number",
    "ts",
    "ts_ns",
    "len",
    "cap_len",
    "tcp_seq",
    "tcp_ack",
    "payload_len",
];

/// Columns stored uncompressed: zstd saved under 15 % of them on the 1M mix (delta-coded
/// times and sequence numbers, near-random TCP fields, columns almost always null or
/// constant), or ≈ 20 % of dictionary indices that are near-random (ports, DNS ids and
/// types, the protocol chain: 140 instructions a row for 3.9 % more file), or ≈ 5 % of the
/// delta-coded lengths (112 instructions a row for 0.8 % more file), and each compressed
/// column holds a zstd context of ≈ 220 KB.
const RAW: &[&str] = &[
    "number",
    "ts",
    "ts_ns",
    "len",
    "cap_len",
    "link_type",
    "interface",
    "error_layer",
    "error_offset",
    "error_reason",
    "tcp_flags",
    "tcp_flags_bits",
    "tcp_seq",
    "tcp_ack",
    "tcp_window",
    "payload_len",
    "protocols",
    "src_port",
    "dst_port",
    "dns_id",
    "dns_qtype",
    "dns_response",
];

/// Columns with chunk-level min/max statistics: the frame order and times, by which
/// readers skip row groups; other columns' statistics prune little and cost a comparison a
/// value.
const PRUNED: &[&str] = &["number", "ts", "ts_ns"];

/// Writes the frames as a Parquet file (see the module docs); give it a buffered writer.
pub struct ParquetDumper<W: Write> {
    out: W,
    columns: FrameColumns,
    row_group_rows: usize,
    /// The Parquet writer over its buffer, from the first write on until [`Dumper::finish`].
    writer: Option<ArrowWriter<Vec<u8>>>,
}

impl<W: Write> ParquetDumper<W> {
    /// A dumper writing row groups of [`ROW_GROUP_ROWS`] rows to `out`.
    pub fn new(out: W) -> ParquetDumper<W> {
        ParquetDumper::with_row_group_rows(out, ROW_GROUP_ROWS)
    }

    /// A dumper writing row groups of `rows` rows (at least 1) to `out`.
    pub fn with_row_group_rows(out: W, rows: usize) -> ParquetDumper<W> {
        ParquetDumper {
            out,
            columns: FrameColumns::with_capacity(WRITE_BATCH_ROWS.min(rows.max(1))),
            row_group_rows: rows.max(1),
            writer: None,
        }
    }

    /// The Parquet writer in `slot`, made at the first call (it writes the file's magic
    /// number) with row groups of `row_group_rows` rows.
    fn writer(
        slot: &mut Option<ArrowWriter<Vec<u8>>>,
        row_group_rows: usize,
    ) -> io::Result<&mut ArrowWriter<Vec<u8>>> {
        let writer = match slot.take() {
            Some(writer) => writer,
            None => {
                let mut properties = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .set_max_row_group_row_count(Some(row_group_rows))
                    // One data page a column chunk: no row limit below the row group's
                    // (checked after each write batch; the crate's default, 20,000 rows,
                    // cut chunks of 8 Ki-row batches in two), and the page size limit (the
                    // crate's 1 MiB) above the 1M mix's largest chunks (≈ 600 KB); a chunk
                    // of longer texts is still cut by size.
                    .set_data_page_row_count_limit(row_group_rows)
                    .set_write_batch_size(WRITE_BATCH_ROWS)
                    .set_statistics_enabled(EnabledStatistics::None)
                    .set_created_by(format!("pcapkit {}", env!("CARGO_PKG_VERSION")));
                for name in PRUNED {
                    let column = ColumnPath::from(*name);
                    properties =
                        properties.set_column_statistics_enabled(column, EnabledStatistics::Chunk);
                }
                for name in RAW {
                    let column = ColumnPath::from(*name);
                    properties =
                        properties.set_column_compression(column, Compression::UNCOMPRESSED);
                }
                for name in DELTA {
                    let column = ColumnPath::from(*name);
                    properties = properties
                        .set_column_dictionary_enabled(column.clone(), false)
                        .set_column_encoding(column, Encoding::DELTA_BINARY_PACKED);
                }
                ArrowWriter::try_new(Vec::new(), schema(), Some(properties.build()))
                    .map_err(io::Error::other)?
            }
        };
        Ok(slot.insert(writer))
    }

    /// Writes the rows collected so far as one batch, and what the writer encoded to `out`.
    fn write_batch(&mut self) -> io::Result<()> {
        let batch = self.columns.finish().map_err(io::Error::other)?;
        let writer = Self::writer(&mut self.writer, self.row_group_rows)?;
        writer.write(&batch).map_err(io::Error::other)?;
        writer.sync()?;
        let encoded = writer.inner_mut();
        // The writer counts the bytes it wrote itself: emptying its buffer is safe.
        self.out.write_all(encoded)?;
        encoded.clear();
        Ok(())
    }

    /// Appends one frame's row, writing a batch when it is full.
    fn push(&mut self, frame: &Frame) -> io::Result<()> {
        self.columns.push(frame);
        if self.columns.rows() >= WRITE_BATCH_ROWS.min(self.row_group_rows) {
            self.write_batch()?;
        }
        Ok(())
    }
}

impl<W: Write> FrameSink for ParquetDumper<W> {
    fn frame(&mut self, _raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        self.push(frame)
    }
}

impl<W: Write> Dumper for ParquetDumper<W> {
    fn begin(&mut self, _info: &CaptureInfo) -> io::Result<()> {
        Self::writer(&mut self.writer, self.row_group_rows).map(|_| ())
    }

    /// A frame a stage emitted is a row; other records have no place in the table.
    fn record(&mut self, record: &Record) -> io::Result<()> {
        match record.as_frame() {
            Some(frame) => self.push(frame),
            None => Ok(()),
        }
    }

    fn finish(&mut self, _: &Summary, _: Option<&StoppedEarly>) -> io::Result<()> {
        if self.columns.rows() > 0 {
            self.write_batch()?;
        }
        Self::writer(&mut self.writer, self.row_group_rows)?;
        if let Some(writer) = self.writer.take() {
            let rest = writer.into_inner().map_err(io::Error::other)?;
            self.out.write_all(&rest)?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Extractor;
    use crate::arrow::COLUMNS;
    use crate::capture::CaptureReader;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::fs::File;
    use std::io::Cursor;

    fn extractor() -> Extractor {
        let sample = Cursor::new(crate::synth::sample_pcap().unwrap());
        Extractor::new(CaptureReader::from_reader("sample", Box::new(sample)).unwrap())
    }

    /// `bytes` in a temporary file, as the Parquet reader takes them.
    fn file_of(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    #[test]
    fn row_groups_of_the_size_asked_and_every_frame_once() {
        let frames: Vec<Frame> = extractor().frames().collect();
        let mut out = Vec::new();
        let mut dumper = ParquetDumper::with_row_group_rows(&mut out, 4);
        extractor().run_into(Some(&mut dumper)).unwrap();
        drop(dumper);
        assert_eq!(&out[..4], b"PAR1");
        let builder = ParquetRecordBatchReaderBuilder::try_new(file_of(&out)).unwrap();
        let groups = builder.metadata().row_groups();
        assert_eq!(groups.len(), frames.len().div_ceil(4));
        assert!(groups.iter().rev().skip(1).all(|g| g.num_rows() == 4));
        assert_eq!(builder.schema(), &schema());
        let numbers: Vec<i64> = builder
            .build()
            .unwrap()
            .flat_map(|batch| {
                let batch = batch.unwrap();
                let column = batch.column_by_name("number").unwrap();
                column.as_primitive::<Int64Type>().values().to_vec()
            })
            .collect();
        let expected: Vec<i64> = frames.iter().map(|f| f.number as i64).collect();
        assert_eq!(numbers, expected);
    }

    #[test]
    fn the_setting_tables_name_columns_of_the_schema() {
        for name in DELTA.iter().chain(RAW).chain(PRUNED) {
            assert!(COLUMNS.iter().any(|c| c.name == *name), "{name}");
        }
    }

    #[test]
    fn settings_reach_the_file() {
        let mut out = Vec::new();
        let mut dumper = ParquetDumper::new(&mut out);
        extractor().run_into(Some(&mut dumper)).unwrap();
        drop(dumper);
        let builder = ParquetRecordBatchReaderBuilder::try_new(file_of(&out)).unwrap();
        let group = &builder.metadata().row_groups()[0];
        let column = |name: &str| {
            let column = group
                .columns()
                .iter()
                .find(|c| c.column_path().string() == name);
            column.unwrap()
        };
        assert_eq!(column("tcp_seq").compression(), Compression::UNCOMPRESSED);
        assert!(matches!(
            column("ip_src").compression(),
            Compression::ZSTD(_)
        ));
        assert!(column("ts").statistics().is_some());
        assert!(column("ip_src").statistics().is_none());
        assert!(column("src_port").statistics().is_none());
    }

    #[test]
    fn a_full_row_group_is_one_data_page_a_column() {
        use parquet::basic::PageType;
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let frames: Vec<Frame> = extractor().frames().collect();
        let mut out = Vec::new();
        let mut dumper = ParquetDumper::new(&mut out);
        for frame in frames.iter().cycle().take(ROW_GROUP_ROWS) {
            dumper.push(frame).unwrap();
        }
        dumper.finish(&Summary::default(), None).unwrap();
        drop(dumper);
        let reader = SerializedFileReader::new(file_of(&out)).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 1);
        let group = reader.get_row_group(0).unwrap();
        for i in 0..group.num_columns() {
            let pages = group.get_column_page_reader(i).unwrap();
            let data_pages = pages
                .map(|page| page.unwrap().page_type())
                .filter(|kind| matches!(kind, PageType::DATA_PAGE | PageType::DATA_PAGE_V2))
                .count();
            assert_eq!(data_pages, 1, "column {i}");
        }
    }

    #[test]
    fn no_frames_is_a_valid_empty_table() {
        let mut out = Vec::new();
        let mut dumper = ParquetDumper::new(&mut out);
        dumper.finish(&Summary::default(), None).unwrap();
        drop(dumper);
        let builder = ParquetRecordBatchReaderBuilder::try_new(file_of(&out)).unwrap();
        assert_eq!(builder.metadata().file_metadata().num_rows(), 0);
        assert_eq!(builder.schema(), &schema());
    }
}
