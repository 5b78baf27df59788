//! Cutting a reassembled TCP stream into messages: HTTP/1.x where the stream is HTTP, else at
//! a direction change, FIN or RST.
//!
//! An HTTP message is its head (start line and fields, through the blank line), then a body
//! delimited by `Transfer-Encoding: chunked`, `Content-Length`, or (responses only) the close of
//! the connection; responses to HEAD, 1xx, 204 and 304 have none (RFC 9112 §6.3). Several
//! messages may follow one another in one direction (pipelining). The head is kept for
//! re-dissection (up to [`ReassemblyOptions::max_message`](super::ReassemblyOptions)), a body
//! only counted.

use super::record::{Anomaly, AnomalyKind};
use super::spare;
use super::tcp::Side;
use crate::engine::DissectOptions;
use crate::engine::native::{app, dissect_from_into, tls};
use crate::model::{Frame, Http, HttpKind, Layer, ProtoId, Raw, Span};
use std::collections::VecDeque;

/// The longest chunk-size or trailer line kept while parsing a chunked body.
const MAX_CHUNK_LINE: usize = 1024;

/// One message of one direction, as cut.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Which direction of the connection.
    pub side: Side,
    /// Stream offset of its first byte.
    pub offset: u64,
    /// Its length, missing ranges included.
    pub len: u64,
    /// Frames that carried it, in stream order.
    pub frames: Vec<u64>,
    /// Byte ranges that never arrived (stream offsets).
    pub missing: Vec<[u64; 2]>,
    /// Retransmissions, overlaps and such within it.
    pub anomalies: Vec<Anomaly>,
    /// Whether it was cut where its protocol says it ends, with nothing missing.
    pub complete: bool,
    /// Its dissection: for HTTP the head's, with the body's length; else from its first
    /// bytes.
    pub frame: Frame,
}

/// How the rest of the current message is delimited.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    /// Between messages.
    Idle,
    /// Reading an HTTP head.
    Head,
    /// An HTTP body of this many more bytes.
    Body(u64),
    /// A chunked HTTP body.
    Chunked(Chunk),
    /// An HTTP response body that ends with the connection.
    UntilClose,
    /// Not HTTP: until the direction changes or the stream ends.
    Opaque,
}

/// Where a chunked body's parser is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Chunk {
    /// Reading a chunk-size line (bytes so far).
    Size(Vec<u8>),
    /// Inside chunk data, this many bytes left (and its CRLF after).
    Data(u64),
    /// After chunk data, until the line feed.
    DataEnd,
    /// Reading trailer lines after the last chunk (the current line so far).
    Trailer(Vec<u8>),
}

/// A message being cut (boxed in its [`Cutter`], from the pool in [`Cuts`]: a connection's
/// state stays small while no message is open).
#[derive(Clone, Debug, Default)]
struct Current {
    offset: u64,
    len: u64,
    frames: Vec<u64>,
    missing: Vec<[u64; 2]>,
    anomalies: Vec<Anomaly>,
    /// Bytes kept: the head of an HTTP message, the first bytes of another.
    bytes: Vec<u8>,
    /// The dissected head, once complete.
    head: Option<Frame>,
    truncated: bool,
    body: u64,
    /// (source, destination) ports, to recognise what a non-HTTP message is.
    ports: (u16, u16),
    /// Whether a non-HTTP message's bytes are kept: only when its first bytes are a protocol
    /// pcapkit dissects (DNS over TCP); anything else is counted as `Raw`.
    keep: bool,
    /// For a TLS message, the parts of it kept (in `bytes`): only what its dissection reads.
    tls: Option<Sparse>,
}

impl Current {
    /// Starts a message at stream `offset` in this box (a new one, or one [`Cutter::emit`]
    /// emptied): every field set in place, not a new value moved in.
    fn start(&mut self, offset: u64, ports: (u16, u16), keep: bool, tls: Option<Sparse>) {
        let Current {
            offset: at,
            len,
            frames,
            missing,
            anomalies,
            bytes,
            head,
            truncated,
            body,
            ports: between,
            keep: kept,
            tls: sparse,
        } = self;
        *at = offset;
        *len = 0;
        *frames = spare::frame_list();
        missing.clear();
        anomalies.clear();
        bytes.clear();
        *head = None;
        *truncated = false;
        *body = 0;
        *between = ports;
        *kept = keep;
        *sparse = tls;
    }

