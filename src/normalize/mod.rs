//! What text do we compare?
//!
//! Fingerprints are computed on a normalized form of each paragraph; outputs always keep the
//! original text. Normalization:
//!
//! 1. Unicode NFKC (compatibility forms folded: full-width letters, ligatures, `²` → `2`, …);
//! 2. case folding (lowercase, plus `ß` → `ss` and final sigma → sigma);
//! 3. every character that is not a letter or a digit — punctuation, symbols, typographic
//!    quotes and dashes, spaces of any kind including non-breaking ones — separates words;
//!    combining marks left over after NFKC are dropped without separating;
//! 4. runs of separators collapse to one ASCII space, with none at either end.
//!
//! The result holds only lowercase letters, digits and single spaces, and normalizing it again
//! changes nothing (a property test checks this). Pure ASCII text takes a fast path that never
//! allocates beyond the output buffer.
//!
//! [`segment`] cuts a document into paragraphs with exact byte spans.

mod char_memo;
pub mod segment;

pub(crate) use char_memo::CharMemo;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Returns the normalized form of `text`.
///
/// ```
/// assert_eq!(dechaff::normalize::normalize("“Don’t” — STOP!\u{a0}Now…"), "don t stop now");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// Appends the normalized form of `text` to `out` (which is not cleared first). When `out` is
/// not empty and `text` yields words, a single space separates them from what `out` held.
pub fn normalize_into(text: &str, out: &mut String) {
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut pending_space = !out.is_empty() && !out.ends_with(' ');
    let mut i = 0;
    while i < bytes.len() {
        // A run of ASCII, then a run of non-ASCII. An ASCII letter or digit just before a
        // non-ASCII run goes with it, since a combining mark may compose with it; nothing
        // composes with a preceding character across an ASCII one, so the runs can be
        // normalized separately.
        let start = i;
        while i < bytes.len() && bytes[i] < 0x80 {
            i += 1;
        }
        let mut ascii_end = i;
        if i < bytes.len() && ascii_end > start && bytes[ascii_end - 1].is_ascii_alphanumeric() {
            ascii_end -= 1;
        }
        fold_ascii(&bytes[start..ascii_end], out, &mut pending_space);
        if i >= bytes.len() {
            break;
        }
        while i < bytes.len() && bytes[i] >= 0x80 {
            i += 1;
        }
        fold_unicode(&text[ascii_end..i], out, &mut pending_space);
    }
}

/// Calls `f` with every word of the normalized form of `text`, in order, without building the
/// whole normalized text: the words are exactly those of `normalize(text).split(' ')`.
/// ASCII words are cut and lowercased in place; a word holding non-ASCII characters is
/// normalized, up to the next ASCII separator, into `scratch`. Nothing composes across an
/// ASCII separator into a letter or digit, so the two paths agree (a property test and a fuzz
/// target check it).
pub fn for_each_word(text: &str, scratch: &mut String, f: impl FnMut(&[u8])) {
    /// Lowercases the ASCII words for `f`.
    struct Lowering<F> {
        f: F,
        lower: Vec<u8>,
    }
    impl<F: FnMut(&[u8])> WordSink for Lowering<F> {
        fn ascii(&mut self, word: &[u8]) {
            self.lower.clear();
            self.lower.extend(word.iter().map(|b| b | 0x20));
            (self.f)(&self.lower);
        }
        fn normalized(&mut self, word: &[u8]) {
            (self.f)(word);
        }
    }
    scan_words(
        text,
        scratch,
        &mut Lowering {
            f,
            lower: Vec::new(),
        },
    );
}

/// Receives the words of a text from [`scan_words`], in order.
pub(crate) trait WordSink {
    /// A word of ASCII letters and digits as it stands in the text: its normalized form is
    /// its lowercase, which is every byte with bit 5 set (`b | 0x20` lowercases letters and
    /// leaves digits as they are).
    fn ascii(&mut self, word: &[u8]);
    /// A word already normalized: one of the words of a run holding non-ASCII characters.
    fn normalized(&mut self, word: &[u8]);
}

