//! Arrow batches and `-f parquet` against the NDJSON report: every summary column of every
//! frame equals the NDJSON frame's field it comes from (read back from the Parquet file with
//! the `parquet` crate's Arrow reader), on every shared capture and on generated captures;
//! batch boundaries; truncated and malformed input; the CLI's output rules for parquet.
//!
//! Run with `cargo test --features parquet --test arrow`.
#![cfg(feature = "parquet")]

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use pcapkit::arrow::{COLUMNS, DEFAULT_BATCH_ROWS, FrameBatches, schema};
use pcapkit::capture::CaptureReader;
use pcapkit::dump::Format;
use pcapkit::model::{EtherType, Level, TcpFlags};
use pcapkit::{Extractor, Stop};
use serde_json::{Value, json};
use std::fs::File;
use std::io::Cursor;
use std::path::Path;
use std::process::Command;

/// An extractor over capture bytes held in memory.
fn extractor_of(bytes: Vec<u8>) -> Extractor {
    Extractor::new(CaptureReader::from_reader("mem", Box::new(Cursor::new(bytes))).unwrap())
}

/// The generated sample conversation as pcap bytes.
fn sample() -> Vec<u8> {
    pcapkit::synth::sample_pcap().unwrap()
}

/// The value of row `row` of `column` as JSON (null for a null).
fn cell(column: &dyn Array, row: usize) -> Value {
    if column.is_null(row) {
        return Value::Null;
    }
    match column.data_type() {
        DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => json!(column.as_primitive::<Int32Type>().value(row)),
        DataType::Int16 => json!(column.as_primitive::<Int16Type>().value(row)),
        DataType::Int8 => json!(column.as_primitive::<Int8Type>().value(row)),
        DataType::Timestamp(..) => {
            json!(column.as_primitive::<TimestampMicrosecondType>().value(row))
        }
        DataType::Utf8 => json!(column.as_string::<i32>().value(row)),
        DataType::Boolean => json!(column.as_boolean().value(row)),
        other => panic!("unexpected column type {other}"),
    }
}

/// The first layer of `frame` whose protocol is one of `names`.
fn first<'a>(frame: &'a Value, names: &[&str]) -> Option<&'a Value> {
    // A partial layer (`truncated`, a header cut short) gives no column.
    frame["layers"].as_array()?.iter().find(|layer| {
        names.contains(&layer["protocol"].as_str().unwrap_or_default())
            && layer.get("truncated").is_none()
    })
}

/// `field` of `layer`, or null.
fn field(layer: Option<&Value>, field: &str) -> Value {
    layer.map_or(Value::Null, |l| l[field].clone())
}

/// Whether the outermost IP layer of an NDJSON frame is a fragment, by its fields.
fn fragment(frame: &Value) -> Value {
    let layers = frame["layers"].as_array().unwrap();
    let Some(at) = layers
        .iter()
        .position(|l| matches!(l["protocol"].as_str(), Some("IPv4" | "IPv6")))
    else {
        return Value::Null;
    };
    let ip = &layers[at];
    let is_fragment = |l: &Value| l["mf"] == json!(true) || l["frag_offset"].as_u64() > Some(0);
    if ip["protocol"] == "IPv4" {
        return json!(is_fragment(ip));
    }
    let header = layers[at + 1..]
        .iter()
        .take_while(|l| !matches!(l["protocol"].as_str(), Some("IPv4" | "IPv6")))
        .find(|l| l["protocol"] == "IPv6-Frag");
    json!(header.is_some_and(is_fragment))
}

