//! What people and CI read: snapshots of the three reports and the printed summary for a fixed
//! set of cases (one passing, one failing, one skipped), a JUnit consumer reading `junit.xml`, the
//! `diff` gate between two builds' reports, and sharded runs merged back into one; and a case that
//! could not be judged (`error`) in each of them, built from a version-1 report, which `diff` and
//! `merge` still read (in `errors.rs`); and a coverage matrix that marks only the step a failure
//! is about (in `cells.rs`).

mod cells;
#[path = "../common/mod.rs"]
mod common;
mod errors;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, temp_dir};
use regex::Regex;
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/report-cases";

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run(cases: &Path, out: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("run")
        .arg("--no-builtin-cases")
        .arg("--cases")
        .arg(cases)
        .arg("--report-dir")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Replaces what differs between two runs of the same cases (ports, run ids, times) with fixed
/// markers, so a snapshot changes only when the output itself does.
fn normalize(s: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "[target]"),
        (r"oc[0-9a-f]{6}", "[run]"),
        (r#""started_at": "[^"]*""#, r#""started_at": "[time]""#),
        (r"started \d{4}-\d\d-\d\dT[^ ,\n]+", "started [time]"),
        (r#""duration_ms": \d+"#, r#""duration_ms": 0"#),
        (r#"time="[0-9.]+""#, r#"time="[t]""#),
        (r#"timestamp="[^"]*""#, r#"timestamp="[time]""#),
        (r"\d+ ms", "[n] ms"),
        (r"/tmp/[^ \n]+", "[dir]"),
        // A temporary cases directory, as a case file's location names it.
        (r"oc-it-[a-z-]+-\d+/", "[cases]/"),
    ];
    let mut out = s.to_string();
    for (pattern, with) in rules {
        out = Regex::new(pattern)
            .unwrap()
            .replace_all(&out, with)
            .into_owned();
    }
    out
}

#[test]
fn reports_and_summary_of_a_fixed_set_of_cases() {
    let dir = temp_dir("fixed");
    let out = run(Path::new(FIXTURE), &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    let mut report = json(&dir.join("conformance.json"));
    // The coverage matrix lists every documented status and code; only the cells these cases
    // touch belong in the snapshot. The rest must say `none`.
    let cells = report["coverage"].as_array_mut().unwrap();
    let total = cells.len();
    cells.retain(|c| c["state"] != "none");
    // The failing case expects 200 from a POST, which the spec does not document: no cell.
    assert_eq!(cells.len(), 2, "cells the cases touch");
    assert!(
        total > 60,
        "the matrix covers the whole spec, not only these cases"
    );
    report["coverage"] = Value::Array(cells.clone());
    insta::assert_snapshot!(
        "json_report",
        normalize(&serde_json::to_string_pretty(&report).unwrap())
    );
    insta::assert_snapshot!(
        "junit_report",
        normalize(&std::fs::read_to_string(dir.join("junit.xml")).unwrap())
    );
    insta::assert_snapshot!(
        "text_summary",
        normalize(&format!(
            "--- stdout\n{}--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    );
}

#[test]
fn a_junit_consumer_reads_the_same_cases_as_the_json() {
    let dir = temp_dir("junit");
    let out = run(Path::new("cases"), &dir, &["--filter", "iscsi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = json(&dir.join("conformance.json"));
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    // quick-junit's reader is the one cargo-nextest's tooling uses to read JUnit back.
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    let json_ids: Vec<&str> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let mut junit_ids: Vec<String> = parsed
        .test_suites
        .iter()
        .flat_map(|s| s.test_cases.iter().map(|t| t.name.to_string()))
        .collect();
    junit_ids.sort();
    let mut sorted = json_ids.clone();
    sorted.sort();
    assert_eq!(junit_ids, sorted);
    assert_eq!(parsed.tests, json_ids.len());
    assert_eq!(parsed.failures, 0);

    // And a failing and a skipped case come out as JUnit `failure` and `skipped`.
    let dir = temp_dir("junit-fixed");
    run(Path::new(FIXTURE), &dir, &[]);
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    let suite = &parsed.test_suites[0];
    assert_eq!(suite.name.as_str(), "demo");
    assert_eq!((suite.tests, suite.failures, suite.skipped), (3, 1, 1));
    let failing = suite
        .test_cases
        .iter()
        .find(|t| t.name.as_str() == "demo-chap-wrong-expectation")
        .unwrap();
    match &failing.status {
        quick_junit::TestCaseStatus::NonSuccess { message, .. } => assert!(
            message
                .as_deref()
                .unwrap_or_default()
                .contains("status 201 where 200 was expected"),
            "{message:?}"
        ),
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Copies the fixture cases, then makes the passing case fail, drops the skipped one and adds a
/// new one: what the next build's run looks like to `diff`.
fn next_build_cases() -> PathBuf {
    let root = temp_dir("next-build-cases");
    let dir = root.join("demo");
    std::fs::create_dir_all(&dir).unwrap();
    let src = Path::new(FIXTURE).join("demo");
    let pass = std::fs::read_to_string(src.join("a-svm-get.yaml")).unwrap();
    std::fs::write(
        dir.join("a-svm-get.yaml"),
        pass.replace("name: \"{{svm.name}}\"", "name: not-the-svm"),
    )
    .unwrap();
    std::fs::copy(
        src.join("b-chap-wrong-expectation.yaml"),
        dir.join("b-chap-wrong-expectation.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("d-cluster.yaml"),
        "id: demo-cluster\ntitle: GET /api/cluster\noperation: GET /api/cluster\nsteps:\n  - request:\n      operation: GET /api/cluster\n    expect:\n      status: 200\n      basis: {observed: \"netapp_ontap/resources/cluster.py: GET /cluster\"}\n",
    )
    .unwrap();
    root
}

#[test]
fn diff_fails_the_gate_only_when_a_passing_case_now_fails() {
    let old = temp_dir("diff-old");
    let new = temp_dir("diff-new");
    run(Path::new(FIXTURE), &old, &[]);
    let next = next_build_cases();
    run(&next, &new, &[]);
    let (a, b) = (old.join("conformance.json"), new.join("conformance.json"));

    let out = bin().arg("diff").arg(&a).arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    insta::assert_snapshot!("diff_text", normalize(&text(&out)));

    let out = bin()
        .arg("diff")
        .arg("--json")
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    for run in ["old", "new"] {
        let r = &d[run];
        assert!(
            r["target"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
        assert_eq!(r["embedded_emulator"], true);
        assert_eq!(
            r["ontap_version"],
            "NetApp Release 9.14.1: Mon Mar 04 05:46:21 UTC 2024"
        );
        assert_eq!(r["mode"], "strict");
        assert_eq!(r["allow_destructive"], true);
        assert_eq!(r["partition"], Value::Null);
        assert!(r["started_at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(d["newly_failing"][0]["id"], "demo-svm-get");
    assert_eq!(d["removed"][0]["id"], "demo-needs-nine-svms");
    assert_eq!(d["added"][0]["id"], "demo-cluster");
    assert_eq!(d["still_failing"], 1);

    // Backwards, the same change is a fix: no regression, exit 0.
    let out = bin().arg("diff").arg(&b).arg(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("newly passing (1):"), "{}", text(&out));

    // A report compared with itself has nothing to say but how it ran and its counts.
    let out = bin().arg("diff").arg(&a).arg(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<String> = text(&out).lines().map(String::from).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("old: target http://"), "{lines:?}");
    assert_eq!(lines[0][3..], lines[1][3..]);
    assert!(lines[2].starts_with("0 newly failing, 0 newly passing"));
}

#[test]
fn diff_names_the_file_it_cannot_read() {
    let dir = temp_dir("diff-bad");
    let good = temp_dir("diff-good");
    run(Path::new(FIXTURE), &good, &[]);
    let good = good.join("conformance.json");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\n  \"schema_version\": 1,\n  \"cases\": [\n").unwrap();
    let out = bin().arg("diff").arg(&good).arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let msg = text(&out);
    assert!(msg.contains("broken.json: line 4"), "{msg}");

    let other = dir.join("v99.json");
    std::fs::write(&other, r#"{"schema_version": 99, "cases": []}"#).unwrap();
    let out = bin().arg("diff").arg(&other).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("v99.json: schema_version 99"),
        "{}",
        text(&out)
    );

    let out = bin()
        .arg("diff")
        .arg(&good)
        .arg(dir.join("missing.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("missing.json: cannot read"));
}

#[test]
fn shards_merge_into_the_report_of_one_whole_run() {
    let whole = temp_dir("whole");
    let out = run(Path::new("cases"), &whole, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let whole = json(&whole.join("conformance.json"));

    let mut by_kind = Vec::new();
    for kind in ["count", "hash"] {
        let mut shards = Vec::new();
        for k in 1..=3 {
            let d = temp_dir(&format!("shard-{kind}-{k}"));
            let out = run(
                Path::new("cases"),
                &d,
                &["--partition", &format!("{kind}:{k}/3")],
            );
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
            let r = json(&d.join("conformance.json"));
            assert_eq!(r["partition"], format!("{kind}:{k}/3"));
            assert!(r["summary"]["total"].as_u64().unwrap() > 0);
            shards.push(d.join("conformance.json"));
        }
        let merged = temp_dir(&format!("merged-{kind}"));
        let out = bin()
            .arg("merge")
            .args(&shards)
            .arg("--report-dir")
            .arg(&merged)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let m = json(&merged.join("conformance.json"));
        let ids = |r: &Value| -> Vec<String> {
            r["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        };
        // Every case ran exactly once across the shards, and the merged report lists them in the
        // order of one whole run, with the same coverage matrix.
        assert_eq!(ids(&m), ids(&whole), "{kind}");
        assert_eq!(m["summary"], whole["summary"]);
        let cells = |r: &Value| -> Vec<(String, String)> {
            r["coverage"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["value"].to_string(), c["state"].to_string()))
                .collect()
        };
        assert_eq!(cells(&m), cells(&whole), "{kind}");
        assert_eq!(m["partition"], format!("{kind}:1/3+{kind}:2/3+{kind}:3/3"));
        // The merged JUnit and HTML agree with the merged JSON.
        let xml = std::fs::read_to_string(merged.join("junit.xml")).unwrap();
        let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(parsed.tests, ids(&whole).len());

        // Two of the three shards are not a run: refused (exit 2), the missing one named, and
        // no report written that would pass for the whole suite.
        let half = temp_dir(&format!("merged-half-{kind}"));
        let out = bin()
            .arg("merge")
            .arg(&shards[0])
            .arg(&shards[2])
            .arg("--report-dir")
            .arg(&half)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            text(&out).contains(&format!("shard {kind}:2/3 is missing")),
            "{}",
            text(&out)
        );
        assert!(!half.join("conformance.json").exists());
        by_kind.push(shards);
    }

    // A count shard and a hash shard are shares of different partitions.
    let out = bin()
        .arg("merge")
        .arg(&by_kind[0][0])
        .arg(&by_kind[1][1])
        .arg(&by_kind[1][2])
        .arg("--report-dir")
        .arg(temp_dir("merged-mixed"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("shards of different partitions"),
        "{}",
        text(&out)
    );

    // The same shard given twice is refused, naming the files.
    let d = temp_dir("shard-dup");
    run(Path::new("cases"), &d, &["--partition", "1/2"]);
    let f = d.join("conformance.json");
    // The other shard, run in the other mode, is not a shard of the same run.
    let lenient = temp_dir("shard-lenient");
    run(
        Path::new("cases"),
        &lenient,
        &["--partition", "2/2", "--lenient"],
    );
    let out = bin()
        .arg("merge")
        .arg(&f)
        .arg(lenient.join("conformance.json"))
        .arg("--report-dir")
        .arg(temp_dir("merged-modes"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("ran in strict mode and ") && text(&out).contains(" in lenient mode"),
        "{}",
        text(&out)
    );
    let out = bin()
        .arg("merge")
        .arg(&f)
        .arg(&f)
        .arg("--report-dir")
        .arg(temp_dir("merged-dup"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("shard count:1/2 is given 2 times"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("shard count:2/2 is missing"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_bad_partition_is_refused_before_anything_runs() {
    for bad in ["0/3", "4/3", "x/3", "1-3", "mod:1/3"] {
        let out = bin().args(["run", "--partition", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
        assert!(text(&out).contains("partition"), "{bad}: {}", text(&out));
    }
}

/// A report of schema_version 1, as main wrote it before the `error` outcome existed.
const V1_REPORT: &str = "tests/fixtures/conformance-v1.json";
