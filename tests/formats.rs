//! The report formats beyond JSON: plist, tree, pcap, one file per frame (-F), output naming.
//!
//! The tree golden file is `tests/golden/sample.tree.txt`; after a deliberate change of the
//! model or the tree layout, regenerate it with `PCAPKIT_BLESS=1 cargo test --test formats`
//! and review the diff.

mod common;

use pcapkit::capture::{CaptureReader, PcapWriter};
use pcapkit::model::{LinkType, Timestamp};
use pcapkit::synth::sample_conversation;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pcapkit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcapkit"))
}

fn run(args: &[&str]) -> Output {
    pcapkit().args(args).output().expect("run pcapkit")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "pcapkit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/sample.pcap")
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A plist value as the JSON value it stands for: `<date>` back to RFC 3339 text (seconds).
fn plist_to_json(value: plist::Value) -> Value {
    match value {
        plist::Value::Dictionary(dict) => Value::Object(
            dict.into_iter()
                .map(|(k, v)| (k, plist_to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        plist::Value::Array(items) => Value::Array(items.into_iter().map(plist_to_json).collect()),
        plist::Value::Boolean(b) => Value::Bool(b),
        plist::Value::Integer(n) => match (n.as_unsigned(), n.as_signed()) {
            (Some(u), _) => Value::from(u),
            (None, Some(i)) => Value::from(i),
            (None, None) => unreachable!("a plist integer is signed or unsigned"),
        },
        plist::Value::Real(x) => Value::from(x),
        plist::Value::String(text) => Value::String(text),
        plist::Value::Date(date) => Value::String(date.to_xml_format()),
        other => panic!("unexpected plist value {other:?}"),
    }
}

/// The JSON report with each frame's `time` cut to whole seconds, as plist dates keep it.
fn json_at_second_precision(mut doc: Value) -> Value {
    for frame in doc["frames"].as_array_mut().unwrap() {
        if let Some(Value::String(time)) = frame.get_mut("time") {
            *time = format!("{}Z", &time[..19]);
        }
    }
    doc
}

#[test]
fn plist_and_json_of_the_same_capture_are_equal() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let plist_path = dir.path().join("r.plist");
    ok(&run(&[s(&sample()), "-o", s(&json), "-q"]));
    ok(&run(&[s(&sample()), "-o", s(&plist_path), "-q"]));
    let json: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let plist = plist::Value::from_file(&plist_path).expect("the plist crate reads it");
    // Same keys in the same order, at the top and in every frame.
    let dict = plist.as_dictionary().unwrap();
    let keys: Vec<&str> = dict.keys().map(String::as_str).collect();
    assert_eq!(keys, ["file", "frames", "summary"]);
    let first = dict["frames"].as_array().unwrap()[0]
        .as_dictionary()
        .unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "number",
            "time",
            "time_epoch",
            "len",
            "cap_len",
            "link_type",
            "protocols",
            "layers"
        ]
    );
    assert!(matches!(first["time"], plist::Value::Date(_)));
    let from_plist = plist_to_json(plist);
    assert_eq!(from_plist["summary"]["frames"], Value::from(18));
    assert_eq!(from_plist, json_at_second_precision(json));
}

