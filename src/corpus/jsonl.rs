//! Parsing one raw record (a JSON line or a text file) into a [`Document`].
//!
//! A JSON line is not parsed into a full `serde_json::Value`: a visitor walks the object once,
//! keeps borrowed raw slices of the few fields it needs (text, id, source, `url`) and skips
//! every other value without allocating. Only those fields are then decoded.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Document, Locator, RawKind, RawRecord, ReadOptions, RecordError, RecordErrorKind};

/// Parses a raw record into a document.
///
/// JSON lines must be objects with a string text field. Invalid UTF-8 is replaced by U+FFFD
/// (and counted in [`Document::invalid_utf8`]); byte offsets refer to the replaced text.
///
/// For JSON lines:
///
/// * the id is the id field when it is a string, its JSON text when it is a number (`17`) or
///   any other non-null value (`{"$oid":"…"}`); when it is missing or `null` the id is
///   `FILE:LINE` and [`Document::derived_id`] is set. [`Document::json`] then carries the
///   derived id: inserted as the first field when the field was missing, in place of the
///   `null` when it was null. Otherwise [`Document::json`] is the (decoded) line unchanged.
/// * the source is the source field when it is a non-empty string, else the host of the `url`
///   field when that is a string holding a URL (lowercased, without `www.`, port or user
///   info), else none.
///
/// For plain-text files the id and source come from the path (see [`RawKind::TextFile`]) and
/// [`Document::json`] is a new object `{"id", "text", "source"}` (`source` left out when none).
pub fn parse_record(raw: RawRecord, opts: &ReadOptions) -> Result<Document, RecordError> {
    let RawRecord {
        locator,
        kind,
        bytes,
        byte_offset,
        file: _,
    } = raw;
    let (text, invalid_utf8) = decode_utf8(bytes);
    match kind {
        RawKind::TextFile { id, source } => {
            let json = serde_json::to_string(&TextJson {
                id: &id,
                text: &text,
                source: source.as_deref(),
            })
            .expect("serializing strings cannot fail");
            Ok(Document {
                id,
                source,
                text,
                locator,
                json,
                derived_id: false,
                text_raw: None,
                invalid_utf8,
            })
        }
        RawKind::JsonLine => parse_json_line(text, invalid_utf8, locator, byte_offset, opts),
    }
}

/// The JSON object written for a plain-text file.
#[derive(serde::Serialize)]
struct TextJson<'a> {
    id: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// Decodes UTF-8, replacing each invalid sequence by U+FFFD (exactly as
/// [`String::from_utf8_lossy`] does) and counting the replacements. Valid input is not copied.
fn decode_utf8(bytes: Vec<u8>) -> (String, usize) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, 0),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len() + 16);
            let mut count = 0;
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                if !chunk.invalid().is_empty() {
                    out.push(char::REPLACEMENT_CHARACTER);
                    count += 1;
                }
            }
            (out, count)
        }
    }
}

