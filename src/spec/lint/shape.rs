//! The shape of what the loader reads: `info`, path items, operations, parameters, request bodies
//! and responses have the fields OpenAPI 3.0 requires, of the types it requires.
//!
//! Without these checks the loader would read a parameter without `in` as a parameter of no
//! location, or a `tags: san` as no tags: a spec that loads and says something else than its
//! author meant. Component parameters, request bodies and responses are checked where they are
//! defined; a `$ref` to them is checked by `check_refs`.

use serde_json::{Map, Value};

use crate::spec::METHODS;
use crate::yaml::escape_segment;

const LOCATIONS: [&str; 4] = ["path", "query", "header", "cookie"];

type Report<'a> = &'a mut dyn FnMut(String, String);

/// Checks the whole document.
pub(super) fn check(doc: &Value, report: Report<'_>) {
    check_info(doc, report);
    if let Some(paths) = doc.get("paths") {
        match paths.as_object() {
            Some(paths) => {
                for (path, item) in paths {
                    check_path_item(item, &format!("/paths/{}", escape_segment(path)), report);
                }
            }
            None => report("/paths".into(), "must be a map of paths".into()),
        }
    }
    for (kind, check_one) in [
        (
            "parameters",
            check_parameter as fn(&Value, &str, Report<'_>),
        ),
        ("requestBodies", check_request_body),
        ("responses", check_response),
    ] {
        if let Some(Value::Object(items)) = doc.pointer(&format!("/components/{kind}")) {
            for (name, item) in items {
                let at = format!("/components/{kind}/{}", escape_segment(name));
                if item.get("$ref").is_none() {
                    check_one(item, &at, report);
                }
            }
        }
    }
}

/// `info` with a `title` and a `version`: OpenAPI requires them, and a spec without them is
/// usually not the file its author meant to pass.
fn check_info(doc: &Value, report: Report<'_>) {
    let Some(info) = doc.get("info") else {
        report(
            String::new(),
            "missing `info` (a `title` and a `version`)".into(),
        );
        return;
    };
    let Some(info) = info.as_object() else {
        report(
            "/info".into(),
            "must be a map with a `title` and a `version`".into(),
        );
        return;
    };
    for k in ["title", "version"] {
        match info.get(k) {
            None => report("/info".into(), format!("missing `{k}`")),
            Some(v) if !v.is_string() => report(format!("/info/{k}"), "must be a string".into()),
            Some(_) => {}
        }
    }
}

fn check_path_item(item: &Value, at: &str, report: Report<'_>) {
    let Some(item) = item.as_object() else {
        report(at.into(), "a path must be a map of methods".into());
        return;
    };
    check_parameter_list(item.get("parameters"), &format!("{at}/parameters"), report);
    for method in METHODS {
        if let Some(op) = item.get(method) {
            check_operation(op, &format!("{at}/{method}"), report);
        }
    }
}

fn check_operation(op: &Value, at: &str, report: Report<'_>) {
    let Some(op) = op.as_object() else {
        report(at.into(), "an operation must be a map".into());
        return;
    };
    check_strings(op, at, &["operationId", "summary", "description"], report);
    if let Some(tags) = op.get("tags")
        && !tags
            .as_array()
            .is_some_and(|t| t.iter().all(Value::is_string))
    {
        report(format!("{at}/tags"), "must be a list of names".into());
    }
    check_parameter_list(op.get("parameters"), &format!("{at}/parameters"), report);
    if let Some(rb) = op.get("requestBody")
        && rb.get("$ref").is_none()
    {
        check_request_body(rb, &format!("{at}/requestBody"), report);
    }
    // A missing `responses` is reported by the loader as "no success (2xx) response".
    if let Some(rs) = op.get("responses") {
        let Some(rs) = rs.as_object() else {
            report(
                format!("{at}/responses"),
                "must be a map of statuses".into(),
            );
            return;
        };
        for (status, r) in rs {
            if r.get("$ref").is_none() {
                let r_at = format!("{at}/responses/{}", escape_segment(status));
                check_response(r, &r_at, report);
            }
        }
    }
}

fn check_parameter_list(list: Option<&Value>, at: &str, report: Report<'_>) {
    let Some(list) = list else {
        return;
    };
    let Some(items) = list.as_array() else {
        report(at.into(), "must be a list of parameters".into());
        return;
    };
    for (i, p) in items.iter().enumerate() {
        if p.get("$ref").is_none() {
            check_parameter(p, &format!("{at}/{i}"), report);
        }
    }
}

fn check_parameter(p: &Value, at: &str, report: Report<'_>) {
    let Some(p) = p.as_object() else {
        report(at.into(), "a parameter must be a map".into());
        return;
    };
    if !p.get("name").is_some_and(Value::is_string) {
        report(at.into(), "a parameter needs a `name`".into());
    }
    match p.get("in") {
        None => report(
            at.into(),
            "a parameter needs `in` (path, query, header or cookie)".into(),
        ),
        Some(Value::String(l)) if LOCATIONS.contains(&l.as_str()) => {}
        Some(other) => report(
            format!("{at}/in"),
            format!(
                "`{}` is not a parameter location: use path, query, header or cookie",
                other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string)
            ),
        ),
    }
    if !p.contains_key("schema") && !p.contains_key("content") {
        report(
            at.into(),
            "a parameter needs a `schema` (or `content`)".into(),
        );
    }
    match p.get("required") {
        Some(Value::Bool(_)) => {}
        Some(other) => report(
            format!("{at}/required"),
            format!("must be true or false, found {other}"),
        ),
        // OpenAPI: "If the parameter location is `path`, this property is REQUIRED and its value
        // MUST be true"; the case loader relies on every path parameter being given.
        None if p.get("in").and_then(Value::as_str) == Some("path") => {
            report(at.into(), "a path parameter needs `required: true`".into())
        }
        None => {}
    }
    if let Some(content) = p.get("content") {
        check_content(content, &format!("{at}/content"), report);
    }
}