#[test]
fn plist_parses_with_python_plistlib() {
    let Ok(probe) = Command::new("python3")
        .arg("-c")
        .arg("import plistlib")
        .output()
    else {
        eprintln!("python3 not found: skipped");
        return;
    };
    if !probe.status.success() {
        eprintln!("python3 has no plistlib: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.plist");
    ok(&run(&[s(&sample()), "-p", "-o", s(&path), "-q"]));
    let script = "import plistlib,sys\n\
        d = plistlib.load(open(sys.argv[1], 'rb'))\n\
        f = d['frames']\n\
        print(len(f), d['summary']['frames'], f[0]['time'].isoformat(), f[0]['time_epoch'], \
        f[-1]['error']['layer'], d['summary']['by_protocol']['TCP'])";
    let out = Command::new("python3")
        .args(["-c", script, s(&path)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&run(&[s(&sample()), "-j"]).stdout).unwrap();
    let expected = format!(
        "18 18 {} {} {} {}\n",
        &json["frames"][0]["time"].as_str().unwrap()[..19],
        json["frames"][0]["time_epoch"].as_str().unwrap(),
        json["frames"][17]["error"]["layer"].as_str().unwrap(),
        json["summary"]["by_protocol"]["TCP"],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

/// Every frame of a capture: (number, time, len, bytes).
fn frames_of(path: &Path) -> Vec<(u64, Option<Timestamp>, u32, Vec<u8>)> {
    let mut reader = CaptureReader::open(path).unwrap();
    let mut frames = Vec::new();
    while let Some(raw) = reader.next_frame() {
        frames.push((raw.number, raw.timestamp, raw.len, raw.data.to_vec()));
    }
    assert!(reader.stopped_early().is_none());
    frames
}

#[test]
fn pcap_output_of_a_pcap_is_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copy.pcap");
    // -P changes the dissection, never the bytes.
    ok(&run(&[s(&sample()), "-o", s(&out), "-P", "ipv4", "-q"]));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(sample()).unwrap()
    );
    assert_eq!(frames_of(&out).len(), 18);
}

#[test]
fn pcap_output_keeps_nanoseconds_and_link_type() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ns.pcap");
    let file = std::fs::File::create(&input).unwrap();
    let mut writer = PcapWriter::new(file, LinkType::LINUX_SLL, 1000, true).unwrap();
    for (i, frame) in sample_conversation().iter().enumerate() {
        let ts = Timestamp::new(1_700_000_000 + i as i64, 123_456_789);
        let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        sll.extend_from_slice(&frame.data[12..]);
        writer.write_frame(ts, frame.orig_len + 2, &sll).unwrap();
    }
    drop(writer);
    let out = dir.path().join("out");
    ok(&run(&[
        s(&input),
        "-f",
        "pcap",
        "-a",
        "-o",
        s(&out),
        "-L",
        "link",
        "-q",
    ]));
    let written = dir.path().join("out.pcap");
    assert_eq!(
        std::fs::read(&written).unwrap(),
        std::fs::read(&input).unwrap()
    );
    let frames = frames_of(&written);
    assert_eq!(frames, frames_of(&input));
    assert_eq!(
        frames[3].1,
        Some(Timestamp::new(1_700_000_003, 123_456_789))
    );
}

#[test]
fn pcap_output_of_a_pcapng_is_a_ns_pcap_of_the_same_frames() {
    let ng = common::Ng::new(false)
        .idb(1, 0, &[common::Ng::tsresol(9)])
        .epb(
            0,
            1_700_000_000_123_456_789,
            80,
            &common::pattern(60, 1),
            &[],
        )
        .epb(
            0,
            1_700_000_001_000_000_001,
            60,
            &common::pattern(60, 2),
            &[],
        );
    let input = common::temp_file(&ng.bytes());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.pcap");
    ok(&run(&[s(input.path()), "-o", s(&out), "-q"]));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..4], &0xa1b2_3c4du32.to_le_bytes());
    assert_eq!(&bytes[20..24], &1u32.to_le_bytes());
    let frames = frames_of(&out);
    assert_eq!(frames.len(), 2);
    assert_eq!(
        frames[0].1,
        Some(Timestamp::new(1_700_000_000, 123_456_789))
    );
    assert_eq!(frames[0].2, 80);
    assert_eq!(frames[1].3, common::pattern(60, 2));

    // Two interfaces of different link types: refused, nothing left behind.
    let mixed = common::Ng::new(false)
        .idb(1, 0, &[])
        .idb(101, 0, &[])
        .epb(0, 1, 60, &common::pattern(60, 1), &[])
        .epb(1, 2, 20, &common::pattern(20, 2), &[]);
    let input = common::temp_file(&mixed.bytes());
    let out = dir.path().join("mixed.pcap");
    let result = run(&[s(input.path()), "-o", s(&out), "-q"]);
    assert_eq!(result.status.code(), Some(1));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("frame 2 has link type RAW"), "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn tree_of_the_sample_matches_the_golden_file() {
    let out = run(&[s(&sample()), "-t"]);
    ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample.tree.txt");
    if std::env::var_os("PCAPKIT_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).expect("tests/golden/sample.tree.txt");
    assert_eq!(
        text, expected,
        "tree output changed: if on purpose, PCAPKIT_BLESS=1 cargo test --test formats"
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "line over 80 columns: {line}");
    }
}

