//! Choosing bands × rows from a similarity threshold.
//!
//! With `b` bands of `r` rows, a pair of similarity `s` becomes a candidate with probability
//! `P(s) = 1 − (1 − s^r)^b`. dechaff picks, among all `b·r ≤ k`, the largest `r` (fewest
//! false candidates) for which `P(threshold) ≥ min_recall` (0.95 by default), and then the
//! largest `b` that fits. Peers that minimise a weighted sum of false positive and false
//! negative areas often choose parameters that miss a third of the pairs right at the
//! threshold; here the guarantee is explicit and `dechaff dedup --explain` prints it.
//!
//! ```
//! use dechaff::lsh::LshParams;
//! let p = LshParams::for_threshold(0.8, 128, 0.95).unwrap();
//! assert!(p.candidate_probability(0.8) >= 0.95);
//! assert!(p.bands * p.rows <= 128);
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Bands and rows of an LSH index over signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Signature slots per band.
    pub rows: usize,
}

impl LshParams {
    /// The parameters for `threshold` with `num_perm` slots such that a pair exactly at the
    /// threshold is a candidate with probability at least `min_recall`.
    pub fn for_threshold(threshold: f64, num_perm: usize, min_recall: f64) -> Result<LshParams> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(Error::Config(format!(
                "threshold must be in (0, 1], got {threshold}"
            )));
        }
        if !(min_recall > 0.0 && min_recall < 1.0) {
            return Err(Error::Config(format!(
                "minimum recall must be in (0, 1), got {min_recall}"
            )));
        }
        let mut best = None;
        for rows in 1..=num_perm {
            let bands = num_perm / rows;
            let p = LshParams { bands, rows };
            if p.candidate_probability(threshold) >= min_recall {
                best = Some(p);
            }
        }
        best.ok_or_else(|| {
            Error::Config(format!(
                "{num_perm} permutations cannot reach a candidate probability of \
                 {min_recall} at threshold {threshold}; use more permutations"
            ))
        })
    }

    /// Probability that a pair with similarity `s` shares at least one band.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// Signature slots used (`bands × rows`).
    pub fn slots_used(&self) -> usize {
        self.bands * self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_threshold() {
        let p = LshParams::for_threshold(0.8, 128, 0.95).unwrap();
        assert_eq!((p.bands, p.rows), (18, 7));
        assert!(p.candidate_probability(0.8) >= 0.95);
        assert!(p.candidate_probability(0.5) < 0.3);
    }

    #[test]
    fn every_threshold_meets_recall() {
        for t in [0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0] {
            let p = LshParams::for_threshold(t, 128, 0.95).unwrap();
            assert!(p.candidate_probability(t) >= 0.95, "{t}: {p:?}");
            assert!(p.slots_used() <= 128);
        }
        assert!(LshParams::for_threshold(0.0, 128, 0.95).is_err());
        assert!(LshParams::for_threshold(0.05, 4, 0.99).is_err());
    }
}