/// Hands every word of the normalized form of `text` to `sink`, in order: the words of
/// [`for_each_word`], ASCII ones as they stand in the text (not lowercased, no copy).
///
/// A word is a maximal run of non-separator bytes (ASCII letters and digits, and every byte
/// of a non-ASCII character). Runs are found 64 bytes at a time from bit masks, so there is
/// no branch per byte. A run holding non-ASCII bytes is split at typographic separators when
/// it holds no other non-ASCII character (`don’t`, `“quoted”`), else normalized on its own
/// into `scratch`.
#[inline(always)]
pub(crate) fn scan_words(text: &str, scratch: &mut String, sink: &mut impl WordSink) {
    let b = text.as_bytes();
    let n = b.len();
    // A run that goes on past the end of a block: its start, and whether it holds non-ASCII
    // bytes so far.
    let mut open: Option<usize> = None;
    let mut open_wide = false;
    // Blocks run one past the end when the text fills its last block: bytes past the end
    // are separators, so the last block seen always ends the last run, and the sink has one
    // call site for ASCII words (it is then inlined into the loop).
    let mut base = 0;
    while base <= n {
        let m = block_masks(b, base);
        // Bit j of `before` is set when byte j - 1 is a word byte (byte -1 being the last of
        // the block before). Runs start at word bytes after a separator and end (exclusive)
        // at separators after a word byte: the k-th end closes the k-th start, or first the
        // open run.
        let before = (m.word << 1) | u64::from(open.is_some());
        let mut starts = m.word & !before;
        let mut ends = !m.word & before;
        while ends != 0 {
            let end = ends.trailing_zeros();
            ends &= ends - 1;
            let below_end = (1u64 << end) - 1;
            let (start, wide) = match open.take() {
                Some(s) => (s, open_wide || m.wide & below_end != 0),
                None => {
                    let s = starts.trailing_zeros();
                    starts &= starts - 1;
                    let span = below_end & !((1u64 << s) - 1);
                    (base + s as usize, m.wide & span != 0)
                }
            };
            let end = base + end as usize;
            if wide {
                wide_words(&text[start..end], scratch, sink);
            } else {
                sink.ascii(&b[start..end]);
            }
        }
        if starts != 0 {
            // The last run starts here and goes on into the next block.
            let s = starts.trailing_zeros();
            open = Some(base + s as usize);
            open_wide = m.wide & (u64::MAX << s) != 0;
        } else if open.is_some() {
            // The open run covers the whole block.
            open_wide |= m.wide != 0;
        }
        base += 64;
    }
    debug_assert!(open.is_none());
}

/// The words of `run`, a run of word bytes holding non-ASCII characters, for `sink`. One pass
/// over the run's characters ([`fold_run`], from memoised facts) finds what the run holds:
/// - no non-ASCII letter (every non-ASCII character a separator: `don’t`, `“quoted”`): the
///   words are its ASCII pieces, handed over as they stand;
/// - one word that normalization leaves as it is (lowercase Cyrillic, Greek, accented Latin
///   letters): the run itself;
/// - other words of simple characters: the words the pass wrote to `scratch`;
/// - a character only the general path folds exactly: [`normalize_into`] on the run.
#[inline(never)]
fn wide_words(run: &str, scratch: &mut String, sink: &mut impl WordSink) {
    scratch.clear();
    // The sink is called only once the memo is no longer borrowed: it may scan words itself.
    let fold = SIMPLE_CHARS.with_borrow_mut(|facts| fold_run(run, facts, scratch));
    match fold {
        RunFold::Pieces => {
            // A separator's bytes are all non-ASCII, so the pieces are the runs of ASCII bytes.
            for w in run.as_bytes().split(|&x| x >= 0x80) {
                if !w.is_empty() {
                    sink.ascii(w);
                }
            }
        }
        RunFold::Same => sink.normalized(run.as_bytes()),
        RunFold::Folded | RunFold::General => {
            if fold == RunFold::General {
                scratch.clear();
                normalize_into(run, scratch);
            }
            for w in scratch.split(' ').filter(|w| !w.is_empty()) {
                sink.normalized(w.as_bytes());
            }
        }
    }
}