#[test]
fn tree_of_a_frame_cut_by_the_snap_length_shows_its_layers_and_the_error() {
    let json: Value = serde_json::from_slice(&run(&[s(&sample()), "-j"]).stdout).unwrap();
    let last = &json["frames"][17];
    assert!(last["cap_len"].as_u64() < last["len"].as_u64());
    let out = run(&[s(&sample()), "-f", "tree"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let block = text.split("\n\n").nth(17).unwrap();
    assert!(block.starts_with(&format!(
        "Frame 18: {} bytes on wire, {} captured\n",
        last["len"], last["cap_len"]
    )));
    for layer in last["layers"].as_array().unwrap() {
        let name = layer["protocol"].as_str().unwrap();
        assert!(
            block.contains(&format!("\n  {name}\n")),
            "{name} in {block}"
        );
    }
    let error = &last["error"];
    assert!(block.contains(&format!(
        "\n  error: {} at offset {}: {}",
        error["layer"].as_str().unwrap(),
        error["offset"],
        error["reason"].as_str().unwrap()
    )));
}

#[test]
fn tree_spells_out_names_numbers_and_flags() {
    let text = String::from_utf8(run(&[s(&sample()), "-t"]).stdout).unwrap();
    assert!(text.contains("\n    type: IPv4 (0x0800)\n"));
    assert!(text.contains("\n    proto: TCP (6)\n"));
    assert!(text.contains("\n    flags: 0x002 (SYN)\n"));
    assert!(text.contains("\n    df: set\n"));
    assert!(
        text.contains("\n      - kind: MSS, value: 1460\n"),
        "{text}"
    );
    assert!(text.contains("\n      - Host: "));
    assert!(text.contains("\nSummary\n    frames: 18\n"));
}

/// A 100-frame capture: the sample conversation repeated.
fn hundred_frames(dir: &Path) -> PathBuf {
    let path = dir.join("hundred.pcap");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = PcapWriter::new(file, LinkType::ETHERNET, 65535, false).unwrap();
    let frames = sample_conversation();
    for frame in frames.iter().cycle().take(100) {
        writer
            .write_frame(frame.timestamp, frame.orig_len, &frame.data)
            .unwrap();
    }
    path
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
}

#[test]
fn files_writes_one_parseable_file_per_frame() {
    let dir = tempfile::tempdir().unwrap();
    let input = hundred_frames(dir.path());
    let json_dir = dir.path().join("json/nested");
    ok(&run(&[s(&input), "-F", "-j", "-o", s(&json_dir), "-q"]));
    let files = files_in(&json_dir);
    assert_eq!(files.len(), 100);
    assert_eq!(files[0].file_name().unwrap(), "frame-000001.json");
    assert_eq!(files[99].file_name().unwrap(), "frame-000100.json");
    for (i, file) in files.iter().enumerate() {
        let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        assert_eq!(doc["frames"].as_array().unwrap().len(), 1);
        assert_eq!(doc["frames"][0]["number"], Value::from(i + 1));
        assert_eq!(doc["summary"]["frames"], Value::from(1));
    }

    let plist_dir = dir.path().join("plist");
    ok(&run(&[s(&input), "-F", "-p", "-o", s(&plist_dir), "-q"]));
    let files = files_in(&plist_dir);
    assert_eq!(files.len(), 100);
    for file in &files {
        let doc = plist::Value::from_file(file).unwrap();
        assert_eq!(
            doc.as_dictionary().unwrap()["frames"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    let pcap_dir = dir.path().join("pcap");
    ok(&run(&[
        s(&input),
        "-F",
        "-f",
        "pcap",
        "-o",
        s(&pcap_dir),
        "-q",
    ]));
    let files = files_in(&pcap_dir);
    assert_eq!(files.len(), 100);
    let all = frames_of(&input);
    for (file, original) in files.iter().zip(&all) {
        let one = frames_of(file);
        assert_eq!(one.len(), 1);
        assert_eq!(
            (one[0].1, one[0].2, &one[0].3),
            (original.1, original.2, &original.3)
        );
    }

    let tree_dir = dir.path().join("tree");
    ok(&run(&[s(&input), "-F", "-t", "-o", s(&tree_dir), "-q"]));
    let files = files_in(&tree_dir);
    assert_eq!(files.len(), 100);
    let text = std::fs::read_to_string(&files[41]).unwrap();
    assert!(text.starts_with("Frame 42: "), "{text}");
}

#[test]
fn naming_rules() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    // The extension names the format.
    for (name, head) in [
        ("a.plist", &b"<?xml"[..]),
        ("a.txt", b"Frame 1: "),
        ("a.pcap", &0xa1b2_c3d4u32.to_le_bytes()[..]),
        ("a.jsonl", b"{\"number\":1,"),
    ] {
        ok(&run(&[s(&sample()), "-o", s(&p(name)), "-q"]));
        assert!(std::fs::read(p(name)).unwrap().starts_with(head), "{name}");
    }
    // -a appends the format's extension.
    ok(&run(&[s(&sample()), "-t", "-a", "-o", s(&p("view")), "-q"]));
    assert!(p("view.txt").is_file());
    ok(&run(&[s(&sample()), "-p", "-a", "-o", s(&p("doc")), "-q"]));
    assert!(p("doc.plist").is_file());

    // Usage errors: exit 2, one line, nothing written. (`-p` and `-f pcap` without `-o` go
    // to stdout when it is not a terminal: tests/output_safety.rs.)
    for args in [
        vec!["-o", s(&p("noext"))],
        vec!["-F", "-j"],
        vec!["-F", "-o", s(&p("dir"))],
        vec!["-o", s(&p("x.pcapng"))],
        vec!["-f", "yaml", "-o", s(&p("y.json"))],
        vec!["-j", "-t"],
    ] {
        let input = sample();
        let mut all = vec![s(&input)];
        all.extend(args.iter().copied());
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.trim().is_empty(), "{args:?}");
    }
    assert!(!p("noext").exists() && !p("dir").exists() && !p("x.pcapng").exists());

    // A missing folder: exit 1 and a message, no file.
    let missing = dir.path().join("nope/r.plist");
    let out = run(&[s(&sample()), "-o", s(&missing)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    assert!(!dir.path().join("nope").exists());
}

#[test]
fn a_full_disk_is_exit_1_with_a_message() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("no /dev/full: skipped");
        return;
    };
    let result = pcapkit()
        .args([s(&sample()), "-f", "tree"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("pcapkit: "));
}

#[test]
fn library_writes_one_file_per_frame_and_plist_reports_a_damaged_tail() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("frames");
    let done = pcapkit::Extractor::open(sample())
        .unwrap()
        .write_files(pcapkit::dump::Format::Ndjson, &folder)
        .unwrap();
    let files = files_in(&folder);
    assert_eq!(files.len() as u64, done.summary.frames);
    let line = std::fs::read_to_string(&files[2]).unwrap();
    assert_eq!(line.lines().count(), 1);
    let frame: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(frame["number"], Value::from(3));

    // A capture cut inside its last record: the plist says where reading stopped.
    let mut bytes = std::fs::read(sample()).unwrap();
    bytes.truncate(bytes.len() - 5);
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &bytes).unwrap();
    let out = dir.path().join("cut.plist");
    ok(&run(&[s(&cut), "-o", s(&out), "-q"]));
    let doc = plist::Value::from_file(&out).unwrap();
    let dict = doc.as_dictionary().unwrap();
    let keys: Vec<&str> = dict.keys().map(String::as_str).collect();
    assert_eq!(keys, ["file", "frames", "summary", "stopped_early"]);
    assert_eq!(dict["frames"].as_array().unwrap().len(), 17);
    let stopped = dict["stopped_early"].as_dictionary().unwrap();
    assert!(stopped["offset"].as_unsigned_integer().unwrap() > 24);
}

#[test]
fn every_truncation_and_corruption_of_the_sample_renders_and_parses() {
    use pcapkit::capture::{CaptureInfo, RawFrame};
    use pcapkit::dump::{Dumper, PlistDumper, TreeDumper};
    use pcapkit::engine::native::NativeDissector;
    use pcapkit::engine::{DissectOptions, Dissector, FrameSink};

    let info = CaptureInfo {
        path: "synthetic".into(),
        format: "pcap",
        version: "2.4".into(),
        byte_order: "little",
        ts_resolution: Some("us"),
        snaplen: Some(65535),
        link_type: Some(LinkType::ETHERNET),
    };
    let mut plist_out = Vec::new();
    let mut tree_out = Vec::new();
    let mut plist = PlistDumper::new(&mut plist_out);
    let mut tree = TreeDumper::new(&mut tree_out);
    plist.begin(&info).unwrap();
    tree.begin(&info).unwrap();
    let mut summary = pcapkit::model::Summary::default();
    let mut number = 0;
    let mut seed = 0x2545_f491_u32;
    for synth in sample_conversation() {
        let mut variants: Vec<Vec<u8>> = (0..=synth.data.len())
            .map(|n| synth.data[..n].to_vec())
            .collect();
        for _ in 0..20 {
            let mut bytes = synth.data.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                if !bytes.is_empty() {
                    let at = seed as usize % bytes.len();
                    bytes[at] = (seed >> 24) as u8;
                }
            }
            variants.push(bytes);
        }
        for data in &variants {
            number += 1;
            let raw = RawFrame {
                number,
                timestamp: Some(synth.timestamp),
                len: synth.orig_len,
                link_type: LinkType::ETHERNET,
                interface: None,
                data,
            };
            let frame = NativeDissector.dissect(&raw, &DissectOptions::default());
            summary.add(&frame);
            plist.frame(&raw, &frame).unwrap();
            tree.frame(&raw, &frame).unwrap();
        }
    }
    plist.finish(&summary, None).unwrap();
    tree.finish(&summary, None).unwrap();
    let doc = plist::Value::from_reader_xml(std::io::Cursor::new(&plist_out)).unwrap();
    let frames = doc.as_dictionary().unwrap()["frames"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(frames as u64, number);
    let text = String::from_utf8(tree_out).unwrap();
    assert_eq!(
        text.matches("\nFrame ").count() as u64 + 1,
        number,
        "one block per frame"
    );
}
