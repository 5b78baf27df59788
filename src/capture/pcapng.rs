//! pcapng files: sections, interfaces, Enhanced / Simple / obsolete Packet Blocks.
//!
//! Every block is measured by us (type, length, trailer) and complete in the buffer before
//! anything parses it. Section and interface headers are parsed by pcap-parser's `PcapNGReader`
//! (which keeps its own idea of the section byte order, so every SHB goes through it); their
//! options we walk ourselves because pcap-parser reads `if_tsoffset` as little-endian in every
//! section, cannot express binary `if_tsresol` values (its `ts_resolution()` returns `None` for
//! them) and silently drops options that run past their block. Packet blocks have fixed layouts
//! that we read in place: pcap-parser would allocate a `Vec` per EPB that carries options and
//! returns obsolete Packet Blocks (type 2) as `Unknown`. Other blocks (NRB, ISB, DSB, custom…)
//! are skipped unparsed.

use super::pcap::read_u32;
use super::source::{Buffered, ErrorCell, Input};
use super::{FrameMeta, Step, StoppedEarly};
use crate::model::{LinkType, Timestamp};
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{Block, PcapBlockOwned, PcapNGReader};

/// Section Header Block type (a palindrome: the same in both byte orders).
pub(crate) const SHB: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const IDB: u32 = 1;
const OPB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
/// Byte-order magic of an SHB as it reads in a little-endian section.
const BOM: u32 = 0x1a2b_3c4d;
/// Minimum SHB length: type, length, BOM, version, section length, trailer.
pub(crate) const SHB_MIN: usize = 28;

/// What a valid Section Header Block says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shb {
    pub(crate) big_endian: bool,
    pub(crate) major: u16,
    pub(crate) minor: u16,
}

/// Byte order and total length of an SHB, from its first 12 bytes.
pub(crate) fn shb_head(head: &[u8]) -> Result<(bool, usize), String> {
    let big_endian = match read_u32(head, 8, false) {
        Some(BOM) => false,
        Some(bom) if bom.swap_bytes() == BOM => true,
        Some(bom) => {
            return Err(format!(
                "section header block has an unknown byte-order magic 0x{:08x}",
                bom.swap_bytes()
            ));
        }
        None => return Err("file ends inside a block header".into()),
    };
    let len = read_u32(head, 4, big_endian).unwrap_or(0);
    let len = check_len(len, SHB_MIN, "section header")?;
    Ok((big_endian, len))
}

/// Checks a block length read from a header: minimum, multiple of 4 (the size limit is the
/// caller's: [`Buffered::check_limit`]).
fn check_len(len: u32, min: usize, what: &str) -> Result<usize, String> {
    let len = len as usize;
    if len < min {
        return Err(format!(
            "{what} block length {len} is shorter than the minimum {min}"
        ));
    }
    if !len.is_multiple_of(4) {
        return Err(format!("{what} block length {len} is not a multiple of 4"));
    }
    Ok(len)
}

/// Checks the trailing length copy of a complete block.
fn check_trailer(block: &[u8], len: usize, big_endian: bool, what: &str) -> Result<(), String> {
    match read_u32(block, len.wrapping_sub(4), big_endian) {
        Some(trailer) if trailer as usize == len => Ok(()),
        Some(trailer) => Err(format!(
            "{what} block length mismatch (header says {len}, trailer says {trailer})"
        )),
        None => Err(format!("{what} block is shorter than its length")),
    }
}

/// Checks a complete Section Header Block (`block` holds at least the whole block).
pub(crate) fn check_shb(block: &[u8]) -> Result<Shb, String> {
    let (big_endian, len) = shb_head(block)?;
    if block.len() < len {
        return Err("section header block is shorter than its length".into());
    }
    let major = read_u16(block, 12, big_endian).unwrap_or(0);
    let minor = read_u16(block, 14, big_endian).unwrap_or(0);
    // Options first: an option running past the block is what tshark reports, too.
    let options = block.get(24..len - 4).unwrap_or_default();
    walk_options(options, big_endian, |_, _| {})
        .map_err(|e| format!("section header block: {e}"))?;
    check_trailer(block, len, big_endian, "section header")?;
    Ok(Shb {
        big_endian,
        major,
        minor,
    })
}

