//! Tests of the corpus reader: walking, decompression, line cutting, errors, parsing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use dechaff::corpus::{
    parse_record, CorpusReader, Document, Input, RawItem, RawKind, ReadOptions, RecordError,
    RecordErrorKind,
};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

fn write(path: &Path, data: &[u8]) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap();
    }
    fs::write(path, data).unwrap();
}

fn read(inputs: &[&Path], opts: ReadOptions) -> Vec<RawItem> {
    let inputs = inputs
        .iter()
        .map(|p| Input::Path(p.to_path_buf()))
        .collect();
    CorpusReader::new(inputs, opts).collect()
}

fn read_default(inputs: &[&Path]) -> Vec<RawItem> {
    read(inputs, ReadOptions::default())
}

/// Reads and parses everything: documents and errors in stream order.
fn docs(inputs: &[&Path], opts: &ReadOptions) -> Vec<Result<Document, RecordError>> {
    let inputs = inputs
        .iter()
        .map(|p| Input::Path(p.to_path_buf()))
        .collect();
    CorpusReader::new(inputs, opts.clone())
        .map(|item| item.and_then(|raw| parse_record(raw, opts)))
        .collect()
}

fn ok_docs(inputs: &[&Path]) -> Vec<Document> {
    docs(inputs, &ReadOptions::default())
        .into_iter()
        .map(|d| d.unwrap())
        .collect()
}

fn errors(items: &[RawItem]) -> Vec<&RecordError> {
    items.iter().filter_map(|i| i.as_ref().err()).collect()
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Many JSON lines, each `{"id":"dN","text":"…N…"}`.
fn many_lines(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        writeln!(
            out,
            r#"{{"id":"d{i}","text":"document number {i} with some words {}"}}"#,
            i * 7919 % 1000
        )
        .unwrap();
    }
    out
}

#[test]
fn jsonl_plain_gzip_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let body = b"{\"id\":\"1\",\"text\":\"one\"}\n{\"id\":\"2\",\"text\":\"two\"}\n";
    write(&dir.path().join("a.jsonl"), body);
    write(&dir.path().join("b.jsonl.gz"), &gzip(body));
    write(&dir.path().join("c.json.zst"), &zstd(body));
    write(&dir.path().join("d.jsonl.zstd"), &zstd(body));
    let items = read_default(&[dir.path()]);
    assert_eq!(items.len(), 8);
    let names = ["a.jsonl", "b.jsonl.gz", "c.json.zst", "d.jsonl.zstd"];
    for (k, item) in items.iter().enumerate() {
        let raw = item.as_ref().unwrap();
        assert_eq!(raw.kind, RawKind::JsonLine);
        assert_eq!(&*raw.locator.path, s(&dir.path().join(names[k / 2])));
        assert_eq!(raw.locator.line, (k % 2 + 1) as u64);
        let want: &[u8] = if k % 2 == 0 {
            b"{\"id\":\"1\",\"text\":\"one\"}"
        } else {
            b"{\"id\":\"2\",\"text\":\"two\"}"
        };
        assert_eq!(raw.bytes, want);
        assert_eq!(raw.byte_offset, Some(if k % 2 == 0 { 0 } else { 24 }));
    }
}

#[test]
fn multi_member_gzip_and_large_stream() {
    let dir = tempfile::tempdir().unwrap();
    let body = many_lines(20_000);
    let mut data = gzip(&body[..body.len() / 2 + 7]);
    data.extend(gzip(&body[body.len() / 2 + 7..]));
    let path = dir.path().join("big.jsonl.gz");
    write(&path, &data);
    let items = read_default(&[&path]);
    assert_eq!(items.len(), 20_000);
    let joined: Vec<u8> = items
        .iter()
        .flat_map(|i| {
            let mut b = i.as_ref().unwrap().bytes.clone();
            b.push(b'\n');
            b
        })
        .collect();
    assert_eq!(joined, body);
}

