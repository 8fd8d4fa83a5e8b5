//! Judging one response: the case's typed expectations, then the spec's.
//!
//! Pure functions of (operation, expectation, response), so they are tested without a network and
//! the runner stays a thin loop around them. The expectation arrives compiled (see
//! [`crate::case::plan`]) with its `{{variables}}` already filled in: nothing here parses case
//! text.

mod content;
mod expect;
pub mod matcher;
mod problem;
mod spec_rules;

use serde_json::Value;

use crate::case::Expectation;
use crate::spec::Operation;

pub use content::{body_problems, is_json_content_type};
pub use expect::{expectation, is_convention, job_problems};
use problem::{MASKED, show, show_at};
pub use problem::{MAX_SHOWN_CHARS, Problem, Says, cut};
pub use spec_rules::MAX_SCHEMA_FINDINGS;

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

/// What the checker concluded.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
}

/// Checks a response against the step's expectation (resolved) and the spec.
///
/// With no expectation, or one that names no status and offers no alternatives, a 2xx status is
/// expected (setup and teardown steps). The alternatives of `any_of` and the job a response
/// links are judged by the runner, with [`expectation`] for each block.
pub fn check(op: &Operation, expect: Option<&Expectation>, resp: &Response) -> Verdict {
    let mut v = Verdict::default();
    // A body that is not JSON explains every later mismatch, so it is named first (the CLI
    // prints a failing case's first problem).
    v.problems.extend(body_problems(resp));
    let states_status = expect.is_some_and(|e| e.status.is_some() || !e.any_of.is_empty());
    if !states_status && !(200..300).contains(&resp.status) {
        v.problems.push(Problem {
            expected: Some("2xx".into()),
            actual: Some(resp.status.to_string()),
            ..Problem::msg(format!(
                "status {} where success was expected{}",
                resp.status,
                content::error_hint(resp)
            ))
        });
    }
    if let Some(e) = expect {
        v.problems.extend(expectation(e, resp));
    }
    spec_rules::check_spec(op, resp, &mut v);
    v
}

#[cfg(test)]
mod actual_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_names_become_pointers() {
        use crate::case::field_pointer;
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

    /// A matcher written as in a case file, compiled and evaluated.
    fn matches(actual: Option<&Value>, written: &Value) -> Result<(), String> {
        let m = crate::case::Matcher::compile(written).expect("a valid matcher");
        matcher::holds(&m, actual)
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
        assert!(matches(Some(&json!({"a": 1})), &json!({"eq": {"a": 1}})).is_ok());
        assert!(matches(None, &json!({"not": {"present": true}})).is_ok());
        assert!(matches(Some(&json!("x")), &json!({"not": {"matches": "^x$"}})).is_err());
    }

    /// The collection matchers the generated checks use: a filter, a projection, an order, a walk.
    #[test]
    fn collection_matchers() {
        let records = json!([
            {"name": "b", "svm": {"name": "s1"}, "n": 2},
            {"name": "a", "svm": {"name": "s1"}, "n": 10}
        ]);
        let each_svm = json!({"each": {"fields": {"svm.name": "s1"}}});
        assert!(matches(Some(&records), &each_svm).is_ok());
        let e = matches(Some(&records), &json!({"each": {"fields": {"name": "b"}}})).unwrap_err();
        assert!(e.contains("element 1"), "{e}");
        assert!(matches(Some(&json!([])), &each_svm).is_ok(), "vacuous");
        let within = json!({"each": {"keys_within": ["name", "svm", "n"]}});
        assert!(matches(Some(&records), &within).is_ok());
        let e = matches(Some(&records), &json!({"each": {"keys_within": ["name"]}})).unwrap_err();
        assert!(e.contains("`svm` is not one of them"), "{e}");
        assert!(matches(Some(&records), &json!({"ordered_by": "name desc"})).is_ok());
        let e = matches(Some(&records), &json!({"ordered_by": "name"})).unwrap_err();
        assert!(e.contains("\"b\" comes before \"a\""), "{e}");
        assert!(
            matches(Some(&records), &json!({"ordered_by": "n"})).is_ok(),
            "numbers as numbers"
        );
        assert!(matches(Some(&records), &json!({"ordered_by": "n desc"})).is_err());
        // Byte and case order disagree on "B" < "a": neither order fails it.
        let mixed = json!([{"name": "a"}, {"name": "B"}]);
        assert!(matches(Some(&mixed), &json!({"ordered_by": "name"})).is_ok());
        assert!(matches(Some(&mixed), &json!({"ordered_by": "name desc"})).is_ok());
        // So do number and text order on strings of digits; an order neither allows still fails.
        let codes = json!([{"c": "52428830"}, {"c": "196608081"}]);
        assert!(matches(Some(&codes), &json!({"ordered_by": "c"})).is_ok());
        assert!(matches(Some(&codes), &json!({"ordered_by": "c desc"})).is_ok());
        let codes = json!([{"c": "2"}, {"c": "10"}, {"c": "1"}]);
        assert!(matches(Some(&codes), &json!({"ordered_by": "c"})).is_err());
        assert!(matches(Some(&records), &json!({"distinct": true})).is_ok());
        let twice = json!([{"name": "a"}, {"name": "a"}]);
        assert!(matches(Some(&twice), &json!({"distinct": true})).is_err());
    }

    #[test]
    fn status_rules() {
        use crate::case::StatusExpect;
        let class = StatusExpect::Class(4);
        assert!(class.admits(400) && class.admits(409) && class.admits(499));
        assert!(!class.admits(200) && !class.admits(500));
        let list = StatusExpect::OneOf(vec![400, 409]);
        assert!(list.admits(409) && !list.admits(404));
        assert_eq!(class.to_string(), "4xx");
    }
}

#[cfg(test)]
mod status_class_tests {
    use super::*;
    use crate::case::{Located, StatusExpect};
    use crate::spec::Spec;
    use serde_json::json;

    /// `status: 4xx` on the DELETE of a credential, judged on real-shaped answers.
    #[test]
    fn a_status_class_passes_any_status_of_its_class_and_fails_the_rest() {
        let spec = Spec::load(None).expect("shipped spec");
        let op = spec
            .operation(
                "DELETE",
                "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}",
            )
            .expect("documented");
        let expect = |rule| Expectation {
            status: Some(Located {
                value: rule,
                line: 7,
            }),
            ..Expectation::default()
        };
        let answer = |status: u16| Response {
            status,
            headers: vec![("content-type".into(), "application/hal+json".into())],
            body: Some(if status < 300 {
                json!({})
            } else {
                json!({"error": {"code": "5374148", "message": "no"}})
            }),
            body_error: None,
        };
        let status_problems = |e: &Expectation, status| -> Vec<Problem> {
            check(op, Some(e), &answer(status))
                .problems
                .into_iter()
                .filter(|p| p.message.starts_with("status "))
                .collect()
        };
        let class = expect(StatusExpect::Class(4));
        for ok in [400, 409] {
            assert!(status_problems(&class, ok).is_empty(), "{ok}");
        }
        for bad in [200, 500] {
            let p = status_problems(&class, bad);
            assert_eq!(p.len(), 1, "{bad}: {p:?}");
            assert_eq!(p[0].expected.as_deref(), Some("4xx"));
            assert_eq!(p[0].line, Some(7), "the failure names the case file's line");
        }
        let list = expect(StatusExpect::OneOf(vec![400, 409]));
        assert!(status_problems(&list, 409).is_empty());
        assert_eq!(
            status_problems(&list, 404)[0].message,
            "status 404 where one of 400, 409 was expected (ONTAP error 5374148: no)"
        );
    }
}
