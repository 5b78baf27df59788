//! A buffered writer whose `write` system calls happen on a thread of their own.
//!
//! Encoding a report and copying it into the kernel's page cache cost about the same per frame
//! (measured: 1 M frames → 790 MB of NDJSON, ~1 s of encoding and ~0.8 s of `write`). Handing
//! full buffers to a writer thread overlaps the two on a second core. Buffers are recycled, so
//! memory stays at a few buffers however long the report is.

use super::encoder::{InPlace, ReportWrite};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::io::{self, Write};
use std::thread::{self, JoinHandle};

/// Size of each buffer handed to the writer thread.
const BUFFER_SIZE: usize = 1 << 20;
/// Room a lent buffer ([`ReportWrite::buffer`]) has for the next record: a buffer fuller than
/// `BUFFER_SIZE - RECORD_ROOM` goes to the thread first (a longer record grows the buffer).
const RECORD_ROOM: usize = 64 << 10;
/// Buffers in flight between the encoder and the writer thread.
const IN_FLIGHT: usize = 3;
/// The fewest initialized bytes after the filled ones when a record is encoded in place
/// ([`ReportWrite::encode_in_place`]): the window it is staged in.
const WINDOW: usize = super::frame_json::STAGE;
/// How far the initialized part grows when the window runs short: a `memset` every 64 KiB of
/// report instead of a copy of every record (only [`WINDOW`] right after a lent buffer, whose
/// appends end the initialized part).
const WINDOW_GROWTH: usize = 64 << 10;

/// What the encoding side sends to the writer thread.
enum Message {
    /// Bytes to write, `buffer[..filled]`; the buffer comes back as it is, for reuse.
    Data(Vec<u8>, usize),
    /// Flush the destination and acknowledge.
    Flush,
}

/// A [`Write`] that buffers and lets a background thread write to the destination.
///
/// Errors of the destination (a full disk, a closed pipe) are returned by a later `write` or
/// by `flush`, which waits until everything before it is written. Dropping the writer writes
/// what is buffered and waits for the thread; call [`flush`](Write::flush) first to see errors.
pub struct BackgroundWriter {
    /// `buffer[..filled]` is to be written; the initialized bytes after them are the window
    /// of [`ReportWrite::encode_in_place`].
    buffer: Vec<u8>,
    filled: usize,
    /// Whether `buffer` is lent ([`ReportWrite::buffer`]): its length is then what is filled.
    lent: bool,
    /// Whether `buffer` was lent since the window last grew.
    lent_since_growth: bool,
    /// Where a record that does not fit in the window goes first (empty between records).
    spill: Vec<u8>,
    spare: Vec<Vec<u8>>,
    outstanding: usize,
    to_thread: Option<Sender<Message>>,
    from_thread: Receiver<io::Result<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
    failed: Option<io::ErrorKind>,
}

