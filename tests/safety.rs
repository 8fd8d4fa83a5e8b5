//! Safe against a real cluster: the emulator runs as its own process over HTTPS, as a cluster
//! would, and the runner is the real binary.
//!
//! - certificates: refused without trust, with a message naming the problem (untrusted issuer,
//!   wrong host name, expired), exit 2; `--ca-cert` trusts it;
//! - a read-only run with `--insecure` passes and skips every destructive case, changing nothing;
//! - a run with `--allow-destructive` passes everything and leaves the state as it found it, also
//!   when interrupted with Ctrl-C in the middle;
//! - `cleanup` removes run-named leftovers, and only those.
//!
//! One file (a little over 400 lines) rather than a directory: the tests read as one checklist
//! for running against a real cluster, and they share the run and report helpers at the top.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{ADMIN, EmulatorProcess, MONITOR, SVM1, VSADMIN, api, bin, state, temp_dir};
use ontap_conform::spec::Spec;
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

fn run_against(url: &str, dir: &Path, extra: &[&str]) -> Output {
    bin()
        .args(["run", "--target", url, "--report-dir"])
        .arg(dir)
        .args(extra)
        .env("ONTAP_PASSWORD", ADMIN.1)
        .output()
        .unwrap()
}

/// The ids of the shipped cases marked `destructive`.
fn destructive_ids() -> Vec<String> {
    let spec = Spec::load(None).unwrap();
    let cases =
        ontap_conform::case::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &spec)
            .unwrap();
    cases
        .into_iter()
        .filter(|c| c.def.destructive)
        .map(|c| c.def.id)
        .collect()
}

