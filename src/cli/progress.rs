//! The display while `run` runs: a bar on a terminal; without one (CI), one line per failing
//! case as it fails and a progress line every few seconds, so a long run's log shows both
//! trouble and life before the end.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::report;
use crate::report::model::Outcome;
use crate::run::ProgressEvent;

/// How often a run without a terminal says how far it is. A CI log viewer that shows nothing
/// for a minute looks hung; one line per case would bury the failures in a long run.
const TICK: Duration = Duration::from_secs(5);

/// Counts shared with the ticker thread.
#[derive(Default)]
struct Counts {
    total: AtomicUsize,
    done: AtomicUsize,
    failed: AtomicUsize,
    skipped: AtomicUsize,
    finished: AtomicBool,
    /// Wakes the ticker at once when the run ends.
    stop: (Mutex<()>, Condvar),
}

/// Progress while cases run; see the module's doc.
#[derive(Clone)]
pub(super) struct ProgressDisplay {
    bar: Option<indicatif::ProgressBar>,
    counts: Arc<Counts>,
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
        let counts = Arc::new(Counts::default());
        if bar.is_none() {
            let counts = counts.clone();
            std::thread::spawn(move || tick(&counts));
        }
        ProgressDisplay { bar, counts }
    }

    pub(super) fn event(&self, e: ProgressEvent<'_>) {
        let c = &self.counts;
        match (e, &self.bar) {
            (ProgressEvent::Selected(n), bar) => {
                c.total.store(n, Ordering::SeqCst);
                if let Some(bar) = bar {
                    bar.set_length(n as u64);
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
            }
            (ProgressEvent::Finished(r), bar) => {
                let failed = r.outcome.is_failing();
                c.done.fetch_add(1, Ordering::SeqCst);
                if r.outcome == Outcome::Skip {
                    c.skipped.fetch_add(1, Ordering::SeqCst);
                }
                if failed {
                    c.failed.fetch_add(1, Ordering::SeqCst);
                }
                match bar {
                    Some(bar) => {
                        if failed {
                            bar.println(report::text::fail_line(r));
                            bar.set_message(format!("{} failed", c.failed.load(Ordering::SeqCst)));
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
        self.counts.finished.store(true, Ordering::SeqCst);
        self.counts.stop.1.notify_all();
    }
}

/// The ticker of a run without a terminal: a line every [`TICK`] until the run finishes.
fn tick(c: &Counts) {
    let started = Instant::now();
    let (lock, wake) = &c.stop;
    let mut guard = lock.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        guard = wake
            .wait_timeout(guard, TICK)
            .map(|(g, _)| g)
            .unwrap_or_else(|p| p.into_inner().0);
        if c.finished.load(Ordering::SeqCst) {
            return;
        }
        eprintln!("{}", line(c, started.elapsed()));
    }
}

/// `progress: 40/98 cases done (2 failed, 5 skipped), 15 s`.
fn line(c: &Counts, elapsed: Duration) -> String {
    format!(
        "progress: {}/{} cases done ({} failed, {} skipped), {} s",
        c.done.load(Ordering::SeqCst),
        c.total.load(Ordering::SeqCst),
        c.failed.load(Ordering::SeqCst),
        c.skipped.load(Ordering::SeqCst),
        elapsed.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_counts() {
        let c = Counts::default();
        c.total.store(98, Ordering::SeqCst);
        c.done.store(40, Ordering::SeqCst);
        c.failed.store(2, Ordering::SeqCst);
        c.skipped.store(5, Ordering::SeqCst);
        assert_eq!(
            line(&c, Duration::from_secs(15)),
            "progress: 40/98 cases done (2 failed, 5 skipped), 15 s"
        );
    }
}
