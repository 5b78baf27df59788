//! Follow a TCP stream: the reassembled bytes of both directions of one flow, like
//! Wireshark's *Follow TCP Stream*.
//!
//! The flow is chosen by its trace id (Wireshark's `tcp.stream`, numbered by the same
//! [`FlowTable`]) or by its endpoints (the first flow on that 4-tuple). Each direction's
//! segments go through the reassembly module's [`HalfStream`] (in order, retransmissions
//! dropped, out-of-order segments held back, holes reported as gaps), and the bytes are
//! written as they are delivered, in delivery order: memory stays bounded by the half streams'
//! buffers, never by the stream's length. A segment carried in IP fragments (of its own IP
//! header or of a tunnel's outer one) is taken from the reassembled datagram, as Wireshark's
//! default defragmentation does.

use super::key::{Endpoint, FlowKey, Transport};
use super::packet::{self, Fragments};
use super::table::{FlowTable, TableLimits};
use crate::capture::{CaptureReader, RawFrame};
use crate::engine::native::{by_ip_proto, dissect_from};
use crate::engine::{DissectOptions, EngineKind};
use crate::error::{Error, Result};
use crate::model::{Frame, Layer, ProtoId};
use crate::reassembly::ReassemblyOptions;
use crate::reassembly::defrag::Defragmenter;
use crate::reassembly::tcp::{Event, HalfStream, Segment};
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

/// Out-of-order bytes buffered per direction at most.
const HALF_LIMIT: usize = 8 << 20;

/// How the followed stream is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowFormat {
    /// Text (non-printable bytes as `.`), the second direction indented by a tab, between
    /// a header naming the nodes and a closing rule, as `tshark -z follow,tcp,ascii` does.
    Text,
    /// A hex dump per chunk (stream offset, 16 bytes, ASCII), the second direction indented.
    Hex,
    /// The bytes themselves, both directions in delivery order.
    Raw,
    /// `{"flow": {...}, "chunks": [{"dir", "offset", "frame", "data" (hex)} or
    /// {"dir", "gap": [from, to]}], "bytes": {"a_to_b", "b_to_a"}}`.
    Json,
}

impl FromStr for FollowFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<FollowFormat> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "text" | "ascii" => FollowFormat::Text,
            "hex" => FollowFormat::Hex,
            "raw" => FollowFormat::Raw,
            "json" => FollowFormat::Json,
            _ => {
                return Err(Error::Usage(format!(
                    "unknown follow format '{s}': text | hex | raw | json"
                )));
            }
        })
    }
}

/// Which flow to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowSelector {
    /// The TCP flow with this id (`--flow ID`, Wireshark's `tcp.stream`).
    Id(u64),
    /// The first TCP flow between these endpoints, either way (`--tuple A:PA-B:PB`).
    Tuple(Endpoint, Endpoint),
}

impl FromStr for FlowSelector {
    type Err = Error;

    /// `10.0.0.1:80-10.0.0.2:5000` or `[2001:db8::1]:443-[2001:db8::2]:6000`.
    fn from_str(s: &str) -> Result<FlowSelector> {
        let bad = || {
            Error::Usage(format!(
                "bad --tuple '{s}': A:PA-B:PB, e.g. 10.0.0.1:80-10.0.0.2:5000 or [::1]:80-[::2]:5000"
            ))
        };
        let endpoint = |text: &str| -> Result<Endpoint> {
            let addr: std::net::SocketAddr = text.parse().map_err(|_| bad())?;
            Ok(Endpoint {
                addr: addr.ip(),
                port: addr.port(),
            })
        };
        // The separator is the '-' after the first endpoint's port.
        let split = s
            .char_indices()
            .filter(|&(_, c)| c == '-')
            .find(|&(i, _)| endpoint(&s[..i]).is_ok())
            .map(|(i, _)| i)
            .ok_or_else(bad)?;
        Ok(FlowSelector::Tuple(
            endpoint(&s[..split])?,
            endpoint(&s[split + 1..])?,
        ))
    }
}

/// What following found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Followed {
    /// The flow's id.
    pub id: u64,
    /// The endpoint that sent the flow's first frame, and the other.
    pub ends: [Endpoint; 2],
    /// Bytes delivered `[a → b, b → a]`.
    pub bytes: [u64; 2],
    /// Bytes missing (gaps) `[a → b, b → a]`.
    pub missing: [u64; 2],
}

