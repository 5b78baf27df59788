//! TLS and QUIC against Wireshark on the captures in `../shared/captures`, read in place.
//!
//! QUIC: `ipfixprobe__quic_initial-sample.pcap` has a `.tshark.json`: its long header is
//! compared field by field, and the ClientHello its Initial carries encrypted (which tshark
//! decrypts) with our TLS layer after QUIC. TLS: `suricata__dump_mtu300.pcap` (a ClientHello split over
//! 300-byte segments, a certificate chain) has no JSON; its `.tshark.tsv` was made with TCP
//! desegmentation on, so tshark names `tls` on the segment that completes a record. pcapkit
//! names TLS where records start, so every frame with our TLS layer must be one where tshark
//! shows `tls` or one that starts a PDU tshark completes later (`tcp.reassembled_in` in the
//! `.tshark.reassembly.tsv`), and the hellos must read as that capture's handshake does.
//! Per frame, every capture with TLS is also compared with tshark run at test time with TCP
//! desegmentation off (`-o tcp.desegment_tcp_streams:FALSE`): the record list of each segment.

mod common;

use pcapkit::model::{Frame, Layer, Quic, Tls};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A shared capture's path and frames, or `None` when it is absent (skipped, or a failure
/// under CI).
fn frames(name: &str) -> Option<(PathBuf, Vec<Frame>)> {
    let path = common::shared_capture(name)?;
    let frames = common::frames_of(&path);
    Some((path, frames))
}

fn tls(frame: &Frame) -> Option<&Tls> {
    frame.layers.iter().find_map(|l| match l {
        Layer::Tls(t) => Some(&**t),
        _ => None,
    })
}

/// Frame numbers from a tshark `.tsv` whose `column` (0-based) satisfies `keep`.
fn tsv_frames(path: &Path, column: usize, keep: impl Fn(&str) -> bool) -> HashSet<u64> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            keep(cells.get(column)?).then(|| cells[0].parse().ok())?
        })
        .collect()
}

#[test]
fn tls_records_start_where_tshark_sees_tls() {
    let Some((path, frames)) = frames("suricata__dump_mtu300.pcap") else {
        return;
    };
    let tshark_tls = tsv_frames(
        &PathBuf::from(format!("{}.tshark.tsv", path.display())),
        4,
        |p| p.split(':').any(|x| x == "tls"),
    );
    let starts_pdu = tsv_frames(
        &PathBuf::from(format!("{}.tshark.reassembly.tsv", path.display())),
        11,
        |c| !c.is_empty(),
    );
    let ours: Vec<(u64, &Tls)> = frames
        .iter()
        .filter_map(|f| tls(f).map(|t| (f.number, t)))
        .collect();
    assert!(ours.len() >= 10, "only {} TLS frames", ours.len());
    for (n, _) in &ours {
        assert!(
            tshark_tls.contains(n) || starts_pdu.contains(n),
            "frame {n}: TLS where tshark sees neither tls nor a PDU start"
        );
    }
    // Frame 4 starts the ClientHello (512 bytes over two segments), frame 10 the ServerHello.
    let hello = ours.iter().find(|(n, _)| *n == 4).expect("frame 4").1;
    assert_eq!(hello.handshake_type_name, Some("client_hello"));
    assert_eq!(hello.records[0].len, 512);
    assert_eq!(hello.hello_version, Some(0x0303));
    assert!(hello.cipher_suites.as_ref().is_some_and(|s| s.len() == 80));
    let server = ours.iter().find(|(n, _)| *n == 10).expect("frame 10").1;
    assert_eq!(server.handshake_type_name, Some("server_hello"));
    assert_eq!(server.cipher_suite, Some(0xc02b));
}

#[test]
fn quic_initial_matches_tshark() {
    let Some((path, frames)) = frames("ipfixprobe__quic_initial-sample.pcap") else {
        return;
    };
    let json = PathBuf::from(format!("{}.tshark.json", path.display()));
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("tshark JSON")).expect("JSON");
    let t = &doc[0]["_source"]["layers"]["quic"];
    let q: &Quic = frames[0]
        .layers
        .iter()
        .find_map(|l| match l {
            Layer::Quic(q) => Some(&**q),
            _ => None,
        })
        .expect("QUIC layer");
    let field = |name: &str| t[name].as_str().unwrap_or_else(|| panic!("{name} missing"));
    assert_eq!(format!("0x{:08x}", q.version), field("quic.version"));
    assert_eq!(q.packet_type.to_string(), field("quic.long.packet_type"));
    assert_eq!(q.dcid.0.len().to_string(), field("quic.dcil"));
    assert_eq!(q.dcid.to_string(), field("quic.dcid").replace(':', ""));
    assert_eq!(q.scid.0.len().to_string(), field("quic.scil"));
    assert_eq!(
        q.token_len.map(|t| t.to_string()).as_deref(),
        Some(field("quic.token_length"))
    );
    assert_eq!(
        q.len.map(|l| l.to_string()).as_deref(),
        Some(field("quic.length"))
    );
    assert_eq!(frames[0].protocol_chain(), "Ethernet:IPv6:UDP:QUIC:TLS");
    // tshark's JSON repeats keys (one `quic.frame` per frame): the TLS fields are read from
    // the text, every occurrence in order.
    let text = std::fs::read_to_string(&json).expect("tshark JSON");
    let tls = frames[0].get::<Tls>().expect("TLS layer");
    let hex16 = |v: u16| format!("0x{v:04x}");
    assert_eq!(
        all_values(&text, "tls.handshake.type"),
        [tls.handshake_type.unwrap().to_string()]
    );
    assert_eq!(
        all_values(&text, "tls.handshake.version"),
        [hex16(tls.hello_version.unwrap())]
    );
    let suites: Vec<String> = tls
        .cipher_suites
        .iter()
        .flatten()
        .map(|&s| hex16(s))
        .collect();
    assert_eq!(all_values(&text, "tls.handshake.ciphersuite"), suites);
    assert_eq!(
        all_values(&text, "tls.handshake.extensions_server_name"),
        [tls.sni.clone().unwrap()]
    );
    assert_eq!(
        all_values(&text, "tls.handshake.extensions_alpn_str"),
        tls.alpn.clone().unwrap()
    );
    let versions: Vec<String> = tls
        .supported_versions
        .iter()
        .flatten()
        .map(|&v| hex16(v))
        .collect();
    assert_eq!(
        all_values(&text, "tls.handshake.extensions.supported_version"),
        versions
    );
    assert_eq!(tls.sni.as_deref(), Some("www.google.com"));
}