fn parse_json_line(
    line: String,
    invalid_utf8: usize,
    locator: Locator,
    byte_offset: Option<u64>,
    opts: &ReadOptions,
) -> Result<Document, RecordError> {
    let error = |kind: RecordErrorKind, message: String| RecordError {
        locator: locator.clone(),
        byte_offset,
        kind,
        message,
    };

    let first = line.bytes().find(|b| !b.is_ascii_whitespace());
    if first != Some(b'{') {
        // Not an object: say whether it is valid JSON of another type or not JSON at all.
        return Err(match serde_json::from_str::<&RawValue>(&line) {
            Ok(v) => error(
                RecordErrorKind::NotAnObject,
                format!(
                    "the line is {}, not an object; each line must be one JSON object",
                    json_type(v.get())
                ),
            ),
            Err(e) => malformed(e, error),
        });
    }

    let names = FieldNames {
        text: &opts.text_field,
        id: &opts.id_field,
        source: &opts.source_field,
    };
    let mut fields = match scan_fields(&line, &names) {
        Some(f) => f,
        None => match serde_fields(&line, &names) {
            Ok(f) => f,
            Err(e) => return Err(malformed(e, error)),
        },
    };

    let text_raw = fields.text.map(|v| {
        let start = offset_in(&line, v);
        (start, start + v.len())
    });
    let text = match fields.text {
        None => {
            return Err(error(
                RecordErrorKind::MissingText,
                format!(
                    "missing text field {:?}; use --text-field to name the field holding the text",
                    opts.text_field
                ),
            ))
        }
        Some(v) => match fields.text_decoded.take().or_else(|| decode_raw_string(v)) {
            Some(t) => t,
            None => {
                return Err(error(
                    RecordErrorKind::TextNotString,
                    format!(
                        "text field {:?} is {}, not a string; use --text-field to name the \
                         field holding the text",
                        opts.text_field,
                        json_type(v)
                    ),
                ))
            }
        },
    };

    let source = fields
        .source
        .and_then(decode_raw_string)
        .filter(|s| !s.is_empty())
        .or_else(|| {
            fields
                .url
                .and_then(decode_raw_string)
                .and_then(|u| url_host(&u))
        });

    // The id, and how to write the derived one into the JSON line if needed.
    enum IdEdit {
        None,
        InsertFirst,
        ReplaceNull(usize),
    }
    let (id, edit) = match fields.id {
        Some(v) if v == "null" => {
            let start = offset_in(&line, v);
            (derived_id(&locator), IdEdit::ReplaceNull(start))
        }
        Some(v) => match decode_raw_string(v) {
            Some(s) => (s, IdEdit::None),
            // A number keeps its JSON text (`17`); so does any other non-null value.
            None => (v.to_owned(), IdEdit::None),
        },
        None => (derived_id(&locator), IdEdit::InsertFirst),
    };

    let derived_id = !matches!(edit, IdEdit::None);
    // The raw text's place is kept only when the line is written back unchanged.
    let text_raw = text_raw.filter(|_| !derived_id);
    let json = match edit {
        IdEdit::None => line,
        IdEdit::ReplaceNull(start) => {
            let id_json = json_string(&id);
            let mut out = String::with_capacity(line.len() + id_json.len());
            out.push_str(&line[..start]);
            out.push_str(&id_json);
            out.push_str(&line[start + "null".len()..]);
            out
        }
        IdEdit::InsertFirst => insert_first(&line, &opts.id_field, &id),
    };

    Ok(Document {
        id,
        source,
        text,
        locator,
        json,
        derived_id,
        text_raw,
        invalid_utf8,
    })
}

/// The `FILE:LINE` id of a record without one.
fn derived_id(locator: &Locator) -> String {
    format!("{}:{}", locator.path, locator.line)
}

/// A string as a JSON string literal.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("serializing a string cannot fail")
}

/// `line` (a JSON object) with `"key":"value"` inserted as its first member.
fn insert_first(line: &str, key: &str, value: &str) -> String {
    let key = json_string(key);
    let value = json_string(value);
    // The caller checked that the first non-blank character is `{`.
    let brace = line.find('{').unwrap_or(0);
    let rest = &line[brace + 1..];
    let mut out = String::with_capacity(line.len() + key.len() + value.len() + 2);
    out.push_str(&line[..=brace]);
    out.push_str(&key);
    out.push(':');
    out.push_str(&value);
    if !rest.trim_start().starts_with('}') {
        out.push(',');
    }
    out.push_str(rest);
    out
}

/// Byte offset of `part`, a sub-slice of `whole`, within `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    debug_assert!(offset + part.len() <= whole.len());
    offset
}

/// The [`RecordErrorKind::MalformedJson`] error for a serde_json error.
fn malformed(
    e: serde_json::Error,
    error: impl Fn(RecordErrorKind, String) -> RecordError,
) -> RecordError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    error(
        RecordErrorKind::MalformedJson,
        format!(
            "malformed JSON at column {}: {what}; fix or remove the line",
            e.column()
        ),
    )
}

/// A JSON value's type (given its JSON text), with an article, for messages.
fn json_type(v: &str) -> &'static str {
    match v.as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// Decodes the text of a raw JSON value (as validated by `serde_json`) if it is a string:
/// one pass into a buffer of the right size; anything unusual (a lone surrogate) is left to
/// `serde_json`, so the result is always what `serde_json` decodes.
pub(crate) fn decode_raw_string(t: &str) -> Option<String> {
    if !t.starts_with('"') || t.len() < 2 {
        return None;
    }
    let inner = &t[1..t.len() - 1];
    unescape(inner).or_else(|| serde_json::from_str::<String>(t).ok())
}

/// The character of a JSON escape other than `\u` (`\n` for `n`, …); `None` for `u` and
/// anything that is not an escape.
fn short_escape(c: u8) -> Option<char> {
    Some(match c {
        b'n' => '\n',
        b't' => '\t',
        b'r' => '\r',
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        _ => return None,
    })
}

