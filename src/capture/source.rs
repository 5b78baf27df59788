//! The byte source under both readers and the buffer discipline shared by pcap and pcapng.
//!
//! pcap-parser's streaming readers own the input and a `circular::Buffer`. We never let them
//! guess whether a record is complete: [`Buffered::fill`] first makes sure the whole record
//! (whose length we read from its header ourselves) sits in the buffer, growing the buffer when a
//! record is larger than it, and only then asks the reader to parse it. That way `Incomplete`,
//! `BufferTooSmall` and `UnexpectedEof` never decide anything. The buffer grows by doubling, and
//! only when it is full of bytes really read: a length field that lies makes us allocate at most
//! twice what the input really holds, and never past [`ReaderOptions::max_record`].

use pcap_parser::traits::PcapReaderIterator;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// Initial buffer size of the readers.
pub(crate) const BUFFER_SIZE: usize = 1 << 20;

/// The default [`ReaderOptions::max_record`]: 256 MiB of captured data plus 64 KiB of headers
/// and options (libpcap's own limit on a packet is 256 KiB; pcapng blocks rarely pass 1 MiB).
pub const DEFAULT_MAX_RECORD: usize = (256 << 20) + (64 << 10);

/// Limits that keep a hostile capture from making the reader allocate what it claims (build
/// from the default with the setters: `ReaderOptions::default().max_record(1 << 20)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReaderOptions {
    /// Longest record (pcap record header + data) or block (pcapng) trusted, in bytes: reading
    /// stops at a longer one (counted in [`CaptureReader::limit_hits`]). Memory is never
    /// allocated for a length before its bytes have been read, whatever this limit.
    ///
    /// [`CaptureReader::limit_hits`]: super::CaptureReader::limit_hits
    pub max_record: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            max_record: DEFAULT_MAX_RECORD,
        }
    }
}

impl ReaderOptions {
    crate::setters::setters! { max_record: usize }
}

/// The last I/O error seen by a [`Source`], readable after pcap-parser reduced it to `ReadError`.
pub(crate) type ErrorCell = Arc<Mutex<Option<String>>>;

/// The input: retries `Interrupted` reads and remembers the message of any other error.
pub(crate) struct Source {
    inner: Box<dyn Read + Send>,
    error: ErrorCell,
}

impl Source {
    pub(crate) fn new(inner: Box<dyn Read + Send>, error: ErrorCell) -> Source {
        Source { inner, error }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if let Ok(mut slot) = self.error.lock() {
                        *slot = Some(e.to_string());
                    }
                    return Err(e);
                }
                Ok(n) => return Ok(n),
            }
        }
    }
}

/// What pcap-parser's readers read from: the bytes we already read to detect the format,
/// then the rest of the input.
pub(crate) type Input = io::Chain<io::Cursor<Vec<u8>>, Source>;

/// A pcap-parser streaming reader plus the capacity bookkeeping it does not expose.
pub(crate) struct Buffered<R: PcapReaderIterator> {
    pub(crate) reader: R,
    capacity: usize,
    error: ErrorCell,
    max_record: usize,
    /// Records refused for their length ([`Buffered::check_limit`]).
    pub(crate) limit_hits: u64,
}

impl<R: PcapReaderIterator> Buffered<R> {
    pub(crate) fn new(reader: R, capacity: usize, error: ErrorCell, max_record: usize) -> Self {
        Buffered {
            reader,
            capacity,
            error,
            max_record,
            limit_hits: 0,
        }
    }

    /// Refuses (and counts) a record or block of `len` bytes above the limit; `what` names it
    /// (called only then).
    #[inline]
    pub(crate) fn check_limit(
        &mut self,
        len: usize,
        what: impl FnOnce() -> String,
    ) -> Result<(), String> {
        if len <= self.max_record {
            return Ok(());
        }
        self.limit_hits += 1;
        Err(over_limit(&what(), len, self.max_record))
    }

    /// The unconsumed bytes; the next record starts at index 0.
    #[inline]
    pub(crate) fn data(&self) -> &[u8] {
        self.reader.data()
    }

    /// Input offset of `data()[0]`.
    #[inline]
    pub(crate) fn offset(&self) -> u64 {
        self.reader.consumed() as u64
    }

    /// Drops `n` bytes from the front. Does not move data: the next refill shifts what is left,
    /// which is then less than one record (pcap-parser's `consume` would shift on every call
    /// once past half of the buffer).
    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        self.reader.consume_noshift(n);
    }

    /// Makes sure `need` bytes are buffered at the front. `Ok(true)`: they are; `Ok(false)`: the
    /// input ended first (`data()` holds what there is); `Err`: a read error, as text.
    #[inline]
    pub(crate) fn fill(&mut self, need: usize) -> Result<bool, String> {
        if self.reader.data().len() >= need {
            return Ok(true);
        }
        self.fill_slow(need)
    }

    #[cold]
    fn fill_slow(&mut self, need: usize) -> Result<bool, String> {
        loop {
            let have = self.reader.data().len();
            if have >= need {
                return Ok(true);
            }
            if self.reader.reader_exhausted() {
                return Ok(false);
            }
            if have >= self.capacity {
                // Full of bytes really read, and the record is longer: double. Never to the
                // record's length at once, so a header that claims a huge record costs at
                // most twice what the input really holds.
                let new = self
                    .capacity
                    .saturating_mul(2)
                    .min(self.max_record.max(self.capacity + 1));
                self.reader.grow(new);
                self.capacity = new;
            }
            // Shifts the unconsumed bytes to the front, then reads once into the free space.
            if self.reader.refill().is_err() {
                let message = self
                    .error
                    .lock()
                    .ok()
                    .and_then(|mut slot| slot.take())
                    .unwrap_or_else(|| "unknown I/O error".to_owned());
                return Err(format!("read error: {message}"));
            }
        }
    }
}

/// The message for a record or block of `len` bytes over the `max` limit.
pub(crate) fn over_limit(what: &str, len: usize, max: usize) -> String {
    format!("{what} of {len} bytes is longer than the {max}-byte record limit: not trusted")
}
