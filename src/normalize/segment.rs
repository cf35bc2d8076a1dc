//! Cutting a document into paragraphs with exact byte spans.
//!
//! Scraped text puts one block a line, often with no blank line between page-chrome blocks,
//! so by default every non-blank line is a paragraph ([`SegmentMode::Lines`]). For text with
//! hard-wrapped lines and blank lines between paragraphs, [`SegmentMode::BlankLines`] makes
//! each run of non-blank lines one paragraph. Spans exclude the line terminator and the
//! whitespace at either end, so `&text[span.byte_start..span.byte_end]` is the paragraph.

use serde::{Deserialize, Serialize};

/// How a document is cut into paragraphs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SegmentMode {
    /// Every non-blank line is a paragraph. This is the default.
    #[default]
    Lines,
    /// Every run of non-blank lines, up to a blank line, is a paragraph.
    BlankLines,
}

/// A paragraph's place in its document: UTF-8 byte offsets, end exclusive.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// Offset of the paragraph's first byte.
    pub byte_start: usize,
    /// Offset one past the paragraph's last byte.
    pub byte_end: usize,
}

impl Span {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.byte_end - self.byte_start
    }

    /// True when the span is empty (segmentation never yields one).
    pub fn is_empty(&self) -> bool {
        self.byte_end == self.byte_start
    }
}

/// Returns the paragraphs of `text`, in order.
///
/// ```
/// use dechaff::normalize::segment::{paragraphs, SegmentMode};
/// let text = "Title\n\n  First line.\r\nSecond\n";
/// let spans = paragraphs(text, SegmentMode::Lines);
/// let parts: Vec<&str> = spans.iter().map(|s| &text[s.byte_start..s.byte_end]).collect();
/// assert_eq!(parts, ["Title", "First line.", "Second"]);
/// ```
pub fn paragraphs(text: &str, mode: SegmentMode) -> Vec<Span> {
    let mut out = Vec::new();
    paragraphs_into(text, mode, &mut out);
    out
}

/// Like [`paragraphs`], appending to `out` (cleared first).
pub fn paragraphs_into(text: &str, mode: SegmentMode, out: &mut Vec<Span>) {
    out.clear();
    match mode {
        SegmentMode::Lines => for_each_line(text, |span| out.extend(span)),
        SegmentMode::BlankLines => {
            let mut open: Option<Span> = None;
            for_each_line(text, |span| match (span, &mut open) {
                (Some(span), Some(o)) => o.byte_end = span.byte_end,
                (Some(span), None) => open = Some(span),
                (None, o) => out.extend(o.take()),
            });
            out.extend(open);
        }
    }
}

/// Calls `f` with [`line_span`] of every line of `text`, in order (a last line without `\n`
/// included).
#[inline]
fn for_each_line(text: &str, mut f: impl FnMut(Option<Span>)) {
    let mut start = 0;
    for_each_newline(text.as_bytes(), |end| {
        f(line_span(text, start, end));
        start = end + 1;
    });
    if start < text.len() {
        f(line_span(text, start, text.len()));
    }
}

/// Calls `f` with the offset of every `\n` in `b`, in order. On x86-64 the SSE2 searcher is
/// called directly (inlined, one 16-byte test finds most line ends), not through the run-time
/// dispatch of `memchr_iter`, whose fixed cost per call is most of the cost of a short line.
#[inline]
fn for_each_newline(b: &[u8], f: impl FnMut(usize)) {
    #[cfg(target_arch = "x86_64")]
    if let Some(one) = memchr::arch::x86_64::sse2::memchr::One::new(b'\n') {
        one.iter(b).for_each(f);
        return;
    }
    memchr::memchr_iter(b'\n', b).for_each(f);
}

/// The paragraph of the line `text[start..end]` (without its `\n`); `None` if it is blank.
#[inline]
fn line_span(text: &str, start: usize, end: usize) -> Option<Span> {
    if start == end {
        return None;
    }
    // Most lines start and end with a printable ASCII character: two byte tests tell.
    let b = text.as_bytes();
    if b[start].is_ascii_graphic() && b[end - 1].is_ascii_graphic() {
        Some(Span {
            byte_start: start,
            byte_end: end,
        })
    } else {
        trimmed_span(text, start, end)
    }
}

