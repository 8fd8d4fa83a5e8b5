//! `doctor`: `run` stopped before its first case. With the same flags as the run it checks,
//! it says whether the target can be reached and how its certificate is trusted, whether the
//! account is accepted and what its role lets it do, which ONTAP it is, which SVM throwaway
//! objects would go to, and how many cases would run or be skipped and why, with the requests
//! the run would send. It sends only GETs.
//!
//! Exit 0 when a run would judge something; 2 when it could not be made (with the reason and
//! the fix) or would judge nothing.

use std::fmt::Write as _;

use super::session;
use super::{CliError, RunArgs, Verdict, init_logging_at, runtime};
use crate::run::preflight::Preflight;

pub(super) fn doctor(args: RunArgs) -> Result<Verdict, CliError> {
    init_logging_at("warn");
    let loaded = session::load(&args, "doctor")?;
    runtime().block_on(async move {
        let started = std::time::Instant::now();
        let reached = session::reach(&args, "doctor", None).await?;
        let probe_ms = started.elapsed().as_millis();
        let preflight = loaded.plan.preflight(&reached.facts, &reached.opts);
        out!("{}", report(&reached, &preflight, probe_ms));
        reached.shutdown().await;
        if preflight.will_run == 0 {
            return Err(CliError::cannot(
                "doctor",
                format!(
                    "a run with these flags would judge nothing: all {} selected case(s) would be skipped",
                    preflight.selected
                ),
            ));
        }
        Ok(Verdict::Passed)
    })
}

/// What `doctor` prints on stdout: one line per thing checked, then the skip reasons.
fn report(reached: &session::Reached, p: &Preflight, probe_ms: u128) -> String {
    let f = &reached.facts;
    let mut out = String::new();
    let mut line = |what: &str, text: String| {
        let _ = writeln!(out, "{what:<12} {text}");
    };
    line("target", reached.shown());
    line("TLS", reached.tls());
    line(
        "reachable",
        format!("yes: it answered in {probe_ms} ms (the probe's few GETs)"),
    );
    line("credentials", format!("`{}` accepted", reached.opts.user));
    line(
        "ONTAP",
        match (&f.version_text, &f.cluster_unreadable) {
            (Some(v), _) => format!(
                "{v}{}",
                f.cluster_name
                    .as_deref()
                    .map(|n| format!(" (cluster {n})"))
                    .unwrap_or_default()
            ),
            (None, Some(why)) => format!(
                "unknown: {why}; give it with --ontap-version so newer operations are skipped"
            ),
            (None, None) => "unknown: the cluster record names no version".into(),
        },
    );
    let a = &f.account;
    let source = if !a.privileges.is_empty() {
        format!(
            "its role's {} REST privilege(s), read from the target",
            a.privileges.len()
        )
    } else if a.role.is_some() {
        "the predefined roles' documented access (a custom role's refusals are learnt as the run goes)".into()
    } else {
        "nothing: a 403 code 6 to a request skips its case, naming the role".into()
    };
    line("account", format!("`{}`, role {}", a.user, a.describe()));
    line("role rules", source);
    line(
        "SVMs",
        match f.svms.split_first() {
            None => "none visible to this account: cases that need an SVM fail or skip".into(),
            Some(((name, uuid), rest)) => {
                let others: Vec<&str> = rest.iter().map(|(n, _)| n.as_str()).collect();
                format!(
                    "throwaway objects go to {name} ({uuid}){}; --svm NAME chooses",
                    if others.is_empty() {
                        "; no second SVM, so cases that need two are skipped".to_string()
                    } else {
                        format!("; also {}", others.join(", "))
                    }
                )
            }
        },
    );
    line(
        "conditions",
        if f.emulator_control {
            "the emulator's control surface answers: cases that set conditions run".into()
        } else {
            "no emulator control surface: cases that need emulator conditions are skipped".into()
        },
    );
    line(
        "mode",
        format!(
            "{} ({}), {}",
            reached.opts.mode().as_str(),
            if reached.opts.mode() == crate::report::model::Mode::Strict {
                "this suite's conventions fail a case"
            } else {
                "this suite's conventions are deviations, not failures"
            },
            if reached.opts.embedded || reached.opts.allow_destructive {
                "destructive cases run"
            } else {
                "read-only: destructive cases are skipped (--allow-destructive runs them)"
            }
        ),
    );
    line("cases", format!("{} selected: {}", p.selected, p.counts()));
    if p.role_unknown > 0 {
        line(
            "",
            format!(
                "{} of those to run send requests the role may or may not allow: a refusal skips them",
                p.role_unknown
            ),
        );
    }
    let pace = match reached.opts.client.rate {
        Some(r) => format!(
            "; at most {r} a second (--rate), so at least {} s",
            p.requests.div_ceil(r as usize)
        ),
        None => String::new(),
    };
    line(
        "requests",
        format!(
            "about {} (each case's steps, job polls and condition changes; a walk as its count and the few pages it is sized to), {} at a time{pace}",
            p.requests, reached.opts.jobs
        ),
    );
    if !p.reasons.is_empty() {
        let _ = writeln!(out, "skipped, by reason:");
        let mut reasons: Vec<(&String, &usize)> = p.reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (reason, n) in reasons {
            let _ = writeln!(out, "  {n:>4}  {reason}");
        }
    }
    out
}