/// Calls `f(code, value)` for each option up to `opt_endofopt`; fails if one runs past the end.
fn walk_options(
    mut rest: &[u8],
    big_endian: bool,
    mut f: impl FnMut(u16, &[u8]),
) -> Result<(), String> {
    while rest.len() >= 4 {
        let code = read_u16(rest, 0, big_endian).unwrap_or(0);
        let len = usize::from(read_u16(rest, 2, big_endian).unwrap_or(0));
        if code == 0 {
            break;
        }
        let body = rest.get(4..).unwrap_or_default();
        let Some(value) = body.get(..len) else {
            return Err(format!(
                "option {code} of length {len} runs past the block ({} bytes left)",
                body.len()
            ));
        };
        f(code, value);
        rest = body.get((len + 3) & !3..).unwrap_or_default();
    }
    Ok(())
}

/// The u16 at `at` in the given byte order, if there are 2 bytes there.
#[inline]
fn read_u16(data: &[u8], at: usize, big_endian: bool) -> Option<u16> {
    let bytes: [u8; 2] = data.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if big_endian {
        u16::from_be_bytes(bytes)
    } else {
        u16::from_le_bytes(bytes)
    })
}

/// How an interface counts time: ticks per second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    Micro,
    Nano,
    PerSecond(u64),
}

impl Scale {
    /// From `if_tsresol`: 10^-n, or 2^-n when the top bit is set.
    fn from_tsresol(tsresol: u8) -> Option<Scale> {
        if tsresol & 0x80 == 0 {
            match tsresol {
                6 => Some(Scale::Micro),
                9 => Some(Scale::Nano),
                n if n <= 19 => Some(Scale::PerSecond(10u64.pow(u32::from(n)))),
                _ => None,
            }
        } else {
            let n = tsresol & 0x7f;
            (n <= 63).then(|| Scale::PerSecond(1u64 << n))
        }
    }
}

/// What a packet needs from its interface.
#[derive(Clone, Copy, Debug)]
struct Interface {
    link_type: LinkType,
    snaplen: u32,
    scale: Scale,
    /// `if_tsoffset`: seconds added to every timestamp.
    offset_secs: i64,
}

impl Interface {
    #[inline]
    fn timestamp(&self, high: u32, low: u32) -> Timestamp {
        let ticks = (u64::from(high) << 32) | u64::from(low);
        let (secs, nanos) = match self.scale {
            Scale::Micro => (ticks / 1_000_000, ticks % 1_000_000 * 1000),
            Scale::Nano => (ticks / 1_000_000_000, ticks % 1_000_000_000),
            Scale::PerSecond(units) => {
                let rem = u128::from(ticks % units) * 1_000_000_000 / u128::from(units);
                (ticks / units, rem as u64)
            }
        };
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        Timestamp::new(secs.saturating_add(self.offset_secs), nanos)
    }
}

/// Reader state of a pcapng file.
pub(crate) struct NgState {
    buf: Buffered<PcapNGReader<Input>>,
    big_endian: bool,
    interfaces: Vec<Interface>,
}

