//! Near-duplicate documents: the stages, callable on batches.
//!
//! 1. **fingerprint** — [`Fingerprinter::document`] per document (any thread, any batch);
//! 2. **candidates** — [`candidates`]: LSH over the signatures of a set of documents;
//! 3. **verify** — [`verify`]: exact Jaccard of the shingle sets (or the signature estimate
//!    with [`Verification::Estimate`]), keeping pairs at or above the threshold;
//! 4. **label** — [`label`]: union-find over verified pairs, one representative per cluster.
//!
//! Each stage takes plain slices and returns plain values, so a distributed engine can run
//! them on partitions: fingerprints are pure functions of the text and configuration, band
//! keys ([`lsh::band_keys`]) can be shuffled by key, and the pair lists merged before
//! labelling.

use serde::{Deserialize, Serialize};

use crate::cluster::{self, Cluster};
use crate::error::Result;
use crate::fingerprint::{DocFingerprint, FingerprintConfig, Fingerprinter};
use crate::lsh::{self, LshParams};
use crate::minhash::jaccard;

/// How candidate pairs are checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verification {
    /// Exact Jaccard of the shingle sets. This is the default.
    #[default]
    Exact,
    /// The MinHash estimate: less memory, approximate.
    Estimate,
}

/// Configuration of near-duplicate detection.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DedupConfig {
    /// Fingerprints.
    pub fingerprint: FingerprintConfig,
    /// Pairs with Jaccard similarity at or above this are duplicates. This is 0.8 by default.
    pub threshold: f64,
    /// Candidate probability guaranteed for a pair exactly at the threshold. 0.95 by default.
    pub min_recall: f64,
    /// How candidates are checked. Exact by default.
    pub verification: Verification,
    /// Band groups larger than this are linked as a star instead of all pairs (see
    /// [`lsh::candidate_pairs`]). 2,000 by default.
    pub max_group: usize,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            fingerprint: FingerprintConfig::default(),
            threshold: 0.8,
            min_recall: 0.95,
            verification: Verification::Exact,
            max_group: 2000,
        }
    }
}

/// A verified pair of items with its similarity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    /// The smaller item number.
    pub a: u32,
    /// The larger item number.
    pub b: u32,
    /// Jaccard similarity (exact, or estimated with [`Verification::Estimate`]).
    pub jaccard: f64,
}

/// A configured near-duplicate detector. Holds no state between calls.
#[derive(Clone, Copy, Debug)]
pub struct Deduper {
    config: DedupConfig,
    fingerprinter: Fingerprinter,
    params: LshParams,
}