fn check_request_body(rb: &Value, at: &str, report: Report<'_>) {
    let Some(rb) = rb.as_object() else {
        report(at.into(), "a request body must be a map".into());
        return;
    };
    check_strings(rb, at, &["description"], report);
    if let Some(content) = rb.get("content") {
        check_content(content, &format!("{at}/content"), report);
    }
}

/// A response needs a `description` (OpenAPI requires it); checked here so the message names the
/// response rather than the whole `paths` object.
fn check_response(r: &Value, at: &str, report: Report<'_>) {
    let Some(r) = r.as_object() else {
        report(at.into(), "a response must be a map".into());
        return;
    };
    match r.get("description") {
        None => report(at.into(), "a response needs a `description`".into()),
        Some(d) if !d.is_string() => report(format!("{at}/description"), "must be a string".into()),
        Some(_) => {}
    }
    if let Some(h) = r.get("headers")
        && !h.is_object()
    {
        report(format!("{at}/headers"), "must be a map of headers".into());
    }
    if let Some(content) = r.get("content") {
        check_content(content, &format!("{at}/content"), report);
    }
}

/// A map of media type to media type object; each `schema` in it is checked by
/// `check_schema_keywords`.
fn check_content(content: &Value, at: &str, report: Report<'_>) {
    let Some(content) = content.as_object() else {
        report(at.into(), "must be a map of media types".into());
        return;
    };
    for (mt, media) in content {
        if !media.is_object() {
            report(
                format!("{at}/{}", escape_segment(mt)),
                "a media type must be a map (with a `schema`)".into(),
            );
        }
    }
}

fn check_strings(map: &Map<String, Value>, at: &str, keys: &[&str], report: Report<'_>) {
    for k in keys {
        if let Some(v) = map.get(*k)
            && !v.is_string()
        {
            report(format!("{at}/{k}"), "must be a string".into());
        }
    }
}
