//! `emulate --check-recording DIR`: the emulator checked against what a real target answered.
//!
//! Each recorded case is replayed in order against a fresh in-process emulator, reset before
//! the case, with the recorded cluster's names and UUIDs mapped onto the emulator's (SVMs by
//! their order, as the runner numbers them), the run id onto a fixed one, and the UUIDs and
//! links the target handed out onto the ones the emulator hands out. Each answer is compared on
//! what the emulator must get right whatever the cluster: the status, `error.code`, and the
//! body's shape (its keys, recursively, values ignored).
//!
//! A recording holds no password, only which secret was where. A request that carried one is
//! sent with a stand-in that satisfies the emulator's password policy (the same stand-in for the
//! same secret within a case), so when its answer differs the difference is listed as not
//! comparable rather than as the emulator's fault: the password may have been meant to break the
//! policy. Once a case's answers have diverged that way, its later differences are too.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

mod compare;
use compare::compare;

use super::{CliError, Verdict, runtime};
use crate::check::Response;
use crate::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use crate::run::http::{self, Auth, ClientOptions, Outgoing};
use crate::run::record::{Exchange, RUN_ID_PLACEHOLDER, RUN_PASSWORD, RecordedCase, Recording};
use crate::run::{RunOptions, probe_target};
use crate::secret::Secret;

/// The run id the replay uses for `{{run_id}}` (`oc` + 6 hex digits, like a run's).
const REPLAY_RUN_ID: &str = "oc7e57ed";

/// What the replay found.
#[derive(Default)]
struct Findings {
    exchanges: usize,
    differences: Vec<String>,
    not_comparable: Vec<String>,
    stand_ins: usize,
    skipped_polls: usize,
}

/// Exit 0 when the emulator answered every request as recorded, 1 when it did not, 2 when the
/// recording cannot be read or the emulator cannot start.
pub(super) fn check_recording(dir: &Path) -> Result<Verdict, CliError> {
    let rec = Recording::read(dir).map_err(|e| CliError::cannot("emulate", e))?;
    runtime().block_on(async move {
        let release = rec.target.ontap_release.clone();
        let config = EmulatorConfig {
            ontap_version: release
                .filter(|v| ontap_rest::Version::parse_release(v).is_some())
                .unwrap_or_else(|| EmulatorConfig::default().ontap_version),
            ..EmulatorConfig::default()
        };
        let emu = Emulator::start("127.0.0.1:0".parse().expect("a literal address"), config)
            .await
            .map_err(|e| CliError::cannot("emulate", e))?;
        let replay = Replay::new(&emu.base_url(), &rec).await;
        let findings = match replay {
            Ok(r) => Ok(r.all(&rec).await),
            Err(e) => Err(e),
        };
        emu.shutdown().await;
        let findings = findings?;
        out!("{}", render(&rec, &findings));
        Ok(if findings.differences.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed
        })
    })
}

fn render(rec: &Recording, f: &Findings) -> String {
    let mut out = format!(
        "replayed {} ({}, recorded {}) against a fresh emulator: {} case(s), {} exchange(s)\n",
        rec.dir.display(),
        rec.describe_target(),
        rec.target.recorded_on,
        rec.cases.len(),
        f.exchanges
    );
    if f.stand_ins > 0 {
        out.push_str(&format!(
            "stand-ins: {} request(s) carried a password the recording redacts; each was sent \
             with a stand-in that satisfies the emulator's password policy (one per secret per \
             case), so an answer that depends on the password itself cannot be compared\n",
            f.stand_ins
        ));
    }
    if f.skipped_polls > 0 {
        out.push_str(&format!(
            "job polls: {} read(s) of a job before its last were not replayed (how many there \
             are depends on timing); the last one of each job was, once the job had ended\n",
            f.skipped_polls
        ));
    }
    if !f.not_comparable.is_empty() {
        out.push_str(&format!(
            "not comparable ({}): a stand-in password changed the answer, or the case's state \
             had diverged by then:\n",
            f.not_comparable.len()
        ));
        for d in &f.not_comparable {
            out.push_str(&format!("  {d}\n"));
        }
    }
    if f.differences.is_empty() {
        out.push_str("no difference: the emulator answered every request as recorded\n");
    } else {
        out.push_str(&format!("differences ({}):\n", f.differences.len()));
        for d in &f.differences {
            out.push_str(&format!("  {d}\n"));
        }
    }
    out
}

/// The replay's fixed state: where the emulator is, and how recorded names map onto it.
struct Replay {
    base: String,
    client: reqwest::Client,
    /// The recorded run account, replayed as the emulator's admin.
    user: String,
    /// Recorded UUID → the emulator's (replaced wherever it occurs).
    uuids: Vec<(String, String)>,
    /// Recorded name → the emulator's (replaced where a whole string or segment is the name).
    names: Vec<(String, String)>,
}

