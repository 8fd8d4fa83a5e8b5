//! `/api/storage/snapshot-policies`: what ONTAP fills in a new policy's copies.
//!
//! - A copy given without `prefix` takes its schedule's name (documented: NetApp's
//!   `volume snapshot policy create` manual page, `-prefix1`: "If the prefix is not specified,
//!   the schedule name is used as the prefix"; the seeded `default` policy's copies are so).
//! - A copy given without `snapmirror_label` has `-`, ONTAP's empty label (observed: the
//!   `default` policy's `hourly` copy shows `-` in `volume snapshot policy show`, as
//!   `fresh.json` seeds it; `na_ontap_snapshot_policy` reads `-` back as no label).
//!
//! `na_ontap_snapshot_policy` reads each copy's `prefix` and `snapmirror_label` back and fails
//! when one is missing.

use serde_json::Value;

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::error::ApiResult;

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: "/api/storage/snapshot-policies",
    on,
    given: None,
};

fn on(_: &Call, change: &mut Change) -> ApiResult<()> {
    let copies = match change {
        Change::Insert { record, .. } => record.body.get_mut("copies"),
        Change::Patch { patch, .. } => patch.get_mut("copies"),
        Change::Remove { .. } => None,
    };
    let Some(Value::Array(copies)) = copies else {
        return Ok(());
    };
    for copy in copies.iter_mut() {
        let schedule = copy.pointer("/schedule/name").cloned();
        let Some(map) = copy.as_object_mut() else {
            continue;
        };
        if let Some(name) = schedule
            && !map.contains_key("prefix")
        {
            map.insert("prefix".into(), name);
        }
        map.entry("snapmirror_label")
            .or_insert_with(|| Value::String("-".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::StatusCode;
    use serde_json::{Value, json};

    use crate::context::App;
    use crate::testing::{app, call, get};

    /// A new policy of `body`, its uuid.
    async fn policy(app: &Arc<App>, body: Value) -> String {
        let uri = "/api/storage/snapshot-policies";
        let (status, answer) = call(app, "POST", uri, &[], Some(body.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let page = get(
            app,
            &format!("{uri}?name={}", body["name"].as_str().unwrap_or("")),
        )
        .await;
        page["records"][0]["uuid"]
            .as_str()
            .expect("a uuid")
            .to_string()
    }

    #[tokio::test]
    async fn a_copy_left_without_prefix_or_label_gets_ontaps() {
        let app = app("9.8.0");
        let uuid = policy(&app, json!({"name": "p1", "svm": {"name": "svm1"}, "copies": [
            {"schedule": {"name": "daily"}, "count": 4},
            {"schedule": {"name": "hourly"}, "count": 2, "prefix": "hr", "snapmirror_label": "h"}]}))
        .await;
        let one = get(
            &app,
            &format!("/api/storage/snapshot-policies/{uuid}?fields=copies"),
        )
        .await;
        let copies = &one["copies"];
        assert_eq!(copies[0]["prefix"], "daily", "{copies}");
        assert_eq!(copies[0]["snapmirror_label"], "-");
        assert_eq!(copies[1]["prefix"], "hr");
        assert_eq!(copies[1]["snapmirror_label"], "h");
    }

    /// The policy's copies are its schedules collection, keyed by the schedule's uuid, as
    /// `na_ontap_snapshot_policy` changes them (`engine/members.rs`).
    #[tokio::test]
    async fn a_policys_copies_are_its_schedules() {
        let app = app("9.8.0");
        let uuid = policy(
            &app,
            json!({"name": "p2", "svm": {"name": "svm1"},
            "copies": [{"schedule": {"name": "daily"}, "count": 4}]}),
        )
        .await;
        let daily = get(&app, "/api/cluster/schedules?name=daily").await["records"][0]["uuid"]
            .as_str()
            .expect("a uuid")
            .to_string();
        let schedules = format!("/api/storage/snapshot-policies/{uuid}/schedules");
        let one = format!("{schedules}/{daily}");
        let (status, body) = call(&app, "PATCH", &one, &[], Some(json!({"count": "7"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let add = json!({"schedule.name": "hourly", "count": 3});
        let (status, body) = call(&app, "POST", &schedules, &[], Some(add)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let page = get(
            &app,
            &format!("/api/storage/snapshot-policies/{uuid}?fields=copies"),
        )
        .await;
        let counts: Vec<(&str, i64)> = page["copies"]
            .as_array()
            .expect("copies")
            .iter()
            .filter_map(|c| Some((c["schedule"]["name"].as_str()?, c["count"].as_i64()?)))
            .collect();
        assert_eq!(counts, [("daily", 7), ("hourly", 3)]);
    }
}