impl Deduper {
    /// Checks the configuration and builds a detector.
    pub fn new(config: DedupConfig) -> Result<Deduper> {
        let params = LshParams::for_threshold(
            config.threshold,
            config.fingerprint.minhash.num_perm,
            config.min_recall,
        )?;
        Ok(Deduper {
            config,
            fingerprinter: Fingerprinter::new(config.fingerprint)?,
            params,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// The LSH parameters derived from the threshold.
    pub fn params(&self) -> &LshParams {
        &self.params
    }

    /// Stage 1: the fingerprint of one document. Shingles are dropped (kept empty) with
    /// [`Verification::Estimate`] to save memory.
    pub fn fingerprint(&self, text: &str) -> DocFingerprint {
        let mut fp = self.fingerprinter.document(text, true);
        if self.config.verification == Verification::Estimate {
            fp.shingles = Vec::new();
        }
        fp
    }

    /// [`Deduper::fingerprint`] with the shingles (text order, repeats kept) left in
    /// `shingles`, cleared first, for a caller that reuses one buffer: the fingerprint returned
    /// has none.
    pub fn fingerprint_into(&self, text: &str, shingles: &mut Vec<u64>) -> DocFingerprint {
        self.fingerprinter.document_into(text, true, shingles)
    }

    /// Stage 1 without the shingles: only the signature (and token count) of one document.
    /// Use [`Deduper::shingle_set`] later for the documents met in candidate pairs: this keeps
    /// memory per document at one signature.
    pub fn signature(&self, text: &str) -> DocFingerprint {
        self.fingerprinter.document_signature(text)
    }

    /// The shingle set of a text, sorted and deduplicated, as [`Deduper::verify`] compares it.
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        let mut fp = self.fingerprinter.document(text, false);
        fp.make_set();
        fp.shingles
    }

    /// Stage 2: candidate pairs among `fps` (numbered by position), sorted.
    pub fn candidates(&self, fps: &[DocFingerprint]) -> Vec<(u32, u32)> {
        lsh::candidate_pairs_of(
            fps.len(),
            |i| fps[i].signature.as_ref(),
            &self.params,
            self.config.fingerprint.minhash.seed,
            self.config.max_group,
        )
    }

    /// Stage 3: the candidates whose similarity reaches the threshold, in the same order.
    /// The shingles of every document met in a candidate pair are made a set first.
    pub fn verify(&self, fps: &mut [DocFingerprint], candidates: &[(u32, u32)]) -> Vec<Pair> {
        use rayon::prelude::*;
        if self.config.verification == Verification::Exact {
            let mut involved = vec![false; fps.len()];
            for &(a, b) in candidates {
                involved[a as usize] = true;
                involved[b as usize] = true;
            }
            fps.par_iter_mut()
                .zip(involved.par_iter())
                .filter(|(_, &inv)| inv)
                .for_each(|(f, _)| f.make_set());
        }
        let fps = &*fps;
        candidates
            .par_iter()
            .filter_map(|&(a, b)| {
                let j = self.similarity(&fps[a as usize], &fps[b as usize]);
                (j >= self.config.threshold).then_some(Pair { a, b, jaccard: j })
            })
            .collect()
    }

    /// Similarity of two fingerprints as this detector measures it. With exact verification
    /// both must have been made sets ([`DocFingerprint::make_set`]).
    pub fn similarity(&self, a: &DocFingerprint, b: &DocFingerprint) -> f64 {
        debug_assert!(self.config.verification == Verification::Estimate || a.sorted && b.sorted);
        match self.config.verification {
            Verification::Exact => jaccard(&a.shingles, &b.shingles),
            Verification::Estimate => match (&a.signature, &b.signature) {
                (Some(x), Some(y)) => x.estimate(y),
                _ => 0.0,
            },
        }
    }
}

/// Stage 4: clusters of the verified pairs over `n` items. The representative is the member
/// with the longest text (`text_len`), ties going to the smaller item number — with items
/// numbered in id order, the smallest id.
pub fn label(n: usize, pairs: &[Pair], text_len: &[usize]) -> Vec<Cluster> {
    let edges: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
    cluster::clusters(n, &edges, |a, b| {
        let (la, lb) = (text_len[a as usize], text_len[b as usize]);
        la > lb || (la == lb && a < b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_near_duplicates() {
        let d = Deduper::new(DedupConfig::default()).unwrap();
        let base: Vec<String> = (0..200).map(|i| format!("word{i}")).collect();
        let mut edited = base.clone();
        edited[100] = "rewritten".into();
        let texts = [
            base.join(" "),
            "something else entirely".into(),
            edited.join(" "),
            base.join(" "),
        ];
        let mut fps: Vec<_> = texts.iter().map(|t| d.fingerprint(t)).collect();
        let cand = d.candidates(&fps);
        let pairs = d.verify(&mut fps, &cand);
        assert_eq!(pairs.len(), 3);
        let lens: Vec<usize> = texts.iter().map(String::len).collect();
        let cl = label(texts.len(), &pairs, &lens);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].members, vec![0, 2, 3]);
        assert_eq!(cl[0].representative, 2); // "rewritten" is longer than "word100"
    }
}
