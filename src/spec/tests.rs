use std::path::Path;

use serde_json::json;

use super::*;
use crate::diag::Diagnostics;

/// A small valid spec; the broken variants below each change one thing in it.
pub(super) const MINI: &str = r##"openapi: 3.0.3
info: {title: mini, version: "1"}
paths:
  /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}:
    get:
      operationId: iscsi_credentials_get
      x-ontap-introduced-in: "9.6"
      parameters:
        - {name: svm.uuid, in: path, required: true, schema: {type: string}}
        - {name: initiator, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: Ok
          content:
            application/hal+json:
              schema: {$ref: "#/components/schemas/iscsi_credentials"}
        default:
          description: Error
          content:
            application/hal+json:
              schema: {$ref: "#/components/schemas/error_response"}
    delete:
      operationId: iscsi_credentials_delete
      x-ontap-introduced-in: "9.6"
      x-ontap-errors:
        - {code: "5374148", status: 400, description: "The default security credential cannot be deleted for an SVM.", seed: 004_69967a64eae5f293.txt, basis: {documented: 004_69967a64eae5f293.txt}, status_basis: {convention: "400: the status rule"}}
      parameters:
        - {name: svm.uuid, in: path, required: true, schema: {type: string}}
        - {name: initiator, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: Ok}
components:
  schemas:
    iscsi_credentials:
      type: object
      properties:
        authentication_type: {type: string, enum: [chap, none, deny]}
        chap:
          type: object
          properties:
            inbound:
              type: object
              properties:
                user: {type: string, maxLength: 128}
                password: {type: string, writeOnly: true, maxLength: 512}
    error_response:
      type: object
      properties:
        error:
          type: object
          properties:
            code: {type: string}
            message: {type: string}
"##;

/// Loads the fixture as if it were the shipped spec's file, so diagnostics name `spec/openapi.yaml`.
pub(super) fn load(text: &str) -> Result<Spec, Diagnostics> {
    Spec::parse(Path::new("spec/openapi.yaml"), text)
}

fn broken(from: &str, to: &str) -> String {
    assert!(MINI.contains(from), "fixture lacks {from:?}");
    let text = MINI.replacen(from, to, 1);
    load(&text).unwrap_err().to_string()
}

#[test]
fn mini_spec_loads() {
    let spec = load(MINI).unwrap();
    assert_eq!(spec.operations.len(), 2);
    let get = spec
        .operation(
            "GET",
            "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}",
        )
        .unwrap();
    assert_eq!(get.introduced_in, Version::parse("9.6"));
    assert_eq!(get.line, 5);
    let (op, params) = spec
        .match_request("DELETE", "/api/protocols/san/iscsi/credentials/u-1/default")
        .unwrap();
    assert_eq!(op.operation_id, "iscsi_credentials_delete");
    assert_eq!(params[1], ("initiator".to_string(), "default".to_string()));
    assert_eq!(spec.error_pairs().count(), 1);
}

#[test]
fn response_with_chap_password_fails_validation() {
    let spec = load(MINI).unwrap();
    let get = &spec.operations[0];
    let schema = get.response_for(200).unwrap().schema().unwrap();
    let body = json!({"authentication_type": "chap", "chap": {"inbound": {"user": "u", "password": "s3cr3t-chap"}}});
    let findings = schema.validate(&body, Direction::Response, false);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].kind, FindingKind::WriteOnlyInResponse);
    assert!(!format!("{findings:?}").contains("s3cr3t"));
}

#[test]
fn wrong_enum_value_fails_and_undocumented_field_warns() {
    let spec = load(MINI).unwrap();
    let schema = spec.operations[0]
        .response_for(200)
        .unwrap()
        .schema()
        .unwrap();
    let f = schema.validate(
        &json!({"authentication_type": "CHAP"}),
        Direction::Response,
        false,
    );
    assert_eq!(f.len(), 1);
    assert!(f[0].is_failure());
    assert_eq!(f[0].pointer, "/authentication_type");
    let f = schema.validate(
        &json!({"authentication_type": "none", "added_in_9_16": true}),
        Direction::Response,
        false,
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FindingKind::Undocumented);
    assert!(!f[0].is_failure());
}

