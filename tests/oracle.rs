//! The oracle test: every engine against Wireshark on every capture in `../shared/captures`.
//!
//! For each capture with a `<file>.tshark.tsv` (tshark 4.0.17, one row per frame, see the
//! folder's README), the capture is read through the library API
//! (`Extractor::open(path)?.engine(kind).frames()`, once per engine) and every frame is
//! compared with tshark's row:
//!
//! - `len`, `cap_len`; `time` numerically at ns (skipped where tshark's cell is empty, pcapng
//!   Simple Packet Blocks, or malformed, README quirk 4);
//! - `ip.src`, `ip.dst`, `ipv6.src`, `ipv6.dst`, `tcp.*port`, `udp.*port`: every occurrence, in
//!   order, for the part of the protocol chain pcapkit covers (see below);
//! - `protocols`: tshark's `frame.protocols` mapped to pcapkit's names ([`tshark_proto`]), with
//!   pseudo-protocols and protocols we do not know dropped, and our `Raw` dropped. Ours must be a
//!   prefix of theirs (compared "up to the deepest protocol pcapkit decodes"), and where ours
//!   stops before theirs ends, the protocol tshark shows next must not be one the native engine
//!   decodes ([`NATIVE_DECODES`]), whether ours stopped without an `error` or with an `error` at
//!   that very protocol (stricter than "no error": a decoder that gives up on a header tshark
//!   reads is a difference; a header really cut by the snap length is then an allow-list entry);
//!   the datagram quoted in an ICMP/ICMPv6 error message is decoded and compared like the rest
//!   (a quoted transport header cut short is an allow-list entry). tshark's `sll` is SLL or
//!   SLL2 by the frame's link type; its `arp` also stands for our RARP; `igmp:igmp` is one IGMP;
//! - `http`: never from the default chain (tshark puts `http` on the frame that completes a
//!   reassembled message); our frame has an HTTP layer iff tshark starts an HTTP head in it per
//!   segment (`<file>.tshark.httpheads`; no such file: no heads), required only where our chain
//!   covers tshark's whole chain.
//!
//! Addresses and ports are compared on the chain's covered part: when our chain is shorter than
//! tshark's (the IP header quoted in an ICMP error, a tunnel behind a protocol the native engine
//! does not decode yet), tshark's list is cut to the occurrences of that protocol within the
//! covered part. Everything else about them is strict.
//!
//! Oracle quirks handled here (README "Read before comparing"): pcapng custom blocks are tshark
//! rows with protocol `data` and no time: they are removed and frames matched by order; a file
//! tshark refused has an empty tsv: we may read it (quirks 5, 8) but may not refuse a file
//! tshark read; truncated files: our frames are exactly tshark's rows (quirks 6, 8).
//!
//! Every difference is printed (file, frame, field, ours vs tshark's). Accepted differences are
//! in the one allow-list, `tests/oracle_allowlist.tsv`. The test asserts that at least
//! [`MIN_AGREEMENT_PERMILLE`] of all frames agree (every compared field equal or allow-listed)
//! and that no difference outside the allow-list remains.

mod common;

use pcapkit::capture::{CaptureReader, RawFrame};
use pcapkit::model::{Frame, Layer, LinkType, ProtoId};
use pcapkit::{EngineKind, Extractor};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The one allow-list of accepted differences (format documented in the file).
const ALLOWLIST: &str = include_str!("oracle_allowlist.tsv");

/// Minimum share of agreeing frames, in per mille (99.9 %).
const MIN_AGREEMENT_PERMILLE: u64 = 999;

/// The protocols the native engine decodes now. Where our chain stops (without error, or with an
/// error at that very protocol) and tshark's continues with one of these, that is a mismatch.
/// Extend this list as decoders land (AH, ESP, HIP, MH, OSPF, L2TP, IPX, IGMP, GRE, DNS, PPP,
/// PPPoE, LLC).
const NATIVE_DECODES: &[ProtoId] = &[
    ProtoId::Ethernet,
    ProtoId::Sll,
    ProtoId::Sll2,
    ProtoId::Null,
    ProtoId::Nflog,
    ProtoId::Vlan,
    ProtoId::Arp,
    ProtoId::Rarp,
    ProtoId::Ipv4,
    ProtoId::Ipv6,
    ProtoId::HopOpt,
    ProtoId::Ipv6Route,
    ProtoId::Ipv6Frag,
    ProtoId::Ipv6Opts,
    ProtoId::Tcp,
    ProtoId::Udp,
    ProtoId::Icmp,
    ProtoId::Icmpv6,
    ProtoId::Http,
    ProtoId::Llc,
    ProtoId::Ipx,
    ProtoId::Ppp,
    ProtoId::Pppoe,
    ProtoId::L2tp,
    ProtoId::Gre,
    ProtoId::Dns,
    ProtoId::Ah,
    ProtoId::Esp,
    ProtoId::Hip,
    ProtoId::Mh,
    ProtoId::Ospf,
    ProtoId::Igmp,
    ProtoId::Gtp,
    ProtoId::Radiotap,
    ProtoId::Ppi,
    ProtoId::Prism,
    ProtoId::Ipnet,
    ProtoId::Avsp,
    ProtoId::Ieee80211,
    ProtoId::FrameRelay,
    ProtoId::Chdlc,
    ProtoId::Ipoib,
    ProtoId::Mpls,
    ProtoId::Erspan,
    ProtoId::Sctp,
    ProtoId::Pim,
    ProtoId::Dhcp,
    ProtoId::Dhcpv6,
    ProtoId::Ntp,
    ProtoId::Quic,
    ProtoId::Sip,
    ProtoId::Arcnet,
    ProtoId::Vxlan,
    ProtoId::Geneve,
    ProtoId::Teredo,
];

