//! The `dechaff` command: parse the arguments, run, map the outcome to an exit code.
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

/// Records are allocated on the reader thread and freed on the workers; mimalloc handles that
/// pattern without the arena growth and trimming that cost glibc malloc ~10% of a run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long mimalloc waits before it returns freed memory to the OS, in milliseconds (its
/// default is 10). Returning a part of a 2 MB transparent huge page splits it, and the memory
/// is then faulted back in 4 KiB pages when it is used again: on the development text that
/// was ~300 page faults and ~10 % of a `clean` run. A second still returns memory freed by a
/// long run.
const PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// `mi_option_purge_delay` in mimalloc v2's `mi_option_e` (`include/mimalloc.h` of
/// libmimalloc-sys 0.1.49, pinned in Cargo.toml): the crate names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the allocator's purge delay in milliseconds (`-1`: never purge); the only unsafe code
/// of dechaff (the library forbids it).
#[allow(unsafe_code)]
fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: `mi_option_set` only stores an integer option of mimalloc (the global allocator
    // here); it may be called at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
}

fn main() -> ExitCode {
    set_purge_delay(PURGE_DELAY_MS);
    let code = run();
    // At exit mimalloc collects its heap and returns every free page to the OS (`madvise`,
    // which also splits the huge pages they are part of): ~0.3 ms of kernel time on the
    // development text, for memory the process is about to give back whole. Purging is
    // switched off from here on (mimalloc checks the option at each purge).
    set_purge_delay(-1);
    code
}

/// Runs the command and maps its outcome to an exit code.
fn run() -> ExitCode {
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
