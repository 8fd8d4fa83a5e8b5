//! The cluster's `version`: the one field of `GET /api/cluster` that is the emulator's
//! configuration (`--ontap-version`, which a run against the emulator picks), not a record's.
//! The engine keeps the rest of the cluster's record (NetApp's 9.8 definition: its GET, its
//! PATCH by a job) and lays this over it on every read ([`crate::engine`]'s serve).

use serde_json::{Value, json};

use ontap_rest::Version;

/// `version` as ONTAP gives it: `full` (the release line `version` prints), `generation`,
/// `major`, `minor` (NetApp's cluster schema).
pub fn version(v: &Version) -> Value {
    json!({
        "full": format!("NetApp Release {v}: Mon Mar 04 05:46:21 UTC 2024"),
        "generation": v.generation(),
        "major": v.major(),
        "minor": v.minor(),
    })
}