/// pcapkit's protocol for a name in tshark's `frame.protocols`; `None` for pseudo-protocols
/// (`ethertype`, `data`, `raw`: the raw-IP link types have no link layer in pcapkit) and for
/// protocols pcapkit does not know.
///
/// tshark 4.0 calls both Linux cooked capture versions `sll` (decided here by the frame's link
/// type) and shows RARP as `arp` (see [`same_proto`]).
fn tshark_proto(name: &str, link_type: LinkType) -> Option<ProtoId> {
    Some(match name {
        "eth" => ProtoId::Ethernet,
        "sll" if link_type == LinkType::LINUX_SLL2 => ProtoId::Sll2,
        "sll" => ProtoId::Sll,
        "null" => ProtoId::Null,
        "nflog" => ProtoId::Nflog,
        "vlan" | "ieee8021ad" => ProtoId::Vlan,
        "arp" => ProtoId::Arp,
        "ip" => ProtoId::Ipv4,
        "ipv6" => ProtoId::Ipv6,
        "ipv6.hopopts" => ProtoId::HopOpt,
        "ipv6.routing" => ProtoId::Ipv6Route,
        "ipv6.fraghdr" => ProtoId::Ipv6Frag,
        "ipv6.dstopts" => ProtoId::Ipv6Opts,
        "tcp" => ProtoId::Tcp,
        "udp" => ProtoId::Udp,
        "icmp" => ProtoId::Icmp,
        "icmpv6" => ProtoId::Icmpv6,
        "http" => ProtoId::Http,
        "ah" => ProtoId::Ah,
        "esp" => ProtoId::Esp,
        "hip" => ProtoId::Hip,
        "mipv6" => ProtoId::Mh,
        "ospf" => ProtoId::Ospf,
        "l2tp" => ProtoId::L2tp,
        "ipx" => ProtoId::Ipx,
        "igmp" => ProtoId::Igmp,
        "gre" => ProtoId::Gre,
        "dns" | "mdns" | "llmnr" => ProtoId::Dns,
        "ppp" => ProtoId::Ppp,
        "pppoes" | "pppoed" => ProtoId::Pppoe,
        "llc" => ProtoId::Llc,
        "radiotap" => ProtoId::Radiotap,
        "ppi" => ProtoId::Ppi,
        "prism" => ProtoId::Prism,
        "ipnet" => ProtoId::Ipnet,
        "avsp" => ProtoId::Avsp,
        "wlan" => ProtoId::Ieee80211,
        "fr" => ProtoId::FrameRelay,
        "chdlc" => ProtoId::Chdlc,
        "ipoib" => ProtoId::Ipoib,
        "mpls" => ProtoId::Mpls,
        "vxlan" => ProtoId::Vxlan,
        "geneve" => ProtoId::Geneve,
        "erspan" => ProtoId::Erspan,
        "teredo" => ProtoId::Teredo,
        "gtp" => ProtoId::Gtp,
        "sctp" => ProtoId::Sctp,
        "pim" => ProtoId::Pim,
        "dhcp" => ProtoId::Dhcp,
        "dhcpv6" => ProtoId::Dhcpv6,
        "ntp" => ProtoId::Ntp,
        "tls" => ProtoId::Tls,
        "quic" => ProtoId::Quic,
        "sip" => ProtoId::Sip,
        "arcnet" => ProtoId::Arcnet,
        _ => return None,
    })
}

/// Our protocol `ours` equals tshark's (mapped) `theirs`: tshark shows RARP as `arp`.
fn same_proto(ours: ProtoId, theirs: ProtoId) -> bool {
    ours == theirs || (ours == ProtoId::Rarp && theirs == ProtoId::Arp)
}

/// tshark's chain mapped to pcapkit's names, without HTTP (compared on its own) and TLS (the
/// `.tsv` was made with TCP desegmentation on, so tshark names `tls` on the segment that
/// completes a record, pcapkit where a record starts; TLS fields are checked per record in
/// `tests/fields_tls.rs`): unknown and pseudo-protocols dropped, and `igmp:igmp` (one IGMP
/// header, README quirk 10) made one.
fn their_chain(protocols: &str, link_type: LinkType) -> Vec<ProtoId> {
    let mut chain: Vec<ProtoId> = Vec::new();
    for proto in protocols
        .split(':')
        .filter_map(|n| tshark_proto(n, link_type))
    {
        if matches!(proto, ProtoId::Http | ProtoId::Tls)
            || (proto == ProtoId::Igmp && chain.last() == Some(&proto))
        {
            continue;
        }
        chain.push(proto);
    }
    chain
}

/// One tshark row (columns as in the README's command).
struct Row {
    number: u64,
    len: String,
    cap_len: String,
    time: String,
    protocols: String,
    /// ip.src, ip.dst, ipv6.src, ipv6.dst, tcp.srcport, tcp.dstport, udp.srcport, udp.dstport.
    lists: [String; 8],
}

impl Row {
    fn parse(line: &str, tsv: &Path) -> Row {
        let cells: Vec<&str> = line.split('\t').collect();
        assert!(
            cells.len() == 13,
            "{}: row with {} columns, 13 expected: {line:?}",
            tsv.display(),
            cells.len()
        );
        Row {
            number: cells[0]
                .parse()
                .unwrap_or_else(|_| panic!("{}: bad frame number {line:?}", tsv.display())),
            len: cells[1].to_owned(),
            cap_len: cells[2].to_owned(),
            time: cells[3].to_owned(),
            protocols: cells[4].to_owned(),
            lists: std::array::from_fn(|i| cells[5 + i].to_owned()),
        }
    }

    /// A pcapng custom block (README quirk 2): protocol `data`, no time. Not a frame for us.
    fn is_custom_block(&self) -> bool {
        self.protocols == "data" && self.time.is_empty()
    }
}

/// The names of the eight list fields, in [`Row::lists`] order, and the protocol each belongs to.
const LIST_FIELDS: [(&str, ProtoId); 8] = [
    ("ip.src", ProtoId::Ipv4),
    ("ip.dst", ProtoId::Ipv4),
    ("ipv6.src", ProtoId::Ipv6),
    ("ipv6.dst", ProtoId::Ipv6),
    ("tcp.srcport", ProtoId::Tcp),
    ("tcp.dstport", ProtoId::Tcp),
    ("udp.srcport", ProtoId::Udp),
    ("udp.dstport", ProtoId::Udp),
];

/// Our values of the eight list fields, every occurrence in layer order.
fn our_lists(frame: &Frame) -> [Vec<String>; 8] {
    let mut lists: [Vec<String>; 8] = Default::default();
    for layer in &frame.layers {
        let (first, a, b) = match layer {
            Layer::Ipv4(ip) => (0, ip.src.to_string(), ip.dst.to_string()),
            Layer::Ipv6(ip) => (2, ip.src.to_string(), ip.dst.to_string()),
            Layer::Tcp(tcp) => (4, tcp.src_port.to_string(), tcp.dst_port.to_string()),
            Layer::Udp(udp) => (6, udp.src_port.to_string(), udp.dst_port.to_string()),
            // A header cut short: the addresses or ports it kept (tshark shows those it can).
            Layer::Partial(cut) => {
                let (first, names) = match cut.proto {
                    ProtoId::Ipv4 => (0, ["src", "dst"]),
                    ProtoId::Ipv6 => (2, ["src", "dst"]),
                    ProtoId::Tcp => (4, ["src_port", "dst_port"]),
                    ProtoId::Udp => (6, ["src_port", "dst_port"]),
                    _ => continue,
                };
                for (i, name) in names.into_iter().enumerate() {
                    if let Some(value) = cut.field(name) {
                        let value = serde_json::to_value(value).expect("serializes");
                        let text = value.as_str().map_or(value.to_string(), str::to_owned);
                        lists[first + i].push(text);
                    }
                }
                continue;
            }
            _ => continue,
        };
        lists[first].push(a);
        lists[first + 1].push(b);
    }
    lists
}

/// tshark's `frame.time_epoch` as nanoseconds, `None` if it is not `secs.nnnnnnnnn` (quirk 4).
fn parse_epoch(cell: &str) -> Option<i128> {
    let (secs, frac) = cell.split_once('.')?;
    if frac.len() != 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (negative, secs) = match secs.strip_prefix('-') {
        Some(abs) => (true, abs),
        None => (false, secs),
    };
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let total = secs.parse::<i128>().ok()? * 1_000_000_000 + frac.parse::<i128>().ok()?;
    Some(if negative { -total } else { total })
}

