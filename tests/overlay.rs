//! A user's own endpoints beside the shipped spec: the worked example in `examples/overlay/`
//! (`GET /api/cluster/jobs`, its overlay and its case) runs beside the built-in suite; an overlay
//! that redefines a shipped operation, or whose operation no case covers, fails `spec check`
//! naming the overlay's file and line; generated checks cover overlay operations too.

mod common;

use common::{bin, temp_dir};

const OVERLAY: &str = "examples/overlay/jobs.yaml";
const CASES: &str = "examples/overlay/cases";

fn output(args: &[&str]) -> (Option<i32>, String) {
    let o = bin().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code(), text)
}

#[test]
fn the_worked_example_runs_beside_the_built_in_suite() {
    let (code, out) = output(&["spec", "check", "--spec-overlay", OVERLAY, "--cases", CASES]);
    assert_eq!(code, Some(0), "{out}");
    let dir = temp_dir("overlay-run");
    let reports = dir.to_string_lossy().into_owned();
    let (code, out) = output(&[
        "run",
        "--spec-overlay",
        OVERLAY,
        "--cases",
        CASES,
        "--report-dir",
        &reports,
    ]);
    assert_eq!(code, Some(0), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("conformance.json")).unwrap())
            .unwrap();
    let case = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "jobs-list")
        .expect("the overlay's case ran");
    assert_eq!(case["outcome"], "pass", "{case}");
    assert!(
        json["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "/api/cluster/jobs" && c["state"] == "pass"),
        "the overlay's operation is in the coverage matrix"
    );

    // Generated checks cover the overlay's operation like the spec's: the whole example with
    // every generated check passes, one case at a time and at the default concurrency (where
    // the walk of the jobs must not see other cases add jobs).
    for jobs in ["1", "16"] {
        let (code, out) = output(&[
            "run",
            "--spec-overlay",
            OVERLAY,
            "--cases",
            CASES,
            "--generated",
            "--jobs",
            jobs,
            "--report-dir",
            &reports,
        ]);
        assert_eq!(code, Some(0), "--jobs {jobs}: {out}");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("conformance.json")).unwrap())
                .unwrap();
        let jobs_checks: Vec<&serde_json::Value> = json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("get-cluster-jobs."))
            .collect();
        // The walk, the projection, order_by both ways on every scalar field of a job
        // (`svm.name` and `error.target` among them), the probes, the credentials.
        assert!(jobs_checks.len() > 20, "{}", jobs_checks.len());
        for id in [
            "walk",
            "order-by-svm-name-asc",
            "order-by-error-target-desc",
        ] {
            assert!(
                jobs_checks
                    .iter()
                    .any(|c| c["id"] == format!("get-cluster-jobs.{id}")),
                "{id}"
            );
        }
        for c in jobs_checks {
            assert_ne!(c["outcome"], "fail", "--jobs {jobs}: {c}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_conflicting_overlay_and_an_uncovered_overlay_operation_fail_spec_check() {
    let dir = temp_dir("overlay-bad");
    let conflict = dir.join("conflict.yaml");
    std::fs::write(
        &conflict,
        "paths:\n  /api/cluster:\n    get:\n      responses:\n        \"200\": {description: Ok}\ncomponents:\n  schemas:\n    job: {type: object}\n",
    )
    .unwrap();
    let path = conflict.to_string_lossy().into_owned();
    let (code, out) = output(&["spec", "check", "--spec-overlay", &path]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(
            "conflict.yaml:3: `paths./api/cluster.get`: `GET /api/cluster` is already in the spec"
        ),
        "{out}"
    );
    assert!(
        out.contains("conflict.yaml:8: `components.schemas.job`"),
        "{out}"
    );

    // The worked example's overlay without its cases: its operation has no case.
    let (code, out) = output(&["spec", "check", "--spec-overlay", OVERLAY]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("no case expects status 200 from GET /api/cluster/jobs"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `cases new` starts a case for an overlay's operation when given the overlay; the skeleton
/// loads with it once its TODOs are filled in, and not before. The example's operation is also in
/// NetApp's imported layer, which the overlay replaces: without the overlay the case loads
/// against the imported operation; an operation in no layer needs its overlay.
#[test]
fn cases_new_starts_a_case_for_an_overlay_operation() {
    let op = "GET /api/cluster/jobs";
    let (code, out) = output(&[
        "cases",
        "new",
        "--operation",
        "GET /api/cluster/no-such-jobs",
    ]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("give its overlay with --spec-overlay FILE"),
        "{out}"
    );
    let (code, out) = output(&["cases", "new", "--operation", op]);
    assert_eq!(code, Some(0), "the imported layer has it: {out}");

    let dir = temp_dir("overlay-new");
    let cases = dir.join("cases");
    std::fs::create_dir_all(cases.join("jobs")).unwrap();
    let file = cases.join("jobs/list.yaml");
    let path = file.to_string_lossy().into_owned();
    let (code, out) = output(&[
        "cases",
        "new",
        "--spec-overlay",
        OVERLAY,
        "--operation",
        op,
        "--output",
        &path,
    ]);
    assert_eq!(code, Some(0), "{out}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("operation: GET /api/cluster/jobs"), "{text}");
    let dir_arg = cases.to_string_lossy().into_owned();
    let list = |overlay: bool| {
        let mut args = vec!["cases", "list", "--no-builtin-cases", "--cases", &dir_arg];
        if overlay {
            args.extend(["--spec-overlay", OVERLAY]);
        }
        output(&args)
    };

    // Unfilled: each TODO named at its line.
    let (code, out) = list(true);
    assert_eq!(code, Some(2), "{out}");
    let todo_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("TODO") && !l.trim_start().starts_with('#'))
        .map(|(i, _)| i + 1)
        .collect();
    assert!(!todo_lines.is_empty(), "{text}");
    for line in &todo_lines {
        let at = format!("cases/jobs/list.yaml:{line}: ");
        assert!(out.contains(&at), "missing {at:?} in:\n{out}");
    }

    // Filled: it loads with the overlay, and only with it.
    std::fs::write(&file, text.replace("TODO", "filled in")).unwrap();
    let (code, out) = list(true);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("get-cluster-jobs"), "{out}");
    assert!(out.contains("1 cases in"), "{out}");
    let (code, out) = list(false);
    assert_eq!(code, Some(0), "against the imported operation: {out}");
    let _ = std::fs::remove_dir_all(dir);
}
