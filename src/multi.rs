//! Several captures in one run (`pcapkit a.pcap b.pcapng -f ndjson -o DIR/ --jobs 2`): one
//! report per input into a folder, or the reports one after the other on stdout; the inputs
//! are extracted in parallel, each by its own pipeline on one of `jobs` threads.
//!
//! - Names: `DIR/<input stem>.<format extension>` (`stdin` is the stem of `-`, which may be
//!   given once); with `-F`, one sub-folder `DIR/<input stem>/` per input; with a trace,
//!   `TRACE/<input stem>/`. Two inputs that would write the same name are refused before
//!   anything is written, and so is a report that would be one of the inputs (same device and
//!   inode, through links); every report goes through [`Output`] like a single input's.
//! - Stdout: only the formats that [`Format::concatenates`]: `ndjson`, each line carrying a
//!   `"file"` field first (the input as given), and `tree`, each report under a
//!   `==> input <==` line (as `head` and `tail` print several files). The first input streams
//!   out; the later ones are spooled to anonymous temporary files and copied out in input
//!   order as soon as every input before them is out: memory stays flat, whatever the sizes.
//! - One bad input does not stop the others: its error is in its [`Done`], the others
//!   complete. Only a usage error (found before anything is written) or a failure to write
//!   stdout ends the run early.

use crate::capture::FileId;
use crate::dump::{
    BackgroundWriter, Dumper, EncodingDumper, FilesDumper, Format, NdjsonEncoder, Output,
    ReportWrite,
};
use crate::error::{Error, Result};
use crate::trace::TraceOptions;
use crate::{Extraction, Extractor};
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, Seek, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

/// Where the reports of a [`Batch`] go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// One report per input, `DIR/<input stem>.<format extension>` (the folder is created).
    Folder(PathBuf),
    /// `-F`: one sub-folder per input, `DIR/<input stem>/frame-000001.EXT` and so on.
    FrameFolders(PathBuf),
    /// The reports one after the other on stdout, in input order.
    Stdout,
}

/// One run over several captures (see the module docs).
///
/// ```no_run
/// use pcapkit::multi::{Batch, Destination};
/// use pcapkit::{Extractor, dump::Format};
///
/// let inputs = vec!["a.pcap".to_owned(), "b.pcapng".to_owned()];
/// let batch = Batch::new(inputs, Format::Ndjson, Destination::Folder("reports".into())).jobs(2);
/// let failed = batch.run(
///     |input| Extractor::open(input),
///     |done| match &done.result {
///         Ok(extraction) => println!("{}: {} frames", done.input, extraction.summary.frames),
///         Err(err) => eprintln!("{}: {err}", done.input),
///     },
/// )?;
/// println!("{failed} inputs failed");
/// # Ok::<(), pcapkit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Batch {
    inputs: Vec<String>,
    format: Format,
    destination: Destination,
    jobs: usize,
    trace: Option<(PathBuf, TraceOptions)>,
}

/// What became of one input of a [`Batch`].
#[derive(Debug)]
pub struct Done {
    /// The input as given.
    pub input: String,
    /// Its report (or frame folder); `None` on stdout.
    pub output: Option<PathBuf>,
    /// Its totals, or why it failed.
    pub result: Result<Extraction>,
}

/// The default number of inputs extracted at once: one per available core.
pub fn default_jobs() -> usize {
    thread::available_parallelism().map_or(1, usize::from)
}

/// What [`Batch::plan`] decided, checked before anything is written.
struct Plan {
    /// Each input's stem, the name of what it writes.
    stems: Vec<String>,
    /// The inputs that are regular files: no output may be one of them.
    inputs: Vec<FileId>,
}

/// What a worker hands back for one input.
struct Outcome {
    result: Result<Extraction>,
    /// The report spooled for stdout, to copy out in input order.
    spool: Option<File>,
}

impl Batch {
    /// A run writing each of `inputs` (paths, or `-` for stdin) in `format` to `destination`,
    /// [`default_jobs`] at a time.
    pub fn new(inputs: Vec<String>, format: Format, destination: Destination) -> Batch {
        Batch {
            inputs,
            format,
            destination,
            jobs: 0,
            trace: None,
        }
    }

    /// Extracts `jobs` inputs at once (0: [`default_jobs`]); never more than there are inputs.
    pub fn jobs(mut self, jobs: usize) -> Batch {
        self.jobs = jobs;
        self
    }

