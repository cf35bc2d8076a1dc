//! LSH: batch candidate generation and incremental insert/query, over synthetic signatures of
//! documents with a known number of planted near-duplicate pairs.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dechaff::lsh::{candidate_pairs, LshIndex, LshParams};
use dechaff::minhash::{MinHashConfig, MinHasher, Signature};
use dechaff::shingle::{ShingleConfig, Shingler};

/// `n` documents of 300 words; every 10th is a copy of its predecessor with 5 words changed.
fn signatures(n: usize) -> Vec<Signature> {
    let sh = Shingler::new(ShingleConfig::default()).unwrap();
    let m = MinHasher::new(MinHashConfig::default()).unwrap();
    let mut out = Vec::with_capacity(n);
    let mut prev: Vec<String> = Vec::new();
    for i in 0..n {
        let words: Vec<String> = if i % 10 == 9 {
            let mut w = prev.clone();
            for k in 0..5 {
                w[k * 50] = format!("edit{i}_{k}");
            }
            w
        } else {
            (0..300)
                .map(|j| format!("w{}", (i * 7919 + j * 104_729) % 1_000_003))
                .collect()
        };
        out.push(m.sign(&sh.shingle_set(&words.join(" "))));
        prev = words;
    }
    out
}

fn bench(c: &mut Criterion) {
    let params = LshParams::for_threshold(0.8, 128, 0.95).unwrap();
    let mut g = c.benchmark_group("lsh");
    for n in [10_000usize, 50_000] {
        let sigs = signatures(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("candidate_pairs", n), &sigs, |b, sigs| {
            b.iter(|| {
                let pairs = candidate_pairs(sigs, &params, 1, 2000);
                assert!(pairs.len() >= n / 10 * 9 / 10, "{}", pairs.len());
                black_box(pairs.len())
            })
        });
        g.bench_with_input(BenchmarkId::new("index_insert", n), &sigs, |b, sigs| {
            b.iter(|| {
                let mut idx = LshIndex::new(params, 1);
                for (i, s) in sigs.iter().enumerate() {
                    idx.insert(i as u32, s);
                }
                black_box(idx.params().bands)
            })
        });
        let mut idx = LshIndex::new(params, 1);
        for (i, s) in sigs.iter().enumerate() {
            idx.insert(i as u32, s);
        }
        g.bench_with_input(BenchmarkId::new("index_query", n), &sigs, |b, sigs| {
            b.iter(|| {
                let hits: usize = sigs.iter().map(|s| idx.query(s).len()).sum();
                assert!(hits >= n);
                black_box(hits)
            })
        });
    }
    g.finish();
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, bench);
}
use group::benches;
criterion_main!(benches);
