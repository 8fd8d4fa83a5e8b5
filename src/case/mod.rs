//! Case files: the model, its loader and the typed plan it compiles to.
//!
//! A case is data: requests and what must come back. The loader knows nothing of HTTP; it checks
//! each file against the spec (the operation exists, path parameters match the template, the body
//! is valid for the request schema, every `{{variable}}` is defined before use, every matcher and
//! status is one the checker understands, every field it matches, forbids or captures is one the
//! response can hold, no `TODO` placeholder is left) so that a broken case is reported with its
//! file, line and field before any request is sent.
//!
//! - [`def`]: the file as written (serde types, one per YAML object);
//! - [`load`]: the checks and the compilation (`load_case`), [`expect`] for `expect`, `capture`
//!   for `capture`, `fields` for every field path against the response schemas, `todo` for
//!   placeholders;
//! - [`plan`]: what comes out, the typed plan the runner executes ([`Case`], [`Step`],
//!   [`Expectation`], [`Matcher`]);
//! - `template`: `{{variables}}` and their interpolation;
//! - [`skeleton`]: a case file started from the spec (`cases new`);
//! - [`needs`]: what a case relies on in the spec, for `spec diff`.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::spec::Spec;
use crate::yaml::LineMap;

mod capture;
pub mod def;
mod expect;
mod fields;
pub mod generated;
mod load;
pub mod needs;
pub mod plan;
pub mod skeleton;
pub mod suite;
mod template;
mod todo;

pub use def::{AsDef, CaseDef, CaseFile, ExpectDef, RequestDef, Requires, StepDef};
pub use load::load_case;
pub use plan::{
    Capture, CaptureFrom, Expectation, FieldExpect, FieldRef, HeaderExpect, Located, Matcher, OpId,
    Phase, StatusExpect, Step,
};
pub use suite::{BUILTIN_CASES, load_suite};
pub use template::{Vars, interpolate, template_names};
pub use todo::{PLACEHOLDER, is_placeholder};

/// Variables every run provides (see `cases/README.md`).
pub const BUILTIN_VARS: [&str; 10] = [
    "run_id",
    "case_uid",
    "case_name",
    "user",
    "svm.name",
    "svm.uuid",
    "svm2.name",
    "svm2.uuid",
    "cluster.uuid",
    "cluster.name",
];

/// A loaded case: its metadata and its compiled steps.
#[derive(Debug, Clone)]
pub struct Case {
    pub def: CaseDef,
    /// Path relative to the cases directory's parent (`cases/iscsi/create.yaml`).
    pub file: PathBuf,
    /// Area: the first folder under `cases/`.
    pub area: String,
    /// The operation the case is about, and its method and template (for reports and filters).
    pub op: OpId,
    pub method: String,
    pub path: String,
    pub setup: Vec<Step>,
    pub steps: Vec<Step>,
    pub teardown: Vec<Step>,
    /// Index of the main step in `steps` (the first one on the case's operation).
    pub main_step: usize,
    pub lines: LineMap,
}

impl Case {
    /// The status the main step expects, when it names exactly one (reports' `expected.status`).
    pub fn expected_status(&self) -> Option<u16> {
        self.expected_status_rule().and_then(StatusExpect::exact)
    }

    /// What the main step expects of the status: one, a class or a list.
    pub fn expected_status_rule(&self) -> Option<&StatusExpect> {
        let e = self.steps[self.main_step].expect.as_ref()?;
        e.status.as_ref().map(|s| &s.value)
    }

    pub fn expected_error_code(&self) -> Option<&str> {
        let e = self.steps[self.main_step].expect.as_ref()?;
        e.error_code.as_ref().map(|c| c.value.as_str())
    }

    pub fn operation_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Where a step is written: `cases/iscsi/create.yaml:14`.
    pub fn location(&self, line: usize) -> String {
        format!("{}:{line}", self.file.display())
    }
}

/// Splits `"GET /api/x"` into method and path.
pub fn split_operation(s: &str) -> Option<(String, String)> {
    let (m, p) = s.trim().split_once(' ')?;
    let m = m.to_ascii_uppercase();
    let p = p.trim();
    (p.starts_with('/') && !m.is_empty()).then(|| (m, p.to_string()))
}

/// A field name in a case (`records.0.svm.name`, `records[0].svm.name` or `/records/0/svm/name`)
/// as a JSON pointer.
pub fn field_pointer(field: &str) -> String {
    if field.starts_with('/') || field.is_empty() {
        return field.to_string();
    }
    let mut out = String::new();
    for seg in field.split('.') {
        let (name, idx) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.strip_suffix(']')),
            None => (seg, None),
        };
        if !name.is_empty() {
            out.push('/');
            out.push_str(&crate::yaml::escape_segment(name));
        }
        if let Some(i) = idx {
            out.push('/');
            out.push_str(i);
        }
    }
    out
}

/// The "did you mean" hint lives with the diagnostics, where the spec's checks reach it too.
pub(crate) use crate::diag::did_you_mean;

/// Loads every `*.yaml` under `dir` (sorted, so runs are stable), checking each against `spec`.
/// All problems of all files are returned together.
pub fn load_dir(dir: &Path, spec: &Spec) -> Result<Vec<Case>, Diagnostics> {
    suite::load_suite(spec, false, &[dir.to_path_buf()])
}

#[cfg(test)]
mod tests;
