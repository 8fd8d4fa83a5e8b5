//! A write the engine carries out on its records, now (200, 201) or when its job runs (202):
//! checked against the records as they are at that moment, under the state's lock, so that
//! concurrent writers never undo each other (a PATCH merges into the record as it is then, not
//! as it was when the request came).
//!
//! - Keys and names are unique within their scope (the parent record, for SVM records the
//!   SVM, for a node's records the node: each node has its `e0c`): a second record with the
//!   same path, or the same `name`, is 409 code 1 ("duplicate entry", observed: tf issue #598),
//!   naming the field. A collection whose records have no path of their own (AutoSupport
//!   messages, events) holds what it is given.
//! - A record that is gone (deleted meanwhile, or never there) is 404 code 4.
//! - A PATCH that changes a key (a name that is one) moves the record, its links and its nested
//!   records' paths with it.

use serde_json::Value;

use super::Engine;
use super::resources::ResId;
use super::seed::from_parent;
use super::store::{Record, RecordId, Store, href};
use crate::error::{ApiError, ApiResult};

/// One write.
#[derive(Debug, Clone)]
pub enum Change {
    Insert {
        res: ResId,
        record: Record,
    },
    /// Merges `patch` into the record (objects field by field; anything else replaced).
    Patch {
        res: ResId,
        id: RecordId,
        patch: Value,
    },
    Remove {
        res: ResId,
        id: RecordId,
    },
}

impl Change {
    /// The resource the change writes to.
    pub fn res(&self) -> ResId {
        match self {
            Change::Insert { res, .. } | Change::Patch { res, .. } | Change::Remove { res, .. } => {
                *res
            }
        }
    }
}

/// Carries out `change` on `store`.
/// Then the other side of a nested collection that is its parent's array agrees
/// ([`super::members`]).
pub fn apply(engine: &Engine, store: &mut Store, change: Change) -> ApiResult<()> {
    let parent_of = |store: &Store, res, id| store.by_id(res, id).and_then(|r| r.parent);
    let (res, written) = match change {
        Change::Insert { res, record } => {
            let parent = record.parent;
            (res, (Some(insert(engine, store, res, record)?), parent))
        }
        Change::Patch { res, id, patch } => {
            let parent = parent_of(store, res, id);
            modify(engine, store, res, id, patch)?;
            (res, (Some(id), parent))
        }
        Change::Remove { res, id } => {
            let parent = parent_of(store, res, id);
            if !store.remove(&engine.resources.list, res, id) {
                return Err(missing(engine, res));
            }
            (res, (None, parent))
        }
    };
    super::members::sync(engine.doc, &engine.resources.list, store, res, written);
    Ok(())
}

/// Whether `change` can be carried out on `store` as it is, without carrying it out: a job's
/// write is checked so when it is accepted (a duplicate name is the POST's 409, not a failed
/// job), and again when the job runs.
pub fn check(engine: &Engine, store: &Store, change: &Change) -> ApiResult<()> {
    match change {
        Change::Insert { res, record } => {
            parent_exists(engine, store, *res, record)?;
            unique(engine, store, *res, record, None)
        }
        Change::Patch { res, id, patch } => {
            patched(engine, store, *res, *id, patch.clone()).map(|_| ())
        }
        Change::Remove { res, id } => store
            .by_id(*res, *id)
            .map(|_| ())
            .ok_or_else(|| missing(engine, *res)),
    }
}

/// 404 code 4 naming the resource's last key.
pub fn missing(engine: &Engine, res: ResId) -> ApiError {
    let r = &engine.resources.list[res];
    let keys = r.instance.as_ref().map_or(&[][..], |i| &i.keys[..]);
    ApiError::entry_missing(keys.last().map_or("path", |k| k.name.as_str()))
}

fn insert(
    engine: &Engine,
    store: &mut Store,
    res: ResId,
    mut record: Record,
) -> ApiResult<RecordId> {
    parent_exists(engine, store, res, &record)?;
    if unique(engine, store, res, &record, None).is_err() {
        renumber(engine, store, res, &mut record);
    }
    unique(engine, store, res, &record, None)?;
    Ok(store.insert(res, record))
}

