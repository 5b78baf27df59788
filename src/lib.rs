//! pcapkit: a streaming packet-capture extractor.
//!
//! pcapkit reads a pcap or pcapng capture frame by frame, dissects each frame into one
//! unified [`Frame`] (frame header, protocol chain such as
//! `Ethernet:IPv4:TCP:HTTP`, one typed record per layer) and writes reports (JSON, NDJSON)
//! without ever holding the whole capture in memory.
//!
//! Iterate frames:
//! ```no_run
//! use pcapkit::Extractor;
//!
//! for frame in Extractor::open("capture.pcap")?.frames() {
//!     println!("{} {}", frame.number, frame.protocol_chain());
//! }
//! # Ok::<(), pcapkit::Error>(())
//! ```
//!
//! Write a report, stopping dissection after TCP, with one call:
//! ```no_run
//! use pcapkit::{Options, Stop, dump::Format, model::ProtoId};
//!
//! let options = Options::default().stop(Some(Stop::Protocol(ProtoId::Tcp)));
//! let done = pcapkit::extract("capture.pcap", &options, Some((Format::Ndjson, "out.ndjson".as_ref())))?;
//! println!("{} frames, {} malformed", done.summary.frames, done.summary.malformed);
//! # Ok::<(), pcapkit::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod capture;
pub mod dump;
pub mod engine;
pub mod error;
pub mod model;
pub mod multi;
pub mod pipeline;
pub mod reassembly;
mod setters;
pub mod synth;
pub mod trace;

pub use engine::native::dissect_from;
pub use engine::{EngineKind, Stop};
pub use error::{Error, Result};
pub use reassembly::{analyse, reassemble};

use capture::{CaptureInfo, CaptureReader, StoppedEarly};
use dump::{Dumper, Format, Output};
use engine::{DissectOptions, Dissector};
use model::{Frame, Summary};
use pipeline::{ProgressStage, ReadPosition, Record, Stage, StageChain, Tail};
use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};

/// How a capture is extracted: which engine, where dissection stops, whether frames are kept.
///
/// Build it from the default with its setters (`Options::default().engine(..).threads(2)`):
/// options added later will not break your code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The dissection engine.
    pub engine: EngineKind,
    /// Where dissection stops (`-P`/`-L`), if before the end of each frame.
    pub stop: Option<Stop>,
    /// Keep every frame in [`Extraction::frames`] (memory then grows with the capture).
    pub store: bool,
    /// The most layers one frame may have ([`DissectOptions::max_layers`], default 32).
    pub max_layers: usize,
    /// Threads of the parallel engines; 0: one per core. `server`: its workers; `pipeline`:
    /// its two stages on two threads from 2 on, on the calling thread with 1.
    pub threads: usize,
    /// Track QUIC connections, so that the UDP payloads of a connection (short headers, long
    /// headers off port 443) are QUIC, as in Wireshark ([`pipeline::QuicTracker`]); on by
    /// default.
    pub quic_tracking: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            engine: EngineKind::default(),
            stop: None,
            store: false,
            max_layers: engine::DEFAULT_MAX_LAYERS,
            threads: 0,
            quic_tracking: true,
        }
    }
}

impl Options {
    /// Sets [`Options::engine`].
    pub fn engine(mut self, engine: EngineKind) -> Options {
        self.engine = engine;
        self
    }

    /// Sets [`Options::stop`].
    pub fn stop(mut self, stop: Option<Stop>) -> Options {
        self.stop = stop;
        self
    }

    /// Sets [`Options::store`].
    pub fn store(mut self, store: bool) -> Options {
        self.store = store;
        self
    }

    /// Sets [`Options::max_layers`].
    pub fn max_layers(mut self, max_layers: usize) -> Options {
        self.max_layers = max_layers;
        self
    }

    /// Sets [`Options::threads`].
    pub fn threads(mut self, threads: usize) -> Options {
        self.threads = threads;
        self
    }

    /// Sets [`Options::quic_tracking`].
    pub fn quic_tracking(mut self, on: bool) -> Options {
        self.quic_tracking = on;
        self
    }

