//! The runner against hostile targets: servers written here byte by byte (a raw tokio
//! `TcpListener`, no HTTP library on the server side) that hang, trickle, cut bodies short, send
//! garbage, 1 GiB floods, redirect loops, HTML, 500s, endless headers, jobs that never end or
//! megabytes of valid JSON. For each, the real binary must finish (a generous
//! wall-clock guard kills it and fails the test: a hang detector, not a timing assertion),
//! exit 2 when the target's probe (`GET /api/cluster`) breaks and 1 when only the cases break,
//! never panic, write all three reports when the run was made, name the problem in every
//! failure, and never print the password.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The run's password: it must appear in no report and no output.
const PASSWORD: &str = "Hostile-Secret-9";
/// Longest a run may take before it counts as hung (each run needs a few seconds).
const HANG_GUARD: Duration = Duration::from_secs(120);
/// What the huge responses would send if nobody stopped reading: far above the runner's 8 MiB.
const HUGE: u64 = 1 << 30;
/// A few cases that touch the probe-free paths, with a teardown among them.
const FILTER: [&str; 4] = [
    "cluster-get",
    "svm-list",
    "iscsi-create-none",
    "flow-iscsi-crud",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Hostile {
    /// Accepts, reads the request, and never answers.
    Hang,
    /// Headers, then one byte at a time, forever.
    Trickle,
    /// `Content-Length: 1000`, 100 bytes, close.
    HalfBody,
    /// `application/json` with bytes that are not JSON.
    Garbage,
    /// `Content-Length` of 1 GiB, then as much as the client takes.
    HugeDeclared,
    /// Chunked, 1 GiB of JSON-looking bytes if nobody stops reading.
    HugeChunked,
    /// 302 to itself.
    RedirectLoop,
    /// `text/html` with a JSON body.
    HtmlWithJson,
    /// `text/html` with an HTML page (a proxy's login page, say).
    HtmlPage,
    /// 500 with an empty body.
    ServerError,
    /// A status line, then one header line that never ends.
    EndlessHeader,
    /// Every change starts a job (202) that stays `running` forever.
    JobNeverEnds,
    /// 7 MiB of valid JSON (thousands of records with an undocumented field) for every
    /// request: under the read cap, so each one is read and checked whole.
    LargeJson,
}

struct Server {
    url: String,
    /// The most bytes written for any one response body.
    max_body_sent: Arc<AtomicU64>,
}

/// Starts a server on its own thread and runtime; it lives until the test process ends.
/// With `probe_ok` it answers the runner's probe requests like a small ONTAP cluster, so only
/// the cases meet `hostile`.
fn serve(hostile: Hostile, probe_ok: bool) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let max_body_sent = Arc::new(AtomicU64::new(0));
    let sent = max_body_sent.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let sent = sent.clone();
                tokio::spawn(async move {
                    let _ = connection(stream, hostile, probe_ok, addr.port(), sent).await;
                });
            }
        });
    });
    Server {
        url: format!("http://127.0.0.1:{}", addr.port()),
        max_body_sent,
    }
}

/// Serves requests on one connection (keep-alive) until a hostile answer ends it.
async fn connection(
    stream: TcpStream,
    hostile: Hostile,
    probe_ok: bool,
    port: u16,
    sent: Arc<AtomicU64>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await? == 0 {
            return Ok(());
        }
        let target = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        let out = reader.get_mut();
        if let Some(answer) = probe_answer(&target).filter(|_| probe_ok) {
            out.write_all(&answer).await?;
            continue;
        }
        answer_hostile(out, hostile, &target, port, &sent).await?;
        if matches!(
            hostile,
            Hostile::RedirectLoop
                | Hostile::ServerError
                | Hostile::JobNeverEnds
                | Hostile::LargeJson
        ) {
            continue; // well-formed answers: the connection stays usable
        }
        return Ok(());
    }
}

/// The runner's probe: `GET /api/cluster?fields=name,uuid,version`, the SVM list, and the
/// emulator's control surface (404 here: this is not the emulator).
fn probe_answer(target: &str) -> Option<Vec<u8>> {
    let body = match target {
        "/api/cluster?fields=name,uuid,version" => serde_json::json!({
            "name": "hostile", "uuid": "3d1b1d6e-94d6-11e8-8370-005056b48fd2",
            "version": {"full": "NetApp Release 9.14.1: Mon Jan 01 00:00:00 UTC 2024",
                        "generation": 9, "major": 14, "minor": 1}
        }),
        "/api/svm/svms?fields=name,uuid&order_by=name" => serde_json::json!({
            "records": [
                {"name": "svm1", "uuid": "19d04b8e-94d7-11e8-8370-005056b48fd2"},
                {"name": "svm2", "uuid": "25f617cf-94d7-11e8-8370-005056b48fd2"}
            ],
            "num_records": 2
        }),
        t if t.starts_with("/emulator/") => {
            let b = r#"{"error":{"message":"entry doesn't exist","code":"4"}}"#;
            return Some(response(
                "404 Not Found",
                "application/hal+json",
                b.as_bytes(),
            ));
        }
        _ => return None,
    };
    Some(response(
        "200 OK",
        "application/hal+json",
        body.to_string().as_bytes(),
    ))
}

