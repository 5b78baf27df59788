//! Streaming capture reader over pcap-parser: classic pcap and pcapng, constant memory.
//!
//! [`CaptureReader::next_frame`] lends one [`RawFrame`] at a time out of the reader's buffer.
//! (STUB: the reader is being written; see the foundation issue.)

use crate::model::{LinkType, Timestamp};
use serde::Serialize;

/// One capture record as read from the file, borrowing its bytes from the reader's buffer.
#[derive(Clone, Copy, Debug)]
pub struct RawFrame<'a> {
    /// 1-based position of the frame in the capture.
    pub number: u64,
    /// Capture time; `None` where the format records none (pcapng Simple Packet Block).
    pub timestamp: Option<Timestamp>,
    /// Original length on the wire.
    pub len: u32,
    /// Link type of the interface the frame was captured on.
    pub link_type: LinkType,
    /// pcapng interface index within its section; `None` for classic pcap.
    pub interface: Option<u32>,
    /// The captured bytes (`cap_len` is their length).
    pub data: &'a [u8],
}

impl RawFrame<'_> {
    /// Captured length: the number of bytes present.
    pub fn cap_len(&self) -> u32 {
        u32::try_from(self.data.len()).unwrap_or(u32::MAX)
    }
}

/// What the capture's header says: written as the `file` object of `json` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaptureInfo {
    /// The input as given (`-` for stdin).
    pub path: String,
    /// `pcap`, `pcap-modified` or `pcapng`.
    pub format: &'static str,
    /// Format version, e.g. `2.4` (pcap) or `1.0` (pcapng, first section).
    pub version: String,
    /// `little` or `big` (of the first section for pcapng).
    pub byte_order: &'static str,
    /// Timestamp resolution of a classic pcap: `us` or `ns`; absent for pcapng (per interface).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts_resolution: Option<&'static str>,
    /// Snap length of a classic pcap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snaplen: Option<u32>,
    /// Link type of a classic pcap (pcapng: per interface).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_type: Option<LinkType>,
}

/// Why reading stopped before the end of the input (truncated or damaged tail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoppedEarly {
    /// Byte offset in the input of the record or block that could not be read.
    pub offset: u64,
    /// What was wrong, e.g. `file ends inside a record (header says 1514 bytes, 200 present)`.
    pub reason: String,
}

impl std::fmt::Display for StoppedEarly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stopped at byte {}: {}", self.offset, self.reason)
    }
}

/// Streaming reader of one capture (STUB: being written).
pub struct CaptureReader {
    info: CaptureInfo,
}

impl CaptureReader {
    /// Opens a capture file, or stdin for `-`.
    pub fn open(path: &std::path::Path) -> crate::Result<CaptureReader> {
        Err(crate::Error::Format {
            path: path.to_owned(),
            reason: "not yet implemented".into(),
        })
    }

    /// The capture header.
    pub fn info(&self) -> &CaptureInfo {
        &self.info
    }

    /// The next frame, or `None` at the end of the input (or where a damaged tail stops it).
    pub fn next_frame(&mut self) -> Option<RawFrame<'_>> {
        None
    }

    /// Why reading stopped before the end of the input, if it did.
    pub fn stopped_early(&self) -> Option<&StoppedEarly> {
        None
    }

    /// Bytes of the input consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        0
    }

    /// Size of the input in bytes, when it is a regular file.
    pub fn total_len(&self) -> Option<u64> {
        None
    }
}
