//! Which pairs are worth comparing?
//!
//! Locality-sensitive hashing over MinHash signatures: each signature is cut into `b` bands of
//! `r` slots ([`LshParams`]); each band is hashed (seeded xxh3, the band number mixed in) to a
//! band key, and items sharing a band key are candidate pairs. Two ways to use it:
//!
//! * [`candidate_pairs`] for a whole batch at once: per band, it groups the items by key in
//!   an open-addressing table and emits every pair within a group of equal keys, members in
//!   item order — no order depends on the table,
//!   sorted and deduplicated output.
//! * [`LshIndex`] for incremental use (insert a batch, query another), e.g. one stage of a
//!   distributed run.
//!
//! Candidates are only candidates: callers verify them against exact Jaccard
//! ([`jaccard`](crate::minhash::jaccard)) before reporting.

mod params;

pub use params::LshParams;

use ahash::AHashMap;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::minhash::Signature;

/// Band keys of a signature: one `u64` per band.
pub fn band_keys(sig: &Signature, params: &LshParams, seed: u64) -> Vec<u64> {
    (0..params.bands)
        .map(|b| band_key(sig.slots(), params.rows, b, seed))
        .collect()
}

/// The key of band `band` of a signature: the same value as `band_keys(sig, …)[band]`.
pub fn band_key_of(sig: &Signature, params: &LshParams, seed: u64, band: usize) -> u64 {
    band_key(sig.slots(), params.rows, band, seed)
}

