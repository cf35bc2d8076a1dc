//! How do we fingerprint a set?
//!
//! A [`Signature`] of `k` slots summarises a shingle set so that the fraction of equal slots
//! between two signatures estimates the Jaccard similarity of the sets.
//!
//! # Scheme: one-permutation hashing with optimal densification
//!
//! Classic MinHash applies `k` hash functions to every shingle: `O(k·n)`. dechaff uses
//! one-permutation hashing (Li, Owen & Zhang 2012): the shingle hash (already a seeded xxh3,
//! see [`shingle`](crate::shingle)) picks one of `k` bins with its high 32 bits and keeps the
//! smallest low-32-bit value per bin — `O(n + k)`. Bins left empty (short texts) are filled by
//! *optimal densification* (Shrivastava 2017): empty bin `i` walks a pseudo-random sequence of
//! bins that depends only on `i` and the seed, and copies the first non-empty one it meets.
//! Because the sequence does not depend on the set, two sets fill their empty bins the same
//! way, and the probability that slot `i` agrees equals the Jaccard similarity, for every set,
//! whatever was added at the start or the end of a text. Tests check estimates against exact
//! Jaccard, including prefix/suffix edits and truncation.
//!
//! Everything is seeded and uses no platform-dependent hashing: signatures are identical across
//! runs, threads and machines.

mod jaccard;

pub use jaccard::{containment, intersection_size, jaccard};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The value of every slot of the signature of an empty set.
pub const EMPTY_SLOT: u32 = u32::MAX;

/// How signatures are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinHashConfig {
    /// Slots per signature (k). This is 128 by default.
    pub num_perm: usize,
    /// Seed of the densification sequences. This is the shingle seed by default.
    pub seed: u64,
}

impl Default for MinHashConfig {
    fn default() -> Self {
        MinHashConfig {
            num_perm: 128,
            seed: crate::shingle::DEFAULT_SEED,
        }
    }
}

/// A MinHash signature: `k` slots.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature(pub Box<[u32]>);

impl Signature {
    /// The slots.
    pub fn slots(&self) -> &[u32] {
        &self.0
    }

    /// Estimated Jaccard similarity: the fraction of equal slots. Two signatures of empty sets
    /// estimate 0.
    pub fn estimate(&self, other: &Signature) -> f64 {
        let a = self.slots();
        let b = other.slots();
        debug_assert_eq!(a.len(), b.len());
        if a.is_empty() {
            return 0.0;
        }
        let eq = a
            .iter()
            .zip(b)
            .filter(|(x, y)| x == y && **x != EMPTY_SLOT)
            .count();
        eq as f64 / a.len() as f64
    }

    /// True for the signature of an empty set.
    pub fn is_empty_set(&self) -> bool {
        self.0.first() == Some(&EMPTY_SLOT) && self.0.iter().all(|&v| v == EMPTY_SLOT)
    }
}

/// Makes signatures. Cheap to copy, safe to share between threads.
#[derive(Clone, Copy, Debug)]
pub struct MinHasher {
    config: MinHashConfig,
}

impl MinHasher {
    /// Checks the configuration and makes a hasher.
    pub fn new(config: MinHashConfig) -> Result<MinHasher> {
        if config.num_perm == 0 || config.num_perm > 4096 {
            return Err(Error::Config(format!(
                "number of permutations must be between 1 and 4096, got {}",
                config.num_perm
            )));
        }
        Ok(MinHasher { config })
    }

    /// The configuration.
    pub fn config(&self) -> &MinHashConfig {
        &self.config
    }

    /// The signature of a set of shingle hashes (duplicates and order do not matter).
    pub fn sign(&self, shingles: &[u64]) -> Signature {
        self.sign_with(|mins| mins.add_all(shingles))
    }

    /// The signature of the shingle hashes that `feed` adds to the [`BinMins`] it is given:
    /// the same as [`MinHasher::sign`] over those hashes, without collecting them first.
    pub fn sign_with(&self, feed: impl FnOnce(&mut BinMins)) -> Signature {
        let k = self.config.num_perm;
        let mut mins = BinMins {
            slots: vec![EMPTY_SLOT; k].into_boxed_slice(),
            any: false,
        };
        feed(&mut mins);
        let mut slots = mins.slots;
        if !mins.any {
            return Signature(slots);
        }
        // Which bins the shingles filled, one bit each (k <= 4096, checked in `new`).
        let mut filled = [0u64; 4096 / 64];
        for (i, &v) in slots.iter().enumerate() {
            filled[i / 64] |= u64::from(v != EMPTY_SLOT) << (i % 64);
        }
        let n_filled: usize = filled.iter().map(|w| w.count_ones() as usize).sum();
        if n_filled < k {
            self.densify(&mut slots, &filled, n_filled);
        }
        Signature(slots)
    }

