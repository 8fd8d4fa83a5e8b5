//! The command line: parses arguments, calls the library, prints, and owns the exit codes.
//!
//! Exit codes mean one thing each, so scripts can branch on them: 0 everything passed, 1 a case
//! failed (or `diff` found a regression), 2 the run could not be made (config, spec, cases, target).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::case;
use crate::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use crate::report::{self, coverage::Covers};
use crate::run::{self, Partition, Progress, ProgressEvent, RunOptions, http::ClientOptions};
use crate::secret::Secret;
use crate::spec::Spec;

/// Exit code: every case passed / the check found nothing.
pub const EXIT_OK: u8 = 0;
/// Exit code: at least one case failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: the run could not be made.
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "ontap-conform",
    version,
    about = "Contract tests for NetApp ONTAP's REST API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the cases against a target (the embedded emulator when --target is omitted) and write
    /// conformance.json, junit.xml and conformance.html.
    Run(RunArgs),
    /// Serve the embedded ONTAP emulator alone.
    Emulate {
        /// Address to listen on, e.g. 127.0.0.1:8443 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Serve HTTPS with a self-signed certificate made at start, as ONTAP clusters do.
        #[arg(long)]
        tls: bool,
        /// The ONTAP version GET /api/cluster reports.
        #[arg(long, default_value = "9.14.1")]
        ontap_version: String,
        /// With --tls: write the certificate (PEM) here, for clients to trust with --ca-cert.
        #[arg(long, requires = "tls")]
        write_cert: Option<PathBuf>,
    },
    /// Check the spec (and the cases against it).
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
    /// Compare two runs' conformance.json: newly failing, newly passing, new and removed cases.
    /// Exits 1 when a case that passed in OLD fails in NEW.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// Print the differences as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Merge the conformance.json of several shards (`run --partition K/N`) into one set of
    /// reports. Exits 1 when a merged case failed.
    Merge {
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Where the merged reports go.
        #[arg(long, default_value = "reports")]
        report_dir: PathBuf,
    },
    /// Delete what earlier interrupted runs left on a target: iSCSI credentials and accounts whose
    /// names carry a run id (`oc` + 6 hex digits).
    Cleanup {
        /// Base URL of the cluster.
        #[arg(long)]
        target: String,
        #[command(flatten)]
        conn: ConnArgs,
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
}

/// How to reach and log in to a target; shared by every command that talks to one.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnArgs {
    /// The account to authenticate as; its password comes from ONTAP_PASSWORD, never a flag.
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// Accept the target's certificate without verifying it (self-signed clusters).
    #[arg(long)]
    pub insecure: bool,
    /// Trust this CA certificate (PEM) for the target.
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
    /// Seconds before one request is abandoned.
    #[arg(long, default_value_t = 30)]
    pub request_timeout: u64,
}

impl ConnArgs {
    fn client(&self) -> Result<ClientOptions, String> {
        let ca_cert = match &self.ca_cert {
            Some(p) => Some(
                std::fs::read(p)
                    .map_err(|e| format!("cannot read --ca-cert {}: {e}", p.display()))?,
            ),
            None => None,
        };
        Ok(ClientOptions {
            insecure: self.insecure,
            ca_cert,
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
        })
    }
}

