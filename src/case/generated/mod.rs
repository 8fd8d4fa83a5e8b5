//! Checks derived from the spec for every operation, run like hand-written cases: a new
//! operation added to the spec is probed the day it is added, before anyone writes a case.
//!
//! Each check is built as a case file (JSON, which is YAML) and loaded by the same loader, so it
//! is held to the same rules (every expectation with its basis), scheduled by the same locks and
//! lands in the same reports, under the area `generated` with the id `<operation>.<check>`
//! (reports name it `generated::<operation>.<check>`). What is generated is data-driven: the
//! request schemas, the documented query parameters and the response schemas of the spec, and
//! for writes the operation's `x-conform-sample` (a request a correct cluster carries out, see
//! [`sample`]). No operation has code of its own here.
//!
//! The families, each in its module: [`probe`] (keys that name nothing, unknown or bad query
//! parameters, bodies that are not JSON or carry an unknown field), [`access`] (no credentials,
//! an unknown user, the read-only role, methods the path does not serve), [`collection`]
//! (walks, counts, projections, orders, filters), [`body`] (the sample accepted, then broken one
//! field at a time and refused with nothing changed).
//!
//! Deterministic for a given spec and seed: the seed picks the values a check sends where many
//! would do (the wrong type, the filler of a too-long string, the field projected), so another
//! seed probes other values and the same seed replays a run.

mod access;
mod body;
mod built;
mod collection;
mod probe;
mod sample;

/// The samples, for `cases new`: a skeleton sends what the sample sends.
pub(super) use sample::Samples;

use std::path::Path;

use serde_json::{Map, Value, json};

use super::{Case, load_case};
use crate::diag::Diagnostics;
use crate::spec::{Layer, Operation, Spec};

/// The seed when none is given: runs are repeatable by default.
pub const DEFAULT_SEED: u64 = 1;

/// A value no ONTAP name has, for keys, fields and query parameters.
const NOBODY: &str = "ontap-conform-nobody";

/// The checks of every operation of `spec`, for `seed`: every family on the operations this
/// project asserts (the curated spec's and the overlays'), and the read families on every GET of
/// the imported layer (NetApp's own definition), which the emulator's engine serves.
///
/// Why only the imported GETs: a read family sends nothing that changes a cluster, so it is safe
/// on any target at the size of the whole API; a write of an imported operation needs a request
/// a cluster carries out, which no sample gives yet (issue "Generated checks over the whole
/// API").
pub fn generate(spec: &Spec, seed: u64) -> Result<Vec<Case>, Diagnostics> {
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for check in generate_texts(spec, seed)? {
        match check.load(spec) {
            Ok(c) => cases.push(c),
            Err(d) => problems.extend(d.0),
        }
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(Diagnostics(problems))
    }
}

/// One generated check as the case file it is: its name (`generated/<id>`, what its problems
/// and its report lines cite) and its text. A run keeps this until the check's turn, a few KB,
/// rather than the loaded case, about 14 KB: at the whole API's 6,300 checks that difference is
/// most of a run's memory.
pub struct GeneratedCheck {
    pub file: String,
    pub text: String,
}

impl GeneratedCheck {
    /// The check, loaded as any case file is (and held to the same rules).
    pub fn load(&self, spec: &Spec) -> Result<Case, Diagnostics> {
        load_case(Path::new(&self.file), "generated", &self.text, spec)
    }
}

/// The checks of [`generate`], as their texts, not yet loaded.
pub fn generate_texts(spec: &Spec, seed: u64) -> Result<Vec<GeneratedCheck>, Diagnostics> {
    let samples = sample::Samples::read(spec)?;
    let mut checks = Vec::new();
    let mut texts = Vec::new();
    // Every family on the asserted operations; the read families (no write, so safe on any
    // target) on every GET of the imported layer.
    // The imported writes too: their probes and refusals without credentials (keys that name
    // nothing: nothing changes), and the write families where a request could be built
    // (`built`); an operation without one is a check skipped with the reason.
    let asserted = spec.gated().map(|op| (op, true));
    let imported = spec
        .layer(Layer::Imported)
        .map(|op| (op, op.method != "GET"));
    for (op, writes) in asserted.chain(imported) {
        let g = Gen {
            spec,
            op,
            seed,
            samples: &samples,
        };
        probe::checks(&g, &mut checks);
        access::checks(&g, &mut checks);
        collection::checks(&g, &mut checks);
        if writes {
            body::checks(&g, &mut checks);
        }
        if let Some(why) = samples.unbuilt(&op.key()) {
            let mut c = g.check("write", "a request a cluster carries out");
            c.skip = Some(why.to_string());
            c.steps.push(step(
                "the write",
                json!({"operation": op.key(), "path": g.nobody_path()}),
                None,
                None,
            ));
            checks.push(c);
        }
        // As text at once: the checks as JSON values are several times their text.
        texts.extend(checks.drain(..).map(GeneratedCheck::of));
    }
    Ok(texts)
}