/// What each column should hold for one NDJSON frame, from the JSON alone.
fn expected(frame: &Value) -> Vec<(&'static str, Value)> {
    let (ts, ts_ns) = match frame["time_epoch"].as_str() {
        Some(epoch) => {
            let (secs, nanos) = epoch.split_once('.').unwrap();
            let (secs, nanos): (i128, i128) = (secs.parse().unwrap(), nanos.parse().unwrap());
            // Null where the value does not fit an Int64 (the schema's null rule).
            let fit = |v: i128| i64::try_from(v).map_or(Value::Null, |v| json!(v));
            (
                fit(secs * 1_000_000 + nanos / 1_000),
                fit(secs * 1_000_000_000 + nanos),
            )
        }
        None => (Value::Null, Value::Null),
    };
    let error = frame.get("error");
    let ethernet = first(frame, &["Ethernet"]);
    let ip = first(frame, &["IPv4", "IPv6"]);
    let v4 = ip.filter(|l| l["protocol"] == "IPv4");
    let transport = first(frame, &["TCP", "UDP"]);
    let tcp = transport.filter(|l| l["protocol"] == "TCP");
    let icmp = first(frame, &["ICMP", "ICMPv6"]);
    let http = first(frame, &["HTTP"]);
    let dns = first(frame, &["DNS"]);
    let question = dns.and_then(|d| d["questions"].get(0));
    let tls = first(frame, &["TLS"]);
    let ip_field = |v4_name: &str, v6_name: &str| match (ip, v4) {
        (None, _) => Value::Null,
        (Some(l), Some(_)) => l[v4_name].clone(),
        (Some(l), None) => l[v6_name].clone(),
    };
    let or_null = |v: Option<&Value>| v.cloned().unwrap_or(Value::Null);
    vec![
        ("number", frame["number"].clone()),
        ("ts", ts),
        ("ts_ns", ts_ns),
        ("len", frame["len"].clone()),
        ("cap_len", frame["cap_len"].clone()),
        ("link_type", frame["link_type"].clone()),
        ("interface", or_null(frame.get("interface"))),
        ("protocols", frame["protocols"].clone()),
        ("error_layer", field(error, "layer")),
        ("error_offset", field(error, "offset")),
        ("error_reason", field(error, "reason")),
        ("eth_src", field(ethernet, "src")),
        ("eth_dst", field(ethernet, "dst")),
        (
            "ethertype",
            field(first(frame, &["Ethernet", "SLL", "SLL2"]), "type"),
        ),
        ("vlan_id", field(first(frame, &["VLAN"]), "vid")),
        ("ip_version", ip_field("version", "version")),
        ("ip_src", ip_field("src", "src")),
        ("ip_dst", ip_field("dst", "dst")),
        ("ip_ttl", ip_field("ttl", "hop_limit")),
        ("ip_proto", ip_field("proto", "next_header")),
        ("ip_fragment", fragment(frame)),
        ("src_port", field(transport, "src_port")),
        ("dst_port", field(transport, "dst_port")),
        ("tcp_flags", field(tcp, "flags")),
        (
            "tcp_flags_bits",
            tcp.map_or(Value::Null, |t| {
                json!(TcpFlags::from_names(t["flags"].as_str().unwrap()).0)
            }),
        ),
        ("tcp_seq", field(tcp, "seq")),
        ("tcp_ack", field(tcp, "ack")),
        ("tcp_window", field(tcp, "window")),
        ("payload_len", field(transport, "payload_len")),
        ("icmp_type", field(icmp, "type")),
        ("icmp_code", field(icmp, "code")),
        ("http_method", or_null(http.and_then(|h| h.get("method")))),
        ("http_target", or_null(http.and_then(|h| h.get("target")))),
        ("http_status", or_null(http.and_then(|h| h.get("status")))),
        ("dns_id", field(dns, "id")),
        ("dns_response", field(dns, "qr")),
        ("dns_qname", field(question, "name")),
        ("dns_qtype", field(question, "type")),
        ("dns_rcode", field(dns, "rcode")),
        (
            "tls_handshake_type",
            or_null(tls.and_then(|t| t.get("handshake_type"))),
        ),
        ("tls_sni", or_null(tls.and_then(|t| t.get("sni")))),
    ]
}