fn hex4(h: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in h {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Unescapes the inside of a valid JSON string; `None` for what it does not handle. The text
/// between escapes is copied as `str` slices (a backslash is ASCII, so it starts and ends
/// them on character boundaries): the result is never validated as UTF-8 again.
fn unescape(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'\\', &b[i..]) {
        out.push_str(inner.get(i..i + p)?);
        i += p;
        let c = match *b.get(i + 1)? {
            b'u' => {
                let cp = hex4(b.get(i + 2..i + 6)?)?;
                i += 6;
                let ch = if (0xD800..0xDC00).contains(&cp) {
                    if b.get(i..i + 2)? != b"\\u" {
                        return None;
                    }
                    let lo = hex4(b.get(i + 2..i + 6)?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    i += 6;
                    char::from_u32(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00))?
                } else {
                    char::from_u32(cp)?
                };
                out.push(ch);
                continue;
            }
            c => short_escape(c)?,
        };
        out.push(c);
        i += 2;
    }
    out.push_str(inner.get(i..)?);
    Some(out)
}

/// The host of a URL, lowercased, without `www.`, port or user info; `None` if there is none.
///
/// Accepts `scheme://host…` and `//host…`; a string without either is taken as
/// `host/path…` only if its first part looks like a host name (has a dot, no `:`).
pub(crate) fn url_host(url: &str) -> Option<String> {
    let url = url.trim();
    let (rest, schemeless) = if let Some(i) = url.find("://") {
        let scheme = &url[..i];
        let ok = !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !ok {
            return None;
        }
        (&url[i + 3..], false)
    } else if let Some(r) = url.strip_prefix("//") {
        (r, false)
    } else {
        (url, true)
    };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if schemeless && (authority.contains([':', '@']) || !authority.contains('.')) {
        return None;
    }
    let host_port = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let host = if host_port.starts_with('[') {
        // An IPv6 literal: keep the brackets, drop the port.
        match host_port.find(']') {
            Some(i) => &host_port[..=i],
            None => return None,
        }
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let mut host = host.to_lowercase();
    if host.starts_with("www.") && host.len() > 4 {
        host.drain(..4);
    }
    Some(host)
}

// ---------------------------------------------------------------------------------------------
// The field-picking visitor

/// The fields of a JSON object that matter, as raw slices of the line (JSON text).
#[derive(Debug, Default, PartialEq)]
struct Fields<'a> {
    text: Option<&'a str>,
    /// The text field decoded, when [`scan_fields`] decoded it while scanning.
    text_decoded: Option<String>,
    id: Option<&'a str>,
    source: Option<&'a str>,
    url: Option<&'a str>,
}

/// The configured names of the fields that matter.
struct FieldNames<'o> {
    text: &'o str,
    id: &'o str,
    source: &'o str,
}

impl FieldNames<'_> {
    /// The slot of `fields` that a member named `key` fills, if any. The text field is
    /// checked first, then id, source and `url`.
    fn slot<'f, 'a>(
        &self,
        key: &str,
        fields: &'f mut Fields<'a>,
    ) -> Option<&'f mut Option<&'a str>> {
        if key == self.text {
            Some(&mut fields.text)
        } else if key == self.id {
            Some(&mut fields.id)
        } else if key == self.source {
            Some(&mut fields.source)
        } else if key == "url" {
            Some(&mut fields.url)
        } else {
            None
        }
    }
}

/// Reads the fields of a JSON object line with serde_json: any valid JSON, and the error
/// messages for invalid lines.
fn serde_fields<'a>(line: &'a str, names: &FieldNames<'_>) -> serde_json::Result<Fields<'a>> {
    let mut de = serde_json::Deserializer::from_str(line);
    let fields = FieldsSeed(names).deserialize(&mut de)?;
    de.end()?;
    Ok(fields)
}

/// Deserializes a JSON object into [`Fields`], given the configured field names.
struct FieldsSeed<'n, 'o>(&'n FieldNames<'o>);

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_, '_> {
    type Value = Fields<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Fields<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_, '_> {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        let mut fields = Fields::default();
        // With duplicate keys the last one wins, as in most JSON readers.
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match self.0.slot(&key, &mut fields) {
                Some(slot) => *slot = Some(map.next_value::<&'de RawValue>()?.get()),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(fields)
    }
}

// ---------------------------------------------------------------------------------------------
// The fast path

