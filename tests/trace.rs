//! `--trace` on generated captures: port reuse, simultaneous open, RST without FIN, flows open
//! at the end, IPv6, VLAN, late frames, bounds, UDP, and identical output under every engine.

mod common;

use pcapkit::capture::PcapWriter;
use pcapkit::model::{LinkType, MacAddr, Timestamp};
use pcapkit::synth::{self, Ipv4Fields, TcpFields, ethertype};
use pcapkit::trace::{TableLimits, TraceOptions};
use serde_json::Value;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;

const SYN: u16 = 0x02;
const ACK: u16 = 0x10;
const FIN_ACK: u16 = 0x11;
const RST: u16 = 0x04;
const PSH_ACK: u16 = 0x18;

/// A capture built packet by packet, one millisecond apart unless told otherwise.
#[derive(Default)]
struct Capture {
    frames: Vec<(Timestamp, Vec<u8>)>,
    ms: u64,
    vlan: Option<u16>,
}

type Ep = (&'static str, u16);

impl Capture {
    fn wait(&mut self, secs: u64) -> &mut Self {
        self.ms += secs * 1000;
        self
    }

    /// The VLAN the next packets are tagged with.
    fn vlan(&mut self, vid: Option<u16>) -> &mut Self {
        self.vlan = vid;
        self
    }

    /// One TCP segment from `src` to `dst`.
    fn tcp(
        &mut self,
        src: Ep,
        dst: Ep,
        seq: u32,
        ack: u32,
        flags: u16,
        payload: &[u8],
    ) -> &mut Self {
        let (s, d): (IpAddr, IpAddr) = (src.0.parse().unwrap(), dst.0.parse().unwrap());
        let fields = TcpFields {
            src_port: src.1,
            dst_port: dst.1,
            seq,
            ack,
            flags,
            window: 1000,
        };
        let seg = synth::tcp(s, d, fields, &[], payload);
        self.ip(s, d, 6, &seg)
    }

    /// One TCP segment from `src` to `dst` (IPv4) in IP fragments of `piece` bytes (a multiple
    /// of 8), sent in the order `order` gives (indexes of the fragments).
    #[allow(clippy::too_many_arguments)]
    fn tcp_in_fragments(
        &mut self,
        src: Ep,
        dst: Ep,
        seq: u32,
        ack: u32,
        payload: &[u8],
        piece: usize,
        order: &[usize],
    ) -> &mut Self {
        let (s, d): (IpAddr, IpAddr) = (src.0.parse().unwrap(), dst.0.parse().unwrap());
        let (IpAddr::V4(s4), IpAddr::V4(d4)) = (s, d) else {
            panic!("IPv4 only")
        };
        let fields = TcpFields {
            src_port: src.1,
            dst_port: dst.1,
            seq,
            ack,
            flags: PSH_ACK,
            window: 1000,
        };
        let seg = synth::tcp(s, d, fields, &[], payload);
        let pieces: Vec<&[u8]> = seg.chunks(piece).collect();
        let id = 0x4242 + self.frames.len() as u16;
        for &i in order {
            let mut header = Ipv4Fields::unfragmented(s4, d4, 6, id);
            header.df = false;
            header.mf = i + 1 < pieces.len();
            header.frag_offset = (i * piece) as u16;
            let ip = synth::ipv4(header, pieces[i]);
            self.push(synth::ethernet(
                MacAddr([2, 0, 0, 0, 0, 2]),
                MacAddr([2, 0, 0, 0, 0, 1]),
                ethertype::IPV4,
                &ip,
            ));
        }
        self
    }

    fn udp(&mut self, src: Ep, dst: Ep, payload: &[u8]) -> &mut Self {
        let (s, d): (IpAddr, IpAddr) = (src.0.parse().unwrap(), dst.0.parse().unwrap());
        let dgram = synth::udp(s, d, src.1, dst.1, payload);
        self.ip(s, d, 17, &dgram)
    }

    fn ip(&mut self, s: IpAddr, d: IpAddr, proto: u8, seg: &[u8]) -> &mut Self {
        let (ether_type, ip) = match (s, d) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => {
                let fields = Ipv4Fields::unfragmented(src, dst, proto, self.frames.len() as u16);
                (ethertype::IPV4, synth::ipv4(fields, seg))
            }
            (IpAddr::V6(src), IpAddr::V6(dst)) => {
                (ethertype::IPV6, synth::ipv6(src, dst, proto, 64, seg))
            }
            _ => panic!("mixed address families"),
        };
        let (a, b) = (MacAddr([2, 0, 0, 0, 0, 1]), MacAddr([2, 0, 0, 0, 0, 2]));
        let frame = match self.vlan {
            Some(vid) => synth::ethernet(
                b,
                a,
                ethertype::VLAN,
                &synth::vlan_tag(0, vid, ether_type, &ip),
            ),
            None => synth::ethernet(b, a, ether_type, &ip),
        };
        self.push(frame)
    }

    /// Appends a frame one millisecond after the last.
    fn push(&mut self, frame: Vec<u8>) -> &mut Self {
        self.ms += 1;
        let time = Timestamp::new(
            1_700_000_000 + (self.ms / 1000) as i64,
            (self.ms % 1000) * 1_000_000,
        );
        self.frames.push((time, frame));
        self
    }

    /// A three-way handshake from `c` to `s` with initial sequence numbers `isn` and `isn + 1000`.
    fn handshake(&mut self, c: Ep, s: Ep, isn: u32) -> &mut Self {
        self.tcp(c, s, isn, 0, SYN, b"")
            .tcp(s, c, isn + 1000, isn + 1, SYN | ACK, b"")
            .tcp(c, s, isn + 1, isn + 1001, ACK, b"")
    }

    /// FIN both ways and the last ACK, after the handshake of `handshake(c, s, isn)`.
    fn close(&mut self, c: Ep, s: Ep, isn: u32) -> &mut Self {
        self.tcp(c, s, isn + 1, isn + 1001, FIN_ACK, b"")
            .tcp(s, c, isn + 1001, isn + 2, FIN_ACK, b"")
            .tcp(c, s, isn + 2, isn + 1002, ACK, b"")
    }

    fn write(&self, path: &Path) {
        let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535, true).unwrap();
        for (time, data) in &self.frames {
            w.write_frame(*time, data.len() as u32, data).unwrap();
        }
        std::fs::write(path, w.into_inner()).unwrap();
    }
}

