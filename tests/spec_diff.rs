//! `spec diff OLD NEW` as a user runs it: exit 1 naming the case and its line when a case relies
//! on an operation NEW lost, 0 when nothing it relies on is gone, 2 naming the input that cannot
//! be read; the built-in spec against itself differs in nothing.

mod common;

use std::path::Path;

use common::{bin, temp_dir};

fn output(args: &[&str]) -> (Option<i32>, String, String) {
    let o = bin().args(args).output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A small spec the case loader takes: a collection and one record's DELETE, at paths no ONTAP
/// release has (so the built-in spec, NetApp's whole API, lacks them too).
const OLD: &str = r#"
openapi: 3.0.3
info: {title: spec diff test (OLD), version: "1"}
paths:
  /api/test/widgets:
    get:
      operationId: widget_collection_get
      x-ontap-introduced-in: "9.6"
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  records:
                    type: array
                    items: {type: object, properties: {name: {type: string}}}
        default: {description: Error}
  /api/test/widgets/{uuid}:
    delete:
      operationId: widget_delete
      x-ontap-introduced-in: "9.6"
      parameters:
        - {name: uuid, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: OK}
        default: {description: Error}
"#;

const LIST: &str = r#"id: vol-list
title: the volumes have names
operation: GET /api/test/widgets
steps:
  - request:
      operation: GET /api/test/widgets
    expect:
      status: 200
      basis: {convention: "a test's"}
      fields:
        records.0.name: {present: true}
"#;

const DELETE: &str = r#"id: vol-delete
title: a volume is deleted
operation: DELETE /api/test/widgets/{uuid}
steps:
  - request:
      operation: DELETE /api/test/widgets/{uuid}
      path: {uuid: "{{svm.uuid}}"}
    expect:
      status: 200
      basis: {convention: "a test's"}
"#;

/// OLD, NEW (OLD without the DELETE) and a cases directory, in a new temp dir.
fn setup(name: &str) -> (std::path::PathBuf, String, String, String) {
    let dir = temp_dir(name);
    let new = OLD
        .replace("(OLD)", "(NEW)")
        .split("  /api/test/widgets/{uuid}:")
        .next()
        .unwrap()
        .to_string();
    std::fs::write(dir.join("old.yaml"), OLD).unwrap();
    std::fs::write(dir.join("new.yaml"), new).unwrap();
    std::fs::create_dir_all(dir.join("cases/volumes")).unwrap();
    std::fs::write(dir.join("cases/volumes/list.yaml"), LIST).unwrap();
    std::fs::write(dir.join("cases/volumes/delete.yaml"), DELETE).unwrap();
    let s = |p: &str| dir.join(p).to_string_lossy().into_owned();
    let (old, new, cases) = (s("old.yaml"), s("new.yaml"), s("cases"));
    (dir, old, new, cases)
}

#[test]
fn a_case_on_an_operation_new_lost_fails_the_diff_naming_it() {
    let (_dir, old, new, cases) = setup("spec-diff-gone");
    let args = [
        "spec",
        "diff",
        &old,
        &new,
        "--no-builtin-cases",
        "--cases",
        &cases,
    ];
    let (code, out, err) = output(&args);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("  - DELETE /api/test/widgets/{uuid}\n"),
        "{out}"
    );
    assert!(
        out.contains("cases/volumes/delete.yaml:5  vol-delete: DELETE /api/test/widgets/{uuid}\n"),
        "{out}"
    );
    assert!(
        !out.contains("vol-list"),
        "what is still there is not listed:\n{out}"
    );
    assert!(out.ends_with("1 thing a case relies on is gone\n"), "{out}");

    let (code, json, err) = output(&[&args[..], &["--json"]].concat());
    assert_eq!(code, Some(1), "{err}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["summary"]["gone"], 1);
    let gone = &json["gone"][0];
    assert_eq!(gone["case"], "vol-delete");
    assert_eq!(gone["file"], "cases/volumes/delete.yaml");
    assert_eq!(gone["line"], 5);
    assert_eq!(gone["kind"], "operation");
    assert_eq!(json["cases"]["count"], 2);
    assert_eq!(json["cases"]["loaded_against"], "old");

    // The other way round NEW only adds: differences alone pass.
    let (code, out, err) = output(&["spec", "diff", &new, &old, "--no-builtin-cases"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("  + DELETE /api/test/widgets/{uuid}\n"),
        "{out}"
    );
    // ... but cases that load neither against OLD nor the built-in spec are an error.
    let (code, _, err) = output(&[
        "spec",
        "diff",
        &new,
        &old,
        "--no-builtin-cases",
        "--cases",
        &cases,
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cases/volumes/delete.yaml:6:"), "{err}");
    assert!(err.contains("load neither against OLD"), "{err}");
}

#[test]
fn the_built_in_spec_against_itself_differs_in_nothing() {
    let (code, out, err) = output(&["spec", "diff", "builtin", "builtin"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("operations: 0 added, 0 removed, 0 changed"),
        "{out}"
    );
    assert!(
        out.contains("from the built-in suite, loaded against OLD"),
        "{out}"
    );
    let (code, json, _) = output(&["spec", "diff", "builtin", "builtin", "--json"]);
    assert_eq!(code, Some(0));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    for list in ["added", "removed", "changed", "gone"] {
        assert_eq!(json[list], serde_json::json!([]), "{list}");
    }
}

/// Today the file and the built-in spec are the same; once the built-in spec is NetApp's whole
/// API under the curated one they differ, so only that the diff runs is asserted.
#[test]
fn the_spec_file_against_the_built_in_spec_runs() {
    let (code, out, err) = output(&["spec", "diff", "spec/openapi.yaml", "builtin"]);
    assert!(matches!(code, Some(0 | 1)), "{out}{err}");
    assert!(out.starts_with("old: spec/openapi.yaml ("), "{out}");
}

#[test]
fn an_input_that_cannot_be_read_is_named_with_why() {
    let dir = temp_dir("spec-diff-unreadable");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let missing = s(&dir.join("missing.yaml"));
    let (code, _, err) = output(&["spec", "diff", "builtin", &missing]);
    assert_eq!(code, Some(2));
    assert!(err.contains(&format!("{missing}: cannot read")), "{err}");

    // NetApp's swagger is imported on the way in; one that is not a definition of anything is
    // refused with the importer's reason.
    let swagger = dir.join("swagger.yaml");
    std::fs::write(&swagger, "swagger: \"2.0\"\npaths: {}\n").unwrap();
    let (code, _, err) = output(&["spec", "diff", &s(&swagger), "builtin"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("Swagger 2.0 definition, but"), "{err}");
    // Compressed as a cluster's file may be, NetApp's 9.8 file against the built-in spec: the
    // two operations newer than 9.8 are what the built-in spec adds.
    let (code, out, err) = output(&[
        "spec",
        "diff",
        "spec/sources/ontap-api/swagger-9.8.yaml.gz",
        "builtin",
    ]);
    assert_eq!(code, Some(0), "{err}");
    for added in [
        "PATCH /api/security",
        "GET /api/protocols/ndmp/svms/{svm.uuid}/passwords/{user}",
    ] {
        assert!(out.contains(added), "{added} not named:\n{out}");
    }

    let overlay = dir.join("overlay.yaml");
    std::fs::write(&overlay, "paths: {}\n").unwrap();
    let (code, _, err) = output(&["spec", "diff", "builtin", &s(&overlay)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--spec-overlay"), "{err}");

    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\npaths: [\n").unwrap();
    let (code, _, err) = output(&["spec", "diff", "builtin", &s(&broken)]);
    assert_eq!(code, Some(2));
    assert!(err.contains(&format!("{}: line", s(&broken))), "{err}");
}

/// The worked overlay's operation refers to the spec's own parameters and job schema: with OLD
/// a file, the cases load against it cut to what they name, and the overlay's refs must still
/// reach what they point at. Its operation is on both sides, so it differs in nothing.
#[test]
fn an_overlay_joins_both_sides_and_the_cases_load_with_it() {
    let (code, out, err) = output(&[
        "spec",
        "diff",
        "spec/openapi.yaml",
        "builtin",
        "--spec-overlay",
        "examples/overlay/jobs.yaml",
        "--cases",
        "examples/overlay/cases",
    ]);
    assert!(matches!(code, Some(0 | 1)), "{out}{err}");
    assert!(
        out.contains("from the built-in suite and examples/overlay/cases, loaded against OLD\n"),
        "{out}"
    );
    // The built-in spec has NetApp's own `GET /api/cluster/jobs`: it may differ from the
    // overlay's, but it is on both sides.
    assert!(!out.contains("  + GET /api/cluster/jobs\n"), "{out}");
    assert!(!out.contains("  - GET /api/cluster/jobs\n"), "{out}");
}
