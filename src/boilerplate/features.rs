//! Stage 1: per-page analysis, a pure function of the text and the configuration.
//!
//! Every paragraph (non-blank line) gets its shape features (length in words, sentence end,
//! `...` snippet, stopword density, capitalisation, menu separators, lexicon match, byline)
//! and its *repetition key*: NFKC, lowercase, every digit run replaced by `0`, word tokens
//! joined by one space ("Browse all 60" and "Browse all 61" share a key). Keys and word
//! 3-shingles of keys are kept as seeded xxh3 hashes.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use super::lexicon::{LexMatch, Lexicon};
use crate::normalize::segment::{paragraphs_into, SegmentMode, Span};

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
/// Separators and bullets typical of menus and breadcrumbs.
const MENU_CHARS: &[char] = &['|', '•', '»', '›', '‹', '·', '>'];
const BYLINE_PREFIXES: &[&str] = &["by", "written by", "posted by", "von", "por", "par"];
const SHINGLE_SEED: u64 = 0x5348_494e_474c_4533;

/// Features of one paragraph.
#[derive(Clone, Debug, Default)]
pub struct Paragraph {
    /// Where it is in the document text (UTF-8 bytes, whitespace at either end excluded).
    pub span: Span,
    /// xxh3 of the repetition key; 0 when the key is empty.
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
    /// Range of this paragraph's key token hashes in [`PageAnalysis::tokens`].
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
        for w in self.key_tokens(i).windows(3) {
            out.push(shingle_hash(w));
        }
    }

    /// The repetition keys of the page for the source statistics: distinct key hashes, and
    /// distinct 3-shingles of keys with at least 6 tokens, each sorted.
    pub fn keys(&self) -> PageKeys {
        let mut keys: Vec<u64> = self
            .paragraphs
            .iter()
            .filter(|p| p.key != 0)
            .map(|p| p.key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut shingles = Vec::new();
        for (i, p) in self.paragraphs.iter().enumerate() {
            if p.key_tokens >= 6 {
                for w in self.key_tokens(i).windows(3) {
                    shingles.push(shingle_hash(w));
                }
            }
        }
        shingles.sort_unstable();
        shingles.dedup();
        PageKeys { keys, shingles }
    }
}

/// What a page contributes to its source's repetition statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageKeys {
    /// Distinct paragraph key hashes, sorted.
    pub keys: Vec<u64>,
    /// Distinct 3-shingle hashes of keys with ≥ 6 tokens, sorted.
    pub shingles: Vec<u64>,
}

/// Whether a lowercase ASCII word is in [`STOPWORDS`]: a binary search within the words of
/// its first letter.
fn is_stopword(w: &str) -> bool {
    let Some(&c) = w.as_bytes().first() else {
        return false;
    };
    let lo = STOPWORDS.partition_point(|s| s.as_bytes()[0] < c);
    let hi = STOPWORDS.partition_point(|s| s.as_bytes()[0] <= c);
    STOPWORDS[lo..hi]
        .iter()
        .any(|s| s.len() == w.len() && *s == w)
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
    keys.sort_unstable();
    keys.dedup();
    shingles.sort_unstable();
    shingles.dedup();
    PageKeys { keys, shingles }
}

fn shingle_hash(w: &[u64]) -> u64 {
    let mut b = [0u8; 24];
    for (k, h) in w.iter().enumerate() {
        b[k * 8..k * 8 + 8].copy_from_slice(&h.to_le_bytes());
    }
    xxh3_64_with_seed(&b, SHINGLE_SEED)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}')
}

