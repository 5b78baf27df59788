//! The trace stage: frames in capture order → flow table → per-flow pcaps, index and
//! `"record": "flow"` records.

use super::files::{FileFormat, FlowFiles};
use super::index::Index;
use super::key::{self, FlowKey};
use super::packet::{self, Fragments};
use super::table::{Flow, FlowTable, Placed, TableLimits};
use super::writer::FileWriter;
use crate::capture::{CaptureInfo, RawFrame};
use crate::error::{Error, Result};
use crate::model::{Frame, Summary};
use crate::pipeline::{Record, Stage};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// What `--trace` does: which flows, which bounds (build from the default with the setters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TraceOptions {
    /// Also trace UDP conversations (`--trace-udp`).
    pub udp: bool,
    /// Timeouts and bounds of the flow table.
    pub limits: TableLimits,
    /// Flow files open at once at most (least recently used closed first).
    pub max_open_files: usize,
}

impl Default for TraceOptions {
    fn default() -> Self {
        TraceOptions {
            udp: false,
            limits: TableLimits::default(),
            max_open_files: 1000,
        }
    }
}

impl TraceOptions {
    crate::setters::setters! { udp: bool, limits: TableLimits, max_open_files: usize }
}

/// The outcome of a trace stage, readable by whoever added it to a run.
#[derive(Clone, Debug, Default)]
pub struct TraceHandle(Arc<Mutex<TraceOutcome>>);

/// What a trace stage reports once its run has ended.
#[derive(Debug, Default)]
pub struct TraceOutcome {
    /// The first write error (flow files, index); files are no longer written after it.
    pub error: Option<Error>,
    /// TCP flows and UDP conversations numbered.
    pub flows: [u64; 2],
    /// Whether the index was completed.
    pub finished: bool,
}

impl TraceHandle {
    /// The first error of the run, if any (taken: a second call returns `Ok`).
    pub fn result(&self) -> Result<()> {
        let mut outcome = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `[TCP flows, UDP conversations]` seen.
    pub fn flows(&self) -> [u64; 2] {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).flows
    }

    fn fail(&self, error: Error) {
        let mut outcome = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        outcome.error.get_or_insert(error);
    }
}

/// Splits the frames into flows: one pcap per flow in a folder, an index, flow records.
pub struct TraceStage {
    dir: PathBuf,
    udp: bool,
    table: FlowTable,
    frags: Fragments,
    /// The flow files' writer thread (taken when the run ends).
    files: Option<FileWriter>,
    /// Handles the writer closed to keep the open-file bound (known once it has finished).
    closed_by_bound: u64,
    index: Option<Index>,
    ended: Vec<Flow>,
    handle: TraceHandle,
    failed: bool,
    skipped_link_type: u64,
    clamped_times: u64,
}

impl TraceStage {
    /// A stage writing into `dir` (created if missing) for a capture described by `info`
    /// (flow files keep a classic pcap's resolution and snap length; pcapng gives ns).
    pub fn new(dir: &Path, info: &CaptureInfo, options: &TraceOptions) -> Result<TraceStage> {
        let write_err = |source| Error::Write {
            path: dir.to_owned(),
            source,
        };
        let format = FileFormat {
            nanos: info.link_type.is_none() || info.ts_resolution == Some("ns"),
            snaplen: info.snaplen.unwrap_or(262_144),
        };
        let files = FlowFiles::new(dir, format, options.max_open_files).map_err(write_err)?;
        let files = FileWriter::new(dir, files).map_err(write_err)?;
        let index = Index::create(dir)?;
        Ok(TraceStage {
            dir: dir.to_owned(),
            udp: options.udp,
            table: FlowTable::new(options.limits),
            frags: Fragments::default(),
            files: Some(files),
            closed_by_bound: 0,
            index: Some(index),
            ended: Vec::new(),
            handle: TraceHandle::default(),
            failed: false,
            skipped_link_type: 0,
            clamped_times: 0,
        })
    }

    /// A handle to read the outcome once the run is over.
    pub fn handle(&self) -> TraceHandle {
        self.handle.clone()
    }

