//! dechaff separates the wheat from the chaff in scraped text corpora.
//!
//! A MinHash/shingle engine fingerprints every paragraph of every document; with those
//! fingerprints dechaff strips page chrome ([`boilerplate`], `dechaff clean`), finds
//! near-duplicate documents ([`dedup`], `dechaff dedup`) and reports passages that outlets
//! share. Results are deterministic — independent of input order, thread count and machine —
//! and every document is accounted for.
//!
//! # Brief overview
//!
//! The modules follow the pipeline:
//!
//! | module | question |
//! |---|---|
//! | [`corpus`] | What is a document and where does it come from? (JSON Lines, text files, gzip/zstd, bad records as typed errors) |
//! | [`normalize`] | What text do we compare? (normalization; [`normalize::segment`]: paragraphs with UTF-8 byte spans) |
//! | [`shingle`], [`minhash`], [`fingerprint`] | How do we fingerprint a text? (seeded xxh3 shingles; one-permutation MinHash with optimal densification) |
//! | [`lsh`] | Which pairs are worth comparing? (bands × rows from a threshold, with a stated recall) |
//! | [`cluster`], [`dedup`] | Which documents are the same? (exact verification, union-find, deterministic representatives) |
//! | [`boilerplate`] | What is page chrome? (repetition within a source, shape, context, in-page repeats) |
//! | [`jobs`] | Whole-corpus runs: read in parallel, spill records, write outputs atomically |
//! | [`output`] | How do results leave the process? (atomic files, the JSON output schema) |
//!
//! The library never prints and never exits; it returns [`Error`] for failures that stop an
//! operation and reports bad records as [`corpus::RecordError`]s. Every worker type is built
//! from a configuration value, holds no global state and is `Send + Sync`, and the stages of
//! each job (fingerprint, candidates, verify, label) take plain slices, so they can run on
//! batches in a distributed engine.
//!
//! # Example: near duplicates, stage by stage
//!
//! ```
//! use dechaff::dedup::{label, DedupConfig, Deduper};
//!
//! let deduper = Deduper::new(DedupConfig::default())?;
//! let story = "The harbour board voted on Tuesday to deepen the main channel of the port, \
//!              which has been silting up for years, at a cost of four million.";
//! let texts = [story.to_owned(), story.replace("four", "4"), "Something else entirely.".to_owned()];
//! let mut fps: Vec<_> = texts.iter().map(|t| deduper.fingerprint(t)).collect(); // any thread
//! let candidates = deduper.candidates(&fps);
//! let pairs = deduper.verify(&mut fps, &candidates); // exact Jaccard >= 0.8
//! assert_eq!((pairs[0].a, pairs[0].b), (0, 1));
//! let lens: Vec<usize> = texts.iter().map(String::len).collect();
//! let clusters = label(texts.len(), &pairs, &lens);
//! assert_eq!(clusters[0].members, vec![0, 1]);
//! # Ok::<(), dechaff::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod boilerplate;
#[cfg(feature = "cli")]
pub mod cli;
pub mod cluster;
pub mod corpus;
pub mod dedup;
pub mod error;
pub mod fingerprint;
pub mod jobs;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod output;
pub mod overlap;
pub mod progress;
pub mod shingle;
mod sort;

pub use error::{Error, Result};
