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

pub mod segment;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

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
    if text.is_ascii() {
        normalize_ascii(text.as_bytes(), out);
        return;
    }
    let start = out.len();
    let mut pending_space = !out.is_empty() && !out.ends_with(' ');
    for c in text.nfkc() {
        fold_char(c, out, &mut pending_space);
    }
    // Lowercasing can, in rare cases, produce text that NFKC would change again; repeat until
    // the tail is stable so that normalization stays idempotent.
    for _ in 0..3 {
        let tail = &out[start..];
        if tail.is_ascii() || tail.nfkc().eq(tail.chars()) && lower_is_stable(tail) {
            break;
        }
        let again: String = tail.to_owned();
        out.truncate(start);
        let mut pending = false;
        for c in again.nfkc() {
            fold_char(c, out, &mut pending);
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

#[inline]
fn normalize_ascii(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len());
    let mut pending_space = !out.is_empty() && !out.ends_with(' ');
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_space = true;
        }
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
    fn appends_with_one_space() {
        let mut s = String::from("abc");
        normalize_into("  Def ", &mut s);
        assert_eq!(s, "abc def");
        normalize_into("...", &mut s);
        assert_eq!(s, "abc def");
        normalize_into("Ü", &mut s);
        assert_eq!(s, "abc def ü");
    }

    proptest! {
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
