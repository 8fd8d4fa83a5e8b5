//! Executing cases against a target: variables, requests, captures, job polling, emulator
//! conditions, teardown, and concurrency with isolation.
//!
//! The runner produces a [`CaseResult`] per case; it knows nothing of report formats. Everything
//! it stores passes through the case's [`Redactor`] first.

pub mod cleanup;
pub mod http;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Map, Value, json};
use tokio::sync::{RwLock, Semaphore};

use crate::case::{AsDef, Case, ExpectDef, Phase, StepDef, Vars, interpolate, split_operation};
use crate::check::{self, Problem, Response};
use crate::report::coverage::{self, Covers};
use crate::report::model::{
    CaseResult, Expected, Failure, OperationRef, Outcome, RunReport, SCHEMA_VERSION, StepPhase,
    StepResult,
};
use crate::secret::{Redactor, Secret};
use crate::spec::{Spec, Version};
use http::{Auth, ClientOptions, Outgoing};

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
}

impl RunOptions {
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
        }
    }
}

/// A stable share of the cases, so N machines split one suite (`--partition K/N`).
///
/// `count` (the default, as in cargo-nextest) deals the selected cases out in file order like
/// cards: shares differ in size by at most one. `hash` puts each case by a hash of its id: a
/// case stays on its shard when others are added or removed, at the price of uneven shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub kind: PartitionKind,
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKind {
    Count,
    Hash,
}

impl std::str::FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, rest) = match s.split_once(':') {
            Some(("count", r)) => (PartitionKind::Count, r),
            Some(("hash", r)) => (PartitionKind::Hash, r),
            Some((k, _)) => {
                return Err(format!(
                    "unknown partition kind `{k}`: use K/N, count:K/N or hash:K/N"
                ));
            }
            None => (PartitionKind::Count, s),
        };
        let bad = || format!("`{s}` is not a partition: use K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = rest.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Partition { kind, index, count })
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            PartitionKind::Count => "count",
            PartitionKind::Hash => "hash",
        };
        write!(f, "{kind}:{}/{}", self.index, self.count)
    }
}

/// FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The cases a run with this filter and partition executes, in run order.
pub fn select(cases: Vec<Case>, filter: &[String], partition: Option<Partition>) -> Vec<Case> {
    cases
        .into_iter()
        .filter(|c| matches_filter(c, filter))
        .enumerate()
        .filter(|(i, c)| match partition {
            None => true,
            Some(p) => {
                let slot = match p.kind {
                    PartitionKind::Count => *i as u64,
                    PartitionKind::Hash => stable_hash(&c.def.id),
                };
                slot % u64::from(p.count) == u64::from(p.index - 1)
            }
        })
        .map(|(_, c)| c)
        .collect()
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
    /// (name, uuid), sorted by name.
    pub svms: Vec<(String, String)>,
    /// The emulator's control surface answers: conditions can be set.
    pub emulator_control: bool,
}

/// What a progress display hears: the number of cases once they are selected, then each case as
/// it ends (in the order they end, not file order).
pub enum ProgressEvent<'a> {
    Selected(usize),
    Finished(&'a CaseResult),
}

