//! Stage 1: per-page analysis, a pure function of the text and the configuration.
//!
//! Every paragraph (non-blank line) gets its shape features (length in words, sentence end,
//! `...` snippet, stopword density, capitalisation, menu separators, lexicon match, byline)
//! and its *repetition key*: NFKC, lowercase, every digit run replaced by `0`, word tokens
//! joined by one space ("Browse all 60" and "Browse all 61" share a key). A key is kept as
//! the xxh3 of each of its tokens and a seeded xxh3 of those token hashes; its word
//! 3-shingles as seeded xxh3 hashes of three token hashes.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::xxh3_64;

use super::lexicon::{LexMatch, Lexicon};
use crate::normalize::segment::{paragraphs_into, SegmentMode, Span};
use crate::normalize::CharMemo;
use crate::shingle::{WindowHasher, WordHasher};

/// English stopwords (155), for the stopword density of a paragraph.
pub const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "least",
    "less",
    "like",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "never",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "rather",
    "said",
    "same",
    "says",
    "she",
    "should",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Characters that end a sentence-like paragraph.
const END_CHARS: &[char] = &[
    '.', '!', '?', '"', '\'', '\u{201d}', '\u{2019}', ')', '\u{3002}', '\u{ff01}', '\u{ff1f}',
    '\u{300d}', '\u{300f}',
];
/// [`END_CHARS`] among ASCII bytes.
static END_ASCII: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < END_CHARS.len() {
        if END_CHARS[i].is_ascii() {
            t[END_CHARS[i] as usize] = true;
        }
        i += 1;
    }
    t
};
/// Separators and bullets typical of menus and breadcrumbs.
const MENU_CHARS: &[char] = &['|', '•', '»', '›', '‹', '·', '>'];
const BYLINE_PREFIXES: &[&str] = &["by", "written by", "posted by", "von", "por", "par"];

/// The first letters of [`BYLINE_PREFIXES`], as bit `b & 31` for a letter `b` (so of either
/// case; another byte sharing a letter's bit only goes on to the full test).
const BYLINE_FIRST: u32 = {
    let mut m = 0;
    let mut i = 0;
    while i < BYLINE_PREFIXES.len() {
        m |= 1 << (BYLINE_PREFIXES[i].as_bytes()[0] & 31);
        i += 1;
    }
    m
};
const SHINGLE_SEED: u64 = 0x5348_494e_474c_4533;
/// The seed of [`key_hash`].
const KEY_SEED: u64 = 0x5041_5241_4b45_5953;

/// Features of one paragraph.
#[derive(Clone, Debug, Default)]
pub struct Paragraph {
    /// Where it is in the document text (UTF-8 bytes, whitespace at either end excluded).
    pub span: Span,
    /// Hash of the repetition key: the seeded xxh3 of its token hashes ([`Paragraph::tokens`]);
    /// 0 when the key is empty.
    pub key: u64,
    /// Tokens in the key.
    pub key_tokens: u32,
    /// Length of the key in characters.
    pub key_chars: u32,
    /// Word units: a token counts 1, a token of CJK characters half its characters.
    pub words: u32,
    /// Ends with sentence punctuation (and not with an ellipsis).
    pub end: bool,
    /// Ends with `...` or `…`: a teaser snippet.
    pub ellipsis: bool,
    /// Stopwords per word unit.
    pub stopwords: f64,
    /// Fraction of letter-initial tokens that are capitalised.
    pub caps: f64,
    /// Menu separators and bullets (`| • » › ‹ · >`).
    pub menu: u32,
    /// First chrome-lexicon match.
    pub lex: Option<LexMatch>,
    /// The lexicon phrase is a label at the start of the paragraph (`NOW WATCH: …`).
    pub label: bool,
    /// A short `By …` line.
    pub byline: bool,
    /// Range of this paragraph's key token hashes in [`PageAnalysis::tokens`] (each the xxh3
    /// of the token's UTF-8, unseeded).
    pub tokens: (u32, u32),
}

/// Stage 1 result for one page.
#[derive(Clone, Debug, Default)]
pub struct PageAnalysis {
    /// The paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
    /// Key token hashes of every paragraph, concatenated.
    pub tokens: Vec<u64>,
    /// The longest part of the first paragraph split at ` - `, ` | `, ` : `, ` » ` (the page
    /// title without its site name), as key token hashes.
    pub title_tokens: Vec<u64>,
}

impl PageAnalysis {
    /// Key token hashes of paragraph `i`.
    pub fn key_tokens(&self, i: usize) -> &[u64] {
        let (a, b) = self.paragraphs[i].tokens;
        &self.tokens[a as usize..b as usize]
    }

    /// Word 3-shingles of paragraph `i`'s key (hashes, with repeats, in order).
    pub fn shingles(&self, i: usize, out: &mut Vec<u64>) {
        out.clear();
        out.extend(self.shingle_iter(i));
    }

    /// Like [`PageAnalysis::shingles`], hashed as they are read.
    pub fn shingle_iter(&self, i: usize) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.key_tokens(i).windows(3).map(shingle_hash)
    }

    /// The repetition keys of the page for the source statistics: distinct key hashes, and
    /// distinct 3-shingles of keys with at least 6 tokens.
    pub fn keys(&self) -> PageKeys {
        // Both lists are allocated once, at their final size before deduplication.
        let mut keys: Vec<u64> = Vec::with_capacity(self.paragraphs.len());
        keys.extend(self.paragraphs.iter().filter(|p| p.key != 0).map(|p| p.key));
        let n: usize = self
            .paragraphs
            .iter()
            .filter(|p| p.key_tokens >= 6)
            .map(|p| (p.tokens.1 - p.tokens.0).saturating_sub(2) as usize)
            .sum();
        let mut shingles = Vec::with_capacity(n);
        for (i, p) in self.paragraphs.iter().enumerate() {
            if p.key_tokens >= 6 {
                shingles.extend(self.shingle_iter(i));
            }
        }
        PageKeys::new(keys, shingles)
    }
}

/// Bytes of a paragraph in [`PageAnalysis::encode`], without its lexicon match.
const PARAGRAPH_BYTES: usize = 57;

/// Token hashes [`PageAnalysis::encode`] writes out at a time.
const TOKEN_BLOCK: usize = 64;

impl PageAnalysis {
    /// The length of [`PageAnalysis::encode`]'s output.
    pub fn encoded_len(&self) -> usize {
        let lex = self.paragraphs.iter().filter(|p| p.lex.is_some()).count();
        12 + self.paragraphs.len() * PARAGRAPH_BYTES
            + lex * 12
            + (self.tokens.len() + self.title_tokens.len()) * 8
    }

    /// Appends a compact binary form of the analysis to `out` (read back with
    /// [`PageAnalysis::decode_from`]; exact, floats included).
    pub fn encode(&self, out: &mut Vec<u8>) {
        fn u32le(out: &mut Vec<u8>, v: usize) {
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        out.reserve(self.encoded_len());
        u32le(out, self.paragraphs.len());
        u32le(out, self.tokens.len());
        u32le(out, self.title_tokens.len());
        for p in &self.paragraphs {
            // One fixed-size record per paragraph (57 bytes, 69 with a lexicon match),
            // assembled in place and appended at once (a copy of a known length: no call).
            let mut rec = [0u8; PARAGRAPH_BYTES + 12];
            let put = |rec: &mut [u8; PARAGRAPH_BYTES + 12], at: usize, v: usize| {
                rec[at..at + 4].copy_from_slice(&(v as u32).to_le_bytes())
            };
            put(&mut rec, 0, p.span.byte_start);
            put(&mut rec, 4, p.span.byte_end);
            rec[8..16].copy_from_slice(&p.key.to_le_bytes());
            put(&mut rec, 16, p.key_tokens as usize);
            put(&mut rec, 20, p.key_chars as usize);
            put(&mut rec, 24, p.words as usize);
            put(&mut rec, 28, p.menu as usize);
            put(&mut rec, 32, p.tokens.0 as usize);
            put(&mut rec, 36, p.tokens.1 as usize);
            rec[40..48].copy_from_slice(&p.stopwords.to_le_bytes());
            rec[48..56].copy_from_slice(&p.caps.to_le_bytes());
            rec[56] = p.end as u8
                | (p.ellipsis as u8) << 1
                | (p.label as u8) << 2
                | (p.byline as u8) << 3
                | (p.lex.is_some() as u8) << 4;
            match p.lex {
                Some(m) => {
                    put(&mut rec, 57, m.phrase as usize);
                    put(&mut rec, 61, m.start);
                    put(&mut rec, 65, m.end);
                    out.extend_from_slice(&rec);
                }
                None => out.extend_from_slice(&rec[..PARAGRAPH_BYTES]),
            }
        }
        for tokens in [&self.tokens, &self.title_tokens] {
            // Through a small buffer, a block at a time: no zeroing of the output first.
            let mut buf = [0u8; 8 * TOKEN_BLOCK];
            for block in tokens.chunks(TOKEN_BLOCK) {
                for (d, t) in buf.chunks_exact_mut(8).zip(block) {
                    d.copy_from_slice(&t.to_le_bytes());
                }
                out.extend_from_slice(&buf[..block.len() * 8]);
            }
        }
    }

    /// Replaces the analysis with one encoded by [`PageAnalysis::encode`]; `None` (and an
    /// unspecified analysis) if `b` is not such an encoding.
    pub fn decode_from(&mut self, b: &[u8]) -> Option<()> {
        /// The bytes not read yet.
        struct R<'a>(&'a [u8]);
        impl<'a> R<'a> {
            /// The next `N` bytes, in place.
            fn take<const N: usize>(&mut self) -> Option<&'a [u8; N]> {
                let (h, t) = self.0.split_first_chunk::<N>()?;
                self.0 = t;
                Some(h)
            }
            fn u32(&mut self) -> Option<u32> {
                self.take::<4>().map(|b| u32::from_le_bytes(*b))
            }
        }
        let mut r = R(b);
        self.paragraphs.clear();
        self.tokens.clear();
        self.title_tokens.clear();
        let np = r.u32()? as usize;
        let nt = r.u32()? as usize;
        let ntt = r.u32()? as usize;
        // At most one paragraph per 57 bytes: a bad count cannot reserve much.
        self.paragraphs.reserve(np.min(r.0.len() / PARAGRAPH_BYTES));
        for _ in 0..np {
            let rec = r.take::<PARAGRAPH_BYTES>()?;
            let u32_at =
                |at: usize| u32::from_le_bytes([rec[at], rec[at + 1], rec[at + 2], rec[at + 3]]);
            let u64_at = |at: usize| {
                u64::from_le_bytes([
                    rec[at],
                    rec[at + 1],
                    rec[at + 2],
                    rec[at + 3],
                    rec[at + 4],
                    rec[at + 5],
                    rec[at + 6],
                    rec[at + 7],
                ])
            };
            let flags = rec[56];
            let lex = if flags & 16 != 0 {
                let m = r.take::<12>()?;
                let at = |i: usize| u32::from_le_bytes([m[i], m[i + 1], m[i + 2], m[i + 3]]);
                Some(LexMatch {
                    phrase: at(0),
                    start: at(4) as usize,
                    end: at(8) as usize,
                })
            } else {
                None
            };
            self.paragraphs.push(Paragraph {
                span: Span {
                    byte_start: u32_at(0) as usize,
                    byte_end: u32_at(4) as usize,
                },
                key: u64_at(8),
                key_tokens: u32_at(16),
                key_chars: u32_at(20),
                words: u32_at(24),
                end: flags & 1 != 0,
                ellipsis: flags & 2 != 0,
                stopwords: f64::from_bits(u64_at(40)),
                caps: f64::from_bits(u64_at(48)),
                menu: u32_at(28),
                lex,
                label: flags & 4 != 0,
                byline: flags & 8 != 0,
                tokens: (u32_at(32), u32_at(36)),
            });
        }
        let words = |r: &mut R, n: usize, out: &mut Vec<u64>| -> Option<()> {
            let bytes = r.0.get(..n.checked_mul(8)?)?;
            r.0 = &r.0[bytes.len()..];
            out.extend(bytes.chunks_exact(8).map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                u64::from_le_bytes(b)
            }));
            Some(())
        };
        words(&mut r, nt, &mut self.tokens)?;
        words(&mut r, ntt, &mut self.title_tokens)?;
        r.0.is_empty().then_some(())
    }
}

