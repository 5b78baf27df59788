//! `tree`: an indented human view of each frame, in the spirit of `tshark -V`.
//!
//! ```text
//! Frame 3: 74 bytes on wire, 74 captured
//!   time: 2024-05-01T12:00:00.000300000Z (epoch 1714564800.000300000)
//!   link type: ETHERNET (1)
//!   protocols: Ethernet:IPv4:TCP
//!   Ethernet
//!     src: 02:00:00:00:00:01
//!     type: IPv4 (0x0800)
//!   …
//!   TCP
//!     flags: 0x012 (SYN, ACK)
//!     options:
//!       - kind: MSS, value: 1460
//! ```
//!
//! Every layer is rendered from its serde form, so each field of the frame model appears
//! under its JSON name, and layers added later need nothing here. Some fields get their
//! meaning spelled out: Ethertypes and IP protocol numbers with names and numbers, TCP flags
//! by name, flag bits as `set`/`not set`, checksums in hex. Lists (options, HTTP headers) get
//! one line per element. The report ends with the run's totals.

use super::encoder::{Encoder, EncodingDumper, Placement};
use super::events::{self, Scalar, Sink};
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::model::{EtherType, Frame, Summary};
use crate::pipeline::Record;
use std::io::{self, Write};
use std::sync::OnceLock;

/// Encodes each frame as an indented block of `name: value` lines, a blank line after it.
#[derive(Clone, Debug, Default)]
pub struct TreeEncoder {
    sink: TreeState,
}

/// Writes the tree view (see [`TreeEncoder`]); give it a buffered writer, as for
/// [`NdjsonDumper`](super::NdjsonDumper).
pub type TreeDumper<W> = EncodingDumper<TreeEncoder, W>;