#[test]
fn compression_detected_by_magic_bytes_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let line = b"{\"text\":\"hidden gzip\"}\n";
    // gzip data named .jsonl, zstd data named .json.gz, plain text named .gz, zstd named .txt.
    write(&dir.path().join("a.jsonl"), &gzip(line));
    write(&dir.path().join("b.json.gz"), &zstd(line));
    write(&dir.path().join("c.txt.gz"), b"not compressed at all");
    write(&dir.path().join("d.txt"), &zstd(b"secretly zstd"));
    write(&dir.path().join("e.jsonl.gz"), line);
    let docs = ok_docs(&[dir.path()]);
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "hidden gzip",
            "hidden gzip",
            "not compressed at all",
            "secretly zstd",
            "hidden gzip"
        ]
    );
    assert_eq!(docs[3].id, "d.txt");
}

#[test]
fn directory_walk_order_ids_and_sources() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    write(&root.join("b.txt"), b"b");
    write(&root.join("a/x.txt"), b"ax");
    write(&root.join("a/sub/y.txt"), b"asy");
    write(&root.join("A.txt"), b"A");
    write(&root.join("a-b.txt"), b"a-b");
    write(&root.join("a/sub/z.jsonl"), b"{\"text\":\"z\"}\n");
    write(&root.join("\u{e9}.txt"), b"e-acute");
    let docs = ok_docs(&[&root]);
    let got: Vec<(&str, Option<&str>, &str)> = docs
        .iter()
        .map(|d| (d.id.as_str(), d.source.as_deref(), d.text.as_str()))
        .collect();
    let zid = format!("{}:1", s(&root.join("a/sub/z.jsonl")));
    // Sorted by name bytes: "A.txt" < "a" < "a-b.txt" < "b.txt" < "é.txt".
    assert_eq!(
        got,
        [
            ("A.txt", None, "A"),
            ("a/sub/y.txt", Some("sub"), "asy"),
            (zid.as_str(), None, "z"),
            ("a/x.txt", Some("a"), "ax"),
            ("a-b.txt", None, "a-b"),
            ("b.txt", None, "b"),
            ("\u{e9}.txt", None, "e-acute"),
        ]
    );
    assert_eq!(&*docs[1].locator.path, s(&root.join("a/sub/y.txt")));
    assert_eq!(docs[1].locator.line, 0);
    assert_eq!(docs[1].locator.to_string(), s(&root.join("a/sub/y.txt")));
    let v: serde_json::Value = serde_json::from_str(&docs[1].json).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"id": "a/sub/y.txt", "text": "asy", "source": "sub"})
    );
    let v: serde_json::Value = serde_json::from_str(&docs[0].json).unwrap();
    assert_eq!(v, serde_json::json!({"id": "A.txt", "text": "A"}));

    // A file named explicitly: its id is the argument as given, no source.
    let file = root.join("a/x.txt");
    let d = ok_docs(&[&file]);
    assert_eq!(d[0].id, s(&file));
    assert_eq!(d[0].source, None);
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_without_looping() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root.join("d/f.txt"), b"f");
    write(&dir.path().join("outside/o.txt"), b"o");
    symlink(&root, root.join("d/loop")).unwrap(); // back up to the root
    symlink("..", root.join("d/up")).unwrap(); // relative loop
    symlink(dir.path().join("outside"), root.join("ext")).unwrap();
    symlink(root.join("d/f.txt"), root.join("link.txt")).unwrap();
    let docs = ok_docs(&[&root]);
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["d/f.txt", "ext/o.txt", "link.txt"]);
    assert_eq!(docs[1].source.as_deref(), Some("ext"));
}

#[test]
fn blank_lines_crlf_bom_and_last_line_without_newline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.jsonl");
    let body =
        b"\xEF\xBB\xBF{\"text\":\"a\"}\r\n\r\n   \t\n{\"text\":\"b\\r\"}\r\n\n{\"text\":\"c\"}";
    write(&path, body);
    let items = read_default(&[&path]);
    let raws: Vec<_> = items.iter().map(|i| i.as_ref().unwrap()).collect();
    assert_eq!(raws.len(), 3);
    assert_eq!(raws[0].bytes, b"{\"text\":\"a\"}");
    assert_eq!(raws[0].locator.line, 1);
    assert_eq!(raws[0].byte_offset, Some(3));
    assert_eq!(raws[1].bytes, b"{\"text\":\"b\\r\"}");
    assert_eq!(raws[1].locator.line, 4);
    assert_eq!(raws[1].byte_offset, Some(24));
    assert_eq!(raws[2].bytes, b"{\"text\":\"c\"}");
    assert_eq!(raws[2].locator.line, 6);
    let docs = ok_docs(&[&path]);
    assert_eq!(docs[1].text, "b\r");
    assert_eq!(docs[2].id, format!("{}:6", s(&path)));
}