/// Called from the run's tasks, so it must be cheap and thread-safe.
pub type Progress = Arc<dyn Fn(ProgressEvent<'_>) + Send + Sync>;

/// Does `case` match any of the filters?
pub fn matches_filter(case: &Case, filter: &[String]) -> bool {
    filter.is_empty()
        || filter.iter().any(|f| {
            case.def.id == *f
                || case.def.tags.iter().any(|t| t == f)
                || case.area == *f
                || case.operation_key().contains(f.as_str())
        })
}

struct Ctx {
    spec: Arc<Spec>,
    opts: RunOptions,
    client: reqwest::Client,
    facts: TargetFacts,
    run_id: String,
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
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let client = http::client(&opts.client).map_err(RunError::Config)?;
    let facts = match &opts.facts {
        Some(f) => f.clone(),
        None => probe(&client, &opts).await?,
    };
    let run_id = format!("oc{:06x}", rand::rng().random_range(0..0x100_0000u32));
    let ctx = Arc::new(Ctx {
        spec,
        client,
        facts,
        run_id,
        opts,
    });

    let selected: Vec<(usize, Case)> = select(cases, &ctx.opts.filter, ctx.opts.partition)
        .into_iter()
        .enumerate()
        .collect();
    if let Some(p) = &progress {
        p(ProgressEvent::Selected(selected.len()));
    }
    let permits = Arc::new(Semaphore::new(ctx.opts.jobs.max(1)));
    let exclusive = Arc::new(RwLock::new(()));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, case) in selected {
        let (ctx, permits, exclusive, progress) = (
            ctx.clone(),
            permits.clone(),
            exclusive.clone(),
            progress.clone(),
        );
        tasks.spawn(async move {
            let result = if case.def.exclusive || case.def.requires.emulator.is_some() {
                let _alone = exclusive.write().await;
                run_case(&ctx, &case, index).await
            } else {
                let _permit = permits.acquire().await;
                let _shared = exclusive.read().await;
                run_case(&ctx, &case, index).await
            };
            if let Some(p) = &progress {
                p(ProgressEvent::Finished(&result));
            }
            (index, result)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(r) => results.push(r),
            Err(e) => return Err(RunError::Config(format!("a case task died: {e}"))),
        }
    }
    results.sort_by_key(|(i, _)| *i);
    let cases: Vec<CaseResult> = results.into_iter().map(|(_, r)| r).collect();
    Ok(RunReport {
        partition: ctx.opts.partition.map(|p| p.to_string()),
        interrupted: ctx.interrupted(),
        schema_version: SCHEMA_VERSION,
        tool: format!("ontap-conform {}", env!("CARGO_PKG_VERSION")),
        target: ctx.opts.target.clone(),
        embedded_emulator: ctx.opts.embedded,
        ontap_version: ctx.facts.version_text.clone(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        summary: RunReport::summarize(&cases),
        coverage: coverage::matrix(&ctx.spec, &cases),
        cases,
    })
}

/// Probes the target as [`run`] does first; see [`RunOptions::facts`].
pub async fn probe_target(opts: &RunOptions) -> Result<TargetFacts, RunError> {
    let client = http::client(&opts.client).map_err(RunError::Config)?;
    probe(&client, opts).await
}

/// Learns the target's version, cluster and SVMs; fails the run when the target cannot be
/// reached or refuses the credentials.
async fn probe(client: &reqwest::Client, opts: &RunOptions) -> Result<TargetFacts, RunError> {
    let auth = Auth::RunUser(opts.user.clone(), opts.password.clone());
    let get = |path: &str| Outgoing {
        method: "GET".into(),
        url: format!("{}{path}", opts.target.trim_end_matches('/')),
        body: None,
        auth: auth.clone(),
    };
    let cluster = http::send(client, &get("/api/cluster?fields=name,uuid,version"))
        .await
        .map_err(|message| RunError::Unreachable {
            target: opts.target.clone(),
            message,
        })?;
    if cluster.status == 401 || cluster.status == 403 {
        return Err(RunError::Credentials {
            target: opts.target.clone(),
            user: opts.user.clone(),
            status: cluster.status,
        });
    }
    // Every case would fail against a target whose cluster record is an error page, for one
    // reason: that reason is the run's, not 82 cases'.
    let not_ontap = |message: String| RunError::NotOntap {
        target: opts.target.clone(),
        message,
    };
    if cluster.status != 200 {
        return Err(not_ontap(format!(
            "GET /api/cluster answered HTTP {}",
            cluster.status
        )));
    }
    if let Some(p) = check::body_problems(&cluster).into_iter().next() {
        return Err(not_ontap(format!("GET /api/cluster: {}", p.message)));
    }
    if !cluster.body.as_ref().is_some_and(Value::is_object) {
        return Err(not_ontap("GET /api/cluster answered no JSON object".into()));
    }
    let mut facts = TargetFacts::default();
    if cluster.status == 200
        && let Some(b) = &cluster.body
    {
        facts.cluster_name = b.get("name").and_then(Value::as_str).map(String::from);
        facts.cluster_uuid = b.get("uuid").and_then(Value::as_str).map(String::from);
        let v = b
            .pointer("/version/full")
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| {
                let v = b.get("version")?;
                Some(format!(
                    "{}.{}.{}",
                    v.get("generation")?,
                    v.get("major")?,
                    v.get("minor")?
                ))
            });
        facts.version = v.as_deref().and_then(Version::parse);
        facts.version_text = v;
    }
    if let Some(v) = &opts.ontap_version {
        facts.version = Version::parse(v);
        facts.version_text = Some(v.clone());
    }
    if let Ok(r) = http::send(client, &get("/api/svm/svms?fields=name,uuid&order_by=name")).await
        && let Some(records) = r
            .body
            .as_ref()
            .and_then(|b| b.get("records"))
            .and_then(Value::as_array)
    {
        facts.svms = records
            .iter()
            .filter_map(|s| {
                Some((
                    s.get("name")?.as_str()?.to_string(),
                    s.get("uuid")?.as_str()?.to_string(),
                ))
            })
            .collect();
        facts.svms.sort();
    }
    facts.emulator_control = opts.embedded
        || http::send(client, &get("/emulator/conditions"))
            .await
            .is_ok_and(|r| r.status == 200 && r.body.as_ref().is_some_and(Value::is_object));
    Ok(facts)
}

/// Why a case is skipped on this target, if it is.
fn skip_reason(ctx: &Ctx, case: &Case) -> Option<String> {
    let d = &case.def;
    if let Some(conds) = &d.requires.emulator
        && !ctx.facts.emulator_control
    {
        let names: Vec<&str> = conds.keys().map(String::as_str).collect();
        return Some(format!(
            "needs the emulator condition(s) {}: a real cluster cannot be put in that state on demand",
            names.join(", ")
        ));
    }
    if d.destructive && !ctx.opts.embedded && !ctx.opts.allow_destructive {
        return Some("destructive (changes cluster state): run with --allow-destructive".into());
    }
    if let Some(n) = d.requires.svms
        && ctx.facts.svms.len() < n
    {
        return Some(format!(
            "needs {n} SVMs; the target has {}",
            ctx.facts.svms.len()
        ));
    }
    if let (Some(target), Some(op)) = (
        &ctx.facts.version,
        ctx.spec.operation(&case.method, &case.path),
    ) && let Some(intro) = &op.introduced_in
        && intro > target
    {
        return Some(format!(
            "{} was introduced in ONTAP {intro}; the target runs {target}",
            op.key()
        ));
    }
    None
}

/// A generated password that satisfies ONTAP's default policy and differs per case and run.
fn generate_secret() -> String {
    const ALNUM: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let body: String = (0..14)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect();
    format!("Oc{body}7#")
}

struct CaseRun<'a> {
    ctx: &'a Ctx,
    vars: Vars,
    redactor: Redactor,
    steps: Vec<StepResult>,
    failures: Vec<Failure>,
    warnings: Vec<String>,
}

