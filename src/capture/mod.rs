//! Streaming capture reader over pcap-parser: classic pcap and pcapng, constant memory.
//!
//! [`CaptureReader::next_frame`] lends one [`RawFrame`] at a time out of the reader's buffer
//! (1 MiB, grown only for a record larger than it); nothing is copied or allocated per frame.
//! A truncated or damaged tail ends the frames early: every complete frame before it is
//! returned, then [`CaptureReader::stopped_early`] says where and why. Records or blocks longer
//! than [`ReaderOptions::max_record`] (default 256 MiB + 64 KiB) are not trusted: reading stops
//! there, and the hit is counted ([`CaptureReader::limit_hits`]). No length field is trusted for
//! an allocation: buffers grow with the bytes really read.
//! [`PcapWriter`] writes classic pcap.
//!
//! pcap-parser 0.17 facts that shaped this module (each checked on its source):
//! - `LegacyPcapReader::new` / `PcapNGReader::new` do a single `read()` and fail with
//!   `Incomplete` when the file header is not all there (a pipe). We read the header ourselves
//!   and hand it to them in front of the rest of the input (`Cursor(head).chain(rest)`), with a
//!   buffer at least as large as that head.
//! - Its `Incomplete` / `BufferTooSmall` / `UnexpectedEof` results are a poor guide: a buffer
//!   exactly as large as a record counts as "too small"; `Eof` is only returned when the buffer
//!   position is 0, so a clean end can read as `UnexpectedEof`; and an EPB whose captured
//!   length runs past its block makes the streaming parser ask for more data until the input
//!   ends. We read each record's length from its header, make sure the whole record is buffered
//!   (growing the buffer only as far as the input really goes), then let it parse.
//! - `consume` moves the rest of the buffer to its front on every call once past half of it;
//!   we use `consume_noshift` (the next `refill` shifts less than one record).
//! - pcap: the header parser accepts any version (we refuse major versions other than 2) and
//!   only the little-endian Kuznetzov magic; `ts_usec` holds nanoseconds in ns files; the
//!   link-type field is returned unmasked (`0x30000001`: we keep the low 16 bits).
//! - pcapng: the Section Header Block parser silently drops options that run past the block and
//!   checks neither the trailing length nor the version (we require major version 1; tshark
//!   stops at a later section with another one); `if_tsoffset` is always read little-endian;
//!   `build_ts_resolution` returns `None` for every binary (`2^-n`) `if_tsresol`; EPB options
//!   are collected into a `Vec` (an allocation per packet); obsolete Packet Blocks (type 2)
//!   come back as `Unknown` blocks whose `block_type` is read little-endian even in a
//!   big-endian section (`0x02000000`). See `pcapng.rs` for what we parse ourselves.

// The reader faces hostile input: no panicking shortcuts (tests may use them).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod pcap;
mod pcapng;
mod source;
mod writer;

pub use source::{DEFAULT_MAX_RECORD, ReaderOptions};
pub use writer::PcapWriter;

use crate::error::{Error, Result};
use crate::model::{LinkType, Timestamp};
use serde::Serialize;
use source::{ErrorCell, Source};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

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

impl<'a> RawFrame<'a> {
    /// Frame 1 of link type `link_type`: `data`, captured whole, without a time (to dissect
    /// bytes that come from elsewhere than a capture file).
    pub fn whole(link_type: LinkType, data: &'a [u8]) -> RawFrame<'a> {
        RawFrame {
            number: 1,
            timestamp: None,
            len: u32::try_from(data.len()).unwrap_or(u32::MAX),
            link_type,
            interface: None,
            data,
        }
    }

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

/// A file's identity, its device and inode numbers: the same file under any name (hard or
/// symbolic links included). Outputs are compared with the input's to refuse overwriting it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity of the file `meta` describes.
    pub fn of(meta: &std::fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    /// The identity of the regular file open as `fd` (say, stdin or stdout redirected to a
    /// file); `None` for a terminal, pipe or device.
    pub fn of_descriptor(fd: std::os::fd::BorrowedFd<'_>) -> Option<FileId> {
        let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
        FileId::of_regular(&file.metadata().ok()?)
    }

    /// The identity of a regular file (`None` for devices, pipes and the like, which a report
    /// cannot destroy).
    fn of_regular(meta: &std::fs::Metadata) -> Option<FileId> {
        meta.is_file().then(|| FileId::of(meta))
    }
}

/// Why reading stopped before the end of the input (truncated or damaged tail).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

/// Where a format reader found the next frame: indexes into its buffer, plus the metadata.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrameMeta {
    /// The frame's bytes are `data()[start..end]`.
    start: usize,
    end: usize,
    /// Length of the whole record or block, consumed before the next one is read.
    consumed: usize,
    timestamp: Option<Timestamp>,
    len: u32,
    link_type: LinkType,
    interface: Option<u32>,
}

/// The outcome of looking for the next frame.
pub(crate) enum Step {
    Frame(FrameMeta),
    End,
    Stop(StoppedEarly),
}

/// The format-specific half of the reader.
enum Inner {
    Pcap(pcap::PcapState),
    Ng(pcapng::NgState),
}

impl Inner {
    #[inline]
    fn advance(&mut self) -> Step {
        match self {
            Inner::Pcap(p) => p.advance(),
            Inner::Ng(n) => n.advance(),
        }
    }