/// One difference between pcapkit and tshark.
struct Mismatch {
    file: String,
    /// pcapkit's frame number; `None` for a file-level difference.
    frame: Option<u64>,
    /// tshark's frame number, where it differs from ours or we have no such frame.
    tshark_frame: Option<u64>,
    field: &'static str,
    ours: String,
    theirs: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ", self.file)?;
        match (self.frame, self.tshark_frame) {
            (Some(n), Some(t)) if n != t => write!(f, "frame {n} (tshark {t})")?,
            (Some(n), _) => write!(f, "frame {n}")?,
            (None, Some(t)) => write!(f, "tshark frame {t}")?,
            (None, None) => write!(f, "*")?,
        }
        write!(
            f,
            " {}: ours {:?} vs tshark {:?}",
            self.field, self.ours, self.theirs
        )
    }
}

/// One allow-list entry.
struct Allowed {
    file: String,
    frame: Option<u64>,
    field: String,
    reason: String,
    line: usize,
}

fn parse_allowlist(text: &str) -> Vec<Allowed> {
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.splitn(4, '\t').collect();
        assert!(
            cols.len() == 4 && !cols[3].trim().is_empty(),
            "oracle_allowlist.tsv line {line_no}: need file, frame, field, reason (tab-separated): {line:?}"
        );
        let frame = match cols[1] {
            "*" => None,
            n => Some(n.parse().unwrap_or_else(|_| {
                panic!("oracle_allowlist.tsv line {line_no}: frame must be a number or *: {line:?}")
            })),
        };
        entries.push(Allowed {
            file: cols[0].to_owned(),
            frame,
            field: cols[2].to_owned(),
            reason: cols[3].trim().to_owned(),
            line: line_no,
        });
    }
    entries
}

impl Allowed {
    fn covers(&self, m: &Mismatch) -> bool {
        self.file == m.file
            && (self.frame.is_none() || self.frame == m.frame.or(m.tshark_frame))
            && (self.field == "*" || self.field == m.field)
    }
}

/// What one capture file contributed.
#[derive(Default)]
struct FileResult {
    /// Frames compared (the larger of our count and tshark's, custom blocks removed).
    frames: u64,
    /// Per compared frame (by our number, or tshark's where we have none), its mismatches.
    mismatches: BTreeMap<u64, Vec<Mismatch>>,
    /// File-level mismatches (the file as a whole), counting against all its frames.
    file_mismatches: Vec<Mismatch>,
    /// Notes printed for information (quirks met).
    notes: Vec<String>,
    /// Where our chain legitimately stops before tshark's: tshark's next protocol, and how often.
    stops: BTreeMap<String, u64>,
    /// tshark's numbers of the frames counted in `stops`, with tshark's next protocol.
    stopped_rows: HashMap<u64, String>,
    /// Frames where tshark starts an HTTP head and ours has an HTTP layer.
    http_heads: u64,
}

/// What [`compare_frame`] saw besides mismatches.
struct Coverage {
    /// tshark's next protocol where our chain legitimately stopped before its end.
    stopped_before: Option<String>,
    /// Both sides have an HTTP head in this frame.
    http_head: bool,
}

/// Compares one frame with its tshark row, pushing every difference.
fn compare_frame(
    file: &str,
    frame: &Frame,
    row: &Row,
    http_heads: Option<&HashSet<u64>>,
    out: &mut Vec<Mismatch>,
) -> Coverage {
    let mut push = |field: &'static str, ours: String, theirs: String| {
        out.push(Mismatch {
            file: file.to_owned(),
            frame: Some(frame.number),
            tshark_frame: Some(row.number),
            field,
            ours,
            theirs,
        });
    };

    if frame.len.to_string() != row.len {
        push("len", frame.len.to_string(), row.len.clone());
    }
    if frame.cap_len.to_string() != row.cap_len {
        push("cap_len", frame.cap_len.to_string(), row.cap_len.clone());
    }
    // Empty: Simple Packet Block (quirk 3). Malformed: invalid sub-second field (quirk 4).
    if let Some(theirs) = parse_epoch(&row.time) {
        let ours = frame
            .timestamp
            .map(|t| i128::from(t.secs) * 1_000_000_000 + i128::from(t.nanos));
        if ours != Some(theirs) {
            let text = frame
                .timestamp
                .map_or_else(|| "(none)".to_owned(), |t| t.to_epoch_string());
            push("time", text, row.time.clone());
        }
    }

    // Protocol chains.
    let theirs = their_chain(&row.protocols, frame.link_type);
    let chains = compare_chain(frame, &theirs);
    let mut stopped_before = None;
    match chains.verdict {
        Err(ours) => push("protocols", ours, row.protocols.clone()),
        Ok(next) => stopped_before = next,
    }
    let common = chains.common;

    // Addresses and ports, on the covered part of tshark's chain.
    let covered = &theirs[..common];
    let full = common == theirs.len();
    let our_lists = our_lists(frame);
    for (i, (field, proto)) in LIST_FIELDS.iter().enumerate() {
        let cell = &row.lists[i];
        let mut expected: Vec<&str> = if cell.is_empty() {
            Vec::new()
        } else {
            cell.split(',').collect()
        };
        if !full {
            let n = covered.iter().filter(|p| **p == *proto).count();
            expected.truncate(n);
        }
        if our_lists[i] != expected {
            push(field, our_lists[i].join(","), expected.join(","));
        }
    }

    // HTTP per segment, where tshark's chain is fully covered by ours.
    let our_http = frame.protocols().any(|p| p == ProtoId::Http);
    let their_http = http_heads.is_some_and(|h| h.contains(&row.number));
    if our_http != their_http && (full || our_http) {
        let show = |b: bool| if b { "HTTP" } else { "no HTTP" }.to_owned();
        push("http", show(our_http), show(their_http));
    }
    Coverage {
        stopped_before,
        http_head: our_http && their_http,
    }
}

/// Our chain against tshark's (mapped by [`their_chain`]).
struct ChainComparison {
    /// How many protocols the two chains share from the start.
    common: usize,
    /// `Ok` with tshark's next protocol where ours legitimately stops before it (`None`: the
    /// chains agree to the end), `Err` with our chain (and error) where they differ.
    verdict: Result<Option<String>, String>,
}

