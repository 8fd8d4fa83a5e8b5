//! Executing cases against a target: variables, requests, captures, job polling, emulator
//! conditions, teardown, and concurrency with isolation.
//!
//! The runner produces a [`CaseResult`] per case; it knows nothing of report formats. Everything
//! it stores passes through the case's [`Redactor`](crate::secret::Redactor) first. It executes
//! the typed plan the loader compiled; `run_spooled` (the CLI's) holds where each case is rather
//! than its plan and loads it at its turn, and hands each result to a spool as the case ends,
//! so memory does not grow with the suite. One file per stage:
//!
//! - [`select`]: which cases run (`--filter`, `--partition`); `pending`: the selected cases until
//!   their turn, and what they lock;
//! - [`target`]: the base URL, account and client every request is built from; [`http`] sends;
//! - [`probe`]: what the target is, before the first case;
//! - `case_run`: one case's lifecycle (vars, secrets, setup, conditions, steps, teardown);
//! - `step`: one step as prepare → send → judge → capture → record;
//! - `job`: following a job to its end; `conditions`: the emulator's conditions around a case;
//! - [`cleanup`]: `ontap-conform cleanup`.

mod case_run;
pub mod cleanup;
mod conditions;
pub mod env;
pub mod http;
mod job;
mod judge;
mod pending;
pub mod preflight;
mod probe;
pub mod record;
pub mod role;
pub mod schedule;
pub mod select;
mod step;
pub mod target;
mod walk;

pub use case_run::covers;
pub use pending::{Pending, Plan};
pub use probe::probe_target;
pub use select::{Partition, PartitionKind, Selector, matches_filter, select};
pub use target::Target;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::case::Case;
use crate::report::coverage;
use crate::report::model::{CaseResult, Mode, RunReport, SCHEMA_VERSION, Schedule};
use crate::report::store::Spool;
use crate::secret::Secret;
use crate::spec::{Spec, Version};
use http::ClientOptions;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Base URL of the target (`https://cluster.example.com`).
    pub target: String,
    /// The target is the embedded emulator this process started.
    pub embedded: bool,
    pub user: String,
    pub password: Secret,
    pub client: ClientOptions,
    /// Run cases marked `destructive` against a real cluster.
    pub allow_destructive: bool,
    pub jobs: usize,
    /// Ids, tags, areas or operation substrings; a case runs if it matches any (all when empty).
    pub filter: Vec<String>,
    pub job_timeout: Duration,
    /// Overrides the version the target reports.
    pub ontap_version: Option<String>,
    /// Run only this share of the selected cases.
    pub partition: Option<Partition>,
    /// What a previous [`probe_target`] learned: a harness that calls [`run`] once per case (as
    /// `tests/conformance.rs` does) probes once instead of three GETs per case.
    pub facts: Option<TargetFacts>,
    /// Set (by a Ctrl-C handler) to stop the run: cases not started are skipped, running cases
    /// stop after their current step and still run their teardown.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// How hard conventions are held; `None` means strict against the embedded emulator (it is
    /// ours, so it must keep them) and lenient against any other target (a correct cluster must
    /// not fail for a choice of this suite's).
    pub mode: Option<Mode>,
    /// Write every exchange of the run under this directory (`run --record`).
    pub record: Option<PathBuf>,
    /// The seed of the generated checks among the cases, for the report.
    pub generated_seed: Option<u64>,
    /// The SVM (name or UUID) the cases' `{{svm.*}}` name, where their throwaway objects go;
    /// the first by name when `None`.
    pub svm: Option<String>,
}

impl RunOptions {
    /// The mode in force: the one asked for, else the target's default.
    pub fn mode(&self) -> Mode {
        self.mode.unwrap_or(if self.embedded {
            Mode::Strict
        } else {
            Mode::Lenient
        })
    }

    /// Options for `target` with the defaults of `ontap-conform run`: read-only, one case at a
    /// time, every case, jobs given two minutes.
    pub fn new(target: String, user: String, password: Secret, client: ClientOptions) -> Self {
        RunOptions {
            target,
            embedded: false,
            user,
            password,
            client,
            allow_destructive: false,
            jobs: 1,
            filter: Vec::new(),
            job_timeout: Duration::from_secs(120),
            ontap_version: None,
            partition: None,
            facts: None,
            interrupt: None,
            mode: None,
            record: None,
            generated_seed: None,
            svm: None,
        }
    }
}

