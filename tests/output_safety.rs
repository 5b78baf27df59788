//! Output safety of the `pcapkit` command: devices, FIFOs, symlinks and `/dev/std*` are written
//! through, never replaced; the input is never an output; an interrupted or failed run leaves
//! no temporary file and no damaged report; stdin without INPUT; binary formats into a pipe.
//!
//! Every child process runs under a watchdog ([`finish`]): a test fails, never hangs.

mod common;

use pcapkit::capture::PcapWriter;
use pcapkit::model::LinkType;
use pcapkit::synth::{SynthFrame, sample_conversation};
use serde_json::Value;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long any child may run before the watchdog kills it.
const WATCHDOG: Duration = Duration::from_secs(60);

fn pcapkit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcapkit"))
}

fn capture_bytes(frames: &[SynthFrame]) -> Vec<u8> {
    let mut writer = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535, false).unwrap();
    for frame in frames {
        writer
            .write_frame(frame.timestamp, frame.orig_len, &frame.data)
            .unwrap();
    }
    writer.into_inner()
}

/// The sample conversation repeated to `n` frames.
fn many_frames(n: usize) -> Vec<SynthFrame> {
    sample_conversation().into_iter().cycle().take(n).collect()
}

/// A temporary folder holding the sample conversation as `sample.pcap`.
fn sample_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.pcap");
    fs::write(&path, capture_bytes(&sample_conversation())).unwrap();
    (dir, path)
}