    #[inline]
    fn data(&self) -> &[u8] {
        match self {
            Inner::Pcap(p) => p.data(),
            Inner::Ng(n) => n.data(),
        }
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        match self {
            Inner::Pcap(p) => p.consume(n),
            Inner::Ng(s) => s.consume(n),
        }
    }

    #[inline]
    fn offset(&self) -> u64 {
        match self {
            Inner::Pcap(p) => p.offset(),
            Inner::Ng(n) => n.offset(),
        }
    }

    fn limit_hits(&self) -> u64 {
        match self {
            Inner::Pcap(p) => p.limit_hits(),
            Inner::Ng(n) => n.limit_hits(),
        }
    }
}

/// How much of the input is read at once while looking at its header.
const HEAD_CHUNK: usize = 64 << 10;

/// Streaming reader of one capture: classic pcap (either byte order, µs or ns, Kuznetzov's
/// modified format) or pcapng (any number of sections and interfaces), from a file or a pipe.
///
/// ```no_run
/// use pcapkit::capture::CaptureReader;
///
/// let mut reader = CaptureReader::open("capture.pcap".as_ref())?;
/// while let Some(frame) = reader.next_frame() {
///     println!("{} {} bytes", frame.number, frame.cap_len());
/// }
/// if let Some(stop) = reader.stopped_early() {
///     eprintln!("warning: {stop}");
/// }
/// # Ok::<(), pcapkit::Error>(())
/// ```
pub struct CaptureReader {
    info: CaptureInfo,
    inner: Inner,
    /// Frames returned so far.
    number: u64,
    /// Length of the record lent out by the last `next_frame`, consumed at the next call.
    pending: usize,
    done: bool,
    stopped: Option<StoppedEarly>,
    total_len: Option<u64>,
    file_id: Option<FileId>,
}

impl CaptureReader {
    /// Opens a capture file, or stdin for `-`.
    ///
    /// When `path` does not exist, `path` + `.pcap` is tried (jspcapy's behaviour). Errors:
    /// [`Error::Read`] when the input cannot be opened or read, [`Error::Format`] when it is
    /// empty, not a pcap or pcapng file, or its file header is invalid.
    pub fn open(path: &Path) -> Result<CaptureReader> {
        CaptureReader::open_with(path, ReaderOptions::default())
    }