/// Why a run could not be made (exit 2), as opposed to cases failing (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot reach the target {target}: {message}")]
    Unreachable { target: String, message: String },
    #[error(
        "the target {target} refused the credentials of `{user}` (HTTP {status}); set ONTAP_PASSWORD and --user"
    )]
    Credentials {
        target: String,
        user: String,
        status: u16,
    },
    #[error(
        "the target {target} does not answer like ONTAP: {message}; is it the cluster management address?"
    )]
    NotOntap { target: String, message: String },
    #[error("{0}")]
    Config(String),
}

/// What the runner learned about the target before running cases.
#[derive(Debug, Clone, Default)]
pub struct TargetFacts {
    pub version: Option<Version>,
    pub version_text: Option<String>,
    pub cluster_name: Option<String>,
    pub cluster_uuid: Option<String>,
    /// (name, uuid) of the SVMs the account sees: the one the cases use first (`--svm`), the
    /// rest by name.
    pub svms: Vec<(String, String)>,
    /// The emulator's control surface answers: conditions can be set.
    pub emulator_control: bool,
    /// The run's account and what its role may do.
    pub account: role::Account,
    /// Why the cluster's own record could not be read, when it could not (an SVM account may
    /// not read it): the version is then unknown unless `--ontap-version` says.
    pub cluster_unreadable: Option<String>,
}

/// Cases in flight at once by default. The runner waits on the network, not the CPU, so the
/// core count is the wrong measure: against a target answering in 100 ms, 16 finish the shipped
/// suite within 1.2 x its critical path, and with the generated checks within 1.35 x
/// (`scripts/bench/latency.sh`), where the requests to send, shared among 16, already take about
/// as long as that path. A cluster's management interface serves automation beside its own
/// work, so the suite stays a modest client. What ONTAP tolerates is the cluster's own setting,
/// not a published number: it queues REST requests and refuses connections when that queue is
/// full (NetApp's "Known limitations" of the REST API), and `security session limit` caps the
/// active REST requests per user, application and SVM, throttling or refusing the rest (its
/// command reference). We found no default for the REST interface in public documents; 16 is a
/// guess at what a few of NetApp's own tools polling a cluster at once would send, and `--jobs`
/// lowers it for a cluster with a tighter limit.
pub const DEFAULT_JOBS: usize = 16;

/// What a progress display hears: the number of cases once they are selected, then each case as
/// it ends (in the order they end, not file order).
pub enum ProgressEvent<'a> {
    Selected(usize),
    Finished(&'a CaseResult),
}

