//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::corpus::{Input, ReadOptions, DEFAULT_MAX_DOC_BYTES};
use crate::dedup::{DedupConfig, Verification};
use crate::fingerprint::FingerprintConfig;
use crate::jobs::OnError;
use crate::minhash::MinHashConfig;
use crate::normalize::segment::SegmentMode;
use crate::overlap::OverlapConfig;
use crate::shingle::{ShingleConfig, ShingleKind, DEFAULT_SEED};

const AFTER_HELP: &str = "\
Exit codes:
  0  success (bad records skipped with --on-error skip are reported in the summary)
  1  a check requested with --check failed
  2  usage error, or a fatal error (a missing input path, the first bad record with
     --on-error fail, an unwritable output)
  130  interrupted by Ctrl-C: no output was written

Inputs are files, directories (walked recursively, in sorted order) or - for standard input.
.jsonl/.json files (optionally .gz or .zst; compression is detected from the content) hold one
JSON document per line; any other file is one plain-text document.";

/// dechaff separates the wheat from the chaff in scraped text corpora: it strips page chrome,
/// finds syndicated passages and removes near-duplicate documents, deterministically.
#[derive(Debug, Parser)]
#[command(name = "dechaff", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options for every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Worker threads, this one included (default: one per core). Results do not depend on it.
    #[arg(long, short = 'j', global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Print nothing on standard error but errors: no progress bar, no summary.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Strip page chrome (navigation, share buttons, teasers, notices) from every document,
    /// then drop near duplicates of the cleaned texts. The main job.
    #[command(after_help = CLEAN_EXAMPLES)]
    Clean(CleanArgs),
    /// Keep one document of each group of near-duplicate documents.
    #[command(after_help = DEDUP_EXAMPLES)]
    Dedup(DedupArgs),
    /// Find passages shared between documents (syndication, reuse), with byte spans, and sum
    /// them up by source.
    #[command(after_help = OVERLAP_EXAMPLES)]
    Overlap(OverlapArgs),
}

