//! What several integration tests need: the binary, temp dirs, an emulator as a separate process
//! (as a cluster would be), a small HTTP client to look at its state, and the emulator's
//! accounts and UUIDs, read from the emulator itself wherever it makes them public.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

use serde_json::Value;

// Not every test crate that includes this module uses all three.
#[allow(unused_imports)]
pub use ontap_conform::emulator::state::{CLUSTER_UUID, SVM1_UUID as SVM1, SVM2_UUID as SVM2};
// The built-in accounts, as the emulator defines them.
use ontap_conform::emulator::{ADMIN_PASSWORD, ADMIN_USER};
#[allow(unused_imports)]
pub use ontap_conform::emulator::{MONITOR, NDMPSSO, VSADMIN};

/// The starting cluster administrator, as the emulator defines it.
pub const ADMIN: (&str, &str) = (ADMIN_USER, ADMIN_PASSWORD);
/// An SVM UUID the emulator does not have.
pub const NO_SVM: &str = "00000000-0000-0000-0000-000000000000";
/// The iSCSI credentials collection, the resource most tests create and delete.
pub const CREDS: &str = "/api/protocols/san/iscsi/credentials";

/// The admin's `Authorization: Basic ...` header line (with its CRLF), for tests that write
/// requests byte by byte.
pub fn admin_auth_line() -> String {
    use base64::Engine;
    let token =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", ADMIN.0, ADMIN.1));
    format!("Authorization: Basic {token}\r\n")
}

/// One iSCSI credential's path.
pub fn cred_path(svm: &str, initiator: &str) -> String {
    format!("{CREDS}/{svm}/{initiator}")
}

/// The binary, run from the repository root, with no password inherited from the environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ontap-conform"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("ONTAP_PASSWORD");
    c
}

pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oc-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `ontap-conform emulate` in its own process.
/// Both pipes are drained on their own threads from the start, so a chatty emulator (`trace`
/// logs) never blocks on a full pipe; the child is killed when dropped, so a failing test leaves
/// no process behind.
pub struct EmulatorProcess {
    child: Child,
    pub url: String,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

impl EmulatorProcess {
    /// Starts `emulate --listen ADDR` with `extra` arguments and `env`, and reads its URL from the
    /// first line it prints.
    pub fn start(listen: &str, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = bin();
        cmd.args(["emulate", "--listen", listen])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .rsplit(' ')
            .next()
            .expect("the first line ends with the URL")
            .to_string();
        assert!(url.starts_with("http"), "{first}");
        let stdout = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = out.read_to_string(&mut rest);
            first + &rest
        });
        let mut err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        EmulatorProcess {
            child,
            url,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// Resident memory in KiB, from `/proc/PID/status` (Linux).
    pub fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap()
    }

    /// Stops the emulator and returns everything it printed.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut printed = String::new();
        for pipe in [self.stdout.take(), self.stderr.take()]
            .into_iter()
            .flatten()
        {
            printed += &pipe.join().unwrap_or_default();
        }
        printed
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request as `user`, accepting any certificate; returns the status and the JSON body.
pub fn api(method: &str, url: &str, user: (&str, &str), body: Option<Value>) -> (u16, Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap();
        let mut req = client
            .request(method.parse().unwrap(), url)
            .basic_auth(user.0, Some(user.1));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    })
}

/// The emulator's "left as found" summary, without the job count (jobs are history, not state).
pub fn state(base: &str) -> Value {
    let (status, mut v) = api("GET", &format!("{base}/emulator/state"), ADMIN, None);
    assert_eq!(status, 200, "{v}");
    v.as_object_mut().unwrap().remove("jobs");
    v
}
