//! Reassembly against Wireshark: every `<file>.tshark.reassembly.tsv` in `../shared/captures`.
//!
//! - IPv4 and IPv6: the datagrams tshark completed are the distinct `ip.reassembled_in` /
//!   `ipv6.reassembled.in` values; each one's frames are the rows naming it plus itself. Ours
//!   are the complete `ipv4`/`ipv6` records: the same completing frames with the same frame
//!   lists.
//! - HTTP over TCP: tshark's request methods and URIs, response codes and Content-Length
//!   values (on rows with a `tcp.stream`), as multisets per file, against those of our
//!   reassembled `tcp` messages.
//!
//! Known differences are listed, with their reason, in `tests/reassembly_allowlist.tsv`
//! (`file<TAB>check<TAB>reason`); an entry that no longer matches anything fails the test too.

mod common;

use pcapkit::model::Layer;
use pcapkit::reassembly::{Key, Kind, ReassemblyOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ALLOWLIST: &str = include_str!("reassembly_allowlist.tsv");

/// Datagrams by completing frame: the frames of each.
type Datagrams = BTreeMap<u64, BTreeSet<u64>>;

/// What one side found in a file.
#[derive(Debug, Default, PartialEq)]
struct Found {
    ipv4: Datagrams,
    ipv6: Datagrams,
    requests: BTreeMap<(String, String), u32>,
    responses: BTreeMap<u16, u32>,
    content_lengths: BTreeMap<u64, u32>,
}

fn cells(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(',').filter(|c| !c.is_empty())
}

fn theirs(tsv: &str) -> Found {
    let mut found = Found::default();
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (num, v4, v6, stream) = (
        col("frame.number"),
        col("ip.reassembled_in"),
        col("ipv6.reassembled.in"),
        col("tcp.stream"),
    );
    let (method, uri, code, length) = (
        col("http.request.method"),
        col("http.request.uri"),
        col("http.response.code"),
        col("http.content_length"),
    );
    for line in lines {
        let row: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| row.get(i).copied().unwrap_or_default();
        let Ok(number) = get(num).parse::<u64>() else {
            continue;
        };
        for (column, table) in [(v4, &mut found.ipv4), (v6, &mut found.ipv6)] {
            for done in cells(get(column)).filter_map(|c| c.parse::<u64>().ok()) {
                let frames = table.entry(done).or_default();
                frames.insert(number);
                frames.insert(done);
            }
        }
        if get(stream).is_empty() {
            continue;
        }
        // The aggregator is a comma, which URIs may contain: with one method, the whole cell
        // is its URI.
        let methods: Vec<&str> = cells(get(method)).collect();
        let uris: Vec<&str> = match methods.len() {
            1 => vec![get(uri)],
            _ => cells(get(uri)).collect(),
        };
        for (m, u) in methods.into_iter().zip(uris) {
            *found.requests.entry((m.into(), u.into())).or_default() += 1;
        }
        for c in cells(get(code)).filter_map(|c| c.parse().ok()) {
            *found.responses.entry(c).or_default() += 1;
        }
        for l in cells(get(length)).filter_map(|c| c.parse().ok()) {
            *found.content_lengths.entry(l).or_default() += 1;
        }
    }
    found
}

fn ours(capture: &Path) -> Found {
    let done = pcapkit::reassemble(capture, &ReassemblyOptions::default()).expect("reassemble");
    let mut found = Found::default();
    for r in &done.records {
        match r.kind {
            Kind::Ipv4 | Kind::Ipv6 if r.complete => {
                let table = if r.kind == Kind::Ipv4 {
                    &mut found.ipv4
                } else {
                    &mut found.ipv6
                };
                table
                    .entry(r.frame.number)
                    .or_default()
                    .extend(r.frames.iter().copied());
            }
            // tshark reports an HTTP message once its body is complete (body desegmentation).
            Kind::Tcp if r.complete => {
                let Some(Layer::Http(http)) = r.first_layer() else {
                    continue;
                };
                if let (Some(m), Some(t)) = (&http.method, &http.target) {
                    *found.requests.entry((m.clone(), t.clone())).or_default() += 1;
                }
                if let Some(status) = http.status {
                    *found.responses.entry(status).or_default() += 1;
                }
                let length = http
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok());
                if let Some(l) = length {
                    *found.content_lengths.entry(l).or_default() += 1;
                }
            }
            _ => {}
        }
        assert!(matches!(
            (r.kind, r.key),
            (Kind::Tcp, Key::Tcp { .. }) | (Kind::Ipv4 | Kind::Ipv6, Key::Ip { .. })
        ));
    }
    found
}