/// Appends the tree block of `frame` to `out` (`state` is reused scratch space).
fn write_frame(out: &mut Vec<u8>, state: &mut TreeState, frame: &Frame) -> io::Result<()> {
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(b"Frame ");
    out.extend_from_slice(num.format(frame.number).as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(num.format(frame.len).as_bytes());
    out.extend_from_slice(b" bytes on wire, ");
    out.extend_from_slice(num.format(frame.cap_len).as_bytes());
    out.extend_from_slice(b" captured\n");
    match frame.timestamp {
        Some(ts) => {
            out.extend_from_slice(b"  time: ");
            out.extend_from_slice(ts.write_rfc3339(&mut [0; 40]).as_bytes());
            out.extend_from_slice(b" (epoch ");
            out.extend_from_slice(ts.write_epoch(&mut [0; 40]).as_bytes());
            out.extend_from_slice(b")\n");
        }
        None => out.extend_from_slice(b"  time: none recorded\n"),
    }
    out.extend_from_slice(b"  link type: ");
    match frame.link_type.name() {
        Some(name) if name != "USER" => out.extend_from_slice(name.as_bytes()),
        _ => write!(out, "{}", frame.link_type)?,
    }
    out.extend_from_slice(b" (");
    out.extend_from_slice(num.format(frame.link_type.0).as_bytes());
    out.extend_from_slice(b")\n");
    if let Some(interface) = frame.interface {
        out.extend_from_slice(b"  interface: ");
        out.extend_from_slice(num.format(interface).as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b"  protocols: ");
    for (i, proto) in frame.protocols().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        out.extend_from_slice(proto.name().as_bytes());
    }
    out.push(b'\n');
    for layer in &frame.layers {
        state.reset();
        events::emit(layer, &mut TreeSink { out, state })?;
    }
    if let Some(error) = &frame.error {
        out.extend_from_slice(b"  error: ");
        push_text(out, error.layer.name());
        out.extend_from_slice(b" at offset ");
        out.extend_from_slice(num.format(error.offset).as_bytes());
        out.extend_from_slice(b": ");
        push_text(out, &error.reason);
        out.push(b'\n');
    }
    out.push(b'\n');
    Ok(())
}

impl Encoder for TreeEncoder {
    fn placement(&self) -> Placement {
        Placement::Inline
    }

    fn begin(&mut self, _info: &CaptureInfo, _out: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }

    fn frame(
        &mut self,
        _raw: &RawFrame<'_>,
        frame: &Frame,
        _index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        write_frame(out, &mut self.sink, frame)
    }

    fn record(&mut self, record: &Record, _index: u64, out: &mut Vec<u8>) -> io::Result<()> {
        if let Some(frame) = record.as_frame() {
            return write_frame(out, &mut self.sink, frame);
        }
        let name = record.kind().name();
        out.extend_from_slice(b"Record: ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        self.sink.reset();
        self.sink.protocol.push_str(name);
        events::emit(
            record,
            &mut TreeSink {
                out,
                state: &mut self.sink,
            },
        )?;
        out.push(b'\n');
        Ok(())
    }

    fn finish(
        &mut self,
        summary: &Summary,
        stopped: Option<&StoppedEarly>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        out.extend_from_slice(b"Summary\n");
        self.sink.reset();
        self.sink.protocol.push_str("Summary");
        events::emit(
            summary,
            &mut TreeSink {
                out,
                state: &mut self.sink,
            },
        )?;
        if let Some(stopped) = stopped {
            out.extend_from_slice(b"  stopped early: ");
            push_text(out, &stopped.to_string());
            out.push(b'\n');
        }
        Ok(())
    }
}

/// How nested values are laid out below a layer's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Nest {
    /// A list field: one line per element (`      - element`).
    Lines,
    /// A map field: one line per entry (`      key: value`).
    Entries,
    /// A list element that is a tuple: `a: b, c` (HTTP headers read `Host: example.com`).
    Tuple,
    /// A map inside a line: `key: value, key: value` (in braces when `braced`).
    Map { braced: bool },
    /// A list inside a line: `[a, b]`.
    List,
}

/// Reusable state of the tree writer (kept across frames so nothing is allocated per frame).
#[derive(Clone, Debug, Default)]
struct TreeState {
    /// Maps open within the current layer (1: the layer's own fields).
    depth: u32,
    /// The current layer's protocol name.
    protocol: String,
    /// The pending field name at depth 1.
    key: String,
    /// The pending field name at depth 1 when it is a struct field (no copy needed).
    field: &'static str,
    /// Layout of each open container below the layer's fields, with its element count.
    nest: Vec<(Nest, u32)>,
    /// Where the pending nested key starts, to take it back when its value is absent.
    key_at: Option<usize>,
    /// Where the line of the current list element starts.
    line_start: usize,
    /// Scratch space to rewrap a long element line.
    scratch: Vec<u8>,
}

impl TreeState {
    /// The pending field name at depth 1.
    fn field_name(&self) -> &str {
        if self.field.is_empty() {
            &self.key
        } else {
            self.field
        }
    }

    fn reset(&mut self) {
        self.field = "";
        self.depth = 0;
        self.protocol.clear();
        self.key.clear();
        self.nest.clear();
        self.key_at = None;
        self.line_start = 0;
    }
}

struct TreeSink<'a> {
    out: &'a mut Vec<u8>,
    state: &'a mut TreeState,
}

/// Indentation of a layer's fields and of the lines of its lists.
const FIELD: &[u8] = b"    ";
const ITEM: &[u8] = b"      ";
/// The width the tree keeps to where it can (list elements are rewrapped at `, `).
const WIDTH: usize = 80;
/// Indentation of the continuation lines of a rewrapped list element.
const CONTINUATION: &[u8] = b"        ";
/// Nesting deeper than this is written flat (the model has at most 3 levels).
const MAX_NEST: usize = 16;

