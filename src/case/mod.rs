//! Case files: the model and its loader.
//!
//! A case is data: requests and what must come back. The loader knows nothing of HTTP; it checks
//! each file against the spec (the operation exists, path parameters match the template, the body
//! is valid for the request schema, every `{{variable}}` is defined before use) so that a broken
//! case is reported with its file, line and field before any request is sent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{Direction, Spec};
use crate::yaml::{self, LineMap};

pub mod coverage;
mod template;
pub use template::{Vars, interpolate, template_names};

/// Variables every run provides (see `cases/README.md`).
pub const BUILTIN_VARS: [&str; 9] = [
    "run_id",
    "case_uid",
    "user",
    "svm.name",
    "svm.uuid",
    "svm2.name",
    "svm2.uuid",
    "cluster.uuid",
    "cluster.name",
];

/// One case file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDef {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The operation the case is about (`"PATCH /api/security"`); defaults to the first step's.
    #[serde(default)]
    pub operation: Option<String>,
    /// Changes cluster state (a real cluster runs it only with `--allow-destructive`).
    #[serde(default)]
    pub destructive: bool,
    /// Touches cluster-wide settings: runs alone, never beside another case.
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub requires: Requires,
    /// Per-case variables, evaluated in order; values may use earlier variables.
    #[serde(default)]
    pub vars: Map<String, Value>,
    /// Names of secrets generated per case (passwords that satisfy ONTAP's default policy);
    /// redacted everywhere.
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub setup: Vec<StepDef>,
    pub steps: Vec<StepDef>,
    /// Runs after the steps, whatever happened to them.
    #[serde(default)]
    pub teardown: Vec<StepDef>,
}

/// What a case needs from its target.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Emulator conditions to set for the case (see the emulator's control surface); a real
    /// cluster cannot be put in these states on demand, so there the case is skipped.
    #[serde(default)]
    pub emulator: Option<Map<String, Value>>,
    /// How many SVMs the target must have (a mismatch case needs two).
    #[serde(default)]
    pub svms: Option<usize>,
}

/// One request and its expectations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    #[serde(default)]
    pub name: Option<String>,
    pub request: RequestDef,
    #[serde(default)]
    pub expect: Option<ExpectDef>,
    /// Variables to take from the response: name → JSON pointer (or dotted field) in the body,
    /// or `header:Location`.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// Who sends a request.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AsDef {
    /// `anonymous`: no Authorization header.
    Keyword(String),
    Credentials {
        user: String,
        password: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestDef {
    /// `"METHOD /api/path/{template}"`, exactly as in the spec.
    pub operation: String,
    /// Path parameters by name (`svm.uuid`, `initiator`).
    #[serde(default)]
    pub path: Map<String, Value>,
    #[serde(default)]
    pub query: Map<String, Value>,
    #[serde(default)]
    pub body: Option<Value>,
    /// A path and query the target returned (a captured `_links.next.href`), sent as is instead
    /// of `path` and `query`; it must belong to `operation`. This is how a case pages a collection
    /// the way NetApp's clients do.
    #[serde(default)]
    pub href: Option<String>,
    /// Sends the body as these raw bytes instead (malformed JSON tests).
    #[serde(default)]
    pub raw_body: Option<String>,
    /// The account sending it; the run's account when omitted.
    #[serde(default, rename = "as")]
    pub as_user: Option<AsDef>,
    /// Why this body deliberately breaks the request schema (an error case); without it a
    /// schema-invalid body is a mistake in the case file.
    #[serde(default)]
    pub invalid_body: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDef {
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub error_code: Option<String>,
    /// Field (JSON pointer or dotted name) → a value it must equal, or a matcher.
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// Fields that must not be in the body.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Header name → value or matcher.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Poll the job this response links to (`job.uuid`) until it ends, and expect this state.
    #[serde(default)]
    pub job_state: Option<String>,
}

/// Where a step sits in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Setup,
    Step,
    Teardown,
}

/// A loaded, checked case.
#[derive(Debug, Clone)]
pub struct Case {
    pub def: CaseDef,
    /// Path relative to the cases directory's parent (`cases/iscsi/create.yaml`).
    pub file: PathBuf,
    /// Area: the first folder under `cases/`.
    pub area: String,
    pub method: String,
    pub path: String,
    /// Index of the main step in `def.steps` (the first one on `operation`).
    pub main_step: usize,
    pub lines: LineMap,
}

impl Case {
    /// The expectation of the main step, for reports.
    pub fn expected_status(&self) -> Option<u16> {
        self.def.steps[self.main_step]
            .expect
            .as_ref()
            .and_then(|e| e.status)
    }

    pub fn expected_error_code(&self) -> Option<&str> {
        self.def.steps[self.main_step]
            .expect
            .as_ref()
            .and_then(|e| e.error_code.as_deref())
    }

    /// (method, path, status, error code) that each of the case's steps expects: what the case
    /// covers, for `spec check` and the reports' coverage matrix.
    pub fn expectations(&self) -> Vec<(String, String, Option<u16>, Option<String>)> {
        self.def
            .steps
            .iter()
            .filter_map(|s| {
                let (m, p) = split_operation(&s.request.operation)?;
                let e = s.expect.as_ref();
                Some((
                    m,
                    p,
                    e.and_then(|e| e.status),
                    e.and_then(|e| e.error_code.clone()),
                ))
            })
            .collect()
    }

    pub fn operation_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Every step in run order with its phase.
    pub fn all_steps(&self) -> impl Iterator<Item = (Phase, usize, &StepDef)> {
        let d = &self.def;
        d.setup
            .iter()
            .enumerate()
            .map(|(i, s)| (Phase::Setup, i, s))
            .chain(d.steps.iter().enumerate().map(|(i, s)| (Phase::Step, i, s)))
            .chain(
                d.teardown
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (Phase::Teardown, i, s)),
            )
    }
}