/// The target's password: from the environment only, so it never lands in shell history or a
/// process listing.
fn password_from_env(user: &str, target: &str) -> Result<Secret, String> {
    match std::env::var("ONTAP_PASSWORD") {
        Ok(p) if !p.is_empty() => Ok(Secret::new(p)),
        _ => Err(format!(
            "set ONTAP_PASSWORD to the password of `{user}` for {target}"
        )),
    }
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Base URL of the cluster (https://cluster.example.com); the embedded emulator when omitted.
    #[arg(long)]
    pub target: Option<String>,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Run cases that change cluster state against a real cluster.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Where the reports go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Cases run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run only cases whose id, tag, area or operation matches (repeatable).
    #[arg(long)]
    pub filter: Vec<String>,
    /// The spec file; the copy built into the binary when omitted.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// The case files.
    #[arg(long, default_value = "cases")]
    pub cases: PathBuf,
    /// Seconds a job may take to end.
    #[arg(long, default_value_t = 120)]
    pub job_timeout: u64,
    /// The ONTAP version to assume when the target does not say (or to override it).
    #[arg(long)]
    pub ontap_version: Option<String>,
    /// Run only share K of N of the selected cases (K/N, count:K/N or hash:K/N), so N machines
    /// split one suite; `merge` joins their reports.
    #[arg(long)]
    pub partition: Option<Partition>,
}

#[derive(Subcommand, Debug)]
pub enum SpecCommand {
    /// Load and check the spec: YAML, refs, schemas, x-ontap-errors, success responses.
    Check {
        /// The spec file; the copy built into the binary when omitted.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The case files to check against the spec.
        #[arg(long, default_value = "cases")]
        cases: PathBuf,
    },
    /// Print the operations as a Markdown table (operation, introduced in, statuses, error codes).
    Table {
        #[arg(long)]
        spec: Option<PathBuf>,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Command::Run(args) => run_command(args),
        Command::Emulate {
            listen,
            tls,
            ontap_version,
            write_cert,
        } => emulate(listen, tls, ontap_version, write_cert),
        Command::Spec {
            command: SpecCommand::Check { spec, cases },
        } => spec_check(spec, &cases),
        Command::Spec {
            command: SpecCommand::Table { spec },
        } => spec_table(spec),
        Command::Diff { old, new, json } => diff(&old, &new, json),
        Command::Merge {
            reports,
            report_dir,
        } => merge(&reports, &report_dir),
        Command::Cleanup {
            target,
            conn,
            dry_run,
        } => cleanup(target, conn, dry_run),
    })
}

fn spec_check(path: Option<PathBuf>, cases_dir: &Path) -> u8 {
    let spec = match Spec::load(path.as_deref()) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("{d}");
            eprintln!(
                "spec check: {} problem(s); nothing else was checked",
                d.0.len()
            );
            return EXIT_ERROR;
        }
    };
    let seed_ops = spec.seed_operations().count();
    let seed_codes: usize = spec.seed_operations().map(|o| o.errors.len()).sum();
    let total_codes = spec.error_pairs().count();
    println!("spec: {}", spec.file.display());
    println!(
        "operations: {} ({} from the seed pages, {} supporting)",
        spec.operations.len(),
        seed_ops,
        spec.operations.len() - seed_ops
    );
    println!("error codes: {total_codes} documented ({seed_codes} over the seed operations)");
    println!("schemas: {}", spec.schema_names.len());
    let cases = match case::load_dir(cases_dir, &spec) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            eprintln!("spec check: {} problem(s) in the case files", d.0.len());
            return EXIT_ERROR;
        }
    };
    println!("cases: {} in {}", cases.len(), cases_dir.display());
    let covers: Vec<Covers> = cases.iter().flat_map(|c| run::covers(c, &spec)).collect();
    let gaps = report::coverage::gaps(&spec, &covers);
    for (op, code) in &gaps.errors {
        eprintln!("no case expects ONTAP error {code} from {op}");
    }
    for (op, status) in &gaps.statuses {
        eprintln!("no case expects status {status} from {op}");
    }
    if !gaps.is_empty() {
        eprintln!(
            "spec check: {} documented error code(s) and {} success status(es) have no case",
            gaps.errors.len(),
            gaps.statuses.len()
        );
        return EXIT_ERROR;
    }
    println!("coverage: every documented error code and success status has a case");
    EXIT_OK
}

fn spec_table(path: Option<PathBuf>) -> u8 {
    let spec = match Spec::load(path.as_deref()) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("{d}");
            return EXIT_ERROR;
        }
    };
    println!("| operation | introduced in | documented statuses | ONTAP error codes |");
    println!("|---|---|---|---|");
    for op in &spec.operations {
        let statuses: Vec<&str> = op.responses.keys().map(String::as_str).collect();
        println!(
            "| `{}`{} | {} | {} | {} |",
            op.key(),
            if op.supporting { " (supporting)" } else { "" },
            op.introduced_in
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
            statuses.join(", "),
            op.errors.len()
        );
    }
    EXIT_OK
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can always be built here")
}

fn init_logging() {
    init_logging_at("info");
}