    /// How many of the message's bytes are kept for its dissection (zero-filled parts of a
    /// TLS message included).
    fn kept_len(&self) -> usize {
        self.tls
            .as_ref()
            .map_or(self.bytes.len(), |sparse| sparse.len)
    }
}

/// A TLS message kept as the bytes `tls::decode` reads (record headers, the first handshake
/// message: see [`tls::Reads`]), not the records' bodies, most of a TLS stream's bytes: the
/// rest is zero-filled when the message is dissected, with the same result.
#[derive(Clone, Debug, Default)]
struct Sparse {
    reads: tls::Reads,
    /// The message's length as dissected (at most `max_message`).
    len: usize,
    /// Offset and length of each run of kept bytes, in their order in `Current::bytes`.
    runs: Vec<(usize, usize)>,
}

impl Sparse {
    /// Takes the message's next bytes, appending the parts its dissection reads to `kept`.
    fn take(&mut self, bytes: &[u8], kept: &mut Vec<u8>, cuts: &mut Cuts) {
        let at = self.len;
        let runs = &mut self.runs;
        self.reads.feed(at, bytes, |from, to| {
            cuts.keep(kept, bytes.get(from - at..to - at).unwrap_or_default());
            match runs.last_mut() {
                Some((start, len)) if *start + *len == from => *len += to - from,
                _ => runs.push((from, to - from)),
            }
        });
        self.len += bytes.len();
    }

    /// Dissects the message as kept in `kept`: its runs are put into `zeros` (all zeros, and
    /// left so: only the runs are written, then cleared).
    fn dissect(&self, cur: &Current, zeros: &mut Vec<u8>) -> Frame {
        if zeros.len() < self.len {
            zeros.resize(self.len, 0);
        }
        let mut from = 0;
        for &(at, len) in &self.runs {
            if let (Some(dst), Some(src)) =
                (zeros.get_mut(at..at + len), cur.bytes.get(from..from + len))
            {
                dst.copy_from_slice(src);
            }
            from += len;
        }
        let frame = dissect_kept(cur, zeros.get(..self.len).unwrap_or_default());
        for &(at, len) in &self.runs {
            if let Some(run) = zeros.get_mut(at..at + len) {
                run.fill(0);
            }
        }
        frame
    }
}

/// Cuts one direction of a connection into messages.
#[derive(Clone, Debug)]
pub struct Cutter {
    side: Side,
    mode: Mode,
    current: Option<Box<Current>>,
    /// A gap before the next message starts.
    lead_gap: Option<[u64; 2]>,
    max_message: usize,
}

/// Where stream bytes come from.
#[derive(Clone, Copy, Debug, Default)]
pub struct Origin<'a> {
    /// The frame that carried them.
    pub frame: u64,
    /// (source, destination) ports.
    pub ports: (u16, u16),
    /// The frame's own HTTP layer, when its dissection found one at the bytes' first byte
    /// (a head there is not dissected again).
    pub parsed: Option<&'a Http>,
}

/// What the two directions of one connection share: the request methods awaiting responses
/// (a response to HEAD has no body) and the direction that sent last.
#[derive(Clone, Debug, Default)]
pub struct Exchange {
    /// Methods of the requests sent, oldest first, not yet answered.
    pub methods: VecDeque<String>,
    /// The direction of the last data.
    pub last_side: Option<Side>,
}

/// Where cutters put what they cut: the messages, and the buffers of messages they are done
/// with. One is shared by the cutters of every connection, so a message's kept bytes go
/// into a buffer an earlier message grew, rather than a new one grown segment by segment.
#[derive(Debug, Default)]
pub struct Cuts {
    /// The messages cut, in order.
    pub messages: Vec<Message>,
    /// Empty buffers for the next messages (at most [`SPARE_BUFFERS`]).
    spare: Vec<Vec<u8>>,
    /// Zeros, where a TLS message kept in part is put together to be dissected.
    zeros: Vec<u8>,
    /// Empty run lists for the next TLS messages (at most [`SPARE_BUFFERS`]).
    spare_runs: Vec<Vec<(usize, usize)>>,
    /// Boxes of messages done with, for the next ones (at most [`SPARE_BUFFERS`]).
    #[expect(
        clippy::vec_box,
        reason = "a pool of the boxes cutters hold, not of values"
    )]
    spare_current: Vec<Box<Current>>,
}

