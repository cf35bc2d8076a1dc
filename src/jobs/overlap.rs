//! `overlap`: passages shared between the documents of a corpus, summed up by source.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Instant;

use crate::corpus::{Document, Input, ReadOptions};
use crate::error::Result;
use crate::jobs::{collect, stored_text, Accounting, OnError};
use crate::jobs::{finish_run, RunFacts};
use crate::output::schema::{
    round6, OverlapMatchRecord, OverlapPairRecord, OverlapSummaryRecord, Report, SourcePairRecord,
    SCHEMA_VERSION,
};
use crate::output::{Destination, OutputWriter};
use crate::overlap::summary::{by_source, markdown, DocMeta};
use crate::overlap::{html, DocFeatures, OverlapConfig, Overlapper};
use crate::progress::{Progress, Unit};

/// Where the outputs of `overlap` go. Only `output` is required.
#[derive(Clone, Debug)]
pub struct OverlapOutputs {
    /// One line per document pair sharing a passage ([`OverlapPairRecord`]), by (a, b) id.
    pub output: Destination,
    /// Reuse per pair of sources ([`OverlapSummaryRecord`]), one JSON object.
    pub summary: Option<Destination>,
    /// The same as a Markdown table.
    pub summary_md: Option<Destination>,
    /// A self-contained HTML report (see [`html`]).
    pub html: Option<Destination>,
    /// The run report ([`Report`]), one JSON object.
    pub report: Option<Destination>,
}

/// Gives the byte ranges of a document to leave out (page chrome). Runs on the worker pool.
pub type MaskFn<'a> = dyn Fn(&Document) -> Vec<Range<usize>> + Sync + 'a;

/// Settings of an `overlap` run beyond the alignment itself.
#[derive(Clone, Debug)]
pub struct OverlapOptions {
    /// Record fields holding a document's date, tried in order. `date`, then `published`, by
    /// default. Dates are compared as strings, so they should be ISO 8601.
    pub date_fields: Vec<String>,
}

impl Default for OverlapOptions {
    fn default() -> Self {
        OverlapOptions {
            date_fields: vec!["date".into(), "published".into()],
        }
    }
}

/// What an `overlap` run did.
#[derive(Debug)]
pub struct OverlapRunSummary {
    /// The full report (also written with `--report`).
    pub report: Report,
    /// Document pairs sharing at least one passage.
    pub pairs: usize,
    /// Passages over all pairs.
    pub passages: usize,
    /// Candidate pairs aligned.
    pub candidates: usize,
    /// Reuse per pair of sources.
    pub sources: Vec<SourcePairRecord>,
    /// `sources` as a Markdown table.
    pub markdown: String,
}

struct DocData {
    features: DocFeatures,
    date: Option<String>,
}

