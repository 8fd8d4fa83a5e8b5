//! The spec: `spec/openapi.yaml` loaded, checked and compiled into validators once.
//!
//! Everything else reads the spec through [`Spec`]: the case loader checks that each request names
//! a documented operation, the checker validates each response body, the reports draw the
//! coverage of documented statuses and ONTAP error codes, and the emulator refuses what the spec
//! forbids. Problems are collected as [`Diagnostic`]s naming file, line and field, so one
//! `spec check` shows all of them.

pub mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics};
use crate::yaml::{self, LineMap, escape_segment};
pub use schema::{CompiledSchema, Direction, Finding, FindingKind};

/// The spec shipped with the crate, so the binary works from any directory.
pub const EMBEDDED_SPEC: &str = include_str!("../../spec/openapi.yaml");
/// The path the embedded spec is reported under.
pub const DEFAULT_SPEC_PATH: &str = "spec/openapi.yaml";

const METHODS: [&str; 5] = ["get", "post", "patch", "delete", "put"];
const JSON_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];
/// The statuses ONTAP documents for errors (its "Interpreting an API response" page).
const ERROR_STATUSES: [u16; 7] = [400, 401, 403, 404, 405, 409, 413];

/// An ONTAP release number: one type with the emulator's, in the shared `ontap-rest` crate.
pub use ontap_rest::Version;

/// A documented ONTAP error code of one operation (`x-ontap-errors`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OntapError {
    pub code: String,
    /// The HTTP status ONTAP (and the emulator) answers it with.
    pub status: u16,
    pub description: String,
    /// The seed page it is transcribed from.
    pub seed: String,
}

/// A documented parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub schema: Value,
}

/// A documented response of one status (`"200"`, `"201"`, `"default"`).
#[derive(Debug)]
pub struct ResponseSpec {
    pub status: String,
    pub headers: Vec<String>,
    pub schema: Option<CompiledSchema>,
}

/// One documented operation.
#[derive(Debug)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub operation_id: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub introduced_in: Option<Version>,
    /// Supporting operations are not in the seeds but are what the seed pages point at.
    pub supporting: bool,
    pub errors: Vec<OntapError>,
    pub parameters: Vec<Parameter>,
    pub request: Option<CompiledSchema>,
    pub responses: BTreeMap<String, ResponseSpec>,
    /// The line of the operation in the spec file.
    pub line: usize,
}

impl Operation {
    /// `GET /api/cluster`: how operations are named in cases and reports.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The documented success statuses (2xx), in order.
    pub fn success_statuses(&self) -> Vec<u16> {
        self.responses
            .keys()
            .filter_map(|s| s.parse::<u16>().ok())
            .filter(|s| (200..300).contains(s))
            .collect()
    }

    /// The response spec for an actual status: the exact one, else `default` for errors.
    /// `None` means the status is undocumented for this operation.
    pub fn response_for(&self, status: u16) -> Option<&ResponseSpec> {
        self.responses.get(&status.to_string()).or_else(|| {
            if status >= 400 {
                self.responses.get("default")
            } else {
                None
            }
        })
    }

