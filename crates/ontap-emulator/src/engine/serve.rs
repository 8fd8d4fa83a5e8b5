//! The engine's GET: a collection with ONTAP's conventions ([`crate::collection`]: `fields`,
//! filters, `order_by`, `max_records` and `_links.next`, `return_records`), one record by its
//! keys (404 code 4 when none has them), or one object; fields ONTAP marks advanced only with
//! `fields=**`; an SVM's administrator sees its SVM's records only.

use serde_json::{Value, json};

use super::fields::Fields;
use super::resources::{Param, Resource};
use super::store::{Record, RecordId, Store};
use super::{Found, Target, engine};
use crate::collection::{self, CollectionSpec, RESERVED, filter_matches};
use crate::context::{Caller, Ctx, Reply};
use crate::error::{ApiError, ApiResult};

/// Answers a GET of the path `segs` (split and decoded) that [`super::find`] found.
pub fn get(ctx: &Ctx, found: &Found, segs: &[&str]) -> ApiResult<Reply> {
    let eng = engine();
    let res = &eng.resources.list[found.res];
    let fields = &eng.fields[found.res];
    // The cluster's record is every account's to read: NetApp's Ansible modules read its
    // `version` first, with SVM administrators' credentials too (`netapp.py`,
    // `get_ontap_version_using_rest`), which a cluster answers.
    let everyone = res.template == super::CLUSTER;
    if ctx.caller.owner.is_some() && !eng.scoped[found.res] && !everyone {
        return Err(ApiError::forbidden());
    }
    let path = normalized(segs);
    // A plain GET of one record (no query, HAL, nothing advanced to hide) answers its stored
    // body as it is: kept, rendered, until the state changes.
    let plain_record = found.target == Target::Record
        && ctx.query.pairs.is_empty()
        && !ctx.plain
        && fields.advanced.is_empty();
    if plain_record
        && let Some(text) = ctx
            .app
            .rendered
            .record(ctx.app.generation(), &ctx.caller.owner, &path)
    {
        return Ok(Reply::json(text));
    }
    let state = ctx.app.lock();
    let generation = ctx.app.generation();
    let store: &Store = &state.engine;
    let parent = parent_record(store, res, &found.params, &ctx.caller)?;
    let free = free_values(store, res, &found.params)?;
    let named = named_fields(ctx, fields);
    match found.target {
        Target::Action => Err(ApiError::method_not_allowed("GET")),
        Target::Collection => {
            let records: Vec<Value> = store
                .under(found.res, parent)
                .filter(|r| visible(&ctx.caller, r))
                .map(|r| without_advanced(r.body.clone(), fields, &named))
                .collect();
            drop(state);
            let known: Vec<&str> = fields.known.iter().map(String::as_str).collect();
            let defaults = fields.kept(&ctx.query);
            let extra = extra_params(&res.query, fields);
            let spec = CollectionSpec {
                path: &path,
                default_fields: &defaults,
                known_fields: &known,
                extra_params: &extra,
            };
            Ok(Reply::ok(collection::render(records, &ctx.query, &spec)?))
        }
        Target::Record => {
            let missing = || {
                let keys = res.instance.as_ref().map_or(&[][..], |i| &i.keys[..]);
                ApiError::entry_missing(keys.last().map_or("path", |k| k.name.as_str()))
            };
            let record = store
                .find(found.res, &param_refs(&found.params))
                .and_then(|i| store.records[found.res].get(i))
                .filter(|r| visible(&ctx.caller, r))
                .ok_or_else(missing)?;
            // The everyday GET of one record: its stored body is the answer, written as JSON
            // straight from the store and kept. Copying the record to shape it first, then
            // writing it, was most of the engine's own work per GET under `wrk`
            // (`scripts/bench/load.sh` with ENGINE=1).
            if plain_record {
                let mut bytes = Vec::with_capacity(1024);
                serde_json::to_writer(&mut bytes, &record.body)
                    .map_err(|_| ApiError::entry_missing("path"))?;
                drop(state);
                let text = axum::body::Bytes::from(bytes);
                ctx.app
                    .rendered
                    .put_record(generation, &ctx.caller.owner, &path, text.clone());
                return Ok(Reply::json(text));
            }
            let body = without_advanced(record.body.clone(), fields, &named);
            drop(state);
            let documented = res.instance.as_ref().map_or(&[][..], |i| &i.query[..]);
            one(ctx, body, fields, documented)
        }
        Target::Object => {
            let record = store
                .under(found.res, parent)
                .find(|r| everyone || visible(&ctx.caller, r))
                .ok_or_else(|| ApiError::entry_missing("path"))?;
            let mut body = without_advanced(record.body.clone(), fields, &named);
            drop(state);
            for (param, value) in free {
                if let Some(field) = &param.field {
                    set_field(&mut body, field, value);
                }
            }
            if eng.doc.property(res.record, "_links").is_some()
                && let Some(obj) = body.as_object_mut()
            {
                obj.insert("_links".into(), json!({"self": {"href": path}}));
            }
            if res.template == super::CLUSTER
                && let Some(obj) = body.as_object_mut()
            {
                obj.insert("version".into(), crate::cluster::version(&ctx.app.version));
            }
            one(ctx, body, fields, &res.query)
        }
    }
}

