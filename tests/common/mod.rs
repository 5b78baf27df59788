//! Capture-file builders for integration tests: classic pcap and pcapng bytes made in code;
//! and the one policy for tests that need the shared captures ([`shared_captures`]).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// `../shared/captures`: the real captures shared by all engineers, never copied here.
pub const SHARED_CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/captures");

/// Whether we run under CI (`CI` set, and not to `false` or `0`), where data is required.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The shared capture folder, or `None` when it is absent: the calling test is then skipped,
/// and says so on stderr past cargo's output capture (`SKIPPED <test>: ...`). Under CI an
/// absent folder fails the test instead: a test that compares nothing must not pass there.
pub fn shared_captures() -> Option<&'static Path> {
    shared_captures_for("")
}

/// [`shared_captures`] for a test that also runs on generated data: the message says which
/// `part` of it is skipped.
pub fn shared_captures_for(part: &str) -> Option<&'static Path> {
    let dir = Path::new(SHARED_CAPTURES);
    if dir.is_dir() {
        return Some(dir);
    }
    skip_or_fail(&format!("{SHARED_CAPTURES} is absent{part}"));
    None
}

/// The shared capture (or oracle file) `name`, with the policy of [`shared_captures`] for a
/// missing folder or file.
pub fn shared_capture(name: &str) -> Option<PathBuf> {
    let path = shared_captures()?.join(name);
    if path.is_file() {
        return Some(path);
    }
    skip_or_fail(&format!("{} is absent", path.display()));
    None
}

/// Fails under CI; elsewhere prints `SKIPPED <test>: <why>` straight to stderr (cargo's
/// capture only holds the `print!` macros' output, so the line shows in a passing run).
fn skip_or_fail(why: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a capture test")
        .to_owned();
    assert!(
        !under_ci(),
        "{test}: {why}; under CI the shared captures are required"
    );
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {why} (needs the shared captures; CI=true makes this a failure)"
    );
}

/// Builds a classic pcap file.
pub struct Pcap {
    big_endian: bool,
    modified: bool,
    bytes: Vec<u8>,
}

impl Pcap {
    /// A file header: µs or ns magic in either byte order.
    pub fn new(big_endian: bool, nanos: bool, link_type: u32, snaplen: u32) -> Pcap {
        let magic = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        Pcap::with_magic(big_endian, magic, 2, 4, link_type, snaplen)
    }

    /// Kuznetzov's modified format (little-endian, 24-byte record headers).
    pub fn modified(link_type: u32, snaplen: u32) -> Pcap {
        let mut p = Pcap::with_magic(false, 0xa1b2_cd34, 2, 4, link_type, snaplen);
        p.modified = true;
        p
    }

    /// Any magic and version.
    pub fn with_magic(
        big_endian: bool,
        magic: u32,
        major: u16,
        minor: u16,
        link_type: u32,
        snaplen: u32,
    ) -> Pcap {
        let mut p = Pcap {
            big_endian,
            modified: false,
            bytes: Vec::new(),
        };
        p.u32(magic);
        p.u16(major);
        p.u16(minor);
        p.u32(0);
        p.u32(0);
        p.u32(snaplen);
        p.u32(link_type);
        p
    }

    fn u16(&mut self, v: u16) {
        let b = if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.bytes.extend_from_slice(&b);
    }

    fn u32(&mut self, v: u32) {
        let b = if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.bytes.extend_from_slice(&b);
    }

    /// One record; the captured length is `data.len()`.
    pub fn record(mut self, secs: u32, frac: u32, orig_len: u32, data: &[u8]) -> Pcap {
        self.u32(secs);
        self.u32(frac);
        self.u32(data.len() as u32);
        self.u32(orig_len);
        if self.modified {
            // ifindex, protocol, pkt_type, padding
            self.u32(3);
            self.u16(0x0800);
            self.bytes.extend_from_slice(&[0, 0]);
        }
        self.bytes.extend_from_slice(data);
        self
    }