impl BackgroundWriter {
    /// Starts the writer thread over `destination`.
    pub fn new<W: Write + Send + 'static>(mut destination: W) -> BackgroundWriter {
        let (to_thread, inbox) = bounded::<Message>(IN_FLIGHT + 1);
        let (outbox, from_thread) = bounded::<io::Result<Vec<u8>>>(IN_FLIGHT + 1);
        let thread = thread::spawn(move || {
            for message in inbox {
                let reply = match message {
                    Message::Data(bytes, filled) => destination
                        .write_all(&bytes[..filled.min(bytes.len())])
                        .map(|()| bytes),
                    Message::Flush => destination.flush().map(|()| Vec::new()),
                };
                let failed = reply.is_err();
                if outbox.send(reply).is_err() || failed {
                    return;
                }
            }
            let _ = destination.flush();
        });
        BackgroundWriter {
            buffer: Vec::with_capacity(BUFFER_SIZE),
            filled: 0,
            lent: false,
            lent_since_growth: false,
            spill: Vec::new(),
            spare: (1..IN_FLIGHT).map(|_| Vec::new()).collect(),
            outstanding: 0,
            to_thread: Some(to_thread),
            from_thread,
            thread: Some(thread),
            failed: None,
        }
    }

    /// Takes the length of a lent buffer as what is filled.
    fn settle(&mut self) {
        if self.lent {
            self.filled = self.buffer.len();
            self.lent = false;
        }
    }

    fn sticky_error(&self) -> io::Result<()> {
        match self.failed {
            Some(kind) => Err(io::Error::new(kind, "an earlier write failed")),
            None => Ok(()),
        }
    }

    /// Sends a message to the writer thread.
    fn send(&mut self, message: Message) -> io::Result<()> {
        self.sticky_error()?;
        let sent = self
            .to_thread
            .as_ref()
            .is_some_and(|tx| tx.send(message).is_ok());
        if sent {
            self.outstanding += 1;
            return Ok(());
        }
        // The thread stopped after an error; its reply is waiting.
        while self.outstanding > 0 {
            self.receive_one()?;
        }
        self.failed = Some(io::ErrorKind::BrokenPipe);
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "writer thread stopped",
        ))
    }

    /// Takes one reply: a recycled buffer, a flush acknowledgement, or an error.
    fn receive_one(&mut self) -> io::Result<()> {
        let reply = self.from_thread.recv();
        self.outstanding = self.outstanding.saturating_sub(1);
        match reply {
            Ok(Ok(buffer)) => {
                if buffer.capacity() > 0 {
                    self.spare.push(buffer);
                }
                Ok(())
            }
            Ok(Err(err)) => {
                self.failed = Some(err.kind());
                Err(err)
            }
            Err(_) => {
                self.failed = Some(io::ErrorKind::BrokenPipe);
                Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "writer thread stopped",
                ))
            }
        }
    }

    /// Hands the current buffer to the thread and continues in a spare one.
    fn send_buffer(&mut self) -> io::Result<()> {
        self.settle();
        let full = std::mem::take(&mut self.buffer);
        let filled = std::mem::take(&mut self.filled);
        self.send(Message::Data(full, filled))?;
        if self.spare.is_empty() {
            self.receive_one()?;
        }
        // A recycled buffer keeps its initialized bytes: they are the next windows.
        let mut next = self.spare.pop().unwrap_or_default();
        next.reserve(BUFFER_SIZE.saturating_sub(next.len()));
        self.buffer = next;
        Ok(())
    }
}

impl Write for BackgroundWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.settle();
        if self.filled + bytes.len() > BUFFER_SIZE && self.filled > 0 {
            self.send_buffer()?;
        }
        let end = self.filled + bytes.len();
        match self.buffer.get_mut(self.filled..end) {
            // Into the initialized part, which stays the window's.
            Some(free) => free.copy_from_slice(bytes),
            None => {
                self.buffer.truncate(self.filled);
                self.buffer.extend_from_slice(bytes);
            }
        }
        self.filled = end;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.settle();
        if self.filled > 0 {
            self.send_buffer()?;
        }
        self.send(Message::Flush)?;
        while self.outstanding > 0 {
            self.receive_one()?;
        }
        Ok(())
    }
}

/// Records are encoded straight into the buffer the thread is handed next.
impl ReportWrite for BackgroundWriter {
    fn buffer(&mut self) -> io::Result<Option<&mut Vec<u8>>> {
        self.sticky_error()?;
        self.settle();
        if self.filled > BUFFER_SIZE - RECORD_ROOM {
            self.send_buffer()?;
        }
        self.buffer.truncate(self.filled);
        self.lent = true;
        self.lent_since_growth = true;
        Ok(Some(&mut self.buffer))
    }

    fn encode_in_place(&mut self, encode: &mut InPlace<'_>) -> Option<io::Result<()>> {
        Some(self.in_place(encode))
    }
}