/// The path as the answer's links give it: segments joined, each escaped again.
fn normalized(segs: &[&str]) -> String {
    super::store::path_of(segs)
}

fn param_refs(params: &[String]) -> Vec<&str> {
    params.iter().map(String::as_str).collect()
}

/// Whether the caller may see the record: a cluster account every one, an SVM's administrator
/// (or a cluster account tunnelled into an SVM) its SVM's, and its SVM's own record (one that
/// belongs to no SVM and whose `uuid` is the SVM's: NetApp's "SVM administrators" may read
/// their SVM, not create, modify or delete one).
pub(super) fn visible(caller: &Caller, record: &Record) -> bool {
    match &caller.owner {
        None => true,
        Some(svm) => record
            .owner
            .as_deref()
            .or_else(|| record.body.get("uuid").and_then(Value::as_str))
            .is_some_and(|o| o.eq_ignore_ascii_case(svm)),
    }
}

/// The parent record the path's leading parameters name, by its id (404 code 4, naming the
/// last of them, when none does or the caller may not see it).
pub(super) fn parent_record(
    store: &Store,
    res: &Resource,
    params: &[String],
    caller: &Caller,
) -> ApiResult<Option<RecordId>> {
    record_under(
        store,
        (res.parent, res.parent_params),
        &res.template,
        params,
        caller,
    )
}

/// The record of the collection `parent` whose path is the first `count` of `params` (those of
/// the path `template`), as [`parent_record`] finds it.
pub(super) fn record_under(
    store: &Store,
    (parent, count): (Option<super::ResId>, usize),
    template: &str,
    params: &[String],
    caller: &Caller,
) -> ApiResult<Option<RecordId>> {
    let Some(parent) = parent else {
        return Ok(None);
    };
    let given = param_refs(&params[..count.min(params.len())]);
    let name = template
        .split('/')
        .filter(|s| s.starts_with('{'))
        .nth(count.saturating_sub(1))
        .map_or("path", |s| s.trim_start_matches('{').trim_end_matches('}'));
    store
        .find(parent, &given)
        .map(|i| &store.records[parent][i])
        .filter(|r| visible(caller, r))
        .map(|r| Some(r.id))
        .ok_or_else(|| ApiError::entry_missing(name))
}

/// The values of the free parameters as their fields hold them: a number for an integer field
/// (a value that is not one names nothing: 404 code 4), else the text.
pub(super) fn free_values<'a>(
    store: &Store,
    res: &'a Resource,
    params: &[String],
) -> ApiResult<Vec<(&'a Param, Value)>> {
    let engine = engine();
    let mut out = Vec::new();
    for (i, param) in res.free.iter().enumerate() {
        let Some(text) = params.get(res.parent_params + i) else {
            continue;
        };
        let schema = param
            .field
            .as_deref()
            .and_then(|f| engine.doc.field(res.record, f))
            .map(|s| engine.doc.scalar(s));
        let integer = param.integer
            || schema
                .as_ref()
                .is_some_and(|s| s.kind.as_deref() == Some("integer"));
        let value = if integer {
            Value::from(
                text.parse::<i64>()
                    .map_err(|_| ApiError::entry_missing(&param.name))?,
            )
        } else {
            Value::String(text.clone())
        };
        if let Some(schema) = schema
            && !super::values::fits(&schema, &value)
        {
            return Err(ApiError::entry_missing(&param.name));
        }
        if !names_something(store, &param.name, &value) {
            return Err(ApiError::entry_missing(&param.name));
        }
        out.push((param, value));
    }
    Ok(out)
}