/// Finds the passages shared between the documents of a corpus and writes the outputs.
/// `mask`, when given, names the byte ranges of each document to leave out (the chrome
/// detector's paragraphs, say).
#[allow(clippy::too_many_arguments)]
pub fn run(
    inputs: Vec<Input>,
    read: &ReadOptions,
    on_error: OnError,
    config: &OverlapConfig,
    options: &OverlapOptions,
    mask: Option<&MaskFn<'_>>,
    outputs: &OverlapOutputs,
    progress: &dyn Progress,
) -> Result<OverlapRunSummary> {
    let started = Instant::now();
    let overlapper = Overlapper::new(*config)?;
    let collected = collect(
        inputs,
        read,
        on_error,
        &outputs.output.spill_dir(),
        crate::output::DEFAULT_MEMORY_BUDGET,
        progress,
        |doc| {
            let m = mask.map(|f| f(doc)).unwrap_or_default();
            DocData {
                features: overlapper.features(&doc.text, &m),
                date: record_date(&doc.json, &options.date_fields),
            }
        },
    )?;
    let mut store = collected.store;
    let mut entries = collected.entries;
    let mut feats: Vec<DocFeatures> = Vec::with_capacity(entries.len());
    let mut dates: Vec<Option<String>> = Vec::with_capacity(entries.len());
    for e in entries.iter_mut() {
        let d = std::mem::replace(
            &mut e.data,
            DocData {
                features: DocFeatures::default(),
                date: None,
            },
        );
        feats.push(d.features);
        dates.push(d.date);
    }

    progress.stage("candidates", None, Unit::Items);
    let candidates = overlapper.candidates(&feats);
    for f in &mut feats {
        f.keys = Vec::new();
    }
    progress.stage("aligning", Some(candidates.len() as u64), Unit::Items);
    let pairs = overlapper.align_pairs(&feats, &candidates);
    drop(feats);
    let passages: usize = pairs.iter().map(|p| p.passages.len()).sum();

    progress.stage("writing", Some(pairs.len() as u64), Unit::Items);
    let mut acct = Accounting::from_errors(&collected.errors);
    for e in &entries {
        acct.written(&e.locator);
    }
    let mut out = OutputWriter::open(&outputs.output)?;
    for p in &pairs {
        let (a, b) = (&entries[p.a as usize], &entries[p.b as usize]);
        out.json(
            &OverlapPairRecord {
                a: &a.id,
                b: &b.id,
                a_source: a.source.as_deref(),
                b_source: b.source.as_deref(),
                a_containment: round6(p.a_containment),
                b_containment: round6(p.b_containment),
                matches: p
                    .passages
                    .iter()
                    .map(|m| OverlapMatchRecord {
                        a_byte_start: m.a_byte_start,
                        a_byte_end: m.a_byte_end,
                        b_byte_start: m.b_byte_start,
                        b_byte_end: m.b_byte_end,
                        similarity: round6(m.similarity),
                    })
                    .collect(),
            },
            &outputs.output,
        )?;
        progress.advance(1);
    }
    let mut writers = vec![(out, outputs.output.clone())];

    let meta: Vec<DocMeta<'_>> = entries
        .iter()
        .zip(&dates)
        .map(|(e, d)| DocMeta {
            source: e.source.as_deref(),
            date: d.as_deref(),
        })
        .collect();
    let sources = by_source(&pairs, &meta);
    let md = markdown(&sources);
    if let Some(dest) = &outputs.summary {
        let mut w = OutputWriter::open(dest)?;
        let rec = OverlapSummaryRecord {
            schema_version: SCHEMA_VERSION,
            documents: entries.len() as u64,
            document_pairs: pairs.len() as u64,
            passages: passages as u64,
            sources: sources.clone(),
        };
        w.line(&serde_json::to_vec_pretty(&rec)?, dest)?;
        writers.push((w, dest.clone()));
    }
    if let Some(dest) = &outputs.summary_md {
        let mut w = OutputWriter::open(dest)?;
        w.line(md.trim_end().as_bytes(), dest)?;
        writers.push((w, dest.clone()));
    }
    if let Some(dest) = &outputs.html {
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        let mut buf = Vec::new();
        let mut text_of = |i: u32| -> Result<String> {
            let e = &entries[i as usize];
            store.read(e.record, &mut buf)?;
            stored_text(&buf, e, read)
        };
        let page = html::render(&pairs, &ids, &meta, &sources, &mut text_of)?;
        let mut w = OutputWriter::open(dest)?;
        w.line(page.as_bytes(), dest)?;
        writers.push((w, dest.clone()));
    }

    let mut stats = BTreeMap::new();
    stats.insert("candidates", candidates.len() as u64);
    stats.insert("pairs", pairs.len() as u64);
    stats.insert("passages", passages as u64);
    stats.insert("source_pairs", sources.len() as u64);
    stats.insert(
        "dated_documents",
        dates.iter().filter(|d| d.is_some()).count() as u64,
    );
    let report = finish_run(
        RunFacts {
            command: "overlap",
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
    entries.clear();
    Ok(OverlapRunSummary {
        report,
        pairs: pairs.len(),
        passages,
        candidates: candidates.len(),
        sources,
        markdown: md,
    })
}

/// The first of `fields` that the JSON record holds as a non-empty string (or a number).
pub fn record_date(json: &str, fields: &[String]) -> Option<String> {
    use std::borrow::Cow;
    use std::collections::HashMap;
    if fields.is_empty() {
        return None;
    }
    let map: HashMap<Cow<'_, str>, &serde_json::value::RawValue> =
        serde_json::from_str(json).ok()?;
    for f in fields {
        if let Some(raw) = map.get(f.as_str()) {
            match serde_json::from_str::<serde_json::Value>(raw.get()) {
                Ok(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    return Some(s.trim().to_owned())
                }
                Ok(serde_json::Value::Number(n)) => return Some(n.to_string()),
                _ => {}
            }
        }
    }
    None
}

/// The byte ranges a JSON record lists in `field` as `[[start, end], ...]`; anything else
/// (a missing field, a malformed entry) gives no range.
pub fn record_ranges(json: &str, field: &str) -> Vec<Range<usize>> {
    use std::borrow::Cow;
    use std::collections::HashMap;
    let Ok(map) = serde_json::from_str::<HashMap<Cow<'_, str>, &serde_json::value::RawValue>>(json)
    else {
        return Vec::new();
    };
    map.get(field)
        .and_then(|raw| serde_json::from_str::<Vec<(usize, usize)>>(raw.get()).ok())
        .map(|v| v.into_iter().map(|(s, e)| s..e).collect())
        .unwrap_or_default()
}