/// Reusable buffers for [`analyze_into`].
#[derive(Default)]
pub struct Scratch {
    spans: Vec<Span>,
    lower: String,
    key: String,
    nfkc: String,
    word: String,
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
    let mut spans = std::mem::take(&mut s.spans);
    paragraphs_into(text, SegmentMode::Lines, &mut spans);
    for &span in &spans {
        let t = &text[span.byte_start..span.byte_end];
        let mut p = Paragraph {
            span,
            ..Paragraph::default()
        };
        // Repetition key.
        let start = out.tokens.len();
        let (key, ntok, nchars) = key_of(t, s, &mut out.tokens);
        p.key = key;
        p.key_tokens = ntok;
        p.key_chars = nchars;
        p.tokens = (start as u32, out.tokens.len() as u32);
        // Words, stopwords, capitals.
        let (mut words, mut sw, mut alpha, mut upper) = (0u32, 0u32, 0u32, 0u32);
        for w in t.split(|c: char| !is_word(c)).filter(|w| !w.is_empty()) {
            let cjk = w.chars().filter(|&c| is_cjk(c)).count() as u32;
            words += if cjk == 0 { 1 } else { cjk.div_ceil(2).max(1) };
            if w.len() <= 10 && w.is_ascii() {
                s.word.clear();
                s.word.push_str(w);
                s.word.make_ascii_lowercase();
                if is_stopword(&s.word) {
                    sw += 1;
                }
            }
            let c0 = w.chars().next().unwrap_or(' ');
            if c0.is_alphabetic() {
                alpha += 1;
                if c0.is_uppercase() {
                    upper += 1;
                }
            }
        }
        p.words = words;
        p.stopwords = if words > 0 {
            sw as f64 / words as f64
        } else {
            0.0
        };
        p.caps = if alpha > 0 {
            upper as f64 / alpha as f64
        } else {
            0.0
        };
        p.ellipsis = t.ends_with("...") || t.ends_with('…');
        p.end = !p.ellipsis
            && t.chars()
                .next_back()
                .is_some_and(|c| END_CHARS.contains(&c));
        p.menu = t.chars().filter(|c| MENU_CHARS.contains(c)).count() as u32;
        // Lexicon and labels, on the lowercased paragraph.
        s.lower.clear();
        if t.is_ascii() {
            s.lower.push_str(t);
            s.lower.make_ascii_lowercase();
        } else {
            s.lower.push_str(&t.to_lowercase());
        }
        let lower = s.lower.as_str();
        p.lex = lexicon.find(lower);
        if let Some(m) = p.lex {
            let at_start = lower[..m.start].chars().count() <= 2;
            let colon_after = {
                let next: String = lower[m.end..].chars().take(2).collect();
                next.trim_start().starts_with(':')
            };
            p.label = at_start && (colon_after || lexicon.phrase(m).ends_with(':'));
        }
        p.byline = words <= 12 && !p.end && is_byline(lower);
        out.paragraphs.push(p);
    }
    s.spans = spans;
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

/// `^(by|written by|posted by|von|por|par)\s+\w`, on a lowercased line.
fn is_byline(lower: &str) -> bool {
    BYLINE_PREFIXES.iter().any(|p| {
        lower.strip_prefix(p).is_some_and(|rest| {
            let r = rest.trim_start();
            r.len() < rest.len() && r.chars().next().is_some_and(is_word)
        })
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
    s.key.clear();
    let src: &str = if t.is_ascii() || is_nfkc_quick(t.chars()) == IsNormalized::Yes {
        t
    } else {
        s.nfkc.clear();
        s.nfkc.extend(t.nfkc());
        &s.nfkc
    };
    let mut ntok = 0u32;
    let mut nchars = 0u32;
    let mut in_tok = false;
    let mut in_digits = false;
    let mut tok_start = 0;
    let push_lower = |key: &mut String, c: char, nchars: &mut u32| {
        if c.is_ascii() {
            key.push(c.to_ascii_lowercase());
            *nchars += 1;
        } else {
            for l in c.to_lowercase() {
                key.push(l);
                *nchars += 1;
            }
        }
    };
    // Lowercase first (as the reference does), then cut tokens.
    for c in src.chars() {
        let lc: Option<char> = if c.is_ascii() {
            Some(c.to_ascii_lowercase())
        } else {
            None
        };
        let mut handle = |c: char, s_key: &mut String| {
            if is_word(c) {
                if !in_tok {
                    if ntok > 0 {
                        s_key.push(' ');
                        nchars += 1;
                    }
                    tok_start = s_key.len();
                    in_tok = true;
                    ntok += 1;
                }
                if c.is_numeric() {
                    if !in_digits {
                        s_key.push('0');
                        nchars += 1;
                        in_digits = true;
                    }
                } else {
                    in_digits = false;
                    push_lower(s_key, c, &mut nchars);
                }
            } else {
                if in_tok {
                    toks.push(xxh3_64(&s_key.as_bytes()[tok_start..]));
                }
                in_tok = false;
                in_digits = false;
            }
        };
        match lc {
            Some(l) => handle(l, &mut s.key),
            None => {
                for l in c.to_lowercase() {
                    handle(l, &mut s.key);
                }
            }
        }
    }
    if in_tok {
        toks.push(xxh3_64(&s.key.as_bytes()[tok_start..]));
    }
    let key = if ntok == 0 {
        0
    } else {
        xxh3_64(s.key.as_bytes()).max(1)
    };
    (key, ntok, nchars)
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
        assert!(is_stopword("the") && is_stopword("yourselves") && !is_stopword("harbour"));
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

    #[test]
    fn cjk_word_units() {
        let p = page("東京都は新しい計画を発表した。");
        assert!(p.paragraphs[0].words >= 7);
    }
}
