//! The JSON outputs, field by field. These types are only serialized; they are the
//! specification of what dechaff writes. Fields are only ever added within a schema version;
//! a removal or change of meaning bumps [`SCHEMA_VERSION`], which every `--report` carries.
//! Offsets are always UTF-8 byte offsets, and named so (`byte_start`, `byte_end`).

use std::collections::BTreeMap;

use serde::Serialize;

/// Version of every JSON output format described here.
pub const SCHEMA_VERSION: u32 = 1;

/// Rounds a similarity for output (6 decimals), so that files are easy to read and compare.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// One line of `--clusters`: a group of near-duplicate documents.
#[derive(Debug, Serialize)]
pub struct ClusterRecord<'a> {
    /// Cluster number: clusters are numbered from 0 in the order of their representative's id.
    pub cluster: usize,
    /// Id of the document kept for the cluster (the longest text; ties: the smallest id).
    pub representative: &'a str,
    /// Every member, the representative included, in id order.
    pub members: Vec<MemberRecord<'a>>,
}

/// A member of a cluster.
#[derive(Debug, Serialize)]
pub struct MemberRecord<'a> {
    /// Document id.
    pub id: &'a str,
    /// Jaccard similarity to the representative (1 for the representative itself). Members
    /// joined through a chain of pairs can be below the threshold.
    pub jaccard: f64,
}

/// One line of `--pairs`: a verified near-duplicate pair, `a` < `b` by id.
#[derive(Debug, Serialize)]
pub struct PairRecord<'a> {
    /// Id of the first document.
    pub a: &'a str,
    /// Id of the second document.
    pub b: &'a str,
    /// Jaccard similarity of their shingle sets.
    pub jaccard: f64,
}

/// One line of `--removed`: a document left out of the output, and why.
#[derive(Debug, Serialize)]
pub struct RemovedRecord<'a> {
    /// Document id.
    pub id: &'a str,
    /// Where it was read (`FILE:LINE`, or `FILE` for a plain-text document).
    pub location: String,
    /// Why: `near_duplicate` (another document of its cluster was kept), `no_content` (every
    /// paragraph was page chrome, or the text was empty).
    pub reason: &'static str,
    /// The document kept in its place, for `near_duplicate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<&'a str>,
    /// Jaccard similarity to `duplicate_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jaccard: Option<f64>,
}

/// One rejected record or unreadable input, in a report.
#[derive(Debug, Serialize)]
pub struct ErrorRecord {
    /// The input file (`-` for standard input).
    pub path: String,
    /// 1-based line for JSON Lines records, absent for whole files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Byte offset of the record in the (decompressed) file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<u64>,
    /// Stable name of the error kind (`malformed_json`, `missing_text`, …).
    pub kind: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

/// Document counts. Always `read = written + removed + rejected`.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Records met in the input (documents parsed plus records rejected).
    pub read: u64,
    /// Documents written to the output.
    pub written: u64,
    /// Documents left out on purpose (see `removed_by_reason`).
    pub removed: u64,
    /// Records that could not be read as documents (see `errors`).
    pub rejected: u64,
}

/// Per-input-file counts.
#[derive(Debug, Serialize)]
pub struct FileCounts {
    /// The file.
    pub path: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// Errors that concern the whole file (unreadable, truncated, not found).
    pub file_errors: u64,
}

/// The `--report` file: everything about one run.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Version of the output formats ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// dechaff's version.
    pub dechaff_version: &'static str,
    /// The command (`dedup`, `clean`, …).
    pub command: &'static str,
    /// The configuration used, as the library sees it.
    pub config: serde_json::Value,
    /// Document counts over all inputs.
    pub documents: Counts,
    /// Removed documents by reason.
    pub removed_by_reason: BTreeMap<&'static str, u64>,
    /// Counts per input file, in path order.
    pub files: Vec<FileCounts>,
    /// Every error, in input order.
    pub errors: Vec<ErrorRecord>,
    /// Ids that more than one document carried (each such document is kept as its own item).
    pub duplicate_ids: u64,
    /// Documents whose text had invalid UTF-8 replaced by U+FFFD.
    pub invalid_utf8_documents: u64,
    /// Bytes of records read (after decompression).
    pub bytes_read: u64,
    /// Command-specific figures (clusters, pairs, paragraphs removed, `empty_documents`: documents
    /// with no word at all, …).
    pub stats: BTreeMap<&'static str, u64>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// One line of `clean --annotations`: every paragraph of one document with its label.
#[derive(Debug, Serialize)]
pub struct AnnotationRecord<'a> {
    /// Document id.
    pub id: &'a str,
    /// Every paragraph (non-blank line) of the text as read, in order.
    pub paragraphs: Vec<ParagraphAnnotation>,
}

/// A labelled paragraph in [`AnnotationRecord`].
#[derive(Debug, Serialize)]
pub struct ParagraphAnnotation {
    /// UTF-8 byte offset of the paragraph's first byte in the document text as read.
    pub byte_start: usize,
    /// UTF-8 byte offset one past its last byte.
    pub byte_end: usize,
    /// `content` (kept) or `chrome` (removed).
    pub label: &'static str,
    /// The evidence, e.g. `on 37 of 40 pages of source foxnews`, `chrome lexicon: send to
    /// kindle`, `teaser snippet ending in ...`, `repeat of paragraph 3`, `content`.
    pub reason: String,
    /// The paragraph's score after context smoothing (positive = content-like), 3 decimals.
    pub score: f64,
}
