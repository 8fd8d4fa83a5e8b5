//! `/api/storage/snapshot-policies/{snapshot-policy.uuid}/schedules`: a policy's schedule is
//! at the path of its schedule's uuid (documented: NetApp's 9.8 file, `{uuid}` "Snapshot copy
//! policy schedule ID"; `na_ontap_snapshot_policy` changes and removes
//! `.../schedules/{schedule.uuid}`), not at one the engine makes up: a new one is keyed so
//! (`engine/members.rs` `KEYS`), and a second of the same schedule is 409 code 1.

use serde_json::Value;

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::engine::store::href;
use crate::error::ApiResult;

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: "/api/storage/snapshot-policies/{snapshot-policy.uuid}/schedules",
    on,
    given: None,
};

fn on(call: &Call, change: &mut Change) -> ApiResult<()> {
    let Change::Insert { res, record } = change else {
        return Ok(());
    };
    let Some(uuid) = record
        .body
        .pointer("/schedule/uuid")
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    let uuid = uuid.to_string();
    if let Some(last) = record.params.last_mut() {
        *last = uuid;
    }
    let resource = &call.engine.resources.list[*res];
    if let Some(link) = href(resource, &record.params)
        && let Some(self_link) = record.body.pointer_mut("/_links/self/href")
    {
        *self_link = Value::String(link);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::testing::{app, call, get};

    #[tokio::test]
    async fn a_new_schedule_of_a_policy_is_at_its_schedules_uuid() {
        let app = app("9.8.0");
        let policies = "/api/storage/snapshot-policies";
        let policy = json!({"name": "p3", "svm": {"name": "svm1"},
            "copies": [{"schedule": {"name": "daily"}, "count": 4}]});
        let (status, body) = call(&app, "POST", policies, &[], Some(policy)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let uuid = &get(&app, &format!("{policies}?name=p3")).await["records"][0]["uuid"];
        let schedules = format!("{policies}/{}/schedules", uuid.as_str().unwrap_or(""));
        let add = json!({"schedule": {"name": "hourly"}, "count": 3});
        let (status, body) = call(&app, "POST", &schedules, &[], Some(add.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let hourly = get(&app, "/api/cluster/schedules?name=hourly").await["records"][0]["uuid"]
            .as_str()
            .expect("a uuid")
            .to_string();
        let one = get(&app, &format!("{schedules}/{hourly}?fields=count")).await;
        assert_eq!(one["count"], 3, "{one}");
        let (status, _) = call(&app, "POST", &schedules, &[], Some(add)).await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
}
