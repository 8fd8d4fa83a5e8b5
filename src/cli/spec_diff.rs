//! `spec diff OLD NEW`: two specs compared, and what the suite's cases rely on that is gone.
//!
//! Exit codes: 0 when nothing a case relies on is gone (differences alone are not a failure: a
//! new release adds, and that is the point of reading the diff); 1 when something is (an
//! operation a step sends, an error code or success status it expects, a field it names); 2
//! when an input, an overlay or the cases cannot be read.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{CliError, Verdict};
use crate::case::{self, Case};
use crate::diag::Diagnostics;
use crate::spec::diff::{self, BUILTIN, CasesInfo, Gone, Index};
use crate::spec::{Spec, route_of};

/// Which cases `spec diff` judges: the built-in suite and `--cases`, as `run` loads them.
pub(super) struct DiffCases<'a> {
    pub dirs: &'a [PathBuf],
    pub no_builtin: bool,
}

pub(super) fn diff(
    old: &str,
    new: &str,
    as_json: bool,
    cases: &DiffCases<'_>,
    overlays: &[PathBuf],
) -> Result<Verdict, CliError> {
    let cannot = |e: String| CliError::cannot("spec diff", e);
    // The two inputs are read, and below indexed, side by side: each is a few MiB of JSON.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| diff::read_spec_input(old));
        (a.join(), diff::read_spec_input(new))
    });
    let a = a.unwrap_or_else(|_| Err(format!("{old}: reading it failed")));
    let (old_label, mut old_doc) = a.map_err(cannot)?;
    let (new_label, mut new_doc) = b.map_err(cannot)?;
    // The cases load against OLD as given; the overlays join it there through the loader,
    // which checks them.
    let old_for_cases = if old == BUILTIN {
        CaseSpec::Builtin
    } else {
        CaseSpec::Doc(&old_label, &old_doc)
    };
    let (spec, loaded, info) = load_cases(old_for_cases, cases, overlays)?;
    for file in overlays {
        let fragment = read_overlay(file).map_err(cannot)?;
        add_overlay(&mut old_doc, &fragment);
        add_overlay(&mut new_doc, &fragment);
    }
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| diff::index(&old_label, &old_doc));
        let b = diff::index(&new_label, &new_doc);
        (a.join(), b)
    });
    let a = a
        .unwrap_or_else(|_| Err(format!("{old_label}: reading it failed")))
        .map_err(cannot)?;
    let b = b.map_err(cannot)?;
    let mut d = diff::compare(&a, &b);
    let gone = spec
        .map(|spec| gone(&spec, &loaded, &a, &b))
        .unwrap_or_default();
    d.set_gone(info, gone);

    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&d).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
    } else {
        out!("{}", diff::render_text(&d));
    }
    let verdict = if d.gone.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed
    };
    // The process ends right after: freeing two whole-API documents and their indexes one
    // small allocation at a time took a sixth of the command's time, for nothing.
    std::mem::forget((old_doc, new_doc, a, b, d));
    Ok(verdict)
}

/// The spec the cases are first loaded against.
enum CaseSpec<'a> {
    Builtin,
    /// OLD read from a file (or an import), by its label.
    Doc(&'a str, &'a Value),
}

