//! The command line: parses arguments, calls the library, prints, and owns the exit codes.
//!
//! Exit codes mean one thing each, so scripts can branch on them: 0 everything passed, 1 a case
//! failed (or `diff` found a regression), 2 the run could not be made (config, spec, cases, target).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use std::sync::Arc;
use std::time::Duration;

use crate::case;
use crate::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use crate::report::{
    self,
    model::{CaseResult, Outcome},
};
use crate::run::{self, Progress, RunOptions, http::ClientOptions};
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
    },
    /// Check the spec (and the cases against it).
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Base URL of the cluster (https://cluster.example.com); the embedded emulator when omitted.
    #[arg(long)]
    pub target: Option<String>,
    /// The account to authenticate as; its password comes from ONTAP_PASSWORD, never a flag.
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// Accept the target's certificate without verifying it (self-signed clusters).
    #[arg(long)]
    pub insecure: bool,
    /// Trust this CA certificate (PEM) for the target.
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
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
    /// Seconds before one request is abandoned.
    #[arg(long, default_value_t = 30)]
    pub request_timeout: u64,
    /// Seconds a job may take to end.
    #[arg(long, default_value_t = 120)]
    pub job_timeout: u64,
    /// The ONTAP version to assume when the target does not say (or to override it).
    #[arg(long)]
    pub ontap_version: Option<String>,
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
        } => emulate(listen, tls, ontap_version),
        Command::Spec {
            command: SpecCommand::Check { spec, cases },
        } => spec_check(spec, &cases),
        Command::Spec {
            command: SpecCommand::Table { spec },
        } => spec_table(spec),
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
    let gaps = case::coverage::gaps(&spec, &cases);
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
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONTAP_CONFORM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn emulate(listen: std::net::SocketAddr, tls: bool, ontap_version: String) -> u8 {
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
        println!("ONTAP emulator listening on {}", emu.base_url());
        println!("cluster admin: {ADMIN_USER} / {ADMIN_PASSWORD} (see README for every account)");
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
    let ca_cert = match &args.ca_cert {
        Some(p) => match std::fs::read(p) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("run: cannot read --ca-cert {}: {e}", p.display());
                return EXIT_ERROR;
            }
        },
        None => None,
    };
    let client = ClientOptions {
        insecure: args.insecure,
        ca_cert,
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    runtime().block_on(async move {
        // The embedded emulator lives as long as the run.
        let mut emulator = None;
        let (target, user, password) = match &args.target {
            Some(t) => match std::env::var("ONTAP_PASSWORD") {
                Ok(p) if !p.is_empty() => (t.clone(), args.user.clone(), Secret::new(p)),
                _ => {
                    eprintln!(
                        "run: set ONTAP_PASSWORD to the password of `{}` for {t}",
                        args.user
                    );
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
            target,
            embedded: emulator.is_some(),
            user,
            password,
            client,
            allow_destructive: args.allow_destructive,
            jobs,
            filter: args.filter.clone(),
            job_timeout: Duration::from_secs(args.job_timeout.max(1)),
            ontap_version: args.ontap_version.clone(),
        };
        let progress: Progress = Arc::new(|r: &CaseResult| {
            if r.outcome == Outcome::Fail {
                let first = r.failures.first().map(|f| f.message.as_str()).unwrap_or("");
                eprintln!("FAIL {}::{}: {first}", r.area, r.id);
            }
        });
        let report = match run::run(spec, cases, opts, Some(progress)).await {
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
        let s = &report.summary;
        println!(
            "target {} (ONTAP {}), {} ms; reports in {}",
            report.target,
            report.ontap_version.as_deref().unwrap_or("unknown"),
            report.duration_ms,
            args.report_dir.display()
        );
        println!(
            "{} passed, {} failed, {} skipped",
            s.passed, s.failed, s.skipped
        );
        if s.failed > 0 { EXIT_FAILED } else { EXIT_OK }
    })
}
