//! `x-conform-sample`: for an operation that writes, a request a correct cluster carries out,
//! written in the spec beside the operation (data, not code), from which [`super::body`] and
//! [`super::access`] derive the checks that need a valid request: the sample accepted, the
//! sample refused to the read-only role, the sample broken one field at a time.
//!
//! ```yaml
//! x-conform-sample:
//!   basis: {documented: 004_...txt}     # what says the sample is a valid request
//!   needs: POST /api/...                # that operation's sample runs first, and is undone
//!   vars: {initiator: "iqn...:{{case_uid}}"}
//!   secrets: [chap_in]                  # generated passwords, redacted everywhere
//!   setup: [STEP, ..]                   # steps as in a case file (read a value to send back)
//!   exclusive: true                     # changes a cluster-wide setting
//!   path: {..}  query: {..}  body: {..}
//!   read: REQUEST                       # what shows whether the write happened
//!   undo: REQUEST                       # removes what the sample created
//! ```
//!
//! `read` decides the read-back of a refused write: a collection GET must find nothing (the
//! create did not happen); a GET of one record or a singleton must answer as it did before (the
//! change did not happen); a request sent `as` someone must still succeed (the old password
//! still opens the account).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Check, Gen};
use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::Spec;

/// One operation's sample, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::case) struct Sample {
    pub basis: Value,
    #[serde(default)]
    pub needs: Option<String>,
    #[serde(default)]
    pub vars: Map<String, Value>,
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub setup: Vec<Value>,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub path: Map<String, Value>,
    #[serde(default)]
    pub query: Map<String, Value>,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub read: Option<Value>,
    #[serde(default)]
    pub undo: Option<Value>,
    /// A step that reads the keys of what the sample made into variables for `undo` (a record
    /// found by the name the sample gave it): run after the sample where something needs it,
    /// and before `undo` in a teardown, where finding nothing means there is nothing to undo.
    #[serde(default)]
    pub find: Option<Value>,
    /// The operation's documented successes (set from the spec, not written): a step that
    /// carries the sample out to make what another needs waits for its job where one is 202.
    #[serde(skip)]
    pub successes: Vec<u16>,
}

/// Every operation's sample, by operation key: the written ones (`x-conform-sample`) and those
/// built for the imported layer's writes ([`super::built`]), with why the others have none.
#[derive(Debug, Default)]
pub(in crate::case) struct Samples {
    samples: BTreeMap<String, Sample>,
    /// The imported writes with no sample, and why.
    unbuilt: BTreeMap<String, String>,
}

/// What a check built on a sample starts from: the variables, secrets, setup and teardown of
/// the sample and of what it needs, in order.
#[derive(Debug, Default, Clone)]
pub(in crate::case) struct Prelude {
    pub vars: Map<String, Value>,
    pub secrets: Vec<String>,
    pub setup: Vec<Value>,
    pub teardown: Vec<Value>,
    pub exclusive: bool,
    /// The sample writes an object that was there before the check (it neither makes one nor
    /// needs one made): the check must hold it still against other cases, or a concurrent
    /// change would be read as its own (or undone by its write-back).
    pub isolated: bool,
}

impl Samples {
    pub fn read(spec: &Spec) -> Result<Samples, Diagnostics> {
        let mut out = BTreeMap::new();
        let mut problems = Vec::new();
        for op in &spec.operations {
            let Some(raw) = &op.sample else { continue };
            let field = format!("{}.x-conform-sample", op.key());
            match serde_json::from_value::<Sample>(raw.clone()) {
                Ok(mut s) => {
                    s.successes = op.success_statuses();
                    if let Some(n) = &s.needs
                        && !spec
                            .operations
                            .iter()
                            .any(|o| o.key() == *n && o.sample.is_some())
                    {
                        problems.push(Diagnostic::new(
                            &spec.file,
                            op.line,
                            format!("{field}.needs"),
                            format!("`{n}` is not an operation of the spec with a sample"),
                        ));
                    }
                    out.insert(op.key(), s);
                }
                Err(e) => problems.push(Diagnostic::new(&spec.file, op.line, field, e.to_string())),
            }
        }
        if problems.is_empty() {
            let built = super::built::build(spec, &|k| out.contains_key(k));
            out.extend(built.samples);
            Ok(Samples {
                samples: out,
                unbuilt: built.unbuilt,
            })
        } else {
            Err(Diagnostics(problems))
        }
    }

    pub fn get(&self, key: &str) -> Option<&Sample> {
        self.samples.get(key)
    }

    /// Why an imported write has no request a check could send (see [`super::built`]).
    pub fn unbuilt(&self, key: &str) -> Option<&str> {
        self.unbuilt.get(key).map(String::as_str)
    }