/// Compares our chain (without Raw, HTTP and TLS) with `theirs`: ours must be a prefix of
/// theirs, and where it stops before theirs ends, tshark's next protocol must not be one the
/// native engine decodes, whether ours stopped without an `error` or with one at that very
/// protocol.
fn compare_chain(frame: &Frame, theirs: &[ProtoId]) -> ChainComparison {
    let ours: Vec<ProtoId> = frame
        .protocols()
        .filter(|p| !matches!(p, ProtoId::Raw | ProtoId::Http | ProtoId::Tls))
        .collect();
    let common = ours
        .iter()
        .zip(theirs)
        .take_while(|(o, t)| same_proto(**o, **t))
        .count();
    let ours_text = || {
        let mut text = frame.protocol_chain();
        if let Some(error) = &frame.error {
            let _ = write!(text, " [error: {error}]");
        }
        text
    };
    let verdict = if common < ours.len() {
        Err(ours_text())
    } else if let Some(&next) = theirs.get(common) {
        // Ours is a strict prefix of theirs: fine only if tshark's next protocol is one the
        // native engine does not decode.
        let stopped_on_next = match &frame.error {
            None => true,
            Some(error) => same_proto(error.layer, next),
        };
        if NATIVE_DECODES.contains(&next) && stopped_on_next {
            Err(ours_text())
        } else {
            Ok(Some(next.to_string()))
        }
    } else {
        Ok(None)
    };
    ChainComparison { common, verdict }
}

/// Reads `<capture>.tshark.httpheads`, if it exists.
fn read_http_heads(capture: &Path) -> Option<HashSet<u64>> {
    let path = PathBuf::from(format!("{}.tshark.httpheads", capture.display()));
    let text = std::fs::read_to_string(&path).ok()?;
    Some(
        text.split_whitespace()
            .map(|n| {
                n.parse()
                    .unwrap_or_else(|_| panic!("{}: bad frame number {n:?}", path.display()))
            })
            .collect(),
    )
}

/// Compares one capture with its oracle.
fn check_file(engine: EngineKind, name: &str, capture: &Path, tsv: &Path) -> FileResult {
    let text = std::fs::read_to_string(tsv).unwrap_or_else(|e| panic!("{}: {e}", tsv.display()));
    let mut lines = text.lines();
    let refused = lines.next().is_none(); // tshark refused the file: no header, no rows
    let all_rows: Vec<Row> = lines
        .filter(|l| !l.is_empty())
        .map(|l| Row::parse(l, tsv))
        .collect();
    let custom = all_rows.iter().filter(|r| r.is_custom_block()).count();
    let rows: Vec<Row> = all_rows
        .into_iter()
        .filter(|r| !r.is_custom_block())
        .collect();
    let http_heads = read_http_heads(capture);
    let mut result = FileResult::default();
    if custom > 0 {
        result.notes.push(format!(
            "{name}: {custom} pcapng custom-block row(s) skipped (quirk 2)"
        ));
    }

    let frames = match Extractor::open(capture) {
        Ok(extractor) => extractor.engine(engine).frames(),
        Err(error) => {
            if refused {
                result.notes.push(format!(
                    "{name}: refused by tshark and by pcapkit ({error})"
                ));
            } else {
                result.frames = rows.len() as u64;
                result.file_mismatches.push(Mismatch {
                    file: name.to_owned(),
                    frame: None,
                    tshark_frame: None,
                    field: "open",
                    ours: error.to_string(),
                    theirs: format!("{} frames", rows.len()),
                });
            }
            return result;
        }
    };
    if refused {
        let count = frames.count();
        result.notes.push(format!(
            "{name}: refused by tshark (quirks 5, 8), pcapkit reads {count} frame(s): not compared"
        ));
        return result;
    }

    let mut rows = rows.iter();
    let mut ours_count = 0u64;
    for frame in frames {
        ours_count += 1;
        let mut found = Vec::new();
        match rows.next() {
            Some(row) => {
                let seen = compare_frame(name, &frame, row, http_heads.as_ref(), &mut found);
                if let Some(next) = seen.stopped_before {
                    *result.stops.entry(next.clone()).or_default() += 1;
                    result.stopped_rows.insert(row.number, next);
                }
                result.http_heads += u64::from(seen.http_head);
            }
            None => found.push(Mismatch {
                file: name.to_owned(),
                frame: Some(frame.number),
                tshark_frame: None,
                field: "frames",
                ours: format!("frame {} ({})", frame.number, frame.protocol_chain()),
                theirs: "no such frame".to_owned(),
            }),
        }
        result.frames += 1;
        if !found.is_empty() {
            result.mismatches.insert(frame.number, found);
        }
    }
    for row in rows {
        result.frames += 1;
        result.mismatches.insert(
            row.number,
            vec![Mismatch {
                file: name.to_owned(),
                frame: None,
                tshark_frame: Some(row.number),
                field: "frames",
                ours: format!("no such frame (pcapkit read {ours_count})"),
                theirs: format!("frame {} ({})", row.number, row.protocols),
            }],
        );
    }
    result
}

/// Runs [`check_file`], turning a panic (in a decoder or the reader) into a file-level mismatch.
fn check_file_catching(engine: EngineKind, name: &str, capture: &Path, tsv: &Path) -> FileResult {
    std::panic::catch_unwind(|| check_file(engine, name, capture, tsv)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "panic".to_owned());
        let rows = std::fs::read_to_string(tsv)
            .map(|t| t.lines().skip(1).filter(|l| !l.is_empty()).count())
            .unwrap_or(0);
        FileResult {
            frames: rows as u64,
            file_mismatches: vec![Mismatch {
                file: name.to_owned(),
                frame: None,
                tshark_frame: None,
                field: "panic",
                ours: message,
                theirs: format!("{rows} rows"),
            }],
            ..FileResult::default()
        }
    })
}

#[test]
fn native_engine_agrees_with_tshark() {
    engine_agrees_with_tshark(EngineKind::Native);
}

#[cfg(feature = "etherparse")]
#[test]
fn etherparse_engine_agrees_with_tshark() {
    engine_agrees_with_tshark(EngineKind::Etherparse);
}

#[cfg(feature = "pnet")]
#[test]
fn pnet_engine_agrees_with_tshark() {
    engine_agrees_with_tshark(EngineKind::Pnet);
}

#[cfg(feature = "pdu")]
#[test]
fn pdu_engine_agrees_with_tshark() {
    engine_agrees_with_tshark(EngineKind::Pdu);
}

