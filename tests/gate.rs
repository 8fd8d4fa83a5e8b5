//! A gate a storage team can keep on: the real binary against the emulator in its own process,
//! as against a cluster.
//!
//! - `doctor` says what a run would do (TLS, version, role, SVMs, case counts) and fails with the
//!   reason against a dead target, a wrong password, an untrusted certificate;
//! - a read-only account's read-only run passes, its role's refusals counted as skips;
//! - nothing green that judged nothing: an empty selection and an all-skipped run are exit 2;
//! - the connection's variables mean what they mean to `cargo test`;
//! - plain words for a target without a scheme and for HTTP spoken to a TLS port;
//! - after a run killed outright (`kill -9`), `cleanup` leaves no object with the run id.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{ADMIN, CREDS, EmulatorProcess, MONITOR, api, bin, temp_dir};
use serde_json::{Value, json};

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("conformance.json")).unwrap()).unwrap()
}

/// `ontap-conform ARGS` with `password` in ONTAP_PASSWORD and no other connection variable
/// inherited from the shell running the tests.
fn cmd(args: &[&str], password: Option<&str>) -> Output {
    let mut c = bin();
    for v in ontap_conform::run::env::ALL {
        c.env_remove(v.0);
    }
    if let Some(p) = password {
        c.env("ONTAP_PASSWORD", p);
    }
    c.args(args).output().unwrap()
}

#[test]
fn doctor_over_tls_says_what_a_run_would_do() {
    let dir = temp_dir("doctor-tls");
    let pem = dir.join("emu.pem");
    let pem_arg = pem.to_str().unwrap();
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--tls", "--write-cert", pem_arg], &[]);
    let out = cmd(
        &["doctor", "--target", &emu.url, "--ca-cert", pem_arg],
        Some(ADMIN.1),
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    for needle in [
        &format!("verified against {pem_arg}") as &str,
        "9.14.1",
        "role admin (cluster)",
        "throwaway objects go to svm1",
        "also svm2",
        "selected: ",
        "skipped (",
        "destructive",
        "requests     about ",
    ] {
        assert!(
            said.contains(needle),
            "doctor does not say `{needle}`:\n{said}"
        );
    }

    // As the read-only account: its role is named, and the cases it cannot carry out counted.
    let out = cmd(
        &[
            "doctor",
            "--target",
            &emu.url,
            "--ca-cert",
            pem_arg,
            "--user",
            MONITOR.0,
        ],
        Some(MONITOR.1),
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("role readonly (cluster)"), "{said}");
    assert!(said.contains(" role)") || said.contains(" role,"), "{said}");

    // An untrusted certificate, a wrong password, a dead target: exit 2 with the reason.
    let out = cmd(&["doctor", "--target", &emu.url], Some(ADMIN.1));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not signed by a trusted CA") && text(&out).contains("--ca-cert"),
        "{}",
        text(&out)
    );
    let out = cmd(
        &["doctor", "--target", &emu.url, "--ca-cert", pem_arg],
        Some("not-the-password"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("refused the credentials of `admin`"),
        "{}",
        text(&out)
    );
    let port = emu.port();
    drop(emu);
    let out = cmd(
        &["doctor", "--target", &format!("https://127.0.0.1:{port}")],
        Some(ADMIN.1),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("connection refused"), "{}", text(&out));
}

#[test]
fn connection_mistakes_are_said_in_plain_words() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--tls"], &[]);
    let port = emu.port();
    // No scheme.
    let out = cmd(
        &["run", "--target", &format!("127.0.0.1:{port}")],
        Some(ADMIN.1),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("has no scheme: write https://127.0.0.1:{port}")),
        "{}",
        text(&out)
    );
    // HTTP spoken to the TLS port.
    let out = cmd(
        &["doctor", "--target", &format!("http://127.0.0.1:{port}")],
        Some(ADMIN.1),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("did not answer in plain HTTP") && text(&out).contains("https://"),
        "{}",
        text(&out)
    );
    // A name that does not resolve (`.invalid` never does: RFC 6761).
    let out = cmd(
        &["doctor", "--target", "https://cluster.invalid"],
        Some(ADMIN.1),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("cannot resolve the host name `cluster.invalid`"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_read_only_account_passes_a_read_only_run_with_its_refusals_counted() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[]);
    let dir = temp_dir("monitor");
    let out = cmd(
        &[
            "run",
            "--target",
            &emu.url,
            "--user",
            MONITOR.0,
            "--report-dir",
        ]
        .into_iter()
        .chain([dir.to_str().unwrap()])
        .collect::<Vec<_>>(),
        Some(MONITOR.1),
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("preflight: ") && said.contains("role readonly"),
        "{said}"
    );
    let r = report(&dir);
    let cases = r["cases"].as_array().unwrap();
    let kind = |k: &str| cases.iter().filter(|c| c["skip_kind"] == k).count();
    assert!(kind("role") > 5, "{}", kind("role"));
    assert!(kind("destructive") > 5);
    assert_eq!(r["summary"]["failed"], 0);
    assert!(r["summary"]["passed"].as_u64().unwrap() > 5);
    // Every role skip names the role and the account, and sent nothing it was refused.
    for c in cases.iter().filter(|c| c["skip_kind"] == "role") {
        let reason = c["skip_reason"].as_str().unwrap();
        assert!(
            reason.contains("readonly") && reason.contains("monitor"),
            "{reason}"
        );
    }
}

