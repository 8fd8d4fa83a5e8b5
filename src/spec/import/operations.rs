//! NetApp's `paths`, one operation at a time: the path under `basePath` (`/api/storage/volumes`,
//! as the curated spec writes paths), `operationId`, tags, a summary and a description from
//! NetApp's prose, the layer marker `x-ontap-imported`, parameters, request body, responses and
//! the error entries.
//!
//! A key under `paths` without a leading `/` is one of NetApp's documentation pages ("HAL
//! linking", "Query parameters" ...), not a path: it is skipped with a warning. An operation the
//! spec cannot carry (no success status) is left out, named with the reason.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::entries::{Cite, Common};
use super::parameters::{self, Param};
use super::responses::{self, Against};
use super::schemas::Known;
use super::warning::Cx;
use crate::yaml::escape_segment;

pub(super) use parameters::shared as shared_parameters;

/// What every operation is read against.
pub(super) struct Ops<'a> {
    pub base_path: &'a str,
    pub parameters: BTreeMap<String, Param>,
    pub known: &'a Known,
    pub cite: &'a Cite,
    pub common: &'a Common,
    /// The `x-ontap-imported` marker every operation carries.
    pub imported: Value,
}

/// Counts for the summary.
#[derive(Debug, Default)]
pub(super) struct OpCounts {
    pub operations: usize,
    pub error_rows: usize,
    pub error_entries: usize,
}

/// The methods the spec documents, as NetApp's file spells them.
const METHODS: [&str; 5] = ["get", "post", "patch", "delete", "put"];

/// Every path of NetApp's file, converted; the operations left out with why; the counts.
pub(super) fn paths(
    cx: &mut Cx<'_>,
    ops: &Ops<'_>,
    paths: Option<&Value>,
) -> (Map<String, Value>, Vec<(String, String)>, OpCounts) {
    let mut out = Map::new();
    let mut left_out = Vec::new();
    let mut counts = OpCounts::default();
    let empty = Map::new();
    for (key, item) in paths.and_then(Value::as_object).unwrap_or(&empty) {
        let at = format!("/paths/{}", escape_segment(key));
        if !key.starts_with('/') {
            cx.warn(
                &at,
                format!("`{key}` is not a path (no leading `/`): a documentation page, skipped"),
            );
            continue;
        }
        let Some(item) = item.as_object() else {
            cx.warn(&at, "a path must be a map of methods: skipped");
            continue;
        };
        let path = format!("{}{key}", ops.base_path.trim_end_matches('/'));
        let shared = parameters::list(
            cx,
            item.get("parameters"),
            &format!("{at}/parameters"),
            &ops.parameters,
            ops.known,
        );
        let mut methods = Map::new();
        for (method, op) in item {
            let op_at = format!("{at}/{}", escape_segment(method));
            let name = format!("{} {path}", method.to_ascii_uppercase());
            match method.as_str() {
                m if METHODS.contains(&m) => match operation(cx, ops, &path, op, &op_at, &shared) {
                    Ok(one) => {
                        counts.operations += 1;
                        counts.error_rows += one.rows;
                        counts.error_entries += one.entries;
                        methods.insert(method.clone(), one.op);
                    }
                    Err(why) => {
                        cx.warn(&op_at, format!("left out: {why}"));
                        left_out.push((name, why));
                    }
                },
                "head" | "options" => {
                    let why = format!(
                        "{} is answered by ONTAP on every path and is not an operation the spec \
                         documents",
                        method.to_ascii_uppercase()
                    );
                    cx.warn(&op_at, format!("left out: {why}"));
                    left_out.push((name, why));
                }
                "parameters" | "x-ntap-long-description" => {}
                other => cx.warn(&op_at, format!("`{other}` of a path: skipped")),
            }
        }
        let any_method = item
            .keys()
            .any(|k| METHODS.contains(&k.as_str()) || k == "head" || k == "options");
        if !any_method {
            cx.warn(
                &at,
                "no operation (only NetApp's documentation of the path): skipped",
            );
        }
        if !methods.is_empty() {
            out.insert(path, Value::Object(methods));
        }
    }
    (out, left_out, counts)
}

struct One {
    op: Value,
    rows: usize,
    entries: usize,
}