/// Marks an answer after which the server closes the connection, as a well-behaved server says
/// so; without it a pooled client may send its next request into the closing socket and see a
/// reset instead of the problem under test.
fn closing(answer: Vec<u8>) -> Vec<u8> {
    match answer.windows(2).position(|w| w == b"\r\n") {
        Some(i) => {
            let mut out = answer[..i + 2].to_vec();
            out.extend_from_slice(b"Connection: close\r\n");
            out.extend_from_slice(&answer[i + 2..]);
            out
        }
        None => answer,
    }
}

fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

async fn answer_hostile(
    out: &mut TcpStream,
    hostile: Hostile,
    target: &str,
    port: u16,
    sent: &AtomicU64,
) -> std::io::Result<()> {
    match hostile {
        Hostile::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Hostile::Trickle => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: 100000\r\n\r\n{")
                .await?;
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                out.write_all(b" ").await?;
            }
        }
        Hostile::HalfBody => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: 1000\r\n\r\n")
                .await?;
            out.write_all(&[b' '; 100]).await?;
            out.flush().await?;
        }
        Hostile::Garbage => {
            let body = b"\x00\xff\xfegarbage{{{ not json at all";
            out.write_all(&closing(response("200 OK", "application/hal+json", body)))
                .await?;
        }
        Hostile::HugeDeclared => {
            out.write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: {HUGE}\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
            flood(out, sent, false).await?;
        }
        Hostile::HugeChunked => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await?;
            flood(out, sent, true).await?;
        }
        Hostile::RedirectLoop => {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}{target}\r\nContent-Length: 0\r\n\r\n"
            );
            out.write_all(head.as_bytes()).await?;
        }
        Hostile::HtmlWithJson => {
            let body = br#"{"name": "cluster1", "records": [], "num_records": 0}"#;
            out.write_all(&closing(response(
                "200 OK",
                "text/html; charset=utf-8",
                body,
            )))
            .await?;
        }
        Hostile::HtmlPage => {
            let body = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>proxy login</body></html>";
            out.write_all(&closing(response(
                "200 OK",
                "text/html; charset=utf-8",
                body,
            )))
            .await?;
        }
        Hostile::ServerError => {
            out.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                .await?;
        }
        Hostile::LargeJson => {
            let record = serde_json::json!({"name": "svm1", "undocumented": "x".repeat(900)});
            let records = vec![record; 7000];
            let body = serde_json::json!({"records": records, "num_records": 7000});
            out.write_all(&response(
                "200 OK",
                "application/hal+json",
                body.to_string().as_bytes(),
            ))
            .await?;
            return Ok(());
        }
        Hostile::JobNeverEnds => {
            let uuid = "6f0b8c3e-1d2a-4b5c-9e8f-0a1b2c3d4e5f";
            let (status, body) = if target.starts_with("/api/cluster/jobs/") {
                let job = serde_json::json!({
                    "uuid": uuid, "state": "running", "message": "still going",
                    "_links": {"self": {"href": format!("/api/cluster/jobs/{uuid}")}}
                });
                ("200 OK", job)
            } else if target == "/api/security?fields=fips" {
                // The case's setup reads the setting it will put back.
                ("200 OK", serde_json::json!({"fips": {"enabled": false}}))
            } else {
                let link = serde_json::json!({"job": {
                    "uuid": uuid,
                    "_links": {"self": {"href": format!("/api/cluster/jobs/{uuid}")}}
                }});
                ("202 Accepted", link)
            };
            out.write_all(&response(
                status,
                "application/hal+json",
                body.to_string().as_bytes(),
            ))
            .await?;
            return Ok(());
        }
        Hostile::EndlessHeader => {
            out.write_all(b"HTTP/1.1 200 OK\r\nX-Endless: ").await?;
            let piece = [b'a'; 16 * 1024];
            for _ in 0..(HUGE / piece.len() as u64) {
                out.write_all(&piece).await?;
            }
        }
    }
    Ok(())
}

/// Writes up to [`HUGE`] bytes of a JSON-looking array until the client stops reading, and
/// records how far it got.
async fn flood(out: &mut TcpStream, sent: &AtomicU64, chunked: bool) -> std::io::Result<()> {
    let piece = "[1,2,3,4,5,6,7],".repeat(4096); // 64 KiB
    let mut total = 0u64;
    let result = async {
        while total < HUGE {
            if chunked {
                out.write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                    .await?;
                out.write_all(piece.as_bytes()).await?;
                out.write_all(b"\r\n").await?;
            } else {
                out.write_all(piece.as_bytes()).await?;
            }
            total += piece.len() as u64;
            sent.fetch_max(total, Ordering::Relaxed);
        }
        Ok::<(), std::io::Error>(())
    }
    .await;
    sent.fetch_max(total, Ordering::Relaxed);
    result
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oc-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the real binary against `url` with 1 s request and job timeouts, killing it if it outlives
/// [`HANG_GUARD`].
fn run_against(url: &str, reports: &Path, filter: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ontap-conform"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "--target",
            url,
            "--allow-destructive",
            "--request-timeout",
            "1",
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
    for c in cases {
        assert_eq!(c["outcome"], "fail", "{what}: {c}");
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
    let o = run_against(&server.url, &dir, &FILTER);
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