    fn dissect_options(&self) -> DissectOptions {
        DissectOptions::default()
            .stop(self.stop)
            .max_layers(self.max_layers)
    }

    /// The QUIC tracker of a run with these options, if it tracks QUIC.
    fn quic_tracker(&self) -> Option<pipeline::QuicTracker> {
        self.quic_tracking
            .then(|| pipeline::QuicTracker::new(self.dissect_options()))
            .flatten()
    }
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Extraction {
    /// The capture header.
    pub info: CaptureInfo,
    /// Totals over the frames.
    pub summary: Summary,
    /// Where reading stopped before the end of the input (truncated or damaged tail).
    pub stopped_early: Option<StoppedEarly>,
    /// Every frame, when [`Options::store`] was set; empty otherwise.
    pub frames: Vec<Frame>,
}

/// Builder for one extraction: open a capture, choose options, then iterate or write a report.
///
/// ```no_run
/// use pcapkit::{EngineKind, Extractor, dump::Format};
///
/// let done = Extractor::open("capture.pcap")?
///     .engine(EngineKind::Native)
///     .write(Format::Json, Some("report.json".as_ref()))?;
/// assert!(done.frames.is_empty()); // frames are not kept unless .store(true)
/// # Ok::<(), pcapkit::Error>(())
/// ```
///
/// Every way out (`frames()`, `records()`, `run_into`, `write`, `write_files`) goes through
/// the same pipeline: the engine dissects, the [`Stage`]s added with [`Extractor::stage`] see
/// every frame in capture order, and their records reach the report after the frame that
/// emitted them.
pub struct Extractor {
    reader: CaptureReader,
    options: Options,
    stages: Vec<Box<dyn Stage>>,
    position: ReadPosition,
}

impl Extractor {
    /// Opens a capture file (`-` for stdin; `.pcap` is appended to a name that does not exist).
    pub fn open(input: impl AsRef<Path>) -> Result<Extractor> {
        Ok(Extractor::new(CaptureReader::open(input.as_ref())?))
    }

    /// Wraps an already open capture reader.
    pub fn new(reader: CaptureReader) -> Extractor {
        Extractor {
            reader,
            options: Options::default(),
            stages: Vec::new(),
            position: ReadPosition::default(),
        }
    }

    /// Sets every option at once.
    pub fn options(mut self, options: Options) -> Extractor {
        self.options = options;
        self
    }

    /// Chooses the engine.
    pub fn engine(mut self, engine: EngineKind) -> Extractor {
        self.options.engine = engine;
        self
    }

    /// Chooses the engine by name (`"native"`, case-insensitive).
    pub fn engine_name(self, name: &str) -> Result<Extractor> {
        Ok(self.engine(name.parse()?))
    }

    /// Stops dissection after a protocol or layer; the rest of each frame is `Raw`.
    pub fn stop(mut self, stop: Stop) -> Extractor {
        self.options.stop = Some(stop);
        self
    }

    /// Keeps every frame in the [`Extraction`] (off by default: memory stays flat).
    pub fn store(mut self, store: bool) -> Extractor {
        self.options.store = store;
        self
    }

    /// Sets the worker threads of the parallel engines (0, the default: one per core).
    pub fn threads(mut self, threads: usize) -> Extractor {
        self.options.threads = threads;
        self
    }

    /// Adds a stage after those already added: it sees every frame in capture order, and
    /// the records it emits go into the report (see [`Record`]).
    pub fn stage(mut self, stage: Box<dyn Stage>) -> Extractor {
        self.stages.push(stage);
        self
    }

    /// Adds the trace stage (`--trace DIR`): one pcap per flow in `dir`, an index, and a
    /// `"record": "flow"` record as each flow ends. The handle gives the trace's outcome (its
    /// first write error) once the run is over.
    pub fn trace(
        self,
        dir: &Path,
        options: &trace::TraceOptions,
    ) -> Result<(Extractor, trace::TraceHandle)> {
        let stage = trace::TraceStage::new(dir, self.reader.info(), options)?;
        let handle = stage.handle();
        Ok((self.stage(Box::new(stage)), handle))
    }