/// Runs every capture through `engine` and compares each frame with tshark's row.
fn engine_agrees_with_tshark(engine: EngineKind) {
    println!("engine: {engine}");
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let allowlist = parse_allowlist(ALLOWLIST);
    let mut used = vec![false; allowlist.len()];

    let mut oracles: Vec<(String, PathBuf, PathBuf)> = std::fs::read_dir(dir)
        .expect("read capture folder")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let file_name = path.file_name()?.to_str()?;
            let name = file_name.strip_suffix(".tshark.tsv")?.to_owned();
            let capture = dir.join(&name);
            capture.is_file().then_some((name, capture, path))
        })
        .collect();
    oracles.sort();
    assert!(!oracles.is_empty(), "no *.tshark.tsv in {}", dir.display());

    let (mut total, mut agreeing) = (0u64, 0u64);
    let mut failures: Vec<String> = Vec::new();
    let mut allowed_lines: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut per_file: Vec<String> = Vec::new();
    let mut stops: BTreeMap<String, u64> = BTreeMap::new();
    let mut http_heads = 0u64;
    // Returns whether the allow-list covers `m`, recording which entry did.
    let mut allow = |m: &Mismatch, allowed_lines: &mut Vec<String>| -> bool {
        match allowlist.iter().position(|a| a.covers(m)) {
            Some(i) => {
                used[i] = true;
                allowed_lines.push(format!("{m}  [allowed: {}]", allowlist[i].reason));
                true
            }
            None => false,
        }
    };

    for (name, capture, tsv) in &oracles {
        let result = check_file_catching(engine, name, capture, tsv);
        notes.extend(result.notes);
        for (next, n) in result.stops {
            *stops.entry(next).or_default() += n;
        }
        http_heads += result.http_heads;
        let mut file_ok = true;
        for m in &result.file_mismatches {
            if !allow(m, &mut allowed_lines) {
                failures.push(m.to_string());
                file_ok = false;
            }
        }
        let mut disagreeing = 0u64;
        for found in result.mismatches.values() {
            let mut frame_ok = true;
            for m in found {
                if !allow(m, &mut allowed_lines) {
                    failures.push(m.to_string());
                    frame_ok = false;
                }
            }
            disagreeing += u64::from(!frame_ok);
        }
        if !file_ok {
            disagreeing = result.frames;
        }
        total += result.frames;
        agreeing += result.frames - disagreeing;
        if disagreeing > 0 {
            per_file.push(format!(
                "{name}: {disagreeing} of {} frames disagree",
                result.frames
            ));
        }
    }

    for note in &notes {
        println!("note: {note}");
    }
    for line in &allowed_lines {
        println!("allowed: {line}");
    }
    for (entry, used) in allowlist.iter().zip(&used) {
        if !used {
            println!(
                "stale allow-list entry (line {}: {} {} {}): matches nothing, remove it",
                entry.line,
                entry.file,
                entry
                    .frame
                    .map_or_else(|| "*".to_owned(), |n| n.to_string()),
                entry.field
            );
        }
    }
    let stops: Vec<String> = stops.iter().map(|(p, n)| format!("{p} {n}")).collect();
    println!(
        "coverage: HTTP heads found in {http_heads} frames; our chain stops before tshark's (not decoded yet): {}",
        if stops.is_empty() {
            "never".to_owned()
        } else {
            stops.join(", ")
        }
    );
    for line in &per_file {
        println!("disagree: {line}");
    }
    for line in &failures {
        println!("MISMATCH {line}");
    }
    let percent = if total == 0 {
        100.0
    } else {
        agreeing as f64 * 100.0 / total as f64
    };
    println!(
        "oracle summary: {} files, {total} frames, {agreeing} agreeing frames, {percent:.2}% agreement, {} mismatches outside the allow-list",
        oracles.len(),
        failures.len()
    );

    assert!(
        agreeing * 1000 >= total * MIN_AGREEMENT_PERMILLE,
        "agreement with tshark {percent:.2}% is below {}.{}%",
        MIN_AGREEMENT_PERMILLE / 10,
        MIN_AGREEMENT_PERMILLE % 10
    );
    assert!(
        failures.is_empty(),
        "{} differences from tshark are not in tests/oracle_allowlist.tsv (listed above)",
        failures.len()
    );
}

#[test]
fn epoch_cells_parse_at_ns() {
    assert_eq!(parse_epoch("1.000000005"), Some(1_000_000_005));
    assert_eq!(
        parse_epoch("2147483648.000000000"),
        Some(2_147_483_648_000_000_000)
    );
    assert_eq!(parse_epoch("-1.500000000"), Some(-1_500_000_000));
    // Quirk 4: tshark prints an invalid sub-second field with ten digits.
    assert_eq!(parse_epoch("1418145370.1000000000"), None);
    assert_eq!(parse_epoch(""), None);
}

#[test]
fn tshark_chains_map_to_ours() {
    let eth = LinkType::ETHERNET;
    assert_eq!(
        their_chain("eth:ethertype:ip:igmp:igmp", eth),
        [ProtoId::Ethernet, ProtoId::Ipv4, ProtoId::Igmp]
    );
    assert_eq!(
        their_chain(
            "sll:ethertype:ipv6:tcp:http:data-text-lines",
            LinkType::LINUX_SLL
        ),
        [ProtoId::Sll, ProtoId::Ipv6, ProtoId::Tcp]
    );
    assert_eq!(
        their_chain("sll:ethertype:ip:tcp:tls", LinkType::LINUX_SLL2),
        [ProtoId::Sll2, ProtoId::Ipv4, ProtoId::Tcp]
    );
    assert_eq!(
        their_chain("raw:ipv6:ipv6.fraghdr:udp:mdns", LinkType::RAW),
        [ProtoId::Ipv6, ProtoId::Ipv6Frag, ProtoId::Udp, ProtoId::Dns]
    );
    assert!(same_proto(ProtoId::Rarp, ProtoId::Arp));
    assert!(!same_proto(ProtoId::Arp, ProtoId::Rarp));
}

