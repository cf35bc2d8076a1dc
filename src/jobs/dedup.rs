//! `dedup`: keep one document of each group of near duplicates.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::corpus::{Input, ReadOptions};
use crate::dedup::{label, DedupConfig, Deduper};
use crate::error::Result;
use crate::fingerprint::DocFingerprint;
use crate::jobs::{collect, duplicate_ids, error_records, Accounting, OnError};
use crate::output::schema::{
    round6, ClusterRecord, MemberRecord, PairRecord, RemovedRecord, Report, SCHEMA_VERSION,
};
use crate::output::{Destination, OutputWriter};
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
        |doc| deduper.fingerprint(&doc.text),
    )?;
    let mut store = collected.store;
    let mut entries = collected.entries;
    let fps: Vec<DocFingerprint> = entries
        .iter_mut()
        .map(|e| std::mem::take(&mut e.data))
        .collect();

    progress.stage("candidates", None, Unit::Items);
    let candidates = deduper.candidates(&fps);
    progress.stage("verifying", Some(candidates.len() as u64), Unit::Items);
    let pairs = deduper.verify(&fps, &candidates);
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
    let report = Report {
        schema_version: SCHEMA_VERSION,
        dechaff_version: env!("CARGO_PKG_VERSION"),
        command: "dedup",
        config: serde_json::to_value(config)?,
        documents: acct.total().clone(),
        removed_by_reason: acct.removed_by_reason.clone(),
        files: acct.files(),
        errors: error_records(&collected.errors),
        duplicate_ids: duplicate_ids(&entries),
        invalid_utf8_documents: entries.iter().filter(|e| e.invalid_utf8 > 0).count() as u64,
        bytes_read: collected.bytes_read,
        stats,
        seconds: started.elapsed().as_secs_f64(),
    };
    if let Some(dest) = &outputs.report {
        let mut w = OutputWriter::open(dest)?;
        let s = serde_json::to_vec_pretty(&report)?;
        w.line(&s, dest)?;
        writers.push((w, dest.clone()));
    }
    for (w, d) in writers {
        w.commit(&d)?;
    }
    progress.finish();
    Ok(DedupSummary {
        clusters: clusters.len(),
        pairs: pairs.len(),
        candidates: candidates.len(),
        report,
    })
}
