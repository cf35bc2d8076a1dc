//! How do results leave the process?
//!
//! * [`AtomicFile`]: every output is written to a temporary file in the destination's
//!   directory and renamed over the final name only when the whole run succeeded, so a failed
//!   or interrupted run never leaves a half-written file under that name.
//! * [`RecordStore`]: each document's JSON record (or where it is in its input file) while the
//!   corpus is analysed, held in memory up to a budget and past it in an anonymous spill file,
//!   so that memory does not grow with the text read and outputs can be written in a
//!   content-defined order at the end.
//! * [`schema`]: the serialize-only types of every JSON output — the specification of the
//!   output formats, versioned by [`schema::SCHEMA_VERSION`].

mod atomic;
pub(crate) mod json;
pub mod schema;
mod store;

pub use atomic::{AtomicFile, Destination, OutputWriter};
pub use store::{RecordRef, RecordStore, DEFAULT_MEMORY_BUDGET};
