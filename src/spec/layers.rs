//! The built-in spec in layers: NetApp's whole API as its own definition gives it (the imported
//! layer, `spec/imported/`), and this project's curated spec on top of it.
//!
//! A curated operation replaces the imported operation of the same route (method and path, the
//! parameters' names aside: the two may name one `{uuid}` differently), whole: its fields, its
//! codes and their bases are the curated ones. The imported operations keep the document they
//! came in, which their `$ref`s resolve against (its schema names may be the curated spec's
//! too, with other contents), and compile their schemas when first used: a run touches a few of
//! about 1,500.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::load::{LazySchemas, OpContext, load_operation};
use super::model::Layer;
use super::{METHODS, Operation, Spec};
use crate::diag::{Diagnostic, Diagnostics};
use crate::yaml::escape_segment;

impl Spec {
    /// The spec with the operations of `doc` (a spec in this project's form, as `spec import`
    /// writes it) whose routes it does not have, as the imported layer. `file` names the
    /// document in diagnostics.
    pub fn with_imported(mut self, file: &Path, doc: Value) -> Result<Spec, Diagnostics> {
        let have: HashSet<(String, String)> = self
            .operations
            .iter()
            .map(|o| (o.method.clone(), o.route()))
            .collect();
        let empty = serde_json::Map::new();
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let replaces = |path: &str, method: &str| {
            have.contains(&(method.to_ascii_uppercase(), super::route_of(path)))
        };
        // What the imported schemas resolve their `$ref`s against when first used, kept for the
        // run: the document without its paths, which are read once, here, and were most of what
        // a run held of it. A path that a curated operation replaces stays, for
        // `disagreements` to compare.
        let kept: serde_json::Map<String, Value> = paths
            .iter()
            .filter(|(path, item)| {
                METHODS
                    .iter()
                    .any(|m| item.get(m).is_some() && replaces(path, m))
            })
            .map(|(path, item)| (path.clone(), item.clone()))
            .collect();
        let mut shared: serde_json::Map<String, Value> = doc
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k != "paths")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        shared.insert("paths".into(), Value::Object(kept));
        let shared = LazySchemas::new(Arc::new(Value::Object(shared)));
        let mut diags = Vec::new();
        let components = super::typed::Components::of(&doc, &mut |p, m| {
            diags.push(Diagnostic::new(file, 0, &p, m));
        });
        let mut added = Vec::new();
        for (path, item) in paths {
            let shared_params = item.get("parameters").cloned().unwrap_or(Value::Null);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let replaced = replaces(path, method);
                let at = format!("/paths/{}/{method}", escape_segment(path));
                let ctx = OpContext {
                    doc: &doc,
                    shared_params: &shared_params,
                    layer: Layer::Imported,
                    lazy: Some(&shared),
                    components: &components,
                };
                let mut report = |p: String, m: String| {
                    diags.push(Diagnostic::new(file, 0, &p, m));
                };
                match load_operation(&ctx, path, method, op, &at, &mut report) {
                    Some(o) if replaced => self.shadowed.push(o),
                    Some(o) => added.push(o),
                    None => {}
                }
            }
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        self.operations.extend(added);
        self.imported_doc = Some(shared.doc);
        Ok(self)
    }

    /// Where the curated spec and NetApp's imported definition part, per operation both have:
    /// codes one documents and the other does not, and success statuses. A reader sees where
    /// the seed pages and NetApp's file disagree (the curated spec is what runs).
    pub fn disagreements(&self) -> Vec<String> {
        let mut out = Vec::new();
        for imported in &self.shadowed {
            let Some(curated) = self.operations.iter().find(|o| {
                o.layer != Layer::Imported
                    && o.method == imported.method
                    && o.route() == imported.route()
            }) else {
                continue;
            };
            let key = curated.key();
            let source = imported
                .imported
                .as_ref()
                .map_or("the import", |i| i.source.as_str());
            let codes = |o: &Operation| -> Vec<String> {
                o.errors.iter().map(|e| e.code.clone()).collect()
            };
            let (c, i) = (codes(curated), codes(imported));
            let only = |a: &[String], b: &[String]| -> Vec<String> {
                a.iter().filter(|x| !b.contains(x)).cloned().collect()
            };
            for (codes, who, other) in [
                (only(&c, &i), "the curated spec", source),
                (only(&i, &c), source, "the curated spec"),
            ] {
                if !codes.is_empty() {
                    out.push(format!(
                        "{key}: {who} documents {} code(s) {other} does not: {}",
                        codes.len(),
                        codes.join(", ")
                    ));
                }
            }
            let (cs, is) = (curated.success_statuses(), imported.success_statuses());
            if cs != is {
                out.push(format!(
                    "{key}: success statuses {cs:?} in the curated spec, {is:?} in {source}"
                ));
            }
        }
        out.extend(self.field_disagreements());
        out
    }

    /// The body fields where the curated spec and the imported document part, per operation
    /// both have: what `spec diff` says of them, counted.
    fn field_disagreements(&self) -> Vec<String> {
        let Some(doc) = &self.imported_doc else {
            return Vec::new();
        };
        let (Ok(import), Ok(curated)) = (
            super::diff::index("import", doc),
            super::diff::index("curated", &self.raw),
        ) else {
            return Vec::new();
        };
        let d = super::diff::compare(&import, &curated);
        let mut out = Vec::new();
        for op in &d.changed {
            for b in &op.bodies {
                let (a, r, c) = (b.added.len(), b.removed.len(), b.changed.len());
                if a + r + c == 0 {
                    continue;
                }
                let fields = |v: Vec<&str>| {
                    let n = v.len();
                    let mut v: Vec<&str> = v.into_iter().take(6).collect();
                    if n > 6 {
                        v.push("...");
                    }
                    v.join(", ")
                };
                let mut parts = Vec::new();
                if a > 0 {
                    parts.push(format!(
                        "{a} only in the curated spec ({})",
                        fields(b.added.iter().map(|f| f.path.as_str()).collect())
                    ));
                }
                if r > 0 {
                    parts.push(format!(
                        "{r} only in the import ({})",
                        fields(b.removed.iter().map(|f| f.path.as_str()).collect())
                    ));
                }
                if c > 0 {
                    parts.push(format!(
                        "{c} described otherwise ({})",
                        fields(b.changed.iter().map(|f| f.path.as_str()).collect())
                    ));
                }
                out.push(format!(
                    "{} {}: {} body fields: {}",
                    op.method,
                    op.path,
                    b.body,
                    parts.join("; ")
                ));
            }
        }
        out
    }

    /// The operations of one layer.
    pub fn layer(&self, layer: Layer) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(move |o| o.layer == layer)
    }

    /// The operations this project asserts everything of: the curated spec's and the user's
    /// overlays', whose every documented code and success status has a case (`spec check`).
    pub fn gated(&self) -> impl Iterator<Item = &Operation> {
        self.operations
            .iter()
            .filter(|o| o.layer != Layer::Imported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A document in the imported form: one operation the curated spec has under another
    /// parameter name, one it does not, and a schema name the curated spec uses for something
    /// else.
    fn imported() -> Value {
        let op = |id: &str, schema: &str| {
            json!({
                "operationId": id,
                "x-ontap-introduced-in": "9.6",
                "x-ontap-imported": {"source": "swagger-9.8.yaml.gz", "release": "9.8"},
                "responses": {
                    "200": {"description": "Ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}},
                    "default": {"description": "Error"}
                }
            })
        };
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/api/svm/svms/{svm_uuid}": {
                    "parameters": [{"name": "svm_uuid", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "get": op("svm_get", "svm")
                },
                "/api/storage/volumes": {"get": op("volume_collection_get", "volume_response")}
            },
            "components": {"schemas": {
                "svm": {"type": "object", "properties": {"imported_only": {"type": "integer"}}},
                "volume_response": {"type": "object", "properties": {"num_records": {"type": "integer"}, "records": {"type": "array", "items": {"$ref": "#/components/schemas/volume"}}}},
                "volume": {"type": "object", "properties": {"name": {"type": "string"}}}
            }}
        })
    }

    #[test]
    fn curated_operations_win_and_imported_ones_join_with_their_own_schemas() {
        let curated = Spec::curated().unwrap();
        let before = curated.operations.len();
        let spec = curated
            .with_imported(Path::new("imported.json"), imported())
            .unwrap();
        // The curated GET /api/svm/svms/{uuid} stays; the volumes collection joins.
        assert_eq!(spec.operations.len(), before + 1);
        let svm = spec.operation("GET", "/api/svm/svms/{uuid}").unwrap();
        assert_eq!(svm.layer, Layer::Curated);
        assert!(spec.operation("GET", "/api/svm/svms/{svm_uuid}").is_none());
        let vols = spec.operation("GET", "/api/storage/volumes").unwrap();
        assert_eq!(vols.layer, Layer::Imported);
        assert_eq!(
            vols.imported.as_ref().map(|i| i.source.as_str()),
            Some("swagger-9.8.yaml.gz")
        );
        assert_eq!(spec.gated().count(), before);
        assert_eq!(spec.layer(Layer::Imported).count(), 1);
        // The replaced one is kept aside, to say where the layers disagree.
        assert_eq!(spec.shadowed.len(), 1);
        assert_eq!(spec.shadowed[0].path, "/api/svm/svms/{svm_uuid}");
        // Same codes and statuses; the fields part, and are named.
        let parts = spec.disagreements();
        assert_eq!(parts.len(), 1, "{parts:?}");
        assert!(
            parts[0].starts_with(
                "GET /api/svm/svms/{uuid}: 200 body fields: 7 only in the curated spec (_links,"
            ) && parts[0].ends_with("1 only in the import (imported_only)"),
            "{parts:?}"
        );
        // Its schema resolves in its own document, on first use.
        let schema = vols.response_for(200).unwrap().schema().unwrap();
        let body = json!({"num_records": 1, "records": [{"name": 7}]});
        let findings = schema.validate(&body, crate::spec::Direction::Response, false);
        assert!(
            findings.iter().any(|f| f.pointer == "/records/0/name"),
            "{findings:?}"
        );
    }

    #[test]
    fn an_imported_schema_that_does_not_resolve_is_none_not_a_panic() {
        let mut doc = imported();
        doc["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove("volume");
        let spec = Spec::curated()
            .unwrap()
            .with_imported(Path::new("imported.json"), doc)
            .unwrap();
        let vols = spec.operation("GET", "/api/storage/volumes").unwrap();
        assert!(vols.response_for(200).unwrap().schema().is_none());
    }
}