/// The key of band `band` (`rows` slots from `band * rows` on) of a signature's `slots`.
#[inline]
fn band_key(slots: &[u32], rows: usize, band: usize, seed: u64) -> u64 {
    let rows = &slots[band * rows..(band + 1) * rows];
    let seed = seed ^ (band as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut buf = [0u8; 4 * 32];
    if rows.len() <= 32 {
        for (i, v) in rows.iter().enumerate() {
            buf[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&buf[..rows.len() * 4], seed)
    } else {
        let bytes: Vec<u8> = rows.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, seed)
    }
}

/// All pairs `(i, j)`, `i < j`, of signatures that share at least one band key, sorted and
/// deduplicated. Signatures of empty sets are never candidates. Runs in parallel over bands.
///
/// `max_group` bounds the work on degenerate inputs: a band group with more members than this
/// (thousands of items with one identical band) contributes only the pairs of each member with
/// the group's first member, which is enough to keep such items connected when clustering.
pub fn candidate_pairs(
    sigs: &[Signature],
    params: &LshParams,
    seed: u64,
    max_group: usize,
) -> Vec<(u32, u32)> {
    candidate_pairs_of(sigs.len(), |i| Some(&sigs[i]), params, seed, max_group)
}

/// [`candidate_pairs`] over `n` items whose signatures `sig_of` lends (`None`: no signature,
/// never a candidate), so callers need not gather the signatures into one slice.
pub fn candidate_pairs_of<'a>(
    n: usize,
    sig_of: impl Fn(usize) -> Option<&'a Signature> + Sync,
    params: &LshParams,
    seed: u64,
    max_group: usize,
) -> Vec<(u32, u32)> {
    let live: Vec<u32> = (0..n as u32)
        .filter(|&i| sig_of(i as usize).is_some_and(|s| !s.is_empty_set()))
        .collect();
    let slots = |i: u32| sig_of(i as usize).map_or(&[][..], Signature::slots);
    // Every band key of an item is computed while its signature is in cache (one pass over
    // the signatures, not one per band): item-major, `bands` keys per item, in chunks of
    // items each written by the thread that computes it (one large zeroed vector would be
    // faulted in by this thread alone).
    let bands = params.bands;
    let item_keys: Vec<Vec<u64>> = live
        .par_chunks(ITEMS_PER_CHUNK)
        .map(|items| {
            let mut keys = Vec::with_capacity(items.len() * bands);
            for &i in items {
                let s = slots(i);
                keys.extend((0..bands).map(|b| band_key(s, params.rows, b, seed)));
            }
            keys
        })
        .collect();
    let mut pairs: Vec<(u32, u32)> = (0..bands)
        .into_par_iter()
        .flat_map_iter(|b| {
            let mut keys: Vec<u64> = Vec::with_capacity(live.len());
            for chunk in &item_keys {
                keys.extend(chunk.iter().skip(b).step_by(bands));
            }
            let mut out = Vec::new();
            for group in crate::sort::groups_of_equal_keys(&keys) {
                if group.len() > max_group {
                    let first = live[group[0] as usize];
                    out.extend(group[1..].iter().map(|&p| (first, live[p as usize])));
                    continue;
                }
                for (x, &a) in group.iter().enumerate() {
                    for &c in &group[x + 1..] {
                        out.push((live[a as usize], live[c as usize]));
                    }
                }
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Items whose band keys one task computes in [`candidate_pairs_of`].
const ITEMS_PER_CHUNK: usize = 256;

/// An incremental LSH index mapping band keys to item ids.
///
/// Items are numbered by the caller. Queries return ids in ascending order, so results do not
/// depend on insertion order. Safe to share for concurrent queries (`&self`).
#[derive(Debug)]
pub struct LshIndex {
    params: LshParams,
    seed: u64,
    tables: Vec<AHashMap<u64, Vec<u32>>>,
}

impl LshIndex {
    /// An empty index.
    pub fn new(params: LshParams, seed: u64) -> LshIndex {
        LshIndex {
            params,
            seed,
            tables: (0..params.bands).map(|_| AHashMap::default()).collect(),
        }
    }

    /// The parameters.
    pub fn params(&self) -> &LshParams {
        &self.params
    }

    /// Adds item `id` with signature `sig`. Empty-set signatures are ignored.
    pub fn insert(&mut self, id: u32, sig: &Signature) {
        if sig.is_empty_set() {
            return;
        }
        for (b, key) in band_keys(sig, &self.params, self.seed)
            .into_iter()
            .enumerate()
        {
            self.tables[b].entry(key).or_default().push(id);
        }
    }

    /// Ids of the items sharing at least one band with `sig`, ascending, deduplicated.
    pub fn query(&self, sig: &Signature) -> Vec<u32> {
        if sig.is_empty_set() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (b, key) in band_keys(sig, &self.params, self.seed)
            .into_iter()
            .enumerate()
        {
            if let Some(ids) = self.tables[b].get(&key) {
                out.extend_from_slice(ids);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{MinHashConfig, MinHasher};
    use crate::shingle::{ShingleConfig, Shingler};

    fn sig(text: &str) -> Signature {
        let sh = Shingler::new(ShingleConfig::default()).unwrap();
        MinHasher::new(MinHashConfig::default())
            .unwrap()
            .sign(&sh.shingle_set(text))
    }

    fn text(range: std::ops::Range<usize>) -> String {
        range.map(|i| format!("t{i}")).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn batch_and_index_agree() {
        let p = LshParams::for_threshold(0.8, 128, 0.95).unwrap();
        let sigs = vec![
            sig(&text(0..300)),
            sig(&text(1000..1300)),
            sig(&text(0..290)),
            sig(""),
            sig(&text(0..300)),
        ];
        let pairs = candidate_pairs(&sigs, &p, 7, 1000);
        assert_eq!(pairs, vec![(0, 2), (0, 4), (2, 4)]);
        let mut idx = LshIndex::new(p, 7);
        for (i, s) in sigs.iter().enumerate() {
            idx.insert(i as u32, s);
        }
        assert_eq!(idx.query(&sigs[0]), vec![0, 2, 4]);
        assert!(idx.query(&sigs[3]).is_empty());
        // Degenerate groups fall back to a star.
        let same = vec![sig(&text(0..50)); 5];
        assert_eq!(candidate_pairs(&same, &p, 7, 3).len(), 4);
    }

    #[test]
    fn recall_at_threshold_matches_prediction() {
        // Pairs built at Jaccard ~0.8 become candidates at least as often as predicted.
        let p = LshParams::for_threshold(0.8, 128, 0.95).unwrap();
        let sh = Shingler::new(ShingleConfig::default()).unwrap();
        let m = MinHasher::new(MinHashConfig::default()).unwrap();
        let mut found = 0;
        let trials = 200;
        for t in 0..trials {
            let base = t * 10_000;
            // 400 tokens vs the same with 40 tokens replaced in the middle: J = 352/440 = 0.8.
            let a: Vec<String> = (base..base + 400).map(|i| format!("x{i}")).collect();
            let mut b = a.clone();
            for (k, w) in b.iter_mut().enumerate().skip(100).take(40) {
                *w = format!("y{k}_{t}");
            }
            let (sa, sb) = (sh.shingle_set(&a.join(" ")), sh.shingle_set(&b.join(" ")));
            let j = crate::minhash::jaccard(&sa, &sb);
            assert!((0.75..0.85).contains(&j), "{j}");
            let pairs = candidate_pairs(&[m.sign(&sa), m.sign(&sb)], &p, 1, 1000);
            found += pairs.len();
        }
        let predicted = p.candidate_probability(0.8);
        assert!(
            found as f64 / trials as f64 >= predicted - 0.05,
            "{found}/{trials} vs {predicted}"
        );
    }
}