#[test]
fn ids_sources_and_json_passthrough() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.jsonl");
    let lines = [
        r#"{"id":"keep","text":"t1","url":"https://www.Example.org:8443/p","x":[1,2]}"#,
        r#"{"id":17,"text":"t2","source":"Src"}"#,
        r#"{"text":"t3","url":"http://user:pw@news.example.co.uk/a","meta":{"k":"v"}}"#,
        r#"{"id":null,"text":"t4"}"#,
    ];
    write(&path, lines.join("\n").as_bytes());
    let docs = ok_docs(&[&path]);
    assert_eq!(docs.len(), 4);

    assert_eq!(docs[0].id, "keep");
    assert_eq!(docs[0].source.as_deref(), Some("example.org"));
    assert_eq!(docs[0].json, lines[0]);
    assert!(!docs[0].derived_id);

    assert_eq!(docs[1].id, "17");
    assert_eq!(docs[1].source.as_deref(), Some("Src"));
    assert_eq!(docs[1].json, lines[1]);

    let want_id = format!("{}:3", s(&path));
    assert_eq!(docs[2].id, want_id);
    assert!(docs[2].derived_id);
    assert_eq!(docs[2].source.as_deref(), Some("news.example.co.uk"));
    // The passthrough JSON is the same object plus the id, which comes first.
    let orig: serde_json::Map<String, serde_json::Value> = serde_json::from_str(lines[2]).unwrap();
    let back: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&docs[2].json).unwrap();
    assert_eq!(back.len(), orig.len() + 1);
    assert_eq!(back["id"], serde_json::Value::String(want_id.clone()));
    for (k, v) in &orig {
        assert_eq!(&back[k], v);
    }
    assert!(docs[2]
        .json
        .starts_with(&format!("{{\"id\":{:?},", want_id)));

    assert!(docs[3].derived_id);
    let back: serde_json::Value = serde_json::from_str(&docs[3].json).unwrap();
    assert_eq!(back["id"], format!("{}:4", s(&path)).as_str());
}

#[test]
fn invalid_utf8_in_jsonl_and_text_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("a.jsonl"),
        b"{\"id\":\"x\",\"text\":\"caf\xe9 \xf0\x9f\x98 ok\"}\n{\"id\":\"y\"\xff,\"text\":\"z\"}\n",
    );
    write(&dir.path().join("b.txt"), b"bad \xc3 byte");
    let got = docs(&[dir.path()], &ReadOptions::default());
    assert_eq!(got.len(), 3);
    let d = got[0].as_ref().unwrap();
    assert_eq!(d.text, "caf\u{FFFD} \u{FFFD} ok");
    assert_eq!(d.invalid_utf8, 2);
    // The passthrough JSON is the decoded line, so it is valid UTF-8 and matches the text.
    let v: serde_json::Value = serde_json::from_str(&d.json).unwrap();
    assert_eq!(v["text"], d.text.as_str());
    // Invalid UTF-8 outside a string is a JSON error, naming the line.
    let e = got[1].as_ref().unwrap_err();
    assert_eq!(e.kind, RecordErrorKind::MalformedJson);
    assert_eq!(e.locator.line, 2);
    assert!(e.byte_offset.is_some());
    let d = got[2].as_ref().unwrap();
    assert_eq!(d.text, "bad \u{FFFD} byte");
    assert_eq!(d.invalid_utf8, 1);
}

