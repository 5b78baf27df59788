//! The flow files' writer thread: the trace stage hands it batches of frames, it owns the
//! open handles ([`FlowFiles`]) and makes every file system call.
//!
//! Writing each frame again into its flow's file costs the stage's thread as much as
//! dissecting it (page-cache copies, handle management). Batches move that work to a second
//! core. A batch holds up to [`BATCH_BYTES`] of frame data and [`BATCH_JOBS`] jobs; at most
//! [`IN_FLIGHT`] batches are in flight (recycled), so memory stays bounded.
//!
//! Each flow is registered once with its file name and a liveness token (a [`Weak`] of the
//! flow's `Arc<()>`): the thread keeps the file's identity (device and inode) as long as the
//! flow table keeps the flow, so a resumed flow re-opens the same file; entries whose flow is
//! gone are pruned.

use super::files::{FileRef, FlowFiles};
use super::key::Transport;
use crate::model::{LinkType, Timestamp};
use crossbeam_channel::{Receiver, Sender, bounded};
use foldhash::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Weak;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// Frame bytes per batch before it is sent.
pub const BATCH_BYTES: usize = 256 << 10;
/// Jobs per batch before it is sent.
pub const BATCH_JOBS: usize = 4096;
/// Batches between the stage and the thread.
pub const IN_FLIGHT: usize = 4;

/// A flow as the writer thread knows it: `(transport, id)`.
pub type FlowRef = (Transport, u64);

/// One thing for the thread to do, in order.
enum Job {
    /// A new flow: its file name and liveness token.
    Register(FlowRef, String, Weak<()>),
    /// One frame for the flow's file; its bytes are `batch.bytes[start..end]`.
    Frame {
        flow: FlowRef,
        link_type: LinkType,
        time: Timestamp,
        orig_len: u32,
        start: usize,
        end: usize,
    },
    /// The flow ended: flush and close its file.
    Close(FlowRef),
}

/// Jobs and the frame bytes they point into.
#[derive(Default)]
struct Batch {
    jobs: Vec<Job>,
    bytes: Vec<u8>,
}

/// What the thread knows of a registered flow.
struct Slot {
    name: String,
    ident: Option<(u64, u64)>,
    alive: Weak<()>,
}

/// The first error of the thread, with the file it concerns.
type Failure = Arc<Mutex<Option<(PathBuf, io::Error)>>>;

/// The stage's side of the writer thread.
pub struct FileWriter {
    batch: Batch,
    to_thread: Option<Sender<Batch>>,
    spare: Receiver<Batch>,
    thread: Option<JoinHandle<u64>>,
    failed: Arc<AtomicBool>,
    failure: Failure,
}

impl FileWriter {
    /// Starts the thread over `files`; file names are inside `dir`.
    pub fn new(dir: &Path, files: FlowFiles) -> io::Result<FileWriter> {
        let (to_thread, inbox) = bounded::<Batch>(IN_FLIGHT);
        let (give_back, spare) = bounded::<Batch>(IN_FLIGHT + 1);
        let failed = Arc::new(AtomicBool::new(false));
        let failure: Failure = Arc::default();
        let mut worker = Worker {
            dir: dir.to_owned(),
            files,
            slots: HashMap::default(),
            prune_at: 1024,
            failed: Arc::clone(&failed),
            failure: Arc::clone(&failure),
        };
        let thread = thread::Builder::new()
            .name("pcapkit-trace".into())
            .spawn(move || {
                for mut batch in inbox {
                    worker.run(&batch);
                    batch.jobs.clear();
                    batch.bytes.clear();
                    // The stage may have stopped taking batches back: then this one is dropped.
                    let _ = give_back.try_send(batch);
                }
                worker.files.closed_by_bound
            })?;
        Ok(FileWriter {
            batch: Batch::default(),
            to_thread: Some(to_thread),
            spare,
            thread: Some(thread),
            failed,
            failure,
        })
    }

    /// Whether a file operation failed (later jobs are not done).
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// Registers a new flow's file name and liveness token.
    pub fn register(&mut self, flow: FlowRef, name: &str, alive: &Arc<()>) {
        let job = Job::Register(flow, name.to_owned(), Arc::downgrade(alive));
        self.push(job);
    }

    /// Queues one frame for the flow's file.
    pub fn frame(
        &mut self,
        flow: FlowRef,
        link_type: LinkType,
        time: Timestamp,
        orig_len: u32,
        data: &[u8],
    ) {
        let start = self.batch.bytes.len();
        self.batch.bytes.extend_from_slice(data);
        let end = self.batch.bytes.len();
        self.push(Job::Frame {
            flow,
            link_type,
            time,
            orig_len,
            start,
            end,
        });
    }

    /// Queues the close of the flow's file.
    pub fn close(&mut self, flow: FlowRef) {
        self.push(Job::Close(flow));
    }

    fn push(&mut self, job: Job) {
        self.batch.jobs.push(job);
        if self.batch.jobs.len() >= BATCH_JOBS || self.batch.bytes.len() >= BATCH_BYTES {
            self.send();
        }
    }

    fn send(&mut self) {
        let next = self.spare.try_recv().unwrap_or_default();
        let batch = std::mem::replace(&mut self.batch, next);
        if let Some(to_thread) = &self.to_thread {
            // A closed channel means the thread is gone; `finish` reports why.
            let _ = to_thread.send(batch);
        }
    }