const CLEAN_EXAMPLES: &str = "\
Examples:
  # Clean a crawl, keeping one document per near-duplicate group
  dechaff clean crawl/*.jsonl.gz -o clean.jsonl

  # Explain every paragraph's label, log removed documents, write a report
  dechaff clean corpus.jsonl -o clean.jsonl --annotations why.jsonl --removed removed.jsonl \\
      --report run.json

  # Remove less (never a sentence without repetition evidence), keep duplicates
  dechaff clean corpus.jsonl -o clean.jsonl --mode conservative --keep-duplicates

  # Add site-specific chrome phrases (one a line)
  dechaff clean corpus.jsonl -o clean.jsonl --lexicon my-phrases.txt

Every paragraph (non-blank line) is labelled content or chrome from: repetition on other pages
of the same source (the --source-field; a paragraph found in several sources is syndicated
content), its shape (length, sentence punctuation, stopwords, title case, '...' snippets, menu
separators, bylines, a lexicon of chrome phrases), its neighbours, and the main contiguous body
after the headline. The output text is the content paragraphs joined by newlines; every other
field of a record is written back byte for byte.

Exit codes: 0 success, 2 usage or fatal error.";

const OVERLAP_EXAMPLES: &str = "\
Examples:
  # Every pair of documents sharing a passage, with byte spans in both
  dechaff overlap crawl/*.jsonl.gz -o pairs.jsonl

  # Who republishes whom: per pair of outlets, as JSON and a Markdown table on stderr
  dechaff overlap corpus.jsonl -o pairs.jsonl --summary outlets.json

  # A standalone HTML report: outlet heat map, shared passages side by side
  dechaff overlap corpus.jsonl -o pairs.jsonl --html overlap.html

  # Only long, close passages; dates from a `pubdate` field
  dechaff overlap corpus.jsonl -o pairs.jsonl --min-length 400 --min-similarity 0.6 \\
      --date-field pubdate

Each output line: {\"a\", \"b\", \"a_source\", \"b_source\", \"a_containment\", \"b_containment\",
\"matches\": [{\"a_byte_start\", \"a_byte_end\", \"b_byte_start\", \"b_byte_end\", \"similarity\"}]},
a < b by id, lines in (a, b) order; offsets are UTF-8 byte offsets into each text as read.

Exit codes: 0 success, 2 usage or fatal error.";

const DEDUP_EXAMPLES: &str = "\
Examples:
  # Keep one document per near-duplicate cluster, list the clusters
  dechaff dedup crawl/*.jsonl.gz -o unique.jsonl --clusters clusters.jsonl

  # Stricter threshold, every verified pair, a JSON report
  dechaff dedup corpus.jsonl -o unique.jsonl --threshold 0.9 --pairs pairs.jsonl --report run.json

  # Show the LSH parameters chosen for a threshold, and stop
  dechaff dedup --explain --threshold 0.7

  # Only the verified pairs (the kept documents are not written)
  dechaff dedup corpus.jsonl --pairs pairs.jsonl

  # Fail (exit 1) when a corpus contains near duplicates
  dechaff dedup corpus.jsonl --check

Exit codes: 0 success, 1 --check found duplicates, 2 usage or fatal error.";

/// How inputs are read.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files or directories; `-` reads JSON Lines from standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// JSON field holding the text.
    #[arg(long, default_value = "text", value_name = "FIELD")]
    pub text_field: String,
    /// JSON field holding the document id (when absent from a record: FILE:LINE).
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id_field: String,
    /// JSON field holding the source (outlet); when absent, the host of a `url` field.
    #[arg(long, default_value = "source", value_name = "FIELD")]
    pub source_field: String,
    /// Reject records (JSON lines, text files) larger than this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_DOC_BYTES, value_name = "BYTES")]
    pub max_doc_bytes: usize,
    /// What to do with a bad record: skip it and report it, or stop with exit code 2.
    #[arg(long, value_enum, default_value_t = OnErrorArg::Skip)]
    pub on_error: OnErrorArg,
    /// Write a JSON report of the run: counts per file, every error, settings.
    #[arg(long, value_name = "FILE")]
    pub report: Option<String>,
}

impl InputArgs {
    pub fn inputs(&self) -> Vec<Input> {
        self.inputs.iter().map(|s| Input::parse(s)).collect()
    }

    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            text_field: self.text_field.clone(),
            id_field: self.id_field.clone(),
            source_field: self.source_field.clone(),
            max_doc_bytes: self.max_doc_bytes,
        }
    }
}

/// `--on-error`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OnErrorArg {
    /// Report the bad record, count it, go on.
    Skip,
    /// Stop at the first bad record with exit code 2.
    Fail,
}

impl From<OnErrorArg> for OnError {
    fn from(a: OnErrorArg) -> OnError {
        match a {
            OnErrorArg::Skip => OnError::Skip,
            OnErrorArg::Fail => OnError::Fail,
        }
    }
}

/// How texts are fingerprinted.
#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// Tokens per shingle.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub ngram: usize,
    /// Shingle words or characters.
    #[arg(long, value_enum, default_value_t = ShingleArg::Words)]
    pub shingle: ShingleArg,
    /// MinHash slots per signature.
    #[arg(long, default_value_t = 128, value_name = "K")]
    pub num_perm: usize,
    /// Seed of every hash (results are identical on every machine for a given seed).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Paragraphs are lines, or runs of lines up to a blank line.
    #[arg(long, value_enum, default_value_t = SegmentArg::Lines)]
    pub paragraphs: SegmentArg,
}

impl FingerprintArgs {
    pub fn config(&self) -> FingerprintConfig {
        FingerprintConfig {
            shingle: ShingleConfig {
                kind: match self.shingle {
                    ShingleArg::Words => ShingleKind::Words,
                    ShingleArg::Chars => ShingleKind::Chars,
                },
                n: self.ngram,
                seed: self.seed,
            },
            minhash: MinHashConfig {
                num_perm: self.num_perm,
                seed: self.seed,
            },
            segment: match self.paragraphs {
                SegmentArg::Lines => SegmentMode::Lines,
                SegmentArg::BlankLines => SegmentMode::BlankLines,
            },
        }
    }
}

/// `--shingle`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ShingleArg {
    /// Word n-grams of the normalized text.
    Words,
    /// Character n-grams of the normalized text.
    Chars,
}

/// `--paragraphs`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SegmentArg {
    /// Every non-blank line is a paragraph.
    Lines,
    /// Every run of non-blank lines is a paragraph.
    BlankLines,
}

/// `dechaff dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where the kept documents go (JSON Lines, in id order); `-` for standard output. Without
    /// it (and with --pairs, --clusters, --removed, --report or --check) the near duplicates are
    /// found and reported, and the kept documents are not written.
    #[arg(short, long, value_name = "OUT.jsonl")]
    pub output: Option<String>,
    /// Write the clusters: {"cluster", "representative", "members": [{"id", "jaccard"}]}.
    #[arg(long, value_name = "FILE.jsonl")]
    pub clusters: Option<String>,
    /// Write every verified pair: {"a", "b", "jaccard"}.
    #[arg(long, value_name = "FILE.jsonl")]
    pub pairs: Option<String>,
    /// Write each removed document's id, location and the document kept in its place.
    #[arg(long, value_name = "FILE.jsonl")]
    pub removed: Option<String>,
    /// Documents with Jaccard similarity at or above this are near duplicates.
    #[arg(long, short = 't', default_value_t = 0.8, value_name = "J")]
    pub threshold: f64,
    /// Probability, guaranteed by the LSH parameters, that a pair exactly at the threshold is
    /// compared.
    #[arg(long, default_value_t = 0.95, value_name = "P")]
    pub min_recall: f64,
    /// Check candidates against the exact Jaccard of the shingle sets, or trust the MinHash
    /// estimate (less memory: shingle sets are not kept).
    #[arg(long, value_enum, default_value_t = VerifyArg::Exact)]
    pub verify: VerifyArg,
    /// Print the LSH bands and rows chosen and the candidate probability at a few
    /// similarities; without inputs, stop there.
    #[arg(long)]
    pub explain: bool,
    /// Exit with code 1 when near duplicates were found.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub fingerprint: FingerprintArgs,
}

/// `dechaff clean`.
#[derive(Debug, Args)]
pub struct CleanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where the kept documents go (JSON Lines, in id order, text cleaned); `-` for standard
    /// output.
    #[arg(short, long, value_name = "OUT.jsonl", required = true)]
    pub output: Option<String>,
    /// How readily paragraphs are removed.
    #[arg(long, value_enum, default_value_t = ModeArg::Balanced)]
    pub mode: ModeArg,
    /// Extra chrome phrases, one a line (matched case-insensitively as whole words; blank
    /// lines and lines starting with # are ignored), added to the default lexicon.
    #[arg(long, value_name = "FILE")]
    pub lexicon: Option<String>,
    /// Keep the in-body headline when it sits just before the article (the page title line is
    /// still removed).
    #[arg(long)]
    pub keep_title: bool,
    /// Write every paragraph's label: {"id", "paragraphs": [{"byte_start", "byte_end",
    /// "label", "reason", "score"}]}.
    #[arg(long, value_name = "FILE.jsonl")]
    pub annotations: Option<String>,
    /// Write each removed document's id, location and reason (near_duplicate, no_content).
    #[arg(long, value_name = "FILE.jsonl")]
    pub removed: Option<String>,
    /// Keep every document with content, near duplicates included.
    #[arg(long)]
    pub keep_duplicates: bool,
    /// Cleaned documents with Jaccard similarity at or above this are near duplicates.
    #[arg(long, short = 't', default_value_t = 0.8, value_name = "J")]
    pub threshold: f64,
    /// Turn signals off, to measure what they add (comma-separated: srcrep, nearrep,
    /// syndication, pagerep, lexicon, punct, stopwords, ellipsis, titlecase, menu, context,
    /// mainbody, headline).
    #[arg(long, value_name = "SIGNALS", hide = true)]
    pub disable: Option<String>,
}

/// `--mode`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    /// Keep more: never remove a sentence-like paragraph (sentence end, 6+ words) without
    /// evidence that it repeats on other pages of its source or in the page.
    Conservative,
    /// The default balance of precision and recall.
    Balanced,
    /// Remove more: stricter scores and main body, and teasers that repeat a longer paragraph
    /// of the page.
    Aggressive,
}

/// `--verify`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VerifyArg {
    /// Exact Jaccard of the shingle sets.
    Exact,
    /// MinHash estimate.
    Estimate,
}

impl DedupArgs {
    pub fn config(&self) -> DedupConfig {
        DedupConfig {
            fingerprint: self.fingerprint.config(),
            threshold: self.threshold,
            min_recall: self.min_recall,
            verification: match self.verify {
                VerifyArg::Exact => Verification::Exact,
                VerifyArg::Estimate => Verification::Estimate,
            },
            ..DedupConfig::default()
        }
    }
}

/// `dechaff overlap`.
#[derive(Debug, Args)]
pub struct OverlapArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where the pairs go (JSON Lines, by a then b id); `-` for standard output.
    #[arg(short, long, value_name = "PAIRS.jsonl")]
    pub output: String,
    /// Write reuse per pair of sources (documents, passages, bytes each way, who published
    /// first) as JSON; also printed as a Markdown table on stderr unless --summary-md is given.
    #[arg(long, value_name = "FILE.json")]
    pub summary: Option<String>,
    /// Write the per-source summary as a Markdown table.
    #[arg(long, value_name = "FILE.md")]
    pub summary_md: Option<String>,
    /// Write a standalone HTML report: source heat map, shared passages side by side.
    #[arg(long, value_name = "FILE.html")]
    pub html: Option<String>,
    /// Record field holding the document date (ISO 8601); tried before `published`.
    #[arg(long, default_value = "date", value_name = "FIELD")]
    pub date_field: String,
    /// Least length of each side of a shared passage, in bytes.
    #[arg(long, default_value_t = OverlapConfig::default().min_passage_bytes, value_name = "BYTES")]
    pub min_length: usize,
    /// Least similarity (cosine of weighted word vectors) of a shared passage.
    #[arg(long, default_value_t = OverlapConfig::default().min_similarity, value_name = "S")]
    pub min_similarity: f64,
    /// Most sentences between two matching sentences of one passage.
    #[arg(long, default_value_t = OverlapConfig::default().max_gap, value_name = "N")]
    pub max_gap: usize,
    /// Ignore word pairs held by more documents than this when looking for candidates.
    #[arg(long, default_value_t = OverlapConfig::default().candidate_max_df, value_name = "N")]
    pub max_df: usize,
    /// Count chrome paragraphs (navigation, share buttons, notices; judged page by page by the
    /// `clean` detector) as shared passages too. By default they are left out.
    #[arg(long)]
    pub no_chrome_mask: bool,
    /// Record field listing byte ranges of the text to leave out, as `[[start, end], ...]`
    /// (page chrome found by another tool, say). Ranges are clipped to the text.
    #[arg(long, value_name = "FIELD")]
    pub mask_field: Option<String>,
    /// Seed of every hash.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

impl OverlapArgs {
    pub fn config(&self) -> OverlapConfig {
        OverlapConfig {
            seed: self.seed,
            min_passage_bytes: self.min_length,
            min_similarity: self.min_similarity,
            max_gap: self.max_gap,
            candidate_max_df: self.max_df,
            ..OverlapConfig::default()
        }
    }

    pub fn date_fields(&self) -> Vec<String> {
        let mut v = vec![self.date_field.clone()];
        if self.date_field != "published" {
            v.push("published".into());
        }
        v
    }
}