    /// Matches a concrete path (`/api/cluster/jobs/1234`) against this operation's template and
    /// returns the path parameters.
    pub fn match_path(&self, path: &str) -> Option<Vec<(String, String)>> {
        let mut params = Vec::new();
        let mut t = self.path.split('/');
        let mut p = path.split('/');
        loop {
            match (t.next(), p.next()) {
                (None, None) => return Some(params),
                (Some(ts), Some(ps)) => {
                    if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        if ps.is_empty() {
                            return None;
                        }
                        params.push((name.to_string(), ps.to_string()));
                    } else if ts != ps {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }

    pub fn error(&self, code: &str) -> Option<&OntapError> {
        self.errors.iter().find(|e| e.code == code)
    }
}

/// The loaded spec.
#[derive(Debug)]
pub struct Spec {
    pub file: PathBuf,
    pub operations: Vec<Operation>,
    /// Names of `components/schemas`.
    pub schema_names: Vec<String>,
    /// Errors every operation can return (`x-ontap-common-errors`).
    pub common_errors: Vec<OntapError>,
    pub raw: Value,
    pub lines: LineMap,
}

impl Spec {
    /// Loads the spec a run uses: the file at `path`, or the embedded copy when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Spec, Diagnostics> {
        match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    Diagnostics(vec![Diagnostic::new(
                        p,
                        0,
                        "",
                        format!("cannot read the spec: {e}"),
                    )])
                })?;
                Spec::parse(p, &text)
            }
            None => Spec::parse(Path::new(DEFAULT_SPEC_PATH), EMBEDDED_SPEC),
        }
    }

    /// Parses and checks spec text; `file` is the name errors are reported under.
    pub fn parse(file: &Path, text: &str) -> Result<Spec, Diagnostics> {
        let (raw, lines) = yaml::parse_file(file, text)?;
        let mut diags = Vec::new();
        let at = |pointer: &str, message: String| Diagnostic::at(file, &lines, pointer, message);

        check_refs(&raw, &raw, String::new(), &mut |p, m| diags.push(at(&p, m)));
        check_schema_keywords(&raw, String::new(), false, &mut |p, m| {
            diags.push(at(&p, m))
        });
        check_responses(&raw, &mut |p, m| diags.push(at(&p, m)));
        match raw.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0") => {}
            other => diags.push(at(
                "/openapi",
                format!("expected an OpenAPI 3.0.x document, found {other:?}"),
            )),
        }
        // The typed model catches the remaining structural mistakes (a parameter without `in`).
        if diags.is_empty()
            && let Err(e) = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw)
        {
            let pointer = yaml::path_to_pointer(e.path());
            diags.push(at(&pointer, format!("not valid OpenAPI 3: {}", e.inner())));
        }
        // Compiling broken schemas would only repeat the problems above in worse words.
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }

        let common_errors = raw
            .get("x-ontap-common-errors")
            .map(|v| {
                parse_errors(v, "/x-ontap-common-errors", &mut |p, m| {
                    diags.push(at(&p, m))
                })
            })
            .unwrap_or_default();

        let mut operations = Vec::new();
        let empty = serde_json::Map::new();
        let paths = raw
            .get("paths")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (path, item) in paths {
            let path_ptr = format!("/paths/{}", escape_segment(path));
            let shared_params = item.get("parameters").cloned().unwrap_or(Value::Null);
            for method in METHODS {
                let Some(op) = item.get(method) else {
                    continue;
                };
                let op_ptr = format!("{path_ptr}/{method}");
                let mut report = |p: String, m: String| diags.push(at(&p, m));
                if let Some(o) =
                    load_operation(&raw, path, method, op, &op_ptr, &shared_params, &mut report)
                {
                    operations.push(Operation {
                        line: lines.line_of(&op_ptr),
                        ..o
                    });
                }
            }
        }
        if operations.is_empty() {
            diags.push(at("/paths", "the spec documents no operation".into()));
        }

        let schema_names = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();

        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        Ok(Spec {
            file: file.to_path_buf(),
            operations,
            schema_names,
            common_errors,
            raw,
            lines,
        })
    }

    /// The operation with this method and template, e.g. `("GET", "/api/cluster")`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|o| o.method.eq_ignore_ascii_case(method) && o.path == path)
    }

    /// The operation a concrete request path belongs to. Literal segments win over parameters,
    /// so `/api/security/accounts` never matches a `{name}` template by accident.
    pub fn match_request(
        &self,
        method: &str,
        path: &str,
    ) -> Option<(&Operation, Vec<(String, String)>)> {
        self.operations
            .iter()
            .filter(|o| o.method.eq_ignore_ascii_case(method))
            .filter_map(|o| o.match_path(path).map(|p| (o, p)))
            .min_by_key(|(_, p)| p.len())
    }

    /// The seed (non-supporting) operations.
    pub fn seed_operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(|o| !o.supporting)
    }

    /// All documented (operation, error) pairs.
    pub fn error_pairs(&self) -> impl Iterator<Item = (&Operation, &OntapError)> {
        self.operations
            .iter()
            .flat_map(|o| o.errors.iter().map(move |e| (o, e)))
    }
}

/// Every response object needs a `description` (OpenAPI requires it); checked here so the
/// message names the response rather than the whole `paths` object.
fn check_responses(doc: &Value, report: &mut dyn FnMut(String, String)) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(rs) = item
                .pointer(&format!("/{method}/responses"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (status, r) in rs {
                if r.get("$ref").is_none() && r.get("description").is_none() {
                    report(
                        format!(
                            "/paths/{}/{method}/responses/{}",
                            escape_segment(path),
                            escape_segment(status)
                        ),
                        "a response needs a `description`".into(),
                    );
                }
            }
        }
    }
}

fn check_refs(doc: &Value, node: &Value, at: String, report: &mut dyn FnMut(String, String)) {
    match node {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref") {
                let target = r.as_str().unwrap_or_default();
                match target.strip_prefix('#') {
                    Some(p) if doc.pointer(p).is_some() => {}
                    Some(_) => report(
                        format!("{at}/$ref"),
                        format!("`{target}` does not resolve: no such component"),
                    ),
                    None => report(
                        format!("{at}/$ref"),
                        format!("`{target}`: only local references (`#/...`) are supported"),
                    ),
                }
            }
            for (k, v) in map {
                check_refs(doc, v, format!("{at}/{}", escape_segment(k)), report);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_refs(doc, v, format!("{at}/{i}"), report);
            }
        }
        _ => {}
    }
}

