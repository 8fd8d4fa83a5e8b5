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
mod roles;
mod snapshot_policies;
mod snapshot_policy_schedules;
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
use crate::state::{State, Svm};

/// Every behaviour, one line each.
pub const BEHAVIOURS: &[Behaviour] = &[
    volumes::BEHAVIOUR,
    luns::BEHAVIOUR,
    broadcast_domains::BEHAVIOUR,
    snapshots::BEHAVIOUR,
    svms::BEHAVIOUR,
    cluster::BEHAVIOUR,
    roles::BEHAVIOUR,
    snapshot_policies::BEHAVIOUR,
    snapshot_policy_schedules::BEHAVIOUR,
];

/// ONTAP's rules for the records of one collection.
pub struct Behaviour {
    /// The collection's path, as NetApp's file writes it (`/api/storage/volumes`).
    pub path: &'static str,
    /// Sees a write to one of the collection's records (checked and complete as the engine
    /// made it) before it is carried out; at a 202's acceptance, so its job carries out what
    /// the behaviour made of it.
    pub on: fn(&Call, &mut Change) -> ApiResult<()>,
    /// Completes a POST's body (checked, its references resolved) before the engine makes the
    /// record of it: what ONTAP takes for a field left out that the engine would otherwise
    /// want given (a key).
    pub given: Option<fn(&Call, &mut Value) -> ApiResult<()>>,
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

impl<'a> Call<'a> {
    /// What the behaviours of a `method` request on `state` may read.
    pub fn of(state: &'a State, query: &'a Query, method: &'static str) -> Call<'a> {
        Call {
            engine: super::engine(),
            store: &state.engine,
            query,
            method,
            more: Default::default(),
        }
    }

    /// The cluster's SVMs, as the store holds them (read when a behaviour asks: most never do).
    pub fn svms(&self) -> impl Iterator<Item = Svm> + '_ {
        super::svm_records(self.store).filter_map(Svm::of)
    }

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

/// Runs the `given` of the behaviours of the collection `res` on a POST's body.
pub fn given(call: &Call, res: ResId, body: &mut Value) -> ApiResult<()> {
    let path = &call.engine.resources.list[res].template;
    for b in BEHAVIOURS.iter().filter(|b| b.path == path) {
        if let Some(given) = b.given {
            given(call, body)?;
        }
    }
    Ok(())
}

/// Runs the behaviours of the collections `changes` write to, in order; the changes they add
/// follow.
pub fn run(call: &Call, changes: &mut Vec<Change>) -> ApiResult<()> {
    let engine = call.engine;
    for change in changes.iter_mut() {
        let path = &engine.resources.list[change.res()].template;
        for b in BEHAVIOURS.iter().filter(|b| b.path == path) {
            (b.on)(call, change)?;
        }
    }
    changes.extend(call.more.take());
    Ok(())
}