/// Writes `input` as NDJSON and as Parquet (both into `dir`), reads the Parquet file back and
/// checks every column of every row against the NDJSON frame; returns the rows compared.
fn round_trip(input: &Path, dir: &Path) -> usize {
    let ndjson = dir.join("frames.ndjson");
    let parquet = dir.join("frames.parquet");
    let name = input.display();
    Extractor::open(input)
        .unwrap()
        .write(Format::Ndjson, Some(&ndjson))
        .unwrap_or_else(|e| panic!("{name}: ndjson: {e}"));
    Extractor::open(input)
        .unwrap()
        .write(Format::Parquet, Some(&parquet))
        .unwrap_or_else(|e| panic!("{name}: parquet: {e}"));
    let text = std::fs::read_to_string(&ndjson).unwrap();
    let frames: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|v| v.get("record").is_none())
        .collect();
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&parquet).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut row = 0;
    for batch in reader {
        let batch = batch.unwrap();
        assert_eq!(batch.schema(), schema(), "{name}");
        for i in 0..batch.num_rows() {
            let frame = frames
                .get(row)
                .unwrap_or_else(|| panic!("{name}: more rows than NDJSON frames"));
            check_row(&batch, i, frame, &format!("{name} frame {}", row + 1));
            row += 1;
        }
    }
    assert_eq!(row, frames.len(), "{name}: rows vs NDJSON frames");
    row
}

/// Checks row `i` of `batch` against the NDJSON `frame`.
fn check_row(batch: &RecordBatch, i: usize, frame: &Value, at: &str) {
    let want = expected(frame);
    assert_eq!(want.len(), COLUMNS.len(), "the test covers every column");
    for (column, (name, want)) in COLUMNS.iter().zip(want) {
        assert_eq!(column.name, name, "column order");
        let mut got = cell(batch.column_by_name(name).unwrap().as_ref(), i);
        if name == "ethertype" {
            // NDJSON spells the type by name (`IPv4`) or as `0xNNNN`.
            got = got
                .as_u64()
                .map_or(Value::Null, |n| json!(EtherType(n as u16).to_string()));
        }
        assert_eq!(got, want, "{at}: column {name}");
    }
}

#[test]
fn every_shared_capture_round_trips() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let mut captures = 0;
    let mut rows = 0;
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    names.sort();
    for path in names {
        // Files that are not readable captures (the bad-header ones) have no report at all.
        if Extractor::open(&path).is_err() {
            continue;
        }
        rows += round_trip(&path, temp.path());
        captures += 1;
    }
    assert!(captures > 50, "only {captures} readable shared captures");
    assert!(rows > 4_000, "only {rows} frames compared");
}

#[test]
fn generated_captures_round_trip() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("sample.pcap");
    std::fs::write(&path, sample()).unwrap();
    let rows = round_trip(&path, temp.path());
    assert_eq!(rows, pcapkit::synth::sample_conversation().len());
    // The same frames on other link types (raw IP, Linux SLL, BSD Null).
    for link_type in [0, 101, 113] {
        let mut pcap = common::Pcap::new(false, false, link_type, 65535);
        for (lt, data) in common::generated_frames() {
            if lt.0 == link_type {
                pcap = pcap.record(1_700_000_000, 5, data.len() as u32, &data);
            }
        }
        let path = temp.path().join(format!("link{link_type}.pcap"));
        std::fs::write(&path, pcap.bytes()).unwrap();
        assert!(round_trip(&path, temp.path()) > 5, "link type {link_type}");
    }
}

/// The `number` column of every batch.
fn numbers(batches: &[RecordBatch]) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            let column = b.column_by_name("number").unwrap();
            column.as_primitive::<Int64Type>().values().to_vec()
        })
        .collect()
}

#[test]
fn batches_split_where_asked_and_keep_every_frame_once() {
    let n = pcapkit::synth::sample_conversation().len();
    let batches: Vec<RecordBatch> = FrameBatches::new(extractor_of(sample()), 3)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(batches.len(), n.div_ceil(3));
    let (last, full) = batches.split_last().unwrap();
    assert!(full.iter().all(|b| b.num_rows() == 3));
    assert_eq!(last.num_rows(), n - 3 * full.len());
    assert_eq!(numbers(&batches), (1..=n as i64).collect::<Vec<_>>());
    // One batch holds everything at the default size.
    let one: Vec<_> = FrameBatches::new(extractor_of(sample()), DEFAULT_BATCH_ROWS)
        .unwrap()
        .collect();
    assert_eq!(one.len(), 1);
    assert!(FrameBatches::new(extractor_of(sample()), 0).is_err());
}

