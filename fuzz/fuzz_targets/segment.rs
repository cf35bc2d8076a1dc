//! Segmentation: spans are in order, non-empty, trimmed, on char boundaries, and with the
//! whitespace between them cover the text exactly.
#![no_main]

use dechaff::normalize::segment::{paragraphs, SegmentMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [SegmentMode::Lines, SegmentMode::BlankLines] {
        let mut prev = 0;
        for sp in paragraphs(text, mode) {
            assert!(sp.byte_start >= prev && sp.byte_start < sp.byte_end);
            assert!(text.is_char_boundary(sp.byte_start) && text.is_char_boundary(sp.byte_end));
            assert!(text[prev..sp.byte_start].trim().is_empty());
            let p = &text[sp.byte_start..sp.byte_end];
            assert_eq!(p.trim(), p);
            if mode == SegmentMode::Lines {
                assert!(!p.contains('\n'));
            }
            prev = sp.byte_end;
        }
        assert!(text[prev..].trim().is_empty());
    }
});