/// Frames of the shared captures cut by the snap length (the record's captured length set to
/// `cut`, its original length kept), one for each difference the cut sweep found and fixed
/// (session 11, `docs/DESIGN-NOTES.md`, "Cut sweep"): file, pcapkit's frame number, captured
/// bytes, and tshark 4.0.17's `frame.protocols` for that cut (`-o ip.defragment:FALSE -o
/// ipv6.defragment:FALSE -o tcp.desegment_tcp_streams:FALSE -o
/// tcp.analyze_sequence_numbers:FALSE`). The comment is pcapkit's chain before the fix.
const CUT_CASES: &[(&str, u64, usize, &str)] = &[
    ("arkime__80211http.pcap", 1, 0, "radiotap"), // was (no layer)
    ("arkime__80211http.pcap", 1, 36, "radiotap:wlan_radio:wlan"), // was Radiotap
    (
        "arkime__80211http.pcap",
        1,
        60,
        "radiotap:wlan_radio:wlan:llc",
    ), // was Radiotap:IEEE802.11
    (
        "arkime__gre-erspan-vxlan.pcap",
        1,
        34,
        "eth:ethertype:ip:gre",
    ), // was Ethernet:IPv4
    (
        "arkime__gre-erspan-vxlan.pcap",
        1,
        42,
        "eth:ethertype:ip:gre:erspan",
    ), // was Ethernet:IPv4:GRE
    ("arkime__icmp-frame-relay.pcap", 1, 0, "fr"), // was (no layer)
    ("arkime__icmp-frame-relay.pcap", 1, 24, "fr:ip:icmp"), // was FrameRelay:IPv4
    ("arkime__icmp-frame-relay.pcap", 1, 4, "fr"), // was FrameRelay:IPv4
    ("arkime__sctp-www.pcap", 1, 34, "eth:ethertype:ip:sctp"), // was Ethernet:IPv4
    ("arkime__v6-http.pcap", 1, 54, "eth:ethertype:ipv6:icmpv6"), // was Ethernet:IPv6
    (
        "arkime__v6-http.pcap",
        4,
        62,
        "eth:ethertype:ipv6:ipv6.hopopts:icmpv6",
    ), // was Ethernet:IPv6:HOPOPT
    ("cutehip__hip.pcap", 3, 34, "eth:ethertype:ip:hip"), // was Ethernet:IPv4
    ("cutehip__hip.pcap", 43, 34, "eth:ethertype:ip:esp"), // was Ethernet:IPv4
    (
        "dpkt__nb6-http.pcap",
        19,
        102,
        "eth:ethertype:pppoes:ppp:ip:udp:l2tp:ppp:ipv6:icmpv6",
    ), // was Ethernet:PPPoE:PPP:IPv4:UDP:L2TP:PPP:IPv6
    (
        "dpkt__nb6-http.pcap",
        20,
        58,
        "eth:ethertype:pppoes:ppp:ip:udp:l2tp:ppp",
    ), // was Ethernet:PPPoE:PPP:IPv4:UDP:L2TP
    (
        "dpkt__nb6-http.pcap",
        22,
        52,
        "eth:ethertype:pppoes:ppp:ip:udp:l2tp",
    ), // was Ethernet:PPPoE:PPP:IPv4:UDP
    ("dpkt__nb6-http.pcap", 34, 14, "eth:ethertype:pppoes"), // was Ethernet
    (
        "dpkt__nb6-http.pcap",
        34,
        42,
        "eth:ethertype:pppoes:ppp:ip:icmp",
    ), // was Ethernet:PPPoE:PPP:IPv4
    (
        "dpkt__nb6-http.pcap",
        34,
        50,
        "eth:ethertype:pppoes:ppp:ip:icmp:ip",
    ), // was Ethernet:PPPoE:PPP:IPv4:ICMP
    (
        "gopacket__le_test902.pcapng",
        1,
        283,
        "eth:ethertype:ip:udp:dhcp",
    ), // was Ethernet:IPv4:UDP
    (
        "ipfixprobe__quic_initial-sample.pcap",
        1,
        77,
        "eth:ethertype:ipv6:udp:quic",
    ), // was Ethernet:IPv6:UDP
    ("libpcap__Network_Join_Nokia_Mobile.pcap", 1, 0, "wlan"), // was (no layer)
    ("ndpi__someip_sd_sample.pcap", 1, 0, "ppi"), // was (no layer)
    (
        "ndpi__teredo.pcap",
        1,
        95,
        "eth:ethertype:ip:udp:teredo:ipv6:icmpv6",
    ), // was Ethernet:IPv4:UDP:Teredo:IPv6
    (
        "pcap-parser__modified-format.pcap",
        1,
        34,
        "eth:ethertype:ip:icmp",
    ), // was Ethernet:IPv4
    ("pcapng-testgen__le_test100.pcapng", 5, 0, "null"), // was (no layer)
    ("pcpp__IcmpPackets.pcapng", 1, 34, "eth:ethertype:ip:icmp"), // was Ethernet:IPv4
    (
        "pcpp__IcmpPackets.pcapng",
        11,
        42,
        "eth:ethertype:ip:icmp:ip",
    ), // was Ethernet:IPv4:ICMP
    (
        "pcpp__IcmpPackets.pcapng",
        2,
        62,
        "eth:ethertype:ip:icmp:ip:icmp",
    ), // was Ethernet:IPv4:ICMP:IPv4
    (
        "pcpp__MplsPackets.pcap",
        1,
        22,
        "eth:ethertype:vlan:ethertype:vlan:ethertype:mpls",
    ), // was Ethernet:VLAN:VLAN
    ("pcpp__MplsPackets.pcap", 2, 14, "eth:ethertype:mpls"), // was Ethernet
    (
        "pcpp__MplsPackets.pcap",
        2,
        64,
        "eth:ethertype:mpls:pwethheuristic:pwethcw:eth:ethertype:vlan:ethertype:ip:icmp",
    ), // was Ethernet:MPLS:Ethernet:VLAN:IPv4
    (
        "pcpp__VlanPackets.pcap",
        1,
        42,
        "eth:ethertype:vlan:ethertype:vlan:ethertype:ip:icmp",
    ), // was Ethernet:VLAN:VLAN:IPv4
    ("pcpp__VlanPackets.pcap", 21, 18, "eth:ethertype:vlan:llc"), // was Ethernet:VLAN
    ("pcpp__VlanPackets.pcap", 23, 14, "eth:llc"), // was Ethernet
    ("pcpp__ipsec.pcapng", 1, 34, "eth:ethertype:ip:ah"), // was Ethernet:IPv4
    ("pcpp__ipsec.pcapng", 1, 58, "eth:ethertype:ip:ah:esp"), // was Ethernet:IPv4:AH
    ("pcpp__ipsec.pcapng", 2, 54, "eth:ethertype:ipv6:esp"), // was Ethernet:IPv6
    ("pcpp__ipsec.pcapng", 3, 78, "eth:ethertype:ip:ah:ip:icmp"), // was Ethernet:IPv4:AH:IPv4
    ("pcpp__ipv4-options.pcap", 3, 38, "eth:ethertype:ip:igmp"), // was Ethernet:IPv4
    (
        "pcpp__ipv6_options.pcapng",
        1,
        118,
        "eth:ethertype:ipv6:ipv6.hopopts:ipv6.dstopts:ipv6.routing:ah:ospf",
    ), // was Ethernet:IPv6:HOPOPT:IPv6-Opts:IPv6-Route:AH
    (
        "pcpp__ipv6_options.pcapng",
        1,
        94,
        "eth:ethertype:ipv6:ipv6.hopopts:ipv6.dstopts:ipv6.routing:ah",
    ), // was Ethernet:IPv6:HOPOPT:IPv6-Opts:IPv6-Route
    (
        "pcpp__ipv6_options.pcapng",
        2,
        94,
        "eth:ethertype:ipv6:ipv6.routing:icmpv6",
    ), // was Ethernet:IPv6:IPv6-Route
    ("pcpp__ipv6_options.pcapng", 4, 54, "eth:ethertype:ipv6:ah"), // was Ethernet:IPv6
    (
        "pcpp__ipv6_options.pcapng",
        4,
        78,
        "eth:ethertype:ipv6:ah:ospf",
    ), // was Ethernet:IPv6:AH
    ("pcpp__null_loopback.pcap", 2, 0, "null"),   // was (no layer)
    ("pcpp__raw_ip.pcap", 67, 269, "raw:ip:udp:dhcp"), // was IPv4:UDP
    ("suricata__frag-1.pcap", 1, 54, "eth:ethertype:ipv6:icmpv6"), // was Ethernet:IPv6
    (
        "suricata__frag-1.pcap",
        5,
        62,
        "eth:ethertype:ipv6:ipv6.fraghdr:icmpv6",
    ), // was Ethernet:IPv6:IPv6-Frag
    (
        "suricata__frag-22.pcap",
        12,
        54,
        "eth:ethertype:ipv6:icmpv6",
    ), // was Ethernet:IPv6
    ("suricata__frag-ppp-ipv6-tcp.pcap", 2, 0, "ppp"), // was (no layer)
    (
        "tcpdump__OSPFv2_Capture_FINAL.pcapng",
        1,
        34,
        "eth:ethertype:ip:ospf",
    ), // was Ethernet:IPv4
    ("tcpdump__PIMv2_hellos.pcap", 1, 34, "eth:ethertype:ip:pim"), // was Ethernet:IPv4
    ("tcpdump__afs.pcap", 571, 34, "eth:ethertype:ip:icmp"), // was Ethernet:IPv4
    ("tcpdump__afs.pcap", 571, 42, "eth:ethertype:ip:icmp:ip"), // was Ethernet:IPv4:ICMP
    ("tcpdump__bigtcp-ipv4.pcap", 1, 54, "eth:ethertype:ip:tcp"), // was Ethernet:IPv4
    ("tcpdump__ieee802.11_exthdr.pcap", 1, 0, "radiotap"), // was (no layer)
    (
        "tcpdump__ieee802.11_exthdr.pcap",
        1,
        89,
        "radiotap:wlan_radio:wlan",
    ), // was Radiotap
    ("tcpdump__ipx.pcap", 1, 14, "eth:llc"),      // was Ethernet
    ("tcpdump__ipx.pcap", 1, 17, "eth:llc:ipx"),  // was Ethernet:LLC
    ("tcpdump__nflog.pcap", 1, 0, "nflog"),       // was (no layer)
    ("tcpdump__ospf-gmpls.pcap", 1, 0, "null"),   // was (no layer)
    ("tcpdump__ospf-gmpls.pcap", 1, 24, "null:ip:ospf"), // was Null:IPv4
    ("tcpdump__pptp.pcap", 16, 34, "eth:ethertype:ip:gre"), // was Ethernet:IPv4
    ("tcpdump__pptp.pcap", 16, 46, "eth:ethertype:ip:gre:ppp"), // was Ethernet:IPv4:GRE
    (
        "zeek__erspan.pcap",
        1,
        76,
        "eth:ethertype:ip:gre:eth:ethertype:ip:icmp",
    ), // was Ethernet:IPv4:GRE:Ethernet:IPv4
    ("zeek__erspan.pcap", 5, 34, "eth:ethertype:ip:gre"), // was Ethernet:IPv4
    (
        "zeek__erspan.pcap",
        9,
        109,
        "eth:ethertype:ip:gre:eth:ethertype:ipv6:udp:dhcpv6",
    ), // was Ethernet:IPv4:GRE:Ethernet:IPv6:UDP
    (
        "zeek__geneve.pcap",
        1,
        92,
        "eth:ethertype:ip:udp:geneve:eth:ethertype:ip:icmp",
    ), // was Ethernet:IPv4:UDP:GENEVE:Ethernet:IPv4
    (
        "zeek__gtp1_gn_normal_incl_fragmentation.pcap",
        1,
        46,
        "eth:ethertype:ip:udp:gtp",
    ), // was Ethernet:IPv4:UDP
    (
        "zeek__ipv6-reassembly-state-leak.pcap",
        1,
        78,
        "eth:ethertype:ipv6:ipv6.hopopts:ipv6.fraghdr:udp",
    ), // was Ethernet:IPv6:HOPOPT:IPv6-Frag
    (
        "zeek__ipv6-reassembly-state-leak.pcap",
        1,
        84,
        "eth:ethertype:ipv6:ipv6.hopopts:ipv6.fraghdr:udp:dns",
    ), // was Ethernet:IPv6:HOPOPT:IPv6-Frag
    ("zeek__linux_dlt_sll2.pcap", 1, 40, "sll:ethertype:ip:icmp"), // was SLL2:IPv4
    (
        "zeek__linux_dlt_sll2.pcap",
        3,
        60,
        "sll:ethertype:ipv6:icmpv6",
    ), // was SLL2:IPv6
];

