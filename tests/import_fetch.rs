//! `spec fetch --target`: the cluster's own `/docs/api/swagger.yaml`, downloaded as the run's
//! account and imported. Against an emulator process (which serves NetApp's 9.8 file there) it
//! round-trips to `spec import` of the same file; a wrong password or a dead target is exit 2 in
//! the run's words.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

const SOURCE: &str = "spec/sources/ontap-api/swagger-9.8.yaml.gz";

/// `METHOD /api/path` to its operationId and error codes with their statuses.
fn operations(doc: &Value) -> BTreeMap<String, (Value, Vec<(Value, Value)>)> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let errors = op["x-ontap-errors"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .map(|e| (e["code"].clone(), e["status"].clone()))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(
                format!("{} {path}", method.to_uppercase()),
                (op["operationId"].clone(), errors),
            );
        }
    }
    out
}

#[test]
fn fetch_from_the_emulator_round_trips_to_the_import_of_its_file() {
    let emu = common::EmulatorProcess::start("127.0.0.1:0", &["--ontap-version", "9.8.0"], &[]);
    let dir = common::temp_dir("import-fetch");
    let (fetched, imported) = (dir.join("fetched.json"), dir.join("imported.json"));
    let out = common::bin()
        .args(["spec", "fetch", "--target", &emu.url, "--output"])
        .arg(&fetched)
        .env("ONTAP_PASSWORD", common::ADMIN.1)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let host = emu.url.trim_start_matches("http://");
    assert!(
        stderr.contains(&format!(
            "spec fetch: {host} /docs/api/swagger.yaml (ONTAP 9.8.0): 565 operation(s)"
        )),
        "{stderr}"
    );
    let out = common::bin()
        .args(["spec", "import", SOURCE, "--output"])
        .arg(&imported)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let read = |p: &std::path::Path| -> Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let (f, i) = (read(&fetched), read(&imported));
    let (fo, io) = (operations(&f), operations(&i));
    assert_eq!(fo.len(), 565);
    assert_eq!(fo, io, "the same operations, ids, codes and statuses");
    assert_eq!(f["components"]["schemas"], i["components"]["schemas"]);
    // Each cites where it came from: the cluster (what it says: observed), or the repository's
    // file (documented).
    let op = &f["paths"]["/api/cluster"]["patch"];
    assert_eq!(
        op["x-ontap-imported"],
        serde_json::json!({"source": format!("{host} /docs/api/swagger.yaml"), "release": "9.8.0"})
    );
    assert!(op["x-ontap-errors"][0]["basis"]["observed"].is_string());
    assert_eq!(
        i["paths"]["/api/cluster"]["patch"]["x-ontap-errors"][0]["basis"],
        serde_json::json!({"documented": "swagger-9.8.yaml.gz"})
    );
    // A fetched definition is a spec `spec check` takes as it is.
    let check = common::bin()
        .args(["spec", "check", "--no-builtin-cases", "--spec"])
        .arg(&fetched)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // The run's words for a wrong password and a dead target.
    let out = common::bin()
        .args(["spec", "fetch", "--target", &emu.url])
        .env("ONTAP_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refused the credentials of `admin`"),
        "{stderr}"
    );
    drop(emu);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fetch_needs_a_target_and_a_password() {
    // Not from a variable the caller set for a cluster run.
    let out = common::bin()
        .args(["spec", "fetch"])
        .env_remove("ONTAP_TARGET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give the cluster with --target URL"));
    let out = common::bin()
        .args(["spec", "fetch", "--target", "https://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("set ONTAP_PASSWORD"));
    let out = common::bin()
        .args(["spec", "fetch", "--target", "http://127.0.0.1:1"])
        .env("ONTAP_PASSWORD", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach the target http://127.0.0.1:1"),
        "{stderr}"
    );
}
