//! A new record from a POST's body (checked, its references resolved), filled as ONTAP fills one:
//!
//! - fields the record's schema does not have, and `writeOnly` ones, are not kept (a password
//!   is used, never shown: NetApp's `x-ntap-writeOnly`);
//! - the fields the parent's path parameters name (`volume` of a snapshot) and its `svm` come
//!   from the parent record: the path names the parent, whatever the body says;
//! - an SVM's administrator creates in its own SVM: a body naming another is 403 code 6, as the
//!   route table's credentials answer it, and a body naming none gets the administrator's SVM;
//! - the record's keys: given in the body, or made where the cluster makes them (a `uuid`,
//!   random as ONTAP's are; an integer `id` or `index`, the next in its scope); a key the client
//!   must give and did not is 400 code 2 naming it;
//! - the fields the cluster sets (NetApp's `readOnly`) made as seeding makes them, a field's
//!   documented `default` where the body leaves it out (both documented in NetApp's file), and
//!   the record's `_links`;
//! - a record's own `state` or `status` the body leaves out, the healthy value of its enum (a
//!   new volume is `online`, an interface `up`): convention, as seeding does it
//!   ([`super::values::healthy`]); a client waiting for `online` (an Ansible module) waits for
//!   what a cluster shows once the create is done.

use serde_json::{Map, Value, json};

use super::Engine;
use super::document::{MAX_DEPTH, Schema};
use super::resources::{Param, ResId, Resource};
use super::seed::{from_parent, server_value, set};
use super::store::{Record, RecordId, Store, href};
use super::values::{fits, healthy};
use crate::context::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::Svm;

/// What a new record is made in.
pub struct Builder<'a> {
    pub engine: &'static Engine,
    pub res: ResId,
    pub store: &'a Store,
    /// The record the new one lives under.
    pub parent: Option<&'a Record>,
    pub caller: &'a Caller,
}

