//! `run`: load the spec and the cases, reach the target (the embedded emulator by default),
//! print the preflight line, run, write the reports and print the summary.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::progress::ProgressDisplay;
use super::session::{self, Reached};
use super::{CliError, EXIT_INTERRUPTED, RunArgs, Verdict, init_logging_at, runtime};
use crate::report;
use crate::run::preflight::Preflight;
use crate::run::{self, Progress, ProgressEvent};

/// Fails (exit 1) when a case failed. Exit 2, with the reports written, when the run was
/// interrupted (the cases it skipped were never judged) or judged nothing at all (every case
/// skipped): neither may look like a pass to a CI gate.
pub(super) fn run(args: RunArgs) -> Result<Verdict, CliError> {
    init_logging_at("warn");
    let loaded = session::load(&args, "run")?;
    let interrupt = Arc::new(AtomicBool::new(false));
    runtime().block_on(async move {
        watch_ctrl_c(interrupt.clone());
        let reached = session::reach(&args, "run", Some(interrupt.clone())).await?;
        let preflight = loaded.plan.preflight(&reached.facts, &reached.opts);
        eprintln!("{}", preflight_line(&reached, &preflight));
        let display = ProgressDisplay::new();
        let progress: Progress = {
            let display = display.clone();
            Arc::new(move |e: ProgressEvent<'_>| display.event(e))
        };
        // Spooled: each result leaves memory as its case ends (see `report::store`).
        let report = run::run_spooled(
            loaded.spec,
            loaded.plan,
            reached.opts.clone(),
            Some(progress),
        )
        .await;
        display.finish();
        reached.shutdown().await;
        let (report, results) = report.map_err(|e| CliError::cannot("run", e))?;
        report::write_all_from(&args.report_dir, &report, &results).map_err(|e| {
            CliError::cannot(
                "run",
                format!(
                    "cannot write the reports to {}: {e}",
                    args.report_dir.display()
                ),
            )
        })?;
        let summary =
            report::text::summary_from(&report, &results, &args.report_dir.display().to_string())
                .map_err(|e| {
                CliError::cannot("run", format!("cannot read the run's results back: {e}"))
            })?;
        out!("{summary}");
        let s = &report.summary;
        if report.interrupted {
            Err(CliError::Interrupted)
        } else if report.summary.has_failures() {
            Ok(Verdict::Failed)
        } else if s.passed == 0 {
            Err(CliError::cannot(
                "run",
                format!(
                    "nothing was judged: all {} selected case(s) were skipped (reasons above; \
                     `ontap-conform doctor` with the same flags explains them before a run)",
                    s.skipped
                ),
            ))
        } else {
            Ok(Verdict::Passed)
        }
    })
}

/// The preflight in one or two lines: what is tested, as whom, and what will be skipped.
pub(super) fn preflight_line(reached: &Reached, p: &Preflight) -> String {
    let f = &reached.facts;
    let version = f
        .version_text
        .as_deref()
        .map(|v| {
            if v.starts_with("NetApp") {
                v.to_string()
            } else {
                format!("ONTAP {v}")
            }
        })
        .unwrap_or_else(|| "ONTAP version unknown".into());
    let svm = f
        .svms
        .first()
        .map(|(n, _)| format!(", SVM {n}"))
        .unwrap_or_else(|| ", no SVM visible".into());
    format!(
        "preflight: {} ({version}) as `{}`, role {}{svm}, {} mode\npreflight: {} case(s): {}; about {} requests",
        reached.shown(),
        f.account.user,
        f.account.describe(),
        reached.opts.mode().as_str(),
        p.selected,
        p.counts(),
        p.requests,
    )
}

/// The first Ctrl-C stops the run gently (running cases finish their teardown, so nothing is
/// left on the cluster); a second one exits at once, for a teardown that hangs.
fn watch_ctrl_c(flag: Arc<AtomicBool>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        flag.store(true, Ordering::SeqCst);
        eprintln!(
            "interrupted: finishing the running cases' teardowns, then writing the reports (Ctrl-C again to exit now)"
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("interrupted twice: exiting without teardown or reports");
            std::process::exit(EXIT_INTERRUPTED);
        }
    });
}
