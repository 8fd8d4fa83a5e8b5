//! `evidence DIR...`: what real targets answered, per ONTAP error code, read from recordings
//! (`run --record`), in a form the spec takes as an `observed` source.
//!
//! Every answer with a 4xx or 5xx status, and every job that ended `failure`, is grouped by
//! (operation, code); each distinct answer (status, message, target, the body's keys) is listed
//! once per recording with the files that show it and a ready `observed:` line. Answers whose
//! status is not the one the spec gives that code are listed again under `mismatches`: those
//! are where the spec's `status_basis` meets a cluster.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::{CliError, Verdict};
use crate::run::record::{Exchange, Recording, code_text};
use crate::spec::Spec;

/// What the recordings show.
#[derive(Debug, Serialize)]
struct Evidence {
    recordings: Vec<Source>,
    errors: Vec<Group>,
    mismatches: Vec<Mismatch>,
}

#[derive(Debug, Serialize)]
struct Source {
    dir: String,
    target: String,
    recorded_on: String,
}

/// One (operation, code) and what was answered for it.
#[derive(Debug, Serialize)]
struct Group {
    operation: String,
    /// `None`: the answer carried no `error.code` (a 401 with an empty body).
    code: Option<String>,
    /// `documented` (the operation's `x-ontap-errors`), `common` (`x-ontap-common-errors`),
    /// `undocumented`, or `none` (no code).
    kind: &'static str,
    /// The status the spec gives this code, when it gives one.
    spec_status: Option<u16>,
    /// What the spec rests that status on (`convention (...)` is what a recording can replace).
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_status_basis: Option<String>,
    answers: Vec<Answer>,
}

#[derive(Debug, Serialize)]
struct Answer {
    status: u16,
    /// `response` (the request's own answer) or `job` (202, then a job that failed).
    delivery: &'static str,
    message: Option<String>,
    target: Option<String>,
    /// The top-level keys of the body (of the job, for a job).
    keys: Vec<String>,
    /// The keys of its `error` object.
    error_keys: Vec<String>,
    count: usize,
    files: Vec<String>,
    observed: String,
}

#[derive(Debug, Serialize)]
struct Mismatch {
    file: String,
    operation: String,
    code: String,
    spec_status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_status_basis: Option<String>,
    status: u16,
}

/// Exit 0 once the recordings are read; 2 (with `file:line: problem`) when one is not.
pub(super) fn evidence(
    dirs: &[PathBuf],
    spec: Option<PathBuf>,
    json: bool,
) -> Result<Verdict, CliError> {
    let spec = Spec::load(spec.as_deref()).map_err(|diags| CliError::Spec {
        diags,
        then: Some("evidence: the spec does not load; nothing was read".into()),
    })?;
    let recordings = dirs
        .iter()
        .map(|d| Recording::read(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::cannot("evidence", e))?;
    let ev = summarize(&spec, &recordings);
    let v = serde_json::to_value(&ev).unwrap_or(Value::Null);
    if json {
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        out!("{}", to_yaml(&v));
    }
    Ok(Verdict::Passed)
}

/// One error answer found in a recording.
struct Seen<'a> {
    file: String,
    operation: String,
    spec_op: Option<&'a crate::spec::Operation>,
    status: u16,
    delivery: &'static str,
    path: String,
    method: String,
    body: Value,
    code: Option<String>,
}