    /// What a check of `key`'s sample must do before and after it: the needed operation's
    /// sample carried out first (and undone last), then the sample's own setup; its own undo at
    /// the end, in case a write a correct cluster refuses was carried out.
    pub fn prelude(&self, key: &str) -> Option<Prelude> {
        let s = self.get(key)?;
        let mut p = Prelude::default();
        if let Some(needed) = s.needs.as_deref().and_then(|n| self.get(n).map(|s| (n, s))) {
            let (n, ns) = needed;
            extend(&mut p, ns);
            let mut make = json!({"name": format!("make what the sample needs ({n})"), "request": ns.request(n)});
            if ns.successes.contains(&202) {
                make["expect"] = json!({"status": {"one_of": ns.successes}, "job_state": "success", "basis": ns.basis});
            }
            p.setup.push(make);
            p.setup.extend(ns.find.clone());
            if let Some(u) = &ns.undo {
                p.teardown.push(json!({"request": u}));
            }
        }
        extend(&mut p, s);
        p.isolated = s.needs.is_none() && s.undo.is_none();
        if let Some(u) = &s.undo {
            p.teardown.insert(0, json!({"request": u}));
            if let Some(f) = &s.find {
                p.teardown.insert(0, f.clone());
            }
        }
        Some(p)
    }
}

impl Prelude {
    /// A check of `g`'s operation that starts from this prelude: its variables, secrets, setup,
    /// teardown and locks.
    pub(super) fn check(&self, g: &Gen, name: &str, title: &str) -> Check {
        let mut c = g.check(name, title);
        c.vars = self.vars.clone();
        c.secrets = self.secrets.clone();
        c.setup = self.setup.clone();
        c.teardown = self.teardown.clone();
        c.exclusive = self.exclusive;
        c.isolated = self.isolated;
        c
    }
}

fn extend(p: &mut Prelude, s: &Sample) {
    p.vars.extend(s.vars.clone());
    for x in &s.secrets {
        if !p.secrets.contains(x) {
            p.secrets.push(x.clone());
        }
    }
    p.setup.extend(s.setup.iter().cloned());
    p.exclusive |= s.exclusive;
}

impl Sample {
    /// The sample as a step's request.
    pub fn request(&self, key: &str) -> Value {
        let mut r = json!({"operation": key});
        let o = r.as_object_mut().expect("an object");
        if !self.path.is_empty() {
            o.insert("path".into(), Value::Object(self.path.clone()));
        }
        if !self.query.is_empty() {
            o.insert("query".into(), Value::Object(self.query.clone()));
        }
        if let Some(b) = &self.body {
            o.insert("body".into(), b.clone());
        }
        r
    }

    /// How `read` judges a write (see the module's doc): by what the spec says the read
    /// answers, a collection (`records`) or one object. A `read` the spec does not have is read
    /// as one object, and its step names the mistake when the check loads.
    pub(super) fn read_kind(&self, spec: &Spec) -> Option<ReadKind> {
        let read = self.read.as_ref()?;
        if read.get("as").is_some() {
            return Some(ReadKind::StillWorks);
        }
        let (method, path) = read.get("operation")?.as_str()?.split_once(' ')?;
        let collection = spec
            .operation(method, path)
            .and_then(|o| o.responses.get("200"))
            .and_then(|r| r.schema())
            .is_some_and(|s| s.resolved.pointer("/properties/records").is_some());
        Some(if collection {
            ReadKind::NothingFound
        } else {
            ReadKind::Unchanged
        })
    }

    /// The steps that show a refused write changed nothing: a capture before it (for
    /// [`ReadKind::Unchanged`]) and a check after it.
    pub fn read_back(&self, spec: &Spec) -> (Option<Value>, Option<Value>) {
        let (Some(read), Some(kind)) = (&self.read, self.read_kind(spec)) else {
            return (None, None);
        };
        let basis = json!({"convention": "a write a correct cluster refuses changes nothing; read back the way the sample's `read` says (ONTAP documents no partial writes)"});
        match kind {
            ReadKind::NothingFound => (
                None,
                Some(json!({
                    "name": "read back: nothing was created",
                    "request": read,
                    "expect": {"status": 200, "basis": basis, "fields": {"num_records": 0}},
                })),
            ),
            ReadKind::Unchanged => (
                Some(json!({
                    "name": "read before the write",
                    "request": read,
                    "capture": {"before_write": ""},
                })),
                Some(json!({
                    "name": "read back: nothing changed",
                    "request": read,
                    "expect": {"status": 200, "basis": basis, "fields": {"": {"eq": "{{before_write}}"}}},
                })),
            ),
            ReadKind::StillWorks => (
                None,
                Some(json!({
                    "name": "read back: as before",
                    "request": read,
                    "expect": {"status": 200, "basis": basis},
                })),
            ),
        }
    }
}

/// How a sample's `read` shows whether a write happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadKind {
    NothingFound,
    Unchanged,
    StillWorks,
}
