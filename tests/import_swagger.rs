//! `spec import` of NetApp's 9.8 definition (`spec/sources/ontap-api/swagger-9.8.yaml.gz`), held
//! to the file itself: the operations, the error table rows and the access markers are counted in
//! NetApp's text here, line by line and by indentation alone, never through the importer's own
//! reader, and each is found in the import where it belongs.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::Value;

use ontap_conform::spec::import::{Imported, import};

const SOURCE: &str = "spec/sources/ontap-api/swagger-9.8.yaml.gz";

fn source_bytes() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SOURCE)).unwrap()
}

/// NetApp's file as text, unpacked here with flate2 (not the importer's own reading).
fn text() -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(&source_bytes()[..])
        .read_to_string(&mut out)
        .unwrap();
    out
}

fn imported() -> Imported {
    import(&source_bytes(), "swagger-9.8.yaml.gz", None).unwrap()
}

/// Every operation of the import: `METHOD /api/path` to the operation.
fn operations(doc: &Value) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.insert(format!("{} {path}", method.to_uppercase()), op);
        }
    }
    out
}

/// What NetApp's text holds, read by indentation: for each key line, the keys above it.
struct Outline {
    /// `METHOD /api/path` of every operation, in the file's order.
    operations: Vec<String>,
    /// The codes of the error table rows under each operation's `responses.default.description`,
    /// with their line, in the file's order.
    rows: BTreeMap<String, Vec<(String, usize)>>,
}

fn outline(text: &str) -> Outline {
    let mut stack: Vec<(usize, String)> = Vec::new();
    // The indentation of the key whose block scalar (`description: |`) the lines are in.
    let mut block: Option<usize> = None;
    let mut out = Outline {
        operations: Vec::new(),
        rows: BTreeMap::new(),
    };
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start();
        let mut indent = line.len() - body.len();
        if let Some(b) = block {
            if body.is_empty() || indent > b {
                let keys: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
                if let ["paths", path, method, "responses", "default", "description"] = keys[..]
                    && let Some(code) = row_code(body)
                {
                    let op = format!("{} /api{path}", method.to_uppercase());
                    out.rows.entry(op).or_default().push((code, n + 1));
                }
                continue;
            }
            block = None;
        }
        let body = match body.strip_prefix("- ") {
            Some(rest) => {
                indent += 2;
                rest
            }
            None => body,
        };
        let Some((key, value)) = body
            .split_once(": ")
            .or_else(|| body.strip_suffix(':').map(|k| (k, "")))
        else {
            continue;
        };
        let key = key.trim_matches(|c| c == '\'' || c == '"').to_string();
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        stack.push((indent, key));
        if matches!(value.trim(), "|" | "|-" | ">" | ">-") {
            block = Some(indent);
        }
        let keys: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
        if let ["paths", path, method] = keys[..]
            && path.starts_with('/')
            && ["get", "post", "patch", "delete", "put", "head", "options"].contains(&method)
        {
            out.operations
                .push(format!("{} /api{path}", method.to_uppercase()));
        }
    }
    out
}

/// The code of a table row (`| 1234 | ... |`), by the file's text.
fn row_code(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix('|')?;
    let (code, _) = rest.split_once('|')?;
    let code = code.trim();
    (!code.is_empty() && code.bytes().all(|b| b.is_ascii_digit())).then(|| code.to_string())
}

#[test]
fn every_operation_of_the_file_is_imported() {
    let text = text();
    let outline = outline(&text);
    assert_eq!(outline.operations.len(), 565, "NetApp's file has 565");
    let imp = imported();
    assert!(imp.left_out.is_empty(), "{:?}", imp.left_out);
    let ops = operations(&imp.doc);
    let in_file: std::collections::BTreeSet<&String> = outline.operations.iter().collect();
    let in_import: std::collections::BTreeSet<&String> = ops.keys().collect();
    assert_eq!(in_file, in_import);
    assert_eq!(imp.counts.operations, 565);
    for (key, op) in &ops {
        assert_eq!(
            op["x-ontap-imported"],
            serde_json::json!({"source": "swagger-9.8.yaml.gz", "release": "9.8"}),
            "{key}"
        );
        assert!(op["operationId"].is_string(), "{key}");
    }
    // The 14 documentation pages under `paths` are skipped, each said.
    let pages = imp
        .warnings
        .iter()
        .filter(|w| w.message.contains("a documentation page"))
        .count();
    assert_eq!(pages, 14);
}