impl Builder<'_> {
    fn resource(&self) -> &'static Resource {
        &self.engine.resources.list[self.res]
    }

    fn parent_id(&self) -> Option<RecordId> {
        self.parent.map(|p| p.id)
    }

    /// The record a POST makes from `body`; `params` are the path's (the parent's and any free
    /// ones).
    pub fn record(&self, body: Value, params: &[String]) -> ApiResult<Record> {
        let doc = self.engine.doc;
        let res = self.resource();
        let mut body = kept(self.engine, res.record, body);
        if let Some(parent) = self.parent {
            for (field, schema) in doc.properties(res.record) {
                if let Some(v) = from_parent(doc, res, parent, field, schema) {
                    set(&mut body, field, v);
                }
            }
        }
        self.scope(&mut body)?;
        let mut params = params.to_vec();
        if let Some(instance) = &res.instance {
            params.truncate(res.parent_params);
            for (i, key) in instance.keys.iter().enumerate() {
                params.push(self.key(&mut body, key, res.parent_params + i)?);
            }
        }
        if let Value::Object(map) = &mut body {
            self.fill(res.record, map, 0);
        }
        if doc.property(res.record, "_links").is_some()
            && let Some(link) = href(res, &params)
        {
            body["_links"] = json!({"self": {"href": link}});
        }
        Ok(Record::made(self.parent, params, body))
    }

    /// An SVM administrator's record is its SVM's (see the module's doc).
    fn scope(&self, body: &mut Value) -> ApiResult<()> {
        let Some(own) = &self.caller.owner else {
            return Ok(());
        };
        match body.pointer("/svm/uuid").and_then(Value::as_str) {
            Some(u) if !u.eq_ignore_ascii_case(own) => Err(ApiError::forbidden()),
            Some(_) => Ok(()),
            None => {
                let doc = self.engine.doc;
                let Some(schema) = doc.property(self.resource().record, "svm") else {
                    return Ok(());
                };
                let svm = super::svm_records(self.store)
                    .filter_map(Svm::of)
                    .find(|s| s.uuid.eq_ignore_ascii_case(own));
                let Some(svm) = svm else {
                    return Ok(());
                };
                let mut reference = json!({"name": svm.name, "uuid": svm.uuid});
                if doc.property(schema, "_links").is_some() {
                    reference["_links"] =
                        json!({"self": {"href": format!("/api/svm/svms/{}", svm.uuid)}});
                }
                set(body, "svm", reference);
                Ok(())
            }
        }
    }

    /// The records of the new one's scope (its parent's, or the collection).
    fn siblings(&self) -> impl Iterator<Item = &Record> {
        self.store.under(self.res, self.parent_id())
    }

    /// The value of the key `key` (the `at`th path parameter), set in the body where it is a
    /// field.
    fn key(&self, body: &mut Value, key: &Param, at: usize) -> ApiResult<String> {
        let doc = self.engine.doc;
        let res = self.resource();
        let last = key.name.rsplit('.').next().unwrap_or(&key.name);
        let schema = key.field.as_deref().and_then(|f| doc.field(res.record, f));
        let integer =
            key.integer || schema.is_some_and(|s| doc.scalar(s).kind.as_deref() == Some("integer"));
        // The lowest number no sibling holds (convention: NetApp's file does not say how ONTAP
        // numbers what it numbers). Not the highest plus one: a client that made key 65535, the
        // schema's maximum for an NTP key, would get 65536, which no schema takes.
        let next = || {
            let taken: std::collections::BTreeSet<i64> = self
                .siblings()
                .filter_map(|r| r.params.get(at)?.parse::<i64>().ok())
                .collect();
            (1..).find(|n| !taken.contains(n)).unwrap_or(1)
        };
        let Some(field) = &key.field else {
            // A key that is no field of the record: the engine names it, as seeding does.
            return Ok(if integer {
                next().to_string()
            } else if last == "uuid" {
                uuid::Uuid::new_v4().to_string()
            } else {
                let taken: Vec<&String> =
                    self.siblings().filter_map(|r| r.params.get(at)).collect();
                (1..)
                    .map(|n| format!("{last}{n}"))
                    .find(|c| !taken.contains(&c))
                    .unwrap_or_default()
            });
        };
        let pointer = format!("/{}", field.replace('.', "/"));
        match body.pointer(&pointer) {
            Some(Value::String(s)) if !s.is_empty() => return Ok(s.clone()),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => return Ok(v.to_string()),
            _ => {}
        }
        // Made by the cluster: the record's own uuid, number, or a key it sets (NetApp's
        // `readOnly`), never a reference's.
        let own = !field.contains('.');
        let uuid_like = field == "uuid"
            || schema.is_some_and(|s| doc.scalar(s).format.as_deref() == Some("uuid"));
        let read_only = schema.is_some_and(|s| doc.scalar(s).read_only);
        let value = if own && uuid_like {
            Value::String(uuid::Uuid::new_v4().to_string())
        } else if own && integer {
            Value::from(next())
        } else if own && read_only {
            Value::String(self.unused(&res.label, |r| r.params.get(at).cloned()))
        } else {
            let top = field.split('.').next().unwrap_or(field);
            return Err(ApiError::missing_field(top));
        };
        let text = super::resources::key_text(&value);
        set(body, field, value);
        Ok(text)
    }

    /// `<stem><n>` for the first `n` from 1 that no sibling has as `of` it.
    fn unused(&self, stem: &str, of: impl Fn(&Record) -> Option<String>) -> String {
        let taken: Vec<String> = self.siblings().filter_map(of).collect();
        (1..)
            .map(|n| format!("{stem}{n}"))
            .find(|c| !taken.contains(c))
            .unwrap_or_default()
    }

    /// Fills what the body leaves out of an object described by `schema`: the fields the
    /// cluster sets, and documented defaults; objects given are filled within.
    fn fill(&self, schema: &Schema, map: &mut Map<String, Value>, depth: usize) {
        let doc = self.engine.doc;
        if depth > MAX_DEPTH {
            return;
        }
        for (name, prop) in doc.properties(schema) {
            if name == "_links" {
                continue;
            }
            let s = doc.scalar(prop);
            if s.write_only {
                continue;
            }
            let object = doc.is_object(prop);
            if let Some(v) = map.get_mut(name) {
                if let (true, Value::Object(inner)) = (object, v) {
                    self.fill(prop, inner, depth + 1);
                }
                continue;
            }
            let value = if s.read_only {
                self.made(name, prop, depth)
            } else if let Some(d) = documented_default(doc, &s) {
                Some(d)
            } else if depth == 0 && matches!(name, "state" | "status") {
                healthy(&s)
            } else if object {
                let mut inner = Map::new();
                self.fill(prop, &mut inner, depth + 1);
                (!inner.is_empty()).then_some(Value::Object(inner))
            } else {
                None
            };
            if let Some(v) = value {
                map.insert(name.to_string(), v);
            }
        }
    }

    /// A field the cluster sets: the record's own `uuid` random and its `name` one no sibling
    /// has, any other as seeding makes it.
    fn made(&self, name: &str, prop: &Schema, depth: usize) -> Option<Value> {
        let doc = self.engine.doc;
        let kind = doc.scalar(prop).kind.clone();
        if depth == 0 && kind.as_deref() == Some("string") {
            if name == "uuid" {
                return Some(Value::String(uuid::Uuid::new_v4().to_string()));
            }
            if name == "name" {
                let label = &self.resource().label;
                let name = |r: &Record| Some(r.body.get("name")?.as_str()?.to_string());
                return Some(Value::String(self.unused(label, name)));
            }
        }
        let index = self.siblings().count();
        server_value(
            doc,
            &self.engine.resources,
            self.res,
            index,
            self.parent,
            name,
            prop,
        )
    }
}

