//! `run`: load the spec and the cases, pick the target (the embedded emulator by default), run,
//! write the reports and print the summary.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::conn::password_from_env;
use super::progress::ProgressDisplay;
use super::{CliError, EXIT_INTERRUPTED, RunArgs, Verdict, init_logging_at, runtime};
use crate::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use crate::report::{self, model::Mode};
use crate::run::{self, Progress, ProgressEvent, RunOptions};
use crate::secret::Secret;
use crate::spec::Spec;

pub use crate::run::DEFAULT_JOBS;

/// Fails (exit 1) when a case failed; an interrupted run is exit 2 even with its reports
/// written, since the cases it skipped were never judged.
pub(super) fn run(args: RunArgs) -> Result<Verdict, CliError> {
    init_logging_at("warn");
    let spec = Spec::load(args.spec.as_deref()).and_then(|s| s.with_overlays(&args.spec_overlay));
    let spec = spec.map_err(|diags| CliError::Spec {
        then: Some(format!(
            "run: the spec has {} problem(s); nothing was run",
            diags.0.len()
        )),
        diags,
    })?;
    let spec = Arc::new(spec);
    let cases = args
        .cases
        .plan(&spec, &args.filter, args.partition)
        .map_err(|diags| CliError::Cases {
            then: format!(
                "run: {} problem(s) in the case files; nothing was run",
                diags.0.len()
            ),
            diags,
        })?;
    let client = args.conn.client().map_err(|e| CliError::cannot("run", e))?;
    let jobs = args.jobs.unwrap_or(DEFAULT_JOBS);
    let interrupt = Arc::new(AtomicBool::new(false));
    runtime().block_on(async move {
        watch_ctrl_c(interrupt.clone());
        // The embedded emulator lives as long as the run.
        let mut emulator = None;
        let (target, user, password) = match &args.target {
            Some(t) => {
                let p = password_from_env(&args.conn.user, t)
                    .map_err(|e| CliError::cannot("run", e))?;
                (t.clone(), args.conn.user.clone(), p)
            }
            None => {
                let e = Emulator::start(
                    "127.0.0.1:0".parse().expect("a literal address"),
                    EmulatorConfig::default(),
                )
                .await
                .map_err(|e| {
                    CliError::cannot("run", format!("cannot start the embedded emulator: {e}"))
                })?;
                let url = e.base_url();
                emulator = Some(e);
                (url, ADMIN_USER.to_string(), Secret::new(ADMIN_PASSWORD))
            }
        };
        let opts = RunOptions {
            embedded: emulator.is_some(),
            allow_destructive: args.allow_destructive,
            jobs,
            filter: args.filter.clone(),
            job_timeout: Duration::from_secs(args.job_timeout.max(1)),
            ontap_version: args.ontap_version.clone(),
            partition: args.partition,
            interrupt: Some(interrupt.clone()),
            mode: match (args.strict, args.lenient) {
                (true, _) => Some(Mode::Strict),
                (_, true) => Some(Mode::Lenient),
                _ => None,
            },
            record: args.record.clone(),
            generated_seed: args.cases.generated.then_some(args.cases.seed),
            ..RunOptions::new(target, user, password, client)
        };
        let display = ProgressDisplay::new();
        let progress: Progress = {
            let display = display.clone();
            Arc::new(move |e: ProgressEvent<'_>| display.event(e))
        };
        // Spooled: each result leaves memory as its case ends (see `report::store`).
        let report = run::run_spooled(spec, cases, opts, Some(progress)).await;
        display.finish();
        let (report, results) = report.map_err(|e| CliError::cannot("run", e))?;
        if let Some(e) = emulator {
            e.shutdown().await;
        }
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
        print!("{summary}");
        if report.interrupted {
            Err(CliError::Interrupted)
        } else if report.summary.has_failures() {
            Ok(Verdict::Failed)
        } else {
            Ok(Verdict::Passed)
        }
    })
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
