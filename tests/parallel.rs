//! The parallel engines (`server`, `pipeline`) against `native`: byte-identical reports for
//! every format, thread count, `-P`/`-L` setting and capture; the same exit codes and messages
//! for empty, tiny and truncated inputs, closed pipes, full disks and interrupts; no hang
//! (every child process runs under a watchdog).

mod common;

use pcapkit::capture::{CaptureReader, PcapWriter, RawFrame, StoppedEarly};
use pcapkit::dump::{Dumper, Format, FrameEncoder};
use pcapkit::engine::{EngineKind, FrameSink, Stop};
use pcapkit::model::{Frame, Level, LinkType, ProtoId, Summary};
use pcapkit::pipeline::{Record, Stage};
use pcapkit::reassembly::ReassemblyOptions;
use pcapkit::trace::TraceOptions;
use pcapkit::{Extractor, synth};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// How long a child may run before the watchdog kills it and fails the test.
const WATCHDOG: Duration = Duration::from_secs(60);

/// The parallel engines with the thread counts each is checked at.
const PARALLEL: &[(EngineKind, usize)] = &[
    (EngineKind::Server, 1),
    (EngineKind::Server, 2),
    (EngineKind::Server, 3),
    (EngineKind::Server, 8),
    // `pipeline` runs its two stages on two threads from 2 on (1: on the calling thread, which
    // the CLI tests below cover).
    (EngineKind::Pipeline, 2),
];

fn pcapkit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcapkit"))
}

/// Waits for `child` (collecting its output) under the watchdog; kills it and panics if it
/// hangs.
fn wait(child: Child, what: &str) -> Output {
    let pid = child.id().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(output) => output.expect("collect output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("{what}: no exit after {WATCHDOG:?} (hang)");
        }
    }
}

/// Runs pcapkit with `args` (stdout and stderr captured) under the watchdog.
fn run(args: &[&str]) -> Output {
    let child = pcapkit()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pcapkit");
    wait(child, &args.join(" "))
}

/// The captures of `../shared/captures` (the policy of [`common::shared_captures`] when the
/// folder is absent).
fn shared_captures() -> Vec<PathBuf> {
    let Some(dir) = common::shared_captures() else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the shared captures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    paths.sort();
    paths
}

/// A pcap of the sample conversation repeated to `frames` frames (several batches).
fn synthetic(dir: &Path, frames: usize) -> PathBuf {
    let path = dir.join(format!("synth-{frames}.pcap"));
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = PcapWriter::new(file, LinkType::ETHERNET, 65535, true).unwrap();
    for frame in synth::sample_conversation().iter().cycle().take(frames) {
        writer
            .write_frame(frame.timestamp, frame.orig_len, &frame.data)
            .unwrap();
    }
    path
}

/// The report of `capture` in `format` through the library, with `engine` at `threads`.
fn report(
    capture: &Path,
    format: Format,
    engine: EngineKind,
    threads: usize,
    stop: Option<Stop>,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut dumper = format.dumper(Box::new(&mut out));
    let mut extractor = Extractor::open(capture)
        .map_err(io::Error::other)?
        .engine(engine)
        .threads(threads);
    if let Some(stop) = stop {
        extractor = extractor.stop(stop);
    }
    extractor.run_into(Some(dumper.as_mut()))?;
    drop(dumper);
    Ok(out)
}

/// Checks every format, engine and thread count on `capture` against native.
fn check_identical(capture: &Path, stops: &[Option<Stop>]) {
    for &stop in stops {
        for &format in Format::ALL {
            let native = report(capture, format, EngineKind::Native, 0, stop);
            for &(engine, threads) in PARALLEL {
                let ours = report(capture, format, engine, threads, stop);
                let what = format!(
                    "{} {format} {engine} --threads {threads} {stop:?}",
                    capture.display()
                );
                match (&native, &ours) {
                    (Ok(a), Ok(b)) => assert!(a == b, "{what}: report differs from native"),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
                    _ => panic!(
                        "{what}: native {:?} vs {:?}",
                        native.as_ref().err(),
                        ours.as_ref().err()
                    ),
                }
            }
        }
    }
}

#[test]
fn every_shared_capture_is_byte_identical_in_every_format() {
    for capture in shared_captures() {
        check_identical(&capture, &[None]);
    }
}

#[test]
fn generated_captures_are_byte_identical_with_stops() {
    let dir = tempfile::tempdir().unwrap();
    let stops = [
        None,
        Some(Stop::Protocol(ProtoId::Ipv4)),
        Some(Stop::Protocol(ProtoId::Tcp)),
        Some(Stop::Level(Level::Link)),
        Some(Stop::Level(Level::Trans)),
    ];
    for frames in [0, 1, 2_500] {
        check_identical(&synthetic(dir.path(), frames), &stops);
    }
}

