//! Every kind of problem the checks report carries what the target answered, and its failure
//! says it once: the line a person reads is `expected X, got Y` or words to that effect. Values
//! are redacted before they are cut, and write-only or password values never show.

use serde_json::{Value, json};

use super::*;
use crate::case::{FieldExpect, FieldRef, HeaderExpect, Located, Matcher, StatusExpect};
use crate::report::model::Failure;
use crate::secret::Redactor;
use crate::spec::{Basis, Spec};

const CREDENTIALS: (&str, &str) = ("POST", "/api/protocols/san/iscsi/credentials");
const SVM: (&str, &str) = ("GET", "/api/svm/svms/{uuid}");

fn json_answer(status: u16, body: Value) -> Response {
    Response {
        status,
        headers: vec![("content-type".into(), "application/hal+json".into())],
        body: Some(body),
        body_error: None,
    }
}

fn field(name: &str, line: usize) -> FieldRef {
    FieldRef {
        field: name.into(),
        pointer: crate::case::field_pointer(name),
        line,
    }
}

fn at<T>(value: T) -> Option<Located<T>> {
    Some(Located { value, line: 3 })
}

/// Every problem of every scenario, with the scenario's name: one scenario per kind of problem
/// in `src/check`, each built to break exactly that rule.
fn every_kind() -> Vec<(&'static str, Problem)> {
    let spec = Spec::load(None).expect("shipped spec");
    let op = |(m, p): (&str, &str)| spec.operation(m, p).expect("documented");
    let (creds, svm) = (op(CREDENTIALS), op(SVM));
    let created = json!({"num_records": 1, "records": [{
        "initiator": "iqn.1992-08.com.netapp:x",
        "chap": {"inbound": {"user": "in-user", "password": "echoed-secret"}}
    }]});
    let basis = Some(Basis::Observed {
        source: "a test".into(),
    });
    let mut out: Vec<(&'static str, Problem)> = Vec::new();
    let mut add = |name: &'static str, problems: Vec<Problem>| {
        assert!(!problems.is_empty(), "{name}: the scenario found nothing");
        out.extend(problems.into_iter().map(|p| (name, p)));
    };

    // The body itself.
    let mut html = json_answer(200, json!({"name": "c"}));
    html.headers = vec![("content-type".into(), "text/html".into())];
    add("content type", body_problems(&html));
    let mut bare = json_answer(200, json!({}));
    bare.headers.clear();
    add("no content type", body_problems(&bare));
    let not_json = Response {
        body: None,
        body_error: Some("expected value at line 1 column 1 (starts with \"<html>\")".into()),
        ..json_answer(200, json!(null))
    };
    add("not json", body_problems(&not_json));

    // A step that expects nothing but success.
    let refused = json_answer(404, json!({"error": {"code": "4", "message": "no"}}));
    add(
        "success expected",
        check(svm, None, &refused)
            .problems
            .into_iter()
            .filter(|p| p.message.contains("success"))
            .collect(),
    );

    // A case's expectations.
    let e = Expectation {
        status: at(StatusExpect::Exact(409)),
        error_code: at("5374142".to_string()),
        fields: vec![FieldExpect {
            at: field("records.0.chap.inbound.user", 4),
            matcher: Matcher::compile(&json!("someone-else")).unwrap(),
        }],
        absent: vec![
            field("records.0.chap.inbound.password", 5),
            field("records.0.initiator", 6),
        ],
        headers: vec![HeaderExpect {
            name: "x-dot-not-ontap".into(),
            matcher: Matcher::compile(&json!("yes")).unwrap(),
            line: 7,
        }],
        basis: basis.clone(),
        ..Expectation::default()
    };
    add(
        "expectation",
        expectation(&e, &json_answer(201, created.clone())),
    );
    let wrong_code = json_answer(409, json!({"error": {"code": "5374141", "message": "no"}}));
    add("wrong error code", expectation(&e, &wrong_code));
    let code_status = Expectation {
        error_code: at("5374142".to_string()),
        code_status: Some((409, basis.clone().unwrap())),
        ..Expectation::default()
    };
    let right_code = json_answer(400, json!({"error": {"code": "5374142", "message": "no"}}));
    add("code status", expectation(&code_status, &right_code));

    // A job.
    let job = Expectation {
        job_state: at("success".to_string()),
        job_error_code: at("5374142".to_string()),
        ..Expectation::default()
    };
    let ended = Ok(json!({"state": "failure", "error": {"code": "1", "message": "why"}}));
    add("job", job_problems(&job, &ended));

    // The spec's own rules.
    add(
        "undocumented status",
        check(svm, None, &json_answer(206, json!({})))
            .problems
            .into_iter()
            .filter(|p| p.message.contains("not documented"))
            .collect(),
    );
    add(
        "missing header and write-only field",
        check(creds, None, &json_answer(201, created)).problems,
    );
    let bad_uuid = json_answer(200, json!({"uuid": "not-a-uuid", "name": "svm1"}));
    add("schema", check(svm, None, &bad_uuid).problems);
    out
}

