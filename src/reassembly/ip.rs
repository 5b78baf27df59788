//! The fragment table IPv4 and IPv6 share: datagrams by key, their holes, their bounds.

use super::holes::Holes;
use super::record::{Anomaly, AnomalyKind};
use foldhash::HashMap;
use std::collections::VecDeque;
use std::hash::Hash;

/// Bytes a datagram costs beyond its fragment data (bookkeeping, estimated).
const DATAGRAM_OVERHEAD: usize = 160;

/// Bytes each stored piece or hole costs beyond its data (estimated).
const PIECE_OVERHEAD: usize = 40;

/// One fragment as the IP layer carries it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fragment<'a> {
    /// Offset of its data in the datagram, in bytes.
    pub offset: u64,
    /// More Fragments flag.
    pub more: bool,
    /// Its captured data (may be shorter than `declared` when the snap length cut it).
    pub data: &'a [u8],
    /// Its length by the IP header.
    pub declared: u64,
    /// Protocol of the datagram's payload (the first fragment's says it for IPv6).
    pub protocol: u8,
    /// The frame it came in.
    pub frame: u64,
    /// Capture time, whole seconds (the last known time for frames without one).
    pub time: i64,
}

/// The table's bounds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Largest datagram in bytes.
    pub max_datagram: u64,
    /// Bytes held over all open datagrams.
    pub max_memory: usize,
    /// Open datagrams.
    pub max_datagrams: usize,
    /// Seconds a datagram may wait from its first fragment.
    pub timeout: i64,
}

/// A datagram that completed or was flushed.
#[derive(Debug)]
pub(crate) struct Done<K> {
    /// Its key.
    pub key: K,
    /// Its bytes: all of them when complete, else those contiguous from offset 0.
    pub data: Vec<u8>,
    /// Frames that carried its fragments, in arrival order.
    pub frames: Vec<u64>,
    /// Whether every byte arrived.
    pub complete: bool,
    /// Byte ranges missing.
    pub missing: Vec<[u64; 2]>,
    /// Irregularities.
    pub anomalies: Vec<Anomaly>,
    /// Length (the last fragment's end, or the highest byte seen).
    pub len: u64,
    /// The frame it completed or was flushed with.
    pub number: u64,
    /// Protocol of its payload.
    pub protocol: u8,
}

/// Why a datagram left the table incomplete (for the counters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flush {
    /// The fragment timeout.
    Timeout,
    /// The count or memory bound.
    Evicted,
    /// The per-datagram bound.
    TooLarge,
    /// The end of the capture.
    End,
}

/// An open datagram.
#[derive(Debug)]
struct Datagram {
    /// Data that arrived, as disjoint `(offset, bytes)` pieces in arrival order.
    pieces: Vec<(u64, Vec<u8>)>,
    holes: Holes,
    /// The end the last fragment set.
    end: Option<u64>,
    /// The highest byte offset seen (exclusive).
    high: u64,
    frames: Vec<u64>,
    anomalies: Vec<Anomaly>,
    /// Capture time of its first fragment.
    started: i64,
    /// Bytes it costs.
    memory: usize,
    /// Its entry in the age queue.
    serial: u64,
    protocol: u8,
}

impl Datagram {
    /// Copies the pieces into one buffer: all of it when complete, else the prefix from 0.
    fn assemble(&self) -> Vec<u8> {
        let len = if self.holes.is_complete() {
            self.end.unwrap_or(self.high)
        } else {
            self.holes.first_start().unwrap_or(0)
        };
        let mut data = vec![0u8; usize::try_from(len).unwrap_or(0)];
        for (at, bytes) in &self.pieces {
            let Ok(start) = usize::try_from(*at) else {
                continue;
            };
            if start >= data.len() {
                continue;
            }
            let take = bytes.len().min(data.len() - start);
            if let (Some(to), Some(from)) = (data.get_mut(start..start + take), bytes.get(..take)) {
                to.copy_from_slice(from);
            }
        }
        data
    }