/// What [`fold_run`] found in a run of word bytes holding non-ASCII characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunFold {
    /// Every non-ASCII character is a [`CharFold::Separator`]: the words are the ASCII pieces.
    Pieces,
    /// One word, its own normalized form: ASCII lowercase letters and digits, and letters
    /// whose [`CharFold::Letter`] is themselves.
    Same,
    /// The words are in the output, as [`simple_words`] writes them.
    Folded,
    /// A character is [`CharFold::Other`]: only the general path is exact.
    General,
}

/// Classifies `run` (a run of word bytes holding non-ASCII characters) in one pass over its
/// characters. When the run is neither [`RunFold::Pieces`] nor [`RunFold::Same`] its words
/// are written to `out` (empty on entry) as [`simple_words`] writes them: from the character
/// that decides it on, the part before it folded again (it holds no `Other` character).
fn fold_run(run: &str, facts: &mut CharMemo<CharFold>, out: &mut String) -> RunFold {
    let mut chars = run.char_indices();
    // The common case first, in a loop of its own: a word of letters that are their own
    // normalized form (lowercase Cyrillic, Greek or accented Latin letters, lowercase ASCII
    // letters and digits).
    let mut letter = false;
    let first = loop {
        let Some((i, c)) = chars.next() else {
            return if letter {
                RunFold::Same
            } else {
                RunFold::Pieces
            };
        };
        if c.is_ascii() {
            if c as u8 | 0x20 == c as u8 {
                continue;
            }
        } else if matches!(facts.get(c, char_fold), CharFold::Letter(l) if l == c) {
            letter = true;
            continue;
        }
        break (i, c);
    };
    // Everything before `first` is its own normalized form, with no separator.
    let mut separator = false;
    let mut same = true;
    let mut writing = false;
    for (i, c) in std::iter::once(first).chain(chars) {
        if c.is_ascii() {
            // Only ASCII letters and digits are in a run: bit 5 lowercases them.
            let lower = (c as u8 | 0x20) as char;
            same &= lower == c;
            if writing {
                out.push(lower);
            }
        } else {
            match facts.get(c, char_fold) {
                CharFold::Letter(l) => {
                    letter = true;
                    same &= l == c;
                    if writing {
                        out.push(l);
                    }
                }
                CharFold::Separator => {
                    separator = true;
                    if writing {
                        out.push(' ');
                    }
                }
                CharFold::Other => return RunFold::General,
            }
        }
        if !writing && letter && (separator || !same) {
            writing = true;
            let upto = i + c.len_utf8();
            let simple = simple_words(&run[..upto], facts, out);
            debug_assert!(simple);
        }
    }
    if !letter {
        RunFold::Pieces
    } else if writing {
        RunFold::Folded
    } else {
        RunFold::Same
    }
}

/// What normalization does to a non-ASCII character standing between ASCII separators,
/// letters or other such characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharFold {
    /// It becomes a word separator.
    Separator,
    /// It becomes this one character (its lowercase), and nothing composes with it.
    Letter(char),
    /// Anything else (NFKC changes it or may compose it, its lowercase is not one stable
    /// character, a combining mark, 'ß', 'ς'): only the general path is exact.
    Other,
}

fn char_fold(c: char) -> CharFold {
    // Most of the distinct characters of text in Chinese, Japanese or Korean: letters without
    // case that NFKC leaves alone (a test checks every one against the general path, whose
    // table look-ups cost over a thousand instructions a character).
    if is_ideograph_or_syllable(c) {
        return CharFold::Letter(c);
    }
    char_fold_general(c)
}

