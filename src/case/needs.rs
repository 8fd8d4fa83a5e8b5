//! What a case relies on in the spec, step by step, for `spec diff`: the operations its steps
//! send, the ONTAP error codes and success statuses they expect, and the success-body fields
//! they match, forbid or capture. The diff says which of these NEW no longer has.
//!
//! An `any_of` alternative is one way among others for a step to pass, so what only an
//! alternative names is not counted: losing it does not break the case by itself. A field is
//! counted where a success body holds it (a block with no status, or one that admits a 2xx);
//! an error body's fields (`error.code`) are the same on every operation.

use super::Case;
use super::plan::{Expectation, Matcher, StatusExpect, Step};
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
