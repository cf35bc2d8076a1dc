//! The `dechaff` command: parse the arguments, run, map the outcome to an exit code.
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

/// Records are allocated on the reader thread and freed on the workers; mimalloc handles that
/// pattern without the arena growth and trimming that cost glibc malloc ~10% of a run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match dechaff::cli::run() {
        Ok(code) => code,
        Err(err) => {
            if dechaff::cli::is_broken_pipe(&err) {
                // `dechaff … | head`: the reader went away; that is not a failure.
                return ExitCode::SUCCESS;
            }
            if dechaff::cli::is_interrupted(&err) {
                eprintln!("dechaff: interrupted; no output was written");
                return ExitCode::from(dechaff::cli::EXIT_INTERRUPTED);
            }
            eprintln!("dechaff: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(dechaff::cli::EXIT_ERROR)
        }
    }
}
