//! Loading one case file: YAML to [`CaseFile`], every check against the spec, then the typed
//! [`Case`] the runner executes.
//!
//! Every problem of a file is collected before the loader gives up, each as `file:line: field:
//! problem`, so `spec check` lists them all at once.

use std::path::Path;

use serde_json::Value;

use super::capture::compile_captures;
use super::def::{AsDef, CaseDef, CaseFile, ExpectDef, StepDef};
use super::expect::{Block, Report, compile_expect};
use super::fields::check_step_fields;
use super::plan::{Phase, Step};
use super::template::template_names;
use super::todo::check_placeholders;
use super::{BUILTIN_VARS, Case, did_you_mean, split_operation};
use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{Direction, Spec};
use crate::yaml::{self, LineMap};

/// Parses and checks one case file's text.
pub fn load_case(file: &Path, area: &str, text: &str, spec: &Spec) -> Result<Case, Diagnostics> {
    let (raw, lines) = yaml::parse_file(file, text)?;
    let at = |pointer: &str, message: String| Diagnostic::at(file, &lines, pointer, message);
    let def: CaseFile = match serde_path_to_error::deserialize(&raw) {
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
                clean_serde_message(&message),
            )]));
        }
    };
    let mut diags = Vec::new();
    check_placeholders(&raw, "", &mut |p, m| diags.push(at(&p, m)));
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

    let mut plan: [Vec<Step>; 3] = Default::default();
    let phases = [
        (Phase::Setup, &def.setup),
        (Phase::Step, &def.steps),
        (Phase::Teardown, &def.teardown),
    ];
    for (n, (phase, steps)) in phases.into_iter().enumerate() {
        for (i, step) in steps.iter().enumerate() {
            let sp = format!("/{}/{i}", phase.key());
            let mut report = |p: String, m: String| diags.push(at(&p, m));
            if let Some(s) = compile_step(spec, step, &sp, &known, &lines, &mut report) {
                plan[n].push(s);
            }
            known.extend(step.capture.keys().cloned());
        }
    }
    let [setup, steps, teardown] = plan;

    // The main step: the first of `steps` on the case's operation (the first step's by default).
    let main = match &def.operation {
        Some(op) => match split_operation(op).and_then(|(m, p)| spec.operation_index(&m, &p)) {
            Some(id) => steps.iter().position(|s| s.op == id).or_else(|| {
                diags.push(at("/operation", format!("no step exercises `{op}`")));
                None
            }),
            None => {
                diags.push(at(
                    "/operation",
                    format!("`{op}` is not an operation of the spec (`METHOD /path`)"),
                ));
                None
            }
        },
        None => (!steps.is_empty()).then_some(0),
    };
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }
    let Some(main_step) = main else {
        return Err(Diagnostics(vec![at(
            "/steps",
            "no step names a valid operation".into(),
        )]));
    };
    let op = &spec.operations[steps[main_step].op.0];
    Ok(Case {
        method: op.method.clone(),
        path: op.path.clone(),
        op: steps[main_step].op,
        def: CaseDef {
            id: def.id,
            title: def.title,
            tags: def.tags,
            destructive: def.destructive,
            exclusive: def.exclusive,
            isolated: def.isolated,
            requires: def.requires,
            skip: def.skip,
            vars: def.vars,
            secrets: def.secrets,
        },
        file: file.to_path_buf(),
        area: area.to_string(),
        setup,
        steps,
        teardown,
        main_step,
        lines,
    })
}

