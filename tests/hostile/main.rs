//! The runner against hostile targets: servers written here byte by byte (a raw tokio
//! `TcpListener`, no HTTP library on the server side) that hang, trickle, cut bodies short, send
//! garbage, 1 GiB floods, redirect loops, HTML, 500s, endless headers, jobs that never end or
//! megabytes of valid JSON. For each, the real binary must finish (a generous
//! wall-clock guard kills it and fails the test: a hang detector, not a timing assertion),
//! exit 2 when the target's probe (`GET /api/cluster`) breaks and 1 when only the cases break,
//! never panic, write all three reports when the run was made, name the problem in every
//! failure, and never print the password.
//!
//! The servers are in `server` (what each kind of hostility sends, byte by byte); this file runs
//! the binary against them and judges what it did.

#[path = "../common/mod.rs"]
mod common;
mod server;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{bin, temp_dir};
use serde_json::Value;
use server::{HUGE, Hostile, serve};

/// The run's password: it must appear in no report and no output.
const PASSWORD: &str = "Hostile-Secret-9";

/// Longest a run may take before it counts as hung (each run needs a few seconds).
const HANG_GUARD: Duration = Duration::from_secs(120);

/// A few cases that touch the probe-free paths, with a teardown among them.
const FILTER: [&str; 4] = [
    "cluster-get",
    "svm-list",
    "iscsi-create-none",
    "flow-iscsi-crud",
];

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the real binary against `url` with 1 s request and job timeouts, killing it if it outlives
/// [`HANG_GUARD`].
fn run_against(url: &str, reports: &Path, filter: &[&str]) -> Outcome {
    run_with_timeout(url, reports, filter, "1")
}