/// Logs to stderr at `default`, or as `ONTAP_CONFORM_LOG` says (`debug`, `reqwest=trace`...).
fn init_logging_at(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONTAP_CONFORM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn emulate(
    listen: std::net::SocketAddr,
    tls: bool,
    ontap_version: String,
    write_cert: Option<PathBuf>,
) -> u8 {
    init_logging();
    runtime().block_on(async move {
        let config = EmulatorConfig {
            tls,
            ontap_version,
            ..EmulatorConfig::default()
        };
        let emu = match Emulator::start(listen, config).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("emulate: {e}");
                return EXIT_ERROR;
            }
        };
        if let (Some(path), Some(pem)) = (&write_cert, emu.certificate_pem())
            && let Err(e) = report::write_atomic(path, pem.as_bytes())
        {
            eprintln!("emulate: cannot write the certificate to {}: {e}", path.display());
            return EXIT_ERROR;
        }
        // `writeln!`, not `println!`: a reader that closes the pipe after the URL line
        // (`| head -1`) must not take the emulator down with it.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "ONTAP emulator listening on {}", emu.base_url());
        // No password here: this is a log line like any other. They are in the README.
        let _ = writeln!(
            out,
            "cluster admin: {ADMIN_USER} (its password and every other account: README, \"The embedded emulator\")"
        );
        let _ = out.flush();
        let handle = emu.shutdown_handle();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            handle.trigger();
        });
        emu.serve_forever().await;
        EXIT_OK
    })
}

fn run_command(args: RunArgs) -> u8 {
    init_logging_at("warn");
    let spec = match Spec::load(args.spec.as_deref()) {
        Ok(s) => Arc::new(s),
        Err(d) => {
            eprintln!("{d}");
            eprintln!(
                "run: the spec has {} problem(s); nothing was run",
                d.0.len()
            );
            return EXIT_ERROR;
        }
    };
    let cases = match case::load_dir(&args.cases, &spec) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            eprintln!(
                "run: {} problem(s) in the case files; nothing was run",
                d.0.len()
            );
            return EXIT_ERROR;
        }
    };
    let client = match args.conn.client() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("run: {e}");
            return EXIT_ERROR;
        }
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let interrupt = Arc::new(AtomicBool::new(false));
    runtime().block_on(async move {
        watch_ctrl_c(interrupt.clone());
        // The embedded emulator lives as long as the run.
        let mut emulator = None;
        let (target, user, password) = match &args.target {
            Some(t) => match password_from_env(&args.conn.user, t) {
                Ok(p) => (t.clone(), args.conn.user.clone(), p),
                Err(e) => {
                    eprintln!("run: {e}");
                    return EXIT_ERROR;
                }
            },
            None => match Emulator::start(
                "127.0.0.1:0".parse().expect("a literal address"),
                EmulatorConfig::default(),
            )
            .await
            {
                Ok(e) => {
                    let url = e.base_url();
                    emulator = Some(e);
                    (url, ADMIN_USER.to_string(), Secret::new(ADMIN_PASSWORD))
                }
                Err(e) => {
                    eprintln!("run: cannot start the embedded emulator: {e}");
                    return EXIT_ERROR;
                }
            },
        };
        let opts = RunOptions {
            embedded: emulator.is_some(),
            allow_destructive: args.allow_destructive,
            jobs,
            filter: args.filter.clone(),
            job_timeout: Duration::from_secs(args.job_timeout.max(1)),
            ontap_version: args.ontap_version.clone(),
            partition: args.partition,
            interrupt: Some(interrupt.clone()),
            ..RunOptions::new(target, user, password, client)
        };
        let display = ProgressDisplay::new();
        let progress: Progress = {
            let display = display.clone();
            Arc::new(move |e: ProgressEvent<'_>| display.event(e))
        };
        let report = run::run(spec, cases, opts, Some(progress)).await;
        display.finish();
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                eprintln!("run: {e}");
                return EXIT_ERROR;
            }
        };
        if let Some(e) = emulator {
            e.shutdown().await;
        }
        if let Err(e) = report::write_all(&args.report_dir, &report) {
            eprintln!(
                "run: cannot write the reports to {}: {e}",
                args.report_dir.display()
            );
            return EXIT_ERROR;
        }
        print!(
            "{}",
            report::text::summary(&report, &args.report_dir.display().to_string())
        );
        if report.interrupted {
            eprintln!(
                "run: interrupted; the running cases' teardowns ran, the cases not started are skipped"
            );
            EXIT_ERROR
        } else if report.summary.has_failures() {
            EXIT_FAILED
        } else {
            EXIT_OK
        }
    })
}