#[test]
fn every_error_table_row_is_an_entry_on_its_operation() {
    let text = text();
    let rows = outline(&text).rows;
    let total: usize = rows.values().map(Vec::len).sum();
    assert_eq!(total, 2080, "rows in NetApp's tables");
    assert_eq!(rows.len(), 278, "operations with a table");
    let imp = imported();
    assert_eq!(imp.counts.error_rows, 2080);
    let ops = operations(&imp.doc);
    let mut entries = 0;
    for (key, op) in &ops {
        let got: Vec<&str> = op["x-ontap-errors"]
            .as_array()
            .map(|e| e.iter().map(|e| e["code"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let mut want: Vec<&str> = Vec::new();
        for (code, _) in rows.get(key).map(Vec::as_slice).unwrap_or_default() {
            if !want.contains(&code.as_str()) {
                want.push(code);
            }
        }
        assert_eq!(got, want, "{key}");
        entries += got.len();
    }
    // Six codes are listed twice on one operation: one entry each, said in a warning.
    assert_eq!(entries, 2074);
    assert_eq!(imp.counts.error_entries, 2074);
    let twice = imp
        .warnings
        .iter()
        .filter(|w| w.message.contains("is listed twice"))
        .count();
    assert_eq!(twice, 6);
}

/// Lines of `text` (between `from` and `to`, the top-level keys) whose trimmed form is one of
/// `forms`.
fn count_lines(text: &str, region: Option<(&str, &str)>, forms: &[&str]) -> usize {
    let mut inside = region.is_none();
    let mut n = 0;
    for line in text.lines() {
        if let Some((from, to)) = region {
            if line == from {
                inside = true;
            } else if line == to {
                inside = false;
            }
        }
        if inside && forms.contains(&line.trim()) {
            n += 1;
        }
    }
    n
}

/// Schemas of `v` (recursively) where `key` is `value`.
fn count_keys(v: &Value, key: &str, value: &Value) -> usize {
    match v {
        Value::Object(m) => {
            usize::from(m.get(key) == Some(value))
                + m.values().map(|x| count_keys(x, key, value)).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(|x| count_keys(x, key, value)).sum(),
        _ => 0,
    }
}

#[test]
fn the_access_markers_are_carried_as_mapped() {
    let text = text();
    let defs = Some(("definitions:", "parameters:"));
    let marker = |name: &str| count_lines(&text, defs, &[&format!("{name}: true")]);
    // NetApp's file, as its README counts it.
    let read_only = count_lines(&text, defs, &["readOnly: true", "readOnly: 1"]);
    assert_eq!(read_only, 2010);
    let (read_create, create_only, write_only) = (
        marker("x-ntap-readCreate"),
        marker("x-ntap-createOnly"),
        marker("x-ntap-writeOnly"),
    );
    let (read_modify, modify_only, advanced) = (
        marker("x-ntap-readModify"),
        marker("x-ntap-modifyOnly"),
        marker("x-ntap-advanced"),
    );
    assert_eq!(
        [
            read_create,
            create_only,
            write_only,
            read_modify,
            modify_only,
            advanced
        ],
        [299, 62, 61, 37, 21, 15]
    );
    let bare_write_only = marker("writeOnly");
    assert_eq!(bare_write_only, 2);

    let imp = imported();
    let schemas = &imp.doc["components"]["schemas"];
    let t = Value::Bool(true);
    // One property is both readOnly and readCreate; NetApp's precedence makes it readCreate.
    let overruled: Vec<String> = imp
        .warnings
        .iter()
        .filter(|w| w.message.contains("NetApp's precedence"))
        .map(|w| w.field())
        .collect();
    assert_eq!(
        overruled,
        ["definitions.snaplock_file_fingerprint.properties.scope.readOnly"]
    );
    assert_eq!(count_keys(schemas, "readOnly", &t), read_only - 1);
    assert_eq!(
        count_keys(schemas, "x-ontap-no-patch", &t),
        read_create + create_only
    );
    assert_eq!(
        count_keys(schemas, "x-ontap-no-post", &t),
        read_modify + modify_only
    );
    assert_eq!(
        count_keys(schemas, "writeOnly", &t),
        write_only + bare_write_only
    );
    assert_eq!(count_keys(schemas, "x-ontap-advanced", &t), advanced);
    // NetApp's own markers stay beside ours.
    for (name, n) in [
        ("x-ntap-readCreate", read_create),
        ("x-ntap-createOnly", create_only),
        ("x-ntap-writeOnly", write_only),
        ("x-ntap-readModify", read_modify),
        ("x-ntap-modifyOnly", modify_only),
        ("x-ntap-advanced", advanced),
    ] {
        assert_eq!(count_keys(schemas, name, &t), n, "{name}");
    }
    // A marker beside a `$ref` is kept where OpenAPI reads it: beside an `allOf` of the ref.
    let advanced_ref = schemas
        .as_object()
        .unwrap()
        .values()
        .find_map(|s| {
            s["properties"]
                .as_object()?
                .values()
                .find(|p| p["x-ontap-advanced"] == t)
        })
        .unwrap();
    assert!(
        advanced_ref["allOf"][0]["$ref"].is_string(),
        "{advanced_ref}"
    );
}

/// Entries of the import against the lines of NetApp's file they come from.
#[test]
fn a_sample_of_entries_reads_as_the_file_says() {
    let text = text();
    let imp = imported();
    let ops = operations(&imp.doc);
    let entry = |op: &str, code: &str| -> Value {
        ops[op]["x-ontap-errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{op} has no entry {code}"))
    };
    let documented = serde_json::json!({"documented": "swagger-9.8.yaml.gz"});
    // (operation, code, a line of NetApp's file, the description the entry must carry, status)
    let samples = [
        (
            "PATCH /api/cluster",
            "3604491",
            "| 3604491 | Updating timezone failed. |",
            "Updating timezone failed.",
            400,
        ),
        (
            "PATCH /api/name-services/name-mappings/{svm.uuid}/{direction}/{index}",
            "65798179",
            "|            | Delete and recreate the new entry at the specified position.|",
            "Cannot swap entries because one or both entries have hostname or address configured. Delete and recreate the new entry at the specified position.",
            409,
        ),
        (
            "POST /api/protocols/s3/services/{svm.uuid}/buckets",
            "92405786",
            r#"| 92405786   | "Bucket name \\\"{bucket name}\\\" is not valid. Bucket names must have between 3 and 63 characters. ";"#,
            "Bucket name \"{bucket name}\" is not valid. Bucket names must have between 3 and 63 characters.",
            400,
        ),
        (
            "PATCH /api/protocols/fpolicy/{svm.uuid}/policies/{name}",
            "9764899",
            "| 9764899    | Deletion of a cluster policy is not supported |",
            "Cannot modify an FPolicy engine when the policy is enabled (also listed as: Deletion of a cluster policy is not supported)",
            400,
        ),
        (
            "POST /api/network/fc/wwpn-aliases",
            "1254317",
            "| 1254317    | The alias already exists. |",
            "The alias already exists.",
            409,
        ),
        (
            "DELETE /api/storage/namespaces/{uuid}",
            "72090006",
            "| 72090006 | The specified namespace was not found. |",
            "The specified namespace was not found.",
            404,
        ),
    ];
    for (op, code, line, description, status) in samples {
        assert!(
            text.lines().any(|l| l.trim() == line),
            "NetApp's file has no line {line:?}"
        );
        let e = entry(op, code);
        assert_eq!(e["description"], description, "{op} {code}");
        assert_eq!(e["status"], status, "{op} {code}");
        assert_eq!(e["basis"], documented, "{op} {code}");
        let why = e["status_basis"]["convention"].as_str().unwrap();
        assert!(
            why.starts_with(&format!("{status} by this suite's status rule"))
                && why.ends_with("swagger-9.8.yaml.gz gives no HTTP status per code"),
            "{why}"
        );
    }
    // The common codes keep the curated spec's status and status basis (code 4 is observed:
    // 404 on real clusters); their code is still documented by NetApp's table.
    let spec = ontap_conform::spec::Spec::load(None).unwrap();
    let common = spec.common_errors.iter().find(|e| e.code == "4").unwrap();
    let four = entry(
        "GET /api/network/fc/logins/{interface.uuid}/{initiator.wwpn}",
        "4",
    );
    assert_eq!(four["status"], common.status);
    assert_eq!(
        four["status_basis"]["observed"],
        common.status_basis.source()
    );
    assert_eq!(four["basis"], documented);
}

#[test]
fn the_import_passes_spec_check() {
    let dir = common::temp_dir("import-check");
    let out = dir.join("ontap-9.8.json");
    let status = common::bin()
        .args(["spec", "import", SOURCE, "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(
        stderr.contains("565 operation(s) on 274 path(s), 507 schema(s), 2080 error table row(s) as 2074 x-ontap-errors entries; 0 left out; 63 warning(s)"),
        "{stderr}"
    );
    let check = common::bin()
        .args(["spec", "check", "--no-builtin-cases", "--spec"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        stdout.contains("565 imported; 0 overlay")
            && stdout.contains("2074 imported, 0 overlay")
            && stdout.contains("imported from: swagger-9.8.yaml.gz (ONTAP 9.8)"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_import_is_the_same_every_time() {
    assert_eq!(imported().to_json(), imported().to_json());
}