    /// [`CaptureReader::open`] with other limits.
    pub fn open_with(path: &Path, options: ReaderOptions) -> Result<CaptureReader> {
        if path.as_os_str() == "-" {
            let mut reader = CaptureReader::from_reader_with("-", Box::new(io::stdin()), options)?;
            reader.file_id = FileId::of_descriptor(std::os::fd::AsFd::as_fd(&io::stdin()));
            return Ok(reader);
        }
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut with_ext = path.as_os_str().to_owned();
                with_ext.push(".pcap");
                std::fs::File::open(&with_ext).map_err(|_| Error::Read {
                    path: path.to_owned(),
                    source: e,
                })?
            }
            Err(source) => {
                return Err(Error::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let meta = file.metadata().ok();
        let total_len = meta.as_ref().filter(|m| m.is_file()).map(|m| m.len());
        let mut reader =
            CaptureReader::from_reader_with(&path.to_string_lossy(), Box::new(file), options)?;
        reader.total_len = total_len;
        reader.file_id = meta.as_ref().and_then(FileId::of_regular);
        Ok(reader)
    }

    /// Reads a capture from any byte stream (a pipe, a socket, a decompressor); `name` is
    /// what [`CaptureInfo::path`] and errors call it. Never seeks.
    pub fn from_reader(name: &str, reader: Box<dyn Read + Send>) -> Result<CaptureReader> {
        CaptureReader::from_reader_with(name, reader, ReaderOptions::default())
    }

    /// [`CaptureReader::from_reader`] with other limits.
    pub fn from_reader_with(
        name: &str,
        reader: Box<dyn Read + Send>,
        options: ReaderOptions,
    ) -> Result<CaptureReader> {
        let max_record = options.max_record;
        let error = ErrorCell::default();
        let mut source = Source::new(reader, error.clone());
        let path = PathBuf::from(name);
        let format_error = |reason: String| Error::Format {
            path: path.clone(),
            reason,
        };
        let read_error = |source: io::Error| Error::Read {
            path: path.clone(),
            source,
        };
        let mut head = Vec::new();
        read_head(&mut source, &mut head, 4).map_err(read_error)?;
        let magic: [u8; 4] = match head.get(..4) {
            Some(&[a, b, c, d]) => [a, b, c, d],
            _ if head.is_empty() => return Err(format_error("empty file".into())),
            _ => {
                return Err(format_error(format!(
                    "file too short for a capture header ({} bytes)",
                    head.len()
                )));
            }
        };
        let (inner, info) = if magic == pcapng::SHB {
            read_head(&mut source, &mut head, 12).map_err(read_error)?;
            let (_, len) = pcapng::shb_head(&head).map_err(&format_error)?;
            if len > max_record {
                return Err(format_error(source::over_limit(
                    "section header block",
                    len,
                    max_record,
                )));
            }
            read_head(&mut source, &mut head, len).map_err(read_error)?;
            if head.len() < len {
                return Err(format_error(format!(
                    "file ends inside the section header block (header says {len} bytes, {} present)",
                    head.len()
                )));
            }
            let shb = pcapng::check_shb(&head).map_err(&format_error)?;
            if shb.major != 1 {
                return Err(format_error(format!(
                    "unsupported pcapng version {}.{}",
                    shb.major, shb.minor
                )));
            }
            let info = CaptureInfo {
                path: name.to_owned(),
                format: "pcapng",
                version: format!("{}.{}", shb.major, shb.minor),
                byte_order: if shb.big_endian { "big" } else { "little" },
                ts_resolution: None,
                snaplen: None,
                link_type: None,
            };
            let capacity = source::BUFFER_SIZE.max(head.len() + 1);
            let input = io::Cursor::new(head).chain(source);
            let state =
                pcapng::NgState::open(input, capacity, error, max_record).map_err(format_error)?;
            (Inner::Ng(state), info)
        } else if let Some((flavor, big_endian)) = pcap::detect(magic) {
            read_head(&mut source, &mut head, pcap::HEADER_LEN).map_err(read_error)?;
            if head.len() < pcap::HEADER_LEN {
                return Err(format_error(format!(
                    "file ends inside the pcap file header ({} of {} bytes)",
                    head.len(),
                    pcap::HEADER_LEN
                )));
            }
            let capacity = source::BUFFER_SIZE.max(head.len() + 1);
            let input = io::Cursor::new(head).chain(source);
            let (state, info) =
                pcap::PcapState::open(input, capacity, error, max_record, name, flavor, big_endian)
                    .map_err(format_error)?;
            (Inner::Pcap(state), info)
        } else {
            return Err(format_error(format!(
                "not a pcap or pcapng file (magic 0x{:08x})",
                u32::from_be_bytes(magic)
            )));
        };
        Ok(CaptureReader {
            info,
            inner,
            number: 0,
            pending: 0,
            done: false,
            stopped: None,
            total_len: None,
            file_id: None,
        })
    }

    /// The capture header.
    pub fn info(&self) -> &CaptureInfo {
        &self.info
    }

    /// The next frame, or `None` at the end of the input (or where a damaged tail stops it:
    /// see [`stopped_early`](Self::stopped_early)). The frame borrows the reader's buffer.
    pub fn next_frame(&mut self) -> Option<RawFrame<'_>> {
        if self.pending > 0 {
            self.inner.consume(self.pending);
            self.pending = 0;
        }
        if self.done {
            return None;
        }
        let meta = match self.inner.advance() {
            Step::Frame(meta) => meta,
            Step::End => {
                self.done = true;
                return None;
            }
            Step::Stop(stop) => {
                self.done = true;
                self.stopped = Some(stop);
                return None;
            }
        };
        if self.inner.data().get(meta.start..meta.end).is_none() {
            // Cannot happen: the format readers buffer the whole record first.
            self.done = true;
            self.stopped = Some(StoppedEarly {
                offset: self.inner.offset(),
                reason: "internal error: record outside the read buffer".into(),
            });
            return None;
        }
        self.pending = meta.consumed;
        self.number += 1;
        Some(RawFrame {
            number: self.number,
            timestamp: meta.timestamp,
            len: meta.len,
            link_type: meta.link_type,
            interface: meta.interface,
            data: self
                .inner
                .data()
                .get(meta.start..meta.end)
                .unwrap_or_default(),
        })
    }

