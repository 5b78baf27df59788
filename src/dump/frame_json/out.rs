//! [`Out`]: where the frame writers append, a fixed buffer (the encoder's [`Stage`], kept from
//! frame to frame, or a window of the report writer's own buffer: [`Out::window`]) in front of
//! a `Vec<u8>`.
//!
//! An append to a `Vec` checks its capacity, stores its new length and, because the bytes it
//! stores might alias the `Vec`'s own fields, reloads them before the next append: about ten
//! instructions around every key and value of a frame (≈ 80 appends). Staged here, an append is
//! one comparison with a constant and a store; the staged bytes move to the `Vec` in one copy
//! when the buffer is full and when the `Out` is dropped.

/// Bytes staged before they move to the `Vec`: more than nearly every frame needs (≈ 880
/// bytes in the mixed capture; a window of the writer's buffer is this long, so that a line
/// spills only when it is longer), and more than any fixed-size piece (the longest is the 80
/// bytes of `time_fields`).
pub(crate) const STAGE: usize = 4096;

/// The staging buffer of an [`Out`], owned by an encoder and reused for every frame: zeroed once
/// when the encoder is made, not on every call (a fresh stack array was a 1 KiB `memset` a frame);
/// with it the text of the last frame's date ([`Day`]).
#[derive(Clone)]
pub(crate) struct Stage(Box<[u8; STAGE]>, Day);

impl Default for Stage {
    fn default() -> Stage {
        Stage(Box::new([0; STAGE]), Day::default())
    }
}

/// The `YYYY-MM-DD` of the last frame's day, kept by the encoder: the frames of a capture mostly
/// share their day, whose civil date then is not computed again.
#[derive(Clone, Debug)]
pub(crate) struct Day {
    /// Days since 1970-01-01 of `text` (`u64::MAX`: none yet).
    pub(crate) days: u64,
    /// Its date as ASCII.
    pub(crate) text: [u8; 10],
}

impl Default for Day {
    fn default() -> Day {
        Day {
            days: u64::MAX,
            text: *b"1970-01-01",
        }
    }
}

impl Stage {
    /// The last frame's [`Day`].
    pub(crate) fn day(&mut self) -> &mut Day {
        &mut self.1
    }
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stage")
    }
}

/// The output of the frame writers: appends go to a [`Stage`], moved to `vec` when full and
/// at the end of [`Out::with`] (also after an error: the partial object stays, as with
/// serde_json).
///
/// The buffer is borrowed, not a field, and the slow paths take the staged length as an
/// argument: a store into the buffer cannot change `len` as far as the compiler knows. Inside
/// [`Out::local`] the whole `Out` lives in registers.
pub(crate) struct Out<'a> {
    /// Where the bytes end up.
    vec: &'a mut Vec<u8>,
    /// Staged bytes, `stage[..len]`.
    stage: &'a mut [u8; STAGE],
    /// How many bytes are staged.
    len: usize,
}

/// Moves `stage[..len]` to `vec`; returns the new staged length, 0.
#[cold]
#[inline(never)]
fn drain(vec: &mut Vec<u8>, stage: &[u8; STAGE], len: usize) -> usize {
    vec.extend_from_slice(&stage[..len.min(STAGE)]);
    0
}

/// [`Out::extend`] when `bytes` do not fit in what is left of the stage; returns the new
/// staged length.
#[cold]
#[inline(never)]
fn extend_long(vec: &mut Vec<u8>, stage: &mut [u8; STAGE], len: usize, bytes: &[u8]) -> usize {
    drain(vec, stage, len);
    match stage.get_mut(..bytes.len()) {
        Some(start) => {
            start.copy_from_slice(bytes);
            bytes.len()
        }
        None => {
            vec.extend_from_slice(bytes);
            0
        }
    }
}