/// Reads the fields of the common kind of line in one pass: an object whose members are
/// strings without `\u` escapes, plain numbers (no exponent), `true`, `false` or `null`, with
/// keys without escapes. The text field is decoded while it is scanned. `None` for anything
/// else, valid or not: serde_json reads those lines. Whatever this accepts is valid JSON, and
/// the fields are those serde_json finds (a test compares them).
fn scan_fields<'a>(line: &'a str, names: &FieldNames<'_>) -> Option<Fields<'a>> {
    let b = line.as_bytes();
    let mut fields = Fields::default();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let key_end = scan_string(line, i, None)?;
            let key = &line[i + 1..key_end - 1];
            if key.contains('\\') {
                return None;
            }
            i = skip_ws(b, key_end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(b, i + 1);
            let is_text = key == names.text;
            let mut decoded = String::new();
            let end = match *b.get(i)? {
                b'"' => scan_string(line, i, is_text.then_some(&mut decoded))?,
                b'-' | b'0'..=b'9' => scan_number(b, i)?,
                b't' => literal(b, i, b"true")?,
                b'f' => literal(b, i, b"false")?,
                b'n' => literal(b, i, b"null")?,
                _ => return None,
            };
            let raw = &line[i..end];
            if let Some(slot) = names.slot(key, &mut fields) {
                *slot = Some(raw);
                if is_text {
                    fields.text_decoded = (b[i] == b'"').then_some(decoded);
                }
            }
            i = skip_ws(b, end);
            match *b.get(i)? {
                b',' => i = skip_ws(b, i + 1),
                b'}' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(b, i) == b.len()).then_some(fields)
}

/// The first position from `i` that is not JSON whitespace.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The end (one past the closing quote) of the JSON string starting at `b[start] == '"'`;
/// `None` at a `\u` escape, an unknown escape, a control character or the end of the line.
/// With `out`, the string's value is appended to it.
///
/// Quotes and backslashes are found by `memchr`'s SSE2 searcher; control bytes, which are
/// rare, by one test of the whole string once its end is known.
fn scan_string(line: &str, start: usize, mut out: Option<&mut String>) -> Option<usize> {
    let b = line.as_bytes();
    if let Some(o) = out.as_deref_mut() {
        // At most the rest of the line: one allocation.
        o.reserve(b.len() - start);
    }
    let quotes = QuoteFinder::new();
    let mut i = start + 1;
    loop {
        let stop = i + quotes.find(&b[i..])?;
        if let Some(o) = out.as_deref_mut().filter(|_| stop > i) {
            // Both ends are next to an ASCII byte (a quote or a backslash escape), so on
            // character boundaries.
            o.push_str(line.get(i..stop)?);
        }
        if b[stop] == b'"' {
            // A control byte before the closing quote makes the string invalid.
            return (!has_control(&b[start + 1..stop])).then_some(stop + 1);
        }
        i = stop;
        // Escapes in a row (`\n\n` between paragraphs) need no search between them.
        while b.get(i) == Some(&b'\\') {
            let c = short_escape(*b.get(i + 1)?)?;
            if let Some(o) = out.as_deref_mut() {
                o.push(c);
            }
            i += 2;
        }
    }
}

/// Finds the next `"` or `\\`: on x86-64 with `memchr`'s SSE2 searcher, called directly
/// (inlined) rather than through the run-time dispatch of `memchr2`, whose fixed cost per call
/// matters for the short runs between escapes (a text has a `\n` every 40 bytes or so).
struct QuoteFinder {
    #[cfg(target_arch = "x86_64")]
    sse2: Option<memchr::arch::x86_64::sse2::memchr::Two>,
}

impl QuoteFinder {
    #[inline]
    fn new() -> QuoteFinder {
        QuoteFinder {
            #[cfg(target_arch = "x86_64")]
            sse2: memchr::arch::x86_64::sse2::memchr::Two::new(b'"', b'\\'),
        }
    }

    /// Position of the first `"` or `\\` in `hay`.
    #[inline]
    fn find(&self, hay: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(two) = &self.sse2 {
            return two.find(hay);
        }
        memchr::memchr2(b'"', b'\\', hay)
    }
}

/// Whether `b` has a control byte (below 0x20). A branch-free minimum, which the compiler
/// vectorises.
#[inline]
pub(crate) fn has_control(b: &[u8]) -> bool {
    b.iter().fold(0xff_u8, |m, &c| m.min(c)) < 0x20
}

/// Position of the first `"`, `\\` or control byte (below 0x20) in `hay`, eight bytes at a
/// time; `None` if there is none.
pub(crate) fn find_special(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // Flags the bytes of `w` that are zero, and the bytes of `v` below 0x20. Borrows can
        // flag bytes above a flagged one, never below: the lowest flag is exact.
        let zero = |w: u64| w.wrapping_sub(LO) & !w & HI;
        let control = v.wrapping_sub(LO * 0x20) & !v & HI;
        let found = zero(v ^ (LO * u64::from(b'"'))) | zero(v ^ (LO * u64::from(b'\\'))) | control;
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|i| base + i)
}

