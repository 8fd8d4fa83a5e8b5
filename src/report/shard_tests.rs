//! `merge` takes the shards of one run and nothing else; `diff` says how each of its two runs was
//! made before what changed between them.

use super::model::*;
use super::{diff, merge};

fn run(partition: Option<&str>, ids: &[&str]) -> RunReport {
    let cases: Vec<CaseResult> = ids
        .iter()
        .map(|id| CaseResult {
            id: id.to_string(),
            title: id.to_string(),
            area: "demo".into(),
            file: format!("cases/demo/{id}.yaml"),
            tags: Vec::new(),
            operation: OperationRef {
                method: "GET".into(),
                path: "/api/cluster".into(),
                layer: None,
                tag: None,
            },
            expected: Expected {
                status: Some(200),
                status_rule: None,
                error_code: None,
            },
            covers: Vec::new(),
            outcome: Outcome::Pass,
            skip_reason: None,
            skip_kind: None,
            duration_ms: 1,
            failures: Vec::new(),
            deviations: Vec::new(),
            checks: Vec::new(),
            warnings: Vec::new(),
            steps: Vec::new(),
        })
        .collect();
    RunReport {
        schema_version: SCHEMA_VERSION,
        tool: "ontap-conform test".into(),
        target: "https://cluster-a.example.com".into(),
        embedded_emulator: false,
        ontap_version: Some("9.14.1".into()),
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 10,
        partition: partition.map(String::from),
        allow_destructive: Some(false),
        interrupted: false,
        mode: Mode::Lenient,
        schedule: None,
        generated_seed: Some(7),
        summary: RunReport::summarize(&cases),
        coverage: Vec::new(),
        imported_coverage: None,
        cases,
    }
}

