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
