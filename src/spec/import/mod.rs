//! `spec import`: NetApp's own definition of the whole API, as a cluster serves it at
//! `/docs/api/swagger.yaml` (Swagger 2.0), turned into this project's form (OpenAPI 3.0.3 as
//! `spec/openapi.yaml` writes it, with `x-ontap-errors`), ready for `spec check`, overlays and
//! `run`.
//!
//! Why our own converter and not a generic Swagger-to-OpenAPI one: what matters here is what no
//! generic converter knows. NetApp's error codes are a markdown table inside each operation's
//! `default` description, its field access is `x-ntap-*` markers with a precedence of their own,
//! and its file is not strictly valid Swagger (documentation pages under `paths`, `type: enum`,
//! misspelt keys). A converter that failed on those, or carried them over unread, would give a
//! spec that says less than NetApp's file does.
//!
//! One file per stage, data flowing one way:
//! - `source.rs`: bytes to a document (gzip by its magic bytes, YAML or JSON), and the refusal of
//!   what is not NetApp's swagger ([`ImportError`]);
//! - `operations.rs`: `paths`, one operation at a time, with `parameters.rs` (parameters and the
//!   request body) and `responses.rs` (statuses, bodies, the `default` error response);
//! - `schemas.rs` and `access.rs`: `definitions` to `components/schemas`, `$ref`s rewritten,
//!   irregular keywords read, and NetApp's access markers mapped to ours;
//! - `error_table.rs` reads the markdown error tables, `entries.rs` makes them `x-ontap-errors`
//!   entries with their bases, and `status.rs` is the status rule applied to a description;
//! - `warning.rs`: what was read irregularly or skipped, one [`Warning`] each, with its line;
//! - `layer.rs`: the imported layer built into the binary ([`builtin_layer`]).
//!
//! Nothing irregular fails the import: it is read or skipped with a warning, and an operation
//! that cannot be carried is named in [`Imported::left_out`] with the reason. The output is
//! deterministic (NetApp's order, no clocks, no hashing), so it can be committed and compared.
//!
//! What is kept of NetApp's prose: an operation's `summary` is the first line of its description
//! and its `description` the first paragraph (the rest is examples and links into NetApp's
//! documentation viewer, which do not resolve here); property and parameter descriptions are
//! kept whole; the documentation pages and `x-ntap-long-description` are left out.

mod access;
mod entries;
mod error_table;
mod layer;
mod operations;
mod parameters;
mod responses;
mod schemas;
mod source;
mod status;
mod warning;

use serde_json::{Map, Value, json};

pub use error_table::{Row, Table, read_table};
pub use layer::{BUILTIN_LAYER_GZ, BUILTIN_LAYER_PATH, BUILTIN_LAYER_SOURCE, builtin_layer};
pub use source::{ImportError, is_gzip, unpack};
pub use status::{StatusRule, classify};
pub use warning::Warning;

use entries::Cite;
use warning::Cx;

/// What an import made: the spec and what the reader should know about it.
#[derive(Debug)]
pub struct Imported {
    /// The spec in this project's form (OpenAPI 3.0.3), as JSON.
    pub doc: Value,
    /// Everything read irregularly or skipped, in the order of NetApp's file.
    pub warnings: Vec<Warning>,
    /// Operations of NetApp's file that are not in `doc`: (`METHOD /api/path`, why).
    pub left_out: Vec<(String, String)>,
    /// The ONTAP release the definition documents.
    pub release: String,
    /// The name the import cites NetApp's file by.
    pub source: String,
    pub counts: Counts,
}

/// What was carried, for the command's summary line and the tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub paths: usize,
    pub operations: usize,
    pub schemas: usize,
    /// Rows of NetApp's error tables read (a row continued on the next line counts once).
    pub error_rows: usize,
    /// `x-ontap-errors` entries written: the rows less the codes listed twice on one operation.
    pub error_entries: usize,
}

impl Imported {
    /// The spec as pretty JSON with a final newline: JSON is YAML, so `spec check --spec` reads
    /// it, and one value a line keeps a diff of two imports readable.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(&self.doc).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// [`Self::to_json`] gzipped, with no name and no time in the header: the same import gives
    /// the same text inside, and the committed layer is 270 KB instead of 4.3 MB.
    pub fn to_json_gz(&self) -> Vec<u8> {
        gzip(&self.to_json())
    }
}

