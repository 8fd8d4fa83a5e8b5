//! The emulator's spec-driven engine against the built-in spec: every GET operation (the curated
//! spec's and NetApp's imported layer's) answers 200 on a fresh emulator with a body valid for
//! its 200 schema, its path parameters filled from the collections' own records: a GET of the
//! parent collection first, whose first record's `_links.self.href` is the path of one record.
//!
//! A path parameter that no collection lists (a file path, the id of a litigation's operation,
//! both after a path that has no GET) is the client's choice: the walk gives it a value of its
//! parameter's type.

#[path = "common/mod.rs"]
mod common;
#[path = "engine/writes.rs"]
mod writes;

use std::collections::{BTreeMap, HashMap, HashSet};

use common::ADMIN;
use ontap_conform::emulator::{Emulator, EmulatorConfig};
use ontap_conform::spec::{Direction, Operation, Spec};
use serde_json::Value;

/// The GET operations that cannot answer 200 on a fresh emulator, and why. Each is one the
/// hand-written routes serve: the engine answers every other.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "GET /api/cluster/jobs/{uuid}",
        "a fresh emulator has run no job, so the jobs collection has no record to take a uuid from",
    ),
    (
        "GET /api/protocols/ndmp/svms/{svm.uuid}/passwords/{user}",
        "`{user}` is an account of the SVM, which no collection under the path lists",
    ),
    (
        "GET /api/protocols/nfs/export-policies/{policy.id}/rules/{index}",
        NO_RULES,
    ),
    (
        "GET /api/protocols/nfs/export-policies/{policy.id}/rules/{index}/clients",
        NO_RULES,
    ),
];

/// Why a fresh cluster has no export rule to read or write.
pub const NO_RULES: &str = "a fresh cluster's export policies are its SVMs' `default` ones, which \
     have no rules (documented, the engine's fresh.json), and a policy's rules are its `rules` \
     (engine/members.rs): there is no rule to take an index from";

/// A value for a parameter no collection lists: a UUID for a uuid, else `1`, which is a name
/// (a file path) and a number (an index or an id) alike.
fn free_value(name: &str) -> &'static str {
    if name.ends_with("uuid") {
        "5f9d8a1e-94d7-11e8-8370-005056b48fd2"
    } else {
        "1"
    }
}

struct Walk {
    base: String,
    client: reqwest::Client,
    /// Every GET template of the spec.
    gets: HashSet<String>,
    /// The first record's path of each collection already read, by its concrete path.
    hrefs: HashMap<String, Result<Option<String>, String>>,
}

impl Walk {
    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .basic_auth(ADMIN.0, Some(ADMIN.1))
            .send()
            .await
            .expect("a request");
        let status = r.status().as_u16();
        let body = r.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// The path of the first record of the collection at `path`; `None` when its records have
    /// no path of their own (their keys are then the client's to choose).
    async fn first_record(&mut self, path: &str) -> Result<Option<String>, String> {
        if let Some(known) = self.hrefs.get(path) {
            return known.clone();
        }
        let (status, body) = self.get(path).await;
        let found = match body
            .pointer("/records/0/_links/self/href")
            .and_then(Value::as_str)
        {
            Some(href) if status == 200 => Ok(Some(href.to_string())),
            None if status == 200 && body.pointer("/records/0").is_some() => Ok(None),
            _ => Err(format!(
                "GET {path} answered {status} with no record to take keys from"
            )),
        };
        self.hrefs.insert(path.to_string(), found.clone());
        found
    }