async fn run_case(ctx: &Ctx, case: &Case, index: usize) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult {
        id: case.def.id.clone(),
        title: case.def.title.clone(),
        area: case.area.clone(),
        file: case.file.display().to_string(),
        tags: case.def.tags.clone(),
        operation: OperationRef {
            method: case.method.clone(),
            path: case.path.clone(),
        },
        expected: Expected {
            status: case.expected_status(),
            error_code: case.expected_error_code().map(String::from),
        },
        covers: case
            .expectations()
            .into_iter()
            .map(|(method, path, status, error_code)| Covers {
                method,
                path,
                status,
                error_code,
            })
            .collect(),
        outcome: Outcome::Pass,
        skip_reason: None,
        duration_ms: 0,
        failures: Vec::new(),
        warnings: Vec::new(),
        steps: Vec::new(),
    };
    let reason = if ctx.interrupted() {
        Some("the run was interrupted before this case started".to_string())
    } else {
        skip_reason(ctx, case)
    };
    if let Some(reason) = reason {
        result.outcome = Outcome::Skip;
        result.skip_reason = Some(reason);
        return result;
    }

    let mut run = CaseRun {
        ctx,
        vars: Vars::default(),
        redactor: Redactor::default(),
        steps: Vec::new(),
        failures: Vec::new(),
        warnings: Vec::new(),
    };
    run.redactor.add(ctx.opts.password.expose());
    run.init_vars(case, index);

    // Setup and teardown run in the cluster's normal state; the emulator conditions a case needs
    // hold only around its steps, and are restored whatever happens.
    let mut ok = true;
    for (i, step) in case.def.setup.iter().enumerate() {
        if !run.step(Phase::Setup, i, step).await {
            ok = false;
            break;
        }
    }
    let mut restore: Option<Value> = None;
    if ok && let Some(conds) = &case.def.requires.emulator {
        match run.set_conditions(conds).await {
            Ok(previous) => restore = Some(previous),
            Err(message) => {
                run.fail_plain("requires.emulator", message);
                ok = false;
            }
        }
    }
    let mut cut_short = None;
    if ok {
        for (i, step) in case.def.steps.iter().enumerate() {
            if i > 0 && ctx.interrupted() {
                cut_short = Some(i);
                break;
            }
            if !run.step(Phase::Step, i, step).await {
                break;
            }
        }
    }
    if let Some(previous) = restore
        && let Err(message) = run.patch_conditions(&previous).await
    {
        run.fail_plain(
            "requires.emulator",
            format!("restoring the conditions failed: {message}"),
        );
    }
    for (i, step) in case.def.teardown.iter().enumerate() {
        run.step(Phase::Teardown, i, step).await;
    }

    result.outcome = match (run.failures.is_empty(), cut_short) {
        (false, _) => Outcome::Fail,
        (true, None) => Outcome::Pass,
        // What ran passed, but the case was not run whole: neither verdict would be true.
        (true, Some(i)) => {
            result.skip_reason = Some(format!(
                "the run was interrupted after {i} of {} steps (its teardown ran)",
                case.def.steps.len()
            ));
            Outcome::Skip
        }
    };
    result.failures = run.failures;
    result.warnings = run.warnings;
    result.steps = run.steps;
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