    /// Raw bytes appended as they are (to cut or damage a file).
    pub fn raw(mut self, bytes: &[u8]) -> Pcap {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// The file so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// Current length (the offset of the next record).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
}

/// Builds a pcapng file block by block; each SHB sets the byte order of what follows.
pub struct Ng {
    big_endian: bool,
    bytes: Vec<u8>,
}

/// An option: code and value (padding added by the builder).
pub type Opt = (u16, Vec<u8>);

impl Ng {
    /// A file starting with an SHB (version 1.0) in the given byte order.
    pub fn new(big_endian: bool) -> Ng {
        Ng {
            big_endian,
            bytes: Vec::new(),
        }
        .shb(big_endian, 1, 0, &[])
    }

    fn u16b(&self, v: u16) -> [u8; 2] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn u32b(&self, v: u32) -> [u8; 4] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    /// Options, with padding and opt_endofopt (nothing when `opts` is empty).
    pub fn options(&self, opts: &[Opt]) -> Vec<u8> {
        let mut out = Vec::new();
        if opts.is_empty() {
            return out;
        }
        for (code, value) in opts {
            out.extend_from_slice(&self.u16b(*code));
            out.extend_from_slice(&self.u16b(value.len() as u16));
            out.extend_from_slice(value);
            out.resize(out.len().next_multiple_of(4), 0);
        }
        out.extend_from_slice(&[0, 0, 0, 0]);
        out
    }

    /// Any block: type, length, `body` padded to 4 bytes, length.
    pub fn block(mut self, block_type: u32, body: &[u8]) -> Ng {
        let padded = body.len().next_multiple_of(4);
        let len = (12 + padded) as u32;
        let mut out = Vec::new();
        out.extend_from_slice(&self.u32b(block_type));
        out.extend_from_slice(&self.u32b(len));
        out.extend_from_slice(body);
        out.resize(8 + padded, 0);
        out.extend_from_slice(&self.u32b(len));
        self.bytes.extend_from_slice(&out);
        self
    }

    /// A Section Header Block in byte order `big_endian` (which then applies to what follows).
    pub fn shb(mut self, big_endian: bool, major: u16, minor: u16, opts: &[Opt]) -> Ng {
        self.big_endian = big_endian;
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32b(0x1a2b_3c4d));
        body.extend_from_slice(&self.u16b(major));
        body.extend_from_slice(&self.u16b(minor));
        body.extend_from_slice(&[0xff; 8]);
        body.extend_from_slice(&self.options(opts));
        self.block(0x0a0d_0d0a, &body)
    }

    /// An Interface Description Block.
    pub fn idb(self, link_type: u16, snaplen: u32, opts: &[Opt]) -> Ng {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u16b(link_type));
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&self.u32b(snaplen));
        body.extend_from_slice(&self.options(opts));
        self.block(1, &body)
    }

    /// `if_tsresol` option.
    pub fn tsresol(resol: u8) -> Opt {
        (9, vec![resol])
    }

    /// `if_tsoffset` option, in this file's current byte order.
    pub fn tsoffset(&self, secs: i64) -> Opt {
        let b = if self.big_endian {
            secs.to_be_bytes()
        } else {
            secs.to_le_bytes()
        };
        (14, b.to_vec())
    }

    /// An Enhanced Packet Block; the captured length is `data.len()`.
    pub fn epb(self, if_id: u32, ticks: u64, orig_len: u32, data: &[u8], opts: &[Opt]) -> Ng {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32b(if_id));
        body.extend_from_slice(&self.u32b((ticks >> 32) as u32));
        body.extend_from_slice(&self.u32b(ticks as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(&self.u32b(orig_len));
        body.extend_from_slice(data);
        body.resize(body.len().next_multiple_of(4), 0);
        body.extend_from_slice(&self.options(opts));
        self.block(6, &body)
    }

    /// A Simple Packet Block holding `data` (padded).
    pub fn spb(self, orig_len: u32, data: &[u8]) -> Ng {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32b(orig_len));
        body.extend_from_slice(data);
        self.block(3, &body)
    }

    /// An obsolete Packet Block (type 2).
    pub fn opb(self, if_id: u16, ticks: u64, orig_len: u32, data: &[u8]) -> Ng {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u16b(if_id));
        body.extend_from_slice(&self.u16b(0));
        body.extend_from_slice(&self.u32b((ticks >> 32) as u32));
        body.extend_from_slice(&self.u32b(ticks as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(&self.u32b(orig_len));
        body.extend_from_slice(data);
        self.block(2, &body)
    }

    /// Raw bytes appended as they are.
    pub fn raw(mut self, bytes: &[u8]) -> Ng {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// The file so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// Current length (the offset of the next block).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
}

/// Writes `bytes` to a new temporary file.
pub fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(bytes).expect("write temp file");
    f.flush().expect("flush temp file");
    f
}

