//! Report writers: one [`Dumper`] per output format, each streaming frame by frame.
//!
//! A dumper receives the capture header once ([`Dumper::begin`]), every frame in order
//! ([`FrameSink::frame`]) each followed by the records the stages emitted with it
//! ([`Dumper::record`]), and the run's totals at the end ([`Dumper::finish`]). None of them
//! keeps frames: memory stays flat however long the capture is.

mod background;
mod encoder;
mod events;
mod files;
mod frame_json;
mod json;
mod ndjson;
mod output;
#[cfg(feature = "parquet")]
mod parquet;
mod pcap;
mod pipe;
mod plist;
mod sections;
mod target;
mod temp;
mod tree;

pub use background::BackgroundWriter;
pub use encoder::{Encoder, EncodingDumper, FrameEncoder, InPlace, Placement, ReportWrite};
pub use files::FilesDumper;
pub use json::JsonDumper;
pub use ndjson::{NdjsonDumper, NdjsonEncoder};
pub use output::Output;
#[cfg(feature = "parquet")]
pub use parquet::{ParquetDumper, WRITE_BATCH_ROWS};
pub use pcap::PcapDumper;
pub use plist::PlistDumper;
pub use temp::remove_temporaries_on_signals;
pub use tree::TreeDumper;

use crate::capture::{CaptureInfo, StoppedEarly};
use crate::engine::FrameSink;
use crate::error::{Error, Result};
use crate::model::Summary;
use crate::pipeline::Record;
use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;

/// A report writer for one output format.
pub trait Dumper: FrameSink {
    /// Writes whatever precedes the frames (document header), given the capture header.
    fn begin(&mut self, info: &CaptureInfo) -> io::Result<()>;
    /// Writes a record a stage emitted (see [`Record`] for where each format puts it); a
    /// [`Record::Frame`] is written as a frame where the format needs no raw bytes.
    fn record(&mut self, record: &Record) -> io::Result<()>;
    /// Writes whatever follows the frames (totals, closing brackets) and flushes.
    fn finish(&mut self, summary: &Summary, stopped_early: Option<&StoppedEarly>)
    -> io::Result<()>;

    /// For parallel engines: a copy of this dumper's frame encoder for a worker, or `None`
    /// when frames must go through [`FrameSink::frame`] in order.
    fn frame_encoder(&self) -> Option<Box<dyn FrameEncoder>> {
        None
    }

    /// Writes `frames` frames that copies from [`Dumper::frame_encoder`] encoded into `bytes`,
    /// in capture order, as [`FrameSink::frame`] would have written them.
    fn write_encoded(&mut self, bytes: &[u8], frames: u64) -> io::Result<()> {
        let _ = (bytes, frames);
        Err(io::Error::other("this dumper encodes its own frames"))
    }
}

/// The report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON document: file header, frames, summary.
    Json,
    /// One JSON object per frame per line.
    Ndjson,
    /// The `json` document as an Apple XML property list.
    Plist,
    /// An indented human view of each frame (`tshark -V` style).
    Tree,
    /// The frames' original bytes and times as a classic pcap.
    Pcap,
    /// One row per frame in the Arrow schema of [`crate::arrow`], as zstd Parquet (cargo
    /// feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}

impl Format {
    /// Every format, in `--format` order.
    pub const ALL: &'static [Format] = &[
        Format::Json,
        Format::Ndjson,
        Format::Plist,
        Format::Tree,
        Format::Pcap,
        #[cfg(feature = "parquet")]
        Format::Parquet,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Plist => "plist",
            Format::Tree => "tree",
            Format::Pcap => "pcap",
            #[cfg(feature = "parquet")]
            Format::Parquet => "parquet",
        }
    }

    /// The file extension `-a` appends (without the dot): the name, `txt` for `tree`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Tree => "txt",
            other => other.name(),
        }
    }

    /// The format a file extension names (`json`, `ndjson`, `jsonl`, `plist`, `txt`, `pcap`,
    /// and `parquet` in a build with that feature), case-insensitively.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "plist" => Some(Format::Plist),
            "txt" => Some(Format::Tree),
            "pcap" => Some(Format::Pcap),
            #[cfg(feature = "parquet")]
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// Whether the format is binary or an XML document that is not written to a terminal
    /// (a file or a pipe is fine): `plist`, `pcap` and `parquet`.
    pub fn needs_file(self) -> bool {
        match self {
            Format::Plist | Format::Pcap => true,
            #[cfg(feature = "parquet")]
            Format::Parquet => true,
            Format::Json | Format::Ndjson | Format::Tree => false,
        }
    }

    /// The usage error for a format name (or extension) that this build leaves out:
    /// `parquet` without the cargo feature `parquet`. `None` for any other name.
    pub fn not_in_build(name: &str) -> Option<Error> {
        let left_out = cfg!(not(feature = "parquet")) && name.eq_ignore_ascii_case("parquet");
        left_out.then(|| {
            Error::Usage(
                "parquet output needs pcapkit built with the `parquet` feature: \
                 cargo install pcapkit --features parquet (or cargo build --features parquet)"
                    .into(),
            )
        })
    }

    /// Whether the reports of several captures can follow one another on one stream:
    /// `ndjson` (each line then names its capture) and `tree`; a format that is one document
    /// or binary cannot.
    pub fn concatenates(self) -> bool {
        matches!(self, Format::Ndjson | Format::Tree)
    }

    /// The format of an output path, from its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        Format::from_extension(path.extension()?.to_str()?)
    }

    /// A dumper of this format writing to `out` (which should be buffered; `json` and
    /// `ndjson` encode straight into the buffer it lends, if it does).
    pub fn dumper<'w>(self, out: Box<dyn ReportWrite + 'w>) -> Box<dyn Dumper + 'w> {
        match self {
            Format::Json => Box::new(JsonDumper::new(out)),
            Format::Ndjson => Box::new(NdjsonDumper::new(out)),
            Format::Plist => Box::new(PlistDumper::new(out)),
            Format::Tree => Box::new(TreeDumper::new(out)),
            Format::Pcap => Box::new(PcapDumper::new(out)),
            #[cfg(feature = "parquet")]
            Format::Parquet => Box::new(ParquetDumper::new(out)),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// Parses a format name, case-insensitively.
    fn from_str(name: &str) -> Result<Format> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                if let Some(error) = Format::not_in_build(name) {
                    return error;
                }
                let valid: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                Error::Usage(format!(
                    "unknown format '{name}' (valid: {})",
                    valid.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the feature, `parquet` is a usage error that says how to get it.
    #[cfg(not(feature = "parquet"))]
    #[test]
    fn parquet_names_its_feature() {
        let err = "Parquet".parse::<Format>().unwrap_err();
        assert!(
            matches!(&err, Error::Usage(m) if m.contains("--features parquet")),
            "{err}"
        );
        assert!(Format::from_extension("parquet").is_none());
        assert!(Format::not_in_build("json").is_none());
    }

    /// With it, `parquet` is a binary format like pcap, by name and by extension.
    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_is_a_binary_format() {
        assert_eq!("Parquet".parse::<Format>().unwrap(), Format::Parquet);
        assert_eq!(Format::from_extension("PARQUET"), Some(Format::Parquet));
        assert!(Format::Parquet.needs_file());
        assert!(Format::not_in_build("parquet").is_none());
    }
}
