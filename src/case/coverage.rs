//! Which documented statuses and ONTAP error codes the cases exercise.

use crate::spec::Spec;

use super::Case;

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

/// Compares the spec's documented statuses and codes with what the cases expect.
pub fn gaps(spec: &Spec, cases: &[Case]) -> Gaps {
    let have: Vec<_> = cases.iter().flat_map(|c| c.expectations(spec)).collect();
    let mut gaps = Gaps::default();
    for op in &spec.operations {
        let key = op.key();
        for e in &op.errors {
            if !have.iter().any(|(m, p, _, c)| {
                *m == op.method && *p == op.path && c.as_deref() == Some(e.code.as_str())
            }) {
                gaps.errors.push((key.clone(), e.code.clone()));
            }
        }
        for s in op.success_statuses() {
            if !have
                .iter()
                .any(|(m, p, st, _)| *m == op.method && *p == op.path && *st == Some(s))
            {
                gaps.statuses.push((key.clone(), s));
            }
        }
    }
    gaps
}
