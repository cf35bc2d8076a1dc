//! dechaff separates the wheat from the chaff in scraped text corpora.
#![deny(unsafe_code)]

pub mod corpus;
pub mod error;

pub use error::{Error, Result};
#[cfg(feature = "cli")]
pub mod cli;
pub mod cluster;
pub mod dedup;
pub mod fingerprint;
pub mod jobs;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod output;
pub mod overlap;
pub mod progress;
pub mod shingle;
