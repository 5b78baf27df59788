//! What an output path really is, decided before anything is written: a regular file (or a
//! new name) is replaced atomically, anything else is written where it is.
//!
//! - `/dev/stdout` (and `/dev/fd/1`, `/proc/self/fd/1`) is our own standard output;
//!   other `/dev/std*`, `/dev/fd/N` and `/proc/self/fd/N` are opened in place (appending
//!   when they lead to a regular file, so a shell's `2>>log` is kept).
//! - A symlink is followed, link by link, to its final target, which is then judged the same
//!   way (a new file is created beside the target; the link stays a link).
//! - A character or block device or a FIFO is opened for writing without truncation; a
//!   socket is connected to.
//! - The input capture (same device and inode, through links of either kind) is refused.

use crate::capture::FileId;
use crate::error::{Error, Result};
use std::fs;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// Symlinks followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// How a report reaches its path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Destination {
    /// Our standard output.
    Stdout,
    /// Opened and written in place (device, FIFO, `/dev/fd/N`), appending if `append`.
    InPlace {
        /// The path to open.
        path: PathBuf,
        /// Open in append mode (a regular file reached through `/dev/fd/N`).
        append: bool,
    },
    /// A Unix socket, connected to and written.
    Socket(PathBuf),
    /// A regular file or a new name: written beside it, renamed onto it when complete.
    Atomic(PathBuf),
}

/// Decides how to write `path`, refusing the files `inputs` name.
pub(crate) fn resolve(path: &Path, inputs: &[FileId]) -> Result<Destination> {
    let write_error = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        if let Some(fd) = descriptor_alias(&current) {
            check_not_input(path, &current, inputs)?;
            if fd == 1 {
                return Ok(Destination::Stdout);
            }
            let append = fs::metadata(&current).is_ok_and(|m| m.is_file());
            return Ok(Destination::InPlace {
                path: current,
                append,
            });
        }
        let meta = match fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Ok(Destination::Atomic(current));
            }
            Err(err) => return Err(write_error(err)),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = fs::read_link(&current).map_err(write_error)?;
            current = match current.parent() {
                Some(parent) => parent.join(link),
                None => link,
            };
            continue;
        }
        check_not_input(path, &current, inputs)?;
        return if kind.is_file() {
            Ok(Destination::Atomic(current))
        } else if kind.is_dir() {
            Err(write_error(io::Error::other("is a folder")))
        } else if kind.is_socket() {
            Ok(Destination::Socket(current))
        } else {
            // Character or block device, FIFO.
            Ok(Destination::InPlace {
                path: current,
                append: false,
            })
        };
    }
    Err(write_error(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links"
    ))))
}

/// The descriptor number of `/dev/stdin|stdout|stderr`, `/dev/fd/N` or `/proc/self/fd/N`:
/// paths whose link target (`pipe:[1234]`) is no file name.
fn descriptor_alias(path: &Path) -> Option<u32> {
    let text = path.to_str()?;
    match text {
        "/dev/stdin" => return Some(0),
        "/dev/stdout" => return Some(1),
        "/dev/stderr" => return Some(2),
        _ => {}
    }
    let number = text
        .strip_prefix("/dev/fd/")
        .or_else(|| text.strip_prefix("/proc/self/fd/"))?;
    number.parse().ok()
}

/// Refuses `resolved` (reached from the user's `path`) when it is one of the input files.
fn check_not_input(path: &Path, resolved: &Path, inputs: &[FileId]) -> Result<()> {
    if inputs.is_empty() {
        return Ok(());
    }
    match fs::metadata(resolved) {
        Ok(meta) if inputs.contains(&FileId::of(&meta)) => Err(Error::Usage(format!(
            "{}: is the input capture; refusing to overwrite it with the report",
            path.display()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn regular_new_device_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.json");
        assert_eq!(
            resolve(&new, &[]).unwrap(),
            Destination::Atomic(new.clone())
        );
        fs::write(&new, b"x").unwrap();
        assert_eq!(
            resolve(&new, &[]).unwrap(),
            Destination::Atomic(new.clone())
        );
        assert_eq!(
            resolve(Path::new("/dev/null"), &[]).unwrap(),
            Destination::InPlace {
                path: "/dev/null".into(),
                append: false
            }
        );
        assert_eq!(
            resolve(Path::new("/dev/stdout"), &[]).unwrap(),
            Destination::Stdout
        );
        assert!(matches!(
            resolve(Path::new("/dev/fd/2"), &[]).unwrap(),
            Destination::InPlace { .. }
        ));
        assert!(resolve(dir.path(), &[]).is_err());
    }

    #[test]
    fn symlinks_lead_to_their_target_and_loops_end() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/target.json");
        fs::create_dir(dir.path().join("sub")).unwrap();
        let link = dir.path().join("link.json");
        symlink("sub/target.json", &link).unwrap();
        // Dangling: the target is created.
        assert_eq!(
            resolve(&link, &[]).unwrap(),
            Destination::Atomic(dir.path().join("sub/target.json"))
        );
        fs::write(&target, b"x").unwrap();
        let chain = dir.path().join("chain");
        symlink(&link, &chain).unwrap();
        assert_eq!(
            resolve(&chain, &[]).unwrap(),
            Destination::Atomic(dir.path().join("sub/target.json"))
        );
        let null = dir.path().join("null");
        symlink("/dev/null", &null).unwrap();
        assert!(matches!(
            resolve(&null, &[]).unwrap(),
            Destination::InPlace { append: false, .. }
        ));
        let a = dir.path().join("a");
        symlink("b", &a).unwrap();
        symlink("a", dir.path().join("b")).unwrap();
        assert!(resolve(&a, &[]).is_err());
    }

    #[test]
    fn the_input_is_refused_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.pcap");
        fs::write(&input, b"x").unwrap();
        let id = FileId::of(&fs::metadata(&input).unwrap());
        let hard = dir.path().join("hard.pcap");
        fs::hard_link(&input, &hard).unwrap();
        let soft = dir.path().join("soft.pcap");
        symlink(&input, &soft).unwrap();
        for path in [&input, &hard, &soft] {
            assert!(matches!(resolve(path, &[id]), Err(Error::Usage(_))));
        }
        let other = dir.path().join("other.json");
        assert!(resolve(&other, &[id]).is_ok());
    }
}
