//! Which cases may run at the same time, and in what order they start.
//!
//! Against a real cluster a request takes tens to hundreds of milliseconds, so the suite's wall
//! time is set by how many requests must follow one another, not by the CPU. A case locks the
//! parts of the cluster it touches: it *reads* the resources of every operation it sends, and
//! *writes* (excludes everyone else from) a resource when it changes a cluster-wide setting
//! there (`exclusive: true`, on its mutating operations) or puts the emulator in a state for
//! it (`requires.emulator`, on every operation the case sends: a condition is read by the
//! operations of the resource it belongs to). So FIPS cases exclude the readers of
//! `/api/security`, not the iSCSI cases.
//!
//! Locks are taken in one order (sorted by name), so two cases can never wait on each other.
//! The cases that write start first, the longest first: their chains are the critical path.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use std::sync::Arc;

use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

use crate::case::Case;
use crate::spec::Spec;

/// The part of the cluster an operation's path touches: the state that one case's change
/// there can make another case see differently.
pub fn resource_of(path: &str) -> &'static str {
    let p = path.trim_start_matches("/api/");
    if p.starts_with("security/accounts") || p.starts_with("security/authentication") {
        // The password policy governs both account creation and password changes.
        "accounts"
    } else if p == "security" || p.starts_with("security?") {
        "security"
    } else if p.starts_with("protocols/san/iscsi") {
        "iscsi"
    } else if p.starts_with("protocols/ndmp") {
        "ndmp"
    } else if p.starts_with("cluster/jobs") {
        "jobs"
    } else {
        "cluster"
    }
}

/// What one case locks, and how many requests it sends in order (the length of its chain).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Resource → true when the case writes it.
    pub locks: BTreeMap<String, bool>,
    pub requests: usize,
}

impl Footprint {
    pub fn writes(&self) -> bool {
        self.locks.values().any(|w| *w)
    }
}

/// What `case` locks. `/api/security` holds several independent settings: a PATCH there locks
/// only the settings its body names (`security.fips` for `{"fips.enabled": true}`), so FIPS cases
/// and encryption cases do not wait for each other; a GET of it reads them all (see
/// [`widen_reads`]).
pub fn footprint(case: &Case, spec: &Spec) -> Footprint {
    let mut fp = Footprint::default();
    let conditions = case.def.requires.emulator.is_some();
    for step in case.setup.iter().chain(&case.steps).chain(&case.teardown) {
        let op = spec.op(step.op);
        let mutating = op.method != "GET";
        let write = conditions || case.def.isolated || (case.def.exclusive && mutating);
        let resource = resource_of(&op.path);
        let settings: Vec<String> = match (resource, &step.request.body) {
            ("security", Some(serde_json::Value::Object(body))) if mutating => body
                .keys()
                .map(|k| format!("security.{}", k.split('.').next().unwrap_or(k)))
                .collect(),
            _ => vec![resource.to_string()],
        };
        for r in settings {
            *fp.locks.entry(r).or_insert(false) |= write;
        }
        // A job the step follows costs at least one more request.
        let blocks = step.expect.iter().chain(&step.convention);
        let polls = blocks
            .flat_map(|e| std::iter::once(e).chain(&e.any_of))
            .any(|e| e.job_state.is_some());
        fp.requests += 1 + usize::from(polls);
    }
    // The emulator's conditions are set outside `/api`, where it adds no latency, and a real
    // cluster skips such cases: they add nothing to a chain.
    fp
}

/// A case that reads `security` reads every `security.<setting>` some case of the run writes.
pub fn widen_reads(footprints: &mut [Footprint]) {
    let settings: std::collections::BTreeSet<String> = footprints
        .iter()
        .flat_map(|f| f.locks.keys())
        .filter(|r| r.starts_with("security."))
        .cloned()
        .collect();
    for f in footprints {
        if f.locks.contains_key("security") {
            for s in &settings {
                f.locks.entry(s.clone()).or_insert(false);
            }
        }
    }
}

/// The longest run of requests that must follow one another: a resource's writers run one
/// after another, and no case runs faster than its own chain. A lower bound on the wall time
/// in requests, whatever the concurrency.
pub fn critical_path<F: Borrow<Footprint>>(footprints: &[F]) -> usize {
    critical_chain(footprints).0
}

