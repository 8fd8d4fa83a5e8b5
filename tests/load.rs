//! The emulator under load and faults, as a separate process (`ontap-conform emulate`), so its
//! memory can be read from `/proc/PID/status` and a crash cannot hide inside the test process.
//!
//! - 32 clients at once create, patch, read and delete iSCSI credentials over real sockets,
//!   while all of them also patch one shared credential: no request gets a 5xx, every
//!   credential reads back its client's last PATCH (no lost update), the shared one holds one
//!   of the values sent, and the counts agree with what was created and deleted.
//! - Meanwhile other clients misbehave: a body cut short by a closed connection, a request
//!   dropped while in flight, half a request line, a connection opened and never used. None of
//!   that disturbs the well-behaved clients, and a cut-short create never takes effect.
//! - The load runs several rounds; the resident memory after the last round stays near the level
//!   after the first (generous slack: allocators keep what they once took), so state and
//!   connections are not leaked per request.
//!
//! The numbers (clients, operations, rounds) are bounded so this takes seconds; nothing here
//! asserts a duration, only a hang guard.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{ADMIN, CREDS, EmulatorProcess, SVM1, SVM2, cred_path};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const CLIENTS: usize = 32;
/// Credentials each client owns in a round.
const OWN: usize = 4;
/// PATCHes per owned credential in a round.
const PATCHES: usize = 3;
const ROUNDS: usize = 8;
/// Memory the emulator may gain from before the load to after it (the first round grows thread
/// arenas and connection pools once).
const RSS_SLACK_KB: u64 = 48 * 1024;
/// Memory it may gain from the first round to the last, when nothing should grow any more.
const RSS_STEADY_SLACK_KB: u64 = 16 * 1024;
/// No single step of this test needs more than a few seconds; this catches a hang.
const HANG_GUARD: Duration = Duration::from_secs(120);

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// One request; a 5xx or a transport error fails the test with the request named.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut rb = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .basic_auth(ADMIN.0, Some(ADMIN.1));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
        let status = r.status().as_u16();
        let text = r
            .text()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: body broke: {e}"));
        assert!(status < 500, "{method} {path} answered {status}: {text}");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, body)
    }
}

fn initiator(client: usize, n: usize, round: usize) -> String {
    format!("iqn.1995-08.com.example:load-r{round}-c{client}-n{n}")
}

/// A value a PATCH sets and a GET reads back: the inbound CHAP user.
fn chap(user: &str) -> Value {
    json!({"authentication_type": "chap",
           "chap": {"inbound": {"user": user, "password": "abcdef123456"}}})
}

