//! Removing what earlier runs left behind (`ontap-conform cleanup`).
//!
//! Every name a case creates carries `{{case_uid}}` (`oc` + 6 hex digits + `-` + a number), so
//! leftovers are recognisable without a record of past runs: a run killed with SIGKILL, or a
//! machine lost mid-run, leaves no state file, but its names still say whose they were. Only
//! names of exactly the shapes the shipped cases create are touched: an iSCSI initiator ending in
//! `:<case_uid>` or `.<case_uid>` and an account named one letter then `<case_uid>`.

use regex::Regex;
use serde_json::Value;

use super::target::Target;
use super::{RunError, RunOptions};

/// One leftover and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// `iSCSI credential` or `account`.
    pub kind: &'static str,
    /// `svm1 iqn.1992-08.com.netapp:oc1a2b3c-4`.
    pub name: String,
    pub path: String,
    /// `None` when not (yet) deleted; `Some(Ok)` deleted; `Some(Err)` why not.
    pub removed: Option<Result<(), String>>,
}

/// What a cleanup found and did.
#[derive(Debug, Default)]
pub struct Cleanup {
    pub leftovers: Vec<Leftover>,
    /// Settings a run may have changed and a cleanup cannot judge (it does not know what they
    /// were before): shown so a person can check them.
    pub settings: Vec<String>,
}

fn initiator_pattern() -> Regex {
    Regex::new(r"[:.]oc[0-9a-f]{6}-[0-9]+$").expect("a literal regex")
}

fn account_pattern() -> Regex {
    Regex::new(r"^[a-z]oc[0-9a-f]{6}-[0-9]+$").expect("a literal regex")
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// GETs every record of a collection, following `_links.next`.
async fn records(target: &Target, path: &str) -> Result<Vec<Value>, RunError> {
    let mut next = path.to_string();
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let resp = target.get_for_run(&next).await?;
        let body = resp.body.unwrap_or(Value::Null);
        if resp.status != 200 {
            return Err(RunError::Config(format!(
                "GET {path} answered {}: {}",
                resp.status,
                body.pointer("/error/message")
                    .and_then(Value::as_str)
                    .unwrap_or("no ONTAP error message")
            )));
        }
        if let Some(r) = body.get("records").and_then(Value::as_array) {
            out.extend(r.iter().cloned());
        }
        match body.pointer("/_links/next/href").and_then(Value::as_str) {
            Some(link) => next = link.to_string(),
            None => return Ok(out),
        }
    }
    Err(RunError::Config(format!(
        "GET {path}: more than 10000 pages; stopped"
    )))
}

/// One kind of thing a case creates, and how to find and delete it.
struct Kind {
    kind: &'static str,
    list: &'static str,
    name_key: &'static str,
    /// The owner (SVM or cluster) whose uuid is the item path's first key.
    owner: &'static str,
    pattern: Regex,
    item: &'static str,
}

fn kinds() -> [Kind; 2] {
    [
        Kind {
            kind: "iSCSI credential",
            list: "/api/protocols/san/iscsi/credentials?fields=svm,initiator&max_records=1000",
            name_key: "initiator",
            owner: "svm",
            pattern: initiator_pattern(),
            item: "/api/protocols/san/iscsi/credentials",
        },
        Kind {
            kind: "account",
            list: "/api/security/accounts?fields=name,owner&max_records=1000",
            name_key: "name",
            owner: "owner",
            pattern: account_pattern(),
            item: "/api/security/accounts",
        },
    ]
}

/// Lists the leftovers on the target and, unless `dry_run`, deletes them.
pub async fn cleanup(opts: &RunOptions, dry_run: bool) -> Result<Cleanup, RunError> {
    let target = Target::new(opts)?;
    let mut found = Cleanup::default();
    for k in kinds() {
        for r in records(&target, k.list).await? {
            let (Some(name), Some(owner)) = (
                r.get(k.name_key).and_then(Value::as_str),
                r.get(k.owner)
                    .and_then(|o| o.get("uuid"))
                    .and_then(Value::as_str),
            ) else {
                continue;
            };
            if k.pattern.is_match(name) {
                let shown = r
                    .get(k.owner)
                    .and_then(|o| o.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or(owner);
                found.leftovers.push(Leftover {
                    kind: k.kind,
                    name: format!("{shown} {name}"),
                    path: format!("{}/{}/{}", k.item, enc(owner), enc(name)),
                    removed: None,
                });
            }
        }
    }
    if !dry_run {
        for l in &mut found.leftovers {
            let result =
                target
                    .call("DELETE", &l.path, None)
                    .await
                    .and_then(|resp| match resp.status {
                        200..=299 => Ok(()),
                        s => Err(format!(
                            "DELETE answered {s}: {}",
                            resp.body
                                .as_ref()
                                .and_then(|b| b.pointer("/error/message"))
                                .and_then(Value::as_str)
                                .unwrap_or("no ONTAP error message")
                        )),
                    });
            l.removed = Some(result);
        }
    }
    if let Ok(sec) = target
        .get("/api/security?fields=fips,software_data_encryption")
        .await
        .and_then(|r| r.body.ok_or_else(|| "no body".to_string()))
    {
        if let Some(f) = sec.pointer("/fips/enabled").and_then(Value::as_bool) {
            found.settings.push(format!("fips.enabled is {f}"));
        }
        if let Some(c) = sec
            .pointer("/software_data_encryption/conversion_enabled")
            .and_then(Value::as_bool)
        {
            found.settings.push(format!(
                "software_data_encryption.conversion_enabled is {c}"
            ));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_run_names_match() {
        let i = initiator_pattern();
        assert!(i.is_match("iqn.1992-08.com.netapp:oc1a2b3c-12"));
        assert!(i.is_match("foo.oc1a2b3c-12"));
        assert!(!i.is_match("iqn.1992-08.com.netapp:oc1a2b3c"));
        assert!(!i.is_match("iqn.1992-08.com.netapp:prod-host-oc1a2b3c-1-x"));
        assert!(!i.is_match("iqn.1992-08.com.netapp:sn.4b17e2"));
        let a = account_pattern();
        assert!(a.is_match("uoc00ff00-3"));
        assert!(!a.is_match("admin"));
        assert!(!a.is_match("uoc00ff00"));
        assert!(!a.is_match("xxuoc00ff00-3"));
    }
}