/// What a page contributes to its source's repetition statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageKeys {
    /// Distinct paragraph key hashes, in order of first occurrence.
    pub keys: Vec<u64>,
    /// Distinct 3-shingle hashes of keys with ≥ 6 tokens, in order of first occurrence.
    pub shingles: Vec<u64>,
}

impl PageKeys {
    /// The keys of a page from its key and shingle hashes, repeats and all.
    fn new(mut keys: Vec<u64>, mut shingles: Vec<u64>) -> PageKeys {
        distinct(&mut keys);
        distinct(&mut shingles);
        PageKeys { keys, shingles }
    }
}

/// Keeps the first occurrence of each value of `v`, in order. The values are hashes: a set
/// with open addressing on their top bits finds repeats in one pass, no sorting.
fn distinct(v: &mut Vec<u64>) {
    if v.len() < 2 {
        return;
    }
    thread_local! {
        static SET: std::cell::RefCell<StampedSet> = std::cell::RefCell::default();
    }
    let slots = (2 * v.len()).next_power_of_two();
    if slots <= STAMPED_SLOTS_MAX {
        SET.with_borrow_mut(|set| set.distinct(v, slots));
    } else {
        StampedSet::default().distinct(v, slots);
    }
}

/// Most slots of the set a thread keeps from page to page (1 MiB); a larger page's set is
/// its own.
const STAMPED_SLOTS_MAX: usize = 1 << 16;

/// An open-addressing set of `u64`, reused from page to page without being emptied: a slot
/// holds a value of the current page only if it bears the page's stamp, so a new page takes
/// a new stamp instead of zeroing the slots (or allocating zeroed ones).
#[derive(Default)]
struct StampedSet {
    slots: Vec<(u64, u32)>,
    stamp: u32,
}

impl StampedSet {
    /// [`distinct`] on a table of `slots` slots (a power of two, at least twice `v.len()`).
    fn distinct(&mut self, v: &mut Vec<u64>, slots: usize) {
        if self.slots.len() < slots {
            // Fresh slots bear stamp 0, which no page uses.
            self.slots = vec![(0, 0); slots];
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // The stamps went round: every slot is emptied once.
            self.slots.fill((0, 0));
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let set = &mut self.slots[..slots];
        let shift = 64 - slots.trailing_zeros();
        let mut kept = 0;
        for r in 0..v.len() {
            let x = v[r];
            let mut h = (x >> shift) as usize;
            let new = loop {
                let e = &mut set[h];
                if e.1 != stamp {
                    *e = (x, stamp);
                    break true;
                }
                if e.0 == x {
                    break false;
                }
                h = (h + 1) & (slots - 1);
            };
            if new {
                v[kept] = x;
                kept += 1;
            }
        }
        v.truncate(kept);
    }
}

const STOP_SLOTS: usize = 1024;

/// The multiplier of [`stop_slot`], chosen so that no two stopwords share a slot.
const STOP_MUL: u64 = 0xf913_dc39_62ab_a4e7;

/// The slot of a packed word in [`STOP_INDEX`].
const fn stop_slot(k: u128) -> usize {
    ((k as u64 ^ (k >> 64) as u64).wrapping_mul(STOP_MUL) >> 54) as usize
}

/// The bytes of a word of at most 16 bytes, lowercased, little-endian in one integer.
const fn pack(w: &[u8]) -> u128 {
    let mut k = 0u128;
    let mut j = 0;
    while j < w.len() {
        k |= (w[j].to_ascii_lowercase() as u128) << (8 * j);
        j += 1;
    }
    k
}

/// [`STOPWORDS`] packed by [`pack`], after an entry that no word matches.
static STOP_KEYS: [u128; STOPWORDS.len() + 1] = {
    let mut t = [u128::MAX; STOPWORDS.len() + 1];
    let mut i = 0;
    while i < STOPWORDS.len() {
        t[i + 1] = pack(STOPWORDS[i].as_bytes());
        i += 1;
    }
    t
};

/// A perfect hash table of the stopwords: slot [`stop_slot`] of a packed stopword holds its
/// index in [`STOP_KEYS`], the other slots 0 (the entry no word matches). A word is a
/// stopword exactly when the entry of its slot is the word: one look-up, no probing.
static STOP_INDEX: [u8; STOP_SLOTS] = {
    let mut t = [0u8; STOP_SLOTS];
    let mut i = 1;
    while i < STOP_KEYS.len() {
        let h = stop_slot(STOP_KEYS[i]);
        assert!(
            t[h] == 0,
            "two stopwords share a slot: choose another STOP_MUL"
        );
        t[h] = i as u8;
        i += 1;
    }
    t
};

/// Whether a word of `len` bytes, packed by [`pack`] (lowercase ASCII letters; digits and
/// `_` as they are), is in [`STOPWORDS`].
#[inline(always)]
fn is_stopword_packed(k: u128, len: usize) -> bool {
    // Every stopword has 1 to 10 letters (a longer word's packing could take a slot).
    len <= 10 && STOP_KEYS[STOP_INDEX[stop_slot(k)] as usize] == k
}

/// The low 64 bits of [`STOP_KEYS`] for the stopwords of up to 8 letters, `u64::MAX` for the
/// longer ones and the entry no word matches: a word of up to 8 bytes packed by [`pack`] (its
/// high 64 bits zero) equals an entry of [`STOP_KEYS`] exactly when it equals the entry here.
static STOP_KEYS8: [u64; STOPWORDS.len() + 1] = {
    let mut t = [u64::MAX; STOPWORDS.len() + 1];
    let mut i = 1;
    while i < STOP_KEYS.len() {
        if STOP_KEYS[i] >> 64 == 0 {
            t[i] = STOP_KEYS[i] as u64;
        }
        i += 1;
    }
    t
};

/// [`is_stopword_packed`] of a word of 1 to 8 bytes packed by [`pack`] into a `u64`.
#[inline(always)]
fn is_stopword_packed8(k: u64) -> bool {
    STOP_KEYS8[STOP_INDEX[stop_slot(u128::from(k))] as usize] == k
}

/// `WORD_MASKS[n]` keeps the first `n` bytes of a word packed by [`pack`] (its low 64 bits,
/// the first `n` of at most 8 bytes of a little-endian `u64`).
static WORD_MASKS: [u128; 17] = {
    let mut m = [0u128; 17];
    let mut n = 1;
    while n <= 16 {
        m[n] = u128::MAX >> (8 * (16 - n));
        n += 1;
    }
    m
};

/// Whether an ASCII word (bytes, any case) is in [`STOPWORDS`] once lowercased (the scans
/// use [`is_stopword_at`]).
#[cfg(test)]
fn is_stopword_bytes(w: &[u8]) -> bool {
    is_stopword_at(w, 0, w.len())
}

/// Whether the ASCII word `b[start..end]` (letters, digits, `_`; any case) is in
/// [`STOPWORDS`] once lowercased.
#[inline(always)]
fn is_stopword_at(b: &[u8], start: usize, end: usize) -> bool {
    let len = end - start;
    // Every stopword has 1 to 10 letters.
    if !(1..=10).contains(&len) {
        return false;
    }
    // The word's bytes, little-endian in one integer: one 16-byte load when the text goes on
    // that far, else a copy.
    let raw = match b.get(start..start + 16) {
        Some(w) => {
            let mut buf = [0u8; 16];
            buf.copy_from_slice(w);
            u128::from_le_bytes(buf)
        }
        None => {
            let mut buf = [0u8; 16];
            buf[..len].copy_from_slice(&b[start..end]);
            u128::from_le_bytes(buf)
        }
    };
    // Stopwords are lowercase ASCII letters: setting bit 5 of every byte lowercases a
    // letter, leaves a digit as it is and turns `_` into DEL, so a word matches exactly when
    // its lowercase is a stopword.
    let k = (raw | 0x2020_2020_2020_2020_2020_2020_2020_2020u128) & WORD_MASKS[len];
    is_stopword_packed(k, len)
}

/// Stage 1, the part the source statistics need: the repetition keys of a page, without the
/// shape features. Equal to `analyze(text, _).keys()`, cheaper.
pub fn page_keys(text: &str, s: &mut Scratch) -> PageKeys {
    let mut keys = Vec::new();
    let mut shingles = Vec::new();
    let mut toks = Vec::new();
    let mut spans = std::mem::take(&mut s.spans);
    paragraphs_into(text, SegmentMode::Lines, &mut spans);
    for span in &spans {
        toks.clear();
        let (key, ntok, _) = key_of(&text[span.byte_start..span.byte_end], s, &mut toks);
        if key != 0 {
            keys.push(key);
        }
        if ntok >= 6 {
            for w in toks.windows(3) {
                shingles.push(shingle_hash(w));
            }
        }
    }
    s.spans = spans;
    PageKeys::new(keys, shingles)
}

/// The hasher of [`shingle_hash`].
static SHINGLE_HASHER: WindowHasher = WindowHasher::new(SHINGLE_SEED);

/// The hash of a 3-shingle of token hashes: `xxh3_64_with_seed` of their 24 bytes
/// (little-endian) with [`SHINGLE_SEED`], computed on the three words by the fingerprint's
/// window hasher (straight-line code for a length known here; a test compares it with the
/// crate's xxh3).
#[inline(always)]
fn shingle_hash(w: &[u64]) -> u64 {
    let w: [u64; 3] = [w[0], w[1], w[2]];
    SHINGLE_HASHER.hash(&w)
}

/// The hasher of [`key_hash`].
static KEY_HASHER: WindowHasher = WindowHasher::new(KEY_SEED);

/// The hasher of [`key_hash`]'s keys of one or two tokens (xxh3's 8- and 16-byte cases).
static KEY_SHORT: WordHasher = WordHasher::new(KEY_SEED);

/// The hash of a repetition key from its token hashes: 0 for no tokens, else the seeded
/// xxh3 ([`KEY_SEED`]) of up to 16 token hashes as little-endian bytes, a longer list being
/// hashed as the list with its first 16 hashes replaced by their hash, and 1 where that
/// gives 0. Keys are equal exactly when their token sequences are (hash collisions aside), as
/// the key is its tokens joined by one space.
///
/// A key of one or two tokens (8 or 16 bytes) takes xxh3's short-input code, inline
/// ([`KEY_SHORT`]); a longer list is hashed a window at a time in place: each window
/// after the first is the hash so far, written over the token hash just before the window's
/// own (put back after), and up to 15 token hashes: no copy, no buffer to zero. A test
/// compares it with [`key_hash_ref`].
#[inline]
fn key_hash(toks: &mut [u64]) -> u64 {
    let h = match *toks {
        [] => return 0,
        [a] => KEY_SHORT.words8(a),
        [a, b] => KEY_SHORT.words16(a, b),
        _ => {
            let first = toks.len().min(16);
            let mut h = KEY_HASHER.hash(&toks[..first]);
            // `toks[..at]` are hashed into `h`.
            let mut at = first;
            while at < toks.len() {
                let n = (toks.len() - at).min(15);
                let kept = std::mem::replace(&mut toks[at - 1], h);
                h = KEY_HASHER.hash(&toks[at - 1..at + n]);
                toks[at - 1] = kept;
                at += n;
            }
            h
        }
    };
    h.max(1)
}

/// [`key_hash`] as it was first written (one window at a time through a buffer): its
/// reference.
#[cfg(test)]
fn key_hash_ref(toks: &[u64]) -> u64 {
    if toks.is_empty() {
        return 0;
    }
    let (first, mut rest) = toks.split_at(toks.len().min(16));
    let mut h = KEY_HASHER.hash(first);
    let mut w = [0u64; 16];
    while !rest.is_empty() {
        let n = rest.len().min(15);
        w[0] = h;
        w[1..=n].copy_from_slice(&rest[..n]);
        h = KEY_HASHER.hash(&w[..=n]);
        rest = &rest[n..];
    }
    h.max(1)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}')
}

