//! NetApp's definition of the API as the engine reads it: the imported layer the harness
//! carries (`spec/imported/ontap-9.8.json.gz`, NetApp's 9.8 swagger in this project's OpenAPI
//! form), built in and read once, typed.
//!
//! Why a typed model of its own rather than the harness's (`openapiv3` and JSON schemas): the
//! emulator depends on nothing of the harness, and it needs little of the document: the
//! operations, their parameters, request bodies, documented statuses and error codes, and the
//! schemas with NetApp's access markers as the import maps them. Serde skips the rest while it
//! reads (descriptions are most of the 4.3 MB), so the model holds a few MB and reading it is
//! one pass.

use std::borrow::Cow;
use std::io::Read;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// The layer as the repository commits it; `tests/import_layer.rs` in the harness holds it to a
/// fresh import of NetApp's file.
static LAYER_GZ: &[u8] = include_bytes!("../../../../spec/imported/ontap-9.8.json.gz");

/// How deep the engine follows a schema (objects in objects, `$ref`s, `allOf`). NetApp's 9.8
/// schemas nest seven levels at most and none refers back to itself, but a definition of
/// another release might: past this depth a field is left out rather than followed forever.
pub const MAX_DEPTH: usize = 12;

/// The parts of the document the engine reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Document {
    pub paths: IndexMap<String, PathItem>,
    pub components: Components,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Components {
    pub schemas: IndexMap<String, Schema>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PathItem {
    pub get: Option<Operation>,
    pub post: Option<Operation>,
    pub patch: Option<Operation>,
    pub delete: Option<Operation>,
    /// Parameters shared by the path's operations.
    pub parameters: Vec<Parameter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Operation {
    pub parameters: Vec<Parameter>,
    #[serde(rename = "requestBody")]
    pub request_body: Option<RequestBody>,
    pub responses: IndexMap<String, Response>,
    /// The error codes NetApp's file documents for the operation (its error table, imported as
    /// `x-ontap-errors`): only the codes, for the engine to answer a documented one where it
    /// has the choice.
    #[serde(rename = "x-ontap-errors")]
    pub errors: Vec<DocumentedError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestBody {
    pub content: IndexMap<String, MediaType>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DocumentedError {
    pub code: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    pub schema: Option<Schema>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Response {
    pub content: IndexMap<String, MediaType>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaType {
    pub schema: Option<Schema>,
}

/// One schema, with what generating, selecting and validating fields needs: NetApp's access
/// markers as the import maps them (`readOnly`, `writeOnly`, `x-ontap-advanced`, and
/// `x-ontap-no-patch` / `x-ontap-no-post` for NetApp's createOnly/readCreate and
/// modifyOnly/readModify), the values it documents (`example`, `default`, `enum`), its bounds
/// and its `required` fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Schema {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub format: Option<String>,
    #[serde(rename = "enum")]
    pub choices: Option<Vec<Value>>,
    pub example: Option<Value>,
    pub default: Option<Value>,
    pub properties: IndexMap<String, Schema>,
    pub items: Option<Box<Schema>>,
    #[serde(rename = "allOf")]
    pub all_of: Vec<Schema>,
    #[serde(rename = "readOnly")]
    pub read_only: bool,
    #[serde(rename = "writeOnly")]
    pub write_only: bool,
    /// Returned only with `fields=**` (NetApp's `x-ntap-advanced`).
    #[serde(rename = "x-ontap-advanced")]
    pub advanced: bool,
    /// Set on POST only (NetApp's `x-ntap-createOnly` or `x-ntap-readCreate`).
    #[serde(rename = "x-ontap-no-patch")]
    pub no_patch: bool,
    /// Set on PATCH only (NetApp's `x-ntap-modifyOnly` or `x-ntap-readModify`).
    #[serde(rename = "x-ontap-no-post")]
    pub no_post: bool,
    pub required: Vec<String>,
    #[serde(rename = "minLength")]
    pub min_length: Option<u64>,
    #[serde(rename = "maxLength")]
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    #[serde(rename = "minItems")]
    pub min_items: Option<u64>,
    #[serde(rename = "maxItems")]
    pub max_items: Option<u64>,
}

/// `theirs` where `mine` is not set.
fn fill<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
    if mine.is_none() {
        mine.clone_from(theirs);
    }
}

impl Document {
    /// The built-in layer, unpacked and read. The bytes are the repository's own file, so a
    /// failure is a broken build, not a request's fault: the engine then serves nothing (and
    /// says why in the log) rather than taking the emulator down.
    pub fn builtin() -> Document {
        let mut doc = Document::read(LAYER_GZ).unwrap_or_else(|why| {
            tracing::warn!("the engine serves nothing: {why}");
            Document::default()
        });
        match serde_json::from_str::<Document>(super::later::PATHS) {
            Ok(later) => doc.add(later),
            Err(why) => tracing::warn!("the engine serves no later path: {why}"),
        }
        doc
    }

    /// `other`'s paths and schemas beside this document's (a name both have stays this one's).
    fn add(&mut self, other: Document) {
        for (path, item) in other.paths {
            self.paths.entry(path).or_insert(item);
        }
        for (name, schema) in other.components.schemas {
            self.components.schemas.entry(name).or_insert(schema);
        }
    }

    /// A gzipped document in this project's OpenAPI form.
    pub fn read(gz: &[u8]) -> Result<Document, String> {
        let mut json = Vec::new();
        flate2::read::MultiGzDecoder::new(gz)
            .read_to_end(&mut json)
            .map_err(|e| format!("the built-in layer does not unpack: {e}"))?;
        serde_json::from_slice(&json).map_err(|e| format!("the built-in layer does not read: {e}"))
    }

    /// The schema a `$ref` names (`#/components/schemas/NAME`), followed until it is not a
    /// reference; `None` for a reference that names nothing or a chain longer than
    /// [`MAX_DEPTH`].
    pub fn resolve<'a>(&'a self, schema: &'a Schema) -> Option<&'a Schema> {
        let mut at = schema;
        for _ in 0..MAX_DEPTH {
            let Some(r) = &at.reference else {
                return Some(at);
            };
            at = self
                .components
                .schemas
                .get(r.strip_prefix("#/components/schemas/")?)?;
        }
        None
    }

    /// The properties of an object schema with its `allOf` members', in order (a later member
    /// documenting a name wins, as the harness's checks read it), each resolved.
    pub fn properties<'a>(&'a self, schema: &'a Schema) -> Vec<(&'a str, &'a Schema)> {
        let mut out: Vec<(&str, &Schema)> = Vec::new();
        self.collect_properties(schema, 0, &mut out);
        out
    }

    fn collect_properties<'a>(
        &'a self,
        schema: &'a Schema,
        depth: usize,
        out: &mut Vec<(&'a str, &'a Schema)>,
    ) {
        let Some(schema) = self.resolve(schema) else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        for (name, prop) in &schema.properties {
            let Some(prop) = self.resolve(prop) else {
                continue;
            };
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = prop,
                None => out.push((name, prop)),
            }
        }
        for member in &schema.all_of {
            self.collect_properties(member, depth + 1, out);
        }
    }

    /// The property `name` of an object schema, resolved.
    pub fn property<'a>(&'a self, schema: &'a Schema, name: &str) -> Option<&'a Schema> {
        self.properties(schema)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s)
    }

    /// The schema at a dotted field path (`svm.uuid`), through objects.
    pub fn field<'a>(&'a self, schema: &'a Schema, dotted: &str) -> Option<&'a Schema> {
        let mut at = self.resolve(schema)?;
        for part in dotted.split('.') {
            at = self.property(at, part)?;
        }
        Some(at)
    }

    /// Whether the schema describes an object: its own properties, `type: object`, or an
    /// `allOf` member that is one. An `allOf` around a string is not: NetApp wraps a shared
    /// scalar (`ndmp_state`, `ip_address`) so to give it a description of its own.
    pub fn is_object(&self, schema: &Schema) -> bool {
        self.is_object_at(schema, 0)
    }

    fn is_object_at(&self, schema: &Schema, depth: usize) -> bool {
        let Some(s) = self.resolve(schema) else {
            return false;
        };
        !s.properties.is_empty()
            || s.kind.as_deref() == Some("object")
            || (depth < MAX_DEPTH && s.all_of.iter().any(|m| self.is_object_at(m, depth + 1)))
    }

    /// A schema that is not an object with the `allOf` members it wraps merged in: a member's
    /// type, format, enum and bounds where the wrapper has none, the wrapper's own example,
    /// default and markers first.
    pub fn scalar<'a>(&'a self, schema: &'a Schema) -> Cow<'a, Schema> {
        self.scalar_at(schema, 0)
    }

    fn scalar_at<'a>(&'a self, schema: &'a Schema, depth: usize) -> Cow<'a, Schema> {
        let Some(s) = self.resolve(schema) else {
            return Cow::Borrowed(schema);
        };
        if s.all_of.is_empty() || depth >= MAX_DEPTH {
            return Cow::Borrowed(s);
        }
        let mut merged = s.clone();
        merged.all_of.clear();
        for member in &s.all_of {
            let m = self.scalar_at(member, depth + 1);
            fill(&mut merged.kind, &m.kind);
            fill(&mut merged.format, &m.format);
            fill(&mut merged.choices, &m.choices);
            fill(&mut merged.example, &m.example);
            fill(&mut merged.default, &m.default);
            fill(&mut merged.items, &m.items);
            fill(&mut merged.min_length, &m.min_length);
            fill(&mut merged.max_length, &m.max_length);
            fill(&mut merged.minimum, &m.minimum);
            fill(&mut merged.maximum, &m.maximum);
            fill(&mut merged.min_items, &m.min_items);
            fill(&mut merged.max_items, &m.max_items);
            merged.read_only |= m.read_only;
            merged.write_only |= m.write_only;
            merged.advanced |= m.advanced;
            merged.no_patch |= m.no_patch;
            merged.no_post |= m.no_post;
        }
        Cow::Owned(merged)
    }

    /// The schema of a GET's 200 answer (HAL first, as the emulator answers), resolved.
    pub fn ok_schema<'a>(&'a self, op: &'a Operation) -> Option<&'a Schema> {
        self.response_schema(op, "200")
    }

    /// The schema of an operation's answer with `status`, resolved.
    pub fn response_schema<'a>(&'a self, op: &'a Operation, status: &str) -> Option<&'a Schema> {
        self.resolve(media_schema(&op.responses.get(status)?.content)?)
    }

    /// The schema of an operation's request body, resolved.
    pub fn request_schema<'a>(&'a self, op: &'a Operation) -> Option<&'a Schema> {
        self.resolve(media_schema(&op.request_body.as_ref()?.content)?)
    }

    /// The names a schema's `required` lists, its `allOf` members' included.
    pub fn required<'a>(&'a self, schema: &'a Schema) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.collect_required(schema, 0, &mut out);
        out
    }

    fn collect_required<'a>(&'a self, schema: &'a Schema, depth: usize, out: &mut Vec<&'a str>) {
        let Some(s) = self.resolve(schema) else {
            return;
        };
        out.extend(s.required.iter().map(String::as_str));
        if depth < MAX_DEPTH {
            for member in &s.all_of {
                self.collect_required(member, depth + 1, out);
            }
        }
    }
}

