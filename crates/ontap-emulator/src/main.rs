//! The `ontap-emulator` binary: `ontap-emulator --listen 127.0.0.1:PORT [--tls]
//! [--ontap-version 9.14.1] [--fault NAME]... [--state FILE]`. Prints the base URL on stdout once listening; stops on Ctrl-C.
//!
//! For outside clients (NetApp's Python client, Schemathesis: `scripts/lib.sh`) that need the
//! emulator without the harness. `ontap-conform emulate` serves the same emulator with friendlier
//! output.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use ontap_emulator::{Emulator, EmulatorConfig};

/// mimalloc instead of glibc's malloc: the emulator allocates a few small JSON maps per request
/// from many threads, where glibc's allocator spent about a sixth of the emulator's time under
/// load (perf, `scripts/bench/load.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Serve the ONTAP REST emulator.
#[derive(Parser, Debug)]
#[command(name = "ontap-emulator", version)]
struct Args {
    /// Address to listen on, e.g. 127.0.0.1:8443 (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Serve HTTPS with a self-signed certificate made at start, as ONTAP clusters do.
    #[arg(long)]
    tls: bool,
    /// The ONTAP version GET /api/cluster reports.
    #[arg(long, default_value = "9.14.1")]
    ontap_version: String,
    /// Break one documented behaviour (or change something harmless) in front of the emulator,
    /// to measure a checker against it (repeatable); see `ontap_emulator::faults`.
    #[arg(long = "fault", value_name = "NAME", value_parser = ontap_emulator::faults::Fault::parse)]
    faults: Vec<ontap_emulator::faults::Fault>,
    /// A fresh cluster's records from this file: a top-level collection's path to
    /// `{"basis": "...", "records": [...]}`, as the emulator's own fresh.json; each collection
    /// given replaces its seeded records, on start and on every reset.
    #[arg(long, value_name = "FILE")]
    state: Option<std::path::PathBuf>,
}

// This runtime only accepts connections and waits for Ctrl-C: the emulator serves on worker
// threads of its own (`workers`).
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let writer = ontap_emulator::LogWriter::stderr();
    // Request lines are written straight in this subscriber's layout without colours
    // (`LogWriter::with_request_lines`); in colour, they go through tracing.
    let writer = if ansi {
        writer
    } else {
        writer.with_request_lines()
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(ansi)
        .with_timer(ontap_emulator::LogTime)
        .with_writer(writer)
        .with_target(false)
        .try_init();
    if let Some(file) = &args.state
        && let Err(e) = ontap_emulator::load_state(file)
    {
        eprintln!("ontap-emulator: --state {e}");
        return ExitCode::from(2);
    }
    let config = EmulatorConfig {
        tls: args.tls,
        ontap_version: args.ontap_version,
        faults: args.faults,
        workers: ontap_emulator::default_workers(),
        ..EmulatorConfig::default()
    };
    let emulator = match Emulator::start(args.listen, config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ontap-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    // `writeln!`, not `println!`: a reader that closes the pipe after the URL line must not take
    // the emulator down with it.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}", emulator.base_url());
    let _ = write!(out, "{}", ontap_emulator::accounts_banner());
    let _ = out.flush();
    let handle = emulator.shutdown_handle();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        handle.trigger();
    });
    emulator.serve_forever().await;
    ExitCode::SUCCESS
}