/// A field's documented default, as a value of its type: NetApp's file writes the export rule's
/// string `anonymous_user` with `default: 65534` (its text, `"65534"`, as ONTAP answers it);
/// and an array whose items have a default (the rule's `protocols`, items `default: any`) is
/// that one item (`["any"]`, as `export-policy rule create` fills `-protocol any`); an array's
/// default is checked item by item (the rule's `superuser`, `default: ["none"]`). Documented:
/// NetApp's 9.8 file, `export_rule`.
fn documented_default(doc: &super::document::Document, s: &Schema) -> Option<Value> {
    let item = s
        .items
        .as_deref()
        .and_then(|i| doc.resolve(i))
        .map(|i| doc.scalar(i));
    let list_of = |items: Vec<Value>| {
        let item = item.as_ref()?;
        items
            .iter()
            .all(|i| fits(item, i))
            .then_some(Value::Array(items))
    };
    match (&s.default, s.kind.as_deref()) {
        (Some(Value::Number(n)), Some("string")) => {
            Some(Value::String(n.to_string())).filter(|t| fits(s, t))
        }
        (Some(Value::Array(items)), Some("array")) => list_of(items.clone()),
        (Some(d), _) => Some(d.clone()).filter(|d| fits(s, d)),
        (None, Some("array")) => list_of(vec![item.as_ref()?.default.clone()?]),
        (None, _) => None,
    }
}

/// What of a body a record of `schema` keeps: the fields the schema has, but the `writeOnly`
/// ones.
pub fn kept(engine: &Engine, schema: &Schema, body: Value) -> Value {
    keep(engine, schema, body, 0)
}

fn keep(engine: &Engine, schema: &Schema, body: Value, depth: usize) -> Value {
    let doc = engine.doc;
    let props = doc.properties(schema);
    match body {
        Value::Object(map) if !props.is_empty() && depth <= MAX_DEPTH => {
            let mut out = Map::new();
            for (name, v) in map {
                let Some((_, prop)) = props.iter().find(|(n, _)| *n == name) else {
                    continue;
                };
                if doc.scalar(prop).write_only {
                    continue;
                }
                let v = if doc.is_object(prop) {
                    keep(engine, prop, v, depth + 1)
                } else {
                    match (doc.scalar(prop).items.clone(), v) {
                        (Some(item), Value::Array(items)) => Value::Array(
                            items
                                .into_iter()
                                .map(|i| match doc.resolve(&item) {
                                    Some(item) if doc.is_object(item) => {
                                        keep(engine, item, i, depth + 1)
                                    }
                                    _ => i,
                                })
                                .collect(),
                        ),
                        (_, v) => v,
                    }
                };
                out.insert(name, v);
            }
            Value::Object(out)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::testing::{app, call, get};

    #[tokio::test]
    async fn a_new_export_rule_has_its_documented_defaults() {
        let app = app("9.8.0");
        let policy = json!({"name": "e1", "svm": {"name": "svm1"}});
        let policies = "/api/protocols/nfs/export-policies";
        let (status, body) = call(&app, "POST", policies, &[], Some(policy)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id =
            get(&app, &format!("{policies}?name=e1&fields=id")).await["records"][0]["id"].clone();
        let rule = json!({"clients": [{"match": "10.0.0.0/24"}], "ro_rule": ["sys"],
            "rw_rule": ["none"]});
        let rules = format!("{policies}/{id}/rules?return_records=true");
        let (status, body) = call(&app, "POST", &rules, &[], Some(rule)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["num_records"], 1, "{body}");
        let made = &body["records"][0];
        assert_eq!(made["anonymous_user"], "65534", "{made}");
        assert_eq!(made["protocols"], json!(["any"]));
        assert_eq!(made["superuser"], json!(["none"]));
        let policy = get(&app, &format!("{policies}/{id}?fields=rules")).await;
        assert_eq!(policy["rules"][0]["index"], made["index"], "{policy}");
    }
}
