//! ONTAP's own rules per resource, on top of the engine: a behaviour sees each write to its
//! collection's records before the engine carries it out, and may refuse it (with ONTAP's
//! error) or complete it (a field ONTAP derives from another). Each rule carries its basis:
//! documented (NetApp's file or docs), observed (a public capture) or convention (why).
//!
//! Adding one: a file here with a `pub const BEHAVIOUR: Behaviour` (the collection's path as
//! NetApp's file writes it, and the function that sees its writes), and its line in
//! [`BEHAVIOURS`].

mod broadcast_domains;
mod cluster;
mod luns;
mod snapshots;
mod svms;
mod volumes;

use serde_json::Value;

use super::Engine;
use super::change::Change;
use super::resources::ResId;
use super::store::{Record, Store};
use crate::collection::Query;
use crate::error::ApiResult;

/// Every behaviour, one line each.
pub const BEHAVIOURS: &[Behaviour] = &[
    volumes::BEHAVIOUR,
    luns::BEHAVIOUR,
    broadcast_domains::BEHAVIOUR,
    snapshots::BEHAVIOUR,
    svms::BEHAVIOUR,
    cluster::BEHAVIOUR,
];

/// ONTAP's rules for the records of one collection.
pub struct Behaviour {
    /// The collection's path, as NetApp's file writes it (`/api/storage/volumes`).
    pub path: &'static str,
    /// Sees a write to one of the collection's records (checked and complete as the engine
    /// made it) before it is carried out; at a 202's acceptance, so its job carries out what
    /// the behaviour made of it.
    pub on: fn(&Call, &mut Change) -> ApiResult<()>,
}

/// What a behaviour may read: the cluster's records as they are, the request's method and
/// query; and where it may add the changes ONTAP makes with the one it sees ([`Call::also`]).
pub struct Call<'a> {
    pub engine: &'static Engine,
    pub store: &'a Store,
    pub query: &'a Query,
    /// `POST`, `PATCH` or `DELETE`: an object's POST and PATCH are both a [`Change::Patch`].
    pub method: &'static str,
    more: std::cell::RefCell<Vec<Change>>,
}

impl Call<'_> {
    /// The id of the collection at `path`.
    pub fn resource(&self, path: &str) -> Option<ResId> {
        self.engine
            .resources
            .list
            .iter()
            .position(|r| r.template == path)
    }

    /// The records of the collection at `path`.
    pub fn records(&self, path: &str) -> &[Record] {
        self.resource(path)
            .and_then(|id| self.store.records.get(id))
            .map_or(&[], Vec::as_slice)
    }

    /// The record a change names (the record as it is, for a PATCH or DELETE; the new one for
    /// a POST).
    pub fn subject<'c>(&'c self, change: &'c Change) -> Option<&'c Value> {
        match change {
            Change::Insert { record, .. } => Some(&record.body),
            Change::Patch { res, id, .. } | Change::Remove { res, id } => {
                self.store.by_id(*res, *id).map(|r| &r.body)
            }
        }
    }

    /// Adds a change carried out with the one seen, after it (a new SVM's root volume).
    pub fn also(&self, change: Change) {
        self.more.borrow_mut().push(change);
    }

    /// Whether the query's boolean `name` is `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.query.get(name).is_some_and(|v| v == "true")
    }
}

/// Runs the behaviours of the collections `changes` write to, in order; the changes they add
/// follow.
pub fn run(
    engine: &'static Engine,
    store: &Store,
    (query, method): (&Query, &'static str),
    changes: &mut Vec<Change>,
) -> ApiResult<()> {
    let call = Call {
        engine,
        store,
        query,
        method,
        more: Default::default(),
    };
    for change in changes.iter_mut() {
        let path = &engine.resources.list[change.res()].template;
        for b in BEHAVIOURS.iter().filter(|b| b.path == path) {
            (b.on)(&call, change)?;
        }
    }
    changes.extend(call.more.into_inner());
    Ok(())
}