impl NgState {
    /// Builds the reader over `input`, whose first bytes hold the whole (checked) first SHB.
    pub(crate) fn open(
        input: Input,
        capacity: usize,
        error: ErrorCell,
        max_record: usize,
    ) -> Result<NgState, String> {
        let reader = PcapNGReader::new(capacity, input)
            .map_err(|e| format!("section header block does not parse: {e}"))?;
        Ok(NgState {
            buf: Buffered::new(reader, capacity, error, max_record),
            big_endian: false,
            interfaces: Vec::new(),
        })
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

    /// Finds the next packet block, handling the section and interface blocks on the way.
    pub(crate) fn advance(&mut self) -> Step {
        loop {
            let offset = self.buf.offset();
            match self.block() {
                Ok(Some(step)) => return step,
                Ok(None) => {}
                Err(reason) => return Step::Stop(StoppedEarly { offset, reason }),
            }
        }
    }

    /// Reads one block: `Ok(None)` when it was not a packet (consumed), `Err` to stop.
    fn block(&mut self) -> Result<Option<Step>, String> {
        match self.buf.fill(8)? {
            true => {}
            false if self.buf.data().is_empty() => return Ok(Some(Step::End)),
            false => return Err("file ends inside a block header".into()),
        }
        let is_shb = self.buf.data().get(..4) == Some(&SHB[..]);
        let (block_type, len, big_endian) = if is_shb {
            if !self.buf.fill(12)? {
                return Err("file ends inside a block header".into());
            }
            let (big_endian, len) = shb_head(self.buf.data())?;
            (u32::from_le_bytes(SHB), len, big_endian)
        } else {
            let be = self.big_endian;
            let data = self.buf.data();
            let block_type = read_u32(data, 0, be).unwrap_or(0);
            let len = read_u32(data, 4, be).unwrap_or(0);
            let min = match block_type {
                IDB => 20,
                SPB => 16,
                EPB | OPB => 32,
                _ => 12,
            };
            (block_type, check_len(len, min, block_name(block_type))?, be)
        };
        self.buf
            .check_limit(len, || format!("{} block", block_name(block_type)))?;
        if !self.buf.fill(len)? {
            let present = self.buf.data().len();
            return Err(format!(
                "file ends inside a block (header says {len} bytes, {present} present)"
            ));
        }
        let data = self.buf.data();
        check_trailer(data, len, big_endian, block_name(block_type))?;
        let step = match block_type {
            IDB => {
                self.interface(len)?;
                None
            }
            EPB => {
                let field = |at| read_u32(data, at, big_endian).unwrap_or(0);
                let (if_id, high, low) = (field(8), field(12), field(16));
                let (caplen, origlen) = (field(20), field(24));
                let room = len - 32;
                if caplen as usize > room {
                    return Err(format!(
                        "enhanced packet block says {caplen} captured bytes but holds {room}"
                    ));
                }
                let iface = self.lookup(if_id)?;
                Some(Step::Frame(FrameMeta {
                    start: 28,
                    end: 28 + caplen as usize,
                    consumed: len,
                    timestamp: Some(iface.timestamp(high, low)),
                    len: origlen,
                    link_type: iface.link_type,
                    interface: Some(if_id),
                }))
            }
            SPB => {
                let origlen = read_u32(data, 8, big_endian).unwrap_or(0);
                let iface = self.lookup(0)?;
                let mut caplen = (origlen as usize).min(len - 16);
                if iface.snaplen != 0 {
                    caplen = caplen.min(iface.snaplen as usize);
                }
                Some(Step::Frame(FrameMeta {
                    start: 12,
                    end: 12 + caplen,
                    consumed: len,
                    timestamp: None,
                    len: origlen,
                    link_type: iface.link_type,
                    interface: Some(0),
                }))
            }
            OPB => {
                let if_id = u32::from(read_u16(data, 8, big_endian).unwrap_or(0));
                let field = |at| read_u32(data, at, big_endian).unwrap_or(0);
                let (high, low, caplen, origlen) = (field(12), field(16), field(20), field(24));
                let room = len - 32;
                if caplen as usize > room {
                    return Err(format!(
                        "packet block says {caplen} captured bytes but holds {room}"
                    ));
                }
                let iface = self.lookup(if_id)?;
                Some(Step::Frame(FrameMeta {
                    start: 28,
                    end: 28 + caplen as usize,
                    consumed: len,
                    timestamp: Some(iface.timestamp(high, low)),
                    len: origlen,
                    link_type: iface.link_type,
                    interface: Some(if_id),
                }))
            }
            _ if is_shb => {
                self.section(len)?;
                None
            }
            _ => {
                self.buf.consume(len);
                None
            }
        };
        Ok(step)
    }

    /// The interface a packet block names, or why there is none.
    fn lookup(&self, if_id: u32) -> Result<Interface, String> {
        match self.interfaces.get(if_id as usize) {
            Some(iface) => Ok(*iface),
            None if self.interfaces.is_empty() => Err(format!(
                "packet block names interface {if_id}, but the section has no interface description block"
            )),
            None => Err(format!(
                "packet block names interface {if_id}, but the section has only {} interface(s)",
                self.interfaces.len()
            )),
        }
    }

    /// A complete SHB of `len` bytes at the front: checks it, starts a new section.
    fn section(&mut self, len: usize) -> Result<(), String> {
        let shb = check_shb(self.buf.data())?;
        if shb.major != 1 {
            return Err(format!(
                "section header block has unsupported pcapng version {}.{}",
                shb.major, shb.minor
            ));
        }
        // pcap-parser tracks the section byte order itself: let it see every SHB.
        match self.buf.reader.next() {
            Ok((n, PcapBlockOwned::NG(Block::SectionHeader(_)))) if n == len => {}
            Ok(_) => return Err("section header block does not parse".into()),
            Err(e) => return Err(format!("section header block does not parse ({e})")),
        }
        self.buf.consume(len);
        self.big_endian = shb.big_endian;
        self.interfaces.clear();
        Ok(())
    }

    /// A complete IDB of `len` bytes at the front: adds the interface to the section.
    fn interface(&mut self, len: usize) -> Result<(), String> {
        let big_endian = self.big_endian;
        let index = self.interfaces.len();
        let mut tsresol = 6u8;
        let mut tsoffset = 0i64;
        let options = self.buf.data().get(16..len - 4).unwrap_or_default();
        walk_options(options, big_endian, |code, value| match (code, value) {
            (9, [resol]) => tsresol = *resol,
            (14, &[a, b, c, d, e, f, g, h]) => {
                let bytes = [a, b, c, d, e, f, g, h];
                tsoffset = if big_endian {
                    i64::from_be_bytes(bytes)
                } else {
                    i64::from_le_bytes(bytes)
                };
            }
            // Wrong lengths are ignored, as Wireshark does.
            _ => {}
        })
        .map_err(|e| format!("interface description block {index}: {e}"))?;
        let scale = Scale::from_tsresol(tsresol).ok_or_else(|| {
            format!("interface description block {index}: if_tsresol 0x{tsresol:02x} out of range")
        })?;
        let (link_type, snaplen) = match self.buf.reader.next() {
            Ok((n, PcapBlockOwned::NG(Block::InterfaceDescription(idb)))) if n == len => {
                (LinkType(idb.linktype.0 as u32 & 0xffff), idb.snaplen)
            }
            Ok(_) => return Err("interface description block does not parse".into()),
            Err(e) => return Err(format!("interface description block does not parse ({e})")),
        };
        self.buf.consume(len);
        self.interfaces.push(Interface {
            link_type,
            snaplen,
            scale,
            offset_secs: tsoffset,
        });
        Ok(())
    }
}

/// A block type's name for messages.
fn block_name(block_type: u32) -> &'static str {
    match block_type {
        0x0a0d_0d0a => "section header",
        IDB => "interface description",
        OPB => "packet",
        SPB => "simple packet",
        EPB => "enhanced packet",
        _ => "pcapng",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_decimal_and_binary() {
        assert_eq!(Scale::from_tsresol(6), Some(Scale::Micro));
        assert_eq!(Scale::from_tsresol(9), Some(Scale::Nano));
        assert_eq!(Scale::from_tsresol(3), Some(Scale::PerSecond(1000)));
        assert_eq!(
            Scale::from_tsresol(19),
            Some(Scale::PerSecond(10u64.pow(19)))
        );
        assert_eq!(Scale::from_tsresol(20), None);
        assert_eq!(Scale::from_tsresol(0x88), Some(Scale::PerSecond(256)));
        assert_eq!(Scale::from_tsresol(0x80), Some(Scale::PerSecond(1)));
        assert_eq!(Scale::from_tsresol(0xbf), Some(Scale::PerSecond(1 << 63)));
        assert_eq!(Scale::from_tsresol(0xc0), None);
    }

    #[test]
    fn interface_timestamps() {
        let iface = |scale, offset_secs| Interface {
            link_type: LinkType::ETHERNET,
            snaplen: 0,
            scale,
            offset_secs,
        };
        let ticks: u64 = 1_340_954_905_298_858;
        let (high, low) = ((ticks >> 32) as u32, ticks as u32);
        assert_eq!(
            iface(Scale::Micro, 0).timestamp(high, low),
            Timestamp::new(1_340_954_905, 298_858_000)
        );
        assert_eq!(
            iface(Scale::Nano, 0).timestamp(0, 1_500_000_001),
            Timestamp::new(1, 500_000_001)
        );
        // 2^-8 s: 257 ticks = 1 s + 1/256 s; if_tsoffset adds whole seconds.
        assert_eq!(
            iface(Scale::PerSecond(256), 100).timestamp(0, 257),
            Timestamp::new(101, 3_906_250)
        );
        assert_eq!(
            iface(Scale::PerSecond(1), -10).timestamp(0, 5),
            Timestamp::new(-5, 0)
        );
        // Huge tick counts at 1 tick a second do not wrap.
        assert_eq!(
            iface(Scale::PerSecond(1), 0)
                .timestamp(u32::MAX, u32::MAX)
                .secs,
            i64::MAX
        );
    }

    #[test]
    fn options_walk_stops_at_end_and_catches_overruns() {
        // if_tsresol = 9, then opt_endofopt, then garbage that must not be read.
        let opts = [9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
        let mut seen = Vec::new();
        walk_options(&opts, false, |code, value| {
            seen.push((code, value.to_vec()))
        })
        .unwrap();
        assert_eq!(seen, vec![(9, vec![9])]);
        // An option claiming 12336 bytes (libpcap's shb-option-too-long.pcapng).
        let err = walk_options(&[0x30, 0x30, 0x30, 0x30, 0, 0], false, |_, _| {}).unwrap_err();
        assert!(err.contains("12336"), "{err}");
        // Big-endian lengths.
        let opts = [0, 2, 0, 3, b'a', b'b', b'c', 0];
        let mut seen = Vec::new();
        walk_options(&opts, true, |code, value| seen.push((code, value.to_vec()))).unwrap();
        assert_eq!(seen, vec![(2, b"abc".to_vec())]);
    }

    #[test]
    fn shb_checks() {
        let mut shb = vec![
            0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
        ];
        shb.extend_from_slice(&[0xff; 8]);
        shb.extend_from_slice(&[28, 0, 0, 0]);
        assert_eq!(
            check_shb(&shb),
            Ok(Shb {
                big_endian: false,
                major: 1,
                minor: 0
            })
        );
        let mut bad_trailer = shb.clone();
        bad_trailer[24] = 32;
        assert!(check_shb(&bad_trailer).unwrap_err().contains("mismatch"));
        let mut bad_bom = shb.clone();
        bad_bom[8] = 0;
        assert!(check_shb(&bad_bom).unwrap_err().contains("byte-order"));
        let mut odd_len = shb.clone();
        odd_len[4] = 30;
        assert!(check_shb(&odd_len).unwrap_err().contains("multiple of 4"));
        assert!(check_shb(&shb[..10]).is_err());
        assert_eq!(check_len(u32::MAX - 3, 12, "x"), Ok(u32::MAX as usize - 3));
    }
}
