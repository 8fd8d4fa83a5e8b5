//! What a fresh cluster shows, where a made-up record would mislead a client: the named records
//! ONTAP creates itself (the `default` export policy of each SVM, the `default`,
//! `default-1weekly` and `none` snapshot policies, the job schedules, the SVMs' root volumes,
//! the `Default` broadcast domain ...), read from [`FRESH`] (`fresh.json`, each collection with
//! its basis). A collection listed there is seeded with exactly those records, in order; each is
//! made as any seeded record is ([`super::seed`]) and then given the listed fields (a `null`
//! removes one: a cluster-wide snapshot policy has no `svm`). Records alternate between `svm1`
//! and `svm2` unless a record names its SVM.
//!
//! Only top-level collections and singletons (`/api/cluster`): a nested collection (a volume's
//! snapshots) is seeded per parent as before.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

/// The file: collection path → its records and why.
static FRESH: &str = include_str!("fresh.json");

#[derive(Debug, Deserialize)]
struct Collection {
    /// Where the values come from: documented (NetApp's doc), observed (a public capture) or
    /// convention (why).
    #[allow(dead_code)]
    basis: String,
    records: Vec<Value>,
}

static TABLE: LazyLock<HashMap<String, Collection>> = LazyLock::new(|| {
    TABLE_READ.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut table: HashMap<String, Collection> = serde_json::from_str(FRESH).unwrap_or_else(|e| {
        tracing::warn!("fresh.json does not read, the seed is generated only: {e}");
        HashMap::new()
    });
    if let Some(given) = STATE.get() {
        for (path, c) in given {
            table.insert(
                path.clone(),
                Collection {
                    basis: c.basis.clone(),
                    records: c.records.clone(),
                },
            );
        }
    }
    table
});

/// Whether [`TABLE`] has been read: a state given after that would not be seen.
static TABLE_READ: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The collections a `--state FILE` gave, laid over [`FRESH`] before the engine is built.
static STATE: std::sync::OnceLock<HashMap<String, Collection>> = std::sync::OnceLock::new();

/// Reads a state file (`--state FILE`): the same shape as `fresh.json`, a top-level collection's
/// path (`/api/storage/volumes`) to `{basis, records}`. Each collection given replaces that
/// collection's records on a fresh cluster (and after a reset); the others stay as seeded.
/// Returns how many collections it gave, or what is wrong with it, naming the file and the line
/// or the collection. Must be called before the first emulator starts: the engine is built once.
pub fn load_state(path: &std::path::Path) -> Result<usize, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let given: HashMap<String, Collection> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown}:{}:{}: {e} (a state file maps a collection's path to {{\"basis\": \"why\", \"records\": [...]}}, as the emulator's fresh.json does)",
            e.line(),
            e.column()
        )
    })?;
    let doc = &*super::DOCUMENT;
    for (p, c) in &given {
        let served = doc.paths.get(p).is_some_and(|item| item.get.is_some());
        if !served || p.contains('{') {
            return Err(format!(
                "{shown}: `{p}` is not a top-level collection of NetApp's definition the engine serves (a path like /api/storage/volumes)"
            ));
        }
        if c.basis.trim().is_empty() {
            return Err(format!(
                "{shown}: `{p}` has no basis: say where its records come from (observed: a cluster's answer, convention: why)"
            ));
        }
        if let Some(i) = c.records.iter().position(|r| !r.is_object()) {
            return Err(format!("{shown}: `{p}` record {i} is not an object"));
        }
    }
    let n = given.len();
    STATE
        .set(given)
        .map_err(|_| "a state was already given to this process".to_string())?;
    if TABLE_READ.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(
            "the state comes too late: an emulator has started in this process already".into(),
        );
    }
    Ok(n)
}

/// The records a fresh cluster shows in the collection at `template`, if listed.
pub fn records(template: &str) -> Option<&'static [Value]> {
    TABLE.get(template).map(|c| c.records.as_slice())
}

/// Record `index` of the collection at `template`, if listed.
pub fn record(template: &str, index: usize) -> Option<&'static Value> {
    records(template)?.get(index)
}

/// The name record `index` of the collection at `template` has on a fresh cluster.
pub fn name(template: &str, index: usize) -> Option<&'static str> {
    record(template, index)?.get("name")?.as_str()
}

/// The SVM record `index` names, if it names one.
pub fn svm(template: &str, index: usize) -> Option<&'static str> {
    record(template, index)?.pointer("/svm/name")?.as_str()
}

/// `fresh` laid over `body`: objects field by field, `null` removes, anything else replaces.
pub fn overlay(body: &mut Value, fresh: &Value) {
    let (Value::Object(have), Value::Object(given)) = (body, fresh) else {
        return;
    };
    for (k, v) in given {
        match (have.get_mut(k), v) {
            (_, Value::Null) => {
                have.shift_remove(k);
            }
            (Some(slot), Value::Object(_)) if slot.is_object() => overlay(slot, v),
            _ => {
                have.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_reads_and_every_collection_has_a_basis_and_records() {
        let table: std::collections::HashMap<String, super::Collection> =
            serde_json::from_str(super::FRESH).expect("fresh.json reads");
        for (path, c) in &table {
            assert!(!c.basis.is_empty() && !c.records.is_empty(), "{path}");
            assert!(path.starts_with("/api/"), "{path}");
        }
    }
}