/// Splits `"GET /api/x"` into method and path.
pub fn split_operation(s: &str) -> Option<(String, String)> {
    let (m, p) = s.trim().split_once(' ')?;
    let m = m.to_ascii_uppercase();
    let p = p.trim();
    (p.starts_with('/') && !m.is_empty()).then(|| (m, p.to_string()))
}

/// Loads every `*.yaml` under `dir` (sorted, so runs are stable), checking each against `spec`.
/// All problems of all files are returned together.
pub fn load_dir(dir: &Path, spec: &Spec) -> Result<Vec<Case>, Diagnostics> {
    let mut files = Vec::new();
    collect_yaml(dir, &mut files).map_err(|e| {
        Diagnostics(vec![Diagnostic::new(
            dir,
            0,
            "",
            format!("cannot read the cases directory: {e}"),
        )])
    })?;
    files.sort();
    let base = dir.parent().unwrap_or(Path::new(""));
    let mut cases = Vec::new();
    let mut diags = Vec::new();
    for f in files {
        let shown = f.strip_prefix(base).unwrap_or(&f).to_path_buf();
        let area = f
            .strip_prefix(dir)
            .ok()
            .and_then(|r| r.components().next())
            .filter(|_| f.parent() != Some(dir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_else(|| "general".into());
        match std::fs::read_to_string(&f) {
            Ok(text) => match load_case(&shown, &area, &text, spec) {
                Ok(c) => cases.push(c),
                Err(d) => diags.extend(d.0),
            },
            Err(e) => diags.push(Diagnostic::new(&shown, 0, "", format!("cannot read: {e}"))),
        }
    }
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for c in &cases {
        if let Some(other) = seen.insert(c.def.id.clone(), c.file.clone()) {
            diags.push(Diagnostic::new(
                &c.file,
                c.lines.line_of("/id"),
                "id",
                format!("id `{}` is also used by {}", c.def.id, other.display()),
            ));
        }
    }
    if diags.is_empty() {
        Ok(cases)
    } else {
        Err(Diagnostics(diags))
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect_yaml(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
    Ok(())
}

/// Parses and checks one case file's text.
pub fn load_case(file: &Path, area: &str, text: &str, spec: &Spec) -> Result<Case, Diagnostics> {
    let (raw, lines) = yaml::parse_file(file, text)?;
    let at = |pointer: &str, message: String| Diagnostic::at(file, &lines, pointer, message);
    let def: CaseDef = match serde_path_to_error::deserialize(&raw) {
        Ok(d) => d,
        Err(e) => {
            let mut pointer = yaml::path_to_pointer(e.path());
            let message = e.inner().to_string();
            // Point at the unknown key itself, not at the object holding it.
            if let Some(key) = message
                .strip_prefix("unknown field `")
                .and_then(|r| r.split('`').next())
                && !pointer.ends_with(&format!("/{}", yaml::escape_segment(key)))
            {
                pointer = format!("{pointer}/{}", yaml::escape_segment(key));
            }
            return Err(Diagnostics(vec![at(
                &pointer,
                clean_serde_message(&e.inner().to_string()),
            )]));
        }
    };
    let mut diags = Vec::new();
    if def.id.trim().is_empty()
        || !def
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        diags.push(at(
            "/id",
            format!(
                "`{}` is not a valid id: use letters, digits, `-`, `_`, `.`",
                def.id
            ),
        ));
    }
    if def.steps.is_empty() {
        diags.push(at("/steps", "a case needs at least one step".into()));
    }

    // Variables known so far, in run order.
    let mut known: Vec<String> = BUILTIN_VARS.iter().map(|s| s.to_string()).collect();
    for (name, value) in &def.vars {
        check_vars(value, &format!("/vars/{name}"), &known, &mut |p, m| {
            diags.push(at(&p, m))
        });
        known.push(name.clone());
    }
    known.extend(def.secrets.iter().cloned());

    let mut ops_seen = Vec::new();
    let phases: [(&str, &Vec<StepDef>); 3] = [
        ("setup", &def.setup),
        ("steps", &def.steps),
        ("teardown", &def.teardown),
    ];
    for (phase, steps) in phases {
        for (i, step) in steps.iter().enumerate() {
            let sp = format!("/{phase}/{i}");
            check_step(spec, step, &sp, &known, &mut |p, m| diags.push(at(&p, m)));
            if let Some((m, p)) = split_operation(&step.request.operation) {
                ops_seen.push((phase, i, m, p));
            }
            known.extend(step.capture.keys().cloned());
        }
    }

    let main = match &def.operation {
        Some(op) => match split_operation(op) {
            Some((m, p)) => {
                if spec.operation(&m, &p).is_none() {
                    diags.push(at(
                        "/operation",
                        format!("`{op}` is not an operation of the spec"),
                    ));
                }
                ops_seen
                    .iter()
                    .find(|(ph, _, sm, sp)| *ph == "steps" && *sm == m && *sp == p)
                    .map(|(_, i, _, _)| (m.clone(), p.clone(), *i))
                    .or_else(|| {
                        diags.push(at("/operation", format!("no step exercises `{op}`")));
                        None
                    })
            }
            None => {
                diags.push(at("/operation", format!("`{op}` is not `METHOD /path`")));
                None
            }
        },
        None => ops_seen
            .iter()
            .find(|(ph, ..)| *ph == "steps")
            .map(|(_, i, m, p)| (m.clone(), p.clone(), *i)),
    };
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }
    let Some((method, path, main_step)) = main else {
        return Err(Diagnostics(vec![at(
            "/steps",
            "no step names a valid operation".into(),
        )]));
    };
    Ok(Case {
        def,
        file: file.to_path_buf(),
        area: area.to_string(),
        method,
        path,
        main_step,
        lines,
    })
}

fn check_step(
    spec: &Spec,
    step: &StepDef,
    at: &str,
    known: &[String],
    report: &mut dyn FnMut(String, String),
) {
    let req = &step.request;
    let op_at = format!("{at}/request/operation");
    let Some((method, path)) = split_operation(&req.operation) else {
        report(op_at, format!("`{}` is not `METHOD /path`", req.operation));
        return;
    };
    let Some(op) = spec.operation(&method, &path) else {
        let wanted = format!("{method} {path}");
        let hint = spec
            .operations
            .iter()
            .map(|o| (edit_distance(&o.key(), &wanted), o.key()))
            .min()
            .filter(|(d, _)| *d <= wanted.len() / 4)
            .map(|(_, k)| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        report(
            op_at,
            format!("`{method} {path}` is not an operation of the spec{hint}"),
        );
        return;
    };
    for p in op.parameters.iter().filter(|p| p.location == "path") {
        if !req.path.contains_key(&p.name) && req.href.is_none() {
            report(
                format!("{at}/request/path"),
                format!("missing path parameter `{}`", p.name),
            );
        }
    }
    for name in req.path.keys() {
        if !op
            .parameters
            .iter()
            .any(|p| p.location == "path" && &p.name == name)
        {
            report(
                format!("{at}/request/path/{name}"),
                format!("`{name}` is not a path parameter of `{}`", op.key()),
            );
        }
    }
    if req.body.is_some() && req.raw_body.is_some() {
        report(
            format!("{at}/request/raw_body"),
            "give `body` or `raw_body`, not both".into(),
        );
    }
    if let Some(AsDef::Keyword(k)) = &req.as_user
        && k != "anonymous"
    {
        report(
            format!("{at}/request/as"),
            format!("`{k}`: use `anonymous` or {{user, password}}"),
        );
    }
    // The body against the request schema, with variables stood in by placeholders of the
    // right kind so templates do not count as errors.
    if let Some(body) = &req.body
        && req.invalid_body.is_none()
    {
        match &op.request {
            None => report(
                format!("{at}/request/body"),
                format!("`{}` takes no request body", op.key()),
            ),
            Some(schema) => match crate::spec::schema::expand_dotted(body) {
                // ONTAP refuses a body that gives a field twice: so does the loader.
                Err(e) => report(
                    format!(
                        "{at}/request/body{}",
                        body_pointer(body, &format!("/{}", e.key().replace('.', "/")))
                    ),
                    format!(
                        "{e} (ONTAP refuses such a body; if that is the point of the case, say why in `invalid_body`)"
                    ),
                ),
                Ok(expanded) => {
                    for f in schema.validate(&expanded, Direction::Request, method == "PATCH") {
                        if f.is_failure() && !is_template_artifact(&expanded, &f.pointer) {
                            report(
                                format!("{at}/request/body{}", body_pointer(body, &f.pointer)),
                                format!(
                                    "{} (the body is invalid for the request schema; if that is the point of the case, say why in `invalid_body`)",
                                    f.message
                                ),
                            );
                        }
                    }
                }
            },
        }
    }
    // Variables used before they are set.
    let mut check = |v: &Value, p: String| check_vars(v, &p, known, report);
    check(
        &Value::String(req.operation.clone()),
        format!("{at}/request/operation"),
    );
    check(
        &Value::Object(req.path.clone()),
        format!("{at}/request/path"),
    );
    check(
        &Value::Object(req.query.clone()),
        format!("{at}/request/query"),
    );
    if let Some(b) = &req.body {
        check(b, format!("{at}/request/body"));
    }
    if let Some(AsDef::Credentials { user, password }) = &req.as_user {
        check(
            &Value::String(user.clone()),
            format!("{at}/request/as/user"),
        );
        check(
            &Value::String(password.clone()),
            format!("{at}/request/as/password"),
        );
    }
    if let Some(e) = &step.expect {
        check(
            &Value::Object(e.fields.clone()),
            format!("{at}/expect/fields"),
        );
        check(
            &Value::Object(e.headers.clone()),
            format!("{at}/expect/headers"),
        );
    }
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A schema finding caused by a `{{variable}}` standing where a number or boolean goes.
fn is_template_artifact(body: &Value, pointer: &str) -> bool {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("{{"))
}

/// Maps a pointer into the expanded body back to the key as written (dotted keys stay dotted).
fn body_pointer(body: &Value, pointer: &str) -> String {
    if body.pointer(pointer).is_some() {
        return pointer.to_string();
    }
    let segs: Vec<&str> = pointer.split('/').skip(1).collect();
    for n in (1..=segs.len()).rev() {
        let dotted = segs[..n].join(".");
        if body.get(&dotted).is_some() {
            return format!("/{dotted}");
        }
    }
    pointer.to_string()
}

fn check_vars(v: &Value, at: &str, known: &[String], report: &mut dyn FnMut(String, String)) {
    match v {
        Value::String(s) => {
            for name in template_names(s) {
                if !known.iter().any(|k| k == &name) {
                    report(
                        at.to_string(),
                        format!(
                            "`{{{{{name}}}}}` is used before it is set (not a built-in, a var, a secret, or an earlier capture)"
                        ),
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                check_vars(x, &format!("{at}/{i}"), known, report);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                check_vars(
                    x,
                    &format!("{at}/{}", yaml::escape_segment(k)),
                    known,
                    report,
                );
            }
        }
        _ => {}
    }
}

/// serde's messages, made to read as advice.
fn clean_serde_message(m: &str) -> String {
    if let Some(rest) = m.strip_prefix("unknown field ") {
        return format!("unknown key {rest}");
    }
    if m.starts_with("data did not match any variant of untagged enum AsDef") {
        return "`as` must be `anonymous` or {user, password}".into();
    }
    m.to_string()
}

#[cfg(test)]
mod tests;
