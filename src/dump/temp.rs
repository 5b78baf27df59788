//! Temporary report files: created exclusively beside their target, registered process-wide
//! so that SIGINT/SIGTERM can remove them ([`remove_temporaries_on_signals`]), renamed onto
//! the target when complete.
//!
//! Creating, renaming and removing a registered file happen under the registry's lock, and
//! the signal thread keeps that lock until the process exits: no temporary file can appear
//! (or be renamed into place) between the cleanup and the exit.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Every temporary file this process has created and not yet renamed or removed.
static REGISTRY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Attempts at a free temporary name before giving up.
const NAME_ATTEMPTS: u32 = 100;

fn registry() -> MutexGuard<'static, Vec<PathBuf>> {
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A registered temporary file; removed when dropped unless [`persist`](Self::persist)ed.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: PathBuf,
    done: bool,
}

impl TempFile {
    /// Creates `.NAME.pcapkit-PID.tmp` beside `target` (never following or replacing an
    /// existing file: `O_EXCL`), with the permissions of `target` when it exists.
    pub(crate) fn beside(target: &Path) -> io::Result<(TempFile, File)> {
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let permissions = fs::metadata(target).ok().map(|m| m.permissions());
        let pid = std::process::id();
        for attempt in 0..NAME_ATTEMPTS {
            let mut temp_name = std::ffi::OsString::from(".");
            temp_name.push(name);
            match attempt {
                0 => temp_name.push(format!(".pcapkit-{pid}.tmp")),
                n => temp_name.push(format!(".pcapkit-{pid}-{n}.tmp")),
            }
            let path = target.with_file_name(temp_name);
            let mut paths = registry();
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    paths.push(path.clone());
                    drop(paths);
                    if let Some(permissions) = permissions {
                        // Best effort: the report keeps the mode of the file it replaces.
                        let _ = file.set_permissions(permissions);
                    }
                    return Ok((TempFile { path, done: false }, file));
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(err),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary name beside the target",
        ))
    }

    /// Renames the complete file onto `target` (on failure the temporary file is removed).
    pub(crate) fn persist(mut self, target: &Path) -> io::Result<()> {
        let mut paths = registry();
        let renamed = fs::rename(&self.path, target);
        if renamed.is_err() {
            let _ = fs::remove_file(&self.path);
        }
        paths.retain(|p| *p != self.path);
        self.done = true;
        renamed
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.done {
            let mut paths = registry();
            let _ = fs::remove_file(&self.path);
            paths.retain(|p| *p != self.path);
        }
    }
}

/// Installs handlers for SIGINT and SIGTERM that remove every temporary report file of the
/// process and exit with 128 + the signal number (130, 143), as a shell reports it.
///
/// For programs (the `pcapkit` command calls it first thing); a library user who has signal
/// handling of their own can leave it out.
pub fn remove_temporaries_on_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("pcapkit-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Kept until exit: nothing can create or rename a temporary file after this.
                let paths = registry();
                for path in paths.iter() {
                    let _ = fs::remove_file(path);
                }
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_temporaries_are_removed_and_persisted_ones_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.json");
        let (temp, _file) = TempFile::beside(&target).unwrap();
        let (second, _f2) = TempFile::beside(&target).unwrap();
        assert_ne!(temp.path, second.path, "a taken name is not reused");
        assert!(temp.path.exists());
        let path = temp.path.clone();
        drop(temp);
        assert!(!path.exists());
        second.persist(&target).unwrap();
        assert!(target.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(registry().iter().all(|p| !p.starts_with(dir.path())));
    }
}
