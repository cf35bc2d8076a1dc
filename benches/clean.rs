//! Throughput of page-chrome labelling (analysis + labelling of every page, given the
//! repetition statistics of the corpus), in MB/s of text.
//!
//! Text: the bundled example corpus (`examples/news.jsonl`), or the `text` (and `source`)
//! fields of the JSON Lines file named by `DECHAFF_BENCH_CORPUS` (e.g.
//! `/work/evalsets/big9/corpus.jsonl`).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dechaff::boilerplate::{BoilerplateConfig, Classifier, RepetitionStats};

fn docs() -> Vec<(String, String)> {
    let path = std::env::var("DECHAFF_BENCH_CORPUS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/examples/news.jsonl").to_owned());
    let text = std::fs::read_to_string(&path).expect("read the bench corpus");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            (
                v["source"].as_str().unwrap_or("").to_owned(),
                v["text"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = docs();
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    let classifier = Classifier::new(BoilerplateConfig::default()).unwrap();
    let mut stats = RepetitionStats::new();
    for (s, t) in &docs {
        stats.add_page(s, &classifier.analyze(t).keys());
    }
    let stats = stats.finish();
    let mut g = c.benchmark_group("clean");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("analyze", |b| {
        let mut scratch = dechaff::boilerplate::features::Scratch::default();
        let mut page = dechaff::boilerplate::PageAnalysis::default();
        b.iter(|| {
            for (_, t) in &docs {
                classifier.analyze_into(t, &mut scratch, &mut page);
                black_box(&page);
            }
        })
    });
    g.bench_function("keys", |b| {
        b.iter(|| {
            for (_, t) in &docs {
                black_box(classifier.analyze(t).keys());
            }
        })
    });
    g.bench_function("analyze+label", |b| {
        b.iter(|| {
            for (s, t) in &docs {
                let page = classifier.analyze(t);
                let labels = classifier.label(&page, s, &stats);
                black_box(labels.content_text(&page, t));
            }
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
