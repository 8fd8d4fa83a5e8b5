//! A user's own endpoints beside the shipped spec (`--spec-overlay FILE`): an OpenAPI fragment
//! of `paths` and `components/schemas`, in the same form as `spec/openapi.yaml` (an operation's
//! `x-ontap-errors` with their basis, `x-ontap-introduced-in`, ...).
//!
//! An overlay adds; it never replaces the curated spec: an operation or a schema the curated spec
//! (or an earlier overlay) already has is a conflict, reported at the overlay's own file and line.
//! An operation of NetApp's imported layer it does replace, as the curated spec does: a user's
//! transcription, with its bases, is more exact than the import.
//!
//! Its operations are checked by the same
//! loader as the spec's, against a document that holds the spec's components and the overlay's
//! own, so a `$ref` to a shipped schema works and every problem names the overlay's line.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::lint::lint;
use super::load::{OpContext, load_operation};
use super::{METHODS, Operation, Spec};
use crate::diag::{Diagnostic, Diagnostics};
use crate::yaml::{self, escape_segment};

impl Spec {
    /// The spec with every overlay's operations and schemas added, in order.
    pub fn with_overlays(mut self, overlays: &[PathBuf]) -> Result<Spec, Diagnostics> {
        let mut diags = Vec::new();
        for file in overlays {
            match self.add_overlay(file) {
                Ok(()) => {}
                Err(d) => diags.extend(d.0),
            }
        }
        if diags.is_empty() {
            Ok(self)
        } else {
            Err(Diagnostics(diags))
        }
    }

    fn add_overlay(&mut self, file: &Path) -> Result<(), Diagnostics> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            Diagnostics(vec![Diagnostic::new(
                file,
                0,
                "",
                format!("cannot read the overlay: {e}"),
            )])
        })?;
        let (raw, lines) = yaml::parse_file(file, &text)?;
        let at = |pointer: &str, message: String| Diagnostic::at(file, &lines, pointer, message);
        let mut diags = Vec::new();
        let empty = Map::new();
        let paths = raw
            .get("paths")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let schemas = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if paths.is_empty() {
            diags.push(at(
                "",
                "an overlay adds operations: it has no `paths`".into(),
            ));
        }
        for key in raw.as_object().map(|m| m.keys()).into_iter().flatten() {
            if !matches!(key.as_str(), "paths" | "components") {
                diags.push(at(
                    &format!("/{}", escape_segment(key)),
                    format!("an overlay holds `paths` and `components`, not `{key}`"),
                ));
            }
        }
        // Conflicts with what the curated spec (or an earlier overlay) already has. An operation
        // of NetApp's imported layer may be given again: the overlay's is the more exact, as
        // the curated spec's is, and replaces it.
        let route = |method: &str, path: &str| (method.to_uppercase(), super::route_of(path));
        for (path, item) in paths {
            for method in METHODS {
                if item.get(method).is_some()
                    && self.operations.iter().any(|o| {
                        o.layer != super::Layer::Imported
                            && (o.method.clone(), o.route()) == route(method, path)
                    })
                {
                    diags.push(at(
                        &format!("/paths/{}/{method}", escape_segment(path)),
                        format!(
                            "`{} {path}` is already in the spec: an overlay adds operations, it does not replace them",
                            method.to_uppercase()
                        ),
                    ));
                }
            }
        }
        for name in schemas.keys() {
            if self
                .raw
                .pointer(&format!("/components/schemas/{}", escape_segment(name)))
                .is_some()
            {
                diags.push(at(
                    &format!("/components/schemas/{}", escape_segment(name)),
                    format!("the schema `{name}` is already in the spec: name yours differently"),
                ));
            }
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        // The document the overlay's operations are read against: the spec's top level and
        // components, the overlay's schemas, and only the overlay's paths.
        let mut doc = self.raw.clone();
        if let Some(all) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            all.extend(schemas.clone());
        }
        doc["paths"] = Value::Object(paths.clone());
        lint(&doc, &mut |p, m| {
            // The spec's own parts were checked when it loaded; only the overlay's can be wrong.
            if p.starts_with("/paths") || schemas.keys().any(|n| p.contains(&escape_segment(n))) {
                diags.push(at(&p, m))
            }
        });
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        let components = super::typed::Components::of(&doc, &mut |p, m| diags.push(at(&p, m)));
        let mut added: Vec<Operation> = Vec::new();
        for (path, item) in paths {
            let path_ptr = format!("/paths/{}", escape_segment(path));
            let shared_params = item.get("parameters").cloned().unwrap_or(Value::Null);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let op_ptr = format!("{path_ptr}/{method}");
                let ctx = OpContext {
                    doc: &doc,
                    shared_params: &shared_params,
                    layer: crate::spec::Layer::Overlay,
                    lazy: None,
                    components: &components,
                };
                let mut report = |p: String, m: String| diags.push(at(&p, m));
                if let Some(o) = load_operation(&ctx, path, method, op, &op_ptr, &mut report) {
                    added.push(Operation {
                        line: lines.line_of(&op_ptr),
                        ..o
                    });
                }
            }
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        // Keep the spec's document whole, for what reads it later.
        if let Some(all) = self
            .raw
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            all.extend(schemas.clone());
        }
        if let Some(all) = self.raw.get_mut("paths").and_then(Value::as_object_mut) {
            for (path, item) in paths {
                match all.get_mut(path).and_then(Value::as_object_mut) {
                    Some(existing) => {
                        if let Some(m) = item.as_object() {
                            existing.extend(m.clone());
                        }
                    }
                    None => {
                        all.insert(path.clone(), item.clone());
                    }
                }
            }
        }
        self.schema_names.extend(schemas.keys().cloned());
        let replaced: Vec<(String, String)> = added
            .iter()
            .map(|o| (o.method.clone(), o.route()))
            .collect();
        self.operations.retain(|o| {
            o.layer != super::Layer::Imported || !replaced.contains(&(o.method.clone(), o.route()))
        });
        self.operations.extend(added);
        Ok(())
    }
}