/// The offset of the first non-ASCII byte of `b` from `i` on (`b.len()` if none), eight bytes
/// at a time.
#[inline]
fn next_wide(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let high = u64::from_le_bytes(w) & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] < 0x80 {
        i += 1;
    }
    i
}

/// Reusable buffers for [`analyze_into`].
pub struct Scratch {
    /// Hashes ASCII tokens where they stand (unseeded xxh3 of their lowercase).
    tokens: WordHasher,
    spans: Vec<Span>,
    lower: String,
    key: Vec<u8>,
    /// The key bytes of a token of [`scan_ascii`] (at least as long as the paragraph).
    token: Vec<u8>,
    nfkc: String,
    cache: CharCache,
    /// The lowercased paragraphs of a page that lowercasing changes, one after the other.
    lowers: String,
    /// Where each paragraph's lowercase is in `lowers` (`None`: the paragraph as it is).
    lower_at: Vec<Option<std::ops::Range<usize>>>,
    /// The lexicon match of each paragraph.
    found: Vec<Option<LexMatch>>,
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            tokens: WordHasher::new(0),
            spans: Vec::new(),
            lower: String::new(),
            key: Vec::new(),
            token: Vec::new(),
            nfkc: String::new(),
            cache: CharCache::default(),
            lowers: String::new(),
            lower_at: Vec::new(),
            found: Vec::new(),
        }
    }
}

const F_WORD: u8 = 1;
const F_NUM: u8 = 1 << 1;
const F_ALPHA: u8 = 1 << 2;
const F_UPPER: u8 = 1 << 3;
const F_CJK: u8 = 1 << 4;
const F_MENU: u8 = 1 << 5;
/// NFKC quick check "yes" and canonical combining class 0.
const F_NFKC: u8 = 1 << 6;
/// The lowercase is one character (stored).
const F_LOWER1: u8 = 1 << 7;

/// The Unicode properties of the non-ASCII characters a page uses, memoised (the standard
/// library's table look-ups are slow).
#[derive(Default)]
struct CharCache {
    memo: CharMemo<(char, u8)>,
    /// [`nfkc_of`] of the non-ASCII characters met in text that NFKC changes.
    nfkc: CharMemo<NfkcOf>,
}

/// The NFKC form of one character on its own, when that is also what the character becomes
/// in any text (see [`nfkc_of`]); UTF-8 in `bytes[..len]`.
#[derive(Clone, Copy)]
struct NfkcOf {
    /// [`NFKC_CONTEXT`] when the character's form may depend on its neighbours (or is too
    /// long to keep here).
    len: u8,
    bytes: [u8; 15],
    /// The character is context-free (`len` is not [`NFKC_CONTEXT`]) and a separator for
    /// the key, as are all the characters of its form, lowercased or not (`…` is `...`,
    /// `＋` is `+`). The NFKC of text made of ASCII, [`F_NFKC`] and context-free characters
    /// is the concatenation of their forms (as [`CharCache::nfkc_into`] builds it), and a
    /// run of separators ends a token as one separator does: such a character read as it
    /// stands gives the key its form gives, so the checking scan ([`scan_body`]) goes on.
    sep: bool,
}

/// [`NfkcOf::len`] of a character left to the reference NFKC.
const NFKC_CONTEXT: u8 = u8::MAX;

/// The NFKC form of `c` on its own, if `c` starts a new composition whatever comes before it:
/// its full compatibility decomposition begins with a starter (canonical combining class 0)
/// that passes the NFKC quick check ("yes", not "maybe": no character composes with a
/// preceding one unless it is "maybe"). Then NFKD cannot reorder marks across it and NFKC
/// cannot compose anything before it with it or anything after it, so for any texts `a`
/// and `b`, `nfkc(a + c + b) = nfkc(a) + nfkc(c + b)`. Text whose characters are all such
/// (ASCII ones are) is therefore the concatenation of its characters' forms. A character
/// that can compose with what follows it (`e`, a Hangul LV syllable) is fine: what would
/// compose with it is a "maybe" character, never such.
fn nfkc_of(c: char) -> NfkcOf {
    let mut out = NfkcOf {
        len: NFKC_CONTEXT,
        bytes: [0; 15],
        sep: false,
    };
    let free = std::iter::once(c).nfkd().next().is_some_and(|d| {
        unicode_normalization::char::canonical_combining_class(d) == 0
            && is_nfkc_quick(std::iter::once(d)) == IsNormalized::Yes
    });
    if !free {
        return out;
    }
    let form: String = std::iter::once(c).nfkc().collect();
    if let Some(to) = out.bytes.get_mut(..form.len()) {
        to.copy_from_slice(form.as_bytes());
        out.len = form.len() as u8;
        let separator = |c: char| !is_word(c) && c.to_lowercase().all(|l| !is_word(l));
        out.sep = separator(c) && form.chars().all(separator);
    }
    out
}

/// The lowercase of `c` (itself unless [`F_LOWER1`]) and its flags.
fn char_facts(c: char) -> (char, u8) {
    // Most of the distinct characters of a page in Chinese, Japanese or Korean: letters
    // without case that NFKC leaves alone (a test checks every one against the general
    // path, whose table look-ups cost over a thousand instructions a character).
    if crate::normalize::is_ideograph_or_syllable(c) {
        return (c, F_WORD | F_ALPHA | F_CJK | F_NFKC | F_LOWER1);
    }
    char_facts_general(c)
}

/// [`char_facts`] from the Unicode tables.
fn char_facts_general(c: char) -> (char, u8) {
    let mut f = 0;
    for (yes, bit) in [
        (is_word(c), F_WORD),
        (c.is_numeric(), F_NUM),
        (c.is_alphabetic(), F_ALPHA),
        (c.is_uppercase(), F_UPPER),
        (is_cjk(c), F_CJK),
        (MENU_CHARS.contains(&c), F_MENU),
        (
            unicode_normalization::char::canonical_combining_class(c) == 0
                && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes,
            F_NFKC,
        ),
    ] {
        if yes {
            f |= bit;
        }
    }
    let mut low = c.to_lowercase();
    let mut lower = c;
    if low.len() == 1 {
        lower = low.next().unwrap_or(c);
        f |= F_LOWER1;
    }
    (lower, f)
}

impl CharCache {
    /// The lowercase of `c` (itself unless [`F_LOWER1`]) and its flags ([`char_facts`]).
    #[inline(always)]
    fn get(&mut self, c: char) -> (char, u8) {
        self.memo.get(c, char_facts)
    }

    /// `t.nfkc()` into `out` (cleared first) from the memoised forms of its characters, for
    /// text that NFKC changes: `false` (and `out` unspecified) when a character's form may
    /// depend on its context ([`nfkc_of`]), from the first character that is not
    /// [`F_NFKC`] on. The text before that character is NFKC already (it passes the quick
    /// check) and stays as it is.
    #[inline(never)]
    fn nfkc_into(&mut self, t: &str, out: &mut String) -> bool {
        let b = t.as_bytes();
        out.clear();
        let mut i = next_wide(b, 0);
        while let Some(c) = t.get(i..).and_then(|r| r.chars().next()) {
            if self.get(c).1 & F_NFKC == 0 {
                break;
            }
            i = next_wide(b, i + c.len_utf8());
        }
        out.push_str(&t[..i]);
        while let Some(c) = t.get(i..).and_then(|r| r.chars().next()) {
            let form = self.nfkc.get(c, nfkc_of);
            match form.bytes.get(..form.len as usize) {
                // Forms are whole characters' UTF-8, and ASCII runs are cut at characters.
                Some(bytes) => out.push_str(std::str::from_utf8(bytes).unwrap_or_default()),
                None => return false,
            }
            let from = i + c.len_utf8();
            i = next_wide(b, from);
            out.push_str(&t[from..i]);
        }
        true
    }

    /// `t` with its non-ASCII characters lowercased (ASCII ones left as they are) into `out`,
    /// or `false` (and `out` unspecified) when that is `t` itself. Equal to `t.to_lowercase()`
    /// but for the case of ASCII letters, unless a character lowercases to several or
    /// depending on its context (then exactly `t.to_lowercase()`).
    #[inline(never)]
    fn lowercase_wide(&mut self, t: &str, out: &mut String) -> bool {
        let b = t.as_bytes();
        out.clear();
        // `t[..done]` is in `out` once a character has changed.
        let mut done = 0;
        let mut i = next_wide(b, 0);
        while let Some(c) = t.get(i..).and_then(|r| r.chars().next()) {
            let (l, f) = self.get(c);
            // Capital sigma depends on its context (final or not): leave it to the reference.
            if f & F_LOWER1 == 0 || c == '\u{3a3}' {
                out.clear();
                out.push_str(&t.to_lowercase());
                return true;
            }
            let next = i + c.len_utf8();
            if l != c {
                out.push_str(&t[done..i]);
                out.push(l);
                done = next;
            }
            i = next_wide(b, next);
        }
        if done == 0 {
            return false;
        }
        out.push_str(&t[done..]);
        true
    }

