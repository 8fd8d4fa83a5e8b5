//! The spec's operations read through the typed model of the `openapiv3` crate: an operation's
//! id, summary, tags, parameters, request body, responses and extensions (`x-ontap-errors`,
//! `x-ontap-introduced-in`, `x-ontap-imported` ...) are fields of `openapiv3::Operation`, not
//! keys looked up in JSON.
//!
//! Where the model cannot hold what we need, the raw document is read, and each place says so:
//! - **schemas** go to `jsonschema` as JSON and keep NetApp's and this project's keywords as
//!   written, so a request or response schema is taken from the raw document at the pointer the
//!   typed model says it is at (the typed `Schema` is not serialized back: a round trip could
//!   change what a validator sees);
//! - **line numbers**: a problem found while deserializing is reported at its JSON pointer
//!   (`serde_path_to_error`), which the loader turns into `file:line`, as every other problem.
//!
//! The structural checks of `lint.rs` run on the raw document first, with messages that name the
//! exact field; what is left to fail here is rare.

use indexmap::IndexMap;
use openapiv3::{MediaType, Parameter, ReferenceOr, RequestBody, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::yaml::{escape_segment, path_to_pointer};

/// The components an operation's `$ref`s to parameters, request bodies and responses point at,
/// typed, read once per document. Schemas are not among them: see the module's doc.
#[derive(Debug, Default)]
pub(super) struct Components {
    parameters: IndexMap<String, ReferenceOr<Parameter>>,
    request_bodies: IndexMap<String, ReferenceOr<RequestBody>>,
    responses: IndexMap<String, ReferenceOr<Response>>,
}

/// `value` (at `at` in its document) as `T`, or a problem at the pointer where it breaks.
fn typed<T: DeserializeOwned>(
    value: &Value,
    at: &str,
    report: &mut dyn FnMut(String, String),
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Some(t),
        Err(e) => {
            let inner = path_to_pointer(e.path());
            report(format!("{at}{inner}"), e.inner().to_string());
            None
        }
    }
}

impl Components {
    /// The typed components of `doc`.
    pub(super) fn of(doc: &Value, report: &mut dyn FnMut(String, String)) -> Components {
        let read = |key: &str| -> Value {
            doc.pointer(&format!("/components/{key}"))
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default()))
        };
        let (p, b, r) = (read("parameters"), read("requestBodies"), read("responses"));
        Components {
            parameters: typed(&p, "/components/parameters", report).unwrap_or_default(),
            request_bodies: typed(&b, "/components/requestBodies", report).unwrap_or_default(),
            responses: typed(&r, "/components/responses", report).unwrap_or_default(),
        }
    }
}

/// A `$ref` followed within `map` (the components of one kind, under `/components/{kind}`): the
/// item and its pointer, or why not.
fn follow<'a, T>(
    item: &'a ReferenceOr<T>,
    at: String,
    kind: &str,
    map: &'a IndexMap<String, ReferenceOr<T>>,
) -> Result<(&'a T, String), (String, String)> {
    let mut item = item;
    let mut at = at;
    for _ in 0..16 {
        match item {
            ReferenceOr::Item(t) => return Ok((t, at)),
            ReferenceOr::Reference { reference } => {
                let prefix = format!("#/components/{kind}/");
                let Some(next) = reference
                    .strip_prefix(&prefix)
                    .and_then(|name| map.get_key_value(name))
                else {
                    return Err((
                        format!("{at}/$ref"),
                        format!("`{reference}` does not resolve: no such component"),
                    ));
                };
                at = format!("/components/{kind}/{}", escape_segment(next.0));
                item = next.1;
            }
        }
    }
    Err((
        format!("{at}/$ref"),
        "a chain of more than 16 `$ref`s".into(),
    ))
}

/// One operation as the typed model reads it, with the document it is in.
pub(super) struct Op<'a> {
    pub op: openapiv3::Operation,
    pub at: &'a str,
    pub doc: &'a Value,
    pub components: &'a Components,
}

/// A parameter as the loader keeps it.
pub(super) struct Param {
    pub name: String,
    pub location: &'static str,
    pub required: bool,
    /// Its schema as JSON (a parameter's schema is a scalar's: the typed one serialized back
    /// keeps everything a parameter check reads).
    pub schema: Value,
}

/// A body's schema: where it is in the raw document, and the JSON there.
pub(super) struct BodySchema {
    pub at: String,
    pub schema: Value,
}

/// A response as the loader keeps it.
pub(super) struct Resp {
    pub status: String,
    pub headers: Vec<String>,
    pub body: Option<BodySchema>,
}

