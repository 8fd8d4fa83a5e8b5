//! The spec's own rules for a response, whatever the case says: the status is documented for the
//! operation, documented headers are there, the body matches the status's schema, no write-only
//! field comes back. Undocumented fields are warnings (ONTAP adds fields across releases).

use serde_json::Value;

use super::{MASKED, Problem, Response, Says, Verdict, show};
use crate::spec::{Direction, FindingKind, Operation};

/// Schema failures (and, separately, warnings) listed per response; a body with thousands of
/// bad items would otherwise make a report of thousands of identical lines.
pub const MAX_SCHEMA_FINDINGS: usize = 20;

/// Adds the spec's findings on `resp` to `v`.
pub(super) fn check_spec(op: &Operation, resp: &Response, v: &mut Verdict) {
    let body = resp.body.as_ref();
    match op.response_for(resp.status) {
        None => v.problems.push(Problem {
            expected: Some(op.responses.keys().cloned().collect::<Vec<_>>().join(", ")),
            actual: Some(resp.status.to_string()),
            ..Problem::msg(format!(
                "status {} is not documented for {}",
                resp.status,
                op.key()
            ))
        }),
        Some(r) => {
            for h in &r.headers {
                // ONTAP documents Location on creates; a create without it breaks clients that follow it.
                if resp.header(h).is_none() && (200..300).contains(&resp.status) {
                    v.problems.push(Problem {
                        expected: Some(format!("header {h}")),
                        actual: Some("(absent)".into()),
                        ..Problem::msg(format!("documented header `{h}` is missing"))
                    });
                }
            }
            if let (Some(schema), Some(b)) = (r.schema(), body) {
                let (mut failures, mut warnings) = (0usize, 0usize);
                let findings = schema.validate(b, Direction::Response, false);
                // Where a write-only field came back: its value is never shown, not even inside
                // the value of an object around it that broke another rule.
                let write_only: Vec<&str> = findings
                    .iter()
                    .filter(|f| f.kind == FindingKind::WriteOnlyInResponse)
                    .map(|f| f.pointer.as_str())
                    .collect();
                for f in &findings {
                    // A wrong item type in a long list is one mistake, found once per item:
                    // the first few say what it is, the rest are counted.
                    let shown = if f.is_failure() {
                        failures += 1;
                        failures <= MAX_SCHEMA_FINDINGS
                    } else {
                        warnings += 1;
                        warnings <= MAX_SCHEMA_FINDINGS
                    };
                    if !shown {
                        continue;
                    }
                    if f.is_failure() {
                        let hidden = f.kind == FindingKind::WriteOnlyInResponse;
                        let at = if f.pointer.is_empty() {
                            String::new()
                        } else {
                            format!(" at {}", f.pointer)
                        };
                        v.problems.push(Problem {
                            pointer: Some(f.pointer.clone()),
                            expected: Some(format!(
                                "a body valid for the {} response schema",
                                r.status
                            )),
                            actual: Some(if hidden {
                                MASKED.to_string()
                            } else {
                                shown_at(b, &f.pointer, &write_only)
                            }),
                            // The finding's message says which rule broke (`value is not a
                            // "uuid"`): the value that broke it is what it lacks.
                            says: if hidden { Says::All } else { Says::Expectation },
                            ..Problem::msg(format!("schema: {}{at}", f.message))
                        });
                    } else {
                        v.warnings.push(format!("{}: {}", f.pointer, f.message));
                    }
                }
                if failures > MAX_SCHEMA_FINDINGS {
                    v.problems.push(Problem::msg(format!(
                        "schema: {} more problems in this body, not listed",
                        failures - MAX_SCHEMA_FINDINGS
                    )));
                }
                if warnings > MAX_SCHEMA_FINDINGS {
                    v.warnings.push(format!(
                        "{} more undocumented fields in this body, not listed",
                        warnings - MAX_SCHEMA_FINDINGS
                    ));
                }
            }
        }
    }
}

/// The value of `body` at `pointer` as a failure shows it, with the value of every write-only
/// field under it (`write_only`, pointers into `body`) masked.
pub(super) fn shown_at(body: &Value, pointer: &str, write_only: &[&str]) -> String {
    let Some(value) = body.pointer(pointer) else {
        return "(absent)".into();
    };
    let inside: Vec<&str> = write_only
        .iter()
        .filter_map(|w| w.strip_prefix(pointer).filter(|rest| rest.starts_with('/')))
        .collect();
    if inside.is_empty() {
        return super::show_at(pointer, value);
    }
    let mut value = value.clone();
    for rest in inside {
        if let Some(v) = value.pointer_mut(rest) {
            *v = Value::String("***".into());
        }
    }
    show(&value)
}
