//! What the replay compares: the status, `error.code`, and the body's shape (its keys,
//! recursively, values ignored), which a correct emulator shares with any cluster whatever its
//! names, UUIDs and times.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::check::Response;
use crate::run::record::{Exchange, code_text};

/// What differs between the recorded answer and the emulator's.
pub(super) fn compare(x: &Exchange, got: &Result<Response, String>) -> Vec<String> {
    let (recorded, got) = match (&x.response, got) {
        (None, Err(_)) => return Vec::new(),
        (None, Ok(g)) => {
            let e = x.error.as_deref().unwrap_or("no answer");
            return vec![format!(
                "the recording has no answer ({e}); the emulator answered {}",
                g.status
            )];
        }
        (Some(_), Err(e)) => return vec![format!("the emulator did not answer: {e}")],
        (Some(r), Ok(g)) => (r, g),
    };
    let mut out = Vec::new();
    if recorded.status != got.status {
        out.push(format!(
            "status: recorded {}, emulator {}",
            recorded.status, got.status
        ));
    }
    let code = |b: Option<&Value>| b.and_then(|b| b.pointer("/error/code")).and_then(code_text);
    let (rc, gc) = (code(recorded.body.as_ref()), code(got.body.as_ref()));
    if rc != gc {
        let show = |c: &Option<String>| c.as_ref().map_or("none".into(), |c| format!("{c:?}"));
        out.push(format!(
            "error.code: recorded {}, emulator {}",
            show(&rc),
            show(&gc)
        ));
    }
    let (rs, gs) = (shape(recorded.body.as_ref()), shape(got.body.as_ref()));
    let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| {
        a.difference(b).cloned().collect::<Vec<_>>().join(", ")
    };
    let missing = only(&rs, &gs);
    if !missing.is_empty() {
        out.push(format!("keys only in the recording: {missing}"));
    }
    let extra = only(&gs, &rs);
    if !extra.is_empty() {
        out.push(format!("keys only in the emulator's answer: {extra}"));
    }
    out
}

/// The body's keys, recursively (`records[].name`). A list's elements contribute the keys every
/// one of them has; an empty list tells nothing of its elements.
fn shape(body: Option<&Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(b) = body {
        shape_into(b, "", &mut out);
    }
    out
}

fn shape_into(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                out.insert(p.clone());
                shape_into(x, &p, out);
            }
        }
        Value::Array(items) => {
            let p = format!("{at}[]");
            let mut common: Option<BTreeSet<String>> = None;
            for x in items {
                let mut s = BTreeSet::new();
                shape_into(x, &p, &mut s);
                common = Some(match common {
                    None => s,
                    Some(c) => c.intersection(&s).cloned().collect(),
                });
            }
            out.extend(common.unwrap_or_default());
        }
        _ => {}
    }
}