#[test]
fn undocumented_status_has_no_response_spec() {
    let spec = load(MINI).unwrap();
    let delete = &spec.operations[1];
    assert!(delete.response_for(200).is_some());
    assert!(delete.response_for(202).is_none());
    assert!(
        spec.operations[0].response_for(404).is_some(),
        "errors fall back to default"
    );
}

#[test]
fn versions_order_numerically() {
    assert!(Version::parse("9.10.1").unwrap() > Version::parse("9.9").unwrap());
    assert_eq!(
        Version::parse("NetApp Release 9.14.1P2: Tue Feb 06 2024").unwrap(),
        Version(vec![9, 14, 1])
    );
    assert_eq!(Version::parse("no digits"), None);
}

#[test]
fn broken_specs_name_file_line_and_field() {
    insta::assert_snapshot!(
        "typo_in_type",
        broken(
            "user: {type: string, maxLength: 128}",
            "user: {type: strnig, maxLength: 128}"
        )
    );
    insta::assert_snapshot!(
        "dangling_ref",
        broken(
            "$ref: \"#/components/schemas/error_response\"",
            "$ref: \"#/components/schemas/eror_response\""
        )
    );
    insta::assert_snapshot!("bad_yaml", broken("    get:\n", "    get:\n   - oops: [\n"));
    insta::assert_snapshot!(
        "error_code_not_a_string",
        broken(
            "code: \"5374148\", status: 400",
            "code: 5374148, status: 400"
        )
    );
    insta::assert_snapshot!(
        "error_status_not_documented",
        broken(
            "code: \"5374148\", status: 400",
            "code: \"5374148\", status: 418"
        )
    );
    insta::assert_snapshot!(
        "no_success_response",
        broken("\"200\": {description: Ok}", "\"404\": {description: Nope}")
    );
    insta::assert_snapshot!(
        "missing_response_description",
        broken("\"200\": {description: Ok}", "\"200\": {}")
    );
}

#[test]
fn shipped_spec_has_every_documented_error_code() {
    let spec = Spec::load(None).unwrap_or_else(|d| panic!("shipped spec is broken:\n{d}"));
    let seed_pairs = spec
        .seed_operations()
        .map(|o| o.errors.len())
        .sum::<usize>();
    assert_eq!(seed_pairs, 51);
    let count = |m: &str, p: &str| spec.operation(m, p).map(|o| o.errors.len());
    assert_eq!(
        count(
            "GET",
            "/api/protocols/ndmp/svms/{svm.uuid}/passwords/{user}"
        ),
        Some(3)
    );
    assert_eq!(
        count("POST", "/api/security/authentication/password"),
        Some(8)
    );
    assert_eq!(count("PATCH", "/api/security"), Some(4));
    assert_eq!(
        count("POST", "/api/protocols/san/iscsi/credentials"),
        Some(19)
    );
    assert_eq!(
        count(
            "PATCH",
            "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}"
        ),
        Some(12)
    );
    assert_eq!(
        count(
            "DELETE",
            "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}"
        ),
        Some(5)
    );
}

#[test]
fn the_walk_finds_fields_through_allof_and_arrays_and_points_at_them() {
    let schema = CompiledSchema::compile(json!({
        "type": "object",
        "properties": {
            "records": {"type": "array", "items": {
                "properties": {"secret": {"type": "string"}},
                "allOf": [
                    {"type": "object", "properties": {
                        "chap": {"type": "object", "properties": {
                            "password": {"type": "string", "writeOnly": true}
                        }}
                    }},
                    {"properties": {"secret": {"type": "string", "writeOnly": true}}}
                ]
            }}
        }
    }))
    .unwrap();
    let body = json!({"records": [
        {"chap": {}},
        {"chap": {"password": "p1"}, "secret": "p2", "a/b~c": 1}
    ]});
    let f = schema.validate(&body, Direction::Response, false);
    let seen: Vec<(&str, FindingKind)> = f.iter().map(|f| (f.pointer.as_str(), f.kind)).collect();
    // The last allOf member that names a property wins over the schema's own `properties`.
    assert_eq!(
        seen,
        [
            ("/records/1/chap/password", FindingKind::WriteOnlyInResponse),
            ("/records/1/secret", FindingKind::WriteOnlyInResponse),
            ("/records/1/a~1b~0c", FindingKind::Undocumented),
        ]
    );
}

