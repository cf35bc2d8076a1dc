//! What did outlets share?
//!
//! Passage-level reuse between documents, with exact byte spans in both texts. Three stages,
//! each callable on its own on batches, with no global state:
//!
//! 1. [`Overlapper::features`] — per document, once: the words with their byte spans (through
//!    [`for_each_word_span`], so tokens are exactly the normalized words used everywhere else),
//!    stopwords set aside, content words lightly stemmed and hashed with seeded xxh3; the text
//!    cut into sentences (at `.`, `!`, `?` followed by a space, at blank lines and at the edges
//!    of masked ranges); and the *candidate keys*, the hashes of consecutive content-word pairs.
//!    Bytes in the document's mask (page chrome, say) never yield a word, so they can neither
//!    seed nor extend a passage, and do not count in the containment.
//! 2. [`Overlapper::candidates`] — over a batch of documents: the pairs sharing at least
//!    [`OverlapConfig::candidate_min_shared`] keys, through an inverted index that ignores keys
//!    held by more than [`OverlapConfig::candidate_max_df`] documents. A passage of a couple of
//!    sentences shares many such keys whatever the lengths of the two documents (it is a
//!    containment test, not a Jaccard one), and the cost is bounded by the sum over keys of
//!    `min(df, max_df)²`: it grows linearly with the corpus for a fixed rate of reuse.
//! 3. [`Overlapper::align`] — per candidate pair: sentences are weighted bags of content words
//!    (tf × inverse sentence frequency within the pair); a *seed* is a pair of sentences whose
//!    cosine and Dice coefficient both pass [`OverlapConfig::seed_cosine`] and
//!    [`OverlapConfig::seed_dice`] (this survives word edits, shuffles and paraphrase that break
//!    every word n-gram); seeds within [`OverlapConfig::max_gap`] sentences of each other in
//!    both documents are joined into passages, which may cover part of a paragraph or several;
//!    a seed off the passage's longest in-order chain of seeds whose sentence on either side
//!    lies within the chain's span, and that would stretch it by more than one sentence, is
//!    dropped (an echo in a repetitive text);
//!    a passage is kept when the cosine of its two sides' summed vectors reaches
//!    [`OverlapConfig::min_similarity`] (otherwise its seeds are regrouped with a smaller gap)
//!    and both sides are at least [`OverlapConfig::min_passage_bytes`] long. Passages that
//!    overlap an already kept, better one are dropped.
//!
//! [`Overlapper::align_texts`] runs the three on two texts; [`Overlapper::pairs`] on a corpus.

pub mod html;
pub mod summary;

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::normalize::for_each_word_span;
use crate::shingle::DEFAULT_SEED;

/// Everything that decides what counts as a shared passage. Defaults are those that score
/// best on the PAN 2013 text-alignment training corpus (see the README).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverlapConfig {
    /// Seed of every hash. [`DEFAULT_SEED`] by default.
    pub seed: u64,
    /// Content words are cut to this many characters after a plural `s` is dropped (a cheap
    /// stemmer: `governments`, `governor` → `govern`). 0 keeps words whole. 6 by default.
    pub stem_chars: usize,
    /// Longest sentence, in words; longer runs without punctuation are cut. 50 by default.
    pub max_sentence_words: usize,
    /// A sentence with fewer content words than this is joined to the next one. 3 by default.
    pub min_sentence_terms: usize,
    /// Keys held by more documents than this are ignored for candidates. 16 by default.
    pub candidate_max_df: usize,
    /// Keys two documents must share to be aligned. 3 by default.
    pub candidate_min_shared: usize,
    /// Least cosine of two sentences to seed a passage. 0.33 by default.
    pub seed_cosine: f64,
    /// Least Dice coefficient of two sentences' word sets to seed a passage. 0.33 by default.
    pub seed_dice: f64,
    /// Most sentences between two seeds of one passage, in each document. 4 by default.
    pub max_gap: usize,
    /// Least cosine of a passage's two sides. 0.34 by default.
    pub min_similarity: f64,
    /// Least length of each side of a passage, in bytes. 150 by default.
    pub min_passage_bytes: usize,
    /// A seed is dropped when its cosine is below this share of the best seed cosine of both
    /// of its sentences: a sentence copied word for word also resembles its neighbours in a
    /// repetitive text (lists, directories), and those weaker matches would stretch the
    /// passage over text that was not copied. 0 keeps every seed.
    pub seed_best_ratio: f64,
    /// Masked runs (page chrome) up to this many bytes do not cut passages: their words
    /// still neither seed nor extend one, but a passage whose shared text continues on both
    /// sides spans them (a short line wrongly judged chrome inside copied prose, say). Longer
    /// runs are hard boundaries. 0 makes every masked range a boundary. 160 by default.
    pub mask_bridge_bytes: usize,
}

impl Default for OverlapConfig {
    fn default() -> Self {
        OverlapConfig {
            seed: DEFAULT_SEED,
            stem_chars: 6,
            max_sentence_words: 50,
            min_sentence_terms: 3,
            candidate_max_df: 16,
            candidate_min_shared: 3,
            seed_cosine: 0.33,
            seed_dice: 0.33,
            max_gap: 4,
            min_similarity: 0.34,
            min_passage_bytes: 150,
            seed_best_ratio: 0.8,
            mask_bridge_bytes: 160,
        }
    }
}

