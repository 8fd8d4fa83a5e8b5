//! Every POST, PATCH and DELETE of the built-in spec (the curated spec's and NetApp's imported
//! layer's) sent a well-formed request on a fresh emulator, each answered with a status the
//! operation documents: its success (and for a 202 a job that ends in success), or an ONTAP
//! error its `default` documents. Never a 5xx, never a 405 for a documented method, never a
//! status the operation does not document. The operations that do not succeed are listed in
//! [`EXCEPTIONS`], each with its reason.
//!
//! The requests, from what the emulator itself serves:
//! - a POST body is the first record of the collection (or the object) as a GET with
//!   `fields=*` shows it, with what the request schema lets a POST set (no `readOnly`, no
//!   `x-ontap-no-post`, no `_links`); its `name` and the other keys its path names made new.
//!   So every value is one the schema takes and every reference names a seeded record. Where
//!   a key is a reference (`/api/name-services/dns/{svm.uuid}`: one per SVM) or the path is an
//!   object, the seeded record is deleted first, as a client makes room for its own;
//! - a path with writes and no GET, or a collection with no record (a fresh `default` export
//!   policy's rules), gets the fields its schema requires, from their examples;
//! - a PATCH sets one field the schema lets a PATCH set, to the value it has;
//! - a DELETE removes the first seeded record;
//! - a PATCH or DELETE on a collection selects its first record by its `name` or `uuid`.
//!
//! Every body is first held to the spec's own request schema (the harness's validator), so a
//! request this test builds wrong fails here as the test's fault, not the emulator's.

use std::collections::BTreeMap;

use ontap_conform::spec::{Direction, Layer, Operation, Spec};
use serde_json::{Map, Value, json};

use super::{ADMIN, Emulator, EmulatorConfig, Walk};

/// The operations that do not answer their documented success to the request this test
/// builds, and why. Each still answers something documented (checked).
const EXCEPTIONS: &[(&str, &str)] = &[
    // ONTAP's rules for the cluster and the SVMs (engine/behaviours/cluster.rs, svms.rs).
    (
        "POST /api/cluster",
        "the cluster exists: ONTAP refuses a second create, 1182809 (engine/behaviours/cluster.rs)",
    ),
    (
        "DELETE /api/svm/svms/{uuid}",
        "the first SVM (svm1) has data volumes (vol1, seeded), and ONTAP deletes an SVM only once \
         its volumes other than its root are deleted: 13434919 (engine/behaviours/svms.rs)",
    ),
    (
        "DELETE /api/storage/luns/{uuid}",
        "every seeded LUN is mapped (the seeded LUN maps name it), and ONTAP deletes a mapped LUN \
         only with allow_delete_while_mapped: 1254197 (engine/behaviours/luns.rs)",
    ),
    (
        "PATCH /api/protocols/nfs/export-policies/{policy.id}/rules/{index}",
        super::NO_RULES,
    ),
    (
        "DELETE /api/protocols/nfs/export-policies/{policy.id}/rules/{index}",
        super::NO_RULES,
    ),
    (
        "POST /api/protocols/nfs/export-policies/{policy.id}/rules/{index}/clients",
        super::NO_RULES,
    ),
    (
        "DELETE /api/protocols/nfs/export-policies/{policy.id}/rules/{index}/clients/{match}",
        super::NO_RULES,
    ),
    (
        "POST /api/storage/snapshot-policies/{snapshot-policy.uuid}/schedules",
        "a policy's schedules are keyed by their schedule's uuid (`{uuid}` is `schedule.uuid`: \
         na_ontap_snapshot_policy changes `.../schedules/{schedule.uuid}`), and the first \
         record's schedule is in the policy already: 409 code 1, as any duplicate",
    ),
    (
        "PATCH /api/cluster/jobs/{uuid}",
        "a fresh cluster has run no job, so there is none to PATCH (as tests/engine.rs's GET)",
    ),
    // The route table's own rules, each with its basis there.
    (
        "DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}",
        "the first credential is an SVM's `default`, which ONTAP never deletes (5374148)",
    ),
    (
        "POST /api/protocols/san/iscsi/credentials",
        "the initiator made new (`default9`) is no IQN or EUI: ONTAP's 5373997, which no schema says",
    ),
    (
        "POST /api/security/authentication/password",
        "it changes an existing account's password; the body from the schema's examples names none (404 code 4)",
    ),
];

