//! Reading the spec: YAML to a document, the checks of [`super::lint`], then one [`Operation`]
//! per documented path and method, with its schemas compiled once.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use super::lint::{lint, parse_errors};
use super::model::{Layer, LazySchema, SchemaSlot};
use super::schema::{self, CompiledSchema};
use super::seeds::not_a_seed_page;
use super::typed::{Components, Op};
use super::{
    DEFAULT_SPEC_PATH, EMBEDDED_SPEC, ImportedFrom, METHODS, Operation, Parameter, ResponseSpec,
    Spec, Version,
};
use crate::diag::{Diagnostic, Diagnostics};
use crate::yaml::{self, escape_segment};
use std::sync::Arc;

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
            None => Spec::builtin(),
        }
    }

    /// The spec of `spec` (a file, else the built-in curated spec) over the imported layer of
    /// `imported` (a file `spec import` or `spec fetch` wrote, JSON or YAML, gzipped or not),
    /// else the built-in layer. A cluster's own definition under the curated spec: what `run
    /// --imported FILE` checks a cluster against.
    pub fn load_layers(spec: Option<&Path>, imported: Option<&Path>) -> Result<Spec, Diagnostics> {
        let Some(file) = imported else {
            return Spec::load(spec);
        };
        let base = match spec {
            Some(_) => Spec::load(spec)?,
            None => Spec::curated()?,
        };
        let cannot = |m: String| Diagnostics(vec![Diagnostic::new(file, 0, "", m)]);
        let bytes = std::fs::read(file).map_err(|e| cannot(format!("cannot read it: {e}")))?;
        let text = super::import::unpack(&bytes, &file.display().to_string())
            .map_err(|e| cannot(e.to_string()))?;
        let text = std::str::from_utf8(&text)
            .map_err(|_| cannot("it is not UTF-8 text (JSON or YAML)".into()))?;
        let doc = match serde_json::from_str::<Value>(text) {
            Ok(v) => v,
            Err(_) => yaml::parse_file(file, text)?.0,
        };
        if doc.get("swagger").is_some() {
            return Err(cannot(
                "this is NetApp's swagger itself: import it first (`ontap-conform spec import FILE --output OUT`) and give OUT"
                    .into(),
            ));
        }
        base.with_imported(file, doc)
    }

    /// The spec built into the binary: NetApp's whole API as the imported layer, the curated
    /// spec on top (see `layers.rs`).
    pub fn builtin() -> Result<Spec, Diagnostics> {
        Spec::curated()?.with_imported(
            Path::new(super::import::BUILTIN_LAYER_PATH),
            super::import::builtin_layer(),
        )
    }

    /// The curated spec alone, as built into the binary (`spec/openapi.yaml`).
    pub fn curated() -> Result<Spec, Diagnostics> {
        Spec::parse(Path::new(DEFAULT_SPEC_PATH), EMBEDDED_SPEC)
    }

    /// Parses and checks spec text; `file` is the name errors are reported under. A documented
    /// basis is checked against the seed pages the binary was built with
    /// ([`SEED_PAGES`](super::SEED_PAGES)), wherever `file` is.
    pub fn parse(file: &Path, text: &str) -> Result<Spec, Diagnostics> {
        let (raw, lines) = yaml::parse_file(file, text)?;
        let mut diags = Vec::new();
        let at = |pointer: &str, message: String| Diagnostic::at(file, &lines, pointer, message);

        lint(&raw, &mut |p, m| diags.push(at(&p, m)));
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

        let components = Components::of(&raw, &mut |p, m| diags.push(at(&p, m)));
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
                let ctx = OpContext {
                    doc: &raw,
                    shared_params: &shared_params,
                    layer: Layer::Curated,
                    lazy: None,
                    components: &components,
                };
                if let Some(o) = load_operation(&ctx, path, method, op, &op_ptr, &mut report) {
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
            shadowed: Vec::new(),
            imported_doc: None,
        })
    }
}

/// What every operation of one document is read against.
pub(super) struct OpContext<'a> {
    pub(super) doc: &'a Value,
    /// The path item's own `parameters`, shared by its operations.
    pub(super) shared_params: &'a Value,
    /// The layer the document is; an imported one's schemas compile on first use (see
    /// [`LazySchemas`]).
    pub(super) layer: Layer,
    pub(super) lazy: Option<&'a LazySchemas>,
    /// The document's typed components (`$ref`s to parameters, request bodies, responses).
    pub(super) components: &'a Components,
}

/// The imported layer's schemas, one [`LazySchema`] per distinct body schema (and whether it is a
/// success response's), shared by the operations that name it, resolved against a shared copy of
/// the document.
pub(super) struct LazySchemas {
    pub(super) doc: Arc<Value>,
    made: std::cell::RefCell<HashMap<(String, bool), Arc<LazySchema>>>,
}

impl LazySchemas {
    pub(super) fn new(doc: Arc<Value>) -> LazySchemas {
        LazySchemas {
            doc,
            made: Default::default(),
        }
    }