/// Whether `c` is a CJK unified ideograph of the basic block (U+4E00–U+9FFF) or a precomposed
/// Hangul syllable (U+AC00–U+D7A3).
#[inline]
pub(crate) fn is_ideograph_or_syllable(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}')
}

/// [`char_fold`] from the Unicode tables.
fn char_fold_general(c: char) -> CharFold {
    if is_typographic_separator(c) {
        return CharFold::Separator;
    }
    let stable = |c: char| is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
    if !stable(c) || is_combining_mark(c) {
        return CharFold::Other;
    }
    if !c.is_alphanumeric() {
        // NFKC leaves it as it is, and it is neither a letter, a digit nor a mark.
        return CharFold::Separator;
    }
    if matches!(c, 'ß' | 'ẞ' | 'ς') {
        return CharFold::Other;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None)
            if l != 'ς' && l.is_alphanumeric() && stable(l) && !is_combining_mark(l) && {
                let mut again = l.to_lowercase();
                again.next() == Some(l) && again.next().is_none()
            } =>
        {
            CharFold::Letter(l)
        }
        _ => CharFold::Other,
    }
}

thread_local! {
    /// [`char_fold`] of the characters met, per thread.
    static SIMPLE_CHARS: std::cell::RefCell<CharMemo<CharFold>> = std::cell::RefCell::new(CharMemo::default());
}

/// Writes the normalized words of `run` (a run of word bytes holding non-ASCII characters)
/// to `out`, separated by spaces, and returns true; returns false (with `out` unspecified)
/// when a character needs the general path.
fn simple_words(run: &str, facts: &mut CharMemo<CharFold>, out: &mut String) -> bool {
    for c in run.chars() {
        if c.is_ascii() {
            // Only ASCII letters and digits are in a run.
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match facts.get(c, char_fold) {
            CharFold::Letter(l) => out.push(l),
            CharFold::Separator => out.push(' '),
            CharFold::Other => return false,
        }
    }
    true
}

/// Typographic quotes, dashes, spaces, bullets, guillemets and the ellipsis: characters that
/// normalization turns into a word separator, that NFKC leaves alone or maps to ASCII
/// punctuation or a space, and that nothing composes with (tested one by one).
fn is_typographic_separator(c: char) -> bool {
    matches!(
        c,
        '\u{a0}'
            | '\u{ab}'
            | '\u{b7}'
            | '\u{bb}'
            | '\u{2009}'
            | '\u{200a}'
            | '\u{2010}'..='\u{2015}'
            | '\u{2018}'..='\u{201f}'
            | '\u{2022}'
            | '\u{2026}'
            | '\u{2032}'
            | '\u{2033}'
            | '\u{2039}'
            | '\u{203a}'
            | '\u{202f}'
    )
}

/// Bit masks of 64 bytes of text (bit `j` for byte `base + j`; bytes past the end count as
/// separators).
struct BlockMasks {
    /// Non-separators: ASCII letters and digits, and every byte of a non-ASCII character.
    word: u64,
    /// Bytes of non-ASCII characters.
    wide: u64,
}

#[inline(always)]
fn block_masks(b: &[u8], base: usize) -> BlockMasks {
    let mut block = [b' '; 64];
    let block: &[u8] = match b.get(base..base + 64) {
        Some(full) => full,
        None => {
            let tail = &b[base..];
            block[..tail.len()].copy_from_slice(tail);
            &block
        }
    };
    let (mut word, mut wide) = (0u64, 0u64);
    for (i, chunk) in block.chunks_exact(8).enumerate() {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or([b' '; 8]));
        let (w, x) = classify8(v);
        word |= w << (8 * i);
        wide |= x << (8 * i);
    }
    BlockMasks { word, wide }
}