impl CaseRun<'_> {
    fn init_vars(&mut self, case: &Case, index: usize) {
        let f = &self.ctx.facts;
        let v = &mut self.vars;
        v.set("run_id", json!(self.ctx.run_id));
        v.set("case_uid", json!(format!("{}-{index}", self.ctx.run_id)));
        v.set("user", json!(self.ctx.opts.user));
        for (i, prefix) in ["svm", "svm2"].iter().enumerate() {
            if let Some((name, uuid)) = f.svms.get(i) {
                v.set(format!("{prefix}.name"), json!(name));
                v.set(format!("{prefix}.uuid"), json!(uuid));
            }
        }
        if let Some(n) = &f.cluster_name {
            v.set("cluster.name", json!(n));
        }
        if let Some(u) = &f.cluster_uuid {
            v.set("cluster.uuid", json!(u));
        }
        for (name, value) in &case.def.vars {
            let value = interpolate(value, &self.vars).unwrap_or_else(|_| value.clone());
            self.vars.set(name.clone(), value);
        }
        for name in &case.def.secrets {
            let s = generate_secret();
            self.redactor.add(&s);
            self.vars.set(name.clone(), json!(s));
        }
    }

    fn fail_plain(&mut self, step: &str, message: String) {
        self.failures.push(Failure {
            step: step.to_string(),
            location: None,
            pointer: None,
            expected: None,
            actual: None,
            message: self.redactor.redact(&message),
            curl: None,
        });
    }

    fn url(&self, path_and_query: &str) -> String {
        format!(
            "{}{path_and_query}",
            self.ctx.opts.target.trim_end_matches('/')
        )
    }

    fn run_auth(&self) -> Auth {
        Auth::RunUser(self.ctx.opts.user.clone(), self.ctx.opts.password.clone())
    }

    async fn set_conditions(&mut self, conds: &Map<String, Value>) -> Result<Value, String> {
        let wanted = interpolate(&Value::Object(conds.clone()), &self.vars)
            .map_err(|n| format!("`{{{{{n}}}}}` is not set"))?;
        let current = http::send(
            &self.ctx.client,
            &Outgoing {
                method: "GET".into(),
                url: self.url("/emulator/conditions"),
                body: None,
                auth: self.run_auth(),
            },
        )
        .await?;
        let current = current
            .body
            .filter(|_| current.status == 200)
            .ok_or_else(|| format!("GET /emulator/conditions answered {}", current.status))?;
        let previous: Map<String, Value> = conds
            .keys()
            .filter_map(|k| current.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
        self.patch_conditions(&wanted).await?;
        Ok(Value::Object(previous))
    }

    async fn patch_conditions(&self, body: &Value) -> Result<(), String> {
        let r = http::send(
            &self.ctx.client,
            &Outgoing {
                method: "PATCH".into(),
                url: self.url("/emulator/conditions"),
                body: Some(body.to_string().into_bytes()),
                auth: self.run_auth(),
            },
        )
        .await?;
        if r.status == 200 {
            Ok(())
        } else {
            Err(format!(
                "PATCH /emulator/conditions answered {}: {}",
                r.status,
                r.body.map(|b| b.to_string()).unwrap_or_default()
            ))
        }
    }

    /// Runs one step; returns whether it passed.
    async fn step(&mut self, phase: Phase, index: usize, step: &StepDef) -> bool {
        let label = format!(
            "{}[{index}]{}",
            match phase {
                Phase::Setup => "setup",
                Phase::Step => "steps",
                Phase::Teardown => "teardown",
            },
            step.name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
        let Some((method, template)) = split_operation(&step.request.operation) else {
            self.fail_plain(&label, "bad operation".into());
            return false;
        };
        let Some(op) = self.ctx.spec.operation(&method, &template) else {
            self.fail_plain(&label, format!("{method} {template} is not in the spec"));
            return false;
        };
        let req = &step.request;
        let prepared = (|| -> Result<_, String> {
            let path = interpolate(&Value::Object(req.path.clone()), &self.vars)?;
            let query = interpolate(&Value::Object(req.query.clone()), &self.vars)?;
            let body = req
                .body
                .as_ref()
                .map(|b| interpolate(b, &self.vars))
                .transpose()?;
            let expect: Option<ExpectDef> = match &step.expect {
                Some(e) => Some(ExpectDef {
                    fields: interpolate(&Value::Object(e.fields.clone()), &self.vars)?
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    headers: interpolate(&Value::Object(e.headers.clone()), &self.vars)?
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    ..e.clone()
                }),
                None => None,
            };
            let auth = match &req.as_user {
                None => self.run_auth(),
                Some(AsDef::Keyword(_)) => Auth::None,
                Some(AsDef::Credentials { user, password }) => {
                    let u = interpolate(&json!(user), &self.vars)?;
                    let p = interpolate(&json!(password), &self.vars)?;
                    let (u, p) = (text(&u), text(&p));
                    if u == self.ctx.opts.user && p == self.ctx.opts.password.expose() {
                        self.run_auth()
                    } else {
                        Auth::Other(u, Secret::new(p))
                    }
                }
            };
            Ok((path, query, body, expect, auth))
        })();
        let (path, query, body, expect, auth) = match prepared {
            Ok(p) => p,
            Err(missing) if phase == Phase::Teardown => {
                self.steps.push(StepResult {
                    phase: StepPhase::Teardown,
                    name: label,
                    method,
                    url: template,
                    request_body: None,
                    status: None,
                    response_body: None,
                    duration_ms: 0,
                    curl: String::new(),
                    passed: true,
                    note: Some(format!("skipped: `{missing}` was never captured")),
                });
                return true;
            }
            Err(missing) => {
                self.fail_plain(&label, format!("`{{{{{missing}}}}}` is not set"));
                return false;
            }
        };
        if let Auth::Other(_, p) = &auth {
            self.redactor.add(p.expose());
        }
        if let Some(b) = &body {
            self.redactor.learn_from_body(b);
        }
        let mut path_and_query =
            http::fill_path(&template, path.as_object().unwrap_or(&Map::new()));
        let qs = http::query_string(query.as_object().unwrap_or(&Map::new()));
        if !qs.is_empty() {
            path_and_query = format!("{path_and_query}?{qs}");
        }
        if let Some(href) = &req.href {
            let href = match interpolate(&json!(href), &self.vars) {
                Ok(h) => text(&h),
                Err(missing) => {
                    self.fail_plain(&label, format!("`{{{{{missing}}}}}` is not set"));
                    return false;
                }
            };
            let href_path = href.split('?').next().unwrap_or_default();
            if !href.starts_with('/') || op.match_path(href_path).is_none() {
                self.fail_plain(
                    &label,
                    format!("the link `{href}` does not belong to {}", op.key()),
                );
                return false;
            }
            path_and_query = href;
        }
        let body_bytes = match (&req.raw_body, &body) {
            (Some(raw), _) => Some(raw.clone().into_bytes()),
            (None, Some(b)) => Some(b.to_string().into_bytes()),
            (None, None) => None,
        };
        let outgoing = Outgoing {
            method: method.clone(),
            url: self.url(&path_and_query),
            body: body_bytes,
            auth,
        };
        let curl = self
            .redactor
            .redact(&http::curl_line(&outgoing, self.ctx.opts.client.insecure));
        let started = Instant::now();
        let sent = http::send(&self.ctx.client, &outgoing).await;
        let mut record = StepResult {
            phase: match phase {
                Phase::Setup => StepPhase::Setup,
                Phase::Step => StepPhase::Step,
                Phase::Teardown => StepPhase::Teardown,
            },
            name: label.clone(),
            method: method.clone(),
            url: self.redactor.redact(&outgoing.url),
            request_body: body.as_ref().map(|b| self.redactor.redact_value(b)),
            status: None,
            response_body: None,
            duration_ms: 0,
            curl: curl.clone(),
            passed: false,
            note: None,
        };
        let resp = match sent {
            Ok(r) => r,
            Err(message) => {
                record.duration_ms = started.elapsed().as_millis() as u64;
                self.steps.push(record);
                self.failures.push(Failure {
                    step: label,
                    location: None,
                    pointer: None,
                    expected: None,
                    actual: None,
                    message: self.redactor.redact(&message),
                    curl: Some(curl),
                });
                return false;
            }
        };
        record.status = Some(resp.status);
        record.response_body = resp
            .body
            .as_ref()
            .map(|b| report_body(self.redactor.redact_value(b)));
        // A teardown DELETE is there to make sure the thing is gone; when the case's own steps
        // deleted it already (or failed before creating it), 404 is that outcome too.
        if phase == Phase::Teardown && expect.is_none() && method == "DELETE" && resp.status == 404
        {
            record.passed = true;
            record.note = Some("already gone (404): nothing to tear down".into());
            record.duration_ms = started.elapsed().as_millis() as u64;
            self.steps.push(record);
            return true;
        }
        let mut verdict = check::check(op, expect.as_ref(), &resp);

        if let Some(state) = expect.as_ref().and_then(|e| e.job_state.clone())
            && verdict.problems.is_empty()
        {
            match self.poll_job(&resp).await {
                Ok(job) => {
                    let got = job
                        .get("state")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_string();
                    if got != state {
                        let detail = job
                            .pointer("/error/message")
                            .or_else(|| job.get("message"))
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        verdict.problems.push(Problem {
                            pointer: Some("/state".into()),
                            expected: Some(state),
                            actual: Some(got.clone()),
                            message: format!("the job ended `{got}`: {detail}"),
                        });
                    }
                    record.note = Some(format!("job ended {got}"));
                }
                Err(message) => verdict.problems.push(Problem {
                    pointer: Some("/job/uuid".into()),
                    expected: None,
                    actual: None,
                    message,
                }),
            }
        }

        for (name, from) in &step.capture {
            let from = text(from);
            let value = match from.strip_prefix("header:") {
                Some(h) => resp.header(h).map(|v| json!(v)),
                None => resp
                    .body
                    .as_ref()
                    .and_then(|b| b.pointer(&check::field_pointer(&from)))
                    .cloned(),
            };
            match value {
                Some(v) => self.vars.set(name.clone(), v),
                None => verdict.problems.push(Problem {
                    pointer: None,
                    expected: Some(from.clone()),
                    actual: Some("(absent)".into()),
                    message: format!("cannot capture `{name}`: `{from}` is not in the response"),
                }),
            }
        }

        record.duration_ms = started.elapsed().as_millis() as u64;
        record.passed = verdict.problems.is_empty();
        self.steps.push(record);
        for w in verdict.warnings {
            let w = self.redactor.redact(&format!("{label}: {w}"));
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        let passed = verdict.problems.is_empty();
        for p in verdict.problems {
            self.failures.push(Failure {
                step: label.clone(),
                location: None,
                pointer: p.pointer,
                expected: p.expected.map(|e| self.redactor.redact(&e)),
                actual: p.actual.map(|a| self.redactor.redact(&a)),
                message: self.redactor.redact(&p.message),
                curl: Some(curl.clone()),
            });
        }
        passed
    }

    /// Polls the job a 202/200 response links to until it ends, bounded by the job timeout.
    async fn poll_job(&mut self, resp: &Response) -> Result<Value, String> {
        let uuid = resp
            .body
            .as_ref()
            .and_then(|b| b.pointer("/job/uuid"))
            .and_then(Value::as_str)
            .ok_or("the response links no job (`job.uuid`)")?
            .to_string();
        let op = self
            .ctx
            .spec
            .operation("GET", "/api/cluster/jobs/{uuid}")
            .ok_or("the spec has no GET /api/cluster/jobs/{uuid}")?;
        let deadline = Instant::now() + self.ctx.opts.job_timeout;
        let mut delay = Duration::from_millis(10);
        loop {
            let r = http::send(
                &self.ctx.client,
                &Outgoing {
                    method: "GET".into(),
                    url: self.url(&format!("/api/cluster/jobs/{uuid}")),
                    body: None,
                    auth: self.run_auth(),
                },
            )
            .await?;
            let verdict = check::check(op, None, &r);
            if let Some(p) = verdict.problems.first() {
                return Err(format!("reading job {uuid}: {}", p.message));
            }
            let job = r.body.unwrap_or(Value::Null);
            match job.get("state").and_then(Value::as_str) {
                Some("success" | "failure") => return Ok(job),
                _ if Instant::now() >= deadline => {
                    return Err(format!(
                        "job {uuid} did not end within {}s (last state {})",
                        self.ctx.opts.job_timeout.as_secs(),
                        job.get("state").unwrap_or(&Value::Null)
                    ));
                }
                _ => {}
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(500));
        }
    }
}

/// Largest response body a report keeps for one step. Reports hold every step of every case,
/// so a target answering each request with megabytes (under the 8 MiB read cap) made
/// gigabyte reports; the checks have already read the whole body.
const MAX_REPORTED_BODY: usize = 256 * 1024;

fn report_body(body: Value) -> Value {
    let size = body.to_string().len();
    if size <= MAX_REPORTED_BODY {
        body
    } else {
        json!(format!(
            "({size} bytes of JSON, not kept: over the report's {} KiB per body)",
            MAX_REPORTED_BODY / 1024
        ))
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
