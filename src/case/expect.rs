//! Compiling a step's `expect` and `capture` into the typed plan, with a diagnostic for each
//! thing that could not be meant.
//!
//! The rule that makes a misspelt matcher an error rather than a different test: in `fields` and
//! `headers`, an object is always a matcher, exactly one key from [`Matcher::NAMES`]. To compare
//! with an object literal, a case writes `{eq: {...}}`.

use regex::Regex;
use serde_json::Value;

use super::def::ExpectDef;
use super::plan::{
    Capture, CaptureFrom, Expectation, FieldExpect, FieldRef, HeaderExpect, Located, Matcher,
    StatusExpect,
};
use super::template::template_names;
use super::{did_you_mean, field_pointer};
use crate::spec::Operation;
use crate::spec::schema::CompiledSchema;
use crate::yaml::{LineMap, escape_segment};

/// Reports a problem at a JSON pointer of the case file.
pub(super) type Report<'a> = &'a mut dyn FnMut(String, String);

pub(super) fn compile_expect(
    e: &ExpectDef,
    at: &str,
    lines: &LineMap,
    report: Report,
) -> Expectation {
    let line = |p: &str| lines.line_of(p);
    let status = e.status.as_ref().and_then(|v| {
        let p = format!("{at}/status");
        compile_status(v, &p, report).map(|value| Located {
            value,
            line: line(&p),
        })
    });
    let fields = e
        .fields
        .iter()
        .filter_map(|(field, want)| {
            let p = format!("{at}/fields/{}", escape_segment(field));
            let matcher = compile_matcher(want, &p, report)?;
            Some(FieldExpect {
                at: FieldRef {
                    field: field.clone(),
                    pointer: field_pointer(field),
                    line: line(&p),
                },
                matcher,
            })
        })
        .collect();
    let headers = e
        .headers
        .iter()
        .filter_map(|(name, want)| {
            let p = format!("{at}/headers/{}", escape_segment(name));
            Some(HeaderExpect {
                name: name.clone(),
                matcher: compile_matcher(want, &p, report)?,
                line: line(&p),
            })
        })
        .collect();
    let absent = e
        .absent
        .iter()
        .enumerate()
        .map(|(i, field)| FieldRef {
            field: field.clone(),
            pointer: field_pointer(field),
            line: line(&format!("{at}/absent/{i}")),
        })
        .collect();
    let located = |v: &Option<String>, key: &str| {
        v.as_ref().map(|value| Located {
            value: value.clone(),
            line: line(&format!("{at}/{key}")),
        })
    };
    Expectation {
        status,
        error_code: located(&e.error_code, "error_code"),
        fields,
        absent,
        headers,
        job_state: located(&e.job_state, "job_state"),
    }
}

/// `404`, `"404"`, `4xx`, or `{one_of: [400, 409]}`.
fn compile_status(v: &Value, at: &str, report: Report) -> Option<StatusExpect> {
    let exact = |v: &Value| -> Option<u16> {
        let n = match v {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        (100..=599).contains(&n).then_some(n as u16)
    };
    if let Some(s) = exact(v) {
        return Some(StatusExpect::Exact(s));
    }
    if let Some(s) = v.as_str() {
        let s = s.trim().to_ascii_lowercase();
        if let Some(d) = s.strip_suffix("xx")
            && let Ok(c @ 1..=5) = d.parse::<u16>()
        {
            return Some(StatusExpect::Class(c));
        }
    }
    if let Some(list) = v
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.get("one_of"))
        .and_then(Value::as_array)
        && !list.is_empty()
    {
        let statuses: Option<Vec<u16>> = list.iter().map(exact).collect();
        if let Some(s) = statuses {
            return Some(StatusExpect::OneOf(s));
        }
    }
    report(
        at.to_string(),
        format!(
            "`{}` is not a status: write one (404), a class (4xx), or {{one_of: [400, 409]}}",
            compact(v)
        ),
    );
    None
}

