//! Two indexes compared: operations added and removed, and for each operation both have, what
//! differs in it.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::index::{Fields, Index, OpFacts, REQUEST};
use super::{
    BodyChange, Delta, Field, FieldAt, FieldChange, Moved, OpChange, OpRef, Side, SpecDiff,
};

/// Compares OLD with NEW. What the cases rely on is judged apart ([`super::gone`]), since it
/// needs the cases.
pub fn compare(old: &Index, new: &Index) -> SpecDiff {
    let mut d = SpecDiff {
        old: side(old),
        new: side(new),
        common_error_codes: delta(&old.common_codes, &new.common_codes),
        ..SpecDiff::default()
    };
    let mut memo = Memo::default();
    for (key, a) in &old.ops {
        match new.ops.get(key) {
            None => d.removed.push(op_ref(a)),
            Some(b) => match op_change(a, b, &mut memo) {
                Some(c) => d.changed.push(c),
                None => d.summary.operations_unchanged += 1,
            },
        }
    }
    d.added = new
        .ops
        .iter()
        .filter(|(k, _)| !old.ops.contains_key(*k))
        .map(|(_, b)| op_ref(b))
        .collect();
    let s = &mut d.summary;
    s.operations_added = d.added.len();
    s.operations_removed = d.removed.len();
    s.operations_changed = d.changed.len();
    for c in &d.changed {
        s.error_codes_added += c.error_codes.added.len();
        s.error_codes_removed += c.error_codes.removed.len();
        s.success_statuses_added += c.success_statuses.added.len();
        s.success_statuses_removed += c.success_statuses.removed.len();
        s.query_parameters_added += c.query_parameters.added.len();
        s.query_parameters_removed += c.query_parameters.removed.len();
        s.introduced_in_changed += usize::from(c.introduced_in.is_some());
        for b in &c.bodies {
            s.fields_added += b.added.len();
            s.fields_removed += b.removed.len();
            s.fields_changed += b.changed.len();
        }
    }
    d
}

fn side(i: &Index) -> Side {
    Side {
        label: i.label.clone(),
        operations: i.ops.len(),
        schemas: i.schemas,
    }
}

fn op_ref(o: &OpFacts) -> OpRef {
    OpRef {
        operation: o.key(),
        method: o.method.clone(),
        path: o.path.clone(),
        group: o.group.clone(),
    }
}

fn delta(old: &BTreeSet<String>, new: &BTreeSet<String>) -> Delta {
    Delta {
        added: new.difference(old).cloned().collect(),
        removed: old.difference(new).cloned().collect(),
    }
}

/// What differs in one operation both sides have; `None` when nothing does. Its group is NEW's.
fn op_change(a: &OpFacts, b: &OpFacts, memo: &mut Memo) -> Option<OpChange> {
    let statuses = delta(&a.statuses, &b.statuses);
    let c = OpChange {
        operation: b.key(),
        method: b.method.clone(),
        path: b.path.clone(),
        old_path: (a.path != b.path).then(|| a.path.clone()),
        group: b.group.clone(),
        introduced_in: (a.introduced_in != b.introduced_in).then(|| Moved {
            old: a.introduced_in.clone(),
            new: b.introduced_in.clone(),
        }),
        error_codes: delta(&a.codes, &b.codes),
        query_parameters: delta(&a.query, &b.query),
        bodies: bodies(a, b, &statuses, memo),
        success_statuses: statuses,
    };
    let same = c.old_path.is_none()
        && c.introduced_in.is_none()
        && c.error_codes.is_empty()
        && c.success_statuses.is_empty()
        && c.query_parameters.is_empty()
        && c.bodies.is_empty();
    (!same).then_some(c)
}

/// The request body first, then the success bodies by status. A body only one side has is
/// listed whole when it is the request body or its status is on both sides; a status only one
/// side documents is already in `success_statuses`.
fn bodies(a: &OpFacts, b: &OpFacts, statuses: &Delta, memo: &mut Memo) -> Vec<BodyChange> {
    let mut keys: Vec<&String> = a.bodies.keys().chain(b.bodies.keys()).collect();
    keys.sort_by_key(|k| (k.as_str() != REQUEST, k.as_str()));
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let whole = |change| BodyChange {
            body: key.clone(),
            change,
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        };
        let status_moved = statuses.added.contains(key) || statuses.removed.contains(key);
        match (a.bodies.get(key), b.bodies.get(key)) {
            (Some(fa), Some(fb)) => {
                let found = memo
                    .entry((Arc::as_ptr(fa) as usize, Arc::as_ptr(fb) as usize))
                    .or_insert_with(|| fields(fa, fb));
                if let Some(c) = found {
                    out.push(BodyChange {
                        body: key.clone(),
                        ..c.clone()
                    });
                }
            }
            (None, Some(_)) if !status_moved => out.push(whole("added")),
            (Some(_), None) if !status_moved => out.push(whole("removed")),
            _ => {}
        }
    }
    out
}

/// The body comparisons made so far, by the two field lists compared: the same pair of shared
/// schemas comes back for every operation that has them as bodies.
type Memo = HashMap<(usize, usize), Option<BodyChange>>;

/// The fields of two bodies compared; `None` when they are the same. Its `body` is left empty
/// for the caller, since one comparison serves every body with these two schemas.
fn fields(a: &Fields, b: &Fields) -> Option<BodyChange> {
    if Arc::ptr_eq(a, b) {
        return None;
    }
    let mut c = BodyChange {
        body: String::new(),
        change: "changed",
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for (path, fa) in a.iter() {
        match b.get(path) {
            None => c.removed.push(FieldAt {
                path: path.clone(),
                field: fa.clone(),
            }),
            Some(fb) if fa != fb => c.changed.push(FieldChange {
                path: path.clone(),
                differs: differs(fa, fb),
                old: fa.clone(),
                new: fb.clone(),
            }),
            Some(_) => {}
        }
    }
    for (path, fb) in b.iter() {
        if !a.contains_key(path) {
            c.added.push(FieldAt {
                path: path.clone(),
                field: fb.clone(),
            });
        }
    }
    (!(c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty())).then_some(c)
}

fn differs(a: &Field, b: &Field) -> Vec<&'static str> {
    [
        ("type", a.kind != b.kind),
        ("format", a.format != b.format),
        ("access", a.access != b.access),
        ("enum", a.enum_values != b.enum_values),
        ("introduced_in", a.introduced_in != b.introduced_in),
    ]
    .into_iter()
    .filter_map(|(name, d)| d.then_some(name))
    .collect()
}