fn summarize(spec: &Spec, recordings: &[Recording]) -> Evidence {
    type AnswerKey = (
        usize,
        u16,
        &'static str,
        Option<String>,
        Option<String>,
        Vec<String>,
    );
    // One group per (operation, code); in it, one answer per recording, status, delivery,
    // message, target and keys.
    type Answers = BTreeMap<AnswerKey, Answer>;
    let mut groups: BTreeMap<(String, Option<String>), (Group, Answers)> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for (ri, rec) in recordings.iter().enumerate() {
        for seen in errors_in(spec, rec) {
            let (kind, entry) = classify(spec, seen.spec_op, seen.code.as_deref(), seen.status);
            let spec_status = entry.map(|e| e.status);
            // What the spec rests that status on: a recording that differs from a convention
            // is the capture that can replace it with an `observed` basis.
            let spec_status_basis = entry.map(|e| e.status_basis.to_string());
            if let (Some(code), Some(s), "response") = (&seen.code, spec_status, seen.delivery)
                && s != seen.status
            {
                mismatches.push(Mismatch {
                    file: seen.file.clone(),
                    operation: seen.operation.clone(),
                    code: code.clone(),
                    spec_status: s,
                    spec_status_basis: spec_status_basis.clone(),
                    status: seen.status,
                });
            }
            let err = if seen.delivery == "job" {
                seen.body.get("error").cloned().unwrap_or(seen.body.clone())
            } else {
                seen.body.get("error").cloned().unwrap_or(Value::Null)
            };
            let text = |k: &str| err.get(k).and_then(Value::as_str).map(String::from);
            let (message, target) = (text("message"), text("target"));
            let keys = keys_of(&seen.body);
            let key = (
                ri,
                seen.status,
                seen.delivery,
                message.clone(),
                target.clone(),
                keys.clone(),
            );
            let entry = groups
                .entry((seen.operation.clone(), seen.code.clone()))
                .or_insert_with(|| {
                    let g = Group {
                        operation: seen.operation.clone(),
                        code: seen.code.clone(),
                        kind,
                        spec_status,
                        spec_status_basis: spec_status_basis.clone(),
                        answers: Vec::new(),
                    };
                    (g, BTreeMap::new())
                });
            let answer = entry.1.entry(key).or_insert_with(|| Answer {
                status: seen.status,
                delivery: seen.delivery,
                observed: observed(rec, &seen, message.as_deref()),
                message,
                target,
                keys,
                error_keys: keys_of(&err),
                count: 0,
                files: Vec::new(),
            });
            answer.count += 1;
            answer.files.push(seen.file);
        }
    }
    Evidence {
        recordings: recordings
            .iter()
            .map(|r| Source {
                dir: r.dir.display().to_string(),
                target: r.describe_target(),
                recorded_on: r.target.recorded_on.clone(),
            })
            .collect(),
        errors: groups
            .into_values()
            .map(|(mut g, answers)| {
                g.answers = answers.into_values().collect();
                g
            })
            .collect(),
        mismatches,
    }
}

/// Every 4xx/5xx answer of a recording, and every job that ended `failure` (its final poll),
/// with the operation each belongs to.
fn errors_in<'a>(spec: &'a Spec, rec: &Recording) -> Vec<Seen<'a>> {
    let mut out = Vec::new();
    for case in &rec.cases {
        // The request a job poll belongs to: the last one that was not a poll.
        let mut parent: Option<&Exchange> = None;
        for (i, (file, x)) in case.exchanges.iter().enumerate() {
            let Some(resp) = &x.response else { continue };
            let starter = if x.job_poll.is_some() {
                parent
            } else {
                Some(x)
            };
            let Some(starter) = starter else { continue };
            let found = spec.match_request(&starter.request.method, &starter.request.path);
            let operation = match found {
                Some((op, _)) => op.key(),
                None => format!(
                    "{} {} (not in the spec)",
                    starter.request.method, starter.request.path
                ),
            };
            let body = resp.body.clone().unwrap_or(Value::Null);
            let last_poll = x.job_poll.is_some()
                && case
                    .exchanges
                    .get(i + 1)
                    .is_none_or(|(_, n)| n.job_poll.is_none());
            let seen = |status, delivery, code| Seen {
                file: rec.dir.join(file).display().to_string(),
                operation: operation.clone(),
                spec_op: found.map(|(op, _)| op),
                status,
                delivery,
                path: with_query(&starter.request.path, &starter.request.query),
                method: starter.request.method.clone(),
                body: body.clone(),
                code,
            };
            if x.job_poll.is_none() && resp.status >= 400 {
                out.push(seen(resp.status, "response", x.error_code()));
            } else if last_poll && body.get("state").and_then(Value::as_str) == Some("failure") {
                let code = body
                    .pointer("/error/code")
                    .or_else(|| body.get("code"))
                    .and_then(code_text);
                let status = starter.response.as_ref().map_or(0, |r| r.status);
                out.push(seen(status, "job", code));
            }
            if x.job_poll.is_none() {
                parent = Some(x);
            }
        }
    }
    out
}

