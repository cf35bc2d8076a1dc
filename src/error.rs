//! Errors the library returns.
//!
//! Two kinds of failure are kept apart:
//!
//! * [`Error`] stops an operation: an input that cannot be opened, an output that cannot be
//!   written, a configuration that makes no sense.
//! * [`RecordError`](crate::corpus::RecordError) is one bad record inside an input (a malformed
//!   JSON line, a missing text field). Readers report it and go on; the caller decides whether
//!   to stop (`--on-error fail`) or to count it and continue.

use std::io;
use std::path::PathBuf;

/// The result type of fallible library calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error that stops an operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on a named file or directory.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved (`-` for standard input or output).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A configuration value is out of range or inconsistent with another one.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A bad record was met while the caller asked to stop at the first one.
    #[error("{0}")]
    Record(#[from] crate::corpus::RecordError),
    /// The caller cancelled the job (see [`Progress::cancelled`](crate::progress::Progress)).
    /// No output was written under its final name.
    #[error("interrupted; no output was written")]
    Interrupted,
    /// Serializing an output record failed.
    #[error("cannot serialize output: {0}")]
    Serialize(#[from] serde_json::Error),
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the error is a closed pipe on output (`dechaff … | head`): the reader went
    /// away, which is not a failure of the run.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}