/// Writes the reassembled stream of one flow of `input` to `out`.
pub fn follow(
    input: &Path,
    select: FlowSelector,
    format: FollowFormat,
    out: &mut dyn Write,
) -> Result<Followed> {
    let mut reader = CaptureReader::open(input)?;
    let dissector = EngineKind::Native.dissector();
    let options = DissectOptions::default();
    let mut follower = Follower::new(select, format);
    let write_err = |source| Error::Write {
        path: "-".into(),
        source,
    };
    while let Some(raw) = reader.next_frame() {
        let frame = dissector.dissect(&raw, &options);
        follower.frame(&raw, &frame, out).map_err(write_err)?;
        if follower.done {
            break;
        }
    }
    let Some(found) = follower.finish(out).map_err(write_err)? else {
        return Err(Error::Usage(match select {
            FlowSelector::Id(id) => format!("{}: no TCP flow {id}", input.display()),
            FlowSelector::Tuple(a, b) => format!("{}: no TCP flow {a}-{b}", input.display()),
        }));
    };
    out.flush().map_err(write_err)?;
    Ok(found)
}

/// A TCP segment taken from a reassembled IP datagram.
struct Reassembled {
    /// Source and destination port.
    ports: [u16; 2],
    seq: u32,
    payload: Vec<u8>,
}

/// The flow being followed.
struct Target {
    id: u64,
    key: FlowKey,
    ends: [Endpoint; 2],
}

/// Picks the flow's frames out of a capture and writes its two directions.
struct Follower {
    select: FlowSelector,
    format: FollowFormat,
    table: FlowTable,
    frags: Fragments,
    /// Reassembles IP datagrams, so a segment in fragments has its bytes.
    defrag: Defragmenter,
    /// Capture time of the latest frame with one (whole seconds).
    now: i64,
    target: Option<Target>,
    halves: [HalfStream; 2],
    totals: Totals,
    /// The flow ended (a new connection took its 4-tuple): later frames are not its own.
    done: bool,
}

