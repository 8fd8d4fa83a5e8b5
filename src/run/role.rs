//! What the run's account may do: its role, learned before the first case, and which requests
//! that role lets it send, so a case the account cannot carry out is skipped with the role named
//! instead of failing on a 403 the role explains.
//!
//! Where the answer comes from, best first:
//! 1. **The role's own privileges** (`GET /api/security/roles/{owner.uuid}/{name}`), when the
//!    account may read them: REST privilege tuples, `{path, access}`, the longest matching path
//!    winning (documented: NetApp's "Security roles endpoint overview", ONTAP 9.6 and later).
//! 2. **The predefined roles' documented access** ("Predefined roles for cluster administrators"
//!    and "... for SVM administrators", ONTAP documentation), given there per CLI command
//!    directory. Which REST paths a command directory covers is our reading, not NetApp's words:
//!    `security` is `/api/security`, `security login password` is
//!    `/api/security/authentication/password`, `vserver services ndmp` is `/api/protocols/ndmp`,
//!    `volume` is `/api/storage/volumes` (a guess, said so wherever it decides a skip).
//! 3. **Nothing known** (a custom legacy role, or an account that may not read its own record):
//!    every case is sent, and a `403` with ONTAP's "not authorized" code `6` to a request of the
//!    run's account that the case did not expect to be refused skips the case, naming the role,
//!    rather than failing it. An account with role `admin` never gets that allowance: a 403 to
//!    the cluster administrator is the cluster's failure.

use serde::Serialize;
use serde_json::Value;

/// ONTAP's error code for "not authorized for that command" (observed with 403: the spec's
/// `x-ontap-common-errors`).
pub const NOT_AUTHORIZED: &str = "6";

/// The run's account as the target describes it.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Account {
    /// The name the run authenticates as.
    pub user: String,
    /// The role's name (`admin`, `readonly`, `vsadmin` ...), when the account could read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `cluster` or `svm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The SVM that owns an SVM-scoped account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svm: Option<String>,
    /// The role's REST privileges, longest path first, when they could be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub privileges: Vec<Privilege>,
    /// Why the role or its privileges are unknown, when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_because: Option<String>,
}

/// One REST privilege tuple of a role.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Privilege {
    pub path: String,
    /// `none`, `readonly`, `all`, and since 9.10 `read_create`, `read_modify`,
    /// `read_create_modify`.
    pub access: String,
}

/// Whether the account may send one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    May,
    /// It may not, and why (the role and the rule).
    MayNot(String),
    /// Nothing says: the request is sent, and a 403 code 6 is the role's answer.
    Unknown,
}

impl Account {
    /// The role as people say it: `readonly (cluster)`, `vsadmin (SVM svm1)`, `unknown`.
    pub fn describe(&self) -> String {
        let Some(role) = &self.role else {
            return format!(
                "unknown ({})",
                self.unknown_because
                    .as_deref()
                    .unwrap_or("the target did not say")
            );
        };
        match (&self.scope, &self.svm) {
            (_, Some(svm)) => format!("{role} (SVM {svm})"),
            (Some(scope), None) => format!("{role} ({scope})"),
            _ => role.clone(),
        }
    }

    /// Whether the account is the cluster administrator: a refusal to it is never the role's.
    pub fn is_cluster_admin(&self) -> bool {
        self.role.as_deref() == Some("admin") && self.svm.is_none()
    }

    /// May this account send `method` to `path` (a path template of the spec, or a path)?
    pub fn access(&self, method: &str, path: &str) -> Access {
        let read = matches!(method, "GET" | "HEAD" | "OPTIONS");
        if !self.privileges.is_empty() {
            return by_privileges(self, method, path);
        }
        let Some(role) = self.role.as_deref() else {
            return Access::Unknown;
        };
        let no = |rule: &str| {
            Access::MayNot(format!(
                "role `{role}` of `{}` may not {method} {path}: {rule}",
                self.user
            ))
        };
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        // The predefined roles, from NetApp's tables of their access per command directory.
        match (role, self.svm.is_some()) {
            ("admin", false) => Access::May,
            ("readonly", false) => {
                if under("/api/security/authentication/password") {
                    Access::May
                } else if under("/api/security") {
                    no(
                        "its access to `security` is none (documented for the CLI; the REST mapping is our guess)",
                    )
                } else if read {
                    Access::May
                } else {
                    no("it may only read (documented)")
                }
            }
            ("none", false) => no("it has no access (documented)"),
            ("backup", false) => {
                if under("/api/protocols/ndmp") || (read && under("/api/storage/volumes")) {
                    Access::May
                } else {
                    no(
                        "it may use NDMP and read volumes only (documented for the CLI; the REST mapping is our guess)",
                    )
                }
            }
            ("autosupport", false) => {
                if under("/api/support/autosupport") {
                    Access::May
                } else {
                    no("it may only manage AutoSupport (documented)")
                }
            }
            ("vsadmin-readonly", true) if !read => no("it may only read (documented)"),
            // An SVM administrator: no cluster-wide settings or other SVMs' objects, and what it
            // may do inside its SVM depends on the role; the answer decides.
            (_, true) if !read && (under("/api/security") && !under("/api/security/accounts")) => {
                no(
                    "an SVM account changes no cluster-wide security setting (documented: SVM administrators manage their SVM)",
                )
            }
            _ => Access::Unknown,
        }
    }
}