    /// `template` (an operation's path or a prefix of it) with its parameters filled.
    async fn fill(&mut self, template: &str) -> Result<String, String> {
        let segs: Vec<&str> = template.trim_start_matches('/').split('/').collect();
        let is_param = |s: &&str| s.starts_with('{');
        let Some(last) = segs.iter().rposition(is_param) else {
            return Ok(template.to_string());
        };
        let first = segs[..last]
            .iter()
            .rposition(|s| !is_param(s))
            .map_or(0, |i| i + 1);
        let prefix = format!("/{}", segs[..first].join("/"));
        let rest: String = segs[last + 1..].iter().map(|s| format!("/{s}")).collect();
        let filled_prefix = Box::pin(self.fill(&prefix)).await?;
        if self.gets.contains(&prefix)
            && let Some(href) = self.first_record(&filled_prefix).await?
        {
            return Ok(format!("{href}{rest}"));
        }
        let mut free = String::new();
        for s in &segs[first..=last] {
            let name = s.trim_matches(|c| c == '{' || c == '}');
            let value = match self.referenced(name).await {
                Some(v) => v,
                None => free_value(name).to_string(),
            };
            free.push('/');
            free.push_str(&value);
        }
        Ok(format!("{filled_prefix}{free}{rest}"))
    }

    /// A parameter that names a record of a top-level collection by one of its fields
    /// (`{volume.uuid}`: the `uuid` of a record of `/api/storage/volumes`): that field of the
    /// collection's first record.
    async fn referenced(&mut self, name: &str) -> Option<String> {
        let (label, key) = name.split_once('.')?;
        let plural = format!("/{}s", label.replace('_', "-"));
        let collection = self
            .gets
            .iter()
            .find(|p| p.ends_with(&plural) && !p.contains('{'))?
            .clone();
        let (status, body) = self
            .get(&format!("{collection}?max_records=1&fields={key}"))
            .await;
        let value = body.pointer(&format!("/records/0/{key}"))?.as_str()?;
        (status == 200).then(|| value.to_string())
    }
}

#[tokio::test]
async fn every_get_of_the_built_in_spec_answers_200_with_a_valid_body() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let spec = Spec::load(None).unwrap_or_else(|d| panic!("the built-in spec loads: {d:?}"));
    let emu = Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    let gets: Vec<&Operation> = spec
        .operations
        .iter()
        .filter(|o| o.method == "GET")
        .collect();
    assert!(
        gets.len() > 250,
        "the built-in spec has NetApp's GETs: {}",
        gets.len()
    );
    let mut walk = Walk {
        base: emu.base_url(),
        client: reqwest::Client::new(),
        gets: gets.iter().map(|o| o.path.clone()).collect(),
        hrefs: HashMap::new(),
    };
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let mut passed = 0;
    for op in &gets {
        let path = match walk.fill(&op.path).await {
            Ok(path) => path,
            Err(why) => {
                failures.insert(op.key(), why);
                continue;
            }
        };
        let (status, body) = walk.get(&path).await;
        if status != 200 {
            failures.insert(op.key(), format!("GET {path} answered {status}: {body}"));
            continue;
        }
        let Some(schema) = op.response_for(200).and_then(|r| r.schema()) else {
            failures.insert(op.key(), "the spec's 200 schema does not compile".into());
            continue;
        };
        let broken: Vec<String> = schema
            .validate(&body, Direction::Response, false)
            .into_iter()
            .filter(|f| f.is_failure())
            .map(|f| format!("{}: {}", f.pointer, f.message))
            .collect();
        if broken.is_empty() {
            passed += 1;
        } else {
            failures.insert(op.key(), format!("GET {path}: {}", broken.join("; ")));
        }
    }
    let expected: BTreeMap<String, String> = EXCEPTIONS
        .iter()
        .map(|(op, _)| (op.to_string(), String::new()))
        .collect();
    let unexpected: Vec<String> = failures
        .iter()
        .filter(|(op, _)| !expected.contains_key(*op))
        .map(|(op, why)| format!("{op}\n    {why}"))
        .collect();
    let stale: Vec<&String> = expected
        .keys()
        .filter(|op| !failures.contains_key(*op))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{passed} of {} GETs pass; {} fail:\n{}\nexceptions that now pass (drop them): {stale:?}",
        gets.len(),
        unexpected.len(),
        unexpected.join("\n")
    );
    assert_eq!(passed + EXCEPTIONS.len(), gets.len());
    emu.shutdown().await;
}
