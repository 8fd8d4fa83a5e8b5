//! Compiling a step's `expect` and `convention` blocks into the typed plan, with a diagnostic
//! for each thing that could not be meant (captures are `capture.rs`).
//!
//! The rule that makes a misspelt matcher an error rather than a different test: in `fields` and
//! `headers`, an object is always a matcher, exactly one key from [`Matcher::NAMES`]. To compare
//! with an object literal, a case writes `{eq: {...}}`.

use regex::Regex;
use serde_json::Value;

use super::def::ExpectDef;
use super::plan::{
    Expectation, FieldExpect, FieldRef, HeaderExpect, Located, Matcher, StatusExpect,
};
use super::template::template_names;
use super::{did_you_mean, field_pointer};
use crate::spec::{Basis, Operation, Spec, parse_basis_at};
use crate::yaml::{LineMap, escape_segment};

/// Reports a problem at a JSON pointer of the case file.
pub(super) type Report<'a> = &'a mut dyn FnMut(String, String);

/// Which block of a step an expectation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    /// `expect`: its checks need a basis (or take it from the spec).
    Expect,
    /// One of `expect.any_of`.
    Alternative,
    /// `convention`: every check's basis is the block's `why`.
    Convention,
}

pub(super) fn compile_expect(
    spec: &Spec,
    op: &Operation,
    e: &ExpectDef,
    at: &str,
    block: Block,
    lines: &LineMap,
    report: Report,
) -> Expectation {
    let mut ex = compile_checks(e, at, lines, report);
    ex.basis = match (block, &e.basis, &e.why) {
        (Block::Convention, Some(_), _) => {
            report(
                format!("{at}/basis"),
                "a `convention` block's basis is its `why`: drop `basis`".into(),
            );
            None
        }
        (Block::Convention, None, Some(why)) if !why.trim().is_empty() => Some(Basis::Convention {
            why: why.trim().to_string(),
        }),
        (Block::Convention, None, _) => {
            report(
                at.to_string(),
                "a `convention` block says `why` this suite holds to it".into(),
            );
            None
        }
        (_, _, Some(_)) => {
            report(
                format!("{at}/why"),
                "`why` belongs in a `convention` block; here, say what the checks rest on in `basis`".into(),
            );
            None
        }
        // The spec's error entries are read by the same function: a documented basis names a
        // seed page of the repository, and a wrong one is reported at its own line.
        (_, Some(v), None) => parse_basis_at(Some(v), at, "basis", report),
        (_, None, None) => None,
    };
    if block == Block::Convention && !e.any_of.is_empty() {
        report(
            format!("{at}/any_of"),
            "`any_of` belongs in `expect`, not in a `convention` block".into(),
        );
    }
    if block == Block::Alternative && !e.any_of.is_empty() {
        report(
            format!("{at}/any_of"),
            "alternatives do not nest: list them all in one `any_of`".into(),
        );
    }
    // The code's basis, and the status the spec gives it, come from the spec's entry.
    if let Some(code) = &ex.error_code {
        let entry = op
            .error(&code.value)
            .or_else(|| spec.common_errors.iter().find(|c| c.code == code.value));
        match entry {
            Some(entry) => {
                ex.code_basis = Some(match block {
                    Block::Convention => ex.basis.clone().unwrap_or(entry.basis.clone()),
                    _ => entry.basis.clone(),
                });
                if ex.status.as_ref().and_then(|s| s.value.exact()).is_none() {
                    ex.code_status = Some((entry.status, entry.status_basis.clone()));
                }
            }
            None => ex.code_basis = ex.basis.clone(),
        }
    }
    // Every check whose basis does not come from the spec needs the block's.
    let needs_basis = !ex.fields.is_empty()
        || !ex.absent.is_empty()
        || !ex.headers.is_empty()
        || ex.job_state.is_some()
        || ex.job_error_code.is_some()
        || (ex.error_code.is_some() && ex.code_basis.is_none())
        || ex.status.as_ref().is_some_and(|s| {
            // A status class beside a code the spec documents rests on that code.
            !(matches!(s.value, StatusExpect::Class(4)) && ex.code_status.is_some())
        });
    // A basis that was written but refused has been reported where it is wrong already.
    if needs_basis && ex.basis.is_none() && e.basis.is_none() && block != Block::Convention {
        report(
            format!("{at}/basis"),
            "say what these checks rest on: basis: {documented: SEED_FILE}, {observed: SOURCE} or {convention: WHY} (or move a convention into the step's `convention` block)".into(),
        );
    }
    if ex.job_error_code.is_some() && ex.job_state.is_none() {
        report(
            format!("{at}/job_error_code"),
            "`job_error_code` goes with `job_state: failure`".into(),
        );
    }
    ex.any_of = e
        .any_of
        .iter()
        .enumerate()
        .map(|(i, alt)| {
            compile_expect(
                spec,
                op,
                alt,
                &format!("{at}/any_of/{i}"),
                Block::Alternative,
                lines,
                report,
            )
        })
        .collect();
    ex
}

/// The checks of one block, before their bases are known.
fn compile_checks(e: &ExpectDef, at: &str, lines: &LineMap, report: Report) -> Expectation {
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
        job_error_code: located(&e.job_error_code, "job_error_code"),
        ..Expectation::default()
    }
}

/// `404`, `"404"`, `4xx`, or `{one_of: [400, 409]}`.
pub(super) fn compile_status(v: &Value, at: &str, report: Report) -> Option<StatusExpect> {
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
        "each" => Matcher::Each(Box::new(compile_matcher(
            arg,
            &format!("{at}/each"),
            report,
        )?)),
        "fields" => {
            let Some(fields) = arg.as_object().filter(|m| !m.is_empty()) else {
                return bad(report, "a map of field to value or matcher");
            };
            let mut out = Vec::new();
            for (field, want) in fields {
                let p = format!("{at}/fields/{}", escape_segment(field));
                let m = compile_matcher(want, &p, report)?;
                let at = FieldRef {
                    field: field.clone(),
                    pointer: field_pointer(field),
                    line: 0,
                };
                out.push((at, m));
            }
            Matcher::Fields(out)
        }
        "keys_within" => match arg.as_array().map(|l| {
            l.iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        }) {
            Some(Some(names)) => Matcher::KeysWithin(names),
            _ => return bad(report, "a list of key names"),
        },
        "ordered_by" => {
            let spec = arg.as_str().unwrap_or_default().trim();
            let (field, descending) = match spec.split_once(' ') {
                Some((f, dir)) if dir.trim() == "desc" => (f, true),
                Some((f, dir)) if dir.trim() == "asc" => (f, false),
                Some(_) => return bad(report, "`FIELD`, `FIELD asc` or `FIELD desc`"),
                None => (spec, false),
            };
            if field.is_empty() {
                return bad(report, "`FIELD`, `FIELD asc` or `FIELD desc`");
            }
            Matcher::OrderedBy {
                field: FieldRef {
                    field: field.to_string(),
                    pointer: field_pointer(field),
                    line: 0,
                },
                descending,
            }
        }
        "distinct" => match arg.as_bool() {
            Some(true) => Matcher::Distinct,
            _ => return bad(report, "true"),
        },
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

pub(super) fn compact(v: &Value) -> String {
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