/// The structural mistakes the `openapiv3` model used to catch when the document was deserialized
/// into it; the lint catches them now, each at its own line and field.
fn problem(from: &str, to: &str) -> String {
    assert!(MINI.contains(from), "fixture lacks {from:?}");
    let d = load(&MINI.replacen(from, to, 1)).unwrap_err();
    assert_eq!(d.0.len(), 1, "one problem expected: {d}");
    d.0[0].to_string()
}

#[test]
fn structural_mistakes_name_file_line_and_field() {
    let param = "- {name: initiator, in: path, required: true, schema: {type: string}}";
    let path_param =
        "paths./api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}.get.parameters[1]";
    assert_eq!(
        problem(
            param,
            "- {name: initiator, required: true, schema: {type: string}}"
        ),
        format!(
            "spec/openapi.yaml:10: `{path_param}`: a parameter needs `in` (path, query, header or cookie)"
        )
    );
    assert_eq!(
        problem(
            param,
            "- {name: initiator, in: body, required: true, schema: {type: string}}"
        ),
        format!(
            "spec/openapi.yaml:10: `{path_param}.in`: `body` is not a parameter location: use path, query, header or cookie"
        )
    );
    assert_eq!(
        problem(
            param,
            "- {in: path, required: true, schema: {type: string}}"
        ),
        format!("spec/openapi.yaml:10: `{path_param}`: a parameter needs a `name`")
    );
    assert_eq!(
        problem(param, "- {name: initiator, in: path, required: true}"),
        format!(
            "spec/openapi.yaml:10: `{path_param}`: a parameter needs a `schema` (or `content`)"
        )
    );
    assert_eq!(
        problem(
            param,
            "- {name: initiator, in: path, required: yes please, schema: {type: string}}"
        ),
        format!(
            "spec/openapi.yaml:10: `{path_param}.required`: must be true or false, found \"yes please\""
        )
    );
    assert_eq!(
        problem(
            param,
            "- {name: initiator, in: path, schema: {type: string}}"
        ),
        format!("spec/openapi.yaml:10: `{path_param}`: a path parameter needs `required: true`")
    );
    assert_eq!(
        problem(
            "info: {title: mini, version: \"1\"}\n",
            "info: {version: \"1\"}\n"
        ),
        "spec/openapi.yaml:2: `info`: missing `title`"
    );
    assert_eq!(
        problem("info: {title: mini, version: \"1\"}\n", ""),
        "spec/openapi.yaml:1: missing `info` (a `title` and a `version`)"
    );
    assert_eq!(
        problem(
            "operationId: iscsi_credentials_delete\n",
            "operationId: iscsi_credentials_delete\n      tags: san\n"
        ),
        "spec/openapi.yaml:24: `paths./api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}.delete.tags`: must be a list of names"
    );
    assert_eq!(
        problem(
            "\"200\": {description: Ok}",
            "\"200\": {description: Ok, content: [oops]}"
        ),
        "spec/openapi.yaml:31: `paths./api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}.delete.responses[200].content`: must be a map of media types"
    );
    assert_eq!(
        problem(
            "\"200\": {description: Ok}",
            "\"200\": {description: Ok, headers: [oops]}"
        ),
        "spec/openapi.yaml:31: `paths./api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}.delete.responses[200].headers`: must be a map of headers"
    );
    assert_eq!(
        problem(
            "operationId: iscsi_credentials_delete\n",
            "operationId: iscsi_credentials_delete\n      summary: [a]\n"
        ),
        "spec/openapi.yaml:24: `paths./api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}.delete.summary`: must be a string"
    );
    assert_eq!(
        problem(
            "operationId: iscsi_credentials_delete\n",
            "operationId: iscsi_credentials_delete\n      requestBody: {content: {application/json: {schema: 5}}}\n"
        ),
        "spec/openapi.yaml:24: `paths./api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}.delete.requestBody.content.application/json.schema`: a schema must be a map of keywords"
    );
}