/// Gives the record's keys that the cluster numbers (a `readOnly` integer: a qtree's `id`) the
/// next number in its scope: two jobs accepted at once numbered their records alike, and the
/// second to run takes the next one, as a cluster numbering them when it makes them would.
fn renumber(engine: &Engine, store: &Store, res: ResId, record: &mut Record) {
    let doc = engine.doc;
    let r = &engine.resources.list[res];
    let Some(instance) = &r.instance else { return };
    for (i, key) in instance.keys.iter().enumerate() {
        let Some(field) = key.field.as_deref().filter(|f| !f.contains('.')) else {
            continue;
        };
        let numbered = doc.field(r.record, field).is_some_and(|s| {
            let s = doc.scalar(s);
            s.read_only && s.kind.as_deref() == Some("integer")
        });
        let at = r.parent_params + i;
        if !numbered || record.params.len() <= at {
            continue;
        }
        let next = store
            .under(res, record.parent)
            .filter_map(|o| o.params.get(at)?.parse::<i64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        record.params[at] = next.to_string();
        super::seed::set(&mut record.body, field, Value::from(next));
    }
    if let Some(link) = href(r, &record.params)
        && let Some(self_link) = record.body.pointer_mut("/_links/self/href")
    {
        *self_link = Value::String(link);
    }
}

/// 404 code 4, naming the path's last parent key, when the record's parent is gone.
fn parent_exists(engine: &Engine, store: &Store, res: ResId, record: &Record) -> ApiResult<()> {
    let r = &engine.resources.list[res];
    let (Some(p), Some(pid)) = (r.parent, record.parent) else {
        return Ok(());
    };
    if store.by_id(p, pid).is_some() {
        return Ok(());
    }
    let name = r
        .template
        .split('/')
        .filter(|s| s.starts_with('{'))
        .nth(r.parent_params.saturating_sub(1))
        .map_or("path", |s| s.trim_matches(|c| c == '{' || c == '}'));
    Err(ApiError::entry_missing(name))
}

/// Whether `record` (or the record `except` becoming it) clashes with another of its scope.
fn unique(
    engine: &Engine,
    store: &Store,
    res: ResId,
    record: &Record,
    except: Option<RecordId>,
) -> ApiResult<()> {
    let r = &engine.resources.list[res];
    let Some(instance) = &r.instance else {
        // No path of its own: an object (one per scope) or a log of what was sent.
        if r.shape == super::Shape::Object
            && store
                .under(res, record.parent)
                .any(|o| Some(o.id) != except)
        {
            return Err(ApiError::duplicate("path"));
        }
        return Ok(());
    };
    let others = || {
        store
            .records
            .get(res)
            .into_iter()
            .flatten()
            .filter(move |o| Some(o.id) != except)
    };
    if others().any(|o| o.params == record.params) {
        let target = instance
            .keys
            .last()
            .map_or("name", |k| k.field.as_deref().unwrap_or(&k.name));
        return Err(ApiError::duplicate(target));
    }
    let name = record.body.get("name").and_then(Value::as_str);
    let enumerated = engine
        .doc
        .property(r.record, "name")
        .is_some_and(|s| engine.doc.scalar(s).choices.is_some());
    if let Some(name) = name.filter(|_| !enumerated) {
        // A node's records (its ports) are named within the node.
        let node = |r: &Record| r.body.pointer("/node/uuid").cloned();
        let clash = others().any(|o| {
            o.parent == record.parent
                && o.owner == record.owner
                && node(o) == node(record)
                && o.body.get("name").and_then(Value::as_str) == Some(name)
        });
        if clash {
            return Err(ApiError::duplicate("name"));
        }
    }
    Ok(())
}

fn modify(
    engine: &Engine,
    store: &mut Store,
    res: ResId,
    id: RecordId,
    patch: Value,
) -> ApiResult<()> {
    let (at, record, moved) = patched(engine, store, res, id, patch)?;
    let params = record.params.clone();
    store.records[res][at] = record;
    if moved {
        store.rekey(&engine.resources.list, res, id, &params);
    }
    refresh_children(engine, store, res, id);
    Ok(())
}

/// The record `id` with `patch` merged in (its position, and whether its path moved), checked
/// against its scope.
fn patched(
    engine: &Engine,
    store: &Store,
    res: ResId,
    id: RecordId,
    patch: Value,
) -> ApiResult<(usize, Record, bool)> {
    let r = &engine.resources.list[res];
    let at = store
        .position(res, id)
        .ok_or_else(|| missing(engine, res))?;
    let mut record = store.records[res][at].clone();
    merge(&mut record.body, patch);
    if let Some(uuid) = record.body.pointer("/svm/uuid").and_then(Value::as_str) {
        record.owner = Some(uuid.to_string());
    }
    let before = record.params.clone();
    if let Some(instance) = &r.instance {
        for (i, key) in instance.keys.iter().enumerate() {
            let pointer = key
                .field
                .as_deref()
                .map(|f| format!("/{}", f.replace('.', "/")));
            if let Some(v) = pointer.and_then(|p| record.body.pointer(&p))
                && let Some(slot) = record.params.get_mut(r.parent_params + i)
            {
                *slot = super::resources::key_text(v);
            }
        }
    }
    unique(engine, store, res, &record, Some(id))?;
    let moved = record.params != before;
    if moved
        && let Some(link) = href(r, &record.params)
        && let Some(self_link) = record.body.pointer_mut("/_links/self/href")
    {
        *self_link = Value::String(link);
    }
    Ok((at, record, moved))
}

/// The fields of the records nested under `res`'s record `id` that come from it (a snapshot's
/// `volume`), made again from the record as it is now: a renamed volume's snapshots name it by
/// its new name.
fn refresh_children(engine: &Engine, store: &mut Store, res: ResId, id: RecordId) {
    let Some(parent) = store.by_id(res, id).cloned() else {
        return;
    };
    for (child, c) in engine.resources.list.iter().enumerate() {
        if c.parent != Some(res) {
            continue;
        }
        let fields: Vec<(&str, Value)> = engine
            .doc
            .properties(c.record)
            .into_iter()
            .filter_map(|(f, s)| Some((f, from_parent(engine.doc, c, &parent, f, s)?)))
            .collect();
        if fields.is_empty() {
            continue;
        }
        for record in store.records[child].iter_mut() {
            if record.parent != Some(id) {
                continue;
            }
            for (f, v) in &fields {
                if let Some(map) = record.body.as_object_mut() {
                    map.insert(f.to_string(), v.clone());
                }
            }
        }
    }
}

/// `patch` merged into `into`: objects field by field, anything else replaced.
pub fn merge(into: &mut Value, patch: Value) {
    match (into, patch) {
        (Value::Object(have), Value::Object(given)) => {
            for (k, v) in given {
                match have.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        have.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_patch_merges_objects_and_replaces_the_rest() {
        let mut have = json!({"a": 1, "o": {"x": 1, "y": 2}, "l": [1, 2]});
        merge(&mut have, json!({"o": {"y": 3}, "l": [3], "n": "new"}));
        assert_eq!(
            have,
            json!({"a": 1, "o": {"x": 1, "y": 3}, "l": [3], "n": "new"})
        );
    }
}
