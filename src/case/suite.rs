//! Where a run's cases come from: the suite built into the binary (`cases/` at build time, so
//! an installed binary runs from any directory) and any directories a user adds beside it.

use std::path::{Path, PathBuf};

use super::{Case, load_case};
use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::Spec;

/// The shipped case files, as (`cases/<area>/<file>.yaml`, text), sorted by path.
pub static BUILTIN_CASES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_cases.rs"));

/// The directory the built-in cases were read from when this binary was built. A `--cases` of
/// this very directory reads it from disk instead of the built-in copy (it may have changed
/// since the build), so the two are never loaded twice.
pub fn builtin_source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// One case file to load: how it is named in messages and reports, its area, where its text is.
/// The text is read when the case is loaded, so a suite is never in memory as text all at once;
/// a clone shares the rest (a run of 100,000 cases keeps one of these per case).
#[derive(Debug, Clone)]
pub struct Source(std::sync::Arc<SourceInner>);

#[derive(Debug)]
struct SourceInner {
    text: Text,
    /// Where `shown` starts in the file's path.
    shown_from: usize,
    area: std::sync::Arc<str>,
}

#[derive(Debug)]
enum Text {
    /// (`cases/<area>/<file>.yaml`, text)
    Builtin(&'static str, &'static str),
    File(Box<Path>),
}

impl Source {
    /// How messages and reports name the file: relative to its cases directory's parent.
    pub fn shown(&self) -> &Path {
        match &self.0.text {
            Text::Builtin(p, _) => Path::new(p),
            Text::File(f) => f
                .to_str()
                .and_then(|s| s.get(self.0.shown_from..))
                .map(Path::new)
                .unwrap_or(f),
        }
    }

    pub fn area(&self) -> &str {
        &self.0.area
    }

    /// Reads and checks the case again: a run that keeps only where its cases are (see
    /// `run::run_spooled`) loads each one when its turn comes.
    pub fn load(&self, spec: &Spec) -> Result<Case, Diagnostics> {
        let shown = self.shown();
        let text = match &self.0.text {
            Text::Builtin(_, t) => std::borrow::Cow::Borrowed(*t),
            Text::File(f) => std::borrow::Cow::Owned(std::fs::read_to_string(f).map_err(|e| {
                Diagnostics(vec![Diagnostic::new(
                    shown,
                    0,
                    "",
                    format!("cannot read: {e}"),
                )])
            })?),
        };
        load_case(shown, &self.0.area, &text, spec)
    }
}

/// The areas of a suite, each spelled once however many files it holds.
#[derive(Default)]
struct Areas(Vec<std::sync::Arc<str>>);

impl Areas {
    fn get(&mut self, name: &str) -> std::sync::Arc<str> {
        if let Some(a) = self.0.iter().find(|a| ***a == *name) {
            return a.clone();
        }
        let a: std::sync::Arc<str> = name.into();
        self.0.push(a.clone());
        a
    }
}

/// The built-in suite (unless `builtin` is false) and every `*.yaml` under each of `dirs`,
/// checked against `spec`; ids must be unique across all of them. All problems are returned
/// together.
pub fn load_suite(spec: &Spec, builtin: bool, dirs: &[PathBuf]) -> Result<Vec<Case>, Diagnostics> {
    let mut cases = Vec::new();
    for_each_case(spec, builtin, dirs, |_, c| cases.push(c))?;
    Ok(cases)
}

/// [`load_suite`] one case at a time: each case that loads is handed to `each` with its source
/// and dropped unless `each` keeps it, so checking 100,000 case files holds one of them at a
/// time. The problems of all files are returned together at the end.
pub fn for_each_case(
    spec: &Spec,
    builtin: bool,
    dirs: &[PathBuf],
    mut each: impl FnMut(&Source, Case),
) -> Result<(), Diagnostics> {
    let same_as_builtin =
        |d: &PathBuf| d.canonicalize().ok() == builtin_source_dir().canonicalize().ok();
    let mut sources = Vec::new();
    let mut diags = Vec::new();
    let mut areas = Areas::default();
    if builtin && !dirs.iter().any(same_as_builtin) {
        for (path, text) in BUILTIN_CASES {
            let area = path
                .split('/')
                .nth(1)
                .filter(|_| path.matches('/').count() > 1);
            sources.push(Source(std::sync::Arc::new(SourceInner {
                text: Text::Builtin(path, text),
                shown_from: 0,
                area: areas.get(area.unwrap_or("general")),
            })));
        }
    }
    for dir in dirs {
        match dir_sources(dir, &mut areas) {
            Ok(s) => sources.extend(s),
            Err(d) => diags.push(d),
        }
    }
    // Id → the index of the first source using it.
    let mut seen: std::collections::HashMap<Box<str>, usize> = std::collections::HashMap::new();
    let mut duplicates = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        match s.load(spec) {
            Ok(c) => {
                if let Some(other) = seen.get(c.def.id.as_str()) {
                    duplicates.push(Diagnostic::new(
                        &c.file,
                        c.lines.line_of("/id"),
                        "id",
                        format!(
                            "id `{}` is also used by {}",
                            c.def.id,
                            sources[*other].shown().display()
                        ),
                    ));
                } else {
                    seen.insert(c.def.id.as_str().into(), i);
                }
                each(s, c);
            }
            Err(d) => diags.extend(d.0),
        }
    }
    diags.extend(duplicates);
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}

/// Every `*.yaml` under `dir`, sorted, named relative to `dir`'s parent, its area the first
/// folder under `dir` (`general` for a file directly in it).
fn dir_sources(dir: &Path, areas: &mut Areas) -> Result<Vec<Source>, Diagnostic> {
    let mut files = Vec::new();
    collect_yaml(dir, &mut files).map_err(|e| {
        Diagnostic::new(dir, 0, "", format!("cannot read the cases directory: {e}"))
    })?;
    files.sort();
    let base = dir.parent().unwrap_or(Path::new(""));
    Ok(files
        .into_iter()
        .map(|f| {
            let area = f
                .strip_prefix(dir)
                .ok()
                .and_then(|r| r.components().next())
                .filter(|_| f.parent() != Some(dir))
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_else(|| "general".into());
            // `shown` is the path less `base`: where it starts in the path's text.
            let shown_from = match (f.to_str(), f.strip_prefix(base).ok().and_then(Path::to_str)) {
                (Some(full), Some(shown)) => full.len() - shown.len(),
                _ => 0,
            };
            Source(std::sync::Arc::new(SourceInner {
                text: Text::File(f.into_boxed_path()),
                shown_from,
                area: areas.get(&area),
            }))
        })
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_suite_is_the_cases_directory() {
        let spec = Spec::load(None).unwrap();
        let built_in = load_suite(&spec, true, &[]).expect("the built-in suite loads");
        let on_disk = load_suite(&spec, false, &[builtin_source_dir()]).unwrap();
        let ids = |cs: &[Case]| {
            cs.iter()
                .map(|c| (c.def.id.clone(), c.file.clone(), c.area.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&built_in), ids(&on_disk));
        // The cases directory given again reads it from disk, once.
        let both = load_suite(&spec, true, &[builtin_source_dir()]).unwrap();
        assert_eq!(both.len(), built_in.len());
    }
}
