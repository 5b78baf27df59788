//! RFC 815 hole descriptors in absolute byte offsets, shared by IP and TCP reassembly.
//!
//! A [`Holes`] list starts as one hole from 0 (or a stream's first offset) to infinity. Each
//! arriving piece of data fills what it covers; the list keeps the byte ranges still missing,
//! sorted and disjoint. A datagram is complete when the list is empty, which needs the last
//! fragment to have closed the open-ended hole ([`Holes::close`]).

/// Infinity for the open-ended last hole.
const OPEN: u64 = u64::MAX;

/// The ranges of a buffer not yet filled, as `[start, end)` pairs in absolute offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holes {
    /// Sorted, disjoint, non-empty ranges; the last may end at [`OPEN`].
    holes: Vec<(u64, u64)>,
}

impl Holes {
    /// One open-ended hole starting at `start`: nothing has arrived yet.
    pub fn new(start: u64) -> Holes {
        Holes {
            holes: vec![(start, OPEN)],
        }
    }

    /// No hole at all, holding no memory (what a complete list is); [`Holes::reset`] opens one.
    pub fn empty() -> Holes {
        Holes { holes: Vec::new() }
    }

    /// Fills `[start, end)`, calling `piece(from, to, new)` for each part of it in order:
    /// `new` when the part was missing (its bytes are to be kept), not when it was already
    /// filled (a duplicate or overlap: the first data wins). Returns the new bytes.
    pub fn fill(&mut self, start: u64, end: u64, mut piece: impl FnMut(u64, u64, bool)) -> u64 {
        if start >= end {
            return 0;
        }
        let mut at = start;
        let mut new_bytes = 0;
        // The first hole that ends after `start`.
        let mut i = self.holes.partition_point(|&(_, e)| e <= start);
        while at < end {
            let Some(&(hs, he)) = self.holes.get(i) else {
                piece(at, end, false);
                break;
            };
            if hs >= end {
                piece(at, end, false);
                break;
            }
            if hs > at {
                piece(at, hs, false);
                at = hs;
            }
            let to = he.min(end);
            piece(at, to, true);
            new_bytes += to - at;
            // Replace the hole by what is left of it on either side.
            match (hs < at, to < he) {
                (true, true) => {
                    self.holes[i] = (hs, at);
                    self.holes.insert(i + 1, (to, he));
                    i += 2;
                }
                (true, false) => {
                    self.holes[i] = (hs, at);
                    i += 1;
                }
                (false, true) => {
                    self.holes[i] = (to, he);
                    i += 1;
                }
                (false, false) => {
                    self.holes.remove(i);
                }
            }
            at = to;
        }
        new_bytes
    }

    /// The buffer ends at `end` (the last fragment arrived): nothing beyond it is missing.
    pub fn close(&mut self, end: u64) {
        self.holes.retain_mut(|(s, e)| {
            *e = (*e).min(end);
            *s < *e
        });
    }

    /// Whether nothing is missing (only after [`Holes::close`]).
    pub fn is_complete(&self) -> bool {
        self.holes.is_empty()
    }

    /// Where the first hole starts: the end of the contiguous data from the beginning.
    pub fn first_start(&self) -> Option<u64> {
        self.holes.first().map(|&(s, _)| s)
    }

    /// Gives up on everything missing before `offset` (a TCP gap): returns the missing ranges
    /// so dropped, and the list then starts at `offset` or later.
    pub fn skip_to(&mut self, offset: u64) -> Vec<[u64; 2]> {
        let mut skipped = Vec::new();
        let mut keep = 0;
        for &(s, e) in &self.holes {
            if s >= offset {
                break;
            }
            skipped.push([s, e.min(offset)]);
            if e <= offset {
                keep += 1;
            }
        }
        self.holes.drain(..keep);
        if let Some(first) = self.holes.first_mut() {
            first.0 = first.0.max(offset);
        }
        skipped
    }

    /// Restarts the list as one open hole at `start` (all data before it delivered).
    pub fn reset(&mut self, start: u64) {
        self.holes.clear();
        self.holes.push((start, OPEN));
    }

    /// The missing ranges that end before `upto` (the open hole cut there), as `[from, to]`
    /// pairs with `to` exclusive.
    pub fn missing(&self, upto: u64) -> Vec<[u64; 2]> {
        self.holes
            .iter()
            .filter(|&&(s, _)| s < upto)
            .map(|&(s, e)| [s, e.min(upto)])
            .collect()
    }

    /// Number of holes (what the list costs in memory).
    pub fn count(&self) -> usize {
        self.holes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(h: &mut Holes, s: u64, e: u64) -> Vec<(u64, u64, bool)> {
        let mut out = Vec::new();
        h.fill(s, e, |a, b, n| out.push((a, b, n)));
        out
    }

    #[test]
    fn fills_in_any_order_and_completes_once_closed() {
        let mut h = Holes::new(0);
        assert_eq!(pieces(&mut h, 16, 24), [(16, 24, true)]);
        assert_eq!(h.missing(100), [[0, 16], [24, 100]]);
        assert_eq!(
            pieces(&mut h, 8, 32),
            [(8, 16, true), (16, 24, false), (24, 32, true)]
        );
        h.close(40);
        assert!(!h.is_complete());
        assert_eq!(h.missing(40), [[0, 8], [32, 40]]);
        assert_eq!(pieces(&mut h, 0, 8), [(0, 8, true)]);
        assert_eq!(h.first_start(), Some(32));
        assert_eq!(pieces(&mut h, 30, 40), [(30, 32, false), (32, 40, true)]);
        assert!(h.is_complete());
        assert_eq!(pieces(&mut h, 0, 40), [(0, 40, false)]);
    }

    #[test]
    fn a_piece_inside_a_hole_splits_it() {
        let mut h = Holes::new(0);
        h.close(100);
        assert_eq!(h.fill(40, 60, |_, _, _| {}), 20);
        assert_eq!(h.missing(100), [[0, 40], [60, 100]]);
        assert_eq!(h.count(), 2);
        assert_eq!(h.fill(50, 55, |_, _, _| {}), 0);
        assert_eq!(h.fill(5, 5, |_, _, _| {}), 0);
    }

    #[test]
    fn skipping_reports_the_gaps() {
        let mut h = Holes::new(10);
        h.fill(20, 30, |_, _, _| {});
        h.fill(40, 50, |_, _, _| {});
        assert_eq!(h.skip_to(45), [[10, 20], [30, 40]]);
        assert_eq!(h.first_start(), Some(50));
        assert_eq!(h.skip_to(60), [[50, 60]]);
        assert_eq!(h.first_start(), Some(60));
        h.reset(7);
        assert_eq!(h.missing(9), [[7, 9]]);
    }
}