    /// Calls `report` with the number of input bytes read, every few thousand frames and at
    /// the end (a [`ProgressStage`]).
    pub fn progress(self, report: impl FnMut(u64) + Send + 'static) -> Extractor {
        let stage = ProgressStage::new(self.position.clone(), Box::new(report));
        self.stage(Box::new(stage))
    }

    /// Adds the reassembly stage (`--reassemble`): each reassembled IP datagram and TCP
    /// message is a [`Record::Reassembly`](pipeline::Record::Reassembly) after the frame that
    /// completed it.
    pub fn reassemble(self, options: reassembly::ReassemblyOptions) -> Extractor {
        self.stage(Box::new(reassembly::ReassemblyStage::new(options)))
    }

    /// The capture header.
    pub fn info(&self) -> &CaptureInfo {
        self.reader.info()
    }

    /// The input's identity when it is a regular file (outputs refuse it).
    pub fn input_id(&self) -> Option<capture::FileId> {
        self.reader.file_id()
    }

    /// Iterates the dissected frames in order (the records of the stages are left out: see
    /// [`Extractor::records`]).
    pub fn frames(self) -> Frames {
        Frames {
            records: self.records(),
        }
    }

    /// Iterates the records in report order: each frame, then what the stages emitted with it,
    /// and at the end what they emitted when the input ended.
    ///
    /// The iterator dissects on the calling thread with the engine's dissector (the native
    /// one for the parallel engines): frames and records are the same as the report's.
    pub fn records(self) -> Records {
        Records {
            dissector: self.options.engine.dissector(),
            options: self.options.dissect_options(),
            reader: self.reader,
            chain: StageChain::new(self.options.quic_tracker(), self.stages, self.position),
            queue: VecDeque::new(),
            ended: false,
        }
    }

    /// Writes a report in `format` to `path` (stdout for `None`) and returns the totals.
    ///
    /// A regular file is written under a temporary name and renamed into place when complete;
    /// a device or FIFO is written in place; the input itself is refused (see [`Output`]).
    pub fn write(self, format: Format, path: Option<&Path>) -> Result<Extraction> {
        let (output, writer) = match path {
            Some(path) => Output::file_except(path, self.reader.file_id())?,
            None => Output::stdout(),
        };
        let mut dumper = format.dumper(writer);
        let result = self.run_into(Some(dumper.as_mut()));
        drop(dumper);
        let extraction = result.map_err(|source| Error::Write {
            path: output
                .path()
                .map_or_else(|| PathBuf::from("-"), Path::to_owned),
            source,
        })?;
        output.commit()?;
        Ok(extraction)
    }

    /// Writes one complete report per frame into the folder `dir` (created if missing), named
    /// `frame-000001.EXT` and so on (see [`FilesDumper`](dump::FilesDumper)); returns the totals.
    pub fn write_files(self, format: Format, dir: &Path) -> Result<Extraction> {
        let mut dumper = dump::FilesDumper::new(format, dir)?.except(self.reader.file_id());
        self.run_into(Some(&mut dumper))
            .map_err(|source| Error::Write {
                path: dir.to_owned(),
                source,
            })
    }