/// Checks the keywords of every schema object in the document: `type` is a JSON type, arrays
/// have `items`, `required` names documented properties, `enum` is a non-empty list.
fn check_schema_keywords(
    node: &Value,
    at: String,
    in_schema: bool,
    report: &mut dyn FnMut(String, String),
) {
    match node {
        Value::Object(map) => {
            if in_schema && !map.contains_key("$ref") {
                if let Some(t) = map.get("type") {
                    match t.as_str() {
                        Some(t) if JSON_TYPES.contains(&t) => {}
                        _ => report(
                            format!("{at}/type"),
                            format!(
                                "`{}` is not a type: use one of {}",
                                t.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| t.to_string()),
                                JSON_TYPES.join(", ")
                            ),
                        ),
                    }
                    if t == "array" && !map.contains_key("items") {
                        report(at.clone(), "an array schema needs `items`".into());
                    }
                }
                if let Some(e) = map.get("enum")
                    && e.as_array().is_none_or(Vec::is_empty)
                {
                    report(
                        format!("{at}/enum"),
                        "`enum` must be a non-empty list".into(),
                    );
                }
                if let (Some(req), Some(props)) = (
                    map.get("required").and_then(Value::as_array),
                    map.get("properties").and_then(Value::as_object),
                ) {
                    for (i, r) in req.iter().enumerate() {
                        if let Some(name) = r.as_str()
                            && !props.contains_key(name)
                        {
                            report(
                                format!("{at}/required/{i}"),
                                format!("required field `{name}` is not among the properties"),
                            );
                        }
                    }
                }
            }
            for (k, v) in map {
                if k.starts_with("x-") || k == "example" || k == "enum" || k == "default" {
                    continue;
                }
                let child = format!("{at}/{}", escape_segment(k));
                // Which children are schemas: `schema` anywhere, everything under
                // components/schemas, and a schema's own sub-schemas.
                let child_is_schema = k == "schema"
                    || at == "/components/schemas"
                    || (in_schema
                        && matches!(k.as_str(), "items" | "additionalProperties" | "not"));
                if in_schema && (k == "properties") {
                    if let Value::Object(props) = v {
                        for (name, s) in props {
                            check_schema_keywords(
                                s,
                                format!("{child}/{}", escape_segment(name)),
                                true,
                                report,
                            );
                        }
                    }
                    continue;
                }
                if in_schema && matches!(k.as_str(), "allOf" | "oneOf" | "anyOf") {
                    if let Value::Array(items) = v {
                        for (i, s) in items.iter().enumerate() {
                            check_schema_keywords(s, format!("{child}/{i}"), true, report);
                        }
                    }
                    continue;
                }
                check_schema_keywords(v, child, child_is_schema, report);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_schema_keywords(v, format!("{at}/{i}"), false, report);
            }
        }
        _ => {}
    }
}

fn parse_errors(v: &Value, at: &str, report: &mut dyn FnMut(String, String)) -> Vec<OntapError> {
    let Some(items) = v.as_array() else {
        report(
            at.to_string(),
            "must be a list of {code, status, description, seed}".into(),
        );
        return Vec::new();
    };
    let mut out: Vec<OntapError> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{at}/{i}");
        let code = match item.get("code") {
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.clone()
            }
            Some(Value::String(s)) => {
                report(
                    format!("{p}/code"),
                    format!("`{s}` is not an ONTAP error code (digits only)"),
                );
                continue;
            }
            Some(other) => {
                report(
                    format!("{p}/code"),
                    format!(
                        "must be a string (ONTAP sends `error.code` as a string), found {other}"
                    ),
                );
                continue;
            }
            None => {
                report(p.clone(), "missing `code`".into());
                continue;
            }
        };
        let status = match item.get("status").and_then(Value::as_u64) {
            Some(s) if ERROR_STATUSES.contains(&(s as u16)) => s as u16,
            Some(s) => {
                report(
                    format!("{p}/status"),
                    format!("{s} is not an error status ONTAP documents ({ERROR_STATUSES:?})"),
                );
                continue;
            }
            None => {
                report(format!("{p}/status"), "missing or not a number".into());
                continue;
            }
        };
        let text = |k: &str| {
            item.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (description, seed) = (text("description"), text("seed").to_string());
        let seed = if seed.is_empty() {
            text("source")
        } else {
            seed
        };
        if description.is_empty() {
            report(format!("{p}/description"), "missing description".into());
        }
        if seed.is_empty() {
            report(
                format!("{p}/seed"),
                "missing the seed page it comes from".into(),
            );
        }
        if out.iter().any(|e| e.code == code) {
            report(
                format!("{p}/code"),
                format!("{code} is listed twice on this operation"),
            );
        }
        out.push(OntapError {
            code,
            status,
            description,
            seed,
        });
    }
    out
}

