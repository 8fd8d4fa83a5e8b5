//! What the runner learns of a target before the first case: its version, cluster and SVMs, the
//! account's role, and whether the emulator's control surface answers. A target that cannot be
//! reached, refuses the account or does not answer like ONTAP ends the run here (exit 2), once,
//! rather than in every case.

use serde_json::Value;

use super::role::{self, Account};
use super::target::Target;
use super::{RunError, RunOptions, TargetFacts};
use crate::check;
use crate::spec::Version;

/// Probes the target as [`run`] does first; see [`RunOptions::facts`].
pub async fn probe_target(opts: &RunOptions) -> Result<TargetFacts, RunError> {
    probe(&Target::new(opts)?, opts).await
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The ONTAP error code of an answer, if it carries one.
fn error_code(body: Option<&Value>) -> Option<&str> {
    body?.pointer("/error/code")?.as_str()
}

/// Learns the target's version, cluster, SVMs and the account's role; fails the run when the
/// target cannot be reached or refuses the credentials.
pub(super) async fn probe(target: &Target, opts: &RunOptions) -> Result<TargetFacts, RunError> {
    let not_ontap = |message: String| RunError::NotOntap {
        target: opts.target.clone(),
        message,
    };
    let cluster = target
        .get("/api/cluster?fields=name,uuid,version")
        .await
        .map_err(|message| RunError::Unreachable {
            target: opts.target.clone(),
            message,
        })?;
    let credentials = |status| RunError::Credentials {
        target: opts.target.clone(),
        user: opts.user.clone(),
        status,
    };
    let mut facts = TargetFacts::default();
    match cluster.status {
        401 => return Err(credentials(401)),
        // An SVM-scoped account may not read the cluster: ONTAP says so with its own "not
        // authorized" error, which is an answer from ONTAP to an account it knows. Anything
        // else at 403 (a proxy's page) is a refusal of the account.
        403 if error_code(cluster.body.as_ref()).is_some() => {
            facts.cluster_unreadable = Some(format!(
                "GET /api/cluster answered 403 code {}",
                error_code(cluster.body.as_ref()).unwrap_or_default()
            ));
        }
        403 => return Err(credentials(403)),
        // Every case would fail against a target whose cluster record is an error page, for one
        // reason: that reason is the run's, not every case's.
        200 => {
            if let Some(p) = check::body_problems(&cluster).into_iter().next() {
                return Err(not_ontap(format!("GET /api/cluster: {}", p.message)));
            }
            let Some(b) = cluster.body.as_ref().filter(|b| b.is_object()) else {
                return Err(not_ontap("GET /api/cluster answered no JSON object".into()));
            };
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
        s => return Err(not_ontap(format!("GET /api/cluster answered HTTP {s}"))),
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
    if let Some(wanted) = &opts.svm {
        choose_svm(&mut facts.svms, wanted).map_err(RunError::Config)?;
    }
    facts.account = account(target, opts, &facts).await;
    facts.emulator_control = opts.embedded
        || target
            .get("/emulator/conditions")
            .await
            .is_ok_and(|r| r.status == 200 && r.body.as_ref().is_some_and(Value::is_object));
    Ok(facts)
}

/// Puts the SVM `wanted` (a name or a UUID) first, where the cases' `{{svm.*}}` take it from.
fn choose_svm(svms: &mut Vec<(String, String)>, wanted: &str) -> Result<(), String> {
    let Some(i) = svms
        .iter()
        .position(|(n, u)| n == wanted || u.eq_ignore_ascii_case(wanted))
    else {
        let names: Vec<&str> = svms.iter().map(|(n, _)| n.as_str()).collect();
        return Err(if names.is_empty() {
            format!("--svm {wanted}: the target shows this account no SVM")
        } else {
            format!(
                "--svm {wanted}: no such SVM on the target; it shows this account {}",
                names.join(", ")
            )
        });
    };
    let chosen = svms.remove(i);
    svms.insert(0, chosen);
    Ok(())
}

/// The account's record and, where it may read them, its role's privileges. What it may not
/// read is said in `unknown_because`, never an error: a read-only account is a good account to
/// run a read-only suite with.
async fn account(target: &Target, opts: &RunOptions, facts: &TargetFacts) -> Account {
    let mut account = Account {
        user: opts.user.clone(),
        ..Account::default()
    };
    let list = format!(
        "/api/security/accounts?name={}&fields=name,role,owner,scope",
        enc(&opts.user)
    );
    let records = match target.get(&list).await {
        Ok(r) if r.status == 200 => r
            .body
            .as_ref()
            .and_then(|b| b.get("records"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Ok(r) => {
            account.unknown_because = Some(format!(
                "it may not read its own account record: GET /api/security/accounts answered {}{}",
                r.status,
                error_code(r.body.as_ref())
                    .map(|c| format!(" code {c}"))
                    .unwrap_or_default()
            ));
            return account;
        }
        Err(e) => {
            account.unknown_because = Some(format!("reading its account record failed: {e}"));
            return account;
        }
    };
    // The same name may be a cluster account and an SVM account; the cluster management
    // address authenticates the cluster's.
    let mine = records
        .iter()
        .filter(|r| r.get("name").and_then(Value::as_str) == Some(opts.user.as_str()))
        .min_by_key(|r| r.get("scope").and_then(Value::as_str) != Some("cluster"));
    let Some(rec) = mine else {
        account.unknown_because = Some("its account record was not found".into());
        return account;
    };
    let role_name = rec
        .pointer("/role/name")
        .or_else(|| rec.get("role"))
        .and_then(Value::as_str)
        .map(String::from);
    let owner_uuid = rec.pointer("/owner/uuid").and_then(Value::as_str);
    let owner_name = rec.pointer("/owner/name").and_then(Value::as_str);
    let scope = rec
        .get("scope")
        .and_then(Value::as_str)
        .map(String::from)
        .or_else(|| {
            // Older releases leave `scope` out: the cluster owns its own accounts.
            let cluster = facts.cluster_uuid.as_deref()?;
            Some(
                if owner_uuid == Some(cluster) {
                    "cluster"
                } else {
                    "svm"
                }
                .into(),
            )
        });
    if scope.as_deref() == Some("svm") {
        account.svm = owner_name.map(String::from);
    }
    account.scope = scope;
    account.role = role_name.clone();
    let Some(role_name) = role_name else {
        account.unknown_because = Some("its account record names no role".into());
        return account;
    };
    // The role's own privileges, where the account may read them (ONTAP 9.6 and later).
    if let Some(owner) = owner_uuid
        && let Ok(r) = target
            .get(&format!(
                "/api/security/roles/{}/{}?fields=privileges",
                enc(owner),
                enc(&role_name)
            ))
            .await
        && r.status == 200
        && let Some(b) = &r.body
    {
        account.privileges = role::privileges_of(b);
    }
    account
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_svm_goes_first() {
        let mut svms = vec![
            ("svm1".to_string(), "u1".to_string()),
            ("svm2".to_string(), "U2".to_string()),
        ];
        choose_svm(&mut svms, "svm2").unwrap();
        assert_eq!(svms[0].0, "svm2");
        choose_svm(&mut svms, "u1").unwrap();
        assert_eq!(svms[0].0, "svm1");
        let e = choose_svm(&mut svms, "prod").unwrap_err();
        assert!(e.contains("no such SVM") && e.contains("svm1, svm2"), "{e}");
    }
}
