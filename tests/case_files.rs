//! What a case file may say, end to end through the binary: `spec check` refuses a file that
//! cannot mean what its author meant (naming file and line), and a status class in a case passes
//! every status of its class against the emulator and fails the others.

mod common;

use std::path::Path;

use common::{bin, temp_dir};
use serde_json::Value;

/// Writes `files` (name, text) as `<dir>/cases/demo/<name>` and returns the cases directory.
fn cases_dir(name: &str, files: &[(&str, String)]) -> std::path::PathBuf {
    let root = temp_dir(name);
    let dir = root.join("cases");
    std::fs::create_dir_all(dir.join("demo")).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join("demo").join(file), text).unwrap();
    }
    dir
}

/// A case on the credential collection with `expect` as given (indented under `expect:`).
fn case(id: &str, expect: &str) -> String {
    format!(
        r#"id: {id}
title: a case
operation: GET /api/protocols/san/iscsi/credentials
steps:
  - request:
      operation: GET /api/protocols/san/iscsi/credentials
    expect:
{expect}
"#
    )
}

fn spec_check(dir: &Path) -> (Option<i32>, String) {
    let o = bin()
        .args(["spec", "check", "--no-builtin-cases", "--cases"])
        .arg(dir)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn spec_check_names_file_and_line_of_a_case_that_cannot_mean_what_it_says() {
    let dir = cases_dir(
        "case-files-bad",
        &[
            (
                "a-misspelt-matcher.yaml",
                case("a", "      fields:\n        num_records: {presnt: true}"),
            ),
            (
                "b-unknown-expect-key.yaml",
                case("b", "      status: 200\n      header: {}"),
            ),
            (
                "c-bad-regex.yaml",
                case(
                    "c",
                    "      fields:\n        records.0.initiator: {matches: \"iqn.[\"}",
                ),
            ),
            (
                "d-made-up-seed-page.yaml",
                case(
                    "d",
                    "      fields:\n        num_records: {present: true}\n      basis: {documented: 004_0000000000000000.txt}",
                ),
            ),
        ],
    );
    let (code, stderr) = spec_check(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    for want in [
        "cases/demo/a-misspelt-matcher.yaml:9: `steps[0].expect.fields.num_records.presnt`: unknown matcher `presnt` (did you mean `present`?)",
        "cases/demo/b-unknown-expect-key.yaml:9: `steps[0].expect.header`: unknown key `header` (did you mean `headers`?)",
        "cases/demo/c-bad-regex.yaml:9: `steps[0].expect.fields.records.0.initiator.matches`: `iqn.[` is not a valid regex: unclosed character class",
        "cases/demo/d-made-up-seed-page.yaml:10: `steps[0].expect.basis.documented`: `004_0000000000000000.txt` is not a seed page in spec/sources/seeds/ (did you mean `004_69967a64eae5f293.txt`?)",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in:\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

/// Error answers of two statuses (the emulator's 400 and 409) pass `status: 4xx`, as every shipped
/// error case now says; a 200 fails it.
#[test]
fn a_status_class_in_a_case_passes_its_class_and_fails_the_rest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/iscsi");
    let class = |file: &str, from: &str| {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(text.contains(from), "{file} lacks {from:?}");
        text
    };
    let dir = cases_dir(
        "case-files-class",
        &[
            (
                "a-400.yaml",
                class("delete-5374148-default-credential.yaml", "status: 4xx"),
            ),
            (
                "b-409.yaml",
                class("create-5374142-duplicate.yaml", "status: 4xx"),
            ),
            (
                "c-200.yaml",
                case(
                    "c-200",
                    "      status: 4xx\n      basis: {convention: \"a class alone, to see it fail\"}",
                )
                .replace("title: a case", "title: a 200"),
            ),
        ],
    );
    let reports = dir.parent().unwrap().join("reports");
    let o = bin()
        .args(["run", "--no-builtin-cases", "--cases"])
        .arg(&dir)
        .arg("--report-dir")
        .arg(&reports)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{out}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("conformance.json")).unwrap())
            .unwrap();
    let outcome = |id: &str| {
        report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(
        outcome("iscsi-delete-5374148-default-credential").as_deref(),
        Some("pass")
    );
    assert_eq!(
        outcome("iscsi-create-5374142-duplicate").as_deref(),
        Some("pass")
    );
    assert_eq!(outcome("c-200").as_deref(), Some("fail"));
    assert!(
        out.contains("status 200 where 4xx was expected"),
        "the failure says what the class was: {out}"
    );
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

/// A case whose fields name what the response cannot hold: `spec check` names each at its file
/// and line with the documented field meant. The `absent` one is the worst: before this check it
/// passed every run while checking nothing.
#[test]
fn spec_check_refuses_a_field_the_response_cannot_hold() {
    let instance = |id: &str, block: &str| {
        format!(
            r#"id: {id}
title: a case
steps:
  - request:
      operation: GET /api/protocols/san/iscsi/credentials/{{svm.uuid}}/{{initiator}}
      path: {{svm.uuid: "{{{{svm.uuid}}}}", initiator: default}}
{block}
"#
        )
    };
    let dir = cases_dir(
        "case-files-fields",
        &[
            (
                "a-absent.yaml",
                instance(
                    "a",
                    "    expect:\n      status: 200\n      basis: {convention: \"a fixture\"}\n      absent: [chap.inbound.pasword]",
                ),
            ),
            (
                "b-fields.yaml",
                instance(
                    "b",
                    "    expect:\n      status: 200\n      basis: {convention: \"a fixture\"}\n      fields:\n        chap.inbound.usr: in-user",
                ),
            ),
            (
                "c-capture.yaml",
                instance("c", "    capture:\n      initiator_read: initator"),
            ),
            (
                "d-todo.yaml",
                instance("d", "    capture:\n      initiator_read: initiator")
                    .replace("title: a case", "title: \"TODO: what the case shows\""),
            ),
        ],
    );
    let (code, stderr) = spec_check(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    let op = "GET /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}";
    for want in [
        format!(
            "cases/demo/a-absent.yaml:10: `steps[0].expect.absent[0]`: `chap.inbound.pasword` cannot be in a 200 response of `{op}`: `chap.inbound` has no field `pasword` (did you mean `chap.inbound.password`?)"
        ),
        format!(
            "cases/demo/b-fields.yaml:11: `steps[0].expect.fields.chap.inbound.usr`: `chap.inbound.usr` cannot be in a 200 response of `{op}`: `chap.inbound` has no field `usr` (did you mean `chap.inbound.user`?)"
        ),
        format!(
            "cases/demo/c-capture.yaml:8: `steps[0].capture.initiator_read`: `initator` cannot be in a 2xx response of `{op}`: the body has no field `initator` (did you mean `initiator`?)"
        ),
        "cases/demo/d-todo.yaml:2: `title`: `TODO` left to fill in: `TODO: what the case shows`"
            .to_string(),
    ] {
        assert!(stderr.contains(&want), "missing {want:?} in:\n{stderr}");
    }
    assert!(
        stderr.contains("spec check: 4 problem(s) in the case files"),
        "one problem per file, no more: {stderr}"
    );
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}
