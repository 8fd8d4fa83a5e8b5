//! No secret reaches any output: the whole suite plus a case with fixed, known CHAP passwords
//! runs against an emulator process with every log at `trace`, and every report, every file of
//! its recording (`run --record`), every log line of the runner and of the emulator, and every
//! committed snapshot is searched for the passwords and for an `Authorization` header.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ADMIN, EmulatorProcess, MONITOR, NDMPSSO, VSADMIN, admin_auth_line, temp_dir};

use regex::Regex;

/// The emulator's account passwords, the fixture's CHAP passwords, and the base64 of the admin's
/// `user:password` as an `Authorization: Basic` header would carry it.
fn known() -> Vec<String> {
    let token = admin_auth_line()
        .trim()
        .trim_start_matches("Authorization: Basic ")
        .trim_end_matches('=')
        .to_string();
    [ADMIN, MONITOR, VSADMIN, NDMPSSO]
        .iter()
        .map(|a| a.1.to_string())
        .chain(["KnownChapIn2026".into(), "KnownChapOut2026".into(), token])
        .collect()
}

/// Passwords the cases generate (`secrets:` in a case file) have this shape; so do the new
/// passwords of the password-change cases.
fn generated() -> Regex {
    Regex::new(r"Oc[a-km-zA-HJ-NP-Z2-9]{14}7#").unwrap()
}

fn authorization() -> Regex {
    Regex::new(r"(?i)authorization\s*[:=]\s*\S|(?i)\bbasic [A-Za-z0-9+/=]{8,}").unwrap()
}

/// The shipped cases plus the fixture with known CHAP passwords, in one cases directory.
fn cases_with_known_chap() -> PathBuf {
    let dir = temp_dir("cases");
    copy_dir(Path::new("cases"), &dir);
    copy_dir(
        Path::new("tests/fixtures/report-cases/demo"),
        &dir.join("demo"),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

fn scan(what: &str, text: &str, problems: &mut Vec<String>) {
    for k in &known() {
        if text.contains(k) {
            problems.push(format!("{what} contains the password {k:?}"));
        }
    }
    for m in generated().find_iter(text) {
        problems.push(format!(
            "{what} contains the generated password {:?}",
            m.as_str()
        ));
    }
    for m in authorization().find_iter(text) {
        problems.push(format!(
            "{what} contains an Authorization header {:?}",
            m.as_str()
        ));
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_password_or_authorization_header_in_any_report_log_or_snapshot() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let cases = cases_with_known_chap();
    let mut problems = Vec::new();

    // Against a separate emulator process, as against a cluster: destructive cases on, so the
    // CHAP and password-change cases run and their passwords cross the wire.
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[("ONTAP_CONFORM_LOG", "trace")]);
    let reports = temp_dir("reports");
    let recording = temp_dir("recording");
    let out = Command::new(env!("CARGO_BIN_EXE_ontap-conform"))
        .args(["run", "--allow-destructive", "--target", &emu.url])
        .arg("--record")
        .arg(&recording)
        .arg("--no-builtin-cases")
        .arg("--cases")
        .arg(&cases)
        .arg("--report-dir")
        .arg(&reports)
        .env("ONTAP_PASSWORD", ADMIN.1)
        .env("ONTAP_CONFORM_LOG", "trace")
        .output()
        .unwrap();
    let emulator_out = emu.stop();
    // The start-up banner lists the emulator's own fixed test accounts, once, on purpose (what a
    // newcomer logs in with); everything after it must be as clean as any other output.
    let banner = ontap_conform::emulator::accounts_banner();
    assert!(
        emulator_out.contains(&banner) && banner.contains(ADMIN.1),
        "the banner lists the accounts: {emulator_out}"
    );
    let emulator_log = emulator_out.replacen(&banner, "", 1);
    let run_log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Exactly the fixture's deliberately failing case fails; everything else ran.
    assert_eq!(out.status.code(), Some(1), "{run_log}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("conformance.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["failed"], 1, "{run_log}");
    assert!(
        report["summary"]["passed"].as_u64().unwrap() >= 80,
        "the destructive cases ran: {}",
        report["summary"]
    );
    // The CHAP case did create its credential (its user names are in the report), so the
    // passwords' absence below means redaction, not a case that never sent them.
    assert!(report.to_string().contains("in-user"), "the CHAP case ran");
    assert!(
        emulator_log.lines().count() > 100,
        "the emulator logged its requests"
    );
    assert!(
        run_log.lines().count() > 10,
        "trace logging reached the runner"
    );
    scan("the runner's output (trace)", &run_log, &mut problems);
    scan(
        "the emulator's output (trace)",
        &emulator_log,
        &mut problems,
    );
    for name in ["conformance.json", "junit.xml", "conformance.html"] {
        let text = std::fs::read_to_string(reports.join(name)).unwrap();
        scan(name, &text, &mut problems);
    }
    // The recording holds every request and answer of that run, the CHAP passwords' included.
    let mut recorded = Vec::new();
    files_under(&recording, &mut recorded);
    assert!(recorded.len() > 150, "the run was recorded");
    let chap = recorded
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .filter(|t| t.contains("in-user"))
        .count();
    assert!(chap > 0, "the CHAP case's requests are in the recording");
    for p in &recorded {
        let text = std::fs::read_to_string(p).unwrap();
        scan(&p.display().to_string(), &text, &mut problems);
    }

    // The embedded emulator in the same process as the runner, logs on.
    let embedded = temp_dir("embedded");
    let out = Command::new(env!("CARGO_BIN_EXE_ontap-conform"))
        .arg("run")
        .arg("--no-builtin-cases")
        .arg("--cases")
        .arg(&cases)
        .arg("--report-dir")
        .arg(&embedded)
        .env_remove("ONTAP_PASSWORD")
        .env("ONTAP_CONFORM_LOG", "debug")
        .output()
        .unwrap();
    scan(
        "the embedded run's output (debug)",
        &format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        &mut problems,
    );
    for name in ["conformance.json", "junit.xml", "conformance.html"] {
        let text = std::fs::read_to_string(embedded.join(name)).unwrap();
        scan(&format!("embedded {name}"), &text, &mut problems);
    }

    // Every committed snapshot, wherever its test lives (a directory test crate keeps its own
    // `snapshots/`; a workspace crate under `crates/` too).
    let mut snapshots = Vec::new();
    for dir in ["tests", "src", "crates"] {
        files_under(Path::new(dir), &mut snapshots);
    }
    snapshots.retain(|p| p.extension().is_some_and(|e| e == "snap"));
    assert!(snapshots.len() > 10, "found the snapshots");
    for p in &snapshots {
        let text = std::fs::read_to_string(p).unwrap();
        scan(&p.display().to_string(), &text, &mut problems);
    }

    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
