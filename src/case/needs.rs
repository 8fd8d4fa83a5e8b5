//! What a case relies on in the spec, step by step, for `spec diff`: the operations its steps
//! send, the ONTAP error codes and success statuses they expect, and the success-body fields
//! they match, forbid or capture. The diff says which of these NEW no longer has.
//!
//! An `any_of` alternative is one way among others for a step to pass, so what only an
//! alternative names is not counted: losing it does not break the case by itself. A field is
//! counted where a success body holds it (a block with no status, or one that admits a 2xx);
//! an error body's fields (`error.code`) are the same on every operation.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::plan::{Expectation, Matcher, StatusExpect, Step};
use super::{BUILTIN_CASES, Case};
use crate::spec::Spec;
use crate::spec::diff::Need;

/// One thing a case relies on, where the case says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNeed {
    /// The line of the case file that names it.
    pub line: usize,
    pub method: String,
    pub path: String,
    pub need: Need,
}

/// Everything `case` (loaded against `spec`) relies on, in the order it is written.
pub fn needs(case: &Case, spec: &Spec) -> Vec<CaseNeed> {
    let mut out = Vec::new();
    for step in case.setup.iter().chain(&case.steps).chain(&case.teardown) {
        step_needs(step, spec, &mut out);
    }
    out
}

fn step_needs(step: &Step, spec: &Spec, out: &mut Vec<CaseNeed>) {
    let op = spec.op(step.op);
    let mut push = |line: usize, need: Need| {
        out.push(CaseNeed {
            line,
            method: op.method.clone(),
            path: op.path.clone(),
            need,
        })
    };
    push(step.line, Need::Operation);
    let expect_success = step.expect.as_ref().is_none_or(|e| success(e, true));
    for (block, inherited) in [(&step.expect, true), (&step.convention, expect_success)] {
        let Some(e) = block else { continue };
        for code in [&e.error_code, &e.job_error_code].into_iter().flatten() {
            push(code.line, Need::ErrorCode(code.value.clone()));
        }
        if let Some(s) = &e.status {
            let listed: Vec<u16> = match &s.value {
                StatusExpect::Exact(x) => vec![*x],
                StatusExpect::OneOf(list) => list.clone(),
                StatusExpect::Class(_) => Vec::new(),
            };
            let ok: Vec<u16> = listed
                .into_iter()
                .filter(|s| (200..300).contains(s))
                .collect();
            if !ok.is_empty() {
                push(s.line, Need::Status(ok));
            }
        }
        if success(e, inherited) {
            for f in &e.fields {
                push(f.at.line, Need::Field(f.at.pointer.clone()));
                matcher_fields(&f.matcher, &f.at.pointer, f.at.line, &mut push);
            }
            for a in &e.absent {
                push(a.line, Need::Field(a.pointer.clone()));
            }
        }
    }
    if expect_success {
        for c in &step.captures {
            if let super::CaptureFrom::Body { pointer, .. } = &c.from {
                push(c.line, Need::Field(pointer.clone()));
            }
        }
    }
}