impl Out<'_> {
    /// [`Out::with`] for the frame writer, which also gets the stage's [`Day`].
    pub(crate) fn with_day<R>(
        vec: &mut Vec<u8>,
        stage: &mut Stage,
        write: impl FnOnce(&mut Out<'_>, &mut Day) -> R,
    ) -> R {
        let mut out = Out {
            vec,
            stage: &mut stage.0,
            len: 0,
        };
        let result = write(&mut out, &mut stage.1);
        drain(out.vec, out.stage, out.len);
        result
    }

    /// Runs `write` with an `Out` staging in `stage` in front of `vec` (whose bytes are kept;
    /// new ones go after them), then moves what it staged to `vec` (for tests; the writers
    /// use [`Out::with_day`]).
    #[cfg(test)]
    pub(crate) fn with<R>(
        vec: &mut Vec<u8>,
        stage: &mut Stage,
        write: impl FnOnce(&mut Out<'_>) -> R,
    ) -> R {
        Out::with_day(vec, stage, |out, _| write(out))
    }

    /// Runs `write` with an `Out` staging in `window` (the free part of the report writer's
    /// buffer) in front of `spill` (empty); returns its result and how many bytes it left at
    /// the start of `window`. What it wrote is `spill`'s bytes (those that did not fit in
    /// `window`, moved there as with [`Out::with`]'s `Vec`), then those.
    pub(crate) fn window<R>(
        window: &mut [u8; STAGE],
        spill: &mut Vec<u8>,
        write: impl FnOnce(&mut Out<'_>) -> R,
    ) -> (R, usize) {
        let mut out = Out {
            vec: spill,
            stage: window,
            len: 0,
        };
        let result = write(&mut out);
        (result, out.len)
    }

    /// Runs `write` on a copy of this `Out` that the compiler can keep in registers (its length
    /// is not reloaded after each store), then takes its length back: for runs of the inlined
    /// value writers, where most of a frame's appends are. Whatever `write` calls that is not
    /// inlined gets the copy's address and keeps it in memory (correct, only slower).
    #[inline(always)]
    pub(crate) fn local<R>(&mut self, write: impl FnOnce(&mut Out<'_>) -> R) -> R {
        let mut local = Out {
            vec: &mut *self.vec,
            stage: &mut *self.stage,
            len: self.len,
        };
        let result = write(&mut local);
        self.len = local.len;
        result
    }

    /// The next `N` bytes of the stage, to be written and then kept with [`Out::advance`];
    /// the staged bytes move to the `Vec` first if fewer than `N` are free.
    #[inline(always)]
    pub(crate) fn room<const N: usize>(&mut self) -> &mut [u8] {
        const { assert!(N <= STAGE) };
        if self.len > STAGE - N {
            self.len = drain(self.vec, self.stage, self.len);
        }
        &mut self.stage[self.len..self.len + N]
    }

    /// Keeps `n` (at most the `N` of the last [`Out::room`]) more bytes of the stage.
    #[inline(always)]
    pub(crate) fn advance(&mut self, n: usize) {
        self.len += n;
    }

    /// Appends the first `len` (≤ `N`) bytes of `bytes`: all `N` are stored, one fixed-size
    /// store instead of a copy of unknown length.
    #[inline(always)]
    pub(crate) fn fixed<const N: usize>(&mut self, bytes: [u8; N], len: usize) {
        self.room::<N>().copy_from_slice(&bytes);
        self.advance(len);
    }

    /// Appends one byte.
    #[inline(always)]
    pub(crate) fn push(&mut self, b: u8) {
        self.fixed([b], 1);
    }

    /// Appends `bytes`, of any length.
    #[inline(always)]
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        match self.stage.get_mut(self.len..self.len + bytes.len()) {
            Some(free) => {
                free.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.len = extend_long(self.vec, self.stage, self.len, bytes),
        }
    }

    /// How many bytes the `Vec` holds once the staged ones have moved: a position for
    /// [`Out::truncate`].
    pub(crate) fn position(&self) -> usize {
        self.vec.len() + self.len
    }

    /// Drops what was written after `position` (from [`Out::position`]).
    pub(crate) fn truncate(&mut self, position: usize) {
        match position.checked_sub(self.vec.len()) {
            Some(staged) => self.len = self.len.min(staged),
            None => {
                self.vec.truncate(position);
                self.len = 0;
            }
        }
    }

    /// The `Vec` with every staged byte moved to it, for a writer that appends to it directly
    /// (serde_json).
    pub(crate) fn vec(&mut self) -> &mut Vec<u8> {
        self.len = drain(self.vec, self.stage, self.len);
        self.vec
    }
}

#[cfg(test)]
mod tests {
    use super::{Out, STAGE, Stage};

    /// Every way in (fixed stores, short and long copies, a stage filled exactly and overrun)
    /// and every truncation (inside the stage, into bytes already moved) against a plain `Vec`.
    #[test]
    fn appends_and_truncations_match_a_vec() {
        let pattern: Vec<u8> = (0..3 * STAGE).map(|i| (i % 251) as u8).collect();
        for first in [0, 1, STAGE - 9, STAGE - 1, STAGE, STAGE + 1, 2 * STAGE + 3] {
            for second in [0, 3, 8, STAGE - 1, STAGE, 3 * STAGE] {
                let mut expected = b"kept".to_vec();
                let mut vec = b"kept".to_vec();
                Out::with(&mut vec, &mut Stage::default(), |out| {
                    out.extend(&pattern[..first]);
                    expected.extend_from_slice(&pattern[..first]);
                    let mark = out.position();
                    assert_eq!(mark, expected.len());
                    out.fixed(*b"12345678", 5);
                    out.push(b'x');
                    out.extend(&pattern[..second]);
                    out.truncate(mark);
                    out.extend(&pattern[..second]);
                    expected.extend_from_slice(&pattern[..second]);
                    out.fixed(*b"abc", 2);
                    expected.extend_from_slice(b"ab");
                    out.truncate(4);
                    out.extend(&pattern[..first]);
                    expected.truncate(4);
                    expected.extend_from_slice(&pattern[..first]);
                    out.vec().push(b'!');
                    expected.push(b'!');
                });
                assert_eq!(vec, expected, "{first} {second}");
            }
        }
    }
    /// The same appends and truncations staged in a window give the bytes they give in a
    /// `Vec`: the spilled ones, then those left in the window.
    #[test]
    fn windows_match_a_vec() {
        let pattern: Vec<u8> = (0..5 * STAGE).map(|i| (i % 251) as u8).collect();
        let script = |out: &mut Out<'_>, first: usize, second: usize| {
            out.extend(&pattern[..first]);
            let mark = out.position();
            out.fixed(*b"12345678", 5);
            out.extend(&pattern[..second]);
            out.truncate(mark);
            out.push(b'x');
            out.extend(&pattern[..second]);
            out.vec().push(b'!');
            out.fixed(*b"abc", 2);
            out.truncate(first / 2);
            out.extend(&pattern[..first]);
        };
        {
            for first in [0, 1, STAGE - 1, STAGE, 2 * STAGE + 3, 4 * STAGE] {
                for second in [0, 8, STAGE, 3 * STAGE] {
                    let mut expected = Vec::new();
                    Out::with(&mut expected, &mut Stage::default(), |out| {
                        script(out, first, second)
                    });
                    let (mut window, mut spill) = ([0; STAGE], Vec::new());
                    let ((), len) =
                        Out::window(&mut window, &mut spill, |out| script(out, first, second));
                    spill.extend_from_slice(&window[..len]);
                    assert_eq!(spill, expected, "{first} {second}");
                }
            }
        }
    }
}