    fn slot(&self, schema: &Value, at: String, response: bool) -> Arc<LazySchema> {
        let key = (schema.to_string(), response);
        self.made
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                Arc::new(LazySchema {
                    doc: self.doc.clone(),
                    schema: schema.clone(),
                    at,
                    response,
                    compiled: std::sync::OnceLock::new(),
                })
            })
            .clone()
    }
}

pub(super) fn load_operation(
    ctx: &OpContext<'_>,
    path: &str,
    method: &str,
    op: &Value,
    at: &str,
    report: &mut dyn FnMut(String, String),
) -> Option<Operation> {
    let doc = ctx.doc;
    let typed = Op::read(op, at, doc, ctx.components, report)?;
    let compile = |schema: &Value,
                   at: String,
                   response: bool,
                   report: &mut dyn FnMut(String, String)| match ctx.lazy {
        Some(shared) => Some(SchemaSlot::Lazy(shared.slot(schema, at, response))),
        None => compile(doc, schema, at, report).map(SchemaSlot::Ready),
    };
    let operation_id = typed.op.operation_id.clone().unwrap_or_default();
    if operation_id.is_empty() {
        report(at.to_string(), "missing `operationId`".into());
    }
    let marker = typed.extension("x-ontap-imported");
    let imported = marker.and_then(|v| imported_from(v, &format!("{at}/x-ontap-imported"), report));
    let introduced_in = match typed.extension("x-ontap-introduced-in") {
        // NetApp's definition says when an operation appeared only from 9.10 on
        // (`x-ntap-introduced`); an imported operation without it is of no known release, and no
        // version gate skips it.
        None if marker.is_some() => None,
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
    // The seed pages a supporting operation is pointed at by are citations too.
    if let Some(Value::Array(pages)) = typed
        .extension("x-ontap-supporting")
        .and_then(|s| s.get("pointed_at_by"))
    {
        for (i, page) in pages.iter().enumerate() {
            let name = page
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| page.to_string());
            if let Some(why) = not_a_seed_page(&name) {
                report(format!("{at}/x-ontap-supporting/pointed_at_by/{i}"), why);
            }
        }
    }
    let errors = typed
        .extension("x-ontap-errors")
        .map(|v| parse_errors(v, &format!("{at}/x-ontap-errors"), report))
        .unwrap_or_default();

    let parameters: Vec<Parameter> = typed
        .parameters(ctx.shared_params, report)
        .into_iter()
        .map(|p| Parameter {
            name: p.name,
            location: p.location.to_string(),
            required: p.required,
            schema: p.schema,
        })
        .collect();
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

    // A body's schema is resolved when it is compiled: at load for the curated spec, on first
    // use for the imported layer.
    let request = typed
        .request_body(report)
        .and_then(|b| compile(&b.schema, b.at, false, report));
    let mut responses = BTreeMap::new();
    for r in typed.responses(report) {
        // A success's body as a GET answers it, `fields` and all; an error body keeps what it
        // requires (`code` and `message`).
        let success = r.status.starts_with('2');
        let body = r
            .body
            .and_then(|b| compile(&b.schema, b.at, success, report));
        responses.insert(
            r.status.clone(),
            ResponseSpec {
                status: r.status,
                headers: r.headers,
                body,
            },
        );
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
        summary: typed.op.summary.clone().unwrap_or_default(),
        tags: typed.op.tags.clone(),
        introduced_in,
        supporting: typed.extension("x-ontap-supporting").is_some(),
        errors,
        parameters,
        request_body: request,
        responses,
        // An operation `spec import` wrote is NetApp's, whichever file it was read from: a spec
        // given whole with `--spec` may be an import too.
        layer: if imported.is_some() {
            Layer::Imported
        } else {
            ctx.layer
        },
        imported,
        sample: typed.extension("x-conform-sample").cloned(),
        required_properties: typed.extension("x-ontap-required").cloned(),
        line: 0,
    })
}

/// Reads `x-ontap-imported: {source, release}`, the layer marker `spec import` writes on every
/// operation it imports. It stands in for the seed basis or `x-ontap-supporting` of a curated
/// operation: the operation is NetApp's own, and `source` says from where (a file of
/// `spec/sources/ontap-api/`, any other file, or a cluster), so it is not held to the citable
/// files; its error entries carry their own bases.
fn imported_from(
    v: &Value,
    at: &str,
    report: &mut dyn FnMut(String, String),
) -> Option<ImportedFrom> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::trim);
    let shape =
        "must be {source: <file or cluster it was imported from>, release: <ONTAP release>}";
    let (Some(source), Some(release)) = (text("source"), text("release")) else {
        report(at.to_string(), shape.into());
        return None;
    };
    if source.is_empty() {
        report(
            format!("{at}/source"),
            "must name where it was imported from".into(),
        );
        return None;
    }
    if Version::parse(release).is_none() {
        report(
            format!("{at}/release"),
            format!("`{release}` is not an ONTAP release"),
        );
        return None;
    }
    Some(ImportedFrom {
        source: source.to_string(),
        release: release.to_string(),
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
