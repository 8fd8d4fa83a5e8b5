//! Compiling a step's `capture`: each name and the body field (as a JSON pointer) or header it
//! takes its value from (`fields.rs` checks the field against the response schemas the step can
//! get, with the step's other fields).

use serde_json::Value;

use super::expect::{Report, compact};
use super::field_pointer;
use super::plan::{Capture, CaptureFrom};
use crate::yaml::{LineMap, escape_segment};

/// `name: records.0.initiator` or `name: header:Location`.
pub(super) fn compile_captures(
    captures: &serde_json::Map<String, Value>,
    at: &str,
    lines: &LineMap,
    report: Report,
) -> Vec<Capture> {
    let mut out = Vec::new();
    for (name, from) in captures {
        let p = format!("{at}/capture/{}", escape_segment(name));
        let (from, or_skip, literal) = match from {
            Value::String(s) => (s.as_str(), None, false),
            Value::Object(m)
                if (m.len() == 2
                    || (m.len() == 3 && m.get("literal").is_some_and(Value::is_boolean)))
                    && m.get("from").is_some_and(Value::is_string)
                    && m.get("or_skip").is_some_and(Value::is_string) =>
            {
                (
                    m["from"].as_str().unwrap_or_default(),
                    m["or_skip"].as_str().map(str::to_string),
                    m.get("literal").and_then(Value::as_bool).unwrap_or(false),
                )
            }
            other => {
                report(
                    p,
                    format!(
                        "a capture names a body field or `header:NAME` (or is `{{from: FIELD, or_skip: WHY}}`, with `literal: true` to skip as well when the value is not one a query can name literally), not `{}`",
                        compact(other)
                    ),
                );
                continue;
            }
        };
        let from = match from.strip_prefix("header:") {
            Some(h) => CaptureFrom::Header(h.trim().to_string()),
            None => CaptureFrom::Body {
                field: from.to_string(),
                pointer: field_pointer(from),
            },
        };
        out.push(Capture {
            name: name.clone(),
            from,
            or_skip,
            literal,
            line: lines.line_of(&p),
        });
    }
    out
}
