//! A larger kernel buffer for a report written into a pipe.
//!
//! Linux gives a pipe 64 KiB. The background writer hands the kernel 1 MiB at a time, so into a
//! default pipe each buffer is written in 16 pieces, the writer sleeping until the reader has
//! drained each one; with both of pcapkit's threads on one core, those waits are time the
//! core stands idle. A pipe of [`PIPE_SIZE`] takes a whole buffer in one `write` (measured:
//! 1 M frames of NDJSON into `cat`, pinned to one core, 1.48 s → 1.22 s wall at the median).

use std::os::fd::AsFd;

/// The pipe buffer asked for: one background-writer buffer, and Linux's default
/// `/proc/sys/fs/pipe-max-size`, the most an unprivileged process may ask for.
pub(crate) const PIPE_SIZE: usize = 1 << 20;

/// Grows the kernel buffer of `pipe` to [`PIPE_SIZE`] if it is a pipe (or FIFO) with a
/// smaller one. Anything else (a file, a terminal, a socket), a refusal (the user's pipe
/// quota) or another system is left as it is: the buffer's size changes speed, never output.
pub(crate) fn widen(pipe: impl AsFd) {
    #[cfg(target_os = "linux")]
    if rustix::pipe::fcntl_getpipe_size(&pipe).is_ok_and(|size| size < PIPE_SIZE) {
        let _ = rustix::pipe::fcntl_setpipe_size(&pipe, PIPE_SIZE);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = pipe;
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_grows_to_one_writer_buffer() {
        let (reader, writer) = rustix::pipe::pipe().unwrap();
        assert_eq!(rustix::pipe::fcntl_getpipe_size(&writer).unwrap(), 64 << 10);
        widen(&writer);
        assert_eq!(
            rustix::pipe::fcntl_getpipe_size(&writer).unwrap(),
            PIPE_SIZE
        );
        assert_eq!(
            rustix::pipe::fcntl_getpipe_size(&reader).unwrap(),
            PIPE_SIZE
        );
    }

    #[test]
    fn a_file_is_left_alone() {
        let file = tempfile::tempfile().unwrap();
        widen(&file);
        assert!(rustix::pipe::fcntl_getpipe_size(&file).is_err());
    }
}
