//! Alignment throughput: `Overlapper::align` on document pairs that share a passage (verbatim
//! and edited) and on unrelated pairs, and the candidate stage on a small corpus.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dechaff::overlap::{DocFeatures, OverlapConfig, Overlapper};

fn words(seed: u64, n: usize) -> Vec<String> {
    let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let w = format!("w{}", x % 5000);
            if i % 17 == 16 {
                format!("{w}.")
            } else {
                w
            }
        })
        .collect()
}

fn doc(seed: u64, n: usize, insert: Option<&[String]>) -> String {
    let mut w = words(seed, n);
    if let Some(p) = insert {
        let at = n / 3;
        w.splice(at..at, p.iter().cloned());
    }
    w.join(" ")
}

fn bench(c: &mut Criterion) {
    let o = Overlapper::new(OverlapConfig::default()).unwrap();
    let passage = words(7, 120);
    let mut edited = passage.clone();
    for k in (0..edited.len()).step_by(6) {
        edited[k] = format!("edit{k}");
    }
    let pairs: Vec<(String, String)> = (0..50u64)
        .map(|s| {
            let b_insert = if s % 2 == 0 { &passage } else { &edited };
            (
                doc(100 + s, 900, Some(&passage)),
                doc(200 + s, 1200, Some(b_insert)),
            )
        })
        .collect();
    let feats: Vec<(DocFeatures, DocFeatures)> = pairs
        .iter()
        .map(|(a, b)| (o.features(a, &[]), o.features(b, &[])))
        .collect();
    let bytes: usize = pairs.iter().map(|(a, b)| a.len() + b.len()).sum();
    let mut g = c.benchmark_group("overlap");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("align 50 pairs sharing a passage", |bch| {
        bch.iter(|| {
            feats
                .iter()
                .map(|(a, b)| o.align(a, b).len())
                .sum::<usize>()
        })
    });
    g.bench_function("align 50 unrelated pairs", |bch| {
        bch.iter(|| {
            feats
                .iter()
                .zip(feats.iter().skip(1))
                .map(|(x, y)| o.align(&x.0, &y.1).len())
                .sum::<usize>()
        })
    });
    g.bench_function("features of 100 documents", |bch| {
        bch.iter(|| {
            pairs
                .iter()
                .map(|(a, b)| {
                    o.features(a, &[]).sentences.len() + o.features(b, &[]).sentences.len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
    let corpus: Vec<DocFeatures> = feats
        .iter()
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect();
    c.bench_function("overlap/candidates + align of 100 documents", |bch| {
        bch.iter(|| o.pairs(&corpus).len())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