    /// Whether bytes `[from, to)` (already filled) equal `new` (which starts at `from`).
    fn same_bytes(&self, from: u64, to: u64, new: &[u8]) -> bool {
        self.pieces.iter().all(|(at, bytes)| {
            let end = *at + bytes.len() as u64;
            let (lo, hi) = (from.max(*at), to.min(end));
            if lo >= hi {
                return true;
            }
            let old = bytes.get((lo - at) as usize..(hi - at) as usize);
            let fresh = new.get((lo - from) as usize..(hi - from) as usize);
            old == fresh
        })
    }
}

/// Counters of one fragment table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    /// Datagrams completed.
    pub complete: u64,
    /// Datagrams flushed incomplete at the end of the capture.
    pub incomplete: u64,
    /// Datagrams flushed by the timeout.
    pub timeouts: u64,
    /// Datagrams flushed by the count or memory bound.
    pub evicted: u64,
    /// Datagrams flushed by the per-datagram bound.
    pub too_large: u64,
    /// Fragments seen.
    pub fragments: u64,
}

/// Open datagrams by key, oldest first, within bounds.
#[derive(Debug)]
pub(crate) struct FragTable<K> {
    map: HashMap<K, Datagram>,
    /// Keys by age of their datagram's first fragment (stale entries skipped lazily).
    order: VecDeque<(K, u64)>,
    memory: usize,
    serial: u64,
    limits: Limits,
    /// What the table did.
    pub counters: Counters,
}

impl<K: Copy + Eq + Hash> FragTable<K> {
    /// An empty table.
    pub fn new(limits: Limits) -> FragTable<K> {
        FragTable {
            map: HashMap::default(),
            order: VecDeque::new(),
            memory: 0,
            serial: 0,
            limits,
            counters: Counters::default(),
        }
    }

    /// Open datagrams.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Bytes held.
    pub fn memory(&self) -> usize {
        self.memory
    }

    /// Adds a fragment; returns the datagrams it completed or that were flushed to make room
    /// (and those timed out before it).
    pub fn insert(&mut self, key: K, frag: Fragment<'_>, out: &mut Vec<Done<K>>) {
        self.counters.fragments += 1;
        self.expire(frag.time, frag.frame, out);
        if !self.map.contains_key(&key) {
            while self.map.len() >= self.limits.max_datagrams.max(1) {
                if !self.flush_oldest(frag.frame, Flush::Evicted, out) {
                    break;
                }
            }
            self.serial += 1;
            self.order.push_back((key, self.serial));
            self.memory += DATAGRAM_OVERHEAD;
            self.map.insert(
                key,
                Datagram {
                    pieces: Vec::new(),
                    holes: Holes::new(0),
                    end: None,
                    high: 0,
                    frames: Vec::new(),
                    anomalies: Vec::new(),
                    started: frag.time,
                    memory: DATAGRAM_OVERHEAD,
                    serial: self.serial,
                    protocol: frag.protocol,
                },
            );
        }
        let Some(dg) = self.map.get_mut(&key) else {
            return;
        };
        if dg.frames.last() != Some(&frag.frame) {
            dg.frames.push(frag.frame);
        }
        if frag.offset == 0 {
            dg.protocol = frag.protocol;
        }
        let declared_end = frag.offset.saturating_add(frag.declared);
        if declared_end > self.limits.max_datagram {
            dg.anomalies.push(Anomaly {
                kind: AnomalyKind::TooLarge,
                frame: frag.frame,
                range: Some([frag.offset, declared_end]),
            });
            self.flush(key, frag.frame, Flush::TooLarge, out);
            return;
        }
        let mut data_end = frag.offset + (frag.data.len() as u64).min(frag.declared);
        if !frag.more {
            match dg.end {
                Some(end) if end != declared_end => dg.anomalies.push(Anomaly {
                    kind: AnomalyKind::BeyondEnd,
                    frame: frag.frame,
                    range: Some([end.min(declared_end), end.max(declared_end)]),
                }),
                Some(_) => {}
                None => {
                    if dg.high > declared_end {
                        dg.anomalies.push(Anomaly {
                            kind: AnomalyKind::BeyondEnd,
                            frame: frag.frame,
                            range: Some([declared_end, dg.high]),
                        });
                    }
                    dg.end = Some(declared_end);
                    dg.holes.close(declared_end);
                }
            }
        }
        if let Some(end) = dg.end
            && data_end > end
        {
            if frag.more {
                dg.anomalies.push(Anomaly {
                    kind: AnomalyKind::BeyondEnd,
                    frame: frag.frame,
                    range: Some([end, data_end]),
                });
            }
            data_end = end;
        }
        let (start, data) = (frag.offset, frag.data);
        let mut new_pieces: Vec<(u64, u64)> = Vec::new();
        let mut old_same = true;
        let mut old_bytes = 0u64;
        dg.holes.fill(start, data_end, |from, to, new| {
            if new {
                new_pieces.push((from, to));
            } else {
                old_bytes += to - from;
            }
        });
        if old_bytes > 0 {
            let mut at = start;
            for &(from, to) in new_pieces.iter().chain([(data_end, data_end)].iter()) {
                if at < from {
                    let fresh = data.get((at - start) as usize..).unwrap_or_default();
                    old_same &= dg.same_bytes(at, from, fresh);
                }
                at = to;
            }
            let kind = if !old_same {
                AnomalyKind::OverlapConflict
            } else if new_pieces.is_empty() {
                AnomalyKind::Duplicate
            } else {
                AnomalyKind::Overlap
            };
            dg.anomalies.push(Anomaly {
                kind,
                frame: frag.frame,
                range: Some([start, data_end]),
            });
        }
        let mut added = 0usize;
        for (from, to) in new_pieces {
            let bytes = data
                .get((from - start) as usize..(to - start) as usize)
                .unwrap_or_default();
            added += bytes.len() + PIECE_OVERHEAD;
            dg.pieces.push((from, bytes.to_vec()));
        }
        dg.high = dg.high.max(data_end);
        dg.memory += added;
        self.memory += added;
        if dg.holes.is_complete() {
            self.counters.complete += 1;
            if let Some(done) = self.take(key, frag.frame) {
                out.push(done);
            }
            return;
        }
        while self.memory > self.limits.max_memory {
            if !self.flush_oldest(frag.frame, Flush::Evicted, out) {
                break;
            }
        }
    }

