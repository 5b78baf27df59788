//! Classic pcap writer: little-endian, version 2.4, microsecond or nanosecond timestamps.

use crate::model::{LinkType, Timestamp};
use std::io::{self, Write};

/// Writes a classic little-endian pcap (v2.4) record by record.
///
/// Wrap a file in a [`BufWriter`](std::io::BufWriter): every record is two `write_all` calls.
///
/// ```
/// use pcapkit::capture::PcapWriter;
/// use pcapkit::model::{LinkType, Timestamp};
///
/// let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535, false)?;
/// w.write_frame(Timestamp::new(1_700_000_000, 5_000), 60, &[0u8; 60])?;
/// assert_eq!(w.into_inner().len(), 24 + 16 + 60);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    nanos: bool,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header: µs magic `a1b2c3d4`, or ns magic `a1b23c4d` when `nanos`.
    pub fn new(mut out: W, link_type: LinkType, snaplen: u32, nanos: bool) -> io::Result<Self> {
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut header = [0u8; 24];
        header[0..4].copy_from_slice(&magic.to_le_bytes());
        header[4..6].copy_from_slice(&2u16.to_le_bytes());
        header[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone and sigfigs stay 0.
        header[16..20].copy_from_slice(&snaplen.to_le_bytes());
        header[20..24].copy_from_slice(&link_type.0.to_le_bytes());
        out.write_all(&header)?;
        Ok(PcapWriter { out, nanos })
    }

    /// Continues a file whose header is already written (appending to an existing pcap).
    pub fn append(out: W, nanos: bool) -> Self {
        PcapWriter { out, nanos }
    }

    /// Writes one record: `data` is what was captured, `orig_len` the length on the wire.
    ///
    /// Fails with `InvalidInput` when the time is outside the format's unsigned 32-bit seconds
    /// or `data` is longer than 4 GiB; nothing is written then. Sub-microsecond digits are
    /// truncated in a µs file.
    pub fn write_frame(
        &mut self,
        timestamp: Timestamp,
        orig_len: u32,
        data: &[u8],
    ) -> io::Result<()> {
        let secs = u32::try_from(timestamp.secs).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "timestamp {} is outside the pcap range",
                    timestamp.to_epoch_string()
                ),
            )
        })?;
        let caplen = u32::try_from(data.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame longer than 4 GiB"))?;
        let frac = if self.nanos {
            timestamp.nanos
        } else {
            timestamp.nanos / 1000
        };
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&secs.to_le_bytes());
        header[4..8].copy_from_slice(&frac.to_le_bytes());
        header[8..12].copy_from_slice(&caplen.to_le_bytes());
        header[12..16].copy_from_slice(&orig_len.to_le_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(data)
    }

    /// The underlying writer (not flushed: flush it yourself if it buffers).
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The underlying writer, e.g. to flush it.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_record_layout() {
        let mut w = PcapWriter::new(Vec::new(), LinkType(113), 262_144, true).unwrap();
        w.write_frame(Timestamp::new(0x8000_0000, 7), 100, b"xy")
            .unwrap();
        let out = w.into_inner();
        assert_eq!(
            out,
            [
                &[0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0][..],
                &[0, 0, 4, 0, 113, 0, 0, 0],
                &[0, 0, 0, 0x80, 7, 0, 0, 0, 2, 0, 0, 0, 100, 0, 0, 0],
                b"xy",
            ]
            .concat()
        );
    }

    #[test]
    fn microseconds_truncate_and_range_is_checked() {
        let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 0, false).unwrap();
        w.write_frame(Timestamp::new(1, 1_999), 0, &[]).unwrap();
        assert_eq!(&w.get_mut()[24..32], &[1, 0, 0, 0, 1, 0, 0, 0]);
        let err = w.write_frame(Timestamp::new(-1, 0), 0, &[]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let err = w
            .write_frame(Timestamp::new(1 << 32, 0), 0, &[])
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(w.into_inner().len(), 24 + 16);
    }
}