fn operation(
    cx: &mut Cx<'_>,
    ops: &Ops<'_>,
    path: &str,
    op: &Value,
    at: &str,
    shared: &[Param],
) -> Result<One, String> {
    let Some(map) = op.as_object() else {
        return Err("the operation is not a map".into());
    };
    let method = at.rsplit('/').next().unwrap_or_default();
    let mut out = Map::new();
    let id = match map.get("operationId").and_then(Value::as_str) {
        Some(id) if !id.trim().is_empty() => id.to_string(),
        _ => {
            let made = format!("{method}{}", path.replace(['/', '{', '}', '.', '-'], "_"));
            cx.warn(at, format!("no `operationId`: named `{made}`"));
            made
        }
    };
    out.insert("operationId".into(), json!(id));
    if let Some(tags) = map.get("tags") {
        match tags.as_array() {
            Some(t) if t.iter().all(Value::is_string) => {
                out.insert("tags".into(), tags.clone());
            }
            _ => cx.warn(
                &format!("{at}/tags"),
                "`tags` must be a list of names: ignored",
            ),
        }
    }
    let prose = map.get("description").and_then(Value::as_str).unwrap_or("");
    let summary = map
        .get("summary")
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| first_line(prose));
    if !summary.is_empty() {
        out.insert("summary".into(), json!(summary));
    }
    let description = first_paragraph(prose);
    if !description.is_empty() {
        out.insert("description".into(), json!(description));
    }
    if let Some(required) = required_properties(prose) {
        out.insert("x-ontap-required".into(), required);
    }
    if let Some(v) = map.get("x-ntap-introduced") {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        out.insert("x-ontap-introduced-in".into(), json!(text));
    }
    out.insert("x-ontap-imported".into(), ops.imported.clone());

    let own = parameters::list(
        cx,
        map.get("parameters"),
        &format!("{at}/parameters"),
        &ops.parameters,
        ops.known,
    );
    let (params, body) = split(cx, own, shared, path, at);
    if !params.is_empty() {
        out.insert("parameters".into(), Value::Array(params));
    }
    if let Some(b) = body {
        out.insert("requestBody".into(), b);
    }
    let against = Against {
        known: ops.known,
        cite: ops.cite,
        common: ops.common,
    };
    let r = responses::responses(
        cx,
        map.get("responses"),
        &format!("{at}/responses"),
        &against,
    );
    if !r.responses.keys().any(|s| s.starts_with('2')) {
        return Err(
            "no success (2xx) status is documented: the spec judges every answer by one".into(),
        );
    }
    out.insert("responses".into(), Value::Object(r.responses));
    let entries = r.errors.len();
    if !r.errors.is_empty() {
        out.insert("x-ontap-errors".into(), Value::Array(r.errors));
    }
    for (k, v) in map {
        match k.as_str() {
            "operationId"
            | "tags"
            | "summary"
            | "description"
            | "parameters"
            | "responses"
            | "x-ntap-introduced"
            | "x-ntap-long-description" => {}
            // The spec gives every body under both JSON media types and one security scheme.
            "consumes" | "produces" | "security" | "schemes" => {}
            "deprecated" | "externalDocs" => {
                out.insert(k.clone(), v.clone());
            }
            k if k.starts_with("x-") => {
                out.insert(k.to_string(), v.clone());
            }
            other => cx.warn(
                &format!("{at}/{}", escape_segment(other)),
                format!("`{other}` of an operation: dropped"),
            ),
        }
    }
    Ok(One {
        op: Value::Object(out),
        rows: r.rows,
        entries,
    })
}

/// The operation's parameters (its own first, then the path's that it does not override) and
/// its request body; a path parameter the template names but nobody declares is added as a
/// string, with a warning, since every path parameter must be given.
fn split(
    cx: &mut Cx<'_>,
    own: Vec<Param>,
    shared: &[Param],
    path: &str,
    at: &str,
) -> (Vec<Value>, Option<Value>) {
    let mut params: Vec<Value> = Vec::new();
    let mut body = None;
    for p in own.into_iter().chain(shared.iter().cloned()) {
        match p {
            Param::Plain(v) => {
                if !params
                    .iter()
                    .any(|q| q.get("name") == v.get("name") && q.get("in") == v.get("in"))
                {
                    params.push(v);
                }
            }
            Param::Body(b) => {
                body.get_or_insert(b);
            }
        }
    }
    for seg in path.split('/') {
        let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        let declared = params.iter().any(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("in").and_then(Value::as_str) == Some("path")
        });
        if !declared {
            cx.warn(
                at,
                format!("path parameter `{name}` is not declared: read as a string"),
            );
            params.push(
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            );
        }
    }
    (params, body)
}

/// The first sentence of NetApp's description: the operation's summary ("Retrieves
/// applications.").
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    match line.find(". ") {
        Some(end) => line[..=end].to_string(),
        None => line.to_string(),
    }
}