/// Where the spec has the code, and the status it gives it. A common code listed under several
/// statuses is the entry with the status seen, when there is one.
fn classify<'a>(
    spec: &'a Spec,
    op: Option<&'a crate::spec::Operation>,
    code: Option<&str>,
    status: u16,
) -> (&'static str, Option<&'a crate::spec::OntapError>) {
    let Some(code) = code else {
        return ("none", None);
    };
    if let Some(e) = op.and_then(|o| o.error(code)) {
        return ("documented", Some(e));
    }
    let common = || spec.common_errors.iter().filter(|e| e.code == code);
    match common()
        .find(|e| e.status == status)
        .or_else(|| common().next())
    {
        Some(e) => ("common", Some(e)),
        None => ("undocumented", None),
    }
}

/// `recording DIR of cluster1 (ONTAP 9.14.1), 2026-01-02: POST /api/x answered 409 {code, message}`.
fn observed(rec: &Recording, seen: &Seen<'_>, message: Option<&str>) -> String {
    let mut what = Vec::new();
    if let Some(c) = &seen.code {
        what.push(format!("code: {c:?}"));
    }
    if let Some(m) = message {
        what.push(format!("message: {m:?}"));
    }
    let what = if what.is_empty() {
        "with no error code".to_string()
    } else {
        format!("{{{}}}", what.join(", "))
    };
    let answered = match seen.delivery {
        "job" => format!("answered {}, then its job failed with {what}", seen.status),
        _ => format!("answered {} {what}", seen.status),
    };
    format!(
        "recording {} of {}, {}: {} {} {answered}",
        rec.dir.display(),
        rec.describe_target(),
        rec.target.recorded_on,
        seen.method,
        seen.path
    )
}

/// `path?k=v&...`, decoded: the query often is the trigger (`svm.name` on a DELETE).
fn with_query(path: &str, query: &serde_json::Map<String, Value>) -> String {
    if query.is_empty() {
        return path.to_string();
    }
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    format!("{path}?{}", q.join("&"))
}

fn keys_of(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// YAML for people: maps as blocks, lists of scalars inline, every string double-quoted (a JSON
/// string is a YAML double-quoted scalar), so what is printed pastes into the spec as it is.
fn to_yaml(v: &Value) -> String {
    let mut out = String::from("# ontap-conform evidence: what the recorded targets answered\n");
    yaml_into(v, 0, &mut out);
    out
}

fn yaml_into(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push_str(&format!("{pad}{k}:"));
                yaml_value(x, indent, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                out.push_str(&format!("{pad}- "));
                let mut inner = String::new();
                yaml_into(x, indent + 2, &mut inner);
                out.push_str(inner.trim_start());
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

/// The value after `key:`: inline when it is a scalar, an empty or a scalar list.
fn yaml_value(x: &Value, indent: usize, out: &mut String) {
    match x {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml_into(x, indent + 2, out);
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            out.push('\n');
            yaml_into(x, indent + 2, out);
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(scalar).collect();
            out.push_str(&format!(" [{}]\n", items.join(", ")));
        }
        Value::Object(_) => out.push_str(" {}\n"),
        other => out.push_str(&format!(" {}\n", scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}
