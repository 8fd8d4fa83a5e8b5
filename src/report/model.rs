//! The result model: one value that every report format renders.
//!
//! It is what `conformance.json` holds, so its field names are an interface; `schema_version`
//! changes when one of them does. The enums serialize as the strings version 1 wrote, so a
//! version-1 report reads into this model unchanged (see `reports/README.md`).

use serde::{Deserialize, Serialize};

use super::coverage::Covers;
use crate::spec::Basis;

/// How hard conventions are held: in `strict` mode a broken convention fails its case, in
/// `lenient` mode it is a deviation (reported, never a failure). Documented and observed
/// expectations fail in both.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// What every run before version 3 did.
    #[default]
    Strict,
    Lenient,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Strict => "strict",
            Mode::Lenient => "lenient",
        }
    }
}

/// The version of this model's shape. 2 added the `error` outcome and cell state,
/// `summary.errors`, `failures[].location` and `cases[].covers`; 3 added the basis of each check
/// (`failures[].basis`, `cases[].checks`, `coverage[].basis`), `mode`, and deviations
/// (`summary.deviations`, `cases[].deviations`).
pub const SCHEMA_VERSION: u32 = 3;

/// The oldest `schema_version` that [`super::json::read_report`] still reads: version 1 differs
/// only by the fields version 2 added, which default to "none".
pub const OLDEST_READABLE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    pub schema_version: u32,
    pub tool: String,
    pub target: String,
    /// True when the target was the embedded emulator.
    pub embedded_emulator: bool,
    /// The version the target reports (`GET /api/cluster`), when it says.
    pub ontap_version: Option<String>,
    pub started_at: String,
    pub duration_ms: u64,
    /// `count:2/4` when this run was one share of the suite (`--partition`); the shards' reports
    /// merge with `ontap-conform merge`. A merged report lists its shards here, joined by `+`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partition: Option<String>,
    /// Whether cases marked `destructive` were allowed to run: always against the embedded
    /// emulator, with `--allow-destructive` against a cluster. Absent in reports written before
    /// it; `diff` shows it beside the target, since a run without them checked less.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allow_destructive: Option<bool>,
    /// True when Ctrl-C stopped the run: cases that had not started are skipped with that reason.
    #[serde(default)]
    pub interrupted: bool,
    /// Which mode was in force (absent in reports before version 3: strict).
    #[serde(default)]
    pub mode: Mode,
    /// How the run was scheduled (absent in merged reports and before this field existed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub schedule: Option<Schedule>,
    /// The seed of the generated checks when the run had them (`--generated --seed N`): the
    /// same seed replays their values.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub generated_seed: Option<u64>,
    pub summary: Summary,
    /// Each documented status and ONTAP error code of each operation, and how the cases that
    /// expect it fared.
    #[serde(default)]
    pub coverage: Vec<CoverageCell>,
    /// The imported layer's coverage, counted per tag (added field: absent when the spec had no
    /// imported layer, or in older reports). Its cells are rows of `coverage` only where a case
    /// touched the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_coverage: Option<super::coverage::ImportedCoverage>,
    pub cases: Vec<CaseResult>,
}

/// One documented outcome of one operation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CoverageCell {
    pub method: String,
    pub path: String,
    pub kind: CellKind,
    /// `"201"` or `"5374142"`.
    pub value: String,
    pub state: CellState,
    pub cases: Vec<String>,
    /// For an error code: what the spec rests the code on (version 3 on).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub basis: Option<Basis>,
    /// For an error code: what the spec rests its HTTP status on; a `convention` here means the
    /// cases check the code as documented and its exact status only as this suite's choice.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status_basis: Option<Basis>,
    /// The operation's layer and first tag: the HTML folds the imported layer's rows per tag
    /// (added fields).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub layer: Option<crate::spec::Layer>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tag: Option<String>,
}

/// What a coverage cell counts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// A documented success status.
    Status,
    /// A documented ONTAP error code.
    ErrorCode,
}

