//! `dedup`: keep one document of each group of near duplicates.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::corpus::{Input, ReadOptions};
use crate::dedup::{label, DedupConfig, Deduper, Verification};
use crate::error::{Error, Result};
use crate::fingerprint::DocFingerprint;
use crate::jobs::{collect, shingle_sets_from_store, stored_text, Accounting, Entry, OnError};
use crate::jobs::{finish_run, RunFacts};
use crate::output::schema::{
    round6, ClusterRecord, MemberRecord, PairRecord, RemovedRecord, Report,
};
use crate::output::{Destination, OutputWriter, RecordRef, RecordStore, DEFAULT_MEMORY_BUDGET};
use crate::progress::{Progress, Unit};

/// Where the outputs of `dedup` go. Each is optional: a run without `output` finds the
/// clusters and pairs without reading the kept records back or writing them (the report still
/// counts them as written: kept).
#[derive(Clone, Debug)]
pub struct DedupOutputs {
    /// The kept documents (representatives and singletons), as JSON Lines, in id order.
    pub output: Option<Destination>,
    /// One line per cluster ([`ClusterRecord`]).
    pub clusters: Option<Destination>,
    /// One line per verified pair ([`PairRecord`]).
    pub pairs: Option<Destination>,
    /// One line per removed document ([`RemovedRecord`]).
    pub removed: Option<Destination>,
    /// The run report ([`Report`]), one JSON object.
    pub report: Option<Destination>,
}

