//! The CLI passthrough commands NetApp's clients send (`/api/private/cli/...`: ONTAP runs the
//! CLI command the path names, its parameters from the query and the body), carried out on the
//! engine's records. Only the commands a client is known to send, each with the client:
//!
//! - `network port broadcast-domain remove-ports` and `add-ports`: `na_ontap_broadcast_domain`
//!   removes a domain's ports before its DELETE, with
//!   `PATCH /api/private/cli/network/port/broadcast-domain/remove-ports?broadcast-domain=D&ipspace=I`
//!   and the body `{"ports": ["node:port", ...]}` (`remove_broadcast_domain_ports_rest`), and
//!   reads nothing of the answer but an error. The parameters are the CLI's (documented:
//!   NetApp's `network port broadcast-domain remove-ports` manual page: `-ipspace`,
//!   `-broadcast-domain`, `-ports <node>:<port>, ...`). A port is taken out of the domain's
//!   `ports` and loses its `broadcast_domain` (added: the reverse), as the REST records show a
//!   port's domain. The answer, `{"num_records": 1}` (the domain the command ran on), is a
//!   guess: nothing public shows ONTAP's answer to this command.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::engine;
use super::store::Store;
use crate::context::{Ctx, Reply};
use crate::error::{ApiError, ApiResult};

const DOMAINS: &str = "/api/network/ethernet/broadcast-domains";
const PORTS: &str = "/api/network/ethernet/ports";

/// What a broadcast-domain ports command does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    Add,
    Remove,
}

/// `network port broadcast-domain add-ports` / `remove-ports` (see the module's doc).
pub fn broadcast_domain_ports(ctx: &Ctx, action: Ports) -> ApiResult<Reply> {
    let given = ctx.json_body()?;
    let arg = |name: &str| {
        ctx.query
            .get(name)
            .map(str::to_string)
            .or_else(|| given.get(name).and_then(Value::as_str).map(str::to_string))
    };
    let domain =
        arg("broadcast-domain").ok_or_else(|| ApiError::missing_field("broadcast-domain"))?;
    let ipspace = arg("ipspace").unwrap_or_else(|| "Default".to_string());
    let named: Vec<String> = match given.get("ports") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(list)) => list.split(',').map(|p| p.trim().to_string()).collect(),
        _ => return Err(ApiError::missing_field("ports")),
    };
    let mut state = ctx.app.lock();
    let store = Arc::make_mut(&mut state.engine);
    let (Some(domains), Some(ports)) = (resource(DOMAINS), resource(PORTS)) else {
        return Err(ApiError::entry_missing("broadcast-domain"));
    };
    let at = store.records[domains]
        .iter()
        .position(|r| {
            r.body.get("name").and_then(Value::as_str) == Some(&domain)
                && r.body.pointer("/ipspace/name").and_then(Value::as_str) == Some(&ipspace)
        })
        .ok_or_else(|| ApiError::entry_missing("broadcast-domain"))?;
    let mut found = Vec::new();
    for p in &named {
        let (node, name) = p.split_once(':').unwrap_or(("", p));
        let i = port_at(store, ports, node, name).ok_or_else(|| {
            ApiError::bad_request(
                crate::error::INVALID_FIELD,
                format!("Invalid value \"{p}\" for \"ports\": no such port (<node>:<port>)."),
            )
            .target("ports")
        })?;
        found.push(i);
    }
    let reference = {
        let d = &store.records[domains][at].body;
        json!({"name": d["name"], "uuid": d["uuid"], "ipspace": {"name": ipspace},
               "_links": d["_links"]})
    };
    for i in found {
        let port = &mut store.records[ports][i].body;
        let item = json!({"name": port["name"], "node": {"name": port["node"]["name"]},
                          "uuid": port["uuid"], "_links": port["_links"]});
        if let Some(map) = port.as_object_mut() {
            match action {
                Ports::Add => map.insert("broadcast_domain".into(), reference.clone()),
                Ports::Remove => map.shift_remove("broadcast_domain"),
            };
        }
        let list = &mut store.records[domains][at].body["ports"];
        if !list.is_array() {
            *list = json!([]);
        }
        if let Some(items) = list.as_array_mut() {
            items.retain(|p| p["uuid"] != item["uuid"]);
            if action == Ports::Add {
                items.push(item);
            }
        }
    }
    Ok(Reply::with_status(
        StatusCode::OK,
        json!({"num_records": 1}),
    ))
}

fn resource(path: &str) -> Option<usize> {
    engine()
        .resources
        .list
        .iter()
        .position(|r| r.template == path)
}

/// The index of the port `name` of the node `node` among the ports' records.
fn port_at(store: &Store, ports: usize, node: &str, name: &str) -> Option<usize> {
    store.records[ports].iter().position(|r| {
        r.body.get("name").and_then(Value::as_str) == Some(name)
            && r.body.pointer("/node/name").and_then(Value::as_str) == Some(node)
    })
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::{Value, json};

    use crate::testing::{app, call, get};

    const DOMAINS: &str = "/api/network/ethernet/broadcast-domains";
    const CLI: &str = "/api/private/cli/network/port/broadcast-domain";

    fn ports(page: &Value) -> Vec<String> {
        page["records"][0]["ports"]
            .as_array()
            .map(|l| {
                let name = |p: &Value| format!("{}:{}", p["node"]["name"], p["name"]);
                l.iter().map(name).collect()
            })
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn the_cli_adds_and_removes_a_domains_ports() {
        let app = app("9.8.0");
        let domain = json!({"name": "bd1", "ipspace": {"name": "Default"}, "mtu": 1500});
        let (status, body) = call(&app, "POST", DOMAINS, &[], Some(domain)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let read = format!("{DOMAINS}?name=bd1&fields=ports");
        let port =
            "/api/network/ethernet/ports?name=e0c&node.name=cluster1-01&fields=broadcast_domain";
        let q = "broadcast-domain=bd1&ipspace=Default";
        let given = json!({"ports": ["cluster1-01:e0c"]});

        let (status, body) = call(
            &app,
            "PATCH",
            &format!("{CLI}/add-ports?{q}"),
            &[],
            Some(given.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(ports(&get(&app, &read).await), ["\"cluster1-01\":\"e0c\""]);
        assert_eq!(
            get(&app, port).await["records"][0]["broadcast_domain"]["name"],
            "bd1"
        );

        let (status, body) = call(
            &app,
            "PATCH",
            &format!("{CLI}/remove-ports?{q}"),
            &[],
            Some(given),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(ports(&get(&app, &read).await).is_empty());
        assert!(
            get(&app, port).await["records"][0]
                .get("broadcast_domain")
                .is_none()
        );

        let gone = json!({"ports": ["cluster1-01:e9z"]});
        let (status, _) = call(
            &app,
            "PATCH",
            &format!("{CLI}/remove-ports?{q}"),
            &[],
            Some(gone),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = call(
            &app,
            "PATCH",
            &format!("{CLI}/remove-ports?broadcast-domain=none&ipspace=Default"),
            &[],
            Some(json!({"ports": []})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
