//! The command line: parses arguments, calls the library, prints, and owns the exit codes.
//!
//! Exit codes mean one thing each, so scripts can branch on them: 0 everything passed, 1 a case
//! failed (or `diff` found a regression), 2 the run could not be made (config, spec, cases, target).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::case;
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
    /// Check the spec (and the cases against it).
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
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
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Command::Spec {
            command: SpecCommand::Check { spec, cases },
        } => spec_check(spec, &cases),
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
