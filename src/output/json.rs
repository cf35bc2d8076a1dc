//! JSON string output without `serde_json`'s byte-at-a-time escape loop.

/// Appends `s` to `out` as a JSON string, byte for byte as `serde_json` writes it: `"` and `\`
/// escaped with a backslash, `\b \t \n \f \r` by name, other bytes below 0x20 as `\u00xx`
/// (lowercase hex), everything else as it is. The bytes between escapes are found eight at a
/// time and copied as runs.
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut i = 0;
    while let Some(p) = crate::corpus::find_special(&b[i..]) {
        out.extend_from_slice(&b[i..i + p]);
        let c = b[i + p];
        let named = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            b'\t' => b't',
            b'\n' => b'n',
            0x0c => b'f',
            b'\r' => b'r',
            _ => 0,
        };
        if named != 0 {
            out.extend_from_slice(&[b'\\', named]);
        } else {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 0xf) as usize],
            ]);
        }
        i += p + 1;
    }
    out.extend_from_slice(&b[i..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let mut out = b"prefix".to_vec();
            write_json_str(&mut out, t);
            let want = [b"prefix".as_slice(), &serde_json::to_vec(t).unwrap()].concat();
            assert_eq!(out, want, "{t:?}");
        }
    }
}
