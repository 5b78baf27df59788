//! The column table — name, type, NDJSON source, null rule, meaning and how the value is
//! read from a [`FrameView`] — and the builder it makes: [`FrameColumns`] appends one row per
//! frame and finishes a [`RecordBatch`] of [`schema()`](super::schema).
//!
//! The table is the one source of the schema, of the builder and of `docs/ARROW-SCHEMA.md`.

use super::builders::{Flags, Plain, Text, Zeros};
use super::schema::{Column, ColumnKind, TIME_ZONE, schema};
use super::view::{FrameView, Ip, Transport};
use crate::model::{Frame, LinkType, MacAddr, ProtoId, TcpFlags, Timestamp};
use arrow_array::{
    ArrayRef, BooleanArray, Int8Array, Int16Array, Int32Array, Int64Array, RecordBatch,
    TimestampMicrosecondArray,
};
use arrow_schema::ArrowError;
use std::fmt::{Display, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// The builder type of a column kind.
macro_rules! builder {
    (Int64) => { Plain<i64> };
    (Int32) => { Plain<i32> };
    (Int16) => { Plain<i16> };
    (Int8) => { Plain<i8> };
    (Utf8) => { Text };
    (Boolean) => { Flags };
    (TimestampUs) => { Plain<i64> };
}

/// An empty builder of a column kind for batches of `rows` rows (it reserves at its first row).
macro_rules! new_builder {
    (Utf8, $rows:expr) => {
        Text::new($rows, $rows * TEXT_BYTES)
    };
    ($kind:ident, $rows:expr) => {
        <builder!($kind)>::new($rows)
    };
}

/// Appends one optional value, of row `$row`, to a column's builder.
macro_rules! append {
    (Utf8, $builder:expr, $value:expr, $row:expr) => {
        put_text(&mut $builder, $value, $row)
    };
    ($kind:ident, $builder:expr, $value:expr, $row:expr) => {
        $builder.append_option($value, $row)
    };
}

/// The array type of a number or boolean column kind.
macro_rules! array {
    (Int64) => {
        Int64Array
    };
    (Int32) => {
        Int32Array
    };
    (Int16) => {
        Int16Array
    };
    (Int8) => {
        Int8Array
    };
}

/// Takes a column's `$rows` values out of its builder as an array (a number column null in
/// every row reads `$zeros`).
macro_rules! finish {
    (TimestampUs, $builder:expr, $rows:expr, $zeros:expr) => {{
        let (values, nulls) = $builder.take($rows, $zeros);
        let array = TimestampMicrosecondArray::new(values, nulls);
        Arc::new(array.with_timezone(TIME_ZONE)) as ArrayRef
    }};
    (Utf8, $builder:expr, $rows:expr, $zeros:expr) => {{ Arc::new($builder.take($rows)?) as ArrayRef }};
    (Boolean, $builder:expr, $rows:expr, $zeros:expr) => {{
        let (values, nulls) = $builder.take($rows);
        Arc::new(BooleanArray::new(values, nulls)) as ArrayRef
    }};
    ($kind:ident, $builder:expr, $rows:expr, $zeros:expr) => {{
        let (values, nulls) = $builder.take($rows, $zeros);
        Arc::new(<array!($kind)>::new(values, nulls)) as ArrayRef
    }};
}

/// Whether a null rule allows nulls (`required`: never null).
macro_rules! nullable {
    (required) => {
        false
    };
    ($rule:literal) => {
        true
    };
}

/// The null rule's text.
macro_rules! null_when {
    (required) => {
        "never"
    };
    ($rule:literal) => {
        $rule
    };
}

/// Defines [`COLUMNS`] and [`FrameColumns`] from one table: per column its doc, name, kind,
/// null rule (`required` or when it is null), NDJSON source and value.
macro_rules! columns {
    ($(
        #[doc = $doc:literal]
        $name:ident: $kind:ident, $null:tt, $source:literal, |$view:ident| $value:expr;
    )*) => {
        /// Every column of the schema, in order: the one table behind the schema, the
        /// builder and the docs.
        pub const COLUMNS: &[Column] = &[$(
            Column {
                name: stringify!($name),
                kind: ColumnKind::$kind,
                nullable: nullable!($null),
                null_when: null_when!($null),
                source: $source,
                doc: $doc,
            },
        )*];

        /// Builds the columns of one batch, a row per frame (see [`COLUMNS`]).
        ///
        /// Each column reserves its room at the batch's first value, as much as the last
        /// batch took: memory is held only while a batch is being built, a batch is built
        /// without regrowing, and a column null in every row of a batch holds no values
        /// (a number column's array reads zeros shared by every such column and batch, a
        /// text column's is an array of nulls).
        #[derive(Debug)]
        pub struct FrameColumns {
            rows: usize,
            zeros: Zeros,
            $($name: builder!($kind),)*
        }

        impl FrameColumns {
            /// A builder for batches of about `rows` rows (it grows past them if need be).
            pub fn with_capacity(rows: usize) -> FrameColumns {
                FrameColumns {
                    rows: 0,
                    zeros: Zeros::new(),
                    $($name: new_builder!($kind, rows),)*
                }
            }

            /// Appends the row of `frame`.
            pub fn push(&mut self, frame: &Frame) {
                if self.rows == 0 {
                    $(self.$name.reserve();)*
                }
                let view = FrameView::new(frame);
                let row = self.rows;
                $({
                    let $view = &view;
                    append!($kind, self.$name, $value, row);
                })*
                self.rows += 1;
                if self.rows.is_multiple_of(64) {
                    $(self.$name.end_word();)*
                }
            }

            /// The columns of the rows appended since the last call, in schema order; the
            /// builder is empty afterwards.
            fn finish_arrays(&mut self) -> Result<Vec<ArrayRef>, ArrowError> {
                let rows = std::mem::take(&mut self.rows);
                let zeros = self.zeros.for_rows(rows);
                Ok(vec![$(finish!($kind, self.$name, rows, zeros),)*])
            }
        }
    };
}

/// Bytes reserved per row for a text column before a batch has shown how long its texts are.
const TEXT_BYTES: usize = 16;

/// A short text made on the stack without the formatting machinery: MAC and IPv4 addresses,
/// the most frequent text cells.
struct ShortText {
    buf: [u8; 17],
    len: usize,
}

impl ShortText {
    /// `aa:bb:cc:dd:ee:ff`.
    fn mac(mac: MacAddr) -> ShortText {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = ShortText {
            buf: [b':'; 17],
            len: 0,
        };
        for (i, byte) in mac.0.into_iter().enumerate() {
            text.buf[3 * i] = HEX[usize::from(byte >> 4)];
            text.buf[3 * i + 1] = HEX[usize::from(byte & 0xf)];
        }
        text.len = 17;
        text
    }

    /// Dotted decimal, as `Ipv4Addr` displays it: each octet's digits and dot copied from
    /// [`OCTETS`] as four bytes, the cursor moved by their length.
    fn ipv4(addr: Ipv4Addr) -> ShortText {
        let mut text = ShortText {
            buf: [0; 17],
            len: 0,
        };
        for octet in addr.octets() {
            let (digits, len) = OCTETS[usize::from(octet)];
            // At most 3 × 4 bytes precede the last octet: its 4 bytes end by 16.
            text.buf[text.len..text.len + 4].copy_from_slice(&digits);
            text.len += usize::from(len);
        }
        // The last octet's dot.
        text.len -= 1;
        text
    }
}

/// Each octet's decimal digits followed by a dot (padded to four bytes), and how many of
/// those bytes are the text.
static OCTETS: [([u8; 4], u8); 256] = {
    let mut table = [([0; 4], 0); 256];
    let mut octet = 0;
    while octet < 256 {
        let (hundreds, tens, ones) = (octet / 100, octet / 10 % 10, octet % 10);
        table[octet] = if octet >= 100 {
            ([digit(hundreds), digit(tens), digit(ones), b'.'], 4)
        } else if octet >= 10 {
            ([digit(tens), digit(ones), b'.', 0], 3)
        } else {
            ([digit(ones), b'.', 0, 0], 2)
        };
        octet += 1;
    }
    table
};

/// The ASCII digit of `d` (0–9).
const fn digit(d: usize) -> u8 {
    b'0' + d as u8
}

impl ShortText {
    /// The text's bytes (ASCII).
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// An IPv6 address as `Ipv6Addr` displays it (RFC 5952: lowercase hex without leading
/// zeros, the first longest run of two or more zero groups as `::`, an IPv4-mapped address
/// as `::ffff:a.b.c.d`), made on the stack: `Display` costs ≈ 1,900 instructions an
/// address.
struct Ipv6Text {
    buf: [u8; 39],
    len: usize,
}

impl Ipv6Text {
    fn new(addr: Ipv6Addr) -> Ipv6Text {
        let mut text = Ipv6Text {
            buf: [0; 39],
            len: 0,
        };
        if let Some(v4) = addr.to_ipv4_mapped() {
            text.push_str(b"::ffff:");
            text.push_str(ShortText::ipv4(v4).as_bytes());
            return text;
        }
        let groups = addr.segments();
        // The first longest run of zero groups: (start, length).
        let (mut best, mut run) = ((0, 0), (0, 0));
        for (i, &group) in groups.iter().enumerate() {
            if group == 0 {
                run = if run.1 == 0 {
                    (i, 1)
                } else {
                    (run.0, run.1 + 1)
                };
                if run.1 > best.1 {
                    best = run;
                }
            } else {
                run = (0, 0);
            }
        }
        if best.1 > 1 {
            text.push_groups(&groups[..best.0]);
            text.push_str(b"::");
            text.push_groups(&groups[best.0 + best.1..]);
        } else {
            text.push_groups(&groups);
        }
        text
    }

    fn push_str(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// Groups in hex, `:`-separated.
    fn push_groups(&mut self, groups: &[u16]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, &group) in groups.iter().enumerate() {
            if i > 0 {
                self.buf[self.len] = b':';
                self.len += 1;
            }
            let digits = (u16::BITS - group.leading_zeros()).div_ceil(4).max(1);
            for shift in (0..digits).rev() {
                self.buf[self.len] = HEX[usize::from((group >> (4 * shift)) & 0xf)];
                self.len += 1;
            }
        }
    }

    /// The text's bytes (ASCII).
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// An IP address as text, made on the stack.
enum IpText {
    V4(ShortText),
    V6(Ipv6Text),
}

/// A value of a text column: appended as a string slice where it has one, else through its
/// `Display` ([`Shown`]).
trait TextCell {
    /// Writes the value's bytes into the column's current row.
    fn write_to(self, text: &mut Text);

    /// A key that only cells of the same text have, for values that repeat and cost more
    /// to write than to copy (never `u64::MAX`); `None`: no memo.
    fn memo_key(&self) -> Option<u64> {
        None
    }
}

impl TextCell for &str {
    fn write_to(self, text: &mut Text) {
        text.push_bytes(self.as_bytes());
    }
}

impl TextCell for &String {
    fn write_to(self, text: &mut Text) {
        text.push_bytes(self.as_bytes());
    }
}

impl TextCell for ShortText {
    fn write_to(self, text: &mut Text) {
        text.push_bytes(self.as_bytes());
    }
}

impl TextCell for IpText {
    fn write_to(self, text: &mut Text) {
        match self {
            IpText::V4(short) => short.write_to(text),
            IpText::V6(v6) => text.push_bytes(v6.as_bytes()),
        }
    }
}

/// The link type's name: the name table's text where it has one, else its `Display`; copied
/// from the column's memo, keyed by the link type's number (a capture has one or a few).
impl TextCell for LinkType {
    fn memo_key(&self) -> Option<u64> {
        Some(u64::from(self.0))
    }

    fn write_to(self, text: &mut Text) {
        match self.name() {
            Some(name) if name != "USER" => text.push_bytes(name.as_bytes()),
            _ => Shown(self).write_to(text),
        }
    }
}

/// A MAC address, copied from the column's memo (keyed by its 48 bits): a capture's frames
/// come from and go to a few stations.
struct Mac(MacAddr);

impl TextCell for Mac {
    /// The address's bytes (the top two are zero: never `u64::MAX`).
    fn memo_key(&self) -> Option<u64> {
        let mut key = [0; 8];
        key[..6].copy_from_slice(&self.0.0);
        Some(u64::from_le_bytes(key))
    }

    fn write_to(self, text: &mut Text) {
        ShortText::mac(self.0).write_to(text);
    }
}

/// The protocol chain (`Ethernet:IPv4:TCP`), written name by name, or copied from the
/// column's memo: a capture repeats a few dozen chains.
struct Chain<'f>(&'f Frame);

// A protocol's id plus one fits a byte, and eight of them never make `u64::MAX`.
const _: () = assert!(ProtoId::ALL.len() < 254);

impl TextCell for Chain<'_> {
    /// The ids of up to eight layers, a byte each (id + 1); longer chains have none.
    fn memo_key(&self) -> Option<u64> {
        let mut key = 0u64;
        for (i, proto) in self.0.protocols().enumerate() {
            if i == 8 {
                return None;
            }
            key = key << 8 | (proto as u64 + 1);
        }
        Some(key)
    }

    fn write_to(self, text: &mut Text) {
        for (i, proto) in self.0.protocols().enumerate() {
            if i > 0 {
                text.push_bytes(b":");
            }
            text.push_bytes(proto.name().as_bytes());
        }
    }
}

/// TCP flags (`SYN,ACK`), written name by name.
impl TextCell for TcpFlags {
    fn write_to(self, text: &mut Text) {
        let set = TcpFlags::NAMES.iter().filter(|&&(bit, _)| self.has(bit));
        for (i, (_, name)) in set.enumerate() {
            if i > 0 {
                text.push_bytes(b",");
            }
            text.push_bytes(name.as_bytes());
        }
    }
}

/// A text cell written by its `Display`.
struct Shown<T>(T);

impl<T: Display> TextCell for Shown<T> {
    fn write_to(self, text: &mut Text) {
        // Writing into the column's buffer cannot fail.
        let _ = write!(text, "{}", self.0);
    }
}

/// Appends `value` as text, or a null, as row `row`; a cell with a memo key is copied from
/// the column's memo when it was met before.
fn put_text(text: &mut Text, value: Option<impl TextCell>, row: usize) {
    let valid = value.is_some();
    if let Some(value) = value {
        text.begin_value(row);
        match value.memo_key() {
            Some(key) if text.recall(key) => {}
            Some(key) => {
                let start = text.bytes_len();
                value.write_to(text);
                text.remember(key, start);
            }
            None => value.write_to(text),
        }
    }
    text.end_row(valid, row);
}

/// Microseconds since the epoch (null on overflow).
fn micros(ts: Timestamp) -> Option<i64> {
    ts.secs
        .checked_mul(1_000_000)?
        .checked_add(i64::from(ts.nanos / 1_000))
}

/// Nanoseconds since the epoch (null on overflow: beyond the years 1677–2262).
fn nanos(ts: Timestamp) -> Option<i64> {
    ts.secs
        .checked_mul(1_000_000_000)?
        .checked_add(i64::from(ts.nanos))
}

impl FrameView<'_> {
    /// The outermost IP header's source address (`dst` false) or destination address as
    /// text: one address a call, so that each column formats only its own.
    fn ip_text(&self, dst: bool) -> Option<IpText> {
        Some(match self.ip? {
            Ip::V4(ip) => IpText::V4(ShortText::ipv4(if dst { ip.dst } else { ip.src })),
            Ip::V6(ip) => IpText::V6(Ipv6Text::new(if dst { ip.dst } else { ip.src })),
        })
    }

    /// The first transport header's ports.
    fn ports(&self) -> Option<(u16, u16)> {
        Some(match self.transport? {
            Transport::Tcp(tcp) => (tcp.src_port, tcp.dst_port),
            Transport::Udp(udp) => (udp.src_port, udp.dst_port),
        })
    }
}