/// A plain value (equality) or an object holding exactly one matcher.
pub(super) fn compile_matcher(v: &Value, at: &str, report: Report) -> Option<Matcher> {
    let Value::Object(m) = v else {
        return Some(Matcher::Eq(v.clone()));
    };
    let names = Matcher::NAMES.join("`, `");
    let Some((key, arg)) = m.iter().next().filter(|_| m.len() == 1) else {
        report(
            at.to_string(),
            format!(
                "`{}` is not a matcher: an object here holds exactly one of `{names}`; to compare with an object, write {{eq: {{...}}}}",
                compact(v)
            ),
        );
        return None;
    };
    let bad = |report: Report, what: &str| {
        report(
            format!("{at}/{}", escape_segment(key)),
            format!("`{key}` takes {what}, not `{}`", compact(arg)),
        );
        None
    };
    Some(match key.as_str() {
        "eq" => Matcher::Eq(arg.clone()),
        "present" => match arg.as_bool() {
            Some(b) => Matcher::Present(b),
            None => return bad(report, "true or false"),
        },
        "matches" => {
            let Some(pattern) = arg.as_str() else {
                return bad(report, "a regular expression (a string)");
            };
            if !template_names(pattern).is_empty() {
                report(
                    format!("{at}/matches"),
                    "a `matches` pattern cannot use `{{variables}}` (their values are not regex-safe): compare with `eq` instead".into(),
                );
                return None;
            }
            match Regex::new(pattern) {
                Ok(re) => Matcher::Matches(re),
                Err(e) => {
                    // regex's message draws a caret under the pattern over several lines;
                    // its last line says what is wrong.
                    let e = e.to_string();
                    let e = e.lines().last().unwrap_or_default().trim();
                    let e = e.strip_prefix("error: ").unwrap_or(e);
                    report(
                        format!("{at}/matches"),
                        format!("`{pattern}` is not a valid regex: {e}"),
                    );
                    return None;
                }
            }
        }
        "one_of" => match arg.as_array() {
            Some(list) if !list.is_empty() => Matcher::OneOf(list.clone()),
            _ => return bad(report, "a non-empty list"),
        },
        "contains" => Matcher::Contains(arg.clone()),
        "length" => match arg.as_u64() {
            Some(n) => Matcher::Length(n),
            None => return bad(report, "a whole number"),
        },
        "not" => Matcher::Not(Box::new(compile_matcher(
            arg,
            &format!("{at}/not"),
            report,
        )?)),
        other => {
            let hint = did_you_mean(other, Matcher::NAMES.iter().copied());
            report(
                format!("{at}/{}", escape_segment(other)),
                format!(
                    "unknown matcher `{other}`{hint}: a matcher is one of `{names}`; to compare with an object, write {{eq: {{...}}}}"
                ),
            );
            return None;
        }
    })
}

/// `name: records.0.initiator` or `name: header:Location`. A body field must be one the
/// operation's response schema can hold for the statuses the step admits: a capture of a field
/// that can never be there is a typo that would otherwise fail only at run time.
pub(super) fn compile_captures(
    captures: &serde_json::Map<String, Value>,
    op: &Operation,
    status: Option<&StatusExpect>,
    at: &str,
    lines: &LineMap,
    report: Report,
) -> Vec<Capture> {
    let mut out = Vec::new();
    for (name, from) in captures {
        let p = format!("{at}/capture/{}", escape_segment(name));
        let Some(from) = from.as_str() else {
            report(
                p,
                format!(
                    "a capture names a body field or `header:NAME`, not `{}`",
                    compact(from)
                ),
            );
            continue;
        };
        let from = match from.strip_prefix("header:") {
            Some(h) => CaptureFrom::Header(h.trim().to_string()),
            None => {
                let pointer = field_pointer(from);
                let schemas = response_schemas(op, status);
                if !schemas.is_empty() && !schemas.iter().any(|s| s.admits(&pointer)) {
                    report(
                        p.clone(),
                        format!(
                            "`{from}` cannot be in a response of `{}`: its schema has no such field",
                            op.key()
                        ),
                    );
                    continue;
                }
                CaptureFrom::Body {
                    field: from.to_string(),
                    pointer,
                }
            }
        };
        out.push(Capture {
            name: name.clone(),
            from,
            line: lines.line_of(&p),
        });
    }
    out
}

/// The schemas of the responses a step can get: those of the statuses it admits (its 2xx ones
/// when it states none).
fn response_schemas<'a>(
    op: &'a Operation,
    status: Option<&StatusExpect>,
) -> Vec<&'a CompiledSchema> {
    op.responses
        .iter()
        .filter(|(s, _)| match (s.parse::<u16>(), status) {
            (Ok(s), Some(want)) => want.admits(s),
            (Ok(s), None) => (200..300).contains(&s),
            // `default` documents the error answers.
            (Err(_), Some(want)) => match want {
                StatusExpect::Exact(s) => *s >= 400,
                StatusExpect::Class(c) => *c >= 4,
                StatusExpect::OneOf(list) => list.iter().any(|s| *s >= 400),
            },
            (Err(_), None) => false,
        })
        .filter_map(|(_, r)| r.schema.as_ref())
        .collect()
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

impl Matcher {
    /// Compiles a matcher written as in a case file (`{matches: "^x"}`, a plain value), for code
    /// that builds expectations outside a file; the problems are joined in the error.
    pub fn compile(written: &Value) -> Result<Matcher, String> {
        let mut problems = Vec::new();
        let m = compile_matcher(written, "", &mut |p, m| problems.push(format!("{p}: {m}")));
        m.ok_or_else(|| problems.join("; "))
    }
}
