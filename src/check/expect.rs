//! Judging one block of a case's expectations (`expect`, one of its `any_of`, or `convention`)
//! on a response, each problem carrying the basis of the check it breaks, so the runner can tell
//! a failure from a deviation.

use serde_json::Value;

use super::content::error_hint;
use super::{Problem, Response, Says, matcher, show, show_at};
use crate::case::Expectation;
use crate::spec::Basis;

/// The problems of `e` on `resp`: its status (when it states one), its error code and the status
/// the spec gives that code, its fields, absent fields and headers. The job a response links is
/// judged apart ([`job_problems`]), once it has ended.
pub fn expectation(e: &Expectation, resp: &Response) -> Vec<Problem> {
    let mut out = Vec::new();
    let body = resp.body.as_ref();
    if let Some(s) = &e.status
        && !s.value.admits(resp.status)
    {
        out.push(Problem {
            line: Some(s.line),
            basis: e.basis.clone().or_else(|| e.code_basis.clone()),
            expected: Some(s.value.to_string()),
            actual: Some(resp.status.to_string()),
            ..Problem::msg(format!(
                "status {} where {} was expected{}",
                resp.status,
                s.value,
                error_hint(resp)
            ))
        });
    }
    if let Some(code) = &e.error_code {
        let actual = body.and_then(|b| b.pointer("/error/code"));
        let actual_text = actual.map(|a| {
            a.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| a.to_string())
        });
        if actual_text.as_deref() != Some(code.value.as_str()) {
            out.push(Problem {
                line: Some(code.line),
                basis: e.code_basis.clone(),
                pointer: Some("/error/code".into()),
                expected: Some(code.value.clone()),
                actual: Some(actual_text.unwrap_or_else(|| "(no error code)".into())),
                says: Says::Nothing,
                ..Problem::msg("ONTAP error code does not match")
            });
        } else if let Some((status, basis)) = &e.code_status
            && resp.status != *status
        {
            // The code came; only its status differs from the one the spec gives it.
            let kind = if basis.is_convention() {
                "this suite's convention"
            } else {
                "the spec"
            };
            out.push(Problem {
                line: Some(code.line),
                basis: Some(basis.clone()),
                expected: Some(status.to_string()),
                actual: Some(resp.status.to_string()),
                ..Problem::msg(format!(
                    "this target answered {} where {kind} says {status} for {}",
                    resp.status, code.value
                ))
            });
        }
    }
    for f in &e.fields {
        let got = body.and_then(|b| b.pointer(&f.at.pointer));
        if let Err(expected) = matcher::holds(&f.matcher, got) {
            out.push(Problem {
                line: Some(f.at.line),
                basis: e.basis.clone(),
                pointer: Some(f.at.pointer.clone()),
                expected: Some(expected),
                actual: Some(
                    got.map(|g| show_at(&f.at.pointer, g))
                        .unwrap_or_else(|| "(absent)".into()),
                ),
                says: Says::Nothing,
                ..Problem::msg(format!("field `{}` does not match", f.at.field))
            });
        }
    }
    for f in &e.absent {
        if let Some(got) = body.and_then(|b| b.pointer(&f.pointer)) {
            // Most `absent` checks are about passwords: those show as `***`, whatever came.
            out.push(Problem {
                line: Some(f.line),
                basis: e.basis.clone(),
                pointer: Some(f.pointer.clone()),
                expected: Some("(absent)".into()),
                actual: Some(show_at(&f.pointer, got)),
                says: Says::Expectation,
                ..Problem::msg(format!("field `{}` must not be returned", f.field))
            });
        }
    }
    for h in &e.headers {
        let got = resp.header(&h.name).map(|g| Value::String(g.to_string()));
        if let Err(expected) = matcher::holds(&h.matcher, got.as_ref()) {
            out.push(Problem {
                line: Some(h.line),
                basis: e.basis.clone(),
                expected: Some(expected),
                actual: Some(got.map(|g| show(&g)).unwrap_or_else(|| "(absent)".into())),
                says: Says::Nothing,
                ..Problem::msg(format!("header `{}` does not match", h.name))
            });
        }
    }
    out
}

/// The problems of `e`'s `job_state` and `job_error_code` on a job that has ended (`job` is its
/// record; `Err` says why it could not be read to its end).
pub fn job_problems(e: &Expectation, job: &Result<Value, String>) -> Vec<Problem> {
    let Some(state) = &e.job_state else {
        return Vec::new();
    };
    let job = match job {
        Ok(job) => job,
        Err(message) => {
            return vec![Problem {
                line: Some(state.line),
                basis: e.basis.clone(),
                pointer: Some("/job/uuid".into()),
                ..Problem::msg(message.clone())
            }];
        }
    };
    let mut out = Vec::new();
    let got = job.get("state").and_then(Value::as_str).unwrap_or("?");
    if got != state.value {
        let detail = job
            .pointer("/error/message")
            .or_else(|| job.get("message"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.push(Problem {
            line: Some(state.line),
            basis: e.basis.clone(),
            pointer: Some("/state".into()),
            expected: Some(state.value.clone()),
            actual: Some(got.to_string()),
            ..Problem::msg(if detail.is_empty() {
                format!("the job ended `{got}` where `{}` was expected", state.value)
            } else {
                format!(
                    "the job ended `{got}` where `{}` was expected: {detail}",
                    state.value
                )
            })
        });
    }
    if let Some(code) = &e.job_error_code {
        // ONTAP's job record carries the failure as `error.code` (a string) and `code` (a
        // number); either may be the one a release fills in.
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        };
        let found: Vec<String> = [job.pointer("/error/code"), job.get("code")]
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        if !found.contains(&code.value) {
            out.push(Problem {
                line: Some(code.line),
                basis: e.basis.clone(),
                pointer: Some("/error/code".into()),
                expected: Some(code.value.clone()),
                actual: Some(if found.is_empty() {
                    "(no error code)".into()
                } else {
                    found.join(", ")
                }),
                says: Says::Nothing,
                ..Problem::msg("the job's ONTAP error code does not match")
            });
        }
    }
    out
}

/// Whether a problem is one a lenient run reports as a deviation rather than a failure.
pub fn is_convention(p: &Problem) -> bool {
    p.basis.as_ref().is_some_and(Basis::is_convention)
}
