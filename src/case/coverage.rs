//! Which documented statuses and ONTAP error codes the cases exercise.

use crate::spec::Spec;

use super::{Case, split_operation};

/// What the spec documents and no case exercises.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Gaps {
    /// (operation, error code) pairs without a case expecting that code on that operation.
    pub errors: Vec<(String, String)>,
    /// (operation, success status) pairs without a case expecting that status.
    pub statuses: Vec<(String, u16)>,
}

impl Gaps {
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.statuses.is_empty()
    }
}

/// The (operation, status, error code) expectations of every main step of every case.
pub fn expectations(cases: &[Case]) -> Vec<(String, Option<u16>, Option<String>)> {
    let mut out = Vec::new();
    for c in cases {
        for s in &c.def.steps {
            let Some((m, p)) = split_operation(&s.request.operation) else {
                continue;
            };
            let e = s.expect.as_ref();
            out.push((
                format!("{m} {p}"),
                e.and_then(|e| e.status),
                e.and_then(|e| e.error_code.clone()),
            ));
        }
    }
    out
}

/// Compares the spec's documented statuses and codes with what the cases expect.
pub fn gaps(spec: &Spec, cases: &[Case]) -> Gaps {
    let have = expectations(cases);
    let mut gaps = Gaps::default();
    for op in &spec.operations {
        let key = op.key();
        for e in &op.errors {
            if !have
                .iter()
                .any(|(k, _, c)| *k == key && c.as_deref() == Some(e.code.as_str()))
            {
                gaps.errors.push((key.clone(), e.code.clone()));
            }
        }
        for s in op.success_statuses() {
            if !have.iter().any(|(k, st, _)| *k == key && *st == Some(s)) {
                gaps.statuses.push((key.clone(), s));
            }
        }
    }
    gaps
}
