//! `emulate`: the embedded ONTAP emulator alone, until Ctrl-C.

use std::io::Write;
use std::path::PathBuf;

use super::{CliError, Verdict, init_logging};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::report;

pub(super) fn emulate(
    listen: std::net::SocketAddr,
    tls: bool,
    ontap_version: String,
    write_cert: Option<PathBuf>,
    faults: Vec<crate::emulator::faults::Fault>,
    state: Option<PathBuf>,
) -> Result<Verdict, CliError> {
    init_logging();
    if let Some(file) = &state {
        crate::emulator::load_state(file)
            .map_err(|e| CliError::cannot("emulate", format!("--state {e}")))?;
    }
    // This runtime only accepts connections and waits for Ctrl-C: the emulator serves on worker
    // threads of its own (`workers`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::cannot("emulate", format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async move {
        let config = EmulatorConfig {
            tls,
            ontap_version,
            faults,
            workers: crate::emulator::default_workers(),
            ..EmulatorConfig::default()
        };
        let emu = Emulator::start(listen, config)
            .await
            .map_err(|e| CliError::cannot("emulate", e))?;
        if let (Some(path), Some(pem)) = (&write_cert, emu.certificate_pem()) {
            report::write_atomic(path, pem.as_bytes()).map_err(|e| {
                CliError::cannot(
                    "emulate",
                    format!("cannot write the certificate to {}: {e}", path.display()),
                )
            })?;
        }
        // `writeln!`, not `println!`: a reader that closes the pipe after the URL line
        // (`| head -1`) must not take the emulator down with it.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "ONTAP emulator listening on {}", emu.base_url());
        // The emulator's own fixed test accounts, once, on stdout: what a newcomer needs to log
        // in. They are published (README); no password a user chose ever appears here.
        let _ = write!(out, "{}", crate::emulator::accounts_banner());
        let _ = out.flush();
        let handle = emu.shutdown_handle();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            handle.trigger();
        });
        emu.serve_forever().await;
        Ok(Verdict::Passed)
    })
}