/// Spare buffers a [`Cuts`] keeps: each holds at most `max_message` bytes, so this bounds
/// their memory (64 KiB messages: 2 MiB, twice that with the growth slack).
const SPARE_BUFFERS: usize = 32;

impl Cuts {
    /// Keeps `buffer` (emptied) for a later message, if there is room.
    fn give(&mut self, mut buffer: Vec<u8>) {
        if buffer.capacity() > 0 && self.spare.len() < SPARE_BUFFERS {
            buffer.clear();
            self.spare.push(buffer);
        }
    }

    /// Keeps a TLS message's run list (emptied) for a later one, if there is room.
    fn give_runs(&mut self, mut runs: Vec<(usize, usize)>) {
        if runs.capacity() > 0 && self.spare_runs.len() < SPARE_BUFFERS {
            runs.clear();
            self.spare_runs.push(runs);
        }
    }

    /// A box for a message being cut: a kept one when there is one (see [`Current::start`]).
    fn current_box(&mut self) -> Box<Current> {
        self.spare_current.pop().unwrap_or_default()
    }

    /// Keeps a message's box (its parts taken) for a later message, if there is room.
    fn give_current(&mut self, current: Box<Current>) {
        if self.spare_current.len() < SPARE_BUFFERS {
            self.spare_current.push(current);
        }
    }

    /// Appends `bytes` to `kept`, which starts in a spare buffer.
    fn keep(&mut self, kept: &mut Vec<u8>, bytes: &[u8]) {
        if kept.capacity() == 0
            && let Some(spare) = self.spare.pop()
        {
            *kept = spare;
        }
        kept.extend_from_slice(bytes);
    }
}

impl Cutter {
    /// A cutter for direction `side` keeping at most `max_message` bytes of a message.
    pub fn new(side: Side, max_message: usize) -> Cutter {
        Cutter {
            side,
            mode: Mode::Idle,
            current: None,
            lead_gap: None,
            max_message,
        }
    }

    /// Whether a non-HTTP message is open (what a direction change ends).
    pub fn is_opaque(&self) -> bool {
        self.mode == Mode::Opaque
    }

    /// Takes stream bytes at `offset` from `from`.
    pub fn data(
        &mut self,
        mut offset: u64,
        mut bytes: &[u8],
        from: Origin<'_>,
        exchange: &mut Exchange,
        out: &mut Cuts,
    ) {
        // The frame's own HTTP layer describes a head at the first byte only.
        let mut parsed = from.parsed;
        while !bytes.is_empty() {
            if self.current.is_none() {
                self.start(offset, bytes, from.ports, out);
            }
            let used = self.consume(bytes, from.frame, parsed.take(), exchange, out);
            let used = used.clamp(1, bytes.len());
            offset += used as u64;
            bytes = bytes.get(used..).unwrap_or_default();
        }
    }

    /// Opens a message at `offset`, HTTP if `bytes` starts like one.
    ///
    /// A gap just before it belongs to it when it is not HTTP (its start is lost); before an
    /// HTTP head, the gap is whatever was lost there and is reported on its own.
    fn start(&mut self, offset: u64, bytes: &[u8], ports: (u16, u16), out: &mut Cuts) {
        let first = app::over_tcp(ports.0, ports.1, bytes);
        let http = first == Some(ProtoId::Http);
        if http && let Some([from, to]) = self.lead_gap.take() {
            out.messages.push(Message {
                side: self.side,
                offset: from,
                len: to - from,
                frames: Vec::new(),
                missing: vec![[from, to]],
                anomalies: Vec::new(),
                complete: false,
                frame: dissected(ProtoId::Raw, &[]),
            });
        }
        self.mode = if http { Mode::Head } else { Mode::Opaque };
        let tls =
            (first == Some(ProtoId::Tls) && app::tls_by_header(ports.0, ports.1)).then(|| Sparse {
                runs: out.spare_runs.pop().unwrap_or_default(),
                ..Sparse::default()
            });
        let mut current = out.current_box();
        current.start(offset, ports, first.is_some(), tls);
        if let Some(gap) = self.lead_gap.take() {
            current.offset = gap[0];
            current.len = gap[1] - gap[0];
            current.missing.push(gap);
        }
        self.current = Some(current);
    }