/// The REST privilege rule: the longest privilege path that is a prefix of `path` decides
/// (NetApp: "In cases where a role has tuples with multiple APIs having the same prefix, the
/// highest match wins out"); no match is no access.
fn by_privileges(account: &Account, method: &str, path: &str) -> Access {
    let role = account.role.as_deref().unwrap_or("?");
    let rest: Vec<&Privilege> = account
        .privileges
        .iter()
        .filter(|p| p.path.starts_with("/api"))
        .collect();
    if rest.is_empty() {
        // Only command-directory tuples (a legacy role): they do not name REST paths.
        return Access::Unknown;
    }
    let best = rest
        .iter()
        .filter(|p| {
            let prefix = p.path.trim_end_matches('/');
            path == prefix || path.starts_with(&format!("{prefix}/"))
        })
        .max_by_key(|p| p.path.trim_end_matches('/').len());
    let Some(p) = best else {
        return Access::MayNot(format!(
            "role `{role}` of `{}` has no privilege on {path}",
            account.user
        ));
    };
    let allowed = match (p.access.as_str(), method) {
        ("all", _) => true,
        ("none", _) => false,
        (_, "GET" | "HEAD" | "OPTIONS") => true,
        ("read_create", m) => m == "POST",
        ("read_modify", m) => m == "PATCH",
        ("read_create_modify", m) => m == "POST" || m == "PATCH",
        _ => false,
    };
    if allowed {
        Access::May
    } else {
        Access::MayNot(format!(
            "role `{role}` of `{}` has `{}` on {}, not {method}",
            account.user, p.access, p.path
        ))
    }
}

/// The privileges of a role record (`GET /api/security/roles/{owner.uuid}/{name}`), longest
/// path first.
pub fn privileges_of(role: &Value) -> Vec<Privilege> {
    let mut out: Vec<Privilege> = role
        .get("privileges")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Privilege {
                path: p.get("path")?.as_str()?.to_string(),
                access: p.get("access")?.as_str()?.to_string(),
            })
        })
        .collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.path.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(role: &str, svm: Option<&str>) -> Account {
        Account {
            user: "u".into(),
            role: Some(role.into()),
            scope: Some(if svm.is_some() { "svm" } else { "cluster" }.into()),
            svm: svm.map(String::from),
            ..Account::default()
        }
    }

    #[test]
    fn predefined_cluster_roles() {
        let admin = account("admin", None);
        assert_eq!(
            admin.access("DELETE", "/api/security/accounts/{owner.uuid}/{name}"),
            Access::May
        );
        assert!(admin.is_cluster_admin());
        let ro = account("readonly", None);
        assert_eq!(ro.access("GET", "/api/svm/svms"), Access::May);
        assert_eq!(
            ro.access("POST", "/api/security/authentication/password"),
            Access::May
        );
        assert!(
            matches!(ro.access("POST", "/api/protocols/san/iscsi/credentials"), Access::MayNot(m) if m.contains("may only read"))
        );
        assert!(
            matches!(ro.access("GET", "/api/security/accounts"), Access::MayNot(m) if m.contains("`security` is none"))
        );
        assert!(!ro.is_cluster_admin());
        assert!(matches!(
            account("none", None).access("GET", "/api/cluster"),
            Access::MayNot(_)
        ));
        let backup = account("backup", None);
        assert_eq!(
            backup.access("PATCH", "/api/protocols/ndmp/svms/{svm.uuid}"),
            Access::May
        );
        assert!(matches!(
            backup.access("GET", "/api/cluster"),
            Access::MayNot(_)
        ));
    }

    #[test]
    fn svm_roles_and_unknown_roles() {
        let vs = account("vsadmin", Some("svm1"));
        assert!(!vs.is_cluster_admin());
        assert_eq!(
            vs.access("POST", "/api/protocols/san/iscsi/credentials"),
            Access::Unknown
        );
        assert!(matches!(
            vs.access("PATCH", "/api/security"),
            Access::MayNot(_)
        ));
        let vro = account("vsadmin-readonly", Some("svm1"));
        assert!(matches!(
            vro.access(
                "DELETE",
                "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}"
            ),
            Access::MayNot(_)
        ));
        assert_eq!(
            account("my-custom", None).access("GET", "/api/cluster"),
            Access::Unknown
        );
        let nobody = Account {
            user: "u".into(),
            ..Account::default()
        };
        assert_eq!(nobody.access("POST", "/api/x"), Access::Unknown);
        assert!(nobody.describe().starts_with("unknown"));
    }

    #[test]
    fn privileges_longest_path_wins() {
        let role = json!({"privileges": [
            {"path": "/api/cluster", "access": "readonly"},
            {"path": "/api/cluster/schedules", "access": "all"},
            {"path": "/api/storage", "access": "read_create"},
            {"path": "/api/storage/volumes/x/snapshots", "access": "none"},
        ]});
        let a = Account {
            user: "u".into(),
            role: Some("r".into()),
            privileges: privileges_of(&role),
            ..Account::default()
        };
        assert_eq!(a.access("GET", "/api/cluster"), Access::May);
        assert!(
            matches!(a.access("PATCH", "/api/cluster"), Access::MayNot(m) if m.contains("`readonly` on /api/cluster"))
        );
        assert_eq!(a.access("POST", "/api/cluster/schedules"), Access::May);
        assert_eq!(a.access("POST", "/api/storage/volumes"), Access::May);
        assert!(matches!(
            a.access("PATCH", "/api/storage/volumes/{uuid}"),
            Access::MayNot(_)
        ));
        assert!(matches!(
            a.access("GET", "/api/storage/volumes/x/snapshots"),
            Access::MayNot(_)
        ));
        assert!(
            matches!(a.access("GET", "/api/security"), Access::MayNot(m) if m.contains("no privilege"))
        );
        // A legacy role's command-directory tuples say nothing about REST paths.
        let legacy = Account {
            privileges: privileges_of(
                &json!({"privileges": [{"path": "DEFAULT", "access": "readonly"}]}),
            ),
            ..a
        };
        assert_eq!(legacy.access("GET", "/api/cluster"), Access::Unknown);
    }
}
