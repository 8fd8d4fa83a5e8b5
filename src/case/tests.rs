use std::path::Path;

use super::*;

const GOOD: &str = r#"id: iscsi-delete-default
title: The default credential cannot be deleted
tags: [iscsi, error]
operation: DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}
vars:
  initiator: default
steps:
  - request:
      operation: DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}
      path: {svm.uuid: "{{svm.uuid}}", initiator: "{{initiator}}"}
    expect:
      status: 400
      error_code: "5374148"
"#;

fn spec() -> Spec {
    Spec::load(None).expect("shipped spec loads")
}

fn broken(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "fixture lacks {from:?}");
    let text = GOOD.replacen(from, to, 1);
    load_case(
        Path::new("cases/iscsi/delete-default.yaml"),
        "iscsi",
        &text,
        &spec(),
    )
    .unwrap_err()
    .to_string()
}

#[test]
fn good_case_loads() {
    let c = load_case(Path::new("cases/iscsi/x.yaml"), "iscsi", GOOD, &spec()).unwrap();
    assert_eq!(c.method, "DELETE");
    assert_eq!(c.expected_status(), Some(400));
    assert_eq!(c.expected_error_code(), Some("5374148"));
}

#[test]
fn broken_cases_name_file_line_and_field() {
    insta::assert_snapshot!(
        "bad_yaml",
        broken("tags: [iscsi, error]", "tags: [iscsi, error")
    );
    insta::assert_snapshot!(
        "unknown_key",
        broken("      status: 400", "      statsu: 400")
    );
    insta::assert_snapshot!(
        "unknown_operation",
        broken(
            "      operation: DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}",
            "      operation: DELETE /api/protocols/san/iscsi/credential/{svm.uuid}/{initiator}"
        )
    );
    insta::assert_snapshot!(
        "capture_used_before_set",
        broken("initiator: \"{{initiator}}\"", "initiator: \"{{created}}\"")
    );
    insta::assert_snapshot!(
        "missing_path_parameter",
        broken(
            "path: {svm.uuid: \"{{svm.uuid}}\", initiator: \"{{initiator}}\"}",
            "path: {svm.uuid: \"{{svm.uuid}}\"}"
        )
    );
    let patch = GOOD.replace("DELETE ", "PATCH ").replacen(
        "      path: {svm.uuid",
        "      body: {authentication_type: CHAP}\n      path: {svm.uuid",
        1,
    );
    let e = load_case(
        Path::new("cases/iscsi/patch.yaml"),
        "iscsi",
        &patch,
        &spec(),
    )
    .unwrap_err();
    insta::assert_snapshot!("body_invalid_for_schema", e.to_string());
}

#[test]
fn body_invalid_on_purpose_is_allowed_with_a_reason() {
    let text = GOOD.replace("DELETE ", "PATCH ").replacen(
        "      path: {svm.uuid",
        "      body: {authentication_type: CHAP}\n      invalid_body: the enum is lowercase\n      path: {svm.uuid",
        1,
    );
    assert!(load_case(Path::new("x.yaml"), "x", &text, &spec()).is_ok());
}

/// A step of GOOD with `expect` lines replaced by `expect` (indented as under `expect:`).
fn with_expect(expect: &str) -> Result<Case, Diagnostics> {
    let text = GOOD.replace(
        "      status: 400\n      error_code: \"5374148\"\n",
        &format!("{expect}\n"),
    );
    load_case(
        Path::new("cases/iscsi/delete-default.yaml"),
        "iscsi",
        &text,
        &spec(),
    )
}

#[test]
fn a_misspelt_matcher_is_a_load_error_not_an_equality() {
    let e = with_expect("      fields:\n        error.message: {matchs: \"^x\"}")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("cases/iscsi/delete-default.yaml:13: `steps[0].expect.fields.error.message.matchs`: unknown matcher `matchs` (did you mean `matches`?)"),
        "{e}"
    );
    // An object that is not one matcher is refused too; `eq` compares with an object.
    let e = with_expect("      fields:\n        error: {code: \"5374148\"}")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown matcher `code`"), "{e}");
    with_expect("      fields:\n        error: {eq: {code: \"5374148\"}}").unwrap();
}

#[test]
fn an_unknown_expect_key_is_a_load_error() {
    let e = with_expect("      status: 400\n      error_cod: \"5374148\"")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            ":13: `steps[0].expect.error_cod`: unknown key `error_cod` (did you mean `error_code`?)"
        ),
        "{e}"
    );
}

#[test]
fn a_bad_regex_is_a_load_error() {
    let e = with_expect("      headers:\n        content-type: {matches: \"(hal\"}")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("cases/iscsi/delete-default.yaml:13: `steps[0].expect.headers.content-type.matches`: `(hal` is not a valid regex"),
        "{e}"
    );
}

#[test]
fn matcher_arguments_are_checked() {
    for (written, says) in [
        ("{present: yes}", "`present` takes true or false"),
        ("{length: -1}", "`length` takes a whole number"),
        ("{one_of: []}", "`one_of` takes a non-empty list"),
        ("{matches: \"{{user}}\"}", "cannot use `{{variables}}`"),
    ] {
        let e = with_expect(&format!("      fields:\n        x: {written}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{written}: {e}");
    }
}

#[test]
fn a_capture_of_a_field_the_response_cannot_have_is_a_load_error() {
    let text = GOOD.replace(
        "      error_code: \"5374148\"\n",
        "      error_code: \"5374148\"\n    capture:\n      c: error.cod\n",
    );
    let e = load_case(Path::new("x.yaml"), "x", &text, &spec())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`steps[0].capture.c`: `error.cod` cannot be in a response of `DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}`"),
        "{e}"
    );
    let text = text.replace("error.cod", "error.code");
    load_case(Path::new("x.yaml"), "x", &text, &spec()).unwrap();
}

#[test]
fn status_classes_and_lists_load() {
    let c = with_expect("      status: 4xx").unwrap();
    assert_eq!(c.expected_status_rule(), Some(&StatusExpect::Class(4)));
    assert_eq!(c.expected_status(), None, "a class names no one status");
    let c = with_expect("      status: {one_of: [400, 409]}").unwrap();
    assert_eq!(
        c.expected_status_rule(),
        Some(&StatusExpect::OneOf(vec![400, 409]))
    );
    for bad in ["6xx", "{one_of: []}", "40", "four hundred"] {
        let e = with_expect(&format!("      status: {bad}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a status"), "{bad}: {e}");
    }
}

#[test]
fn steps_hold_spec_indices_and_lines() {
    let c = load_case(Path::new("x.yaml"), "x", GOOD, &spec()).unwrap();
    let s = spec();
    assert_eq!(s.op(c.steps[0].op).key(), c.operation_key());
    assert_eq!(c.steps[0].line, 8);
    let e = c.steps[0].expect.as_ref().unwrap();
    assert_eq!(e.status.as_ref().unwrap().line, 12);
    assert_eq!(e.error_code.as_ref().unwrap().line, 13);
}