impl TreeSink<'_> {
    /// Whether a value at the current point is a field of the layer (not nested).
    fn at_field(&self) -> bool {
        self.state.nest.is_empty()
    }

    /// Writes what precedes a nested value (an element's dash or a separator).
    fn before_nested(&mut self) {
        if let Some((nest, count)) = self.state.nest.last_mut() {
            match nest {
                Nest::Lines => {
                    self.state.line_start = self.out.len();
                    self.out.extend_from_slice(ITEM);
                    self.out.extend_from_slice(b"- ");
                }
                Nest::Tuple => match *count {
                    0 => {}
                    1 => self.out.extend_from_slice(b": "),
                    _ => self.out.extend_from_slice(b", "),
                },
                Nest::List if *count > 0 => self.out.extend_from_slice(b", "),
                Nest::List => {}
                // Keyed: the key was written and counted.
                Nest::Map { .. } | Nest::Entries => {
                    self.state.key_at = None;
                    return;
                }
            }
            *count += 1;
        }
        self.state.key_at = None;
    }

    /// Ends the line of an element or entry that just completed.
    fn after_nested(&mut self) {
        match self.state.nest.last() {
            Some((Nest::Lines, _)) => {
                let start = self.state.line_start;
                if start <= self.out.len() && self.out.len() - start > WIDTH {
                    rewrap(self.out, start, &mut self.state.scratch);
                }
                self.out.push(b'\n');
            }
            Some((Nest::Entries, _)) => self.out.push(b'\n'),
            _ => {}
        }
    }

    fn field_start(&mut self) {
        self.out.extend_from_slice(FIELD);
        if self.state.field.is_empty() {
            push_text(self.out, &self.state.key);
        } else {
            // A struct field's name: an identifier, nothing to escape.
            self.out.extend_from_slice(self.state.field.as_bytes());
        }
        self.out.extend_from_slice(b":");
    }

    fn open(&mut self, nest: Nest) {
        if self.state.nest.len() < MAX_NEST {
            self.state.nest.push((nest, 0));
        }
    }
}

impl Sink for TreeSink<'_> {
    fn scalar(&mut self, value: Scalar<'_>) {
        if self.state.depth == 0 {
            // A bare value (not a layer record): one line.
            self.out.extend_from_slice(FIELD);
            push_scalar(self.out, value);
            self.out.push(b'\n');
        } else if self.at_field() {
            if self.state.depth == 1
                && self.state.field_name() == "protocol"
                && self.state.protocol.is_empty()
                && let Scalar::Str(name) = value
            {
                self.out.extend_from_slice(b"  ");
                push_text(self.out, name);
                self.out.push(b'\n');
                self.state.protocol.clear();
                self.state.protocol.push_str(name);
                return;
            }
            self.field_start();
            self.out.push(b' ');
            push_field(
                self.out,
                &self.state.protocol,
                self.state.field_name(),
                value,
            );
            self.out.push(b'\n');
        } else {
            self.before_nested();
            push_scalar(self.out, value);
            self.after_nested();
        }
    }

    fn none(&mut self) {
        if let Some(at) = self.state.key_at.take() {
            self.out.truncate(at);
            if let Some((_, count)) = self.state.nest.last_mut() {
                *count = count.saturating_sub(1);
            }
        }
    }

    fn begin_map(&mut self) {
        if self.state.depth == 0 {
            self.state.depth = 1;
            return;
        }
        if self.at_field() {
            self.field_start();
            self.out.push(b'\n');
            self.open(Nest::Entries);
            return;
        }
        let in_lines = matches!(self.state.nest.last(), Some((Nest::Lines, _)));
        self.before_nested();
        if !in_lines {
            self.out.push(b'{');
        }
        self.open(Nest::Map { braced: !in_lines });
    }

    fn field(&mut self, key: &'static str) {
        if self.at_field() {
            self.state.field = key;
        } else {
            self.key(key);
        }
    }

    fn key(&mut self, key: &str) {
        if self.at_field() {
            self.state.field = "";
            self.state.key.clear();
            self.state.key.push_str(key);
            return;
        }
        let at = self.out.len();
        if let Some((nest, count)) = self.state.nest.last_mut() {
            match nest {
                Nest::Entries => self.out.extend_from_slice(ITEM),
                Nest::Map { .. } if *count > 0 => self.out.extend_from_slice(b", "),
                _ => {}
            }
            *count += 1;
        }
        push_text(self.out, key);
        self.out.extend_from_slice(b": ");
        self.state.key_at = Some(at);
    }

    fn end_map(&mut self) {
        if self.at_field() {
            self.state.depth = 0;
            return;
        }
        match self.state.nest.pop() {
            Some((Nest::Map { braced: true }, _)) => self.out.push(b'}'),
            Some((Nest::Entries, 0)) => {
                // An empty map field: say so on its line.
                self.out.pop();
                self.out.extend_from_slice(b" none\n");
            }
            _ => {}
        }
        self.after_nested();
    }

    fn begin_seq(&mut self, _len: Option<usize>) {
        if self.state.depth == 0 {
            self.state.depth = 1;
            self.open(Nest::Lines);
            return;
        }
        if self.at_field() {
            self.field_start();
            self.out.push(b'\n');
            self.open(Nest::Lines);
            return;
        }
        let in_lines = matches!(self.state.nest.last(), Some((Nest::Lines, _)));
        self.before_nested();
        if in_lines {
            self.open(Nest::Tuple);
        } else {
            self.out.push(b'[');
            self.open(Nest::List);
        }
    }

    fn end_seq(&mut self) {
        match self.state.nest.pop() {
            Some((Nest::List, _)) => self.out.push(b']'),
            Some((Nest::Lines, 0)) => {
                // An empty list field: `options: none` on one line.
                self.out.pop();
                self.out.extend_from_slice(b" none\n");
            }
            _ => {}
        }
        self.after_nested();
    }
}

