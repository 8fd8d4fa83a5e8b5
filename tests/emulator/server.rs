//! The server itself: the control surface, the configured version, read timeouts, bind errors and
//! TLS.

use ontap_conform::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use reqwest::Method;
use serde_json::json;

use crate::common::{CREDS, MONITOR};
use crate::{T1, addr, start, start_with};

#[tokio::test]
async fn control_surface_reset_and_state() {
    let t = start_with(EmulatorConfig {
        ontap_version: "9.10.1".into(),
        ..EmulatorConfig::default()
    })
    .await;
    let r = t.get("/api/cluster").await;
    assert_eq!(r.body["version"]["major"], 10);
    assert_eq!(r.body["name"], "cluster1");
    let c = t.get("/emulator/conditions").await.body;
    assert_eq!(c["ndmp_svm_aware_mode"], true);
    assert_eq!(c["password_policy"]["min_length"], 8);
    t.create_cred("svm1", T1).await;
    t.post(
        "/api/security/authentication/password",
        json!({"name": "monitor", "password": "Changed12!"}),
    )
    .await;
    t.conditions(json!({"metrocluster_switchover": true})).await;
    let s = t.get("/emulator/state").await.body;
    assert_eq!(s["credentials_per_svm"]["svm1"], 2);
    assert!(
        !s.to_string().contains("Changed12!"),
        "no passwords in the state"
    );
    t.reset().await;
    let s = t.get("/emulator/state").await.body;
    assert_eq!(s["credentials_per_svm"]["svm1"], 1);
    assert_eq!(s["conditions"]["metrocluster_switchover"], false);
    assert_eq!(
        t.call(Method::GET, "/api/cluster", MONITOR, None)
            .await
            .status,
        200
    );
    assert!(
        Emulator::start(
            addr(),
            EmulatorConfig {
                ontap_version: "nine".into(),
                ..EmulatorConfig::default()
            }
        )
        .await
        .is_err()
    );
    t.emu.shutdown().await;
}

/// A client that sends half a request (or half a body) and waits is cut off, instead of holding
/// its connection forever; a well-behaved client on another connection is served meanwhile.
#[tokio::test]
async fn half_sent_requests_are_cut_off_at_the_read_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = start_with(EmulatorConfig {
        request_read_timeout: std::time::Duration::from_secs(1),
        ..EmulatorConfig::default()
    })
    .await;
    // The server still answers others while a half request waits. A fresh connection each
    // time: with a 1 s read timeout the server also closes idle keep-alive connections after
    // 1 s, and a pooled one could be closed just as it is reused (hyper's IncompleteMessage).
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for partial in [
        "GET /api/clu",
        "GET /api/cluster HTTP/1.1\r\nHost: x\r\nX-A: ",
    ] {
        let mut s = tokio::net::TcpStream::connect(t.emu.local_addr())
            .await
            .unwrap();
        s.write_all(partial.as_bytes()).await.unwrap();
        let others = fresh
            .get(format!("{}/api/cluster", t.base))
            .basic_auth(ADMIN_USER, Some(ADMIN_PASSWORD))
            .send()
            .await
            .expect("another client is served");
        assert_eq!(others.status().as_u16(), 200);
        let mut buf = Vec::new();
        // The hang guard is generous; the server closes after about one second.
        let closed =
            tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut buf)).await;
        assert!(
            closed.is_ok(),
            "{partial:?}: connection still open after 20 s"
        );
    }
    // Whole headers, a tenth of the body: 408, not a task waiting forever.
    let mut s = tokio::net::TcpStream::connect(t.emu.local_addr())
        .await
        .unwrap();
    let auth = crate::common::admin_auth_line();
    let head =
        format!("POST {CREDS} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 100\r\n\r\n{{\"svm\": ");
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), s.read(&mut buf))
        .await
        .expect("an answer within 20 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    t.emu.shutdown().await;
}

#[tokio::test]
async fn bind_failure_names_the_address() {
    let t = start().await;
    let err = Emulator::start(t.emu.local_addr(), EmulatorConfig::default())
        .await
        .err()
        .expect("port in use");
    assert!(
        err.to_string().contains(&t.emu.local_addr().to_string()),
        "{err}"
    );
    t.emu.shutdown().await;
}

#[tokio::test]
async fn tls_serves_https_with_the_self_signed_certificate() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emu = Emulator::start(
        addr(),
        EmulatorConfig {
            tls: true,
            ..EmulatorConfig::default()
        },
    )
    .await
    .unwrap();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    let pem = emu.certificate_pem().expect("certificate");
    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .unwrap();
    for base in [
        emu.base_url(),
        format!("https://localhost:{}", emu.local_addr().port()),
    ] {
        let r = client
            .get(format!("{base}/api/cluster"))
            .basic_auth(ADMIN_USER, Some(ADMIN_PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    // a client that does not trust it fails
    let strict = reqwest::Client::builder().build().unwrap();
    assert!(
        strict
            .get(format!("{}/api/cluster", emu.base_url()))
            .send()
            .await
            .is_err()
    );
    let handle = emu.shutdown_handle();
    handle.trigger();
    emu.serve_forever().await;
}

/// `emulate` serves on worker threads of its own (`EmulatorConfig::workers`), each accepting
/// from the one socket: there, as on the runtime that started it, many clients at once are
/// answered, over TLS too; a kept-alive connection that then sends half a head is closed at the
/// read timeout; and a graceful stop ends it, after which nothing is accepted.
#[tokio::test]
async fn worker_threads_serve_as_the_starting_runtime_does() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _ = rustls::crypto::ring::default_provider().install_default();
    for tls in [false, true] {
        let emu = Emulator::start(
            addr(),
            EmulatorConfig {
                tls,
                workers: 2,
                request_read_timeout: std::time::Duration::from_secs(1),
                ..EmulatorConfig::default()
            },
        )
        .await
        .unwrap();
        let mut client = reqwest::Client::builder().pool_max_idle_per_host(0);
        if let Some(pem) = emu.certificate_pem() {
            client =
                client.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()]);
        }
        let client = client.build().unwrap();
        let asks: Vec<_> = (0..32)
            .map(|_| {
                tokio::spawn(
                    client
                        .get(format!("{}/api/cluster", emu.base_url()))
                        .basic_auth(ADMIN_USER, Some(ADMIN_PASSWORD))
                        .send(),
                )
            })
            .collect();
        for ask in asks {
            let r = ask.await.unwrap().expect("answered");
            assert_eq!(r.status().as_u16(), 200, "tls {tls}");
        }
        if !tls {
            let mut s = tokio::net::TcpStream::connect(emu.local_addr())
                .await
                .unwrap();
            let auth = crate::common::admin_auth_line();
            s.write_all(format!("GET /api/cluster HTTP/1.1\r\nHost: x\r\n{auth}\r\n").as_bytes())
                .await
                .unwrap();
            let mut buf = [0u8; 16];
            s.read_exact(&mut buf).await.unwrap();
            assert!(buf.starts_with(b"HTTP/1.1 200"), "{buf:?}");
            s.write_all(b"GET /api/clu").await.unwrap();
            let mut rest = Vec::new();
            let closed =
                tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut rest))
                    .await;
            assert!(
                closed.is_ok(),
                "a half head on a kept-alive connection stays open"
            );
        }
        let at = emu.local_addr();
        tokio::time::timeout(std::time::Duration::from_secs(20), emu.shutdown())
            .await
            .expect("stopped");
        assert!(
            tokio::net::TcpStream::connect(at).await.is_err(),
            "tls {tls}"
        );
    }
}