    /// `t.to_lowercase()` into `out` (the reference of [`CharCache::lowercase_wide`]).
    #[cfg(test)]
    fn lowercase(&mut self, t: &str, out: &mut String) {
        for c in t.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            let (l, f) = self.get(c);
            // Capital sigma depends on its context (final or not): leave it to the reference.
            if f & F_LOWER1 == 0 || c == '\u{3a3}' {
                out.clear();
                out.push_str(&t.to_lowercase());
                return;
            }
            out.push(l);
        }
    }
}

/// Stage 1: analyses a page. Pure function of `text` and the lexicon.
pub fn analyze(text: &str, lexicon: &Lexicon) -> PageAnalysis {
    let mut out = PageAnalysis::default();
    analyze_into(text, lexicon, &mut Scratch::default(), &mut out);
    out
}

/// Like [`analyze`], reusing buffers.
pub fn analyze_into(text: &str, lexicon: &Lexicon, s: &mut Scratch, out: &mut PageAnalysis) {
    out.paragraphs.clear();
    out.tokens.clear();
    out.title_tokens.clear();
    s.lowers.clear();
    s.lower_at.clear();
    let mut spans = std::mem::take(&mut s.spans);
    paragraphs_into(text, SegmentMode::Lines, &mut spans);
    for &span in &spans {
        let t = &text[span.byte_start..span.byte_end];
        let mut p = Paragraph {
            span,
            ..Paragraph::default()
        };
        // Repetition key and word features, in one scan of the paragraph.
        let start = out.tokens.len();
        let sc = scan::<true>(t, s, &mut out.tokens);
        p.key = sc.key;
        p.key_tokens = sc.ntok;
        p.key_chars = sc.nchars;
        p.tokens = (start as u32, out.tokens.len() as u32);
        let words = sc.words;
        p.words = words;
        p.stopwords = if words > 0 {
            sc.stopwords as f64 / words as f64
        } else {
            0.0
        };
        p.caps = if sc.alpha > 0 {
            sc.upper as f64 / sc.alpha as f64
        } else {
            0.0
        };
        p.menu = sc.menu;
        p.ellipsis = t.ends_with("...") || t.ends_with('…');
        p.end = !p.ellipsis
            && match t.as_bytes().last() {
                Some(&b) if b.is_ascii() => END_ASCII[b as usize],
                _ => t
                    .chars()
                    .next_back()
                    .is_some_and(|c| END_CHARS.contains(&c)),
            };
        // The lexicon and the label and byline tests read the lowercased paragraph (an ASCII
        // paragraph as it is: they ignore ASCII case), kept in `s.lowers` when it differs.
        let lower = if sc.lowered {
            let at = s.lowers.len();
            s.lowers.push_str(&s.lower);
            Some(at..s.lowers.len())
        } else {
            None
        };
        s.lower_at.push(lower);
        out.paragraphs.push(p);
    }
    s.spans = spans;
    // Every paragraph's lexicon search at once (see `Lexicon::find_each`).
    let lowers: Vec<&str> = out
        .paragraphs
        .iter()
        .zip(&s.lower_at)
        .map(|(p, at)| match at {
            Some(r) => &s.lowers[r.clone()],
            None => &text[p.span.byte_start..p.span.byte_end],
        })
        .collect();
    lexicon.find_each(&lowers, &mut s.found);
    for ((p, lower), &lex) in out.paragraphs.iter_mut().zip(&lowers).zip(&s.found) {
        p.lex = lex;
        if let Some(m) = lex {
            let at_start = lower[..m.start].chars().count() <= 2;
            let colon_after = {
                let next: String = lower[m.end..].chars().take(2).collect();
                next.trim_start().starts_with(':')
            };
            p.label = at_start && (colon_after || lexicon.phrase(m).ends_with(':'));
        }
        p.byline = p.words <= 12 && !p.end && is_byline(lower);
    }
    if let Some(first) = out.paragraphs.first() {
        let t = &text[first.span.byte_start..first.span.byte_end];
        let title = longest_title_part(t);
        let mut toks = Vec::new();
        key_of(title, s, &mut toks);
        toks.sort_unstable();
        toks.dedup();
        out.title_tokens = toks;
    }
}

/// `^(by|written by|posted by|von|por|par)\s+\w`, on a lowercased line (or any line, ASCII
/// case ignored).
fn is_byline(lower: &str) -> bool {
    // Most lines start with none of the prefixes' first letters.
    if !lower
        .as_bytes()
        .first()
        .is_some_and(|&b| BYLINE_FIRST >> (b & 31) & 1 == 1)
    {
        return false;
    }
    BYLINE_PREFIXES.iter().any(|p| {
        if !lower
            .get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
        {
            return false;
        }
        let rest = &lower[p.len()..];
        let r = rest.trim_start();
        r.len() < rest.len() && r.chars().next().is_some_and(is_word)
    })
}

/// The longest part of a title split at `\s+[-|–—:»]+\s+` (first of equal lengths).
fn longest_title_part(t: &str) -> &str {
    let mut parts = Vec::new();
    let b = t.as_bytes();
    let mut last = 0;
    let mut i = 0;
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (pos, c) = chars[k];
        if c.is_whitespace() && pos >= i {
            // whitespace run, separators, whitespace run
            let mut j = k;
            while j < chars.len() && chars[j].1.is_whitespace() {
                j += 1;
            }
            let sep_start = j;
            while j < chars.len() && matches!(chars[j].1, '-' | '|' | '–' | '—' | ':' | '»') {
                j += 1;
            }
            let sep_end = j;
            while j < chars.len() && chars[j].1.is_whitespace() {
                j += 1;
            }
            if sep_end > sep_start && j > sep_end {
                parts.push(&t[last..pos]);
                last = if j < chars.len() { chars[j].0 } else { b.len() };
                i = last;
                k = j;
                continue;
            }
            // Not a separator: skip just this whitespace char (a later one may start one).
        }
        k += 1;
    }
    parts.push(&t[last..]);
    let mut best = parts[0];
    let mut best_len = best.chars().count();
    for p in &parts[1..] {
        let l = p.chars().count();
        if l > best_len {
            best = p;
            best_len = l;
        }
    }
    best
}

/// Repetition key of `t`: pushes its token hashes to `toks`, returns (key hash, tokens, chars).
fn key_of(t: &str, s: &mut Scratch, toks: &mut Vec<u64>) -> (u64, u32, u32) {
    let sc = scan::<false>(t, s, toks);
    (sc.key, sc.ntok, sc.nchars)
}

/// What one scan of a paragraph finds.
#[derive(Default, Debug, PartialEq)]
struct Scan {
    key: u64,
    ntok: u32,
    nchars: u32,
    words: u32,
    stopwords: u32,
    alpha: u32,
    upper: u32,
    menu: u32,
    /// With `FEATURES` and non-ASCII text: `Scratch::lower` holds what
    /// [`CharCache::lowercase_wide`] gives when it returns true (its return value).
    lowered: bool,
}

const C_SEP: u8 = 0;
const C_LOWER: u8 = 1;
const C_UPPER: u8 = 2;
const C_DIGIT: u8 = 3;
const C_UNDERSCORE: u8 = 4;
const C_MENU: u8 = 5;
const C_WIDE: u8 = 6;

/// Byte classes of the paragraph scanner's ASCII path.
static CLASS: [u8; 256] = {
    let mut t = [C_SEP; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c >= 0x80 {
            C_WIDE
        } else if c.is_ascii_lowercase() {
            C_LOWER
        } else if c.is_ascii_uppercase() {
            C_UPPER
        } else if c.is_ascii_digit() {
            C_DIGIT
        } else if c == b'_' {
            C_UNDERSCORE
        } else if c == b'|' || c == b'>' {
            C_MENU
        } else {
            C_SEP
        };
        i += 1;
    }
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x80 * ONES;

/// The ASCII letters among eight bytes (little-endian in `w`): the high bit of each letter's
/// byte. A few operations on the word (no carry crosses a byte, as the bytes tested are below
/// 0x80).
#[inline(always)]
fn letter_mask(w: u64) -> u64 {
    // A letter is an ASCII byte whose value with bit 5 set is in `a..=z`.
    let y = (w | (0x20 * ONES)) & !HIGH;
    let at_least_a = y + (0x80 - b'a' as u64) * ONES;
    let past_z = y + (0x80 - b'z' as u64 - 1) * ONES;
    at_least_a & !past_z & !w & HIGH
}

/// Where the run of ASCII letters from `b[i]` on ends, eight bytes at a time.
#[inline(always)]
fn letter_run(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let n = ((!letter_mask(u64::from_le_bytes(bytes)) & HIGH).trailing_zeros() / 8) as usize;
        i += n;
        if n < 8 {
            return i;
        }
    }
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// The eight bytes of `b` from `i` on (little-endian; zero past the end of `b`), and where
/// the run of ASCII letters from `b[i]` on ends ([`letter_run`]). Near the end of `b` the
/// last eight bytes are loaded and shifted, not copied byte by byte.
#[inline(always)]
fn letters_from(b: &[u8], i: usize) -> (u64, usize) {
    let w = match b.get(i..i + 8) {
        Some(chunk) => {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            u64::from_le_bytes(bytes)
        }
        None => {
            let mut bytes = [0u8; 8];
            if let Some(last) = b.len().checked_sub(8) {
                // `i` is within the last 8 bytes: shift the bytes before it out.
                bytes.copy_from_slice(&b[last..]);
                u64::from_le_bytes(bytes) >> (8 * (i - last))
            } else {
                for (d, &x) in bytes.iter_mut().zip(&b[i..]) {
                    *d = x;
                }
                u64::from_le_bytes(bytes)
            }
        }
    };
    let n = ((!letter_mask(w) & HIGH).trailing_zeros() / 8) as usize;
    let j = if n < 8 { i + n } else { letter_run(b, i + 8) };
    (w, j)
}

/// Appends the lowercase of the run of ASCII letters and `_` from `b[i]` on to `key` and
/// returns where the run ends. Eight bytes at a time: their letters ([`letter_mask`]) and
/// lowercase (bit 5 set on the letters) come from a few operations on one `u64`; an
/// underscore is looked at where the letters stop.
#[inline(always)]
fn ascii_word_run<K: KeyOut>(b: &[u8], mut i: usize, key: &mut K) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let w = u64::from_le_bytes(bytes);
        let letter = letter_mask(w);
        let n = ((!letter & HIGH).trailing_zeros() / 8) as usize;
        key.push_word8(w | letter >> 2, n);
        i += n;
        if n < 8 {
            // The run goes on past an underscore (rare: tested on its own).
            if b[i] == b'_' {
                key.push(b'_');
                i += 1;
                continue;
            }
            return i;
        }
    }
    while i < b.len() && matches!(CLASS[b[i] as usize], C_LOWER | C_UPPER | C_UNDERSCORE) {
        key.push(b[i].to_ascii_lowercase());
        i += 1;
    }
    i
}

