//! `pcap`: the frames' original bytes and times as a classic pcap, for any other tool to go on.
//!
//! A classic pcap input is written back with its own link type, snap length and time
//! resolution: every record is byte-identical to the input's (a little-endian input with
//! `thiszone` and `sigfigs` 0, as tcpdump writes them, gives a byte-identical file). Dissection
//! options (`-P`, `-L`) change nothing in the bytes.
//!
//! A pcapng input is written as a classic pcap with nanosecond times (pcapng resolutions go
//! down to nanoseconds), a snap length of 262144 and the link type of its first frame, taken
//! when that frame arrives (streaming). A pcapng input whose interfaces have several link types
//! cannot be one classic pcap: the run stops at the first frame of another link type with an
//! error that says so, and the partial output is removed. Frames without a time (Simple
//! Packet Blocks) are written at time 0.

use super::encoder::{Encoder, EncodingDumper, Placement};
use crate::capture::{CaptureInfo, PcapWriter, RawFrame, StoppedEarly};
use crate::model::{Frame, LinkType, Summary};
use crate::pipeline::Record;
use std::io;

/// Snap length written for a pcapng input (tcpdump's default maximum).
const PCAPNG_SNAPLEN: u32 = 262_144;

/// Encodes the captured frames as a classic pcap (see the module docs for pcapng inputs).
///
/// The one [`ordered`](Encoder::ordered) encoder: the header of a pcapng input waits for its
/// first frame, whose link type every later frame must have.
#[derive(Debug)]
pub struct PcapEncoder {
    nanos: bool,
    snaplen: u32,
    /// Once the header is written: the record writer (over a buffer swapped in and out of
    /// the caller's) and the output's link type.
    writer: Option<(PcapWriter<Vec<u8>>, LinkType)>,
}

/// Writes the captured frames as a classic pcap (see [`PcapEncoder`]); give it a buffered
/// writer.
pub type PcapDumper<W> = EncodingDumper<PcapEncoder, W>;

impl Default for PcapEncoder {
    fn default() -> Self {
        PcapEncoder {
            nanos: true,
            snaplen: PCAPNG_SNAPLEN,
            writer: None,
        }
    }
}

impl Clone for PcapEncoder {
    fn clone(&self) -> Self {
        let mut copy = PcapEncoder {
            writer: None,
            ..*self
        };
        if let Some((_, link_type)) = &self.writer {
            // Writing a header into a scratch buffer cannot fail.
            let _ = copy.start(*link_type, &mut Vec::new());
        }
        copy
    }
}

impl PcapEncoder {
    /// Appends the file header for `link_type` to `out`.
    fn start(&mut self, link_type: LinkType, out: &mut Vec<u8>) -> io::Result<()> {
        let mut writer = PcapWriter::new(std::mem::take(out), link_type, self.snaplen, self.nanos)?;
        std::mem::swap(writer.get_mut(), out);
        self.writer = Some((writer, link_type));
        Ok(())
    }
}

impl Encoder for PcapEncoder {
    fn placement(&self) -> Placement {
        Placement::FramesOnly
    }

    fn ordered(&self) -> bool {
        true
    }

    fn begin(&mut self, info: &CaptureInfo, out: &mut Vec<u8>) -> io::Result<()> {
        if self.writer.is_none()
            && let Some(link_type) = info.link_type
        {
            // Classic pcap: its own header values, written now (even with no frames).
            self.nanos = info.ts_resolution == Some("ns");
            self.snaplen = info.snaplen.unwrap_or(PCAPNG_SNAPLEN);
            return self.start(link_type, out);
        }
        Ok(())
    }