/// How the cases expecting a cell fared; the rule is [`super::coverage::cell_state`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CellState {
    /// Every case expecting it passed or was skipped, and at least one passed.
    Pass,
    /// A case expecting it failed.
    Fail,
    /// None failed, but one could not be judged.
    Error,
    /// Every case expecting it was skipped.
    Skip,
    /// No case expects it (`spec check` fails on those).
    None,
}

impl CellState {
    /// The name `conformance.json` uses, and the HTML's class.
    pub fn as_str(self) -> &'static str {
        match self {
            CellState::Pass => "pass",
            CellState::Fail => "fail",
            CellState::Error => "error",
            CellState::Skip => "skip",
            CellState::None => "none",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// passed + failed + errors + skipped.
    pub total: usize,
    pub passed: usize,
    /// Cases judged and found wrong; errors are counted apart.
    pub failed: usize,
    /// Cases that could not be judged. Absent (0) in version-1 reports.
    #[serde(default)]
    pub errors: usize,
    pub skipped: usize,
    /// Broken conventions reported as deviations, over all cases (lenient mode).
    #[serde(default)]
    pub deviations: usize,
}

impl Summary {
    /// True when a case failed or could not be judged: what makes a run or a merge exit 1.
    pub fn has_failures(&self) -> bool {
        self.failed + self.errors > 0
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// The target answered and the answer is wrong.
    Fail,
    /// A step could not be judged (transport error, setup failed): nothing is known about the
    /// behaviour under test. JUnit's `<error>` beside `<failure>`, as Hurl and nextest do.
    Error,
    Skip,
}

impl Outcome {
    /// The name `conformance.json` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Skip => "skip",
        }
    }

    /// Fail or error: the outcomes that fail a run, and that a diff from `pass` calls a
    /// regression.
    pub fn is_failing(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Error)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OperationRef {
    pub method: String,
    pub path: String,
    /// The spec layer the operation comes from: `curated`, `imported` (NetApp's definition) or
    /// `overlay` (added field: absent in older reports).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub layer: Option<crate::spec::Layer>,
    /// The operation's first tag in the spec (`storage`, `san`, `security` ...), which the
    /// reports group checks by (added field: absent in older reports and for untagged ones).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tag: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Expected {
    /// The one status the main step expects; `None` when it names none, or a class or list.
    pub status: Option<u16>,
    /// The main step's status rule when it is not one status: `4xx` or `one of 400, 409`
    /// (`status` is then `None`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status_rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_code: Option<String>,
}

impl Expected {
    /// The status as people read it: `404`, `4xx`, `one of 400, 409`.
    pub fn status_text(&self) -> Option<String> {
        self.status
            .map(|s| s.to_string())
            .or_else(|| self.status_rule.clone())
    }
}

/// Why a case was skipped, as a kind a report can count and a reader can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// It changes cluster state, and the run was not given `--allow-destructive`.
    Destructive,
    /// It needs an emulator condition a real cluster cannot be put in on demand.
    EmulatorCondition,
    /// It needs more SVMs than the target shows the account.
    Svms,
    /// Its operation is newer than the target's ONTAP.
    Version,
    /// The account's role may not send one of its requests.
    Role,
    /// The target holds nothing the case can judge (a capture marked `or_skip` found nothing).
    NothingToJudge,
    /// No request a cluster carries out is known for its operation (the case's `skip:`).
    NoRequest,
    /// The run was interrupted before or during it.
    Interrupted,
}

