//! `spec check` (the spec, the cases against it, and the coverage of documented codes),
//! `spec table` (the operations as Markdown), `spec import` (NetApp's own definition of the API
//! into this project's form) and `spec fetch` (a cluster's own definition, downloaded and
//! imported).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::{CaseArgs, CliError, ConnArgs, Verdict, init_logging_at, runtime};
use crate::report::{self, coverage::Covers};
use crate::run::{self, RunOptions, Target, env};
use crate::spec::import::{self, Imported};
use crate::spec::{Layer, Spec};

/// Passes when the spec and the cases load and every documented error code and success status
/// of the curated spec and the overlays has a case; anything less is exit 2, since a suite with
/// holes cannot say a build conforms. NetApp's imported layer is counted and reported, and gated
/// only with `--require-coverage imported`.
pub(super) fn check(
    path: Option<PathBuf>,
    overlays: &[PathBuf],
    case_args: &CaseArgs,
    require_imported: bool,
) -> Result<Verdict, CliError> {
    let spec = Spec::load(path.as_deref()).and_then(|s| s.with_overlays(overlays));
    let spec = spec.map_err(|diags| CliError::Spec {
        then: Some(format!(
            "spec check: {} problem(s); nothing else was checked",
            diags.0.len()
        )),
        diags,
    })?;
    let seed_ops = spec.seed_operations().count();
    let seed_codes: usize = spec.seed_operations().map(|o| o.errors.len()).sum();
    let count = |l: Layer| spec.layer(l).count();
    let codes = |l: Layer| spec.layer(l).map(|o| o.errors.len()).sum::<usize>();
    let curated = count(Layer::Curated);
    outln!("spec: {}", spec.file.display());
    outln!(
        "operations: {} ({curated} curated: {seed_ops} from the seed pages, {} supporting; {} imported; {} overlay)",
        spec.operations.len(),
        curated - seed_ops,
        count(Layer::Imported),
        count(Layer::Overlay)
    );
    outln!(
        "error codes: {} curated ({seed_codes} over the seed operations), {} imported, {} overlay",
        codes(Layer::Curated),
        codes(Layer::Imported),
        codes(Layer::Overlay)
    );
    if let Some(from) = spec.imported_operations().find_map(|o| o.imported.as_ref()) {
        outln!("imported from: {} (ONTAP {})", from.source, from.release);
    }
    outln!("schemas: {}", spec.schema_names.len());
    let parts = spec.disagreements();
    if !parts.is_empty() {
        outln!(
            "where the curated spec and NetApp's definition disagree ({}; the curated spec is what runs):",
            parts.len()
        );
        for p in &parts {
            outln!("  {p}");
        }
    }
    let cases = case_args.load(&spec).map_err(|diags| CliError::Cases {
        then: format!("spec check: {} problem(s) in the case files", diags.0.len()),
        diags,
    })?;
    outln!("cases: {} in {}", cases.len(), case_args.describe());
    let covers: Vec<Covers> = cases.iter().flat_map(|c| run::covers(c, &spec)).collect();
    let imported = report::coverage::ImportedCoverage::of(&spec, &covers);
    if !imported.is_empty() {
        let t = imported.total();
        outln!(
            "coverage of the imported layer (reported; --require-coverage imported gates it): {} of {} operations, {} of {} documented statuses and codes have a case",
            t.operations_with_a_case,
            t.operations,
            t.cells_with_a_case,
            t.cells
        );
        for (tag, r) in &imported.tags {
            outln!(
                "  {:<24} {:>4} of {:>4} operations, {:>5} of {:>5} statuses and codes",
                if tag.is_empty() { "(no tag)" } else { tag },
                r.operations_with_a_case,
                r.operations,
                r.cells_with_a_case,
                r.cells
            );
        }
    }
    let mut gaps = report::coverage::gaps(&spec, &covers);
    if require_imported {
        gaps.extend(report::coverage::gaps_in(
            spec.layer(Layer::Imported),
            &covers,
        ));
    }
    if !gaps.is_empty() {
        let overlay_flags: String = overlays
            .iter()
            .map(|o| format!(" --spec-overlay {}", o.display()))
            .collect();
        let mut lines: Vec<String> = Vec::new();
        for (op, code) in &gaps.errors {
            lines.push(format!(
                "no case expects ONTAP error {code} from {op} (start one: ontap-conform cases new{overlay_flags} --operation \"{op}\" --code {code})"
            ));
        }
        for (op, status) in &gaps.statuses {
            lines.push(format!(
                "no case expects status {status} from {op} (start one: ontap-conform cases new{overlay_flags} --operation \"{op}\")"
            ));
        }
        lines.push(format!(
            "spec check: {} documented error code(s) and {} success status(es) have no case",
            gaps.errors.len(),
            gaps.statuses.len()
        ));
        return Err(CliError::Uncovered(lines));
    }
    outln!(
        "coverage: every documented error code and success status of the curated spec{} has a case",
        if overlays.is_empty() {
            ""
        } else {
            " and the overlays"
        }
    );
    Ok(Verdict::Passed)
}

