//! Every renderer and reader fed constructed results: one case of each outcome, the errored one
//! a transport error with the case file's line, so the `error` outcome and `Failure.location` are
//! proven here without a runner that produces them.

use std::path::Path;

use super::coverage::{self, Covers};
use super::model::*;
use super::{diff, html, json, junit, merge, text};
use crate::spec::Spec;

fn spec() -> Spec {
    Spec::load(None).expect("shipped spec loads")
}

fn covers(method: &str, path: &str, status: u16) -> Covers {
    Covers {
        step: Some("steps[0]".into()),
        method: method.into(),
        path: path.into(),
        status: Some(status),
        error_code: None,
    }
}

fn failure(step: &str, message: &str, location: Option<&str>) -> Failure {
    Failure {
        step: step.into(),
        location: location.map(String::from),
        pointer: None,
        expected: None,
        actual: None,
        message: message.into(),
        curl: Some("curl -s -X GET 'http://target/api/cluster'".into()),
        basis: None,
    }
}

/// A case of `outcome` whose one step expects `GET path` to answer 200.
fn case(id: &str, path: &str, outcome: Outcome) -> CaseResult {
    let failures = match outcome {
        Outcome::Fail => vec![failure(
            "steps[0]",
            "status 500 where 200 was expected",
            Some("cases/demo/fail.yaml:9"),
        )],
        Outcome::Error => vec![failure(
            "steps[0]",
            "cannot connect to http://target: connection refused",
            Some("cases/demo/error.yaml:7"),
        )],
        _ => Vec::new(),
    };
    CaseResult {
        id: id.into(),
        title: format!("the {} case", outcome.as_str()),
        area: "demo".into(),
        file: format!("cases/demo/{id}.yaml"),
        tags: vec!["demo".into()],
        operation: OperationRef {
            method: "GET".into(),
            path: path.into(),
            layer: None,
            tag: None,
        },
        expected: Expected {
            status: Some(200),
            status_rule: None,
            error_code: None,
        },
        covers: vec![covers("GET", path, 200)],
        outcome,
        skip_reason: (outcome == Outcome::Skip).then(|| "needs 9 SVMs".into()),
        skip_kind: (outcome == Outcome::Skip).then_some(crate::report::model::SkipKind::Svms),
        duration_ms: 3,
        failures,
        deviations: Vec::new(),
        checks: Vec::new(),
        warnings: Vec::new(),
        steps: vec![StepResult {
            phase: StepPhase::Step,
            name: "steps[0]".into(),
            method: "GET".into(),
            url: format!("http://target{path}"),
            request_body: None,
            status: (outcome != Outcome::Error).then_some(200),
            response_body: None,
            duration_ms: 1,
            curl: "curl -s".into(),
            passed: outcome == Outcome::Pass,
            note: None,
        }],
    }
}

fn report(cases: Vec<CaseResult>) -> RunReport {
    RunReport {
        schema_version: SCHEMA_VERSION,
        tool: "ontap-conform test".into(),
        target: "http://target".into(),
        embedded_emulator: false,
        ontap_version: Some("9.14.1".into()),
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 10,
        partition: None,
        allow_destructive: None,
        interrupted: false,
        mode: Mode::Lenient,
        schedule: None,
        generated_seed: None,
        summary: RunReport::summarize(&cases),
        coverage: coverage::matrix(&spec(), &cases),
        imported_coverage: None,
        cases,
    }
}

/// One case of each outcome; the errored one alone expects `GET /api/cluster` 200.
fn mixed() -> RunReport {
    report(vec![
        case("a-pass", "/api/svm/svms/{uuid}", Outcome::Pass),
        case("b-fail", "/api/svm/svms/{uuid}", Outcome::Fail),
        case("c-error", "/api/cluster", Outcome::Error),
        case("d-skip", "/api/svm/svms", Outcome::Skip),
    ])
}

fn cell<'a>(r: &'a RunReport, path: &str) -> &'a CoverageCell {
    r.coverage
        .iter()
        .find(|c| c.method == "GET" && c.path == path && c.kind == CellKind::Status)
        .expect("the spec documents GET 200")
}

