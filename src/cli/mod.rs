//! The command line: parses arguments, calls the library, prints, and owns the exit codes.
//!
//! One file per command (`run.rs`, `emulate.rs` and `replay.rs` for `emulate --check-recording`,
//! `evidence.rs`, `spec.rs` for `spec check`, `spec table`, `spec import` and `spec fetch`,
//! `spec_diff.rs` for `spec diff`, `diff.rs`, `merge.rs`, `cleanup.rs`), plus `conn.rs` (how to
//! reach and log in to a target) and
//! `progress.rs` (the display while cases run). Each command returns
//! `Result<Verdict, CliError>`, and [`main`] alone turns that into the exit code, so the codes
//! mean one thing each and scripts can branch on them:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | [`Verdict::Passed`]: every case passed, the check found nothing |
//! | 1 | [`Verdict::Failed`]: a case failed (for `diff`: a case that passed in OLD fails in NEW; for `spec diff`: something a case relies on is gone in NEW) |
//! | 2 | [`CliError`]: the run could not be made (config, spec, cases, target, reports) |
//! | 130 | a second Ctrl-C during `run`: exits at once, see [`EXIT_INTERRUPTED`] |

/// `println!` that survives a closed stdout: `ontap-conform cases list | head` closes the pipe
/// after ten lines, and `println!` would panic on the next. The command goes on to its verdict
/// (its exit code stays what it found); what the reader did not want is not written.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that survives a closed stdout; see [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

mod case_args;
mod cases;
mod cleanup;
mod conn;
mod diff;
mod doctor;
mod emulate;
mod evidence;
mod merge;
mod progress;
mod replay;
mod run;
mod scaffold;
mod session;
mod spec;
mod spec_diff;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::Diagnostics;
use crate::run::Partition;
pub use case_args::CaseArgs;
pub use conn::ConnArgs;

/// Exit code: every case passed / the check found nothing.
pub const EXIT_OK: u8 = 0;
/// Exit code: at least one case failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: the run could not be made.
pub const EXIT_ERROR: u8 = 2;
/// Exit code: a second Ctrl-C during `run`. The only code not returned through [`main`]: the
/// point of a second Ctrl-C is a teardown that hangs, so `run` exits from its signal task.
pub const EXIT_INTERRUPTED: i32 = 130;

/// What a command that could be made found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Everything passed (exit 0).
    Passed,
    /// A case failed, or `diff` found a regression (exit 1).
    Failed,
}

/// Why a command could not be made (exit 2). Each variant carries what `main` prints to stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The spec does not load; `then` says what was not done because of it.
    #[error("{diags}{}", then.as_ref().map(|t| format!("\n{t}")).unwrap_or_default())]
    Spec {
        diags: Diagnostics,
        then: Option<String>,
    },
    /// The case files do not load against the spec.
    #[error("{diags}\n{then}")]
    Cases { diags: Diagnostics, then: String },
    /// `spec check`: documented error codes or success statuses that no case expects, one line
    /// each, then the count.
    #[error("{}", .0.join("\n"))]
    Uncovered(Vec<String>),
    /// Anything else that stops a command (a flag, the password, the target, the emulator, a
    /// report that cannot be read or written): `command: message`.
    #[error("{command}: {message}")]
    Cannot {
        command: &'static str,
        message: String,
    },
    /// `run` was stopped by a Ctrl-C: the reports are written, but the suite did not run whole.
    #[error(
        "run: interrupted; the running cases' teardowns ran, the cases not started are skipped"
    )]
    Interrupted,
    /// `cleanup` could not delete some leftovers. It has already listed each one on stdout, beside
    /// the deletions that worked, so nothing more is printed.
    #[error("")]
    CleanupIncomplete { failed: usize },
}