/// The end of the plain JSON number starting at `start` (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`, at
/// most 40 bytes); `None` for anything else, exponents included.
fn scan_number(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let j = digits(i + 1);
        if j == i + 1 {
            return None;
        }
        i = j;
    }
    let done = !matches!(b.get(i), Some(b'e' | b'E' | b'0'..=b'9'));
    (done && i - start <= 40).then_some(i)
}

/// The end of `word` (`true`, `false` or `null`) if the line has it at `start`.
fn literal(b: &[u8], start: usize, word: &[u8]) -> Option<usize> {
    (b.get(start..start + word.len())? == word).then_some(start + word.len())
}

/// The raw value of field `name` of a JSON object line (the last one if it repeats), found
/// without building a map; `None` when the line is not an object or lacks the field.
pub(crate) fn raw_field<'a>(line: &'a str, name: &str) -> Option<&'a RawValue> {
    struct OneField<'n>(&'n str);
    impl<'de> Visitor<'de> for OneField<'_> {
        type Value = Option<&'de RawValue>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                if key == self.0 {
                    found = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_str(line);
    let v = de.deserialize_map(OneField(name)).ok()?;
    de.end().ok()?;
    v
}

/// An object key, borrowed from the line unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Arc;

    /// Pieces of JSON object lines: valid and invalid values, keys, separators.
    fn member() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            r#""text""#,
            r#""id""#,
            r#""source""#,
            r#""url""#,
            r#""meta""#,
            r#""te\u0078t""#,
            r#""t\"x""#,
            r#""""#,
            r#""body""#,
        ]);
        let value = prop::sample::select(vec![
            r#""plain words""#,
            r#""a\nb\t\"c\"\\ \/ \b\f\r""#,
            r#""caf\u00e9""#,
            r#""café — “quoted” 😀""#,
            "\"raw\tcontrol\"",
            r#""bad \x escape""#,
            r#""""#,
            r#""https://www.example.com/a""#,
            "17",
            "-0",
            "0.5",
            "-12.25",
            "1e3",
            "01",
            "1.",
            "-",
            "1.5E+2",
            "true",
            "false",
            "null",
            "nul",
            "[1, \"a\"]",
            "{\"a\": 1}",
            "{}",
            "[]",
            "\"unterminated",
        ]);
        let ws = prop::sample::select(vec!["", " ", "\t", " \r\n ", "\u{c}"]);
        (key, ws.clone(), value, ws).prop_map(|(k, w1, v, w2)| format!("{k}{w1}:{w2}{v}"))
    }

    fn object_line() -> impl Strategy<Value = String> {
        let sep = prop::sample::select(vec![",", ", ", " ,", ",,", ""]);
        (
            prop::collection::vec((member(), sep), 0..6),
            prop::sample::select(vec!["{", " {", "[", ""]),
            prop::sample::select(vec!["}", "} ", "}x", "", "},"]),
        )
            .prop_map(|(members, open, close)| {
                let mut s = open.to_string();
                let n = members.len();
                for (k, (m, sep)) in members.into_iter().enumerate() {
                    s.push_str(&m);
                    if k + 1 < n {
                        s.push_str(sep);
                    }
                }
                s.push_str(close);
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Whatever the fast scanner accepts, serde_json accepts too, with the same fields.
        #[test]
        fn scanner_agrees_with_serde_json(line in object_line()) {
            let names = FieldNames { text: "text", id: "id", source: "source" };
            if let Some(fast) = scan_fields(&line, &names) {
                let slow = serde_fields(&line, &names);
                prop_assert!(slow.is_ok(), "{:?} accepted by the scanner only", line);
                let slow = slow.unwrap();
                prop_assert_eq!(
                    (fast.text, fast.id, fast.source, fast.url),
                    (slow.text, slow.id, slow.source, slow.url),
                    "{:?}", line
                );
                prop_assert_eq!(fast.text_decoded, fast.text.and_then(decode_raw_string));
            }
        }
    }

    /// [`scan_string`] as first written, finding quotes, backslashes and control bytes with
    /// [`find_special`]: the reference for the faster one.
    fn scan_string_reference(
        line: &str,
        start: usize,
        mut out: Option<&mut String>,
    ) -> Option<usize> {
        let b = line.as_bytes();
        let mut i = start + 1;
        loop {
            let stop = i + find_special(&b[i..])?;
            if let Some(o) = out.as_deref_mut() {
                o.push_str(line.get(i..stop)?);
            }
            match b[stop] {
                b'"' => return Some(stop + 1),
                b'\\' => {
                    let c = short_escape(*b.get(stop + 1)?)?;
                    if let Some(o) = out.as_deref_mut() {
                        o.push(c);
                    }
                    i = stop + 2;
                }
                _ => return None,
            }
        }
    }

    /// Pieces of a JSON string's inside: text, escapes good and bad, raw controls, quotes,
    /// runs longer than a vector.
    fn string_piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a",
            "word ",
            "é",
            "€",
            "😀",
            "\"",
            "\\\"",
            "\\\\",
            "\\n",
            "\\t",
            "\\/",
            "\\b",
            "\\f",
            "\\r",
            "\\u00e9",
            "\\x",
            "\\",
            "\n",
            "\t",
            "\r",
            "\u{1}",
            "\u{1f}",
            "\u{7f}",
            " ",
            "twenty bytes of text",
            "a run of text longer than one 64-byte block of the scanner",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The string scanner ends where the reference ends, fails where it fails and decodes
        /// what it decodes.
        #[test]
        fn scan_string_as_reference(
            pieces in prop::collection::vec(string_piece(), 0..40),
            lead in "[ a{]{0,3}",
        ) {
            let line = format!("{lead}\"{}", pieces.concat());
            let start = lead.len();
            let (mut fast, mut slow) = (String::new(), String::new());
            let end = scan_string(&line, start, Some(&mut fast));
            prop_assert_eq!(end, scan_string_reference(&line, start, Some(&mut slow)), "{:?}", line);
            prop_assert_eq!(end, scan_string(&line, start, None));
            if end.is_some() {
                prop_assert_eq!(fast, slow, "{:?}", line);
            }
        }
    }

    #[test]
    fn scanner_takes_the_common_lines() {
        let names = FieldNames {
            text: "text",
            id: "id",
            source: "source",
        };
        for line in [
            r#"{"id": "a", "text": "one\ntwo \"q\" café", "source": "x", "n": 3, "f": -1.5, "ok": true}"#,
            r#"{}"#,
            r#" { "text" : "" } "#,
            r#"{"text": null, "id": 17}"#,
        ] {
            assert!(scan_fields(line, &names).is_some(), "{line}");
        }
        let f = scan_fields(r#"{"text": "a\tb", "text": "c\nd"}"#, &names).unwrap();
        assert_eq!(f.text_decoded.as_deref(), Some("c\nd"));
        let f = scan_fields(r#"{"text": "a", "text": 5}"#, &names).unwrap();
        assert_eq!((f.text, f.text_decoded), (Some("5"), None));
        for line in [
            r#"{"text": "caf\u00e9"}"#,
            r#"{"meta": {"a": 1}, "text": "x"}"#,
            r#"{"text": "x",}"#,
            r#"{"n": 1e5}"#,
        ] {
            assert!(scan_fields(line, &names).is_none(), "{line}");
        }
    }

    #[test]
    fn raw_strings_decode_as_serde_json_does() {
        for raw in [
            r#""plain""#,
            r#""a\nb\t\"c\"\\ \/ \b\f\r""#,
            r#""caf\u00e9 \u2019 \ud83d\ude00 end""#,
            r#""lone \ud800 x""#,
            r#""""#,
            "\"ünï\\ncödé ✓ 😀\\u00e9ß\"",
            r#""\\""#,
            r#""ends with escape \n""#,
        ] {
            assert_eq!(
                decode_raw_string(raw),
                serde_json::from_str::<String>(raw).ok(),
                "{raw}"
            );
        }
        assert_eq!(decode_raw_string("12"), None);
    }

    fn line(s: &[u8]) -> RawRecord {
        RawRecord {
            locator: Locator {
                path: Arc::from("f.jsonl"),
                line: 7,
            },
            kind: RawKind::JsonLine,
            bytes: s.to_vec(),
            byte_offset: Some(100),
            file: None,
        }
    }

    fn parse(s: &str) -> Result<Document, RecordError> {
        parse_record(line(s.as_bytes()), &ReadOptions::default())
    }

    #[test]
    fn text_raw_is_the_text_fields_value_in_the_json() {
        for s in [
            r#"{"id":"a","text":"x\ny \u00e9","n":[1,"text"]}"#,
            r#"{"text":"first","id":3,"text":"last one"}"#,
            r#"{ "id" : "b" , "text" : "" }"#,
        ] {
            let d = parse(s).unwrap();
            let (start, end) = d.text_raw.unwrap();
            assert_eq!(
                decode_raw_string(&d.json[start..end]).unwrap(),
                d.text,
                "{s}"
            );
        }
        assert_eq!(
            parse(r#"{"text":"last one","id":3}"#).unwrap().text,
            "last one"
        );
        // A derived id changes the line: no place is given.
        for s in [r#"{"text":"t"}"#, r#"{"id":null,"text":"t"}"#] {
            let d = parse(s).unwrap();
            assert!(d.derived_id && d.text_raw.is_none(), "{s}");
        }
    }

    fn err_kind(s: &str) -> RecordErrorKind {
        parse(s).unwrap_err().kind
    }

    #[test]
    fn basic_fields() {
        let src = r#"{"id":"a1","text":"hello\nworld","source":"Example","extra":[1,{"x":2}]}"#;
        let d = parse(src).unwrap();
        assert_eq!(d.id, "a1");
        assert_eq!(d.text, "hello\nworld");
        assert_eq!(d.source.as_deref(), Some("Example"));
        assert_eq!(d.json, src);
        assert!(!d.derived_id);
        assert_eq!(d.invalid_utf8, 0);
        assert_eq!(d.locator.line, 7);
    }

    #[test]
    fn escaped_keys_and_text() {
        let d = parse(r#"{"t\u0065xt":"caf\u00e9 \"q\"","i\u0064":5}"#).unwrap();
        assert_eq!(d.text, "café \"q\"");
        assert_eq!(d.id, "5");
    }

    #[test]
    fn ids() {
        assert_eq!(parse(r#"{"id":17,"text":"x"}"#).unwrap().id, "17");
        assert_eq!(parse(r#"{"id":-1.5e3,"text":"x"}"#).unwrap().id, "-1.5e3");
        assert_eq!(
            parse(r#"{"id":{"$oid":"ab"},"text":"x"}"#).unwrap().id,
            r#"{"$oid":"ab"}"#
        );
        let d = parse(r#"{"text":"x"}"#).unwrap();
        assert!(d.derived_id);
        assert_eq!(d.id, "f.jsonl:7");
        assert_eq!(d.json, r#"{"id":"f.jsonl:7","text":"x"}"#);

        let d = parse(r#"{"text":"x","id":null,"n":1}"#).unwrap();
        assert!(d.derived_id);
        assert_eq!(d.json, r#"{"text":"x","id":"f.jsonl:7","n":1}"#);
        let v: serde_json::Value = serde_json::from_str(&d.json).unwrap();
        assert_eq!(v["id"], "f.jsonl:7");

        let d = parse(r#"{ "id" :  null  , "text":"x"}"#).unwrap();
        assert_eq!(d.json, r#"{ "id" :  "f.jsonl:7"  , "text":"x"}"#);
    }

    #[test]
    fn insert_first_edge_cases() {
        assert_eq!(insert_first("{}", "id", "x"), r#"{"id":"x"}"#);
        assert_eq!(insert_first("  { } ", "id", "x"), r#"  {"id":"x" } "#);
        assert_eq!(
            insert_first(r#"{ "a":1}"#, "i\"d", "x"),
            r#"{"i\"d":"x", "a":1}"#
        );
        let d = parse(" {\"text\" : \"x\" } ").unwrap();
        let v: serde_json::Value = serde_json::from_str(&d.json).unwrap();
        assert_eq!(v, serde_json::json!({"id": "f.jsonl:7", "text": "x"}));
    }

    #[test]
    fn custom_fields() {
        let opts = ReadOptions {
            text_field: "body".into(),
            id_field: "doc_id".into(),
            source_field: "site".into(),
            ..ReadOptions::default()
        };
        let d = parse_record(
            line(br#"{"body":"b","doc_id":"d","site":"s","text":1}"#),
            &opts,
        )
        .unwrap();
        assert_eq!((d.text.as_str(), d.id.as_str()), ("b", "d"));
        assert_eq!(d.source.as_deref(), Some("s"));
        let d = parse_record(line(br#"{"body":"b"}"#), &opts).unwrap();
        assert!(d.json.starts_with(r#"{"doc_id":"f.jsonl:7","#));
        let e = parse_record(line(br#"{"text":"b"}"#), &opts).unwrap_err();
        assert_eq!(e.kind, RecordErrorKind::MissingText);
        assert!(e.message.contains("\"body\""), "{}", e.message);
    }

    #[test]
    fn source_from_url() {
        let d = parse(r#"{"text":"x","url":"https://WWW.Example.COM:8080/a?b"}"#).unwrap();
        assert_eq!(d.source.as_deref(), Some("example.com"));
        let d = parse(r#"{"text":"x","source":null,"url":"http://u:p@news.bbc.co.uk/x"}"#).unwrap();
        assert_eq!(d.source.as_deref(), Some("news.bbc.co.uk"));
        let d = parse(r#"{"text":"x","source":"S","url":"http://a.com"}"#).unwrap();
        assert_eq!(d.source.as_deref(), Some("S"));
        let d = parse(r#"{"text":"x","url":7}"#).unwrap();
        assert_eq!(d.source, None);
        let d = parse(r#"{"text":"x"}"#).unwrap();
        assert_eq!(d.source, None);
    }

    #[test]
    fn url_hosts() {
        let cases = [
            ("https://www.example.com/", Some("example.com")),
            ("HTTP://Example.com", Some("example.com")),
            ("https://example.com.:443", Some("example.com")),
            ("//cdn.example.org/x.js", Some("cdn.example.org")),
            ("https://user@host.example#frag", Some("host.example")),
            ("https://[::1]:8080/", Some("[::1]")),
            ("https://www./", Some("www")),
            ("example.com/path", Some("example.com")),
            ("www.example.com", Some("example.com")),
            ("mailto:a@b.c", None),
            ("not a url", None),
            ("https:///path", None),
            ("", None),
            ("localhost", None),
        ];
        for (url, want) in cases {
            assert_eq!(url_host(url).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn invalid_utf8_in_text_and_outside_strings() {
        let d = parse_record(
            line(b"{\"id\":1,\"text\":\"a\xffb\xe2\x82c\"}"),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(d.text, "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(d.invalid_utf8, 2);
        assert_eq!(d.json, "{\"id\":1,\"text\":\"a\u{FFFD}b\u{FFFD}c\"}");

        // Outside a string the replacement character makes the JSON malformed.
        let e = parse_record(line(b"{\"text\":\"a\"\xff}"), &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind, RecordErrorKind::MalformedJson);
    }

    #[test]
    fn errors() {
        let e = parse(r#"{"text":"x","#).unwrap_err();
        assert_eq!(e.kind, RecordErrorKind::MalformedJson);
        assert!(e.message.contains("column"), "{}", e.message);
        assert!(!e.message.contains("line 1"), "{}", e.message);
        assert_eq!(e.byte_offset, Some(100));
        assert_eq!(e.locator.line, 7);
        assert_eq!(
            err_kind(r#"{"text":"x"} x"#),
            RecordErrorKind::MalformedJson
        );
        assert_eq!(err_kind("nope"), RecordErrorKind::MalformedJson);
        assert_eq!(err_kind(""), RecordErrorKind::MalformedJson);
        assert_eq!(err_kind("{'text':1}"), RecordErrorKind::MalformedJson);

        let e = parse(r#"[{"text":"x"}]"#).unwrap_err();
        assert_eq!(e.kind, RecordErrorKind::NotAnObject);
        assert!(e.message.contains("an array"), "{}", e.message);
        assert_eq!(err_kind(r#""text""#), RecordErrorKind::NotAnObject);
        assert_eq!(err_kind("17"), RecordErrorKind::NotAnObject);

        let e = parse(r#"{"id":"x"}"#).unwrap_err();
        assert_eq!(e.kind, RecordErrorKind::MissingText);
        assert_eq!(
            e.message,
            "missing text field \"text\"; use --text-field to name the field holding the text"
        );
        let e = parse(r#"{"text":["x"]}"#).unwrap_err();
        assert_eq!(e.kind, RecordErrorKind::TextNotString);
        assert!(e.message.contains("\"text\" is an array"), "{}", e.message);
        assert_eq!(err_kind(r#"{"text":null}"#), RecordErrorKind::TextNotString);
        assert_eq!(err_kind(r#"{"text":3}"#), RecordErrorKind::TextNotString);
    }

    #[test]
    fn text_file_record() {
        let raw = RawRecord {
            locator: Locator {
                path: Arc::from("dir/a/b.txt"),
                line: 0,
            },
            kind: RawKind::TextFile {
                id: "a/b.txt".into(),
                source: Some("a".into()),
            },
            bytes: b"line \"one\"\n\xfftwo".to_vec(),
            byte_offset: Some(0),
            file: None,
        };
        let d = parse_record(raw.clone(), &ReadOptions::default()).unwrap();
        assert_eq!(d.text, "line \"one\"\n\u{FFFD}two");
        assert_eq!(d.invalid_utf8, 1);
        assert_eq!(d.id, "a/b.txt");
        let v: serde_json::Value = serde_json::from_str(&d.json).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"id": "a/b.txt", "text": d.text, "source": "a"})
        );
        let mut raw = raw;
        raw.kind = RawKind::TextFile {
            id: "b.txt".into(),
            source: None,
        };
        let d = parse_record(raw, &ReadOptions::default()).unwrap();
        assert!(!d.json.contains("source"));
    }
}