const C: Ep = ("10.0.0.1", 40000);
const S: Ep = ("10.0.0.2", 80);

/// Traces `cap` with `options`; returns the folder and the index's flows.
fn trace(cap: &Capture, options: &TraceOptions) -> (tempfile::TempDir, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pcap");
    cap.write(&input);
    let out = dir.path().join("trace");
    pcapkit::trace(&input, &out, options).unwrap();
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    let flows = index["flows"].as_array().unwrap().clone();
    (dir, flows)
}

fn frames(flow: &Value) -> u64 {
    flow["a_to_b"]["frames"].as_u64().unwrap() + flow["b_to_a"]["frames"].as_u64().unwrap()
}

/// The frames of a flow file, as (time, bytes).
fn read_flow_file(path: &Path) -> Vec<(Option<Timestamp>, Vec<u8>)> {
    let mut reader = pcapkit::capture::CaptureReader::open(path).unwrap();
    let mut out = Vec::new();
    while let Some(raw) = reader.next_frame() {
        out.push((raw.timestamp, raw.data.to_vec()));
    }
    out
}

#[test]
fn port_reuse_starts_a_new_flow_and_a_syn_retransmission_does_not() {
    let mut cap = Capture::default();
    cap.handshake(C, S, 100).close(C, S, 100);
    // Same 4-tuple, new initial sequence number: a new connection.
    cap.tcp(C, S, 5000, 0, SYN, b"")
        .tcp(C, S, 5000, 0, SYN, b""); // + retransmitted SYN
    let (dir, flows) = trace(&cap, &TraceOptions::default());
    assert_eq!(flows.len(), 2, "{flows:#?}");
    assert_eq!((flows[0]["id"].as_u64(), frames(&flows[0])), (Some(0), 6));
    assert_eq!(flows[0]["state"], "complete");
    assert_eq!((flows[1]["id"].as_u64(), frames(&flows[1])), (Some(1), 2));
    assert_eq!(flows[1]["first_frame"], 7);
    assert_eq!(flows[1]["state"], "open");
    assert_eq!(flows[0]["a"]["ip"], "10.0.0.1");
    assert_eq!(flows[0]["a_to_b"]["frames"], 4);
    // Each file holds its flow's records, byte for byte, in order.
    let f0 = read_flow_file(
        &dir.path()
            .join("trace")
            .join(flows[0]["file"].as_str().unwrap()),
    );
    let want: Vec<_> = cap.frames[..6]
        .iter()
        .map(|(t, d)| (Some(*t), d.clone()))
        .collect();
    assert_eq!(f0, want);
    assert_eq!(flows[0]["file"], "0_10.0.0.1_40000-10.0.0.2_80.pcap");
}

