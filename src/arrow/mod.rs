//! The frames as Apache Arrow record batches (cargo feature `arrow`), for DuckDB, Polars,
//! Spark, Ray and `-f parquet`.
//!
//! The API other code builds on:
//! - [`schema()`]` -> SchemaRef`: one flat schema, signed integers only (Spark-safe), `ts`
//!   `Timestamp(µs, "UTC")` plus `ts_ns` Int64; every column is in [`COLUMNS`] and
//!   `docs/ARROW-SCHEMA.md`;
//! - [`FrameBatches::new`]`(extractor: Extractor, batch_rows: usize) -> Result<FrameBatches>`:
//!   an `Iterator<Item = Result<RecordBatch, ArrowError>>` and a `RecordBatchReader`, `Send`,
//!   one batch in flight;
//! - [`DEFAULT_BATCH_ROWS`] = 65,536.
//!
//! Rows are frames only: the records of reassembly and trace stages are not rows.

mod batches;
mod builders;
mod columns;
mod schema;
mod view;

pub use batches::{DEFAULT_BATCH_ROWS, FrameBatches};
pub use columns::{COLUMNS, FrameColumns};
pub use schema::{Column, ColumnKind, TIME_ZONE, schema, schema_markdown};
