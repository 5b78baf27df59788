//! Reassembly end to end: synthetic captures through the library, the CLI and every engine.

mod common;

use common::{Pcap, temp_file};
use pcapkit::model::{Layer, MacAddr};
use pcapkit::reassembly::{Kind, Kinds, ReassemblyOptions, ReassemblyStage};
use pcapkit::synth::{self, Ipv4Fields, TcpFields};
use pcapkit::{EngineKind, Extractor, dump::Format};
use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 53);

fn eth(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    synth::ethernet(MacAddr([2; 6]), MacAddr([4; 6]), ether_type, payload)
}

/// A DNS response for example.com with `answers` A records (about 16 bytes each).
fn dns_response(answers: u16) -> Vec<u8> {
    let mut m = vec![0x12, 0x34, 0x81, 0x80, 0, 1];
    m.extend_from_slice(&answers.to_be_bytes());
    m.extend_from_slice(&[0, 0, 0, 0]);
    m.extend_from_slice(b"\x07example\x03com\x00\x00\x01\x00\x01");
    for i in 0..answers {
        m.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0]);
        m.extend_from_slice(&i.to_be_bytes());
    }
    m
}

/// The UDP datagram carrying `dns` cut into IPv4 fragments of `size` bytes, as frames.
fn ipv4_fragments(dns: &[u8], id: u16, size: usize) -> Vec<Vec<u8>> {
    let udp = synth::udp(IpAddr::V4(SERVER), IpAddr::V4(CLIENT), 53, 40000, dns);
    udp.chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let offset = i * size;
            let fields = Ipv4Fields {
                src: SERVER,
                dst: CLIENT,
                proto: 17,
                id,
                ttl: 64,
                df: false,
                mf: offset + chunk.len() < udp.len(),
                frag_offset: offset as u16,
            };
            eth(0x0800, &synth::ipv4(fields, chunk))
        })
        .collect()
}

fn capture(frames: &[Vec<u8>]) -> tempfile::NamedTempFile {
    let mut pcap = Pcap::new(false, false, 1, 65535);
    for (i, f) in frames.iter().enumerate() {
        pcap = pcap.record(1_700_000_000, i as u32, f.len() as u32, f);
    }
    temp_file(&pcap.bytes())
}

fn reassemble(frames: &[Vec<u8>], opts: &ReassemblyOptions) -> pcapkit::reassembly::Reassembly {
    let file = capture(frames);
    pcapkit::reassemble(file.path(), opts).expect("reassemble")
}

#[test]
fn a_fragmented_dns_answer_is_a_dns_record_in_any_order() {
    let dns = dns_response(120);
    let mut frames = ipv4_fragments(&dns, 7, 512);
    frames.reverse();
    frames.swap(0, 2);
    let done = reassemble(&frames, &ReassemblyOptions::default());
    assert_eq!(done.records.len(), 1);
    let r = &done.records[0];
    assert_eq!(r.kind, Kind::Ipv4);
    assert!(r.complete);
    assert_eq!(r.frame.protocol_chain(), "UDP:DNS");
    assert_eq!(r.len as usize, dns.len() + 8);
    assert_eq!(r.frames.len(), frames.len());
    assert_eq!(done.summary.counters["reassembly.ipv4.datagrams"], 1);
}

#[test]
fn ipv6_fragments_behind_a_hop_by_hop_header() {
    let (src, dst) = (
        "2001:db8::53".parse().unwrap(),
        "2001:db8::1".parse().unwrap(),
    );
    let dns = dns_response(100);
    let udp = synth::udp(IpAddr::V6(src), IpAddr::V6(dst), 53, 40000, &dns);
    let size = 600;
    let frames: Vec<Vec<u8>> = udp
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let offset = (i * size) as u16;
            let more = (i * size + chunk.len() < udp.len()) as u16;
            // Fragment header: next header UDP, offset (8-byte units) and M, identification.
            let mut frag = vec![17, 0];
            frag.extend_from_slice(&(offset | more).to_be_bytes());
            frag.extend_from_slice(&0xdead_beefu32.to_be_bytes());
            frag.extend_from_slice(chunk);
            let hop = synth::ipv6_hop_by_hop(44, &frag);
            eth(0x86dd, &synth::ipv6(src, dst, 0, 64, &hop))
        })
        .collect();
    let mut shuffled = frames.clone();
    shuffled.rotate_left(1);
    let done = reassemble(&shuffled, &ReassemblyOptions::default());
    assert_eq!(done.records.len(), 1);
    let r = &done.records[0];
    assert_eq!(r.kind, Kind::Ipv6);
    assert!(r.complete, "{r:?}");
    assert_eq!(r.frame.protocol_chain(), "UDP:DNS");
    let json = serde_json::to_value(r).unwrap();
    assert_eq!(json["key"]["id"], 0xdead_beefu32);
    assert_eq!(json["key"]["src"], "2001:db8::53");
}