/// A sentence of a document: its byte span and its content words.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Start of its first word.
    pub byte_start: usize,
    /// End of its last word, with the punctuation that sticks to it.
    pub byte_end: usize,
    /// Its content words, as a range of [`DocFeatures::words`].
    pub words: Range<usize>,
    /// Number of distinct content words.
    pub distinct: u32,
    /// Masked ranges before it: a passage never spans two segments.
    pub segment: u32,
    /// Σ tf², Σ tf²·ln sf and Σ tf²·(ln sf)² over its words, `sf` being the number of the
    /// document's sentences holding the word: with them, the norm of the sentence under any
    /// pair's weights takes a few operations plus one per shared word.
    pub norm_parts: [f64; 3],
}

/// A content word and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentWord {
    /// Hash of the stemmed word.
    pub term: u64,
    /// Start of the word.
    pub byte_start: u32,
    /// End of the word, with the punctuation that sticks to it.
    pub byte_end: u32,
}

/// A content word of a sentence: the rows of a document's inverted index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Posting {
    /// Hash of the stemmed word.
    pub term: u64,
    /// Sentence index.
    pub sentence: u32,
    /// Occurrences in the sentence.
    pub tf: u16,
    /// Sentences of the document holding the word (saturating).
    pub sf: u16,
}

/// What [`Overlapper::features`] keeps of a document.
#[derive(Clone, Debug, Default)]
pub struct DocFeatures {
    /// The content words of each sentence, sorted by (term, sentence).
    pub postings: Vec<Posting>,
    /// Indices into `postings`, grouped by sentence: sentence `k` owns
    /// `by_sentence[sentence_start[k]..sentence_start[k + 1]]`.
    pub by_sentence: Vec<u32>,
    /// Offsets into `by_sentence`, one per sentence plus one.
    pub sentence_start: Vec<u32>,
    /// Sentences, in text order.
    pub sentences: Vec<Sentence>,
    /// Content words in text order, with their byte spans.
    pub words: Vec<ContentWord>,
    /// Candidate keys (content-word pairs), sorted and deduplicated.
    pub keys: Vec<u64>,
    /// Bytes of the text outside the mask.
    pub content_bytes: usize,
}

/// One shared passage: `a[a_byte_start..a_byte_end]` is reused in `b[b_byte_start..b_byte_end]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    /// Start in the first text.
    pub a_byte_start: usize,
    /// End in the first text.
    pub a_byte_end: usize,
    /// Start in the second text.
    pub b_byte_start: usize,
    /// End in the second text.
    pub b_byte_end: usize,
    /// Cosine of the two sides' weighted word vectors, in [0, 1].
    pub similarity: f64,
}

/// The passages two documents of a batch share.
#[derive(Clone, Debug, PartialEq)]
pub struct PairOverlap {
    /// Index of the first document in the batch (the smaller index).
    pub a: u32,
    /// Index of the second document.
    pub b: u32,
    /// Passages, in order of `a_byte_start`.
    pub passages: Vec<Passage>,
    /// Share of a's content bytes found in b.
    pub a_containment: f64,
    /// Share of b's content bytes found in a.
    pub b_containment: f64,
}

/// Finds shared passages. Cheap to copy, `Send + Sync`, keeps no state between calls.
#[derive(Clone, Copy, Debug)]
pub struct Overlapper {
    config: OverlapConfig,
}

const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "for", "from",
    "had", "has", "have", "he", "her", "here", "him", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "just", "me", "more", "most", "my", "no", "not", "now", "of", "on", "one", "only",
    "or", "other", "our", "out", "over", "s", "said", "say", "says", "she", "so", "some", "such",
    "t", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "to", "too", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your",
];

fn is_stopword(w: &[u8]) -> bool {
    STOPWORDS.binary_search_by(|s| s.as_bytes().cmp(w)).is_ok()
}

/// A sentence while features are computed.
struct Sent {
    byte_start: usize,
    byte_end: usize,
    terms: Range<usize>,
    segment: u32,
}

/// One word while features are computed.
struct Word {
    term: Option<u64>,
    start: usize,
    end: usize,
    /// A masked run longer than [`OverlapConfig::mask_bridge_bytes`] lies between this word
    /// and the previous one.
    after_mask: bool,
}

