//! The coverage matrix marks only the cells a failure is about: the step that failed, not every
//! operation its case touched (`GET /api/cluster 200` went red for a password that a later
//! `POST /api/security/authentication/password` echoed).

use super::coverage::{self, Covers};
use super::model::*;
use super::{html, merge};
use crate::spec::Spec;

const CLUSTER: &str = "/api/cluster";
const PASSWORD: &str = "/api/security/authentication/password";
const SVM: &str = "/api/svm/svms/{uuid}";

fn covers(step: Option<&str>, method: &str, path: &str, status: u16) -> Covers {
    Covers {
        step: step.map(String::from),
        method: method.into(),
        path: path.into(),
        status: Some(status),
        error_code: None,
    }
}

fn ran(name: &str, method: &str, path: &str, status: Option<u16>, passed: bool) -> StepResult {
    StepResult {
        phase: StepPhase::Step,
        name: name.into(),
        method: method.into(),
        url: format!("http://target{path}"),
        request_body: None,
        status,
        response_body: None,
        duration_ms: 1,
        curl: "curl -s".into(),
        passed,
        note: None,
    }
}

fn problem(step: &str, message: &str) -> Failure {
    Failure {
        step: step.into(),
        location: None,
        pointer: None,
        expected: None,
        actual: None,
        message: message.into(),
        curl: None,
        basis: None,
    }
}

/// A case that reads the cluster (steps[0]), changes the password (steps[1]) and reads an SVM
/// (steps[2]), with the given outcome, steps that ran and failures.
fn flow(id: &str, outcome: Outcome, steps: Vec<StepResult>, failures: Vec<Failure>) -> CaseResult {
    CaseResult {
        id: id.into(),
        title: id.into(),
        area: "flows".into(),
        file: format!("cases/flows/{id}.yaml"),
        tags: Vec::new(),
        operation: OperationRef {
            method: "POST".into(),
            path: PASSWORD.into(),
            layer: None,
            tag: None,
        },
        expected: Expected {
            status: Some(201),
            status_rule: None,
            error_code: None,
        },
        covers: vec![
            covers(Some("steps[0]"), "GET", CLUSTER, 200),
            covers(Some("steps[1] (change)"), "POST", PASSWORD, 201),
            covers(Some("steps[2]"), "GET", SVM, 200),
        ],
        outcome,
        skip_reason: None,
        skip_kind: None,
        duration_ms: 3,
        failures,
        deviations: Vec::new(),
        checks: Vec::new(),
        warnings: Vec::new(),
        steps,
    }
}

fn state(cells: &[CoverageCell], method: &str, path: &str, value: &str) -> CellState {
    cells
        .iter()
        .find(|c| c.method == method && c.path == path && c.value == value)
        .unwrap_or_else(|| panic!("the spec documents {method} {path} {value}"))
        .state
}