impl BackgroundWriter {
    /// [`ReportWrite::encode_in_place`]: `encode` stages in the initialized bytes after the
    /// filled ones (grown to at least [`WINDOW`]); a record that spilled is put together here.
    fn in_place(&mut self, encode: &mut InPlace<'_>) -> io::Result<()> {
        self.sticky_error()?;
        self.settle();
        if self.filled > BUFFER_SIZE - RECORD_ROOM {
            self.send_buffer()?;
        }
        if self.buffer.len() < self.filled + WINDOW {
            let growth = if self.lent_since_growth {
                WINDOW
            } else {
                WINDOW_GROWTH
            };
            self.lent_since_growth = false;
            self.buffer.resize(self.filled + growth, 0);
        }
        self.spill.clear();
        let window = &mut self.buffer[self.filled..];
        let window_len = window.len();
        let len = encode(window, &mut self.spill)?;
        if len > window_len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("an encoder left {len} bytes in a window of {window_len}"),
            ));
        }
        let spilled = self.spill.len();
        if spilled > 0 {
            // Part of the record went to `spill` (it overran the window, or serde_json wrote
            // part of it there): those bytes come first, then the window's, moved after them
            // within the initialized part.
            let (start, end) = (self.filled, self.filled + spilled + len);
            if self.buffer.len() < end {
                self.buffer.resize(end, 0);
            }
            self.buffer.copy_within(start..start + len, start + spilled);
            self.buffer[start..start + spilled].copy_from_slice(&self.spill);
            self.spill.clear();
            if self.spill.capacity() > WINDOW_GROWTH {
                self.spill = Vec::new();
            }
        }
        self.filled += spilled + len;
        Ok(())
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        self.settle();
        if self.failed.is_none() && self.filled > 0 {
            let _ = self.send_buffer();
        }
        drop(self.to_thread.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A destination that keeps what it is given, shared with the test.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A destination that fails every write, like a full disk.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Writes `bytes` with `encode_in_place` as `Out::window` does: the first `spilled` of
    /// them to the spill vector, the others at the start of the window.
    fn in_place(writer: &mut BackgroundWriter, bytes: &[u8], spilled: usize) {
        let (spill, staged) = bytes.split_at(spilled);
        let mut encode = |window: &mut [u8], out: &mut Vec<u8>| {
            assert!(window.len() >= WINDOW && out.is_empty());
            out.extend_from_slice(spill);
            window[..staged.len()].copy_from_slice(staged);
            Ok(staged.len())
        };
        writer.encode_in_place(&mut encode).unwrap().unwrap();
    }

    /// Bytes given to `write_all`, bytes appended to the lent buffer and bytes encoded in
    /// place (some of them spilling past the window), interleaved over
    /// several buffer hand-offs (and records longer than the room kept for one), arrive in
    /// the order they were written.
    #[test]
    fn everything_written_arrives_in_order() {
        let dest = Shared::default();
        let mut writer = BackgroundWriter::new(dest.clone());
        let mut expected = Vec::new();
        for i in 0..200_000u32 {
            let line = format!("line {i}\n");
            match i % 5 {
                0 => {
                    let lent = writer.buffer().unwrap().expect("a background writer lends");
                    lent.extend_from_slice(line.as_bytes());
                }
                1 | 3 => in_place(&mut writer, line.as_bytes(), 0),
                _ => writer.write_all(line.as_bytes()).unwrap(),
            }
            expected.extend_from_slice(line.as_bytes());
            if i % 50_000 == 1 {
                let long = vec![b'a' + (i % 26) as u8; RECORD_ROOM + 10];
                writer.buffer().unwrap().unwrap().extend_from_slice(&long);
                expected.extend_from_slice(&long);
            }
            if i % 20_000 == 7 {
                // Longer than the window: most of it spills.
                let long: Vec<u8> = (0..3 * WINDOW).map(|k| b'a' + (k % 26) as u8).collect();
                in_place(&mut writer, &long, long.len() - 100);
                expected.extend_from_slice(&long);
            }
        }
        writer.flush().unwrap();
        assert!(expected.len() > 2 * BUFFER_SIZE);
        assert_eq!(*dest.0.lock().unwrap(), expected);
        writer.write_all(b"tail").unwrap();
        drop(writer);
        assert!(dest.0.lock().unwrap().ends_with(b"line 199999\ntail"));
    }

    /// An encoder that claims more bytes than its window holds fails the write; the writer
    /// keeps only what came before it.
    #[test]
    fn a_length_past_the_window_is_an_error() {
        let dest = Shared::default();
        let mut writer = BackgroundWriter::new(dest.clone());
        in_place(&mut writer, b"kept\n", 0);
        let mut lying = |window: &mut [u8], _: &mut Vec<u8>| Ok(window.len() + 1);
        let err = writer.encode_in_place(&mut lying).unwrap().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        in_place(&mut writer, b"after\n", 0);
        writer.flush().unwrap();
        assert_eq!(*dest.0.lock().unwrap(), b"kept\nafter\n");
    }

    #[test]
    fn destination_errors_reach_the_writer() {
        let mut writer = BackgroundWriter::new(Full);
        let chunk = vec![b'x'; 64 * 1024];
        let mut result = Ok(());
        for _ in 0..64 {
            result = writer.write_all(&chunk);
            if result.is_err() {
                break;
            }
        }
        let err = result.and_then(|()| writer.flush()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert!(writer.flush().is_err(), "errors are sticky");
        assert!(writer.buffer().is_err(), "no buffer is lent after an error");
        let mut encode = |_: &mut [u8], _: &mut Vec<u8>| Ok(0);
        assert!(matches!(writer.encode_in_place(&mut encode), Some(Err(_))));
    }
}