/// Where the key tokenizer writes the key.
trait KeyOut {
    /// Appends a byte.
    fn push(&mut self, x: u8);
    /// Appends bytes.
    fn append(&mut self, bytes: &[u8]);
    /// Appends the first `n` (at most 8) bytes of `w`, little-endian.
    fn push_word8(&mut self, w: u64, n: usize);
    /// Appends the UTF-8 of `c`.
    #[inline(always)]
    fn push_char(&mut self, c: char) {
        self.append(c.encode_utf8(&mut [0u8; 4]).as_bytes());
    }
    /// The key so far.
    fn bytes(&self) -> &[u8];
    /// Its length.
    fn written(&self) -> usize;
}

impl KeyOut for Vec<u8> {
    #[inline(always)]
    fn push(&mut self, x: u8) {
        Vec::push(self, x);
    }

    #[inline(always)]
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline(always)]
    fn push_word8(&mut self, w: u64, n: usize) {
        let at = self.len();
        self.extend_from_slice(&w.to_le_bytes());
        self.truncate(at + n);
    }

    /// Four bytes appended, then the vector cut back to the character's length: a copy of a
    /// known length (no call to `memcpy`).
    #[inline(always)]
    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        let n = c.encode_utf8(&mut buf).len();
        let at = self.len();
        self.extend_from_slice(&buf);
        self.truncate(at + n);
    }

    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        self
    }

    #[inline(always)]
    fn written(&self) -> usize {
        self.len()
    }
}

/// A key written into a buffer allocated in advance, at least as long as any key written:
/// no growth to check for.
struct SliceKey<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl KeyOut for SliceKey<'_> {
    #[inline(always)]
    fn push(&mut self, x: u8) {
        self.buf[self.len] = x;
        self.len += 1;
    }

    #[inline(always)]
    fn append(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    #[inline(always)]
    fn push_word8(&mut self, w: u64, n: usize) {
        self.buf[self.len..self.len + 8].copy_from_slice(&w.to_le_bytes());
        self.len += n;
    }

    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    #[inline(always)]
    fn written(&self) -> usize {
        self.len
    }
}

/// State of the key tokenizer (on the NFKC, lowercased text).
struct KeyState {
    in_tok: bool,
    in_digits: bool,
    tok_start: usize,
}

impl KeyState {
    /// Starts a token unless in one: its bytes go to `key` from here (the key's spaces are
    /// counted in [`Scan::nchars`], not written).
    #[inline(always)]
    fn start_tok<K: KeyOut>(&mut self, key: &mut K, sc: &mut Scan) {
        if !self.in_tok {
            if sc.ntok > 0 {
                sc.nchars += 1;
            }
            self.tok_start = key.written();
            self.in_tok = true;
            sc.ntok += 1;
        }
    }

    #[inline(always)]
    fn end_tok(&mut self, key: &[u8], toks: &mut Vec<u64>) {
        if self.in_tok {
            toks.push(xxh3_64(&key[self.tok_start..]));
        }
        self.in_tok = false;
        self.in_digits = false;
    }

    /// One lowercased character `l` whose lowercase is itself, with its flags. Inlined into
    /// the scan: a call for every such character cost more than its work.
    #[inline(always)]
    fn lowered<K: KeyOut>(
        &mut self,
        l: char,
        f: u8,
        key: &mut K,
        sc: &mut Scan,
        toks: &mut Vec<u64>,
    ) {
        if f & F_WORD != 0 {
            self.start_tok(key, sc);
            if f & F_NUM != 0 {
                if !self.in_digits {
                    key.push(b'0');
                    sc.nchars += 1;
                    self.in_digits = true;
                }
            } else {
                self.in_digits = false;
                key.push_char(l);
                sc.nchars += 1;
            }
        } else {
            self.end_tok(key.bytes(), toks);
        }
    }

    /// One lowercased character (the reference tokenizer).
    fn char<K: KeyOut>(&mut self, c: char, key: &mut K, sc: &mut Scan, toks: &mut Vec<u64>) {
        if is_word(c) {
            self.start_tok(key, sc);
            if c.is_numeric() {
                if !self.in_digits {
                    key.push(b'0');
                    sc.nchars += 1;
                    self.in_digits = true;
                }
            } else {
                self.in_digits = false;
                if c.is_ascii() {
                    key.push(c.to_ascii_lowercase() as u8);
                    sc.nchars += 1;
                } else {
                    for l in c.to_lowercase() {
                        key.push_char(l);
                        sc.nchars += 1;
                    }
                }
            }
        } else {
            self.end_tok(key.bytes(), toks);
        }
    }
}

/// State of the word counter (on the text as read).
struct WordState {
    in_word: bool,
    start: usize,
    cjk: u32,
    ascii: bool,
}

impl WordState {
    #[inline(always)]
    fn end_word(&mut self, t: &[u8], end: usize, sc: &mut Scan) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        sc.words += if self.cjk == 0 {
            1
        } else {
            self.cjk.div_ceil(2).max(1)
        };
        if self.ascii && is_stopword_at(t, self.start, end) {
            sc.stopwords += 1;
        }
    }
}

/// One pass over a paragraph: its repetition key (NFKC, lowercase, digit runs as `0`, word
/// tokens joined by one space; token hashes pushed to `toks`) and, with `FEATURES`, its word
/// units, stopwords, capitalised words and menu separators. The ASCII text from its start
/// takes [`scan_ascii`]; from the token holding its first other character on, the general
/// scan ([`scan_body`]: other characters by the reference (`char`) rules).
#[inline(always)]
fn scan<const FEATURES: bool>(t: &str, s: &mut Scratch, toks: &mut Vec<u64>) -> Scan {
    scan_text::<FEATURES, true>(t, s, toks)
}

/// [`scan`], with [`scan_ascii`] first if `ASCII` (else the general scan from the start: the
/// reference of the ASCII one).
fn scan_text<const FEATURES: bool, const ASCII: bool>(
    t: &str,
    s: &mut Scratch,
    toks: &mut Vec<u64>,
) -> Scan {
    let from = toks.len();
    let hasher = s.tokens;
    let (at, part) = if ASCII {
        // A token's key is no longer than the text.
        if s.token.len() < t.len() {
            s.token.resize(t.len(), 0);
        }
        let mut key = SliceKey {
            buf: &mut s.token,
            len: 0,
        };
        let sc = Scan::default();
        match scan_ascii::<FEATURES, _>(t.as_bytes(), 0, sc, &hasher, toks, &mut key) {
            Ok(mut sc) => {
                sc.key = key_hash(&mut toks[from..]);
                return sc;
            }
            Err(part) => part,
        }
    } else {
        (0, Scan::default())
    };
    let mut key = std::mem::take(&mut s.key);
    key.clear();
    // Nearly all text is NFKC already: scan it as read, testing each non-ASCII character's
    // [`F_NFKC`] flag on the way (every character passing means the text is NFKC, without a
    // pass of its own to tell; a separator whose form is separators, such as `…`, passes
    // too, see [`NfkcOf::sep`]), and start again at the first that fails.
    let mut cache = std::mem::take(&mut s.cache);
    let lower = &mut s.lower;
    let first = scan_body::<FEATURES, true, _>(
        t, true, at, part, &mut cache, lower, &hasher, toks, &mut key,
    );
    let sc = match first {
        Some(mut sc) => {
            sc.key = key_hash(&mut toks[from..]);
            sc
        }
        None => {
            toks.truncate(from);
            let nfkc = &mut s.nfkc;
            scan_changed::<FEATURES>(t, &mut cache, nfkc, lower, &hasher, toks, &mut key)
        }
    };
    s.cache = cache;
    s.key = key;
    sc
}

/// [`scan`] of `b` from `start` (not in a token or word; `sc` the scan before it) as far as
/// it is ASCII, each token in one step: a token of letters alone (most tokens) is hashed
/// where it stands, its lowercase read on the fly, other tokens (digits, underscores) have
/// their key written to `key` first. The scan of all of `b` (its key hash left as it was),
/// or where the first token or separator run holding a non-ASCII byte starts and the scan up
/// to there (the token hashes before it pushed), for [`scan_body`] to go on from.
#[inline(always)]
fn scan_ascii<const FEATURES: bool, K: KeyOut>(
    b: &[u8],
    start: usize,
    sc: Scan,
    hasher: &WordHasher,
    toks: &mut Vec<u64>,
    key: &mut K,
) -> Result<Scan, (usize, Scan)> {
    // Counters in locals (registers) rather than in a `Scan`, as few as possible: every
    // token here is one word, and one key character more than its length (the space before
    // it: one too many for the key's first token, taken off at the end). `other` counts the
    // tokens that do not start with a letter.
    let (mut ntok, mut nchars, mut other) = (0u32, 0u32, 0u32);
    let (mut stopwords, mut upper, mut menu) = (sc.stopwords, sc.upper, sc.menu);
    let mut i = start;
    let wide = 'scan: {
        while i < b.len() {
            let class = CLASS[b[i] as usize];
            // A token (and, in ASCII text, a word) from `i`; letters first (most tokens are
            // letters alone, hashed where they stand), then separators.
            if class == C_LOWER || class == C_UPPER {
                let (w, j) = letters_from(b, i);
                let next = b.get(j).map(|&x| CLASS[x as usize]);
                if matches!(next, None | Some(C_SEP | C_MENU)) {
                    let len = j - i;
                    if FEATURES {
                        upper += u32::from(class == C_UPPER);
                        // A word of up to 8 letters is in `w` already.
                        let stop = if len <= 8 {
                            is_stopword_packed8(
                                (w | 0x2020_2020_2020_2020) & WORD_MASKS[len] as u64,
                            )
                        } else {
                            is_stopword_at(b, i, j)
                        };
                        stopwords += u32::from(stop);
                        menu += u32::from(next == Some(C_MENU));
                    }
                    nchars += len as u32 + 1;
                    ntok += 1;
                    toks.push(if len <= 8 {
                        hasher.ascii_word8(w, len)
                    } else {
                        hasher.ascii(&b[i..j])
                    });
                    // Past the separator that ends the token.
                    i = j + 1;
                    continue;
                }
            } else if class == C_SEP || class == C_MENU {
                if FEATURES {
                    menu += u32::from(class == C_MENU);
                }
                i += 1;
                continue;
            } else if class == C_WIDE {
                break 'scan true;
            }
            // Letters, underscores and digit runs (as `0`), into `key`.
            let (mut j, at, mut digits) = (i, key.written(), false);
            while let Some(&x) = b.get(j) {
                match CLASS[x as usize] {
                    C_LOWER | C_UPPER | C_UNDERSCORE => {
                        key.push(x.to_ascii_lowercase());
                        digits = false;
                    }
                    C_DIGIT => {
                        if !digits {
                            key.push(b'0');
                            digits = true;
                        }
                    }
                    C_WIDE => break 'scan true,
                    _ => break,
                }
                j += 1;
            }
            if FEATURES {
                other += u32::from(class == C_DIGIT || class == C_UNDERSCORE);
                upper += u32::from(class == C_UPPER);
                stopwords += u32::from(is_stopword_at(b, i, j));
            }
            nchars += (key.written() - at) as u32 + 1;
            ntok += 1;
            toks.push(xxh3_64(&key.bytes()[at..]));
            i = j;
        }
        false
    };
    let sc = Scan {
        ntok: sc.ntok + ntok,
        nchars: sc.nchars + nchars - u32::from(sc.ntok == 0 && ntok > 0),
        words: if FEATURES { sc.words + ntok } else { sc.words },
        stopwords,
        alpha: if FEATURES {
            sc.alpha + ntok - other
        } else {
            sc.alpha
        },
        upper,
        menu,
        ..sc
    };
    if wide {
        Err((i, sc))
    } else {
        Ok(sc)
    }
}