impl DedupOutputs {
    /// A directory for temporary files: the first output's, else the system's.
    fn spill_dir(&self) -> std::path::PathBuf {
        [
            &self.output,
            &self.clusters,
            &self.pairs,
            &self.removed,
            &self.report,
        ]
        .into_iter()
        .flatten()
        .map(Destination::spill_dir)
        .next()
        .unwrap_or_else(std::env::temp_dir)
    }
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
    let seen = SeenKeys::new(config.verification == Verification::Exact);
    let collected = collect(
        inputs,
        read,
        on_error,
        &outputs.spill_dir(),
        DEFAULT_MEMORY_BUDGET,
        progress,
        |doc| seen.fingerprint(&deduper, &doc.text),
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
    let removals: Vec<(u32, u32)> = clusters
        .iter()
        .flat_map(|c| {
            let rep = c.representative;
            c.members
                .iter()
                .filter(move |&&m| m != rep)
                .map(move |&m| (m, rep))
        })
        .collect();
    let similarities: Vec<f64> = {
        use rayon::prelude::*;
        removals
            .par_iter()
            .map(|&(m, rep)| deduper.similarity(&fps[m as usize], &fps[rep as usize]))
            .collect()
    };
    for (&(m, rep), j) in removals.iter().zip(similarities) {
        member_jaccard[m as usize] = j;
        removed_for[m as usize] = Some((rep, j));
    }
    let empty_documents = fps.iter().filter(|f| f.tokens == 0).count() as u64;
    // Freed on the pool, where the signatures were allocated (frees from another thread are
    // slower, and this one would do them alone).
    {
        use rayon::prelude::*;
        fps.into_par_iter().for_each(drop);
    }

    progress.stage("writing", Some(entries.len() as u64), Unit::Items);
    let mut acct = Accounting::from_errors(&collected.errors);
    let mut removed_out = outputs
        .removed
        .as_ref()
        .map(OutputWriter::open)
        .transpose()?;
    // Counts documents `range` as written or removed, and logs the removed ones.
    let mut account = |range: std::ops::Range<usize>| -> Result<()> {
        for i in range {
            let e = &entries[i];
            match removed_for[i] {
                None => acct.written(&e.locator),
                Some((rep, j)) => {
                    acct.removed(&e.locator, "near_duplicate");
                    if let (Some(w), Some(dest)) = (removed_out.as_mut(), outputs.removed.as_ref())
                    {
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
        }
        Ok(())
    };
    let mut writers = Vec::new();
    match &outputs.output {
        Some(dest) => {
            let out = write_kept(
                &mut store,
                &entries,
                &removed_for,
                dest,
                &mut account,
                progress,
            )?;
            writers.push((out, dest.clone()));
        }
        None => {
            account(0..entries.len())?;
            progress.advance(entries.len() as u64);
        }
    }
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

/// Writes the kept records (those `removed_for` leaves `None`) to `dest` in entry order and
/// calls `account` on each batch of entries once it is written. Records are read back in
/// parallel, a batch at a time, while the batch before is written out in order by a writer
/// thread. Kept records that follow each other in their file are read as one span, and written
/// verbatim when only a newline separates them.
fn write_kept<T: Sync>(
    store: &mut RecordStore,
    entries: &[Entry<T>],
    removed_for: &[Option<(u32, f64)>],
    dest: &Destination,
    account: &mut (dyn FnMut(std::ops::Range<usize>) -> Result<()> + Send),
    progress: &dyn Progress,
) -> Result<OutputWriter> {
    let mut out = OutputWriter::open(dest)?;
    store.finish_writing()?;
    let store = &*store;
    let read_batch = |range: std::ops::Range<usize>| -> Result<Vec<Span>> {
        use rayon::prelude::*;
        let mut runs: Vec<Vec<RecordRef>> = Vec::new();
        let mut last: Option<RecordRef> = None;
        for i in range.filter(|&i| removed_for[i].is_none()) {
            let r = entries[i].record;
            match (last, runs.last_mut()) {
                (Some(prev), Some(run))
                    if run.len() < SPAN_RECORDS && prev.gap_to(&r, SPAN_GAP).is_some() =>
                {
                    run.push(r)
                }
                _ => runs.push(vec![r]),
            }
            last = Some(r);
        }
        runs.into_par_iter()
            .map(|refs| {
                let mut buf = Vec::new();
                store.read_span(&refs, &mut buf)?;
                Ok(Span::new(buf, &refs))
            })
            .collect()
    };
    let n = entries.len();
    // A writer thread writes the batches in order while this thread reads the next ones back
    // on the pool: the writes to the output file are serial anyway, and the reads (with their
    // hash checks) keep both cores busy meanwhile. The channel bounds how far reading runs
    // ahead. The writer needs no pool thread, so this cannot deadlock when `run` itself runs
    // on the pool.
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Span>>(READ_AHEAD);
    let out_ref = &mut out;
    let mut write_all = move |rx: crossbeam_channel::Receiver<Vec<Span>>| -> Result<()> {
        for (spans, batch_start) in rx.iter().zip((0..n).step_by(WRITE_BATCH)) {
            if progress.cancelled() {
                return Err(Error::Interrupted);
            }
            for span in spans {
                span.write(out_ref, dest)?;
            }
            let batch_end = (batch_start + WRITE_BATCH).min(n);
            account(batch_start..batch_end)?;
            progress.advance((batch_end - batch_start) as u64);
        }
        Ok(())
    };
    std::thread::scope(|s| -> Result<()> {
        // Returning (an error included) drops the receiver, which stops the reading below.
        let writer = s.spawn(move || write_all(rx));
        let mut read = Ok(());
        for start in (0..n).step_by(WRITE_BATCH) {
            match read_batch(start..(start + WRITE_BATCH).min(n)) {
                Ok(spans) => {
                    if tx.send(spans).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    read = Err(e);
                    break;
                }
            }
        }
        drop(tx);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.and(read)
    })?;
    Ok(out)
}

/// Keeps, while reading, the shingle lists of the documents likely to be candidates, so that
/// verification need not read and shingle them again: those sharing a key of the first
/// [`SEEN_BANDS`] LSH bands with a document read before them (a bit set in a table shared by
/// the threads that read; a few others pass by chance). Of a pair of near duplicates, the one
/// read second is kept, and the other is read again if it turns out to be a candidate. Which
/// lists are kept depends on thread timing; the results do not.
struct SeenKeys {
    /// One bit per value of a key's top [`SEEN_BITS`] bits, set when a key is seen.
    bits: Vec<std::sync::atomic::AtomicU64>,
    /// Room left for kept shingle lists, in shingles ([`SEEN_ROOM`] bytes in all).
    room: std::sync::atomic::AtomicUsize,
}

/// Bands whose keys go to the [`SeenKeys`] table: near duplicates share most bands, and 4 of
/// 24,100 documents' keys set 0.6 % of its bits.
const SEEN_BANDS: usize = 4;

/// The [`SeenKeys`] table has 2^22 bits (512 KiB).
const SEEN_BITS: u32 = 22;

/// Most memory for shingle lists kept by [`SeenKeys`]: 64 MiB.
const SEEN_ROOM: usize = 64 << 20;

impl SeenKeys {
    /// A table; without `exact` verification no shingles are ever kept.
    fn new(exact: bool) -> SeenKeys {
        SeenKeys {
            bits: (0..if exact { 1usize << (SEEN_BITS - 6) } else { 0 })
                .map(|_| 0.into())
                .collect(),
            room: (SEEN_ROOM / std::mem::size_of::<u64>()).into(),
        }
    }

    /// The signature of `text`, with its shingle list if it is likely to be a candidate.
    fn fingerprint(&self, deduper: &Deduper, text: &str) -> DocFingerprint {
        if self.bits.is_empty() {
            return deduper.signature(text);
        }
        // Shingles go to a buffer of this thread, and only the lists kept are copied out:
        // fresh memory for every document costs more in page faults than the copies.
        SHINGLES.with_borrow_mut(|buf| {
            let mut fp = deduper.fingerprint_into(text, buf);
            if self.keep(deduper, &fp, buf.len()) {
                fp.shingles = buf.clone();
            }
            if buf.capacity() > BUFFER_KEPT {
                *buf = Vec::new();
            }
            fp
        })
    }

    /// Whether to keep the shingle list (`size` shingles) of a document with fingerprint `fp`:
    /// when a key of its first bands was seen before and there is room.
    fn keep(&self, deduper: &Deduper, fp: &DocFingerprint, size: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let Some(sig) = fp.signature.as_ref().filter(|s| !s.is_empty_set()) else {
            return false;
        };
        let (params, seed) = (deduper.params(), deduper.config().fingerprint.minhash.seed);
        let mut seen_before = false;
        for band in 0..SEEN_BANDS.min(params.bands) {
            let bit =
                (crate::lsh::band_key_of(sig, params, seed, band) >> (64 - SEEN_BITS)) as usize;
            let mask = 1u64 << (bit % 64);
            seen_before |= self.bits[bit / 64].fetch_or(mask, Relaxed) & mask != 0;
        }
        seen_before
            && self
                .room
                .fetch_update(Relaxed, Relaxed, |room| room.checked_sub(size))
                .is_ok()
    }
}

thread_local! {
    /// The shingle buffer of [`SeenKeys::fingerprint`] on each thread.
    static SHINGLES: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Largest shingle buffer (in shingles) a thread keeps between documents: 8 MiB.
const BUFFER_KEPT: usize = 1 << 20;

/// Documents written per batch (their records are read back in parallel).
const WRITE_BATCH: usize = 1024;

/// Batches read back ahead of the one being written.
const READ_AHEAD: usize = 4;

/// Most records read back as one span.
const SPAN_RECORDS: usize = 256;

/// Most bytes between two records read back as one span (a newline, or CR LF).
const SPAN_GAP: u64 = 2;

/// Kept records read back as one span of their file ([`RecordStore::read_span`]).
struct Span {
    buf: Vec<u8>,
    /// Where each record is in `buf`.
    records: Vec<std::ops::Range<usize>>,
}

impl Span {
    fn new(buf: Vec<u8>, refs: &[RecordRef]) -> Span {
        let records = match refs.first() {
            Some(first) => refs.iter().map(|r| r.range_in_span(first)).collect(),
            None => Vec::new(),
        };
        Span { buf, records }
    }

    /// Writes the records, one a line: the whole span at once when only newlines separate
    /// them.
    fn write(&self, out: &mut OutputWriter, dest: &Destination) -> Result<()> {
        let verbatim = self
            .records
            .windows(2)
            .all(|w| w[1].start == w[0].end + 1 && self.buf.get(w[0].end) == Some(&b'\n'));
        if verbatim {
            return out.line(&self.buf, dest);
        }
        for r in &self.records {
            out.line(&self.buf[r.clone()], dest)?;
        }
        Ok(())
    }
}

/// Computes the exact shingle sets of the documents met in candidate pairs whose shingle list
/// was not kept while reading ([`SeenKeys`]), reading their records back from the store in
/// parallel.
fn load_shingle_sets<T: Sync>(
    deduper: &Deduper,
    read: &ReadOptions,
    entries: &[Entry<T>],
    store: &mut RecordStore,
    candidates: &[(u32, u32)],
    fps: &mut [DocFingerprint],
) -> Result<()> {
    let mut involved: Vec<u32> = candidates.iter().flat_map(|&(a, b)| [a, b]).collect();
    involved.sort_unstable();
    involved.dedup();
    // Shingle lists kept while reading ([`SeenKeys`]) need no second reading.
    involved.retain(|&i| {
        let f = &fps[i as usize];
        f.shingles.is_empty() && f.tokens > 0
    });
    store.finish_writing()?;
    shingle_sets_from_store(
        deduper,
        store,
        &involved,
        fps,
        |i| entries[i as usize].record,
        |i, json| stored_text(json, &entries[i as usize], read),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    #[test]
    fn runs_inside_a_one_thread_pool() {
        // The writer must not need a pool thread: here the only one is running `run`.
        let dir = tempfile::tempdir().unwrap();
        // More batches than the reading may run ahead, so the channel fills up; documents
        // come in identical pairs.
        let n = (READ_AHEAD + 2) * WRITE_BATCH;
        let mut data = String::new();
        for i in 0..n {
            let text: Vec<String> = (0..12).map(|k| format!("w{}x{k}", i / 2)).collect();
            let text = text.join(" ");
            data.push_str(&format!("{{\"id\": \"d{i:04}\", \"text\": \"{text}\"}}\n"));
        }
        let out = dir.path().join("out.jsonl");
        let outputs = DedupOutputs {
            output: Some(Destination::Path(out.clone())),
            clusters: None,
            pairs: None,
            removed: None,
            report: None,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let summary = pool
            .install(|| {
                run(
                    vec![Input::Bytes {
                        name: "mem".into(),
                        data: data.into_bytes(),
                    }],
                    &ReadOptions::default(),
                    OnError::Skip,
                    &DedupConfig::default(),
                    &outputs,
                    &NoProgress,
                )
            })
            .unwrap();
        assert_eq!(summary.clusters, n / 2);
        let kept = std::fs::read_to_string(&out).unwrap();
        assert_eq!(kept.lines().count(), n / 2);
    }
}