/// Called from the run's tasks, so it must be cheap and thread-safe.
pub type Progress = Arc<dyn Fn(ProgressEvent<'_>) + Send + Sync>;

/// What every case of a run shares.
struct Ctx {
    spec: Arc<Spec>,
    opts: RunOptions,
    target: Target,
    facts: TargetFacts,
    run_id: String,
    recorder: Option<record::Recorder>,
}

impl Ctx {
    fn interrupted(&self) -> bool {
        self.opts
            .interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
    }
}

/// Runs `cases` against the target and returns the report. Errors only when the run cannot be
/// made at all; a case that fails is a result, not an error.
pub async fn run(
    spec: Arc<Spec>,
    cases: Vec<Case>,
    opts: RunOptions,
    progress: Option<Progress>,
) -> Result<RunReport, RunError> {
    let plan = Plan::of(cases, &spec, &opts.filter, opts.partition);
    let mut results = Vec::new();
    let mut report = run_with(spec, plan, opts, progress, &mut |i, r| {
        results.push((i, r));
        Ok(())
    })
    .await?;
    results.sort_by_key(|(i, _)| *i);
    report.cases = results.into_iter().map(|(_, r)| r).collect();
    Ok(report)
}

/// [`run`] for a [`Plan`] (already selected with `opts`' filter and partition), each case
/// loaded at its turn and its result spooled to a temporary file as it ends, for the reports'
/// writers to read back one at a time ([`crate::report::write_all_from`]): memory stays flat
/// however many cases run. The report it returns has no cases of its own; the spool has them.
pub async fn run_spooled(
    spec: Arc<Spec>,
    plan: Plan,
    opts: RunOptions,
    progress: Option<Progress>,
) -> Result<(RunReport, Spool), RunError> {
    let mut spool =
        Spool::new().map_err(|e| RunError::Config(format!("cannot spool the results: {e}")))?;
    let report = run_with(spec, plan, opts, progress, &mut |i, r| spool.push(i, r)).await?;
    Ok((report, spool))
}

/// Where [`run_with`] hands each result as its case ends: its index in the run and the result.
type Sink<'s> = dyn FnMut(usize, CaseResult) -> std::io::Result<()> + Send + 's;

/// The run itself: every result goes to `sink` as its case ends, counted on the way for the
/// summary and the coverage matrix; the report returned has everything but the cases.
async fn run_with(
    spec: Arc<Spec>,
    plan: Plan,
    opts: RunOptions,
    progress: Option<Progress>,
    sink: &mut Sink<'_>,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let target = Target::new(&opts)?;
    let facts = match &opts.facts {
        Some(f) => f.clone(),
        None => probe::probe(&target, &opts).await?,
    };
    let run_id = format!("oc{:06x}", rand::rng().random_range(0..0x100_0000u32));
    let recorder = match &opts.record {
        Some(dir) => {
            Some(record::Recorder::new(dir, &opts, &run_id, &facts).map_err(RunError::Config)?)
        }
        None => None,
    };
    let ctx = Arc::new(Ctx {
        spec,
        target,
        facts,
        run_id,
        opts,
        recorder,
    });

    if let Some(p) = &progress {
        p(ProgressEvent::Selected(plan.len()));
    }
    let jobs = ctx.opts.jobs.max(1);
    let Plan {
        cases: mut slots,
        distinct,
        ..
    } = plan;
    let (critical_path, chain, planned) = {
        let each: Vec<&schedule::Footprint> =
            slots.iter().map(|(_, f)| &*distinct[*f as usize]).collect();
        let planned: usize = each.iter().map(|f| f.requests).sum();
        let (critical, chain) = schedule::critical_chain(&each);
        (critical, chain, planned)
    };
    tracing::debug!(
        "{} cases, {jobs} at a time; critical path {critical_path} requests ({})",
        slots.len(),
        chain.as_deref().unwrap_or("the longest case")
    );
    let mut dispatch =
        schedule::Dispatch::new(slots.iter().map(|(_, f)| *f).collect(), &distinct, jobs);
    // Only the running cases have a task: the rest wait in `dispatch` as a few bytes each.
    let mut tasks = tokio::task::JoinSet::new();
    let mut tally = coverage::Tally::new(&ctx.spec);
    loop {
        while let Some(index) = dispatch.start() {
            let Some(pending) = slots[index].0.take() else {
                dispatch.done(index);
                continue;
            };
            let (ctx, progress) = (ctx.clone(), progress.clone());
            let fp = distinct[slots[index].1 as usize].clone();
            tasks.spawn(async move {
                let at = started.elapsed();
                let result = match pending.into_case(&ctx.spec) {
                    Ok(case) => Ok(Box::new(case_run::run_case(&ctx, &case, index).await)),
                    Err(e) => Err(e),
                };
                // Where a slow run's time went: when each case could start, and for how long it ran.
                tracing::debug!(
                    "{}: started at {} ms, ran {} ms, locking {:?}",
                    result.as_ref().map_or("?", |r| r.id.as_str()),
                    at.as_millis(),
                    started.elapsed().saturating_sub(at).as_millis(),
                    fp.locks
                );
                if let (Some(p), Ok(result)) = (&progress, &result) {
                    p(ProgressEvent::Finished(result));
                }
                (index, result)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            if dispatch.waiting() {
                return Err(RunError::Config(
                    "the scheduler stopped with cases left to run (a bug: please report it)".into(),
                ));
            }
            break;
        };
        match joined {
            Ok((index, Ok(result))) => {
                dispatch.done(index);
                tally.add(index, &result);
                sink(index, *result)
                    .map_err(|e| RunError::Config(format!("cannot keep a case's result: {e}")))?;
            }
            Ok((_, Err(e))) => return Err(RunError::Config(e)),
            Err(e) => return Err(RunError::Config(format!("a case task died: {e}"))),
        }
    }
    let (summary, coverage, imported) = tally.finish_with_imported();
    if let Some(r) = &ctx.recorder {
        r.finish().map_err(RunError::Config)?;
    }
    Ok(RunReport {
        schedule: Some(Schedule {
            jobs: ctx.opts.jobs.max(1),
            critical_path_requests: critical_path,
            planned_requests: planned,
            rate: ctx.opts.client.rate,
            busy_retries: ctx.target.busy_retries(),
        }),
        mode: ctx.opts.mode(),
        generated_seed: ctx.opts.generated_seed,
        partition: ctx.opts.partition.map(|p| p.to_string()),
        interrupted: ctx.interrupted(),
        schema_version: SCHEMA_VERSION,
        tool: format!("ontap-conform {}", env!("CARGO_PKG_VERSION")),
        target: ctx.opts.target.clone(),
        embedded_emulator: ctx.opts.embedded,
        // The rule of `preflight::skip`: destructive cases run on the emulator always.
        allow_destructive: Some(ctx.opts.embedded || ctx.opts.allow_destructive),
        ontap_version: ctx.facts.version_text.clone(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        summary,
        coverage,
        imported_coverage: (!imported.is_empty()).then_some(imported),
        cases: Vec::new(),
    })
}
