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
      basis: {convention: "an exact status, to show one loads; the shipped cases say 4xx"}
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
        "the shipped cases say 4xx\"}\n",
        "the shipped cases say 4xx\"}\n    capture:\n      c: error.cod\n",
    );
    let e = load_case(Path::new("x.yaml"), "x", &text, &spec())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "x.yaml:16: `steps[0].capture.c`: `error.cod` cannot be in a 400 response of `DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}`: `error` has no field `cod` (did you mean `error.code`?)"
    );
    let text = text.replace("error.cod", "error.code");
    load_case(Path::new("x.yaml"), "x", &text, &spec()).unwrap();
}

/// Every kind of field a step names, each misspelt once; [`FIELDS_FIXED`] is the same file
/// spelt right.
const FIELDS_MISSPELT: &str = r#"id: iscsi-read
title: Fields checked against the response schemas
steps:
  - request:
      operation: GET /api/protocols/san/iscsi/credentials
      query: {fields: "*"}
    expect:
      status: 200
      basis: {convention: "a fixture"}
      fields:
        records.0.chap.inbound.usr: in-user
        records: {each: {fields: {svm.nme: "{{svm.name}}"}}}
        /num_record: {not: 0}
        records.initiator: x
        num_records.count: 1
        "": {fields: {records: {ordered_by: "initator desc"}}}
      absent: [records.0.chap.inbound.pasword]
    capture:
      first: records[0].initator
      second: {from: records.0.svm.uid, or_skip: "no credential to read"}
  - request:
      operation: GET /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}
      path: {svm.uuid: "{{svm.uuid}}", initiator: "{{first}}"}
    expect:
      any_of:
        - status: 200
          basis: {convention: "a fixture"}
          absent: [/chap/outbound/passwrd]
        - status: 4xx
          basis: {convention: "a fixture"}
          fields: {error.mesage: {present: true}}
    convention:
      why: a fixture
      fields:
        authentcation_type: chap
"#;

const FIXES: [(&str, &str); 12] = [
    ("inbound.usr", "inbound.user"),
    ("svm.nme", "svm.name"),
    ("/num_record:", "/num_records:"),
    ("records.initiator: x", "records.0.initiator: x"),
    ("num_records.count", "num_records"),
    ("initator desc", "initiator desc"),
    ("pasword", "password"),
    ("records[0].initator", "records[0].initiator"),
    ("svm.uid", "svm.uuid"),
    ("passwrd", "password"),
    ("error.mesage", "error.message"),
    ("authentcation_type", "authentication_type"),
];

#[test]
fn every_field_path_is_checked_against_the_response_schemas() {
    let file = Path::new("cases/iscsi/read.yaml");
    let e = load_case(file, "iscsi", FIELDS_MISSPELT, &spec()).unwrap_err();
    insta::assert_snapshot!("field_paths_misspelt", e.to_string());
    assert_eq!(e.0.len(), FIXES.len(), "{e}");
    let mut fixed = FIELDS_MISSPELT.to_string();
    for (from, to) in FIXES {
        assert!(fixed.contains(from), "{from}");
        fixed = fixed.replacen(from, to, 1);
    }
    let c = load_case(file, "iscsi", &fixed, &spec());
    assert!(c.is_ok(), "{}", c.unwrap_err());
}

