//! Starts the ONTAP emulator: `cargo run --example emulate -- --listen 127.0.0.1:PORT [--tls]
//! [--ontap-version 9.14.1]`. Prints the base URL on stdout once listening; stops on Ctrl-C.

use std::net::SocketAddr;

use ontap_conform::emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut config = EmulatorConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => match args.next().map(|a| a.parse::<SocketAddr>()) {
                Some(Ok(a)) => listen = a,
                _ => fail("--listen needs an address like 127.0.0.1:8443"),
            },
            "--tls" => config.tls = true,
            "--ontap-version" => match args.next() {
                Some(v) => config.ontap_version = v,
                None => fail("--ontap-version needs a value"),
            },
            other => fail(&format!("unknown argument {other:?}")),
        }
    }
    let emulator = match Emulator::start(listen, config).await {
        Ok(e) => e,
        Err(e) => fail(&e.to_string()),
    };
    println!("{}", emulator.base_url());
    let handle = emulator.shutdown_handle();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        handle.trigger();
    });
    emulator.serve_forever().await;
}

fn fail(msg: &str) -> ! {
    eprintln!("emulate: {msg}");
    std::process::exit(2);
}
