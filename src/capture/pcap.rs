//! Classic pcap (libpcap) files: both byte orders, µs and ns magics, Kuznetzov's modified format.
//!
//! pcap-parser's `LegacyPcapReader` reads the file header and buffers the input; each record
//! header is read here, once the whole record is in the buffer.

use super::source::{Buffered, ErrorCell, Input};
use super::{CaptureInfo, FrameMeta, Step, StoppedEarly};
use crate::model::{LinkType, Timestamp};
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned};

/// The flavours of the classic format, from the magic number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `a1b2c3d4`: microsecond timestamps, 16-byte record headers.
    Micro,
    /// `a1b23c4d`: nanosecond timestamps.
    Nano,
    /// `a1b2cd34` (Kuznetzov): microseconds, 24-byte record headers (ifindex, protocol, type).
    Modified,
}

/// Recognizes a classic pcap magic (the first four bytes): flavour and big-endianness.
pub(crate) fn detect(magic: [u8; 4]) -> Option<(Flavor, bool)> {
    match u32::from_le_bytes(magic) {
        0xa1b2_c3d4 => Some((Flavor::Micro, false)),
        0xa1b2_3c4d => Some((Flavor::Nano, false)),
        0xa1b2_cd34 => Some((Flavor::Modified, false)),
        _ => match u32::from_be_bytes(magic) {
            0xa1b2_c3d4 => Some((Flavor::Micro, true)),
            0xa1b2_3c4d => Some((Flavor::Nano, true)),
            0xa1b2_cd34 => Some((Flavor::Modified, true)),
            _ => None,
        },
    }
}

/// Length of the file header.
pub(crate) const HEADER_LEN: usize = 24;

/// Reader state of a classic pcap.
pub(crate) struct PcapState {
    buf: Buffered<LegacyPcapReader<Input>>,
    link_type: LinkType,
    nanos: bool,
    big_endian: bool,
    record_header_len: usize,
}

impl PcapState {
    /// Builds the reader over `input`, whose first bytes (at least [`HEADER_LEN`]) are in it.
    /// Returns the state and the header's description, or the reason the header is refused.
    pub(crate) fn open(
        input: Input,
        capacity: usize,
        error: ErrorCell,
        max_record: usize,
        path: &str,
        flavor: Flavor,
        big_endian: bool,
    ) -> Result<(PcapState, CaptureInfo), String> {
        if flavor == Flavor::Modified && big_endian {
            return Err("big-endian modified (Kuznetzov) pcap is not supported".into());
        }
        let mut reader = LegacyPcapReader::new(capacity, input)
            .map_err(|e| format!("pcap header does not parse: {e}"))?;
        let header = match reader.next() {
            Ok((_, PcapBlockOwned::LegacyHeader(header))) => header,
            Ok(_) => return Err("pcap header does not parse".into()),
            Err(e) => return Err(format!("pcap header does not parse: {e}")),
        };
        if header.version_major != 2 {
            return Err(format!(
                "unsupported pcap version {}.{} (only 2.x is defined)",
                header.version_major, header.version_minor
            ));
        }
        // The upper bits carry the FCS length (libpcap's LT_LINKTYPE keeps the low 16 bits).
        let link_type = LinkType(header.network.0 as u32 & 0xffff);
        let nanos = flavor == Flavor::Nano;
        let info = CaptureInfo {
            path: path.to_owned(),
            format: if flavor == Flavor::Modified {
                "pcap-modified"
            } else {
                "pcap"
            },
            version: format!("{}.{}", header.version_major, header.version_minor),
            byte_order: if big_endian { "big" } else { "little" },
            ts_resolution: Some(if nanos { "ns" } else { "us" }),
            snaplen: Some(header.snaplen),
            link_type: Some(link_type),
        };
        reader.consume_noshift(HEADER_LEN);
        let state = PcapState {
            buf: Buffered::new(reader, capacity, error, max_record),
            link_type,
            nanos,
            big_endian,
            record_header_len: if flavor == Flavor::Modified { 24 } else { 16 },
        };
        Ok((state, info))
    }