fn load_operation(
    doc: &Value,
    path: &str,
    method: &str,
    op: &Value,
    at: &str,
    shared_params: &Value,
    report: &mut dyn FnMut(String, String),
) -> Option<Operation> {
    let text = |k: &str| {
        op.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let operation_id = text("operationId");
    if operation_id.is_empty() {
        report(at.to_string(), "missing `operationId`".into());
    }
    let introduced_in = match op.get("x-ontap-introduced-in") {
        None => {
            report(at.to_string(), "missing `x-ontap-introduced-in`".into());
            None
        }
        Some(v) => {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let parsed = Version::parse(&s);
            if parsed.is_none() {
                report(
                    format!("{at}/x-ontap-introduced-in"),
                    format!("`{s}` is not an ONTAP version"),
                );
            }
            parsed
        }
    };
    let errors = op
        .get("x-ontap-errors")
        .map(|v| parse_errors(v, &format!("{at}/x-ontap-errors"), report))
        .unwrap_or_default();

    let mut parameters = Vec::new();
    let mut param_list = Vec::new();
    for (base, list) in [
        (format!("{at}/parameters"), op.get("parameters")),
        ("".into(), Some(shared_params)),
    ] {
        if let Some(Value::Array(items)) = list {
            for (i, p) in items.iter().enumerate() {
                param_list.push((format!("{base}/{i}"), p.clone()));
            }
        }
    }
    for (p_at, p) in param_list {
        match schema::resolve(doc, &p, &p_at) {
            Ok(p) => {
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if parameters.iter().any(|q: &Parameter| q.name == name) {
                    continue; // operation-level parameters override path-level ones
                }
                parameters.push(Parameter {
                    location: p
                        .get("in")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    schema: p.get("schema").cloned().unwrap_or(Value::Null),
                    name,
                });
            }
            Err((ptr, msg)) => report(ptr, msg),
        }
    }
    for seg in path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
            && !parameters
                .iter()
                .any(|p| p.name == name && p.location == "path")
        {
            report(
                at.to_string(),
                format!("path parameter `{name}` is not declared"),
            );
        }
    }

    let json_schema = |content: Option<&Value>| -> Option<(String, Value)> {
        let content = content?.as_object()?;
        let (mt, media) = content
            .iter()
            .find(|(k, _)| k.contains("json"))
            .or_else(|| content.iter().next())?;
        Some((mt.clone(), media.get("schema")?.clone()))
    };

    let request_body = op
        .get("requestBody")
        .map(|rb| schema::resolve(doc, rb, &format!("{at}/requestBody")).unwrap_or(Value::Null));
    let request = match request_body
        .as_ref()
        .and_then(|rb| json_schema(rb.get("content")))
    {
        Some((mt, s)) => compile(
            doc,
            &s,
            format!("{at}/requestBody/content/{}/schema", escape_segment(&mt)),
            report,
        ),
        None => None,
    };

    let mut responses = BTreeMap::new();
    if let Some(Value::Object(rs)) = op.get("responses") {
        for (status, r) in rs {
            let r_at = format!("{at}/responses/{}", escape_segment(status));
            let r = match schema::resolve(doc, r, &r_at) {
                Ok(r) => r,
                Err((p, m)) => {
                    report(p, m);
                    continue;
                }
            };
            let schema = match json_schema(r.get("content")) {
                Some((mt, s)) => compile(
                    doc,
                    &s,
                    format!("{r_at}/content/{}/schema", escape_segment(&mt)),
                    report,
                ),
                None => None,
            };
            let headers = r
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| h.keys().cloned().collect())
                .unwrap_or_default();
            responses.insert(
                status.clone(),
                ResponseSpec {
                    status: status.clone(),
                    headers,
                    schema,
                },
            );
        }
    }
    if !responses.keys().any(|s| s.starts_with('2') && s.len() == 3) {
        report(
            format!("{at}/responses"),
            "no success (2xx) response is documented".into(),
        );
    }

    Some(Operation {
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        operation_id,
        summary: text("summary"),
        tags: op
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        introduced_in,
        supporting: op.get("x-ontap-supporting").is_some(),
        errors,
        parameters,
        request,
        responses,
        line: 0,
    })
}

fn compile(
    doc: &Value,
    schema: &Value,
    at: String,
    report: &mut dyn FnMut(String, String),
) -> Option<CompiledSchema> {
    let resolved = match schema::resolve(doc, schema, &at) {
        Ok(r) => r,
        Err((p, m)) => {
            report(p, m);
            return None;
        }
    };
    match CompiledSchema::compile(resolved) {
        Ok(c) => Some(c),
        Err(m) => {
            report(at, format!("schema does not compile: {m}"));
            None
        }
    }
}

#[cfg(test)]
mod tests;