#[test]
fn files_per_frame_are_identical() {
    let dir = tempfile::tempdir().unwrap();
    let capture = synthetic(dir.path(), 1_100);
    for format in [Format::Json, Format::Pcap] {
        let native = dir.path().join(format!("native-{format}"));
        Extractor::open(&capture)
            .unwrap()
            .write_files(format, &native)
            .unwrap();
        for &(engine, threads) in &PARALLEL[..2] {
            let folder = dir.path().join(format!("{engine}-{threads}-{format}"));
            Extractor::open(&capture)
                .unwrap()
                .engine(engine)
                .threads(threads)
                .write_files(format, &folder)
                .unwrap();
            assert!(
                common::folder_files(&native) == common::folder_files(&folder),
                "-F {format} {engine} {threads}"
            );
        }
    }
}

/// Files of a folder: names and contents, in name order ([`common::folder_files`]).
type Listing = Vec<(String, Vec<u8>)>;

/// The report of `capture` in `format` with every reassembler and the trace stage (into
/// `trace`), or its error, and the trace folder's files.
fn staged_report(
    capture: &Path,
    format: Format,
    (engine, threads): (EngineKind, usize),
    trace: &Path,
) -> (Result<Vec<u8>, String>, Listing) {
    let mut out = Vec::new();
    let mut dumper = format.dumper(Box::new(&mut out));
    let (extractor, handle) = Extractor::open(capture)
        .unwrap()
        .engine(engine)
        .threads(threads)
        .reassemble(ReassemblyOptions::default())
        .trace(trace, &TraceOptions::default())
        .unwrap();
    let result = extractor.run_into(Some(dumper.as_mut()));
    drop(dumper);
    handle.result().unwrap();
    (
        result.map(|_| out).map_err(|e| e.to_string()),
        common::folder_files(trace),
    )
}

/// With the stages (reassembly and trace: records between frames, files beside the report),
/// the parallel engines still give native's report (or error) and trace folder byte for
/// byte; `pipeline` runs the stages on its first stage's thread, ahead of the report. The
/// formats are one of each placement of the records (inline, sections).
#[test]
fn reassembly_and_trace_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    // Those that open (the rest are refused before any engine runs: see check_identical).
    let mut captures: Vec<PathBuf> = shared_captures()
        .into_iter()
        .filter(|c| CaptureReader::open(c).is_ok())
        .collect();
    captures.push(synthetic(dir.path(), 2_500));
    let mut records = 0;
    for (n, capture) in captures.iter().enumerate() {
        for format in [Format::Ndjson, Format::Json] {
            let native_dir = dir.path().join(format!("native-{n}-{format}"));
            let native = staged_report(capture, format, (EngineKind::Native, 0), &native_dir);
            if let (Format::Ndjson, Ok(report)) = (format, &native.0) {
                records += report
                    .split(|&b| b == b'\n')
                    .filter(|line| line.starts_with(b"{\"record\""))
                    .count();
            }
            for &(engine, threads) in PARALLEL {
                let ours_dir = dir.path().join(format!("{engine}-{threads}-{n}-{format}"));
                let ours = staged_report(capture, format, (engine, threads), &ours_dir);
                let what = format!(
                    "{} {format} {engine} --threads {threads}",
                    capture.display()
                );
                assert!(ours.0 == native.0, "{what}: report differs from native");
                assert!(
                    ours.1 == native.1,
                    "{what}: trace folder differs from native"
                );
            }
        }
    }
    // The check means something only if the stages emitted records between the frames.
    assert!(records > 100, "{records} stage records");
}

#[test]
fn the_iterator_and_the_cli_give_the_same_frames() {
    let dir = tempfile::tempdir().unwrap();
    let capture = synthetic(dir.path(), 1_500);
    let frames: Vec<String> = Extractor::open(&capture)
        .unwrap()
        .engine(EngineKind::Server)
        .frames()
        .map(|f| serde_json::to_string(&f).unwrap())
        .collect();
    for engine in ["native", "server", "pipeline"] {
        let out = run(&[
            capture.to_str().unwrap(),
            "-q",
            "-E",
            engine,
            "--threads",
            "2",
        ]);
        assert_eq!(out.status.code(), Some(0));
        let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        assert_eq!(lines, frames, "{engine}");
    }
}

/// Runs the CLI with each engine and asserts the same exit code, stdout and stderr.
fn same_as_native(args: &[&str]) -> Output {
    let native = run(&[args, &["-E", "native"]].concat());
    for engine in ["server", "pipeline"] {
        for threads in ["1", "3"] {
            let ours = run(&[args, &["-E", engine, "--threads", threads]].concat());
            let what = format!("{args:?} -E {engine} --threads {threads}");
            assert_eq!(ours.status.code(), native.status.code(), "{what}");
            assert!(ours.stdout == native.stdout, "{what}: stdout differs");
            assert_eq!(
                String::from_utf8_lossy(&ours.stderr),
                String::from_utf8_lossy(&native.stderr),
                "{what}"
            );
        }
    }
    native
}