    /// Traces each input into `dir/<input stem>/` (see [`Extractor::trace`]); a failed trace
    /// fails its input.
    pub fn trace(mut self, dir: &Path, options: TraceOptions) -> Batch {
        self.trace = Some((dir.to_owned(), options));
        self
    }

    /// Extracts every input, `open` turning an input into its extractor (options, stages),
    /// and calls `done` for each input in input order, as soon as it and every input before it
    /// are out. Returns how many inputs failed.
    ///
    /// Errors, before anything is written: [`Error::Usage`] for inputs that cannot share the
    /// destination (same name, a report that is an input, a format that does not
    /// [concatenate](Format::concatenates) on stdout); after: a failure to write stdout.
    pub fn run(
        &self,
        open: impl Fn(&str) -> Result<Extractor> + Sync,
        mut done: impl FnMut(&Done),
    ) -> Result<usize> {
        let plan = self.plan()?;
        let jobs = match self.jobs {
            0 => default_jobs(),
            n => n,
        }
        .clamp(1, self.inputs.len().max(1));
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let (to_main, outcomes) = mpsc::channel();
        thread::scope(|scope| {
            for _ in 0..jobs {
                let to_main = to_main.clone();
                let (next, stop, plan, open) = (&next, &stop, &plan, &open);
                scope.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= self.inputs.len()
                            || to_main.send((index, self.one(index, plan, open))).is_err()
                        {
                            break;
                        }
                    }
                });
            }
            drop(to_main);
            let mut waiting = BTreeMap::new();
            let mut emitted = 0;
            let mut failed = 0;
            for (index, outcome) in outcomes {
                waiting.insert(index, outcome);
                while let Some(outcome) = waiting.remove(&emitted) {
                    let done_input = self.emit(emitted, outcome, &plan);
                    emitted += 1;
                    match done_input {
                        Ok(report) => {
                            failed += usize::from(report.result.is_err());
                            done(&report);
                        }
                        Err(err) => {
                            // Stdout is gone: start no other input, drop what is spooled.
                            stop.store(true, Ordering::Relaxed);
                            return Err(err);
                        }
                    }
                }
            }
            Ok(failed)
        })
    }

    /// Names every input's output and checks them all, writing nothing but the folder.
    fn plan(&self) -> Result<Plan> {
        let stdin_count = self.inputs.iter().filter(|input| *input == "-").count();
        if stdin_count > 1 {
            return Err(Error::Usage(
                "stdin ('-') can be given only once among the inputs".into(),
            ));
        }
        let stems = self
            .inputs
            .iter()
            .map(|input| stem(input))
            .collect::<Result<Vec<_>>>()?;
        let inputs: Vec<FileId> = self.inputs.iter().filter_map(|i| input_id(i)).collect();
        if self.destination == Destination::Stdout {
            if !self.format.concatenates() {
                return Err(Error::Usage(format!(
                    "-f {} holds one capture per document: with several inputs give -o DIR/ \
                     (one report per input), or -f ndjson for one stream with a \"file\" field",
                    self.format
                )));
            }
            if FileId::of_descriptor(io::stdout().as_fd()).is_some_and(|id| inputs.contains(&id)) {
                return Err(Error::Usage(
                    "stdout is one of the input captures; refusing to overwrite it with the \
                     reports"
                        .into(),
                ));
            }
        }
        if self.destination != Destination::Stdout || self.trace.is_some() {
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (index, stem) in stems.iter().enumerate() {
                if let Some(&earlier) = first.get(stem.as_str()) {
                    return Err(Error::Usage(format!(
                        "inputs {} and {} would both write '{}': rename one, or run them \
                         separately",
                        self.inputs[earlier],
                        self.inputs[index],
                        self.named(stem).display()
                    )));
                }
                first.insert(stem, index);
            }
        }
        if let Destination::Folder(dir) | Destination::FrameFolders(dir) = &self.destination {
            if fs::metadata(dir).is_ok_and(|meta| !meta.is_dir()) {
                return Err(Error::Usage(format!(
                    "{}: with several inputs -o is the folder of the reports, and this is not \
                     a folder",
                    dir.display()
                )));
            }
            if let Destination::Folder(_) = &self.destination {
                for stem in &stems {
                    Output::check(&self.named(stem), &inputs)?;
                }
            }
            fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.clone(),
                source,
            })?;
        }
        Ok(Plan { stems, inputs })
    }

    /// What the input of stem `stem` writes: its report, its frame folder or its trace folder.
    fn named(&self, stem: &str) -> PathBuf {
        match (&self.destination, &self.trace) {
            (Destination::Folder(dir), _) => {
                dir.join(format!("{stem}.{}", self.format.extension()))
            }
            (Destination::FrameFolders(dir), _) | (Destination::Stdout, Some((dir, _))) => {
                dir.join(stem)
            }
            (Destination::Stdout, None) => PathBuf::from("-"),
        }
    }

    /// Extracts input `index` (on a worker thread).
    fn one(
        &self,
        index: usize,
        plan: &Plan,
        open: &(impl Fn(&str) -> Result<Extractor> + Sync),
    ) -> Outcome {
        let mut spool = None;
        let result = self.extract(index, plan, open, &mut spool);
        Outcome { result, spool }
    }

    fn extract(
        &self,
        index: usize,
        plan: &Plan,
        open: &(impl Fn(&str) -> Result<Extractor> + Sync),
        spool: &mut Option<File>,
    ) -> Result<Extraction> {
        let input = &self.inputs[index];
        let stem = &plan.stems[index];
        let mut extractor = open(input)?;
        let mut trace = None;
        if let Some((dir, options)) = &self.trace {
            let (with_trace, handle) = extractor.trace(&dir.join(stem), options)?;
            extractor = with_trace;
            trace = Some(handle);
        }
        let (output, path, mut dumper): (Option<Output>, PathBuf, Box<dyn Dumper>) = match &self
            .destination
        {
            Destination::Folder(_) => {
                let path = self.named(stem);
                let (output, writer) = Output::file_excluding(&path, &plan.inputs)?;
                (Some(output), path, self.format.dumper(writer))
            }
            Destination::FrameFolders(dir) => {
                let dir = dir.join(stem);
                let dumper = FilesDumper::new(self.format, &dir)?.except_all(&plan.inputs);
                (None, dir, Box::new(dumper))
            }
            Destination::Stdout => {
                let (path, mut writer): (PathBuf, Box<dyn ReportWrite>) = if index == 0 {
                    (PathBuf::from("-"), Output::stdout().1)
                } else {
                    let failed = |source| Error::Write {
                        path: std::env::temp_dir(),
                        source,
                    };
                    let file = tempfile::tempfile().map_err(failed)?;
                    *spool = Some(file.try_clone().map_err(failed)?);
                    (std::env::temp_dir(), Box::new(BackgroundWriter::new(file)))
                };
                if self.format == Format::Tree {
                    let gap = if index == 0 { "" } else { "\n" };
                    writeln!(writer, "{gap}==> {input} <==").map_err(|source| Error::Write {
                        path: path.clone(),
                        source,
                    })?;
                }
                (None, path, stream_dumper(self.format, writer, input))
            }
        };
        let result = extractor.run_into(Some(dumper.as_mut()));
        drop(dumper);
        let extraction = result.map_err(|source| Error::Write { path, source })?;
        if let Some(handle) = &trace {
            handle.result()?;
        }
        if let Some(output) = output {
            output.commit()?;
        }
        Ok(extraction)
    }

    /// Puts input `index`'s outcome out (its spooled report onto stdout) and describes it.
    fn emit(&self, index: usize, outcome: Outcome, plan: &Plan) -> Result<Done> {
        let stdout_failed = |source| Error::Write {
            path: PathBuf::from("-"),
            source,
        };
        if let (Ok(_), Some(mut spool)) = (&outcome.result, outcome.spool) {
            spool.rewind().map_err(|source| Error::Read {
                path: std::env::temp_dir(),
                source,
            })?;
            let mut stdout = io::stdout().lock();
            io::copy(&mut spool, &mut stdout).map_err(stdout_failed)?;
            stdout.flush().map_err(stdout_failed)?;
        }
        let result = match outcome.result {
            Err(Error::Write { path, source }) if path.as_os_str() == "-" => {
                return Err(Error::Write { path, source });
            }
            other => other,
        };
        let output = match self.destination {
            Destination::Stdout => None,
            _ => Some(self.named(&plan.stems[index])),
        };
        Ok(Done {
            input: self.inputs[index].clone(),
            output,
            result,
        })
    }
}