/// What one operation answered.
enum Outcome {
    /// Its documented success (a 202's job ended in success).
    Success,
    /// An ONTAP error its `default` documents.
    Refused(String),
    /// 405, or nothing to send it to: excusable only with a reason in [`EXCEPTIONS`].
    NotServed(String),
    /// Anything else: the emulator's fault, or the test's.
    Broken(String),
}

impl Walk {
    async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .basic_auth(ADMIN.0, Some(ADMIN.1));
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.expect("a request");
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.unwrap_or(Value::Null))
    }

    /// The state of the job a 202 answered, once it ends.
    async fn job_end(&self, body: &Value) -> String {
        let Some(href) = body
            .pointer("/job/_links/self/href")
            .and_then(Value::as_str)
        else {
            return format!("no job link in {body}");
        };
        for _ in 0..400 {
            let (_, job) = self.get(href).await;
            let state = job["state"].as_str().unwrap_or("").to_string();
            if state == "success" {
                return state;
            }
            if state == "failure" {
                return format!("failure: {}", job["message"]);
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        format!("the job at {href} did not end")
    }
}

/// A schema's properties, its `allOf` members' included.
fn props(schema: &Value) -> Map<String, Value> {
    let mut out = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for member in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(props(member));
    }
    out
}

/// Whether the schema (or an `allOf` member) sets the marker `key`.
fn marked(schema: &Value, key: &str) -> bool {
    schema[key] == true
        || schema["allOf"]
            .as_array()
            .is_some_and(|m| m.iter().any(|s| marked(s, key)))
}

/// The fields of `value` a request of the kind (`post` or a PATCH) may set, per `schema`.
fn settable(schema: &Value, value: &Value, post: bool) -> Option<Value> {
    let fields = props(schema);
    let Value::Object(map) = value else {
        return Some(value.clone());
    };
    if fields.is_empty() {
        return Some(value.clone());
    }
    let mut out = Map::new();
    for (k, v) in map {
        let Some(prop) = fields.get(k) else { continue };
        let refused = ["readOnly", "writeOnly", "x-ontap-advanced"]
            .iter()
            .any(|m| marked(prop, m))
            || marked(
                prop,
                if post {
                    "x-ontap-no-post"
                } else {
                    "x-ontap-no-patch"
                },
            );
        if refused || k == "_links" {
            continue;
        }
        let kept = match v {
            Value::Object(_) => settable(prop, v, post).filter(|o| o != &json!({})),
            Value::Array(items) => {
                let item = prop.get("items").unwrap_or(&Value::Null);
                let items: Vec<Value> = items
                    .iter()
                    .filter_map(|i| settable(item, i, post))
                    .collect();
                Some(Value::Array(items))
            }
            other => Some(other.clone()),
        };
        if let Some(kept) = kept {
            out.insert(k.clone(), kept);
        }
    }
    Some(Value::Object(out))
}

/// A value no seeded record has for a string key: `conform` for a name, the value with a
/// digit more for others, within the schema's length.
fn fresh(schema: &Value, value: &Value, name: &str) -> Option<Value> {
    let max = schema["maxLength"].as_u64().unwrap_or(64) as usize;
    match value {
        Value::String(s) if schema.get("enum").is_none() => {
            let mut new = if name == "name" {
                "conform".to_string()
            } else {
                format!("{s}9")
            };
            new.truncate(max.max(1));
            if new == *s {
                new.pop();
                new.push('z');
            }
            Some(Value::String(new))
        }
        Value::Number(n) => {
            let max = schema["maximum"].as_i64().unwrap_or(i64::MAX);
            Some(json!((n.as_i64().unwrap_or(0) + 100).min(max)))
        }
        _ => None,
    }
}

