//! Compiling a step's `capture`: each name and the body field (as a JSON pointer) or header it
//! takes its value from, checked against the response schemas the step can get.

use serde_json::Value;

use super::expect::{Report, compact};
use super::field_pointer;
use super::plan::{Capture, CaptureFrom, StatusExpect};
use crate::spec::Operation;
use crate::spec::schema::CompiledSchema;
use crate::yaml::{LineMap, escape_segment};

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
        let (from, or_skip) = match from {
            Value::String(s) => (s.as_str(), None),
            Value::Object(m)
                if m.len() == 2
                    && m.get("from").is_some_and(Value::is_string)
                    && m.get("or_skip").is_some_and(Value::is_string) =>
            {
                (
                    m["from"].as_str().unwrap_or_default(),
                    m["or_skip"].as_str().map(str::to_string),
                )
            }
            other => {
                report(
                    p,
                    format!(
                        "a capture names a body field or `header:NAME` (or is `{{from: FIELD, or_skip: WHY}}`), not `{}`",
                        compact(other)
                    ),
                );
                continue;
            }
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
            or_skip,
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
