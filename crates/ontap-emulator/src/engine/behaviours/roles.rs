//! `/api/security/roles`: a role's owner and scope.
//!
//! - A POST that names no owner makes a cluster-scoped role, owned by the cluster (its admin
//!   SVM): documented, NetApp's 9.8 file, `POST /security/roles`: "The owner.uuid or owner.name
//!   are not required to be specified for a cluster-scoped role". The cluster owns as the
//!   emulator's cluster accounts are owned (`accounts.rs`: the cluster's name and uuid).
//!   `na_ontap_user_role` sends no owner for a cluster role.
//! - An owner named by its name alone (`na_ontap_user_role` sends `owner.name` for an SVM's
//!   role) is that SVM or the cluster, with its uuid, the role's first key.
//! - A new role's `scope` is `cluster` when the cluster owns it, else `svm`; it is not
//!   `builtin` (documented: the role schema, `scope` "Set to cluster for cluster owned objects
//!   and to svm for SVM owned objects"; `builtin` "a built-in (pre-defined) role"). The
//!   module reads a cluster role with `scope=cluster`.

use serde_json::{Value, json};

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::error::{ApiError, ApiResult};
use crate::state::{CLUSTER_NAME, CLUSTER_UUID};

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: "/api/security/roles",
    on,
    given: Some(given),
};

/// The owner a POST names (by name, by uuid or both: the cluster or an SVM) or, named by
/// neither, the cluster; an owner that is neither is 404 code 4 naming `owner`.
fn given(call: &Call, body: &mut Value) -> ApiResult<()> {
    let text = |p: &str| body.pointer(p).and_then(Value::as_str).map(str::to_string);
    let (name, uuid) = (text("/owner/name"), text("/owner/uuid"));
    let is = |have: &Option<String>, want: &str| {
        have.as_deref().is_none_or(|h| h.eq_ignore_ascii_case(want))
    };
    let owner =
        if name.is_none() && uuid.is_none() || is(&name, CLUSTER_NAME) && is(&uuid, CLUSTER_UUID) {
            json!({"name": CLUSTER_NAME, "uuid": CLUSTER_UUID})
        } else {
            let svm = call
                .svms()
                .find(|s| is(&name, &s.name) && is(&uuid, &s.uuid))
                .ok_or_else(|| ApiError::entry_missing("owner"))?;
            json!({"name": svm.name, "uuid": svm.uuid})
        };
    if let Some(map) = body.as_object_mut() {
        map.insert("owner".into(), owner);
    }
    Ok(())
}

fn on(_: &Call, change: &mut Change) -> ApiResult<()> {
    let Change::Insert { record, .. } = change else {
        return Ok(());
    };
    let cluster = record.body.pointer("/owner/uuid").and_then(Value::as_str) == Some(CLUSTER_UUID);
    if let Some(map) = record.body.as_object_mut() {
        let scope = if cluster { "cluster" } else { "svm" };
        map.insert("scope".into(), json!(scope));
        map.insert("builtin".into(), json!(false));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::state::{CLUSTER_NAME, CLUSTER_UUID, SVM1_UUID};
    use crate::testing::{app, call, get};

    #[tokio::test]
    async fn a_role_without_an_owner_is_the_clusters() {
        let app = app("9.8.0");
        let role =
            json!({"name": "r1", "privileges": [{"path": "/api/cluster", "access": "readonly"}]});
        let (status, body) = call(&app, "POST", "/api/security/roles", &[], Some(role)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let page = get(
            &app,
            "/api/security/roles?name=r1&scope=cluster&fields=owner,builtin",
        )
        .await;
        assert_eq!(page["num_records"], 1, "{page}");
        let r = &page["records"][0];
        assert_eq!(r["owner"]["uuid"], CLUSTER_UUID);
        assert_eq!(r["owner"]["name"], CLUSTER_NAME);
        assert_eq!(r["builtin"], false);
        // Without `fields` too: na_ontap_user_role reads `access` so (engine/fields.rs).
        let one = format!("/api/security/roles/{CLUSTER_UUID}/r1/privileges");
        assert_eq!(get(&app, &one).await["records"][0]["access"], "readonly");
    }

    #[tokio::test]
    async fn an_svms_role_is_scoped_to_it() {
        let app = app("9.8.0");
        let role = json!({"name": "r2", "owner": {"name": "svm1"},
            "privileges": [{"path": "/api/storage/volumes", "access": "all"}]});
        let (status, body) = call(&app, "POST", "/api/security/roles", &[], Some(role)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let page = get(&app, "/api/security/roles?name=r2&fields=owner,scope").await;
        assert_eq!(page["records"][0]["scope"], "svm", "{page}");
        assert_eq!(page["records"][0]["owner"]["uuid"], SVM1_UUID);
    }
}