impl Overlapper {
    /// Checks the configuration.
    pub fn new(config: OverlapConfig) -> Result<Overlapper> {
        let unit = |x: f64, what: &str| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(Error::Config(format!(
                    "{what} must be between 0 and 1, got {x}"
                )))
            }
        };
        unit(config.seed_cosine, "seed cosine")?;
        unit(config.seed_dice, "seed Dice")?;
        unit(config.min_similarity, "minimum similarity")?;
        unit(config.seed_best_ratio, "seed best ratio")?;
        if config.max_sentence_words == 0 || config.candidate_min_shared == 0 {
            return Err(Error::Config(
                "sentence length and shared keys must be at least 1".into(),
            ));
        }
        if config.candidate_max_df < 2 {
            return Err(Error::Config(
                "the maximum key document frequency must be at least 2".into(),
            ));
        }
        Ok(Overlapper { config })
    }

    /// The configuration.
    pub fn config(&self) -> &OverlapConfig {
        &self.config
    }

    fn term(&self, w: &[u8]) -> u64 {
        let mut w = w;
        if w.len() > 3 && w.ends_with(b"s") && !w.ends_with(b"ss") {
            w = &w[..w.len() - 1];
        }
        let k = self.config.stem_chars;
        if k > 0 && w.len() > k {
            // Cut at a character boundary (words are valid UTF-8).
            let mut cut = k;
            while cut < w.len() && (w[cut] & 0xC0) == 0x80 {
                cut += 1;
            }
            w = &w[..cut];
        }
        xxh3_64_with_seed(w, self.config.seed)
    }

    /// Features of one document. `mask` lists byte ranges to leave out (page chrome, say), in
    /// any order, possibly overlapping; an empty mask keeps everything.
    pub fn features(&self, text: &str, mask: &[Range<usize>]) -> DocFeatures {
        let mask = merge_ranges(mask, text.len());
        let masked: usize = mask.iter().map(|r| r.len()).sum();
        let mut words: Vec<Word> = Vec::with_capacity(text.len() / 6);
        let mut scratch = String::new();
        let mut m = 0;
        // Masked bytes since the last kept word.
        let mut skipped = 0;
        let bridge = self.config.mask_bridge_bytes;
        for_each_word_span(text, &mut scratch, |w, s, e| {
            while m < mask.len() && mask[m].end <= s {
                skipped += mask[m].len();
                m += 1;
            }
            if m < mask.len() && mask[m].start < e {
                return;
            }
            let term = (!is_stopword(w)).then(|| self.term(w));
            words.push(Word {
                term,
                start: s,
                end: e,
                after_mask: std::mem::take(&mut skipped) > bridge && !words.is_empty(),
            });
        });
        let bytes = text.as_bytes();
        let mut terms = Vec::new();
        // Raw sentences, and whether each starts right after a masked range.
        let mut raw: Vec<(Sent, bool)> = Vec::new();
        let mut first = 0; // first word of the current sentence
        let mut spans: Vec<ContentWord> = Vec::new();
        for i in 0..words.len() {
            // Words cut from one run of non-ASCII text share its span: no gap between them.
            let gap_end = words
                .get(i + 1)
                .map_or(bytes.len(), |w| w.start)
                .max(words[i].end);
            let gap = &bytes[words[i].end..gap_end];
            if let Some(t) = words[i].term {
                terms.push(t);
                let stick = gap
                    .iter()
                    .position(|c| c.is_ascii_whitespace())
                    .unwrap_or(gap.len());
                let mut end = words[i].end + stick;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                spans.push(ContentWord {
                    term: t,
                    byte_start: words[i].start as u32,
                    byte_end: end as u32,
                });
            }
            let ends = i + 1 == words.len()
                || words[i + 1].after_mask
                || i + 1 - first >= self.config.max_sentence_words
                || sentence_break(gap)
                || (gap.contains(&b'\n') && starts_line(&bytes[gap_end..]));
            if ends {
                // Punctuation sticking to the last word belongs to the sentence.
                let stick = gap
                    .iter()
                    .position(|c| c.is_ascii_whitespace())
                    .unwrap_or(gap.len());
                let mut end = words[i].end + stick;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let t_start = raw.last().map_or(0, |s| s.0.terms.end);
                raw.push((
                    Sent {
                        byte_start: words[first].start,
                        byte_end: end,
                        terms: t_start..terms.len(),
                        segment: 0,
                    },
                    words[first].after_mask,
                ));
                first = i + 1;
            }
        }
        // A sentence with too few content words is joined to the next (or, at the end, to the
        // previous one), unless a masked range lies between them.
        let min = self.config.min_sentence_terms;
        let mut sents: Vec<Sent> = Vec::with_capacity(raw.len());
        let mut segment = 0;
        for (mut s, hard) in raw {
            segment += u32::from(hard);
            s.segment = segment;
            match sents.last_mut() {
                Some(l) if !hard && l.terms.len() < min => {
                    l.byte_end = s.byte_end;
                    l.terms.end = s.terms.end;
                }
                _ => sents.push(s),
            }
        }
        sents.retain(|s| !s.terms.is_empty());
        let mut postings = Vec::with_capacity(terms.len());
        let mut sentences = Vec::with_capacity(sents.len());
        let mut tmp: Vec<u64> = Vec::new();
        for (k, st) in sents.iter().enumerate() {
            tmp.clear();
            tmp.extend_from_slice(&terms[st.terms.clone()]);
            tmp.sort_unstable();
            let before = postings.len();
            for g in tmp.chunk_by(|x, y| x == y) {
                postings.push(Posting {
                    term: g[0],
                    sentence: k as u32,
                    tf: g.len().min(usize::from(u16::MAX)) as u16,
                    sf: 0,
                });
            }
            sentences.push(Sentence {
                byte_start: st.byte_start,
                byte_end: st.byte_end,
                words: st.terms.clone(),
                distinct: (postings.len() - before) as u32,
                segment: st.segment,
                norm_parts: [0.0; 3],
            });
        }
        postings.sort_unstable();
        let mut at = 0;
        while at < postings.len() {
            let len = run(&postings, at, postings[at].term).len();
            let sf = len.min(usize::from(u16::MAX)) as u16;
            let ln_sf = f64::from(sf).ln();
            for p in &mut postings[at..at + len] {
                p.sf = sf;
                let tf2 = f64::from(p.tf) * f64::from(p.tf);
                let parts = &mut sentences[p.sentence as usize].norm_parts;
                parts[0] += tf2;
                parts[1] += tf2 * ln_sf;
                parts[2] += tf2 * ln_sf * ln_sf;
            }
            at += len;
        }
        let mut sentence_start = vec![0u32; sentences.len() + 1];
        for p in &postings {
            sentence_start[p.sentence as usize + 1] += 1;
        }
        for k in 0..sentences.len() {
            sentence_start[k + 1] += sentence_start[k];
        }
        let mut fill = sentence_start.clone();
        let mut by_sentence = vec![0u32; postings.len()];
        for (idx, p) in postings.iter().enumerate() {
            by_sentence[fill[p.sentence as usize] as usize] = idx as u32;
            fill[p.sentence as usize] += 1;
        }
        let mut keys: Vec<u64> = terms
            .windows(2)
            .map(|w| pair_hash(w[0], w[1], self.config.seed))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        DocFeatures {
            postings,
            by_sentence,
            sentence_start,
            sentences,
            words: spans,
            keys,
            content_bytes: text.len() - masked,
        }
    }

    /// Candidate pairs `(i, j)`, `i < j`, of a batch of documents, in order.
    pub fn candidates(&self, docs: &[DocFeatures]) -> Vec<(u32, u32)> {
        let mut postings: Vec<(u64, u32)> = docs
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, d)| d.keys.iter().map(move |&k| (k, i as u32)))
            .collect();
        postings.par_sort_unstable();
        let max_df = self.config.candidate_max_df;
        let groups: Vec<&[(u64, u32)]> = postings.chunk_by(|x, y| x.0 == y.0).collect();
        let mut pairs: Vec<u64> = groups
            .par_iter()
            .filter(|g| g.len() >= 2 && g.len() <= max_df)
            .flat_map_iter(|g| {
                (0..g.len()).flat_map(move |x| {
                    ((x + 1)..g.len()).map(move |y| (u64::from(g[x].1) << 32) | u64::from(g[y].1))
                })
            })
            .collect();
        drop(groups);
        drop(postings);
        pairs.par_sort_unstable();
        let min = self.config.candidate_min_shared;
        pairs
            .chunk_by(|x, y| x == y)
            .filter(|g| g.len() >= min && (g[0] >> 32) != (g[0] & 0xFFFF_FFFF))
            .map(|g| ((g[0] >> 32) as u32, g[0] as u32))
            .collect()
    }

    /// The passages shared by two documents, in order of their start in `a`.
    pub fn align(&self, a: &DocFeatures, b: &DocFeatures) -> Vec<Passage> {
        let c = &self.config;
        let (na, nb) = (a.sentences.len(), b.sentences.len());
        if na == 0 || nb == 0 {
            return Vec::new();
        }
        // Term weights are tf x isf, the inverse frequency of the term among the sentences of
        // both documents. One merge of the two sorted postings lists gives the weights, every
        // sentence's norm, and where each word of a is in b.
        let ln_n = ((na + nb) as f64).ln();
        let norm = |p: &[f64; 3]| ln_n * ln_n * p[0] - 2.0 * ln_n * p[1] + p[2];
        let mut norm_a: Vec<f64> = a.sentences.iter().map(|s| norm(&s.norm_parts)).collect();
        let mut norm_b: Vec<f64> = b.sentences.iter().map(|s| norm(&s.norm_parts)).collect();
        // The words both documents hold: (a's sentence, a's posting, b's run start, length,
        // weight). Their weight differs from the one the norms above assumed.
        let mut shared: Vec<(u32, u32, u32, u32, f32)> = Vec::new();
        let (pa, pb) = (&a.postings[..], &b.postings[..]);
        let (mut x, mut y) = (0, 0);
        while x < pa.len() && y < pb.len() {
            match pa[x].term.cmp(&pb[y].term) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    let t = pa[x].term;
                    let (la, lb) = (usize::from(pa[x].sf), usize::from(pb[y].sf));
                    let (ra, rb) = (&pa[x..x + la], &pb[y..y + lb]);
                    debug_assert!(ra.iter().all(|p| p.term == t) && rb.iter().all(|q| q.term == t));
                    let w = ln_n - ((la + lb) as f64).ln();
                    let (wa0, wb0) = (ln_n - (la as f64).ln(), ln_n - (lb as f64).ln());
                    for q in rb {
                        let tf2 = f64::from(q.tf) * f64::from(q.tf);
                        norm_b[q.sentence as usize] += tf2 * (w * w - wb0 * wb0);
                    }
                    for (o, p) in ra.iter().enumerate() {
                        let tf2 = f64::from(p.tf) * f64::from(p.tf);
                        norm_a[p.sentence as usize] += tf2 * (w * w - wa0 * wa0);
                        if w > 0.0 {
                            shared.push((
                                p.sentence,
                                (x + o) as u32,
                                y as u32,
                                lb as u32,
                                w as f32,
                            ));
                        }
                    }
                    x += la;
                    y += lb;
                }
            }
        }
        if shared.is_empty() {
            return Vec::new();
        }
        // Group by a's sentence (a stable counting sort: postings stay in word order).
        let mut start = vec![0usize; na + 1];
        for e in &shared {
            start[e.0 as usize + 1] += 1;
        }
        for k in 0..na {
            start[k + 1] += start[k];
        }
        let mut grouped = vec![(0u32, 0u32, 0u32, 0u32, 0f32); shared.len()];
        for e in &shared {
            grouped[start[e.0 as usize]] = *e;
            start[e.0 as usize] += 1;
        }
        let shared = grouped;
        let norm_a: Vec<f32> = norm_a.iter().map(|&v| v.max(0.0) as f32).collect();
        let norm_b: Vec<f32> = norm_b.iter().map(|&v| v.max(0.0) as f32).collect();
        // Dot products and shared words of a's sentences with every sentence of b, one
        // sentence of a at a time.
        let mut dot = vec![0f32; nb];
        let mut inter = vec![0u32; nb];
        let mut touched: Vec<u32> = Vec::new();
        let mut seeds: Vec<(u32, u32, f32)> = Vec::new();
        for group in shared.chunk_by(|e, f| e.0 == f.0) {
            let i = group[0].0 as usize;
            for &(_, idx, ys, yl, w) in group {
                let wa = f32::from(pa[idx as usize].tf) * w;
                for q in &pb[ys as usize..(ys + yl) as usize] {
                    let j = q.sentence as usize;
                    if inter[j] == 0 {
                        touched.push(j as u32);
                    }
                    inter[j] += 1;
                    dot[j] += wa * f32::from(q.tf) * w;
                }
            }
            let ni = norm_a[i];
            for &j in &touched {
                let ju = j as usize;
                let nj = norm_b[ju];
                if ni > 0.0 && nj > 0.0 {
                    let cos = dot[ju] / (ni.sqrt() * nj.sqrt());
                    let dice = 2.0 * inter[ju] as f32
                        / (a.sentences[i].distinct + b.sentences[ju].distinct) as f32;
                    if f64::from(cos) > c.seed_cosine && f64::from(dice) > c.seed_dice {
                        seeds.push((i as u32, j, cos));
                    }
                }
                dot[ju] = 0.0;
                inter[ju] = 0;
            }
            touched.clear();
        }
        if seeds.is_empty() {
            return Vec::new();
        }
        let seeds = best_seeds(&seeds, na, nb, c.seed_best_ratio);
        // Passages.
        let mut ctx = Ctx {
            a,
            b,
            ln_n,
            scratch_a: Vec::new(),
            scratch_b: Vec::new(),
        };
        let mut frags = Vec::new();
        grow(&mut ctx, &seeds, c.max_gap, c.min_similarity, &mut frags);
        let mut passages: Vec<(Passage, f64)> = frags
            .into_iter()
            .filter_map(|(ia, ja, sim)| {
                let (a_byte_start, a_byte_end) = trim(a, &ia, b, &ja, c.seed);
                let (b_byte_start, b_byte_end) = trim(b, &ja, a, &ia, c.seed);
                let p = Passage {
                    a_byte_start,
                    a_byte_end,
                    b_byte_start,
                    b_byte_end,
                    similarity: sim,
                };
                let (la, lb) = (p.a_byte_end - p.a_byte_start, p.b_byte_end - p.b_byte_start);
                (la >= c.min_passage_bytes && lb >= c.min_passage_bytes)
                    .then_some((p, sim * (la + lb) as f64))
            })
            .collect();
        // Keep the best of passages that overlap on either side.
        passages.sort_by(|x, y| {
            y.1.total_cmp(&x.1)
                .then(x.0.a_byte_start.cmp(&y.0.a_byte_start))
                .then(x.0.b_byte_start.cmp(&y.0.b_byte_start))
        });
        let mut kept: Vec<Passage> = Vec::new();
        for (p, _) in passages {
            let clash = kept.iter().any(|k| {
                (p.a_byte_start < k.a_byte_end && k.a_byte_start < p.a_byte_end)
                    || (p.b_byte_start < k.b_byte_end && k.b_byte_start < p.b_byte_end)
            });
            if !clash {
                kept.push(p);
            }
        }
        kept.sort_by_key(|p| (p.a_byte_start, p.b_byte_start));
        kept
    }

    /// The passages two texts share, each with its mask (empty for none).
    pub fn align_texts(
        &self,
        a: &str,
        a_mask: &[Range<usize>],
        b: &str,
        b_mask: &[Range<usize>],
    ) -> Vec<Passage> {
        self.align(&self.features(a, a_mask), &self.features(b, b_mask))
    }

    /// Every pair of a batch sharing at least one passage, in order of `(a, b)`; in parallel.
    pub fn pairs(&self, docs: &[DocFeatures]) -> Vec<PairOverlap> {
        let cands = self.candidates(docs);
        self.align_pairs(docs, &cands)
    }

    /// Aligns the given pairs of a batch (as from [`Overlapper::candidates`]), in parallel,
    /// keeping those with at least one passage, in the order given.
    pub fn align_pairs(&self, docs: &[DocFeatures], pairs: &[(u32, u32)]) -> Vec<PairOverlap> {
        pairs
            .par_iter()
            .filter_map(|&(i, j)| {
                let (a, b) = (&docs[i as usize], &docs[j as usize]);
                let passages = self.align(a, b);
                if passages.is_empty() {
                    return None;
                }
                let ac = containment(passages.iter().map(|p| p.a_byte_start..p.a_byte_end), a);
                let bc = containment(passages.iter().map(|p| p.b_byte_start..p.b_byte_end), b);
                Some(PairOverlap {
                    a: i,
                    b: j,
                    passages,
                    a_containment: ac,
                    b_containment: bc,
                })
            })
            .collect()
    }
}

