//! `spec import` of files as clusters serve them, irregularities included: each is read or
//! skipped with a warning of its own and never fails the import, while a file that is not
//! NetApp's swagger (or a gzip cut short) is refused with the reason, exit 2.

mod common;

use std::io::Write as _;
use std::process::Stdio;

use serde_json::{Value, json};

use ontap_conform::spec::import::{ImportError, gzip, import};

/// A small definition with one of each irregularity NetApp's files have.
const IRREGULAR: &str = r##"swagger: '2.0'
basePath: /api
info: {title: ONTAP REST API, version: v1}
paths:
  HAL linking:
    x-ntap-long-description:
      description: A documentation page, not a path.
  /widgets:
    x-ntap-long-description:
      description: What widgets are.
    get:
      operationId: widget_collection_get
      description: |
        Retrieves widgets.
        ### Learn more
        * a link
      parameters:
      - description: Filter by kind
        in: query
        name: kind
        type: enum
      - $ref: '#/parameters/fields_param'
      responses:
        '200':
          description: OK
          schema:
            $ref: '#/definitions/widget'
        default:
          description: |
            ONTAP Error Response Codes
            | Error Code | Description |
            | ---------- | ----------- |
            | 4 | The widget does not exist. |
            | 77 | The widget is already in use.|
            |    | Stop using it first. |
            | 77 | The widget is already in use. |
            | 78 | "Widget \\\"{name}\\\" is not valid.";
          schema:
            $ref: '#/definitions/error_response'
    post:
      operationId: widget_create
      description: Creates a widget.
      x-ntap-introduced: '9.10'
      parameters:
      - in: body
        name: info
        required: true
        schema:
          $ref: '#/definitions/widget'
      - in: formData
        name: upload
        type: string
      responses:
        '201':
          description: Created
  /widgets/{uuid}:
    delete:
      operationId: widget_delete
      responses:
        default:
          description: Error
    head:
      operationId: widget_head
      responses:
        '200':
          description: OK
definitions:
  error_response:
    type: object
    properties:
      error:
        type: object
        properties:
          code: {type: string}
          message: {type: string}
  widget:
    type: object
    properties:
      uuid:
        type: string
        readOnly: 1
      kind:
        type: enum
        enum: [round, square]
        decription: The kind of widget.
      secret:
        type: string
        writeOnly: true
      owner:
        type: string
        readOnly: true
        x-ntap-readCreate: true
      colour:
        type: string
        x-ntap-modifyOnly: true
        x-ntap-introduced: '9.11'
      size:
        type: unsigned
        maxValue: 10
      parent:
        $ref: '#/definitions/widget_ref'
        x-ntap-advanced: true
      ghost:
        $ref: '#/definitions/nothing'
parameters:
  fields_param:
    collectionFormat: csv
    description: Specify the fields to return.
    in: query
    items: {type: string}
    name: fields
    type: array
"##;

/// `widget_ref`, which `parent` refers to, is defined after the fact so the definition order is
/// NetApp's (alphabetical) and the file still has one missing target (`nothing`).
fn irregular() -> String {
    IRREGULAR.replace(
        "parameters:\n  fields_param:",
        "  widget_ref:\n    type: object\n    properties:\n      uuid: {type: string}\nparameters:\n  fields_param:",
    )
}

fn warned(warnings: &[String], field: &str, words: &str) {
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(&format!("`{field}`")) && w.contains(words)),
        "no warning at `{field}` saying {words:?} in:\n{}",
        warnings.join("\n")
    );
}

