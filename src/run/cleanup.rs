//! Removing what earlier runs left behind (`ontap-conform cleanup`).
//!
//! Every name a case creates carries the run's id (`oc` + 6 hex digits, in `{{run_id}}` or
//! `{{case_uid}}`), so leftovers are recognisable without a record of past runs: a run killed
//! with SIGKILL, or a machine lost mid-run, leaves no state file, but its names still say whose
//! they were.
//!
//! What cleanup looks for is read from the cases themselves, not written by hand: every `POST`
//! of every case (the built-in suite, the user's `--cases`, the generated checks) to a
//! collection whose records the spec can `DELETE` is a kind of object the suite makes, and the
//! template of the name it sends (`iqn.1992-08.com.netapp:{{case_uid}}-2`, with the case's own
//! variables expanded) becomes a pattern with the run id in it. A name without a run id in it is
//! never touched, whatever the pattern around it.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

use super::target::Target;
use super::{RunError, RunOptions};
use crate::case::Case;
use crate::spec::Spec;

/// One leftover and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// What it is: the collection it was found in (`/api/protocols/san/iscsi/credentials`).
    pub kind: String,
    /// `svm1 iqn.1992-08.com.netapp:oc1a2b3c-4`.
    pub name: String,
    pub path: String,
    /// `None` when not (yet) deleted; `Some(Ok)` deleted; `Some(Err)` why not.
    pub removed: Option<Result<(), String>>,
}

/// What a cleanup found and did.
#[derive(Debug, Default)]
pub struct Cleanup {
    pub leftovers: Vec<Leftover>,
    /// Settings a run may have changed and a cleanup cannot judge (it does not know what they
    /// were before): shown so a person can check them.
    pub settings: Vec<String>,
    /// The kinds of object searched, for the summary.
    pub searched: Vec<String>,
}

/// The run id's shape inside a name.
const RUN_ID: &str = "oc[0-9a-f]{6}";
/// A case's unique id inside a name: the run id and the case's number.
const CASE_UID: &str = "oc[0-9a-f]{6}-[0-9]+";
/// The same, as `{{case_name}}` writes it.
const CASE_NAME: &str = "oc[0-9a-f]{6}_[0-9]+";

/// One kind of object the suite makes: where it is listed and deleted, which field names it,
/// and the patterns of the names the suite gives it.
#[derive(Debug, Clone)]
pub struct Kind {
    /// The collection the cases POST to (`/api/security/accounts`).
    pub collection: String,
    /// Its records' path template (`/api/security/accounts/{owner.uuid}/{name}`).
    pub item: String,
    /// The field holding the name (`name`, `initiator`), as a dotted path.
    pub name_field: String,
    /// Anchored patterns, each with the run id in it; the sources they came from beside them.
    pub patterns: Vec<(Regex, String)>,
}

impl Kind {
    /// Whether `name` is one the suite makes.
    pub fn matches(&self, name: &str) -> bool {
        self.patterns.iter().any(|(p, _)| p.is_match(name))
    }
}

/// A name template the suite sends that carries no run id: what cleanup could never find, for
/// the test that holds every case to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfindable {
    pub case: String,
    pub operation: String,
    pub template: String,
}