impl Follower {
    fn new(select: FlowSelector, format: FollowFormat) -> Follower {
        Follower {
            select,
            format,
            table: FlowTable::new(TableLimits::default()),
            frags: Fragments::default(),
            defrag: Defragmenter::new(&ReassemblyOptions::default()),
            now: i64::MIN,
            target: None,
            halves: [HalfStream::new(HALF_LIMIT), HalfStream::new(HALF_LIMIT)],
            totals: Totals::default(),
            done: false,
        }
    }

    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame, out: &mut dyn Write) -> io::Result<()> {
        if let Some(ts) = raw.timestamp {
            self.now = ts.secs;
        }
        self.defrag.feed(frame, raw.data, self.now);
        let completed = self.completed_segments();
        let Some(seen) = packet::locate(raw, frame, false, &mut self.frags) else {
            return Ok(());
        };
        let mut ended = Vec::new();
        let placed = self.table.observe(
            &seen,
            frame.number,
            raw.timestamp,
            raw.len,
            |_, _, _, _| String::new(),
            &mut ended,
        );
        let (key, _) = FlowKey::new(Transport::Tcp, seen.src, seen.dst);
        if self.target.is_none() {
            let chosen = match self.select {
                FlowSelector::Id(id) => placed.flow.1 == id,
                FlowSelector::Tuple(a, b) => key == FlowKey::new(Transport::Tcp, a, b).0,
            };
            if !chosen {
                return Ok(());
            }
            let Some(flow) = self.table.get_mut(&key) else {
                return Ok(());
            };
            let target = Target {
                id: flow.id,
                key,
                ends: [flow.a, flow.b],
            };
            self.header(&target, out)?;
            self.target = Some(target);
        }
        let Some(target) = &self.target else {
            return Ok(());
        };
        if key != target.key {
            return Ok(());
        }
        if placed.flow.1 != target.id {
            self.done = true;
            return Ok(());
        }
        let Some(tcp) = seen.tcp.filter(|_| seen.analyze) else {
            return Ok(());
        };
        // The segment of a datagram this frame completed, else the innermost TCP layer's
        // payload.
        let reassembled = completed
            .iter()
            .find(|s| s.ports == [seen.src.port, seen.dst.port] && s.seq == tcp.seq)
            .map(|s| &s.payload[..]);
        let payload = reassembled
            .or_else(|| {
                let i = frame
                    .layers
                    .iter()
                    .rposition(|l| matches!(l, Layer::Tcp(_)))?;
                frame.payload(i, raw.data)
            })
            .unwrap_or_default();
        let dir = usize::from(seen.src != target.ends[0]);
        let segment = Segment {
            seq: tcp.seq,
            flags: tcp.flags,
            payload,
            len: seen.payload_len,
            frame: frame.number,
        };
        let mut result = Ok(());
        let [first, second] = &mut self.halves;
        let (this, other) = if dir == 0 {
            (first, second)
        } else {
            (second, first)
        };
        let mut sink = Sink::new(self.format, &mut self.totals, out, &mut result);
        if tcp.flags & Segment::ACK != 0 {
            other.peer_ack(tcp.ack, &mut |e| sink.event(1 - dir, e));
        }
        this.segment(&segment, &mut |e| sink.event(dir, e));
        result
    }

    /// The innermost TCP segments of the datagrams the last frame completed.
    fn completed_segments(&mut self) -> Vec<Reassembled> {
        if !self.defrag.has_done() {
            return Vec::new();
        }
        let v4 = self
            .defrag
            .v4_done
            .drain(..)
            .map(|d| (d.complete, d.protocol, d.data));
        let v6 = self
            .defrag
            .v6_done
            .drain(..)
            .map(|d| (d.complete, d.protocol, d.data));
        let mut found = Vec::new();
        for (_, protocol, data) in v4.chain(v6).filter(|d| d.0) {
            let first = by_ip_proto(protocol).unwrap_or(ProtoId::Raw);
            let frame = dissect_from(first, &data, &DissectOptions::default());
            let tcp = frame
                .layers
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, l)| match l {
                    Layer::Tcp(tcp) => Some((i, tcp)),
                    _ => None,
                });
            if let Some((i, tcp)) = tcp {
                found.push(Reassembled {
                    ports: [tcp.src_port, tcp.dst_port],
                    seq: tcp.seq,
                    payload: frame.payload(i, &data).unwrap_or_default().to_vec(),
                });
            }
        }
        found
    }

    /// Flushes both directions and writes the closing part; `None` if the flow was not found.
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<Option<Followed>> {
        let Some(target) = self.target.take() else {
            return Ok(None);
        };
        let mut result = Ok(());
        let mut sink = Sink::new(self.format, &mut self.totals, out, &mut result);
        for (dir, half) in self.halves.iter_mut().enumerate() {
            half.flush(&mut |e| sink.event(dir, e));
        }
        result?;
        match self.format {
            FollowFormat::Text | FollowFormat::Hex => out.write_all(RULE)?,
            FollowFormat::Raw => {}
            FollowFormat::Json => writeln!(
                out,
                "\n], \"bytes\": {{\"a_to_b\": {}, \"b_to_a\": {}}}, \"missing\": {{\"a_to_b\": {}, \"b_to_a\": {}}}}}",
                self.totals.bytes[0],
                self.totals.bytes[1],
                self.totals.missing[0],
                self.totals.missing[1]
            )?,
        }
        Ok(Some(Followed {
            id: target.id,
            ends: target.ends,
            bytes: self.totals.bytes,
            missing: self.totals.missing,
        }))
    }

    fn header(&self, target: &Target, out: &mut dyn Write) -> io::Result<()> {
        let [a, b] = target.ends;
        match self.format {
            FollowFormat::Text | FollowFormat::Hex => {
                let kind = if self.format == FollowFormat::Text {
                    "ascii"
                } else {
                    "hex"
                };
                out.write_all(RULE)?;
                writeln!(out, "Follow: tcp,{kind}")?;
                writeln!(out, "Filter: tcp.stream eq {}", target.id)?;
                writeln!(out, "Node 0: {a}")?;
                writeln!(out, "Node 1: {b}")
            }
            FollowFormat::Raw => Ok(()),
            FollowFormat::Json => {
                write!(
                    out,
                    "{{\"flow\": {{\"id\": {}, \"protocol\": \"TCP\", \"a\": ",
                    target.id
                )?;
                serde_json::to_writer(&mut *out, &a)?;
                out.write_all(b", \"b\": ")?;
                serde_json::to_writer(&mut *out, &b)?;
                out.write_all(b"}, \"chunks\": [")
            }
        }
    }
}

const RULE: &[u8] = b"===================================================================\n";

/// Bytes delivered and missing per direction, and JSON chunks written.
#[derive(Debug, Default)]
struct Totals {
    bytes: [u64; 2],
    missing: [u64; 2],
    chunks: u64,
}

/// Writes the events of the half streams (the first write error is kept).
struct Sink<'a> {
    format: FollowFormat,
    totals: &'a mut Totals,
    out: &'a mut dyn Write,
    result: &'a mut io::Result<()>,
}