    /// Fills the empty bins of `slots`; `filled` has one bit per bin filled by a shingle.
    fn densify(&self, slots: &mut [u32], filled: &[u64], n_filled: usize) {
        let k = slots.len();
        let is_filled = |j: usize| filled[j / 64] >> (j % 64) & 1 != 0;
        if n_filled == 1 {
            // Every probe sequence ends at the one filled bin.
            let v = slots[(0..k).find(|&j| is_filled(j)).unwrap_or(0)];
            slots.fill(v);
            return;
        }
        let seed = self.config.seed;
        PROBE_TABLE.with(|cell| {
            let mut cached = cell.borrow_mut();
            let table = match &mut *cached {
                Some(t) if t.seed == seed && t.k == k => t,
                other => other.insert(ProbeTable::new(seed, k)),
            };
            // Only the empty bins are visited, a word of bits at a time. Most bins are
            // filled, so the first probe or two usually hit.
            for (w, &bits) in filled.iter().enumerate().take(k.div_ceil(64)) {
                let mut empty = !bits;
                if w == k / 64 {
                    empty &= (1u64 << (k % 64)) - 1;
                }
                while empty != 0 {
                    let i = w * 64 + empty.trailing_zeros() as usize;
                    empty &= empty - 1;
                    let row = &table.probes[i * CACHED_PROBES..(i + 1) * CACHED_PROBES];
                    let j = match row.iter().find(|&&j| is_filled(usize::from(j))) {
                        Some(&j) => usize::from(j),
                        None => first_filled_probe(seed, i, k, is_filled),
                    };
                    slots[i] = slots[j];
                }
            }
        });
    }
}

/// Probes of every bin's densification sequence kept in a table, per thread.
const CACHED_PROBES: usize = 64;

/// The first [`CACHED_PROBES`] bins of the probe sequence of every bin, for one seed and `k`:
/// densification then reads a table instead of running the hash chain. Built once per thread.
struct ProbeTable {
    seed: u64,
    k: usize,
    probes: Vec<u16>,
}

impl ProbeTable {
    fn new(seed: u64, k: usize) -> ProbeTable {
        let mut probes = Vec::with_capacity(k * CACHED_PROBES);
        for i in 0..k {
            let mut state = probe_start(seed, i);
            for _ in 0..CACHED_PROBES {
                state = splitmix64(state);
                // k <= 4096 (checked in MinHasher::new), so bins fit in u16.
                probes.push(bin_of(state, k) as u16);
            }
        }
        ProbeTable { seed, k, probes }
    }
}

thread_local! {
    static PROBE_TABLE: std::cell::RefCell<Option<ProbeTable>> =
        const { std::cell::RefCell::new(None) };
}

#[inline]
fn probe_start(seed: u64, i: usize) -> u64 {
    splitmix64(seed ^ (i as u64).wrapping_mul(GOLDEN))
}

/// The first filled bin of bin `i`'s probe sequence among `k` bins (at least one bin is
/// filled).
fn first_filled_probe(seed: u64, i: usize, k: usize, filled: impl Fn(usize) -> bool) -> usize {
    let mut state = probe_start(seed, i);
    loop {
        state = splitmix64(state);
        let j = bin_of(state, k);
        if filled(j) {
            return j;
        }
    }
}

/// The per-bin minimums of a signature being built ([`MinHasher::sign_with`]).
#[derive(Debug)]
pub struct BinMins {
    slots: Box<[u32]>,
    any: bool,
}

impl BinMins {
    /// Adds one shingle hash: its high 32 bits pick the bin, its low 32 bits compete for the
    /// bin's minimum.
    #[inline]
    pub fn add(&mut self, h: u64) {
        let bin = bin_of(h, self.slots.len());
        // Values are kept below EMPTY_SLOT so that EMPTY_SLOT marks an empty bin.
        let v = (h as u32).min(EMPTY_SLOT - 1);
        if let Some(slot) = self.slots.get_mut(bin) {
            *slot = (*slot).min(v);
        }
        self.any = true;
    }

