//! Judging one response: the case's expectations, then the spec's.
//!
//! Pure functions of (operation, expectation, response), so they are tested without a network and
//! the runner stays a thin loop around them.

use serde_json::Value;

use crate::case::ExpectDef;
use crate::spec::{Direction, Operation};

/// A response as the checker sees it.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The parsed body; `None` when the body was empty.
    pub body: Option<Value>,
    /// Set when a non-empty body was not JSON.
    pub body_error: Option<String>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One problem found in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: String,
}

impl Problem {
    fn msg(message: impl Into<String>) -> Self {
        Problem {
            pointer: None,
            expected: None,
            actual: None,
            message: message.into(),
        }
    }
}

/// What the checker concluded.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
}

/// A field name in a case (`records.0.svm.name` or `/records/0/svm/name`) as a JSON pointer.
pub fn field_pointer(field: &str) -> String {
    if field.starts_with('/') || field.is_empty() {
        return field.to_string();
    }
    let mut out = String::new();
    for seg in field.split('.') {
        // `records[0]` is accepted as well as `records.0`.
        let (name, idx) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.strip_suffix(']')),
            None => (seg, None),
        };
        if !name.is_empty() {
            out.push('/');
            out.push_str(&crate::yaml::escape_segment(name));
        }
        if let Some(i) = idx {
            out.push('/');
            out.push_str(i);
        }
    }
    out
}

fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(200).map(|(i, _)| i).unwrap_or(s.len())]
        )
    } else {
        s
    }
}

