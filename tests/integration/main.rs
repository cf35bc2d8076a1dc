//! Integration tests: one binary, run against the `dechaff` executable and the library.
//!
//! * `util` — temporary directories and a command runner.
//! * `clean` — `dechaff clean` end to end on the example corpus and the seed pages.
//! * `dedup` — `dechaff dedup` end to end: outputs, formats, exit codes.
//! * `determinism` — byte-identical outputs whatever the input order or thread count.
//! * `faults` — bad input, interrupts and closed pipes: every document accounted for.
//! * `overlap` — `dechaff overlap` on the example corpus, determinism of its outputs.
//! * `reuters` — every exact-duplicate group of Reuters-21578 ends in one cluster (needs
//!   `../shared/`, skipped without it).

// Skipped tests say why on standard error.
#![allow(clippy::print_stderr)]

mod clean;
mod dedup;
mod determinism;
mod faults;
mod overlap;
mod reuters;
mod util;
