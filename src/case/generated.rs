//! Checks derived from the spec for every operation, run like hand-written cases: a new
//! operation added to the spec is probed the day it is added, before anyone writes a case.
//!
//! Each check is written as a case file (YAML text) and loaded by the same loader, so it is held
//! to the same rules (every expectation with its basis) and lands in the same reports, under the
//! area `generated` with the id `<operation>.<check>` (reports name it
//! `generated::<operation>.<check>`). Only checks that change nothing whatever the target
//! answers are generated: reads, refused writes (a body that is not JSON, a body of one unknown
//! field, a key that names nothing). The set is deterministic for a given spec.

use std::fmt::Write as _;
use std::path::Path;

use super::{Case, load_case};
use crate::diag::Diagnostics;
use crate::spec::{Operation, Spec};

/// A value no ONTAP name has, for keys, fields and query parameters.
const NOBODY: &str = "ontap-conform-nobody";

/// The checks of every operation of `spec`.
pub fn generate(spec: &Spec) -> Result<Vec<Case>, Diagnostics> {
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for op in &spec.operations {
        for (check, text) in checks(op) {
            let id = format!("{}.{check}", slug(op));
            let file = format!("generated/{id}");
            let text = format!("id: {id}\n{text}");
            match load_case(Path::new(&file), "generated", &text, spec) {
                Ok(c) => cases.push(c),
                Err(d) => problems.extend(d.0),
            }
        }
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(Diagnostics(problems))
    }
}

/// `get-protocols-san-iscsi-credentials-by-key`: the operation, as an id can spell it.
fn slug(op: &Operation) -> String {
    let mut parts = vec![op.method.to_lowercase()];
    let mut keyed = false;
    for seg in op.path.trim_start_matches("/api/").split('/') {
        if seg.starts_with('{') {
            keyed = true;
        } else {
            parts.push(seg.replace('_', "-"));
        }
    }
    if keyed {
        parts.push("by-key".into());
    }
    parts.join("-")
}

/// The refusal every generated error check expects: a 4xx with an ONTAP error body.
fn refused(basis: &str) -> String {
    format!(
        "    expect:\n      status: 4xx\n      basis: {basis}\n      fields:\n        error.code: {{present: true}}\n        error.message: {{present: true}}\n"
    )
}

/// The checks of one operation, as (name, case text without its id).
fn checks(op: &Operation) -> Vec<(&'static str, String)> {
    let key = op.key();
    let params: Vec<&str> = op.path_params().collect();
    let path = if params.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = params.iter().map(|p| format!("{p}: {NOBODY}")).collect();
        format!("      path: {{{}}}\n", list.join(", "))
    };
    let head = |title: &str| {
        let mut h = format!("title: \"{key}: {title}\"\ntags: [generated]\n");
        if op.method != "GET" {
            // Refused writes change nothing, but a target that wrongly accepts one might.
            h.push_str("destructive: true\n");
        }
        let _ = write!(h, "steps:\n  - request:\n      operation: {key}\n");
        h
    };
    let mut out = Vec::new();
    if !params.is_empty() {
        out.push((
            "missing-key",
            format!(
                "{}{path}{}",
                head("a key that names nothing is refused with an ONTAP error"),
                refused("{observed: \"terraform-provider-netapp-ontap issue #290: a key that names nothing answered 404 {code: 4, message: entry doesn't exist}\"}")
            ),
        ));
    }
    if op.method == "GET" && params.is_empty() {
        out.push((
            "unknown-query",
            format!(
                "{}      query: {{{NOBODY}: 1}}\n{}",
                head("an unknown query parameter is refused"),
                refused("{observed: \"ansible-collections/netapp.ontap issue #178: an unknown argument answered code 262179, Unexpected argument\"}")
            ),
        ));
        out.push((
            "bad-fields",
            format!(
                "{}      query: {{fields: {NOBODY}}}\n{}      error_code: \"262197\"\n",
                head("a name in fields the resource does not have is refused"),
                refused("{observed: \"harvest PR #3639 and ansible-collections/netapp.ontap issue #189: a bad fields name answered 400 code 262197\"}")
            ),
        ));
    }
    if op.request.is_some() {
        out.push((
            "malformed-json",
            format!(
                "{}{path}      raw_body: '{{\"'\n{}",
                head("a body that is not JSON is refused"),
                refused("{convention: \"a body that is not JSON cannot be carried out; no capture shows ONTAP's code for it, so the check asks only for a refusal with an ONTAP error body\"}")
            ),
        ));
        out.push((
            "unknown-field",
            format!(
                "{}{path}      body: {{{}: true}}\n      invalid_body: a field the resource does not have\n{}",
                head("a body field the resource does not have is refused"),
                NOBODY.replace('-', "_"),
                refused("{observed: \"ansible-collections/netapp.ontap issue #178: an unknown body field answered code 262179, Unexpected argument\"}")
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_gets_its_checks_and_they_load() {
        let spec = Spec::load(None).unwrap();
        let cases = generate(&spec).expect("the generated checks load");
        for op in &spec.operations {
            let prefix = format!("{}.", slug(op));
            assert!(
                cases.iter().any(|c| c.def.id.starts_with(&prefix)),
                "no check for {}",
                op.key()
            );
        }
        let ids: Vec<&str> = cases.iter().map(|c| c.def.id.as_str()).collect();
        assert!(
            ids.contains(&"get-protocols-san-iscsi-credentials.bad-fields"),
            "{ids:?}"
        );
        assert!(ids.contains(&"delete-protocols-san-iscsi-credentials-by-key.missing-key"));
        assert!(ids.contains(&"patch-security.malformed-json"));
        // Deterministic: the same spec gives the same checks.
        let again: Vec<String> = generate(&spec)
            .unwrap()
            .into_iter()
            .map(|c| c.def.id)
            .collect();
        assert_eq!(ids, again.iter().map(String::as_str).collect::<Vec<_>>());
    }
}