    /// Flushes the datagrams whose first fragment is older than the timeout at `now`.
    pub fn expire(&mut self, now: i64, frame: u64, out: &mut Vec<Done<K>>) {
        while let Some(&(key, serial)) = self.order.front() {
            match self.map.get(&key) {
                Some(dg) if dg.serial == serial => {
                    if now.saturating_sub(dg.started) <= self.limits.timeout {
                        break;
                    }
                    self.flush(key, frame, Flush::Timeout, out);
                }
                _ => {
                    self.order.pop_front();
                }
            }
        }
        // Completed datagrams leave stale queue entries: drop them once they dominate.
        if self.order.len() > 2 * self.map.len() + 1024 {
            let map = &self.map;
            self.order
                .retain(|(k, s)| map.get(k).is_some_and(|d| d.serial == *s));
        }
    }

    /// Flushes every open datagram (the capture ended), oldest first.
    pub fn flush_all(&mut self, frame: u64, out: &mut Vec<Done<K>>) {
        while self.flush_oldest(frame, Flush::End, out) {}
    }

    /// Flushes the oldest open datagram; false if there is none.
    fn flush_oldest(&mut self, frame: u64, why: Flush, out: &mut Vec<Done<K>>) -> bool {
        while let Some((key, serial)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|d| d.serial == serial) {
                self.flush(key, frame, why, out);
                return true;
            }
        }
        false
    }

    /// Removes `key`'s datagram as incomplete.
    fn flush(&mut self, key: K, frame: u64, why: Flush, out: &mut Vec<Done<K>>) {
        let anomaly = match why {
            Flush::Timeout => {
                self.counters.timeouts += 1;
                Some(AnomalyKind::Timeout)
            }
            Flush::Evicted => {
                self.counters.evicted += 1;
                Some(AnomalyKind::Evicted)
            }
            Flush::TooLarge => {
                self.counters.too_large += 1;
                None
            }
            Flush::End => {
                self.counters.incomplete += 1;
                None
            }
        };
        if let Some(kind) = anomaly
            && let Some(dg) = self.map.get_mut(&key)
        {
            dg.anomalies.push(Anomaly {
                kind,
                frame,
                range: None,
            });
        }
        if let Some(done) = self.take(key, frame) {
            out.push(done);
        }
    }

    /// Removes `key`'s datagram and assembles what it has.
    fn take(&mut self, key: K, frame: u64) -> Option<Done<K>> {
        let mut dg = self.map.remove(&key)?;
        self.memory = self.memory.saturating_sub(dg.memory);
        let complete = dg.holes.is_complete();
        let len = dg.end.unwrap_or(dg.high);
        let mut missing = dg.holes.missing(len);
        missing.retain(|[a, b]| a < b);
        if dg.end.is_none() {
            dg.anomalies.push(Anomaly {
                kind: AnomalyKind::NoLastFragment,
                frame,
                range: None,
            });
        }
        Some(Done {
            key,
            data: dg.assemble(),
            frames: dg.frames,
            complete,
            missing,
            anomalies: dg.anomalies,
            len,
            number: frame,
            protocol: dg.protocol,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const LIMITS: Limits = Limits {
        max_datagram: 131_072,
        max_memory: 1 << 20,
        max_datagrams: 64,
        timeout: 30,
    };

    /// The datagram `payload` cut into fragments of `size` bytes (a multiple of 8), as
    /// (offset, more, bytes).
    pub(crate) fn cut(payload: &[u8], size: usize) -> Vec<(u64, bool, Vec<u8>)> {
        payload
            .chunks(size)
            .enumerate()
            .map(|(i, c)| {
                let offset = (i * size) as u64;
                (
                    offset,
                    offset as usize + c.len() < payload.len(),
                    c.to_vec(),
                )
            })
            .collect()
    }

    /// Feeds fragments (frame numbers 1, 2, ...) and returns what came out.
    pub(crate) fn feed(frags: &[(u64, bool, Vec<u8>)]) -> Vec<Done<u32>> {
        let mut table = FragTable::new(LIMITS);
        let mut out = Vec::new();
        for (i, (offset, more, data)) in frags.iter().enumerate() {
            let frag = Fragment {
                offset: *offset,
                more: *more,
                data,
                declared: data.len() as u64,
                protocol: 17,
                frame: i as u64 + 1,
                time: 0,
            };
            table.insert(7, frag, &mut out);
        }
        table.flush_all(frags.len() as u64, &mut out);
        out
    }

    pub(crate) fn payload(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 256) as u8).collect()
    }

    /// xorshift64, for shuffles.
    pub(crate) fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn kinds(done: &Done<u32>) -> Vec<AnomalyKind> {
        done.anomalies.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn in_order_reversed_and_shuffled() {
        let p = payload(1000);
        let frags = cut(&p, 96);
        let mut reversed = frags.clone();
        reversed.reverse();
        let mut shuffled = frags.clone();
        shuffled.swap(0, 5);
        shuffled.swap(2, 9);
        for set in [&frags, &reversed, &shuffled] {
            let out = feed(set);
            assert_eq!(out.len(), 1);
            assert!(out[0].complete);
            assert_eq!(out[0].data, p);
            assert_eq!(out[0].len, 1000);
            assert_eq!(out[0].frames.len(), frags.len());
            assert!(out[0].anomalies.is_empty());
            assert_eq!(out[0].number, frags.len() as u64);
        }
    }

    #[test]
    fn duplicates_and_overlaps() {
        let p = payload(64);
        let mut frags = cut(&p, 16);
        frags.insert(1, frags[0].clone());
        // An overlapping fragment with the same bytes: [8, 40).
        frags.insert(3, (8, true, p[8..40].to_vec()));
        let out = feed(&frags);
        assert!(out[0].complete);
        assert_eq!(out[0].data, p);
        // The overlap covers parts of two fragments: the one before and the one after it.
        assert_eq!(
            kinds(&out[0]),
            [
                AnomalyKind::Duplicate,
                AnomalyKind::Overlap,
                AnomalyKind::Overlap
            ]
        );
    }

    #[test]
    fn overlap_with_different_bytes_keeps_the_first_and_says_so() {
        let p = payload(48);
        let mut frags = cut(&p, 16);
        let mut evil = p[8..24].to_vec();
        evil[3] ^= 0xff;
        frags.insert(1, (8, true, evil));
        let out = feed(&frags);
        assert!(out[0].complete);
        assert_eq!(out[0].data, p);
        assert_eq!(
            kinds(&out[0]),
            [AnomalyKind::OverlapConflict, AnomalyKind::Overlap]
        );
    }

    #[test]
    fn missing_first_middle_last() {
        let p = payload(64);
        let frags = cut(&p, 16);
        for (gone, missing) in [(0, [0, 16]), (2, [32, 48])] {
            let mut f = frags.clone();
            f.remove(gone);
            let out = feed(&f);
            assert_eq!(out.len(), 1);
            assert!(!out[0].complete);
            assert_eq!(out[0].missing, [missing]);
            assert_eq!(out[0].len, 64);
            // Never zero-filled: only the bytes contiguous from 0.
            assert_eq!(out[0].data, p[..missing[0] as usize]);
        }
        let mut f = frags.clone();
        f.pop();
        let out = feed(&f);
        assert!(!out[0].complete);
        assert_eq!(out[0].len, 48);
        assert!(kinds(&out[0]).contains(&AnomalyKind::NoLastFragment));
    }

    #[test]
    fn tiny_eight_byte_fragments() {
        let p = payload(200);
        let mut frags = cut(&p, 8);
        frags.reverse();
        let out = feed(&frags);
        assert_eq!(out.len(), 1);
        assert!(out[0].complete);
        assert_eq!(out[0].data, p);
        assert_eq!(out[0].frames.len(), 25);
    }

    #[test]
    fn shuffles_and_duplicates_always_reassemble_to_the_original() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..300 {
            let size = 8 * (1 + (next(&mut seed) % 40) as usize);
            // At least two fragments.
            let len = size + 1 + (next(&mut seed) % 3000) as usize;
            let p = payload(len);
            let mut frags = cut(&p, size);
            let dups = (next(&mut seed) % 4) as usize;
            for _ in 0..dups {
                let i = (next(&mut seed) % frags.len() as u64) as usize;
                frags.push(frags[i].clone());
            }
            for i in (1..frags.len()).rev() {
                let j = (next(&mut seed) % (i as u64 + 1)) as usize;
                frags.swap(i, j);
            }
            let out = feed(&frags);
            // Duplicates arriving after completion open a new datagram that never completes.
            assert!(out[0].complete, "round {round}");
            assert_eq!(out[0].data, p, "round {round}");
            assert!(out[1..].iter().all(|d| !d.complete), "round {round}");
        }
    }

    #[test]
    fn bounds_flush_the_oldest() {
        let limits = Limits {
            max_datagrams: 4,
            ..LIMITS
        };
        let mut table: FragTable<u32> = FragTable::new(limits);
        let mut out = Vec::new();
        for id in 0..10u32 {
            let frag = Fragment {
                offset: 0,
                more: true,
                data: &[1; 8],
                declared: 8,
                protocol: 17,
                frame: u64::from(id) + 1,
                time: 0,
            };
            table.insert(id, frag, &mut out);
        }
        assert_eq!(table.len(), 4);
        assert_eq!(out.len(), 6);
        assert_eq!(out[0].key, 0);
        assert_eq!(table.counters.evicted, 6);
        // The timeout: a fragment 31 s later flushes the rest.
        let frag = Fragment {
            offset: 8,
            more: false,
            data: &[1; 8],
            declared: 8,
            protocol: 17,
            frame: 11,
            time: 31,
        };
        table.insert(99, frag, &mut out);
        assert_eq!(table.counters.timeouts, 4);
        assert_eq!(table.len(), 1);
        // Too large: a fragment ending past the per-datagram bound.
        let frag = Fragment {
            offset: 131_064,
            more: true,
            data: &[1; 16],
            declared: 16,
            protocol: 17,
            frame: 12,
            time: 31,
        };
        table.insert(5, frag, &mut out);
        assert_eq!(table.counters.too_large, 1);
        assert!(table.memory() < 1024);
    }
}