/// One case's replay: what the target handed out mapped onto what the emulator did.
#[derive(Default)]
struct CaseState {
    learned: Vec<(String, String)>,
    diverged: bool,
}

impl Replay {
    async fn new(base: &str, rec: &Recording) -> Result<Replay, CliError> {
        let client_opts = ClientOptions {
            request_timeout: Duration::from_secs(30),
            ..ClientOptions::default()
        };
        let client = http::client(&client_opts).map_err(|e| CliError::cannot("emulate", e))?;
        let opts = RunOptions {
            embedded: true,
            ..RunOptions::new(
                base.to_string(),
                ADMIN_USER.into(),
                Secret::new(ADMIN_PASSWORD),
                client_opts,
            )
        };
        let facts = probe_target(&opts)
            .await
            .map_err(|e| CliError::cannot("emulate", e))?;
        let t = &rec.target;
        let mut uuids = Vec::new();
        let mut names = Vec::new();
        let pair = |from: &Option<String>, to: &Option<String>, list: &mut Vec<_>| {
            if let (Some(f), Some(t)) = (from, to)
                && f != t
            {
                list.push((f.clone(), t.clone()));
            }
        };
        pair(&t.cluster.uuid, &facts.cluster_uuid, &mut uuids);
        pair(&t.cluster.name, &facts.cluster_name, &mut names);
        for (svm, (name, uuid)) in t.svms.iter().zip(&facts.svms) {
            pair(&svm.uuid, &Some(uuid.clone()), &mut uuids);
            pair(&svm.name, &Some(name.clone()), &mut names);
        }
        Ok(Replay {
            base: base.to_string(),
            client,
            user: t.user.clone(),
            uuids,
            names,
        })
    }

    async fn all(&self, rec: &Recording) -> Findings {
        let mut f = Findings::default();
        for case in &rec.cases {
            self.case(case, &mut f).await;
        }
        f
    }

    async fn case(&self, case: &RecordedCase, f: &mut Findings) {
        let reset = self.request("POST", "/emulator/reset", None, self.admin());
        if let Err(e) = http::send(&self.client, &reset).await {
            f.differences.push(format!(
                "{}/{}: cannot reset the emulator: {e}",
                case.area, case.id
            ));
            return;
        }
        let mut state = CaseState::default();
        for (i, (file, x)) in case.exchanges.iter().enumerate() {
            let last_poll = case
                .exchanges
                .get(i + 1)
                .is_none_or(|(_, n)| n.job_poll.is_none());
            if x.job_poll.is_some() && !last_poll {
                f.skipped_polls += 1;
                continue;
            }
            f.exchanges += 1;
            let (req, stand_in) = self.outgoing(x, &state);
            if stand_in {
                f.stand_ins += 1;
            }
            let got = if x.job_poll.is_some() {
                self.poll_to_end(&req).await
            } else {
                http::send(&self.client, &req).await
            };
            if let (Some(r), Ok(g)) = (&x.response, &got) {
                learn(r.body.as_ref(), g.body.as_ref(), &mut state.learned);
                if let (Some(a), Some(b)) = (r.headers.get("location"), g.header("location")) {
                    learn_link(&self.relative(a), &self.relative(b), &mut state.learned);
                }
            }
            let problems = compare(x, &got);
            if problems.is_empty() {
                continue;
            }
            let at = format!(
                "{}: {} {}",
                file.display(),
                x.request.method,
                x.request.path
            );
            let comparable = !stand_in && !state.diverged;
            if !comparable {
                state.diverged = true;
            }
            for p in problems {
                let line = format!("{at}: {p}");
                if comparable {
                    f.differences.push(line);
                } else {
                    f.not_comparable.push(line);
                }
            }
        }
    }