/// Breaks the list element line `out[start..]` after the `, ` separators of its outermost
/// level (not inside `[...]` or `{...}`) so that lines stay within [`WIDTH`] where they can.
fn rewrap(out: &mut Vec<u8>, start: usize, scratch: &mut Vec<u8>) {
    if start > out.len() {
        return;
    }
    scratch.clear();
    scratch.extend_from_slice(&out[start..]);
    out.truncate(start);
    let mut depth = 0u32;
    let mut piece = 0;
    let mut line_len = 0;
    let mut first = true;
    let mut emit = |out: &mut Vec<u8>, text: &[u8]| {
        if first {
            first = false;
        } else if line_len + 2 + text.len() >= WIDTH {
            out.extend_from_slice(b",\n");
            out.extend_from_slice(CONTINUATION);
            line_len = CONTINUATION.len();
        } else {
            out.extend_from_slice(b", ");
            line_len += 2;
        }
        out.extend_from_slice(text);
        line_len += text.len();
    };
    let mut i = 0;
    while i < scratch.len() {
        match scratch[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 && scratch.get(i + 1) == Some(&b' ') => {
                emit(out, &scratch[piece..i]);
                piece = i + 2;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    emit(out, &scratch[piece..]);
}

/// Appends text, showing control characters as `\xNN` so a capture cannot drive the terminal.
fn push_text(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .fold(false, |any, &b| any | (b < 0x20) | (b == 0x7f))
    {
        out.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        if b < 0x20 || b == 0x7f {
            out.extend_from_slice(b"\\x");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.push(b);
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_scalar(out: &mut Vec<u8>, value: Scalar<'_>) {
    match value {
        Scalar::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Scalar::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        Scalar::UInt(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        Scalar::Float(x) => {
            let _ = write!(out, "{x}");
        }
        Scalar::Str("") => out.extend_from_slice(b"\"\""),
        Scalar::Str(text) => push_text(out, text),
        Scalar::Bytes(bytes) => {
            for byte in bytes {
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            }
        }
    }
}

/// Appends `0x` and `value` in `digits` lowercase hex digits (more if it needs them).
fn push_hex(out: &mut Vec<u8>, value: u64, digits: usize) {
    let needed = (64 - value.leading_zeros() as usize).div_ceil(4);
    let width = needed.max(digits).min(16);
    out.extend_from_slice(b"0x");
    for i in (0..width).rev() {
        out.push(HEX[((value >> (i * 4)) & 0xf) as usize]);
    }
}

/// Appends a layer field's value, its meaning spelled out where the tree can add one.
fn push_field(out: &mut Vec<u8>, protocol: &str, key: &str, value: Scalar<'_>) {
    match (key, value) {
        ("type" | "ptype", Scalar::Str(name))
            if matches!(
                protocol,
                "Ethernet" | "VLAN" | "SLL" | "SLL2" | "ARP" | "RARP"
            ) =>
        {
            push_text(out, name);
            if let Some(number) = ethertype_number(name) {
                out.extend_from_slice(b" (");
                push_hex(out, u64::from(number), 4);
                out.push(b')');
            }
        }
        ("proto" | "next_header", Scalar::UInt(number)) => {
            match u8::try_from(number).ok().and_then(ip_protocol_name) {
                Some(name) => {
                    out.extend_from_slice(name.as_bytes());
                    out.extend_from_slice(b" (");
                    out.extend_from_slice(itoa::Buffer::new().format(number).as_bytes());
                    out.push(b')');
                }
                None => push_scalar(out, value),
            }
        }
        ("flags", Scalar::Str(names)) if protocol == "TCP" => {
            let bits = tcp_flag_bits(names);
            push_hex(out, u64::from(bits), 3);
            out.extend_from_slice(b" (");
            if names.is_empty() {
                out.extend_from_slice(b"none");
            } else {
                for (i, name) in names.split(',').enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    push_text(out, name);
                }
            }
            out.push(b')');
        }
        ("opcode", Scalar::UInt(n)) if matches!(protocol, "ARP" | "RARP") => {
            let name = match n {
                1 => "request",
                2 => "reply",
                3 => "reverse request",
                4 => "reverse reply",
                _ => "",
            };
            if name.is_empty() {
                push_scalar(out, value);
            } else {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" (");
                push_scalar(out, value);
                out.push(b')');
            }
        }
        ("checksum", Scalar::UInt(n)) => push_hex(out, n, 4),
        ("tci" | "flow_label", Scalar::UInt(n)) => push_hex(out, n, 4),
        ("tos" | "traffic_class", Scalar::UInt(n)) => push_hex(out, n, 2),
        ("df" | "mf" | "dei", Scalar::Bool(set)) => {
            out.extend_from_slice(if set { b"set" } else { b"not set" });
        }
        _ => push_scalar(out, value),
    }
}

/// The number of an Ethertype name (`IPv4` → 0x0800), by the model's own table.
fn ethertype_number(name: &str) -> Option<u16> {
    static NAMES: OnceLock<Vec<(&'static str, u16)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        (0..=u16::MAX)
            .filter_map(|n| EtherType(n).name().map(|name| (name, n)))
            .collect()
    });
    names.iter().find(|(n, _)| *n == name).map(|&(_, n)| n)
}

/// The bits of TCP flags given by name (`SYN,ACK` → 0x012).
fn tcp_flag_bits(names: &str) -> u16 {
    names
        .split(',')
        .map(|name| match name {
            "FIN" => 0x001,
            "SYN" => 0x002,
            "RST" => 0x004,
            "PSH" => 0x008,
            "ACK" => 0x010,
            "URG" => 0x020,
            "ECE" => 0x040,
            "CWR" => 0x080,
            "NS" => 0x100,
            _ => 0,
        })
        .fold(0, |acc, bit| acc | bit)
}

/// IANA names of the IP protocol numbers a capture commonly carries.
fn ip_protocol_name(number: u8) -> Option<&'static str> {
    Some(match number {
        0 => "HOPOPT",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPv4",
        6 => "TCP",
        8 => "EGP",
        17 => "UDP",
        27 => "RDP",
        33 => "DCCP",
        41 => "IPv6",
        43 => "IPv6-Route",
        44 => "IPv6-Frag",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        59 => "IPv6-NoNxt",
        60 => "IPv6-Opts",
        88 => "EIGRP",
        89 => "OSPF",
        94 => "IPIP",
        97 => "ETHERIP",
        103 => "PIM",
        108 => "IPComp",
        112 => "VRRP",
        115 => "L2TP",
        132 => "SCTP",
        135 => "MH",
        136 => "UDPLite",
        137 => "MPLS-in-IP",
        139 => "HIP",
        140 => "Shim6",
        143 => "Ethernet",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Layer, LinkType, Timestamp};

    fn tree(frame: &Frame) -> String {
        let mut out = Vec::new();
        write_frame(&mut out, &mut TreeState::default(), frame).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_numbers_and_flags() {
        assert_eq!(ethertype_number("IPv4"), Some(0x0800));
        assert_eq!(ethertype_number("0x88b5"), None);
        assert_eq!(tcp_flag_bits("SYN,ACK"), 0x012);
        assert_eq!(ip_protocol_name(6), Some("TCP"));
        let mut out = Vec::new();
        push_field(&mut out, "IPv4", "proto", Scalar::UInt(6));
        push_field(&mut out, "IPv4", "proto", Scalar::UInt(253));
        push_field(&mut out, "TCP", "flags", Scalar::Str(""));
        push_field(&mut out, "IPv4", "df", Scalar::Bool(true));
        push_field(&mut out, "VLAN", "type", Scalar::Str("ARP"));
        push_field(&mut out, "ARP", "opcode", Scalar::UInt(2));
        push_field(&mut out, "ARP", "opcode", Scalar::UInt(9));
        push_hex(&mut out, 0x1_2345, 4);
        push_hex(&mut out, 0, 2);
        push_hex(&mut out, u64::MAX, 4);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "TCP (6)2530x000 (none)setARP (0x0806)reply (2)90x123450x000xffffffffffffffff"
        );
    }

    #[test]
    fn raw_frame_block() {
        let frame = Frame {
            number: 7,
            timestamp: Some(Timestamp::new(1, 5)),
            len: 60,
            cap_len: 10,
            link_type: LinkType(147),
            interface: Some(2),
            layers: vec![Layer::Raw(crate::model::Raw {
                header_len: 0,
                payload_len: 10,
            })],
            spans: Vec::new(),
            error: None,
        };
        assert_eq!(
            tree(&frame),
            "Frame 7: 60 bytes on wire, 10 captured\n\
             \x20 time: 1970-01-01T00:00:01.000000005Z (epoch 1.000000005)\n\
             \x20 link type: USER0 (147)\n\
             \x20 interface: 2\n\
             \x20 protocols: Raw\n\
             \x20 Raw\n\
             \x20   header_len: 0\n\
             \x20   payload_len: 10\n\n"
        );
    }

    #[test]
    fn long_elements_wrap_at_their_separators() {
        let mut out =
            b"x\n      - name: a.example, type: 5, list: [1, 2, 3], class: 1, ttl: 47605, \
                        rdlength: 12, cname: b.example"
                .to_vec();
        rewrap(&mut out, 2, &mut Vec::new());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "x\n      - name: a.example, type: 5, list: [1, 2, 3], class: 1, ttl: 47605,\n\
             \x20       rdlength: 12, cname: b.example"
        );
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        let mut out = Vec::new();
        push_text(&mut out, "a\x1b[2Jb\n");
        assert_eq!(out, b"a\\x1b[2Jb\\x0a");
    }
}
