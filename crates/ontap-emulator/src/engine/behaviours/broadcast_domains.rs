//! `/api/network/ethernet/broadcast-domains`: a new broadcast domain has no ports (documented:
//! NetApp's broadcast-domain docs, ports are added to a domain after it is made; `ports` is
//! read-only in the POST). Were it seeded some, `na_ontap_broadcast_domain` would remove them
//! through the CLI before a delete.

use serde_json::Value;

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::error::ApiResult;

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: "/api/network/ethernet/broadcast-domains",
    on,
    given: None,
};

fn on(_: &Call, change: &mut Change) -> ApiResult<()> {
    if let Change::Insert { record, .. } = change
        && let Some(map) = record.body.as_object_mut()
    {
        map.insert("ports".into(), Value::Array(Vec::new()));
    }
    Ok(())
}