/// A body with the fields `schema` requires, from their examples (for paths with no GET).
fn required(schema: &Value) -> Value {
    let fields = props(schema);
    let mut out = Map::new();
    for name in schema["required"].as_array().into_iter().flatten() {
        let Some(name) = name.as_str() else { continue };
        let prop = fields.get(name).cloned().unwrap_or(Value::Null);
        let v = if let Some(e) = prop.get("example") {
            e.clone()
        } else if let Some(c) = prop["enum"].get(0) {
            c.clone()
        } else {
            match prop["type"].as_str() {
                Some("object") => required(&prop),
                Some("integer") | Some("number") => json!(1),
                Some("boolean") => json!(true),
                Some("array") => json!([]),
                _ => {
                    let min = prop["minLength"].as_u64().unwrap_or(0) as usize;
                    json!(format!("{:x<min$}", "conform9"))
                }
            }
        };
        out.insert(name.to_string(), v);
    }
    Value::Object(out)
}

/// The parameters of `template` after `prefix` (a record path's keys).
fn keys_after(template: &str, prefix: &str) -> Vec<String> {
    template[prefix.len()..]
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_string)
        .collect()
}

/// Where an operation is sent, and what its path is.
struct Target<'a> {
    op: &'a Operation,
    /// The operation's path with its parameters filled.
    path: String,
    /// The path of one record of the collection at the operation's path, if it is one.
    record_path: Option<String>,
    /// Whether the operation's path is a collection (a GET answers its records).
    collection: bool,
    /// Whether the operation's path has a GET at all.
    readable: bool,
}

/// One operation's request, built and sent.
async fn run(walk: &mut Walk, spec: &Spec, op: &Operation) -> Outcome {
    let path = match walk.fill(&op.path).await {
        Ok(p) => p,
        Err(why) => return Outcome::NotServed(format!("no path: {why}")),
    };
    let record_path = spec
        .operations
        .iter()
        .filter(|o| o.method == "GET")
        .find(|o| {
            o.path
                .strip_prefix(&format!("{}/", op.path))
                .is_some_and(|rest| rest.split('/').all(|s| s.starts_with('{')))
        })
        .map(|o| o.path.clone());
    let readable = spec.operation("GET", &op.path).is_some();
    let t = Target {
        op,
        path,
        collection: readable && record_path.is_some(),
        record_path,
        readable,
    };
    let mut query = String::new();
    let body = match op.method.as_str() {
        "POST" => match post_body(walk, spec, &t).await {
            Ok(body) => body,
            Err(outcome) => return outcome,
        },
        "PATCH" => patch_body(walk, &t, &mut query).await,
        _ => {
            if t.collection {
                query = first_of(walk, &t.path).await.1;
            }
            None
        }
    };
    if let (Some(body), Some(schema)) = (&body, op.request()) {
        // `required` is a POST's: a PATCH sets what it names (NetApp's application schema
        // requires `name`, which a PATCH may not set).
        let patch = op.method == "PATCH";
        let broken: Vec<String> = schema
            .validate(body, Direction::Request, patch)
            .into_iter()
            .filter(|f| f.is_failure())
            .filter(|f| !(patch && f.message.contains("is a required property")))
            .map(|f| format!("{}: {}", f.pointer, f.message))
            .collect();
        if !broken.is_empty() {
            return Outcome::Broken(format!(
                "the test built a body its schema refuses ({}): {body}",
                broken.join("; ")
            ));
        }
    }
    send(walk, op, &t.path, &query, body.as_ref()).await
}