columns! {
    /// 1-based position of the frame in the capture.
    number: Int64, required, "number", |v| i64::try_from(v.frame.number).ok();
    /// Capture time, microseconds (the nanoseconds are in `ts_ns`).
    ts: TimestampUs, "the frame has no time (pcapng Simple Packet Block)", "time", |v| v.frame.timestamp.and_then(micros);
    /// Capture time in nanoseconds since the Unix epoch.
    ts_ns: Int64, "no time, or beyond the years 1677–2262", "time_epoch", |v| v.frame.timestamp.and_then(nanos);
    /// Original length on the wire.
    len: Int64, required, "len", |v| Some(i64::from(v.frame.len));
    /// Captured length.
    cap_len: Int64, required, "cap_len", |v| Some(i64::from(v.frame.cap_len));
    /// Link type name (`ETHERNET`, `LINUX_SLL`, `LINKTYPE_N`).
    link_type: Utf8, required, "link_type", |v| Some(v.frame.link_type);
    /// pcapng interface index within its section.
    interface: Int64, "classic pcap", "interface", |v| v.frame.interface.map(i64::from);
    /// Protocol chain, outermost first (`Ethernet:IPv4:TCP:HTTP`).
    protocols: Utf8, required, "protocols", |v| Some(Chain(v.frame));
    /// Protocol whose header could not be read, where dissection stopped early.
    error_layer: Utf8, "no error", "error.layer", |v| v.frame.error.as_ref().map(|e| e.layer.name());
    /// Byte offset of that header in the frame.
    error_offset: Int64, "no error", "error.offset", |v| v.frame.error.as_ref().map(|e| i64::from(e.offset));
    /// Why dissection stopped.
    error_reason: Utf8, "no error", "error.reason", |v| v.frame.error.as_ref().map(|e| &e.reason);
    /// Source MAC address (`aa:bb:cc:dd:ee:ff`) of the first Ethernet layer.
    eth_src: Utf8, "no Ethernet layer", "Ethernet.src", |v| v.ethernet.map(|e| Mac(e.src));
    /// Destination MAC address of the first Ethernet layer.
    eth_dst: Utf8, "no Ethernet layer", "Ethernet.dst", |v| v.ethernet.map(|e| Mac(e.dst));
    /// Ethertype (or 802.3 length) of the first Ethernet, SLL or SLL2 layer, as a number.
    ethertype: Int32, "no Ethernet, SLL or SLL2 layer", "Ethernet.type / SLL.type / SLL2.type", |v| v.ether_type.map(|t| i32::from(t.0));
    /// VLAN id of the first (outer) VLAN tag.
    vlan_id: Int16, "no VLAN tag", "VLAN.vid", |v| v.vlan.and_then(|t| i16::try_from(t.vid).ok());
    /// IP version of the outermost IP layer (4 or 6).
    ip_version: Int8, "no IP layer", "IPv4.version / IPv6.version", |v| v.ip.and_then(|ip| i8::try_from(match ip { Ip::V4(h) => h.version, Ip::V6(h) => h.version }).ok());
    /// Source address of the outermost IP layer.
    ip_src: Utf8, "no IP layer", "IPv4.src / IPv6.src", |v| v.ip_text(false);
    /// Destination address of the outermost IP layer.
    ip_dst: Utf8, "no IP layer", "IPv4.dst / IPv6.dst", |v| v.ip_text(true);
    /// TTL (IPv4) or hop limit (IPv6) of the outermost IP layer.
    ip_ttl: Int16, "no IP layer", "IPv4.ttl / IPv6.hop_limit", |v| v.ip.map(|ip| i16::from(match ip { Ip::V4(h) => h.ttl, Ip::V6(h) => h.hop_limit }));
    /// Protocol number after the outermost IP header (IPv6: its next header, which may be an extension header).
    ip_proto: Int16, "no IP layer", "IPv4.proto / IPv6.next_header", |v| v.ip.map(|ip| i16::from(match ip { Ip::V4(h) => h.proto, Ip::V6(h) => h.next_header }));
    /// Whether the outermost IP datagram is a fragment (IPv4 MF or offset; an IPv6-Frag header with MF or offset).
    ip_fragment: Boolean, "no IP layer", "IPv4.mf, IPv4.frag_offset / IPv6-Frag.mf, .frag_offset", |v| v.fragment;
    /// Source port of the first TCP or UDP layer.
    src_port: Int32, "no TCP or UDP layer", "TCP.src_port / UDP.src_port", |v| v.ports().map(|p| i32::from(p.0));
    /// Destination port of the first TCP or UDP layer.
    dst_port: Int32, "no TCP or UDP layer", "TCP.dst_port / UDP.dst_port", |v| v.ports().map(|p| i32::from(p.1));
    /// TCP flags, comma-separated (`SYN,ACK`; empty when none is set).
    tcp_flags: Utf8, "the first transport layer is not TCP", "TCP.flags", |v| v.tcp().map(|t| t.flags);
    /// TCP flag bits (FIN 0x001 ... NS 0x100).
    tcp_flags_bits: Int16, "the first transport layer is not TCP", "TCP.flags", |v| v.tcp().and_then(|t| i16::try_from(t.flags.0).ok());
    /// TCP sequence number (absolute).
    tcp_seq: Int64, "the first transport layer is not TCP", "TCP.seq", |v| v.tcp().map(|t| i64::from(t.seq));
    /// TCP acknowledgement number (absolute).
    tcp_ack: Int64, "the first transport layer is not TCP", "TCP.ack", |v| v.tcp().map(|t| i64::from(t.ack));
    /// TCP window (unscaled).
    tcp_window: Int32, "the first transport layer is not TCP", "TCP.window", |v| v.tcp().map(|t| i32::from(t.window));
    /// Payload length of the first TCP or UDP layer, by its headers.
    payload_len: Int64, "no TCP or UDP layer", "TCP.payload_len / UDP.payload_len", |v| v.transport.map(|t| i64::from(match t { Transport::Tcp(h) => h.payload_len, Transport::Udp(h) => h.payload_len }));
    /// Type of the first ICMP or ICMPv6 message.
    icmp_type: Int16, "no ICMP or ICMPv6 layer", "ICMP.type / ICMPv6.type", |v| v.icmp.map(|m| i16::from(m.kind));
    /// Code of the first ICMP or ICMPv6 message.
    icmp_code: Int16, "no ICMP or ICMPv6 layer", "ICMP.code / ICMPv6.code", |v| v.icmp.map(|m| i16::from(m.code));
    /// Request method of the first HTTP layer.
    http_method: Utf8, "no HTTP request", "HTTP.method", |v| v.http.and_then(|h| h.method.as_deref());
    /// Request target of the first HTTP layer.
    http_target: Utf8, "no HTTP request", "HTTP.target", |v| v.http.and_then(|h| h.target.as_deref());
    /// Response status code of the first HTTP layer.
    http_status: Int16, "no HTTP response", "HTTP.status", |v| v.http.and_then(|h| h.status).and_then(|s| i16::try_from(s).ok());
    /// Transaction id of the first DNS message.
    dns_id: Int32, "no DNS layer", "DNS.id", |v| v.dns.map(|d| i32::from(d.id));
    /// Whether the first DNS message is a response (QR).
    dns_response: Boolean, "no DNS layer", "DNS.qr", |v| v.dns.map(|d| d.qr);
    /// First question's name (dotted, no final dot) of the first DNS message.
    dns_qname: Utf8, "no DNS layer or no question parsed", "DNS.questions[0].name", |v| v.dns.and_then(|d| d.questions.first()).map(|q| &q.name);
    /// First question's type number (1 A, 28 AAAA, ...).
    dns_qtype: Int32, "no DNS layer or no question parsed", "DNS.questions[0].type", |v| v.dns.and_then(|d| d.questions.first()).map(|q| i32::from(q.kind));
    /// Response code (the header's 4 bits) of the first DNS message.
    dns_rcode: Int8, "no DNS layer", "DNS.rcode", |v| v.dns.and_then(|d| i8::try_from(d.rcode).ok());
    /// Handshake type of the first TLS layer's first handshake record (1 ClientHello, 2 ServerHello, ...).
    tls_handshake_type: Int16, "no TLS handshake record", "TLS.handshake_type", |v| v.tls.and_then(|t| t.handshake_type).map(i16::from);
    /// Server Name Indication of a TLS ClientHello.
    tls_sni: Utf8, "no TLS ClientHello with server_name", "TLS.sni", |v| v.tls.and_then(|t| t.sni.as_deref());
}

