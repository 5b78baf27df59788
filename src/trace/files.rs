//! One classic pcap per flow, written through a bounded set of open handles (least recently
//! used closed first, re-opened in append mode).
//!
//! File safety (a report tool often runs as root, in folders others can write to):
//! - a flow file is created with `create_new` (`O_CREAT|O_EXCL`), which never follows a
//!   symlink; a name already present from an earlier run is removed first when it is a regular
//!   file or a symlink (removing a symlink does not touch its target), and anything else (a
//!   folder, a FIFO, a device) is an error;
//! - a re-open (after the handle was closed by the bound) checks, on the opened handle, that
//!   it is the same regular file (device and inode) as the one created; `O_NOFOLLOW` and
//!   `O_NONBLOCK` keep a planted symlink or FIFO from being followed or blocking.

use super::key::Transport;
use crate::capture::PcapWriter;
use crate::model::{LinkType, Timestamp};
use foldhash::HashMap;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The pcap header values of every flow file of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileFormat {
    /// Nanosecond timestamps (µs otherwise).
    pub nanos: bool,
    /// Snap length written in the header.
    pub snaplen: u32,
}

/// Buffer per open handle.
const BUFFER: usize = 8 * 1024;

struct Handle {
    out: PcapWriter<BufWriter<File>>,
    tick: u64,
}

/// Writes the frames of each flow into its own file in one folder.
pub struct FlowFiles {
    dir: PathBuf,
    format: FileFormat,
    max_open: usize,
    open: HashMap<(Transport, u64), Handle>,
    lru: BTreeMap<u64, (Transport, u64)>,
    tick: u64,
    /// Handles closed by the bound (each is re-opened when its flow has more frames).
    pub closed_by_bound: u64,
}

/// What a flow's file needs: its name, the link type of its first frame, its identity.
pub struct FileRef<'a> {
    /// The flow's transport and id.
    pub flow: (Transport, u64),
    /// The file name inside the folder.
    pub name: &'a str,
    /// Device and inode once created.
    pub ident: &'a mut Option<(u64, u64)>,
}

impl FlowFiles {
    /// Flow files in `dir` (created if missing), at most `max_open` open at once.
    pub fn new(dir: &Path, format: FileFormat, max_open: usize) -> io::Result<FlowFiles> {
        fs::create_dir_all(dir)?;
        Ok(FlowFiles {
            dir: dir.to_owned(),
            format,
            max_open: max_open.max(1),
            open: HashMap::default(),
            lru: BTreeMap::new(),
            tick: 0,
            closed_by_bound: 0,
        })
    }

    /// Appends one frame to the flow's file, creating the file (with a header for
    /// `link_type`) on the flow's first frame.
    pub fn write(
        &mut self,
        file: FileRef<'_>,
        link_type: LinkType,
        time: Timestamp,
        orig_len: u32,
        data: &[u8],
    ) -> io::Result<()> {
        self.tick += 1;
        let tick = self.tick;
        if let Some(handle) = self.open.get_mut(&file.flow) {
            self.lru.remove(&handle.tick);
            handle.tick = tick;
            self.lru.insert(tick, file.flow);
            return handle.out.write_frame(time, orig_len, data);
        }
        while self.open.len() >= self.max_open {
            let Some((_, victim)) = self.lru.pop_first() else {
                break;
            };
            if let Some(handle) = self.open.remove(&victim) {
                self.closed_by_bound += 1;
                handle.out.into_inner().flush()?;
            }
        }
        let path = self.dir.join(file.name);
        let out = match *file.ident {
            None => {
                let f = create_new(&path)?;
                *file.ident = Some(ident(&f.metadata()?));
                PcapWriter::new(
                    BufWriter::with_capacity(BUFFER, f),
                    link_type,
                    self.format.snaplen,
                    self.format.nanos,
                )?
            }
            Some(expected) => {
                let f = reopen(&path, expected)?;
                PcapWriter::append(BufWriter::with_capacity(BUFFER, f), self.format.nanos)
            }
        };
        let mut handle = Handle { out, tick };
        let written = handle.out.write_frame(time, orig_len, data);
        self.open.insert(file.flow, handle);
        self.lru.insert(tick, file.flow);
        written
    }

