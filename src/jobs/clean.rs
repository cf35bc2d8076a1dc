//! `clean`: strip page chrome from every document, then drop near duplicates of the cleaned
//! texts.
//!
//! 1. [`collect_spilling`] reads the corpus and analyses every page once: its repetition keys
//!    ([`PageKeys`]) go to its source's lists as the page is taken in (in chunks: a
//!    long list is never reallocated whole; the page's own lists are freed at once), the analysis itself
//!    ([`PageAnalysis::encode`]) is spilled to the record store right after the record (the
//!    records, and these, stay in memory while the store is under its budget). A corpus held
//!    whole keeps, instead, its decoded texts, the records' frames and the analyses by value
//!    (no encoding, no decoding), and makes each page's keys from its analysis when they are
//!    counted;
//! 2. the keys are counted per source ([`RepetitionStats`], each source on one thread,
//!    order-free; long lists sorted from their chunks, without a scratch copy);
//! 3. documents are labelled in parallel batches, in id order: the record and its analysis
//!    are read back from the store (no second analysis, no second decoding of the text; a
//!    batch's records in file order, neighbours in one read), the record's
//!    text field's raw value is replaced by the content paragraphs (every other byte of the
//!    record passes through), and the cleaned text is fingerprinted;
//! 4. near duplicates among the cleaned texts are found as in `dedup`, and the outputs are
//!    written in id order.

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::boilerplate::stats::SourceKeys;
use crate::boilerplate::{
    BoilerplateConfig, Classifier, PageAnalysis, PageKeys, RepetitionStats, SourceStats,
};
use crate::corpus::{Input, ReadOptions};
use crate::dedup::{label, DedupConfig, Deduper, Verification};
use crate::error::{Error, Result};
use crate::fingerprint::DocFingerprint;
use crate::jobs::{collect_spilling, shingle_sets_from_store, Accounting, OnError};
use crate::jobs::{finish_run, RunFacts};
use crate::output::schema::{round6, AnnotationRecord, ParagraphAnnotation, RemovedRecord, Report};
use crate::output::{Destination, OutputWriter, RecordRef, RecordStore, DEFAULT_MEMORY_BUDGET};
use crate::progress::{Progress, Unit};

thread_local! {
    /// Per-thread buffers of both passes: pass 2 decodes into the buffers pass 1 grew on the
    /// same pool thread, rather than growing a second set in fresh memory.
    static ANALYSIS: std::cell::RefCell<(crate::boilerplate::features::Scratch, PageAnalysis)> =
        Default::default();
}

/// Documents labelled per parallel batch.
const LABEL_BATCH: usize = 2048;

/// Where the outputs of `clean` go. Only `output` is required.
#[derive(Clone, Debug)]
pub struct CleanOutputs {
    /// The kept documents with their text cleaned, as JSON Lines, in id order.
    pub output: Destination,
    /// One line per document: its paragraphs, labels and reasons ([`AnnotationRecord`]).
    pub annotations: Option<Destination>,
    /// One line per removed document ([`RemovedRecord`]).
    pub removed: Option<Destination>,
    /// The run report ([`Report`]).
    pub report: Option<Destination>,
}

/// What `clean` does besides labelling.
#[derive(Clone, Debug, Default)]
pub struct CleanOptions {
    /// The classifier's configuration.
    pub boilerplate: BoilerplateConfig,
    /// Near-duplicate removal on the cleaned texts; `None` keeps every document
    /// (`--keep-duplicates`).
    pub dedup: Option<DedupConfig>,
}

/// What a `clean` run did.
#[derive(Debug)]
pub struct CleanSummary {
    /// The full report (also written with `--report`).
    pub report: Report,
    /// Paragraphs read.
    pub paragraphs: u64,
    /// Paragraphs labelled chrome (in every document read).
    pub chrome_paragraphs: u64,
    /// Documents removed because no content was left.
    pub no_content: u64,
    /// Documents removed as near duplicates.
    pub near_duplicates: u64,
}

#[derive(Serialize)]
struct ConfigReport<'a> {
    boilerplate: &'a BoilerplateConfig,
    dedup: Option<&'a DedupConfig>,
}