    /// Consumes a prefix of `bytes` for the current message; returns its length. `parsed` is
    /// the frame's HTTP layer dissected from `bytes`' first byte on, if there is one.
    fn consume(
        &mut self,
        bytes: &[u8],
        frame: u64,
        parsed: Option<&Http>,
        exchange: &mut Exchange,
        out: &mut Cuts,
    ) -> usize {
        let Some(cur) = self.current.as_mut() else {
            return bytes.len();
        };
        if cur.frames.last() != Some(&frame) {
            cur.frames.push(frame);
        }
        let max = self.max_message;
        let (used, done) = match &mut self.mode {
            Mode::Idle => (bytes.len(), false),
            Mode::Opaque if !cur.keep => (bytes.len(), false),
            Mode::Opaque => {
                let room = max.saturating_sub(cur.kept_len()).min(bytes.len());
                let fresh = bytes.get(..room).unwrap_or_default();
                match &mut cur.tls {
                    Some(sparse) => sparse.take(fresh, &mut cur.bytes, out),
                    None => out.keep(&mut cur.bytes, fresh),
                }
                cur.truncated |= room < bytes.len();
                (bytes.len(), false)
            }
            Mode::Head => {
                let before = cur.bytes.len();
                let search_from = before.saturating_sub(3);
                let room = max.saturating_sub(before).min(bytes.len());
                let fresh = bytes.get(..room).unwrap_or_default();
                // A head that arrives in one piece is dissected where it lies, uncopied.
                let whole = if before == 0 { head_end(fresh) } else { None };
                if whole.is_none() {
                    out.keep(&mut cur.bytes, fresh);
                }
                let found = whole.map(|end| (end, fresh)).or_else(|| {
                    head_end(cur.bytes.get(search_from..).unwrap_or_default())
                        .map(|end| (search_from + end, cur.bytes.as_slice()))
                });
                match found {
                    Some((head_len, buffer)) => {
                        let used = head_len - before;
                        let head = match parsed {
                            // Whole in this segment, which was dissected from the same
                            // first byte: the frame's HTTP layer is this head's.
                            Some(http) if whole.is_some() => head_frame(http, head_len),
                            _ => {
                                dissected(ProtoId::Http, buffer.get(..head_len).unwrap_or_default())
                            }
                        };
                        // The head is dissected: its bytes are not needed any more.
                        out.give(std::mem::take(&mut cur.bytes));
                        let mode = framing(http_of(&head), exchange);
                        cur.head = Some(head);
                        let done = mode == Mode::Body(0);
                        self.mode = mode;
                        (used, done)
                    }
                    None if room < bytes.len() => {
                        // Longer than a head may be: not parsed as HTTP after all.
                        cur.truncated = true;
                        self.mode = Mode::Opaque;
                        (bytes.len(), false)
                    }
                    None => (bytes.len(), false),
                }
            }
            Mode::Body(left) => {
                let take = (*left).min(bytes.len() as u64);
                *left -= take;
                cur.body += take;
                (take as usize, *left == 0)
            }
            Mode::UntilClose => {
                cur.body += bytes.len() as u64;
                (bytes.len(), false)
            }
            Mode::Chunked(chunk) => {
                let (used, done) = chunked(chunk, bytes);
                cur.body += used as u64;
                (used, done)
            }
        };
        cur.len += used as u64;
        if done {
            self.emit(true, out);
        }
        used
    }

    /// Bytes `[from, to)` of the stream never arrived.
    pub fn gap(&mut self, from: u64, to: u64, out: &mut Cuts) {
        let Some(cur) = self.current.as_mut() else {
            self.lead_gap = Some(match self.lead_gap {
                Some([a, _]) => [a, to],
                None => [from, to],
            });
            return;
        };
        cur.missing.push([from, to]);
        cur.len += to - from;
        match &mut self.mode {
            Mode::Body(left) => {
                let skipped = (*left).min(to - from);
                *left -= skipped;
                cur.body += skipped;
                if *left == 0 {
                    self.emit(false, out);
                }
            }
            Mode::UntilClose => cur.body += to - from,
            Mode::Opaque => {}
            // Lost inside a head or chunked framing: the message ends here, incomplete.
            Mode::Head | Mode::Chunked(_) | Mode::Idle => self.emit(false, out),
        }
    }

    /// A retransmission or overlap within this direction.
    pub fn anomaly(&mut self, anomaly: Anomaly) {
        if let Some(cur) = self.current.as_mut()
            && anomaly.range.is_none_or(|[_, to]| to > cur.offset)
        {
            cur.anomalies.push(anomaly);
        }
    }

