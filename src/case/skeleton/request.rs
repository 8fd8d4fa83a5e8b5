//! What a skeleton sends, and what it needs around the request: its variables, secrets, setup
//! and teardown.

use serde_json::{Map, Value, json};

use super::insert_dotted;
use crate::case::PLACEHOLDER;
use crate::case::generated::Samples;
use crate::spec::{Operation, Spec};

/// A skeleton being written: the request's surroundings, grown as the request is drafted.
pub(super) struct Draft<'a> {
    spec: &'a Spec,
    op: &'a Operation,
    samples: &'a Samples,
    /// A success case (not an error case): a GET of one record reads a real one first.
    success: bool,
    pub vars: Map<String, Value>,
    pub secrets: Vec<String>,
    pub setup: Vec<Value>,
    pub teardown: Vec<Value>,
    pub exclusive: bool,
    pub isolated: bool,
}

impl<'a> Draft<'a> {
    /// Starts from the operation's sample prelude, when it has a sample.
    pub fn new(spec: &'a Spec, op: &'a Operation, samples: &'a Samples, success: bool) -> Self {
        let p = samples.prelude(&op.key()).unwrap_or_default();
        Draft {
            spec,
            op,
            samples,
            success,
            vars: p.vars,
            secrets: p.secrets,
            setup: p.setup,
            teardown: p.teardown,
            exclusive: p.exclusive,
            isolated: p.isolated,
        }
    }

    /// The request of the main step: the sample's where there is one, every path parameter and
    /// required body field given.
    pub fn request(&mut self) -> Value {
        let key = self.op.key();
        let sample = self.samples.get(&key);
        let mut req = sample.map_or_else(|| json!({"operation": key}), |s| s.request(&key));
        let mut path = req
            .get("path")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let missing: Vec<String> = self
            .op
            .path_params()
            .filter(|p| !path.contains_key(*p))
            .map(str::to_string)
            .collect();
        if !missing.is_empty() {
            let read = (self.success && sample.is_none())
                .then(|| self.read_one_record())
                .flatten();
            match read {
                Some(found) => path.extend(found),
                None => {
                    for p in missing {
                        let v = self.path_value(&p);
                        path.insert(p, v);
                    }
                }
            }
        }
        let o = req.as_object_mut().expect("a request is an object");
        if !path.is_empty() {
            o.insert("path".into(), Value::Object(path));
        }
        if let Some(schema) = self.op.request() {
            let mut body = match o.remove("body") {
                Some(Value::Object(b)) => b,
                _ => Map::new(),
            };
            let given = crate::spec::schema::expand_dotted(&Value::Object(body.clone()))
                .unwrap_or_default();
            let mut required = Vec::new();
            required_fields(&schema.resolved, "", &mut required);
            for (name, prop) in required {
                if given
                    .pointer(&format!("/{}", name.replace('.', "/")))
                    .is_none()
                {
                    let v = self.body_value(&name, prop);
                    insert_dotted(&mut body, &name, v);
                }
            }
            o.insert("body".into(), Value::Object(body));
        }
        if self.op.method == "POST" && sample.is_none() {
            self.delete_what_was_made();
        }
        req
    }

    /// The basis of a success case: the sample's (what says it is a valid request), else a
    /// seed page that documents the operation (to check), else a source to name.
    pub fn basis(&self) -> (Value, Option<&'static str>) {
        if let Some(s) = self.samples.get(&self.op.key()) {
            return (s.basis.clone(), None);
        }
        let seed = self
            .op
            .errors
            .first()
            .map(|e| e.seed.clone())
            .filter(|s| crate::spec::is_seed_file_name(s));
        match seed {
            Some(s) => (
                json!({ "documented": s }),
                Some("TODO: check the page shows it"),
            ),
            None => (
                json!({"observed": format!("{PLACEHOLDER}: the public source and what it showed")}),
                None,
            ),
        }
    }

    /// For a GET of one record: a setup step reading the first record of the collection, and
    /// the path parameters taken from it. `None` when the operation's path parameters are not
    /// all at its end, no GET lists the collection, or its records do not hold the keys.
    fn read_one_record(&mut self) -> Option<Map<String, Value>> {
        if self.op.method != "GET" {
            return None;
        }
        let params: Vec<&str> = self.op.path_params().collect();
        let mut collection = self.op.path.as_str();
        for _ in &params {
            let (head, last) = collection.rsplit_once('/')?;
            if !last.starts_with('{') {
                return None;
            }
            collection = head;
        }
        if collection.contains('{') {
            return None;
        }
        let list = self.spec.operation("GET", collection)?;
        let records = list.responses.get("200")?.schema()?;
        if !params
            .iter()
            .all(|p| records.admits(&format!("/records/0/{}", p.replace('.', "/"))))
        {
            return None;
        }
        let documented = |name: &str| list.parameters.iter().any(|p| p.name == name);
        let mut query = Map::new();
        if documented("fields") {
            query.insert("fields".into(), json!(params.join(",")));
        }
        if documented("max_records") {
            query.insert("max_records".into(), json!(1));
        }
        let mut capture = Map::new();
        let mut path = Map::new();
        for p in &params {
            let var = p.replace('.', "_");
            capture.insert(
                var.clone(),
                json!({"from": format!("records.0.{p}"), "or_skip": format!("the target has no record of {collection} to read")}),
            );
            path.insert(p.to_string(), json!(format!("{{{{{var}}}}}")));
        }
        let mut request = json!({"operation": list.key()});
        if !query.is_empty() {
            request["query"] = Value::Object(query);
        }
        self.setup.push(json!({
            "name": "read a record to read again",
            "request": request,
            "capture": capture,
        }));
        Some(path)
    }