/// Where `text[start..end].trim()` is, `None` if that is empty: the slow path of a line that
/// starts or ends with whitespace, a control or a non-ASCII character (`\r`, U+00A0, …).
#[cold]
#[inline(never)]
fn trimmed_span(text: &str, start: usize, end: usize) -> Option<Span> {
    let line = &text[start..end];
    let t = line.trim_start();
    let byte_start = start + (line.len() - t.len());
    let byte_end = byte_start + t.trim_end().len();
    (byte_end > byte_start).then_some(Span {
        byte_start,
        byte_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parts(text: &str, mode: SegmentMode) -> Vec<&str> {
        paragraphs(text, mode)
            .iter()
            .map(|s| &text[s.byte_start..s.byte_end])
            .collect()
    }

    #[test]
    fn lines_and_blank_lines() {
        let text = "Quantcast\nChannel: X\n\n\nBody one\nwraps here\n\n$\n0";
        assert_eq!(
            parts(text, SegmentMode::Lines),
            [
                "Quantcast",
                "Channel: X",
                "Body one",
                "wraps here",
                "$",
                "0"
            ]
        );
        assert_eq!(
            parts(text, SegmentMode::BlankLines),
            ["Quantcast\nChannel: X", "Body one\nwraps here", "$\n0"]
        );
        assert!(paragraphs("", SegmentMode::Lines).is_empty());
        assert!(paragraphs(" \n\u{a0}\r\n", SegmentMode::Lines).is_empty());
    }

    /// The segmentation as first written (one `memchr` call and one `str::trim` a line): the
    /// reference for the faster code.
    fn reference(text: &str, mode: SegmentMode) -> Vec<Span> {
        let mut out = Vec::new();
        let mut open: Option<Span> = None;
        let mut start = 0;
        let mut lines = memchr::memchr_iter(b'\n', text.as_bytes());
        while start < text.len() {
            let end = lines.next().unwrap_or(text.len());
            let line = &text[start..end];
            let t = line.trim_start();
            let (lead, content) = (line.len() - t.len(), t.trim_end().len());
            let line_start = start;
            start = end + 1;
            if content == 0 {
                out.extend(open.take());
                continue;
            }
            let span = Span {
                byte_start: line_start + lead,
                byte_end: line_start + lead + content,
            };
            match mode {
                SegmentMode::Lines => out.push(span),
                SegmentMode::BlankLines => match &mut open {
                    Some(o) => o.byte_end = span.byte_end,
                    None => open = Some(span),
                },
            }
        }
        out.extend(open);
        out
    }

    /// Pieces of text: line ends (`\n`, `\r\n`, a lone `\r`), ASCII and Unicode whitespace,
    /// controls, words and runs longer than a vector.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "\n",
            "\n",
            "\n",
            "\r\n",
            "\r",
            " ",
            "  ",
            "\t",
            "\u{b}",
            "\u{c}",
            "\u{1}",
            "\u{1f}",
            "\u{7f}",
            "\u{85}",
            "\u{a0}",
            "\u{1680}",
            "\u{2000}",
            "\u{2028}",
            "\u{2029}",
            "\u{202f}",
            "\u{3000}",
            "\u{feff}",
            "\u{200b}",
            "a",
            "Word",
            "é",
            "€",
            "😀",
            ".",
            "~",
            "!",
            "twenty-byte sentence",
            "a run of text longer than one 64-byte block, to cross it",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The segmentation is the reference's, in both modes.
        #[test]
        fn same_as_reference(pieces in prop::collection::vec(piece(), 0..80)) {
            let text = pieces.concat();
            for mode in [SegmentMode::Lines, SegmentMode::BlankLines] {
                prop_assert_eq!(paragraphs(&text, mode), reference(&text, mode), "{:?}", text);
            }
        }

        /// Spans are in order, disjoint, on char boundaries, non-empty, trimmed, and together
        /// with the whitespace between them they cover the text exactly.
        #[test]
        fn spans_cover_text(s in "[a-z \\n\\r\\t\u{a0}é€]{0,80}", blank in any::<bool>()) {
            let mode = if blank { SegmentMode::BlankLines } else { SegmentMode::Lines };
            let spans = paragraphs(&s, mode);
            let mut prev = 0;
            for sp in &spans {
                prop_assert!(sp.byte_start >= prev && sp.byte_start < sp.byte_end);
                prop_assert!(s.is_char_boundary(sp.byte_start) && s.is_char_boundary(sp.byte_end));
                let gap = &s[prev..sp.byte_start];
                prop_assert!(gap.trim().is_empty());
                let p = &s[sp.byte_start..sp.byte_end];
                prop_assert_eq!(p.trim(), p);
                if !blank { prop_assert!(!p.contains('\n')); }
                prev = sp.byte_end;
            }
            prop_assert!(s[prev..].trim().is_empty());
        }
    }
}
