//! Fingerprints of documents and paragraphs: normalize → shingle → MinHash in one call.
//!
//! A [`Fingerprinter`] is built once from a [`FingerprintConfig`] and shared by every thread.
//! It keeps no state between calls; scratch buffers live on the caller's stack.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::minhash::{MinHashConfig, MinHasher, Signature};
use crate::normalize::normalize_into;
use crate::normalize::segment::{paragraphs_into, SegmentMode, Span};
use crate::shingle::{ShingleConfig, Shingler, TokenHashes};

/// Everything that decides what a fingerprint is. Two runs with equal configurations produce
/// identical fingerprints on any machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintConfig {
    /// Shingles.
    pub shingle: ShingleConfig,
    /// MinHash.
    pub minhash: MinHashConfig,
    /// Paragraphs.
    pub segment: SegmentMode,
}

/// A document's fingerprint.
#[derive(Clone, Debug, Default)]
pub struct DocFingerprint {
    /// The shingles of the whole text: in text order with repeats until
    /// [`DocFingerprint::make_set`] sorts and deduplicates them.
    pub shingles: Vec<u64>,
    /// Whether `shingles` is sorted and deduplicated.
    pub sorted: bool,
    /// Its MinHash signature.
    pub signature: Option<Signature>,
    /// Number of tokens in the normalized text.
    pub tokens: usize,
}

impl DocFingerprint {
    /// Sorts and deduplicates the shingles (once), making them a set for exact comparison.
    pub fn make_set(&mut self) {
        if !self.sorted {
            crate::sort::radix_sort(&mut self.shingles);
            self.shingles.dedup();
            self.sorted = true;
        }
    }
}

/// A paragraph's fingerprint.
#[derive(Clone, Debug)]
pub struct ParagraphFingerprint {
    /// Where the paragraph is in its document.
    pub span: Span,
    /// Number of tokens in the normalized paragraph.
    pub tokens: usize,
    /// Seeded xxh3 of the normalized paragraph: equal for paragraphs that differ only in case,
    /// punctuation or spacing.
    pub exact: u64,
    /// The shingle set, sorted and deduplicated.
    pub shingles: Vec<u64>,
}

/// Computes fingerprints. Cheap to copy, safe to share between threads.
#[derive(Clone, Copy, Debug)]
pub struct Fingerprinter {
    config: FingerprintConfig,
    shingler: Shingler,
    minhasher: MinHasher,
}

impl Fingerprinter {
    /// Checks the configuration and builds a fingerprinter.
    pub fn new(config: FingerprintConfig) -> Result<Fingerprinter> {
        Ok(Fingerprinter {
            config,
            shingler: Shingler::new(config.shingle)?,
            minhasher: MinHasher::new(config.minhash)?,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FingerprintConfig {
        &self.config
    }

    /// The shingler.
    pub fn shingler(&self) -> &Shingler {
        &self.shingler
    }

    /// The MinHasher.
    pub fn minhasher(&self) -> &MinHasher {
        &self.minhasher
    }

    /// The fingerprint of a whole document: shingles run across paragraph boundaries.
    /// With `signature` false only the shingle set is computed. The shingles are left in text
    /// order, with repeats (sorting is only needed for exact comparison: see
    /// [`DocFingerprint::make_set`]).
    pub fn document(&self, text: &str, signature: bool) -> DocFingerprint {
        // Roughly one shingle per six bytes of prose.
        let mut shingles = Vec::with_capacity(text.len() / 6 + 1);
        let mut fp = self.document_into(text, signature, &mut shingles);
        fp.shingles = shingles;
        fp
    }

    /// [`Fingerprinter::document`] with the shingles left in `shingles` (cleared first) rather
    /// than in a new vector, so that one buffer can serve many documents: the fingerprint
    /// returned has no shingles.
    pub fn document_into(
        &self,
        text: &str,
        signature: bool,
        shingles: &mut Vec<u64>,
    ) -> DocFingerprint {
        let mut scratch = String::new();
        shingles.clear();
        let tokens = self
            .shingler
            .for_each_text_shingle(text, &mut scratch, |h| shingles.push(h));
        let signature = signature.then(|| self.minhasher.sign(shingles));
        DocFingerprint {
            shingles: Vec::new(),
            sorted: false,
            signature,
            tokens,
        }
    }

    /// The fingerprint of a whole document without its shingles: only the signature and the
    /// token count, computed in one streaming pass (no token or shingle list is built). The
    /// signature equals that of [`Fingerprinter::document`].
    pub fn document_signature(&self, text: &str) -> DocFingerprint {
        let mut scratch = String::new();
        let mut tokens = 0;
        let signature = self.minhasher.sign_with(|mins| {
            tokens = self
                .shingler
                .for_each_text_shingle(text, &mut scratch, |h| mins.add(h));
        });
        DocFingerprint {
            shingles: Vec::new(),
            sorted: false,
            signature: Some(signature),
            tokens,
        }
    }

    /// The fingerprints of every paragraph of a document, in order.
    pub fn paragraphs(&self, text: &str) -> Vec<ParagraphFingerprint> {
        let mut spans = Vec::new();
        paragraphs_into(text, self.config.segment, &mut spans);
        let mut norm = String::new();
        let mut tokens = TokenHashes::default();
        spans
            .into_iter()
            .map(|span| {
                norm.clear();
                tokens.clear();
                normalize_into(&text[span.byte_start..span.byte_end], &mut norm);
                self.shingler.tokens_into(&norm, &mut tokens);
                let mut shingles = Vec::new();
                self.shingler
                    .shingles_into(&tokens, 0..tokens.len(), &mut shingles);
                shingles.sort_unstable();
                shingles.dedup();
                ParagraphFingerprint {
                    span,
                    tokens: tokens.len(),
                    exact: xxhash_rust::xxh3::xxh3_64_with_seed(
                        norm.as_bytes(),
                        self.config.shingle.seed,
                    ),
                    shingles,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_and_paragraphs() {
        let f = Fingerprinter::new(FingerprintConfig::default()).unwrap();
        let text = "Share this!\nThe council met on Monday to approve the budget.\n";
        let mut d = f.document(text, true);
        d.make_set();
        assert_eq!(d.tokens, 11);
        assert_eq!(d.shingles.len(), 7);
        let p = f.paragraphs(text);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].shingles.len(), 1);
        assert_eq!(
            &text[p[1].span.byte_start..p[1].span.byte_end],
            "The council met on Monday to approve the budget."
        );
        assert_eq!(p[0].exact, f.paragraphs("SHARE   this")[0].exact);
        let s = f.document_signature(text);
        assert_eq!((s.signature, s.tokens), (d.signature, d.tokens));
        assert!(f.document_signature("").signature.unwrap().is_empty_set());
    }

    #[test]
    fn streamed_signature_matches_the_shingle_list() {
        // Few and many shingles (the signature was built in batches of 256 before).
        let f = Fingerprinter::new(FingerprintConfig::default()).unwrap();
        for n in [1, 2, 5, 200, 250, 258, 259, 260, 500, 515, 1000] {
            let text: String = (0..n)
                .map(|i| format!("w{} ", (i * 7919) % 10_007))
                .collect();
            let d = f.document(&text, true);
            let s = f.document_signature(&text);
            assert_eq!(
                (s.signature, s.tokens),
                (d.signature, d.tokens),
                "{n} words"
            );
        }
    }
}
