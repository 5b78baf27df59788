//! Run totals: frames, bytes, malformed frames and frame counts by protocol.

use super::frame::Frame;
use super::proto::ProtoId;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Totals over the frames of one run, written at the end of `json` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Number of frames read.
    pub frames: u64,
    /// Sum of the frames' captured lengths.
    pub bytes: u64,
    /// Frames whose dissection stopped with an error.
    pub malformed: u64,
    /// For each protocol, the number of frames that contain it.
    pub by_protocol: ProtocolCounts,
    /// How often a safety limit was hit; written only when one was.
    #[serde(skip_serializing_if = "LimitHits::is_none")]
    pub limits: LimitHits,
    /// Counters kept by the stages (`reassembly.datagrams`, bounds hit, ...) by name; absent
    /// from reports when empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<&'static str, u64>,
}

/// Counts of the safety limits hit in a run (see `ReaderOptions` and `DissectOptions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LimitHits {
    /// Records or blocks refused for being longer than the record limit (reading stopped).
    pub record_size: u64,
    /// Frames cut at the nesting limit.
    pub nesting: u64,
}

impl LimitHits {
    /// Whether no limit was hit.
    pub fn is_none(&self) -> bool {
        *self == LimitHits::default()
    }
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            frames: 0,
            bytes: 0,
            malformed: 0,
            by_protocol: ProtocolCounts([0; ProtoId::ALL.len()]),
            limits: LimitHits::default(),
            counters: BTreeMap::new(),
        }
    }
}

impl Summary {
    /// Counts one frame.
    pub fn add(&mut self, frame: &Frame) {
        self.frames += 1;
        self.bytes += u64::from(frame.cap_len);
        self.malformed += u64::from(frame.error.is_some());
        self.limits.nesting +=
            u64::from(frame.error.as_ref().is_some_and(|e| e.is_nesting_limit()));
        let mut seen = 0u64;
        for proto in frame.protocols() {
            let bit = 1u64 << (proto as u32);
            if seen & bit == 0 {
                seen |= bit;
                self.by_protocol.0[proto as usize] += 1;
            }
        }
    }

    /// Adds the totals of `other` (another part of the same run) to these.
    pub fn merge(&mut self, other: &Summary) {
        self.frames += other.frames;
        self.bytes += other.bytes;
        self.malformed += other.malformed;
        self.limits.record_size += other.limits.record_size;
        self.limits.nesting += other.limits.nesting;
        for (mine, theirs) in self.by_protocol.0.iter_mut().zip(&other.by_protocol.0) {
            *mine += theirs;
        }
        for (name, n) in &other.counters {
            self.count_event(name, *n);
        }
    }

    /// Adds `n` to the stage counter `name`.
    pub fn count_event(&mut self, name: &'static str, n: u64) {
        *self.counters.entry(name).or_default() += n;
    }

    /// Frames that contain `proto`.
    pub fn count(&self, proto: ProtoId) -> u64 {
        self.by_protocol.0[proto as usize]
    }
}

/// Frame counts indexed by protocol; serialized as a map of the non-zero counts by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolCounts([u64; ProtoId::ALL.len()]);

impl Serialize for ProtocolCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let nonzero = self.0.iter().filter(|&&n| n > 0).count();
        let mut map = s.serialize_map(Some(nonzero))?;
        for (proto, &count) in ProtoId::ALL.iter().zip(&self.0) {
            if count > 0 {
                map.serialize_entry(proto.name(), &count)?;
            }
        }
        map.end()
    }
}
