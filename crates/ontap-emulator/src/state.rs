//! The emulated cluster's state: accounts, iSCSI credentials, security settings, jobs, the
//! engine's records (the SVMs and the cluster among them) and the emulator-only conditions. One `Mutex` guards all of it; no lock is held across an `.await`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const CLUSTER_NAME: &str = "cluster1";
pub const CLUSTER_UUID: &str = "3d1b1d6e-94d6-11e8-8370-005056b48fd2";
pub const SVM1_UUID: &str = "19d04b8e-94d7-11e8-8370-005056b48fd2";
pub const SVM2_UUID: &str = "25f617cf-94d7-11e8-8370-005056b48fd2";

/// An SVM as the rest of the emulator reads it: the engine keeps the SVMs' records
/// (`/api/svm/svms`, with its POST, PATCH and DELETE), and this is what of one the hand-written
/// routes need.
#[derive(Clone, Debug)]
pub struct Svm {
    pub uuid: String,
    pub name: String,
    /// Whether it has the iSCSI service: its `iscsi.enabled` (NetApp's SVM schema: "Setting to
    /// true creates a service if not already created").
    pub iscsi: bool,
}

impl Svm {
    /// The SVM an engine record of [`super::engine::SVM_COLLECTION`] is.
    pub fn of(body: &serde_json::Value) -> Option<Svm> {
        Some(Svm {
            uuid: body.get("uuid")?.as_str()?.to_string(),
            name: body.get("name")?.as_str()?.to_string(),
            iscsi: body.pointer("/iscsi/enabled") == Some(&serde_json::Value::Bool(true)),
        })
    }
}

