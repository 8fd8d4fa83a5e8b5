//! What later releases add to NetApp's 9.8 file (the engine's definition), where NetApp's own
//! clients need it, each with its basis:
//!
//! - fields a later release adds to a record that the clients ask for by name from 9.8 on
//!   ([`LATER`]): `na_ontap_volume` sends `fields=...,tiering.object_tags,...` on every volume
//!   read. A name listed there is one `fields` (and a filter, and `order_by`) may give; no
//!   record carries a value for it, as a cluster answers a field that is not set;
//! - paths a later release adds ([`PATHS`], `later.json`: the operations and schemas in the
//!   imported layer's form, each operation's `x-ontap-later` naming its release and NetApp's
//!   reference page for it): the local UNIX users and groups of 9.9, which
//!   `na_ontap_unix_user` and `na_ontap_unix_group` use only from 9.9.0 / 9.9.1. A path is
//!   served only to a cluster that says it runs its release or a later one ([`introduced`]);
//!   to an older one it is unknown, as on ONTAP.

/// `(collection path, dotted field, basis)`.
pub const LATER: &[(&str, &str, &str)] = &[(
    "/api/storage/volumes",
    "tiering.object_tags",
    "netapp.ontap na_ontap_volume.py get_volume_rest asks for it unconditionally (9.8 per the module)",
)];

/// The later paths (see the module's doc).
pub static PATHS: &str = include_str!("later.json");

/// `(path, release it came in)` of every later path, from [`PATHS`].
static INTRODUCED: std::sync::LazyLock<Vec<(String, String)>> = std::sync::LazyLock::new(|| {
    let doc: serde_json::Value = serde_json::from_str(PATHS).unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    paths
        .into_iter()
        .filter_map(|(path, item)| {
            let release = item
                .as_object()?
                .values()
                .find_map(|op| op.pointer("/x-ontap-later/release")?.as_str())?
                .to_string();
            Some((path, release))
        })
        .collect()
});

/// The later fields of the collection at `template`.
pub fn fields(template: &str) -> impl Iterator<Item = &'static str> + '_ {
    LATER
        .iter()
        .filter(move |(t, _, _)| *t == template)
        .map(|(_, f, _)| *f)
}

/// The release a later path (a template, as NetApp's files write it) came in; `None` for 9.8's.
pub fn introduced(template: &str) -> Option<&'static str> {
    INTRODUCED
        .iter()
        .find(|(p, _)| p == template)
        .map(|(_, r)| r.as_str())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::testing::{app, call, get};

    const USERS: &str = "/api/name-services/unix-users";
    const GROUPS: &str = "/api/name-services/unix-groups";

    #[tokio::test]
    async fn a_later_path_is_served_from_its_release_on() {
        let (status, body) = call(&app("9.8.0"), "GET", USERS, &[], None).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::NOT_FOUND, &json!("4"))
        );
        let app = app("9.9.1");
        let user = json!({"svm": {"name": "svm1"}, "name": "u1", "id": 5001, "primary_gid": 1});
        let (status, body) = call(&app, "POST", USERS, &[], Some(user)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let page = get(&app, &format!("{USERS}?name=u1&fields=id,primary_gid")).await;
        assert_eq!(page["records"][0]["id"], 5001, "{page}");
        assert!(page["records"][0].get("skip_name_validation").is_none());
    }

    /// A UNIX group's `users` are its users collection (`engine/members.rs`).
    #[tokio::test]
    async fn a_unix_groups_users_are_its_collection() {
        let app = app("9.9.1");
        let group = json!({"svm": {"name": "svm1"}, "name": "g1", "id": 6001});
        let (status, body) = call(&app, "POST", GROUPS, &[], Some(group)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let svm = crate::state::SVM1_UUID;
        let users = format!("{GROUPS}/{svm}/g1/users");
        let add = json!({"records": [{"name": "a"}, {"name": "b"}]});
        let (status, body) = call(&app, "POST", &users, &[], Some(add)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = call(&app, "DELETE", &format!("{users}/a"), &[], None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let one = get(&app, &format!("{GROUPS}/{svm}/g1?fields=users")).await;
        assert_eq!(one["users"], json!([{"name": "b"}]), "{one}");
    }
}