/// The dumper of `format` for a report on a shared stream: `ndjson` lines name `input`.
fn stream_dumper<'w>(
    format: Format,
    out: Box<dyn ReportWrite + 'w>,
    input: &str,
) -> Box<dyn Dumper + 'w> {
    match format {
        Format::Ndjson => Box::new(EncodingDumper::with_encoder(
            NdjsonEncoder::tagged(input),
            out,
        )),
        other => other.dumper(out),
    }
}

/// The stem reports of `input` are named after: its file name without the extension,
/// `stdin` for `-`.
fn stem(input: &str) -> Result<String> {
    if input == "-" {
        return Ok("stdin".into());
    }
    Path::new(input)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Usage(format!("{input}: no file name to name its report after")))
}

/// The identity of `input` when it is a regular file (as [`crate::capture::CaptureReader`]
/// opens it: `.pcap` appended to a name that does not exist).
fn input_id(input: &str) -> Option<FileId> {
    if input == "-" {
        return FileId::of_descriptor(io::stdin().as_fd());
    }
    let meta = fs::metadata(input)
        .or_else(|_| fs::metadata(format!("{input}.pcap")))
        .ok()?;
    meta.is_file().then(|| FileId::of(&meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::PcapWriter;
    use crate::model::LinkType;
    use crate::synth::sample_conversation;

    /// `a.pcap` with the sample conversation's first `counts[0]` frames, `b.pcap` with
    /// `counts[1]`, ...
    fn captures(dir: &Path, counts: &[usize]) -> Vec<String> {
        let frames = sample_conversation();
        counts
            .iter()
            .zip(["a", "b", "c"])
            .map(|(&count, name)| {
                let path = dir.join(format!("{name}.pcap"));
                let file = File::create(&path).unwrap();
                let mut writer = PcapWriter::new(file, LinkType::ETHERNET, 65535, false).unwrap();
                for frame in &frames[..count] {
                    writer
                        .write_frame(frame.timestamp, frame.orig_len, &frame.data)
                        .unwrap();
                }
                path.to_string_lossy().into_owned()
            })
            .collect()
    }

    #[test]
    fn inputs_are_reported_in_order_and_a_bad_one_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut inputs = captures(dir.path(), &[3, 7, 5]);
        inputs.insert(1, dir.path().join("missing.pcap").display().to_string());
        let out = dir.path().join("out");
        let batch = Batch::new(
            inputs.clone(),
            Format::Json,
            Destination::Folder(out.clone()),
        )
        .jobs(2);
        let mut seen = Vec::new();
        let failed = batch
            .run(
                |input| Extractor::open(input),
                |done| {
                    let frames = done.result.as_ref().ok().map(|e| e.summary.frames);
                    seen.push((done.input.clone(), done.output.clone(), frames));
                },
            )
            .unwrap();
        assert_eq!(failed, 1);
        let expected: Vec<_> = inputs
            .iter()
            .zip([Some(3), None, Some(7), Some(5)])
            .map(|(input, frames)| {
                let stem = Path::new(input).file_stem().unwrap().to_str().unwrap();
                (
                    input.clone(),
                    Some(out.join(format!("{stem}.json"))),
                    frames,
                )
            })
            .collect();
        assert_eq!(seen, expected);
        for (input, report, frames) in &seen {
            let Some(report) = report.as_ref().filter(|_| frames.is_some()) else {
                continue;
            };
            let alone = dir.path().join("alone.json");
            Extractor::open(input)
                .unwrap()
                .write(Format::Json, Some(&alone))
                .unwrap();
            assert_eq!(
                fs::read(report).unwrap(),
                fs::read(&alone).unwrap(),
                "{input}"
            );
        }
        assert!(!out.join("missing.json").exists());
    }

    #[test]
    fn names_are_checked_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = captures(dir.path(), &[2]);
        let twice = vec![inputs[0].clone(), inputs[0].clone()];
        let out = dir.path().join("out");
        let batch = Batch::new(
            twice.clone(),
            Format::Ndjson,
            Destination::Folder(out.clone()),
        );
        let err = batch
            .run(|input| Extractor::open(input), |_| {})
            .unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
        assert!(!out.exists());
        // On stdout the same input twice is fine for ndjson, never for a document format.
        let json = Batch::new(twice, Format::Json, Destination::Stdout);
        assert!(matches!(
            json.run(|input| Extractor::open(input), |_| {}),
            Err(Error::Usage(_))
        ));
        assert_eq!(stem("-").unwrap(), "stdin");
        assert_eq!(stem("dir/x.y.pcapng").unwrap(), "x.y");
        assert!(stem("/").is_err());
    }
}