/// [`scan_text`] of non-ASCII text that may not be NFKC (a character is not [`F_NFKC`]):
/// the key is that of its NFKC form, built in `nfkc`. Also the reference of the scan of any
/// non-ASCII text (a property test compares them).
#[inline(never)]
fn scan_changed<const FEATURES: bool>(
    t: &str,
    cache: &mut CharCache,
    nfkc: &mut String,
    lower: &mut String,
    hasher: &WordHasher,
    toks: &mut Vec<u64>,
    key: &mut Vec<u8>,
) -> Scan {
    key.clear();
    // The NFKC form from the characters' memoised forms when they are all context-free (most
    // text that comes here: `½`, `™`, compatibility letters), without a quick check first;
    // else the text as read when it passes the quick check, else the reference NFKC.
    let same = if cache.nfkc_into(t, nfkc) {
        nfkc.as_str() == t
    } else if is_nfkc_quick(t.chars()) == IsNormalized::Yes {
        true
    } else {
        nfkc.clear();
        nfkc.extend(t.nfkc());
        false
    };
    let src: &str = if same { t } else { nfkc };
    // Word features follow the text as read: in the scan when NFKC left it unchanged.
    let from = toks.len();
    let mut sc = scan_body::<FEATURES, false, _>(
        src,
        same,
        0,
        Scan::default(),
        cache,
        lower,
        hasher,
        toks,
        key,
    )
    .unwrap_or_default();
    sc.key = key_hash(&mut toks[from..]);
    if FEATURES && !same {
        word_features(t, cache, &mut sc);
        sc.lowered = cache.lowercase_wide(t, lower);
    }
    sc
}

/// The body of [`scan_text`]: scans `src` (the paragraph's NFKC form), writing the key to
/// `key`, and its word features and lowercase (into `lower`, see [`Scan::lowered`]) with
/// `FEATURES` when `same` (`src` is the paragraph as read). With `CHECK`, gives up (`None`)
/// at the first non-ASCII character that is neither [`F_NFKC`] nor a separator whose NFKC
/// form is separators ([`NfkcOf::sep`]): the key of `src` as read is then not known to be
/// that of its NFKC form; never `None` otherwise.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn scan_body<const FEATURES: bool, const CHECK: bool, K: KeyOut>(
    src: &str,
    same: bool,
    start: usize,
    mut sc: Scan,
    cache: &mut CharCache,
    lower: &mut String,
    hasher: &WordHasher,
    toks: &mut Vec<u64>,
    key: &mut K,
) -> Option<Scan> {
    let words_here = FEATURES && same;
    // The lowercase of [`CharCache::lowercase_wide`], built on the way: `src[..low_done]` is
    // in `lower` once a character has changed; `low_all` once a character lowercases to
    // several or by its context (the lowercase is then `src.to_lowercase()`).
    let (mut low_done, mut low_all) = (0, false);
    if words_here {
        lower.clear();
    }
    let b = src.as_bytes();
    let mut ks = KeyState {
        in_tok: false,
        in_digits: false,
        tok_start: 0,
    };
    let mut ws = WordState {
        in_word: false,
        start: 0,
        cjk: 0,
        ascii: true,
    };
    let mut i = start;
    while i < b.len() {
        let x = b[i];
        let class = CLASS[x as usize];
        match class {
            C_LOWER | C_UPPER | C_UNDERSCORE => {
                if words_here && !ws.in_word {
                    ws.in_word = true;
                    ws.start = i;
                    ws.cjk = 0;
                    ws.ascii = true;
                    if class != C_UNDERSCORE {
                        sc.alpha += 1;
                        if class == C_UPPER {
                            sc.upper += 1;
                        }
                    }
                }
                if !ks.in_tok && class != C_UNDERSCORE {
                    // Most tokens are ASCII letters alone, up to an ASCII separator (or the
                    // end): such a token is hashed where it stands, its lowercase read on
                    // the fly, and never written to `key`.
                    let j = letter_run(b, i);
                    let ends = match b.get(j) {
                        Some(&x) => matches!(CLASS[x as usize], C_SEP | C_MENU),
                        None => true,
                    };
                    if ends {
                        if sc.ntok > 0 {
                            sc.nchars += 1;
                        }
                        sc.ntok += 1;
                        sc.nchars += (j - i) as u32;
                        toks.push(hasher.ascii(&b[i..j]));
                        i = j;
                        continue;
                    }
                }
                ks.start_tok(key, &mut sc);
                ks.in_digits = false;
                let j = ascii_word_run(b, i, key);
                sc.nchars += (j - i) as u32;
                i = j;
            }
            C_DIGIT => {
                ks.start_tok(key, &mut sc);
                if !ks.in_digits {
                    key.push(b'0');
                    sc.nchars += 1;
                    ks.in_digits = true;
                }
                if words_here && !ws.in_word {
                    ws.in_word = true;
                    ws.start = i;
                    ws.cjk = 0;
                    ws.ascii = true;
                }
                i += 1;
                while i < b.len() && CLASS[b[i] as usize] == C_DIGIT {
                    i += 1;
                }
            }
            C_WIDE => {
                let c = src[i..].chars().next().unwrap_or('\u{fffd}');
                let (lc, f) = cache.get(c);
                // A separator whose form is separators ([`NfkcOf::sep`]) leaves the key as
                // it is: read as it stands, it ends a token as its form would.
                if CHECK && f & F_NFKC == 0 && !cache.nfkc.get(c, nfkc_of).sep {
                    return None;
                }
                if words_here {
                    if f & F_WORD != 0 {
                        if !ws.in_word {
                            ws.in_word = true;
                            ws.start = i;
                            ws.cjk = 0;
                            if f & F_ALPHA != 0 {
                                sc.alpha += 1;
                                if f & F_UPPER != 0 {
                                    sc.upper += 1;
                                }
                            }
                        }
                        ws.ascii = false;
                        if f & F_CJK != 0 {
                            ws.cjk += 1;
                        }
                    } else {
                        ws.end_word(b, i, &mut sc);
                        if f & F_MENU != 0 {
                            sc.menu += 1;
                        }
                    }
                    // Capital sigma depends on its context (final or not).
                    if f & F_LOWER1 == 0 || c == '\u{3a3}' {
                        low_all = true;
                    } else if lc != c && !low_all {
                        lower.push_str(&src[low_done..i]);
                        lower.push(lc);
                        low_done = i + c.len_utf8();
                    }
                }
                // A character that is its own lowercase (most: letters without case) is its
                // lowercase's entry already: no second look-up.
                let (llc, lf) = if lc == c { (lc, f) } else { cache.get(lc) };
                if f & F_LOWER1 != 0 && lf & F_LOWER1 != 0 && llc == lc {
                    ks.lowered(lc, lf, key, &mut sc, toks);
                } else {
                    for l in c.to_lowercase() {
                        ks.char(l, key, &mut sc, toks);
                    }
                }
                i += c.len_utf8();
            }
            _ => {
                ks.end_tok(key.bytes(), toks);
                if words_here {
                    ws.end_word(b, i, &mut sc);
                    if class == C_MENU {
                        sc.menu += 1;
                    }
                }
                i += 1;
                // Out of any token and word: the ASCII text from here takes the ASCII scan
                // (which counts word features on `src`: only when that is the text as read).
                if same {
                    match scan_ascii::<FEATURES, _>(b, i, sc, hasher, toks, key) {
                        Ok(done) => (i, sc) = (b.len(), done),
                        Err((at, part)) => (i, sc) = (at, part),
                    }
                }
            }
        }
    }
    ks.end_tok(key.bytes(), toks);
    if words_here {
        ws.end_word(b, b.len(), &mut sc);
        if low_all {
            lower.clear();
            lower.push_str(&src.to_lowercase());
            sc.lowered = true;
        } else if low_done > 0 {
            lower.push_str(&src[low_done..]);
            sc.lowered = true;
        }
    }
    Some(sc)
}

/// Word features of `t`, character by character (for text that NFKC changes), from the
/// memoised flags of its characters: what [`word_features_ref`] finds with the standard
/// library's table look-ups (slow on text with many non-ASCII characters).
fn word_features(t: &str, cache: &mut CharCache, sc: &mut Scan) {
    let b = t.as_bytes();
    let mut ws = WordState {
        in_word: false,
        start: 0,
        cjk: 0,
        ascii: true,
    };
    for (i, c) in t.char_indices() {
        let f = if c.is_ascii() {
            ascii_flags(c as u8)
        } else {
            cache.get(c).1
        };
        if f & F_WORD != 0 {
            if !ws.in_word {
                ws = WordState {
                    in_word: true,
                    start: i,
                    cjk: 0,
                    ascii: true,
                };
                if f & F_ALPHA != 0 {
                    sc.alpha += 1;
                    if f & F_UPPER != 0 {
                        sc.upper += 1;
                    }
                }
            }
            ws.ascii &= c.is_ascii();
            ws.cjk += u32::from(f & F_CJK != 0);
        } else {
            ws.end_word(b, i, sc);
            sc.menu += u32::from(f & F_MENU != 0);
        }
    }
    ws.end_word(b, b.len(), sc);
}

/// The [`F_WORD`], [`F_NUM`], [`F_ALPHA`], [`F_UPPER`] and [`F_MENU`] flags of an ASCII
/// character (those [`char_facts`] gives it), from its scanner class ([`CLASS`]).
fn ascii_flags(c: u8) -> u8 {
    const FLAGS: [u8; 7] = {
        let mut f = [0; 7];
        f[C_LOWER as usize] = F_WORD | F_ALPHA;
        f[C_UPPER as usize] = F_WORD | F_ALPHA | F_UPPER;
        f[C_DIGIT as usize] = F_WORD | F_NUM;
        f[C_UNDERSCORE as usize] = F_WORD;
        f[C_MENU as usize] = F_MENU;
        f
    };
    FLAGS[CLASS[c as usize] as usize]
}