    /// The direction ended (FIN, RST, end of capture) or changed (`closing` false): ends the
    /// open message. A message whose protocol says it goes on is incomplete unless only the
    /// close delimits it.
    pub fn end(&mut self, closing: bool, out: &mut Cuts) {
        if self.current.is_none() {
            return;
        }
        let complete = match &self.mode {
            Mode::Opaque => true,
            Mode::UntilClose => closing,
            Mode::Body(left) => {
                if let Some(cur) = self.current.as_mut() {
                    let at = cur.offset + cur.len;
                    cur.missing.push([at, at + left]);
                    cur.len += left;
                }
                false
            }
            _ => false,
        };
        self.emit(complete, out);
    }

    /// Adds an anomaly to the open message, if any (a bound that flushed it).
    pub fn note(&mut self, kind: AnomalyKind, frame: u64) {
        if let Some(cur) = self.current.as_mut() {
            cur.anomalies.push(Anomaly {
                kind,
                frame,
                range: None,
            });
        }
    }

    /// Ends the current message and reports it.
    fn emit(&mut self, complete: bool, out: &mut Cuts) {
        self.mode = Mode::Idle;
        let Some(mut cur) = self.current.take() else {
            return;
        };
        let mut frame = match cur.head.take() {
            Some(mut head) => {
                if let Some(Layer::Http(http)) = head.layers.first_mut() {
                    let body = u32::try_from(cur.body).unwrap_or(u32::MAX);
                    http.body_len = body;
                    http.payload_len = body;
                }
                head
            }
            None => match &cur.tls {
                Some(sparse) => sparse.dissect(&cur, &mut out.zeros),
                None => dissect_kept(&cur, &cur.bytes),
            },
        };
        let len = u32::try_from(cur.len).unwrap_or(u32::MAX);
        frame.len = len;
        if cur.truncated {
            let anomaly = Anomaly {
                kind: AnomalyKind::Truncated,
                frame: cur.frames.last().copied().unwrap_or(0),
                range: Some([cur.offset, cur.offset + cur.kept_len() as u64]),
            };
            cur.anomalies.push(anomaly);
        }
        out.give(std::mem::take(&mut cur.bytes));
        if let Some(sparse) = cur.tls.take() {
            out.give_runs(sparse.runs);
        }
        let missing = std::mem::take(&mut cur.missing);
        out.messages.push(Message {
            side: self.side,
            offset: cur.offset,
            len: cur.len,
            frames: std::mem::take(&mut cur.frames),
            complete: complete && missing.is_empty(),
            missing,
            anomalies: std::mem::take(&mut cur.anomalies),
            frame,
        });
        out.give_current(cur);
    }
}

/// `dissect_from(first, bytes)`, in a kept frame's memory.
fn dissected(first: ProtoId, bytes: &[u8]) -> Frame {
    let mut frame = spare::frame();
    dissect_from_into(first, bytes, &DissectOptions::default(), &mut frame);
    frame
}

/// The dissection of a message that is not HTTP, from `bytes`, the bytes kept of it.
fn dissect_kept(cur: &Current, bytes: &[u8]) -> Frame {
    if bytes.is_empty() {
        // Nothing kept (not a protocol pcapkit dissects): no need to ask which.
        return raw_message(cur);
    }
    match app::over_tcp(cur.ports.0, cur.ports.1, bytes) {
        Some(first) => dissected(first, bytes),
        None => raw_message(cur),
    }
}

/// The dissection of a message pcapkit does not decode: one `Raw` layer over the bytes that
/// arrived (none for a message that is all gap).
fn raw_message(cur: &Current) -> Frame {
    let missing: u64 = cur.missing.iter().map(|[a, b]| b - a).sum();
    let arrived = u32::try_from(cur.len.saturating_sub(missing)).unwrap_or(u32::MAX);
    let mut frame = spare::frame();
    if arrived > 0 {
        frame.layers.push(Layer::Raw(Raw {
            header_len: 0,
            payload_len: arrived,
        }));
        frame.spans.push(Span::default());
    }
    frame.len = arrived;
    frame
}

