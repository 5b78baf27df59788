//! A fast keyed hasher for the connection table, whose keys are hashed once per segment.
//!
//! SipHash (std's default) costs ≈ 240 instructions for the 36-byte pair key; this one folds
//! each 8-byte word into the state with a 64×64→128-bit multiply (the high and low halves
//! XORed, as foldhash and wyhash do), ≈ 40. The seed is random per table (from std's
//! `RandomState`), so a capture cannot be built to collide on every run.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// Odd constants with well-mixed bits (the fractional digits of π).
const MIX: [u64; 2] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344];

/// The 128-bit product of `a` and `b`, its halves XORed.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// Builds [`FoldHasher`]s with a seed drawn once per table.
#[derive(Clone, Debug)]
pub(crate) struct KeyedState {
    seed: u64,
}

impl Default for KeyedState {
    fn default() -> KeyedState {
        KeyedState {
            seed: RandomState::new().hash_one(MIX[0]),
        }
    }
}

impl BuildHasher for KeyedState {
    type Hasher = FoldHasher;

    fn build_hasher(&self) -> FoldHasher {
        FoldHasher { state: self.seed }
    }
}

/// The hasher [`KeyedState`] builds.
#[derive(Clone, Debug)]
pub(crate) struct FoldHasher {
    state: u64,
}

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.state = fold(self.state ^ u64::from_le_bytes(word), MIX[1]);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.state = fold(self.state ^ u64::from_le_bytes(word), MIX[1]);
        }
        // The length, so that keys that differ only by trailing zero bytes differ.
        self.state = fold(self.state ^ bytes.len() as u64, MIX[0]);
    }

    fn write_u64(&mut self, n: u64) {
        self.state = fold(self.state ^ n, MIX[1]);
    }

    fn finish(&self) -> u64 {
        fold(self.state, MIX[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn distinct_keys_spread_over_buckets() {
        let state = KeyedState::default();
        // 36-byte keys differing in one port byte or one address byte, as the pair keys do.
        let mut hashes = HashSet::new();
        let mut low_bits = HashSet::new();
        for i in 0..4096u32 {
            let mut key = [0u8; 36];
            key[10..12].copy_from_slice(&[0xff, 0xff]);
            key[12..16].copy_from_slice(&[10, 0, (i >> 8) as u8, i as u8]);
            key[16..18].copy_from_slice(&(i as u16).wrapping_mul(7).to_be_bytes());
            let hash = state.hash_one(key);
            hashes.insert(hash);
            low_bits.insert(hash & 0xfff);
        }
        assert_eq!(hashes.len(), 4096, "no collisions");
        // 4096 keys into 4096 buckets: about 1 - 1/e of the buckets are used when uniform.
        assert!(low_bits.len() > 2400, "{} buckets of 4096", low_bits.len());
    }

    #[test]
    fn seeds_differ_between_tables() {
        let (a, b) = (KeyedState::default(), KeyedState::default());
        assert_ne!(a.hash_one([1u8; 36]), b.hash_one([1u8; 36]));
        assert_eq!(a.hash_one([1u8; 36]), a.hash_one([1u8; 36]));
    }

    #[test]
    fn trailing_bytes_and_lengths_matter() {
        let state = KeyedState::default();
        let hash = |bytes: &[u8]| {
            let mut h = state.build_hasher();
            h.write(bytes);
            h.finish()
        };
        assert_ne!(hash(&[1, 2, 3]), hash(&[1, 2, 3, 0]));
        assert_ne!(hash(&[0; 8]), hash(&[0; 9]));
        assert_ne!(hash(&[1; 36]), hash(&[2; 36]));
    }
}
