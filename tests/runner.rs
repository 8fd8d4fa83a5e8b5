//! The runner fails what it should: a liar server, a dead target, a wrong expectation. And a
//! clean run writes three reports that agree with each other.

mod common;

use std::path::Path;
use std::process::Output;

use common::{ADMIN, MONITOR, NDMPSSO, VSADMIN, bin, temp_dir};
use serde_json::Value;

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("conformance.json")).unwrap()).unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A server that answers `200 {}` to everything: a runner that believes it proves nothing.
fn liar() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new()
                .fallback(|| async { ([("content-type", "application/json")], "{}") });
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

#[test]
fn a_liar_server_fails_almost_every_case() {
    let dir = temp_dir("liar");
    let out = bin()
        .args([
            "run",
            "--allow-destructive",
            "--target",
            &liar(),
            "--report-dir",
        ])
        .arg(&dir)
        .env("ONTAP_PASSWORD", "whatever")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = report(&dir);
    let total = r["summary"]["total"].as_u64().unwrap() as f64;
    // A case whose setup the liar breaks could not be judged: an error, which fails the gate as
    // a failure does.
    let failed = r["summary"]["failed"].as_u64().unwrap() as f64;
    let errors = r["summary"]["errors"].as_u64().unwrap() as f64;
    assert!(
        (failed + errors) / total >= 0.9,
        "only {failed} failed and {errors} errored of {total} cases against a liar"
    );
}

#[test]
fn a_dead_target_exits_2_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{port}");
    let dir = temp_dir("dead");
    let out = bin()
        .args(["run", "--target", &target, "--report-dir"])
        .arg(&dir)
        .env("ONTAP_PASSWORD", "whatever")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(&target), "{}", text(&out));
}

#[test]
fn a_wrong_expected_code_fails_against_the_emulator() {
    let dir = temp_dir("wrong-code");
    let cases = dir.join("cases/iscsi");
    std::fs::create_dir_all(&cases).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let original =
        std::fs::read_to_string(root.join("cases/iscsi/delete-5374148-default-credential.yaml"))
            .unwrap();
    assert!(original.contains("5374148"));
    std::fs::write(
        cases.join("wrong.yaml"),
        original.replace("error_code: \"5374148\"", "error_code: \"5374895\""),
    )
    .unwrap();
    let out = bin()
        .args(["run", "--no-builtin-cases", "--cases"])
        .arg(dir.join("cases"))
        .arg("--report-dir")
        .arg(dir.join("reports"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = report(&dir.join("reports"));
    let failure = &r["cases"][0]["failures"][0];
    assert_eq!(failure["expected"], "5374895");
    assert_eq!(failure["actual"], "5374148");
}

#[test]
fn a_clean_run_writes_three_agreeing_reports_without_secrets() {
    let dir = temp_dir("clean");
    let out = bin()
        .args(["run", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains(" passed, 0 failed, 0 skipped"), "{all}");
    let r = report(&dir);
    let cases = r["cases"].as_array().unwrap();
    assert!(cases.len() >= 60);
    for c in cases {
        for k in ["id", "file", "operation", "expected", "outcome"] {
            assert!(c.get(k).is_some(), "case lacks {k}: {c}");
        }
        assert_eq!(c["outcome"], "pass");
    }
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), cases.len());
    let html = std::fs::read_to_string(dir.join("conformance.html")).unwrap();
    for c in cases {
        assert!(html.contains(c["id"].as_str().unwrap()));
    }
    assert!(!html.contains("<script") && !html.contains("http://fonts"));
    // The emulator's starting passwords never reach a report or the output.
    for (_, secret) in [ADMIN, MONITOR, VSADMIN, NDMPSSO] {
        for (name, content) in [
            ("json", r.to_string()),
            ("junit", junit.clone()),
            ("html", html.clone()),
            ("output", all.clone()),
        ] {
            assert!(!content.contains(secret), "{secret} appears in {name}");
        }
    }
    assert!(
        !r.to_string()
            .to_ascii_lowercase()
            .contains("authorization: basic")
    );
}

#[test]
fn spec_check_passes_on_the_shipped_spec_and_cases() {
    let out = bin().args(["spec", "check"]).output().unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("51 curated (51 over the seed operations)"),
        "{t}"
    );
}

/// A `documented` basis must name a seed page of the repository, wherever the spec file is: a
/// copy of the shipped spec outside the checkout, with one page name made up, fails at its line.
#[test]
fn spec_check_refuses_a_seed_page_that_is_not_in_the_repository() {
    let dir = temp_dir("made-up-seed");
    let shipped = ontap_conform::spec::EMBEDDED_SPEC;
    let real = "basis: {documented: 000_a0fecf1d9628f24e.txt}";
    let line = 1 + shipped.lines().position(|l| l.contains(real)).unwrap();
    let file = dir.join("openapi.yaml");
    std::fs::write(
        &file,
        shipped.replacen(real, "basis: {documented: 000_0000000000000000.txt}", 1),
    )
    .unwrap();
    let out = bin()
        .args(["spec", "check", "--spec"])
        .arg(&file)
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains(&format!(
            "{}:{line}: `paths./api/protocols/ndmp/svms/{{svm.uuid}}/passwords/{{user}}.get.x-ontap-errors[0].basis.documented`: `000_0000000000000000.txt` is not a seed page in spec/sources/seeds/ (did you mean `000_a0fecf1d9628f24e.txt`?)",
            file.display()
        )),
        "{t}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn spec_check_names_an_uncovered_error_code() {
    let dir = temp_dir("gap");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = dir.join("cases/iscsi");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(
        root.join("cases/iscsi/delete-5374148-default-credential.yaml"),
        copy.join("only.yaml"),
    )
    .unwrap();
    let out = bin()
        .args(["spec", "check", "--no-builtin-cases", "--cases"])
        .arg(dir.join("cases"))
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains(
            "no case expects ONTAP error 5374142 from POST /api/protocols/san/iscsi/credentials"
        ),
        "{t}"
    );
}