/// Every kind of object the cases make, with the patterns of their names, and the names they
/// make that carry no run id.
pub fn kinds(spec: &Spec, cases: &[Case]) -> (Vec<Kind>, Vec<Unfindable>) {
    let mut by_collection: BTreeMap<String, Kind> = BTreeMap::new();
    let mut unfindable = Vec::new();
    for case in cases {
        for step in case.setup.iter().chain(&case.steps).chain(&case.teardown) {
            let op = spec.op(step.op);
            let method = step.request.method.as_deref().unwrap_or(&op.method);
            if !method.eq_ignore_ascii_case("POST") {
                continue;
            }
            let Some(item) = item_path(spec, &op.path) else {
                continue;
            };
            let Some(body) = &step.request.body else {
                continue;
            };
            let Some((field, template)) = name_in(body, &item, &op.path) else {
                continue;
            };
            let pattern = pattern_of(&template, case);
            // A name a correct cluster must refuse (`iqn.`, a name one past its maximum length)
            // creates nothing, and cannot carry a run id; it is still looked for if it does.
            if pattern.is_none() && !may_create(step) {
                continue;
            }
            let kind = by_collection
                .entry(op.path.clone())
                .or_insert_with(|| Kind {
                    collection: op.path.clone(),
                    item: item.clone(),
                    name_field: field.clone(),
                    patterns: Vec::new(),
                });
            match pattern {
                Some(p) if kind.name_field == field => {
                    if !kind.patterns.iter().any(|(q, _)| q.as_str() == p.as_str()) {
                        kind.patterns.push((p, template));
                    }
                }
                _ => unfindable.push(Unfindable {
                    case: format!("{}::{}", case.area, case.def.id),
                    operation: op.key(),
                    template,
                }),
            }
        }
    }
    let kinds = by_collection
        .into_values()
        .filter(|k| !k.patterns.is_empty())
        .collect();
    (kinds, unfindable)
}

/// The path of one record of `collection`: a template one or more `{key}` segments longer that
/// the spec documents a `DELETE` on (the shortest, when there are several).
fn item_path(spec: &Spec, collection: &str) -> Option<String> {
    spec.operations
        .iter()
        .filter(|o| o.method == "DELETE")
        .filter_map(|o| {
            let rest = o.path.strip_prefix(collection)?.strip_prefix('/')?;
            rest.split('/')
                .all(|s| s.starts_with('{') && s.ends_with('}'))
                .then(|| o.path.clone())
        })
        .min_by_key(String::len)
}

/// Whether a step may create what it posts: its expectations admit a success. A step that
/// expects only a refusal creates nothing on a correct cluster (its teardown removes what a wrong
/// one kept).
fn may_create(step: &crate::case::Step) -> bool {
    fn admits_success(e: &crate::case::Expectation) -> bool {
        let own = match (&e.status, &e.error_code) {
            (Some(s), _) => (200..300).any(|c| s.value.admits(c)),
            (None, Some(_)) => false,
            (None, None) => true,
        };
        own || e.any_of.iter().any(admits_success)
    }
    step.expect.as_ref().is_none_or(admits_success)
}

/// The body field that names the created record, and its template: the record's own key (the
/// item path's last), else the body's `name` (for records keyed by a UUID the cluster gives).
fn name_in(body: &Value, item: &str, collection: &str) -> Option<(String, String)> {
    let keys: Vec<&str> = item[collection.len()..]
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    let at = |field: &str| -> Option<String> {
        let pointer = format!("/{}", field.replace('.', "/"));
        body.pointer(&pointer)
            .or_else(|| body.get(field))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let own = keys.last()?;
    at(own)
        .map(|t| (own.to_string(), t))
        .or_else(|| at("name").map(|t| ("name".to_string(), t)))
        .filter(|(_, t)| !t.is_empty())
}

/// The anchored pattern of the names `template` expands to in `case`, or `None` when no
/// expansion of it carries the run id.
pub fn pattern_of(template: &str, case: &Case) -> Option<Regex> {
    let body = expand(template, case, 0)?;
    if !body.contains(RUN_ID) {
        return None;
    }
    Regex::new(&format!("^{body}$")).ok()
}

/// `template` as a regular expression: literal text escaped, the run's ids as their shapes, the
/// case's own variables expanded in turn, anything else (the cluster's names, captures) as
/// "some text".
fn expand(template: &str, case: &Case, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&regex::escape(&rest[..start]));
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let name = after[..end].trim();
        out.push_str(&match name {
            "run_id" => RUN_ID.to_string(),
            "case_uid" => CASE_UID.to_string(),
            "case_name" => CASE_NAME.to_string(),
            _ => match case.def.vars.get(name) {
                Some(Value::String(v)) => expand(v, case, depth + 1)?,
                Some(other) => regex::escape(&other.to_string()),
                None => ".+?".to_string(),
            },
        });
        rest = &after[end + 2..];
    }
    out.push_str(&regex::escape(rest));
    Some(out)
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// GETs every record of a collection, following `_links.next`.
async fn records(target: &Target, path: &str) -> Result<Vec<Value>, RunError> {
    let mut next = path.to_string();
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let resp = target.get_for_run(&next).await?;
        let body = resp.body.unwrap_or(Value::Null);
        if resp.status != 200 {
            return Err(RunError::Config(format!(
                "GET {path} answered {}: {}",
                resp.status,
                body.pointer("/error/message")
                    .and_then(Value::as_str)
                    .unwrap_or("no ONTAP error message")
            )));
        }
        if let Some(r) = body.get("records").and_then(Value::as_array) {
            out.extend(r.iter().cloned());
        }
        match body.pointer("/_links/next/href").and_then(Value::as_str) {
            Some(link) => next = link.to_string(),
            None => return Ok(out),
        }
    }
    Err(RunError::Config(format!(
        "GET {path}: more than 10000 pages; stopped"
    )))
}