/// Every string value of `key` in a JSON text, in order (duplicate keys included).
fn all_values(text: &str, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\": \"");
    text.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// tshark's record content types per frame, run with TCP desegmentation off (each segment
/// dissected alone, as pcapkit does), or `None` when tshark cannot run.
fn tshark_records_without_desegmentation(path: &Path) -> Option<Vec<(u64, String, Vec<u8>)>> {
    let out = std::process::Command::new("tshark")
        .args(["-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-r"])
        .arg(path)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "frame.protocols",
        ])
        .args(["-e", "tls.record.content_type"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8(out.stdout).expect("tshark prints UTF-8");
    let rows = text.lines().map(|line| {
        let mut cells = line.split('\t');
        let number = cells
            .next()
            .and_then(|c| c.parse().ok())
            .expect("frame.number");
        let protocols = cells.next().unwrap_or("").to_string();
        let types = cells
            .next()
            .unwrap_or("")
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| c.parse().expect("content type"))
            .collect();
        (number, protocols, types)
    });
    Some(rows.collect())
}

/// Every shared capture where TLS may be: tshark's `.tshark.tsv` names `tls` on some frame,
/// or pcapkit finds a TLS layer.
fn captures_with_tls(dir: &Path) -> Vec<(PathBuf, Vec<Frame>)> {
    let mut found = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the captures folder")
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    paths.sort();
    for path in paths {
        let tsv = PathBuf::from(format!("{}.tshark.tsv", path.display()));
        let tshark_names_tls = std::fs::read_to_string(&tsv)
            .is_ok_and(|t| t.lines().any(|l| l.split(['\t', ':']).any(|c| c == "tls")));
        // Captures pcapkit refuses (a pcap version that is not 2.x) have no frames to compare.
        let Ok(extractor) = pcapkit::Extractor::open(&path) else {
            continue;
        };
        let frames: Vec<Frame> = extractor.frames().collect();
        if tshark_names_tls || frames.iter().any(|f| tls(f).is_some()) {
            found.push((path, frames));
        }
    }
    found
}

/// Per frame, against tshark with TCP desegmentation off: the records tshark shows (those
/// whole in the segment) are the first records pcapkit lists, and pcapkit lists at most one
/// more, a record that starts in the segment and ends past it (tshark shows such a record
/// only on the segment that completes it, and only with desegmentation on).
#[test]
fn tls_records_per_frame_match_tshark_without_desegmentation() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let files = captures_with_tls(dir);
    assert!(files.len() >= 2, "only {} captures with TLS", files.len());
    let mut compared = 0usize;
    for (path, frames) in files {
        let Some(rows) = tshark_records_without_desegmentation(&path) else {
            eprintln!("note: tshark is not installed: TLS records are not compared per frame");
            return;
        };
        assert_eq!(rows.len(), frames.len(), "{}: frame count", path.display());
        for (frame, (number, protocols, theirs)) in frames.iter().zip(rows) {
            assert_eq!(frame.number, number);
            let Some(tcp) = frame.get::<pcapkit::model::Tcp>() else {
                continue;
            };
            let ours: Vec<&pcapkit::model::TlsRecord> = tls(frame)
                .map(|t| t.records.iter().collect())
                .unwrap_or_default();
            let at = format!("{} frame {number}", path.display());
            if !ours.is_empty() {
                assert!(
                    protocols.split(':').any(|p| p == "tls"),
                    "{at}: TLS where tshark shows {protocols}"
                );
            }
            let our_types: Vec<u8> = ours.iter().map(|r| r.content_type).collect();
            assert!(
                our_types.starts_with(&theirs) && our_types.len() <= theirs.len() + 1,
                "{at}: records {our_types:?}, tshark {theirs:?}"
            );
            if our_types.len() > theirs.len() {
                let whole: usize = ours.iter().map(|r| 5 + usize::from(r.len)).sum();
                assert!(
                    whole > tcp.payload_len as usize,
                    "{at}: a record tshark does not show ends inside the segment"
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 100, "only {compared} TCP frames compared");
}