impl GeneratedCheck {
    /// One line per value as pretty JSON has them (a problem's line points at its field), but
    /// without the indentation, which was a third of the text kept for each of thousands of
    /// checks.
    fn of(c: Check) -> GeneratedCheck {
        use serde::Serialize;
        let file = format!("generated/{}", c.id);
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            serde_json::ser::PrettyFormatter::with_indent(b""),
        );
        let text = match c.into_value().serialize(&mut ser) {
            Ok(()) => String::from_utf8(out).unwrap_or_default(),
            Err(_) => String::new(),
        };
        GeneratedCheck { file, text }
    }
}

/// What every family reads while it derives one operation's checks.
struct Gen<'a> {
    spec: &'a Spec,
    op: &'a Operation,
    seed: u64,
    samples: &'a sample::Samples,
}

impl<'a> Gen<'a> {
    /// A number picked by the seed for `what` (a check id and a purpose): stable for a seed.
    fn pick(&self, what: &str, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (mix(self.seed ^ fnv(what)) % n as u64) as usize
    }

    /// Whether the operation is of the imported layer (NetApp's definition, not the seeds).
    fn imported(&self) -> bool {
        self.op.layer == Layer::Imported
    }

    /// The operations this one's checks may lean on ([`peers`]).
    fn peers(&self) -> impl Iterator<Item = &'a Operation> + use<'a> {
        peers(self.spec, self.op)
    }

    /// Where the collection query parameters (`fields`, `max_records`, `order_by`,
    /// `return_records`, the filters) are documented for this operation: seed 004 for the
    /// curated spec, NetApp's own file for an imported operation, which documents them on every
    /// GET. An operation fetched from a cluster rather than a file of the repository cites it as
    /// observed.
    fn query_basis(&self) -> Value {
        match &self.op.imported {
            Some(from) => imported_basis(from),
            None => json!({"documented": collection::QUERY_SEED}),
        }
    }

    /// A new check of this operation, named `<operation slug>.<name>`.
    fn check(&self, name: &str, title: &str) -> Check {
        let key = self.op.key();
        let slug = if self.imported() {
            positional_slug(self.op)
        } else {
            slug(self.op)
        };
        Check {
            id: format!("{slug}.{name}"),
            title: format!("{key}: {title}"),
            operation: key,
            tags: self.op.tags.clone(),
            // A write that a correct cluster refuses changes nothing, but a target that wrongly
            // carries one out might.
            destructive: self.op.method != "GET",
            ..Check::default()
        }
    }

    /// The operation's path parameters, each naming nothing.
    fn nobody_path(&self) -> Map<String, Value> {
        self.op
            .path_params()
            .map(|p| (p.to_string(), json!(NOBODY)))
            .collect()
    }
}

/// What NetApp's definition says, as a basis: documented where it is a file of the repository,
/// observed where a cluster served it (a file that is not the repository's cannot be cited as
/// documented).
fn imported_basis(from: &crate::spec::ImportedFrom) -> Value {
    if crate::spec::is_ontap_api_file(&from.source) {
        json!({"documented": from.source})
    } else {
        json!({"observed": format!("{} (NetApp's definition as that cluster serves it)", from.source)})
    }
}

/// The operations an operation's checks may lean on (the collection a record belongs to, the
/// parent whose keys a nested path takes): the asserted ones for an asserted operation, every
/// one for an imported operation.
fn peers<'a>(spec: &'a Spec, op: &Operation) -> impl Iterator<Item = &'a Operation> + use<'a> {
    let imported = op.layer == Layer::Imported;
    spec.operations
        .iter()
        .filter(move |o| imported || o.layer != Layer::Imported)
}

