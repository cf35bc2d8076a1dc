//! Integration tests: one binary, run against the `dechaff` executable and the library.
#![allow(clippy::print_stderr, clippy::print_stdout)]
//!
//! * `util` — temporary directories and a command runner.
//! * `dedup` — `dechaff dedup` end to end: outputs, formats, exit codes.
//! * `determinism` — byte-identical outputs whatever the input order or thread count.
//! * `overlap` — `dechaff overlap` on the example corpus, determinism of its outputs.
//! * `reuters` — every exact-duplicate group of Reuters-21578 ends in one cluster (needs
//!   `../shared/`, skipped without it).

mod dedup;
mod determinism;
mod overlap;
mod reuters;
mod util;