/// Differences of one check, as text (empty when equal).
fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    ours: &BTreeMap<K, V>,
    theirs: &BTreeMap<K, V>,
) -> Vec<String> {
    let keys: BTreeSet<&K> = ours.keys().chain(theirs.keys()).collect();
    keys.into_iter()
        .filter(|k| ours.get(k) != theirs.get(k))
        .map(|k| format!("{k:?}: ours {:?}, tshark {:?}", ours.get(k), theirs.get(k)))
        .collect()
}

#[test]
fn reassembly_agrees_with_tshark() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let allow: Vec<(String, String, String)> = ALLOWLIST
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut p = l.splitn(3, '\t');
            Some((p.next()?.into(), p.next()?.into(), p.next()?.into()))
        })
        .collect();
    let mut used = vec![false; allow.len()];
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read captures")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(".tshark.reassembly.tsv")?;
            Some((name.to_owned(), path.clone()))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    let mut totals = [0usize; 10];
    for (name, tsv) in &files {
        let capture = dir.join(name);
        let t = theirs(&std::fs::read_to_string(tsv).expect("read tsv"));
        let o = ours(&capture);
        let checks: [(&str, Vec<String>); 5] = [
            ("ipv4", diff(&o.ipv4, &t.ipv4)),
            ("ipv6", diff(&o.ipv6, &t.ipv6)),
            ("http.request", diff(&o.requests, &t.requests)),
            ("http.response", diff(&o.responses, &t.responses)),
            (
                "http.content_length",
                diff(&o.content_lengths, &t.content_lengths),
            ),
        ];
        let sums = [
            (t.ipv4.len(), o.ipv4.len()),
            (t.ipv6.len(), o.ipv6.len()),
            (
                t.requests.values().sum::<u32>() as usize,
                o.requests.values().sum::<u32>() as usize,
            ),
            (
                t.responses.values().sum::<u32>() as usize,
                o.responses.values().sum::<u32>() as usize,
            ),
            (
                t.content_lengths.values().sum::<u32>() as usize,
                o.content_lengths.values().sum::<u32>() as usize,
            ),
        ];
        for (i, (a, b)) in sums.iter().enumerate() {
            totals[2 * i] += a;
            totals[2 * i + 1] += b.min(a);
        }
        for (check, problems) in checks {
            if problems.is_empty() {
                continue;
            }
            let entry = allow.iter().position(|(f, c, _)| f == name && c == check);
            match entry {
                Some(i) => {
                    used[i] = true;
                    println!("allowed {name} {check} [{}]: {problems:?}", allow[i].2);
                }
                None => failures.push(format!("{name} {check}: {problems:?}")),
            }
        }
    }
    println!(
        "tshark/agreeing: ipv4 datagrams {}/{}, ipv6 datagrams {}/{}, HTTP requests {}/{}, \
         responses {}/{}, content lengths {}/{} over {} files",
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        totals[4],
        totals[5],
        totals[6],
        totals[7],
        totals[8],
        totals[9],
        files.len()
    );
    for (i, (f, c, _)) in allow.iter().enumerate() {
        if !used[i] {
            failures.push(format!(
                "allow-list entry {f} {c} matched nothing: remove it"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The allow-listed timeout difference: with a timeout past the capture's 46 s, the two
/// datagrams tshark completes complete here too, with its frame lists.
#[test]
fn a_longer_fragment_timeout_completes_the_slow_datagrams() {
    let Some(capture) = common::shared_capture("zeek__ipv6-reassembly-state-leak.pcap") else {
        return;
    };
    let mut opts = ReassemblyOptions::default();
    opts.fragment_timeout = 60;
    let done = pcapkit::reassemble(&capture, &opts).expect("reassemble");
    let complete: Vec<(u64, usize)> = done
        .records
        .iter()
        .filter(|r| r.kind == Kind::Ipv6 && r.complete)
        .map(|r| (r.frame.number, r.frames.len()))
        .collect();
    assert_eq!(complete, [(46, 46), (92, 46)]);
}