    /// Runs the engine into `dumper` (or into nothing, only counting) and returns the totals.
    ///
    /// Errors are the dumper's write errors.
    pub fn run_into(
        mut self,
        mut dumper: Option<&mut (dyn Dumper + '_)>,
    ) -> io::Result<Extraction> {
        let info = self.reader.info().clone();
        if let Some(dumper) = dumper.as_deref_mut() {
            dumper.begin(&info)?;
        }
        // Shortens the trait object's lifetime to the borrow's (not done inside an `Option`).
        let dumper = dumper.map(|dumper| dumper as &mut dyn Dumper);
        let mut tail = Tail::new(
            self.options.quic_tracker(),
            self.stages,
            dumper,
            self.options.store,
            self.position,
        );
        let engine = self.options.engine.engine(self.options.threads);
        engine.run(&mut self.reader, &self.options.dissect_options(), &mut tail)?;
        let stopped_early = self.reader.stopped_early().cloned();
        let (summary, frames) = tail.finish(stopped_early.as_ref(), self.reader.limit_hits())?;
        Ok(Extraction {
            info,
            summary,
            stopped_early,
            frames,
        })
    }
}

/// Iterator over the records of a capture in report order (see [`Extractor::records`]).
pub struct Records {
    reader: CaptureReader,
    dissector: Box<dyn Dissector>,
    options: DissectOptions,
    chain: StageChain,
    queue: VecDeque<Record>,
    ended: bool,
}

impl Records {
    /// Where reading stopped before the end of the input, once the iterator is exhausted.
    pub fn stopped_early(&self) -> Option<&StoppedEarly> {
        self.reader.stopped_early()
    }

    /// The totals of the frames iterated so far, with the stages' counters.
    pub fn summary(&self) -> Summary {
        self.chain.summary()
    }
}

impl Iterator for Records {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(record) = self.queue.pop_front() {
                return Some(record);
            }
            if self.ended {
                return None;
            }
            match self.reader.next_frame() {
                Some(raw) => {
                    let mut frame = self.dissector.dissect(&raw, &self.options);
                    self.chain.observe(&raw, &mut frame);
                    self.queue.push_back(Record::Frame(frame));
                }
                None => {
                    self.ended = true;
                    self.chain.finish_stages();
                }
            }
            self.chain.position().set(self.reader.bytes_read());
            self.queue.extend(self.chain.take_records());
        }
    }
}

/// Iterator over the dissected frames of a capture (see [`Extractor::frames`]).
pub struct Frames {
    records: Records,
}

impl Frames {
    /// Where reading stopped before the end of the input, once the iterator is exhausted.
    pub fn stopped_early(&self) -> Option<&StoppedEarly> {
        self.records.stopped_early()
    }

    /// The totals of the frames iterated so far.
    pub fn summary(&self) -> Summary {
        self.records.summary()
    }
}

impl Iterator for Frames {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        self.records.find_map(|record| match record {
            Record::Frame(frame) => Some(frame),
            #[allow(unreachable_patterns)]
            _ => None,
        })
    }
}

/// Extracts `input` in one call: writes the report to `output` (format and path, `None` path
/// for stdout) if given, and returns the totals (and the frames, with [`Options::store`]).
pub fn extract(
    input: impl AsRef<Path>,
    options: &Options,
    output: Option<(Format, &Path)>,
) -> Result<Extraction> {
    let extractor = Extractor::open(input)?.options(options.clone());
    match output {
        Some((format, path)) => extractor.write(format, Some(path)),
        None => extractor.run_into(None).map_err(|source| Error::Write {
            path: PathBuf::from("-"),
            source,
        }),
    }
}

/// What [`trace`] did.
#[derive(Debug)]
pub struct Traced {
    /// The capture header.
    pub info: CaptureInfo,
    /// Totals over the frames, with the trace counters (`trace.flows`, bounds hit, ...).
    pub summary: Summary,
    /// `[TCP flows, UDP conversations]` written.
    pub flows: [u64; 2],
    /// Where reading stopped before the end of the input.
    pub stopped_early: Option<StoppedEarly>,
}

/// Traces `input` into the folder `dir` (created if missing): one pcap per flow,
/// `index.ndjson` and `index.json` (see [`trace::TraceStage`]); no report.
pub fn trace(input: impl AsRef<Path>, dir: &Path, options: &trace::TraceOptions) -> Result<Traced> {
    let (extractor, handle) = Extractor::open(input)?.trace(dir, options)?;
    let done = extractor.run_into(None).map_err(|source| Error::Write {
        path: dir.to_owned(),
        source,
    })?;
    handle.result()?;
    Ok(Traced {
        info: done.info,
        summary: done.summary,
        flows: handle.flows(),
        stopped_early: done.stopped_early,
    })
}