/// The first record of the collection at `path`, and a query that selects it.
async fn first_of(walk: &Walk, path: &str) -> (Value, String) {
    let (_, seen) = walk.get(path).await;
    let first = seen.pointer("/records/0").cloned().unwrap_or(Value::Null);
    let query = ["name", "uuid"]
        .iter()
        .find_map(|key| Some(format!("?{key}={}", first[*key].as_str()?)))
        .unwrap_or_default();
    (first, query)
}

/// A POST's body (see the module's doc); the seeded record it repeats deleted first where it
/// must be.
async fn post_body(walk: &Walk, spec: &Spec, t: &Target<'_>) -> Result<Option<Value>, Outcome> {
    let Some(schema) = t.op.request().map(|s| s.resolved.clone()) else {
        return Ok(None);
    };
    if !t.readable {
        return Ok(Some(required(&schema)));
    }
    let path = &t.path;
    let (status, seen) = walk.get(&format!("{path}?fields=*")).await;
    let first = if t.collection {
        seen.pointer("/records/0").cloned()
    } else {
        Some(seen.clone())
    };
    // An empty collection (a fresh `default` export policy's rules) gives no record to repeat:
    // the fields its schema requires, as for a path without a GET.
    if status == 200 && t.collection && first.is_none() {
        return Ok(Some(required(&schema)));
    }
    let Some(first) = first.filter(|_| status == 200) else {
        return Err(Outcome::Broken(format!(
            "GET {path} answered {status}: {seen}"
        )));
    };
    let mut body = settable(&schema, &first, true).unwrap_or(json!({}));
    let keys = t
        .record_path
        .as_deref()
        .map_or_else(Vec::new, |r| keys_after(r, &t.op.path));
    let fields = props(&schema);
    // A key under an object is a reference (`svm.uuid`): it stays.
    let mut own: Vec<&str> = keys.iter().map(String::as_str).collect();
    own.retain(|k| !k.contains('.') && *k != "name");
    for key in own.into_iter().chain(["name"]) {
        let at = format!("/{}", key.replace('.', "/"));
        let prop = fields.get(key).cloned().unwrap_or(Value::Null);
        if let Some(slot) = body.pointer_mut(&at)
            && let Some(new) = fresh(&prop, slot, key)
        {
            *slot = new;
        }
    }
    let referenced = !keys.is_empty() && keys.iter().all(|k| k.contains('.'));
    let deletable = spec
        .operation("DELETE", t.record_path.as_deref().unwrap_or(&t.op.path))
        .is_some();
    if (referenced || !t.collection) && deletable {
        let own = match &first["_links"]["self"]["href"] {
            Value::String(h) => h.clone(),
            _ => path.clone(),
        };
        let (s, b) = walk.send("DELETE", &own, None).await;
        if s == 202 {
            walk.job_end(&b).await;
        }
    }
    Ok(Some(body))
}

/// A PATCH's body: one field it may set, to the value the record has; on a collection, the
/// first record's, which `query` then selects.
async fn patch_body(walk: &Walk, t: &Target<'_>, query: &mut String) -> Option<Value> {
    let target = if t.collection {
        let (first, selects) = first_of(walk, &t.path).await;
        *query = selects;
        first["_links"]["self"]["href"]
            .as_str()
            .unwrap_or(&t.path)
            .to_string()
    } else {
        t.path.clone()
    };
    let schema = t.op.request()?.resolved.clone();
    let (_, seen) = walk.get(&format!("{target}?fields=*")).await;
    let all = settable(&schema, &seen, false).unwrap_or(json!({}));
    let one = all
        .as_object()
        .and_then(|m| {
            m.iter()
                .find(|(_, v)| !v.is_object() && !v.is_array())
                .or_else(|| m.iter().next())
        })
        .map(|(k, v)| json!({ k: v }));
    Some(one.unwrap_or(json!({})))
}

