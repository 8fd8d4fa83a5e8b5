//! One case's lifecycle: skip rules, variables and secrets, setup, emulator conditions, steps,
//! teardown, and the outcome.
//!
//! Setup and teardown run in the cluster's normal state; the conditions a case needs hold only
//! around its steps. Teardown always runs. Everything a case stores passes through its
//! [`Redactor`] first.

use std::time::Instant;

use rand::Rng;
use serde_json::{Value, json};

use super::Ctx;
use super::preflight::{self, Needs, Skip, SkipKind};
use crate::case::{Case, Phase, Step, Vars, interpolate};
use crate::check::{self, Problem};
use crate::report::coverage::Covers;
use crate::report::model::Mode;
use crate::report::model::{
    CaseResult, CheckBasis, Expected, Failure, OperationRef, Outcome, StepResult,
};
use crate::secret::Redactor;
use crate::spec::Spec;

/// The state of one running case.
pub(super) struct CaseRun<'a> {
    pub ctx: &'a Ctx,
    pub case: &'a Case,
    pub vars: Vars,
    pub redactor: Redactor,
    pub steps: Vec<StepResult>,
    pub failures: Vec<Failure>,
    /// Broken conventions in lenient mode.
    pub deviations: Vec<Failure>,
    pub warnings: Vec<String>,
    /// An expectation or a spec rule did not hold in a step or a teardown: the case failed.
    pub failed: bool,
    /// Something kept the case from being judged (a transport error, a setup step or the
    /// emulator conditions failing, a variable never set): unless it also failed, it is an error.
    pub errored: bool,
    /// The case cannot be judged here, found while it ran: a capture marked `or_skip` found
    /// nothing (the target has nothing this case can judge), or the account's role refused a
    /// request (403 code 6) where nothing said beforehand it would. The steps stop, the teardown
    /// runs, and the case is skipped with this reason unless it failed first.
    pub skipped: Option<Skip>,
}

/// What kind of problem a failure record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Severity {
    /// A check did not hold.
    Failed,
    /// The step could not be judged.
    Errored,
}

pub(super) async fn run_case(ctx: &Ctx, case: &Case, index: usize) -> CaseResult {
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
            layer: Some(ctx.spec.op(case.op).layer),
            tag: ctx.spec.op(case.op).tags.first().cloned(),
        },
        expected: Expected {
            status: case.expected_status(),
            status_rule: case
                .expected_status_rule()
                .filter(|r| r.exact().is_none())
                .map(ToString::to_string),
            error_code: case.expected_error_code().map(String::from),
        },
        covers: covers(case, &ctx.spec),
        outcome: Outcome::Pass,
        skip_reason: None,
        skip_kind: None,
        duration_ms: 0,
        failures: Vec::new(),
        deviations: Vec::new(),
        checks: checks(case),
        warnings: Vec::new(),
        steps: Vec::new(),
    };
    let skip = if ctx.interrupted() {
        Some(Skip {
            kind: SkipKind::Interrupted,
            reason: "the run was interrupted before this case started".into(),
        })
    } else {
        preflight::skip(&Needs::of(case, &ctx.spec), &ctx.facts, &ctx.opts)
    };
    if let Some(skip) = skip {
        result.outcome = Outcome::Skip;
        result.skip_reason = Some(skip.reason);
        result.skip_kind = Some(skip.kind);
        return result;
    }

    let mut run = CaseRun {
        ctx,
        case,
        vars: Vars::default(),
        redactor: Redactor::default(),
        steps: Vec::new(),
        failures: Vec::new(),
        deviations: Vec::new(),
        warnings: Vec::new(),
        failed: false,
        errored: false,
        skipped: None,
    };
    run.redactor.add(ctx.opts.password.expose());
    run.init_vars(index);
    let cut_short = run.run_phases().await;

    result.outcome = match (run.failed, run.errored, cut_short, run.skipped.take()) {
        (true, ..) => Outcome::Fail,
        (false, true, ..) => Outcome::Error,
        (false, false, _, Some(skip)) => {
            result.skip_reason = Some(skip.reason);
            result.skip_kind = Some(skip.kind);
            Outcome::Skip
        }
        (false, false, None, None) => Outcome::Pass,
        // What ran passed, but the case was not run whole: neither verdict would be true.
        (false, false, Some(i), None) => {
            result.skip_reason = Some(format!(
                "the run was interrupted after {i} of {} steps (its teardown ran)",
                case.steps.len()
            ));
            result.skip_kind = Some(SkipKind::Interrupted);
            Outcome::Skip
        }
    };
    result.failures = run.failures;
    result.deviations = run.deviations;
    result.warnings = run.warnings;
    result.steps = run.steps;
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

