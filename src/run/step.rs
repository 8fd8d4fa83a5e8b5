//! One step: prepare (fill in variables, build the request) → send → judge (the checker, then
//! the job it links) → capture → record.
//!
//! Only the variables are read at run time; the operation, the expectation and the captures were
//! compiled when the case was loaded.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::case_run::{CaseRun, Severity};
use super::http::{self, Auth, Outgoing};
use super::preflight::{self, Skip, SkipKind};
use super::role;
use crate::case::{AsDef, CaptureFrom, Expectation, Phase, Step, interpolate};
use crate::check::{Problem, Response, Verdict};
use crate::report::model::{StepPhase, StepResult};
use crate::spec::Operation;

/// Largest response body a report keeps for one step. Reports hold every step of every case,
/// so a target answering each request with megabytes (under the 8 MiB read cap) made
/// gigabyte reports; the checks have already read the whole body.
const MAX_REPORTED_BODY: usize = 256 * 1024;

/// A step ready to send.
struct Prepared {
    outgoing: Outgoing,
    /// The JSON body after interpolation, for the report.
    body: Option<Value>,
    expect: Option<Expectation>,
    convention: Option<Expectation>,
    curl: String,
}

/// Why a step could not be prepared.
enum Unprepared {
    /// A `{{variable}}` has no value (an earlier capture did not happen).
    Missing(String),
    /// A link the target returned does not belong to the step's operation.
    ForeignLink(String),
}