    fn frame(
        &mut self,
        raw: &RawFrame<'_>,
        _frame: &Frame,
        _index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        if self.writer.is_none() {
            self.start(raw.link_type, out)?;
        }
        let Some((writer, link_type)) = &mut self.writer else {
            return Ok(());
        };
        if raw.link_type != *link_type {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "frame {} has link type {} but the pcap output is {}: a classic \
                     pcap holds one link type (the input mixes them; split it first, \
                     e.g. by interface with `tshark -r IN -Y frame.interface_id==N -w OUT`)",
                    raw.number, raw.link_type, link_type
                ),
            ));
        }
        let time = raw.timestamp.unwrap_or_default();
        std::mem::swap(writer.get_mut(), out);
        let written = writer.write_frame(time, raw.len, raw.data);
        std::mem::swap(writer.get_mut(), out);
        written
    }

    /// Records other than frames have no place in a pcap; a frame without its bytes neither.
    fn record(&mut self, _record: &Record, _index: u64, _out: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }

    fn finish(
        &mut self,
        _: &Summary,
        _: Option<&StoppedEarly>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        if self.writer.is_none() {
            // A pcapng input without frames: an empty Ethernet pcap is still a valid file.
            self.start(LinkType::ETHERNET, out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::Dumper;
    use crate::engine::FrameSink;
    use crate::model::{Frame, Timestamp};

    fn info(link_type: Option<LinkType>, resolution: Option<&'static str>) -> CaptureInfo {
        CaptureInfo {
            path: "x".into(),
            format: if link_type.is_some() {
                "pcap"
            } else {
                "pcapng"
            },
            version: "2.4".into(),
            byte_order: "little",
            ts_resolution: resolution,
            snaplen: link_type.map(|_| 1500),
            link_type,
        }
    }

    fn raw(number: u64, link_type: LinkType, data: &[u8]) -> RawFrame<'_> {
        RawFrame {
            number,
            timestamp: Some(Timestamp::new(100, 1_234_000)),
            len: 99,
            link_type,
            interface: None,
            data,
        }
    }

    fn frame() -> Frame {
        Frame {
            number: 1,
            timestamp: None,
            len: 0,
            cap_len: 0,
            link_type: LinkType::ETHERNET,
            interface: None,
            layers: Vec::new(),
            spans: Vec::new(),
            error: None,
        }
    }

    #[test]
    fn classic_header_from_the_input() {
        let mut out = Vec::new();
        let mut d = PcapDumper::new(&mut out);
        d.begin(&info(Some(LinkType::RAW), Some("us"))).unwrap();
        d.frame(&raw(1, LinkType::RAW, b"abc"), &frame()).unwrap();
        d.finish(&Summary::default(), None).unwrap();
        assert_eq!(&out[..4], &0xa1b2_c3d4u32.to_le_bytes());
        assert_eq!(&out[16..20], &1500u32.to_le_bytes());
        assert_eq!(&out[20..24], &101u32.to_le_bytes());
        // µs: 1_234_000 ns → 1234 µs.
        assert_eq!(&out[28..32], &1234u32.to_le_bytes());
        assert_eq!(&out[32..40], &[3, 0, 0, 0, 99, 0, 0, 0]);
        assert_eq!(&out[40..], b"abc");
    }

    #[test]
    fn pcapng_takes_the_first_link_type_and_refuses_another() {
        let mut out = Vec::new();
        let mut d = PcapDumper::new(&mut out);
        d.begin(&info(None, None)).unwrap();
        d.frame(&raw(1, LinkType::LINUX_SLL, b"ab"), &frame())
            .unwrap();
        let err = d
            .frame(&raw(2, LinkType::ETHERNET, b"cd"), &frame())
            .unwrap_err();
        assert!(err.to_string().contains("frame 2 has link type ETHERNET"));
        assert_eq!(&out[..4], &0xa1b2_3c4du32.to_le_bytes());
        assert_eq!(&out[16..20], &PCAPNG_SNAPLEN.to_le_bytes());
        assert_eq!(&out[20..24], &113u32.to_le_bytes());
        assert_eq!(&out[28..32], &1_234_000u32.to_le_bytes());
        assert_eq!(out.len(), 24 + 16 + 2);
    }

    #[test]
    fn empty_pcapng_gives_a_valid_empty_file() {
        let mut out = Vec::new();
        let mut d = PcapDumper::new(&mut out);
        d.begin(&info(None, None)).unwrap();
        d.finish(&Summary::default(), None).unwrap();
        assert_eq!(out.len(), 24);
    }
}
