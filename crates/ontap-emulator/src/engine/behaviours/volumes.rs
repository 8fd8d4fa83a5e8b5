//! `/api/storage/volumes`: a volume's size and its aggregate's space.
//!
//! - A POST's or PATCH's `size` is the volume's `space.size` (documented: NetApp's volume
//!   schema, `size` "Physical size of the volume" and `space.size` "Total provisioned size";
//!   `na_ontap_volume` sends `size` and reads `space.size` back).
//! - A new volume is a SnapLock one only on a SnapLock aggregate: else its `snaplock` is
//!   `{"type": "non_snaplock"}` (documented: NetApp's volume schema, "snaplock.type" and the
//!   aggregate's `snaplock_type`), whatever seeding would make of it.
//! - A volume whose space is guaranteed (`guarantee.type` `volume`, ONTAP's default; not `none`)
//!   must fit in its aggregate: the aggregate's `space.block_storage.size` less the sizes of the
//!   other guaranteed volumes on it. Else 400, code 262174 (message: ONTAP's CLI text for the
//!   same refusal, `volume create`; code: convention, nothing public shows the REST one).

use serde_json::Value;

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::engine::seed::set;
use crate::error::{ApiError, ApiResult};

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: "/api/storage/volumes",
    on,
    given: None,
};

/// The emulator's code for a volume that does not fit in its aggregate (convention).
pub const NO_SPACE: &str = "262174";

fn on(call: &Call, change: &mut Change) -> ApiResult<()> {
    if let Change::Insert { record, .. } = change {
        snaplock(call, &mut record.body);
    }
    let given = match change {
        Change::Insert { record, .. } => &mut record.body,
        Change::Patch { patch, .. } => patch,
        Change::Remove { .. } => return Ok(()),
    };
    let Some(size) = given.get("size").and_then(Value::as_i64) else {
        return Ok(());
    };
    set(given, "space.size", Value::from(size));
    let Some(volume) = call.subject(change) else {
        return Ok(());
    };
    fits(call, volume, change, size)
}

/// Whether `volume` at `size` bytes fits in its aggregate (see the module's doc).
fn fits(call: &Call, volume: &Value, change: &Change, size: i64) -> ApiResult<()> {
    let guaranteed =
        |v: &Value| v.pointer("/guarantee/type").and_then(Value::as_str) != Some("none");
    let patch = match change {
        Change::Patch { patch, .. } => Some(patch),
        _ => None,
    };
    let guarantee = patch.and_then(|p| p.get("guarantee")).map_or_else(
        || guaranteed(volume),
        |g| g.get("type").and_then(Value::as_str) != Some("none"),
    );
    if !guarantee {
        return Ok(());
    }
    let aggregate = |v: &Value| {
        v.pointer("/aggregates/0/uuid")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let Some(on) = aggregate(volume) else {
        return Ok(());
    };
    let Some(aggr) = call
        .records("/api/storage/aggregates")
        .iter()
        .find(|a| a.body.get("uuid").and_then(Value::as_str) == Some(&on))
    else {
        return Ok(());
    };
    let Some(total) = aggr
        .body
        .pointer("/space/block_storage/size")
        .and_then(Value::as_i64)
    else {
        return Ok(());
    };
    let this = volume.get("uuid");
    let used: i64 = call
        .records("/api/storage/volumes")
        .iter()
        .filter(|v| v.body.get("uuid") != this && guaranteed(&v.body))
        .filter(|v| aggregate(&v.body).as_deref() == Some(&on))
        .filter_map(|v| v.body.pointer("/space/size").and_then(Value::as_i64))
        .sum();
    let free = total - used;
    if size <= free {
        return Ok(());
    }
    let name = volume.get("name").and_then(Value::as_str).unwrap_or("");
    let aggr_name = aggr.body.get("name").and_then(Value::as_str).unwrap_or("");
    Err(ApiError::bad_request(
        NO_SPACE,
        format!(
            "Request to provision FlexVol volume \"{name}\" failed because there is not enough \
             space in aggregate \"{aggr_name}\". Either create {} bytes of free space in the \
             aggregate or select a size of at most {free} bytes for the new FlexVol volume.",
            size - free
        ),
    )
    .target("size"))
}

/// A new volume's `snaplock`: its aggregate's kind, `non_snaplock` unless that is SnapLock.
fn snaplock(call: &Call, body: &mut Value) {
    let on = body.pointer("/aggregates/0/uuid").and_then(Value::as_str);
    let kind = call
        .records("/api/storage/aggregates")
        .iter()
        .find(|a| on.is_some() && a.body.get("uuid").and_then(Value::as_str) == on)
        .and_then(|a| a.body.get("snaplock_type").and_then(Value::as_str))
        .unwrap_or("non_snaplock");
    if kind == "non_snaplock" {
        set(
            body,
            "snaplock",
            serde_json::json!({"type": "non_snaplock"}),
        );
    }
}
