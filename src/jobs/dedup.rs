//! `dedup`: keep one document of each group of near duplicates.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::corpus::{Input, ReadOptions};
use crate::dedup::{label, DedupConfig, Deduper, Verification};
use crate::error::{Error, Result};
use crate::fingerprint::DocFingerprint;
use crate::jobs::{collect, stored_text, Accounting, Entry, OnError};
use crate::jobs::{finish_run, RunFacts};
use crate::output::schema::{
    round6, ClusterRecord, MemberRecord, PairRecord, RemovedRecord, Report,
};
use crate::output::{Destination, OutputWriter, RecordStore};
use crate::progress::{Progress, Unit};

/// Where the outputs of `dedup` go. Only `output` is required.
#[derive(Clone, Debug)]
pub struct DedupOutputs {
    /// The kept documents (representatives and singletons), as JSON Lines, in id order.
    pub output: Destination,
    /// One line per cluster ([`ClusterRecord`]).
    pub clusters: Option<Destination>,
    /// One line per verified pair ([`PairRecord`]).
    pub pairs: Option<Destination>,
    /// One line per removed document ([`RemovedRecord`]).
    pub removed: Option<Destination>,
    /// The run report ([`Report`]), one JSON object.
    pub report: Option<Destination>,
}

/// What a `dedup` run did.
#[derive(Debug)]
pub struct DedupSummary {
    /// The full report (also written with `--report`).
    pub report: Report,
    /// Clusters found.
    pub clusters: usize,
    /// Verified pairs.
    pub pairs: usize,
    /// Candidate pairs checked.
    pub candidates: usize,
}

/// Runs near-duplicate removal over a corpus and writes the outputs.
pub fn run(
    inputs: Vec<Input>,
    read: &ReadOptions,
    on_error: OnError,
    config: &DedupConfig,
    outputs: &DedupOutputs,
    progress: &dyn Progress,
) -> Result<DedupSummary> {
    let started = Instant::now();
    let deduper = Deduper::new(*config)?;
    let collected = collect(
        inputs,
        read,
        on_error,
        &outputs.output.spill_dir(),
        progress,
        |doc| deduper.signature(&doc.text),
    )?;
    let mut store = collected.store;
    let mut entries = collected.entries;
    let mut fps: Vec<DocFingerprint> = entries
        .iter_mut()
        .map(|e| std::mem::take(&mut e.data))
        .collect();

    progress.stage("candidates", None, Unit::Items);
    let candidates = deduper.candidates(&fps);
    if config.verification == Verification::Exact {
        load_shingle_sets(&deduper, read, &entries, &mut store, &candidates, &mut fps)?;
    }
    progress.stage("verifying", Some(candidates.len() as u64), Unit::Items);
    let pairs = deduper.verify(&mut fps, &candidates);
    let lens: Vec<usize> = entries.iter().map(|e| e.text_len).collect();
    let clusters = label(entries.len(), &pairs, &lens);

    // For each document, the representative it is removed for.
    let mut removed_for: Vec<Option<(u32, f64)>> = vec![None; entries.len()];
    let mut member_jaccard: Vec<f64> = vec![1.0; entries.len()];
    for c in &clusters {
        let rep = c.representative;
        for &m in &c.members {
            if m != rep {
                let j = deduper.similarity(&fps[m as usize], &fps[rep as usize]);
                member_jaccard[m as usize] = j;
                removed_for[m as usize] = Some((rep, j));
            }
        }
    }
    let empty_documents = fps.iter().filter(|f| f.tokens == 0).count() as u64;
    drop(fps);

    progress.stage("writing", Some(entries.len() as u64), Unit::Items);
    let mut acct = Accounting::from_errors(&collected.errors);
    let mut out = OutputWriter::open(&outputs.output)?;
    let mut removed_out = outputs
        .removed
        .as_ref()
        .map(OutputWriter::open)
        .transpose()?;
    let mut buf = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if i % 4096 == 0 && progress.cancelled() {
            return Err(Error::Interrupted);
        }
        match removed_for[i] {
            None => {
                store.read(e.record, &mut buf)?;
                out.line(&buf, &outputs.output)?;
                acct.written(&e.locator);
            }
            Some((rep, j)) => {
                acct.removed(&e.locator, "near_duplicate");
                if let (Some(w), Some(dest)) = (removed_out.as_mut(), outputs.removed.as_ref()) {
                    w.json(
                        &RemovedRecord {
                            id: &e.id,
                            location: e.locator.to_string(),
                            reason: "near_duplicate",
                            duplicate_of: Some(&entries[rep as usize].id),
                            jaccard: Some(round6(j)),
                        },
                        dest,
                    )?;
                }
            }
        }
        progress.advance(1);
    }
    let mut writers = vec![(out, outputs.output.clone())];
    if let (Some(w), Some(d)) = (removed_out, outputs.removed.as_ref()) {
        writers.push((w, d.clone()));
    }
    if let Some(dest) = &outputs.clusters {
        let mut w = OutputWriter::open(dest)?;
        for (n, c) in clusters.iter().enumerate() {
            let rec = ClusterRecord {
                cluster: n,
                representative: &entries[c.representative as usize].id,
                members: c
                    .members
                    .iter()
                    .map(|&m| MemberRecord {
                        id: &entries[m as usize].id,
                        jaccard: round6(member_jaccard[m as usize]),
                    })
                    .collect(),
            };
            w.json(&rec, dest)?;
        }
        writers.push((w, dest.clone()));
    }
    if let Some(dest) = &outputs.pairs {
        let mut w = OutputWriter::open(dest)?;
        for p in &pairs {
            w.json(
                &PairRecord {
                    a: &entries[p.a as usize].id,
                    b: &entries[p.b as usize].id,
                    jaccard: round6(p.jaccard),
                },
                dest,
            )?;
        }
        writers.push((w, dest.clone()));
    }

    let mut stats = BTreeMap::new();
    stats.insert("clusters", clusters.len() as u64);
    stats.insert("pairs", pairs.len() as u64);
    stats.insert("candidates", candidates.len() as u64);
    stats.insert("lsh_bands", deduper.params().bands as u64);
    stats.insert("lsh_rows", deduper.params().rows as u64);
    stats.insert("empty_documents", empty_documents);
    let report = finish_run(
        RunFacts {
            command: "dedup",
            config: serde_json::to_value(config)?,
            acct: &acct,
            errors: &collected.errors,
            entries: &entries,
            bytes_read: collected.bytes_read,
            stats,
            started,
        },
        outputs.report.as_ref(),
        writers,
    )?;
    progress.finish();
    Ok(DedupSummary {
        clusters: clusters.len(),
        pairs: pairs.len(),
        candidates: candidates.len(),
        report,
    })
}