    #[inline]
    pub(crate) fn data(&self) -> &[u8] {
        self.buf.data()
    }

    #[inline]
    pub(crate) fn offset(&self) -> u64 {
        self.buf.offset()
    }

    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        self.buf.consume(n);
    }

    pub(crate) fn limit_hits(&self) -> u64 {
        self.buf.limit_hits
    }

    /// Finds the next record.
    pub(crate) fn advance(&mut self) -> Step {
        let offset = self.buf.offset();
        let stop = |reason: String| Step::Stop(StoppedEarly { offset, reason });
        let hlen = self.record_header_len;
        match self.buf.fill(hlen) {
            Ok(true) => {}
            Ok(false) if self.buf.data().is_empty() => return Step::End,
            Ok(false) => return stop("file ends inside a record header".into()),
            Err(reason) => return stop(reason),
        }
        let Some(caplen) = read_u32(self.buf.data(), 8, self.big_endian) else {
            return stop("record header unreadable".into());
        };
        let caplen = caplen as usize;
        let total = hlen.saturating_add(caplen);
        if let Err(reason) = self.buf.check_limit(total, || "record".into()) {
            return stop(reason);
        }
        match self.buf.fill(total) {
            Ok(true) => {}
            Ok(false) => {
                let present = self.buf.data().len().saturating_sub(hlen);
                return stop(format!(
                    "file ends inside a record (header says {caplen} bytes, {present} present)"
                ));
            }
            Err(reason) => return stop(reason),
        }
        // The whole record is in the buffer: its header's other fields are read here, as
        // pcap-parser's record parser would (the same offsets in all three flavours).
        let header = self.buf.data();
        let field = |at| read_u32(header, at, self.big_endian).unwrap_or_default();
        let (ts_sec, ts_frac, origlen) = (field(0), field(4), field(12));
        // ts_sec is unsigned (records past 2038); `ts_frac` holds nanoseconds in ns files.
        let frac = if self.nanos {
            u64::from(ts_frac)
        } else {
            u64::from(ts_frac) * 1000
        };
        Step::Frame(FrameMeta {
            start: hlen,
            end: total,
            consumed: total,
            timestamp: Some(Timestamp::new(i64::from(ts_sec), frac)),
            len: origlen,
            link_type: self.link_type,
            interface: None,
        })
    }
}

/// The u32 at `at` in the given byte order, if there are 4 bytes there.
#[inline]
pub(crate) fn read_u32(data: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(bytes)
    } else {
        u32::from_le_bytes(bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magics() {
        assert_eq!(
            detect([0xd4, 0xc3, 0xb2, 0xa1]),
            Some((Flavor::Micro, false))
        );
        assert_eq!(
            detect([0xa1, 0xb2, 0xc3, 0xd4]),
            Some((Flavor::Micro, true))
        );
        assert_eq!(
            detect([0x4d, 0x3c, 0xb2, 0xa1]),
            Some((Flavor::Nano, false))
        );
        assert_eq!(detect([0xa1, 0xb2, 0x3c, 0x4d]), Some((Flavor::Nano, true)));
        assert_eq!(
            detect([0x34, 0xcd, 0xb2, 0xa1]),
            Some((Flavor::Modified, false))
        );
        assert_eq!(detect([0x0a, 0x0d, 0x0d, 0x0a]), None);
        assert_eq!(detect([0x7f, b'E', b'L', b'F']), None);
    }

    #[test]
    fn read_u32_checks_bounds() {
        assert_eq!(read_u32(&[1, 0, 0, 0], 0, false), Some(1));
        assert_eq!(read_u32(&[0, 0, 0, 1], 0, true), Some(1));
        assert_eq!(read_u32(&[0, 0, 0], 0, true), None);
        assert_eq!(read_u32(&[0; 8], usize::MAX - 1, true), None);
    }
}
