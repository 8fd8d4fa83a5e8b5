//! Whether something a case relies on is gone: OLD has it, NEW has not.
//!
//! The spec knows nothing of cases (they are a stage above it); the case side says what each
//! step needs as a [`Need`] on an operation, and this judges it against the two indexes.

use super::flatten::{ELEMENT, MAP_VALUE};
use super::index::{Index, OpFacts, REQUEST};

/// Something a case relies on, on one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The operation itself: a step sends it.
    Operation,
    /// An ONTAP error code a step expects of it (the operation's own, or a common one).
    ErrorCode(String),
    /// A success status a step expects: one of these (one, or the 2xx of a `one_of`).
    Status(Vec<u16>),
    /// A field of a success body a step names (matches, forbids or captures), as a JSON
    /// pointer: `/records/0/svm/name`.
    Field(String),
}

/// What is gone of `need` on `method path`, as (kind, words): OLD has it and NEW has not.
/// `None` when NEW has it, and when OLD never had it (the cases were loaded against another
/// spec, and nothing changed for them between OLD and NEW). Once the operation is gone, only
/// [`Need::Operation`] says so: its codes and fields are not listed again.
pub fn gone(
    old: &Index,
    new: &Index,
    method: &str,
    path: &str,
    need: &Need,
) -> Option<(&'static str, String)> {
    let a = old.op(method, path)?;
    let Some(b) = new.op(method, path) else {
        return (*need == Need::Operation).then(|| ("operation", "the operation".to_string()));
    };
    match need {
        Need::Operation => None,
        Need::ErrorCode(code) => {
            let has =
                |i: &Index, o: &OpFacts| o.codes.contains(code) || i.common_codes.contains(code);
            (has(old, a) && !has(new, b)).then(|| ("error_code", format!("error {code}")))
        }
        Need::Status(list) => {
            let has = |o: &OpFacts| list.iter().any(|s| o.statuses.contains(&s.to_string()));
            (has(a) && !has(b)).then(|| {
                let l: Vec<String> = list.iter().map(u16::to_string).collect();
                let word = if l.len() == 1 { "status" } else { "statuses" };
                ("success_status", format!("{word} {}", l.join(", ")))
            })
        }
        Need::Field(pointer) => {
            let path = documented_path(a, pointer)?;
            (!in_success_body(b, &path)).then(|| ("field", format!("field {path}")))
        }
    }
}

/// The deepest field of `pointer` an OLD success body documents, as a field path
/// (`/records/0/svm/name` → `records[].svm.name`); `None` when not even its first segment is
/// documented. A case may name a field below what the schema spells out (an open object): it
/// relies on the documented part.
fn documented_path(op: &OpFacts, pointer: &str) -> Option<String> {
    let mut cur = String::new();
    let mut found = None;
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let named = join(&cur, &seg);
        if in_success_body(op, &named) {
            cur = named;
            found = Some(cur.clone());
        } else if seg.parse::<usize>().is_ok() && has_below(op, &format!("{cur}{ELEMENT}")) {
            // An element of an array: not a field itself, its fields are below `name[]`.
            cur.push_str(ELEMENT);
        } else if in_success_body(op, &join(&cur, MAP_VALUE)) {
            cur = join(&cur, MAP_VALUE);
            found = Some(cur.clone());
        } else {
            break;
        }
    }
    found
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn success_bodies(op: &OpFacts) -> impl Iterator<Item = &super::index::Fields> {
    op.bodies
        .iter()
        .filter(|(k, _)| k.as_str() != REQUEST)
        .map(|(_, f)| f)
}

fn in_success_body(op: &OpFacts, path: &str) -> bool {
    success_bodies(op).any(|f| f.contains_key(path))
}

/// Whether a success body documents a field below `prefix` (`records[]`).
fn has_below(op: &OpFacts, prefix: &str) -> bool {
    success_bodies(op).any(|f| {
        f.range(prefix.to_string()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(prefix))
    })
}