/// What pass 1 keeps in memory of a page, besides its encoded analysis (in the store) when
/// the page is not [`Held`].
#[derive(Debug, Default)]
struct Pass1 {
    /// The page's repetition keys, from its analysis to its source's lists (taken as pass 1
    /// takes the page in; empty for a held page: they are made from its analysis when the
    /// sources are counted).
    keys: PageKeys,
    /// Where the text field's raw JSON value is in the record, if pass 1's parse found it.
    text_raw: Option<(usize, usize)>,
    /// When the corpus is held whole (boxed: a page that is not held costs one pointer).
    held: Option<Box<Held>>,
}

/// A page of a corpus held whole, as pass 1 leaves it for pass 2: pass 2 splices the cleaned
/// text into the frame, takes the text as it is (no reading of the record, no second decoding,
/// copy or UTF-8 check) and labels the analysis as it is (no encoding, no decoding), then frees
/// all three once the page is labelled.
#[derive(Debug)]
struct Held {
    /// The record without the text field's value (which went from `text_raw.0` to
    /// `text_raw.1`).
    frame: Vec<u8>,
    /// The text as decoded.
    text: String,
    /// The page's analysis (a copy of the thread's buffers, each of its exact length).
    page: PageAnalysis,
}

impl Pass1 {
    /// Upper bounds on the keys and shingles the page adds to its source's statistics when
    /// the sources are counted: for a held page the counts before removing repeats; none for
    /// the others (their keys went to their source's lists in pass 1).
    fn key_counts(&self) -> (usize, usize) {
        match &self.held {
            None => (0, 0),
            Some(h) => {
                let p = &h.page.paragraphs;
                let keys = p.iter().filter(|p| p.key != 0).count();
                let shingles = p
                    .iter()
                    .filter(|p| p.key_tokens >= 6)
                    .map(|p| (p.tokens.1 - p.tokens.0).saturating_sub(2) as usize)
                    .sum();
                (keys, shingles)
            }
        }
    }
}

/// The result of labelling one document.
struct Cleaned {
    record: Vec<u8>,
    annotations: Option<Vec<u8>>,
    fingerprint: Option<DocFingerprint>,
    /// Where the cleaned text's JSON string is in `record`.
    text_at: std::ops::Range<usize>,
    clean_len: usize,
    paragraphs: u32,
    chrome: u32,
}

