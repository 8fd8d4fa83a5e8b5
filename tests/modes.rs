//! Strict and lenient: a correct cluster that answers a documented code with another status than
//! this suite's convention fails a strict run and passes a lenient one, the difference reported
//! as a deviation in every output.

mod common;
#[path = "common/rewrite.rs"]
mod rewrite;

use std::path::Path;
use std::sync::Arc;

use common::{bin, temp_dir};
use serde_json::Value;

/// The duplicate-initiator case as shipped, with its status as the error cases state it: the
/// code, and a 4xx class (the exact 409 is the spec's convention for 5374142).
fn duplicate_case_dir(name: &str) -> std::path::PathBuf {
    let root = temp_dir(name);
    let dir = root.join("cases/iscsi");
    std::fs::create_dir_all(&dir).unwrap();
    let shipped =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/iscsi/create-5374142-duplicate.yaml");
    let text = std::fs::read_to_string(shipped).unwrap();
    let text = text.replacen("status: 409", "status: 4xx", 1);
    assert!(text.contains("status: 4xx"), "{text}");
    std::fs::write(dir.join("create-5374142-duplicate.yaml"), text).unwrap();
    root.join("cases")
}

/// A cluster that answers 5374142 with 400 instead of the convention's 409.
fn cluster_with_400() -> String {
    rewrite::start(Arc::new(|a: &mut rewrite::Answer| {
        let code = a
            .body
            .as_ref()
            .and_then(|b| b.pointer("/error/code"))
            .cloned();
        if code == Some(Value::String("5374142".into())) {
            a.status = 400;
        }
    }))
}

fn run(target: &str, cases: &Path, reports: &Path, mode: &[&str]) -> (Option<i32>, String, Value) {
    let mut args: Vec<&std::ffi::OsStr> = mode.iter().map(|m| m.as_ref()).collect();
    args.extend([
        "--no-builtin-cases".as_ref(),
        "--cases".as_ref(),
        cases.as_os_str(),
    ]);
    rewrite::run_against(target, reports, &args)
}

const SAYS: &str = "this target answered 400 where this suite's convention says 409 for 5374142";

#[test]
fn a_broken_convention_fails_strict_and_is_a_deviation_in_lenient() {
    let cases = duplicate_case_dir("modes");
    let target = cluster_with_400();
    let root = cases.parent().unwrap().to_path_buf();

    let (code, out, json) = run(&target, &cases, &root.join("strict"), &["--strict"]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(json["mode"], "strict");
    let case = &json["cases"][0];
    assert_eq!(case["outcome"], "fail", "{case}");
    assert_eq!(case["failures"][0]["message"], SAYS, "{case}");
    assert_eq!(case["failures"][0]["basis"]["kind"], "convention", "{case}");

    let (code, out, json) = run(&target, &cases, &root.join("lenient"), &["--lenient"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(json["mode"], "lenient");
    let case = &json["cases"][0];
    assert_eq!(case["outcome"], "pass", "{case}");
    assert_eq!(case["failures"], Value::Array(vec![]), "{case}");
    assert_eq!(case["deviations"][0]["message"], SAYS, "{case}");
    assert_eq!(json["summary"]["deviations"], 1);
    assert!(out.contains(SAYS) && out.contains("1 deviation"), "{out}");
    let html = std::fs::read_to_string(root.join("lenient/conformance.html")).unwrap();
    let says = ontap_conform::report::html::esc(SAYS);
    assert!(html.contains("<h2>Deviations (1)</h2>") && html.contains(&says));

    // Without a flag, a --target is held leniently.
    let (code, out, json) = run(&target, &cases, &root.join("default"), &[]);
    assert_eq!(
        (code, json["mode"].as_str()),
        (Some(0), Some("lenient")),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn the_emulator_keeps_the_convention_in_strict_mode() {
    let cases = duplicate_case_dir("modes-emulator");
    let root = cases.parent().unwrap().to_path_buf();
    let o = bin()
        .args(["run", "--no-builtin-cases", "--cases"])
        .arg(&cases)
        .arg("--report-dir")
        .arg(root.join("r"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("r/conformance.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["mode"], "strict",
        "the embedded emulator is held strictly"
    );
    let checks = json["cases"][0]["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["what"] == "status 409 for error code 5374142"
                && c["basis"]["kind"] == "convention"),
        "{checks:?}"
    );
    let _ = std::fs::remove_dir_all(root);
}