/// The seeds, sorted, without those whose cosine is below `ratio` times the best cosine of
/// their sentence in a and of their sentence in b.
fn best_seeds(seeds: &[(u32, u32, f32)], na: usize, nb: usize, ratio: f64) -> Vec<(u32, u32)> {
    let mut best_a = vec![0f32; na];
    let mut best_b = vec![0f32; nb];
    for &(i, j, cos) in seeds {
        best_a[i as usize] = best_a[i as usize].max(cos);
        best_b[j as usize] = best_b[j as usize].max(cos);
    }
    let r = ratio as f32;
    let mut out: Vec<(u32, u32)> = seeds
        .iter()
        .filter(|&&(i, j, cos)| cos >= r * best_a[i as usize] || cos >= r * best_b[j as usize])
        .map(|&(i, j, _)| (i, j))
        .collect();
    out.sort_unstable();
    out
}

/// Share of a document's content bytes covered by `spans`.
fn containment(spans: impl Iterator<Item = Range<usize>>, d: &DocFeatures) -> f64 {
    let v: Vec<Range<usize>> = spans.collect();
    let covered: usize = merge_ranges(&v, usize::MAX).iter().map(|r| r.len()).sum();
    if d.content_bytes == 0 {
        0.0
    } else {
        (covered as f64 / d.content_bytes as f64).min(1.0)
    }
}

