//! `/api/storage/luns`: a LUN in use.
//!
//! - A mapped LUN (a record of `/api/protocols/san/lun-maps` names it) is not deleted unless
//!   the DELETE says `allow_delete_while_mapped=true`: 400 code 1254197 (documented: NetApp's
//!   error table for `DELETE /storage/luns/{uuid}`; `na_ontap_lun` sends the parameter from its
//!   `force_remove`).
//! - A LUN whose volume is offline is neither changed nor deleted: 400 code 5374866 (documented:
//!   the same table, "The LUN's volume is offline").

use serde_json::Value;

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::error::{ApiError, ApiResult};

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: "/api/storage/luns",
    on,
    given: None,
};

fn on(call: &Call, change: &mut Change) -> ApiResult<()> {
    if matches!(change, Change::Insert { .. }) {
        return Ok(());
    }
    let Some(lun) = call.subject(change) else {
        return Ok(());
    };
    let volume = lun.pointer("/location/volume/uuid").and_then(Value::as_str);
    let offline = call.records("/api/storage/volumes").iter().any(|v| {
        volume.is_some()
            && v.body.get("uuid").and_then(Value::as_str) == volume
            && v.body.get("state").and_then(Value::as_str) == Some("offline")
    });
    if offline {
        return Err(ApiError::bad_request(
            "5374866",
            "The LUN's volume is offline. The volume must be online to modify or remove the LUN.",
        ));
    }
    let uuid = lun.get("uuid");
    let mapped = call
        .records("/api/protocols/san/lun-maps")
        .iter()
        .any(|m| m.body.pointer("/lun/uuid") == uuid);
    if matches!(change, Change::Remove { .. }) && mapped && !call.flag("allow_delete_while_mapped")
    {
        return Err(ApiError::bad_request(
            "1254197",
            "The LUN is mapped and cannot be deleted without specifying the \
             `allow_delete_while_mapped` query parameter.",
        ));
    }
    Ok(())
}