/// `n` bytes of a recognizable pattern.
pub fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Generated frames for the bad-input tests, no shared data needed: the sample conversation
/// on Ethernet, and each of its non-ARP frames re-framed on other link types (raw IP, Linux
/// SLL, BSD Null), so that every link-layer decoder sees them.
pub fn generated_frames() -> Vec<(pcapkit::model::LinkType, Vec<u8>)> {
    use pcapkit::model::LinkType;
    let mut out = Vec::new();
    for frame in pcapkit::synth::sample_conversation() {
        let data = frame.data;
        let ether_type = data.get(12..14).map(|t| u16::from_be_bytes([t[0], t[1]]));
        let body = data.get(14..).unwrap_or_default().to_vec();
        if let Some(t @ (0x0800 | 0x86dd)) = ether_type {
            let family: u32 = if t == 0x0800 { 2 } else { 30 };
            let mut null = family.to_le_bytes().to_vec();
            null.extend_from_slice(&body);
            out.push((LinkType::NULL, null));
            out.push((LinkType::RAW, body.clone()));
            // SLL: packet type 4 (outgoing), ARPHRD_ETHER, 6-byte address, protocol.
            let mut sll = vec![0, 4, 0, 1, 0, 6];
            sll.extend_from_slice(data.get(6..12).unwrap_or_default());
            sll.extend_from_slice(&[0, 0]);
            sll.extend_from_slice(&t.to_be_bytes());
            sll.extend_from_slice(&body);
            out.push((LinkType::LINUX_SLL, sll));
        }
        out.push((LinkType::ETHERNET, data));
    }
    out
}

/// Every frame of the capture at `path`, dissected by the native engine.
pub fn frames_of(path: &Path) -> Vec<pcapkit::model::Frame> {
    pcapkit::Extractor::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .frames()
        .collect()
}

/// The tshark JSON beside a capture (`<path>.tshark.json`): one `_source.layers` object per
/// frame.
pub fn tshark_layers(path: &Path) -> Vec<serde_json::Value> {
    let json = PathBuf::from(format!("{}.tshark.json", path.display()));
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{}: {e}", json.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("tshark JSON");
    doc.as_array()
        .expect("tshark JSON is an array")
        .iter()
        .map(|f| f["_source"]["layers"].clone())
        .collect()
}

/// Our frames and tshark's `_source.layers` of the shared capture `name`, with the policy of
/// [`shared_captures`] when it is absent.
pub fn frames_and_tshark_layers(
    name: &str,
) -> Option<(Vec<pcapkit::model::Frame>, Vec<serde_json::Value>)> {
    let path = shared_capture(name)?;
    Some((frames_of(&path), tshark_layers(&path)))
}

/// A tshark JSON field as a number: `"0x0801"` (hex), `"-70"` or `"48"` (decimal).
pub fn tshark_num(layer: &serde_json::Value, field: &str) -> i64 {
    let text = layer[field]
        .as_str()
        .unwrap_or_else(|| panic!("tshark field {field} missing in {layer}"));
    match text.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .unwrap_or_else(|_| panic!("tshark field {field} = {text:?} is not a number"))
}

/// Reads the first `n` bytes of a child's piped stdout, then closes the pipe: the reader of
/// `pcapkit big.pcap | head -c N` going away.
pub fn read_then_close_stdout(child: &mut std::process::Child, n: usize) {
    use std::io::Read;
    let mut first = vec![0u8; n];
    child
        .stdout
        .as_mut()
        .expect("stdout is piped")
        .read_exact(&mut first)
        .expect("the first bytes of the report");
    drop(child.stdout.take());
}

