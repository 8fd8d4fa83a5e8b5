//! What several integration tests need: the binary, temp dirs, an emulator as a separate process
//! (as a cluster would be), and a small HTTP client to look at its state.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

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
pub struct EmulatorProcess {
    child: Child,
    pub url: String,
    stdout: Option<std::thread::JoinHandle<String>>,
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
        EmulatorProcess {
            child,
            url,
            stdout: Some(stdout),
        }
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
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let _ = self.child.wait();
        self.stdout.take().unwrap().join().unwrap() + &err
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

pub const ADMIN: (&str, &str) = ("admin", "Netapp1!");

/// The emulator's "left as found" summary, without the job count (jobs are history, not state).
pub fn state(base: &str) -> Value {
    let (status, mut v) = api("GET", &format!("{base}/emulator/state"), ADMIN, None);
    assert_eq!(status, 200, "{v}");
    v.as_object_mut().unwrap().remove("jobs");
    v
}
