//! Reports: one module per format, all rendering the one result model in [`model`]; the
//! coverage matrix ([`coverage`]); reading reports back ([`json::read_report`]) to compare
//! ([`diff`]) and merge ([`merge`]) them. It imports only [`crate::spec`]: the runner fills the
//! model, the reports never reach back into cases or the runner.

pub mod coverage;
pub mod diff;
pub mod html;
pub mod json;
pub mod junit;
pub mod merge;
pub mod model;
mod shards;
pub mod store;
pub mod text;

use std::io::Write;
use std::path::Path;

use store::Cases;

/// Writes `bytes` to `path` atomically (a temporary file, then a rename), so a run killed at any
/// moment leaves the previous report or the new one whole, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// [`write_atomic`] for a report written piece by piece: `write` fills a buffered temporary file,
/// which replaces `path` only when it is whole.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("report"),
        std::process::id()
    ));
    let written = (|| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error()).map(drop)
    })();
    match written {
        Ok(()) => std::fs::rename(&tmp, path),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes every report format into `dir`.
pub fn write_all(dir: &Path, report: &model::RunReport) -> std::io::Result<()> {
    json::write_report(&dir.join("conformance.json"), report)?;
    junit::write_report(&dir.join("junit.xml"), report)?;
    html::write_report(&dir.join("conformance.html"), report)
}

/// Writes every report format into `dir` for a run whose cases are held apart from its model
/// (`head.cases` is empty; see [`store`]): what `run` writes, one case at a time.
pub fn write_all_from(
    dir: &Path,
    head: &model::RunReport,
    cases: &dyn Cases,
) -> std::io::Result<()> {
    write_atomic_with(&dir.join("conformance.json"), |out| {
        json::write_to(out, head, cases)
    })?;
    write_atomic_with(&dir.join("junit.xml"), |out| {
        junit::write_to(out, head, cases)
    })?;
    write_atomic_with(&dir.join("conformance.html"), |out| {
        html::write_to(out, head, cases)
    })
}

#[cfg(test)]
mod cell_tests;
#[cfg(test)]
mod shard_tests;
#[cfg(test)]
mod tests;
