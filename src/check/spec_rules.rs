//! The spec's own rules for a response, whatever the case says: the status is documented for the
//! operation, documented headers are there, the body matches the status's schema, no write-only
//! field comes back. Undocumented fields are warnings (ONTAP adds fields across releases).

use super::{Problem, Response, Verdict};
use crate::spec::{Direction, Operation};

/// Schema failures (and, separately, warnings) listed per response; a body with thousands of
/// bad items would otherwise make a report of thousands of identical lines.
pub const MAX_SCHEMA_FINDINGS: usize = 20;

/// Adds the spec's findings on `resp` to `v`.
pub(super) fn check_spec(op: &Operation, resp: &Response, v: &mut Verdict) {
    let body = resp.body.as_ref();
    match op.response_for(resp.status) {
        None => v.problems.push(Problem {
            line: None,
            basis: None,
            pointer: None,
            expected: Some(op.responses.keys().cloned().collect::<Vec<_>>().join(", ")),
            actual: Some(resp.status.to_string()),
            message: format!("status {} is not documented for {}", resp.status, op.key()),
        }),
        Some(r) => {
            for h in &r.headers {
                // ONTAP documents Location on creates; a create without it breaks clients that follow it.
                if resp.header(h).is_none() && (200..300).contains(&resp.status) {
                    v.problems.push(Problem {
                        line: None,
                        basis: None,
                        pointer: None,
                        expected: Some(format!("header {h}")),
                        actual: Some("(absent)".into()),
                        message: format!("documented header `{h}` is missing"),
                    });
                }
            }
            if let (Some(schema), Some(b)) = (&r.schema, body) {
                let (mut failures, mut warnings) = (0usize, 0usize);
                for f in schema.validate(b, Direction::Response, false) {
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
                        v.problems.push(Problem {
                            line: None,
                            basis: None,
                            pointer: Some(f.pointer.clone()),
                            expected: Some(format!(
                                "a body valid for the {} response schema",
                                r.status
                            )),
                            actual: None,
                            message: format!("schema: {}", f.message),
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