/// The refusal of `reports`, as `merge` prints it.
fn refused(reports: Vec<(&str, RunReport)>) -> String {
    let named: Vec<(String, RunReport)> = reports
        .into_iter()
        .map(|(n, r)| (n.to_string(), r))
        .collect();
    match merge::merge(&named) {
        Ok(_) => panic!("merged, but should have refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_shards_of_one_run_merge() {
    let merged = merge::merge(&[
        ("2.json".into(), run(Some("hash:2/3"), &["b"])),
        ("1.json".into(), run(Some("hash:1/3"), &["a"])),
        ("3.json".into(), run(Some("hash:3/3"), &[])),
    ])
    .expect("every share of one partition, once");
    assert_eq!(merged.summary.total, 2);
    assert_eq!(
        merged.partition.as_deref(),
        Some("hash:2/3+hash:1/3+hash:3/3")
    );
    assert_eq!(
        (merged.mode, merged.generated_seed, merged.allow_destructive),
        (Mode::Lenient, Some(7), Some(false))
    );
    // A merged report is whole: it merges again alone. So does a whole run.
    assert!(merge::merge(&[("m.json".into(), merged)]).is_ok());
    assert!(merge::merge(&[("w.json".into(), run(None, &["a"]))]).is_ok());
    // `K/N` is a count partition, as `--partition` reads it.
    assert!(
        merge::merge(&[
            ("1.json".into(), run(Some("1/2"), &["a"])),
            ("2.json".into(), run(Some("count:2/2"), &["b"])),
        ])
        .is_ok()
    );
}

#[test]
fn a_missing_shard_is_named() {
    let e = refused(vec![("1.json", run(Some("count:1/2"), &["a"]))]);
    assert_eq!(
        e,
        "these reports are not the shards of one run:\n  shard count:2/2 is missing"
    );
    let e = refused(vec![
        ("1.json", run(Some("count:1/4"), &["a"])),
        ("3.json", run(Some("count:3/4"), &["c"])),
    ]);
    assert!(
        e.contains("\n  shard count:2/4 is missing\n  shard count:4/4 is missing"),
        "{e}"
    );
}

#[test]
fn a_shard_given_twice_is_refused() {
    let e = refused(vec![
        ("1.json", run(Some("count:1/2"), &["a"])),
        ("again.json", run(Some("count:1/2"), &["a"])),
        ("2.json", run(Some("count:2/2"), &["b"])),
    ]);
    assert_eq!(
        e,
        "these reports are not the shards of one run:\n  shard count:1/2 is given 2 times: 1.json, again.json"
    );
}

#[test]
fn shards_of_different_partitions_are_refused() {
    let e = refused(vec![
        ("1.json", run(Some("count:1/2"), &["a"])),
        ("2.json", run(Some("hash:2/2"), &["b"])),
    ]);
    assert!(
        e.contains(
            "2.json is shard hash:2/2 and 1.json shard count:1/2: shards of different partitions"
        ),
        "{e}"
    );
    let e = refused(vec![
        ("1.json", run(Some("count:1/2"), &["a"])),
        ("2.json", run(Some("count:2/3"), &["b"])),
    ]);
    assert!(
        e.contains("2.json is shard count:2/3 and 1.json shard count:1/2"),
        "{e}"
    );
    let e = refused(vec![("x.json", run(Some("mod:1/2"), &["a"]))]);
    assert!(e.contains("x.json: partition `mod:1/2` is not K/N"), "{e}");
}

#[test]
fn whole_runs_and_shards_do_not_mix() {
    let e = refused(vec![
        ("whole.json", run(None, &["a"])),
        ("1.json", run(Some("count:1/2"), &["b"])),
        ("2.json", run(Some("count:2/2"), &["c"])),
    ]);
    assert!(
        e.contains("whole.json is a whole run (no --partition) and 1.json is shard count:1/2"),
        "{e}"
    );
    let e = refused(vec![
        ("a.json", run(None, &["a"])),
        ("b.json", run(None, &["b"])),
    ]);
    assert!(
        e.contains("a.json, b.json are whole runs (no --partition)"),
        "{e}"
    );
}

#[test]
fn shards_that_ran_differently_are_refused_naming_both_values() {
    let two = |change: &dyn Fn(&mut RunReport)| {
        let mut b = run(Some("count:2/2"), &["b"]);
        change(&mut b);
        refused(vec![
            ("1.json", run(Some("count:1/2"), &["a"])),
            ("2.json", b),
        ])
    };
    let e = two(&|r| r.target = "https://cluster-b.example.com".into());
    assert!(
        e.contains("1.json ran against https://cluster-a.example.com and 2.json against https://cluster-b.example.com"),
        "{e}"
    );
    let e = two(&|r| r.mode = Mode::Strict);
    assert!(
        e.contains("1.json ran in lenient mode and 2.json in strict mode"),
        "{e}"
    );
    let e = two(&|r| r.generated_seed = Some(8));
    assert!(
        e.contains("1.json has generated checks of seed 7 and 2.json generated checks of seed 8"),
        "{e}"
    );
    let e = two(&|r| r.generated_seed = None);
    assert!(e.contains("and 2.json no generated checks"), "{e}");
    let e = two(&|r| r.embedded_emulator = true);
    assert!(e.contains("2.json against the embedded emulator"), "{e}");

    // Shards on the embedded emulator each start their own, on their own port: the same target.
    let emulated = |k: u32, port: u16| RunReport {
        target: format!("http://127.0.0.1:{port}"),
        embedded_emulator: true,
        ..run(
            Some(&format!("count:{k}/2")),
            &[if k == 1 { "a" } else { "b" }],
        )
    };
    assert!(
        merge::merge(&[
            ("1.json".into(), emulated(1, 4001)),
            ("2.json".into(), emulated(2, 4002)),
        ])
        .is_ok()
    );
}

/// Both runs' target, version, mode, destructive cases, partition, seed and start, before the
/// differences; a line naming what differs that can explain them; and the same in `--json`.
#[test]
fn diff_says_how_each_run_was_made() {
    let old = run(None, &["a", "b"]);
    let mut new = RunReport {
        target: "https://cluster-b.example.com".into(),
        ontap_version: Some("NetApp Release 9.16.1: Mon Mar 03 05:46:21 UTC 2025".into()),
        mode: Mode::Strict,
        allow_destructive: Some(true),
        partition: Some("count:1/2+count:2/2".into()),
        generated_seed: None,
        started_at: "2026-01-02T00:00:00Z".into(),
        ..run(None, &["a", "b"])
    };
    new.cases[1].outcome = Outcome::Fail;
    new.summary = RunReport::summarize(&new.cases);
    let d = diff::diff(&old, &new);
    insta::assert_snapshot!("diff_text_of_two_runs", diff::render_text(&d));
    let json = serde_json::to_value(&d).unwrap();
    insta::assert_json_snapshot!(
        "diff_json_runs",
        serde_json::json!({"old": json["old"], "new": json["new"]})
    );

    // The same run twice differs in nothing, and an older report that does not say whether
    // destructive cases ran says nothing of them.
    let mut unknown = run(None, &["a"]);
    unknown.allow_destructive = None;
    let d = diff::diff(&unknown, &run(None, &["a"]));
    assert!(d.differs().is_empty());
    let text = diff::render_text(&d);
    assert!(
        text.starts_with("old: target https://cluster-a.example.com (ONTAP 9.14.1), lenient mode, whole suite, generated checks seed 7, started 2026-01-01T00:00:00Z\nnew: "),
        "{text}"
    );
    assert!(!text.contains("the runs differ"), "{text}");
}
