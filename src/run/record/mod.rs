//! `run --record DIR`: every exchange of a run as one pretty JSON file a person can read, diff
//! and attach to an issue, and the reader `evidence` and `emulate --check-recording` share.
//!
//! Layout: `DIR/target.json` (what the probe learned: version, cluster, SVMs) and
//! `DIR/<area>/<case-id>/<NN>-<phase>-<METHOD>.json`, one per request a case sent (setup, steps,
//! the emulator conditions, teardown), with a job's polls beside the request that started it
//! (`<NN>-<phase>-job<MM>-GET.json`), so names sort in the order the requests were sent.
//!
//! What is written passes through the case's [`Redactor`] (the reports' own), and no
//! `Authorization` header is written: the request says only which account sent it and which of
//! the case's secrets was its password (`run`, `secret-1`...), never the password. The same
//! labels mark where a redacted password was in a body (`stand_ins`), so a replay can send one
//! stand-in for the same secret where the run sent the same secret.
//!
//! Two recordings of one suite diff cleanly with `diff -r`: file names hold no run id or time,
//! and the run id (`oc` + 6 hex digits, in account names, initiators and their paths) is written
//! as `{{run_id}}` everywhere. What still differs is what the target chose: UUIDs, times, job
//! states while polling, the number of polls.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use percent_encoding::percent_decode_str;
use serde_json::Value;

mod read;

pub use read::*;

use super::TargetFacts;
use super::case_run::CaseRun;
use super::http::{Auth, Outgoing};
use crate::case::Phase;
use crate::check::Response;
use crate::report::write_atomic;
use crate::secret::{Redactor, is_password_key};

/// What a recording writes where the run's id was.
pub const RUN_ID_PLACEHOLDER: &str = "{{run_id}}";
/// The label of the run account's password.
pub const RUN_PASSWORD: &str = "run";
/// Largest response body a recording keeps, as in the reports: a target answering megabytes per
/// request must not make a recording nobody can attach to an issue.
const MAX_RECORDED_BODY: usize = 1024 * 1024;

/// Numbering and secret labels of one case's exchanges.
#[derive(Default)]
struct CaseLog {
    next: usize,
    /// The number, phase and step of the last request that was not a poll: a poll is filed
    /// beside it.
    last: Option<(usize, &'static str, String)>,
    polls: usize,
    /// Label `secret-N` is `secrets[N - 1]`; kept in memory only, as the redactor keeps them.
    secrets: Vec<String>,
}

/// Writes a run's exchanges. Shared by the run's tasks; each case has its own log.
pub struct Recorder {
    dir: PathBuf,
    base: String,
    run_id: String,
    run_password: String,
    cases: Mutex<HashMap<String, CaseLog>>,
    /// The first write that failed: the run reports it (exit 2) once it ends.
    failed: Mutex<Option<String>>,
}

impl Recorder {
    /// Creates `dir` and writes `target.json`. A directory that holds anything is refused: the
    /// files of an earlier recording would mix with this one's.
    pub fn new(
        dir: &Path,
        opts: &super::RunOptions,
        run_id: &str,
        facts: &TargetFacts,
    ) -> Result<Recorder, String> {
        if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
            return Err(format!(
                "the recording directory {} is not empty; record into a new one",
                dir.display()
            ));
        }
        let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
        let target = TargetRecord {
            tool: format!("ontap-conform {}", env!("CARGO_PKG_VERSION")),
            recorded_on: date,
            embedded_emulator: opts.embedded,
            user: opts.user.clone(),
            ontap_version: facts.version_text.clone(),
            ontap_release: facts.version.as_ref().map(ToString::to_string),
            cluster: NameUuid {
                name: facts.cluster_name.clone(),
                uuid: facts.cluster_uuid.clone(),
            },
            svms: facts
                .svms
                .iter()
                .map(|(n, u)| NameUuid {
                    name: Some(n.clone()),
                    uuid: Some(u.clone()),
                })
                .collect(),
        };
        let rec = Recorder {
            dir: dir.to_path_buf(),
            base: opts.target.trim_end_matches('/').to_string(),
            run_id: run_id.to_string(),
            run_password: opts.password.expose().to_string(),
            cases: Mutex::new(HashMap::new()),
            failed: Mutex::new(None),
        };
        let mut redactor = Redactor::default();
        redactor.add(&rec.run_password);
        let value = serde_json::to_value(&target).unwrap_or(Value::Null);
        rec.write(&dir.join("target.json"), &rec.clean(&redactor, &value))
            .map_err(|e| format!("cannot write the recording to {}: {e}", dir.display()))?;
        Ok(rec)
    }

