//! The display while `run` runs: a bar on a terminal, one line per failing case in CI.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::report;
use crate::run::ProgressEvent;

/// Progress while cases run: a bar on a terminal, and in CI (no terminal) one line per failing
/// case, as it fails, so a long run's log shows trouble before the end.
#[derive(Clone)]
pub(super) struct ProgressDisplay {
    bar: Option<indicatif::ProgressBar>,
    failed: Arc<std::sync::atomic::AtomicUsize>,
}

impl ProgressDisplay {
    pub(super) fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            // Hidden until the run says how many cases it selected, so it never shows 0/0.
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(0),
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} cases, {msg} [{elapsed}]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("0 failed");
            bar
        });
        ProgressDisplay {
            bar,
            failed: Arc::default(),
        }
    }

    pub(super) fn event(&self, e: ProgressEvent<'_>) {
        match (e, &self.bar) {
            (ProgressEvent::Selected(n), Some(bar)) => {
                bar.set_length(n as u64);
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            (ProgressEvent::Selected(_), None) => {}
            (ProgressEvent::Finished(r), bar) => {
                let failed = r.outcome.is_failing();
                match bar {
                    Some(bar) => {
                        if failed {
                            bar.println(report::text::fail_line(r));
                            let n = self.failed.fetch_add(1, Ordering::SeqCst) + 1;
                            bar.set_message(format!("{n} failed"));
                        }
                        bar.inc(1);
                    }
                    None if failed => eprintln!("{}", report::text::fail_line(r)),
                    None => {}
                }
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