/// A field of a record by its dotted path (`svm.uuid`).
fn field<'a>(record: &'a Value, dotted: &str) -> Option<&'a Value> {
    record.pointer(&format!("/{}", dotted.replace('.', "/")))
}

/// The collection paths of a template: itself when it has no parameter; for a collection under
/// records (`/api/storage/volumes/{volume.uuid}/snapshots`), one per record of the parent
/// collection, its key read from the parent's records (a record's own `uuid` where the
/// parameter is named after the parent, `volume.uuid` of the volumes; else the field the
/// parameter names, `svm.uuid` of `/api/protocols/fpolicy`).
async fn concrete(target: &Target, template: &str) -> Result<Vec<String>, RunError> {
    let Some(start) = template.find("/{") else {
        return Ok(vec![template.to_string()]);
    };
    let Some(len) = template[start..].find('}') else {
        return Ok(Vec::new());
    };
    let (parent, param, rest) = (
        &template[..start],
        &template[start + 2..start + len],
        &template[start + len + 1..],
    );
    let named_after_parent = crate::spec::singular(parent.rsplit('/').next().unwrap_or(""));
    let field = match param.split_once('.') {
        Some((label, key)) if named_after_parent == label => key,
        _ => param,
    };
    let mut out = Vec::new();
    for parents in Box::pin(concrete(target, parent)).await? {
        let list = format!(
            "{parents}?fields={}&max_records=1000",
            field.split('.').next().unwrap_or(field)
        );
        for r in records(target, &list).await? {
            let Some(v) = self::field(&r, field).and_then(Value::as_str) else {
                continue;
            };
            out.push(format!("{parents}/{}{rest}", enc(v)));
        }
    }
    // What follows the parameter may hold another.
    let mut all = Vec::new();
    for p in out {
        all.extend(Box::pin(concrete(target, &p)).await?);
    }
    Ok(all)
}

/// The leftovers of `kind` among `records` of the collection at `collection` (the kind's, its
/// parameters filled): each with the path that deletes it.
fn leftovers_in(kind: &Kind, collection: &str, records: &[Value]) -> Vec<Leftover> {
    let keys: Vec<&str> = kind.item[kind.collection.len()..]
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    let mut out = Vec::new();
    for r in records {
        let Some(name) = field(r, &kind.name_field).and_then(Value::as_str) else {
            continue;
        };
        if !kind.matches(name) {
            continue;
        }
        let values: Option<Vec<String>> = keys
            .iter()
            .map(|k| field(r, k).and_then(Value::as_str).map(String::from))
            .collect();
        let Some(values) = values else { continue };
        let mut path = collection.to_string();
        for v in &values {
            path.push('/');
            path.push_str(&enc(v));
        }
        // The owner's name, where the record has one, reads better than its UUID.
        let owner = keys
            .first()
            .and_then(|k| k.split_once('.'))
            .and_then(|(o, _)| field(r, &format!("{o}.name")))
            .and_then(Value::as_str);
        out.push(Leftover {
            kind: kind.collection.clone(),
            name: match owner {
                Some(o) => format!("{o} {name}"),
                None => name.to_string(),
            },
            path,
            removed: None,
        });
    }
    out
}