/// What a finished child left: exit code, stdout, stderr.
struct Done {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// Waits for `child` (spawned with piped stdout and stderr) at most [`WATCHDOG`]; kills it
/// and fails the test past that.
fn finish(mut child: Child) -> Done {
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out = thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut bytes);
        }
        bytes
    });
    let err = thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut text);
        }
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("watchdog: child still running after {WATCHDOG:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    Done {
        code: status.code(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Spawns `command` with piped stdout and stderr.
fn spawn(command: &mut Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Runs pcapkit with `args`, stdin empty, under the watchdog.
fn run(args: &[&str]) -> Done {
    finish(spawn(pcapkit().args(args).stdin(Stdio::null())))
}

/// Names in `dir` that look like temporary report files.
fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

fn json_frames(bytes: &[u8]) -> usize {
    let doc: Value = serde_json::from_slice(bytes).expect("a JSON document");
    doc["frames"].as_array().expect("frames").len()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// A character device like `/dev/NAME` (major 1, `minor`) to write to. As root, a private
/// node made with `mknod` in `dir`: a regressed build must never get to replace the machine's
/// own `/dev/null` (root may rename over it). Otherwise `/dev/NAME` itself, which a non-root
/// process cannot replace.
fn char_device(dir: &Path, name: &str, minor: u32) -> PathBuf {
    let node = dir.join(name);
    let made = Command::new("mknod")
        .arg(&node)
        .args(["-m", "666", "c", "1", &minor.to_string()])
        .output()
        .expect("mknod");
    if made.status.success() {
        return node;
    }
    println!(
        "note: mknod failed ({}): writing to /dev/{name} itself",
        String::from_utf8_lossy(&made.stderr).trim()
    );
    PathBuf::from("/dev").join(name)
}

#[test]
fn null_and_full_devices_stay_devices() {
    let (dir, path) = sample_dir();
    let p = path.to_str().unwrap();
    let null = char_device(dir.path(), "null", 3);
    let full = char_device(dir.path(), "full", 7);
    let n = null.to_str().unwrap();
    let done = run(&[p, "-o", n]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let done = run(&[p, "-j", "-o", n]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(fs::metadata(&null).unwrap().file_type().is_char_device());
    // A full disk is a write error, exit 1, and the device is still a device.
    let done = run(&[p, "-j", "-o", full.to_str().unwrap()]);
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    assert!(done.stderr.contains("No space left"), "{}", done.stderr);
    assert!(fs::metadata(&full).unwrap().file_type().is_char_device());
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn descriptor_paths_are_our_stdout() {
    // `/proc/self/fd/1` and a private link to it, not `/dev/stdout` itself: a regressed build
    // running as root must not get to rename a file over the machine's `/dev/stdout`.
    let (dir, path) = sample_dir();
    let link = dir.path().join("stdout");
    symlink("/proc/self/fd/1", &link).unwrap();
    for output in [Path::new("/proc/self/fd/1"), &link] {
        let done = run(&[path.to_str().unwrap(), "-j", "-o", output.to_str().unwrap()]);
        assert_eq!(done.code, Some(0), "{}", done.stderr);
        assert_eq!(json_frames(&done.stdout), sample_conversation().len());
    }
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
}

#[test]
fn a_fifo_reader_receives_the_whole_report() {
    let (dir, path) = sample_dir();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = spawn(Command::new("cat").arg(&fifo));
    let done = run(&[path.to_str().unwrap(), "-j", "-o", fifo.to_str().unwrap()]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let read = finish(reader);
    assert_eq!(json_frames(&read.stdout), sample_conversation().len());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn a_symlink_is_written_through_to_its_target() {
    let (dir, path) = sample_dir();
    fs::create_dir(dir.path().join("reports")).unwrap();
    let target = dir.path().join("reports/r.json");
    fs::write(&target, b"old report").unwrap();
    let link = dir.path().join("link.json");
    symlink("reports/r.json", &link).unwrap();
    let done = run(&[path.to_str().unwrap(), "-o", link.to_str().unwrap()]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(
        json_frames(&fs::read(&target).unwrap()),
        sample_conversation().len()
    );
    // A dangling link: its target is created.
    let dangling = dir.path().join("dangling.json");
    symlink("reports/new.json", &dangling).unwrap();
    let done = run(&[path.to_str().unwrap(), "-o", dangling.to_str().unwrap()]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(fs::symlink_metadata(&dangling).unwrap().is_symlink());
    assert!(dir.path().join("reports/new.json").is_file());
    assert!(temporaries(dir.path()).is_empty());
    assert!(temporaries(&dir.path().join("reports")).is_empty());
}

#[test]
fn per_frame_files_go_through_a_symlinked_folder() {
    let (dir, path) = sample_dir();
    let real = dir.path().join("real");
    fs::create_dir(&real).unwrap();
    let link = dir.path().join("frames");
    symlink(&real, &link).unwrap();
    let done = run(&[
        path.to_str().unwrap(),
        "-F",
        "-j",
        "-o",
        link.to_str().unwrap(),
    ]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    let count = fs::read_dir(&real).unwrap().count();
    assert_eq!(count, sample_conversation().len());
    assert!(temporaries(&real).is_empty());
}

#[test]
fn the_input_is_refused_as_output_and_left_unchanged() {
    let (dir, path) = sample_dir();
    let original = fs::read(&path).unwrap();
    let hard = dir.path().join("hard.pcap");
    fs::hard_link(&path, &hard).unwrap();
    let soft = dir.path().join("soft.json");
    symlink(&path, &soft).unwrap();
    let p = path.to_str().unwrap();
    for output in [p, hard.to_str().unwrap(), soft.to_str().unwrap()] {
        let done = run(&[p, "-j", "-o", output]);
        assert_eq!(done.code, Some(2), "{output}: {}", done.stderr);
        assert!(done.stderr.contains("is the input"), "{}", done.stderr);
        assert_eq!(done.stderr.trim_end().lines().count(), 1, "{}", done.stderr);
    }
    // Through stdin, and as a redirected stdout.
    let child = spawn(
        pcapkit()
            .args(["-j", "-o", p])
            .stdin(fs::File::open(&path).unwrap()),
    );
    assert_eq!(finish(child).code, Some(2));
    let append = fs::OpenOptions::new().append(true).open(&path).unwrap();
    let child = pcapkit()
        .arg(p)
        .stdout(append)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let done = finish(child);
    assert_eq!(done.code, Some(2), "{}", done.stderr);
    assert_eq!(fs::read(&path).unwrap(), original);
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn a_failed_run_leaves_an_existing_report_byte_identical() {
    let (dir, _sample) = sample_dir();
    let report = dir.path().join("report.pcap");
    let old = b"an earlier report, not to be damaged".to_vec();
    fs::write(&report, &old).unwrap();
    // Two interfaces of different link types cannot be one classic pcap: fails mid-run.
    let frame = &sample_conversation()[0].data;
    let mixed = common::Ng::new(false)
        .idb(1, 0, &[])
        .idb(101, 0, &[])
        .epb(0, 0, frame.len() as u32, frame, &[])
        .epb(1, 0, 20, &[0x45; 20], &[])
        .bytes();
    let input = dir.path().join("mixed.pcapng");
    fs::write(&input, mixed).unwrap();
    let r = report.to_str().unwrap();
    let done = run(&[input.to_str().unwrap(), "-o", r]);
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    assert_eq!(fs::read(&report).unwrap(), old);
    // An unreadable input, and a report bigger than the file size limit allows (EFBIG,
    // as a full disk would fail).
    let garbage = dir.path().join("garbage.pcap");
    fs::write(&garbage, b"not a capture").unwrap();
    assert_eq!(run(&[garbage.to_str().unwrap(), "-o", r]).code, Some(1));
    let big = common::temp_file(&capture_bytes(&many_frames(2000)));
    let script = format!(
        "ulimit -f 4; trap '' XFSZ; exec '{}' '{}' -f json -o '{r}'",
        env!("CARGO_BIN_EXE_pcapkit"),
        big.path().display()
    );
    let done = finish(spawn(Command::new("sh").args(["-c", &script])));
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    assert_eq!(fs::read(&report).unwrap(), old);
    assert!(temporaries(dir.path()).is_empty());
}

/// Starts pcapkit reading a stalled stdin (a capture header and frames, then nothing) into
/// `report`, waits until its temporary file exists, sends `signal` and returns what it left.
fn interrupted(signal: &str) -> (Done, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.ndjson");
    let mut child = spawn(
        pcapkit()
            .args(["-o", report.to_str().unwrap()])
            .stdin(Stdio::piped()),
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&capture_bytes(&many_frames(5000))).unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    while temporaries(dir.path()).is_empty() {
        assert!(start.elapsed() < WATCHDOG, "no temporary file appeared");
        thread::sleep(Duration::from_millis(10));
    }
    // Let it write some of the frames it has, then interrupt it while it waits for more.
    thread::sleep(Duration::from_millis(200));
    let pid = child.id().to_string();
    let kill = Command::new("kill").args([signal, &pid]).status().unwrap();
    assert!(kill.success());
    let done = finish(child);
    drop(stdin);
    (done, dir, report)
}

#[test]
fn sigint_and_sigterm_remove_the_temporary_file() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let (done, dir, report) = interrupted(signal);
        assert_eq!(done.code, Some(code), "{signal}: {}", done.stderr);
        assert!(temporaries(dir.path()).is_empty(), "{signal}");
        assert!(!report.exists(), "{signal}: no report under the final name");
    }
}

#[test]
fn stdin_is_read_without_input() {
    let (_dir, path) = sample_dir();
    let mut child = spawn(pcapkit().stdin(Stdio::piped()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&fs::read(&path).unwrap())
        .unwrap();
    let done = finish(child);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let lines = String::from_utf8(done.stdout).unwrap().lines().count();
    assert_eq!(lines, sample_conversation().len());
}

#[test]
fn no_input_on_a_terminal_is_a_usage_error() {
    // `script` gives the command a pseudo-terminal as stdin.
    let command = format!("'{}' -q", env!("CARGO_BIN_EXE_pcapkit"));
    let Ok(child) = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        println!("SKIPPED no_input_on_a_terminal_is_a_usage_error: `script` is not installed");
        return;
    };
    let done = finish(child);
    assert_eq!(
        done.code,
        Some(2),
        "{}",
        String::from_utf8_lossy(&done.stdout)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("no INPUT"));
}

#[test]
fn pcap_and_plist_go_into_a_pipe() {
    let (_dir, path) = sample_dir();
    let done = run(&[path.to_str().unwrap(), "-f", "pcap"]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    // The sample is a little-endian µs pcap: written back byte for byte.
    assert_eq!(done.stdout, fs::read(&path).unwrap());
    let mut child = spawn(pcapkit().args(["-", "-j"]).stdin(Stdio::piped()));
    child.stdin.take().unwrap().write_all(&done.stdout).unwrap();
    let back = finish(child);
    assert_eq!(json_frames(&back.stdout), sample_conversation().len());
    let done = run(&[path.to_str().unwrap(), "-p"]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    plist::Value::from_reader_xml(&done.stdout[..]).expect("a plist document");
}
