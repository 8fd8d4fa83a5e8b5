//! How to reach and log in to a target: the flags `run`, `doctor` and `cleanup` share, each
//! falling back to its environment variable ([`crate::run::env`], the same ones `cargo test`
//! reads), and the password, which comes from the environment only.

use std::path::PathBuf;
use std::time::Duration;

use crate::run::env::{self, Connection};
use crate::run::http::ClientOptions;

/// How to reach and log in to a target; shared by every command that talks to one.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnArgs {
    /// Base URL of the cluster (https://cluster.example.com) [env: ONTAP_TARGET]. `run` and
    /// `doctor` use the embedded emulator when neither is given.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// The account to authenticate as [env: ONTAP_USER; default admin]; its password comes from
    /// ONTAP_PASSWORD, never a flag.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Accept the target's certificate without verifying it (self-signed clusters)
    /// [env: ONTAP_INSECURE=1].
    #[arg(long)]
    pub insecure: bool,
    /// Trust this CA certificate (PEM) for the target [env: ONTAP_CA_CERT].
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Seconds before one request is abandoned.
    #[arg(long, default_value_t = 30)]
    pub request_timeout: u64,
    /// The most requests a second to send, whatever `--jobs` allows: for a cluster whose REST
    /// queue or session limits a team must not strain [env: ONTAP_RATE; unbounded when unset].
    #[arg(long, value_name = "N")]
    pub rate: Option<String>,
}

impl ConnArgs {
    /// The flags, each falling back to its variable; `allow_destructive` and `svm` are the
    /// flags of the commands that have them.
    pub(super) fn connection(&self, allow_destructive: bool, svm: Option<String>) -> Connection {
        Connection {
            target: self.target.clone(),
            user: self.user.clone(),
            insecure: self.insecure,
            ca_cert: self.ca_cert.clone(),
            allow_destructive,
            svm,
            rate: self.rate.clone(),
        }
        .or(Connection::from_env())
    }

    /// The client options for `conn` (what [`Self::connection`] gave).
    pub(super) fn client(&self, conn: &Connection) -> Result<ClientOptions, String> {
        let ca_cert = match &conn.ca_cert {
            Some(p) => {
                let from = if self.ca_cert.is_some() {
                    "--ca-cert".to_string()
                } else {
                    env::CA_CERT.to_string()
                };
                Some(
                    std::fs::read(p)
                        .map_err(|e| format!("cannot read {from} {}: {e}", p.display()))?,
                )
            }
            None => None,
        };
        Ok(ClientOptions {
            insecure: conn.insecure,
            ca_cert,
            ca_cert_path: conn.ca_cert.clone(),
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
            rate: env::rate(conn)?,
        })
    }
}
