//! The checks generated from the spec pass against the emulator and catch what a hand-written
//! case does not look at: a target whose error bodies lack `message`, or that ignores an unknown
//! query parameter, fails them.

mod common;
#[path = "common/rewrite.rs"]
mod rewrite;

use std::sync::Arc;

use common::temp_dir;
use serde_json::{Value, json};

fn failing_ids(json: &Value) -> Vec<String> {
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn generated_checks_pass_the_emulator_and_fail_broken_targets() {
    let dir = temp_dir("generated");
    let args = ["--generated".as_ref(), "--no-builtin-cases".as_ref()];

    // The emulator itself, behind a proxy that changes nothing.
    let faithful = rewrite::start(Arc::new(|_: &mut rewrite::Answer| {}));
    let (code, out, json) = rewrite::run_against(&faithful, &dir.join("ok"), &args);
    assert_eq!(code, Some(0), "{out}");
    let n = json["summary"]["total"].as_u64().unwrap();
    assert!(n >= 200, "{n} generated checks");
    assert_eq!(json["generated_seed"], 1, "the report says which seed ran");

    // Error bodies without a message.
    let no_message = rewrite::start(Arc::new(|a: &mut rewrite::Answer| {
        if let Some(e) = a
            .body
            .as_mut()
            .and_then(|b| b.get_mut("error"))
            .and_then(Value::as_object_mut)
        {
            e.remove("message");
        }
    }));
    let (code, out, json) = rewrite::run_against(&no_message, &dir.join("no-message"), &args);
    assert_eq!(code, Some(1), "{out}");
    let failing = failing_ids(&json);
    // Every check of a refusal that asks for an error body fails, on every operation.
    let refusals: Vec<&str> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .filter(|id| {
            [".missing-key", ".unknown-query", ".bad-fields"]
                .iter()
                .any(|s| id.ends_with(s))
        })
        .collect();
    assert!(refusals.len() > 300, "{} refusal checks", refusals.len());
    for id in refusals {
        assert!(
            failing.iter().any(|f| f == id),
            "{id} passed without an error message"
        );
    }

    // Unknown query parameters ignored: the collection answered as if they were not there.
    let lax = rewrite::start(Arc::new(|a: &mut rewrite::Answer| {
        if a.method == "GET" && a.path.contains("ontap-conform-nobody=") && a.status >= 400 {
            a.status = 200;
            a.body = Some(json!({"records": [], "num_records": 0}));
        }
    }));
    let (code, out, json) = rewrite::run_against(&lax, &dir.join("lax"), &args);
    assert_eq!(code, Some(1), "{out}");
    let failing = failing_ids(&json);
    assert!(
        !failing.is_empty() && failing.iter().all(|id| id.ends_with(".unknown-query")),
        "{failing:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A new operation in a copy of the spec (a collection GET with a documented filter, and a POST
/// with its sample) gets its checks with no code change: the families read the spec, not a list
/// of operations.
#[test]
fn a_new_operation_in_the_spec_gets_its_checks() {
    use ontap_conform::spec::Spec;
    let shipped = include_str!("../spec/openapi.yaml");
    let added = r#"
  /api/storage/qtrees:
    get:
      operationId: qtree_collection_get
      summary: Retrieve qtrees
      x-ontap-introduced-in: "9.6"
      parameters:
        - $ref: '#/components/parameters/fields'
        - $ref: '#/components/parameters/max_records'
        - $ref: '#/components/parameters/return_records_get'
        - $ref: '#/components/parameters/order_by'
        - name: name
          in: query
          required: false
          description: Filter by name
          schema: {type: string}
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  num_records: {type: integer}
                  records:
                    type: array
                    items:
                      type: object
                      properties:
                        name: {type: string, maxLength: 64}
                        id: {type: integer}
                        security_style: {type: string, enum: [unix, ntfs, mixed]}
        default:
          description: Error
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/error_response'
    post:
      operationId: qtree_create
      summary: Create a qtree
      x-ontap-introduced-in: "9.6"
      x-conform-sample:
        basis: {observed: "a test's own operation"}
        vars: {qtree: "q{{case_uid}}"}
        body: {name: "{{qtree}}", security_style: unix}
        read:
          operation: GET /api/storage/qtrees
          query: {name: "{{qtree}}"}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, maxLength: 64}
                security_style: {type: string, enum: [unix, ntfs, mixed]}
      responses:
        "201":
          description: Created
        default:
          description: Error
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/error_response'
"#;
    let text = shipped.replacen("\npaths:\n", &format!("\npaths:{added}"), 1);
    assert_ne!(text, shipped, "the spec has a `paths:` line to add after");
    let dir = temp_dir("spec-copy");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("openapi.yaml");
    std::fs::write(&file, text).unwrap();
    let spec = Spec::load(Some(&file)).expect("the copy loads");
    let cases = ontap_conform::case::generated::generate(&spec, 1).expect("its checks load");
    let ids: Vec<&str> = cases
        .iter()
        .map(|c| c.def.id.as_str())
        .filter(|id| id.contains("storage-qtrees"))
        .collect();
    for want in [
        "get-storage-qtrees.walk",
        "get-storage-qtrees.count-only",
        "get-storage-qtrees.fields-projection",
        "get-storage-qtrees.order-by-name-asc",
        "get-storage-qtrees.order-by-id-desc",
        "get-storage-qtrees.filter-name",
        "get-storage-qtrees.unknown-query",
        "get-storage-qtrees.no-credentials",
        "post-storage-qtrees.accepted",
        "post-storage-qtrees.missing-name",
        "post-storage-qtrees.too-long-name",
        "post-storage-qtrees.enum-security_style",
        "post-storage-qtrees.wrong-type-name",
        "post-storage-qtrees.read-only-refused",
        "post-storage-qtrees.malformed-json",
    ] {
        assert!(ids.contains(&want), "{want} not in {ids:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
