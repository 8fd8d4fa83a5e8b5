//! Who may call what: every operation without credentials and as a user that does not exist
//! (401), and every write of an operation with a sample sent by a throwaway read-only account
//! the check creates and deletes (403 code 6, nothing written).

use serde_json::{Value, json};

use super::sample::{Prelude, Sample};
use super::{Check, Gen, observed, step};

const ANONYMOUS_401: &str = "ansible-collections/netapp issue #69 (ONTAP 9.7P7): a request without credentials answers 401; RFC 9110 section 15.5.2 gives 401 for a request that lacks valid credentials";
const READ_ONLY_403: &str = "NetApp 'Interpret an ONTAP REST API response' (docs-response): code 6, 403, permission denied; harvest integration/test/copy_logs_test.go logs a real cluster's 403 'not authorized for that command' with code 6";

pub(super) fn checks(g: &Gen, out: &mut Vec<Check>) {
    let key = g.op.key();
    // A request refused before it is read: keys that name nothing and no body, so a target
    // that wrongly carries it out still changes nothing.
    let request = |who: Value| json!({"operation": key, "path": g.nobody_path(), "as": who});
    let unauthorized = json!({"status": 401, "basis": observed(ANONYMOUS_401)});
    let mut c = g.check("no-credentials", "without credentials is refused with 401");
    c.steps.push(step(
        "no Authorization header",
        request(json!("anonymous")),
        Some(unauthorized.clone()),
        None,
    ));
    out.push(c);
    let mut c = g.check(
        "unknown-user",
        "as a user that does not exist is refused with 401",
    );
    c.secrets.push("nobody_pw".into());
    c.steps.push(step(
        "a user no cluster has",
        request(json!({"user": "ontap-conform-nobody", "password": "{{nobody_pw}}"})),
        Some(unauthorized),
        None,
    ));
    out.push(c);

    methods_not_allowed(g, out);
    head_and_options(g, out);
    if g.op.method == "GET" {
        return;
    }
    let (Some(sample), Some(prelude)) = (g.samples.get(&key), g.samples.prelude(&key)) else {
        return;
    };
    let mut expect = json!({
        "status": 403,
        "basis": observed(READ_ONLY_403),
        "fields": {"error.code": {"present": true}, "error.message": {"present": true}},
    });
    expect["error_code"] = json!("6");
    out.push(sent_by(
        g,
        sample,
        &prelude,
        &Throwaway {
            check: "read-only-refused",
            title: "the sample sent by a read-only account is refused with 403, nothing written",
            what: "a throwaway read-only account",
            sender: "the read-only account",
            var: "ro",
            prefix: "r",
            owner: None,
            role: "readonly",
        },
        expect,
    ));

    // The same sample sent by an administrator of another SVM, where the sample names an SVM.
    let names_svm = |v: &Value| v.to_string().contains("{{svm.");
    let needed = sample.needs.as_deref().and_then(|n| g.samples.get(n));
    if !(names_svm(&sample.request(&key)) || needed.is_some_and(|n| names_svm(&n.request("")))) {
        return;
    }
    let mut c = sent_by(
        g,
        sample,
        &prelude,
        &Throwaway {
            check: "other-svm-refused",
            title: "the sample sent by an administrator of another SVM is refused, nothing written",
            what: "a throwaway administrator of the second SVM",
            sender: "the other SVM's administrator",
            var: "vs",
            prefix: "s",
            owner: Some("svm2.uuid"),
            role: "vsadmin",
        },
        if g.imported() {
            // The engine shows an SVM administrator only its own SVM's records, so a record
            // of another SVM is not found (404 code 4) where the route table's own operations
            // answer 403: both are refusals ONTAP could give, and neither is captured.
            json!({
                "status": {"one_of": [403, 404]},
                "basis": {"convention": "an SVM's administrator (vsadmin) acts on its own SVM only; whether ONTAP answers 403 (permission denied, docs-response code 6) or 404 (another SVM's object is not visible) no public capture shows, so either refusal passes and anything else fails"},
                "fields": {"error.code": {"present": true}, "error.message": {"present": true}},
            })
        } else {
            json!({
                "status": 403,
                "basis": {"convention": "an SVM's administrator (vsadmin) acts on its own SVM only; the emulator answers 403 code 6 as for any command the account may not run (docs-response: 6, 403, permission denied), but whether ONTAP answers 403 or 404 (another SVM's object is not visible) no public capture shows, so another refusal on a real cluster is a deviation"},
                "fields": {"error.code": {"present": true}, "error.message": {"present": true}},
            })
        },
    );
    c.svms = 2;
    out.push(c);
}

/// An account a check creates to send its sample as, and deletes after.
struct Throwaway<'a> {
    check: &'a str,
    title: &'a str,
    /// The setup step's name.
    what: &'a str,
    /// Who sends the sample, in the step's name.
    sender: &'a str,
    /// Prefix of its variables (`{var}_user`, `{var}_pw`).
    var: &'a str,
    /// Prefix of its name, before the case's unique id.
    prefix: &'a str,
    /// The variable holding the owning SVM's uuid; the cluster when `None`.
    owner: Option<&'a str>,
    role: &'a str,
}