/// Every engine's chain of each [`CUT_CASES`] frame agrees with tshark's, by the rule of the
/// oracle test ([`compare_chain`]).
#[test]
fn frames_cut_by_the_snap_length_agree_with_tshark() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let opts = pcapkit::engine::DissectOptions::default();
    let mut failures = Vec::new();
    for &(file, number, cut, protocols) in CUT_CASES {
        let mut reader = CaptureReader::open(&dir.join(file)).expect(file);
        let (link_type, data, len) = loop {
            let raw = reader.next_frame().expect("the frame is in the capture");
            if raw.number == number {
                break (raw.link_type, raw.data.to_vec(), raw.len);
            }
        };
        let raw = RawFrame {
            number,
            timestamp: None,
            len,
            link_type,
            interface: None,
            data: &data[..cut],
        };
        let theirs = their_chain(protocols, link_type);
        for kind in EngineKind::ALL.iter().filter(|k| !k.is_parallel()) {
            let frame = kind.dissector().dissect(&raw, &opts);
            if let Err(ours) = compare_chain(&frame, &theirs).verdict {
                failures.push(format!(
                    "{kind} {file} frame {number} cut at {cut}: ours {ours} vs tshark {protocols}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// pseudo-protocols in tshark's `frame.protocols` that are no header of their own (the
/// "over all" count of [`unseen_captures_sweep`] ignores them; [`tshark_proto`] drops them too).
const TSHARK_PSEUDO: &[&str] = &[
    "ethertype",
    "data",
    "raw",
    "wlan_radio",
    "pwethheuristic",
    "pwethcw",
    "tcp.segments",
    "data-text-lines",
    "media",
    "_ws.malformed",
    "_ws.short",
    "_ws.expert",
];

/// The protocols issue 12 lists, by tshark's names (its link types, tunnels, application and
/// transport protocols, partial layers and limits, with the layers they sit on): the sweep's
/// third count, "over the issue's list", is that of frames agreeing over decoded protocols
/// whose tshark chain holds no protocol of this list that ours does not reach.
const ISSUE_12_PROTOCOLS: &[&str] = &[
    "eth",
    "sll",
    "llc",
    "arp",
    "ip",
    "ipv6",
    "ipv6.hopopts",
    "ipv6.routing",
    "ipv6.fraghdr",
    "ipv6.dstopts",
    "mipv6",
    "tcp",
    "udp",
    "radiotap",
    "ppi",
    "wlan",
    "fr",
    "chdlc",
    "arcnet",
    "ipoib",
    "mpls",
    "vxlan",
    "geneve",
    "gre",
    "erspan",
    "teredo",
    "pim",
    "dhcp",
    "dhcpv6",
    "ntp",
    "sctp",
    "tls",
    "quic",
    "llmnr",
    "mdns",
    "dns",
    "sip",
    "http",
];

/// Writes `<capture>.tshark.tsv` and `<capture>.tshark.httpheads` with the commands of the
/// shared captures' README (tshark 4.0, `TZ=UTC`; the heads restricted as said below), unless
/// they exist. A file tshark refuses gets an empty tsv, as in the shared folder.
fn write_tshark_oracle(capture: &Path) -> (PathBuf, PathBuf) {
    let tsv = PathBuf::from(format!("{}.tshark.tsv", capture.display()));
    let heads = PathBuf::from(format!("{}.tshark.httpheads", capture.display()));
    let run = |args: &[&str]| -> Vec<u8> {
        let out = std::process::Command::new("tshark")
            .env("TZ", "UTC")
            .arg("-n")
            .arg("-r")
            .arg(capture)
            .args(args)
            .output()
            .expect("run tshark");
        out.stdout
    };
    if !tsv.exists() {
        let mut args = vec![
            "-o",
            "ip.defragment:FALSE",
            "-o",
            "ipv6.defragment:FALSE",
            "-T",
            "fields",
            "-E",
            "header=y",
            "-E",
            "separator=/t",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
        ];
        for field in [
            "frame.number",
            "frame.len",
            "frame.cap_len",
            "frame.time_epoch",
            "frame.protocols",
        ]
        .into_iter()
        .chain(LIST_FIELDS.iter().map(|(name, _)| *name))
        {
            args.extend(["-e", field]);
        }
        std::fs::write(&tsv, run(&args)).expect("write tsv");
    }
    if !heads.exists() {
        // The README's command, restricted to plaintext HTTP over TCP, each segment on its own:
        // tshark's HTTP dissector also reads SSDP (HTTP over UDP, `ssdp` in its chain) and the
        // HTTP inside TLS it decrypts with the keys of a pcapng Decryption Secrets Block, and
        // with sequence analysis on skips the heads of out-of-order segments.
        let out = run(&[
            "-o",
            "tcp.desegment_tcp_streams:FALSE",
            "-o",
            "tcp.analyze_sequence_numbers:FALSE",
            "-Y",
            "(http.request or http.response) and tcp and not tls",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ]);
        std::fs::write(&heads, out).expect("write httpheads");
    }
    (tsv, heads)
}

/// The sweep over captures this project has never seen (issue 12): every capture in the folder
/// named by `PCAPKIT_UNSEEN` gets tshark's oracle (made once, next to it, by
/// [`write_tshark_oracle`]) and is compared frame by frame by the oracle test's rules
/// ([`check_file`], native engine, no allow-list). Prints each file's agreement "over the
/// protocols pcapkit decodes" (the oracle rule), "over the issue's list" (also every protocol of
/// [`ISSUE_12_PROTOCOLS`] in tshark's chain reached by us) and "over all" (also every protocol of
/// tshark's chain, pseudo-protocols aside, decoded by us), the differing groups with counts, and the
/// protocols tshark names that we do not decode. Run it with `scripts/unseen_sweep.sh DIR`.
#[test]
#[ignore = "needs PCAPKIT_UNSEEN=<folder of captures> and tshark"]
fn unseen_captures_sweep() {
    let Ok(dir) = std::env::var("PCAPKIT_UNSEEN") else {
        println!("PCAPKIT_UNSEEN is not set: nothing to sweep");
        return;
    };
    let mut captures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read PCAPKIT_UNSEEN")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_file() && !p.to_string_lossy().contains(".tshark."))
        .collect();
    captures.sort();
    let (mut total, mut agree, mut agree_listed, mut agree_all) = (0u64, 0u64, 0u64, 0u64);
    let mut groups: BTreeMap<String, u64> = BTreeMap::new();
    let mut missing: BTreeMap<String, u64> = BTreeMap::new();
    for capture in &captures {
        let name = capture.file_name().expect("name").to_string_lossy();
        let (tsv, _) = write_tshark_oracle(capture);
        let result = check_file_catching(EngineKind::Native, &name, capture, &tsv);
        let rows: BTreeMap<u64, Row> = std::fs::read_to_string(&tsv)
            .expect("read tsv")
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| Row::parse(l, &tsv))
            .map(|r| (r.number, r))
            .collect();
        let link = Extractor::open(capture)
            .ok()
            .and_then(|e| e.engine(EngineKind::Native).frames().next())
            .map(|f| f.link_type);
        // Frames whose whole tshark chain we decode: no unknown name, no legitimate stop; and
        // those whose chain holds no protocol of the issue's list that we do not reach.
        let listed: Vec<String> = link
            .map(|l| {
                ISSUE_12_PROTOCOLS
                    .iter()
                    .filter_map(|n| tshark_proto(n, l))
                    .map(|p| p.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let (mut uncovered, mut uncovered_listed) = (0u64, 0u64);
        for row in rows.values().filter(|r| !r.is_custom_block()) {
            let unknown: Vec<&str> = row
                .protocols
                .split(':')
                .filter(|n| !n.is_empty() && !TSHARK_PSEUDO.contains(n))
                .filter(|n| {
                    !matches!(*n, "http" | "tls")
                        && link.is_none_or(|l| tshark_proto(n, l).is_none())
                })
                .collect();
            if let Some(first) = unknown.first() {
                *missing.entry((*first).to_owned()).or_default() += 1;
            }
            if result.mismatches.contains_key(&row.number) {
                continue;
            }
            let stop = result.stopped_rows.get(&row.number);
            uncovered += u64::from(!unknown.is_empty() || stop.is_some());
            uncovered_listed += u64::from(
                unknown.iter().any(|n| ISSUE_12_PROTOCOLS.contains(n))
                    || stop.is_some_and(|next| listed.contains(next)),
            );
        }
        for (next, n) in &result.stops {
            *missing.entry(format!("(stop before) {next}")).or_default() += n;
        }
        let mut bad = 0u64;
        for found in result.mismatches.values() {
            bad += 1;
            for m in found {
                println!("MISMATCH {m}");
                let key = if m.field == "protocols" {
                    format!("protocols: tshark {} | ours {}", m.theirs, m.ours)
                } else {
                    format!("{}: {name}", m.field)
                };
                *groups.entry(key).or_default() += 1;
            }
        }
        for m in &result.file_mismatches {
            *groups
                .entry(format!("{}: {name}: {} vs {}", m.field, m.ours, m.theirs))
                .or_default() += result.frames;
            println!("MISMATCH {m}");
            bad = result.frames;
        }
        let good = result.frames - bad;
        let good_all = good.saturating_sub(uncovered);
        let good_listed = good.saturating_sub(uncovered_listed);
        total += result.frames;
        agree += good;
        agree_all += good_all;
        agree_listed += good_listed;
        println!(
            "file {name}: {} frames, {good} agree over decoded protocols, {good_listed} over the issue's list, {good_all} over all{}",
            result.frames,
            result
                .notes
                .iter()
                .map(|n| format!(" [{n}]"))
                .collect::<String>()
        );
    }
    let mut groups: Vec<(String, u64)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (key, n) in &groups {
        println!("group {n:>6}  {key}");
    }
    let mut missing: Vec<(String, u64)> = missing.into_iter().collect();
    missing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (proto, n) in &missing {
        println!("not decoded {n:>6}  {proto}");
    }
    let pct = |n: u64| n as f64 * 100.0 / total.max(1) as f64;
    println!(
        "unseen summary: {} files, {total} frames, {agree} ({:.2} %) agree over decoded protocols, {agree_listed} ({:.2} %) over the issue's list, {agree_all} ({:.2} %) over all",
        captures.len(),
        pct(agree),
        pct(agree_listed),
        pct(agree_all)
    );
}