    /// A job read, repeated until the job has ended (or 10 s have passed): the recorded last
    /// poll shows the job's end.
    async fn poll_to_end(&self, req: &Outgoing) -> Result<Response, String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = http::send(&self.client, req).await?;
            let state = r.body.as_ref().and_then(|b| b.get("state"));
            let ended = matches!(state.and_then(Value::as_str), Some("success" | "failure"));
            if ended || r.status != 200 || Instant::now() >= deadline {
                return Ok(r);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The recorded request mapped onto the emulator; `true` when it carries a stand-in.
    fn outgoing(&self, x: &Exchange, state: &CaseState) -> (Outgoing, bool) {
        let r = &x.request;
        let mut stand_in = false;
        let path: Vec<String> = r
            .path
            .split('/')
            .map(|seg| self.map_text(seg, state))
            .collect();
        let mut path = path.join("/");
        let query: Map<String, Value> = r
            .query
            .iter()
            .map(|(k, v)| (k.clone(), self.map_value(v, state)))
            .collect();
        let qs = http::query_string(&query);
        if !qs.is_empty() {
            path = format!("{path}?{qs}");
        }
        let body = match (&r.body, &r.body_text) {
            (Some(b), _) if !b.is_null() => {
                let mut b = self.map_value(b, state);
                for s in &r.stand_ins {
                    if let Some(slot) = b.pointer_mut(&s.at) {
                        *slot = Value::String(stand_in_for(&s.secret));
                        stand_in = true;
                    }
                }
                Some(b.to_string().into_bytes())
            }
            (_, Some(t)) => Some(self.map_text(t, state).into_bytes()),
            _ => None,
        };
        let auth = match &r.auth {
            None => Auth::None,
            Some(a) if a.secret == RUN_PASSWORD => self.admin(),
            Some(a) => {
                stand_in = true;
                let user = if a.user == self.user {
                    ADMIN_USER.to_string()
                } else {
                    self.map_text(&a.user, state)
                };
                Auth::Other(user, Secret::new(stand_in_for(&a.secret)))
            }
        };
        (self.request(&r.method, &path, body, auth), stand_in)
    }

    fn request(&self, method: &str, path: &str, body: Option<Vec<u8>>, auth: Auth) -> Outgoing {
        Outgoing {
            method: method.to_string(),
            url: format!("{}{path}", self.base),
            body,
            auth,
            content_type: None,
        }
    }

    fn admin(&self) -> Auth {
        Auth::RunUser(ADMIN_USER.into(), Secret::new(ADMIN_PASSWORD))
    }

    /// A `Location` as a path, whichever base it names.
    fn relative(&self, link: &str) -> String {
        match link.find("://") {
            Some(i) => {
                let rest = &link[i + 3..];
                rest.find('/').map_or("/".into(), |j| rest[j..].to_string())
            }
            None => link.to_string(),
        }
    }

    fn map_value(&self, v: &Value, state: &CaseState) -> Value {
        crate::run::record::map_strings(v, &|s| self.map_text(s, state))
    }

    /// A recorded string (or path segment) as the emulator must see it.
    fn map_text(&self, s: &str, state: &CaseState) -> String {
        if let Some((_, to)) = self.names.iter().find(|(from, _)| from == s) {
            return to.clone();
        }
        let mut out = s.replace(RUN_ID_PLACEHOLDER, REPLAY_RUN_ID);
        for (from, to) in self.uuids.iter().chain(&state.learned) {
            if out.contains(from.as_str()) {
                out = out.replace(from.as_str(), to);
            }
        }
        out
    }
}

/// The stand-in for a secret label: the same for the same label, within the emulator's policy.
fn stand_in_for(label: &str) -> String {
    let n: String = label.chars().filter(char::is_ascii_digit).collect();
    format!("StandIn{n:0>3}x9#Q")
}

/// UUIDs and links the target handed out (under `uuid` and `href` keys) → the emulator's, at
/// the same place in the same answer.
fn learn(recorded: Option<&Value>, got: Option<&Value>, out: &mut Vec<(String, String)>) {
    match (recorded, got) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for (k, x) in a {
                let y = b.get(k);
                match (x, y) {
                    (Value::String(s), Some(Value::String(t))) if k == "uuid" => {
                        if s != t && !s.is_empty() {
                            out.push((s.clone(), t.clone()));
                        }
                    }
                    (Value::String(s), Some(Value::String(t))) if k == "href" => {
                        learn_link(s, t, out);
                    }
                    _ => learn(Some(x), y, out),
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for (x, y) in a.iter().zip(b) {
                learn(Some(x), Some(y), out);
            }
        }
        _ => {}
    }
}

/// Two links to the same thing: their paths, and their query values one by one.
fn learn_link(recorded: &str, got: &str, out: &mut Vec<(String, String)>) {
    let (rp, rq) = recorded.split_once('?').unwrap_or((recorded, ""));
    let (gp, gq) = got.split_once('?').unwrap_or((got, ""));
    if rp != gp {
        out.push((rp.to_string(), gp.to_string()));
    }
    let gq: Vec<(&str, &str)> = gq.split('&').filter_map(|p| p.split_once('=')).collect();
    for (k, v) in rq.split('&').filter_map(|p| p.split_once('=')) {
        if let Some((_, w)) = gq.iter().find(|(gk, _)| *gk == k)
            && v != *w
            && !v.is_empty()
        {
            out.push((v.to_string(), w.to_string()));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            out.push((decode(v), decode(w)));
        }
    }
}