impl CaseRun<'_> {
    /// Setup, conditions, steps, restore, teardown. Returns the index of the first step not run
    /// when Ctrl-C cut the steps short.
    async fn run_phases(&mut self) -> Option<usize> {
        let case = self.case;
        let mut ok = self.run_all(Phase::Setup, &case.setup).await;
        let mut restore: Option<Value> = None;
        if ok && let Some(conds) = &case.def.requires.emulator {
            match self.set_conditions(conds).await {
                Ok(previous) => restore = Some(previous),
                Err(message) => {
                    self.problem("requires.emulator", None, message, Severity::Errored);
                    ok = false;
                }
            }
        }
        let mut cut_short = None;
        if ok {
            for (i, step) in case.steps.iter().enumerate() {
                if i > 0 && self.ctx.interrupted() {
                    cut_short = Some(i);
                    break;
                }
                if !self.step(Phase::Step, i, step).await {
                    break;
                }
            }
        }
        if let Some(previous) = restore
            && let Err(message) = self.patch_conditions(&previous).await
        {
            self.problem(
                "requires.emulator",
                None,
                format!("restoring the conditions failed: {message}"),
                Severity::Errored,
            );
        }
        for (i, step) in case.teardown.iter().enumerate() {
            self.step(Phase::Teardown, i, step).await;
        }
        cut_short
    }

    /// Runs `steps` in order until one fails; returns whether all passed.
    async fn run_all(&mut self, phase: Phase, steps: &[Step]) -> bool {
        for (i, step) in steps.iter().enumerate() {
            if !self.step(phase, i, step).await {
                return false;
            }
        }
        true
    }

    fn init_vars(&mut self, index: usize) {
        let (ctx, case) = (self.ctx, self.case);
        let f = &ctx.facts;
        let v = &mut self.vars;
        v.set("run_id", json!(ctx.run_id));
        v.set("case_uid", json!(format!("{}-{index}", ctx.run_id)));
        // The same with an underscore: a name most ONTAP collections take (a volume's may not
        // hold a hyphen).
        v.set("case_name", json!(format!("{}_{index}", ctx.run_id)));
        v.set("user", json!(ctx.target.user()));
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

    /// Records a problem that is not about a response (conditions, an unset variable, a
    /// transport error), at case-file line `line` when it has one.
    pub(super) fn problem(
        &mut self,
        step: &str,
        line: Option<usize>,
        message: String,
        severity: Severity,
    ) {
        let p = Problem {
            line,
            ..Problem::msg(message)
        };
        self.record_problem(step, line, p, None, severity);
    }

    /// Records one problem of a step, redacted, with the case-file line of the expectation that
    /// failed (or of the step, `step_line`) and the curl line that reproduces it.
    pub(super) fn record_problem(
        &mut self,
        step: &str,
        step_line: Option<usize>,
        p: Problem,
        curl: Option<String>,
        severity: Severity,
    ) {
        // A broken convention in lenient mode is reported, and fails nothing.
        let deviation = self.ctx.opts.mode() == Mode::Lenient && check::is_convention(&p);
        match severity {
            _ if deviation => {}
            Severity::Failed => self.failed = true,
            Severity::Errored => self.errored = true,
        }
        let location = p.line.or(step_line).map(|line| self.case.location(line));
        let list = if deviation {
            &mut self.deviations
        } else {
            &mut self.failures
        };
        list.push(p.into_failure(step, location, curl, &self.redactor));
    }
}

/// What each step of `case` expects (exact status, error code) of its operation: what the case
/// covers, for the coverage matrix and `spec check`.
///
/// Each alternative of `any_of` counts as its own expectation, and a code the step expects a
/// job to fail with covers that code as an error answer does: ONTAP delivers an asynchronous
/// request's failure in its job.
pub fn covers(case: &Case, spec: &Spec) -> Vec<Covers> {
    let mut out = Vec::new();
    for (i, s) in case.steps.iter().enumerate() {
        let op = spec.op(s.op);
        let step = super::step::label(Phase::Step, i, s);
        let blocks: Vec<Option<&crate::case::Expectation>> = match &s.expect {
            None => vec![None],
            Some(e) => std::iter::once(e).chain(&e.any_of).map(Some).collect(),
        };
        for e in blocks {
            out.push(Covers {
                step: Some(step.clone()),
                method: op.method.clone(),
                path: op.path.clone(),
                status: e
                    .and_then(|e| e.status.as_ref())
                    .and_then(|s| s.value.exact()),
                error_code: e
                    .and_then(|e| e.error_code.as_ref().or(e.job_error_code.as_ref()))
                    .map(|c| c.value.clone()),
            });
        }
    }
    out
}

/// Each check of the main step with what it rests on, for the reports.
fn checks(case: &Case) -> Vec<CheckBasis> {
    let step = &case.steps[case.main_step];
    let mut out = Vec::new();
    let mut add = |what: String, basis: Option<&crate::spec::Basis>| {
        if let Some(basis) = basis {
            out.push(CheckBasis {
                what,
                basis: basis.clone(),
            });
        }
    };
    let blocks = step.expect.iter().chain(step.convention.iter());
    for e in blocks.flat_map(|e| std::iter::once(e).chain(e.any_of.iter())) {
        let block = e.basis.as_ref();
        if let Some(s) = &e.status {
            add(
                format!("status {}", s.value),
                block.or(e.code_basis.as_ref()),
            );
        }
        if let Some(c) = &e.error_code {
            add(format!("error code {}", c.value), e.code_basis.as_ref());
            if let Some((status, basis)) = &e.code_status {
                add(
                    format!("status {status} for error code {}", c.value),
                    Some(basis),
                );
            }
        }
        for f in &e.fields {
            add(format!("field {}", f.at.field), block);
        }
        for f in &e.absent {
            add(format!("field {} absent", f.field), block);
        }
        for h in &e.headers {
            add(format!("header {}", h.name), block);
        }
        if let Some(j) = &e.job_state {
            add(format!("job ends {}", j.value), block);
        }
        if let Some(j) = &e.job_error_code {
            add(format!("job error code {}", j.value), block);
        }
    }
    out
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
