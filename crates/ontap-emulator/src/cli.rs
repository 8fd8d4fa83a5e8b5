//! `GET /api/private/cli/vserver`: ONTAP's CLI passthrough (NetApp's "Using the private CLI
//! passthrough with the ONTAP REST API": `/api/private/cli/<command>` answers the command's
//! `show`, its fields as query parameters), for the one command NetApp's `na_ontap_svm` reads
//! before ONTAP 9.9.1, whose SVM has no `allowed` per protocol: `vserver show -vserver X
//! -fields allowed-protocols[,max-volumes]`.
//!
//! Each SVM's record: `vserver` (its name), `allowed_protocols` (every protocol: a new SVM's
//! allowed protocols are all of them until a client removes some, `vserver create`'s default,
//! which nothing here changes) and `max_volumes` (`unlimited`, `vserver create`'s default). An
//! SVM's administrator sees its own SVM's.

use serde_json::{Value, json};

use super::collection::{self, CollectionSpec};
use super::context::{Ctx, Reply};
use super::error::ApiResult;

/// The protocols an SVM allows, as the CLI names them.
const PROTOCOLS: &[&str] = &["nfs", "cifs", "fcp", "iscsi", "ndmp", "nvme", "s3"];

pub fn vserver(ctx: &Ctx) -> ApiResult<Reply> {
    let records: Vec<Value> = ctx
        .app
        .lock()
        .svms()
        .into_iter()
        .filter(|s| ctx.caller.owner.as_deref().is_none_or(|o| o == s.uuid))
        .map(|s| json!({"vserver": s.name, "allowed_protocols": PROTOCOLS, "max_volumes": "unlimited"}))
        .collect();
    let spec = CollectionSpec {
        path: "/api/private/cli/vserver",
        default_fields: &["vserver"],
        known_fields: &["vserver", "allowed_protocols", "max_volumes"],
        extra_params: &[],
    };
    Ok(Reply::ok(collection::render(records, &ctx.query, &spec)?))
}