pub(super) fn table(path: Option<PathBuf>, layer: Option<Layer>) -> Result<Verdict, CliError> {
    let spec = Spec::load(path.as_deref()).map_err(|diags| CliError::Spec { diags, then: None })?;
    outln!("| operation | layer | introduced in | documented statuses | ONTAP error codes |");
    outln!("|---|---|---|---|---|");
    for op in spec
        .operations
        .iter()
        .filter(|o| layer.is_none_or(|l| o.layer == l))
    {
        let statuses: Vec<&str> = op.responses.keys().map(String::as_str).collect();
        let layer = match (op.layer, op.supporting, &op.imported) {
            (Layer::Curated, true, _) => "curated (supporting)".to_string(),
            (Layer::Imported, _, Some(from)) => format!("imported ({})", from.source),
            (l, ..) => l.as_str().to_string(),
        };
        outln!(
            "| `{}` | {layer} | {} | {} | {} |",
            op.key(),
            op.introduced_in
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
            statuses.join(", "),
            op.errors.len()
        );
    }
    Ok(Verdict::Passed)
}

/// `spec import FILE`: NetApp's swagger, from a file or stdin (`-`), into the spec's form.
pub(super) fn import(
    file: &Path,
    output: Option<&Path>,
    release: Option<&str>,
) -> Result<Verdict, CliError> {
    init_logging_at("warn");
    let cannot = |m: String| CliError::cannot("spec import", m);
    let (bytes, source) = if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| cannot(format!("cannot read stdin: {e}")))?;
        (bytes, "stdin".to_string())
    } else {
        let bytes = std::fs::read(file)
            .map_err(|e| cannot(format!("cannot read {}: {e}", file.display())))?;
        // Cited by its name alone: `spec/sources/ontap-api/swagger-9.8.yaml.gz` is the file a
        // documented basis names as `swagger-9.8.yaml.gz`, wherever the checkout is.
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string());
        (bytes, name)
    };
    let imported = import::import(&bytes, &source, release).map_err(|e| cannot(e.to_string()))?;
    write_imported(&imported, output, "spec import")
}

/// Writes the imported spec (to `output`, or stdout) and tells stderr what was read irregularly,
/// what was left out, and what was carried.
fn write_imported(
    imported: &Imported,
    output: Option<&Path>,
    command: &'static str,
) -> Result<Verdict, CliError> {
    // An operation left out is among the warnings, at its line.
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    // A name ending in .gz is written gzipped, as the committed layer is.
    let json = match output {
        Some(p) if p.extension().is_some_and(|e| e == "gz") => imported.to_json_gz(),
        _ => imported.to_json(),
    };
    match output {
        Some(path) => report::write_atomic(path, &json).map_err(|e| {
            CliError::cannot(command, format!("cannot write {}: {e}", path.display()))
        })?,
        None => {
            use std::io::Write as _;
            let _ = std::io::stdout().lock().write_all(&json);
        }
    }
    let c = &imported.counts;
    eprintln!(
        "{command}: {} (ONTAP {}): {} operation(s) on {} path(s), {} schema(s), {} error table \
         row(s) as {} x-ontap-errors entr{}; {} left out; {} warning(s){}",
        imported.source,
        imported.release,
        c.operations,
        c.paths,
        c.schemas,
        c.error_rows,
        c.error_entries,
        if c.error_entries == 1 { "y" } else { "ies" },
        imported.left_out.len(),
        imported.warnings.len(),
        output
            .map(|p| format!("; written to {}", p.display()))
            .unwrap_or_default(),
    );
    Ok(Verdict::Passed)
}