/// `absent` of a field the schema has is what `absent` is for (a `writeOnly` password); a field
/// of another status's schema is not one the block's response can hold.
#[test]
fn absent_takes_documented_fields_of_the_blocks_own_statuses() {
    with_expect(
        "      status: 4xx\n      error_code: \"5374148\"\n      absent: [error.arguments]",
    )
    .unwrap();
    let e =
        with_expect("      status: 4xx\n      error_code: \"5374148\"\n      absent: [records]")
            .unwrap_err()
            .to_string();
    assert_eq!(
        e,
        "cases/iscsi/delete-default.yaml:14: `steps[0].expect.absent[0]`: `records` cannot be in a 4xx response of `DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}`: the body has no field `records`"
    );
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

/// GOOD without its basis line, `expect` replaced as in [`with_expect`].
fn without_basis(expect: &str) -> Result<Case, Diagnostics> {
    load_case(
        Path::new("cases/iscsi/delete-default.yaml"),
        "iscsi",
        &without_basis_text(expect),
        &spec(),
    )
}

/// [`GOOD`] without its bases, `expect` in place of its status and code.
fn without_basis_text(expect: &str) -> String {
    GOOD.lines()
        .filter(|l| !l.contains("basis:"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("      status: 400\n      error_code: \"5374148\"", expect)
}

#[test]
fn an_error_code_and_its_class_take_their_basis_from_the_spec() {
    let c = without_basis("      status: 4xx\n      error_code: \"5374148\"").unwrap();
    let e = c.steps[0].expect.as_ref().unwrap();
    assert!(e.basis.is_none());
    let code_basis = e.code_basis.as_ref().expect("the spec entry's basis");
    assert_eq!(code_basis.kind(), "documented");
    let (status, status_basis) = e.code_status.as_ref().expect("the spec's status");
    assert_eq!(*status, 400);
    assert!(status_basis.is_convention(), "{status_basis}");
}

#[test]
fn a_check_without_a_basis_is_a_load_error() {
    for expect in [
        "      status: 400\n      error_code: \"5374148\"",
        "      status: 4xx\n      error_code: \"5374148\"\n      fields:\n        error.message: {present: true}",
        "      headers:\n        content-type: {matches: json}",
    ] {
        let e = without_basis(expect).unwrap_err().to_string();
        assert!(
            e.contains("`steps[0].expect.basis`: say what these checks rest on"),
            "{expect}: {e}"
        );
    }
}

#[test]
fn a_documented_basis_names_a_seed_page_that_exists() {
    let e = without_basis(
        "      fields:\n        error.message: {present: true}\n      basis: {documented: the iSCSI page}",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("`steps[0].expect.basis.documented`: `the iSCSI page` is not a seed file"),
        "{e}"
    );
    // A made-up page, at the line of the basis (the spec's entries are held to the same rule by
    // the same function: src/spec/basis_tests.rs).
    let text = without_basis_text(
        "      fields:\n        error.message: {present: true}\n      basis:\n        documented: 004_0000000000000000.txt",
    );
    let line = 1 + text
        .lines()
        .position(|l| l.contains("004_0000000000000000.txt"))
        .unwrap();
    let e = load_case(
        Path::new("cases/iscsi/delete-default.yaml"),
        "iscsi",
        &text,
        &spec(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        format!(
            "cases/iscsi/delete-default.yaml:{line}: `steps[0].expect.basis.documented`: `004_0000000000000000.txt` is not a seed page in {}/ (did you mean `004_69967a64eae5f293.txt`?): a documented basis names a page that is in the repository (add a new page there first), or use observed or convention",
            crate::spec::SEED_DIR
        )
    );
}

#[test]
fn a_convention_block_says_why_and_holds_only_conventions() {
    let with = |block: &str| {
        let text = format!("{GOOD}    convention:\n{block}\n");
        load_case(Path::new("x.yaml"), "x", &text, &spec())
    };
    let c = with("      why: ONTAP's other creates send one\n      headers:\n        Location: {present: true}").unwrap();
    let conv = c.steps[0].convention.as_ref().unwrap();
    assert!(conv.basis.as_ref().is_some_and(|b| b.is_convention()));
    let e = with("      headers:\n        Location: {present: true}")
        .unwrap_err()
        .to_string();
    assert!(e.contains("says `why`"), "{e}");
    let e = with("      why: w\n      basis: {documented: 004_69967a64eae5f293.txt}")
        .unwrap_err()
        .to_string();
    assert!(e.contains("drop `basis`"), "{e}");
}

#[test]
fn todo_placeholders_are_load_errors_naming_each_one() {
    let text = r#"id: iscsi-todo
title: "TODO: what the case shows"
vars:
  initiator: TODO
steps:
  - request:
      operation: PATCH /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}
      path: {svm.uuid: "{{svm.uuid}}", initiator: "iqn.1992-08.com.netapp:TODO"}
      query: {return_timeout: 0}
      body: {chap: {inbound: {user: TODO}}}
    expect:
      status: 200
      basis: {observed: "TODO: the public source and what it showed"}
      fields:
        job.uuid: {matches: "TODO"}
    # TODO: a comment is a note to the reader, not a value
"#;
    let e = load_case(Path::new("cases/iscsi/todo.yaml"), "iscsi", text, &spec()).unwrap_err();
    insta::assert_snapshot!("todo_placeholders", e.to_string());
    let filled = text.replace("TODO", "filled");
    let c = load_case(
        Path::new("cases/iscsi/todo.yaml"),
        "iscsi",
        &filled,
        &spec(),
    );
    assert!(c.is_ok(), "{}", c.unwrap_err());
}

/// An overlay's operation is held to its own response schemas like the spec's.
#[test]
fn fields_of_an_overlay_operation_are_checked_against_its_schemas() {
    let overlay = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/overlay/jobs.yaml");
    let spec = spec().with_overlays(&[overlay]).unwrap();
    let text = |field: &str| {
        format!(
            "id: jobs\ntitle: jobs\nsteps:\n  - request:\n      operation: GET /api/cluster/jobs\n    expect:\n      status: 200\n      basis: {{convention: \"a fixture\"}}\n      fields:\n        {field}: {{present: true}}\n"
        )
    };
    let e = load_case(
        Path::new("cases/jobs/list.yaml"),
        "jobs",
        &text("records.0.stat"),
        &spec,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "cases/jobs/list.yaml:10: `steps[0].expect.fields.records.0.stat`: `records.0.stat` cannot be in a 200 response of `GET /api/cluster/jobs`: `records.0` has no field `stat` (did you mean `records.0.state`?)"
    );
    load_case(Path::new("x.yaml"), "jobs", &text("records.0.state"), &spec).unwrap();
}