impl FrameColumns {
    /// Rows appended since the last batch.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The rows appended since the last call as one batch of [`schema()`]; the builder is
    /// empty afterwards.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        RecordBatch::try_new(schema(), self.finish_arrays()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::RawFrame;
    use crate::engine::native::NativeDissector;
    use crate::engine::{DissectOptions, Dissector};
    use crate::model::LinkType;
    use crate::synth::{self, Ipv4Fields, TcpFields};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType};
    use arrow_array::{ArrowPrimitiveType, PrimitiveArray};
    use arrow_schema::DataType;

    const CLIENT_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x01]);
    const SERVER_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x02]);

    fn dissect(number: u64, data: &[u8], len: u32) -> Frame {
        let raw = RawFrame {
            number,
            timestamp: Some(Timestamp::new(1_700_000_000, 123_456_789)),
            len,
            link_type: LinkType::ETHERNET,
            interface: None,
            data,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    /// Ethernet:VLAN:IPv4:TCP:HTTP, a GET with SYN-less flags.
    fn http_get() -> Frame {
        let (c, s) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        let fields = TcpFields {
            src_port: 40000,
            dst_port: 80,
            seq: 3_000_000_000,
            ack: 77,
            flags: 0x18,
            window: 512,
        };
        let request = b"GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n";
        let segment = synth::tcp(c.into(), s.into(), fields, &[], request);
        let mut ip = Ipv4Fields::unfragmented(c, s, 6, 9);
        ip.ttl = 33;
        let tagged = synth::vlan_tag(0, 42, 0x0800, &synth::ipv4(ip, &segment));
        let data = synth::ethernet(SERVER_MAC, CLIENT_MAC, 0x8100, &tagged);
        dissect(1, &data, data.len() as u32)
    }

    /// Ethernet:IPv6:UDP:DNS, a query for `a.example` type AAAA.
    fn dns_query() -> Frame {
        let c: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let s: Ipv6Addr = "2001:db8::53".parse().unwrap();
        let query =
            b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01a\x07example\x00\x00\x1c\x00\x01";
        let datagram = synth::udp(c.into(), s.into(), 5353, 53, query);
        let data = synth::ethernet(
            SERVER_MAC,
            CLIENT_MAC,
            0x86dd,
            &synth::ipv6(c, s, 17, 7, &datagram),
        );
        dissect(2, &data, data.len() as u32)
    }

    /// Ethernet:IPv4 (TCP, 30 bytes) cut inside the TCP header by the snap length; with
    /// `more_fragments`, the first fragment of a datagram instead (its TCP is not dissected).
    fn ipv4_tcp(number: u64, more_fragments: bool, captured: usize) -> Frame {
        let (c, s) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        let mut ip = Ipv4Fields::unfragmented(c, s, 6, 1);
        ip.mf = more_fragments;
        let data = synth::ethernet(SERVER_MAC, CLIENT_MAC, 0x0800, &synth::ipv4(ip, &[0; 30]));
        dissect(number, &data[..captured], data.len() as u32)
    }

    fn batch() -> RecordBatch {
        let mut columns = FrameColumns::with_capacity(2);
        let cut = ipv4_tcp(3, false, 14 + 20 + 8);
        let fragment = ipv4_tcp(4, true, 64);
        for frame in [http_get(), dns_query(), cut, fragment] {
            columns.push(&frame);
        }
        assert_eq!(columns.rows(), 4);
        let batch = columns.finish().unwrap();
        assert_eq!(columns.rows(), 0);
        batch
    }

    fn text(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
        let column = batch.column_by_name(name).unwrap().as_string::<i32>();
        column.iter().map(|v| v.map(str::to_owned)).collect()
    }

    /// The values of an integer column of any width.
    fn ints(batch: &RecordBatch, name: &str) -> Vec<Option<i64>> {
        let column = batch.column_by_name(name).unwrap();
        match column.data_type() {
            DataType::Int8 => widen(column.as_primitive::<Int8Type>()),
            DataType::Int16 => widen(column.as_primitive::<Int16Type>()),
            DataType::Int32 => widen(column.as_primitive::<Int32Type>()),
            DataType::Int64 => widen(column.as_primitive::<Int64Type>()),
            other => panic!("{name} is {other}"),
        }
    }

    fn widen<T: ArrowPrimitiveType>(column: &PrimitiveArray<T>) -> Vec<Option<i64>>
    where
        T::Native: Into<i64>,
    {
        column.iter().map(|v| v.map(Into::into)).collect()
    }

    fn owned(values: &[Option<&str>]) -> Vec<Option<String>> {
        values.iter().map(|v| v.map(str::to_owned)).collect()
    }

    #[test]
    fn frame_and_link_columns() {
        let batch = batch();
        assert_eq!(batch.schema(), schema());
        assert_eq!(ints(&batch, "number"), [Some(1), Some(2), Some(3), Some(4)]);
        let ts = batch.column_by_name("ts").unwrap();
        let ts = ts.as_primitive::<TimestampMicrosecondType>();
        assert_eq!(ts.value(0), 1_700_000_000_123_456);
        assert_eq!(ints(&batch, "ts_ns")[0], Some(1_700_000_000_123_456_789));
        assert_eq!(ints(&batch, "cap_len")[2], Some(42));
        assert_eq!(ints(&batch, "len")[2], Some(64));
        assert_eq!(
            text(&batch, "protocols")[..3],
            owned(&[
                Some("Ethernet:VLAN:IPv4:TCP:HTTP"),
                Some("Ethernet:IPv6:UDP:DNS"),
                // The TCP header cut by the snap length: a partial layer.
                Some("Ethernet:IPv4:TCP"),
            ])
        );
        assert_eq!(text(&batch, "link_type")[0].as_deref(), Some("ETHERNET"));
        assert_eq!(ints(&batch, "interface"), [None; 4]);
        let eth_src = text(&batch, "eth_src");
        assert_eq!(eth_src[0].as_deref(), Some("02:00:00:00:00:01"));
        let eth_dst = text(&batch, "eth_dst");
        assert_eq!(eth_dst[1].as_deref(), Some("02:00:00:00:00:02"));
        assert_eq!(
            ints(&batch, "ethertype"),
            [Some(0x8100), Some(0x86dd), Some(0x0800), Some(0x0800)]
        );
        assert_eq!(ints(&batch, "vlan_id"), [Some(42), None, None, None]);
        let error_layer = text(&batch, "error_layer");
        assert_eq!(error_layer[..3], owned(&[None, None, Some("TCP")]));
        assert_eq!(ints(&batch, "error_offset")[..3], [None, None, Some(34)]);
        let reason = text(&batch, "error_reason")[2].clone().unwrap();
        assert!(reason.contains("20"), "{reason}");
    }

    #[test]
    fn ip_transport_and_application_columns() {
        let batch = batch();
        assert_eq!(
            ints(&batch, "ip_version"),
            [Some(4), Some(6), Some(4), Some(4)]
        );
        assert_eq!(
            text(&batch, "ip_src")[..3],
            owned(&[Some("10.0.0.1"), Some("2001:db8::1"), Some("10.0.0.1")])
        );
        assert_eq!(text(&batch, "ip_dst")[1].as_deref(), Some("2001:db8::53"));
        assert_eq!(ints(&batch, "ip_ttl")[..3], [Some(33), Some(7), Some(64)]);
        assert_eq!(ints(&batch, "ip_proto")[..3], [Some(6), Some(17), Some(6)]);
        let fragment = batch.column_by_name("ip_fragment").unwrap().as_boolean();
        assert_eq!(
            fragment.iter().collect::<Vec<_>>(),
            [Some(false), Some(false), Some(false), Some(true)]
        );
        assert_eq!(
            ints(&batch, "src_port")[..3],
            [Some(40000), Some(5353), None]
        );
        assert_eq!(ints(&batch, "dst_port")[..3], [Some(80), Some(53), None]);
        let flags = text(&batch, "tcp_flags");
        assert_eq!(flags[..3], owned(&[Some("ACK,PSH"), None, None]));
        assert_eq!(ints(&batch, "tcp_flags_bits")[..2], [Some(0x18), None]);
        assert_eq!(ints(&batch, "tcp_seq")[..2], [Some(3_000_000_000), None]);
        assert_eq!(ints(&batch, "tcp_ack")[..2], [Some(77), None]);
        assert_eq!(ints(&batch, "tcp_window")[..2], [Some(512), None]);
        assert_eq!(ints(&batch, "payload_len")[..3], [Some(32), Some(27), None]);
        let method = text(&batch, "http_method");
        assert_eq!(method[..2], owned(&[Some("GET"), None]));
        let target = text(&batch, "http_target");
        assert_eq!(target[..2], owned(&[Some("/a?b=1"), None]));
        assert_eq!(ints(&batch, "http_status"), [None; 4]);
        assert_eq!(ints(&batch, "dns_id")[..3], [None, Some(0xabcd), None]);
        let qname = text(&batch, "dns_qname");
        assert_eq!(qname[..3], owned(&[None, Some("a.example"), None]));
        assert_eq!(ints(&batch, "dns_qtype")[..3], [None, Some(28), None]);
        assert_eq!(ints(&batch, "dns_rcode")[..3], [None, Some(0), None]);
        let response = batch.column_by_name("dns_response").unwrap().as_boolean();
        assert_eq!(
            response.iter().take(2).collect::<Vec<_>>(),
            [None, Some(false)]
        );
        assert_eq!(text(&batch, "tls_sni"), owned(&[None; 4]));
    }

    #[test]
    fn short_texts_read_as_the_std_ones() {
        for addr in ["0.0.0.0", "10.0.200.7", "255.255.255.255", "192.168.1.100"] {
            let parsed: Ipv4Addr = addr.parse().unwrap();
            assert_eq!(ShortText::ipv4(parsed).as_bytes(), addr.as_bytes());
        }
        for n in 0..=255u8 {
            let addr = Ipv4Addr::new(n, 255 - n, n / 3, n.wrapping_mul(7));
            assert_eq!(
                ShortText::ipv4(addr).as_bytes(),
                addr.to_string().as_bytes()
            );
        }
        let mac = MacAddr([0x00, 0x1b, 0xa0, 0xff, 0x0c, 0x9e]);
        assert_eq!(ShortText::mac(mac).as_bytes(), mac.to_string().as_bytes());
        let v6 = [
            "::",
            "::1",
            "1::",
            "::ffff:10.0.0.1",
            "::10.0.0.1",
            "::ffff:0:1",
            "1:0:0:2::3",
            "1::2:0:0:3",
            "1:0:2:0:3:0:4:0",
            "fe80::ba27:ebff:fe80:c3fb",
            "2001:db8:1::1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "0:1:0:1:0:1:0:1",
            "64:ff9b::1.2.3.4",
        ];
        for addr in v6 {
            let parsed: Ipv6Addr = addr.parse().unwrap();
            let shown = parsed.to_string();
            assert_eq!(Ipv6Text::new(parsed).as_bytes(), shown.as_bytes(), "{addr}");
        }
        // Every pattern of zero and non-zero groups, with values of 1 to 4 hex digits.
        for zeros in 0..=255u16 {
            let groups: Vec<u16> = (0..8u16)
                .map(|i| {
                    if zeros >> i & 1 == 1 {
                        0
                    } else {
                        0x1f << (i % 4 * 3) | i
                    }
                })
                .collect();
            let addr = Ipv6Addr::from(<[u16; 8]>::try_from(groups).unwrap());
            let shown = addr.to_string();
            assert_eq!(Ipv6Text::new(addr).as_bytes(), shown.as_bytes(), "{shown}");
        }
    }

    #[test]
    fn times_out_of_range_are_null() {
        let far = Timestamp::new(i64::MAX / 1_000, 0);
        assert_eq!(micros(far), None);
        assert_eq!(nanos(far), None);
        assert_eq!(nanos(Timestamp::new(-1, 5)), Some(-999_999_995));
    }
}
