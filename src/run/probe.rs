//! What the runner learns of a target before the first case: its version, cluster and SVMs, and
//! whether the emulator's control surface answers. A target that cannot be reached, refuses the
//! account or does not answer like ONTAP ends the run here (exit 2), once, rather than in every
//! case.

use serde_json::Value;

use super::target::Target;
use super::{RunError, RunOptions, TargetFacts};
use crate::check;
use crate::spec::Version;

/// Probes the target as [`run`] does first; see [`RunOptions::facts`].
pub async fn probe_target(opts: &RunOptions) -> Result<TargetFacts, RunError> {
    probe(&Target::new(opts)?, opts).await
}

/// Learns the target's version, cluster and SVMs; fails the run when the target cannot be
/// reached or refuses the credentials.
pub(super) async fn probe(target: &Target, opts: &RunOptions) -> Result<TargetFacts, RunError> {
    let cluster = target
        .get_for_run("/api/cluster?fields=name,uuid,version")
        .await?;
    // Every case would fail against a target whose cluster record is an error page, for one
    // reason: that reason is the run's, not 82 cases'.
    let not_ontap = |message: String| RunError::NotOntap {
        target: opts.target.clone(),
        message,
    };
    if cluster.status != 200 {
        return Err(not_ontap(format!(
            "GET /api/cluster answered HTTP {}",
            cluster.status
        )));
    }
    if let Some(p) = check::body_problems(&cluster).into_iter().next() {
        return Err(not_ontap(format!("GET /api/cluster: {}", p.message)));
    }
    if !cluster.body.as_ref().is_some_and(Value::is_object) {
        return Err(not_ontap("GET /api/cluster answered no JSON object".into()));
    }
    let mut facts = TargetFacts::default();
    if cluster.status == 200
        && let Some(b) = &cluster.body
    {
        facts.cluster_name = b.get("name").and_then(Value::as_str).map(String::from);
        facts.cluster_uuid = b.get("uuid").and_then(Value::as_str).map(String::from);
        let v = b
            .pointer("/version/full")
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| {
                let v = b.get("version")?;
                Some(format!(
                    "{}.{}.{}",
                    v.get("generation")?,
                    v.get("major")?,
                    v.get("minor")?
                ))
            });
        facts.version = v.as_deref().and_then(Version::parse);
        facts.version_text = v;
    }
    if let Some(v) = &opts.ontap_version {
        facts.version = Version::parse(v);
        facts.version_text = Some(v.clone());
    }
    if let Ok(r) = target
        .get("/api/svm/svms?fields=name,uuid&order_by=name")
        .await
        && let Some(records) = r
            .body
            .as_ref()
            .and_then(|b| b.get("records"))
            .and_then(Value::as_array)
    {
        facts.svms = records
            .iter()
            .filter_map(|s| {
                Some((
                    s.get("name")?.as_str()?.to_string(),
                    s.get("uuid")?.as_str()?.to_string(),
                ))
            })
            .collect();
        facts.svms.sort();
    }
    facts.emulator_control = opts.embedded
        || target
            .get("/emulator/conditions")
            .await
            .is_ok_and(|r| r.status == 200 && r.body.as_ref().is_some_and(Value::is_object));
    Ok(facts)
}