#[test]
fn empty_tiny_and_truncated_inputs_end_as_with_native() {
    let dir = tempfile::tempdir().unwrap();
    for frames in [0, 1] {
        let capture = synthetic(dir.path(), frames);
        let out = same_as_native(&[capture.to_str().unwrap(), "-q", "-j"]);
        assert_eq!(out.status.code(), Some(0));
    }
    let capture = synthetic(dir.path(), 1_000);
    let mut bytes = std::fs::read(&capture).unwrap();
    bytes.truncate(bytes.len() - 7);
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &bytes).unwrap();
    let out = same_as_native(&[cut.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
    let out = same_as_native(&[cut.to_str().unwrap(), "-q", "-t"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped early"));
}

#[test]
fn a_closed_pipe_is_a_normal_exit_without_hang() {
    let dir = tempfile::tempdir().unwrap();
    let capture = synthetic(dir.path(), 60_000);
    for engine in ["server", "pipeline"] {
        let mut child = pcapkit()
            .args([
                capture.to_str().unwrap(),
                "-q",
                "-E",
                engine,
                "--threads",
                "3",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        common::read_then_close_stdout(&mut child, 100);
        let out = wait(child, engine);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_full_disk_is_exit_1_with_native_message() {
    if !Path::new("/dev/full").exists() {
        eprintln!("no /dev/full: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let capture = synthetic(dir.path(), 20_000);
    let shell = |engine: &str| {
        let script = format!(
            "exec '{}' '{}' -q -E {engine} --threads 2 > /dev/full",
            env!("CARGO_BIN_EXE_pcapkit"),
            capture.display()
        );
        let child = Command::new("sh")
            .args(["-c", &script])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait(child, engine)
    };
    let native = shell("native");
    assert_eq!(native.status.code(), Some(1));
    for engine in ["server", "pipeline"] {
        let ours = shell(engine);
        assert_eq!(ours.status.code(), Some(1), "{engine}");
        assert_eq!(
            String::from_utf8_lossy(&ours.stderr),
            String::from_utf8_lossy(&native.stderr)
        );
    }
}

#[test]
fn an_interrupt_ends_the_run_as_with_native() {
    let dir = tempfile::tempdir().unwrap();
    let capture = synthetic(dir.path(), 5_000);
    let bytes = std::fs::read(&capture).unwrap();
    let status = |engine: &str| {
        // Stdin stays open after the capture: the run waits for more input until interrupted.
        let mut child = pcapkit()
            .args(["-", "-q", "-E", engine, "--threads", "2"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        io::Write::write_all(&mut stdin, &bytes).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let killed = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let out = wait(child, engine);
        drop(stdin);
        (out.status.code(), out.status.to_string())
    };
    let native = status("native");
    for engine in ["server", "pipeline"] {
        assert_eq!(status(engine), native, "{engine}");
    }
}

/// A dumper whose worker encoders panic: the run must fail with a message, not hang.
struct PanickingEncoders;

struct Panics;

impl FrameEncoder for Panics {
    fn encode_frame(
        &mut self,
        raw: &RawFrame<'_>,
        _: &Frame,
        _: u64,
        _: &mut Vec<u8>,
    ) -> io::Result<()> {
        assert!(raw.number < 700, "encoder bug on frame {}", raw.number);
        Ok(())
    }
}

impl FrameSink for PanickingEncoders {
    fn frame(&mut self, _: &RawFrame<'_>, _: &Frame) -> io::Result<()> {
        Ok(())
    }
}

impl Dumper for PanickingEncoders {
    fn begin(&mut self, _: &pcapkit::capture::CaptureInfo) -> io::Result<()> {
        Ok(())
    }
    fn record(&mut self, _: &Record) -> io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _: &Summary, _: Option<&StoppedEarly>) -> io::Result<()> {
        Ok(())
    }
    fn frame_encoder(&self) -> Option<Box<dyn FrameEncoder>> {
        Some(Box::new(Panics))
    }
    fn write_encoded(&mut self, _: &[u8], _: u64) -> io::Result<()> {
        Ok(())
    }
}

/// A stage that panics on frame 700: under `pipeline` it runs on the first stage's thread.
struct PanickingStage;

impl Stage for PanickingStage {
    fn frame(&mut self, raw: &RawFrame<'_>, _: &Frame, _: &mut Vec<Record>) {
        assert!(raw.number < 700, "stage bug on frame {}", raw.number);
    }

    fn finish(&mut self, _: &mut Vec<Record>) {}
}

#[test]
fn a_worker_panic_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let capture = synthetic(dir.path(), 20_000);
    // A worker is what runs beside the calling thread: `server`'s encoders, `pipeline`'s first
    // stage (where the stages run).
    for &(engine, threads) in PARALLEL {
        let capture = capture.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let reader = CaptureReader::open(&capture).unwrap();
            let mut extractor = Extractor::new(reader).engine(engine).threads(threads);
            if engine == EngineKind::Pipeline {
                extractor = extractor.stage(Box::new(PanickingStage));
            }
            let result = extractor.run_into(Some(&mut PanickingEncoders));
            let _ = tx.send(result.map(|_| ()).map_err(|e| e.to_string()));
        });
        let result = rx
            .recv_timeout(WATCHDOG)
            .expect("the run hangs after a worker panic");
        let err = result.expect_err("a worker panic is an error");
        assert!(
            err.contains("panicked") && err.contains("bug on frame"),
            "{err}"
        );
    }
}