/// Bytes of texts re-read at once to compute shingle sets.
const RELOAD_BYTES: usize = 64 << 20;

/// Computes the exact shingle sets of the documents met in candidate pairs, re-reading their
/// records from the store in chunks: during reading only signatures are kept.
fn load_shingle_sets<T: Sync>(
    deduper: &Deduper,
    read: &ReadOptions,
    entries: &[Entry<T>],
    store: &mut RecordStore,
    candidates: &[(u32, u32)],
    fps: &mut [DocFingerprint],
) -> Result<()> {
    use rayon::prelude::*;
    let mut involved: Vec<u32> = candidates.iter().flat_map(|&(a, b)| [a, b]).collect();
    involved.sort_unstable();
    involved.dedup();
    let mut chunk: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut chunk_bytes = 0;
    let flush = |chunk: &mut Vec<(u32, Vec<u8>)>, fps: &mut [DocFingerprint]| -> Result<()> {
        let sets: Vec<(u32, Result<Vec<u64>>)> = chunk
            .par_iter()
            .map(|(i, json)| {
                let e = &entries[*i as usize];
                let set = stored_text(json, e, read).map(|t| deduper.shingle_set(&t));
                (*i, set)
            })
            .collect();
        for (i, set) in sets {
            let f = &mut fps[i as usize];
            f.shingles = set?;
            f.sorted = true;
        }
        chunk.clear();
        Ok(())
    };
    for i in involved {
        let mut buf = Vec::new();
        store.read(entries[i as usize].record, &mut buf)?;
        chunk_bytes += buf.len();
        chunk.push((i, buf));
        if chunk_bytes >= RELOAD_BYTES {
            flush(&mut chunk, fps)?;
            chunk_bytes = 0;
        }
    }
    flush(&mut chunk, fps)
}
