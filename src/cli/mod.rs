//! The command-line front end: the only place that knows clap, terminals and exit codes.
//!
//! Arguments are parsed into clap structs ([`args`]), resolved into the library's
//! configuration types, and handed to a job in [`crate::jobs`]. Summaries go to standard
//! error; data goes to files or, with `-o -`, to standard output.
#![allow(clippy::print_stderr)]

mod args;
mod clean;
mod dedup;
mod overlap;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use args::Cli;

/// Exit code: success (bad records skipped with `--on-error skip` still count as success; the
/// summary reports them).
pub const EXIT_OK: u8 = 0;
/// Exit code: a check requested with `--check` failed (for `dedup`: near duplicates found).
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code: usage error or fatal error (including the first bad record with
/// `--on-error fail`, and an input path that does not exist).
pub const EXIT_ERROR: u8 = 2;
/// Exit code: interrupted by Ctrl-C; no output was written.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return Ok(ExitCode::from(code));
        }
    };
    // This thread is one of the pool's: `-j 1` starts no thread, `-j N` starts N - 1 (a thread
    // and its allocator heap cost more to start than a small corpus takes to clean). The jobs
    // never block a pool thread on work only the pool can do (reader and writer threads are
    // plain threads), so this thread waiting on them cannot starve the pool.
    let mut pool = rayon::ThreadPoolBuilder::new().use_current_thread();
    if let Some(n) = cli.global.threads {
        pool = pool.num_threads(n);
    }
    pool.build_global()
        .map_err(|e| anyhow::anyhow!("cannot start the thread pool: {e}"))?;
    progress::install_interrupt_handler();
    match cli.command {
        args::Command::Dedup(a) => dedup::run(&cli.global, a),
        args::Command::Clean(a) => clean::run(&cli.global, a),
        args::Command::Overlap(a) => overlap::run(&cli.global, a),
    }
}

/// True when `err` is, anywhere in its chain, an interruption by Ctrl-C.
pub fn is_interrupted(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        matches!(
            c.downcast_ref::<crate::Error>(),
            Some(crate::Error::Interrupted)
        )
    })
}

/// Checks that every input named on the command line exists: a mistyped path is a usage
/// error, found before any work is done.
pub(crate) fn check_inputs(inputs: &[String]) -> anyhow::Result<()> {
    for i in inputs {
        if i != "-" && std::fs::symlink_metadata(i).is_err() && std::fs::metadata(i).is_err() {
            anyhow::bail!("input not found: {i}");
        }
    }
    Ok(())
}

/// True when `err` is, anywhere in its chain, a closed pipe on output.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<crate::Error>()
                .is_some_and(crate::Error::is_broken_pipe)
    })
}

/// Lists the first five errors of a run on standard error (the report has them all).
pub(crate) fn print_errors(r: &crate::output::schema::Report) {
    for e in r.errors.iter().take(5) {
        let line = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        eprintln!("  {}{}: {}", e.path, line, e.message);
    }
    if r.errors.len() > 5 {
        eprintln!("  … and {} more (see --report)", r.errors.len() - 5);
    }
}

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
