//! Walking the inputs and cutting them into raw records.

use super::{Input, RawItem, ReadOptions};

/// Reads inputs in order (directories walked recursively, entries sorted by name) and yields
/// raw records and per-file errors.
pub struct CorpusReader {
    _private: (),
}

impl CorpusReader {
    /// Creates a reader over the inputs.
    pub fn new(inputs: Vec<Input>, opts: ReadOptions) -> CorpusReader {
        let _ = (inputs, opts);
        todo!("helper implements")
    }
}

impl Iterator for CorpusReader {
    type Item = RawItem;
    fn next(&mut self) -> Option<RawItem> {
        todo!("helper implements")
    }
}
