//! `cases new`: a case file started from the spec, so a new case begins with what the spec
//! already knows and its author fills in only what the spec cannot say.
//!
//! What a skeleton sends is what the request needs in practice: the operation's
//! `x-conform-sample` where it has one (a request a correct cluster carries out, with the
//! variables, secrets, setup and teardown it needs: the same prelude the generated checks start
//! from), the body fields the request schema requires beside it, the run's own values where they
//! exist (`{{svm.uuid}}`, a generated secret for a password, a `{{case_uid}}` name for what a
//! POST creates so `cleanup` finds it), a record read from the collection for a GET of one
//! record, and `TODO` only where nothing is known. `TODO` is a load error
//! ([`super::is_placeholder`]), so a skeleton cannot run before its author has filled it in.

mod emit;
mod request;

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::generated::Samples;
use crate::diag::Diagnostics;
use crate::spec::{OntapError, Operation, Spec};

/// The first line of every skeleton.
const HEADER: &str = "# Started by `ontap-conform cases new`: fill in every TODO (the file does not load until then).";

/// The case file text for `op` (an error case when `code` is given), or the problems of the
/// spec's samples.
pub fn skeleton(
    spec: &Spec,
    op: &Operation,
    code: Option<&OntapError>,
) -> Result<String, Diagnostics> {
    let samples = Samples::read(spec)?;
    let mut d = request::Draft::new(spec, op, &samples, code.is_none());
    let req = d.request();
    let mut y = String::new();
    let _ = writeln!(y, "{HEADER}");
    let _ = writeln!(y, "id: {}", unique(id(op, code.map(|c| c.code.as_str()))));
    emit::entry(&mut y, 0, "title", &json!("TODO: what the case shows"));
    emit::entry(&mut y, 0, "operation", &json!(op.key()));
    if op.method != "GET" {
        let _ = writeln!(y, "destructive: true");
    }
    if d.exclusive {
        let _ = writeln!(
            y,
            "exclusive: true   # the sample changes a cluster-wide setting"
        );
    }
    if d.isolated {
        let _ = writeln!(
            y,
            "isolated: true    # the sample writes an object that was there: nothing else may change it meanwhile"
        );
    }
    if !d.vars.is_empty() {
        emit::block_entry(&mut y, 0, "vars", &Value::Object(d.vars.clone()));
    }
    if !d.secrets.is_empty() {
        emit::entry(&mut y, 0, "secrets", &json!(d.secrets));
    }
    if !d.setup.is_empty() {
        emit::entry(&mut y, 0, "setup", &Value::Array(d.setup.clone()));
    }
    let _ = writeln!(y, "steps:");
    emit::item(&mut y, 2, &json!({ "request": req }));
    let _ = writeln!(y, "    expect:");
    match code {
        Some(e) => {
            let _ = writeln!(
                y,
                "      # The code rests on {}; its exact status ({}) is the spec's {} and is checked by itself.",
                e.basis,
                e.status,
                e.status_basis.kind()
            );
            let _ = writeln!(y, "      status: 4xx");
            emit::entry(&mut y, 6, "error_code", &json!(e.code));
        }
        None => {
            let statuses = op.success_statuses();
            let status = statuses.first().copied().unwrap_or(200);
            let _ = writeln!(y, "      status: {status}");
            if statuses.len() > 1 {
                let others: Vec<String> = statuses[1..].iter().map(u16::to_string).collect();
                y.pop();
                let _ = writeln!(
                    y,
                    "   # also documented: {} (a case of its own, or {{one_of: [..]}})",
                    others.join(", ")
                );
            }
            let (basis, note) = d.basis();
            emit::entry(&mut y, 6, "basis", &basis);
            if let Some(note) = note {
                y.pop();
                let _ = writeln!(y, "   # {note}");
            }
        }
    }
    if !d.teardown.is_empty() {
        emit::entry(&mut y, 0, "teardown", &Value::Array(d.teardown.clone()));
    }
    Ok(y)
}

/// The id of a skeleton: the method and every literal segment of the path (two operations
/// differ in one or the other), the path parameters of a path to one record (`GET
/// /api/svm/svms` and `GET /api/svm/svms/{uuid}` are two operations), and the code of an
/// error case: unique per operation and code.
pub fn id(op: &Operation, code: Option<&str>) -> String {
    let mut parts = vec![op.method.to_lowercase()];
    let mut keys = Vec::new();
    for seg in op.path.trim_start_matches("/api/").split('/') {
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(key) => keys.push(key.replace(['.', '_'], "-")),
            None => parts.push(seg.replace('_', "-")),
        }
    }
    if !keys.is_empty() {
        parts.push(format!("by-{}", keys.join("-")));
    }
    parts.extend(code.map(str::to_string));
    parts.join("-")
}

/// `id`, or `id-2`, `id-3`... when the built-in suite has it: a case of the user's beside the
/// suite must not take one of its ids (the loader refuses the second).
fn unique(id: String) -> String {
    // The built-in cases' ids, read once: parsing the whole suite for every skeleton made a
    // skeleton cost 25 ms.
    static TAKEN: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        super::BUILTIN_CASES
            .iter()
            .filter_map(|(_, text)| {
                let (v, _) = crate::yaml::parse(text).ok()?;
                v.get("id")?.as_str().map(str::to_string)
            })
            .collect()
    });
    let taken = &*TAKEN;
    (1..)
        .map(|n| {
            if n == 1 {
                id.clone()
            } else {
                format!("{id}-{n}")
            }
        })
        .find(|c| !taken.contains(c))
        .unwrap_or(id)
}

/// `{a: {b: 1}}` with `value` set at the dotted `name` where nothing is yet.
fn insert_dotted(body: &mut Map<String, Value>, name: &str, value: Value) {
    let (head, rest) = match name.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (name, None),
    };
    match rest {
        None => {
            body.entry(head).or_insert(value);
        }
        Some(rest) => {
            let child = body.entry(head).or_insert_with(|| json!({}));
            if let Value::Object(m) = child {
                insert_dotted(m, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests;