/// What `dissect_from(ProtoId::Http, head)` gives for a head of `head_len` bytes that `http`
/// is the HTTP layer of (dissected from the same first byte, with or without what follows
/// the head: only the body's lengths differ, and they are the head's own here).
fn head_frame(http: &Http, head_len: usize) -> Frame {
    let len = u32::try_from(head_len).unwrap_or(u32::MAX);
    let mut http = spare::http_copy(http);
    http.body_len = 0;
    http.payload_len = 0;
    let mut frame = spare::frame();
    frame.layers.push(Layer::Http(http));
    frame.spans.push(Span {
        start: 0,
        header_end: len,
        end: len,
    });
    frame.len = len;
    frame.cap_len = len;
    frame
}

/// Where the head in `bytes` ends (just past its blank line), if it does.
fn head_end(bytes: &[u8]) -> Option<usize> {
    // Line feeds by `memchr` (a head's lines are long enough for its vector search to beat
    // a byte loop several times over).
    memchr::memchr_iter(b'\n', bytes).find_map(|at| match bytes.get(at + 1..) {
        Some([b'\n', ..]) => Some(at + 2),
        Some([b'\r', b'\n', ..]) => Some(at + 3),
        _ => None,
    })
}

/// The HTTP record of a dissected head.
fn http_of(frame: &Frame) -> Option<&Http> {
    match frame.layers.first() {
        Some(Layer::Http(http)) => Some(http),
        _ => None,
    }
}

/// The value of header `name` (case-insensitive), the first if repeated.
fn header<'h>(http: &'h Http, name: &str) -> Option<&'h str> {
    http.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// How the body after this head is delimited (RFC 9112 §6.3); records a request's method for
/// its response.
fn framing(http: Option<&Http>, exchange: &mut Exchange) -> Mode {
    let Some(http) = http else {
        return Mode::Body(0);
    };
    let chunked = header(http, "transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let length = header(http, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    match http.kind {
        HttpKind::Request => {
            if let Some(method) = &http.method {
                exchange.methods.push_back(method.clone());
                if exchange.methods.len() > 64 {
                    exchange.methods.pop_front();
                }
            }
            if chunked {
                Mode::Chunked(Chunk::Size(Vec::new()))
            } else {
                Mode::Body(length.unwrap_or(0))
            }
        }
        HttpKind::Response => {
            let status = http.status.unwrap_or(0);
            // An interim (1xx) response leaves its request waiting for the final one.
            let method = if (100..200).contains(&status) {
                None
            } else {
                exchange.methods.pop_front()
            };
            // No body: interim, 204, 304, a response to HEAD, and a 2xx to CONNECT (a tunnel
            // follows, cut as other messages).
            let connect = method.as_deref() == Some("CONNECT") && (200..300).contains(&status);
            if (100..200).contains(&status)
                || status == 204
                || status == 304
                || method.as_deref() == Some("HEAD")
                || connect
            {
                Mode::Body(0)
            } else if chunked {
                Mode::Chunked(Chunk::Size(Vec::new()))
            } else if let Some(length) = length {
                Mode::Body(length)
            } else {
                Mode::UntilClose
            }
        }
    }
}

/// Runs the chunked-body parser over `bytes`: returns the bytes it used and whether the body
/// ended with them.
fn chunked(state: &mut Chunk, bytes: &[u8]) -> (usize, bool) {
    let mut i = 0;
    while i < bytes.len() {
        match state {
            Chunk::Size(line) => {
                let rest = bytes.get(i..).unwrap_or_default();
                match rest.iter().position(|&b| b == b'\n') {
                    Some(lf) => {
                        if line.len() < MAX_CHUNK_LINE {
                            line.extend_from_slice(rest.get(..lf).unwrap_or_default());
                        }
                        i += lf + 1;
                        let size = chunk_size(line);
                        *state = match size {
                            Some(0) => Chunk::Trailer(Vec::new()),
                            Some(n) => Chunk::Data(n),
                            // Not a chunk size: the body ends here (malformed).
                            None => return (i, true),
                        };
                    }
                    None => {
                        if line.len() < MAX_CHUNK_LINE {
                            let room = (MAX_CHUNK_LINE - line.len()).min(rest.len());
                            line.extend_from_slice(rest.get(..room).unwrap_or_default());
                        }
                        i = bytes.len();
                    }
                }
            }
            Chunk::Data(left) => {
                let take = (*left).min((bytes.len() - i) as u64);
                *left -= take;
                i += take as usize;
                if *left == 0 {
                    *state = Chunk::DataEnd;
                }
            }
            Chunk::DataEnd => {
                let rest = bytes.get(i..).unwrap_or_default();
                match rest.iter().position(|&b| b == b'\n') {
                    Some(lf) => {
                        i += lf + 1;
                        *state = Chunk::Size(Vec::new());
                    }
                    None => i = bytes.len(),
                }
            }
            Chunk::Trailer(line) => {
                let rest = bytes.get(i..).unwrap_or_default();
                match rest.iter().position(|&b| b == b'\n') {
                    Some(lf) => {
                        let empty = line.is_empty()
                            && rest.get(..lf).is_some_and(|l| l.is_empty() || l == b"\r");
                        i += lf + 1;
                        if empty {
                            return (i, true);
                        }
                        line.clear();
                    }
                    None => {
                        if line.len() < MAX_CHUNK_LINE {
                            let room = (MAX_CHUNK_LINE - line.len()).min(rest.len());
                            line.extend_from_slice(rest.get(..room).unwrap_or_default());
                        }
                        i = bytes.len();
                    }
                }
            }
        }
    }
    (i, false)
}