#[test]
fn simultaneous_open_is_one_flow() {
    let mut cap = Capture::default();
    cap.tcp(C, S, 100, 0, SYN, b"")
        .tcp(S, C, 900, 0, SYN, b"")
        .tcp(C, S, 100, 901, SYN | ACK, b"")
        .tcp(S, C, 900, 101, SYN | ACK, b"")
        .tcp(C, S, 101, 901, PSH_ACK, b"hello");
    let (_dir, flows) = trace(&cap, &TraceOptions::default());
    assert_eq!(flows.len(), 1, "{flows:#?}");
    assert_eq!(frames(&flows[0]), 5);
    assert_eq!(flows[0]["a_to_b"]["payload"], 5);
}

#[test]
fn rst_without_fin_and_flows_open_at_the_end() {
    let other: Ep = ("10.0.0.3", 40001);
    let mut cap = Capture::default();
    cap.handshake(C, S, 100)
        .tcp(S, C, 1101, 101, RST | ACK, b"");
    cap.handshake(other, S, 7)
        .tcp(other, S, 8, 1008, PSH_ACK, b"data");
    let (_dir, flows) = trace(&cap, &TraceOptions::default());
    assert_eq!(flows.len(), 2);
    assert_eq!(flows[0]["state"], "reset");
    assert_eq!(flows[1]["state"], "open");
    assert_eq!(frames(&flows[1]), 4);
}

#[test]
fn ipv6_flows_and_file_safe_names() {
    let c6: Ep = ("2001:db8::1", 5555);
    let s6: Ep = ("2001:db8::2", 443);
    let mut cap = Capture::default();
    cap.handshake(c6, s6, 1).close(c6, s6, 1);
    let (dir, flows) = trace(&cap, &TraceOptions::default());
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0]["file"], "0_2001.db8..1_5555-2001.db8..2_443.pcap");
    assert_eq!(flows[0]["a"]["ip"], "2001:db8::1");
    let file = dir
        .path()
        .join("trace")
        .join(flows[0]["file"].as_str().unwrap());
    assert_eq!(read_flow_file(&file).len(), 6);
}

#[test]
fn vlan_tags_are_not_part_of_the_key() {
    // As in Wireshark 4.0: the same 4-tuple on two VLANs is one conversation.
    let mut cap = Capture::default();
    cap.vlan(Some(10)).tcp(C, S, 100, 0, SYN, b"");
    cap.vlan(Some(20)).tcp(S, C, 1100, 101, SYN | ACK, b"");
    cap.vlan(Some(10)).tcp(C, S, 101, 1101, ACK, b"");
    let (_dir, flows) = trace(&cap, &TraceOptions::default());
    assert_eq!(flows.len(), 1);
    assert_eq!(frames(&flows[0]), 3);
}