/// The first Ctrl-C stops the run gently (running cases finish their teardown, so nothing is
/// left on the cluster); a second one exits at once, for a teardown that hangs.
fn watch_ctrl_c(flag: Arc<AtomicBool>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        flag.store(true, Ordering::SeqCst);
        eprintln!(
            "interrupted: finishing the running cases' teardowns, then writing the reports (Ctrl-C again to exit now)"
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("interrupted twice: exiting without teardown or reports");
            std::process::exit(130);
        }
    });
}

/// Progress while cases run: a bar on a terminal, and in CI (no terminal) one line per failing
/// case, as it fails, so a long run's log shows trouble before the end.
#[derive(Clone)]
struct ProgressDisplay {
    bar: Option<indicatif::ProgressBar>,
    failed: Arc<std::sync::atomic::AtomicUsize>,
}

impl ProgressDisplay {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            // Hidden until the run says how many cases it selected, so it never shows 0/0.
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(0),
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} cases, {msg} [{elapsed}]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("0 failed");
            bar
        });
        ProgressDisplay {
            bar,
            failed: Arc::default(),
        }
    }

    fn event(&self, e: ProgressEvent<'_>) {
        match (e, &self.bar) {
            (ProgressEvent::Selected(n), Some(bar)) => {
                bar.set_length(n as u64);
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            (ProgressEvent::Selected(_), None) => {}
            (ProgressEvent::Finished(r), bar) => {
                let failed = r.outcome.is_failing();
                match bar {
                    Some(bar) => {
                        if failed {
                            bar.println(report::text::fail_line(r));
                            let n = self.failed.fetch_add(1, Ordering::SeqCst) + 1;
                            bar.set_message(format!("{n} failed"));
                        }
                        bar.inc(1);
                    }
                    None if failed => eprintln!("{}", report::text::fail_line(r)),
                    None => {}
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn diff(old: &Path, new: &Path, as_json: bool) -> u8 {
    let (a, b) = match (
        report::json::read_report(old),
        report::json::read_report(new),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("diff: {e}");
            return EXIT_ERROR;
        }
    };
    let d = report::diff::diff(&a, &b);
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&d).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
    } else {
        print!("{}", report::diff::render_text(&d, &a, &b));
    }
    if d.has_regression() {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn merge(paths: &[PathBuf], report_dir: &Path) -> u8 {
    let mut reports = Vec::new();
    for p in paths {
        match report::json::read_report(p) {
            Ok(r) => reports.push((p.display().to_string(), r)),
            Err(e) => {
                eprintln!("merge: {e}");
                return EXIT_ERROR;
            }
        }
    }
    let merged = match report::merge::merge(&reports) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("merge: {e}");
            return EXIT_ERROR;
        }
    };
    if let Err(e) = report::write_all(report_dir, &merged) {
        eprintln!(
            "merge: cannot write the reports to {}: {e}",
            report_dir.display()
        );
        return EXIT_ERROR;
    }
    println!("merged {} reports", reports.len());
    print!(
        "{}",
        report::text::summary(&merged, &report_dir.display().to_string())
    );
    if merged.summary.has_failures() {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn cleanup(target: String, conn: ConnArgs, dry_run: bool) -> u8 {
    let client = match conn.client() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cleanup: {e}");
            return EXIT_ERROR;
        }
    };
    let password = match password_from_env(&conn.user, &target) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cleanup: {e}");
            return EXIT_ERROR;
        }
    };
    let opts = RunOptions::new(target.clone(), conn.user.clone(), password, client);
    let found = match runtime().block_on(run::cleanup::cleanup(&opts, dry_run)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cleanup: {e}");
            return EXIT_ERROR;
        }
    };
    let mut failed = 0;
    for l in &found.leftovers {
        match &l.removed {
            None => println!("would delete {} {}", l.kind, l.name),
            Some(Ok(())) => println!("deleted {} {}", l.kind, l.name),
            Some(Err(e)) => {
                failed += 1;
                println!("could not delete {} {}: {e}", l.kind, l.name);
            }
        }
    }
    for s in &found.settings {
        println!("note: {s} (cleanup cannot know what it was before a run; check it)");
    }
    let n = found.leftovers.len();
    if dry_run {
        println!("{n} leftover(s) found on {target}; nothing deleted (--dry-run)");
    } else {
        println!(
            "{} leftover(s) deleted, {failed} could not be, on {target}",
            n - failed
        );
    }
    if failed > 0 { EXIT_ERROR } else { EXIT_OK }
}