    /// Why reading stopped before the end of the input, if it did.
    pub fn stopped_early(&self) -> Option<&StoppedEarly> {
        self.stopped.as_ref()
    }

    /// Bytes of the input consumed so far, including the frame last returned (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.inner.offset() + self.pending as u64
    }

    /// Size of the input in bytes, when it is a regular file.
    pub fn total_len(&self) -> Option<u64> {
        self.total_len
    }

    /// Records or blocks refused for being longer than [`ReaderOptions::max_record`] (reading
    /// stops at the first, so 0 or 1).
    pub fn limit_hits(&self) -> u64 {
        self.inner.limit_hits()
    }

    /// The identity of the input when it is a regular file (also through stdin), so that
    /// outputs can refuse to overwrite it.
    pub fn file_id(&self) -> Option<FileId> {
        self.file_id
    }
}

impl std::fmt::Debug for CaptureReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("info", &self.info)
            .field("frames", &self.number)
            .field("bytes_read", &self.bytes_read())
            .field("stopped_early", &self.stopped)
            .finish()
    }
}

/// Reads from `source` until `head` holds `need` bytes or the input ends, a chunk at a time:
/// `head` grows with what was read, never to a `need` that a length field claims.
fn read_head(source: &mut Source, head: &mut Vec<u8>, need: usize) -> io::Result<()> {
    while head.len() < need {
        let start = head.len();
        head.resize(start + HEAD_CHUNK, 0);
        let n = match source.read(head.get_mut(start..).unwrap_or_default()) {
            Ok(n) => n,
            Err(e) => {
                head.truncate(start);
                return Err(e);
            }
        };
        head.truncate(start + n);
        if n == 0 {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per `read` call, like a slow pipe.
    struct Trickle(io::Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let end = buf.len().min(1);
            self.0.read(&mut buf[..end])
        }
    }

    fn pcap_bytes(nanos: bool, frames: &[(Timestamp, &[u8])]) -> Vec<u8> {
        let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535, nanos).unwrap();
        for (ts, data) in frames {
            w.write_frame(*ts, data.len() as u32, data).unwrap();
        }
        w.into_inner()
    }

    #[test]
    fn reader_is_send() {
        fn is_send<T: Send>() {}
        is_send::<CaptureReader>();
    }

    #[test]
    fn reads_written_pcap_one_byte_at_a_time() {
        let bytes = pcap_bytes(
            true,
            &[
                (Timestamp::new(1, 2), b"abc"),
                (Timestamp::new(3, 999_999_999), b""),
            ],
        );
        let total = bytes.len() as u64;
        let mut r =
            CaptureReader::from_reader("-", Box::new(Trickle(io::Cursor::new(bytes)))).unwrap();
        assert_eq!(r.info().ts_resolution, Some("ns"));
        let f = r.next_frame().unwrap();
        assert_eq!(
            (f.number, f.data, f.timestamp),
            (1, &b"abc"[..], Some(Timestamp::new(1, 2)))
        );
        let f = r.next_frame().unwrap();
        assert_eq!((f.number, f.cap_len()), (2, 0));
        assert_eq!(f.timestamp, Some(Timestamp::new(3, 999_999_999)));
        assert!(r.next_frame().is_none());
        assert!(r.next_frame().is_none());
        assert_eq!(r.stopped_early(), None);
        assert_eq!(r.bytes_read(), total);
        assert_eq!(r.total_len(), None);
    }

    #[test]
    fn header_errors() {
        let err = |bytes: &[u8]| match CaptureReader::from_reader(
            "x",
            Box::new(io::Cursor::new(bytes.to_vec())),
        ) {
            Err(Error::Format { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(err(b""), "empty file");
        assert!(err(b"ab").contains("too short"));
        assert_eq!(
            err(b"\x7fELF\x02\x01"),
            "not a pcap or pcapng file (magic 0x7f454c46)"
        );
        assert!(err(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0]).contains("pcap file header"));
        let mut v1 = pcap_bytes(false, &[]);
        v1[4] = 1;
        assert!(err(&v1).contains("version 1.4"), "{}", err(&v1));
        assert!(err(&[0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4]).contains("byte-order"));
        assert!(
            err(&[0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a])
                .contains("file ends inside the section header block")
        );
    }

    #[test]
    fn read_head_reads_to_need_or_end() {
        let mut source = Source::new(
            Box::new(Trickle(io::Cursor::new(vec![7; 10]))),
            ErrorCell::default(),
        );
        let mut head = Vec::new();
        read_head(&mut source, &mut head, 4).unwrap();
        assert_eq!(head.len(), 4);
        read_head(&mut source, &mut head, 100).unwrap();
        assert_eq!(head, vec![7; 10]);
    }
}
