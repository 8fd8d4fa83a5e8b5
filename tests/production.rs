//! The generated checks are safe on a production cluster: a read-only run (no
//! `--allow-destructive`) sends nothing but reads, whatever the spec holds, and a walk of a
//! collection takes a handful of requests however many records it holds (20,000 snapshots are
//! normal on a cluster). A proxy in front of the emulator counts what the run sends, and stands
//! in for a collection of 20,000 records.

mod common;
#[path = "common/rewrite.rs"]
mod rewrite;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::temp_dir;
use serde_json::{Value, json};

/// Runs the binary against `target` with `args` and no `--allow-destructive`: its exit code,
/// output and `conformance.json`.
fn run_read_only(
    target: &str,
    reports: &std::path::Path,
    args: &[&str],
) -> (Option<i32>, String, Value) {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    rewrite::run_binary(target, reports, &args, false)
}

#[test]
fn a_read_only_generated_run_sends_only_reads() {
    let seen: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let counter = seen.clone();
    let target = rewrite::start(Arc::new(move |a: &mut rewrite::Answer| {
        *counter.lock().unwrap().entry(a.method.clone()).or_default() += 1;
    }));
    let dir = temp_dir("read-only");
    let (code, out, _) = run_read_only(&target, &dir, &["--generated", "--no-builtin-cases"]);
    assert_eq!(code, Some(0), "{out}");
    let seen = seen.lock().unwrap().clone();
    let reads: usize = ["GET", "HEAD", "OPTIONS"]
        .iter()
        .map(|m| seen.get(*m).copied().unwrap_or(0))
        .sum();
    // Thousands of reads, so the absence of writes is not the absence of a run.
    assert!(reads > 5_000, "{seen:?}");
    let writes: Vec<(&String, &usize)> = seen
        .iter()
        .filter(|(m, _)| !matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS"))
        .collect();
    assert!(writes.is_empty(), "a read-only run sent {writes:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The 20,000 records the proxy answers for the nodes collection, paged as ONTAP pages:
/// `max_records` (default: all), `return_records=false`, and a `_links.next` that carries the
/// start of the next page.
const RECORDS: usize = 20_000;

fn query_of(path: &str) -> BTreeMap<String, String> {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn big_page(path: &str) -> Value {
    let q = query_of(path);
    if q.get("return_records").map(String::as_str) == Some("false") {
        return json!({"num_records": RECORDS, "_links": {"self": {"href": path}}});
    }
    let start: usize = q.get("start").and_then(|s| s.parse().ok()).unwrap_or(0);
    let size: usize = q
        .get("max_records")
        .and_then(|s| s.parse().ok())
        .unwrap_or(RECORDS);
    let end = (start + size).min(RECORDS);
    let records: Vec<Value> = (start..end)
        .map(|i| {
            let uuid = format!("00000000-0000-4000-8000-{i:012}");
            json!({"uuid": uuid, "name": format!("node{i}"), "_links": {"self": {"href": format!("/api/cluster/nodes/{uuid}")}}})
        })
        .collect();
    let mut links = json!({"self": {"href": path}});
    if end < RECORDS {
        let max = q.get("max_records").cloned().unwrap_or_default();
        links["next"] =
            json!({"href": format!("/api/cluster/nodes?max_records={max}&start={end}")});
    }
    json!({"records": records, "num_records": end - start, "_links": links})
}

#[test]
fn a_walk_of_20000_records_takes_a_handful_of_requests() {
    let sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = sent.clone();
    let target = rewrite::start(Arc::new(move |a: &mut rewrite::Answer| {
        let collection =
            a.path == "/api/cluster/nodes" || a.path.starts_with("/api/cluster/nodes?");
        if a.method == "GET" && collection && a.status == 200 {
            log.lock().unwrap().push(a.path.clone());
            a.body = Some(big_page(&a.path));
        }
    }));
    let dir = temp_dir("big-walk");
    let (code, out, _) = run_read_only(
        &target,
        &dir,
        &[
            "--generated",
            "--no-builtin-cases",
            "--filter",
            "generated::get-cluster-nodes.walk",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    let sent = sent.lock().unwrap().clone();
    // The count, the walk's own count, then four pages of 5,000.
    assert!(
        (3..=7).contains(&sent.len()),
        "{} requests: {sent:?}",
        sent.len()
    );
    assert!(
        sent.iter().any(|p| p.contains("max_records=5000")),
        "{sent:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn busy_answers_slow_the_run_down_and_fail_nothing() {
    let seen: Arc<Mutex<std::collections::HashSet<String>>> = Arc::default();
    let first = seen.clone();
    let target = rewrite::start(Arc::new(move |a: &mut rewrite::Answer| {
        // The first read of each volumes URL is refused as a busy cluster refuses it.
        if a.path.starts_with("/api/storage/volumes")
            && first.lock().unwrap().insert(a.path.clone())
        {
            a.status = 503;
            a.headers.insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("0"),
            );
            a.body = Some(json!({"error": {"code": "2", "message": "busy"}}));
        }
    }));
    let dir = temp_dir("busy");
    let (code, out, report) = run_read_only(
        &target,
        &dir,
        &[
            "--generated",
            "--no-builtin-cases",
            "--filter",
            "/api/storage/volumes",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    let retries = report["schedule"]["busy_retries"].as_u64().unwrap_or(0);
    assert!(retries > 10, "{retries} retries: {out}");
    assert!(out.contains("answered busy"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}
