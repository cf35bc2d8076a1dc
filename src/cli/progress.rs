//! Progress bars on standard error, drawn only when it is a terminal.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::{Progress, Unit};

/// Set by the Ctrl-C handler: the running job stops at its next check and removes its
/// temporary files.
static CANCELLED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler: the first Ctrl-C asks the job to stop cleanly (exit code 130,
/// no output left behind), a second one exits at once. Both are done in the signal handler
/// itself (no handler thread: a thread's first allocation takes a fresh allocator heap, about
/// 1 ms of a run).
pub fn install_interrupt_handler() {
    use signal_hook::consts::SIGINT;
    #[cfg(windows)]
    let signals = [SIGINT, signal_hook::consts::SIGBREAK];
    #[cfg(not(windows))]
    let signals = [SIGINT];
    for signal in signals {
        // The exit is registered first, so that it sees the flag as an earlier Ctrl-C left it.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, &CANCELLED);
        let _ = signal_hook::flag::register(signal, &CANCELLED);
    }
}

/// Draws the library's progress calls as one indicatif bar.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar, hidden when `quiet` or when standard error is not a terminal.
    pub fn new(quiet: bool) -> Bar {
        let show = !quiet && std::io::stderr().is_terminal();
        Bar {
            bar: show.then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())),
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &'static str, total: Option<u64>, unit: Unit) {
        let Some(bar) = &self.bar else { return };
        bar.reset();
        bar.set_length(total.unwrap_or(0));
        let template = match (total.is_some(), unit) {
            (true, Unit::Bytes) => {
                "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
            }
            (true, Unit::Items) => "{msg:>10} [{bar:30}] {human_pos}/{human_len} eta {eta}",
            (false, Unit::Bytes) => "{msg:>10} {spinner} {bytes} {bytes_per_sec}",
            (false, Unit::Items) => "{msg:>10} {spinner} {human_pos}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name);
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn cancelled(&self) -> bool {
        CANCELLED.load(Ordering::Relaxed)
    }
}
