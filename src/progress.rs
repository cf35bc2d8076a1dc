//! Progress reporting without owning the terminal.
//!
//! Long jobs call a [`Progress`] as they go; the library's default, [`NoProgress`], does
//! nothing. The command-line front end draws bars on standard error from these calls.

/// Receives progress from a long job. Implementations must be cheap and thread-safe.
pub trait Progress: Sync {
    /// A new stage starts; `total` is its size in `unit`s when known.
    fn stage(&self, _name: &'static str, _total: Option<u64>, _unit: Unit) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The job is over.
    fn finish(&self) {}
    /// Whether the caller wants the job to stop (Ctrl-C). Jobs check it between batches and
    /// return [`Error::Interrupted`](crate::Error::Interrupted), leaving no output behind.
    fn cancelled(&self) -> bool {
        false
    }
}

/// The unit a stage counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of input.
    Bytes,
    /// Items (documents, pairs).
    Items,
}

/// A [`Progress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