/// The cases, loaded against OLD, else against the built-in spec; exit 2 when neither takes
/// them. The overlays join whichever spec they load against.
fn load_cases(
    old: CaseSpec<'_>,
    cases: &DiffCases<'_>,
    overlays: &[PathBuf],
) -> Result<(Option<Spec>, Vec<Case>, CasesInfo), CliError> {
    let from = describe(cases);
    if cases.no_builtin && cases.dirs.is_empty() {
        // Nothing to load: the spec is only needed to load cases against.
        let info = CasesInfo {
            loaded_against: "old".into(),
            ..CasesInfo::default()
        };
        return Ok((None, Vec::new(), info));
    }
    let load = |spec: Result<Spec, Diagnostics>| {
        let spec = spec.and_then(|s| s.with_overlays(overlays))?;
        let loaded = case::load_suite(&spec, !cases.no_builtin, cases.dirs)?;
        Ok::<_, Diagnostics>((spec, loaded))
    };
    let why = |diags: Diagnostics| {
        let Some(first) = diags.0.first() else {
            return "they do not load".to_string();
        };
        // A problem of OLD itself is in the JSON text it was loaded from, all on line 1: its
        // field says where it is. A case file's line is its own.
        let first = match &old {
            CaseSpec::Doc(label, _) if first.file == Path::new(label) => {
                format!("{label}: `{}`: {}", first.field, first.message)
            }
            _ => first.to_string(),
        };
        match diags.0.len() {
            1 => first,
            n => format!("{n} problem(s), the first: {first}"),
        }
    };
    let first = match &old {
        CaseSpec::Builtin => load(Spec::load(None)).map_err(why),
        CaseSpec::Doc(label, doc) => {
            // Cut down to the operations the cases name: loading compiles every body of every
            // operation, seconds for a whole API (see `keep_operations`). Then as JSON text: the
            // loader reads YAML, of which JSON is a part; only the cases' lines are shown.
            // By route: more than exact paths is harmless, fewer would drop a case's operation.
            let named: std::collections::HashSet<(String, String)> =
                case::needs::named_operations(!cases.no_builtin, cases.dirs)
                    .into_iter()
                    .map(|(m, p)| (m, route_of(&p)))
                    .collect();
            let fragments = overlays
                .iter()
                .filter_map(|f| read_overlay(f).ok())
                .collect::<Vec<_>>();
            let cut = diff::keep_operations(
                doc,
                |m, p| named.contains(&(m.to_string(), route_of(p))),
                &fragments.iter().collect::<Vec<_>>(),
            );
            if cut["paths"].as_object().is_none_or(|p| p.is_empty()) {
                Err(format!("{label} has none of the operations they name"))
            } else {
                let text = serde_json::to_string(&cut).unwrap_or_default();
                load(Spec::parse(Path::new(label), &text)).map_err(why)
            }
        }
    };
    let (why_not_old, (spec, loaded)) = match first {
        Ok(r) => (None, r),
        Err(why) => {
            let r = load(Spec::load(None)).map_err(|diags| CliError::Cases {
                diags,
                then: format!(
                    "spec diff: the cases load neither against OLD ({why}) nor against the built-in spec"
                ),
            })?;
            (Some(why), r)
        }
    };
    let info = CasesInfo {
        count: loaded.len(),
        from,
        loaded_against: if why_not_old.is_some() {
            BUILTIN
        } else {
            "old"
        }
        .to_string(),
        why_not_old,
    };
    Ok((Some(spec), loaded, info))
}

fn describe(cases: &DiffCases<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !cases.no_builtin {
        parts.push("the built-in suite".into());
    }
    parts.extend(cases.dirs.iter().map(|d| d.display().to_string()));
    parts.join(" and ")
}

/// Every thing a case relies on that OLD has and NEW has not, with where the case says it.
fn gone(spec: &Spec, cases: &[Case], old: &Index, new: &Index) -> Vec<Gone> {
    let mut out = Vec::new();
    for c in cases {
        for n in case::needs::needs(c, spec) {
            if let Some((kind, what)) = diff::gone(old, new, &n.method, &n.path, &n.need) {
                out.push(Gone {
                    file: c.file.display().to_string(),
                    line: n.line,
                    case: c.def.id.clone(),
                    operation: format!("{} {}", n.method, n.path),
                    kind,
                    what,
                });
            }
        }
    }
    out
}

/// An overlay as a document, read the way OLD and NEW are (its own checks are the loader's,
/// when the cases load with it).
fn read_overlay(file: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read the overlay: {e}", file.display()))?;
    crate::yaml::parse(&text).map(|(v, _)| v).map_err(|e| {
        format!(
            "{}:{}: the overlay is not valid YAML: {}",
            file.display(),
            e.line,
            e.message
        )
    })
}

/// Adds an overlay's operations and schemas to a document, where it has none of its own by
/// that name: the user's endpoints are on both sides, so they differ only where a side
/// documents them itself (a cluster that now serves one).
fn add_overlay(doc: &mut Value, overlay: &Value) {
    let Some(doc) = doc.as_object_mut() else {
        return;
    };
    if let Some(paths) = overlay.get("paths").and_then(Value::as_object) {
        let all = doc
            .entry("paths")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(all) = all.as_object_mut() {
            for (path, item) in paths {
                let have = all
                    .entry(path.clone())
                    .or_insert_with(|| Value::Object(Default::default()));
                if let (Some(have), Some(item)) = (have.as_object_mut(), item.as_object()) {
                    for (k, v) in item {
                        have.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
        }
    }
    for section in ["schemas", "parameters"] {
        let Some(theirs) = overlay
            .pointer(&format!("/components/{section}"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        let components = doc
            .entry("components")
            .or_insert_with(|| Value::Object(Default::default()));
        let Some(ours) = components.as_object_mut().map(|c| {
            c.entry(section)
                .or_insert_with(|| Value::Object(Default::default()))
        }) else {
            continue;
        };
        if let Some(ours) = ours.as_object_mut() {
            for (name, schema) in theirs {
                ours.entry(name.clone()).or_insert_with(|| schema.clone());
            }
        }
    }
}
