//! JSON string output without `serde_json`'s byte-at-a-time escape loop.

use crate::corpus::{find_special, has_control};

/// Appends `s` to `out` as a JSON string, byte for byte as `serde_json` writes it: `"` and `\`
/// escaped with a backslash, `\b \t \n \f \r` by name, other bytes below 0x20 as `\u00xx`
/// (lowercase hex), everything else as it is.
///
/// Texts have few bytes to escape besides `"`, `\` and `\n`: those three are found by
/// `memchr3` (AVX2 where the CPU has it; the runs between them are long, so its dispatch costs
/// little) and the runs copied whole; a run with another control byte (rare) is escaped by
/// [`escape_into`].
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut i = 0;
    loop {
        let stop = memchr::memchr3(b'"', b'\\', b'\n', &b[i..]).map_or(b.len(), |p| i + p);
        let run = &b[i..stop];
        if has_control(run) {
            escape_into(out, run);
        } else {
            out.extend_from_slice(run);
        }
        match b.get(stop) {
            Some(&c) => out.extend_from_slice(&[b'\\', escape_name(c)]),
            None => break,
        }
        i = stop + 1;
    }
    out.push(b'"');
}

/// The letter of the short escape of `c` (`n` for `\n`), 0 if it has none.
fn escape_name(c: u8) -> u8 {
    match c {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        b'\t' => b't',
        b'\n' => b'n',
        0x0c => b'f',
        b'\r' => b'r',
        _ => 0,
    }
}

/// Appends the bytes of `b` escaped as inside a JSON string (no quotes around them). The bytes
/// between escapes are found eight at a time and copied as runs.
fn escape_into(out: &mut Vec<u8>, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut i = 0;
    while let Some(p) = find_special(&b[i..]) {
        out.extend_from_slice(&b[i..i + p]);
        let c = b[i + p];
        match escape_name(c) {
            0 => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 0xf) as usize],
            ]),
            named => out.extend_from_slice(&[b'\\', named]),
        }
        i += p + 1;
    }
    out.extend_from_slice(&b[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(t: &str) {
        let mut out = b"prefix".to_vec();
        write_json_str(&mut out, t);
        let want = [b"prefix".as_slice(), &serde_json::to_vec(t).unwrap()].concat();
        assert_eq!(out, want, "{t:?}");
    }

    #[test]
    fn escapes_like_serde_json() {
        let mut texts: Vec<String> = (0u32..0x80)
            .filter_map(char::from_u32)
            .map(|c| format!("ab{c}cdefghij{c}{c}"))
            .collect();
        texts.push(String::new());
        texts.push("\"".into());
        texts.push("line one\nline \"two\"\t\\ end\u{7f}/é😀\u{1}\u{1f}".into());
        texts.push("x".repeat(37) + "\n" + &"ü".repeat(9));
        for t in &texts {
            check(t);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Any mix of escapes, controls and runs longer than a vector is written as serde_json
        /// writes it.
        #[test]
        fn any_text_like_serde_json(pieces in prop::collection::vec(prop::sample::select(vec![
            "a", "é", "😀", "\"", "\\", "\n", "\t", "\r", "\u{1}", "\u{8}", "\u{c}", "\u{1f}",
            "\u{7f}", " ", "/", "twenty bytes of text", "a run longer than the 16 bytes of a vector",
        ]), 0..50)) {
            check(&pieces.concat());
        }
    }
}
