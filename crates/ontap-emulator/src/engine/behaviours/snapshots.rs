//! `/api/storage/volumes/{volume.uuid}/snapshots`: a snapshot has a `snaplock_expiry_time` only
//! on a SnapLock volume (documented: NetApp's snapshot schema, "if the Snapshot copy is taken on
//! a SnapLock volume"). NetApp's Python client sends back a field it read, and ONTAP refuses
//! this read-only one in a PATCH, so a made-up value would break every snapshot PATCH it makes.

use serde_json::Value;

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::error::ApiResult;

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: "/api/storage/volumes/{volume.uuid}/snapshots",
    on,
    given: None,
};

fn on(call: &Call, change: &mut Change) -> ApiResult<()> {
    let Change::Insert { record, .. } = change else {
        return Ok(());
    };
    let volume = record.body.pointer("/volume/uuid").and_then(Value::as_str);
    let snaplock = call.records("/api/storage/volumes").iter().any(|v| {
        volume.is_some()
            && v.body.get("uuid").and_then(Value::as_str) == volume
            && v.body
                .pointer("/snaplock/type")
                .and_then(Value::as_str)
                .is_some_and(|t| t != "non_snaplock")
    });
    if !snaplock && let Some(map) = record.body.as_object_mut() {
        map.shift_remove("snaplock_expiry_time");
    }
    Ok(())
}