/// [`run_against`] with another request timeout (seconds): for a target that answers whole and
/// at once, but with bodies large enough that 1 s is tight on a loaded machine.
fn run_with_timeout(url: &str, reports: &Path, filter: &[&str], timeout: &str) -> Outcome {
    let mut cmd = bin();
    cmd.args([
        "run",
        "--target",
        url,
        "--allow-destructive",
        "--request-timeout",
        timeout,
        "--job-timeout",
        "1",
        "--jobs",
        "4",
        "--report-dir",
    ])
    .arg(reports)
    .env("ONTAP_PASSWORD", PASSWORD)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for f in filter {
        cmd.args(["--filter", f]);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    // Drain the pipes on threads so a chatty child can never block on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the run against {url} hung: killed after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Outcome {
        code: status.code(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// The words a failure message must contain, in some spelling, for each kind of breakage.
fn words(hostile: Hostile) -> &'static [&'static str] {
    match hostile {
        Hostile::Hang | Hostile::Trickle => &["timed out"],
        Hostile::HalfBody => &["cut short"],
        Hostile::Garbage => &["not JSON"],
        Hostile::HugeDeclared | Hostile::HugeChunked => &["8 MiB"],
        Hostile::RedirectLoop => &["redirect"],
        Hostile::HtmlWithJson | Hostile::HtmlPage => &["text/html"],
        Hostile::ServerError => &["500"],
        Hostile::EndlessHeader => &["head is too large"],
        Hostile::JobNeverEnds => &["did not end within"],
        Hostile::LargeJson => &[],
    }
}

/// The outcome each breakage gives a case: `error` when no answer could be read whole (the step
/// could not be judged, JUnit `<error>`), `fail` when an answer came and is wrong.
fn outcome(hostile: Hostile) -> &'static str {
    match hostile {
        Hostile::Hang
        | Hostile::Trickle
        | Hostile::HalfBody
        | Hostile::HugeDeclared
        | Hostile::HugeChunked
        | Hostile::RedirectLoop
        | Hostile::EndlessHeader => "error",
        Hostile::Garbage
        | Hostile::HtmlWithJson
        | Hostile::HtmlPage
        | Hostile::ServerError
        | Hostile::JobNeverEnds
        | Hostile::LargeJson => "fail",
    }
}

fn assert_clean_output(o: &Outcome, what: &str) {
    let all = format!("{}{}", o.stdout, o.stderr);
    assert!(
        !all.contains("panicked"),
        "{what}: the binary panicked:\n{all}"
    );
    assert!(!all.contains(PASSWORD), "{what}: the password was printed");
}

/// The probe answers, the cases meet `hostile`: the run is made, exits 1, writes three
/// reports, and every failed case says what went wrong.
fn cases_break(hostile: Hostile) {
    cases_break_with(hostile, &FILTER);
}

fn cases_break_with(hostile: Hostile, filter: &[&str]) {
    let server = serve(hostile, true);
    let dir = temp_dir(&format!("{hostile:?}-cases"));
    let o = run_against(&server.url, &dir, filter);
    let what = format!("{hostile:?} (cases)");
    assert_clean_output(&o, &what);
    assert_eq!(o.code, Some(1), "{what}: {}{}", o.stdout, o.stderr);
    for f in ["conformance.json", "junit.xml", "conformance.html"] {
        assert!(dir.join(f).is_file(), "{what}: {f} was not written");
    }
    let text = std::fs::read_to_string(dir.join("conformance.json")).expect("read json");
    assert!(
        !text.contains(PASSWORD),
        "{what}: the password is in the report"
    );
    for f in ["junit.xml", "conformance.html"] {
        let other = std::fs::read_to_string(dir.join(f)).expect("read report");
        assert!(!other.contains(PASSWORD), "{what}: the password is in {f}");
    }
    let report: Value = serde_json::from_str(&text).expect("conformance.json parses");
    let cases = report["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), filter.len(), "{what}: {text}");
    // The same verdict in the other two reports: JUnit's <error> for a case that could not be
    // judged, <failure> for one that was judged and failed; the page's own section for errors.
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("read junit");
    let html = std::fs::read_to_string(dir.join("conformance.html")).expect("read html");
    let (tag, other) = match outcome(hostile) {
        "error" => ("<error", "<failure"),
        _ => ("<failure", "<error"),
    };
    assert_eq!(junit.matches(tag).count(), filter.len(), "{what}: {junit}");
    assert!(!junit.contains(other), "{what}: {junit}");
    assert_eq!(
        html.contains("could not be judged"),
        outcome(hostile) == "error",
        "{what}: the page's error section"
    );
    for c in cases {
        assert_eq!(c["outcome"], outcome(hostile), "{what}: {c}");
        let failures = c["failures"].as_array().expect("failures");
        let first = failures[0]["message"].as_str().unwrap_or_default();
        eprintln!("{what}: {}: {first}", c["id"]);
        for w in words(hostile) {
            assert!(
                first.contains(w),
                "{what}: case {} fails with {first:?}, which does not say {w:?}",
                c["id"]
            );
        }
        assert!(
            failures[0]["curl"]
                .as_str()
                .is_some_and(|c| c.contains("$ONTAP_PASSWORD")),
            "{what}: a failure carries a curl line to reproduce it: {c}"
        );
    }
    if matches!(hostile, Hostile::HugeDeclared | Hostile::HugeChunked) {
        let sent = server.max_body_sent.load(Ordering::Relaxed);
        assert!(
            sent < HUGE / 4,
            "{what}: the runner read {sent} bytes of one response; it must stop near 8 MiB"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The probe itself meets `hostile`: the run cannot be made (exit 2), and stderr names the
/// target and the problem.
fn probe_breaks(hostile: Hostile) {
    let server = serve(hostile, false);
    let dir = temp_dir(&format!("{hostile:?}-probe"));
    let o = run_against(&server.url, &dir, &FILTER);
    let what = format!("{hostile:?} (probe)");
    assert_clean_output(&o, &what);
    assert_eq!(o.code, Some(2), "{what}: {}{}", o.stdout, o.stderr);
    eprintln!("{what}: {}", o.stderr.trim());
    assert!(o.stderr.contains(&server.url), "{what}: {}", o.stderr);
    for w in words(hostile) {
        assert!(
            o.stderr.contains(w),
            "{what}: stderr does not say {w:?}: {}",
            o.stderr
        );
    }
    assert!(
        !dir.join("conformance.json").exists(),
        "{what}: no report for a run that was not made"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

macro_rules! hostile_tests {
    ($($name:ident: $kind:expr;)*) => {
        mod cases_break {
            use super::*;
            $( #[test] fn $name() { cases_break($kind) } )*
        }
        mod probe_breaks {
            use super::*;
            $( #[test] fn $name() { probe_breaks($kind) } )*
        }
    };
}

hostile_tests! {
    never_answers: Hostile::Hang;
    trickles_forever: Hostile::Trickle;
    half_a_body: Hostile::HalfBody;
    garbage_instead_of_json: Hostile::Garbage;
    huge_declared_body: Hostile::HugeDeclared;
    huge_chunked_body: Hostile::HugeChunked;
    redirect_loop: Hostile::RedirectLoop;
    html_content_type_with_json: Hostile::HtmlWithJson;
    html_page: Hostile::HtmlPage;
    server_error_storm: Hostile::ServerError;
    endless_header: Hostile::EndlessHeader;
}

/// A connection closed without a byte of answer (a crashed proxy) is a run that cannot be made.
#[test]
fn a_target_that_closes_at_once_exits_2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            drop(s);
        }
    });
    let dir = temp_dir("closes");
    let o = run_against(&url, &dir, &FILTER);
    assert_clean_output(&o, "closes at once");
    assert_eq!(o.code, Some(2), "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains(&url), "{}", o.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A job that never ends is abandoned at the job timeout, in the step that waits for it and in
/// the teardown that puts the setting back.
#[test]
fn a_job_that_never_ends_fails_at_the_job_timeout() {
    cases_break_with(Hostile::JobNeverEnds, &["flow-security-fips-job"]);
}

/// Megabytes of valid JSON for every request: each response is read and checked whole, but the
/// reports keep a note instead of each body and a count instead of thousands of warnings about
/// the same undocumented field, so they stay small (they were hundreds of megabytes).
#[test]
fn a_flood_of_valid_json_keeps_the_reports_small() {
    let server = serve(Hostile::LargeJson, true);
    let dir = temp_dir("large-json");
    // The 4 MB bodies come at once; 1 s timed some out under load (an `error`, not the `fail`
    // this test is about), so this one waits longer.
    let o = run_with_timeout(&server.url, &dir, &FILTER, "20");
    assert_clean_output(&o, "large JSON");
    assert_eq!(o.code, Some(1), "{}{}", o.stdout, o.stderr);
    let mut total = 0;
    for f in ["conformance.json", "junit.xml", "conformance.html"] {
        total += std::fs::metadata(dir.join(f))
            .expect("report written")
            .len();
    }
    assert!(total < 2 * 1024 * 1024, "the reports take {total} bytes");
    let text = std::fs::read_to_string(dir.join("conformance.json")).expect("read");
    let report: Value = serde_json::from_str(&text).expect("conformance.json parses");
    assert!(text.contains("not kept: over the report"), "{text}");
    let cases = report["cases"].as_array().expect("cases");
    assert!(cases.iter().all(|c| c["outcome"] == "fail"), "{text}");
    assert!(
        text.contains("more undocumented fields in this body, not listed"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