/// One generated check, as the case file it becomes.
#[derive(Debug, Default)]
struct Check {
    id: String,
    title: String,
    operation: String,
    /// The operation's tags (`storage`, `san` ...), beside `generated`: `--filter` selects by them.
    tags: Vec<String>,
    destructive: bool,
    exclusive: bool,
    isolated: bool,
    /// How many SVMs the check needs (`requires.svms`); 0 for none.
    svms: usize,
    /// Skipped wherever it runs, for this reason (`skip:`).
    skip: Option<String>,
    vars: Map<String, Value>,
    secrets: Vec<String>,
    setup: Vec<Value>,
    steps: Vec<Value>,
    teardown: Vec<Value>,
}

impl Check {
    fn into_value(self) -> Value {
        let mut v = json!({
            "id": self.id,
            "title": self.title,
            "tags": std::iter::once("generated".to_string()).chain(self.tags).collect::<Vec<_>>(),
            "operation": self.operation,
            "destructive": self.destructive,
            "steps": self.steps,
        });
        let o = v.as_object_mut().expect("an object");
        if self.exclusive {
            o.insert("exclusive".into(), json!(true));
        }
        if self.isolated {
            o.insert("isolated".into(), json!(true));
        }
        if let Some(why) = self.skip {
            o.insert("skip".into(), json!(why));
        }
        if self.svms > 0 {
            o.insert("requires".into(), json!({"svms": self.svms}));
        }
        if !self.vars.is_empty() {
            o.insert("vars".into(), Value::Object(self.vars));
        }
        if !self.secrets.is_empty() {
            o.insert("secrets".into(), json!(self.secrets));
        }
        if !self.setup.is_empty() {
            o.insert("setup".into(), json!(self.setup));
        }
        if !self.teardown.is_empty() {
            o.insert("teardown".into(), json!(self.teardown));
        }
        v
    }
}

/// A step: a name, a request, what the answer must be, what to capture.
fn step(name: &str, request: Value, expect: Option<Value>, capture: Option<Value>) -> Value {
    let mut s = json!({"name": name, "request": request});
    let o = s.as_object_mut().expect("an object");
    if let Some(e) = expect {
        o.insert("expect".into(), e);
    }
    if let Some(c) = capture {
        o.insert("capture".into(), c);
    }
    s
}

impl Gen<'_> {
    /// The refusal a generated error check expects: a 4xx with an ONTAP error body (`code` and
    /// `message`), whatever the code: where the spec cannot say which code is right, the class
    /// and the body are what is asserted. An operation whose error body NetApp documents
    /// otherwise (`POST /api/cluster/licensing/licenses`: a list of `errors`) is held to the
    /// status and its own schema.
    fn refused(&self, basis: Value) -> Value {
        let ontap_body = self
            .op
            .responses
            .get("default")
            .and_then(|r| r.schema())
            .is_none_or(|s| s.admits("/error/code"));
        let mut e = json!({"status": "4xx", "basis": basis});
        if ontap_body {
            e["fields"] =
                json!({"error.code": {"present": true}, "error.message": {"present": true}});
        }
        e
    }
}

fn observed(what: &str) -> Value {
    json!({ "observed": what })
}

fn convention(why: &str) -> Value {
    json!({ "convention": why })
}

/// `get-protocols-san-iscsi-credentials-by-key`: the operation, as an id can spell it.
fn slug(op: &Operation) -> String {
    let mut parts = vec![op.method.to_lowercase()];
    let mut keyed = false;
    for seg in op.path.trim_start_matches("/api/").split('/') {
        if seg.starts_with('{') {
            keyed = true;
        } else {
            parts.push(seg.replace('_', "-"));
        }
    }
    if keyed {
        parts.push("by-key".into());
    }
    parts.join("-")
}

/// `get-storage-volumes-by-key-snapshots-by-key`: the slug of an imported operation, which marks
/// every key where it stands. The whole API has collections under records
/// (`/api/storage/volumes/{volume.uuid}/snapshots`), which [`slug`]'s one trailing `by-key` would
/// give the same name as their own records; the curated spec's ids keep [`slug`]'s form, as
/// reports and filters already name them.
fn positional_slug(op: &Operation) -> String {
    let mut parts = vec![op.method.to_lowercase()];
    for seg in op.path.trim_start_matches("/api/").split('/') {
        if seg.starts_with('{') {
            if parts.last().map(String::as_str) != Some("by-key") {
                parts.push("by-key".into());
            }
        } else {
            parts.push(seg.replace('_', "-"));
        }
    }
    parts.join("-")
}

/// FNV-1a: a hash that is the same on every platform and Rust release.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64's finalizer: spreads a seed over all bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests;