/// The first paragraph of NetApp's description, its lines joined: what the operation does. The
/// rest (headings, examples, lists, links into NetApp's documentation viewer) stops it.
fn first_paragraph(text: &str) -> String {
    let mut lines = Vec::new();
    for line in text.lines().map(str::trim) {
        let starts_block = line.is_empty()
            || line.starts_with('#')
            || line.starts_with("```")
            || line.starts_with("* ")
            || line.starts_with("- ")
            || line.starts_with('|')
            || line.starts_with("<br")
            || line
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if starts_block {
            if lines.is_empty() && line.is_empty() {
                continue;
            }
            break;
        }
        lines.push(line);
    }
    lines.join(" ")
}

/// The `### Required properties` list of NetApp's description, which the 9.8 file gives in
/// prose instead of a schema's `required` (91 of its 106 POSTs have one), as
/// `x-ontap-required`: one entry per item, `{any_of: [field, ..], note}` where the item names
/// its fields alone (`` `svm.uuid` or `svm.name` - Existing SVM ... ``), `conditional: true`
/// where sub-items qualify it ("Required for Cluster-scoped interfaces."), and `{text}` for an
/// item that is prose (`` Either set `generate_passphrase` ... ``), kept so that a reader can
/// tell "nothing is required" from "what is required was not read".
fn required_properties(prose: &str) -> Option<Value> {
    let start = prose.find("### Required properties")?;
    let rest = &prose[start..];
    let rest = rest.split_once('\n').map_or("", |(_, r)| r);
    let mut items: Vec<Map<String, Value>> = Vec::new();
    for line in rest.lines() {
        if line.starts_with('#') {
            break;
        }
        let text = line.trim();
        let Some(body) = text.strip_prefix("* ").or_else(|| text.strip_prefix("- ")) else {
            if text.is_empty() {
                continue;
            }
            // Prose between items ends the list as NetApp's viewer shows it.
            break;
        };
        if line.starts_with(' ') || line.starts_with('\t') {
            // A sub-item qualifies the item above it.
            if let Some(item) = items.last_mut() {
                item.insert("conditional".into(), json!(true));
                let note = item.get("note").and_then(Value::as_str).unwrap_or("");
                let joined = format!("{note} {body}").trim().to_string();
                item.insert("note".into(), json!(joined));
            }
            continue;
        }
        items.push(required_item(body));
    }
    (!items.is_empty()).then(|| Value::Array(items.into_iter().map(Value::Object).collect()))
}

/// One top-level item of a required-properties list: its fields when it names them alone.
fn required_item(body: &str) -> Map<String, Value> {
    let (head, note) = match body.split_once(" - ") {
        Some((h, n)) => (h, n.trim()),
        None => match body.split_once("`-") {
            Some((h, n)) => (&body[..h.len() + 1], n.trim()),
            None => (body, ""),
        },
    };
    let mut fields = Vec::new();
    let mut regular = true;
    for (i, part) in head.split('`').enumerate() {
        if i % 2 == 1 {
            regular &= !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
            fields.push(json!(part));
        } else {
            regular &= matches!(part.trim(), "" | "or" | "," | ", or");
        }
    }
    let mut item = Map::new();
    if regular && !fields.is_empty() {
        item.insert("any_of".into(), Value::Array(fields));
        if !note.is_empty() {
            item.insert("note".into(), json!(note));
        }
    } else {
        item.insert("text".into(), json!(body.trim()));
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_properties_are_read_from_the_prose() {
        let text = "Creates.\n### Required properties\n* `svm.uuid` or `svm.name` - Existing SVM.\n* `name`  - Name.\n* `priority`- Priority.\n* `ipspace.name` or `ipspace.uuid`\n  * Required for Cluster-scoped interfaces.\n* Either set `a` or `b`.\n### Default property values\n* `x`\n";
        let v = required_properties(text).expect("a list");
        assert_eq!(
            v,
            json!([
                {"any_of": ["svm.uuid", "svm.name"], "note": "Existing SVM."},
                {"any_of": ["name"], "note": "Name."},
                {"any_of": ["priority"], "note": "Priority."},
                {"any_of": ["ipspace.name", "ipspace.uuid"], "conditional": true, "note": "Required for Cluster-scoped interfaces."},
                {"text": "Either set `a` or `b`."},
            ])
        );
        assert_eq!(
            required_properties("Creates.\n### Related ONTAP commands\n* `x`\n"),
            None
        );
    }

    #[test]
    fn the_first_paragraph_stops_at_a_heading_or_a_list() {
        let text = "Retrieves applications.\nSee below.\n### Expensive properties\n* `x`\n";
        assert_eq!(
            first_line("Updates it. Swapping is not allowed."),
            "Updates it."
        );
        assert_eq!(first_line(text), "Retrieves applications.");
        assert_eq!(first_paragraph(text), "Retrieves applications. See below.");
        assert_eq!(first_paragraph("\nOne.\n\nTwo.\n"), "One.");
        assert_eq!(first_paragraph("Lists:\n1. first\n"), "Lists:");
    }
}
