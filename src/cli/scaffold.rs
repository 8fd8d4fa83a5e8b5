//! `cases new --operation "METHOD /path" [--code N]`: a case file skeleton written from the
//! spec, so a new case starts from what the spec already knows (the body's required fields, the
//! path parameters, the documented code and its basis, the teardown a create needs) and its
//! author fills in only what the spec cannot say.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::{CliError, Verdict};
use crate::case::split_operation;
use crate::spec::{Operation, Spec};

/// A placeholder for a path parameter or a body field: the run's own value where one exists, a
/// generated secret for a password, else a variable of the case (declared with the value
/// `TODO` in its `vars`, so the skeleton loads and the author sees what to fill in).
fn placeholder(name: &str, vars: &mut Vec<String>) -> String {
    match name {
        "svm.uuid" | "owner.uuid" => "\"{{svm.uuid}}\"".into(),
        "svm.name" | "owner.name" => "\"{{svm.name}}\"".into(),
        "password" => "\"{{new_password}}\"".into(),
        _ => {
            let var = name.replace('.', "_");
            if !vars.contains(&var) {
                vars.push(var.clone());
            }
            format!("\"{{{{{var}}}}}\"")
        }
    }
}

/// The required fields of a request schema, as YAML lines under `body:` (dotted names, a
/// placeholder each, an enum's first value).
fn required_fields(
    schema: &Value,
    prefix: &str,
    vars: &mut Vec<String>,
    out: &mut Vec<(String, String)>,
) {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for all in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        required_fields(all, prefix, vars, out);
    }
    for name in required {
        let prop = schema
            .pointer(&format!("/properties/{name}"))
            .unwrap_or(&Value::Null);
        let full = format!("{prefix}{name}");
        let ty = prop.get("type").and_then(Value::as_str).unwrap_or("");
        if ty == "object" || prop.get("properties").is_some() {
            let before = out.len();
            required_fields(prop, &format!("{full}."), vars, out);
            if out.len() > before {
                continue;
            }
        }
        let value = match (prop.get("enum").and_then(Value::as_array), ty) {
            (Some(e), _) if !e.is_empty() => e[0].to_string(),
            (_, "integer" | "number") => "0".into(),
            (_, "boolean") => "false".into(),
            (_, "array") => "[]".into(),
            _ => placeholder(&full, vars),
        };
        out.push((full, value));
    }
}

/// The instance operation that deletes what `op` (a POST on a collection) creates.
fn deleter<'a>(spec: &'a Spec, op: &Operation) -> Option<&'a Operation> {
    spec.operations
        .iter()
        .find(|o| o.method == "DELETE" && o.path.starts_with(&format!("{}/{{", op.path)))
}

