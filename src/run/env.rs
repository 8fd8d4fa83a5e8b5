//! The environment variables that say how to reach a target: one definition for `run`,
//! `doctor`, `cleanup` and the `cargo test` harness (`tests/conformance.rs`), so a variable a
//! CI job sets means the same thing whichever of them reads it.
//!
//! A flag on the command line wins over its variable. The password has no flag at all: a flag
//! lands in shell history and process listings.

use std::path::PathBuf;

/// Base URL of the cluster; the embedded emulator when unset.
pub const TARGET: &str = "ONTAP_TARGET";
/// The account to authenticate as (default `admin`).
pub const USER: &str = "ONTAP_USER";
/// The account's password: never a flag.
pub const PASSWORD: &str = "ONTAP_PASSWORD";
/// Accept the target's certificate without verifying it.
pub const INSECURE: &str = "ONTAP_INSECURE";
/// A CA certificate (PEM file) to trust for the target.
pub const CA_CERT: &str = "ONTAP_CA_CERT";
/// Run the cases that change cluster state.
pub const ALLOW_DESTRUCTIVE: &str = "ONTAP_ALLOW_DESTRUCTIVE";
/// The SVM throwaway objects go to.
pub const SVM: &str = "ONTAP_SVM";
/// The most requests a second the run sends.
pub const RATE: &str = "ONTAP_RATE";

/// Every variable of this module with what it does, for help texts and the README.
pub const ALL: &[(&str, &str)] = &[
    (
        TARGET,
        "base URL of the cluster (--target); the embedded emulator when unset",
    ),
    (USER, "the account (--user; default admin)"),
    (PASSWORD, "the account's password (no flag)"),
    (INSECURE, "1 to skip certificate verification (--insecure)"),
    (CA_CERT, "a PEM file of the CA to trust (--ca-cert)"),
    (
        ALLOW_DESTRUCTIVE,
        "1 to run the cases that change cluster state (--allow-destructive)",
    ),
    (SVM, "the SVM throwaway objects go to (--svm)"),
    (
        RATE,
        "the most requests a second the run sends (--rate; unbounded when unset)",
    ),
];

/// The value of `name`, when it is set and not empty: an empty variable (`ONTAP_TARGET=` in a CI
/// file) means unset, not "a target named nothing".
pub fn text(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A yes/no variable: set to anything but `0`, `false`, `no` or `off` (any case) means yes, so
/// `ONTAP_INSECURE=0` does what it says.
pub fn flag(name: &str) -> bool {
    text(name).is_some_and(|v| !is_falsey(&v))
}

fn is_falsey(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "0" | "false" | "no" | "off" | "n" | "f"
    )
}

/// How to reach a target, as flags and variables give it together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    pub target: Option<String>,
    pub user: Option<String>,
    pub insecure: bool,
    pub ca_cert: Option<PathBuf>,
    pub allow_destructive: bool,
    pub svm: Option<String>,
    /// Requests a second, as given (read by [`rate`], which says what is wrong with it).
    pub rate: Option<String>,
}

impl Connection {
    /// What the variables say.
    pub fn from_env() -> Connection {
        Connection {
            target: text(TARGET),
            user: text(USER),
            insecure: flag(INSECURE),
            ca_cert: text(CA_CERT).map(PathBuf::from),
            allow_destructive: flag(ALLOW_DESTRUCTIVE),
            svm: text(SVM),
            rate: text(RATE),
        }
    }

    /// `self` (the flags) where given, else `env` (the variables).
    pub fn or(self, env: Connection) -> Connection {
        Connection {
            target: self.target.or(env.target),
            user: self.user.or(env.user),
            insecure: self.insecure || env.insecure,
            ca_cert: self.ca_cert.or(env.ca_cert),
            allow_destructive: self.allow_destructive || env.allow_destructive,
            svm: self.svm.or(env.svm),
            rate: self.rate.or(env.rate),
        }
    }

    /// The account, `admin` when neither a flag nor a variable names one.
    pub fn user(&self) -> &str {
        self.user.as_deref().unwrap_or("admin")
    }
}

/// The request rate a connection asks for: `None` for none, or what is wrong with the value.
pub fn rate(conn: &Connection) -> Result<Option<u32>, String> {
    match conn.rate.as_deref().map(str::trim) {
        None => Ok(None),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(format!(
                "--rate / {RATE} `{v}` is not a whole number of requests a second above 0"
            )),
        },
    }
}

/// The target's password from [`PASSWORD`], or what to do about its absence.
pub fn password(user: &str, target: &str) -> Result<crate::secret::Secret, String> {
    text(PASSWORD)
        .map(crate::secret::Secret::new)
        .ok_or_else(|| format!("set {PASSWORD} to the password of `{user}` for {target}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falsey_values_are_no() {
        for v in ["0", "false", "No", "OFF", " n "] {
            assert!(is_falsey(v), "{v}");
        }
        for v in ["1", "yes", "true", "anything"] {
            assert!(!is_falsey(v), "{v}");
        }
    }

    #[test]
    fn flags_win_over_variables() {
        let flags = Connection {
            user: Some("monitor".into()),
            ..Connection::default()
        };
        let env = Connection {
            target: Some("https://c".into()),
            user: Some("admin".into()),
            insecure: true,
            ..Connection::default()
        };
        let both = flags.or(env);
        assert_eq!(both.target.as_deref(), Some("https://c"));
        assert_eq!(both.user(), "monitor");
        assert!(both.insecure);
        assert_eq!(Connection::default().user(), "admin");
    }
}