    fn fail(&mut self, path: PathBuf, source: io::Error) {
        self.failed = true;
        self.handle.fail(Error::Write { path, source });
    }

    /// Closes, indexes and reports the flows that just ended.
    fn flush_ended(&mut self, out: &mut Vec<Record>) {
        for flow in std::mem::take(&mut self.ended) {
            if let Some(files) = self.files.as_mut() {
                files.close((flow.transport, flow.id));
            }
            if let Some(index) = self.index.as_mut()
                && !self.failed
                && let Err(e) = index.add(&flow)
            {
                self.fail(self.dir.join(super::index::NDJSON), e);
            }
            out.push(Record::Flow(Box::new(flow)));
        }
    }

    /// Queues the frame for its flow's file (registering the flow's file on its first frame).
    fn write(&mut self, key: &FlowKey, placed: Placed, raw: &RawFrame<'_>) {
        let failed = self.failed;
        let Some(files) = self.files.as_mut().filter(|f| !failed && !f.failed()) else {
            return;
        };
        let Some(flow) = self.table.get_mut(key) else {
            return;
        };
        if placed.new {
            files.register(placed.flow, &flow.file, &flow.file_token);
        }
        let link_type = *flow.link_type.get_or_insert(raw.link_type);
        if link_type != raw.link_type {
            // A classic pcap holds one link type: a flow crossing interfaces of another one
            // keeps the frames of its first.
            self.skipped_link_type += 1;
            return;
        }
        let mut time = raw.timestamp.unwrap_or_default();
        if !(0..=i64::from(u32::MAX)).contains(&time.secs) {
            // Classic pcap has unsigned 32-bit seconds: the time is clamped to its range.
            time.secs = time.secs.clamp(0, i64::from(u32::MAX));
            self.clamped_times += 1;
        }
        files.frame(placed.flow, link_type, time, raw.len, raw.data);
    }

    /// Waits for the writer thread; its first error fails the run.
    fn finish_files(&mut self) {
        let Some(files) = self.files.take() else {
            return;
        };
        match files.finish() {
            Ok(closed) => self.closed_by_bound = closed,
            Err((path, source)) => self.fail(path, source),
        }
    }
}

impl Stage for TraceStage {
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame, out: &mut Vec<Record>) {
        let Some(seen) = packet::locate(raw, frame, self.udp, &mut self.frags) else {
            return;
        };
        let placed = self.table.observe(
            &seen,
            frame.number,
            raw.timestamp,
            raw.len,
            key::file_name,
            &mut self.ended,
        );
        self.flush_ended(out);
        let (key, _) = FlowKey::new(seen.transport, seen.src, seen.dst);
        self.write(&key, placed, raw);
    }

    fn finish(&mut self, out: &mut Vec<Record>) {
        self.table.drain(&mut self.ended);
        self.flush_ended(out);
        self.finish_files();
        let index = self.index.take();
        if let Some(index) = index {
            if self.failed {
                // The index of a failed run is not committed: its temporary file goes.
                drop(index);
            } else if let Err(e) = index.finish() {
                self.failed = true;
                self.handle.fail(e);
            }
        }
        let mut outcome = self.handle.0.lock().unwrap_or_else(PoisonError::into_inner);
        outcome.flows = self.table.numbered();
        outcome.finished = !self.failed;
    }

    fn summarize(&self, summary: &mut Summary) {
        let [tcp, udp] = self.table.numbered();
        let c = &self.table.counters;
        for (name, n) in [
            ("trace.flows", tcp),
            ("trace.udp_conversations", udp),
            ("trace.flows_evicted", c.evicted),
            ("trace.flows_resumed", c.resumed),
            ("trace.ended_forgotten", c.forgotten),
            ("trace.handles_closed_by_bound", self.closed_by_bound),
            ("trace.fragments_dropped", self.frags.dropped),
            ("trace.frames_other_link_type", self.skipped_link_type),
            ("trace.times_clamped", self.clamped_times),
        ] {
            if n > 0 || name == "trace.flows" {
                summary.count_event(name, n);
            }
        }
    }
}
