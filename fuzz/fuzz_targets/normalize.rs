//! Normalization: never panics, is idempotent, yields only lowercase-folded letters, digits
//! and single spaces, and the fused word scanner agrees with it.
#![no_main]

use dechaff::normalize::{for_each_word, normalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let once = normalize(text);
    assert_eq!(normalize(&once), once, "not idempotent");
    assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
    assert!(once.chars().all(|c| c == ' ' || c.is_alphanumeric()));
    let mut words = Vec::new();
    let mut scratch = String::new();
    for_each_word(text, &mut scratch, |w| words.push(String::from_utf8(w.to_vec()).unwrap()));
    let expected: Vec<&str> = once.split(' ').filter(|w| !w.is_empty()).collect();
    assert_eq!(words, expected, "word scanner disagrees with normalize");
});