pub(super) fn new(
    operation: &str,
    code: Option<&str>,
    output: Option<&Path>,
) -> Result<Verdict, CliError> {
    let spec = Spec::load(None).map_err(|diags| CliError::Spec { diags, then: None })?;
    let cannot = |m: String| CliError::cannot("cases new", m);
    let (method, path) = split_operation(operation)
        .ok_or_else(|| cannot(format!("`{operation}` is not `METHOD /path`")))?;
    let op = spec.operation(&method, &path).ok_or_else(|| {
        let keys: Vec<String> = spec.operations.iter().map(|o| o.key()).collect();
        let hint = crate::case::did_you_mean(operation, keys.iter().map(String::as_str));
        cannot(format!(
            "`{operation}` is not an operation of the spec{hint}"
        ))
    })?;
    let entry = match code {
        Some(c) => Some(op.error(c).ok_or_else(|| {
            let known: Vec<&str> = op.errors.iter().map(|e| e.code.as_str()).collect();
            cannot(format!(
                "{c} is not a documented code of `{}` (documented: {})",
                op.key(),
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ))
        })?),
        None => None,
    };
    let slug = op
        .path
        .trim_start_matches("/api/")
        .split('/')
        .rfind(|s| !s.starts_with('{'))
        .unwrap_or("case");
    let id = match code {
        Some(c) => format!("{}-{}-{c}", slug, method.to_lowercase()),
        None => format!("{}-{}", slug, method.to_lowercase()),
    };
    let seed = op
        .errors
        .first()
        .map(|e| e.seed.clone())
        .filter(|s| crate::spec::is_seed_file_name(s));
    let mut vars = Vec::new();
    let mut y = String::new();
    let _ = writeln!(y, "steps:\n  - request:\n      operation: {}", op.key());
    let params: Vec<&str> = op.path_params().collect();
    if !params.is_empty() {
        let list: Vec<String> = params
            .iter()
            .map(|p| format!("{p}: {}", placeholder(p, &mut vars)))
            .collect();
        let _ = writeln!(y, "      path: {{{}}}", list.join(", "));
    }
    let mut fields = Vec::new();
    if let Some(schema) = &op.request {
        required_fields(&schema.resolved, "", &mut vars, &mut fields);
    }
    if op.request.is_some() {
        let _ = writeln!(y, "      body:");
        if fields.is_empty() {
            let _ = writeln!(y, "        {{}}  # TODO: the fields this case sends");
        }
        for (name, value) in &fields {
            let _ = writeln!(y, "        {name}: {value}");
        }
    }
    let _ = writeln!(y, "    expect:");
    match entry {
        Some(e) => {
            let _ = writeln!(
                y,
                "      # The code rests on {}; its exact status ({}) is the spec's {} and is checked by itself.",
                e.basis,
                e.status,
                e.status_basis.kind()
            );
            let _ = writeln!(y, "      status: 4xx\n      error_code: \"{}\"", e.code);
        }
        None => {
            let status = op.success_statuses().first().copied().unwrap_or(200);
            let _ = writeln!(y, "      status: {status}");
            match &seed {
                Some(s) => {
                    let _ = writeln!(
                        y,
                        "      basis: {{documented: {s}}}   # TODO: check the page shows it"
                    );
                }
                None => {
                    let _ = writeln!(
                        y,
                        "      basis: {{observed: \"TODO: the public source and what it showed\"}}"
                    );
                }
            }
        }
    }
    if method == "POST"
        && let Some(d) = deleter(&spec, op)
    {
        let list: Vec<String> = d
            .path_params()
            .map(|p| format!("{p}: {}", placeholder(p, &mut vars)))
            .collect();
        let _ = writeln!(
            y,
            "teardown:\n  - name: delete what the case created (404 when it did not)\n    request:\n      operation: {}\n      path: {{{}}}",
            d.key(),
            list.join(", ")
        );
    }
    let mut head = String::new();
    let _ = writeln!(head, "id: {id}");
    let _ = writeln!(head, "title: \"TODO: what the case shows\"");
    let _ = writeln!(head, "operation: {}", op.key());
    if method != "GET" {
        let _ = writeln!(head, "destructive: true");
    }
    if !vars.is_empty() {
        let _ = writeln!(head, "vars:   # TODO: fill these in");
        for v in &vars {
            let _ = writeln!(head, "  {v}: TODO");
        }
    }
    if y.contains("{{new_password}}") {
        let _ = writeln!(head, "secrets: [new_password]");
    }
    let y = head + &y;
    match output {
        Some(p) => {
            if p.exists() {
                return Err(cannot(format!("{} exists: not overwritten", p.display())));
            }
            std::fs::write(p, &y).map_err(|e| cannot(format!("{}: {e}", p.display())))?;
            eprintln!("wrote {}", p.display());
        }
        None => out!("{y}"),
    }
    Ok(Verdict::Passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every skeleton loads as a case file: the scaffold writes what the loader accepts, for
    /// every operation and every documented code.
    #[test]
    fn every_skeleton_loads() {
        let spec = Spec::load(None).unwrap();
        let dir = std::env::temp_dir().join(format!("scaffold-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut n = 0;
        for op in &spec.operations {
            let codes: Vec<Option<&str>> = std::iter::once(None)
                .chain(op.errors.iter().map(|e| Some(e.code.as_str())))
                .collect();
            for code in codes {
                n += 1;
                let file = dir.join(format!("{n}.yaml"));
                new(&op.key(), code, Some(&file)).unwrap();
                let text = std::fs::read_to_string(&file).unwrap();
                let loaded = crate::case::load_case(&file, "x", &text, &spec);
                assert!(
                    loaded.is_ok(),
                    "{}:\n{text}\n{}",
                    op.key(),
                    loaded.unwrap_err()
                );
            }
        }
        assert!(n > 60);
        let _ = std::fs::remove_dir_all(dir);
    }
}