/// Compares a value with an expectation: a plain value must be equal; an object with one
/// matcher key (`present`, `matches`, `one_of`, `contains`, `length`, `not`) applies it.
/// Returns the expectation as text when it does not hold.
pub fn matches(actual: Option<&Value>, expected: &Value) -> Result<(), String> {
    if let Value::Object(m) = expected
        && m.len() == 1
    {
        let (k, v) = m.iter().next().expect("one entry");
        let holds = match k.as_str() {
            "present" => Some(actual.is_some() == v.as_bool().unwrap_or(true)),
            "matches" => {
                let pattern = v.as_str().unwrap_or_default();
                let text = actual.map(|a| match a {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
                Some(match regex::Regex::new(pattern) {
                    Ok(re) => text.is_some_and(|t| re.is_match(&t)),
                    Err(e) => return Err(format!("a valid regex (`{pattern}`: {e})")),
                })
            }
            "one_of" => Some(
                v.as_array()
                    .is_some_and(|opts| actual.is_some_and(|a| opts.contains(a))),
            ),
            "contains" => Some(match actual {
                Some(Value::Array(items)) => items.contains(v),
                Some(Value::String(s)) => v.as_str().is_some_and(|n| s.contains(n)),
                _ => false,
            }),
            "length" => Some(match actual {
                Some(Value::Array(items)) => Some(items.len() as u64) == v.as_u64(),
                Some(Value::String(s)) => Some(s.chars().count() as u64) == v.as_u64(),
                Some(Value::Object(o)) => Some(o.len() as u64) == v.as_u64(),
                _ => false,
            }),
            "not" => Some(actual != Some(v)),
            _ => None,
        };
        if let Some(h) = holds {
            return if h {
                Ok(())
            } else {
                Err(format!("{k}: {}", show(v)))
            };
        }
    }
    if actual == Some(expected) {
        Ok(())
    } else {
        Err(show(expected))
    }
}

/// Checks a response against the step's expectation (already interpolated) and the spec.
///
/// With no expectation, a 2xx status is expected (setup and teardown steps).
pub fn check(op: &Operation, expect: Option<&ExpectDef>, resp: &Response) -> Verdict {
    let mut v = Verdict::default();
    // A body that is not JSON explains every later mismatch, so it is named first (the CLI
    // prints a failing case's first problem).
    v.problems.extend(body_problems(resp));
    let status_expected = expect.and_then(|e| e.status);
    match status_expected {
        Some(s) if s != resp.status => v.problems.push(Problem {
            pointer: None,
            expected: Some(s.to_string()),
            actual: Some(resp.status.to_string()),
            message: format!(
                "status {} where {s} was expected{}",
                resp.status,
                error_hint(resp)
            ),
        }),
        None if !(200..300).contains(&resp.status) => v.problems.push(Problem {
            pointer: None,
            expected: Some("2xx".into()),
            actual: Some(resp.status.to_string()),
            message: format!(
                "status {} where success was expected{}",
                resp.status,
                error_hint(resp)
            ),
        }),
        _ => {}
    }
    let body = resp.body.as_ref();

    if let Some(e) = expect {
        if let Some(code) = &e.error_code {
            let actual = body.and_then(|b| b.pointer("/error/code"));
            let actual_text = actual.map(|a| {
                a.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| a.to_string())
            });
            if actual_text.as_deref() != Some(code.as_str()) {
                v.problems.push(Problem {
                    pointer: Some("/error/code".into()),
                    expected: Some(code.clone()),
                    actual: Some(actual_text.unwrap_or_else(|| "(no error code)".into())),
                    message: format!("ONTAP error code {code} was expected"),
                });
            }
        }
        for (field, want) in &e.fields {
            let pointer = field_pointer(field);
            let got = body.and_then(|b| b.pointer(&pointer));
            if let Err(expected) = matches(got, want) {
                v.problems.push(Problem {
                    pointer: Some(pointer),
                    expected: Some(expected),
                    actual: Some(got.map(show).unwrap_or_else(|| "(absent)".into())),
                    message: format!("field `{field}` does not match"),
                });
            }
        }
        for field in &e.absent {
            let pointer = field_pointer(field);
            if body.and_then(|b| b.pointer(&pointer)).is_some() {
                v.problems.push(Problem {
                    pointer: Some(pointer),
                    expected: Some("(absent)".into()),
                    actual: Some("(present; value not shown)".into()),
                    message: format!("field `{field}` must not be returned"),
                });
            }
        }
        for (name, want) in &e.headers {
            let got = resp.header(name).map(|h| Value::String(h.to_string()));
            if let Err(expected) = matches(got.as_ref(), want) {
                v.problems.push(Problem {
                    pointer: None,
                    expected: Some(expected),
                    actual: Some(got.map(|g| show(&g)).unwrap_or_else(|| "(absent)".into())),
                    message: format!("header `{name}` does not match"),
                });
            }
        }
    }

    // The spec's own rules, whatever the case says.
    match op.response_for(resp.status) {
        None => v.problems.push(Problem {
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
    v
}

/// Schema failures (and, separately, warnings) listed per response; a body with thousands of
/// bad items would otherwise make a report of thousands of identical lines.
pub const MAX_SCHEMA_FINDINGS: usize = 20;

/// Whether a Content-Type announces JSON: ONTAP answers `application/hal+json`, some proxies
/// and older releases `application/json`; any `+json` type is JSON too.
pub fn is_json_content_type(value: &str) -> bool {
    let media = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// Problems with a response body as JSON at all, before anything in it is compared: a body
/// that is not JSON, or JSON under another Content-Type (an HTML error page from a proxy, a
/// server that happens to print braces). ONTAP's clients dispatch on the Content-Type, so a
/// JSON-looking body labelled `text/html` is broken for them even when it parses.
pub fn body_problems(resp: &Response) -> Vec<Problem> {
    let mut out = Vec::new();
    let has_body = resp.body.is_some() || resp.body_error.is_some();
    if has_body {
        match resp.header("content-type") {
            Some(ct) if is_json_content_type(ct) => {}
            Some(ct) => out.push(Problem {
                pointer: None,
                expected: Some("application/hal+json".into()),
                actual: Some(ct.to_string()),
                message: format!(
                    "the response's Content-Type is `{ct}`, not JSON (ONTAP answers application/hal+json)"
                ),
            }),
            None => out.push(Problem {
                pointer: None,
                expected: Some("application/hal+json".into()),
                actual: Some("(absent)".into()),
                message: "the response has a body but no Content-Type (ONTAP answers application/hal+json)"
                    .into(),
            }),
        }
    }
    if let Some(err) = &resp.body_error {
        out.push(Problem::msg(format!("the body is not JSON: {err}")));
    }
    out
}

fn error_hint(resp: &Response) -> String {
    resp.body
        .as_ref()
        .and_then(|b| b.get("error"))
        .map(|e| {
            format!(
                " (ONTAP error {}: {})",
                e.get("code").and_then(Value::as_str).unwrap_or("?"),
                e.get("message").and_then(Value::as_str).unwrap_or("")
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_names_become_pointers() {
        assert_eq!(field_pointer("records.0.svm.name"), "/records/0/svm/name");
        assert_eq!(field_pointer("records[0].svm.name"), "/records/0/svm/name");
        assert_eq!(field_pointer("/job/uuid"), "/job/uuid");
    }

    #[test]
    fn bodies_must_be_json_by_content_type_too() {
        assert!(is_json_content_type("application/hal+json"));
        assert!(is_json_content_type("Application/JSON; charset=utf-8"));
        assert!(!is_json_content_type("text/html; charset=utf-8"));
        assert!(!is_json_content_type("text/json+html"));
        let html = Response {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: Some(json!({"name": "c"})),
            body_error: None,
        };
        let p = body_problems(&html);
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("`text/html`"), "{p:?}");
        let empty = Response {
            status: 200,
            ..Response::default()
        };
        assert!(
            body_problems(&empty).is_empty(),
            "no body, no Content-Type needed"
        );
        let bare = Response {
            body_error: Some("expected value".into()),
            ..Response::default()
        };
        let p = body_problems(&bare);
        assert!(p[0].message.contains("no Content-Type"), "{p:?}");
        assert!(p[1].message.contains("not JSON"), "{p:?}");
    }

    #[test]
    fn matchers() {
        assert!(matches(Some(&json!(1)), &json!(1)).is_ok());
        assert!(matches(Some(&json!("1")), &json!(1)).is_err());
        assert!(matches(Some(&json!("x")), &json!({"present": true})).is_ok());
        assert!(matches(None, &json!({"present": true})).is_err());
        assert!(matches(Some(&json!("/api/x/1")), &json!({"matches": "^/api/x/"})).is_ok());
        assert!(matches(Some(&json!("b")), &json!({"one_of": ["a", "b"]})).is_ok());
        assert!(matches(Some(&json!([1, 2])), &json!({"contains": 2})).is_ok());
        assert!(matches(Some(&json!([1, 2])), &json!({"length": 3})).is_err());
        assert!(matches(Some(&json!("a")), &json!({"not": "a"})).is_err());
    }
}