/// `{"uuid", "name", "_links"}` for an SVM reference.
pub fn svm_ref(uuid: &str, name: &str) -> serde_json::Value {
    serde_json::json!({ "uuid": uuid, "name": name, "_links": { "self": { "href": format!("/api/svm/svms/{uuid}") } } })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NdmpAuth {
    Challenge,
    PlaintextSso,
}

#[derive(Clone, Debug)]
pub struct Application {
    pub application: String,
    pub authentication_methods: Vec<String>,
    pub second_authentication_method: String,
}

#[derive(Clone, Debug)]
pub struct Account {
    /// `None` = cluster-scoped; `Some(svm uuid)` = SVM-scoped.
    pub owner: Option<String>,
    pub name: String,
    pub role: String,
    pub password: Option<String>,
    /// Earlier passwords, oldest first (for the history rule).
    pub previous_passwords: Vec<String>,
    pub password_hash_algorithm: String,
    pub applications: Vec<Application>,
    pub locked: bool,
    pub comment: Option<String>,
    pub ndmp_auth: NdmpAuth,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrRange {
    pub start: std::net::IpAddr,
    pub end: std::net::IpAddr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrMask {
    pub address: std::net::IpAddr,
    pub netmask: u8,
}

#[derive(Clone, Debug, Default)]
pub struct Chap {
    pub inbound_user: Option<String>,
    pub inbound_password: Option<String>,
    pub outbound_user: Option<String>,
    pub outbound_password: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Credential {
    pub svm_uuid: String,
    pub initiator: String,
    pub authentication_type: String,
    pub chap: Chap,
    pub ranges: Vec<AddrRange>,
    pub masks: Vec<AddrMask>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub max_length: u32,
    pub alphanumeric: bool,
    pub min_special_chars: u32,
    pub min_uppercase: u32,
    pub min_lowercase: u32,
    pub min_digits: u32,
    pub history: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            max_length: 128,
            alphanumeric: true,
            min_special_chars: 0,
            min_uppercase: 0,
            min_lowercase: 0,
            min_digits: 0,
            history: 6,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JobFailure {
    pub code: String,
    pub message: String,
}

/// The emulator-only conditions (`/emulator/conditions`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    pub metrocluster_switchover: bool,
    pub non_fips_certificate_in_use: bool,
    pub fips_incompatible_certificate_strength: bool,
    pub data_volumes_present: bool,
    pub ndmp_svm_aware_mode: bool,
    pub ndmp_platform_supported: bool,
    /// SVM names or uuids whose iSCSI service does not exist.
    pub svms_without_iscsi: Vec<String>,
    pub password_policy: PasswordPolicy,
    pub job_failure: Option<JobFailure>,
    pub job_step_ms: u64,
    /// Milliseconds every `/api` request waits before it is handled: a slow cluster, so timeouts
    /// and an interrupted run can be tested against a real server.
    #[serde(default)]
    pub latency_ms: u64,
    /// Seconds a finished job stays readable before it is deleted (ONTAP keeps it 300 s: py
    /// `resources/job.py`); shorter lets a test see the later 404.
    #[serde(default = "default_job_retention_s")]
    pub job_retention_s: u64,
}

fn default_job_retention_s() -> u64 {
    300
}

impl Default for Conditions {
    fn default() -> Self {
        Conditions {
            metrocluster_switchover: false,
            non_fips_certificate_in_use: false,
            fips_incompatible_certificate_strength: false,
            data_volumes_present: false,
            ndmp_svm_aware_mode: true,
            ndmp_platform_supported: true,
            svms_without_iscsi: Vec::new(),
            password_policy: PasswordPolicy::default(),
            job_failure: None,
            job_step_ms: 20,
            latency_ms: 0,
            job_retention_s: default_job_retention_s(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Success,
    Failure,
}

impl JobState {
    pub fn as_str(&self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Success => "success",
            JobState::Failure => "failure",
        }
    }
    pub fn finished(&self) -> bool {
        matches!(self, JobState::Success | JobState::Failure)
    }
}

#[derive(Clone, Debug)]
pub struct Job {
    pub uuid: String,
    pub description: String,
    pub state: JobState,
    pub message: String,
    pub code: i64,
    pub error: Option<JobFailure>,
    pub start_time: String,
    pub end_time: Option<String>,
    /// Creation order, for listing.
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub struct State {
    pub accounts: Vec<Account>,
    /// Keyed by (svm uuid, initiator lower-cased).
    pub credentials: BTreeMap<(String, String), Credential>,
    pub fips_enabled: bool,
    pub conversion_enabled: bool,
    pub jobs: BTreeMap<String, Job>,
    pub job_seq: u64,
    pub conditions: Conditions,
    /// The `/api/security` fields after 9.8 (TLS, management protocols).
    pub security: super::security_settings::SecuritySettings,
    /// Each SVM's NDMP service, by SVM uuid.
    pub ndmp_svms: BTreeMap<String, super::ndmp_svms::NdmpSvm>,
    /// The records the spec-driven engine serves ([`super::engine`]), seeded; shared with every
    /// fresh state until one changes them. The SVMs are among them: [`State::svms`].
    pub engine: std::sync::Arc<super::engine::Store>,
}

fn http_app() -> Vec<Application> {
    vec![
        Application {
            application: "http".into(),
            authentication_methods: vec!["password".into()],
            second_authentication_method: "none".into(),
        },
        Application {
            application: "ontapi".into(),
            authentication_methods: vec!["password".into()],
            second_authentication_method: "none".into(),
        },
        Application {
            application: "ssh".into(),
            authentication_methods: vec!["password".into()],
            second_authentication_method: "none".into(),
        },
    ]
}

pub fn new_account(owner: Option<&str>, name: &str, role: &str, password: &str) -> Account {
    Account {
        owner: owner.map(str::to_string),
        name: name.to_string(),
        role: role.to_string(),
        password: Some(password.to_string()),
        previous_passwords: Vec::new(),
        password_hash_algorithm: "sha512".into(),
        applications: http_app(),
        locked: false,
        comment: None,
        ndmp_auth: NdmpAuth::Challenge,
    }
}

impl State {
    /// The cluster as it starts (and as `POST /emulator/reset` restores it).
    pub fn initial() -> State {
        let (monitor, vsadmin, sso) = (super::MONITOR, super::VSADMIN, super::NDMPSSO);
        let mut ndmpsso = new_account(Some(SVM1_UUID), sso.0, "vsadmin-backup", sso.1);
        ndmpsso.ndmp_auth = NdmpAuth::PlaintextSso;
        let accounts = vec![
            new_account(None, super::ADMIN_USER, "admin", super::ADMIN_PASSWORD),
            new_account(None, monitor.0, "readonly", monitor.1),
            new_account(Some(SVM1_UUID), vsadmin.0, "vsadmin", vsadmin.1),
            ndmpsso,
        ];
        let mut state = State {
            accounts,
            credentials: BTreeMap::new(),
            fips_enabled: false,
            conversion_enabled: false,
            jobs: BTreeMap::new(),
            job_seq: 0,
            conditions: Conditions::default(),
            security: Default::default(),
            ndmp_svms: BTreeMap::new(),
            engine: super::engine::seeded(),
        };
        state.follow_svms();
        state
    }

    /// Brings what the hand-written routes keep per SVM in line with the SVMs the engine keeps,
    /// after the SVMs changed (and at the start):
    /// - a new SVM gets its NDMP service, enabled with challenge authentication (ONTAP's
    ///   default, as the seeded SVMs have it), and, when it has the iSCSI service, the `default`
    ///   credential of authentication type `none` that ONTAP makes with the service (NetApp's
    ///   "iSCSI credentials": the default security entry, which cannot be deleted: 5374148);
    /// - a deleted SVM's credentials, NDMP service and accounts go with it (documented: "SVM
    ///   objects must be deleted first" is NetApp's DELETE /svm/svms doc for the objects a
    ///   client made; an SVM's own login accounts are deleted with it, as `vserver delete` does).
    pub fn follow_svms(&mut self) {
        let svms = self.svms();
        let known = |u: &str| svms.iter().any(|s| s.uuid.eq_ignore_ascii_case(u));
        self.credentials.retain(|(u, _), _| known(u));
        self.ndmp_svms.retain(|u, _| known(u));
        self.accounts
            .retain(|a| a.owner.as_deref().is_none_or(known));
        for svm in &svms {
            self.ndmp_svms
                .entry(svm.uuid.clone())
                .or_insert_with(super::ndmp_svms::service);
            if svm.iscsi {
                self.credentials
                    .entry((svm.uuid.clone(), "default".to_string()))
                    .or_insert_with(|| Credential {
                        svm_uuid: svm.uuid.clone(),
                        initiator: "default".into(),
                        authentication_type: "none".into(),
                        chap: Chap::default(),
                        ranges: Vec::new(),
                        masks: Vec::new(),
                    });
            }
        }
    }

    /// The cluster's SVMs, in the engine's order.
    pub fn svms(&self) -> Vec<Svm> {
        super::engine::svm_records(&self.engine)
            .filter_map(Svm::of)
            .collect()
    }
    pub fn svm_by_uuid(&self, uuid: &str) -> Option<Svm> {
        super::engine::svm_records(&self.engine)
            .filter_map(Svm::of)
            .find(|s| s.uuid.eq_ignore_ascii_case(uuid))
    }
    pub fn svm_by_name(&self, name: &str) -> Option<Svm> {
        super::engine::svm_records(&self.engine)
            .filter_map(Svm::of)
            .find(|s| s.name == name)
    }
    pub fn svm_name(&self, uuid: &str) -> String {
        self.svm_name_of(uuid).to_string()
    }
    /// The name of the SVM `uuid` ("" when there is none), borrowed: read once per record of a
    /// long answer (a page of iSCSI credentials), where a copy per record would show.
    pub fn svm_name_of(&self, uuid: &str) -> &str {
        super::engine::svm_records(&self.engine)
            .find(|b| {
                b.get("uuid")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|u| u.eq_ignore_ascii_case(uuid))
            })
            .and_then(|b| b.get("name")?.as_str())
            .unwrap_or("")
    }
    /// Whether the SVM's iSCSI service exists: made with the SVM (`iscsi.enabled`), unless the
    /// conditions remove it.
    pub fn svm_has_iscsi(&self, svm: &Svm) -> bool {
        svm.iscsi
            && !self
                .conditions
                .svms_without_iscsi
                .iter()
                .any(|s| s == &svm.name || s.eq_ignore_ascii_case(&svm.uuid))
    }
    pub fn account_index(&self, owner: Option<&str>, name: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| a.owner.as_deref() == owner && a.name == name)
    }
}