#[test]
fn certificates_are_verified_and_each_problem_is_named() {
    let dir = temp_dir("tls");
    let cert = dir.join("emulator.pem");
    let emu = EmulatorProcess::start(
        "0.0.0.0:0",
        &["--tls", "--write-cert", cert.to_str().unwrap()],
        &[],
    );
    let port = emu.port();
    let https = format!("https://127.0.0.1:{port}");

    // Self-signed, not trusted: refused, exit 2, saying what to do.
    let out = run_against(&https, &dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let msg = text(&out);
    assert!(msg.contains("not signed by a trusted CA"), "{msg}");
    assert!(
        msg.contains("--ca-cert") && msg.contains("--insecure"),
        "{msg}"
    );
    assert!(!dir.join("conformance.json").exists(), "no run, no report");

    // Trusted with --ca-cert but reached by a name the certificate does not list.
    let other_name = format!("https://127.0.0.2:{port}");
    let out = run_against(&other_name, &dir, &["--ca-cert", cert.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not valid for this host name"),
        "{}",
        text(&out)
    );

    // Trusted with --ca-cert and the right name: the run is made (read-only, so it changes
    // nothing), and passes.
    let out = run_against(&https, &dir, &["--ca-cert", cert.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // A --ca-cert that cannot be read is a clear exit 2 before anything runs.
    let out = run_against(&https, &dir, &["--ca-cert", "/nonexistent/ca.pem"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("cannot read --ca-cert /nonexistent/ca.pem"));
    drop(emu);

    // An expired certificate, from a server made here.
    let (url, pem) = expired_server();
    let ca = dir.join("expired.pem");
    std::fs::write(&ca, pem).unwrap();
    let out = run_against(&url, &dir, &["--ca-cert", ca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("it has expired"), "{}", text(&out));
}

/// An HTTPS server whose certificate for 127.0.0.1 expired in 2021.
fn expired_server() -> (String, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    let pem = cert.pem();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (cert_der, key_der) = (cert.der().to_vec(), key.serialize_der());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let config = axum_server::tls_rustls::RustlsConfig::from_der(vec![cert_der], key_der)
                .await
                .unwrap();
            let app = axum::Router::new().fallback(|| async { "{}" });
            axum_server::from_tcp_rustls(listener, config)
                .unwrap()
                .serve(app.into_make_service())
                .await
                .unwrap();
        });
    });
    (format!("https://127.0.0.1:{}", addr.port()), pem)
}

#[test]
fn a_read_only_run_skips_every_destructive_case_and_changes_nothing() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--tls"], &[]);
    let before = state(&emu.url);
    let dir = temp_dir("readonly");
    let out = run_against(&emu.url, &dir, &["--insecure"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = report(&dir);
    let destructive = destructive_ids();
    assert!(destructive.len() > 30, "{}", destructive.len());
    for c in r["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if destructive.iter().any(|d| d == id) {
            assert_eq!(c["outcome"], "skip", "{id}");
            assert!(
                c["skip_reason"]
                    .as_str()
                    .unwrap()
                    .contains("--allow-destructive"),
                "{id}: {}",
                c["skip_reason"]
            );
            assert_eq!(c["steps"], json!([]), "{id} sent nothing");
        } else {
            assert_eq!(c["outcome"], "pass", "{id}: {}", c["failures"]);
        }
    }
    assert_eq!(state(&emu.url), before);
}

#[test]
fn a_destructive_run_passes_and_leaves_the_cluster_as_it_found_it() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--tls"], &[]);
    let before = state(&emu.url);
    let dir = temp_dir("destructive");
    let out = run_against(&emu.url, &dir, &["--insecure", "--allow-destructive"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let s = &report(&dir)["summary"];
    assert_eq!(
        (s["failed"].as_u64(), s["skipped"].as_u64()),
        (Some(0), Some(0)),
        "{s}"
    );
    assert_eq!(state(&emu.url), before);
    builtin_passwords_still_work(&emu.url);
}

/// The whole generated set, writes included (the imported layer's built requests make volumes,
/// SVMs, qtrees, policies ... and remove them), run twice against one cluster as a nightly job
/// does: both pass, and `cleanup` finds nothing of either. A check whose teardown looked for what
/// it made before the job making it had ended left it behind, and the second run then took the
/// leftover SVM for the target's first.
#[test]
fn the_generated_writes_run_twice_on_one_cluster_and_leave_nothing() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[]);
    for round in ["first", "second"] {
        let dir = temp_dir(&format!("twice-{round}"));
        let out = run_against(
            &emu.url,
            &dir,
            &["--generated", "--no-builtin-cases", "--allow-destructive"],
        );
        assert_eq!(out.status.code(), Some(0), "{round} run: {}", text(&out));
        let _ = std::fs::remove_dir_all(dir);
    }
    let out = bin()
        .args(["cleanup", "--dry-run", "--target", &emu.url])
        .env("ONTAP_PASSWORD", ADMIN.1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("0 leftover(s) found"), "{}", text(&out));
}

#[test]
fn ctrl_c_in_the_middle_runs_the_teardowns_and_leaves_nothing_behind() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--tls"], &[]);
    // A slow cluster, so the run is still going when interrupted.
    let (status, _) = api(
        "PATCH",
        &format!("{}/emulator/conditions", emu.url),
        ADMIN,
        Some(json!({"latency_ms": 60})),
    );
    assert_eq!(status, 200);
    let before = state(&emu.url);
    let creds = |s: &Value| -> u64 {
        s["credentials_per_svm"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum()
    };
    let accounts = |s: &Value| s["accounts"].as_array().unwrap().len();

    let dir = temp_dir("interrupted");
    let mut child = bin()
        .args(["run", "--insecure", "--allow-destructive", "--jobs", "2"])
        .args(["--target", &emu.url, "--report-dir"])
        .arg(&dir)
        .env("ONTAP_PASSWORD", ADMIN.1)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt at the moment something the run created exists: teardown has work to do.
    let hang_guard = Instant::now();
    loop {
        let now = state(&emu.url);
        if creds(&now) > creds(&before) || accounts(&now) > accounts(&before) {
            break;
        }
        assert!(
            hang_guard.elapsed() < Duration::from_secs(120),
            "the run created nothing"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended first");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pid = child.id();
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            for _ in 0..1200 {
                if done.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            // Hung: kill it so the test fails instead of hanging CI.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        })
    };
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    watchdog.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("interrupted"), "{}", text(&out));

    let r = report(&dir);
    assert_eq!(r["interrupted"], true);
    let s = &r["summary"];
    assert_eq!(s["failed"], 0, "{}", text(&out));
    let skipped_by_interrupt = r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["skip_reason"]
                .as_str()
                .is_some_and(|r| r.contains("interrupted"))
        })
        .count();
    assert!(skipped_by_interrupt > 0, "{s}");
    assert_eq!(state(&emu.url), before, "{}", text(&out));
    builtin_passwords_still_work(&emu.url);
}

fn builtin_passwords_still_work(base: &str) {
    for account in [ADMIN, MONITOR, VSADMIN] {
        let (status, _) = api("GET", &format!("{base}/api/svm/svms"), account, None);
        assert_eq!(status, 200, "{}", account.0);
    }
}