impl<'a> Sink<'a> {
    fn new(
        format: FollowFormat,
        totals: &'a mut Totals,
        out: &'a mut dyn Write,
        result: &'a mut io::Result<()>,
    ) -> Sink<'a> {
        Sink {
            format,
            totals,
            out,
            result,
        }
    }

    fn event(&mut self, dir: usize, event: Event<'_>) {
        if self.result.is_err() {
            return;
        }
        let written = match event {
            Event::Data {
                offset,
                bytes,
                frame,
            } => {
                self.totals.bytes[dir] += bytes.len() as u64;
                self.data(dir, offset, frame, bytes)
            }
            Event::Gap { from, to } => {
                self.totals.missing[dir] += to - from;
                self.gap(dir, from, to)
            }
            _ => Ok(()),
        };
        if let Err(e) = written {
            *self.result = Err(e);
        }
    }

    fn separator(&mut self) -> io::Result<()> {
        if self.totals.chunks > 0 {
            self.out.write_all(b",")?;
        }
        self.totals.chunks += 1;
        self.out.write_all(b"\n  ")
    }

    fn data(&mut self, dir: usize, offset: u64, frame: u64, bytes: &[u8]) -> io::Result<()> {
        let indent: &[u8] = if dir == 0 { b"" } else { b"\t" };
        match self.format {
            FollowFormat::Raw => self.out.write_all(bytes),
            FollowFormat::Text => {
                let mut line = Vec::with_capacity(bytes.len() + 8);
                line.extend_from_slice(indent);
                for (i, &b) in bytes.iter().enumerate() {
                    line.push(match b {
                        b'\n' | b'\t' | b'\r' | 0x20..=0x7e => b,
                        _ => b'.',
                    });
                    if b == b'\n' && i + 1 < bytes.len() {
                        line.extend_from_slice(indent);
                    }
                }
                if line.last() != Some(&b'\n') {
                    line.push(b'\n');
                }
                self.out.write_all(&line)
            }
            FollowFormat::Hex => {
                for (row, chunk) in bytes.chunks(16).enumerate() {
                    let mut line = String::with_capacity(80);
                    line.push_str(if dir == 0 { "" } else { "\t" });
                    line.push_str(&format!("{:08X}  ", offset + row as u64 * 16));
                    for i in 0..16 {
                        match chunk.get(i) {
                            Some(b) => line.push_str(&format!("{b:02x} ")),
                            None => line.push_str("   "),
                        }
                        if i == 7 {
                            line.push(' ');
                        }
                    }
                    line.push(' ');
                    line.extend(chunk.iter().map(|&b| {
                        if (0x20..=0x7e).contains(&b) {
                            b as char
                        } else {
                            '.'
                        }
                    }));
                    line.push('\n');
                    self.out.write_all(line.as_bytes())?;
                }
                Ok(())
            }
            FollowFormat::Json => {
                self.separator()?;
                write!(
                    self.out,
                    "{{\"dir\": \"{}\", \"offset\": {offset}, \"frame\": {frame}, \"data\": \"",
                    DIRS[dir]
                )?;
                let mut hex = Vec::with_capacity(bytes.len() * 2);
                for b in bytes {
                    hex.extend_from_slice(&HEX[usize::from(*b)]);
                }
                self.out.write_all(&hex)?;
                self.out.write_all(b"\"}")
            }
        }
    }

    fn gap(&mut self, dir: usize, from: u64, to: u64) -> io::Result<()> {
        let indent = if dir == 0 { "" } else { "\t" };
        match self.format {
            FollowFormat::Raw => Ok(()),
            FollowFormat::Text | FollowFormat::Hex => {
                writeln!(
                    self.out,
                    "{indent}[{} bytes missing in capture file]",
                    to - from
                )
            }
            FollowFormat::Json => {
                self.separator()?;
                write!(
                    self.out,
                    "{{\"dir\": \"{}\", \"gap\": [{from}, {to}]}}",
                    DIRS[dir]
                )
            }
        }
    }
}

const DIRS: [&str; 2] = ["a_to_b", "b_to_a"];

/// Two lowercase hex digits for every byte value.
const HEX: [[u8; 2]; 256] = {
    let digits = *b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [digits[i >> 4], digits[i & 15]];
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_and_formats_parse() {
        let t: FlowSelector = "10.0.0.1:80-10.0.0.2:5000".parse().unwrap();
        let FlowSelector::Tuple(a, b) = t else {
            panic!("{t:?}")
        };
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("10.0.0.1:80".into(), "10.0.0.2:5000".into())
        );
        let t: FlowSelector = "[2001:db8::1]:443-[::2]:6000".parse().unwrap();
        assert!(matches!(t, FlowSelector::Tuple(a, _) if a.port == 443));
        assert!("10.0.0.1-10.0.0.2".parse::<FlowSelector>().is_err());
        assert!("".parse::<FlowSelector>().is_err());
        assert_eq!("HEX".parse::<FollowFormat>().unwrap(), FollowFormat::Hex);
        assert!("yaml".parse::<FollowFormat>().is_err());
        assert_eq!(HEX[0xa7], *b"a7");
    }
}