#[test]
fn nothing_green_that_judged_nothing() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[]);
    // A filter that matches nothing: exit 2, naming the filter, before any request.
    let dir = temp_dir("empty-filter");
    let out = cmd(
        &[
            "run",
            "--filter",
            "no-such-case",
            "--report-dir",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("--filter `no-such-case` selects no case"),
        "{}",
        text(&out)
    );
    assert!(!dir.join("conformance.json").exists());
    // Every selected case skipped (destructive, read-only run): exit 2 with the reasons counted,
    // the reports written.
    let dir = temp_dir("all-skipped");
    let out = cmd(
        &[
            "run",
            "--target",
            &emu.url,
            "--filter",
            "iscsi-create-none",
            "--report-dir",
            dir.to_str().unwrap(),
        ],
        Some(ADMIN.1),
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("nothing was judged"), "{said}");
    assert!(said.contains("1  destructive"), "{said}");
    assert_eq!(report(&dir)["summary"]["skipped"], 1);
    // The same case run destructively is judged: exit 0.
    let out = cmd(
        &[
            "run",
            "--target",
            &emu.url,
            "--filter",
            "iscsi-create-none",
            "--allow-destructive",
            "--report-dir",
            dir.to_str().unwrap(),
        ],
        Some(ADMIN.1),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn run_reads_the_variables_cargo_test_reads() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[]);
    let dir = temp_dir("env");
    let out = bin()
        .args(["run", "--filter", "svms", "--report-dir"])
        .arg(&dir)
        .env("ONTAP_TARGET", &emu.url)
        .env("ONTAP_USER", MONITOR.0)
        .env("ONTAP_PASSWORD", MONITOR.1)
        .env_remove("ONTAP_INSECURE")
        .env_remove("ONTAP_CA_CERT")
        .env_remove("ONTAP_ALLOW_DESTRUCTIVE")
        .env_remove("ONTAP_SVM")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = report(&dir);
    assert_eq!(r["target"], emu.url.as_str(), "ONTAP_TARGET is the target");
    assert_eq!(r["embedded_emulator"], false);
    assert!(text(&out).contains("as `monitor`"), "{}", text(&out));
}

/// Lists every record of a collection the emulator holds, as the admin.
fn names(base: &str, collection: &str, field: &str) -> Vec<String> {
    let (status, body) = api(
        "GET",
        &format!("{base}{collection}?fields={field}&max_records=10000"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200, "{body}");
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r[field].as_str().map(String::from))
        .collect()
}

#[test]
fn cleanup_after_a_killed_run_leaves_nothing_with_the_run_id() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[]);
    // A slow cluster, so the run is in the middle of its flows when it is killed.
    let (status, _) = api(
        "PATCH",
        &format!("{}/emulator/conditions", emu.url),
        ADMIN,
        Some(json!({"latency_ms": 40})),
    );
    assert_eq!(status, 200);
    let run_id = regex::Regex::new(r"oc[0-9a-f]{6}").unwrap();
    let leftovers = |base: &str| -> Vec<String> {
        names(base, CREDS, "initiator")
            .into_iter()
            .chain(names(base, "/api/security/accounts", "name"))
            .filter(|n| run_id.is_match(n))
            .collect()
    };
    let dir = temp_dir("killed");
    let mut child = bin()
        .args(["run", "--allow-destructive", "--generated", "--jobs", "8"])
        .args(["--target", &emu.url, "--report-dir"])
        .arg(&dir)
        .env("ONTAP_PASSWORD", ADMIN.1)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it outright (no teardown, no reports) once several things it made exist, the paging
    // flow's numbered initiators among them when they come.
    let started = Instant::now();
    loop {
        let now = leftovers(&emu.url);
        if now.len() >= 3 || now.iter().any(|n| n.ends_with("-1")) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the run made nothing"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended first");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // A request cut off mid-flight is dropped by the emulator after its latency, not carried out
    // later; give it that long.
    std::thread::sleep(Duration::from_millis(200));
    let left = leftovers(&emu.url);
    assert!(!left.is_empty(), "the kill left nothing to clean");

    let out = cmd(&["cleanup", "--target", &emu.url], Some(ADMIN.1));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        leftovers(&emu.url),
        Vec::<String>::new(),
        "left behind after cleanup (before: {left:?}):\n{}",
        text(&out)
    );
    // Those and whatever else the killed run had made (a volume, a snapshot policy ...).
    let deleted: usize = regex::Regex::new(r"(\d+) leftover\(s\) deleted")
        .unwrap()
        .captures(&text(&out))
        .and_then(|c| c[1].parse().ok())
        .unwrap_or(0);
    assert!(deleted >= left.len(), "{}", text(&out));
}
