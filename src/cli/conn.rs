//! How to reach and log in to a target: the flags `run` and `cleanup` share, and the password,
//! which comes from the environment only.

use std::path::PathBuf;
use std::time::Duration;

use crate::run::http::ClientOptions;
use crate::secret::Secret;

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
    pub(super) fn client(&self) -> Result<ClientOptions, String> {
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
pub(super) fn password_from_env(user: &str, target: &str) -> Result<Secret, String> {
    match std::env::var("ONTAP_PASSWORD") {
        Ok(p) if !p.is_empty() => Ok(Secret::new(p)),
        _ => Err(format!(
            "set ONTAP_PASSWORD to the password of `{user}` for {target}"
        )),
    }
}