    /// The first write that failed, if one did.
    pub fn finish(&self) -> Result<(), String> {
        match lock(&self.failed).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Records one exchange of `case`; `job_poll` for a read of the job its last request started.
    #[allow(clippy::too_many_arguments)]
    fn exchange(
        &self,
        case: (&str, &str),
        phase: &'static str,
        step: &str,
        req: &Outgoing,
        got: &Result<Response, String>,
        redactor: &Redactor,
        job_poll: bool,
    ) {
        let (area, id) = case;
        let mut cases = lock(&self.cases);
        let log = cases.entry(id.to_string()).or_default();
        let (name, poll, phase, step) = match (job_poll, &log.last) {
            (true, Some((n, p, s))) => {
                log.polls += 1;
                let name = format!("{n:02}-{p}-job{:02}-GET.json", log.polls);
                (name, Some(log.polls), *p, s.clone())
            }
            _ => {
                let n = log.next;
                log.next += 1;
                log.last = Some((n, phase, step.to_string()));
                log.polls = 0;
                let name = format!("{n:02}-{phase}-{}.json", req.method);
                (name, None, phase, step.to_string())
            }
        };
        let request = self.request(req, log, redactor);
        drop(cases);
        let (response, error) = match got {
            Ok(r) => (Some(response(r, redactor)), None),
            Err(e) => (None, Some(redactor.redact(e))),
        };
        let exchange = Exchange {
            case: id.to_string(),
            step,
            phase: phase.to_string(),
            job_poll: poll,
            request,
            response,
            error,
        };
        let value = serde_json::to_value(&exchange).unwrap_or(Value::Null);
        let path = self.dir.join(area).join(id).join(name);
        if let Err(e) = self.write(&path, &self.clean(redactor, &value)) {
            lock(&self.failed)
                .get_or_insert_with(|| format!("cannot write {}: {e}", path.display()));
        }
    }

    /// The request as the recording shows it: path and decoded query, the headers the runner
    /// sends (never `Authorization`), who sent it, and the body with its passwords labelled.
    fn request(&self, req: &Outgoing, log: &mut CaseLog, redactor: &Redactor) -> RecordedRequest {
        let path_and_query = req.url.strip_prefix(&self.base).unwrap_or(&req.url);
        let (path, qs) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let query = qs
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), Value::String(decode(v)))
            })
            .collect();
        let mut headers =
            BTreeMap::from([("accept".to_string(), "application/hal+json".to_string())]);
        let (mut body, mut body_text, mut stand_ins) = (None, None, Vec::new());
        if let Some(bytes) = &req.body {
            headers.insert("content-type".into(), "application/json".into());
            match serde_json::from_slice::<Value>(bytes) {
                Ok(v) => {
                    self.label_passwords(&v, "", log, &mut stand_ins);
                    body = Some(redactor.redact_value(&v));
                }
                Err(_) => body_text = Some(redactor.redact(&String::from_utf8_lossy(bytes))),
            }
        }
        let auth = match &req.auth {
            Auth::None => None,
            Auth::RunUser(user, _) => Some(RecordedAuth {
                user: user.clone(),
                secret: RUN_PASSWORD.into(),
            }),
            Auth::Other(user, p) => Some(RecordedAuth {
                user: user.clone(),
                secret: self.label(p.expose(), log),
            }),
        };
        RecordedRequest {
            method: req.method.clone(),
            path: path.to_string(),
            query,
            headers,
            auth,
            body,
            body_text,
            stand_ins,
        }
    }

    /// Labels every string under a password key of `v` (pointer → label).
    fn label_passwords(&self, v: &Value, at: &str, log: &mut CaseLog, out: &mut Vec<StandIn>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    match x.as_str() {
                        Some(s) if is_password_key(k) => {
                            let secret = self.label(s, log);
                            out.push(StandIn { at: p, secret });
                        }
                        _ => self.label_passwords(x, &p, log, out),
                    }
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    self.label_passwords(x, &format!("{at}/{i}"), log, out);
                }
            }
            _ => {}
        }
    }

    /// `run` for the run account's password, else `secret-N`: the same secret, the same label.
    fn label(&self, secret: &str, log: &mut CaseLog) -> String {
        if secret == self.run_password {
            return RUN_PASSWORD.into();
        }
        let n = match log.secrets.iter().position(|s| s == secret) {
            Some(i) => i + 1,
            None => {
                log.secrets.push(secret.to_string());
                log.secrets.len()
            }
        };
        format!("secret-{n}")
    }

    /// Redacted once more (a secret inside a key or a message) and the run id normalised.
    fn clean(&self, redactor: &Redactor, v: &Value) -> Value {
        let v = redactor.redact_value(v);
        map_strings(&v, &|s| s.replace(&self.run_id, RUN_ID_PLACEHOLDER))
    }

    fn write(&self, path: &Path, v: &Value) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(v).map_err(std::io::Error::other)?;
        text.push('\n');
        write_atomic(path, text.as_bytes())
    }
}