    /// Flushes and closes the flow's file (it stays on disk; a resumed flow re-opens it).
    pub fn close(&mut self, flow: (Transport, u64)) -> io::Result<()> {
        match self.open.remove(&flow) {
            Some(handle) => {
                self.lru.remove(&handle.tick);
                handle.out.into_inner().flush()
            }
            None => Ok(()),
        }
    }

    /// Open handles now.
    #[cfg(test)]
    fn open_handles(&self) -> usize {
        self.open.len()
    }
}

/// Device and inode of a file.
fn ident(meta: &fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// Creates `path` anew: never through a symlink; an old regular file or symlink of that name
/// is removed first.
pub(super) fn create_new(path: &Path) -> io::Result<File> {
    let open = || OpenOptions::new().write(true).create_new(true).open(path);
    match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let meta = fs::symlink_metadata(path)?;
            let kind = meta.file_type();
            if !(kind.is_file() || kind.is_symlink()) {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists and is not a regular file: not replaced",
                        path.display()
                    ),
                ));
            }
            fs::remove_file(path)?;
            open()
        }
        other => other,
    }
}

/// Re-opens a flow file for appending, refusing anything but the file created before.
fn reopen(path: &Path, expected: (u64, u64)) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = options.open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() || ident(&meta) != expected {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} was replaced during the run: not written",
                path.display()
            ),
        ));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FMT: FileFormat = FileFormat {
        nanos: false,
        snaplen: 65535,
    };

    fn file_ref<'a>(id: u64, name: &'a str, ident: &'a mut Option<(u64, u64)>) -> FileRef<'a> {
        FileRef {
            flow: (Transport::Tcp, id),
            name,
            ident,
        }
    }

    #[test]
    fn lru_bound_reopens_in_append_mode() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = FlowFiles::new(dir.path(), FMT, 1).unwrap();
        let (mut i0, mut i1) = (None, None);
        let t = Timestamp::new(1, 0);
        for round in 0..3 {
            files
                .write(
                    file_ref(0, "a.pcap", &mut i0),
                    LinkType::ETHERNET,
                    t,
                    4,
                    b"aaaa",
                )
                .unwrap();
            files
                .write(
                    file_ref(1, "b.pcap", &mut i1),
                    LinkType::ETHERNET,
                    t,
                    2,
                    b"bb",
                )
                .unwrap();
            assert_eq!(files.open_handles(), 1, "round {round}");
        }
        files.close((Transport::Tcp, 1)).unwrap();
        assert_eq!(files.closed_by_bound, 5);
        let a = fs::read(dir.path().join("a.pcap")).unwrap();
        assert_eq!(a.len(), 24 + 3 * (16 + 4));
        let b = fs::read(dir.path().join("b.pcap")).unwrap();
        assert_eq!(b.len(), 24 + 3 * (16 + 2));
    }

    #[cfg(unix)]
    #[test]
    fn planted_symlinks_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, b"precious").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("x.pcap")).unwrap();
        let mut files = FlowFiles::new(dir.path(), FMT, 4).unwrap();
        let mut ident = None;
        let t = Timestamp::new(1, 0);
        files
            .write(
                file_ref(0, "x.pcap", &mut ident),
                LinkType::ETHERNET,
                t,
                1,
                b"z",
            )
            .unwrap();
        files.close((Transport::Tcp, 0)).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"precious");
        assert!(
            fs::symlink_metadata(dir.path().join("x.pcap"))
                .unwrap()
                .is_file()
        );
        // Replaced by a symlink between two handles: the re-open refuses it.
        fs::remove_file(dir.path().join("x.pcap")).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("x.pcap")).unwrap();
        let err = files
            .write(
                file_ref(0, "x.pcap", &mut ident),
                LinkType::ETHERNET,
                t,
                1,
                b"z",
            )
            .unwrap_err();
        assert!(matches!(err.raw_os_error(), Some(libc::ELOOP)), "{err}");
        assert_eq!(fs::read(&target).unwrap(), b"precious");
        // A folder in the way is an error, not removed.
        fs::create_dir(dir.path().join("d.pcap")).unwrap();
        let mut ident = None;
        assert!(
            files
                .write(
                    file_ref(1, "d.pcap", &mut ident),
                    LinkType::ETHERNET,
                    t,
                    1,
                    b"z"
                )
                .is_err()
        );
    }
}
