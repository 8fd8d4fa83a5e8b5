//! What a run will do on this target before it sends a case's first request: which cases run,
//! which are skipped and why, and about how many requests the run sends. `run` decides each
//! case's skip with [`skip`] as it starts it, and `doctor` and `run`'s preflight line count the
//! same decisions over the whole plan ([`Preflight::of`]), so the forecast and the run agree.
//!
//! What a case needs of the target is kept as [`Needs`], small and shared between cases that
//! need the same (a run of 100,000 generated checks holds a few hundred of them).

use std::collections::BTreeMap;

use serde::Serialize;

use super::role::Access;
use super::{RunOptions, TargetFacts};
use crate::case::{AsDef, Case, Expectation, Step};
pub use crate::report::model::SkipKind;
use crate::spec::{Spec, Version};

/// A skip decision: its kind and the sentence a report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub kind: SkipKind,
    pub reason: String,
}

/// What a case needs of its target, as the skip rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Needs {
    pub destructive: bool,
    /// The emulator conditions it sets.
    pub conditions: Vec<String>,
    pub svms: Option<usize>,
    /// The case's operation and the release that introduced it.
    pub operation: String,
    pub introduced_in: Option<Version>,
    /// `(method, path template)` of every request the run's own account sends and the case does
    /// not expect to be refused: what the account's role must allow.
    pub sends: Vec<(String, String)>,
    /// About how many requests it sends: its steps, plus the polls of the jobs it follows and
    /// the condition changes around it (a walk's further pages are not known before it runs).
    pub requests: usize,
    /// The case's own reason to be skipped (`skip:`), wherever it runs.
    pub skip: Option<String>,
}

impl Needs {
    pub fn of(case: &Case, spec: &Spec) -> Needs {
        let op = spec.op(case.op);
        let all = || case.setup.iter().chain(&case.steps).chain(&case.teardown);
        // The main step first, so a skip names what the case is about, not its teardown.
        let main = &case.steps[case.main_step];
        let mut sends: Vec<(String, String)> = Vec::new();
        for s in std::iter::once(main).chain(all()) {
            if !sent_by_run_account(s) || expects_refusal(s) {
                continue;
            }
            let o = spec.op(s.op);
            let method = s.request.method.clone().unwrap_or_else(|| o.method.clone());
            let send = (method.to_ascii_uppercase(), o.path.clone());
            if !sends.contains(&send) {
                sends.push(send);
            }
        }
        let polls = all()
            .filter(|s| s.expect.as_ref().is_some_and(|e| e.job_state.is_some()))
            .count()
            * 2;
        let conditions: Vec<String> = case
            .def
            .requires
            .emulator
            .as_ref()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        Needs {
            destructive: case.def.destructive,
            requests: all().count() + polls + if conditions.is_empty() { 0 } else { 2 },
            conditions,
            svms: case.def.requires.svms,
            operation: op.key(),
            introduced_in: op.introduced_in.clone(),
            sends,
            skip: case.def.skip.clone(),
        }
    }
}

/// A step sent as the run's account: no `as`, or `as` the run's own `{{user}}`.
fn sent_by_run_account(step: &Step) -> bool {
    match &step.request.as_user {
        None => true,
        Some(AsDef::Credentials { user, .. }) => user.trim() == "{{user}}",
        Some(AsDef::Keyword(_)) => false,
    }
}

/// Whether a step expects its request to be refused for want of authority (a 403, or ONTAP's
/// "not authorized" code): then a refusal is what it checks, not a reason to skip it.
pub fn expects_refusal(step: &Step) -> bool {
    fn refuses(e: &Expectation) -> bool {
        e.error_code
            .as_ref()
            .is_some_and(|c| c.value == super::role::NOT_AUTHORIZED)
            || e.status.as_ref().is_some_and(|s| {
                s.value.exact() == Some(403)
                    || matches!(&s.value, crate::case::StatusExpect::OneOf(l) if l.contains(&403))
            })
            || e.any_of.iter().any(refuses)
    }
    step.expect.iter().chain(&step.convention).any(refuses)
}

/// Why a case with these needs is skipped on this target, if it is. The order is the order a
/// user fixes things in: a flag first, then what the target is, then the account.
pub fn skip(needs: &Needs, facts: &TargetFacts, opts: &RunOptions) -> Option<Skip> {
    let skip = |kind, reason: String| Some(Skip { kind, reason });
    if !needs.conditions.is_empty() && !facts.emulator_control {
        return skip(
            SkipKind::EmulatorCondition,
            format!(
                "needs the emulator condition(s) {}: a real cluster cannot be put in that state on demand (and the emulator's control surface is for its cluster admin only)",
                needs.conditions.join(", ")
            ),
        );
    }
    if needs.destructive && !opts.embedded && !opts.allow_destructive {
        return skip(
            SkipKind::Destructive,
            "destructive (changes cluster state): run with --allow-destructive".into(),
        );
    }
    if let Some(why) = &needs.skip {
        return skip(SkipKind::NoRequest, why.clone());
    }
    if let Some(n) = needs.svms
        && facts.svms.len() < n
    {
        return skip(
            SkipKind::Svms,
            format!("needs {n} SVMs; the target has {}", facts.svms.len()),
        );
    }
    if let Some(target) = &facts.version
        && let Some(intro) = &needs.introduced_in
        && intro > target
    {
        return skip(
            SkipKind::Version,
            format!(
                "{} was introduced in ONTAP {intro}; the target runs {target}",
                needs.operation
            ),
        );
    }
    for (method, path) in &needs.sends {
        if let Access::MayNot(why) = facts.account.access(method, path) {
            return skip(SkipKind::Role, why);
        }
    }
    None
}

/// The forecast of a run: how many cases run, how many are skipped for what, and about how
/// many requests it sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Preflight {
    pub selected: usize,
    pub will_run: usize,
    /// Skipped cases per kind.
    pub skipped: BTreeMap<SkipKind, usize>,
    /// Skipped cases per reason, for the details.
    pub reasons: BTreeMap<String, usize>,
    /// Requests the cases that run send, about.
    pub requests: usize,
    /// Cases whose role answer is known only when the target answers (a role nothing
    /// describes): they run, and a refusal skips them.
    pub role_unknown: usize,
}

impl Preflight {
    /// The forecast over every selected case's needs.
    pub fn of<'a>(
        needs: impl IntoIterator<Item = &'a Needs>,
        facts: &TargetFacts,
        opts: &RunOptions,
    ) -> Preflight {
        let mut p = Preflight::default();
        for n in needs {
            p.selected += 1;
            match skip(n, facts, opts) {
                Some(s) => {
                    *p.skipped.entry(s.kind).or_default() += 1;
                    *p.reasons.entry(s.reason).or_default() += 1;
                }
                None => {
                    p.will_run += 1;
                    p.requests += n.requests;
                    if n.sends
                        .iter()
                        .any(|(m, path)| facts.account.access(m, path) == Access::Unknown)
                    {
                        p.role_unknown += 1;
                    }
                }
            }
        }
        p
    }

    /// `40 to run, 58 skipped (30 destructive, 20 role, 8 emulator condition)`.
    pub fn counts(&self) -> String {
        let mut s = format!("{} to run", self.will_run);
        let skipped: usize = self.skipped.values().sum();
        if skipped > 0 {
            let kinds: Vec<String> = self
                .skipped
                .iter()
                .map(|(k, n)| format!("{n} {}", k.label()))
                .collect();
            s.push_str(&format!(", {skipped} skipped ({})", kinds.join(", ")));
        }
        s
    }
}