/// A TCP conversation: handshake, then `client` segments (seq offset, bytes) in the given
/// order, then the server's one-segment answer and FINs.
fn tcp_frames(client: &[(u32, &[u8])], answer: &[u8]) -> Vec<Vec<u8>> {
    let seg = |from_client: bool, seq: u32, ack: u32, flags: u16, payload: &[u8]| {
        let (src, dst, sp, dp) = if from_client {
            (CLIENT, SERVER, 40000, 80)
        } else {
            (SERVER, CLIENT, 80, 40000)
        };
        let fields = TcpFields {
            src_port: sp,
            dst_port: dp,
            seq,
            ack,
            flags,
            window: 65535,
        };
        let tcp = synth::tcp(IpAddr::V4(src), IpAddr::V4(dst), fields, &[], payload);
        eth(
            0x0800,
            &synth::ipv4(Ipv4Fields::unfragmented(src, dst, 6, 1), &tcp),
        )
    };
    let (isn_c, isn_s) = (u32::MAX - 10, 5000u32);
    let mut frames = vec![
        seg(true, isn_c, 0, 0x002, b""),
        seg(false, isn_s, isn_c.wrapping_add(1), 0x012, b""),
    ];
    let sent: u32 = client.iter().map(|(_, b)| b.len() as u32).sum();
    for (off, bytes) in client {
        frames.push(seg(
            true,
            isn_c.wrapping_add(1 + off),
            isn_s + 1,
            0x018,
            bytes,
        ));
    }
    let c_end = isn_c.wrapping_add(1 + sent);
    frames.push(seg(false, isn_s + 1, c_end, 0x018, answer));
    let s_end = isn_s + 1 + answer.len() as u32;
    frames.push(seg(true, c_end, s_end, 0x011, b""));
    frames.push(seg(false, s_end, c_end.wrapping_add(1), 0x011, b""));
    frames
}

/// The TCP messages of a reassembly, in order.
fn tcp_records(done: &pcapkit::reassembly::Reassembly) -> Vec<&pcapkit::reassembly::Reassembled> {
    done.records
        .iter()
        .filter(|r| r.kind == Kind::Tcp)
        .collect()
}

fn http_of(r: &pcapkit::reassembly::Reassembled) -> &pcapkit::model::Http {
    match r.first_layer() {
        Some(Layer::Http(h)) => h,
        other => panic!("not HTTP: {other:?}"),
    }
}

#[test]
fn an_http_request_split_over_segments_is_one_http_record() {
    let request: &[u8] = b"POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world";
    let (a, rest) = request.split_at(17);
    let (b, c) = rest.split_at(40);
    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    // Out of order, with a retransmission; the client's sequence numbers wrap past 2^32.
    let b_off = a.len() as u32;
    let c_off = b_off + b.len() as u32;
    let frames = tcp_frames(&[(c_off, c), (0, a), (b_off, b), (0, a)], answer);
    let done = reassemble(&frames, &ReassemblyOptions::new(Kinds::ALL));
    let tcp = tcp_records(&done);
    assert_eq!(tcp.len(), 2, "{tcp:#?}");
    let req = http_of(tcp[0]);
    assert_eq!(req.method.as_deref(), Some("POST"));
    assert_eq!(req.headers.len(), 3);
    assert_eq!(req.body_len, 11);
    assert!(tcp[0].complete);
    assert_eq!(tcp[0].frames, [4, 5, 3]);
    // The retransmitted first segment came after the message was complete: counted only.
    assert!(tcp[0].anomalies.is_empty());
    assert_eq!(done.summary.counters["reassembly.tcp.retransmissions"], 1);
    assert_eq!(http_of(tcp[1]).status, Some(200));
    // The pairing analyse makes.
    let file = capture(&frames);
    let exchanges = pcapkit::analyse(file.path()).unwrap();
    assert_eq!(exchanges.len(), 1);
    let e = &exchanges[0];
    assert_eq!(e.request.as_ref().unwrap().target.as_deref(), Some("/form"));
    assert_eq!(e.response.as_ref().unwrap().status, Some(200));
    assert_eq!(e.client_port, 40000);
}