/// Most bytes of a definition `spec fetch` reads: NetApp's files are 3 to 10 MiB.
const MAX_DEFINITION_BYTES: usize = 64 * 1024 * 1024;

/// `spec fetch --target URL`: the cluster's own definition, downloaded as the run's account over
/// the run's TLS settings, and imported as the release the cluster reports.
pub(super) fn fetch(conn: &ConnArgs, output: Option<&Path>) -> Result<Verdict, CliError> {
    init_logging_at("warn");
    let cannot = |m: String| CliError::cannot("spec fetch", m);
    let c = conn.connection(false, None);
    let client = conn.client(&c).map_err(cannot)?;
    let target = c.target.clone().ok_or_else(|| {
        cannot(format!(
            "give the cluster with --target URL (or {}): its definition is what is fetched",
            env::TARGET
        ))
    })?;
    let password = env::password(c.user(), &target).map_err(cannot)?;
    let opts = RunOptions::new(target.clone(), c.user().to_string(), password, client);
    let (bytes, release) = runtime().block_on(async {
        let t = Target::new(&opts).map_err(|e| cannot(e.to_string()))?;
        let cluster = t
            .get_for_run("/api/cluster?fields=version")
            .await
            .map_err(|e| cannot(e.to_string()))?;
        let release = cluster_release(cluster.body.as_ref()).ok_or_else(|| {
            cannot(format!(
                "GET /api/cluster on {target} answered HTTP {} without a version: the release \
                 its definition documents is not known",
                cluster.status
            ))
        })?;
        let bytes = download(&opts, &t.url("/docs/api/swagger.yaml"))
            .await
            .map_err(cannot)?;
        Ok::<_, CliError>((bytes, release))
    })?;
    let host = url::Url::parse(&target)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            })
        })
        .unwrap_or(target);
    let source = format!("{host} /docs/api/swagger.yaml");
    let imported =
        import::import(&bytes, &source, Some(&release)).map_err(|e| cannot(e.to_string()))?;
    write_imported(&imported, output, "spec fetch")
}

/// The release a cluster record reports: `generation.major.minor`, else its banner's number.
fn cluster_release(body: Option<&serde_json::Value>) -> Option<String> {
    let v = body?.get("version")?;
    let parts =
        ["generation", "major", "minor"].map(|k| v.get(k).and_then(serde_json::Value::as_u64));
    if let [Some(g), Some(m), Some(n)] = parts {
        return Some(format!("{g}.{m}.{n}"));
    }
    let full = v.get("full")?.as_str()?;
    crate::spec::Version::parse(full).map(|v| v.to_string())
}

/// `GET url` as the run's account, its body whole (up to [`MAX_DEFINITION_BYTES`]); a refusal
/// or an error page is said in words.
async fn download(opts: &RunOptions, url: &str) -> Result<Vec<u8>, String> {
    let client = run::http::client(&opts.client)?;
    let mut resp = client
        .get(url)
        .header(
            "accept",
            "application/yaml, text/yaml, application/json, */*",
        )
        .basic_auth(&opts.user, Some(opts.password.expose()))
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot reach the target {}: {}",
                opts.target,
                run::http::describe_error(e)
            )
        })?;
    match resp.status().as_u16() {
        200 => {}
        401 | 403 => {
            return Err(format!(
                "the target {} refused the credentials of `{}` for /docs/api/swagger.yaml (HTTP \
                 {}); set {} and --user",
                opts.target,
                opts.user,
                resp.status().as_u16(),
                env::PASSWORD
            ));
        }
        404 => {
            return Err(format!(
                "the target {} serves no /docs/api/swagger.yaml (HTTP 404): ONTAP serves its \
                 definition there from 9.6; a copy of the file can be given to `spec import`",
                opts.target
            ));
        }
        s => {
            return Err(format!(
                "GET /docs/api/swagger.yaml on {} answered HTTP {s}",
                opts.target
            ));
        }
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        format!(
            "the definition was cut short after {} bytes: {}",
            bytes.len(),
            run::http::describe_error(e)
        )
    })? {
        if bytes.len() + chunk.len() > MAX_DEFINITION_BYTES {
            return Err(format!(
                "the definition is over {} MiB: not what ONTAP serves; reading stopped",
                MAX_DEFINITION_BYTES / 1024 / 1024
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