impl<'a> Op<'a> {
    /// The operation at `at` in `doc`, typed; `None` (and a problem) when it does not fit the
    /// model.
    pub(super) fn read(
        op: &Value,
        at: &'a str,
        doc: &'a Value,
        components: &'a Components,
        report: &mut dyn FnMut(String, String),
    ) -> Option<Op<'a>> {
        Some(Op {
            op: typed(op, at, report)?,
            at,
            doc,
            components,
        })
    }

    pub(super) fn extension(&self, key: &str) -> Option<&Value> {
        self.op.extensions.get(key)
    }

    /// Its parameters and then the path item's `shared` ones it does not override, each ref
    /// followed.
    pub(super) fn parameters(
        &self,
        shared: &Value,
        report: &mut dyn FnMut(String, String),
    ) -> Vec<Param> {
        let shared: Vec<ReferenceOr<Parameter>> = if shared.is_null() {
            Vec::new()
        } else {
            typed(shared, "", report).unwrap_or_default()
        };
        let own = self
            .op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{}/parameters/{i}", self.at)));
        let path_level = shared.iter().enumerate().map(|(i, p)| (p, format!("/{i}")));
        let mut out: Vec<Param> = Vec::new();
        for (p, at) in own.chain(path_level.collect::<Vec<_>>()) {
            let (p, _) = match follow(p, at, "parameters", &self.components.parameters) {
                Ok(found) => found,
                Err((ptr, m)) => {
                    report(ptr, m);
                    continue;
                }
            };
            let (data, location) = match p {
                Parameter::Query { parameter_data, .. } => (parameter_data, "query"),
                Parameter::Path { parameter_data, .. } => (parameter_data, "path"),
                Parameter::Header { parameter_data, .. } => (parameter_data, "header"),
                Parameter::Cookie { parameter_data, .. } => (parameter_data, "cookie"),
            };
            // Operation-level parameters override path-level ones of the same name.
            if out.iter().any(|q| q.name == data.name) {
                continue;
            }
            let schema = match &data.format {
                openapiv3::ParameterSchemaOrContent::Schema(s) => {
                    serde_json::to_value(s).unwrap_or(Value::Null)
                }
                openapiv3::ParameterSchemaOrContent::Content(_) => Value::Null,
            };
            out.push(Param {
                name: data.name.clone(),
                location,
                required: data.required,
                schema,
            });
        }
        out
    }

    /// The request body's JSON schema, where the operation has one.
    pub(super) fn request_body(
        &self,
        report: &mut dyn FnMut(String, String),
    ) -> Option<BodySchema> {
        let rb = self.op.request_body.as_ref()?;
        let at = format!("{}/requestBody", self.at);
        match follow(rb, at, "requestBodies", &self.components.request_bodies) {
            Ok((rb, at)) => self.json_schema(&rb.content, &at),
            Err((p, m)) => {
                report(p, m);
                None
            }
        }
    }

    /// Every documented response, `default` included, in the document's order.
    pub(super) fn responses(&self, report: &mut dyn FnMut(String, String)) -> Vec<Resp> {
        let r = &self.op.responses;
        let listed = r.responses.iter().map(|(code, resp)| {
            let status = match code {
                StatusCode::Code(n) => n.to_string(),
                StatusCode::Range(n) => format!("{n}XX"),
            };
            (status, resp)
        });
        let default = r.default.iter().map(|d| ("default".to_string(), d));
        let mut out = Vec::new();
        for (status, resp) in listed.chain(default) {
            let at = format!("{}/responses/{}", self.at, escape_segment(&status));
            let (resp, at) = match follow(resp, at, "responses", &self.components.responses) {
                Ok(found) => found,
                Err((p, m)) => {
                    report(p, m);
                    continue;
                }
            };
            out.push(Resp {
                headers: resp.headers.keys().cloned().collect(),
                body: self.json_schema(&resp.content, &at),
                status,
            });
        }
        out
    }

    /// The schema of the JSON media type of `content` (at `at`), taken from the raw document:
    /// see the module's doc.
    fn json_schema(&self, content: &IndexMap<String, MediaType>, at: &str) -> Option<BodySchema> {
        let (mt, media) = content
            .iter()
            .find(|(k, _)| k.contains("json"))
            .or_else(|| content.iter().next())?;
        media.schema.as_ref()?;
        let at = format!("{at}/content/{}/schema", escape_segment(mt));
        let schema = self.doc.pointer(&at)?.clone();
        Some(BodySchema { at, schema })
    }
}
