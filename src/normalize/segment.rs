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
    let mut open: Option<Span> = None;
    let mut start = 0;
    let mut lines = memchr::memchr_iter(b'\n', text.as_bytes());
    while start < text.len() {
        // The line without its `\n` (whitespace, it would be trimmed anyway).
        let end = lines.next().unwrap_or(text.len());
        let (lead, content) = trim(&text[start..end]);
        let line_start = start;
        start = end + 1;
        if content == 0 {
            if let Some(span) = open.take() {
                out.push(span);
            }
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
    if let Some(span) = open {
        out.push(span);
    }
}

/// Where `line.trim()` is in `line`: (offset, length). Most lines start and end with a
/// printable ASCII character: two byte tests tell.
fn trim(line: &str) -> (usize, usize) {
    let b = line.as_bytes();
    let printable = |c: u8| c.is_ascii_graphic();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if printable(f) && printable(l) => (0, b.len()),
        _ => {
            let t = line.trim_start();
            (line.len() - t.len(), t.trim_end().len())
        }
    }
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

    proptest! {
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
