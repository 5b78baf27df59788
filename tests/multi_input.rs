//! Several inputs in one run (`pcapkit a.pcap b.pcapng ... -o DIR/ --jobs N`): each report
//! is the single-input report of its capture, ndjson concatenates on stdout with a `file`
//! field, names never collide, no report overwrites an input, one bad input fails alone.

mod common;

use common::Ng;
use pcapkit::capture::PcapWriter;
use pcapkit::dump::Format;
use pcapkit::model::LinkType;
use pcapkit::synth::{SynthFrame, sample_conversation};
use serde_json::Value;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn pcapkit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcapkit"))
}

/// Runs pcapkit in `dir` (inputs and outputs named relative to it).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    pcapkit()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run pcapkit")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_pcap(path: &Path, frames: &[SynthFrame]) {
    let file = fs::File::create(path).unwrap();
    let mut writer = PcapWriter::new(file, LinkType::ETHERNET, 65535, false).unwrap();
    for frame in frames {
        writer
            .write_frame(frame.timestamp, frame.orig_len, &frame.data)
            .unwrap();
    }
}

fn write_pcapng(path: &Path, frames: &[SynthFrame]) {
    let mut ng = Ng::new(false).idb(1, 65535, &[]);
    for (i, frame) in frames.iter().enumerate() {
        ng = ng.epb(
            0,
            1_700_000_000_000_000 + i as u64,
            frame.orig_len,
            &frame.data,
            &[],
        );
    }
    fs::write(path, ng.bytes()).unwrap();
}