/// The postings of `p` from `at` on that hold `term`.
fn run(p: &[Posting], at: usize, term: u64) -> &[Posting] {
    let rest = &p[at.min(p.len())..];
    let len = rest.iter().take_while(|q| q.term == term).count();
    &rest[..len]
}

struct Ctx<'a> {
    a: &'a DocFeatures,
    b: &'a DocFeatures,
    ln_n: f64,
    scratch_a: Vec<(u64, f32)>,
    scratch_b: Vec<(u64, f32)>,
}

/// The weighted words of sentences `r` of `d`, summed per word, sorted by word; weights are
/// those of the pair of `d` with `other`.
fn gather(
    d: &DocFeatures,
    other: &DocFeatures,
    ln_n: f64,
    r: Range<usize>,
    out: &mut Vec<(u64, f32)>,
) {
    out.clear();
    let (s, e) = (
        d.sentence_start[r.start] as usize,
        d.sentence_start[r.end] as usize,
    );
    for &idx in &d.by_sentence[s..e] {
        let p = &d.postings[idx as usize];
        let in_other = other
            .postings
            .binary_search_by(|q| q.term.cmp(&p.term).then(std::cmp::Ordering::Greater))
            .unwrap_err();
        let sf_other = other
            .postings
            .get(in_other)
            .filter(|q| q.term == p.term)
            .map_or(0, |q| usize::from(q.sf));
        let w = ln_n - ((usize::from(p.sf) + sf_other) as f64).ln();
        out.push((p.term, (f64::from(p.tf) * w) as f32));
    }
    // Postings are numbered in term order, so sorting by term keeps a fixed summation order.
    out.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let mut w = 0;
    for k in 0..out.len() {
        if w > 0 && out[w - 1].0 == out[k].0 {
            out[w - 1].1 += out[k].1;
        } else {
            out[w] = out[k];
            w += 1;
        }
    }
    out.truncate(w);
}