#[test]
fn record_errors_name_line_and_reader_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.jsonl");
    let body = [
        r#"{"text":"good1"}"#,
        r#"{"text":"bad"#,
        r#"[1,2]"#,
        r#"{"body":"no text"}"#,
        r#"{"text":42}"#,
        r#"{"text":"good2"}"#,
    ]
    .join("\n");
    write(&path, body.as_bytes());
    let got = docs(&[&path], &ReadOptions::default());
    let kinds: Vec<Result<&str, RecordErrorKind>> = got
        .iter()
        .map(|r| {
            r.as_ref()
                .map(|d| d.text.as_str())
                .map_err(|e| e.kind.clone())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            Ok("good1"),
            Err(RecordErrorKind::MalformedJson),
            Err(RecordErrorKind::NotAnObject),
            Err(RecordErrorKind::MissingText),
            Err(RecordErrorKind::TextNotString),
            Ok("good2"),
        ]
    );
    for (i, r) in got.iter().enumerate() {
        if let Err(e) = r {
            assert_eq!(e.locator.line, i as u64 + 1);
            assert_eq!(e.locator.to_string(), format!("{}:{}", s(&path), i + 1));
            assert!(e.to_string().starts_with(&e.locator.to_string()));
        }
    }
    let e = got[1].as_ref().unwrap_err();
    assert_eq!(e.byte_offset, Some(17));
    assert!(e.message.contains("column"), "{}", e.message);
    let e = got[4].as_ref().unwrap_err();
    assert!(e.message.contains("--text-field"), "{}", e.message);
}

#[test]
fn too_large_lines_are_skipped_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.jsonl");
    let long = format!(r#"{{"text":"{}"}}"#, "x".repeat(300_000));
    let body = format!(
        "{{\"text\":\"short\"}}\n{long}\r\n{{\"text\":\"after\"}}\n{long}\n{{\"text\":\"last\"}}"
    );
    write(&path, body.as_bytes());
    let opts = ReadOptions {
        max_doc_bytes: 1000,
        ..ReadOptions::default()
    };
    let items = read(&[&path], opts.clone());
    assert_eq!(items.len(), 5);
    assert_eq!(items[0].as_ref().unwrap().bytes, b"{\"text\":\"short\"}");
    let e = items[1].as_ref().unwrap_err();
    assert_eq!(e.kind, RecordErrorKind::TooLarge);
    assert_eq!(e.locator.line, 2);
    assert_eq!(e.byte_offset, Some(17));
    assert!(e.message.contains(&long.len().to_string()), "{}", e.message);
    assert!(e.message.contains("1000"), "{}", e.message);
    let r = items[2].as_ref().unwrap();
    assert_eq!(
        (r.bytes.as_slice(), r.locator.line),
        (&b"{\"text\":\"after\"}"[..], 3)
    );
    assert_eq!(
        items[3].as_ref().unwrap_err().kind,
        RecordErrorKind::TooLarge
    );
    assert_eq!(items[4].as_ref().unwrap().locator.line, 5);

    // Exactly at the limit is fine, with or without CR; one byte more is not.
    let at = format!(r#"{{"text":"{}"}}"#, "y".repeat(1000 - 11));
    assert_eq!(at.len(), 1000);
    let over = format!(r#"{{"text":"{}"}}"#, "y".repeat(1000 - 10));
    write(&path, format!("{at}\r\n{over}\n{at}").as_bytes());
    let items = read(&[&path], opts);
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    assert_eq!(
        items[1].as_ref().unwrap_err().kind,
        RecordErrorKind::TooLarge
    );
}

#[test]
fn too_large_text_files() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("a.txt"), &vec![b'a'; 20_000]);
    write(&dir.path().join("b.txt.gz"), &gzip(&vec![b'b'; 20_000]));
    write(&dir.path().join("c.txt"), &[b'c'; 100]);
    write(&dir.path().join("d.txt"), &[b'd'; 101]);
    let opts = ReadOptions {
        max_doc_bytes: 100,
        ..ReadOptions::default()
    };
    let items = read(&[dir.path()], opts);
    assert_eq!(items.len(), 4);
    let e = items[0].as_ref().unwrap_err();
    assert_eq!(e.kind, RecordErrorKind::TooLarge);
    assert!(e.message.contains("20000 bytes"), "{}", e.message);
    assert_eq!(
        items[1].as_ref().unwrap_err().kind,
        RecordErrorKind::TooLarge
    );
    assert_eq!(items[2].as_ref().unwrap().bytes.len(), 100);
    assert_eq!(
        items[3].as_ref().unwrap_err().kind,
        RecordErrorKind::TooLarge
    );
}