#[test]
fn cleanup_removes_run_named_leftovers_and_nothing_else() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[]);
    let base = &emu.url;
    let create = |initiator: &str| {
        let (status, body) = api(
            "POST",
            &format!("{base}/api/protocols/san/iscsi/credentials"),
            ADMIN,
            Some(
                json!({"svm": {"uuid": SVM1}, "initiator": initiator, "authentication_type": "none"}),
            ),
        );
        assert_eq!(status, 201, "{body}");
    };
    create("iqn.1992-08.com.netapp:oc0a1b2c-7");
    create("iqn.1992-08.com.netapp:keep-me");
    let (status, body) = api(
        "POST",
        &format!("{base}/api/security/accounts"),
        ADMIN,
        Some(json!({"name": "uoc0a1b2c-3", "role": {"name": "readonly"},
            "applications": [{"application": "http", "authentication_methods": ["password"]}],
            "password": "Leftover99"})),
    );
    assert_eq!(status, 201, "{body}");
    let with_leftovers = state(base);

    let cleanup = |extra: &[&str]| {
        bin()
            .args(["cleanup", "--target", base])
            .args(extra)
            .env("ONTAP_PASSWORD", ADMIN.1)
            .output()
            .unwrap()
    };
    let out = cleanup(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let msg = text(&out);
    assert!(
        msg.contains(
            "would delete svm1 iqn.1992-08.com.netapp:oc0a1b2c-7 from /api/protocols/san/iscsi/credentials"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("would delete cluster1 uoc0a1b2c-3 from /api/security/accounts"),
        "{msg}"
    );
    assert!(!msg.contains("keep-me"), "{msg}");
    assert_eq!(state(base), with_leftovers, "a dry run deletes nothing");

    let out = cleanup(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let msg = text(&out);
    assert!(
        msg.contains("deleted svm1 iqn.1992-08.com.netapp:oc0a1b2c-7 from"),
        "{msg}"
    );
    assert!(
        msg.contains("deleted cluster1 uoc0a1b2c-3 from /api/security/accounts"),
        "{msg}"
    );
    assert!(
        msg.contains("2 leftover(s) deleted, 0 could not be"),
        "{msg}"
    );
    let (status, _) = api(
        "GET",
        &format!(
            "{base}/api/protocols/san/iscsi/credentials/{SVM1}/iqn.1992-08.com.netapp:keep-me"
        ),
        ADMIN,
        None,
    );
    assert_eq!(status, 200, "the credential without a run id stays");
    let (status, _) = api(
        "GET",
        &format!(
            "{base}/api/protocols/san/iscsi/credentials/{SVM1}/iqn.1992-08.com.netapp:oc0a1b2c-7"
        ),
        ADMIN,
        None,
    );
    assert_eq!(status, 404);

    let out = cleanup(&[]);
    assert!(
        text(&out).contains("0 leftover(s) deleted"),
        "{}",
        text(&out)
    );

    // No password: refused before anything is sent.
    let out = bin().args(["cleanup", "--target", base]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("ONTAP_PASSWORD"));
}

#[test]
fn cases_of_operations_newer_than_the_target_are_skipped_with_the_reason() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--ontap-version", "9.7.0"], &[]);
    let dir = temp_dir("old-cluster");
    let out = run_against(&emu.url, &dir, &["--allow-destructive"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = report(&dir);
    assert!(r["ontap_version"].as_str().unwrap().contains("9.7.0"));
    let mut skipped = 0;
    for c in r["cases"].as_array().unwrap() {
        let path = c["operation"]["path"].as_str().unwrap();
        // NDMP passwords came in 9.9, /api/security in 9.8 (x-ontap-introduced-in); the NDMP
        // SVM service (/api/protocols/ndmp/svms[/{svm.uuid}]) in 9.7, so its cases run.
        if path.starts_with("/api/protocols/ndmp/svms/{svm.uuid}/passwords")
            || path == "/api/security"
        {
            skipped += 1;
            assert_eq!(c["outcome"], "skip", "{}", c["id"]);
            let reason = c["skip_reason"].as_str().unwrap();
            assert!(
                reason.contains("was introduced in ONTAP 9.") && reason.contains("9.7.0"),
                "{reason}"
            );
        }
    }
    assert!(skipped >= 10, "{skipped}");

    // --ontap-version overrides what the target says: the same cases run (and pass, since the
    // emulator serves them whatever version it reports).
    let out = run_against(
        &emu.url,
        &dir,
        &["--allow-destructive", "--ontap-version", "9.14.1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(report(&dir)["summary"]["skipped"], 0);
}
