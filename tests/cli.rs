//! Runs the built `pcapkit` binary: formats, stdin, exit codes, messages, -P/-L, output files.

mod common;

use pcapkit::capture::PcapWriter;
use pcapkit::model::LinkType;
use pcapkit::synth::{SynthFrame, sample_conversation};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn pcapkit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcapkit"))
}

fn run(args: &[&str]) -> Output {
    pcapkit().args(args).output().expect("run pcapkit")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_capture(path: &Path, frames: &[SynthFrame]) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = PcapWriter::new(file, LinkType::ETHERNET, 65535, false).unwrap();
    for frame in frames {
        writer
            .write_frame(frame.timestamp, frame.orig_len, &frame.data)
            .unwrap();
    }
}

/// A temporary folder holding the sample conversation as `sample.pcap`.
fn sample_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.pcap");
    write_capture(&path, &sample_conversation());
    (dir, path)
}

fn ndjson_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

#[test]
fn committed_sample_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("sample.pcap");
    write_capture(&fresh, &sample_conversation());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/sample.pcap");
    assert_eq!(
        std::fs::read(committed).unwrap(),
        std::fs::read(fresh).unwrap(),
        "samples/sample.pcap is stale: run `cargo run --example make_sample`"
    );
}

#[test]
fn ndjson_on_stdout_by_default_when_piped() {
    let (_dir, path) = sample_dir();
    let out = run(&[path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let frames = ndjson_lines(&out.stdout);
    assert_eq!(frames.len(), sample_conversation().len());
    assert_eq!(frames[0]["number"], 1);
    assert_eq!(frames[0]["protocols"], "Ethernet:ARP");
    assert_eq!(frames[0]["link_type"], "ETHERNET");
    assert_eq!(frames[0]["time"], "2023-11-14T22:13:20.000123000Z");
    assert_eq!(frames[0]["time_epoch"], "1700000000.000123000");
    assert_eq!(frames[6]["protocols"], "Ethernet:IPv4:TCP:HTTP");
    assert_eq!(frames[6]["layers"][3]["method"], "GET");
    assert_eq!(frames[6]["layers"][3]["target"], "/index.html");
    assert_eq!(frames[7]["protocols"], "Ethernet:IPv4:TCP:HTTP");
    assert_eq!(frames[7]["layers"][3]["status"], 200);
    // The second response segment continues the body: not HTTP.
    assert_eq!(frames[8]["protocols"], "Ethernet:IPv4:TCP:Raw");
    let last = frames.last().unwrap();
    // The TCP header cut by the snap length: a partial layer.
    assert_eq!(last["protocols"], "Ethernet:IPv6:TCP");
    assert_eq!(last["layers"][2]["truncated"], true);
    assert_eq!(last["error"]["layer"], "TCP");
    assert_eq!(last["error"]["offset"], 54);
    assert!(last.get("interface").is_none());
}

#[test]
fn dash_output_is_stdout_and_creates_no_file() {
    let (dir, path) = sample_dir();
    let out = pcapkit()
        .current_dir(dir.path())
        .args([path.to_str().unwrap(), "-f", "ndjson", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ndjson_lines(&out.stdout).len(), sample_conversation().len());
    assert!(
        !dir.path().join("-").exists(),
        "`-o -` wrote a file named '-'"
    );
}

#[test]
fn json_document_has_file_frames_and_summary() {
    let (_dir, path) = sample_dir();
    let out = run(&[path.to_str().unwrap(), "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let count = sample_conversation().len();
    assert_eq!(doc["file"]["format"], "pcap");
    assert_eq!(doc["file"]["link_type"], "ETHERNET");
    assert_eq!(doc["frames"].as_array().unwrap().len(), count);
    assert_eq!(doc["summary"]["frames"], count);
    assert_eq!(doc["summary"]["malformed"], 1);
    assert_eq!(doc["summary"]["by_protocol"]["ARP"], 2);
    assert_eq!(doc["summary"]["by_protocol"]["HTTP"], 2);
    // -j is the same as -f json.
    let short = run(&[path.to_str().unwrap(), "-j"]);
    assert_eq!(short.stdout, out.stdout);
}

#[test]
fn reads_stdin_and_appends_pcap_to_missing_names() {
    let (dir, path) = sample_dir();
    let mut child = pcapkit()
        .args(["-", "-f", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(ndjson_lines(&out.stdout).len(), sample_conversation().len());

    let bare = dir.path().join("sample");
    let out = run(&[bare.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ndjson_lines(&out.stdout).len(), sample_conversation().len());
}

#[test]
fn protocol_and_layer_stops_really_stop() {
    let (_dir, path) = sample_dir();
    let out = run(&[path.to_str().unwrap(), "-P", "ipv4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut ipv4_frames = 0;
    for frame in ndjson_lines(&out.stdout) {
        let chain = frame["protocols"].as_str().unwrap();
        if chain.contains("IPv4") {
            ipv4_frames += 1;
            assert!(
                chain == "Ethernet:IPv4:Raw" || chain == "Ethernet:VLAN:IPv4:Raw",
                "{chain}"
            );
        }
    }
    assert_eq!(ipv4_frames, 13);
    let out = run(&[path.to_str().unwrap(), "-L", "link"]);
    let chains: Vec<String> = ndjson_lines(&out.stdout)
        .iter()
        .map(|f| f["protocols"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(chains[0], "Ethernet:ARP");
    assert_eq!(chains[3], "Ethernet:Raw");
    let out = run(&[path.to_str().unwrap(), "-L", "trans"]);
    let frames = ndjson_lines(&out.stdout);
    assert_eq!(frames[6]["protocols"], "Ethernet:IPv4:TCP:Raw");
    let out = run(&[path.to_str().unwrap(), "-L", "raw"]);
    assert_eq!(ndjson_lines(&out.stdout)[0]["protocols"], "Raw");
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let (_dir, path) = sample_dir();
    let p = path.to_str().unwrap();
    for args in [
        vec![p, "-f", "yaml"],
        vec![p, "-E", "dpkt"],
        vec![p, "-P", "nosuch"],
        vec![p, "-L", "session"],
        vec![p, "-o", "report.unknown"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("pcapkit: "), "{err}");
    }
    // No INPUT reads stdin when it is not a terminal (here empty: unreadable, exit 1); on a
    // terminal it is a usage error (tests/output_safety.rs).
    let no_input = run(&[]);
    assert_eq!(no_input.status.code(), Some(1), "{}", stderr(&no_input));
    assert!(
        stderr(&no_input).contains("empty file"),
        "{}",
        stderr(&no_input)
    );
    let err = stderr(&run(&[p, "-E", "dpkt"]));
    assert!(err.contains("native"), "lists the valid engines: {err}");
}

#[test]
fn unreadable_input_exits_1_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let out = run(&[missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1);

    let garbage = dir.path().join("garbage.pcap");
    std::fs::write(&garbage, b"\x7fELF this is not a capture at all").unwrap();
    let out = run(&[garbage.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("garbage.pcap"), "{err}");

    let empty = dir.path().join("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(run(&[empty.to_str().unwrap()]).status.code(), Some(1));
}

#[test]
fn truncated_file_keeps_complete_frames_and_warns() {
    let (dir, path) = sample_dir();
    let mut bytes = std::fs::read(&path).unwrap();
    let full = bytes.len();
    bytes.truncate(full - 10);
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &bytes).unwrap();
    let out = run(&[cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        ndjson_lines(&out.stdout).len(),
        sample_conversation().len() - 1
    );
    let err = stderr(&out);
    assert!(err.contains("warning") && err.contains("byte"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn output_files_format_from_extension_and_auto_extension() {
    let (dir, path) = sample_dir();
    let p = path.to_str().unwrap();
    let json = dir.path().join("report.json");
    let out = run(&[p, "-o", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["summary"]["frames"], sample_conversation().len());

    let bare = dir.path().join("report");
    let out = run(&[p, "-o", bare.to_str().unwrap(), "-f", "ndjson", "-a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("report.ndjson")).unwrap();
    assert_eq!(text.lines().count(), sample_conversation().len());
    // No temporary files are left beside the reports.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn unwritable_output_exits_1_and_leaves_nothing() {
    let (dir, path) = sample_dir();
    let target = dir.path().join("no-such-folder").join("report.json");
    let out = run(&[path.to_str().unwrap(), "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    assert!(!target.exists());
}

#[test]
fn verbose_lists_frames_on_stderr() {
    let (_dir, path) = sample_dir();
    let out = run(&[path.to_str().unwrap(), "-v", "-q"]);
    let err = stderr(&out);
    assert!(err.starts_with(" - Frame 1: Ethernet:ARP\n"), "{err}");
    assert_eq!(err.lines().count(), sample_conversation().len());
}

#[test]
fn closed_pipe_is_a_normal_exit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.pcap");
    let frames: Vec<SynthFrame> = sample_conversation()
        .into_iter()
        .cycle()
        .take(20_000)
        .collect();
    write_capture(&path, &frames);
    common::assert_quiet_after_closed_stdout(pcapkit().arg(&path), 100);
}

#[test]
fn engines_are_listed() {
    let out = run(&["--engines"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("native"));
}
