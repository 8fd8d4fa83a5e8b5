//! A case that could not be judged (`error`) in each report and reader: built from the
//! version-1 fixture, whose `diff` and `merge` still read it.

use super::*;

/// The v1 fixture's run again as today's version writes it, with its passing case now one that
/// could not be judged (a transport error at a known line of its case file).
fn errored_report(dir: &Path) -> PathBuf {
    use ontap_conform::report::{json, model};
    let mut r = json::read_report(Path::new(V1_REPORT)).expect("the v1 fixture reads");
    r.schema_version = model::SCHEMA_VERSION;
    let c = &mut r.cases[0];
    assert_eq!(c.id, "demo-svm-get");
    c.outcome = model::Outcome::Error;
    c.failures.push(model::Failure {
        step: "steps[0]".into(),
        location: Some("report-cases/demo/a-svm-get.yaml:6".into()),
        pointer: None,
        expected: None,
        actual: None,
        message: "cannot connect to http://[target]: connection refused".into(),
        curl: None,
        basis: None,
    });
    r.summary = model::RunReport::summarize(&r.cases);
    std::fs::create_dir_all(dir).unwrap();
    ontap_conform::report::write_all(dir, &r).unwrap();
    dir.join("conformance.json")
}

#[test]
fn a_case_that_could_not_be_judged_is_a_junit_error() {
    let dir = temp_dir("junit-error");
    errored_report(&dir);
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(xml.contains("<error message="), "{xml}");
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    assert_eq!((parsed.tests, parsed.failures, parsed.errors), (3, 1, 1));
    let case = parsed.test_suites[0]
        .test_cases
        .iter()
        .find(|t| t.name.as_str() == "demo-svm-get")
        .unwrap();
    match &case.status {
        quick_junit::TestCaseStatus::NonSuccess { kind, message, .. } => {
            assert_eq!(*kind, quick_junit::NonSuccessKind::Error);
            assert!(
                message
                    .as_deref()
                    .unwrap_or_default()
                    .starts_with("report-cases/demo/a-svm-get.yaml:6: steps[0]: cannot connect"),
                "{message:?}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    let page = std::fs::read_to_string(dir.join("conformance.html")).unwrap();
    assert!(page.contains("Cases that could not be judged (1)"));
}

#[test]
fn diff_reads_a_version_1_report_and_fails_on_pass_to_error() {
    let dir = temp_dir("diff-v1");
    let new = errored_report(&dir);
    let out = bin().arg("diff").arg(V1_REPORT).arg(&new).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    // After how each run was made: the v1 report knows no mode (strict) and says nothing of
    // destructive cases.
    assert!(shown.starts_with("old: target http://"), "{shown}");
    assert!(
        shown.contains("), strict mode, whole suite, started "),
        "{shown}"
    );
    assert!(shown.contains("\nnewly failing (1):\n  demo::demo-svm-get  pass -> error  report-cases/demo/a-svm-get.yaml:6: steps[0]: cannot connect"), "{shown}");
    assert!(shown.contains("2 unchanged (1 still failing)"), "{shown}");

    let out = bin()
        .args(["diff", "--json", V1_REPORT])
        .arg(&new)
        .output()
        .unwrap();
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["newly_failing"][0]["before"], "pass");
    assert_eq!(d["newly_failing"][0]["after"], "error");

    // Backwards, error to pass is a fix; and a v1 report compared with itself has no news.
    let out = bin().arg("diff").arg(&new).arg(V1_REPORT).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = bin().args(["diff", V1_REPORT, V1_REPORT]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn merge_reads_version_1_and_keeps_errors() {
    // A version-1 shard merges into a current-version report with the same counts.
    let merged = temp_dir("merged-v1");
    let out = bin()
        .args(["merge", V1_REPORT, "--report-dir"])
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = json(&merged.join("conformance.json"));
    let v1 = json(Path::new(V1_REPORT));
    assert_eq!(
        m["schema_version"],
        ontap_conform::report::model::SCHEMA_VERSION
    );
    assert_eq!(m["summary"]["errors"], 0);
    for k in ["total", "passed", "failed", "skipped"] {
        assert_eq!(m["summary"][k], v1["summary"][k], "{k}");
    }
    assert_eq!(m["coverage"], v1["coverage"]);

    // An errored case stays an error, and fails the merge's exit code by itself.
    let shard = errored_report(&temp_dir("shard-error"));
    let merged = temp_dir("merged-error");
    let out = bin()
        .arg("merge")
        .arg(&shard)
        .arg("--report-dir")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("cases that could not be judged, by operation:\n  GET /api/svm/svms/{uuid} (1):\n    ERROR demo::demo-svm-get  report-cases/demo/a-svm-get.yaml:6: "),
        "{shown}"
    );
    assert!(
        shown.ends_with("1 error: could not be judged\n0 passed, 1 failed, 1 skipped\n"),
        "{shown}"
    );
    let m = json(&merged.join("conformance.json"));
    assert_eq!(m["summary"]["errors"], 1);
    assert_eq!(m["summary"]["total"], 3);
    assert_eq!(m["cases"][0]["outcome"], "error");
    assert_eq!(
        m["cases"][0]["failures"][0]["location"],
        "report-cases/demo/a-svm-get.yaml:6"
    );
}