/// The sample sent by a throwaway account (made first, deleted last), expecting `expect`, with
/// the sample's read-back that nothing was written.
fn sent_by(g: &Gen, sample: &Sample, prelude: &Prelude, who: &Throwaway, expect: Value) -> Check {
    let key = g.op.key();
    let (user, pw) = (format!("{}_user", who.var), format!("{}_pw", who.var));
    let mut c = prelude.check(g, who.check, who.title);
    // An isolated check already write-locks what it reads and what its steps change, the
    // refused write included, so a wrongly carried out change cannot reach another case.
    // `exclusive` would add a write lock on every other write it sends: the throwaway account's
    // creation and removal, which held every account case up behind the check. Kept when the
    // sample's own setup or teardown writes: isolation leaves those read-locked.
    let prelude_reads_only = prelude.setup.iter().chain(&prelude.teardown).all(|s| {
        s["request"]["operation"]
            .as_str()
            .is_some_and(|o| o.starts_with("GET "))
    });
    if c.isolated && prelude_reads_only {
        c.exclusive = false;
    }
    c.vars.insert(
        user.clone(),
        json!(format!("{}{{{{case_uid}}}}", who.prefix)),
    );
    c.secrets.push(pw.clone());
    let mut body = serde_json::Map::new();
    body.insert("name".into(), json!(format!("{{{{{user}}}}}")));
    if let Some(owner) = who.owner {
        body.insert("owner".into(), json!({"uuid": format!("{{{{{owner}}}}}")}));
    }
    body.insert("role".into(), json!({"name": who.role}));
    body.insert(
        "applications".into(),
        json!([{"application": "http", "authentication_methods": ["password"]}]),
    );
    body.insert("password".into(), json!(format!("{{{{{pw}}}}}")));
    c.setup.insert(
        0,
        json!({"name": who.what, "request": {"operation": "POST /api/security/accounts", "body": body}}),
    );
    let (before, after) = sample.read_back(g.spec);
    c.setup.extend(before);
    let mut req = sample.request(&key);
    req["as"] = json!({"user": format!("{{{{{user}}}}}"), "password": format!("{{{{{pw}}}}}")});
    c.steps.push(step(
        &format!("the sample, as {}", who.sender),
        req,
        Some(expect),
        None,
    ));
    c.steps.extend(after);
    c.teardown.push(json!({"request": {
        "operation": "DELETE /api/security/accounts/{owner.uuid}/{name}",
        "path": {
            "owner.uuid": format!("{{{{{}}}}}", who.owner.unwrap_or("cluster.uuid")),
            "name": format!("{{{{{user}}}}}"),
        },
    }}));
    c
}

/// Why HEAD and OPTIONS are held: NetApp's "Input variables for an ONTAP REST API request" lists
/// both among the REST API's methods (HEAD "effectively issues a GET request but only returns the
/// HTTP headers"; OPTIONS determines "what HTTP methods are supported at a specific endpoint").
/// Not in the seed pages: a convention.
const HEAD_OPTIONS: &str = "NetApp's 'Input variables for an ONTAP REST API request': HEAD is a GET answering only headers, OPTIONS says which methods an endpoint supports (Allow)";

/// HEAD and OPTIONS on a GET without keys (a collection or a singleton): HEAD answers as the
/// GET does, OPTIONS with the methods in `Allow`, GET among them.
fn head_and_options(g: &Gen, out: &mut Vec<Check>) {
    if g.op.method != "GET" || g.op.path_params().next().is_some() {
        return;
    }
    let key = g.op.key();
    let mut c = g.check(
        "head-and-options",
        "HEAD answers as GET does, OPTIONS names the methods in Allow",
    );
    c.steps.push(step(
        "HEAD",
        json!({"operation": key, "method": "HEAD"}),
        Some(json!({"status": 200, "basis": {"convention": HEAD_OPTIONS}})),
        None,
    ));
    c.steps.push(step(
        "OPTIONS",
        json!({"operation": key, "method": "OPTIONS"}),
        Some(json!({
            "status": 200,
            "basis": {"convention": HEAD_OPTIONS},
            "headers": {"Allow": {"matches": "GET"}},
        })),
        None,
    ));
    out.push(c);
}

/// A method the spec does not document on a path, sent to it (once per path, from the path's
/// first operation): 405 with `Allow`. `PUT` on every path (ONTAP's REST API has none); `POST`,
/// `PATCH` and `DELETE` where undocumented, except `PATCH` and `DELETE` on a collection, which
/// ONTAP serves with a query (NetApp's 'Object references and access').
fn methods_not_allowed(g: &Gen, out: &mut Vec<Check>) {
    let same_path: Vec<&str> = g
        .spec
        .operations
        .iter()
        .filter(|o| o.path == g.op.path)
        .map(|o| o.method.as_str())
        .collect();
    if same_path.first() != Some(&g.op.method.as_str()) {
        return;
    }
    // A collection, top-level or under a record (`.../{volume.uuid}/snapshots`): a path with
    // an instance GET below it.
    let collection = g
        .spec
        .operations
        .iter()
        .any(|o| o.path.starts_with(&format!("{}/{{", g.op.path)) && o.method == "GET");
    for m in ["PUT", "POST", "PATCH", "DELETE"] {
        if same_path.contains(&m) || (collection && matches!(m, "PATCH" | "DELETE")) {
            continue;
        }
        let mut c = g.check(
            &format!("{}-not-allowed", m.to_lowercase()),
            &format!(
                "{m}, which the spec does not document on this path, is refused with 405 and Allow"
            ),
        );
        // Refused or not, a key that names nothing and no body leave nothing to change.
        c.destructive = true;
        c.steps.push(step(
            &format!("{m} {}", g.op.path),
            json!({"operation": g.op.key(), "method": m, "path": g.nobody_path()}),
            Some(json!({
                "status": 405,
                "basis": {"convention": "RFC 9110 section 15.5.6: a method the resource does not support answers 405 with Allow, and NetApp's 'Interpret an ONTAP REST API response' lists 405 'Method not allowed'; the spec transcribes only the seeds' methods and a real cluster serves more (POST /api/svm/svms creates an SVM), so there another refusal is a deviation"},
                "headers": {"Allow": {"present": true}},
                "fields": {"error.code": {"present": true}, "error.message": {"present": true}},
            })),
            None,
        ));
        out.push(c);
    }
}
