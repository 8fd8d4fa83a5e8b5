//! The case file as written: what serde reads, before any check against the spec.
//!
//! These types mirror the YAML keys one to one (`deny_unknown_fields` everywhere, so a misspelt key
//! is a load error). The loader turns them into the typed plan of [`super::plan`]; nothing after
//! the loader reads them, except the metadata kept on [`super::Case::def`].

use serde::Deserialize;
use serde_json::{Map, Value};

/// One case file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The operation the case is about (`"PATCH /api/security"`); defaults to the first step's.
    #[serde(default)]
    pub operation: Option<String>,
    /// Changes cluster state (a real cluster runs it only with `--allow-destructive`).
    #[serde(default)]
    pub destructive: bool,
    /// Changes cluster-wide settings: each of its writes locks its resource against every case
    /// that reads or changes it (`run::schedule::footprint`).
    #[serde(default)]
    pub exclusive: bool,
    /// Needs what it reads to hold still while it runs (a walk compared with a count): locks
    /// the resources it reads, and those its steps change, against every other case, as a write
    /// would. Its setup's and teardown's writes (making and removing its own objects) do not.
    #[serde(default)]
    pub isolated: bool,
    #[serde(default)]
    pub requires: Requires,
    /// Skipped, with this reason, wherever it would run: an operation for which no request a
    /// cluster carries out is known (a generated check says so instead of guessing one).
    #[serde(default)]
    pub skip: Option<String>,
    /// Per-case variables, evaluated in order; values may use earlier variables.
    #[serde(default)]
    pub vars: Map<String, Value>,
    /// Names of secrets generated per case (passwords that satisfy ONTAP's default policy);
    /// redacted everywhere.
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub setup: Vec<StepDef>,
    pub steps: Vec<StepDef>,
    /// Runs after the steps, whatever happened to them.
    #[serde(default)]
    pub teardown: Vec<StepDef>,
}

/// What a loaded case keeps of its file besides the plan: identity and what the scheduler and the
/// skip rules read. The steps are not here: they live, compiled, in [`super::Case`].
#[derive(Debug, Clone)]
pub struct CaseDef {
    pub id: String,
    pub title: String,
    pub tags: Vec<String>,
    pub destructive: bool,
    pub exclusive: bool,
    pub isolated: bool,
    pub requires: Requires,
    pub skip: Option<String>,
    pub vars: Map<String, Value>,
    pub secrets: Vec<String>,
}

/// What a case needs from its target.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Emulator conditions to set for the case (see the emulator's control surface); a real
    /// cluster cannot be put in these states on demand, so there the case is skipped.
    #[serde(default)]
    pub emulator: Option<Map<String, Value>>,
    /// How many SVMs the target must have (a mismatch case needs two).
    #[serde(default)]
    pub svms: Option<usize>,
}

/// One request and its expectations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    #[serde(default)]
    pub name: Option<String>,
    pub request: RequestDef,
    #[serde(default)]
    pub expect: Option<ExpectDef>,
    /// Checks this suite holds to by choice where the documents are silent: asserted against
    /// the emulator, a deviation (not a failure) against a real cluster in lenient mode. Same
    /// shape as `expect`, plus `why` (required) and no `basis`.
    #[serde(default)]
    pub convention: Option<ExpectDef>,
    /// Variables to take from the response: name → JSON pointer (or dotted field) in the body,
    /// or `header:Location`.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// Who sends a request.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AsDef {
    /// `anonymous`: no Authorization header.
    Keyword(String),
    Credentials {
        user: String,
        password: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestDef {
    /// `"METHOD /api/path/{template}"`, exactly as in the spec.
    pub operation: String,
    /// Path parameters by name (`svm.uuid`, `initiator`).
    #[serde(default)]
    pub path: Map<String, Value>,
    #[serde(default)]
    pub query: Map<String, Value>,
    #[serde(default)]
    pub body: Option<Value>,
    /// A path and query the target returned (a captured `_links.next.href`), sent as is instead
    /// of `path` and `query`; it must belong to `operation`. This is how a case pages a collection
    /// the way NetApp's clients do.
    #[serde(default)]
    pub href: Option<String>,
    /// Follows the answer's `_links.next` to the end and judges the whole walk as one answer:
    /// its `records` are every record walked, `num_records` their count (see `run/walk.rs`).
    #[serde(default)]
    pub follow_next: bool,
    /// With `follow_next`: walk in about this many pages, whatever the collection holds. The
    /// runner reads the count first (`return_records=false`) and asks for pages of
    /// `ceil(count / pages)` records, so a walk of 20,000 snapshots is a handful of requests, not
    /// 20,000 (a walk must be safe on a production cluster).
    #[serde(default)]
    pub pages: Option<u32>,
    /// Sends this method instead of the operation's: a method the spec does not document on
    /// the operation's path (a 405 check). The operation still names the path and its rules.
    #[serde(default)]
    pub method: Option<String>,
    /// The body's Content-Type instead of `application/json` (the seed pages' curl lines send
    /// their JSON with curl's default, `application/x-www-form-urlencoded`).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Sends the body as these raw bytes instead (malformed JSON tests).
    #[serde(default)]
    pub raw_body: Option<String>,
    /// The account sending it; the run's account when omitted.
    #[serde(default, rename = "as")]
    pub as_user: Option<AsDef>,
    /// Why this body deliberately breaks the request schema (an error case); without it a
    /// schema-invalid body is a mistake in the case file.
    #[serde(default)]
    pub invalid_body: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDef {
    /// `404`, a class (`4xx`), or `{one_of: [400, 409]}`; compiled to [`super::StatusExpect`].
    #[serde(default)]
    pub status: Option<Value>,
    #[serde(default)]
    pub error_code: Option<String>,
    /// Field (JSON pointer or dotted name) → a value it must equal, or a matcher.
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// Fields that must not be in the body.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Header name → value or matcher.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Poll the job this response links to (`job.uuid`) until it ends, and expect this state.
    #[serde(default)]
    pub job_state: Option<String>,
    /// With `job_state`: the ONTAP error code the job reports (`error.code`, or `code`).
    #[serde(default)]
    pub job_error_code: Option<String>,
    /// What this block's own checks rest on (`{documented: SEED}`, `{observed: SOURCE}`,
    /// `{convention: WHY}`); an `error_code` alone needs none (the spec gives the code's).
    #[serde(default)]
    pub basis: Option<Value>,
    /// Alternatives, each a block of this shape with its own basis: the step passes when one of
    /// them holds (for a delivery the documents leave open).
    #[serde(default)]
    pub any_of: Vec<ExpectDef>,
    /// In a `convention` block only: why this suite holds to it.
    #[serde(default)]
    pub why: Option<String>,
}