#[test]
fn batches_honour_the_stop_options() {
    let stopped = extractor_of(sample()).stop(Stop::Level(Level::Inet));
    let batches: Vec<RecordBatch> = FrameBatches::new(stopped, 64)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let batch = &batches[0];
    let ip = batch.column_by_name("ip_version").unwrap();
    assert!(ip.null_count() < batch.num_rows(), "IP is still dissected");
    let ports = batch.column_by_name("src_port").unwrap();
    assert_eq!(
        ports.null_count(),
        batch.num_rows(),
        "no transport after -L inet"
    );
    let protocols = batch
        .column_by_name("protocols")
        .unwrap()
        .as_string::<i32>();
    assert!(protocols.iter().flatten().all(|p| !p.contains("TCP")));
}

#[test]
fn a_truncated_capture_gives_the_frames_before_the_cut() {
    let bytes = sample();
    // Cut inside the last record: the frames before it are kept.
    let cut = bytes[..bytes.len() - 10].to_vec();
    let n = pcapkit::synth::sample_conversation().len();
    let mut batches = FrameBatches::new(extractor_of(cut.clone()), 4).unwrap();
    let read: Vec<RecordBatch> = batches.by_ref().map(Result::unwrap).collect();
    assert_eq!(numbers(&read), (1..n as i64).collect::<Vec<_>>());
    assert!(batches.stopped_early().is_some());
    assert_eq!(batches.summary().frames, n as u64 - 1);
    // And the Parquet report of it is complete and readable.
    let temp = tempfile::tempdir().unwrap();
    let input = temp.path().join("cut.pcap");
    std::fs::write(&input, &cut).unwrap();
    let output = temp.path().join("cut.parquet");
    Extractor::open(&input)
        .unwrap()
        .write(Format::Parquet, Some(&output))
        .unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&output).unwrap()).unwrap();
    assert_eq!(builder.metadata().file_metadata().num_rows(), n as i64 - 1);
}

#[test]
fn malformed_frames_are_rows_with_their_error() {
    // An Ethernet frame whose IPv4 header claims 15 words over 20 captured bytes, and one of
    // garbage too short for Ethernet.
    let mut bad_ip = vec![0u8; 14 + 20];
    bad_ip[12..14].copy_from_slice(&[0x08, 0x00]);
    bad_ip[14] = 0x4f;
    let pcap = common::Pcap::new(false, false, 1, 65535)
        .record(1, 0, bad_ip.len() as u32, &bad_ip)
        .record(2, 0, 5, &[1, 2, 3, 4, 5]);
    let batch = FrameBatches::new(extractor_of(pcap.bytes()), 8)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(batch.num_rows(), 2);
    let layer = batch
        .column_by_name("error_layer")
        .unwrap()
        .as_string::<i32>();
    assert_eq!(layer.value(0), "IPv4");
    let offset = batch.column_by_name("error_offset").unwrap();
    assert_eq!(offset.as_primitive::<Int64Type>().value(0), 14);
    assert!(batch.column_by_name("ip_version").unwrap().is_null(0));
    assert!(!layer.is_null(1), "a 5-byte Ethernet frame is an error too");
}

fn pcapkit_cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcapkit"))
}

#[test]
fn the_cli_writes_parquet_by_extension_and_refuses_the_input() {
    let temp = tempfile::tempdir().unwrap();
    let input = temp.path().join("sample.pcap");
    std::fs::write(&input, sample()).unwrap();
    let output = temp.path().join("out.parquet");
    let run = pcapkit_cli()
        .arg(&input)
        .args(["-q", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&output).unwrap()).unwrap();
    let n = pcapkit::synth::sample_conversation().len() as i64;
    assert_eq!(builder.metadata().file_metadata().num_rows(), n);
    // Written under a temporary name and renamed: nothing else is left in the folder.
    let left: Vec<_> = std::fs::read_dir(temp.path()).unwrap().collect();
    assert_eq!(left.len(), 2);
    // The input is never the output.
    let before = std::fs::read(&input).unwrap();
    let refused = pcapkit_cli()
        .arg(&input)
        .args(["-q", "-f", "parquet", "-o"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // To a pipe, the bytes are the same file.
    let piped = pcapkit_cli()
        .arg(&input)
        .args(["-q", "-f", "parquet"])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert_eq!(&piped.stdout[..4], b"PAR1");
    assert_eq!(piped.stdout, std::fs::read(&output).unwrap());
}
