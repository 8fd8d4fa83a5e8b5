//! What the rest of the harness reads: the operations of the spec, their parameters, responses
//! and documented ONTAP error codes, and the lookups over them.
//!
//! Plain data, built once by [`super::load`]; nothing here reads YAML or reports problems.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::Version;
use super::basis::Basis;
use super::schema::CompiledSchema;
use crate::yaml::LineMap;

/// A documented ONTAP error code of one operation (`x-ontap-errors`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OntapError {
    pub code: String,
    /// The HTTP status ONTAP (and the emulator) answers it with.
    pub status: u16,
    pub description: String,
    /// The seed page it is transcribed from (for a common error: the `source` text).
    pub seed: String,
    /// What the code (that ONTAP answers this condition with this code) rests on.
    pub basis: Basis,
    /// What the HTTP status rests on, separately: NetApp documents codes but no status per code,
    /// so for most entries this is a convention while `basis` is documented.
    pub status_basis: Basis,
}

/// Where an imported operation comes from: `x-ontap-imported: {source, release}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedFrom {
    /// The file of NetApp's definition it was imported from (`swagger-9.8.yaml.gz`), or the
    /// cluster it was fetched from (`cluster1.example.com /docs/api/swagger.yaml`).
    pub source: String,
    /// The ONTAP release that definition documents (`9.8`).
    pub release: String,
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
    pub(crate) body: Option<SchemaSlot>,
}

impl ResponseSpec {
    /// The body's schema, compiled (on first use for an imported operation).
    pub fn schema(&self) -> Option<&CompiledSchema> {
        self.body.as_ref().and_then(SchemaSlot::get)
    }
}

/// Which layer of the spec an operation comes from. The built-in spec is NetApp's whole API as
/// its own definition gives it (imported), with this project's curated spec on top (every fact
/// cited, every code with a case), and the user's overlays on both.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// `spec/openapi.yaml`, transcribed from the seed pages with every fact's basis.
    Curated,
    /// Imported from NetApp's own API definition (`spec/imported/`).
    Imported,
    /// A `--spec-overlay` of the user's.
    Overlay,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Curated => "curated",
            Layer::Imported => "imported",
            Layer::Overlay => "overlay",
        }
    }
}

/// A schema of an operation: compiled when the spec loads (the curated spec and overlays, whose
/// problems `spec check` must report with their lines), or on first use (the imported layer:
/// about 1,500 operations of which a run uses a few, so compiling them all would cost every run
/// for nothing).
pub(crate) enum SchemaSlot {
    Ready(CompiledSchema),
    /// Shared by every operation of the layer whose body is the same schema: NetApp's file gives
    /// 564 of its 1,166 bodies as `error_response`, and one compiled copy each was a tenth of a
    /// whole-API run's memory.
    Lazy(std::sync::Arc<LazySchema>),
}

/// An imported schema, resolved and compiled when first used.
pub(crate) struct LazySchema {
    pub(crate) doc: std::sync::Arc<Value>,
    pub(crate) schema: Value,
    /// Where the schema is (the first operation that names it), for the warning.
    pub(crate) at: String,
    /// A success response's schema: compiled without `required`. NetApp's file has one definition
    /// per object for what a POST sends and what a GET answers, and its `required` lists what
    /// a POST must send; a GET answers what `fields` asks, so a projection
    /// (`fields=maxdata_on_san.app_type`) leaves those properties out, as every answer with
    /// `fields` does.
    pub(crate) response: bool,
    pub(crate) compiled: std::sync::OnceLock<Option<CompiledSchema>>,
}

impl std::fmt::Debug for SchemaSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaSlot::Ready(_) => f.write_str("SchemaSlot::Ready"),
            SchemaSlot::Lazy(l) => write!(f, "SchemaSlot::Lazy({})", l.at),
        }
    }
}

impl SchemaSlot {
    /// The compiled schema; `None` for an imported schema that does not resolve or compile (a
    /// warning says which, once: the import was checked when it was made, so this is a bug
    /// there, and a run should go on judging what it can).
    pub fn get(&self) -> Option<&CompiledSchema> {
        match self {
            SchemaSlot::Ready(c) => Some(c),
            SchemaSlot::Lazy(l) => l.get(),
        }
    }
}

impl LazySchema {
    fn get(&self) -> Option<&CompiledSchema> {
        let LazySchema {
            doc,
            schema,
            at,
            response,
            compiled,
        } = self;
        compiled
            .get_or_init(|| {
                let made = super::schema::resolve(doc, schema, at)
                    .map(|mut resolved| {
                        if *response {
                            drop_required(&mut resolved);
                        }
                        resolved
                    })
                    .map_err(|(p, m)| format!("{p}: {m}"))
                    .and_then(CompiledSchema::compile);
                match made {
                    Ok(c) => Some(c),
                    Err(m) => {
                        tracing::warn!("the imported schema at {at} is not usable: {m}");
                        None
                    }
                }
            })
            .as_ref()
    }
}