/// The password echoed by the POST: its cell fails; the GET before it passed and stays green;
/// the GET after it never ran and is skipped. In the report's matrix, in merge's, and in HTML.
#[test]
fn a_failure_marks_the_cell_of_its_step_only() {
    let echoed = flow(
        "password-echo",
        Outcome::Fail,
        vec![
            ran("steps[0]", "GET", CLUSTER, Some(200), true),
            ran("steps[1] (change)", "POST", PASSWORD, Some(201), false),
        ],
        vec![problem(
            "steps[1] (change)",
            "the response carries a secret this run sent",
        )],
    );
    let spec = Spec::load(None).expect("shipped spec");
    let cells = coverage::matrix(&spec, std::slice::from_ref(&echoed));
    assert_eq!(state(&cells, "GET", CLUSTER, "200"), CellState::Pass);
    assert_eq!(state(&cells, "POST", PASSWORD, "201"), CellState::Fail);
    assert_eq!(state(&cells, "GET", SVM, "200"), CellState::Skip);
    // The case is still listed in each cell it counts in.
    let listed = cells
        .iter()
        .filter(|c| c.cases == ["password-echo"])
        .count();
    assert_eq!(listed, 3);

    // Merged from two shards, the matrix is the same: merge judges cells the same way.
    let shard = |k: u32, cases: Vec<CaseResult>| RunReport {
        schema_version: SCHEMA_VERSION,
        tool: "t".into(),
        target: "http://target".into(),
        embedded_emulator: false,
        ontap_version: None,
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 1,
        partition: Some(format!("count:{k}/2")),
        allow_destructive: Some(true),
        interrupted: false,
        mode: Mode::Strict,
        schedule: None,
        generated_seed: None,
        summary: RunReport::summarize(&cases),
        coverage: coverage::matrix(&spec, &cases),
        imported_coverage: None,
        cases,
    };
    let other = flow(
        "all-good",
        Outcome::Pass,
        Vec::new(), // A pass counts whole, whatever its steps.
        Vec::new(),
    );
    let merged = merge::merge(&[
        ("a.json".into(), shard(1, vec![echoed.clone()])),
        ("b.json".into(), shard(2, vec![other])),
    ])
    .expect("two shards of one run");
    assert_eq!(
        state(&merged.coverage, "GET", CLUSTER, "200"),
        CellState::Pass
    );
    assert_eq!(
        state(&merged.coverage, "POST", PASSWORD, "201"),
        CellState::Fail
    );
    assert_eq!(state(&merged.coverage, "GET", SVM, "200"), CellState::Pass);
    let page = html::render(&merged);
    assert!(
        page.contains(
            "<code>GET /api/cluster</code></td><td><span class=\"cell pass\" title=\"all-good, password-echo\">200</span>"
        ),
        "GET /api/cluster 200 is green in the page"
    );
}

/// A step that got no answer could not be judged; the steps after it were never reached, and in
/// a case that could not be judged they could not be judged either. A step that ran and passed
/// stays green.
#[test]
fn a_step_without_an_answer_is_an_error_only_in_its_cell() {
    let spec = Spec::load(None).expect("shipped spec");
    let cut = flow(
        "cut",
        Outcome::Error,
        vec![
            ran("steps[0]", "GET", CLUSTER, Some(200), true),
            ran("steps[1] (change)", "POST", PASSWORD, None, false),
        ],
        vec![problem("steps[1] (change)", "connection refused")],
    );
    let cells = coverage::matrix(&spec, &[cut]);
    assert_eq!(state(&cells, "GET", CLUSTER, "200"), CellState::Pass);
    assert_eq!(state(&cells, "POST", PASSWORD, "201"), CellState::Error);
    assert_eq!(state(&cells, "GET", SVM, "200"), CellState::Error);

    // A failure outside the steps (a teardown) fails no cell.
    let teardown = flow(
        "teardown",
        Outcome::Fail,
        vec![
            ran("steps[0]", "GET", CLUSTER, Some(200), true),
            ran("steps[1] (change)", "POST", PASSWORD, Some(201), true),
            ran("steps[2]", "GET", SVM, Some(200), true),
        ],
        vec![problem(
            "teardown[0]",
            "status 500 where success was expected",
        )],
    );
    let cells = coverage::matrix(&spec, &[teardown]);
    for (m, p) in [("GET", CLUSTER), ("POST", PASSWORD), ("GET", SVM)] {
        let want = if p == PASSWORD { "201" } else { "200" };
        assert_eq!(state(&cells, m, p, want), CellState::Pass, "{m} {p}");
    }
}

/// A report written before `covers[].step` has no way to tell its steps apart: its cases count
/// whole, as they did.
#[test]
fn covers_without_a_step_count_the_whole_case() {
    let spec = Spec::load(None).expect("shipped spec");
    let mut old = flow(
        "old",
        Outcome::Fail,
        vec![ran("steps[0]", "GET", CLUSTER, Some(200), true)],
        vec![problem("steps[1] (change)", "no")],
    );
    for c in &mut old.covers {
        c.step = None;
    }
    let cells = coverage::matrix(&spec, &[old]);
    assert_eq!(state(&cells, "GET", CLUSTER, "200"), CellState::Fail);
}