fn failure(p: Problem) -> Failure {
    p.into_failure("steps[0]", None, None, &Redactor::default())
}

#[test]
fn every_problem_a_check_reports_says_what_came() {
    let all = every_kind();
    for (name, p) in &all {
        let actual = p
            .actual
            .clone()
            .unwrap_or_else(|| panic!("{name}: `{}` has no actual", p.message));
        assert!(!actual.is_empty(), "{name}: {p:?}");
        let f = failure(p.clone());
        match (p.says, &p.expected) {
            // Said in the message's own words: a missing thing as missing, a masked value as
            // not shown.
            (Says::All, _) => assert!(
                f.message.contains(&actual)
                    || (actual == "(absent)" && f.message.contains("missing"))
                    || (actual == MASKED && f.message.contains("(value not shown)")),
                "{name}: the message must say what came ({actual}): {}",
                f.message
            ),
            (Says::Nothing, Some(expected)) => assert_eq!(
                f.message,
                format!("{}: expected {expected}, got {actual}", p.message),
                "{name}"
            ),
            _ => assert_eq!(f.message, format!("{}: got {actual}", p.message), "{name}"),
        }
        if p.says != Says::All {
            assert!(
                !p.message.contains(&actual),
                "{name}: the message says {actual} already; it would be said twice"
            );
        }
    }
    // Each kind of problem was found, so a kind that stops carrying its value fails above.
    let messages: Vec<&str> = all.iter().map(|(_, p)| p.message.as_str()).collect();
    for kind in [
        "Content-Type is `text/html`",
        "no Content-Type",
        "the body is not JSON",
        "where success was expected",
        "status 201 where 409 was expected",
        "ONTAP error code does not match",
        "this target answered 400 where the spec says 409",
        "field `records.0.chap.inbound.user` does not match",
        "field `records.0.chap.inbound.password` must not be returned",
        "field `records.0.initiator` must not be returned",
        "header `x-dot-not-ontap` does not match",
        "the job ended `failure` where `success` was expected",
        "the job's ONTAP error code does not match",
        "status 206 is not documented",
        "documented header `Location` is missing",
        "is write-only and must never be returned",
        "schema: value is not a \"uuid\" at /uuid",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(kind)),
            "no problem says {kind:?}: {messages:#?}"
        );
    }
}

/// What each kind shows, as a person reads it.
#[test]
fn failure_lines_say_expected_and_got() {
    let lines: Vec<String> = every_kind()
        .into_iter()
        .map(|(name, p)| format!("{name}: {}", failure(p).message))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn passwords_and_write_only_fields_never_show() {
    for (name, p) in every_kind() {
        let f = failure(p);
        let text = format!("{f:?}");
        assert!(!text.contains("echoed-secret"), "{name}: {text}");
    }
    // A write-only field that is not named like a password, inside a value that broke a rule.
    let body = json!({"records": [{"token": "s3cr3t-token", "n": "x"}]});
    let shown = spec_rules::shown_at(&body, "/records/0", &["/records/0/token"]);
    assert_eq!(shown, r#"{"token":"***","n":"x"}"#);
    assert_eq!(
        spec_rules::shown_at(&body, "/records/0/n", &["/records/0/token"]),
        r#""x""#
    );
    assert_eq!(spec_rules::shown_at(&body, "/nothing", &[]), "(absent)");
}

#[test]
fn values_are_redacted_before_they_are_cut() {
    let secret = "KnownChapIn2026";
    let mut redactor = Redactor::default();
    redactor.add(secret);
    // The secret straddles the cut: cutting first would show `KnownCh`.
    let long = format!(
        "\"{}{secret}{}\"",
        "a".repeat(MAX_SHOWN_CHARS - 8),
        "b".repeat(50)
    );
    let p = Problem {
        expected: Some("\"x\"".into()),
        actual: Some(long),
        says: Says::Nothing,
        ..Problem::msg("field `f` does not match")
    };
    let f = p.into_failure("steps[0]", None, None, &redactor);
    let actual = f.actual.unwrap();
    assert!(!actual.contains("KnownCh"), "{actual}");
    assert!(actual.contains("…"), "{actual}");
    assert!(
        actual.ends_with("characters)"),
        "the original length is said: {actual}"
    );
    // Redacted: `"`, 112 `a`, `***`, 50 `b`, `"`.
    assert!(actual.ends_with("… (167 characters)"), "{actual}");
    assert_eq!(
        actual.chars().count(),
        MAX_SHOWN_CHARS + "… (167 characters)".chars().count(),
        "{actual}"
    );
    assert!(
        f.message.ends_with(&format!("got {actual}")),
        "{}",
        f.message
    );
    // Short values are whole.
    assert_eq!(cut("\"in-user\""), "\"in-user\"");
}
