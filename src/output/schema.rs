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
    /// Documents written to the output (kept). A `dedup` run without an output counts the
    /// documents it would have written.
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

/// One line of `overlap` output: two documents sharing at least one passage, `a` < `b` by id.
#[derive(Debug, Serialize)]
pub struct OverlapPairRecord<'a> {
    /// Id of the first document.
    pub a: &'a str,
    /// Id of the second document.
    pub b: &'a str,
    /// Source (outlet) of `a`, or null.
    pub a_source: Option<&'a str>,
    /// Source (outlet) of `b`, or null.
    pub b_source: Option<&'a str>,
    /// Share of a's content bytes (outside any mask) found in b, in [0, 1].
    pub a_containment: f64,
    /// Share of b's content bytes found in a.
    pub b_containment: f64,
    /// The shared passages, in order of `a_byte_start`.
    pub matches: Vec<OverlapMatchRecord>,
}

/// A shared passage: bytes `a_byte_start..a_byte_end` of `a` are reused as
/// `b_byte_start..b_byte_end` of `b` (UTF-8 byte offsets into each text as read).
#[derive(Clone, Debug, Serialize)]
pub struct OverlapMatchRecord {
    /// Start in a.
    pub a_byte_start: usize,
    /// End in a (exclusive).
    pub a_byte_end: usize,
    /// Start in b.
    pub b_byte_start: usize,
    /// End in b (exclusive).
    pub b_byte_end: usize,
    /// Cosine similarity of the two sides' weighted word vectors, in [0, 1].
    pub similarity: f64,
}

/// The `overlap --summary` file: reuse between sources (outlets).
#[derive(Debug, Serialize)]
pub struct OverlapSummaryRecord {
    /// Version of the output formats ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Documents read.
    pub documents: u64,
    /// Document pairs sharing at least one passage.
    pub document_pairs: u64,
    /// Passages shared, over all pairs.
    pub passages: u64,
    /// One entry per pair of sources, `a_source` <= `b_source`, in that order. Documents
    /// without a source count under `(none)`.
    pub sources: Vec<SourcePairRecord>,
}

/// Reuse between two sources (or within one, when `a_source` = `b_source`).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct SourcePairRecord {
    /// First source.
    pub a_source: String,
    /// Second source.
    pub b_source: String,
    /// Document pairs (one of each source) sharing at least one passage.
    pub document_pairs: u64,
    /// Distinct documents of `a_source` in those pairs.
    pub a_documents: u64,
    /// Distinct documents of `b_source` in those pairs.
    pub b_documents: u64,
    /// Passages shared.
    pub passages: u64,
    /// Bytes of `a_source` documents found in `b_source` documents (summed over pairs).
    pub a_bytes: u64,
    /// Bytes of `b_source` documents found in `a_source` documents.
    pub b_bytes: u64,
    /// Pairs where both documents carry a date.
    pub dated_pairs: u64,
    /// Dated pairs where the `a_source` document is older: a published first.
    pub a_first: u64,
    /// Dated pairs where the `b_source` document is older.
    pub b_first: u64,
    /// Dated pairs with the same date.
    pub same_date: u64,
}