/// Every operation the case files name (`METHOD /path`), read from their text without loading
/// them: a spec cut down to these loads the cases as the whole spec does (see
/// `spec::diff::keep_operations`). More than they name is harmless (a path in a comment); a
/// file that cannot be read is the loader's to report.
pub fn named_operations(builtin: bool, dirs: &[PathBuf]) -> HashSet<(String, String)> {
    // A path runs to a space, a quote, a comma or a bracket; a `{name}` of its template is
    // part of it, while a lone `}` closes a flow map (`{operation: GET /api/x}`).
    let re = regex::Regex::new(
        r#"(?i)\b(get|post|patch|delete|put)\s+(/(?:[^\s"'#,\]{}]|\{[^\s{}]*\})+)"#,
    )
    .expect("a valid pattern");
    let mut out = HashSet::new();
    let mut scan = |text: &str| {
        for c in re.captures_iter(text) {
            out.insert((c[1].to_ascii_uppercase(), c[2].to_string()));
        }
    };
    if builtin {
        for (_, text) in BUILTIN_CASES {
            scan(text);
        }
    }
    for dir in dirs {
        let mut files = Vec::new();
        yaml_files(dir, &mut files);
        for f in files {
            if let Ok(text) = std::fs::read_to_string(&f) {
                scan(&text);
            }
        }
    }
    out
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Whether a block's checks meet a success body: its status admits a 2xx, or it states none
/// and `inherited` says the block it stands in for does.
fn success(e: &Expectation, inherited: bool) -> bool {
    match &e.status {
        None => inherited,
        Some(s) => match &s.value {
            StatusExpect::Exact(x) => (200..300).contains(x),
            StatusExpect::Class(c) => *c == 2,
            StatusExpect::OneOf(list) => list.iter().any(|x| (200..300).contains(x)),
        },
    }
}

/// The fields a matcher names below the field `base` it is on (`each`, `fields`, `not`,
/// `ordered_by`), as the case loader checks them.
fn matcher_fields(m: &Matcher, base: &str, line: usize, push: &mut impl FnMut(usize, Need)) {
    match m {
        Matcher::Each(inner) => matcher_fields(inner, &format!("{base}/0"), line, push),
        Matcher::Not(inner) => matcher_fields(inner, base, line, push),
        Matcher::Fields(list) => {
            for (at, inner) in list {
                let full = format!("{base}{}", at.pointer);
                // A field inside a matcher has no line of its own: the matcher's field's is shown.
                push(line, Need::Field(full.clone()));
                matcher_fields(inner, &full, line, push);
            }
        }
        Matcher::OrderedBy { field, .. } => {
            push(line, Need::Field(format!("{base}/0{}", field.pointer)));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CASE: &str = r#"id: needs
title: what a case relies on
operation: GET /api/protocols/san/iscsi/credentials
steps:
  - request:
      operation: GET /api/protocols/san/iscsi/credentials
    expect:
      status: 200
      basis: {convention: "a test's"}
      fields:
        records: {each: {fields: {svm.uuid: {present: true}}}}
      absent: [records.0.chap.inbound.password]
    capture:
      first: records.0.initiator
  - request:
      operation: POST /api/protocols/san/iscsi/credentials
      body: {svm: {uuid: "00000000-0000-0000-0000-000000000000"}, initiator: "iqn.1992-08.com.netapp:x", authentication_type: none}
    expect:
      status: 4xx
      error_code: "2621462"
      basis: {convention: "a test's"}
      fields:
        error.target: {present: true}
      any_of:
        - {status: 201, basis: {convention: "a test's"}}
"#;

    #[test]
    fn the_operations_a_suite_names_are_read_from_its_text() {
        let named = named_operations(true, &[]);
        let spec = Spec::load(None).unwrap();
        for c in crate::case::load_suite(&spec, true, &[]).unwrap() {
            for s in c.setup.iter().chain(&c.steps).chain(&c.teardown) {
                let op = spec.op(s.op);
                assert!(
                    named.contains(&(op.method.clone(), op.path.clone())),
                    "{}: {}",
                    c.def.id,
                    op.key()
                );
            }
        }
    }

    #[test]
    fn operations_codes_statuses_and_success_fields_with_their_lines() {
        let spec = Spec::load(None).unwrap();
        let case = crate::case::load_case(Path::new("cases/x/needs.yaml"), "x", CASE, &spec)
            .unwrap_or_else(|d| panic!("{d}"));
        let got: Vec<(usize, String, Need)> = needs(&case, &spec)
            .into_iter()
            .map(|n| (n.line, format!("{} {}", n.method, n.path), n.need))
            .collect();
        let list = "GET /api/protocols/san/iscsi/credentials".to_string();
        let post = "POST /api/protocols/san/iscsi/credentials".to_string();
        let field = |s: &str| Need::Field(s.into());
        assert_eq!(
            got,
            [
                (5, list.clone(), Need::Operation),
                (8, list.clone(), Need::Status(vec![200])),
                (11, list.clone(), field("/records")),
                (11, list.clone(), field("/records/0/svm/uuid")),
                (12, list.clone(), field("/records/0/chap/inbound/password")),
                (14, list.clone(), field("/records/0/initiator")),
                (15, post.clone(), Need::Operation),
                // A 4xx block's fields are the error body's, the same everywhere; the
                // alternative's 201 is one way among others.
                (20, post, Need::ErrorCode("2621462".into())),
            ]
        );
    }
}