async fn send(
    walk: &Walk,
    op: &Operation,
    path: &str,
    query: &str,
    body: Option<&Value>,
) -> Outcome {
    let (status, answer) = walk.send(&op.method, &format!("{path}{query}"), body).await;
    let shown = format!(
        "{} {path}{query} {} → {status} {answer}",
        op.method,
        body.map_or(String::new(), Value::to_string)
    );
    if op.success_statuses().contains(&status) {
        if status == 202 {
            let end = walk.job_end(&answer).await;
            if end != "success" {
                return Outcome::Refused(format!("{shown}: job {end}"));
            }
        }
        if let Some(schema) = op.response_for(status).and_then(|r| r.schema()) {
            let broken: Vec<String> = schema
                .validate(&answer, Direction::Response, false)
                .into_iter()
                .filter(|f| f.is_failure())
                .map(|f| format!("{}: {}", f.pointer, f.message))
                .collect();
            if !broken.is_empty() {
                return Outcome::Broken(format!("{shown}: {}", broken.join("; ")));
            }
        }
        return Outcome::Success;
    }
    let ontap_error = answer["error"]["code"].is_string() && answer["error"]["message"].is_string();
    let documented = ontap_error && op.response_for(status).is_some();
    match status {
        405 if ontap_error => Outcome::NotServed(shown),
        400..=499 if documented => Outcome::Refused(shown),
        _ => Outcome::Broken(shown),
    }
}

#[tokio::test]
async fn every_write_of_the_built_in_spec_answers_what_it_documents() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let spec = Spec::load(None).unwrap_or_else(|d| panic!("the built-in spec loads: {d:?}"));
    let mut walk = Walk {
        base: String::new(),
        client: reqwest::Client::new(),
        gets: spec
            .operations
            .iter()
            .filter(|o| o.method == "GET")
            .map(|o| o.path.clone())
            .collect(),
        hrefs: Default::default(),
    };
    let writes: Vec<&Operation> = spec
        .operations
        .iter()
        .filter(|o| o.method != "GET")
        .collect();
    assert!(writes.len() > 280, "NetApp's writes: {}", writes.len());
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    let mut broken: BTreeMap<String, String> = BTreeMap::new();
    let mut passed = 0;
    let mut imported = (0, 0);
    for op in &writes {
        // A fresh cluster for each: a DELETE of the first account may take the administrator.
        let emu = Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default())
            .await
            .expect("the emulator starts");
        walk.base = emu.base_url();
        let outcome = run(&mut walk, &spec, op).await;
        emu.shutdown().await;
        let from_netapp = op.layer == Layer::Imported;
        imported.1 += usize::from(from_netapp);
        match outcome {
            Outcome::Success => {
                passed += 1;
                imported.0 += usize::from(from_netapp);
            }
            Outcome::Refused(why) | Outcome::NotServed(why) => {
                refused.insert(op.key(), why);
            }
            Outcome::Broken(why) => {
                broken.insert(op.key(), why);
            }
        }
    }
    let excepted: BTreeMap<&str, &str> = EXCEPTIONS.iter().copied().collect();
    let unexpected: Vec<String> = refused
        .iter()
        .filter(|(op, _)| !excepted.contains_key(op.as_str()))
        .map(|(op, why)| format!("{op}\n    {why}"))
        .collect();
    let stale: Vec<&&str> = excepted
        .keys()
        .filter(|op| !refused.contains_key(**op))
        .collect();
    let broken: Vec<String> = broken
        .iter()
        .map(|(op, why)| format!("{op}\n    {why}"))
        .collect();
    assert!(
        broken.is_empty() && unexpected.is_empty() && stale.is_empty(),
        "{passed} of {} writes succeed.\nanswers nothing documents ({}):\n{}\nrefused, not excepted ({}):\n{}\nexceptions that now succeed (drop them): {stale:?}",
        writes.len(),
        broken.len(),
        broken.join("\n"),
        unexpected.len(),
        unexpected.join("\n"),
    );
    assert_eq!(passed + EXCEPTIONS.len(), writes.len());
    eprintln!(
        "{passed} of {} writes succeed; of NetApp's imported layer's, {} of {}",
        writes.len(),
        imported.0,
        imported.1
    );
}