#[test]
fn irregularities_are_read_or_skipped_each_with_a_warning() {
    let imp = import(irregular().as_bytes(), "widgets-9.8.yaml", None).unwrap();
    let w: Vec<String> = imp.warnings.iter().map(|w| w.to_string()).collect();
    let doc = &imp.doc;

    // A documentation page under `paths` is skipped; the operations beside it are imported.
    warned(&w, "paths.HAL linking", "a documentation page, skipped");
    assert!(doc["paths"].get("HAL linking").is_none());
    assert_eq!(imp.release, "9.8", "from the name");
    let get = &doc["paths"]["/api/widgets"]["get"];
    assert_eq!(get["summary"], "Retrieves widgets.");
    assert_eq!(get["description"], "Retrieves widgets.");

    // `type: enum` is a string, on a parameter and on a property.
    warned(
        &w,
        "paths./widgets.get.parameters[0].type",
        "read as `type: string`",
    );
    assert_eq!(get["parameters"][0]["schema"], json!({"type": "string"}));
    let widget = &doc["components"]["schemas"]["widget"]["properties"];
    assert_eq!(widget["kind"]["type"], "string");
    assert_eq!(widget["kind"]["enum"], json!(["round", "square"]));
    // The shared parameter is written inline, its csv as OpenAPI's form style.
    assert_eq!(get["parameters"][1]["name"], "fields");
    assert_eq!(get["parameters"][1]["explode"], false);

    // Misspelt and irregular keywords are read.
    warned(
        &w,
        "definitions.widget.properties.kind.decription",
        "read as `description`",
    );
    assert_eq!(widget["kind"]["description"], "The kind of widget.");
    warned(
        &w,
        "definitions.widget.properties.uuid.readOnly",
        "`readOnly: 1` read as `readOnly: true`",
    );
    assert_eq!(widget["uuid"]["readOnly"], true);
    warned(
        &w,
        "definitions.widget.properties.secret.writeOnly",
        "a bare `writeOnly`",
    );
    assert_eq!(widget["secret"]["writeOnly"], true);
    warned(
        &w,
        "definitions.widget.properties.size.type",
        "read as `type: integer` with `minimum: 0`",
    );
    assert_eq!(
        widget["size"],
        json!({"type": "integer", "maximum": 10, "minimum": 0})
    );
    warned(
        &w,
        "definitions.widget.properties.ghost.$ref",
        "no such definition",
    );
    assert_eq!(widget["ghost"], json!({}));

    // Access: precedence, PATCH-only, advanced beside a ref.
    warned(
        &w,
        "definitions.widget.properties.owner.readOnly",
        "NetApp's precedence",
    );
    assert_eq!(
        widget["owner"],
        json!({"type": "string", "x-ntap-readCreate": true, "x-ontap-no-patch": true})
    );
    assert_eq!(widget["colour"]["x-ontap-no-post"], true);
    // When NetApp says an operation or a field appeared (newer files), the version gates read it.
    assert_eq!(widget["colour"]["x-ontap-introduced-in"], "9.11");
    assert_eq!(
        doc["paths"]["/api/widgets"]["post"]["x-ontap-introduced-in"],
        "9.10"
    );
    assert_eq!(
        widget["parent"],
        json!({"allOf": [{"$ref": "#/components/schemas/widget_ref"}], "x-ntap-advanced": true, "x-ontap-advanced": true})
    );

    // The error table: a continued row, a code listed twice, a quoted description, the common
    // code 4 with the curated spec's observed status.
    let errors = get["x-ontap-errors"].as_array().unwrap();
    let codes: Vec<&str> = errors.iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["4", "77", "78"]);
    assert_eq!(errors[0]["status"], 404);
    assert!(errors[0]["status_basis"]["observed"].is_string());
    assert_eq!(
        errors[1]["description"],
        "The widget is already in use. Stop using it first. (also listed as: The widget is already in use.)"
    );
    assert_eq!(errors[1]["status"], 409);
    assert_eq!(errors[2]["description"], "Widget \"{name}\" is not valid.");
    assert_eq!(errors[2]["status"], 400);
    // Not a file of the repository: the entries rest on what the file says, and name it.
    assert_eq!(errors[2]["source"], "widgets-9.8.yaml");
    assert!(
        errors[2]["basis"]["observed"]
            .as_str()
            .unwrap()
            .starts_with("widgets-9.8.yaml")
    );
    warned(
        &w,
        "paths./widgets.get.responses.default.description",
        "listed twice",
    );

    // A form field is skipped; the body is the request body under both media types.
    let post = &doc["paths"]["/api/widgets"]["post"];
    warned(&w, "paths./widgets.post.parameters[1]", "a form field");
    assert_eq!(
        post["requestBody"]["content"]["application/hal+json"]["schema"]["$ref"],
        "#/components/schemas/widget"
    );
    // No `default`: error_response, said.
    warned(&w, "paths./widgets.post.responses", "no `default`");
    assert!(post["responses"]["default"]["content"]["application/json"].is_object());

    // Left out, each named with why: an operation without a success status, and HEAD.
    let left: Vec<&str> = imp.left_out.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        left,
        ["DELETE /api/widgets/{uuid}", "HEAD /api/widgets/{uuid}"]
    );
    assert!(imp.left_out[0].1.contains("no success (2xx) status"));
    assert!(doc["paths"].get("/api/widgets/{uuid}").is_none());
    assert_eq!(imp.counts.operations, 2);
    assert_eq!(imp.counts.error_rows, 4);
    assert_eq!(imp.counts.error_entries, 3);

    // And what was imported passes `spec check`.
    let dir = common::temp_dir("import-irregular");
    let out = dir.join("widgets.json");
    std::fs::write(&out, imp.to_json()).unwrap();
    let check = common::bin()
        .args(["spec", "check", "--no-builtin-cases", "--spec"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_file_that_is_not_netapps_swagger_is_refused_with_the_reason() {
    let refused = |bytes: &[u8]| {
        import(bytes, "x.yaml", Some("9.8"))
            .unwrap_err()
            .to_string()
    };
    let html = refused(b"<html><body>Please log in</body></html>");
    assert!(
        html.contains("not NetApp's swagger") && html.contains("one string"),
        "{html}"
    );
    let openapi = refused(b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(openapi.contains("OpenAPI 3"), "{openapi}");
    let list = refused(b"[1, 2, 3]");
    assert!(list.contains("a list"), "{list}");
    let no_paths = refused(b"swagger: '2.0'\ninfo: {title: t}\n");
    assert!(no_paths.contains("no `paths`"), "{no_paths}");
    let binary = refused(&[0x00, 0xff, 0xfe, 0x80]);
    assert!(binary.contains("not text"), "{binary}");
    let yaml = refused(b"swagger: '2.0'\npaths: {\n  - broken\n");
    assert!(yaml.contains("not YAML or JSON"), "{yaml}");
    // No release anywhere: said, with what to give.
    let e = import(
        b"swagger: '2.0'\ninfo: {version: v1}\npaths: {}\n",
        "swagger.yaml",
        None,
    )
    .unwrap_err();
    assert!(matches!(e, ImportError::NoRelease { .. }), "{e}");
    assert!(e.to_string().contains("give --release"), "{e}");

    // The command: exit 2 and the reason on stderr, nothing on stdout.
    let dir = common::temp_dir("import-refused");
    let page = dir.join("swagger.yaml");
    std::fs::write(&page, "<html><body>Please log in</body></html>").unwrap();
    let out = common::bin()
        .args(["spec", "import"])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("spec import: swagger.yaml: not NetApp's swagger"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_gzip_cut_short_is_refused_with_the_reason() {
    let whole = gzip(irregular().as_bytes());
    // Recognised by its magic bytes, whatever the name.
    let ok = import(&whole, "widgets-9.8.txt", None).unwrap();
    assert_eq!(ok.counts.operations, 2);
    let cut = &whole[..whole.len() / 2];
    let e = import(cut, "widgets-9.8.yaml.gz", None).unwrap_err();
    assert!(matches!(e, ImportError::Gzip { .. }), "{e}");
    assert!(e.to_string().contains("cut short"), "{e}");

    let dir = common::temp_dir("import-cut");
    let file = dir.join("swagger-9.8.yaml.gz");
    std::fs::write(&file, cut).unwrap();
    let out = common::bin()
        .args(["spec", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the gzip stream is damaged or cut short"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn stdin_is_read_with_dash() {
    let mut child = common::bin()
        .args(["spec", "import", "-", "--release", "9.8"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = gzip(irregular().as_bytes());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("spec import: stdin (ONTAP 9.8): 2 operation(s)"),
        "{stderr}"
    );
    assert!(stderr.contains("warning: stdin:"), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["paths"]["/api/widgets"]["get"]["x-ontap-imported"],
        json!({"source": "stdin", "release": "9.8"})
    );
}