#[test]
fn a_late_frame_resumes_its_flow_under_the_same_id() {
    let mut cap = Capture::default();
    cap.handshake(C, S, 100).close(C, S, 100);
    cap.wait(60).tcp(S, C, 1102, 102, ACK, b""); // long after the grace period
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pcap");
    cap.write(&input);
    let out = dir.path().join("t");
    let done = pcapkit::trace(&input, &out, &TraceOptions::default()).unwrap();
    assert_eq!(done.summary.counters.get("trace.flows_resumed"), Some(&1));
    let lines = std::fs::read_to_string(out.join("index.ndjson")).unwrap();
    assert_eq!(lines.lines().count(), 2, "{lines}");
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    let flows = index["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 1);
    assert_eq!(frames(&flows[0]), 7);
    assert_eq!(
        read_flow_file(&out.join(flows[0]["file"].as_str().unwrap())).len(),
        7
    );
}

#[test]
fn bounds_are_counted_and_files_stay_whole() {
    let mut cap = Capture::default();
    let clients: [Ep; 4] = [
        ("10.0.1.1", 1),
        ("10.0.1.2", 2),
        ("10.0.1.3", 3),
        ("10.0.1.4", 4),
    ];
    for (i, c) in clients.iter().enumerate() {
        cap.handshake(*c, S, i as u32 * 10);
    }
    for (i, c) in clients.iter().enumerate() {
        cap.close(*c, S, i as u32 * 10);
    }
    // One open file handle: every write re-opens in append mode; files are still complete.
    let options = TraceOptions::default().max_open_files(1);
    let (dir, flows) = trace(&cap, &options);
    assert_eq!(flows.len(), 4);
    for flow in &flows {
        let file = dir
            .path()
            .join("trace")
            .join(flow["file"].as_str().unwrap());
        assert_eq!(read_flow_file(&file).len(), 6, "{flow}");
        assert_eq!(flow["state"], "complete");
    }
    // At most two open flows: the others are evicted (and resumed by their later frames).
    let options = TraceOptions::default().limits(TableLimits::default().max_flows(2));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pcap");
    cap.write(&input);
    let done = pcapkit::trace(&input, &dir.path().join("t"), &options).unwrap();
    assert!(
        done.summary.counters["trace.flows_evicted"] >= 2,
        "{:?}",
        done.summary.counters
    );
    assert_eq!(done.flows[0], 4);
}

#[test]
fn udp_conversations_with_trace_udp() {
    let dns: Ep = ("10.0.0.53", 53);
    let mut cap = Capture::default();
    cap.udp(C, dns, b"query")
        .udp(dns, C, b"answer!")
        .handshake(C, S, 1);
    let (_dir, flows) = trace(&cap, &TraceOptions::default());
    assert_eq!(flows.len(), 1, "UDP only with --trace-udp");
    let options = TraceOptions::default().udp(true);
    let (_dir, flows) = trace(&cap, &options);
    assert_eq!(flows.len(), 2);
    assert_eq!(
        (flows[0]["protocol"].as_str(), flows[1]["protocol"].as_str()),
        (Some("TCP"), Some("UDP"))
    );
    assert_eq!(flows[1]["file"], "udp0_10.0.0.1_40000-10.0.0.53_53.pcap");
    assert_eq!(flows[1]["b_to_a"]["payload"], 7);
}

/// The CLI's report (flow records included) and the trace folder are the same under every
/// engine.
#[test]
fn every_engine_gives_the_same_report_and_files() {
    let mut cap = Capture::default();
    cap.handshake(C, S, 100)
        .tcp(C, S, 101, 1101, PSH_ACK, b"GET / HTTP/1.1\r\n\r\n");
    cap.handshake(("10.0.0.9", 9), S, 5).close(C, S, 100);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pcap");
    cap.write(&input);
    type Run = (Vec<u8>, Vec<(String, Vec<u8>)>);
    let mut first: Option<Run> = None;
    for engine in pcapkit::EngineKind::ALL {
        let out = dir.path().join(format!("t-{}", engine.name()));
        let run = Command::new(env!("CARGO_BIN_EXE_pcapkit"))
            .args(["-q", "-f", "ndjson", "-E", engine.name(), "--trace"])
            .arg(&out)
            .arg(&input)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}: {}",
            engine.name(),
            String::from_utf8_lossy(&run.stderr)
        );
        let flow_lines = run
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"{\"record\":\"flow\""))
            .count();
        assert_eq!(flow_lines, 2, "{}", engine.name());
        let files = common::folder_files(&out);
        assert_eq!(files.len(), 4, "2 flows + 2 indexes");
        match &first {
            None => first = Some((run.stdout, files)),
            Some((stdout, f)) => {
                assert!(*stdout == run.stdout, "{}: report differs", engine.name());
                assert!(*f == files, "{}: trace folder differs", engine.name());
            }
        }
    }
}

/// The bytes of each direction in a `follow -f json` document.
fn followed_directions(doc: &Value) -> [Vec<u8>; 2] {
    let mut out = [Vec::new(), Vec::new()];
    for chunk in doc["chunks"].as_array().unwrap() {
        let dir = usize::from(chunk["dir"] == "b_to_a");
        let hex = chunk["data"].as_str().unwrap();
        out[dir].extend(
            (0..hex.len() / 2).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()),
        );
    }
    out
}