/// Word features of `t`, character by character: the reference of [`word_features`].
#[cfg(test)]
fn word_features_ref(t: &str, sc: &mut Scan) {
    for w in t.split(|c: char| !is_word(c)).filter(|w| !w.is_empty()) {
        let cjk = w.chars().filter(|&c| is_cjk(c)).count() as u32;
        sc.words += if cjk == 0 { 1 } else { cjk.div_ceil(2).max(1) };
        if w.len() <= 10 && w.is_ascii() && is_stopword_bytes(w.to_ascii_lowercase().as_bytes()) {
            sc.stopwords += 1;
        }
        let c0 = w.chars().next().unwrap_or(' ');
        if c0.is_alphabetic() {
            sc.alpha += 1;
            if c0.is_uppercase() {
                sc.upper += 1;
            }
        }
    }
    sc.menu = t.chars().filter(|c| MENU_CHARS.contains(c)).count() as u32;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(t: &str) -> PageAnalysis {
        analyze(t, &Lexicon::new(&[]).unwrap())
    }

    #[test]
    fn stopwords_sorted() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(STOPWORDS.len(), 155);
    }

    #[test]
    fn stopword_test_matches_the_list() {
        for w in STOPWORDS {
            let text = format!("x {} y", w.to_uppercase());
            assert!(is_stopword_at(text.as_bytes(), 2, 2 + w.len()), "{w}");
            assert!(is_stopword_bytes(w.as_bytes()), "{w}");
        }
        for w in [
            "thee",
            "a_",
            "1",
            "tha",
            "yourselvez",
            "harbour",
            "th3",
            "_he",
            "AM1",
        ] {
            assert!(!is_stopword_bytes(w.as_bytes()), "{w}");
        }
        // The first 8 letters of a longer stopword are no stopword of up to 8 letters.
        for w in ["themselv", "yourselv", "ourselve", "Themselv"] {
            assert!(!is_stopword_packed8(pack(w.as_bytes()) as u64), "{w}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]

        /// The stopword test (with its first-and-last-letter filter) says exactly whether
        /// the lowercase of a word is in the list.
        #[test]
        fn stopword_test_matches_the_list_on_any_word(
            w in proptest::prop_oneof![
                "[a-zA-Z0-9_]{1,12}",
                "[tTaAhHwWoOsSiI][a-zA-Z]{0,3}[eEsSrRtTnNdDyY]",
                proptest::strategy::Strategy::prop_map(
                    proptest::sample::select(STOPWORDS),
                    |w| w.to_uppercase(),
                ),
            ],
            pad in "[ a-z]{0,20}",
        ) {
            let want = STOPWORDS.contains(&w.to_ascii_lowercase().as_str());
            let text = format!("{pad}{w}{pad}");
            proptest::prop_assert_eq!(is_stopword_at(text.as_bytes(), pad.len(), pad.len() + w.len()), want);
            proptest::prop_assert_eq!(is_stopword_bytes(w.as_bytes()), want);
            if w.len() <= 8 && w.bytes().all(|b| b.is_ascii_alphabetic()) {
                proptest::prop_assert_eq!(is_stopword_packed8(pack(w.as_bytes()) as u64), want);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

        /// The scan that takes ASCII text by tokens (and the rest, from the token holding the
        /// first other character, by the general scan) finds what the general one does.
        #[test]
        fn ascii_scan_matches_the_general_one(
            t in "[ -~]{0,80}|[a-zA-Z0-9_ |>.,-]{0,200}|[a-zA-Z0-9_ |>.,éÉ’Σİ»\u{301}ﬁ東-]{0,100}"
        ) {
            let (mut s1, mut s2) = (Scratch::default(), Scratch::default());
            let (mut t1, mut t2) = (vec![7u64], vec![7u64]);
            let a = scan_text::<true, true>(&t, &mut s1, &mut t1);
            let b = scan_text::<true, false>(&t, &mut s2, &mut t2);
            proptest::prop_assert_eq!(a, b);
            proptest::prop_assert_eq!(&t1, &t2);
            let a = scan_text::<false, true>(&t, &mut s1, &mut t1);
            let b = scan_text::<false, false>(&t, &mut s2, &mut t2);
            proptest::prop_assert_eq!(a, b);
            proptest::prop_assert_eq!(&t1, &t2);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

        /// The shingle hash on three words is the crate's xxh3 of their 24 bytes.
        #[test]
        fn shingle_hash_is_seeded_xxh3(w in proptest::array::uniform3(proptest::num::u64::ANY)) {
            let mut b = Vec::new();
            for x in w {
                b.extend_from_slice(&x.to_le_bytes());
            }
            proptest::prop_assert_eq!(
                shingle_hash(&w),
                xxhash_rust::xxh3::xxh3_64_with_seed(&b, SHINGLE_SEED)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

        /// The key hash (short keys inline, long ones hashed in place) is that of its
        /// reference, and leaves the token hashes as they were; short keys' hashes are the
        /// crate's seeded xxh3 of their bytes.
        #[test]
        fn key_hash_matches_the_reference(
            toks in proptest::collection::vec(proptest::num::u64::ANY, 0..80),
        ) {
            let mut t = toks.clone();
            proptest::prop_assert_eq!(key_hash(&mut t), key_hash_ref(&toks));
            proptest::prop_assert_eq!(&t, &toks);
            let bytes: Vec<u8> = toks.iter().take(2).flat_map(|x| x.to_le_bytes()).collect();
            let want = xxhash_rust::xxh3::xxh3_64_with_seed(&bytes, KEY_SEED);
            match toks[..toks.len().min(2)] {
                [a] => proptest::prop_assert_eq!(KEY_SHORT.words8(a), want),
                [a, b] => proptest::prop_assert_eq!(KEY_SHORT.words16(a, b), want),
                _ => {}
            }
        }
    }

    /// The repetition key of `t` by its definition, on strings: (token hashes, key hash,
    /// tokens, characters).
    fn key_ref(t: &str) -> (Vec<u64>, u64, u32, u32) {
        let nfkc: String = t.nfkc().collect();
        let mut tokens: Vec<String> = Vec::new();
        let mut cur = String::new();
        for c in nfkc.chars().flat_map(char::to_lowercase) {
            if !is_word(c) {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            } else if !c.is_numeric() {
                cur.push(c);
            } else if !cur.ends_with('0') {
                // A digit run is one `0` (and only a digit run gives a `0`).
                cur.push('0');
            }
        }
        if !cur.is_empty() {
            tokens.push(cur);
        }
        let hashes: Vec<u64> = tokens.iter().map(|w| xxh3_64(w.as_bytes())).collect();
        let joined = tokens.join(" ");
        // Hashes of 16 tokens at a time, each window after the first led by the hash so far.
        let words = |w: &[u64]| {
            let b: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
            xxhash_rust::xxh3::xxh3_64_with_seed(&b, KEY_SEED)
        };
        let key = if hashes.is_empty() {
            0
        } else {
            let mut h = words(&hashes[..hashes.len().min(16)]);
            for chunk in hashes.get(16..).unwrap_or_default().chunks(15) {
                let mut w = vec![h];
                w.extend_from_slice(chunk);
                h = words(&w);
            }
            h.max(1)
        };
        (
            hashes,
            key,
            tokens.len() as u32,
            joined.chars().count() as u32,
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

        /// The scans' key and token hashes are those of the key's definition, their word
        /// features those of the reference.
        #[test]
        fn keys_match_the_reference(
            t in proptest::prop_oneof![
                "[ -~]{0,80}",
                "[a-zA-Z0-9_ |>.,-]{0,400}",
                "([a-zA-Z]{1,12}[ ,.]{1,2}){0,40}",
                "[a-zA-Z0-9 _.,:|>ÀÉÎàéîßẞ’–…½²ﬁ東京한\u{a0}\u{301}]{0,60}",
                "[a-zA-Z0-9 _.=<é…‥＋（）＝⁄≠⑴™\u{a0}\u{338}\u{301}\u{1fed}\u{2024}]{0,40}",
            ]
        ) {
            let (want_toks, want_key, want_ntok, want_chars) = key_ref(&t);
            let mut s = Scratch::default();
            let mut toks = vec![7u64];
            let sc = scan::<true>(&t, &mut s, &mut toks);
            proptest::prop_assert_eq!(&toks[1..], &want_toks[..]);
            proptest::prop_assert_eq!((sc.key, sc.ntok, sc.nchars), (want_key, want_ntok, want_chars));
            // Word features, on the text as read.
            let mut want = Scan::default();
            word_features_ref(&t, &mut want);
            proptest::prop_assert_eq!(
                (sc.words, sc.stopwords, sc.alpha, sc.upper, sc.menu),
                (want.words, want.stopwords, want.alpha, want.upper, want.menu)
            );
            let mut toks = Vec::new();
            proptest::prop_assert_eq!(key_of(&t, &mut s, &mut toks), (want_key, want_ntok, want_chars));
            proptest::prop_assert_eq!(&toks, &want_toks);
        }
    }

    #[test]
    fn byline_prefixes_start_with_the_letters_tested_first() {
        for p in BYLINE_PREFIXES {
            let b = p.as_bytes()[0];
            assert!(BYLINE_FIRST >> (b & 31) & 1 == 1, "{p}");
            assert!(
                BYLINE_FIRST >> (b.to_ascii_uppercase() & 31) & 1 == 1,
                "{p}"
            );
        }
        assert!(BYLINE_FIRST >> (b'a' & 31) & 1 == 0 && BYLINE_FIRST.count_ones() == 4);
        assert!(is_byline("By Jane Roe") && is_byline("written by J. Roe"));
        assert!(!is_byline("Byline") && !is_byline("about us"));
    }

    #[test]
    fn keys_fold_digits_case_and_punctuation() {
        let p = page("Browse latest Browse all 60\nbrowse LATEST browse all 61!\nOther");
        assert_eq!(p.paragraphs[0].key, p.paragraphs[1].key);
        assert_ne!(p.paragraphs[0].key, p.paragraphs[2].key);
        assert_eq!(p.paragraphs[0].key_tokens, 5);
        assert_eq!(
            p.paragraphs[0].key_chars,
            "browse latest browse all 0".len() as u32
        );
    }

    #[test]
    fn page_keys_match_the_full_analysis() {
        let t = "Browse latest Browse all 60\n\nThe harbour board voted on Tuesday to deepen it.\nÉté 2026 — ﬁn\n";
        assert_eq!(page_keys(t, &mut Scratch::default()), page(t).keys());
        assert!(
            is_stopword_bytes(b"the")
                && is_stopword_bytes(b"yourselves")
                && !is_stopword_bytes(b"harbour")
        );
    }

    #[test]
    fn word_runs_match_the_byte_classes() {
        for len in 1..20 {
            for stop in 0..=255u8 {
                let mut text: Vec<u8> = (0..len).map(|k| b"aZ_qM"[k % 5]).collect();
                let at = len / 2;
                text[at] = stop;
                text.extend_from_slice(b"xy");
                let mut want = 0;
                while want < text.len()
                    && matches!(CLASS[text[want] as usize], C_LOWER | C_UPPER | C_UNDERSCORE)
                {
                    want += 1;
                }
                let mut key = b"k".to_vec();
                assert_eq!(ascii_word_run(&text, 0, &mut key), want, "{len} {stop}");
                let lower: Vec<u8> = text[..want].iter().map(u8::to_ascii_lowercase).collect();
                assert_eq!(key[1..], lower[..], "{len} {stop}");
            }
        }
    }

    #[test]
    fn distinct_keeps_first_occurrences() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut v: Vec<u64> = (0..3000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Repeats, a zero, and values sharing their top bits.
                match i % 7 {
                    0 => 0,
                    1 | 2 => x % 50,
                    3 => x | 0xffff_0000_0000_0000,
                    _ => x,
                }
            })
            .collect();
        let mut want = Vec::new();
        for &y in &v {
            if !want.contains(&y) {
                want.push(y);
            }
        }
        distinct(&mut v);
        assert_eq!(v, want);
    }

    #[test]
    fn distinct_reuses_its_set_from_page_to_page() {
        // Pages of several sizes on one thread, sharing values (a value of an earlier page
        // must not count as seen), and one page too large for the set kept.
        for n in [5u64, 3000, 40, 70_000, 7, 3000] {
            let mut v: Vec<u64> = (0..n)
                .map(|i| (i % 97).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .collect();
            let want: Vec<u64> = (0..n.min(97))
                .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .collect();
            distinct(&mut v);
            assert_eq!(v, want, "n={n}");
        }
    }

    #[test]
    fn shape_features() {
        let p = page(
            "NOW WATCH: the mayor speaks\nFor months schools were in the news...\nBy Jane Roe\n\
             Home › News › Ports\nThe council approved the budget on Tuesday.",
        );
        let q = &p.paragraphs;
        assert!(q[0].label && q[0].lex.is_some());
        assert!(q[1].ellipsis && !q[1].end);
        assert!(q[2].byline);
        assert_eq!(q[3].menu, 2);
        assert!(q[4].end && q[4].stopwords > 0.2);
        assert_eq!(q[4].words, 7);
    }

    #[test]
    fn title_split() {
        assert_eq!(
            longest_title_part("Council passes budget - Harbor Gazette"),
            "Council passes budget"
        );
        assert_eq!(longest_title_part("A-B test"), "A-B test");
        assert_eq!(
            longest_title_part("Site | Section | A longer title here"),
            "A longer title here"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The scan that tests for NFKC on the way and lowercasing of non-ASCII text agree
        /// with the references.
        #[test]
        fn wide_text_helpers_match_the_references(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-zA-Z0-9 _.,:|>-]{0,12}",
                    "[ÀÉÎÕÜàéîõüßẞΣσςİıǅǄ«»“”’–—…©·•›™½²ﬁ東京한]{1,3}",
                    "[…‥＋（）＝⁄≠⑴™=<\u{338}\u{1fed}\u{2024}\u{fe30}]{1,3}",
                    "[\\PC]{0,4}",
                    NFKC_TRICKY,
                ],
                0..10,
            )
        ) {
            let t: String = parts.concat();
            let mut cache = CharCache::default();
            if !t.is_ascii() {
                // The scan that tests for NFKC on the way, against the general one.
                let (mut s1, mut t1, mut t2) = (Scratch::default(), vec![7u64], vec![7u64]);
                let (mut nfkc, mut key) = (String::new(), Vec::new());
                let mut lower = String::new();
                let h = WordHasher::new(0);
                let a = scan_text::<true, false>(&t, &mut s1, &mut t1);
                let b = scan_changed::<true>(&t, &mut cache, &mut nfkc, &mut lower, &h, &mut t2, &mut key);
                let mut want_lower = String::new();
                let lowered = cache.lowercase_wide(&t, &mut want_lower);
                proptest::prop_assert_eq!(a.lowered, lowered);
                if lowered {
                    proptest::prop_assert_eq!(&s1.lower, &want_lower);
                    proptest::prop_assert_eq!(&lower, &want_lower);
                }
                proptest::prop_assert_eq!(a, b);
                proptest::prop_assert_eq!(&t1, &t2);
                let a = scan_text::<false, false>(&t, &mut s1, &mut t1);
                let b = scan_changed::<false>(&t, &mut cache, &mut nfkc, &mut lower, &h, &mut t2, &mut key);
                proptest::prop_assert_eq!(a, b);
                proptest::prop_assert_eq!(&t1, &t2);
            }
            let mut want = String::new();
            cache.lowercase(&t, &mut want);
            let mut out = String::from("junk");
            let got = if cache.lowercase_wide(&t, &mut out) {
                out.clone()
            } else {
                t.clone()
            };
            if want != t.to_lowercase() || got == want {
                proptest::prop_assert_eq!(&got, &want);
            } else {
                // Only ASCII letters may keep their case.
                proptest::prop_assert_eq!(got.to_ascii_lowercase(), want);
            }
            proptest::prop_assert_eq!(next_wide(t.as_bytes(), 0), t.find(|c: char| !c.is_ascii()).unwrap_or(t.len()));
        }
    }

    /// Characters whose NFKC depends on their neighbours or that change under it: combining
    /// marks (composing, reordered, or neither), conjoining Hangul jamo and syllables,
    /// compatibility jamo, starters that compose with a preceding starter (U+09BE, U+0CD5),
    /// composition exclusions, singletons (Ω, Å, K), compatibility forms that end in a mark
    /// (¨, ゛) or are long (U+FDFA), and letters that lowercase oddly (Σ, İ, ß).
    const NFKC_TRICKY: &str = "[a-zA-Z0-9 .e\u{300}-\u{36f}\u{344}\u{1100}-\u{1103}\u{1161}-\u{1163}\u{11a8}-\u{11aa}가각개\u{3131}\u{314f}\u{9be}\u{9c7}\u{cc6}\u{cd5}\u{958}\u{f73}\u{2126}\u{212b}\u{212a}\u{a8}\u{309b}\u{ff9e}\u{3099}\u{fdfa}\u{a0}…ﬁＡａＺΣσςİßẞ中東½²㈱①é\u{1e9b}\u{323}\u{1f80}\u{345}\u{2000}\u{3000}]{0,24}";

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]

        /// NFKC from the memoised forms of characters is the reference NFKC whenever it
        /// answers, and it answers for text whose characters are all context-free.
        #[test]
        fn nfkc_from_char_forms_matches_the_reference(
            t in proptest::prop_oneof![
                NFKC_TRICKY,
                proptest::strategy::Strategy::prop_map(
                    proptest::collection::vec(proptest::arbitrary::any::<char>(), 0..12),
                    |v| v.into_iter().collect::<String>(),
                ),
            ]
        ) {
            let mut cache = CharCache::default();
            let mut out = String::from("junk");
            let want: String = t.nfkc().collect();
            if cache.nfkc_into(&t, &mut out) {
                proptest::prop_assert_eq!(&out, &want);
            } else {
                proptest::prop_assert!(t.chars().any(|c| nfkc_of(c).len == NFKC_CONTEXT));
            }
            // Once more from a warm memo.
            if cache.nfkc_into(&t, &mut out) {
                proptest::prop_assert_eq!(&out, &want);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

        /// Word features from memoised flags match the reference.
        #[test]
        fn word_features_match_the_reference(
            t in proptest::prop_oneof![
                NFKC_TRICKY,
                "[a-zA-Z0-9_ |>.,’…ÀéΣİßﬁ東京한가\u{a0}•»›‹·\u{301}]{0,40}",
                proptest::strategy::Strategy::prop_map(
                    proptest::collection::vec(proptest::arbitrary::any::<char>(), 0..12),
                    |v| v.into_iter().collect::<String>(),
                ),
            ]
        ) {
            let (mut a, mut b) = (Scan::default(), Scan::default());
            word_features(&t, &mut CharCache::default(), &mut a);
            word_features_ref(&t, &mut b);
            proptest::prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn ideographs_and_syllables_take_the_general_facts() {
        for c in
            ('\u{3000}'..='\u{d7ff}').filter(|&c| crate::normalize::is_ideograph_or_syllable(c))
        {
            assert_eq!(char_facts(c), char_facts_general(c), "{c:?}");
        }
    }

    #[test]
    fn ascii_flags_are_char_facts() {
        let mask = F_WORD | F_NUM | F_ALPHA | F_UPPER | F_MENU;
        for c in 0..128u8 {
            assert_eq!(ascii_flags(c), char_facts(char::from(c)).1 & mask, "{c}");
        }
    }

    #[test]
    fn nfkc_char_forms() {
        let free = |c: char| nfkc_of(c).len != NFKC_CONTEXT;
        // Composes with what precedes it, or is reordered with it.
        for c in [
            '\u{301}', '\u{1161}', '\u{11a8}', '\u{9be}', '\u{314f}', '\u{ff9e}',
        ] {
            assert!(!free(c), "{c:?}");
        }
        for c in [
            '…', '\u{a0}', 'ﬁ', 'Ａ', '\u{2126}', '가', '\u{3131}', '\u{a8}', 'é',
        ] {
            assert!(free(c), "{c:?}");
        }
        // Too long to keep.
        assert!(!free('\u{fdfa}'));
        let mut out = String::new();
        let mut cache = CharCache::default();
        assert!(cache.nfkc_into("Caf\u{e9}\u{a0}ﬁne…", &mut out));
        assert_eq!(out, "Caf\u{e9} fine...");
        // A context-free character after one that is not (the reference decides).
        assert!(!cache.nfkc_into("e\u{301}…", &mut out));
    }

    #[test]
    fn char_cache_hits_return_what_was_filled() {
        // Characters sharing slots (evicting each other), each looked up again after others.
        let chars: Vec<char> = (0x80u32..0x3100)
            .step_by(7)
            .chain([0x3a3, 0x130, 0x212a, 0x1e9e, 0xfb01, 0x4e00, 0xac00])
            .filter_map(char::from_u32)
            .collect();
        let mut cache = CharCache::default();
        for round in 0..3 {
            for &c in chars.iter().skip(round) {
                let want = CharCache::default().get(c);
                assert_eq!(cache.get(c), want, "{c:?}");
                assert_eq!(cache.get(c), want, "{c:?} again");
            }
        }
    }

    #[test]
    fn cjk_word_units() {
        let p = page("東京都は新しい計画を発表した。");
        assert!(p.paragraphs[0].words >= 7);
    }
}