    /// Sends what is queued, waits for the thread and returns the handles it closed to keep
    /// the open-file bound, or its first error.
    pub fn finish(mut self) -> Result<u64, (PathBuf, io::Error)> {
        self.send();
        drop(self.to_thread.take());
        let closed = match self.thread.take().map(JoinHandle::join) {
            Some(Ok(closed)) => closed,
            Some(Err(_)) | None => {
                return Err((
                    PathBuf::new(),
                    io::Error::other("the flow files' writer thread panicked"),
                ));
            }
        };
        let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        match failure.take() {
            Some(e) => Err(e),
            None => Ok(closed),
        }
    }
}

impl Drop for FileWriter {
    fn drop(&mut self) {
        drop(self.to_thread.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's side: the handles and what it knows of each flow.
struct Worker {
    dir: PathBuf,
    files: FlowFiles,
    slots: HashMap<FlowRef, Slot>,
    /// Slot count at which entries of flows no longer kept are pruned.
    prune_at: usize,
    failed: Arc<AtomicBool>,
    failure: Failure,
}

impl Worker {
    fn run(&mut self, batch: &Batch) {
        for job in &batch.jobs {
            if self.failed.load(Ordering::Relaxed) {
                return;
            }
            let (flow, done) = match job {
                Job::Register(flow, name, alive) => {
                    let slot = Slot {
                        name: name.clone(),
                        ident: None,
                        alive: alive.clone(),
                    };
                    self.slots.insert(*flow, slot);
                    self.prune();
                    continue;
                }
                Job::Frame {
                    flow,
                    link_type,
                    time,
                    orig_len,
                    start,
                    end,
                } => {
                    let Some(slot) = self.slots.get_mut(flow) else {
                        continue;
                    };
                    let file = FileRef {
                        flow: *flow,
                        name: &slot.name,
                        ident: &mut slot.ident,
                    };
                    let data = &batch.bytes[*start..*end];
                    (
                        flow,
                        self.files.write(file, *link_type, *time, *orig_len, data),
                    )
                }
                Job::Close(flow) => (flow, self.files.close(*flow)),
            };
            if let Err(e) = done {
                let name = self.slots.get(flow).map(|s| s.name.as_str());
                let path = self.dir.join(name.unwrap_or_default());
                let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
                failure.get_or_insert((path, e));
                self.failed.store(true, Ordering::Relaxed);
                return;
            }
        }
    }

    /// Forgets flows the stage no longer keeps, once the map has doubled since last time.
    fn prune(&mut self) {
        if self.slots.len() < self.prune_at {
            return;
        }
        self.slots.retain(|_, slot| slot.alive.strong_count() > 0);
        self.prune_at = (2 * self.slots.len()).max(1024);
    }
}

#[cfg(test)]
mod tests {
    use super::super::files::FileFormat;
    use super::*;

    const FMT: FileFormat = FileFormat {
        nanos: false,
        snaplen: 65535,
    };

    #[test]
    fn frames_of_each_flow_reach_its_file_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let files = FlowFiles::new(dir.path(), FMT, 1).unwrap();
        let mut writer = FileWriter::new(dir.path(), files).unwrap();
        let (a, b) = (Arc::new(()), Arc::new(()));
        let (fa, fb) = ((Transport::Tcp, 0), (Transport::Udp, 0));
        writer.register(fa, "a.pcap", &a);
        writer.register(fb, "b.pcap", &b);
        let t = Timestamp::new(1, 0);
        // More frames than one batch holds, alternating, with one handle open at a time.
        for i in 0..(BATCH_JOBS as u32 + 10) {
            let flow = if i % 2 == 0 { fa } else { fb };
            writer.frame(flow, LinkType::ETHERNET, t, 4, &i.to_be_bytes());
        }
        writer.close(fa);
        writer.close(fb);
        let closed = writer.finish().unwrap();
        assert!(closed > 1000, "{closed}");
        let a = std::fs::read(dir.path().join("a.pcap")).unwrap();
        let n = (BATCH_JOBS + 10) / 2;
        assert_eq!(a.len(), 24 + n * (16 + 4));
        // The last record of a.pcap is the last even number.
        let last = u32::from_be_bytes(a[a.len() - 4..].try_into().unwrap());
        assert_eq!(last, (BATCH_JOBS as u32 + 10) - 2);
    }

    #[test]
    fn a_file_error_is_returned_once_and_stops_the_writes() {
        let dir = tempfile::tempdir().unwrap();
        let files = FlowFiles::new(dir.path(), FMT, 4).unwrap();
        std::fs::create_dir(dir.path().join("d.pcap")).unwrap();
        let mut writer = FileWriter::new(dir.path(), files).unwrap();
        let token = Arc::new(());
        let flow = (Transport::Tcp, 7);
        writer.register(flow, "d.pcap", &token);
        writer.frame(flow, LinkType::ETHERNET, Timestamp::new(1, 0), 1, b"z");
        let (path, err) = writer.finish().unwrap_err();
        assert!(path.ends_with("d.pcap"), "{}", path.display());
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn slots_of_dropped_flows_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let files = FlowFiles::new(dir.path(), FMT, 4).unwrap();
        let mut worker = Worker {
            dir: dir.path().to_owned(),
            files,
            slots: HashMap::default(),
            prune_at: 1024,
            failed: Arc::default(),
            failure: Arc::default(),
        };
        let kept = Arc::new(());
        let mut batch = Batch::default();
        for id in 0..2000 {
            let token = if id == 0 {
                Arc::clone(&kept)
            } else {
                Arc::new(())
            };
            batch.jobs.push(Job::Register(
                (Transport::Tcp, id),
                format!("{id}.pcap"),
                Arc::downgrade(&token),
            ));
        }
        worker.run(&batch);
        assert!(worker.slots.len() < 1100, "{}", worker.slots.len());
        assert!(worker.slots.contains_key(&(Transport::Tcp, 0)));
    }
}