    /// Adds shingle hashes, as [`BinMins::add`] does one by one.
    #[inline]
    pub fn add_all(&mut self, hashes: &[u64]) {
        let k = self.slots.len();
        for &h in hashes {
            let bin = bin_of(h, k);
            let v = (h as u32).min(EMPTY_SLOT - 1);
            if let Some(slot) = self.slots.get_mut(bin) {
                *slot = (*slot).min(v);
            }
        }
        self.any |= !hashes.is_empty();
    }
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Maps the high 32 bits of `h` onto `0..k` without division (Lemire's fast range).
#[inline]
fn bin_of(h: u64, k: usize) -> usize {
    (((h >> 32) * k as u64) >> 32) as usize
}

#[inline]
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::{ShingleConfig, Shingler};

    fn hasher() -> MinHasher {
        MinHasher::new(MinHashConfig::default()).unwrap()
    }

    fn words(range: std::ops::Range<usize>) -> String {
        range
            .map(|i| format!("w{}", (i * 7919) % 100_003))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Standard error of the estimator with k slots is sqrt(J(1-J)/k); allow 4 sigma plus a
    /// little for densification on short sets.
    fn check(a: &str, b: &str) {
        let sh = Shingler::new(ShingleConfig::default()).unwrap();
        let (sa, sb) = (sh.shingle_set(a), sh.shingle_set(b));
        let exact = jaccard(&sa, &sb);
        let m = hasher();
        let est = m.sign(&sa).estimate(&m.sign(&sb));
        let k = 128.0;
        let bound = 4.0 * (exact * (1.0 - exact) / k).sqrt() + 0.02;
        assert!(
            (est - exact).abs() <= bound,
            "estimate {est} vs exact {exact} (bound {bound})"
        );
    }

    #[test]
    fn identical_and_disjoint() {
        let m = hasher();
        let sh = Shingler::new(ShingleConfig::default()).unwrap();
        let s = sh.shingle_set(&words(0..300));
        assert_eq!(m.sign(&s).estimate(&m.sign(&s)), 1.0);
        let t = sh.shingle_set(&words(1000..1300));
        assert!(m.sign(&s).estimate(&m.sign(&t)) < 0.05);
        assert_eq!(m.sign(&[]).estimate(&m.sign(&[])), 0.0);
        assert!(m.sign(&[]).is_empty_set());
    }

    #[test]
    fn order_and_duplicates_do_not_matter() {
        let m = hasher();
        let mut v: Vec<u64> = (0..500u64).map(splitmix64).collect();
        let a = m.sign(&v);
        v.reverse();
        v.extend_from_slice(&v.clone()[..100]);
        assert_eq!(a, m.sign(&v));
    }

    #[test]
    fn unbiased_under_prefix_suffix_and_truncation() {
        // Prefix added, suffix added, truncation, both ends, short texts.
        check(&words(0..400), &words(0..400));
        check(&words(0..400), &words(0..300));
        check(&words(0..400), &words(100..400));
        check(&words(0..400), &words(50..450));
        check(&words(0..400), &words(200..600));
        check(&words(0..60), &words(10..60));
        check(&words(0..20), &words(5..20));
        check(&words(0..1000), &words(150..900));
    }

    #[test]
    fn mean_error_is_small_over_many_pairs() {
        // Over many independent seeds the mean estimate is the exact value (no bias).
        let sh = Shingler::new(ShingleConfig::default()).unwrap();
        let a = sh.shingle_set(&words(0..200));
        let b = sh.shingle_set(&words(40..240));
        let exact = jaccard(&a, &b);
        let trials = 200;
        let mut sum = 0.0;
        for seed in 0..trials {
            // Re-hash the shingles per trial so bins differ, as a different seed would.
            let m = MinHasher::new(MinHashConfig {
                num_perm: 128,
                seed,
            })
            .unwrap();
            let ra: Vec<u64> = a.iter().map(|&h| splitmix64(h ^ seed)).collect();
            let rb: Vec<u64> = b.iter().map(|&h| splitmix64(h ^ seed)).collect();
            sum += m.sign(&ra).estimate(&m.sign(&rb));
        }
        let mean = sum / trials as f64;
        // Standard error of the mean: sqrt(J(1-J)/k/trials) ~ 0.003.
        assert!((mean - exact).abs() < 0.012, "mean {mean} vs exact {exact}");
    }

    #[test]
    fn table_densification_matches_the_hash_chain() {
        // The plain algorithm: every empty bin walks its own splitmix chain.
        fn reference(seed: u64, k: usize, shingles: &[u64]) -> Vec<u32> {
            let mut slots = vec![EMPTY_SLOT; k];
            for &h in shingles {
                let b = bin_of(h, k);
                slots[b] = slots[b].min((h as u32).min(EMPTY_SLOT - 1));
            }
            let filled: Vec<bool> = slots.iter().map(|&v| v != EMPTY_SLOT).collect();
            for i in 0..k {
                if !filled[i] {
                    slots[i] = slots[first_filled_probe(seed, i, k, |j| filled[j])];
                }
            }
            slots
        }
        for k in [1, 2, 64, 100, 128, 200, 4096] {
            for seed in [1, crate::shingle::DEFAULT_SEED] {
                let m = MinHasher::new(MinHashConfig { num_perm: k, seed }).unwrap();
                for n in [2u64, 3, 5, 17, 60, 300] {
                    let set: Vec<u64> = (0..n).map(|x| splitmix64(x ^ seed ^ k as u64)).collect();
                    assert_eq!(
                        &*m.sign(&set).0,
                        &reference(seed, k, &set)[..],
                        "k={k} n={n}"
                    );
                }
            }
        }
    }

    #[test]
    fn stable_across_machines() {
        let m = hasher();
        let sig = m.sign(&[1, 2, 3, u64::MAX, 0x1234_5678_9abc_def0]);
        let head: Vec<u32> = sig.slots()[..4].to_vec();
        assert_eq!(head, vec![1, 1, 2_596_069_104, 4_294_967_294]);
    }
}