    /// A path parameter: the run's SVM where it names one, else a variable to fill in.
    fn path_value(&mut self, name: &str) -> Value {
        match name {
            "svm.uuid" | "owner.uuid" => json!("{{svm.uuid}}"),
            "svm.name" | "owner.name" => json!("{{svm.name}}"),
            _ => self.var(name, json!(PLACEHOLDER)),
        }
    }

    /// A required body field: the run's SVM, a generated secret for a password, a
    /// `{{case_uid}}` name for what a POST creates, an enum's first value, a zero; else a
    /// variable to fill in.
    fn body_value(&mut self, name: &str, prop: &Value) -> Value {
        let ty = prop.get("type").and_then(Value::as_str).unwrap_or("");
        let last = name.rsplit('.').next().unwrap_or(name);
        let object =
            ty == "object" || prop.get("properties").is_some() || prop.get("allOf").is_some();
        match name {
            "svm.uuid" | "owner.uuid" => return json!("{{svm.uuid}}"),
            "svm.name" | "owner.name" => return json!("{{svm.name}}"),
            "svm" | "owner" if object => return json!({"name": "{{svm.name}}"}),
            _ => {}
        }
        if last.contains("password") || prop.get("writeOnly") == Some(&json!(true)) {
            let secret = if name == "password" {
                "new_password".to_string()
            } else {
                name.replace('.', "_")
            };
            if !self.secrets.contains(&secret) {
                self.secrets.push(secret.clone());
            }
            return json!(format!("{{{{{secret}}}}}"));
        }
        if let Some(first) = prop
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        match ty {
            "integer" | "number" => json!(0),
            "boolean" => json!(false),
            "array" => json!([]),
            _ if name == "name" && self.op.method == "POST" => {
                // What the case creates carries the run id, so `cleanup` finds a leftover.
                self.var(name, json!("{{case_uid}}"))
            }
            _ => self.var(name, json!(PLACEHOLDER)),
        }
    }

    /// `{{var}}` for a variable named after `field`, declared with `value` unless it is already.
    fn var(&mut self, field: &str, value: Value) -> Value {
        let var = field.replace('.', "_");
        self.vars.entry(var.clone()).or_insert(value);
        json!(format!("{{{{{var}}}}}"))
    }

    /// A teardown deleting what a POST without a sample creates, through the DELETE of one
    /// record under the POST's path (404 when the case made nothing).
    fn delete_what_was_made(&mut self) {
        let prefix = format!("{}/{{", self.op.path);
        let Some(d) = self
            .spec
            .operations
            .iter()
            .find(|o| o.method == "DELETE" && o.path.starts_with(&prefix))
        else {
            return;
        };
        let mut path = Map::new();
        for p in d.path_params() {
            let v = self.path_value(p);
            path.insert(p.to_string(), v);
        }
        self.teardown.push(json!({
            "name": "delete what the case created (404 when it did not)",
            "request": {"operation": d.key(), "path": path},
        }));
    }
}

/// The required fields of a request schema (an object's required fields stand for it when it
/// has some), as dotted names with their schemas. `required` and the properties it names may sit
/// in different `allOf` members (`iscsi_credentials_create` adds `required` to the shared model).
fn required_fields<'s>(object: &'s Value, prefix: &str, out: &mut Vec<(String, &'s Value)>) {
    let mut names = Vec::new();
    required_names(object, &mut names);
    for name in names {
        let full = format!("{prefix}{name}");
        if out.iter().any(|(n, _)| *n == full) {
            continue;
        }
        let prop = property(object, name).unwrap_or(&Value::Null);
        let before = out.len();
        required_fields(prop, &format!("{full}."), out);
        if out.len() == before {
            out.push((full, prop));
        }
    }
}

/// The names an object schema and its `allOf` members list as `required`.
fn required_names<'s>(schema: &'s Value, out: &mut Vec<&'s str>) {
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        required_names(member, out);
    }
    let own = schema.get("required").and_then(Value::as_array);
    for name in own.into_iter().flatten().filter_map(Value::as_str) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
}

/// Property `name` of an object schema: its own, else an `allOf` member's.
fn property<'s>(schema: &'s Value, name: &str) -> Option<&'s Value> {
    schema
        .get("properties")
        .and_then(|p| p.get(name))
        .or_else(|| {
            schema
                .get("allOf")?
                .as_array()?
                .iter()
                .find_map(|m| property(m, name))
        })
}
