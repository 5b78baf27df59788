//! The Arrow schema of the frame batches, made from the one column table
//! ([`COLUMNS`](super::COLUMNS)), and that table rendered for `docs/ARROW-SCHEMA.md`.

use super::columns::COLUMNS;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, OnceLock};

/// The time zone of the `ts` column.
pub const TIME_ZONE: &str = "UTC";

/// The Arrow type of a column: signed types only, so that Spark reads every column as is;
/// each number column is the narrowest signed type that holds every value of its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// 64-bit signed integer (unsigned 32- and 64-bit fields).
    Int64,
    /// 32-bit signed integer (unsigned 16-bit fields).
    Int32,
    /// 16-bit signed integer (unsigned 8-bit fields, and 16-bit ones that stay below 2^15:
    /// the 12-bit VLAN id, the TCP flag bits, the 3-digit HTTP status).
    Int16,
    /// 8-bit signed integer (4-bit fields: the IP version, the DNS rcode).
    Int8,
    /// UTF-8 text.
    Utf8,
    /// Boolean.
    Boolean,
    /// Microseconds since the Unix epoch, time zone UTC.
    TimestampUs,
}

impl ColumnKind {
    /// The Arrow data type.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnKind::Int64 => DataType::Int64,
            ColumnKind::Int32 => DataType::Int32,
            ColumnKind::Int16 => DataType::Int16,
            ColumnKind::Int8 => DataType::Int8,
            ColumnKind::Utf8 => DataType::Utf8,
            ColumnKind::Boolean => DataType::Boolean,
            ColumnKind::TimestampUs => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(TIME_ZONE.into()))
            }
        }
    }
}

/// One column of the schema, with its documentation.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Column name.
    pub name: &'static str,
    /// Arrow type.
    pub kind: ColumnKind,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    /// When the value is null (`never` for required columns).
    pub null_when: &'static str,
    /// The NDJSON frame model field the value comes from.
    pub source: &'static str,
    /// What the column holds.
    pub doc: &'static str,
}

impl Column {
    /// The Arrow field, with the column's doc as `description` metadata.
    pub fn field(&self) -> Field {
        Field::new(self.name, self.kind.data_type(), self.nullable).with_metadata(HashMap::from([
            ("description".to_owned(), self.doc.trim().to_owned()),
        ]))
    }
}

/// The schema of every batch [`FrameBatches`](super::FrameBatches) yields and of `-f parquet`.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(
                COLUMNS.iter().map(Column::field).collect::<Vec<_>>(),
            ))
        })
        .clone()
}

/// The column table as Markdown (what `docs/ARROW-SCHEMA.md` holds between its markers).
pub fn schema_markdown() -> String {
    let mut out = String::from(
        "| column | type | NDJSON source | null when | meaning |\n| --- | --- | --- | --- | --- |\n",
    );
    for column in COLUMNS {
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` | {} | {} |",
            column.name,
            column.kind.data_type(),
            column.source,
            column.null_when,
            column.doc.trim()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_flat_and_named_once() {
        let schema = schema();
        assert_eq!(schema.fields().len(), COLUMNS.len());
        let mut names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COLUMNS.len(), "a column name is used twice");
        for field in schema.fields() {
            assert!(
                matches!(
                    field.data_type(),
                    DataType::Int64
                        | DataType::Int32
                        | DataType::Int16
                        | DataType::Int8
                        | DataType::Utf8
                        | DataType::Boolean
                ) || field.name() == "ts",
                "{} is {}",
                field.name(),
                field.data_type()
            );
        }
        assert_eq!(
            schema.field_with_name("ts").unwrap().data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert!(!schema.field_with_name("number").unwrap().is_nullable());
        assert!(schema.field_with_name("tcp_seq").unwrap().is_nullable());
    }

    #[test]
    fn the_docs_hold_the_table() {
        let doc = include_str!("../../docs/ARROW-SCHEMA.md");
        assert!(
            doc.contains(&schema_markdown()),
            "docs/ARROW-SCHEMA.md is out of date: regenerate it with \
             `cargo test --features arrow --lib print_schema_markdown -- --ignored --nocapture`"
        );
    }

    /// Prints the table for `docs/ARROW-SCHEMA.md`.
    #[test]
    #[ignore = "prints the table for the docs"]
    fn print_schema_markdown() {
        print!("{}", schema_markdown());
    }
}
