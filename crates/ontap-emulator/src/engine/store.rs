//! The engine's records: per resource, each record with the record it lives under, the values of
//! its path's parameters and the SVM it belongs to. Part of the cluster's state
//! ([`crate::state::State`]), so `POST /emulator/reset` restores it with the rest.
//!
//! A record has an id of its own, which no change moves: a nested record names its parent by
//! it (a position would shift when an earlier record goes), and a job names the record it will
//! change by it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::resources::{ResId, Resource};
use super::values::is_uuid;

/// A record's own id, unique within its store.
pub type RecordId = u64;

/// One record (or one object) the engine serves.
#[derive(Clone, Debug)]
pub struct Record {
    /// Set by [`Store::insert`].
    pub id: RecordId,
    /// The id of the parent resource's record it lives under.
    pub parent: Option<RecordId>,
    /// The values of every parameter of its path: the parent's, then its own keys. Kept beside
    /// the body because a key need not be a field (`{tpgroup}` of an iSCSI session is not).
    pub params: Vec<String>,
    /// The uuid of the SVM it belongs to, its own `svm` or its parent's: who may see it.
    pub owner: Option<String>,
    pub body: Value,
}

impl Record {
    /// A record not inserted yet, under `parent`: it belongs to the SVM its `svm` names, else
    /// to its parent's.
    pub fn made(parent: Option<&Record>, params: Vec<String>, body: Value) -> Record {
        let owner = body
            .pointer("/svm/uuid")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| parent.and_then(|p| p.owner.clone()));
        Record {
            id: 0,
            parent: parent.map(|p| p.id),
            params,
            owner,
            body,
        }
    }
}

/// Every resource's records, by [`ResId`].
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub records: Vec<Vec<Record>>,
    /// The id the next record inserted gets.
    pub next_id: RecordId,
}

/// Whether a path parameter names a record's key: exactly, or for UUIDs in any case (ONTAP's
/// UUIDs are hex, and the hand-written routes compare them so too).
fn same_key(have: &str, given: &str) -> bool {
    have == given || (is_uuid(have) && have.eq_ignore_ascii_case(given))
}

impl Store {
    /// The index of `res`'s record whose path parameters are `params`.
    pub fn find(&self, res: ResId, params: &[&str]) -> Option<usize> {
        self.records.get(res)?.iter().position(|r| {
            r.params.len() == params.len()
                && r.params.iter().zip(params).all(|(h, g)| same_key(h, g))
        })
    }

    /// `res`'s records under the parent record `parent` (all of them for a top-level resource).
    pub fn under(&self, res: ResId, parent: Option<RecordId>) -> impl Iterator<Item = &Record> {
        self.records
            .get(res)
            .into_iter()
            .flatten()
            .filter(move |r| r.parent == parent)
    }

    /// The index of `res`'s record with the id `id`.
    pub fn position(&self, res: ResId, id: RecordId) -> Option<usize> {
        self.records.get(res)?.iter().position(|r| r.id == id)
    }

    /// `res`'s record with the id `id`.
    pub fn by_id(&self, res: ResId, id: RecordId) -> Option<&Record> {
        self.records.get(res)?.iter().find(|r| r.id == id)
    }

    /// Adds a record to `res`, with a new id, which it answers.
    pub fn insert(&mut self, res: ResId, mut record: Record) -> RecordId {
        record.id = self.next_id;
        self.next_id += 1;
        let id = record.id;
        if let Some(list) = self.records.get_mut(res) {
            list.push(record);
        }
        id
    }

    /// Removes `res`'s record `id` and every record nested under it, at any depth (a volume's
    /// snapshots go with it); `resources` says which resources nest in which.
    pub fn remove(&mut self, resources: &[Resource], res: ResId, id: RecordId) -> bool {
        let Some(at) = self.position(res, id) else {
            return false;
        };
        self.records[res].remove(at);
        for (child, r) in resources.iter().enumerate() {
            if r.parent != Some(res) {
                continue;
            }
            let under: Vec<RecordId> = self.under(child, Some(id)).map(|c| c.id).collect();
            for c in under {
                self.remove(resources, child, c);
            }
        }
        true
    }

    /// Gives the records nested under `res`'s record `id`, at any depth, the parent's new path
    /// parameters `params` (the first of theirs), and their links the paths that follow.
    pub fn rekey(&mut self, resources: &[Resource], res: ResId, id: RecordId, params: &[String]) {
        for (child, r) in resources.iter().enumerate() {
            if r.parent != Some(res) {
                continue;
            }
            let under: Vec<RecordId> = self.under(child, Some(id)).map(|c| c.id).collect();
            for c in under {
                let Some(at) = self.position(child, c) else {
                    continue;
                };
                let record = &mut self.records[child][at];
                let own = record
                    .params
                    .split_off(r.parent_params.min(record.params.len()));
                record.params = params.iter().cloned().chain(own).collect();
                let new = record.params.clone();
                if let Some(link) = href(r, &new)
                    && let Some(self_link) = record.body.pointer_mut("/_links/self/href")
                {
                    *self_link = Value::String(link);
                }
                self.rekey(resources, child, c, &new);
            }
        }
    }
}

/// Characters escaped in one path segment of a record's `_links.self.href`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b'@');

/// `segs` as a path, each escaped again as one segment (`/api/storage/volumes/a%2Fb`).
pub fn path_of(segs: &[&str]) -> String {
    let mut out = String::with_capacity(segs.iter().map(|s| s.len() + 1).sum::<usize>().max(1));
    for s in segs {
        out.push('/');
        out.extend(utf8_percent_encode(s, SEGMENT));
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// `template` with its parameters replaced, in order, by `params` (each escaped as one
/// segment); `None` when they do not add up.
pub fn fill(template: &str, params: &[String]) -> Option<String> {
    let mut values = params.iter();
    let mut out = String::new();
    for segment in template.trim_start_matches('/').split('/') {
        out.push('/');
        if segment.starts_with('{') {
            out.extend(utf8_percent_encode(values.next()?, SEGMENT));
        } else {
            out.push_str(segment);
        }
    }
    values.next().is_none().then_some(out)
}

/// A record's own path, when its resource has a record path and no free parameter (whose value
/// only a request gives).
pub fn href(res: &Resource, params: &[String]) -> Option<String> {
    if !res.free.is_empty() {
        return None;
    }
    fill(&res.instance.as_ref()?.template, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_its_segments_each_escaped() {
        assert_eq!(path_of(&[]), "/");
        assert_eq!(
            path_of(&["api", "storage", "volumes", "a/b c"]),
            "/api/storage/volumes/a%2Fb%20c"
        );
        // As a template of as many parameters, filled, gives it.
        let segs = ["api", "x y", "{uuid}"];
        let values: Vec<String> = segs.iter().map(|s| s.to_string()).collect();
        assert_eq!(Some(path_of(&segs)), fill("/{a}/{b}/{c}", &values));
    }

    #[test]
    fn a_path_is_filled_one_escaped_segment_per_parameter() {
        let params = vec!["u-1".to_string(), "/api/storage volumes".to_string()];
        assert_eq!(
            fill("/api/security/roles/{owner.uuid}/{name}", &params).as_deref(),
            Some("/api/security/roles/u-1/%2Fapi%2Fstorage%20volumes")
        );
        assert_eq!(fill("/api/x/{a}", &params), None);
    }
}