/// Imports NetApp's swagger (`bytes`: YAML or JSON, gzipped or not) cited as `source` (the file
/// name, or the cluster it came from). `release` is the ONTAP release it documents; without it,
/// the file's own `info.version` when that is a release, else the first release-like number in
/// `source` (`swagger-9.8.yaml.gz`).
///
/// The error entries' `basis` is `documented` when `source` is a file of
/// `spec/sources/ontap-api/` (a citation that can be followed from a clone) and `observed`
/// otherwise: a file that is not in the repository cannot be cited as documented, and a
/// cluster's own definition is what that cluster says.
pub fn import(bytes: &[u8], source: &str, release: Option<&str>) -> Result<Imported, ImportError> {
    let (doc, lines) = source::read(bytes, source)?;
    let started = std::time::Instant::now();
    let release = source::release(&doc, source, release)?;
    let mut cx = Cx::new(source, &lines);
    let cite = Cite::new(source, &release);

    // `source::read` refused anything but a map.
    let empty = Map::new();
    let src = doc.as_object().unwrap_or(&empty);
    let definitions = src
        .get("definitions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let known: std::collections::BTreeSet<String> = definitions.keys().cloned().collect();
    let schemas = schemas::definitions(&mut cx, definitions, &known);
    let base_path = src.get("basePath").and_then(Value::as_str).unwrap_or("");
    let ops = operations::Ops {
        base_path,
        parameters: operations::shared_parameters(&mut cx, src.get("parameters"), &known),
        known: &known,
        cite: &cite,
        common: &entries::common_errors(),
        imported: json!({"source": source, "release": release}),
    };
    let (paths, left_out, op_counts) = operations::paths(&mut cx, &ops, src.get("paths"));

    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    out.insert("info".into(), info(src, source, &release));
    out.insert(
        "x-ontap-imported".into(),
        json!({"source": source, "release": release}),
    );
    out.insert("servers".into(), json!([{"url": "/"}]));
    out.insert("tags".into(), tags(src.get("tags")));
    // The codes any endpoint can return, as the curated spec gives them: the output stands alone
    // (`run --spec OUT`), and the statuses of these codes in NetApp's tables come from here.
    out.insert(
        "x-ontap-common-errors".into(),
        Value::Array(entries::common_error_list()),
    );
    let counts = Counts {
        paths: paths.len(),
        operations: op_counts.operations,
        schemas: schemas.len(),
        error_rows: op_counts.error_rows,
        error_entries: op_counts.error_entries,
    };
    out.insert("paths".into(), Value::Object(paths));
    let mut components = Map::new();
    components.insert("schemas".into(), Value::Object(schemas));
    if src.contains_key("securityDefinitions") {
        // NetApp's one scheme is HTTP Basic (`simple: {type: basic}`), as every cluster's.
        components.insert(
            "securitySchemes".into(),
            json!({"simple": {"type": "http", "scheme": "basic"}}),
        );
    }
    out.insert("components".into(), Value::Object(components));
    if src.contains_key("securityDefinitions") {
        out.insert("security".into(), json!([{"simple": []}]));
    }
    tracing::debug!(
        "{source}: converted in {} ms",
        started.elapsed().as_millis()
    );
    Ok(Imported {
        doc: Value::Object(out),
        warnings: cx.into_warnings(),
        left_out,
        release,
        source: source.to_string(),
        counts,
    })
}

/// `bytes` gzipped at the best compression, with an empty header (no name, time 0).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn info(src: &Map<String, Value>, source: &str, release: &str) -> Value {
    let title = src
        .get("info")
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("ONTAP REST API");
    json!({
        "title": format!("{title} {release} (NetApp's definition, imported)"),
        "version": release,
        "description": format!(
            "NetApp's definition of the ONTAP {release} REST API, imported from {source} by \
             `ontap-conform spec import`: every operation carries x-ontap-imported, every error \
             table row an x-ontap-errors entry whose status is this suite's status rule applied \
             to NetApp's description."
        ),
    })
}

/// NetApp's tags with their one-line descriptions; the long documentation pages beside them
/// (`x-ntap-long-description`) are left out.
fn tags(tags: Option<&Value>) -> Value {
    let list = tags.and_then(Value::as_array).map(|items| {
        items
            .iter()
            .filter_map(|t| {
                let name = t.get("name")?.as_str()?;
                let mut tag = Map::new();
                tag.insert("name".into(), json!(name));
                if let Some(d) = t.get("description").and_then(Value::as_str) {
                    tag.insert("description".into(), json!(d.trim()));
                }
                Some(Value::Object(tag))
            })
            .collect()
    });
    Value::Array(list.unwrap_or_default())
}
