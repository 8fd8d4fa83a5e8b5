//! Probes of the path, the query and the body's form: a key that names nothing, a query
//! parameter or `fields` name the operation does not have, a `return_timeout` past its documented
//! maximum, a body that is not JSON or carries a field the resource does not have. Every one is
//! refused whatever the target's state, so none needs a sample.

use serde_json::json;

use super::{Check, Gen, NOBODY, convention, observed, step};

pub(super) fn checks(g: &Gen, out: &mut Vec<Check>) {
    let op = g.op;
    let key = op.key();
    let keyed = op.path_params().next().is_some();
    let path = g.nobody_path();
    let request = |extra: serde_json::Value| {
        let mut r = json!({"operation": key, "path": path});
        if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
            r.extend(extra.clone());
        }
        r
    };
    let mut add = |name: &str, title: &str, req: serde_json::Value, expect: serde_json::Value| {
        let mut c = g.check(name, title);
        c.steps.push(step(title, req, Some(expect), None));
        out.push(c);
    };
    if keyed {
        add(
            "missing-key",
            "a key that names nothing is refused with an ONTAP error",
            request(json!({})),
            g.refused(observed(
                "terraform-provider-netapp-ontap issue #290: a key that names nothing answered 404 {code: 4, message: entry doesn't exist}",
            )),
        );
    }
    if op.method == "GET" && !keyed {
        add(
            "unknown-query",
            "an unknown query parameter is refused",
            request(json!({"query": {NOBODY: 1}})),
            g.refused(observed(
                "ansible-collections/netapp.ontap issue #178: an unknown argument answered code 262179, Unexpected argument",
            )),
        );
        let mut e = g.refused(observed(
            "harvest PR #3639 and ansible-collections/netapp.ontap issue #189: a bad fields name answered 400 code 262197",
        ));
        e["error_code"] = json!("262197");
        add(
            "bad-fields",
            "a name in fields the resource does not have is refused",
            request(json!({"query": {"fields": NOBODY}})),
            e,
        );
    }
    if let Some(max) = op
        .parameters
        .iter()
        .find(|p| p.name == "return_timeout" && p.location == "query")
        .and_then(|p| p.schema.get("maximum"))
        .and_then(serde_json::Value::as_u64)
        && !keyed
        && op.method == "GET"
    {
        add(
            "return-timeout-over-maximum",
            "a return_timeout past its documented maximum is refused",
            request(json!({"query": {"return_timeout": max + 1}})),
            g.refused(convention(
                "the seeds document return_timeout's maximum (120) but not what a larger value answers; a value outside the documented range cannot be honoured, so this suite asks for a refusal with an ONTAP error body (docs-response: code 2, 400, for an invalid field)",
            )),
        );
    }
    if op.has_request_body() {
        add(
            "malformed-json",
            "a body that is not JSON is refused",
            request(json!({"raw_body": "{\""})),
            g.refused(convention(
                "a body that is not JSON cannot be carried out; no capture shows ONTAP's code for it, so the check asks only for a refusal with an ONTAP error body",
            )),
        );
        add(
            "unknown-field",
            "a body field the resource does not have is refused",
            request(json!({
                "body": {NOBODY.replace('-', "_"): true},
                "invalid_body": "a field the resource does not have",
            })),
            g.refused(observed(
                "ansible-collections/netapp.ontap issue #178: an unknown body field answered code 262179, Unexpected argument",
            )),
        );
    }
}