impl Operation {
    /// The success status the operation documents (its first 2xx): 200, 201 or 202.
    pub fn success(&self) -> Option<u16> {
        self.responses
            .keys()
            .filter_map(|k| k.parse::<u16>().ok())
            .find(|s| (200..300).contains(s))
    }

    /// Whether NetApp's error table for the operation lists `code`.
    pub fn documents(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// The query parameters the operation documents.
    pub fn query<'a>(&'a self, item: &'a PathItem) -> impl Iterator<Item = &'a str> {
        item.parameters
            .iter()
            .chain(&self.parameters)
            .filter(|p| p.location == "query")
            .map(|p| p.name.as_str())
    }
}

/// The schema of a body (HAL first, as the emulator answers).
fn media_schema(media: &IndexMap<String, MediaType>) -> Option<&Schema> {
    media
        .get("application/hal+json")
        .or_else(|| media.get("application/json"))?
        .schema
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_layer_reads_with_its_get_operations_and_schemas() {
        let doc = Document::read(LAYER_GZ).expect("the built-in layer reads");
        let gets = doc.paths.values().filter(|p| p.get.is_some()).count();
        assert_eq!(gets, 266, "NetApp's 9.8 file has 266 GET operations");
        let count = |f: fn(&PathItem) -> bool| doc.paths.values().filter(|p| f(p)).count();
        assert_eq!(count(|p| p.post.is_some()), 106);
        assert_eq!(count(|p| p.patch.is_some()), 94);
        assert_eq!(count(|p| p.delete.is_some()), 99);
        let post = doc.paths["/api/storage/volumes"]
            .post
            .as_ref()
            .expect("POST");
        assert_eq!(post.success(), Some(202));
        assert!(post.documents("787140"));
        let body = doc.request_schema(post).expect("a request body");
        let kind = doc.property(body, "type").expect("volume.type");
        assert!(kind.no_patch && !kind.no_post, "type is readCreate");
        let volume = doc
            .components
            .schemas
            .get("volume")
            .expect("a volume schema");
        let svm_uuid = doc.field(volume, "svm.uuid").expect("volume.svm.uuid");
        assert_eq!(svm_uuid.kind.as_deref(), Some("string"));
    }

    #[test]
    fn a_reference_that_loops_or_names_nothing_resolves_to_none() {
        let doc: Document = serde_json::from_value(serde_json::json!({
            "components": {"schemas": {
                "a": {"$ref": "#/components/schemas/b"},
                "b": {"$ref": "#/components/schemas/a"},
            }}
        }))
        .expect("a document");
        let looping = Schema {
            reference: Some("#/components/schemas/a".into()),
            ..Schema::default()
        };
        assert!(doc.resolve(&looping).is_none());
        let missing = Schema {
            reference: Some("#/components/schemas/zzz".into()),
            ..Schema::default()
        };
        assert!(doc.resolve(&missing).is_none());
    }
}