#[test]
fn binary_files_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("a.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(&dir.path().join("b.txt.gz"), &gzip(b"text\0with nul"));
    write(&dir.path().join("c.jsonl"), b"{\"text\":\"x\"}\n\0\0\0\0");
    write(&dir.path().join("d.txt"), b"fine");
    let mut late_nul = vec![b'a'; 9000];
    late_nul.push(0);
    write(&dir.path().join("e.txt"), &late_nul); // NUL after the first 8 KiB: read as text
    let items = read_default(&[dir.path()]);
    assert_eq!(items.len(), 5);
    for (i, name) in ["a.png", "b.txt.gz", "c.jsonl"].iter().enumerate() {
        let e = items[i].as_ref().unwrap_err();
        assert_eq!(e.kind, RecordErrorKind::BinaryFile);
        assert_eq!(&*e.locator.path, s(&dir.path().join(name)));
    }
    assert_eq!(items[3].as_ref().unwrap().bytes, b"fine");
    assert_eq!(items[4].as_ref().unwrap().bytes.len(), 9001);
    // Named explicitly, a binary file is treated the same.
    let items = read_default(&[&dir.path().join("a.png")]);
    assert_eq!(
        items[0].as_ref().unwrap_err().kind,
        RecordErrorKind::BinaryFile
    );
}

/// Reads a damaged compressed file followed by a good one. With `exact`, the damage is a cut,
/// so every line before the error must be an original line; a corrupted stream may yield
/// garbage before the decompressor notices.
fn check_truncated(name: &str, data: Vec<u8>, body: &[u8], exact: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write(&path, &data);
    write(&dir.path().join("z.jsonl"), b"{\"text\":\"next file\"}\n");
    let items = read_default(&[&path, &dir.path().join("z.jsonl")]);
    let errs = errors(&items);
    assert_eq!(errs.len(), 1, "{errs:?}");
    let e_pos = items.iter().position(|i| i.is_err()).unwrap();
    let e = errs[0];
    assert_eq!(e.kind, RecordErrorKind::Truncated);
    assert!(e.message.contains("decompressed"), "{}", e.message);
    assert_eq!(e.locator.line, e_pos as u64 + 1);
    // The reader went on with the next input.
    assert_eq!(items.len(), e_pos + 2);
    assert_eq!(
        items.last().unwrap().as_ref().unwrap().bytes,
        b"{\"text\":\"next file\"}"
    );
    if !exact {
        return;
    }
    // Everything before the error is a complete original line, in order.
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    for (i, item) in items[..e_pos].iter().enumerate() {
        assert_eq!(item.as_ref().unwrap().bytes, lines[i]);
    }
    assert!(e_pos > 100, "kept only {e_pos} lines");
    assert!(e_pos < lines.len() - 1);
    let offset: usize = lines[..e_pos].iter().map(|l| l.len() + 1).sum();
    assert_eq!(e.byte_offset, Some(offset as u64));
    assert!(
        e.message
            .contains(&format!("incomplete line {}", e_pos + 1)),
        "{}",
        e.message
    );
}

#[test]
fn truncated_gzip_keeps_earlier_lines() {
    let body = many_lines(5000);
    let gz = gzip(&body);
    check_truncated("t.jsonl.gz", gz[..gz.len() * 2 / 3].to_vec(), &body, true);
    // Only the trailer (CRC and size) missing.
    check_truncated("u.jsonl.gz", gz[..gz.len() - 8].to_vec(), &body, false);
    // Corrupt in the middle instead of cut short.
    let mut bad = gz.clone();
    let mid = bad.len() / 2;
    for b in &mut bad[mid..mid + 64] {
        *b ^= 0x5a;
    }
    check_truncated("c.jsonl.gz", bad, &body, false);
}

