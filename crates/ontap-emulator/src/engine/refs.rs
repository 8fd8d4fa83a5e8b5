//! References in a request body resolved as ONTAP resolves them: an object field named after a
//! top-level collection (`node`, `aggregates`, `snapshot_policy`: [`Resources::referenced`]) or
//! `svm`, given by `name`, by `uuid` or by both, must name an existing record, and is stored with
//! both (and its `_links` where the schema has them), so that a GET answers what a GET of the
//! record would.
//!
//! - A reference to nothing is 404 code 4 naming the field (`svm.name`): ONTAP's common "entry
//!   doesn't exist", observed for a body's `svm.uuid` (tf issue #290). For `svm` the code is
//!   2621462 ("The supplied SVM does not exist") where the operation's error table documents
//!   it, as the route table's iSCSI credentials answer it: a documented code is the one a client
//!   of that operation checks for.
//! - A name and a uuid of two different records is 400 code 2 naming the name (an invalid value:
//!   ONTAP documents per-resource codes for this, e.g. 787141 for aggregates, which no rule can
//!   pick), and for `svm` 2621706 where the operation documents it.
//! - A reference to an SVM resolves against the SVMs' records ([`super::SVM_COLLECTION`]) with
//!   the codes above; any other against its collection's records.

use serde_json::{Map, Value, json};

use super::document::{MAX_DEPTH, Operation, Schema};
use super::resources::ResId;
use super::store::{Store, href};
use super::values::is_uuid;
use super::{Engine, document::Document};
use crate::error::{
    ApiError, ApiResult, INVALID_FIELD, SVM_NAME_UUID_MISMATCH, SVM_UUID_NOT_FOUND,
};
use crate::state::Svm;

/// What references are resolved against.
pub struct Referents<'a> {
    pub engine: &'a Engine,
    pub store: &'a Store,
    /// The operation, for the codes it documents.
    pub op: &'a Operation,
    /// The resource written: a field naming its own collection is not a reference.
    pub res: ResId,
}