/// Three different captures in a temporary folder: `a.pcap` (the whole sample
/// conversation), `b.pcapng` (its frames 3.., as pcapng), `c.pcap` (its first 5 frames).
fn three_captures() -> (tempfile::TempDir, [&'static str; 3], [usize; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let frames = sample_conversation();
    assert!(frames.len() > 8);
    write_pcap(&dir.path().join("a.pcap"), &frames);
    write_pcapng(&dir.path().join("b.pcapng"), &frames[3..]);
    write_pcap(&dir.path().join("c.pcap"), &frames[..5]);
    let counts = [frames.len(), frames.len() - 3, 5];
    (dir, ["a.pcap", "b.pcapng", "c.pcap"], counts)
}

/// The single-input report of `input` in `format`, written to a file.
fn single_report(dir: &Path, input: &str, format: Format) -> Vec<u8> {
    let out = dir.join(format!("single-{input}.{}", format.extension()));
    let done = run_in(
        dir,
        &[
            input,
            "-f",
            format.name(),
            "-q",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(done.status.success(), "{input}: {}", stderr(&done));
    let bytes = fs::read(&out).unwrap();
    fs::remove_file(out).unwrap();
    bytes
}

fn stem(input: &str) -> &str {
    Path::new(input).file_stem().unwrap().to_str().unwrap()
}

#[test]
fn each_report_in_the_folder_is_the_single_input_report() {
    let (dir, inputs, _) = three_captures();
    for &format in Format::ALL {
        let out = format!("out-{}", format.name());
        let mut args = inputs.to_vec();
        args.extend(["-f", format.name(), "-o", &out, "--jobs", "2"]);
        let done = run_in(dir.path(), &args);
        assert!(done.status.success(), "{format}: {}", stderr(&done));
        let mut written: Vec<String> = fs::read_dir(dir.path().join(&out))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        written.sort();
        let expected: Vec<String> = inputs
            .iter()
            .map(|i| format!("{}.{}", stem(i), format.extension()))
            .collect();
        assert_eq!(
            written, expected,
            "{format}: only the reports, no temporary files"
        );
        for input in inputs {
            let report =
                dir.path()
                    .join(&out)
                    .join(format!("{}.{}", stem(input), format.extension()));
            assert!(
                fs::read(&report).unwrap() == single_report(dir.path(), input, format),
                "{format}: {} differs from the single-input report",
                report.display()
            );
        }
        // The summary lines on stderr name each input, in input order.
        let text = stderr(&done);
        let named: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("pcapkit: ")?.split(':').next())
            .collect();
        assert_eq!(named, inputs, "{text}");
    }
}

#[test]
fn ndjson_on_stdout_concatenates_in_input_order_with_a_file_field() {
    let (dir, inputs, counts) = three_captures();
    let done = run_in(
        dir.path(),
        &[inputs[0], inputs[1], inputs[2], "--jobs", "3"],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    let stdout = String::from_utf8(done.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), counts.iter().sum::<usize>());
    let mut at = 0;
    for (input, &count) in inputs.iter().zip(&counts) {
        let single = String::from_utf8(single_report(dir.path(), input, Format::Ndjson)).unwrap();
        let single: Vec<&str> = single.lines().collect();
        assert_eq!(single.len(), count, "{input}");
        let prefix = format!("{{\"file\":\"{input}\",");
        for (number, (line, alone)) in lines[at..at + count].iter().zip(&single).enumerate() {
            // The same object, with "file" first.
            let rest = line
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{input} line {number}: {line}"));
            assert_eq!(rest, &alone[1..], "{input} line {number}");
            let value: Value = serde_json::from_str(line).unwrap();
            assert_eq!(value["file"], *input);
            assert_eq!(value["number"], number as u64 + 1);
        }
        at += count;
    }
}

#[test]
fn one_job_and_two_jobs_write_the_same() {
    let (dir, inputs, _) = three_captures();
    let stdout_of = |jobs: &str| {
        let done = run_in(
            dir.path(),
            &[inputs[0], inputs[1], inputs[2], "--jobs", jobs],
        );
        assert!(done.status.success(), "{}", stderr(&done));
        done.stdout
    };
    let one = stdout_of("1");
    assert!(!one.is_empty());
    assert!(
        one == stdout_of("2"),
        "stdout differs between --jobs 1 and 2"
    );
    let folder_of = |jobs: &str| -> Vec<Vec<u8>> {
        let out = format!("jobs{jobs}");
        let done = run_in(
            dir.path(),
            &[
                inputs[0], inputs[1], inputs[2], "-f", "json", "-o", &out, "--jobs", jobs,
            ],
        );
        assert!(done.status.success(), "{}", stderr(&done));
        inputs
            .iter()
            .map(|i| fs::read(dir.path().join(&out).join(format!("{}.json", stem(i)))).unwrap())
            .collect()
    };
    assert!(folder_of("1") == folder_of("2"));
    // The parallel engines' --threads apply to each input: the same reports again.
    let server = {
        let done = run_in(
            dir.path(),
            &[
                inputs[0],
                inputs[1],
                inputs[2],
                "-E",
                "server",
                "--threads",
                "2",
                "--jobs",
                "2",
            ],
        );
        assert!(done.status.success(), "{}", stderr(&done));
        done.stdout
    };
    assert!(server == one, "-E server --threads 2 differs");
}

#[test]
fn two_inputs_of_the_same_name_are_refused_before_anything_is_written() {
    let (dir, inputs, _) = three_captures();
    fs::create_dir(dir.path().join("other")).unwrap();
    fs::copy(dir.path().join("c.pcap"), dir.path().join("other/a.pcapng")).unwrap();
    let done = run_in(
        dir.path(),
        &[inputs[0], "other/a.pcapng", "-f", "ndjson", "-o", "out"],
    );
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    let text = stderr(&done);
    assert!(
        text.contains("a.pcap") && text.contains("other/a.pcapng") && text.contains("a.ndjson"),
        "{text}"
    );
    assert!(!dir.path().join("out").exists(), "nothing is written");
    // The same input twice is the same name twice.
    let done = run_in(
        dir.path(),
        &[inputs[1], inputs[1], "-f", "json", "-o", "out"],
    );
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_missing_input_fails_alone_and_the_others_are_written() {
    let (dir, inputs, _) = three_captures();
    let done = run_in(
        dir.path(),
        &[
            inputs[0],
            "missing.pcap",
            inputs[2],
            "-f",
            "ndjson",
            "-o",
            "out",
            "--jobs",
            "2",
        ],
    );
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    let text = stderr(&done);
    assert!(text.contains("pcapkit: cannot read missing.pcap"), "{text}");
    assert!(text.contains("1 of 3 inputs failed"), "{text}");
    for input in [inputs[0], inputs[2]] {
        let report = dir
            .path()
            .join("out")
            .join(format!("{}.ndjson", stem(input)));
        assert_eq!(
            fs::read(report).unwrap(),
            single_report(dir.path(), input, Format::Ndjson)
        );
    }
    assert!(!dir.path().join("out/missing.ndjson").exists());
    // On stdout too: the good inputs' lines, in order.
    let done = run_in(dir.path(), &["missing.pcap", inputs[2], "-f", "ndjson"]);
    assert_eq!(done.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&done.stdout).lines().count(), 5);
}

#[test]
fn no_report_may_be_an_input() {
    let (dir, inputs, _) = three_captures();
    let before = fs::read(dir.path().join("a.pcap")).unwrap();
    // -f pcap into the inputs' own folder: a.pcap would be its own report.
    let done = run_in(dir.path(), &[inputs[0], inputs[2], "-f", "pcap", "-o", "."]);
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    assert!(
        stderr(&done).contains("is the input capture"),
        "{}",
        stderr(&done)
    );
    assert_eq!(fs::read(dir.path().join("a.pcap")).unwrap(), before);
    // Another input's report: out/c.json is a hard link to a.pcap.
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::hard_link(dir.path().join("a.pcap"), dir.path().join("out/c.json")).unwrap();
    let done = run_in(
        dir.path(),
        &[inputs[0], inputs[2], "-f", "json", "-o", "out"],
    );
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    assert_eq!(fs::read(dir.path().join("a.pcap")).unwrap(), before);
    assert!(
        !dir.path().join("out/a.json").exists(),
        "nothing is written"
    );
    // -o naming a file is no folder for several reports.
    let done = run_in(
        dir.path(),
        &[inputs[0], inputs[2], "-f", "json", "-o", "a.pcap"],
    );
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    assert_eq!(fs::read(dir.path().join("a.pcap")).unwrap(), before);
}

#[test]
fn stdin_is_one_input_among_files_named_stdin() {
    let (dir, inputs, counts) = three_captures();
    let feed = |args: &[&str]| {
        let mut child = pcapkit()
            .current_dir(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let capture = fs::read(dir.path().join(inputs[0])).unwrap();
        // A refused command line exits before reading stdin: the write may then meet a
        // closed pipe, which is not what these cases check.
        match child.stdin.take().unwrap().write_all(&capture) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            written => written.unwrap(),
        }
        child.wait_with_output().unwrap()
    };
    let done = feed(&["-", inputs[2], "-f", "ndjson", "-o", "out"]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(
        fs::read(dir.path().join("out/stdin.ndjson")).unwrap(),
        single_report(dir.path(), inputs[0], Format::Ndjson)
    );
    assert!(dir.path().join("out/c.ndjson").is_file());
    let done = feed(&[inputs[2], "-", "-f", "ndjson"]);
    assert!(done.status.success(), "{}", stderr(&done));
    let files: Vec<String> = String::from_utf8(done.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut expected = vec!["c.pcap".to_owned(); counts[2]];
    expected.extend(vec!["-".to_owned(); counts[0]]);
    assert_eq!(files, expected);
    let done = feed(&["-", "-", "-f", "ndjson"]);
    assert_eq!(done.status.code(), Some(2));
    assert!(stderr(&done).contains("only once"), "{}", stderr(&done));
}

#[test]
fn documents_on_stdout_are_refused_and_trees_come_under_headers() {
    let (dir, inputs, _) = three_captures();
    for format in ["json", "plist", "pcap"] {
        let done = run_in(dir.path(), &[inputs[0], inputs[1], "-f", format]);
        assert_eq!(done.status.code(), Some(2), "{format}");
        assert!(done.stdout.is_empty());
        assert!(stderr(&done).contains("-o DIR/"), "{}", stderr(&done));
    }
    let done = run_in(dir.path(), &[inputs[0], inputs[2], "-t"]);
    assert!(done.status.success(), "{}", stderr(&done));
    let mut expected = b"==> a.pcap <==\n".to_vec();
    expected.extend(single_report(dir.path(), inputs[0], Format::Tree));
    expected.extend(b"\n==> c.pcap <==\n");
    expected.extend(single_report(dir.path(), inputs[2], Format::Tree));
    assert!(
        done.stdout == expected,
        "{}",
        String::from_utf8_lossy(&done.stdout)
    );
}

#[test]
fn frame_files_go_into_one_folder_per_input() {
    let (dir, inputs, counts) = three_captures();
    let done = run_in(
        dir.path(),
        &[inputs[1], inputs[2], "-F", "-f", "json", "-o", "frames"],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    for (input, count) in [(inputs[1], counts[1]), (inputs[2], counts[2])] {
        let sub: PathBuf = dir.path().join("frames").join(stem(input));
        assert_eq!(fs::read_dir(&sub).unwrap().count(), count, "{input}");
        let first: Value =
            serde_json::from_slice(&fs::read(sub.join("frame-000001.json")).unwrap()).unwrap();
        assert_eq!(first["frames"][0]["number"], 1);
    }
}

/// Every shared capture with a name of its own (the first of `x.pcap` and `x.pcapng`), in one
/// run: each report is its single-input report, and the unreadable ones fail alone.
#[test]
fn shared_captures_in_one_run_match_their_single_runs() {
    let Some(captures) = common::shared_captures() else {
        return;
    };
    let manifest = fs::read_to_string(captures.join("MANIFEST.tsv")).unwrap();
    let mut stems = std::collections::HashSet::new();
    let names: Vec<&str> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|name| stems.insert(stem(name).to_owned()))
        .collect();
    assert!(names.len() > 40, "{} captures", names.len());
    let out = tempfile::tempdir().unwrap();
    let mut args: Vec<&str> = names.clone();
    args.extend([
        "-f",
        "ndjson",
        "-o",
        out.path().to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    let done = run_in(captures, &args);
    let text = stderr(&done);
    let mut failed = 0;
    for name in &names {
        let single = pcapkit()
            .current_dir(captures)
            .args([name, "-f", "ndjson", "-q"])
            .output()
            .unwrap();
        let report = out.path().join(format!("{}.ndjson", stem(name)));
        if single.status.success() {
            assert!(
                fs::read(&report).unwrap() == single.stdout,
                "{name}: differs from its single-input report"
            );
        } else {
            failed += 1;
            assert!(!report.exists(), "{name} fails alone but has a report");
            assert!(
                text.contains(&format!("pcapkit: {name}: ")),
                "{name}: {text}"
            );
        }
    }
    let expected = if failed == 0 { Some(0) } else { Some(1) };
    assert_eq!(done.status.code(), expected, "{text}");
    assert!(
        failed < names.len() / 4,
        "{failed} of {} failed",
        names.len()
    );
}

#[test]
fn each_input_is_traced_into_a_folder_of_its_own() {
    let (dir, inputs, _) = three_captures();
    let done = run_in(
        dir.path(),
        &[
            inputs[0], inputs[2], "-f", "ndjson", "-o", "out", "--trace", "flows",
        ],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    let index = |folder: &Path| fs::read(folder.join("index.ndjson")).unwrap();
    for input in [inputs[0], inputs[2]] {
        let alone = format!("alone-{}", stem(input));
        let single = run_in(
            dir.path(),
            &[
                input,
                "-f",
                "ndjson",
                "-q",
                "-o",
                "single.ndjson",
                "--trace",
                &alone,
            ],
        );
        assert!(single.status.success(), "{}", stderr(&single));
        let ours = dir.path().join("flows").join(stem(input));
        assert_eq!(index(&ours), index(&dir.path().join(&alone)), "{input}");
    }
    // The sample conversation has TCP flows: the index is not empty.
    assert!(!index(&dir.path().join("flows/a")).is_empty());
}

#[test]
fn a_fifo_in_the_folder_is_written_in_place() {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let (dir, inputs, _) = three_captures();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let fifo = out.join("c.ndjson");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    let done = run_in(
        dir.path(),
        &[inputs[0], inputs[2], "-f", "ndjson", "-o", "out"],
    );
    if !done.status.success() {
        // pcapkit never wrote the FIFO: end the reader's wait before failing.
        let _ = fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo);
    }
    let read = reader.join().unwrap();
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(read == single_report(dir.path(), inputs[2], Format::Ndjson));
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(
        fs::read(out.join("a.ndjson")).unwrap(),
        single_report(dir.path(), inputs[0], Format::Ndjson)
    );
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let frames = sample_conversation();
    let many: Vec<SynthFrame> = (0..300).flat_map(|_| frames.iter().cloned()).collect();
    write_pcap(&dir.path().join("big.pcap"), &many);
    fs::copy(dir.path().join("big.pcap"), dir.path().join("big2.pcap")).unwrap();
    common::assert_quiet_after_closed_stdout(
        pcapkit()
            .current_dir(dir.path())
            .args(["big.pcap", "big2.pcap", "-f", "ndjson", "-q"]),
        1000,
    );
}

#[test]
fn stage_records_carry_the_file_field_too() {
    let (dir, inputs, _) = three_captures();
    let done = run_in(dir.path(), &[inputs[0], inputs[2], "--reassemble", "all"]);
    assert!(done.status.success(), "{}", stderr(&done));
    let lines: Vec<Value> = String::from_utf8(done.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let records: Vec<&Value> = lines.iter().filter(|v| v.get("record").is_some()).collect();
    assert!(!records.is_empty(), "the sample conversation reassembles");
    assert!(
        lines
            .iter()
            .all(|v| v["file"] == inputs[0] || v["file"] == inputs[2])
    );
    assert!(
        records.iter().all(|v| v["file"] == inputs[0]),
        "c.pcap has no fragments"
    );
    // A bad list is one usage error before any input is read, not one error per input.
    let done = run_in(dir.path(), &[inputs[0], inputs[2], "--reassemble", "ipv5"]);
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    assert_eq!(stderr(&done).lines().count(), 1, "{}", stderr(&done));
}

#[test]
fn an_output_named_like_a_report_is_not_made_a_folder() {
    let (dir, inputs, _) = three_captures();
    let done = run_in(dir.path(), &[inputs[0], inputs[2], "-o", "all.ndjson"]);
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    assert!(
        stderr(&done).contains("-o all.ndjson/"),
        "{}",
        stderr(&done)
    );
    assert!(!dir.path().join("all.ndjson").exists());
    let done = run_in(
        dir.path(),
        &[inputs[0], inputs[2], "-f", "ndjson", "-o", "all.ndjson/"],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(dir.path().join("all.ndjson/a.ndjson").is_file());
}

/// One input with `-o DIR/` (or an existing folder): its report goes inside, named as with
/// several, and equals the report written to a file.
#[test]
fn one_input_into_a_folder_is_named_as_with_several() {
    let (dir, inputs, _) = three_captures();
    let expected = single_report(dir.path(), inputs[0], Format::Ndjson);
    for out in ["new-folder/", "new-folder"] {
        let done = run_in(dir.path(), &[inputs[0], "-f", "ndjson", "-q", "-o", out]);
        assert!(done.status.success(), "{out}: {}", stderr(&done));
        let report = dir.path().join("new-folder").join("a.ndjson");
        assert_eq!(fs::read(&report).unwrap(), expected, "{out}");
        fs::remove_file(report).unwrap();
    }
    // With -F the folder is the per-frame folder, as before.
    let done = run_in(
        dir.path(),
        &[inputs[0], "-F", "-f", "ndjson", "-q", "-o", "frames"],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(fs::read_dir(dir.path().join("frames")).unwrap().count() > 1);
}