/// Classifies eight bytes at once (SWAR): one bit per byte (bit `i` for byte `i`) for word
/// bytes and non-ASCII bytes. The same classes as `CLASS`.
#[inline(always)]
fn classify8(v: u64) -> (u64, u64) {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = LO * 0x80;
    let wide = v & HI;
    let x = v & !HI;
    // High bit of each byte set where the (7-bit) byte is >= k; no carry crosses bytes.
    let ge = |y: u64, k: u8| (y + LO * (0x80 - u64::from(k))) & HI;
    // Setting bit 5 maps A-Z onto a-z and nothing else onto a-z.
    let folded = x | (LO * 0x20);
    let alpha = ge(folded, b'a') & !ge(folded, b'z' + 1);
    let digit = ge(x, b'0') & !ge(x, b'9' + 1);
    let gather = |m: u64| ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
    (gather(alpha | digit | wide), gather(wide))
}

/// Calls `f` with every word of the normalized form of `text` and the byte span, in `text`,
/// of the original word it comes from: the words are exactly those of [`for_each_word`].
/// ASCII words map to their own span. A run of word characters holding non-ASCII text (say
/// `Straße` or `ﬁne`) is normalized on its own, and each word it yields gets the whole run's
/// span. Spans are in increasing order and always fall on character boundaries.
pub fn for_each_word_span(
    text: &str,
    scratch: &mut String,
    mut f: impl FnMut(&[u8], usize, usize),
) {
    let b = text.as_bytes();
    let n = b.len();
    let mut lower = [0u8; 64];
    let mut long: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < n {
        // Skip separators.
        while i < n {
            if b[i] < 0x80 {
                if CLASS[b[i] as usize] == SEP {
                    i += 1;
                    continue;
                }
                break;
            }
            let c = text[i..].chars().next().unwrap_or(' ');
            if is_word_char(c) {
                break;
            }
            i += c.len_utf8();
        }
        if i >= n {
            break;
        }
        let start = i;
        let mut upper = false;
        let mut wide = false;
        while i < n {
            let x = b[i];
            if x < 0x80 {
                match CLASS[x as usize] {
                    LOWER => i += 1,
                    UPPER => {
                        upper = true;
                        i += 1;
                    }
                    _ => break,
                }
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                if !is_word_char(c) {
                    break;
                }
                wide = true;
                i += c.len_utf8();
            }
        }
        if wide {
            scratch.clear();
            normalize_into(&text[start..i], scratch);
            for w in scratch.split(' ').filter(|w| !w.is_empty()) {
                f(w.as_bytes(), start, i);
            }
            continue;
        }
        let word = &b[start..i];
        if !upper {
            f(word, start, i);
        } else if word.len() <= lower.len() {
            for (d, s) in lower.iter_mut().zip(word) {
                *d = s.to_ascii_lowercase();
            }
            f(&lower[..word.len()], start, i);
        } else {
            long.clear();
            long.extend(word.iter().map(u8::to_ascii_lowercase));
            f(&long, start, i);
        }
    }
}

/// Whether a non-ASCII character belongs to a word: a letter, a digit, a combining mark, or a
/// character whose compatibility form holds one (`①`, `㈱`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || is_combining_mark(c)
        || (!c.is_whitespace() && c.nfkc().any(char::is_alphanumeric))
}

const SEP: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 3;
const WIDE: u8 = 4;

/// Byte classes for the ASCII word scanner: separators, lowercase letters and digits,
/// uppercase letters, and bytes of non-ASCII characters.
static CLASS: [u8; 256] = {
    let mut t = [SEP; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c >= 0x80 {
            WIDE
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            LOWER
        } else if c.is_ascii_uppercase() {
            UPPER
        } else {
            SEP
        };
        i += 1;
    }
    t
};

#[inline]
fn fold_ascii(bytes: &[u8], out: &mut String, pending_space: &mut bool) {
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            if *pending_space && !out.is_empty() {
                out.push(' ');
            }
            *pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            *pending_space = true;
        }
    }
}