/// The critical path and what makes it: the resource whose writers follow one another, or
/// `None` when the longest case alone is longer.
pub fn critical_chain<F: Borrow<Footprint>>(footprints: &[F]) -> (usize, Option<String>) {
    let mut per_resource: BTreeMap<&String, usize> = BTreeMap::new();
    for fp in footprints.iter().map(Borrow::borrow) {
        for (r, w) in &fp.locks {
            if *w {
                *per_resource.entry(r).or_default() += fp.requests;
            }
        }
    }
    let longest_case = footprints
        .iter()
        .map(|f| f.borrow().requests)
        .max()
        .unwrap_or(0);
    match per_resource.into_iter().max_by_key(|(_, n)| *n) {
        Some((r, n)) if n >= longest_case => (n, Some(r.clone())),
        _ => (longest_case, None),
    }
}

/// The order cases start in: writers first, the longest chain first; then the rest in file
/// order. Returns indices into `footprints`.
pub fn start_order<F: Borrow<Footprint>>(footprints: &[F]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..footprints.len()).collect();
    order.sort_by_key(|&i| {
        let f: &Footprint = footprints[i].borrow();
        (
            !f.writes(),
            if f.writes() {
                usize::MAX - f.requests
            } else {
                i
            },
        )
    });
    order
}

/// One lock per resource.
#[derive(Default)]
pub struct Locks {
    map: std::sync::Mutex<HashMap<String, Arc<RwLock<()>>>>,
}

/// Locks held for a case until it ends.
pub enum Held {
    Read(#[allow(dead_code)] OwnedRwLockReadGuard<()>),
    Write(#[allow(dead_code)] OwnedRwLockWriteGuard<()>),
}

impl Locks {
    fn lock(&self, r: &str) -> Arc<RwLock<()>> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(r.to_string()).or_default().clone()
    }

    /// Takes every lock of `fp`, in name order (a `BTreeMap`'s), so that no two cases wait for
    /// each other.
    pub async fn acquire(&self, fp: &Footprint) -> Vec<Held> {
        let mut held = Vec::new();
        for (r, write) in &fp.locks {
            let l = self.lock(r);
            held.push(if *write {
                Held::Write(l.write_owned().await)
            } else {
                Held::Read(l.read_owned().await)
            });
        }
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(locks: &[(&str, bool)], requests: usize) -> Footprint {
        Footprint {
            locks: locks.iter().map(|(r, w)| (r.to_string(), *w)).collect(),
            requests,
        }
    }

    #[test]
    fn resources_and_the_critical_path() {
        assert_eq!(resource_of("/api/security"), "security");
        assert_eq!(
            resource_of("/api/security/accounts/{owner.uuid}/{name}"),
            "accounts"
        );
        assert_eq!(
            resource_of("/api/security/authentication/password"),
            "accounts"
        );
        assert_eq!(
            resource_of("/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}"),
            "iscsi"
        );
        let fps = [
            fp(&[("security", true)], 6),
            fp(&[("security", true), ("jobs", false)], 5),
            fp(&[("iscsi", false)], 9),
            fp(&[("security", false)], 2),
        ];
        assert_eq!(critical_path(&fps), 11, "the two security writers in a row");
        assert_eq!(start_order(&fps), vec![0, 1, 2, 3]);
        let fps = [
            fp(&[("iscsi", false)], 3),
            fp(&[("ndmp", true)], 2),
            fp(&[("security", true)], 4),
        ];
        assert_eq!(
            start_order(&fps),
            vec![2, 1, 0],
            "writers first, longest first"
        );
        let mut fps = [
            fp(&[("security.fips", true)], 4),
            fp(&[("security.software_data_encryption", true)], 4),
            fp(&[("security", false)], 1),
        ];
        widen_reads(&mut fps);
        assert_eq!(
            critical_path(&fps),
            4,
            "FIPS and encryption writers do not wait for each other"
        );
        assert_eq!(
            fps[2].locks.len(),
            3,
            "a reader of /api/security reads every setting"
        );
    }

    #[tokio::test]
    async fn a_writer_excludes_readers_of_its_resource_only() {
        let locks = Arc::new(Locks::default());
        let writer = locks.acquire(&fp(&[("security", true)], 1)).await;
        // Another resource is free.
        let other = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            locks.acquire(&fp(&[("iscsi", false), ("ndmp", true)], 1)),
        )
        .await;
        assert!(other.is_ok());
        // A reader of the written resource waits until the writer is done.
        let l = locks.clone();
        let reader = tokio::spawn(async move { l.acquire(&fp(&[("security", false)], 1)).await });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!reader.is_finished());
        drop(writer);
        assert!(
            tokio::time::timeout(std::time::Duration::from_secs(1), reader)
                .await
                .is_ok()
        );
    }
}