#[test]
fn the_enums_serialize_as_the_strings_of_version_1() {
    for o in [Outcome::Pass, Outcome::Fail, Outcome::Error, Outcome::Skip] {
        assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
    }
    for s in [
        CellState::Pass,
        CellState::Fail,
        CellState::Error,
        CellState::Skip,
        CellState::None,
    ] {
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
    assert_eq!(
        serde_json::to_value(CellKind::ErrorCode).unwrap(),
        "error_code"
    );
    assert_eq!(
        serde_json::to_value(StepPhase::Teardown).unwrap(),
        "teardown"
    );
}

#[test]
fn errors_are_counted_apart_from_failures() {
    let r = mixed();
    let s = &r.summary;
    assert_eq!((s.passed, s.failed, s.errors, s.skipped), (1, 1, 1, 1));
    assert_eq!(s.total, s.passed + s.failed + s.errors + s.skipped);
    assert!(s.has_failures());
    let only_errors = report(vec![case("c", "/api/cluster", Outcome::Error)]);
    assert!(only_errors.summary.has_failures());
    assert!(
        !report(vec![case("a", "/api/cluster", Outcome::Pass)])
            .summary
            .has_failures()
    );
}

#[test]
fn a_cell_fails_before_it_errors_and_errors_before_it_passes() {
    use Outcome::*;
    let state = coverage::cell_state;
    assert_eq!(state(&[]), CellState::None);
    assert_eq!(state(&[Pass, Error, Fail]), CellState::Fail);
    assert_eq!(state(&[Pass, Error]), CellState::Error);
    assert_eq!(state(&[Skip, Error]), CellState::Error);
    assert_eq!(state(&[Pass, Skip]), CellState::Pass);
    assert_eq!(state(&[Skip, Skip]), CellState::Skip);

    let r = mixed();
    assert_eq!(cell(&r, "/api/cluster").state, CellState::Error);
    assert_eq!(cell(&r, "/api/cluster").cases, ["c-error"]);
    assert_eq!(cell(&r, "/api/svm/svms/{uuid}").state, CellState::Fail);
    assert_eq!(cell(&r, "/api/svm/svms").state, CellState::Skip);
}

#[test]
fn spec_checks_gaps_are_the_matrixs_empty_cells() {
    let spec = spec();
    let r = mixed();
    let all: Vec<Covers> = r.cases.iter().flat_map(|c| c.covers.clone()).collect();
    let gaps = coverage::gaps(&spec, &all);
    let none: Vec<&CoverageCell> = r
        .coverage
        .iter()
        .filter(|c| c.state == CellState::None)
        .collect();
    assert_eq!(gaps.errors.len() + gaps.statuses.len(), none.len());
    for c in none {
        let key = format!("{} {}", c.method, c.path);
        let listed = match c.kind {
            CellKind::Status => gaps
                .statuses
                .iter()
                .any(|(op, s)| *op == key && s.to_string() == c.value),
            CellKind::ErrorCode => gaps
                .errors
                .iter()
                .any(|(op, e)| *op == key && *e == c.value),
        };
        assert!(listed, "{key} {} is a gap", c.value);
    }
    assert!(
        !gaps
            .statuses
            .iter()
            .any(|(op, s)| op == "GET /api/cluster" && *s == 200)
    );
}

#[test]
fn junit_writes_error_for_a_case_that_could_not_be_judged() {
    let xml = junit::render(&mixed());
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    assert_eq!((parsed.tests, parsed.failures, parsed.errors), (4, 1, 1));
    let status = |id: &str| {
        &parsed.test_suites[0]
            .test_cases
            .iter()
            .find(|t| t.name.as_str() == id)
            .unwrap()
            .status
    };
    match status("c-error") {
        quick_junit::TestCaseStatus::NonSuccess { kind, message, .. } => {
            assert_eq!(*kind, quick_junit::NonSuccessKind::Error);
            assert_eq!(
                message.as_deref(),
                Some(
                    "cases/demo/error.yaml:7: steps[0]: cannot connect to http://target: connection refused"
                )
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    match status("b-fail") {
        quick_junit::TestCaseStatus::NonSuccess { kind, message, .. } => {
            assert_eq!(*kind, quick_junit::NonSuccessKind::Failure);
            assert!(
                message
                    .as_deref()
                    .unwrap()
                    .starts_with("cases/demo/fail.yaml:9: ")
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn text_says_error_and_keeps_the_last_lines_shape() {
    let r = mixed();
    assert_eq!(
        text::fail_line(&r.cases[2]),
        "ERROR demo::c-error  cases/demo/error.yaml:7: steps[0]: cannot connect to http://target: connection refused"
    );
    assert!(
        text::fail_line(&r.cases[1]).starts_with("FAIL demo::b-fail  cases/demo/fail.yaml:9: ")
    );
    let summary = text::summary(&r, "reports");
    insta::assert_snapshot!("text_summary_with_an_error", summary);
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines[lines.len() - 1], "1 passed, 1 failed, 1 skipped");
    assert_eq!(lines[lines.len() - 2], "1 error: could not be judged");

    // Without errors there is no errors line: a clean run prints what it did before.
    let clean = report(vec![case("a", "/api/cluster", Outcome::Pass)]);
    assert!(!text::summary(&clean, "reports").contains("error"));
}

#[test]
fn html_shows_errors_apart_from_failures() {
    let page = html::render(&mixed());
    assert!(
        page.contains(
            "<title>ONTAP conformance: 1 failed, 1 could not be judged, 1 passed</title>"
        )
    );
    assert!(page.contains("<div class=\"card error\"><b>1</b>could not be judged</div>"));
    assert!(page.contains("<h2>Failing cases (1)</h2>"));
    assert!(page.contains("<h2>Cases that could not be judged (1)</h2>"));
    assert!(page.contains("<section class=\"failure error\" id=\"case-c-error\">"));
    assert!(page.contains("<span class=\"cell error\" title=\"c-error\">200</span>"));
    assert!(page.contains("<td class=\"error\">error</td>"));
    assert!(page.contains("steps[0]<br><code>cases/demo/error.yaml:7</code>"));

    let clean = html::render(&report(vec![case("a", "/api/cluster", Outcome::Pass)]));
    assert!(!clean.contains("could not be judged"), "{clean}");
}

#[test]
fn diff_counts_pass_to_error_as_a_regression() {
    let before = report(vec![
        case("a", "/api/cluster", Outcome::Pass),
        case("b", "/api/cluster", Outcome::Fail),
        case("c", "/api/cluster", Outcome::Skip),
        case("d", "/api/cluster", Outcome::Error),
        case("e", "/api/cluster", Outcome::Error),
    ]);
    let after = report(vec![
        case("a", "/api/cluster", Outcome::Error),
        case("b", "/api/cluster", Outcome::Error),
        case("c", "/api/cluster", Outcome::Error),
        case("d", "/api/cluster", Outcome::Pass),
        case("e", "/api/cluster", Outcome::Error),
    ]);
    let d = diff::diff(&before, &after);
    let ids = |l: &[diff::Change]| l.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&d.newly_failing), ["a"]);
    assert_eq!(ids(&d.failing_otherwise), ["b"]);
    assert_eq!(ids(&d.skip_to_fail), ["c"]);
    assert_eq!(ids(&d.newly_passing), ["d"]);
    assert_eq!((d.unchanged, d.still_failing), (1, 1));
    assert!(d.has_regression());
    let out = diff::render_text(&d);
    assert!(
        out.contains("  demo::a  pass -> error  cases/demo/error.yaml:7: steps[0]: cannot connect"),
        "{out}"
    );
    assert!(
        out.contains("still failing, another way (1):\n  demo::b  fail -> error"),
        "{out}"
    );
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["newly_failing"][0]["after"], "error");

    // Error to fail is no regression: the case was failing already.
    let errored = report(vec![case("b", "/api/cluster", Outcome::Error)]);
    let failed = report(vec![case("b", "/api/cluster", Outcome::Fail)]);
    let d = diff::diff(&errored, &failed);
    assert!(!d.has_regression());
    assert_eq!(ids(&d.failing_otherwise), ["b"]);
}

#[test]
fn merge_keeps_errors() {
    let shard = |k: u32, cases| RunReport {
        partition: Some(format!("count:{k}/2")),
        ..report(cases)
    };
    let a = shard(1, vec![case("a", "/api/cluster", Outcome::Pass)]);
    let b = shard(2, vec![case("b", "/api/cluster", Outcome::Error)]);
    let m = merge::merge(&[("a.json".into(), a), ("b.json".into(), b)]).unwrap();
    assert_eq!(
        (m.summary.passed, m.summary.errors, m.summary.total),
        (1, 1, 2)
    );
    assert_eq!(m.cases[1].outcome, Outcome::Error);
    assert_eq!(
        m.cases[1].failures[0].location.as_deref(),
        Some("cases/demo/error.yaml:7")
    );
    assert_eq!(cell(&m, "/api/cluster").state, CellState::Error);
    assert_eq!(cell(&m, "/api/cluster").cases, ["a", "b"]);
}

#[test]
fn a_report_reads_back_as_written() {
    let dir = std::env::temp_dir().join(format!("report-roundtrip-{}", std::process::id()));
    let path = dir.join("conformance.json");
    let r = mixed();
    json::write_report(&path, &r).unwrap();
    let back = json::read_report(&path).unwrap();
    assert_eq!(json::render(&back), json::render(&r));
    // The covers came back too, so the matrix of a read report is the run's.
    assert_eq!(coverage::matrix(&spec(), &back.cases), r.coverage);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_version_1_report_reads_into_the_new_model() {
    let v1 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance-v1.json");
    let r = json::read_report(&v1).unwrap();
    assert_eq!(r.schema_version, 1);
    assert_eq!(
        (r.summary.total, r.summary.failed, r.summary.errors),
        (3, 1, 0)
    );
    let outcomes: Vec<Outcome> = r.cases.iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, [Outcome::Pass, Outcome::Fail, Outcome::Skip]);
    assert!(r.cases.iter().all(|c| c.covers.is_empty()));
    assert!(r.cases[1].failures.iter().all(|f| f.location.is_none()));
    assert_eq!(r.cases[1].steps[1].phase, StepPhase::Teardown);
    let states: Vec<(CellKind, CellState)> = r.coverage.iter().map(|c| (c.kind, c.state)).collect();
    assert_eq!(
        states,
        [
            (CellKind::Status, CellState::Skip),
            (CellKind::Status, CellState::Pass)
        ]
    );
}

#[test]
fn a_newer_version_is_refused_naming_file_and_line() {
    let dir = std::env::temp_dir().join(format!("report-v4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v4.json");
    std::fs::write(
        &path,
        "{\n  \"tool\": \"x\",\n  \"schema_version\": 4,\n  \"cases\": []\n}\n",
    )
    .unwrap();
    let e = json::read_report(&path).unwrap_err().to_string();
    assert!(e.contains("v4.json: schema_version 4 (line 3)"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The reports written from a spool, one case at a time, are byte for byte the reports rendered
/// from the whole model, whatever order the cases ended in; a failing case's `null` body and a
/// float keep their exact text.
#[test]
fn reports_from_a_spool_are_the_reports_of_the_whole_model() {
    use super::store::Spool;
    let mut r = mixed();
    r.cases[1].steps[0].response_body = Some(serde_json::Value::Null);
    r.cases[0].steps[0].response_body = Some(serde_json::json!({"ratio": 0.1 + 0.2, "n": null}));
    r.cases[0].deviations = vec![failure("steps[0]", "a convention broken", None)];
    r.cases[3].deviations = vec![failure("steps[0]", "another", Some("cases/demo/d.yaml:3"))];
    r.summary = RunReport::summarize(&r.cases);
    let mut spool = Spool::new().unwrap();
    for i in [2, 0, 3, 1] {
        spool.push(i, r.cases[i].clone()).unwrap();
    }
    let head = RunReport {
        imported_coverage: None,
        cases: Vec::new(),
        ..r.clone()
    };
    let base = std::env::temp_dir().join(format!("oc-spool-{}", std::process::id()));
    let (whole, spooled) = (base.join("whole"), base.join("spooled"));
    super::write_all(&whole, &r).unwrap();
    super::write_all_from(&spooled, &head, &spool).unwrap();
    for name in ["conformance.json", "junit.xml", "conformance.html"] {
        let a = std::fs::read(whole.join(name)).unwrap();
        let b = std::fs::read(spooled.join(name)).unwrap();
        assert!(a == b, "{name} differs");
    }
    assert_eq!(
        text::summary(&r, "out"),
        text::summary_from(&head, &spool, "out").unwrap()
    );
    // And with no cases at all.
    let empty = report(Vec::new());
    let mut out = Vec::new();
    json::write_to(&mut out, &empty, &Spool::new().unwrap()).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), json::render(&empty));
    let _ = std::fs::remove_dir_all(&base);
}

/// The tally built as cases end, in any order, is the summary and matrix of the whole list.
#[test]
fn the_tally_in_any_order_is_the_summary_and_matrix() {
    let r = mixed();
    let spec = spec();
    let mut tally = coverage::Tally::new(&spec);
    for i in [3, 1, 0, 2] {
        tally.add(i, &r.cases[i]);
    }
    let (summary, cells) = tally.finish();
    assert_eq!(summary, r.summary);
    assert_eq!(cells, r.coverage);
}

/// `junit.xml` written a suite at a time is byte for byte what quick-junit writes for the whole
/// report at once: with failures, errors and skips across areas, and with no case at all.
#[test]
fn junit_written_by_suite_is_the_whole_report() {
    let r = mixed();
    assert_eq!(
        super::junit::render(&r),
        super::junit::write_whole(&r, &r.cases)
    );
    let empty = report(Vec::new());
    assert_eq!(
        super::junit::render(&empty),
        super::junit::write_whole(&empty, &empty.cases)
    );
}