/// Runs `clean` over a corpus and writes the outputs.
pub fn run(
    inputs: Vec<Input>,
    read: &ReadOptions,
    on_error: OnError,
    options: &CleanOptions,
    outputs: &CleanOutputs,
    progress: &dyn Progress,
) -> Result<CleanSummary> {
    let started = Instant::now();
    let classifier = Classifier::new(options.boilerplate.clone())?;
    let deduper = options.dedup.map(Deduper::new).transpose()?;
    let spill = outputs.output.spill_dir();

    // A corpus whose first pass fits in the store's memory is held whole: the decoded texts
    // and the records' frames too, so that pass 2 neither reads nor decodes them again (each
    // record itself is freed as soon as it is parsed, on the thread that read it: its memory
    // serves the next ones). A larger corpus keeps only the analyses (its records are read
    // back from their files).
    let hold = crate::jobs::input_size(&inputs)
        .is_some_and(|n| n.saturating_mul(HOLD_FACTOR) <= DEFAULT_MEMORY_BUDGET as u64);
    // Pass 1: the full analysis of every page, once. Its repetition keys go to its source's
    // lists as the page is taken in (a held page's are made from its analysis when the
    // sources are counted); the analysis itself is spilled to the store after the record.
    let mut by_source: BTreeMap<String, SourceKeys> = BTreeMap::new();
    let collected = collect_spilling(
        inputs,
        read,
        on_error,
        &spill,
        DEFAULT_MEMORY_BUDGET,
        false,
        progress,
        |doc| {
            ANALYSIS.with_borrow_mut(|(scratch, page)| {
                classifier.analyze_into(&doc.text, scratch, page);
                if let Some((s, e)) = doc.text_raw.filter(|_| hold) {
                    // Held: the analysis by value, its keys made when they are counted.
                    let json = doc.json.as_bytes();
                    let held = Held {
                        frame: [&json[..s], &json[e..]].concat(),
                        text: std::mem::take(&mut doc.text),
                        page: page.clone(),
                    };
                    let kept = Pass1 {
                        keys: PageKeys::default(),
                        text_raw: doc.text_raw,
                        held: Some(Box::new(held)),
                    };
                    return (kept, None);
                }
                let mut analysis = Vec::new();
                page.encode(&mut analysis);
                let kept = Pass1 {
                    keys: page.keys(),
                    text_raw: doc.text_raw,
                    held: None,
                };
                (kept, Some(analysis))
            })
        },
        |source, kept| {
            // Freed here unless gathered: a page without a source is not counted.
            let keys = std::mem::take(&mut kept.keys);
            if let (Some(source), None) = (source, &kept.held) {
                match by_source.get_mut(source) {
                    Some(s) => s.add_page(&keys),
                    None => {
                        let mut s = SourceKeys::default();
                        s.add_page(&keys);
                        by_source.insert(source.to_owned(), s);
                    }
                }
            }
        },
    )?;
    let mut store = collected.store;
    let mut entries = collected.entries;
    progress.stage("counting", None, Unit::Items);
    // Pages grouped by source, each source counted on one thread (no merging of maps).
    let mut order: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].source.is_some())
        .collect();
    order.sort_by(|&a, &b| entries[a].source.cmp(&entries[b].source));
    let groups: Vec<&[usize]> = order
        .chunk_by(|&a, &b| entries[a].source == entries[b].source)
        .collect();
    // The lists gathered in pass 1, in the order of the groups; held pages add theirs here,
    // each source on one thread.
    let gathered: Vec<SourceKeys> = groups
        .iter()
        .map(|g| {
            let name = entries[g[0]].source.as_deref().unwrap_or("");
            by_source.remove(name).unwrap_or_default()
        })
        .collect();
    debug_assert!(by_source.is_empty());
    let per_source: Vec<(&str, SourceStats)> = groups
        .par_iter()
        .zip(gathered)
        .map(|(g, mut s)| {
            let (keys, shingles) = g
                .iter()
                .map(|&i| entries[i].data.0.key_counts())
                .fold((0, 0), |(k, s), (a, b)| (k + a, s + b));
            s.reserve(keys, shingles);
            for &i in g.iter() {
                if let Some(h) = &entries[i].data.0.held {
                    s.add_page(&h.page.keys());
                }
            }
            (
                entries[g[0]].source.as_deref().unwrap_or(""),
                s.into_stats(),
            )
        })
        .collect();
    let mut stats = RepetitionStats::new();
    for (name, s) in per_source {
        stats.add_source(name, s);
    }
    let stats = rayon::scope(|_| stats.finish());

    // Pass 2: label, splice, fingerprint.
    progress.stage("labelling", Some(entries.len() as u64), Unit::Items);
    let mut cleaned_store = RecordStore::new(&spill, DEFAULT_MEMORY_BUDGET);
    let mut annot_store = RecordStore::new(&spill, DEFAULT_MEMORY_BUDGET);
    let mut cleaned_refs = Vec::with_capacity(entries.len());
    let mut annot_refs = Vec::with_capacity(entries.len());
    let mut fps: Vec<DocFingerprint> = Vec::new();
    let mut fp_doc: Vec<u32> = Vec::new();
    // Where each fingerprinted document's cleaned text is in its cleaned record.
    let mut fp_text: Vec<std::ops::Range<usize>> = Vec::new();
    let mut clean_len = vec![0usize; entries.len()];
    let (mut paragraphs, mut chrome) = (0u64, 0u64);
    let with_annotations = outputs.annotations.is_some();
    store.finish_writing()?;
    let (mut rec_buf, mut blob_buf) = (ReadBack::default(), ReadBack::default());
    for (b, chunk) in entries.chunks_mut(LABEL_BATCH).enumerate() {
        // Records with a frame in memory are not read.
        let unheld = chunk
            .iter()
            .map(|e| e.data.0.held.is_none().then_some(e.record));
        rec_buf.read(&store, unheld)?;
        blob_buf.read(&store, chunk.iter().map(|e| e.data.1))?;
        let records: Vec<(&[u8], &[u8])> = (0..chunk.len())
            .map(|k| (rec_buf.get(k), blob_buf.get(k)))
            .collect();
        let results: Vec<Result<Cleaned>> = chunk
            .par_iter_mut()
            .zip(records.par_iter())
            .map(|(e, (rec, analysis))| {
                // Taken, so that it is freed on this thread as soon as the page is labelled
                // (its memory then serves the next page's allocations). A frame is the record
                // with an empty text field's value.
                let held = e.data.0.held.take();
                let (rec, text_raw, text, held_page) = match (&held, e.data.0.text_raw) {
                    (Some(h), Some((s, _))) => (
                        &h.frame[..],
                        Some((s, s)),
                        Some(h.text.as_str()),
                        Some(&h.page),
                    ),
                    _ => (*rec, e.data.0.text_raw, None, None),
                };
                ANALYSIS.with_borrow_mut(|(scratch, page)| {
                    clean_record(
                        rec,
                        analysis,
                        held_page,
                        text_raw,
                        text,
                        &e.id,
                        e.source.as_deref(),
                        &read.text_field,
                        &classifier,
                        &stats,
                        deduper.as_ref(),
                        with_annotations,
                        scratch,
                        page,
                    )
                })
            })
            .collect();
        for (k, r) in results.into_iter().enumerate() {
            let c = r?;
            let i = b * LABEL_BATCH + k;
            paragraphs += c.paragraphs as u64;
            chrome += c.chrome as u64;
            clean_len[i] = c.clean_len;
            cleaned_refs.push(cleaned_store.push_owned(c.record)?);
            if let Some(a) = c.annotations {
                annot_refs.push(annot_store.push_owned(a)?);
            }
            if let Some(fp) = c.fingerprint {
                fps.push(fp);
                fp_doc.push(i as u32);
                fp_text.push(c.text_at);
            }
        }
        progress.advance(chunk.len() as u64);
    }
    // The pages' analyses are no longer needed: their memory is free for the outputs.
    drop((rec_buf, blob_buf));
    drop(store);

    // Near duplicates among the cleaned texts.
    let mut removed_for: Vec<Option<(u32, f64)>> = vec![None; entries.len()];
    let mut pairs_found = 0;
    if let Some(d) = &deduper {
        progress.stage("near duplicates", None, Unit::Items);
        let candidates = d.candidates(&fps);
        // Pass 2 kept only signatures: the documents met in a candidate pair get their
        // shingle sets from their cleaned text, read back from the cleaned record.
        if d.config().verification == Verification::Exact {
            cleaned_store.finish_writing()?;
            let mut involved: Vec<u32> = candidates.iter().flat_map(|&(a, b)| [a, b]).collect();
            involved.sort_unstable();
            involved.dedup();
            shingle_sets_from_store(
                d,
                &cleaned_store,
                &involved,
                &mut fps,
                |k| cleaned_refs[fp_doc[k as usize] as usize],
                |k, record| {
                    record
                        .get(fp_text[k as usize].clone())
                        .and_then(|raw| std::str::from_utf8(raw).ok())
                        .and_then(crate::corpus::decode_raw_string)
                        .ok_or_else(|| Error::Config("cleaned record holds no cleaned text".into()))
                },
            )?;
        }
        let pairs = d.verify(&mut fps, &candidates);
        pairs_found = pairs.len();
        let lens: Vec<usize> = fp_doc.iter().map(|&i| clean_len[i as usize]).collect();
        for c in label(fps.len(), &pairs, &lens) {
            let rep = c.representative;
            for &m in &c.members {
                if m != rep {
                    let j = d.similarity(&fps[m as usize], &fps[rep as usize]);
                    removed_for[fp_doc[m as usize] as usize] = Some((fp_doc[rep as usize], j));
                }
            }
        }
    }
    drop((fps, fp_text));

    // Outputs, in id order.
    progress.stage("writing", Some(entries.len() as u64), Unit::Items);
    let mut acct = Accounting::from_errors(&collected.errors);
    let mut out = OutputWriter::open(&outputs.output)?;
    let mut removed_out = outputs
        .removed
        .as_ref()
        .map(OutputWriter::open)
        .transpose()?;
    let mut bytes_kept = 0u64;
    let (mut no_content, mut near_duplicates) = (0u64, 0u64);
    let mut buf = Vec::new();
    cleaned_store.finish_writing()?;
    annot_store.finish_writing()?;
    for (i, e) in entries.iter().enumerate() {
        let removal = if clean_len[i] == 0 {
            Some(("no_content", None))
        } else {
            removed_for[i].map(|(rep, j)| ("near_duplicate", Some((rep, j))))
        };
        match removal {
            None => {
                out.line(
                    cleaned_store.get(cleaned_refs[i], &mut buf)?,
                    &outputs.output,
                )?;
                acct.written(&e.locator);
                bytes_kept += clean_len[i] as u64;
            }
            Some((reason, dup)) => {
                acct.removed(&e.locator, reason);
                if reason == "no_content" {
                    no_content += 1;
                } else {
                    near_duplicates += 1;
                }
                if let (Some(w), Some(dest)) = (removed_out.as_mut(), outputs.removed.as_ref()) {
                    w.json(
                        &RemovedRecord {
                            id: &e.id,
                            location: e.locator.to_string(),
                            reason,
                            duplicate_of: dup.map(|(rep, _)| entries[rep as usize].id.as_str()),
                            jaccard: dup.map(|(_, j)| round6(j)),
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
    if let Some(dest) = &outputs.annotations {
        let mut w = OutputWriter::open(dest)?;
        for r in &annot_refs {
            w.line(annot_store.get(*r, &mut buf)?, dest)?;
        }
        writers.push((w, dest.clone()));
    }

    let mut stats_out = BTreeMap::new();
    stats_out.insert("paragraphs", paragraphs);
    stats_out.insert("chrome_paragraphs", chrome);
    stats_out.insert("content_paragraphs", paragraphs - chrome);
    stats_out.insert("bytes_kept", bytes_kept);
    stats_out.insert("no_content", no_content);
    stats_out.insert("near_duplicates", near_duplicates);
    stats_out.insert("near_duplicate_pairs", pairs_found as u64);
    let report = finish_run(
        RunFacts {
            command: "clean",
            config: serde_json::to_value(ConfigReport {
                boilerplate: &options.boilerplate,
                dedup: options.dedup.as_ref(),
            })?,
            acct: &acct,
            errors: &collected.errors,
            entries: &entries,
            bytes_read: collected.bytes_read,
            stats: stats_out,
            started,
        },
        outputs.report.as_ref(),
        writers,
    )?;
    progress.finish();
    Ok(CleanSummary {
        report,
        paragraphs,
        chrome_paragraphs: chrome,
        no_content,
        near_duplicates,
    })
}

/// Most bytes skipped between two records read back as one span: reading them costs less
/// than another read call.
const SPAN_GAP: u64 = 16 << 10;

/// Records of a batch read back from the store, as few spans as possible; those the store holds
/// in memory are used in place.
#[derive(Default)]
struct ReadBack<'s> {
    /// The spans read, one after the other (the memory is kept from batch to batch, and the
    /// bytes past the last span with it).
    buf: Vec<u8>,
    /// Where each record is.
    at: Vec<Place<'s>>,
}

/// Where a record of a [`ReadBack`] is.
enum Place<'s> {
    /// In the store's memory (or no record: empty).
    Held(&'s [u8]),
    /// In [`ReadBack::buf`].
    Read(std::ops::Range<usize>),
}

impl<'s> ReadBack<'s> {
    /// Reads the records `refs` (`None`: no record), each run of records that follow each
    /// other in their file at most [`SPAN_GAP`] bytes apart in one read.
    fn read(
        &mut self,
        store: &'s RecordStore,
        refs: impl Iterator<Item = Option<RecordRef>>,
    ) -> Result<()> {
        self.at.clear();
        let mut end = 0;
        // In file order, so that records near each other in a file share one read.
        let mut order: Vec<(RecordRef, usize)> = Vec::new();
        for (k, r) in refs.enumerate() {
            let held = match r {
                None => Some(&[][..]),
                Some(r) => store.in_memory(r),
            };
            self.at.push(Place::Held(held.unwrap_or_default()));
            if let (Some(r), None) = (r, held) {
                order.push((r, k));
            }
        }
        order.sort_unstable_by_key(|(r, k)| (r.position(), *k));
        let mut run: Vec<RecordRef> = Vec::new();
        for group in order.chunk_by(|(a, _), (b, _)| a.gap_to(b, SPAN_GAP).is_some()) {
            run.clear();
            run.extend(group.iter().map(|&(r, _)| r));
            let start = end;
            end = store.read_span_at(&run, &mut self.buf, start)?;
            for &(r, k) in group {
                let at = r.range_in_span(&run[0]);
                self.at[k] = Place::Read(start + at.start..start + at.end);
            }
        }
        Ok(())
    }

    /// Record `k` of the last [`ReadBack::read`] (empty for none).
    fn get(&self, k: usize) -> &[u8] {
        match &self.at[k] {
            Place::Held(bytes) => bytes,
            Place::Read(range) => &self.buf[range.clone()],
        }
    }
}

/// Where the text field's raw JSON value is in a record line, and the text it holds.
pub fn text_field_span(record: &str, field: &str) -> Result<(usize, usize, String)> {
    let map: BTreeMap<String, &RawValue> = serde_json::from_str(record)?;
    let raw = map
        .get(field)
        .ok_or_else(|| Error::Config(format!("record has no {field:?} field")))?;
    let s = raw.get();
    let start = s.as_ptr() as usize - record.as_ptr() as usize;
    let text: String = match crate::corpus::decode_raw_string(s) {
        Some(t) => t,
        None => serde_json::from_str(s)?,
    };
    Ok((start, start + s.len(), text))
}

/// Input bytes times this is about what `clean`'s first pass holds when it holds everything
/// (the page analysis, about twice the text, and the text, plus the records while they are
/// read and parsed).
const HOLD_FACTOR: u64 = 5;

#[allow(clippy::too_many_arguments)]
/// Labels one page and splices its cleaned text into its record. `held_page` is the page's
/// analysis when pass 1 kept it by value, else `analysis` is its [`PageAnalysis::encode`]
/// (decoded into `page`; the page is analysed again if it is not one), `text_raw` where pass 1
/// found the text field's raw value in `record`, `held` the text as pass 1 decoded it.
fn clean_record(
    record: &[u8],
    analysis: &[u8],
    held_page: Option<&PageAnalysis>,
    text_raw: Option<(usize, usize)>,
    held: Option<&str>,
    id: &str,
    source: Option<&str>,
    text_field: &str,
    classifier: &Classifier,
    stats: &crate::boilerplate::CorpusStats,
    deduper: Option<&Deduper>,
    with_annotations: bool,
    scratch: &mut crate::boilerplate::features::Scratch,
    page: &mut PageAnalysis,
) -> Result<Cleaned> {
    // The text field's place was found when the record was first read, and the text kept
    // when the corpus is held whole: no second parse.
    let (start, end, text) = match (text_raw, held) {
        (Some((s, e)), Some(text)) if s <= e && e <= record.len() => {
            (s, e, std::borrow::Cow::Borrowed(text))
        }
        _ => {
            let json = std::str::from_utf8(record)
                .map_err(|e| Error::Config(format!("record store holds invalid UTF-8: {e}")))?;
            let known = text_raw.and_then(|(s, e)| {
                let text = crate::corpus::decode_raw_string(json.get(s..e)?)?;
                Some((s, e, text))
            });
            let (s, e, text) = match known {
                Some(t) => t,
                None => text_field_span(json, text_field)?,
            };
            (s, e, std::borrow::Cow::Owned(text))
        }
    };
    let page: &PageAnalysis = match held_page {
        Some(held) => held,
        None => {
            if analysis.is_empty() || page.decode_from(analysis).is_none() {
                classifier.analyze_into(&text, scratch, page);
            }
            page
        }
    };
    // Documents without a source are each their own source: no repetition statistics.
    let src = source.unwrap_or("");
    let labels = classifier.label(page, src, stats);
    let clean = labels.content_text(page, &text);
    // The record with the cleaned text in place of the text (escapes are rare: a sixteenth
    // more is room for them), sized so that the store can hold it as it is.
    let mut out =
        Vec::with_capacity(record.len() - (end - start) + clean.len() + clean.len() / 16 + 2);
    out.extend_from_slice(&record[..start]);
    crate::output::json::write_json_str(&mut out, &clean);
    let text_at = start..out.len();
    out.extend_from_slice(&record[end..]);
    let annotations = if with_annotations {
        let rec = AnnotationRecord {
            id,
            paragraphs: page
                .paragraphs
                .iter()
                .zip(&labels.paragraphs)
                .enumerate()
                .map(|(i, (p, l))| ParagraphAnnotation {
                    byte_start: p.span.byte_start,
                    byte_end: p.span.byte_end,
                    label: if l.content { "content" } else { "chrome" },
                    reason: labels.reason(i, page, classifier.lexicon(), src),
                    score: (l.score * 1000.0).round() / 1000.0,
                })
                .collect(),
        };
        Some(serde_json::to_vec(&rec)?)
    } else {
        None
    };
    let content = labels.content_count() as u32;
    // Only the signature: the shingle sets are made for the few documents in candidate pairs.
    let fingerprint = match deduper {
        Some(d) if !clean.is_empty() => Some(d.signature(&clean)),
        _ => None,
    };
    Ok(Cleaned {
        record: out,
        annotations,
        fingerprint,
        text_at,
        clean_len: clean.len(),
        paragraphs: page.paragraphs.len() as u32,
        chrome: page.paragraphs.len() as u32 - content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_and_its_held_text_clean_like_the_record() {
        let c = Classifier::new(BoilerplateConfig::default()).unwrap();
        let stats = RepetitionStats::new().finish();
        let (mut scratch, mut page) = Default::default();
        for record in [
            r#"{"id": "a\"1", "text": "Title of the page\nA sentence of the article, with a comma.\n• Send to Kindle", "source": "x", "n": [1, 2]}"#,
            r#"{"text":"caf\u00e9 \"quoted\"\n\nSecond paragraph, long enough to be content.","id":"b"}"#,
            r#"{"id": "c", "text": ""}"#,
        ] {
            let (s, e, text) = text_field_span(record, "text").unwrap();
            let frame = [&record.as_bytes()[..s], &record.as_bytes()[e..]].concat();
            let mut analysis = Vec::new();
            c.analyze(&text).encode(&mut analysis);
            let held_page = c.analyze(&text);
            let mut run = |record: &[u8], text_raw, held, by_value: bool| {
                clean_record(
                    record,
                    &analysis,
                    by_value.then_some(&held_page),
                    text_raw,
                    held,
                    "id",
                    Some("x"),
                    "text",
                    &c,
                    &stats,
                    None,
                    true,
                    &mut scratch,
                    &mut page,
                )
                .unwrap()
            };
            let want = run(record.as_bytes(), Some((s, e)), None, false);
            // Held: the frame, the text and the analysis by value.
            for by_value in [false, true] {
                let got = run(&frame, Some((s, s)), Some(text.as_str()), by_value);
                assert_eq!(got.record, want.record, "{record}");
                assert_eq!(got.annotations, want.annotations, "{record}");
                assert_eq!(
                    (got.clean_len, got.paragraphs, got.chrome),
                    (want.clean_len, want.paragraphs, want.chrome)
                );
            }
            // Without the place of the text field, the record is parsed again.
            let parsed = run(record.as_bytes(), None, None, false);
            assert_eq!(parsed.record, want.record, "{record}");
        }
    }

    #[test]
    fn read_back_returns_each_record_whatever_the_order_and_gaps() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = RecordStore::new(dir.path(), 0);
        // Records of growing size; a large one between them breaks the spans.
        let records: Vec<Vec<u8>> = (0..40u8)
            .map(|i| {
                let len = if i % 13 == 7 { 40_000 } else { i as usize * 3 };
                vec![b'a' + i % 26; len]
            })
            .collect();
        let refs: Vec<_> = records.iter().map(|r| store.push(r).unwrap()).collect();
        store.finish_writing().unwrap();
        let order: Vec<usize> = (0..40).map(|i| (i * 17) % 40).collect();
        let mut rb = ReadBack::default();
        rb.read(
            &store,
            order.iter().map(|&i| (i % 5 != 0).then_some(refs[i])),
        )
        .unwrap();
        for (k, &i) in order.iter().enumerate() {
            let want: &[u8] = if i % 5 != 0 { &records[i] } else { &[] };
            assert_eq!(rb.get(k), want, "record {i}");
        }
    }
}