impl CaseRun<'_> {
    /// Hands one exchange of this case to the run's recorder, if it has one.
    pub(super) fn record(
        &self,
        phase: Option<Phase>,
        step: &str,
        req: &Outgoing,
        got: &Result<Response, String>,
    ) {
        self.record_as(phase_key(phase), step, req, got, false);
    }

    /// Hands one read of a job to the recorder: it is filed beside the request that started it.
    pub(super) fn record_poll(&self, req: &Outgoing, got: &Result<Response, String>) {
        self.record_as("step", "job", req, got, true);
    }

    fn record_as(
        &self,
        phase: &'static str,
        step: &str,
        req: &Outgoing,
        got: &Result<Response, String>,
        poll: bool,
    ) {
        if let Some(r) = &self.ctx.recorder {
            let case = (self.case.area.as_str(), self.case.def.id.as_str());
            r.exchange(case, phase, step, req, got, &self.redactor, poll);
        }
    }
}

/// The phase's word in file names; `None` is the emulator conditions around the steps.
fn phase_key(phase: Option<Phase>) -> &'static str {
    match phase {
        Some(Phase::Setup) => "setup",
        Some(Phase::Step) => "step",
        Some(Phase::Teardown) => "teardown",
        None => "conditions",
    }
}

fn response(r: &Response, redactor: &Redactor) -> RecordedResponse {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    // `date` alone would make every file of two recordings differ.
    for (k, v) in r.headers.iter().filter(|(k, _)| k != "date") {
        headers
            .entry(k.clone())
            .and_modify(|x| {
                x.push_str(", ");
                x.push_str(v);
            })
            .or_insert_with(|| v.clone());
    }
    let body = r.body.as_ref().map(|b| {
        let size = b.to_string().len();
        if size <= MAX_RECORDED_BODY {
            redactor.redact_value(b)
        } else {
            Value::String(format!(
                "({size} bytes of JSON, not kept: over the recording's {} KiB per body)",
                MAX_RECORDED_BODY / 1024
            ))
        }
    });
    RecordedResponse {
        status: r.status,
        headers,
        body,
        body_error: r
            .body_error
            .as_ref()
            .map(|e| crate::check::cut(&redactor.redact(e))),
    }
}

/// `v` with `f` applied to every string, keys included.
pub fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (f(k), map_strings(x, f))).collect())
        }
        other => other.clone(),
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