/// `required` taken out of a resolved schema, at every depth.
fn drop_required(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("required").is_some_and(Value::is_array) {
                map.remove("required");
            }
            map.values_mut().for_each(drop_required);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_required),
        _ => {}
    }
}

/// An operation of the spec, as its index in [`Spec::operations`]: a case step holds this, not a
/// `"METHOD /path"` string to look up again at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpId(pub usize);

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
    /// `x-ontap-imported`: the operation was imported from NetApp's own definition
    /// (`spec import`), not curated from the seed pages; its layer marker. It has no cases of its
    /// own, so coverage reports it and does not gate on it.
    pub imported: Option<ImportedFrom>,
    pub errors: Vec<OntapError>,
    pub parameters: Vec<Parameter>,
    pub(crate) request_body: Option<SchemaSlot>,
    pub responses: BTreeMap<String, ResponseSpec>,
    /// The layer it comes from (an imported one says from where in `imported`).
    pub layer: Layer,
    /// `x-conform-sample`: a request a correct cluster carries out, as the generated checks'
    /// starting point (see `case::generated::sample`); read there, kept here as written.
    pub sample: Option<Value>,
    /// `x-ontap-required`: the required properties NetApp's description lists in prose (see
    /// `spec::import`), from which the generated checks build a request for an imported write;
    /// kept as written.
    pub required_properties: Option<Value>,
    /// The line of the operation in the spec file.
    pub line: usize,
}

impl Operation {
    /// The request body's schema, compiled (on first use for an imported operation).
    pub fn request(&self) -> Option<&CompiledSchema> {
        self.request_body.as_ref().and_then(SchemaSlot::get)
    }

    /// The request body's schema as the spec writes it, without compiling it: whether there is
    /// one at all.
    pub fn has_request_body(&self) -> bool {
        self.request_body.is_some()
    }

    /// The path template with its parameters' names left out (`/api/x/{}`): two layers may name
    /// the same parameter differently, and are the same operation for all that.
    pub fn route(&self) -> String {
        route_of(&self.path)
    }

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

    /// The names of the operation's path parameters, in the order they are documented.
    pub fn path_params(&self) -> impl Iterator<Item = &str> {
        self.parameters
            .iter()
            .filter(|p| p.location == "path")
            .map(|p| p.name.as_str())
    }

    pub fn error(&self, code: &str) -> Option<&OntapError> {
        self.errors.iter().find(|e| e.code == code)
    }
}

/// `/api/x/{}` for `/api/x/{uuid}`: see [`Operation::route`].
pub fn route_of(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The singular of a path segment, as a field that refers to one of its records is named:
/// `volumes` → `volume`, `snapshot-policies` → `snapshot_policy`, `addresses` → `address`.
pub fn singular(segment: &str) -> String {
    let w = segment.replace('-', "_");
    if let Some(s) = w.strip_suffix("ies") {
        format!("{s}y")
    } else if w.ends_with("sses") || w.ends_with("xes") {
        w[..w.len() - 2].to_string()
    } else if let Some(s) = w.strip_suffix('s') {
        s.to_string()
    } else {
        w
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
    /// The imported operations a curated one replaced, kept to say where the two disagree
    /// (`spec check`), never run or served.
    pub shadowed: Vec<Operation>,
    /// The imported layer's document, when there is one: what its operations resolve against,
    /// and what `spec check` compares the curated spec with field by field. Its `paths` hold only
    /// the paths a curated operation replaces (see `layers.rs`).
    pub imported_doc: Option<std::sync::Arc<Value>>,
}

impl Spec {
    /// The operation with this method and template, e.g. `("GET", "/api/cluster")`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operation_index(method, path).map(|id| self.op(id))
    }

    /// The id of the operation with this method and template: what a compiled case step holds.
    pub fn operation_index(&self, method: &str, path: &str) -> Option<OpId> {
        self.operations
            .iter()
            .position(|o| o.method.eq_ignore_ascii_case(method) && o.path == path)
            .map(OpId)
    }

    /// The operation an id names. Ids come from [`Spec::operation_index`] on this spec.
    pub fn op(&self, id: OpId) -> &Operation {
        &self.operations[id.0]
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

    /// The seed operations: neither supporting nor imported.
    pub fn seed_operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations
            .iter()
            .filter(|o| o.layer == Layer::Curated && !o.supporting)
    }

    /// The operations imported from NetApp's own definition (`x-ontap-imported`).
    pub fn imported_operations(&self) -> impl Iterator<Item = &Operation> {
        self.layer(Layer::Imported)
    }

    /// All documented (operation, error) pairs.
    pub fn error_pairs(&self) -> impl Iterator<Item = (&Operation, &OntapError)> {
        self.operations
            .iter()
            .flat_map(|o| o.errors.iter().map(move |e| (o, e)))
    }
}