/// Runs `command` with piped stdout and stderr, reads the first `n` bytes of the report and
/// closes the pipe; asserts that the run then ends as after `| head -c N`: exit 0, nothing
/// on stderr.
pub fn assert_quiet_after_closed_stdout(command: &mut std::process::Command, n: usize) {
    use std::process::Stdio;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pcapkit");
    read_then_close_stdout(&mut child, n);
    let out = child.wait_with_output().expect("wait for pcapkit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// The files of a folder (a trace folder, a `-F` one): names and contents, in name order.
pub fn folder_files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(folder)
        .expect("read the folder")
        .map(|e| {
            let e = e.expect("a folder entry");
            let bytes = std::fs::read(e.path()).expect("read a file of the folder");
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// A JSON value whose objects keep every key, duplicates included, in document order (tshark's
/// `-T json` repeats keys: one `mip6.options.pad1` per option, ...).
#[derive(Debug)]
pub enum Node {
    Text(String),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
    Other,
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_owned()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Node>()? {
                    entries.push((k, v));
                }
                Ok(Node::Object(entries))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    /// The value of the first `key` of this object, if any.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The first value under `key` anywhere below this node (depth first, in document order).
    pub fn find(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries
                .iter()
                .find_map(|(k, v)| if k == key { Some(v) } else { v.find(key) }),
            Node::List(items) => items.iter().find_map(|i| i.find(key)),
            _ => None,
        }
    }

    /// Every `(key, text)` leaf below this node, in document order (a list under a key gives
    /// one pair per text element).
    pub fn leaves(&self) -> Vec<(String, String)> {
        fn walk(node: &Node, key: &str, out: &mut Vec<(String, String)>) {
            match node {
                Node::Text(text) => out.push((key.to_owned(), text.clone())),
                Node::List(items) => items.iter().for_each(|i| walk(i, key, out)),
                Node::Object(entries) => entries.iter().for_each(|(k, v)| walk(v, k, out)),
                Node::Other => {}
            }
        }
        let mut out = Vec::new();
        walk(self, "", &mut out);
        out
    }

    /// The text of this node, if it is one.
    pub fn text(&self) -> Option<&str> {
        match self {
            Node::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Whether tshark can be run here.
pub fn tshark_available() -> bool {
    std::process::Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs tshark (`-n -T json`, plus `args`) on the capture `bytes` written to a temporary file,
/// and returns each frame's `_source.layers` as an ordered [`Node`]. When tshark is absent the
/// calling test is skipped with a `SKIPPED` line (a failure under CI), and `None` returned.
pub fn tshark_json_of(bytes: &[u8], args: &[&str]) -> Option<Vec<Node>> {
    if !tshark_available() {
        skip_or_fail_tool("tshark is not installed");
        return None;
    }
    let file = temp_file(bytes);
    let out = std::process::Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file.path())
        .args(args)
        .args(["-T", "json"])
        .output()
        .expect("run tshark");
    assert!(out.status.success(), "tshark failed: {out:?}");
    let Node::List(frames) = serde_json::from_slice::<Node>(&out.stdout).expect("tshark JSON")
    else {
        panic!("tshark JSON is not a list");
    };
    Some(
        frames
            .into_iter()
            .map(|f| match f {
                Node::Object(entries) => entries
                    .into_iter()
                    .find(|(k, _)| k == "_source")
                    .and_then(|(_, source)| match source {
                        Node::Object(entries) => entries
                            .into_iter()
                            .find(|(k, _)| k == "layers")
                            .map(|(_, l)| l),
                        _ => None,
                    })
                    .expect("_source.layers"),
                _ => panic!("a tshark frame is not an object"),
            })
            .collect(),
    )
}

/// [`skip_or_fail`] for a missing tool rather than missing data.
fn skip_or_fail_tool(why: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a tshark test")
        .to_owned();
    assert!(!under_ci(), "{test}: {why}; under CI tshark is required");
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {why} (compares with tshark run at test time; CI=true makes this a failure)"
    );
}

/// A pcap (Ethernet) of `messages`, each put in a frame by `frame` and captured whole
/// (`None`) or up to that many bytes past `at` (where the message starts in the frame); and
/// the native engine's reading of it.
pub fn framed(
    messages: &[(Vec<u8>, Option<usize>)],
    frame: fn(&[u8]) -> Vec<u8>,
    at: usize,
) -> (Vec<u8>, Vec<pcapkit::model::Frame>) {
    let pcap = messages
        .iter()
        .fold(Pcap::new(false, false, 1, 65535), |pcap, (m, cut)| {
            let f = frame(m);
            let captured = cut.map_or(f.len(), |c| at + c);
            pcap.record(1, 0, f.len() as u32, &f[..captured])
        })
        .bytes();
    let ours = frames_of(temp_file(&pcap).path());
    assert_eq!(ours.len(), messages.len());
    (pcap, ours)
}

/// [`framed`]'s frames and tshark's, one each per message; `None` when tshark is absent (see
/// [`tshark_json_of`]).
pub fn framed_with_tshark(
    messages: &[(Vec<u8>, Option<usize>)],
    frame: fn(&[u8]) -> Vec<u8>,
    at: usize,
) -> Option<(Vec<pcapkit::model::Frame>, Vec<Node>)> {
    let (pcap, ours) = framed(messages, frame, at);
    let tshark = tshark_json_of(&pcap, &[])?;
    assert_eq!(tshark.len(), messages.len());
    Some((ours, tshark))
}

/// tshark's chain of a frame (`frame.protocols`).
pub fn tshark_chain(layers: &Node) -> &str {
    layers
        .find("frame.protocols")
        .and_then(Node::text)
        .expect("frame.protocols")
}

/// Dissects an Ethernet frame of `len` bytes on the wire, `data` captured, with every
/// non-parallel engine; checks they agree with native ([`comparable`]) and returns native's.
pub fn dissect_every_engine(data: &[u8], len: usize) -> pcapkit::model::Frame {
    use pcapkit::engine::{DissectOptions, EngineKind};
    let raw = pcapkit::capture::RawFrame {
        number: 1,
        timestamp: None,
        len: len as u32,
        link_type: pcapkit::model::LinkType::ETHERNET,
        interface: None,
        data,
    };
    let opts = DissectOptions::default();
    let native = EngineKind::Native.dissector().dissect(&raw, &opts);
    let native_json = comparable(&native);
    for kind in EngineKind::ALL.iter().filter(|k| !k.is_parallel()) {
        let frame = kind.dissector().dissect(&raw, &opts);
        assert_eq!(
            comparable(&frame),
            native_json,
            "engine {kind:?} at {} of {len} bytes",
            data.len()
        );
    }
    native
}

/// A frame's JSON without the error's wording (engines word their errors differently).
pub fn comparable(frame: &pcapkit::model::Frame) -> serde_json::Value {
    let mut v = serde_json::to_value(frame).unwrap();
    if let Some(error) = v
        .get_mut("error")
        .and_then(serde_json::Value::as_object_mut)
    {
        error.remove("reason");
    }
    v
}

/// The destination MAC of [`ethernet`]'s frames.
pub const ETHERNET_DST: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
/// The source MAC of [`ethernet`]'s frames.
pub const ETHERNET_SRC: [u8; 6] = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

/// An Ethernet II frame [`ETHERNET_DST`] ← [`ETHERNET_SRC`] of `ether_type` around `payload`.
pub fn ethernet(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = [ETHERNET_DST, ETHERNET_SRC].concat();
    f.extend_from_slice(&ether_type.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// IPv4, TOS 0x10, id 0x1234, DF, TTL 64, 10.1.2.3 → 192.168.7.9, carrying `proto` (checksum
/// left 0x54c2: pcapkit does not verify it).
pub fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut h = vec![0x45, 0x10];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, proto, 0x54, 0xc2]);
    h.extend_from_slice(&[10, 1, 2, 3, 192, 168, 7, 9]);
    h.extend_from_slice(payload);
    h
}