impl Referents<'_> {
    /// Resolves every reference in the object `body`, described by `schema`.
    pub fn resolve(&self, schema: &Schema, body: &mut Value) -> ApiResult<()> {
        self.object(schema, body, "", 0)
    }

    fn doc(&self) -> &'static Document {
        self.engine.doc
    }

    fn object(&self, schema: &Schema, value: &mut Value, at: &str, depth: usize) -> ApiResult<()> {
        let Value::Object(map) = value else {
            return Ok(());
        };
        if depth > MAX_DEPTH {
            return Ok(());
        }
        for (name, prop) in self.doc().properties(schema) {
            let Some(v) = map.get_mut(name) else { continue };
            let here = if at.is_empty() {
                name.to_string()
            } else {
                format!("{at}.{name}")
            };
            let target = self.engine.resources.referenced(name);
            let target = target.filter(|&t| t != self.res);
            if self.doc().is_object(prop) {
                if name == "svm" {
                    self.svm(prop, v, &here)?;
                } else if let Some(t) = target {
                    self.record(t, prop, v, &here)?;
                } else {
                    self.object(prop, v, &here, depth + 1)?;
                }
                continue;
            }
            let item = self.doc().scalar(prop).items.clone();
            let (Some(item), Value::Array(items)) = (item, v) else {
                continue;
            };
            let Some(item) = self
                .doc()
                .resolve(&item)
                .filter(|i| self.doc().is_object(i))
            else {
                continue;
            };
            for one in items.iter_mut() {
                match target {
                    Some(t) => self.record(t, item, one, &here)?,
                    None => self.object(item, one, &here, depth + 1)?,
                }
            }
        }
        Ok(())
    }

    /// A reference to a record of the collection `target`.
    fn record(&self, target: ResId, schema: &Schema, v: &mut Value, at: &str) -> ApiResult<()> {
        let (name, uuid) = given(v);
        if name.is_none() && uuid.is_none() {
            return Ok(());
        }
        let records = self.store.records.get(target).map_or(&[][..], |r| &r[..]);
        let field = |r: &super::store::Record, f: &str| {
            r.body.get(f).and_then(Value::as_str).map(str::to_string)
        };
        let by_uuid = uuid.as_deref().map(|u| {
            records
                .iter()
                .find(|r| field(r, "uuid").is_some_and(|x| same_uuid(&x, u)))
        });
        let by_name = name.as_deref().map(|n| {
            records
                .iter()
                .find(|r| field(r, "name").as_deref() == Some(n))
        });
        let found = match (by_uuid, by_name) {
            (Some(None), _) => return Err(ApiError::entry_missing(&format!("{at}.uuid"))),
            (_, Some(None)) => return Err(ApiError::entry_missing(&format!("{at}.name"))),
            (Some(Some(a)), Some(Some(b))) if a.id != b.id => {
                return Err(ApiError::bad_request(
                    INVALID_FIELD,
                    format!("The \"{at}.name\" and \"{at}.uuid\" given name different records."),
                )
                .target(format!("{at}.name")));
            }
            (Some(Some(r)), _) | (_, Some(Some(r))) => r,
            (None, None) => return Ok(()),
        };
        let res = &self.engine.resources.list[target];
        let link = href(res, &found.params);
        self.set(
            schema,
            v,
            field(found, "name").as_deref(),
            field(found, "uuid").as_deref(),
            link,
        );
        Ok(())
    }

    /// A reference to an SVM.
    fn svm(&self, schema: &Schema, v: &mut Value, at: &str) -> ApiResult<()> {
        let (name, uuid) = given(v);
        if name.is_none() && uuid.is_none() {
            return Ok(());
        }
        let missing = |field: &str, what: &str| {
            if self.op.documents(SVM_UUID_NOT_FOUND) {
                ApiError::not_found(
                    SVM_UUID_NOT_FOUND,
                    format!("SVM \"{what}\" does not exist."),
                )
                .target(format!("{at}.{field}"))
            } else {
                ApiError::entry_missing(&format!("{at}.{field}"))
            }
        };
        let svms: Vec<Svm> = super::svm_records(self.store).filter_map(Svm::of).collect();
        let by_uuid = match uuid.as_deref() {
            Some(u) => Some(
                svms.iter()
                    .find(|s| same_uuid(&s.uuid, u))
                    .ok_or_else(|| missing("uuid", u))?,
            ),
            None => None,
        };
        let by_name = match name.as_deref() {
            Some(n) => Some(
                svms.iter()
                    .find(|s| s.name == n)
                    .ok_or_else(|| missing("name", n))?,
            ),
            None => None,
        };
        let svm = match (by_uuid, by_name) {
            (Some(a), Some(b)) if a.uuid != b.uuid => {
                let code = if self.op.documents(SVM_NAME_UUID_MISMATCH) {
                    SVM_NAME_UUID_MISMATCH
                } else {
                    INVALID_FIELD
                };
                return Err(ApiError::bad_request(
                    code,
                    "Both the SVM UUID and SVM name were supplied, but they do not refer to the same SVM.",
                )
                .target(format!("{at}.name")));
            }
            (Some(s), _) | (_, Some(s)) => s,
            (None, None) => return Ok(()),
        };
        let link = format!("/api/svm/svms/{}", svm.uuid);
        self.set(schema, v, Some(&svm.name), Some(&svm.uuid), Some(link));
        Ok(())
    }

    /// Writes the referred record's name, uuid and link into the reference, where its schema
    /// has them.
    fn set(
        &self,
        schema: &Schema,
        v: &mut Value,
        name: Option<&str>,
        uuid: Option<&str>,
        link: Option<String>,
    ) {
        let Some(map) = v.as_object_mut() else { return };
        let has = |f: &str| self.doc().property(schema, f).is_some();
        if let Some(n) = name.filter(|_| has("name")) {
            map.insert("name".into(), json!(n));
        }
        if let Some(u) = uuid.filter(|_| has("uuid")) {
            map.insert("uuid".into(), json!(u));
        }
        if let Some(l) = link.filter(|_| has("_links")) {
            let mut links = Map::new();
            links.insert("self".into(), json!({ "href": l }));
            map.insert("_links".into(), Value::Object(links));
        }
    }
}

/// The `name` and `uuid` a reference gives.
fn given(v: &Value) -> (Option<String>, Option<String>) {
    let text = |f: &str| v.get(f).and_then(Value::as_str).map(str::to_string);
    (text("name"), text("uuid"))
}

/// UUIDs compare without regard to case (ONTAP's are hex; the routes compare them so too).
fn same_uuid(have: &str, given: &str) -> bool {
    have == given || (is_uuid(have) && have.eq_ignore_ascii_case(given))
}
