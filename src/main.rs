//! The `ontap-conform` binary: argument parsing and exit codes only; the work is in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    ontap_conform::cli::main()
}