/// The `fields` a collection GET (of `collection`, the kind's with its parameters filled) must
/// ask for to find a kind's leftovers.
fn list_query(kind: &Kind, collection: &str) -> String {
    let mut fields: Vec<String> = kind.item[kind.collection.len()..]
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|k| k.split('.').next().unwrap_or(k).to_string())
        .collect();
    fields.push(kind.name_field.split('.').next().unwrap_or("name").into());
    fields.dedup();
    format!("{collection}?fields={}&max_records=1000", fields.join(","))
}

/// Lists the leftovers of `kinds` on the target and, unless `dry_run`, deletes them.
pub async fn cleanup(
    opts: &RunOptions,
    kinds: &[Kind],
    dry_run: bool,
) -> Result<Cleanup, RunError> {
    let target = Target::new(opts)?;
    let mut found = Cleanup::default();
    for k in kinds {
        found.searched.push(k.collection.clone());
        for collection in concrete(&target, &k.collection).await? {
            let records = records(&target, &list_query(k, &collection)).await?;
            found
                .leftovers
                .extend(leftovers_in(k, &collection, &records));
        }
    }
    if !dry_run {
        for l in &mut found.leftovers {
            let result =
                target
                    .call("DELETE", &l.path, None)
                    .await
                    .and_then(|resp| match resp.status {
                        200..=299 => Ok(()),
                        s => Err(format!(
                            "DELETE answered {s}: {}",
                            resp.body
                                .as_ref()
                                .and_then(|b| b.pointer("/error/message"))
                                .and_then(Value::as_str)
                                .unwrap_or("no ONTAP error message")
                        )),
                    });
            l.removed = Some(result);
        }
    }
    if let Ok(sec) = target
        .get("/api/security?fields=fips,software_data_encryption")
        .await
        .and_then(|r| r.body.ok_or_else(|| "no body".to_string()))
    {
        if let Some(f) = sec.pointer("/fips/enabled").and_then(Value::as_bool) {
            found.settings.push(format!("fips.enabled is {f}"));
        }
        if let Some(c) = sec
            .pointer("/software_data_encryption/conversion_enabled")
            .and_then(Value::as_bool)
        {
            found.settings.push(format!(
                "software_data_encryption.conversion_enabled is {c}"
            ));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Vars, interpolate, load_suite};
    use serde_json::json;

    fn suite() -> (Spec, Vec<Case>) {
        let spec = Spec::load(None).unwrap();
        let mut cases = load_suite(&spec, true, &[]).unwrap();
        cases.extend(crate::case::generated::generate(&spec, 1).unwrap());
        (spec, cases)
    }

    /// Every name every case (and every generated check) sends in a POST that creates a record,
    /// expanded with the run's own variables as a run expands it, is a name cleanup finds; and
    /// no case makes a name cleanup could never find.
    #[test]
    fn cleanup_finds_every_name_the_suite_makes() {
        let (spec, cases) = suite();
        let (kinds, unfindable) = kinds(&spec, &cases);
        assert_eq!(unfindable, vec![], "names without the run id");
        let collections: Vec<&str> = kinds.iter().map(|k| k.collection.as_str()).collect();
        assert_eq!(
            collections,
            vec![
                "/api/application/applications/{application.uuid}/snapshots",
                "/api/network/ethernet/broadcast-domains",
                "/api/network/ipspaces",
                "/api/protocols/cifs/shares",
                "/api/protocols/fpolicy/{svm.uuid}/events",
                "/api/protocols/nfs/export-policies",
                "/api/protocols/nvme/subsystems",
                "/api/protocols/s3/services/{svm.uuid}/buckets",
                "/api/protocols/s3/services/{svm.uuid}/users",
                "/api/protocols/san/igroups",
                "/api/protocols/san/iscsi/credentials",
                "/api/protocols/vscan/{svm.uuid}/on-access-policies",
                "/api/security/accounts",
                "/api/snapmirror/policies",
                "/api/storage/luns",
                "/api/storage/namespaces",
                "/api/storage/qtrees",
                "/api/storage/volumes",
                "/api/storage/volumes/{volume.uuid}/snapshots",
                "/api/support/ems/filters",
                "/api/svm/svms",
            ]
        );
        let mut checked = 0;
        for case in &cases {
            let mut vars = Vars::default();
            vars.set("run_id", json!("oc7d2d8e"));
            vars.set("case_uid", json!("oc7d2d8e-17"));
            vars.set("case_name", json!("oc7d2d8e_17"));
            vars.set("user", json!("admin"));
            for p in ["svm", "svm2"] {
                vars.set(format!("{p}.name"), json!("svm1"));
                vars.set(
                    format!("{p}.uuid"),
                    json!("19d04b8e-94d7-11e8-8370-005056b48fd2"),
                );
            }
            for (n, v) in &case.def.vars {
                let v = interpolate(v, &vars).unwrap_or_else(|_| v.clone());
                vars.set(n.clone(), v);
            }
            for n in &case.def.secrets {
                vars.set(n.clone(), json!("Secret-2026"));
            }
            for step in case.setup.iter().chain(&case.steps).chain(&case.teardown) {
                let op = spec.op(step.op);
                let Some(kind) = kinds.iter().find(|k| k.collection == op.path) else {
                    continue;
                };
                if step.request.method.as_deref().unwrap_or(&op.method) != "POST" {
                    continue;
                }
                let Some(body) = &step.request.body else {
                    continue;
                };
                let Ok(body) = interpolate(body, &vars) else {
                    continue;
                };
                let Some(name) = field(&body, &kind.name_field).and_then(Value::as_str) else {
                    continue;
                };
                // A name a correct cluster must refuse may lack the run id (`iqn.`): `kinds`
                // reports any such name of a request that may create.
                if !name.contains("oc7d2d8e") && !may_create(step) {
                    continue;
                }
                assert!(
                    kind.matches(name),
                    "{}::{}: cleanup would not find `{name}` in {}",
                    case.area,
                    case.def.id,
                    kind.collection
                );
                checked += 1;
            }
        }
        assert!(checked > 80, "only {checked} names checked");
        // What was filed against the hand-written pattern: a flow's `{{initiator}}-1`.
        let creds = kinds
            .iter()
            .find(|k| k.collection.ends_with("credentials"))
            .unwrap();
        assert!(creds.matches("iqn.1992-08.com.netapp:oc7d2d8e-17-1"));
        assert!(creds.matches("iqn.1992-08.com.netapp:oc7d2d8e-17"));
    }

    #[test]
    fn names_without_the_run_id_are_never_touched() {
        let (spec, cases) = suite();
        let (kinds, _) = kinds(&spec, &cases);
        for k in &kinds {
            for name in [
                "admin",
                "iqn.1992-08.com.netapp:prod-host",
                "iqn.1992-08.com.netapp:sn.4b17e2",
                "uoc00ff00",
                "iqn.1992-08.com.netapp:oc1a2b3c",
                "",
            ] {
                assert!(!k.matches(name), "{} matches {name:?}", k.collection);
            }
            for (p, _) in &k.patterns {
                assert!(p.as_str().contains(RUN_ID), "{p}");
            }
        }
    }

    #[test]
    fn leftovers_carry_the_path_that_deletes_them() {
        let (spec, cases) = suite();
        let (kinds, _) = kinds(&spec, &cases);
        let creds = kinds
            .iter()
            .find(|k| k.collection.ends_with("credentials"))
            .unwrap();
        let records = vec![
            json!({"svm": {"name": "svm1", "uuid": "u-1"}, "initiator": "iqn.1992-08.com.netapp:oc7d2d8e-17-3"}),
            json!({"svm": {"name": "svm1", "uuid": "u-1"}, "initiator": "iqn.1992-08.com.netapp:prod"}),
        ];
        let found = leftovers_in(creds, &creds.collection, &records);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].path,
            "/api/protocols/san/iscsi/credentials/u%2D1/iqn%2E1992%2D08%2Ecom%2Enetapp%3Aoc7d2d8e%2D17%2D3"
        );
        assert_eq!(found[0].name, "svm1 iqn.1992-08.com.netapp:oc7d2d8e-17-3");
        assert_eq!(
            list_query(creds, &creds.collection),
            "/api/protocols/san/iscsi/credentials?fields=svm,initiator&max_records=1000"
        );
    }
}
