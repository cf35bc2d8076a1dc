//! Throughput of the signature stage: normalize → shingle → MinHash, in MB/s of text.
//!
//! Text: the bundled example corpus (`examples/news/`, news prose with page chrome), or the
//! `text` fields of the JSON Lines file named by `DECHAFF_BENCH_CORPUS` (e.g. the prepared
//! Reuters corpus from `../shared/eval/prepare.py reuters`).
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dechaff::fingerprint::{FingerprintConfig, Fingerprinter};
use dechaff::normalize::normalize_into;

fn texts() -> Vec<String> {
    if let Ok(path) = std::env::var("DECHAFF_BENCH_CORPUS") {
        let data = std::fs::read_to_string(&path).expect("read DECHAFF_BENCH_CORPUS");
        return data
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text")?.as_str().map(str::to_owned))
            .take(5000)
            .collect();
    }
    let mut out = Vec::new();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/news");
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).expect("examples/news") {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "txt") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no example texts found");
    out
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let f = Fingerprinter::new(FingerprintConfig::default()).unwrap();
    let mut g = c.benchmark_group("fingerprint");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("normalize", |b| {
        let mut buf = String::new();
        b.iter(|| {
            let mut n = 0;
            for t in &texts {
                buf.clear();
                normalize_into(t, &mut buf);
                n += buf.len();
            }
            black_box(n)
        })
    });
    g.bench_function("document_signature", |b| {
        b.iter(|| {
            let mut slots = 0;
            for t in &texts {
                let fp = f.document(t, true);
                slots += fp.signature.map_or(0, |s| s.slots().len());
            }
            assert_eq!(slots, texts.len() * 128);
            black_box(slots)
        })
    });
    g.bench_function("signature_only", |b| {
        b.iter(|| {
            let mut slots = 0;
            for t in &texts {
                let fp = f.document_signature(t);
                slots += fp.signature.map_or(0, |s| s.slots().len());
            }
            assert_eq!(slots, texts.len() * 128);
            black_box(slots)
        })
    });
    g.bench_function("paragraph_fingerprints", |b| {
        b.iter(|| {
            let n: usize = texts.iter().map(|t| f.paragraphs(t).len()).sum();
            black_box(n)
        })
    });
    g.finish();
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, bench);
}
use group::benches;
criterion_main!(benches);