impl Ctx<'_> {
    /// Cosine of the summed vectors of a's sentences `ia` and b's sentences `jb`.
    fn cosine(&mut self, ia: Range<usize>, jb: Range<usize>) -> f64 {
        gather(self.a, self.b, self.ln_n, ia, &mut self.scratch_a);
        gather(self.b, self.a, self.ln_n, jb, &mut self.scratch_b);
        let (va, vb) = (&self.scratch_a, &self.scratch_b);
        let xx: f64 = va.iter().map(|e| f64::from(e.1) * f64::from(e.1)).sum();
        let yy: f64 = vb.iter().map(|e| f64::from(e.1) * f64::from(e.1)).sum();
        let (mut x, mut y, mut d) = (0, 0, 0f64);
        while x < va.len() && y < vb.len() {
            match va[x].0.cmp(&vb[y].0) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    d += f64::from(va[x].1) * f64::from(vb[y].1);
                    x += 1;
                    y += 1;
                }
            }
        }
        if xx == 0.0 || yy == 0.0 {
            0.0
        } else {
            (d / (xx.sqrt() * yy.sqrt())).clamp(0.0, 1.0)
        }
    }
}

type Fragment = (Range<usize>, Range<usize>, f64);

/// Groups `seeds` (sorted by a then b sentence) into passages whose seeds lie within `gap`
/// sentences of each other in both documents; a passage below `min_sim` is regrouped with a
/// smaller gap.
fn grow(
    ctx: &mut Ctx<'_>,
    seeds: &[(u32, u32)],
    gap: usize,
    min_sim: f64,
    out: &mut Vec<Fragment>,
) {
    let n = seeds.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let g = gap as u32 + 1;
    for s in 0..n {
        for t in (s + 1)..n {
            if seeds[t].0 - seeds[s].0 > g {
                break;
            }
            let same_segments = ctx.a.sentences[seeds[t].0 as usize].segment
                == ctx.a.sentences[seeds[s].0 as usize].segment
                && ctx.b.sentences[seeds[t].1 as usize].segment
                    == ctx.b.sentences[seeds[s].1 as usize].segment;
            if same_segments && seeds[t].1.abs_diff(seeds[s].1) <= g {
                let (x, y) = (find(&mut parent, s), find(&mut parent, t));
                if x != y {
                    parent[x.max(y)] = x.min(y);
                }
            }
        }
    }
    let mut groups: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut slot: Vec<usize> = vec![usize::MAX; n];
    for (s, &seed) in seeds.iter().enumerate() {
        let r = find(&mut parent, s);
        if slot[r] == usize::MAX {
            slot[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[slot[r]].push(seed);
    }
    for grp in groups {
        // A seed off the in-order chain of the group whose sentence on one side is within the
        // chain's span is an echo (a sentence resembling several of a repetitive text): it
        // may not stretch the passage on the other side, except by one sentence on each side
        // (local reordering in edited copies).
        let grp = match monotone_chain(&grp, g) {
            Some((mut chain, rest)) => {
                let (ia, jb) = span(&chain);
                chain.extend(rest.into_iter().filter(|s| {
                    let (a, b) = (s.0 as usize, s.1 as usize);
                    let near = |r: &Range<usize>, x: usize| x + 1 >= r.start && x <= r.end;
                    (!ia.contains(&a) && !jb.contains(&b)) || (near(&ia, a) && near(&jb, b))
                }));
                chain.sort_unstable();
                chain
            }
            None => grp,
        };
        let (ia, jb) = span(&grp);
        let sim = ctx.cosine(ia.clone(), jb.clone());
        if sim >= min_sim {
            out.push((ia, jb, sim));
        } else if gap > 0 && grp.len() > 1 {
            grow(ctx, &grp, gap - 1, min_sim, out);
        }
    }
}

/// A seed: a sentence of a and a sentence of b that match.
type Seed = (u32, u32);

/// The sentences of a and of b that `seeds` span.
fn span(seeds: &[(u32, u32)]) -> (Range<usize>, Range<usize>) {
    let ia = seeds.iter().map(|s| s.0).min().unwrap_or(0) as usize
        ..seeds.iter().map(|s| s.0).max().unwrap_or(0) as usize + 1;
    let jb = seeds.iter().map(|s| s.1).min().unwrap_or(0) as usize
        ..seeds.iter().map(|s| s.1).max().unwrap_or(0) as usize + 1;
    (ia, jb)
}

/// The longest chain of `seeds` (sorted by a then b sentence) in text order on both sides,
/// consecutive seeds at most `g` sentences apart in each document; of equally long chains,
/// the tightest (least total distance between consecutive seeds), then the first. `None` when
/// every seed is on it; else the chain and the other seeds. A sentence copied once but
/// resembling several sentences of a repetitive text seeds with all of them, and those out of
/// order would stretch a passage over text that was not copied.
fn monotone_chain(seeds: &[Seed], g: u32) -> Option<(Vec<Seed>, Vec<Seed>)> {
    let n = seeds.len();
    if n < 2 {
        return None;
    }
    // (seeds on the best chain ending here, its total distance), predecessor.
    let mut best: Vec<(u32, u64)> = vec![(1, 0); n];
    let mut prev: Vec<usize> = vec![usize::MAX; n];
    for k in 0..n {
        let (ik, jk) = seeds[k];
        for m in (0..k).rev() {
            let (im, jm) = seeds[m];
            if ik - im > g {
                break;
            }
            if jm > jk || jk - jm > g || (im == ik && jm == jk) {
                continue;
            }
            // In order on both sides: one of the two may stay on the same sentence (a
            // sentence split differently in the two texts) but not both.
            let cand = (
                best[m].0 + 1,
                best[m].1 + u64::from(ik - im) + u64::from(jk - jm),
            );
            if cand.0 > best[k].0 || (cand.0 == best[k].0 && cand.1 < best[k].1) {
                best[k] = cand;
                prev[k] = m;
            }
        }
    }
    let mut end = 0;
    for k in 1..n {
        if best[k].0 > best[end].0 || (best[k].0 == best[end].0 && best[k].1 < best[end].1) {
            end = k;
        }
    }
    if best[end].0 as usize == n {
        return None;
    }
    let mut on = vec![false; n];
    let mut k = end;
    loop {
        on[k] = true;
        if prev[k] == usize::MAX {
            break;
        }
        k = prev[k];
    }
    let (chain, rest): (Vec<_>, Vec<_>) = (0..n).partition(|&k| on[k]);
    Some((
        chain.into_iter().map(|k| seeds[k]).collect(),
        rest.into_iter().map(|k| seeds[k]).collect(),
    ))
}

/// The byte span of sentences `xr` of `x`, with words before the first and after the last
/// content-word pair also found in sentences `yr` of `y` cut off the two edge sentences: a
/// heading or a neighbour glued to a sentence by missing punctuation stays out.
/// Least share of a passage's content-word pairs found on the other side for its edges to be
/// cut at word level.
const VERBATIM_SHARE: f64 = 0.5;

fn trim(
    x: &DocFeatures,
    xr: &Range<usize>,
    y: &DocFeatures,
    yr: &Range<usize>,
    seed: u64,
) -> (usize, usize) {
    let (first, last) = (&x.sentences[xr.start], &x.sentences[xr.end - 1]);
    let (mut start, mut end) = (first.byte_start, last.byte_end);
    let yw = &y.words[y.sentences[yr.start].words.start..y.sentences[yr.end - 1].words.end];
    let pairs: ahash::AHashSet<u64> = yw
        .windows(2)
        .map(|w| pair_hash(w[0].term, w[1].term, seed))
        .collect();
    let xw = &x.words;
    let (lo, hi) = (first.words.start, last.words.end);
    let shared = |k: usize| pairs.contains(&pair_hash(xw[k].term, xw[k + 1].term, seed));
    // Only near-verbatim passages are cut at word level: in paraphrase, an edge word without
    // an exact pair on the other side is no sign of a foreign sentence.
    let total = hi.saturating_sub(lo + 1);
    let found = (lo..hi.saturating_sub(1)).filter(|&k| shared(k)).count();
    if total == 0 || (found as f64) < VERBATIM_SHARE * total as f64 {
        return (start, end);
    }
    if let Some(k) = (first.words.start..first.words.end.min(hi - 1)).find(|&k| shared(k)) {
        if k > first.words.start {
            start = xw[k].byte_start as usize;
        }
    }
    if let Some(k) = (last.words.start.max(lo)..last.words.end.saturating_sub(1))
        .rev()
        .find(|&k| shared(k))
    {
        if k + 2 < last.words.end {
            end = xw[k + 1].byte_end as usize;
        }
    }
    if start < end {
        (start, end)
    } else {
        (first.byte_start, last.byte_end)
    }
}

/// Whether a line starting with `rest` starts a new sentence even without punctuation before
/// it: an uppercase letter, a digit, a bullet or a quote (a scraped page puts headlines,
/// bylines and captions on lines of their own; hard-wrapped prose continues in lowercase).
fn starts_line(rest: &[u8]) -> bool {
    match rest.first() {
        Some(c) if c.is_ascii_uppercase() || c.is_ascii_digit() => true,
        Some(c) if *c >= 0x80 => {
            let s = std::str::from_utf8(&rest[..rest.len().min(4)]).unwrap_or("");
            s.chars()
                .next()
                .is_some_and(|ch| ch.is_uppercase() || "•–—“‘«".contains(ch))
        }
        _ => false,
    }
}

fn sentence_break(gap: &[u8]) -> bool {
    let mut end_mark = false;
    let mut newlines = 0;
    // Ideographic full stop, full-width `!` and `?`: nothing follows them.
    for end in ["。", "！", "？"] {
        if gap.windows(end.len()).any(|w| w == end.as_bytes()) {
            return true;
        }
    }
    for &c in gap {
        match c {
            b'.' | b'!' | b'?' => end_mark = true,
            b'\n' => {
                newlines += 1;
                if end_mark || newlines >= 2 {
                    return true;
                }
            }
            c if c.is_ascii_whitespace() && end_mark => return true,
            _ => {}
        }
    }
    false
}

fn pair_hash(x: u64, y: u64, seed: u64) -> u64 {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&x.to_le_bytes());
    b[8..].copy_from_slice(&y.to_le_bytes());
    xxh3_64_with_seed(&b, seed)
}

/// Sorts and merges ranges, clipped to `0..len`, dropping empty ones.
pub fn merge_ranges(ranges: &[Range<usize>], len: usize) -> Vec<Range<usize>> {
    let mut v: Vec<Range<usize>> = ranges
        .iter()
        .map(|r| r.start.min(len)..r.end.min(len))
        .filter(|r| r.start < r.end)
        .collect();
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(l) if r.start <= l.end => l.end = l.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests;