#[test]
fn strict_mode_reports_only_complete_datagrams() {
    let mut frames = ipv4_fragments(&dns_response(120), 9, 512);
    frames.remove(1);
    let lax = reassemble(&frames, &ReassemblyOptions::default());
    assert_eq!(lax.records.len(), 1);
    assert!(!lax.records[0].complete);
    assert_eq!(lax.records[0].missing, [[512, 1024]]);
    // Never zero-filled: only the UDP header and the bytes before the hole are dissected.
    assert_eq!(lax.records[0].frame.cap_len, 512);
    let strict = reassemble(&frames, &ReassemblyOptions::default().strict(true));
    assert!(strict.records.is_empty());
    assert_eq!(strict.summary.counters["reassembly.strict.suppressed"], 1);
}

#[test]
fn the_cli_writes_reassembly_lines_after_the_completing_frame() {
    let frames = ipv4_fragments(&dns_response(120), 7, 512);
    let file = capture(&frames);
    let out = Command::new(env!("CARGO_BIN_EXE_pcapkit"))
        .args(["--reassemble", "ipv4", "-f", "ndjson"])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), frames.len() + 1);
    let last: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    assert_eq!(last["record"], "reassembly");
    assert_eq!(last["kind"], "ipv4");
    assert_eq!(last["protocols"], "UDP:DNS");
    assert!(text.starts_with("{\"number\":1"));
    let bad = Command::new(env!("CARGO_BIN_EXE_pcapkit"))
        .args(["--reassemble", "udp"])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn every_engine_reports_the_same_reassembly() {
    let mut frames = ipv4_fragments(&dns_response(150), 3, 256);
    frames.extend(tcp_frames(
        &[(0, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")],
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ));
    let file = capture(&frames);
    let mut outputs = Vec::new();
    for engine in EngineKind::ALL {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        Extractor::open(file.path())
            .unwrap()
            .engine(*engine)
            .reassemble(ReassemblyOptions::default())
            .write(Format::Ndjson, Some(&path))
            .unwrap();
        outputs.push((engine, std::fs::read(&path).unwrap()));
    }
    let (first, reference) = &outputs[0];
    assert!(String::from_utf8_lossy(reference).contains("\"record\":\"reassembly\""));
    for (engine, out) in &outputs[1..] {
        assert_eq!(out, reference, "{engine} differs from {first}");
    }
}

#[test]
fn never_completing_fragments_stay_within_the_bounds() {
    let mut opts = ReassemblyOptions::default();
    opts.max_datagrams = 1000;
    opts.max_fragment_memory = 256 << 10;
    let mut stage = ReassemblyStage::new(opts);
    let mut out = Vec::new();
    let dissector = pcapkit::engine::native::NativeDissector;
    let mut peak = 0;
    for i in 0..20_000u32 {
        let fields = Ipv4Fields {
            src: Ipv4Addr::from(0x0a00_0000 + (i >> 16)),
            dst: SERVER,
            proto: 17,
            id: i as u16,
            ttl: 64,
            df: false,
            mf: true,
            frag_offset: 0,
        };
        let data = eth(0x0800, &synth::ipv4(fields, &[0u8; 256]));
        let raw = pcapkit::capture::RawFrame {
            number: u64::from(i) + 1,
            timestamp: Some(pcapkit::model::Timestamp::new(1_700_000_000, 0)),
            len: data.len() as u32,
            link_type: pcapkit::model::LinkType::ETHERNET,
            interface: None,
            data: &data,
        };
        let frame = pcapkit::engine::Dissector::dissect(&dissector, &raw, &Default::default());
        pcapkit::pipeline::Stage::frame(&mut stage, &raw, &frame, &mut out);
        out.clear();
        peak = peak.max(stage.memory());
        assert!(stage.open().0 <= 1000);
    }
    assert!(peak <= 256 << 10, "peak {peak}");
    let mut summary = pcapkit::model::Summary::default();
    pcapkit::pipeline::Stage::summarize(&stage, &mut summary);
    assert!(summary.counters["reassembly.ipv4.evicted"] >= 19_000);
}

/// xorshift64 for the hostile-input test.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn hostile_segments_and_fragments_never_panic_and_stay_bounded() {
    let mut opts = ReassemblyOptions::default();
    opts.max_streams = 64;
    opts.max_datagrams = 64;
    opts.max_stream_buffer = 4096;
    opts.max_stream_memory = 64 << 10;
    opts.max_fragment_memory = 64 << 10;
    let mut stage = ReassemblyStage::new(opts);
    let mut out = Vec::new();
    let dissector = pcapkit::engine::native::NativeDissector;
    let mut seed = 0xfeed_face_cafe_beefu64;
    for number in 1..=30_000u64 {
        let r = next(&mut seed);
        let len = (r % 600) as usize;
        let payload: Vec<u8> = (0..len).map(|_| next(&mut seed) as u8).collect();
        let (a, b) = (
            Ipv4Addr::from(0x0a00_0000 | ((r >> 40) as u32 % 4)),
            Ipv4Addr::from(0x0a00_0100 | ((r >> 50) as u32 % 4)),
        );
        let ip_payload = if r & 1 == 0 {
            let fields = TcpFields {
                src_port: 1000 + (r >> 20) as u16 % 8,
                dst_port: 80,
                seq: if r & 2 == 0 {
                    next(&mut seed) as u32
                } else {
                    (r >> 8) as u32 % 5000
                },
                ack: next(&mut seed) as u32,
                flags: (next(&mut seed) & 0x1ff) as u16,
                window: 0,
            };
            synth::tcp(IpAddr::V4(a), IpAddr::V4(b), fields, &[], &payload)
        } else {
            payload
        };
        let fields = Ipv4Fields {
            src: a,
            dst: b,
            proto: if r & 1 == 0 { 6 } else { 17 },
            id: (r >> 16) as u16 % 16,
            ttl: 64,
            df: false,
            mf: r & 4 != 0 && r & 1 == 1,
            frag_offset: if r & 1 == 1 {
                ((r >> 24) as u16 % 8192) & !7
            } else {
                0
            },
        };
        let data = eth(0x0800, &synth::ipv4(fields, &ip_payload));
        let raw = pcapkit::capture::RawFrame {
            number,
            timestamp: Some(pcapkit::model::Timestamp::new(
                1_700_000_000 + (number / 500) as i64,
                0,
            )),
            len: data.len() as u32,
            link_type: pcapkit::model::LinkType::ETHERNET,
            interface: None,
            data: &data,
        };
        let frame = pcapkit::engine::Dissector::dissect(&dissector, &raw, &Default::default());
        pcapkit::pipeline::Stage::frame(&mut stage, &raw, &frame, &mut out);
        out.clear();
        let (v4, _, tcp) = stage.open();
        assert!(v4 <= 64 && tcp <= 64);
        assert!(
            stage.memory() <= 2 * (64 << 10) + 4096,
            "{}",
            stage.memory()
        );
    }
    pcapkit::pipeline::Stage::finish(&mut stage, &mut out);
    for record in &out {
        serde_json::to_string(record).expect("records serialize");
    }
}

/// `analyse` pairs records as the stage emits them (keeping none): the same exchanges as
/// pairing the whole list `reassemble` returns, on every shared capture.
#[test]
fn streaming_analyse_equals_pairing_all_records() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("captures folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    paths.sort();
    let (mut total, mut answered) = (0, 0);
    for path in &paths {
        let Ok(streamed) = pcapkit::analyse(path) else {
            continue;
        };
        let all = pcapkit::reassemble(path, &ReassemblyOptions::new(Kinds::ALL))
            .expect("read like analyse");
        let paired = pcapkit::reassembly::analyse::exchanges(&all.records);
        assert_eq!(streamed, paired, "{}", path.display());
        total += streamed.len();
        answered += streamed
            .iter()
            .filter(|e| e.request.is_some() && e.response.is_some())
            .count();
    }
    eprintln!("{total} HTTP exchanges, {answered} with request and response");
    assert!(
        total > 20 && answered > 10,
        "{total} exchanges, {answered} answered"
    );
}

/// Runs the CLI on `file` with `args` (they come first), expecting success; its stdout.
fn cli(file: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pcapkit"))
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The report formats with a document (json, plist, tree) carry the records in a
/// `reassembly` section after the frames.
#[test]
fn json_plist_and_tree_have_a_reassembly_section() {
    let frames = ipv4_fragments(&dns_response(120), 7, 512);
    let file = capture(&frames);
    let run = |format: &str| {
        let args = [
            "-q",
            "--reassemble",
            "ipv4",
            "-f",
            format,
            "-o",
            "/dev/stdout",
        ];
        cli(file.path(), &args)
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["frames"].as_array().map(Vec::len), Some(frames.len()));
    let records = json["reassembly"].as_array().expect("a reassembly array");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["kind"], "ipv4");
    assert_eq!(records[0]["protocols"], "UDP:DNS");
    assert_eq!(records[0]["complete"], true);
    let numbers: Vec<u64> = (1..=frames.len() as u64).collect();
    assert_eq!(records[0]["frames"], serde_json::json!(numbers));
    let plist = run("plist");
    let section = plist
        .find("<key>reassembly</key>")
        .expect("a reassembly key");
    assert!(plist[section..].contains("<key>kind</key><string>ipv4</string>"));
    let tree = run("tree");
    let record = tree
        .find("Record: reassembly")
        .expect("a reassembly record");
    assert!(tree[record..].contains("kind: ipv4"));
    assert!(tree[record..].contains("protocols: UDP:DNS"));
}

/// Data that is not HTTP is one message per direction, cut when the other side sends.
#[test]
fn other_data_is_cut_at_a_direction_change() {
    let frames = tcp_frames(&[(0, b"hel"), (3, b"lo")], b"world!");
    let done = reassemble(&frames, &ReassemblyOptions::new(Kinds::ALL));
    let tcp = tcp_records(&done);
    assert_eq!(tcp.len(), 2, "{tcp:#?}");
    // The client's message ends with the server's answer (frame 5), before the FINs.
    assert_eq!((tcp[0].len, tcp[0].frames.as_slice()), (5, &[3, 4][..]));
    assert_eq!((tcp[1].len, tcp[1].frames.as_slice()), (6, &[5][..]));
    assert!(tcp.iter().all(|r| r.complete && r.missing.is_empty()));
    assert_eq!(tcp[0].frame.protocol_chain(), "Raw");
    // Reported with the frame that ended it: right after frame 5, before the FIN in 6.
    let file = capture(&frames);
    let lines: Vec<serde_json::Value> = cli(file.path(), &["-q", "--reassemble", "tcp"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[4]["number"], 5);
    assert_eq!(lines[5]["record"], "reassembly");
    assert_eq!(lines[5]["len"], 5);
    assert_eq!(lines[6]["number"], 6);
}

/// `pcapkit analyse FILE` and `--strict` from the command line.
#[test]
fn the_cli_analyses_and_reports_strictly() {
    let mut frames = tcp_frames(
        &[(0, b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")],
        b"HTTP/1.1 204 No Content\r\n\r\n",
    );
    // A datagram whose last fragment never comes: incomplete.
    let mut partial = ipv4_fragments(&dns_response(120), 9, 512);
    partial.pop();
    frames.extend(partial);
    let file = capture(&frames);
    let run = |args: &[&str]| cli(file.path(), args);
    let analysed = run(&["analyse"]);
    let lines: Vec<serde_json::Value> = analysed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{analysed}");
    assert_eq!(lines[0]["request"]["method"], "GET");
    assert_eq!(lines[0]["request"]["target"], "/x");
    assert_eq!(lines[0]["response"]["status"], 204);
    let records = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["record"] == "reassembly")
            .collect()
    };
    let all = records(&run(&["-q", "--reassemble", "all", "-f", "ndjson"]));
    let strict = records(&run(&[
        "-q",
        "--reassemble",
        "all",
        "--strict",
        "-f",
        "ndjson",
    ]));
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(all.iter().filter(|r| r["complete"] == false).count(), 1);
    assert_eq!(strict.len(), 2);
    assert!(
        strict
            .iter()
            .all(|r| r["complete"] == true && r["kind"] == "tcp")
    );
}