#[test]
fn truncated_zstd_keeps_earlier_lines() {
    let body = many_lines(50_000);
    let z = zstd(&body);
    check_truncated("t.jsonl.zst", z[..z.len() * 2 / 3].to_vec(), &body, true);
}

#[test]
fn truncated_compressed_text_file() {
    let dir = tempfile::tempdir().unwrap();
    let text: Vec<u8> = (0..50_000u32)
        .flat_map(|i| format!("w{i} ").into_bytes())
        .collect();
    let gz = gzip(&text);
    let path = dir.path().join("a.txt.gz");
    write(&path, &gz[..gz.len() / 2]);
    let items = read_default(&[&path]);
    assert_eq!(items.len(), 1);
    let e = items[0].as_ref().unwrap_err();
    assert_eq!(e.kind, RecordErrorKind::Truncated);
    assert_eq!(e.locator.line, 0);
}

#[test]
fn not_found_and_unreadable_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("g.txt");
    write(&good, b"good");
    let missing = dir.path().join("missing.jsonl");
    let not_dir = good.join("child.txt");
    let items = read_default(&[&missing, &good, &not_dir, &good]);
    assert_eq!(items.len(), 4);
    let e = items[0].as_ref().unwrap_err();
    assert_eq!(e.kind, RecordErrorKind::NotFound);
    assert_eq!(&*e.locator.path, s(&missing));
    assert!(items[1].is_ok());
    assert_eq!(
        items[2].as_ref().unwrap_err().kind,
        RecordErrorKind::Unreadable
    );
    assert!(items[3].is_ok());
}

#[cfg(unix)]
#[test]
fn broken_symlinks_and_permissions() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("r");
    write(&root.join("a.txt"), b"a");
    symlink(root.join("nowhere"), root.join("b.txt")).unwrap();
    write(&root.join("c/secret.txt"), b"s");
    write(&root.join("d.txt"), b"d");
    write(&root.join("e.txt"), b"e");
    fs::set_permissions(root.join("c"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("d.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads everything regardless of permissions.
    let privileged = fs::read_dir(root.join("c")).is_ok();

    let items = read_default(&[&root]);
    fs::set_permissions(root.join("c"), fs::Permissions::from_mode(0o755)).unwrap();

    let e = items[1].as_ref().unwrap_err();
    assert_eq!(e.kind, RecordErrorKind::Unreadable);
    assert_eq!(&*e.locator.path, s(&root.join("b.txt")));
    assert_eq!(items[0].as_ref().unwrap().bytes, b"a");
    assert_eq!(items.last().unwrap().as_ref().unwrap().bytes, b"e");
    if !privileged {
        assert_eq!(items.len(), 5);
        for (i, name) in [(2, "c"), (3, "d.txt")] {
            let e = items[i].as_ref().unwrap_err();
            assert_eq!(e.kind, RecordErrorKind::Unreadable);
            assert_eq!(&*e.locator.path, s(&root.join(name)));
            assert!(e.message.contains("permission"), "{}", e.message);
        }
    } else {
        assert_eq!(items.len(), 5);
        assert!(items[2].is_ok() && items[3].is_ok());
    }
}

#[test]
fn empty_files_and_dirs() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("a.jsonl"), b"");
    write(&dir.path().join("b.jsonl.gz"), &gzip(b""));
    write(&dir.path().join("c.txt"), b"");
    write(&dir.path().join("d.jsonl"), b"\n\n \n");
    fs::create_dir_all(dir.path().join("empty/deeper")).unwrap();
    let docs = ok_docs(&[dir.path()]);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].id, "c.txt");
    assert_eq!(docs[0].text, "");
}

#[test]
fn inputs_keep_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let a: PathBuf = dir.path().join("z.txt");
    let b: PathBuf = dir.path().join("a.jsonl");
    write(&a, b"zz");
    write(&b, b"{\"text\":\"aa\"}");
    let docs = ok_docs(&[&a, &b, &a]);
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["zz", "aa", "zz"]);
}