/// The size on a chunk-size line (hex digits, then optional `;` extensions and CR).
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits: &[u8] = line
        .split(|&b| b == b';' || b == b'\r' || b == b' ' || b == b'\t')
        .next()
        .unwrap_or_default();
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    u64::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::native::dissect_from;

    /// Cuts `parts` (one frame each, numbered from 1) of direction `side`; ends the stream.
    fn cut(side: Side, parts: &[&[u8]], exchange: &mut Exchange) -> Vec<Message> {
        let mut cutter = Cutter::new(side, 64 << 10);
        let mut out = Cuts::default();
        let mut offset = 0;
        for (i, part) in parts.iter().enumerate() {
            let from = Origin {
                frame: i as u64 + 1,
                ports: (40000, 80),
                parsed: None,
            };
            cutter.data(offset, part, from, exchange, &mut out);
            offset += part.len() as u64;
        }
        cutter.end(true, &mut out);
        out.messages
    }

    fn http(m: &Message) -> &Http {
        match m.frame.layers.first() {
            Some(Layer::Http(h)) => h,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    #[test]
    fn a_tls_message_kept_in_part_dissects_as_the_whole() {
        let hello = crate::engine::native::tls::tests::client_hello();
        let app_data = [vec![23, 3, 3, 0x01, 0x00], vec![0x5a; 256]].concat();
        let first = [hello.clone(), app_data.clone(), app_data[..100].to_vec()].concat();
        let second = [app_data.clone(), hello.clone()].concat();
        for (max, step) in [(64 << 10, 7), (64 << 10, 1460), (200, 50)] {
            let mut cutter = Cutter::new(1, max);
            let mut out = Cuts::default();
            let mut ex = Exchange::default();
            let mut offset = 0;
            for (message, bytes) in [&first, &second].into_iter().enumerate() {
                for piece in bytes.chunks(step) {
                    let from = Origin {
                        frame: 1,
                        ports: (443, 50000),
                        parsed: None,
                    };
                    cutter.data(offset, piece, from, &mut ex, &mut out);
                    offset += piece.len() as u64;
                }
                // The other direction sends: the message ends.
                cutter.end(false, &mut out);
                let m = &out.messages[message];
                let kept = &bytes[..bytes.len().min(max)];
                let mut whole = dissect_from(ProtoId::Tls, kept, &DissectOptions::default());
                whole.len = bytes.len() as u32;
                assert_eq!(m.frame, whole, "max {max}, step {step}, message {message}");
                assert!(matches!(m.frame.layers.first(), Some(Layer::Tls(_))));
                assert_eq!(m.anomalies.len(), usize::from(bytes.len() > max));
            }
            assert!(out.zeros.iter().all(|&b| b == 0), "zeros stay zeros");
        }
    }

    #[test]
    fn a_request_split_over_segments_is_one_message() {
        let mut ex = Exchange::default();
        let out = cut(
            0,
            &[
                b"POST /up HTTP/1.1\r\nHost: a\r\nCont",
                b"ent-Length: 5\r\n\r\nhel",
                b"loGET /next HTTP/1.1\r\n\r\n",
            ],
            &mut ex,
        );
        assert_eq!(out.len(), 2);
        let h = http(&out[0]);
        assert_eq!(h.method.as_deref(), Some("POST"));
        assert_eq!(h.headers.len(), 2);
        assert_eq!(h.body_len, 5);
        assert_eq!(out[0].frames, [1, 2, 3]);
        assert!(out[0].complete);
        assert_eq!(http(&out[1]).target.as_deref(), Some("/next"));
        assert_eq!(out[1].offset, out[0].len);
        assert_eq!(ex.methods, ["POST", "GET"]);
    }

    #[test]
    fn chunked_and_until_close_responses() {
        let mut ex = Exchange::default();
        ex.methods
            .extend(["GET".to_owned(), "HEAD".to_owned(), "GET".to_owned()]);
        let out = cut(
            1,
            &[
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=1\r\nab",
                b"cd\r\n0\r\nX: y\r\n\r\n",
                b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
                b"HTTP/1.0 200 OK\r\n\r\nbody until close",
            ],
            &mut ex,
        );
        assert_eq!(out.len(), 3);
        assert_eq!(http(&out[0]).body_len, 24);
        assert!(out[0].complete);
        // The response to HEAD has no body despite its Content-Length.
        assert_eq!(http(&out[1]).body_len, 0);
        assert_eq!(http(&out[2]).body_len, 16);
        assert!(out[2].complete);
    }

    #[test]
    fn a_short_body_is_incomplete_with_its_missing_range() {
        let mut ex = Exchange::default();
        let out = cut(
            0,
            &[b"PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"],
            &mut ex,
        );
        assert!(!out[0].complete);
        let head = 38;
        assert_eq!(out[0].missing, [[head + 3, head + 10]]);
        assert_eq!(out[0].len, head + 10);
    }

    #[test]
    fn other_protocols_are_cut_at_the_end() {
        let mut ex = Exchange::default();
        let out = cut(0, &[b"\x16\x03\x01hello", b"more"], &mut ex);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].len, 12);
        assert_eq!(out[0].frame.protocol_chain(), "Raw");
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(chunk_size(b"1a\r"), Some(26));
        assert_eq!(chunk_size(b"0"), Some(0));
        assert_eq!(chunk_size(b"zz"), None);
        assert_eq!(chunk_size(b""), None);
    }

    #[test]
    fn a_head_cut_with_the_frames_http_layer_is_the_head_dissected_again() {
        let head = b"POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
        let next = b"GET /b HTTP/1.1\r\nHost: a\r\n\r\n";
        // The segment: the head, its body, a pipelined request (the frame's HTTP layer then
        // has other body lengths than the head's alone).
        let segment = [&head[..], b"hello", next].concat();
        let seen = dissect_from(ProtoId::Http, &segment, &DissectOptions::default());
        let Some(Layer::Http(parsed)) = seen.layers.first() else {
            panic!("not HTTP: {seen:?}");
        };
        assert_ne!(parsed.payload_len, 0);
        let again = dissect_from(ProtoId::Http, head, &DissectOptions::default());
        assert_eq!(head_frame(parsed, head.len()), again);
        // Cut with and without the frame's layer: the same messages.
        let run = |parsed: Option<&Http>| {
            let mut cutter = Cutter::new(0, 64 << 10);
            let mut out = Cuts::default();
            let mut ex = Exchange::default();
            let from = Origin {
                frame: 1,
                ports: (40000, 80),
                parsed,
            };
            cutter.data(0, &segment, from, &mut ex, &mut out);
            cutter.end(true, &mut out);
            out.messages
        };
        let (reused, dissected) = (run(Some(parsed)), run(None));
        assert_eq!(reused.len(), 2);
        assert_eq!(http(&reused[0]).body_len, 5);
        assert_eq!(http(&reused[1]).target.as_deref(), Some("/b"));
        assert_eq!(reused, dissected);
    }

    #[test]
    fn a_head_ends_after_its_first_empty_line() {
        let cases: [(&[u8], Option<usize>); 9] = [
            (b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody", Some(24)),
            (b"GET / HTTP/1.1\nA: b\n\nbody", Some(21)),
            (b"GET / HTTP/1.1\r\nA: b\n\r\n", Some(23)),
            (b"GET / HTTP/1.1\r\nA: b\r\n\r", None),
            (b"GET / HTTP/1.1\r\nA: b\r\n", None),
            (b"\n\n", Some(2)),
            (b"\n", None),
            (b"", None),
            (b"A\r\rB\n\r\r\nC\n\n\n", Some(11)),
        ];
        for (bytes, end) in cases {
            assert_eq!(head_end(bytes), end, "{:?}", String::from_utf8_lossy(bytes));
        }
    }
}