impl CliError {
    fn cannot(command: &'static str, message: impl std::fmt::Display) -> Self {
        CliError::Cannot {
            command,
            message: message.to_string(),
        }
    }
}

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
    Run(Box<RunArgs>),
    /// Check, before a run, what it would do: reach the target (TLS), log in, read its ONTAP
    /// version, the account's role and the SVMs, and count the cases that would run and those
    /// that would be skipped, and why, with the requests the run would send. Takes the same flags
    /// as `run` and sends only GETs. Exit 0 when a run would judge something, 2 otherwise.
    Doctor(Box<RunArgs>),
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
        /// Serve nothing: replay this recording (`run --record DIR`) against a fresh emulator,
        /// case by case, and list every difference in status, error code and body shape. Exits 1
        /// when there is one.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["tls", "write_cert"])]
        check_recording: Option<PathBuf>,
        /// Break one documented behaviour in front of the emulator, to measure a checker
        /// against it (repeatable): error-without-message, job-uuid-not-uuid, password-echoed,
        /// read-only-write-carried-out, order-by-ignored, next-link-loops, max-records-ignored,
        /// num-records-off, keys-dropped-by-fields, self-link-elsewhere, head-refused,
        /// options-without-allow; on one resource of NetApp's imported API:
        /// volumes-fields-ignored, interfaces-order-by-ignored, luns-error-without-message,
        /// snapshots-next-link-loops, ldap-bind-password-returned; or change something
        /// harmless a checker must pass: reordered-keys, extra-field, pretty-json,
        /// other-message, absolute-location.
        #[arg(long = "fault", value_name = "NAME", value_parser = crate::emulator::faults::Fault::parse)]
        faults: Vec<crate::emulator::faults::Fault>,
        /// A fresh cluster's records from this file: a top-level collection's path to
        /// `{"basis": "...", "records": [...]}` (the shape of the emulator's own fresh.json);
        /// each collection given replaces its seeded records, on start and on every reset.
        #[arg(long, value_name = "FILE", conflicts_with = "check_recording")]
        state: Option<PathBuf>,
    },
    /// Read recordings (`run --record DIR`) and print, per operation and ONTAP error code, what
    /// the target answered (status, code, message, target, body keys), as YAML to paste into the
    /// spec as an `observed` source, and every answer whose status is not the spec's.
    Evidence {
        /// Recording directories written by `run --record DIR`.
        #[arg(required = true, value_name = "DIR")]
        recordings: Vec<PathBuf>,
        /// The spec file; the copy built into the binary when omitted.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Print JSON instead of YAML.
        #[arg(long)]
        json: bool,
    },
    /// Check the spec (and the cases against it), print its table, or import NetApp's own
    /// definition of the API (from a file or a cluster).
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
    /// Compare two runs' conformance.json: newly failing, newly passing, new and removed cases.
    /// Exits 1 when a case that passed in OLD fails in NEW.
    Diff {
        /// The earlier run's conformance.json (the last green build's, in a CI gate).
        old: PathBuf,
        /// The later run's conformance.json.
        new: PathBuf,
        /// Print the differences as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Merge the conformance.json of several shards (`run --partition K/N`) into one set of
    /// reports. Exits 1 when a merged case failed.
    Merge {
        /// Each shard's conformance.json (`run --partition K/N`); together they must make the
        /// whole partition.
        #[arg(required = true, value_name = "SHARD.json")]
        reports: Vec<PathBuf>,
        /// Where the merged reports go.
        #[arg(long, default_value = "reports")]
        report_dir: PathBuf,
    },
    /// List the cases a run would load (the built-in suite and any `--cases`), or show one.
    Cases {
        #[command(subcommand)]
        command: CasesCommand,
    },
    /// Delete what earlier interrupted runs left on a target: every object the cases (and the
    /// generated checks) create whose name carries a run id (`oc` + 6 hex digits).
    Cleanup {
        #[command(flatten)]
        conn: ConnArgs,
        /// The spec file; the copy built into the binary when omitted.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The overlays the run had (their generated checks' names are looked for too).
        #[arg(long = "spec-overlay", value_name = "FILE")]
        spec_overlay: Vec<PathBuf>,
        #[command(flatten)]
        cases: CaseArgs,
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Run cases that change cluster state against a real cluster [env: ONTAP_ALLOW_DESTRUCTIVE=1].
    #[arg(long)]
    pub allow_destructive: bool,
    /// The SVM (name or UUID) the cases use and their throwaway objects go to; the first by name
    /// when omitted [env: ONTAP_SVM].
    #[arg(long, value_name = "NAME")]
    pub svm: Option<String>,
    /// Where the reports go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Cases run at once (default 16: the runner waits on the network, not the CPU).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run only cases whose id, tag, area or operation matches (repeatable).
    #[arg(long)]
    pub filter: Vec<String>,
    /// The spec file; the copy built into the binary when omitted.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// An OpenAPI fragment of your own endpoints to add to the spec (repeatable).
    #[arg(long = "spec-overlay", value_name = "FILE")]
    pub spec_overlay: Vec<PathBuf>,
    /// NetApp's definition to use as the imported layer instead of the built-in 9.8 one: a file
    /// `spec fetch` or `spec import` wrote (your cluster's own release), under the curated spec.
    #[arg(long, value_name = "FILE")]
    pub imported: Option<PathBuf>,
    #[command(flatten)]
    pub cases: CaseArgs,
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
    /// Fail a case on a broken convention of this suite (the default against the embedded
    /// emulator, which is ours and must keep them).
    #[arg(long, conflicts_with = "lenient")]
    pub strict: bool,
    /// Report a broken convention as a deviation, never a failure; documented and observed
    /// expectations still fail (the default against a --target).
    #[arg(long)]
    pub lenient: bool,
    /// Write every request and answer of the run, redacted, under DIR (one JSON file per
    /// exchange) for `evidence` and `emulate --check-recording`.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum CasesCommand {
    /// Every case: id, operation, what its main step expects, whether it changes the cluster.
    List {
        #[command(flatten)]
        cases: CaseArgs,
        /// An OpenAPI fragment of your own endpoints to add to the spec (repeatable), as on
        /// `run`: the cases of its operations load only with it.
        #[arg(long = "spec-overlay", value_name = "FILE")]
        spec_overlay: Vec<PathBuf>,
    },
    /// Write a case file skeleton from the spec: the request the operation's sample sends (or
    /// the body's required fields), the path parameters, the expected status or documented
    /// code, the setup and teardown it needs. It does not load until its TODOs are filled in.
    New {
        /// The operation, as the spec names it: "POST /api/protocols/san/iscsi/credentials".
        #[arg(long)]
        operation: String,
        /// A documented ONTAP error code of the operation: an error case.
        #[arg(long)]
        code: Option<String>,
        /// An OpenAPI fragment of your own endpoints to add to the spec (repeatable), as on
        /// `run`: a skeleton for one of its operations.
        #[arg(long = "spec-overlay", value_name = "FILE")]
        spec_overlay: Vec<PathBuf>,
        /// Where to write it (refuses to overwrite); stdout when omitted.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// One case file as written, to copy as the start of your own.
    Show {
        /// The case id (`cases list` shows them).
        id: String,
        #[command(flatten)]
        cases: CaseArgs,
        /// An OpenAPI fragment of your own endpoints to add to the spec (repeatable), as on
        /// `run`: the cases of its operations load only with it.
        #[arg(long = "spec-overlay", value_name = "FILE")]
        spec_overlay: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SpecCommand {
    /// Load and check the spec: YAML, refs, schemas, x-ontap-errors, success responses.
    Check {
        /// The spec file; the copy built into the binary when omitted.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// An OpenAPI fragment of your own endpoints to add to the spec (repeatable).
        #[arg(long = "spec-overlay", value_name = "FILE")]
        spec_overlay: Vec<PathBuf>,
        #[command(flatten)]
        cases: CaseArgs,
        /// NetApp's definition to use as the imported layer instead of the built-in one (a file
        /// `spec fetch` or `spec import` wrote).
        #[arg(long, value_name = "FILE")]
        imported: Option<PathBuf>,
        /// Also fail on the imported layer's documented codes and statuses without a case
        /// (`imported`); by default they are counted and reported.
        #[arg(long = "require-coverage", value_name = "LAYER", value_parser = ["imported"])]
        require_coverage: Option<String>,
    },
    /// Print the operations as a Markdown table (operation, introduced in, statuses, error codes).
    Table {
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Only the operations of one layer: curated, imported or overlay.
        #[arg(long, value_parser = parse_layer)]
        layer: Option<crate::spec::Layer>,
    },
    /// Compare two specs: operations added and removed, and per operation its ONTAP error codes,
    /// success statuses, query parameters and the fields of its request and success bodies
    /// (type, format, access, enum values, introduced in). Exits 1 when something a case relies
    /// on is gone in NEW, 2 when an input cannot be read; differences alone exit 0.
    Diff {
        /// The spec compared against: a file in this project's form (YAML or JSON, gzip or
        /// not), or `builtin` for the spec built into the binary.
        old: String,
        /// The spec judged: the same kinds as OLD (a cluster's definition as `spec fetch`
        /// writes it, a newer release's import).
        new: String,
        /// Print the differences as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// A directory of case files whose needs are checked beside the built-in suite's
        /// (repeatable).
        #[arg(long = "cases", value_name = "DIR")]
        cases: Vec<PathBuf>,
        /// Check only the cases of `--cases`, not the suite built into the binary.
        #[arg(long)]
        no_builtin_cases: bool,
        /// An OpenAPI fragment of your own endpoints (repeatable), as on `run`: added to both
        /// specs where they lack its operations, and to the spec the cases load against.
        #[arg(long = "spec-overlay", value_name = "FILE")]
        spec_overlay: Vec<PathBuf>,
    },
    /// Import NetApp's own definition of the API (the Swagger 2.0 file a cluster serves at
    /// /docs/api/swagger.yaml, or a copy of it) into this project's form: OpenAPI 3.0.3 with
    /// every error table row as an x-ontap-errors entry and NetApp's access markers mapped,
    /// written as JSON. JSON is YAML, so `spec check --spec OUT` and `run --spec OUT` read it as
    /// it is. What was read irregularly or skipped is printed to stderr, one warning each, with a
    /// count; a file that is not NetApp's swagger is refused (exit 2).
    Import {
        /// NetApp's swagger: YAML or JSON, gzipped or not (gzip is recognised by its first bytes,
        /// not the name); `-` reads stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write the spec (gzipped when the name ends in .gz); stdout when omitted.
        #[arg(long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// The ONTAP release the file documents (9.8, 9.14.1); when omitted, the file's own
        /// info.version if it is a release, else the release in the file's name.
        #[arg(long, value_name = "R")]
        release: Option<String>,
    },
    /// Download a cluster's own definition (GET /docs/api/swagger.yaml, with the run's TLS and
    /// credential options; the password from ONTAP_PASSWORD) and import it as `spec import` does,
    /// as the release the cluster reports (GET /api/cluster): the API a team's cluster documents,
    /// to check it against (`spec check --spec OUT`, `run --spec OUT`).
    Fetch {
        #[command(flatten)]
        conn: ConnArgs,
        /// Where to write the spec (gzipped when the name ends in .gz); stdout when omitted.
        #[arg(long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
}

fn parse_layer(s: &str) -> Result<crate::spec::Layer, String> {
    use crate::spec::Layer;
    [Layer::Curated, Layer::Imported, Layer::Overlay]
        .into_iter()
        .find(|l| l.as_str() == s)
        .ok_or_else(|| format!("`{s}` is not a layer: curated, imported or overlay"))
}

/// Runs the command line and returns the process exit code: the one place results become codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Doctor(args) => doctor::doctor(*args),
        Command::Emulate {
            listen,
            tls,
            ontap_version,
            write_cert,
            check_recording: None,
            faults,
            state,
        } => emulate::emulate(listen, tls, ontap_version, write_cert, faults, state),
        Command::Emulate {
            check_recording: Some(dir),
            ..
        } => replay::check_recording(&dir),
        Command::Evidence {
            recordings,
            spec,
            json,
        } => evidence::evidence(&recordings, spec, json),
        Command::Spec {
            command:
                SpecCommand::Check {
                    spec,
                    spec_overlay,
                    cases,
                    imported,
                    require_coverage,
                },
        } => spec::check(
            spec,
            imported,
            &spec_overlay,
            &cases,
            require_coverage.is_some(),
        ),
        Command::Spec {
            command: SpecCommand::Table { spec, layer },
        } => spec::table(spec, layer),
        Command::Spec {
            command:
                SpecCommand::Diff {
                    old,
                    new,
                    json,
                    cases,
                    no_builtin_cases,
                    spec_overlay,
                },
        } => spec_diff::diff(
            &old,
            &new,
            json,
            &spec_diff::DiffCases {
                dirs: &cases,
                no_builtin: no_builtin_cases,
            },
            &spec_overlay,
        ),
        Command::Spec {
            command:
                SpecCommand::Import {
                    file,
                    output,
                    release,
                },
        } => spec::import(&file, output.as_deref(), release.as_deref()),
        Command::Spec {
            command: SpecCommand::Fetch { conn, output },
        } => spec::fetch(&conn, output.as_deref()),
        Command::Diff { old, new, json } => diff::diff(&old, &new, json),
        Command::Merge {
            reports,
            report_dir,
        } => merge::merge(&reports, &report_dir),
        Command::Cleanup {
            conn,
            spec,
            spec_overlay,
            cases,
            dry_run,
        } => cleanup::cleanup(conn, spec, &spec_overlay, &cases, dry_run),
        Command::Cases {
            command:
                CasesCommand::List {
                    cases,
                    spec_overlay,
                },
        } => cases::list(&cases, &spec_overlay),
        Command::Cases {
            command:
                CasesCommand::Show {
                    id,
                    cases,
                    spec_overlay,
                },
        } => cases::show(&cases, &spec_overlay, &id),
        Command::Cases {
            command:
                CasesCommand::New {
                    operation,
                    code,
                    spec_overlay,
                    output,
                },
        } => scaffold::new(
            &operation,
            code.as_deref(),
            &spec_overlay,
            output.as_deref(),
        ),
    };
    ExitCode::from(match result {
        Ok(Verdict::Passed) => EXIT_OK,
        Ok(Verdict::Failed) => EXIT_FAILED,
        Err(e) => {
            if !matches!(e, CliError::CleanupIncomplete { .. }) {
                eprintln!("{e}");
            }
            EXIT_ERROR
        }
    })
}

/// A multi-threaded runtime for the commands that talk over the network (run, emulate, cleanup).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can always be built here")
}

/// Logs to stderr at `info`, or as `ONTAP_CONFORM_LOG` says, for `emulate`: its line per
/// request reaches stderr from a thread of its own, many lines to a write under load
/// ([`crate::emulator::LogWriter`]).
fn init_logging() {
    let writer = crate::emulator::LogWriter::stderr();
    // Request lines are written straight in the layout of this subscriber without colours
    // (`LogWriter::with_request_lines`); on a terminal, in colour, they go through tracing.
    let writer = match colours() {
        true => writer,
        false => writer.with_request_lines(),
    };
    init_logging_to("info", writer);
}

/// Logs to stderr at `default`, or as `ONTAP_CONFORM_LOG` says (`debug`, `reqwest=trace`...).
fn init_logging_at(default: &str) {
    init_logging_to(default, std::io::stderr);
}

/// Colour only on a terminal: a CI log or a redirected file gets plain text, not escapes.
fn colours() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none()
}

fn init_logging_to<W>(default: &str, writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONTAP_CONFORM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours())
        .with_timer(crate::emulator::LogTime)
        .with_writer(writer)
        .with_target(false)
        .try_init();
}