/// One well-behaved client's round: creates its credentials, patches each several times while
/// also patching the shared one, checks each reads back its last PATCH, and deletes all but one.
/// Returns the values it sent to the shared credential and the credential it kept.
async fn behave(
    c: Client,
    me: usize,
    round: usize,
    shared: String,
) -> (Vec<String>, (&'static str, String)) {
    let svm = if me.is_multiple_of(2) { SVM1 } else { SVM2 };
    let mut sent_shared = Vec::new();
    let mut mine = Vec::new();
    for n in 0..OWN {
        let init = initiator(me, n, round);
        let (s, b) = c
            .call(
                reqwest::Method::POST,
                CREDS,
                Some(
                    json!({"svm": {"uuid": svm}, "initiator": init, "authentication_type": "none"}),
                ),
            )
            .await;
        assert_eq!(s, 201, "create {init}: {b}");
        mine.push(init);
    }
    for p in 0..PATCHES {
        for init in &mine {
            let user = format!("u{me}x{p}");
            let (s, b) = c
                .call(
                    reqwest::Method::PATCH,
                    &cred_path(svm, init),
                    Some(chap(&user)),
                )
                .await;
            assert_eq!(s, 200, "patch {init}: {b}");
        }
        let user = format!("shared-r{round}-c{me}-p{p}");
        let (s, b) = c
            .call(reqwest::Method::PATCH, &shared, Some(chap(&user)))
            .await;
        assert_eq!(s, 200, "patch shared: {b}");
        sent_shared.push(user);
    }
    let last = format!("u{me}x{}", PATCHES - 1);
    for init in &mine {
        let (s, b) = c
            .call(
                reqwest::Method::GET,
                &format!("{}?fields=chap.inbound.user", cred_path(svm, init)),
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(
            b["chap"]["inbound"]["user"], last,
            "{init}: the last PATCH was lost"
        );
    }
    // Keep the first, delete the rest.
    for init in &mine[1..] {
        let (s, b) = c
            .call(reqwest::Method::DELETE, &cred_path(svm, init), None)
            .await;
        assert_eq!(s, 200, "delete {init}: {b}");
        let (s, _) = c
            .call(reqwest::Method::GET, &cred_path(svm, init), None)
            .await;
        assert_eq!(s, 404, "{init} still there after DELETE");
    }
    (sent_shared, (svm, mine[0].clone()))
}

/// Misbehaving connections, each a different way to leave mid-request. `n` makes the names
/// unique; the cut-short create names `ghost-{n}`, which must never exist.
async fn misbehave(addr: String, n: usize) {
    let auth = common::admin_auth_line();
    let ghost = format!(
        r#"{{"svm": {{"name": "svm1"}}, "initiator": "iqn.1995-08.com.example:ghost-{n}", "authentication_type": "none"}}"#
    );
    let half = &ghost[..ghost.len() / 2];
    let requests = [
        // Content-Length announces the whole create; half of it arrives, then the close.
        format!(
            "POST {CREDS} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{half}",
            ghost.len()
        ),
        // A whole request, then gone before the answer (the answer has nowhere to go).
        format!("GET {CREDS}?fields=*&max_records=1 HTTP/1.1\r\nHost: x\r\n{auth}\r\n"),
        // A request that waits for a job, dropped while the server is still waiting.
        format!(
            "PATCH /api/security?return_timeout=2 HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 22\r\n\r\n{{\"fips.enabled\": false}}"
        ),
        // Half a request line.
        "GET /api/clu".to_string(),
        // Headers that never end.
        format!("GET /api/cluster HTTP/1.1\r\nHost: x\r\n{auth}X-More: "),
        // Nothing at all.
        String::new(),
    ];
    for bytes in requests {
        if let Ok(mut s) = TcpStream::connect(&addr).await {
            let _ = s.write_all(bytes.as_bytes()).await;
            let _ = s.flush().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
            // Reset rather than a polite close, half the time.
            if n.is_multiple_of(2) {
                let _ = s.set_zero_linger();
            }
            drop(s);
        }
    }
}

async fn round(c: &Client, addr: &str, round: usize) {
    let shared_init = format!("iqn.1995-08.com.example:shared-r{round}");
    let (s, b) = c
        .call(
            reqwest::Method::POST,
            CREDS,
            Some(json!({"svm": {"uuid": SVM1}, "initiator": shared_init, "authentication_type": "none"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let shared = cred_path(SVM1, &shared_init);

    let mut good = tokio::task::JoinSet::new();
    for me in 0..CLIENTS {
        good.spawn(behave(c.clone(), me, round, shared.clone()));
    }
    let mut bad = tokio::task::JoinSet::new();
    for n in 0..CLIENTS {
        bad.spawn(misbehave(addr.to_string(), round * CLIENTS + n));
    }
    let mut sent = BTreeSet::new();
    let mut kept = Vec::new();
    while let Some(r) = good.join_next().await {
        let (s, k) = r.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        sent.extend(s);
        kept.push(k);
    }
    while bad.join_next().await.is_some() {}

    // The shared credential holds one of the values sent to it, not a mix or a stale one.
    let (_, b) = c
        .call(
            reqwest::Method::GET,
            &format!("{shared}?fields=chap.inbound.user"),
            None,
        )
        .await;
    let got = b["chap"]["inbound"]["user"].as_str().unwrap_or_default();
    assert!(sent.contains(got), "shared credential holds {got:?}");

    // Counts: each SVM has its default, the kept ones, and (svm1) the shared one.
    let (_, b) = c.call(reqwest::Method::GET, "/emulator/state", None).await;
    let per = &b["credentials_per_svm"];
    assert_eq!(per["svm1"], json!(1 + CLIENTS / 2 + 1), "{b}");
    assert_eq!(per["svm2"], json!(1 + CLIENTS / 2), "{b}");
    let (_, b) = c
        .call(
            reqwest::Method::GET,
            &format!("{CREDS}?initiator=*load-r{round}-*&return_records=false"),
            None,
        )
        .await;
    assert_eq!(b["num_records"], json!(kept.len()), "{b}");

    // No cut-short create took effect.
    let (_, b) = c
        .call(
            reqwest::Method::GET,
            &format!("{CREDS}?initiator=*ghost-*&return_records=false"),
            None,
        )
        .await;
    assert_eq!(
        b["num_records"],
        json!(0),
        "a half-sent create took effect: {b}"
    );

    // Back to the starting state, so rounds leave nothing behind but what leaks.
    for (svm, init) in kept {
        let (s, b) = c
            .call(reqwest::Method::DELETE, &cred_path(svm, &init), None)
            .await;
        assert_eq!(s, 200, "{init}: {b}");
    }
    let (s, _) = c.call(reqwest::Method::DELETE, &shared, None).await;
    assert_eq!(s, 200);
    let (s, _) = c.call(reqwest::Method::POST, "/emulator/reset", None).await;
    assert_eq!(s, 200);
}

#[test]
fn concurrent_clients_and_disconnects_lose_nothing_and_leak_nothing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[("ONTAP_CONFORM_LOG", "warn")]);
    let base = emu.url.clone();
    let addr = base.trim_start_matches("http://").to_string();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(CLIENTS)
            .build()
            .expect("client"),
        base,
    };
    let (s, _) = rt.block_on(client.call(reqwest::Method::GET, "/api/cluster", None));
    assert_eq!(s, 200);
    let before = emu.rss_kb();
    let mut rss = Vec::new();
    for r in 0..ROUNDS {
        rt.block_on(async {
            tokio::time::timeout(HANG_GUARD, round(&client, &addr, r))
                .await
                .unwrap_or_else(|_| panic!("round {r} hung for {HANG_GUARD:?}"));
        });
        rss.push(emu.rss_kb());
    }
    let (_, b) = rt.block_on(client.call(reqwest::Method::GET, "/api/cluster", None));
    assert_eq!(b["name"], "cluster1", "still serving: {b}");
    eprintln!("emulator RSS before the load {before} KiB, after each round {rss:?}");
    let first = rss[0];
    let last = *rss.last().expect("rounds ran");
    assert!(
        last <= before + RSS_SLACK_KB,
        "the emulator grew from {before} KiB to {last} KiB over the load"
    );
    assert!(
        last <= first + RSS_STEADY_SLACK_KB,
        "the emulator grew from {first} KiB after round 1 to {last} KiB after round {ROUNDS}: \
         a leak per request?"
    );
    drop(client);
    drop(rt);
    let printed = emu.stop();
    assert!(
        !printed.contains("panicked"),
        "the emulator panicked:\n{printed}"
    );
}