/// Checks one step against the spec and compiles it; `None` when its operation is unknown (the
/// rest of the step cannot be checked without it).
fn compile_step(
    spec: &Spec,
    step: &StepDef,
    at: &str,
    known: &[String],
    lines: &LineMap,
    report: Report,
) -> Option<Step> {
    let req = &step.request;
    let op_at = format!("{at}/request/operation");
    let Some((method, path)) = split_operation(&req.operation) else {
        report(op_at, format!("`{}` is not `METHOD /path`", req.operation));
        return None;
    };
    let Some(op_id) = spec.operation_index(&method, &path) else {
        let wanted = format!("{method} {path}");
        let keys: Vec<String> = spec.operations.iter().map(|o| o.key()).collect();
        let hint = did_you_mean(&wanted, keys.iter().map(String::as_str));
        report(
            op_at,
            format!("`{wanted}` is not an operation of the spec{hint}"),
        );
        return None;
    };
    let op = &spec.operations[op_id.0];
    for p in op.path_params() {
        if !req.path.contains_key(p) && req.href.is_none() {
            report(
                format!("{at}/request/path"),
                format!("missing path parameter `{p}`"),
            );
        }
    }
    for name in req.path.keys() {
        if !op.path_params().any(|p| p == name) {
            report(
                format!("{at}/request/path/{name}"),
                format!("`{name}` is not a path parameter of `{}`", op.key()),
            );
        }
    }
    if let Some(m) = &req.method {
        let documented = spec
            .operations
            .iter()
            .any(|o| o.path == op.path && o.method.eq_ignore_ascii_case(m));
        if m.is_empty() || !m.bytes().all(|b| b.is_ascii_uppercase()) {
            report(
                format!("{at}/request/method"),
                format!("`{m}` is not an HTTP method (GET, POST, PATCH, DELETE, ...)"),
            );
        } else if documented {
            report(
                format!("{at}/request/method"),
                format!(
                    "`{m} {}` is an operation of the spec: name it in `operation` instead",
                    op.path
                ),
            );
        }
    }
    match req.pages {
        Some(_) if !req.follow_next => report(
            format!("{at}/request/pages"),
            "`pages` sizes a walk: give it with `follow_next: true`".into(),
        ),
        Some(0) => report(
            format!("{at}/request/pages"),
            "`pages: 0`: a walk takes at least one page".into(),
        ),
        _ => {}
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
    check_body(op, step, at, &method, report);
    check_step_vars(step, at, known, report);

    let expect = step.expect.as_ref().map(|e| {
        let at = format!("{at}/expect");
        compile_expect(spec, op, e, &at, Block::Expect, lines, report)
    });
    let convention = step.convention.as_ref().map(|e| {
        let at = format!("{at}/convention");
        compile_expect(spec, op, e, &at, Block::Convention, lines, report)
    });
    check_step_fields(op, step, at, report);
    let captures = compile_captures(&step.capture, at, lines, report);
    Some(Step {
        name: step.name.clone(),
        op: op_id,
        request: req.clone(),
        expect,
        convention,
        captures,
        line: lines.line_of(at),
    })
}

/// The body against the request schema, with variables stood in by placeholders of the right
/// kind so templates do not count as errors.
fn check_body(op: &crate::spec::Operation, step: &StepDef, at: &str, method: &str, report: Report) {
    let req = &step.request;
    let Some(body) = &req.body else { return };
    if req.invalid_body.is_some() {
        return;
    }
    let Some(schema) = op.request() else {
        report(
            format!("{at}/request/body"),
            format!("`{}` takes no request body", op.key()),
        );
        return;
    };
    let expanded = match crate::spec::schema::expand_dotted(body) {
        Ok(expanded) => expanded,
        // ONTAP refuses a body that gives a field twice: so does the loader.
        Err(e) => {
            report(
                format!(
                    "{at}/request/body{}",
                    body_pointer(body, &format!("/{}", e.key().replace('.', "/")))
                ),
                format!(
                    "{e} (ONTAP refuses such a body; if that is the point of the case, say why in `invalid_body`)"
                ),
            );
            return;
        }
    };
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

/// Variables used before they are set.
fn check_step_vars(step: &StepDef, at: &str, known: &[String], report: Report) {
    let req = &step.request;
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
    if let Some(h) = &req.href {
        check(&Value::String(h.clone()), format!("{at}/request/href"));
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
    let mut blocks: Vec<(String, &ExpectDef)> = Vec::new();
    for (key, e) in [("expect", &step.expect), ("convention", &step.convention)] {
        if let Some(e) = e {
            blocks.push((format!("{at}/{key}"), e));
            for (i, alt) in e.any_of.iter().enumerate() {
                blocks.push((format!("{at}/{key}/any_of/{i}"), alt));
            }
        }
    }
    for (p, e) in blocks {
        check(&Value::Object(e.fields.clone()), format!("{p}/fields"));
        check(&Value::Object(e.headers.clone()), format!("{p}/headers"));
    }
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

fn check_vars(v: &Value, at: &str, known: &[String], report: Report) {
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

/// serde's messages, made to read as advice: an unknown key gets the nearest known one.
fn clean_serde_message(m: &str) -> String {
    if let Some(rest) = m.strip_prefix("unknown field ") {
        let key = rest.split('`').nth(1).unwrap_or_default();
        let known = rest
            .split_once("expected ")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect::<Vec<_>>())
            .unwrap_or_default();
        let hint = did_you_mean(key, known.into_iter());
        return match rest.split_once(", expected") {
            Some((k, list)) => format!("unknown key {k}{hint}, expected{list}"),
            None => format!("unknown key {rest}{hint}"),
        };
    }
    if m.starts_with("data did not match any variant of untagged enum AsDef") {
        return "`as` must be `anonymous` or {user, password}".into();
    }
    m.to_string()
}