impl SkipKind {
    /// A few words for counts (`12 destructive, 3 role`).
    pub fn label(self) -> &'static str {
        match self {
            SkipKind::Destructive => "destructive",
            SkipKind::EmulatorCondition => "emulator condition",
            SkipKind::Svms => "too few SVMs",
            SkipKind::Version => "newer than the target",
            SkipKind::Role => "role",
            SkipKind::NothingToJudge => "nothing to judge",
            SkipKind::NoRequest => "no request known",
            SkipKind::Interrupted => "interrupted",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub title: String,
    pub area: String,
    pub file: String,
    pub tags: Vec<String>,
    pub operation: OperationRef,
    pub expected: Expected,
    /// What each of the case's steps expects: which coverage cells the case counts in. Kept in
    /// the report (not only in memory) so that a report read back computes the same matrix.
    #[serde(default)]
    pub covers: Vec<Covers>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skip_reason: Option<String>,
    /// What kind of reason `skip_reason` is, for counting (added in schema 1: absent in older
    /// reports and on cases that ran).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skip_kind: Option<SkipKind>,
    pub duration_ms: u64,
    /// Every problem, first one first; non-empty exactly when the outcome is fail or error.
    pub failures: Vec<Failure>,
    /// Broken conventions that did not fail the case (lenient mode): same shape as failures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<Failure>,
    /// What each check of the main step rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckBasis>,
    /// Findings that do not fail the case (undocumented fields).
    pub warnings: Vec<String>,
    pub steps: Vec<StepResult>,
}

/// One problem with one response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Failure {
    /// `steps[1] (read back)`.
    pub step: String,
    /// `cases/iscsi/create.yaml:14`: where in the case file the failing step or expectation is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<String>,
    /// JSON pointer into the response body, when the problem is in a field.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actual: Option<String>,
    pub message: String,
    /// A command that sends the same request (password as `$ONTAP_PASSWORD`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub curl: Option<String>,
    /// What the broken check rests on; absent for the spec's own rules and for problems that are
    /// not about a response (transport, setup).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub basis: Option<Basis>,
}

/// How a run was scheduled: what bounds its wall time against a slow target.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Schedule {
    /// Cases run at once.
    pub jobs: usize,
    /// The longest chain of requests that had to follow one another (a resource's writers in a
    /// row, or the longest case): at L ms per request the run cannot take less than this × L.
    pub critical_path_requests: usize,
    /// The requests the cases were planned to send (each step, job polls, a sized walk's
    /// pages): spread over `jobs`, the other floor of a run's wall time. Added.
    #[serde(default)]
    pub planned_requests: usize,
    /// `--rate`: the most requests a second the run sent; absent when unbounded. Added.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rate: Option<u32>,
    /// How many times the target answered busy (429, 503, a refused connection after it had
    /// answered) and a request was sent again after a wait. Added.
    #[serde(default)]
    pub busy_retries: usize,
}

/// One check of a case's main step and what it rests on: `{what: "status 4xx", basis: ...}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CheckBasis {
    pub what: String,
    pub basis: Basis,
}

impl Failure {
    /// `file:line: step: message`, or `step: message` without a location: the one line a text
    /// output shows for a failure, led by the place an editor or CI log can link to.
    pub fn headline(&self) -> String {
        match &self.location {
            Some(at) => format!("{at}: {}: {}", self.step, self.message),
            None => format!("{}: {}", self.step, self.message),
        }
    }
}

/// Which list of the case file a step came from. The report's own enum: the report module
/// knows nothing of `case`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StepPhase {
    Setup,
    Step,
    Teardown,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepResult {
    pub phase: StepPhase,
    pub name: String,
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_body: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub response_body: Option<serde_json::Value>,
    pub duration_ms: u64,
    pub curl: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl RunReport {
    /// The cases with `outcome`, in report order.
    pub fn cases_with(&self, outcome: Outcome) -> Vec<&CaseResult> {
        self.cases.iter().filter(|c| c.outcome == outcome).collect()
    }

    pub fn summarize(cases: &[CaseResult]) -> Summary {
        let count = |o| cases.iter().filter(|c| c.outcome == o).count();
        Summary {
            total: cases.len(),
            passed: count(Outcome::Pass),
            failed: count(Outcome::Fail),
            errors: count(Outcome::Error),
            skipped: count(Outcome::Skip),
            deviations: cases.iter().map(|c| c.deviations.len()).sum(),
        }
    }
}
