//! The `dechaff` command: parse the arguments, run, map the outcome to an exit code.
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

/// Records are allocated on the reader thread and freed on the workers; mimalloc handles that
/// pattern without the arena growth and trimming that cost glibc malloc ~10% of a run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v2's `mi_option_e` (`include/mimalloc.h` of
/// libmimalloc-sys 0.1.49, pinned in Cargo.toml): the crate names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the allocator's purge delay in milliseconds (`-1`: never purge). With
/// [`disable_transparent_huge_pages`], the only unsafe code of dechaff (the library forbids it).
#[allow(unsafe_code)]
fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: `mi_option_set` only stores an integer option of mimalloc (the global allocator
    // here); it may be called at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
}

/// Switches transparent huge pages off for this process (`prctl(PR_SET_THP_DISABLE)`, what
/// mimalloc does itself when started with `MIMALLOC_ALLOW_THP=0`; the kernel checks the flag at
/// each page fault, so it also covers memory mimalloc mapped before `main`). mimalloc asks for
/// huge pages on its whole arena (`madvise(MADV_HUGEPAGE)`), and the first touch of each
/// 2 MiB then clears (and, on a virtual machine, has the host back) all of it. Measured on
/// the 2-core VM of the benchmarks, runs 1-3 s apart: `clean -j 1` on the development text
/// (3.1 MB) 0.08-0.11 s wall with huge pages (0.04-0.07 s of it system time, 14 huge-page
/// faults) against 0.05-0.06 s without; on 49 MB 1.20-1.40 s against 1.01-1.09 s; on
/// 415 MB equal within noise (peak RSS the same). Only back-to-back runs, which reuse huge
/// pages the last run just freed, were faster with them.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn disable_transparent_huge_pages() {
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of this process; it
    // takes no pointers. A failure (an old kernel) leaves huge pages as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1 as libc::c_ulong, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn disable_transparent_huge_pages() {}

fn main() -> ExitCode {
    disable_transparent_huge_pages();
    // mimalloc's purge delay stays at its default while the command runs (10 ms, or
    // `MIMALLOC_PURGE_DELAY`): memory freed in one stage goes back to the OS before the next
    // stage's peak. Against the 1 s set here before (chosen while huge pages were on, when
    // each return split one), this lowers the peak RSS of `clean` by 16-21 % (huge pages off,
    // medians: 49 MB of input 281 -> 223 MiB, 415 MB 1,476 -> 1,245 MiB) for the same time;
    // the development text's run is too short to purge either way. An immediate purge (0)
    // cut 415 MB's peak to ~1.0 GB but cost 15 % of its time.
    let code = run();
    // At exit mimalloc collects its heap and returns every free page to the OS (`madvise`):
    // kernel time (~0.3 ms on the development text, measured with huge pages on) for memory
    // the process is about to give back whole. Purging is switched off from here on
    // (mimalloc checks the option at each purge).
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