impl CaseRun<'_> {
    /// Runs one step; returns whether it passed.
    pub(super) async fn step(&mut self, phase: Phase, index: usize, step: &Step) -> bool {
        let label = label(phase, index, step);
        let op = self.ctx.spec.op(step.op);
        // A failing setup step leaves nothing to judge; a failing step or teardown is a verdict.
        let severity = match phase {
            Phase::Setup => Severity::Errored,
            Phase::Step | Phase::Teardown => Severity::Failed,
        };
        let prepared = match self.prepare(op, step) {
            Ok(p) => p,
            Err(Unprepared::Missing(name)) if phase == Phase::Teardown => {
                self.steps.push(StepResult {
                    phase: StepPhase::Teardown,
                    name: label,
                    method: op.method.clone(),
                    url: op.path.clone(),
                    request_body: None,
                    status: None,
                    response_body: None,
                    duration_ms: 0,
                    curl: String::new(),
                    passed: true,
                    note: Some(format!("skipped: `{name}` was never captured")),
                });
                return true;
            }
            Err(Unprepared::Missing(name)) => {
                let message = format!("`{{{{{name}}}}}` is not set");
                self.problem(&label, Some(step.line), message, Severity::Errored);
                return false;
            }
            Err(Unprepared::ForeignLink(message)) => {
                self.problem(&label, Some(step.line), message, severity);
                return false;
            }
        };

        let mut prepared = prepared;
        if let Some(pages) = step.request.pages {
            match self.sized_walk(&label, &prepared.outgoing, pages).await {
                Ok(outgoing) => {
                    prepared.curl = self.ctx.target.curl(&outgoing);
                    prepared.outgoing = outgoing;
                }
                Err(p) => {
                    let curl = Some(prepared.curl);
                    self.record_problem(&label, Some(step.line), p, curl, severity);
                    return false;
                }
            }
        }
        let started = Instant::now();
        let sent = self.ctx.target.send(&prepared.outgoing).await;
        self.record(Some(phase), &label, &prepared.outgoing, &sent);
        let mut record = StepResult {
            phase: phase_name(phase),
            name: label.clone(),
            method: prepared.outgoing.method.clone(),
            url: self.redactor.redact(&prepared.outgoing.url),
            request_body: prepared
                .body
                .as_ref()
                .map(|b| self.redactor.redact_value(b)),
            status: None,
            response_body: None,
            duration_ms: 0,
            curl: prepared.curl.clone(),
            passed: false,
            note: None,
        };
        let resp = match sent {
            Ok(r) => r,
            Err(message) => {
                record.duration_ms = started.elapsed().as_millis() as u64;
                self.steps.push(record);
                let p = Problem::msg(message);
                let curl = Some(prepared.curl);
                self.record_problem(&label, Some(step.line), p, curl, Severity::Errored);
                return false;
            }
        };
        record.status = Some(resp.status);
        record.response_body = resp
            .body
            .as_ref()
            .map(|b| report_body(self.redactor.redact_value(b)));
        // A teardown DELETE is there to make sure the thing is gone; when the case's own steps
        // deleted it already (or failed before creating it), a refusal is that outcome too.
        if phase == Phase::Teardown
            && prepared.expect.is_none()
            && op.method == "DELETE"
            && let Some(note) = self.already_gone(&prepared.outgoing, &resp).await
        {
            record.passed = true;
            record.note = Some(note);
            record.duration_ms = started.elapsed().as_millis() as u64;
            self.steps.push(record);
            return true;
        }

        if let Some(reason) = self.refused_by_role(step, &prepared.outgoing, &resp) {
            record.note = Some(format!("skipped: {reason}"));
            record.passed = true;
            record.duration_ms = started.elapsed().as_millis() as u64;
            self.steps.push(record);
            if self.skipped.is_none() {
                self.skipped = Some(Skip {
                    kind: SkipKind::Role,
                    reason,
                });
            }
            return false;
        }

        let mut walk_problems = Vec::new();
        let mut walk_note = None;
        let resp = if step.request.follow_next && (200..300).contains(&resp.status) {
            let walked = self.walk(&label, &prepared.outgoing, resp).await;
            walk_problems = walked.problems;
            walk_note = Some(walked.note);
            walked.response
        } else {
            resp
        };
        let expect = prepared.expect.as_ref();
        let convention = prepared.convention.as_ref();
        let (mut verdict, note, followed) = self.judge(op, expect, convention, &resp).await;
        // A job the target started that no expectation followed (a teardown's DELETE of an SVM,
        // or a job whose answer already failed its checks) is waited for all the same: the case
        // ends, and its locks are free, when the work it started has ended, not while a job is
        // still changing the cluster under the next case's reads (a walk of the SVMs counted one
        // that appeared between its count and its last page).
        let waited = if !followed
            && resp.status == 202
            && resp
                .body
                .as_ref()
                .is_some_and(|b| b.pointer("/job/uuid").is_some())
        {
            Some(self.wait_job(&resp).await)
        } else {
            None
        };
        // The walk's own problems explain the expectations' (a loop cut short gives a count
        // that is wrong too), so they come first.
        verdict.problems.splice(0..0, walk_problems);
        let note = match (note, walk_note) {
            (Some(a), Some(b)) => Some(format!("{b}; {a}")),
            (a, b) => a.or(b),
        };
        if resp
            .body
            .as_ref()
            .is_some_and(|b| self.redactor.leaked_in(b))
        {
            verdict.problems.push(Problem::msg(
                "the response carries a secret this run sent (a password, shown here as ***): \
                 ONTAP documents passwords as write-only, so no answer may echo one, documented \
                 body or not",
            ));
        }
        let note = match waited {
            None => note,
            Some(job) => {
                let ended = match &job {
                    Ok(j) => j
                        .get("state")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_string(),
                    Err(e) => e.clone(),
                };
                // A teardown is there to remove: a removal that did not happen is worth a word.
                if phase == Phase::Teardown && ended != "success" {
                    verdict.warnings.push(format!(
                        "its job did not succeed ({ended}): what it removes may be left \
                         behind (`ontap-conform cleanup` finds it)"
                    ));
                }
                let waited = format!("waited for its job: {ended}");
                Some(note.map_or(waited.clone(), |n| format!("{n}; {waited}")))
            }
        };
        record.note = note;
        self.capture(phase, step, &resp, &mut verdict);

        record.duration_ms = started.elapsed().as_millis() as u64;
        record.passed = verdict.problems.is_empty();
        self.steps.push(record);
        for w in verdict.warnings {
            let w = self.redactor.redact(&format!("{label}: {w}"));
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        let passed = verdict.problems.is_empty() && self.skipped.is_none();
        for p in verdict.problems {
            let curl = Some(prepared.curl.clone());
            self.record_problem(&label, Some(step.line), p, curl, severity);
        }
        passed
    }

    /// Why the account's role, not the cluster, answered this step, if it did: a request of the
    /// run's own account that the case does not expect to be refused, answered 403 with ONTAP's
    /// "not authorized" code, by an account that is not the cluster administrator. Nothing can be
    /// judged from such an answer, so the case is skipped with the role named instead of failed
    /// (`run::role` says why the role could not be known beforehand).
    fn refused_by_role(&self, step: &Step, sent: &Outgoing, resp: &Response) -> Option<String> {
        let account = &self.ctx.facts.account;
        let refused = resp.status == 403
            && resp
                .body
                .as_ref()
                .and_then(|b| b.pointer("/error/code"))
                .and_then(Value::as_str)
                == Some(role::NOT_AUTHORIZED);
        if !refused
            || account.is_cluster_admin()
            || !matches!(sent.auth, Auth::RunUser(..))
            || preflight::expects_refusal(step)
        {
            return None;
        }
        let op = self.ctx.spec.op(step.op);
        Some(format!(
            "`{}` (role {}) was refused {} {} (403, ONTAP code {}): the account may not do what \
             this case needs",
            account.user,
            account.describe(),
            sent.method,
            op.path,
            role::NOT_AUTHORIZED
        ))
    }

    /// Fills the step's variables in and builds its request.
    fn prepare(&mut self, op: &Operation, step: &Step) -> Result<Prepared, Unprepared> {
        let req = &step.request;
        let vars = &self.vars;
        let fill = |v: &Value| interpolate(v, vars).map_err(Unprepared::Missing);
        let path = fill(&Value::Object(req.path.clone()))?;
        let query = fill(&Value::Object(req.query.clone()))?;
        let body = req.body.as_ref().map(fill).transpose()?;
        let resolve = |e: &Option<Expectation>| {
            e.as_ref()
                .map(|e| e.resolve(vars))
                .transpose()
                .map_err(Unprepared::Missing)
        };
        let expect = resolve(&step.expect)?;
        let convention = resolve(&step.convention)?;
        let target = &self.ctx.target;
        let auth = match &req.as_user {
            None => target.run_auth(),
            Some(AsDef::Keyword(_)) => Auth::None,
            Some(AsDef::Credentials { user, password }) => {
                let u = text(&fill(&json!(user))?);
                let p = text(&fill(&json!(password))?);
                target.auth_as(u, p)
            }
        };
        let mut path_and_query = http::fill_path(&op.path, path.as_object().unwrap_or(&Map::new()));
        let qs = http::query_string(query.as_object().unwrap_or(&Map::new()));
        if !qs.is_empty() {
            path_and_query = format!("{path_and_query}?{qs}");
        }
        if let Some(href) = &req.href {
            let href = text(&fill(&json!(href))?);
            let href_path = href.split('?').next().unwrap_or_default();
            if !href.starts_with('/') || op.match_path(href_path).is_none() {
                return Err(Unprepared::ForeignLink(format!(
                    "the link `{href}` does not belong to {}",
                    op.key()
                )));
            }
            path_and_query = href;
        }

        if let Auth::Other(_, p) = &auth {
            self.redactor.add(p.expose());
        }
        if let Some(b) = &body {
            self.redactor.learn_from_body(b);
        }
        let bytes = match (&req.raw_body, &body) {
            (Some(raw), _) => Some(raw.clone().into_bytes()),
            (None, Some(b)) => Some(b.to_string().into_bytes()),
            (None, None) => None,
        };
        let method = req.method.as_deref().unwrap_or(&op.method);
        let mut outgoing = target.request(method, &path_and_query, bytes, auth);
        outgoing.content_type = req.content_type.clone();
        let curl = self.redactor.redact(&target.curl(&outgoing));
        Ok(Prepared {
            outgoing,
            body,
            expect,
            convention,
            curl,
        })
    }

    /// Whether a teardown DELETE that was refused found nothing to delete, with the note saying
    /// so. 404 says it. Another 4xx is read back: which code and status a cluster gives for a
    /// record that does not exist, no seed shows (the emulator's 5374895 may come with 400), so
    /// a GET of the same path that is refused too is the evidence that nothing is left.
    async fn already_gone(&self, delete: &Outgoing, resp: &Response) -> Option<String> {
        if resp.status == 404 {
            return Some("already gone (404): nothing to tear down".into());
        }
        if !(400..500).contains(&resp.status) {
            return None;
        }
        let path = delete
            .url
            .strip_prefix(&self.ctx.target.url(""))
            .unwrap_or(&delete.url);
        let get = self.ctx.target.get(path).await.ok()?;
        (400..500).contains(&get.status).then(|| {
            format!(
                "already gone: DELETE answered {}, and a GET of the same path answered {}",
                resp.status, get.status
            )
        })
    }

    /// Takes the step's captures from the response into the case's variables. In a teardown a
    /// capture that finds nothing leaves its variable unset, and the steps that need it are
    /// passed over: a teardown reads what there is to remove, and nothing is nothing to remove.
    fn capture(&mut self, phase: Phase, step: &Step, resp: &Response, verdict: &mut Verdict) {
        for c in &step.captures {
            let value = match &c.from {
                CaptureFrom::Header(h) => resp.header(h).map(|v| json!(v)),
                CaptureFrom::Body { pointer, .. } => {
                    resp.body.as_ref().and_then(|b| b.pointer(pointer)).cloned()
                }
            };
            let expression = c.literal
                && value
                    .as_ref()
                    .is_some_and(crate::case::plan::is_query_expression);
            match value {
                Some(v) if !expression => self.vars.set(c.name.clone(), v),
                None if phase == Phase::Teardown => {}
                _ if c.or_skip.is_some() => {
                    if self.skipped.is_none() {
                        self.skipped = c.or_skip.clone().map(|reason| Skip {
                            kind: SkipKind::NothingToJudge,
                            reason: if expression {
                                format!(
                                    "the value of `{}` the target holds reads as a query expression (`|`, `*`, `!`, `<`, `>`, `..`), which no filter can name as it is",
                                    c.from
                                )
                            } else {
                                reason
                            },
                        });
                    }
                }
                _ => verdict.problems.push(Problem {
                    line: Some(c.line),
                    expected: Some(c.from.to_string()),
                    actual: Some("(absent)".into()),
                    ..Problem::msg(format!(
                        "cannot capture `{}`: `{}` is not in the response",
                        c.name, c.from
                    ))
                }),
            }
        }
    }
}

/// `steps[1] (read back)`: how reports name a step.
pub(super) fn label(phase: Phase, index: usize, step: &Step) -> String {
    let name = step
        .name
        .as_ref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!("{}[{index}]{name}", phase.key())
}

/// The phase as the report model names it (the report does not know the case module).
fn phase_name(phase: Phase) -> StepPhase {
    match phase {
        Phase::Setup => StepPhase::Setup,
        Phase::Step => StepPhase::Step,
        Phase::Teardown => StepPhase::Teardown,
    }
}

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