/// A segment carried in IPv4 fragments (sent out of order) is followed from the reassembled
/// datagram, as Wireshark's default defragmentation does, not reported as a gap.
#[test]
fn follow_takes_a_fragmented_segment_from_the_reassembled_datagram() {
    let request =
        b"GET /a/long/path/that/spans/several/fragments HTTP/1.1\r\nHost: frag.test\r\n\r\n";
    let reply = b"HTTP/1.1 204 No Content\r\n\r\n";
    let isn = 5000;
    let mut cap = Capture::default();
    cap.handshake(C, S, isn)
        .tcp_in_fragments(C, S, isn + 1, isn + 1001, request, 24, &[2, 0, 3, 1])
        .tcp(
            S,
            C,
            isn + 1001,
            isn + 1 + request.len() as u32,
            PSH_ACK,
            reply,
        );
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pcap");
    cap.write(&input);
    let mut json = Vec::new();
    let done = pcapkit::trace::follow(
        &input,
        pcapkit::trace::FlowSelector::Id(0),
        pcapkit::trace::FollowFormat::Json,
        &mut json,
    )
    .unwrap();
    let doc: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        followed_directions(&doc),
        [request.to_vec(), reply.to_vec()]
    );
    assert_eq!(done.missing, [0, 0]);
    // The frame that completed the datagram (the 4th fragment, frame 7) carries the chunk.
    assert_eq!(doc["chunks"][0]["frame"], 7);
}

#[test]
fn follow_reassembles_out_of_order_segments_both_ways() {
    let request = b"POST /upload HTTP/1.1\r\nHost: example.test\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz";
    let response = b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nthanks";
    let (isn_c, isn_s) = (0xffff_fff0u32, 7000u32); // the client's sequence numbers wrap
    let mut cap = Capture::default();
    cap.tcp(C, S, isn_c, 0, SYN, b"")
        .tcp(S, C, isn_s, isn_c.wrapping_add(1), SYN | ACK, b"")
        .tcp(C, S, isn_c.wrapping_add(1), isn_s + 1, ACK, b"");
    // The request in four pieces, sent 3, 1, 4, 2 (and piece 1 retransmitted).
    let cuts = [0, 20, 45, 70, request.len()];
    for &i in &[2usize, 0, 3, 1, 0] {
        let seq = isn_c.wrapping_add(1).wrapping_add(cuts[i] as u32);
        cap.tcp(
            C,
            S,
            seq,
            isn_s + 1,
            PSH_ACK,
            &request[cuts[i]..cuts[i + 1]],
        );
    }
    let after_request = isn_c.wrapping_add(1).wrapping_add(request.len() as u32);
    // The response in two pieces, the second first.
    cap.tcp(
        S,
        C,
        isn_s + 1 + 30,
        after_request,
        PSH_ACK,
        &response[30..],
    )
    .tcp(S, C, isn_s + 1, after_request, PSH_ACK, &response[..30]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pcap");
    cap.write(&input);
    let select = pcapkit::trace::FlowSelector::Id(0);
    let mut json = Vec::new();
    let done = pcapkit::trace::follow(
        &input,
        select,
        pcapkit::trace::FollowFormat::Json,
        &mut json,
    )
    .unwrap();
    let doc: Value = serde_json::from_slice(&json).unwrap();
    let [to_server, to_client] = followed_directions(&doc);
    assert_eq!(to_server, request);
    assert_eq!(to_client, response);
    assert_eq!(done.bytes, [request.len() as u64, response.len() as u64]);
    assert_eq!(done.missing, [0, 0]);
    assert_eq!(doc["flow"]["a"]["port"], 40000);
    // The same flow by its endpoints (given the other way round), through the command.
    let follow = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pcapkit"))
            .arg("follow")
            .arg(&input)
            .args(args)
            .output()
            .unwrap()
    };
    let run = follow(&["--tuple", "10.0.0.2:80-10.0.0.1:40000", "-f", "raw"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(run.stdout, [&request[..], &response[..]].concat());
    // Text: the second direction indented; an unknown flow is an error.
    let run = follow(&["--flow", "0"]);
    let text = String::from_utf8(run.stdout).unwrap();
    assert!(
        text.contains("Node 0: 10.0.0.1:40000\n") && text.contains("\tHTTP/1.1 201 Created"),
        "{text}"
    );
    let run = follow(&["--flow", "9"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no TCP flow 9"));
}