fn fold_unicode(seg: &str, out: &mut String, pending_space: &mut bool) {
    let start = out.len();
    let pending_before = *pending_space;
    if is_nfkc_quick(seg.chars()) == IsNormalized::Yes {
        for c in seg.chars() {
            fold_char(c, out, pending_space);
        }
    } else {
        for c in seg.nfkc() {
            fold_char(c, out, pending_space);
        }
    }
    // Lowercasing can, in rare cases, produce text that NFKC would change again; repeat until
    // the new part is stable so that normalization stays idempotent.
    for _ in 0..3 {
        let tail = &out[start..];
        if tail.is_ascii()
            || is_nfkc_quick(tail.chars()) == IsNormalized::Yes && lower_is_stable(tail)
        {
            break;
        }
        let again: String = tail.to_owned();
        out.truncate(start);
        *pending_space = pending_before;
        for c in again.nfkc() {
            fold_char(c, out, pending_space);
        }
    }
}

fn lower_is_stable(s: &str) -> bool {
    s.chars().all(|c| {
        let mut l = c.to_lowercase();
        l.next() == Some(c) && l.next().is_none()
    })
}

#[inline]
fn fold_char(c: char, out: &mut String, pending_space: &mut bool) {
    if c.is_alphanumeric() {
        if *pending_space && !out.is_empty() {
            out.push(' ');
        }
        *pending_space = false;
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c if c.is_lowercase() && c.is_ascii() => out.push(c),
            c => {
                for l in c.to_lowercase() {
                    if l.is_alphanumeric() {
                        out.push(if l == 'ς' { 'σ' } else { l });
                    }
                }
            }
        }
    } else if is_combining_mark(c) {
        // Dropped without separating words.
    } else {
        *pending_space = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_typography_case_and_punctuation() {
        assert_eq!(normalize("Hello,   World!"), "hello world");
        assert_eq!(normalize("  \t"), "");
        assert_eq!(
            normalize("“Quoted” ‘text’ — dash – en"),
            "quoted text dash en"
        );
        assert_eq!(
            normalize("non\u{a0}breaking\u{2009}thin"),
            "non breaking thin"
        );
        assert_eq!(normalize("ＦＵＬＬ width ﬁne"), "full width fine");
        assert_eq!(normalize("Straße ΟΔΟΣ"), "strasse οδοσ");
        assert_eq!(
            normalize("Browse latest Browse all 60"),
            "browse latest browse all 60"
        );
        assert_eq!(normalize("e\u{301}te\u{301}"), "été");
        assert_eq!(normalize("İstanbul"), "istanbul");
    }

    #[test]
    fn word_spans_slice_the_original() {
        let text = "Straße — “Don’t” ﬁne, OK?";
        let mut got = Vec::new();
        for_each_word_span(text, &mut String::new(), |w, a, b| {
            got.push((String::from_utf8(w.to_vec()).unwrap(), &text[a..b]))
        });
        let want = [
            ("strasse", "Straße"),
            ("don", "Don"),
            ("t", "t"),
            ("fine", "ﬁne"),
            ("ok", "OK"),
        ];
        assert_eq!(
            got,
            want.iter()
                .map(|(a, b)| (a.to_string(), *b))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn swar_classes_match_the_table() {
        for c in 0..=255u8 {
            for pos in 0..8 {
                let mut bytes = [b' '; 8];
                bytes[pos] = c;
                let (w, x) = classify8(u64::from_le_bytes(bytes));
                let class = CLASS[c as usize];
                assert_eq!(w >> pos & 1 == 1, class != SEP, "byte {c}");
                assert_eq!(x >> pos & 1 == 1, class == WIDE, "byte {c}");
                assert_eq!(w & !(1 << pos), 0);
            }
        }
        // Runs across 64-byte blocks and at the very end.
        let text = format!(
            "{}Ab {}Éx{} END",
            "x".repeat(62),
            "y".repeat(70),
            "z".repeat(60)
        );
        let norm = normalize(&text);
        assert_eq!(words_of(&text), norm.split(' ').collect::<Vec<_>>());
        // Texts that fill their last block exactly, ending in a word or a separator.
        for len in [1, 63, 64, 65, 127, 128, 192] {
            for end in ["", " ", "É", "Q"] {
                let body = "ab Cd ".repeat(len).chars().take(len).collect::<String>();
                let text = format!("{}{end}", &body[..len - end.len().min(len)]);
                assert_eq!(words_of(&text), normalized_words_of(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn ideographs_and_syllables_take_the_general_fold() {
        let chars = ('\u{3000}'..='\u{d7ff}').filter(|&c| is_ideograph_or_syllable(c));
        assert_eq!(chars.clone().count(), 0x5200 + 11172);
        for c in chars {
            assert!(char_fold(c) == char_fold_general(c), "{c:?}");
        }
    }

    #[test]
    fn appends_with_one_space() {
        let mut s = String::from("abc");
        normalize_into("  Def ", &mut s);
        assert_eq!(s, "abc def");
        normalize_into("...", &mut s);
        assert_eq!(s, "abc def");
        normalize_into("Ü", &mut s);
        assert_eq!(s, "abc def ü");
    }

    /// The words [`for_each_word`] finds in `s`.
    fn words_of(s: &str) -> Vec<String> {
        let mut words = Vec::new();
        for_each_word(s, &mut String::new(), |w| {
            words.push(String::from_utf8(w.to_vec()).unwrap())
        });
        words
    }

    /// The words of `normalize(s)`: what [`for_each_word`] must find.
    fn normalized_words_of(s: &str) -> Vec<String> {
        normalize(s)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn typographic_separators_separate_and_touch_nothing() {
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            if !is_typographic_separator(c) {
                continue;
            }
            for (text, want) in [
                (format!("Ab{c}cD"), "ab cd"),
                (format!("{c}x9{c}{c}"), "x9"),
                (format!("a{c}\u{301}b"), "a b"),
            ] {
                assert_eq!(normalize(&text), want, "U+{:04X}", c as u32);
                assert_eq!(words_of(&text).join(" "), want, "U+{:04X}", c as u32);
            }
        }
    }

    /// Records what [`scan_words`] hands a sink: ASCII words lowercased (checking that they
    /// are ASCII letters and digits), normalized words as they are.
    #[derive(Default)]
    struct Recorder(Vec<String>);

    impl WordSink for Recorder {
        fn ascii(&mut self, word: &[u8]) {
            assert!(!word.is_empty() && word.iter().all(u8::is_ascii_alphanumeric));
            self.0.push(
                word.to_ascii_lowercase()
                    .iter()
                    .map(|&b| b as char)
                    .collect(),
            );
        }
        fn normalized(&mut self, word: &[u8]) {
            assert!(!word.is_empty());
            self.0.push(String::from_utf8(word.to_vec()).unwrap());
        }
    }

    /// The words of a run with non-ASCII characters as the former [`wide_words`] found them
    /// (a test of the typographic separators, then [`simple_words`] or the general path):
    /// the reference of the one-pass [`fold_run`].
    fn wide_words_reference(run: &str) -> Vec<String> {
        if run
            .chars()
            .all(|c| c.is_ascii() || is_typographic_separator(c))
        {
            return run
                .split(|c: char| !c.is_ascii())
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
        }
        let mut out = String::new();
        if !SIMPLE_CHARS.with_borrow_mut(|facts| simple_words(run, facts, &mut out)) {
            out.clear();
            normalize_into(run, &mut out);
        }
        out.split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn wide_words_cases() {
        for (run, want) in [
            ("don’t", "don t"),
            ("Привет", "привет"),
            ("привет", "привет"),
            ("слово—Слово", "слово слово"),
            ("«мир»", "мир"),
            ("©2024", "2024"),
            ("ÉtéX", "étéx"),
            ("ﬁne", "fine"),
            ("Straße", "strasse"),
            ("éA", "éa"),
            ("éA’b", "éa b"),
        ] {
            let mut rec = Recorder::default();
            wide_words(run, &mut String::new(), &mut rec);
            assert_eq!(rec.0.join(" "), want, "{run:?}");
            assert_eq!(wide_words_reference(run).join(" "), want, "{run:?}");
        }
    }

    proptest! {
        #[test]
        fn wide_words_match_reference(run in "[a-zA-Z0-9ПриветМИРЁёѐЀσςΣßẞéÉ\u{301}\u{338}’«»–©€°←ﬁ²中한\u{1161}İı]{1,40}") {
            // Runs of word bytes (no ASCII separator) holding non-ASCII characters: letters
            // that fold to themselves or not, typographic and other separators, characters
            // only the general path folds.
            prop_assume!(!run.is_ascii());
            let mut rec = Recorder::default();
            wide_words(&run, &mut String::new(), &mut rec);
            prop_assert_eq!(rec.0, wide_words_reference(&run));
        }

        #[test]
        fn typographic_runs_match_normalized_text(s in "([a-zA-Z0-9]{0,70}[’‘“”–—…\u{a0}«»•\u{2009}\u{202f}′]{0,2}[ .]?){0,10}") {
            prop_assert_eq!(words_of(&s), normalized_words_of(&s));
        }

        #[test]
        fn other_scripts_match_normalized_text(s in "[a-zA-Z0-9 .\nПриветМИРσςΣßẞİıﬁＦ²٣éé\u{301}\u{1100}\u{1161}가中文한글’«\u{a0}]{0,40}") {
            // Cyrillic, Greek with final sigma, German sharp s, Turkish dotted/dotless i,
            // compatibility characters, combining marks, conjoining Hangul jamo, CJK.
            prop_assert_eq!(words_of(&s), normalized_words_of(&s));
        }

        #[test]
        fn any_chars_match_normalized_text(s in proptest::collection::vec(any::<char>(), 0..40)) {
            let s: String = s.into_iter().collect();
            prop_assert_eq!(words_of(&s), normalized_words_of(&s));
        }

        #[test]
        fn words_match_normalized_text(s in "[a-zA-Z0-9 .,=<\\n’é\u{301}\u{338}\u{3000}\u{a0}ÄİﬁＦ-]{0,60}") {
            prop_assert_eq!(words_of(&s), normalized_words_of(&s));
        }

        #[test]
        fn long_words_across_blocks(s in "([a-z0-9]{0,70}[AZÉé]?[a-z]{0,70}[ .\n]{1,2}){0,8}") {
            // Words longer than a 64-byte block, and runs that cross block edges.
            prop_assert_eq!(words_of(&s), normalized_words_of(&s));
        }

        #[test]
        fn word_spans_match_words(s in "[a-zA-Z0-9 .,\\n’é\u{301}ÄİﬁＦ①½㈱ß-]{0,60}") {
            let words = words_of(&s);
            let mut scratch = String::new();
            let mut spanned = Vec::new();
            let mut last = 0;
            for_each_word_span(&s, &mut scratch, |w, a, b| {
                spanned.push((String::from_utf8(w.to_vec()).unwrap(), a, b));
            });
            for (w, a, b) in &spanned {
                prop_assert!(s.is_char_boundary(*a) && s.is_char_boundary(*b) && a < b);
                prop_assert!(*a >= last);
                last = *a;
                prop_assert!(normalize(&s[*a..*b]).split(' ').any(|x| x == w));
            }
            let got: Vec<String> = spanned.into_iter().map(|x| x.0).collect();
            prop_assert_eq!(got, words);
        }

        #[test]
        fn idempotent(s in "\\PC*") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }

        #[test]
        fn idempotent_any_chars(s in proptest::collection::vec(any::<char>(), 0..40)) {
            let s: String = s.into_iter().collect();
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }
    }
}