/// Whether a parameter that is a reference by its name (`{volume.uuid}` of
/// `/api/storage/snaplock/file/{volume.uuid}/{path}`: the `uuid` of a `volume`) names a record
/// of the top-level collection whose records are called so; a parameter of any other name is
/// the client's to choose (a file path), and names something.
fn names_something(store: &Store, name: &str, value: &Value) -> bool {
    let Some((label, key)) = name.split_once('.') else {
        return true;
    };
    let label = label.replace('-', "_");
    let eng = engine();
    let Some(id) = eng
        .resources
        .list
        .iter()
        .position(|r| r.parent.is_none() && r.instance.is_some() && r.label == label)
    else {
        return true;
    };
    let Some(text) = value.as_str() else {
        return true;
    };
    store.under(id, None).any(|r| {
        r.body
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(text))
    })
}

/// The fields the request names (`fields`), which keep an advanced field (`**` keeps all).
fn named_fields(ctx: &Ctx, fields: &Fields) -> Vec<String> {
    if fields.advanced.is_empty() {
        return Vec::new();
    }
    ctx.query.fields()
}

/// The record without its advanced fields, but those the request names (or all, for `**`).
fn without_advanced(mut body: Value, fields: &Fields, named: &[String]) -> Value {
    if named.iter().any(|f| f == "**") {
        return body;
    }
    for field in &fields.advanced {
        let asked = named.iter().any(|n| {
            n == field || field.starts_with(&format!("{n}.")) || n.starts_with(&format!("{field}."))
        });
        if asked {
            continue;
        }
        let mut parts: Vec<&str> = field.split('.').collect();
        let Some(last) = parts.pop() else { continue };
        let pointer: String = parts.iter().map(|p| format!("/{p}")).collect();
        if let Some(obj) = body.pointer_mut(&pointer).and_then(Value::as_object_mut) {
            obj.remove(last);
        }
    }
    body
}

/// The query parameters a GET documents that are not fields (and not ONTAP's own): accepted,
/// and not read as filters.
fn extra_params<'a>(documented: &'a [String], fields: &Fields) -> Vec<&'a str> {
    documented
        .iter()
        .filter(|p| !RESERVED.contains(&p.as_str()) && !fields.known.contains(p))
        .map(String::as_str)
        .collect()
}

/// One record's or object's answer: the query's fields on it, and a field named in the query
/// as a matcher (a mismatch is 404 code 4 naming it, as on the hand-written routes).
fn one(ctx: &Ctx, body: Value, fields: &Fields, documented: &[String]) -> ApiResult<Reply> {
    let q = &ctx.query;
    q.return_timeout(0)?;
    q.bool_param("return_records", true)?;
    q.max_records()?;
    for (k, v) in &q.pairs {
        if RESERVED.contains(&k.as_str()) {
            continue;
        }
        if fields.known.contains(k) {
            if !filter_matches(&body, k, v) {
                return Err(ApiError::entry_missing(k));
            }
        } else if !documented.contains(k) {
            return Err(ApiError::unexpected_argument(k));
        }
    }
    let known: Vec<&str> = fields.known.iter().map(String::as_str).collect();
    let defaults = fields.kept(q);
    Ok(Reply::ok(collection::select_fields(
        body, q, &defaults, &known,
    )?))
}

/// Sets the dotted `field` of an object body (where its objects exist).
fn set_field(body: &mut Value, field: &str, value: Value) {
    let mut parts: Vec<&str> = field.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let pointer: String = parts.iter().map(|p| format!("/{p}")).collect();
    if let Some(obj) = body.pointer_mut(&pointer).and_then(Value::as_object_mut) {
        obj.insert(last.to_string(), value);
    }
}
