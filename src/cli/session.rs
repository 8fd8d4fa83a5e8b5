//! What `run` and `doctor` share: the spec and the plan of cases loaded from the same flags, and
//! the target reached the same way (the embedded emulator when no target is given, else the
//! cluster with the account, password and TLS settings of the flags and variables), probed once.
//! `doctor` is `run` stopped before its first case, so the two take the same flags and agree.

use std::sync::Arc;
use std::time::Duration;

use super::{CliError, RunArgs};
use crate::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use crate::report::model::Mode;
use crate::run::env::{self, Connection};
use crate::run::{Plan, RunOptions, TargetFacts};
use crate::secret::Secret;
use crate::spec::Spec;

/// The spec and the selected cases.
pub(super) struct Loaded {
    pub spec: Arc<Spec>,
    pub plan: Plan,
}

/// Loads the spec (with overlays) and plans the cases the flags select. Selecting nothing is an
/// error: a run that judges nothing must not look like a pass.
pub(super) fn load(args: &RunArgs, command: &'static str) -> Result<Loaded, CliError> {
    let spec = Spec::load_layers(args.spec.as_deref(), args.imported.as_deref())
        .and_then(|s| s.with_overlays(&args.spec_overlay));
    let spec = spec.map_err(|diags| CliError::Spec {
        then: Some(format!(
            "{command}: the spec has {} problem(s); nothing was run",
            diags.0.len()
        )),
        diags,
    })?;
    let spec = Arc::new(spec);
    let plan = args
        .cases
        .plan(&spec, &args.filter, args.partition)
        .map_err(|diags| CliError::Cases {
            then: format!(
                "{command}: {} problem(s) in the case files; nothing was run",
                diags.0.len()
            ),
            diags,
        })?;
    if plan.is_empty() {
        return Err(CliError::cannot(command, nothing_selected(args)));
    }
    Ok(Loaded { spec, plan })
}

/// Why no case was selected, naming what selected them.
fn nothing_selected(args: &RunArgs) -> String {
    let from = args.cases.describe();
    let mut why = Vec::new();
    if !args.filter.is_empty() {
        let quoted: Vec<String> = args.filter.iter().map(|f| format!("`{f}`")).collect();
        why.push(format!("--filter {}", quoted.join(", ")));
    }
    if let Some(p) = args.partition {
        why.push(format!("--partition {p}"));
    }
    if why.is_empty() {
        format!("no case to run: {from} holds none")
    } else {
        format!(
            "{} selects no case of {from}: nothing would be judged. `ontap-conform cases list` \
             shows each case's id, tags and operation (a filter matches an id, `area::id`, a tag, \
             an area or part of an operation)",
            why.join(" with ")
        )
    }
}

/// A target reached: the run's options, what the probe learned, and the embedded emulator that
/// lives as long as they do (when it is the target).
pub(super) struct Reached {
    pub opts: RunOptions,
    pub facts: TargetFacts,
    pub emulator: Option<Emulator>,
    pub conn: Connection,
}

impl Reached {
    /// The target as people should read it: the URL, and "the embedded emulator" when it is.
    pub fn shown(&self) -> String {
        if self.emulator.is_some() {
            format!("the embedded emulator at {}", self.opts.target)
        } else {
            self.opts.target.clone()
        }
    }

    /// How the target's certificate is trusted, in a few words.
    pub fn tls(&self) -> String {
        if !self.opts.target.starts_with("https://") {
            return "plain HTTP (no TLS)".into();
        }
        if self.conn.insecure {
            "NOT verified (--insecure): anyone in between could read the password".into()
        } else if let Some(ca) = &self.conn.ca_cert {
            format!("verified against {}", ca.display())
        } else {
            "verified against the system's trusted CAs".into()
        }
    }

    pub async fn shutdown(self) {
        if let Some(e) = self.emulator {
            e.shutdown().await;
        }
    }
}

/// Reaches the target the flags and variables name (or starts the embedded emulator) and probes
/// it. Every way this can fail is exit 2 with what to do.
pub(super) async fn reach(
    args: &RunArgs,
    command: &'static str,
    interrupt: Option<Arc<std::sync::atomic::AtomicBool>>,
) -> Result<Reached, CliError> {
    let conn = args
        .conn
        .connection(args.allow_destructive, args.svm.clone());
    let client = args
        .conn
        .client(&conn)
        .map_err(|e| CliError::cannot(command, e))?;
    let mut emulator = None;
    let (target, user, password) = match &conn.target {
        Some(t) => {
            let user = conn.user().to_string();
            let p = env::password(&user, t).map_err(|e| CliError::cannot(command, e))?;
            (t.clone(), user, p)
        }
        None => {
            let e = Emulator::start(
                "127.0.0.1:0".parse().expect("a literal address"),
                EmulatorConfig::default(),
            )
            .await
            .map_err(|e| {
                CliError::cannot(command, format!("cannot start the embedded emulator: {e}"))
            })?;
            let url = e.base_url();
            emulator = Some(e);
            (url, ADMIN_USER.to_string(), Secret::new(ADMIN_PASSWORD))
        }
    };
    let mut opts = RunOptions {
        embedded: emulator.is_some(),
        allow_destructive: conn.allow_destructive,
        jobs: args.jobs.unwrap_or(crate::run::DEFAULT_JOBS),
        filter: args.filter.clone(),
        job_timeout: Duration::from_secs(args.job_timeout.max(1)),
        ontap_version: args.ontap_version.clone(),
        partition: args.partition,
        interrupt,
        mode: match (args.strict, args.lenient) {
            (true, _) => Some(Mode::Strict),
            (_, true) => Some(Mode::Lenient),
            _ => None,
        },
        record: args.record.clone(),
        generated_seed: args.cases.generated.then_some(args.cases.seed),
        svm: conn.svm.clone(),
        ..RunOptions::new(target, user, password, client)
    };
    let probed = crate::run::probe_target(&opts).await;
    let facts = match probed {
        Ok(f) => f,
        Err(e) => {
            if let Some(emu) = emulator {
                emu.shutdown().await;
            }
            return Err(CliError::cannot(command, e));
        }
    };
    opts.facts = Some(facts.clone());
    Ok(Reached {
        opts,
        facts,
        emulator,
        conn,
    })
}
