//! One emulator request: in-process through the router as a tower Service (the handlers'
//! cost: authentication, routing, state, JSON), and over a real loopback socket with reqwest
//! (what a client sees: HTTP parsing and the kernel on top).
//!
//! The difference between the two says how much of a request is the emulator's own work, which
//! is what `scripts/bench/load.sh` compares with nginx serving the same bytes.

mod common;

/// The allocator both shipped binaries use (`src/main.rs`, the emulator's `main.rs`), so the
/// in-process figure is the emulator's as it runs; glibc's took about a third of a request here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{Method, header};
use criterion::{Criterion, criterion_group, criterion_main};
use ontap_conform::emulator::{Emulator, EmulatorConfig};
use tower::ServiceExt;

const LIST: &str = "/api/protocols/san/iscsi/credentials?fields=*";

fn bench(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let auth = common::admin_auth();
    let router = common::router();
    let one = common::credential_path(0);
    rt.block_on(async {
        let (status, body) = common::call(
            &router,
            Method::POST,
            common::CREDENTIALS,
            Some(common::credential_body(0)),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = common::call(&router, Method::GET, LIST, None).await;
        assert_eq!(status, 200, "{body}");
    });

    let mut g = c.benchmark_group("emulator");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for (name, uri) in [
        ("credentials_fields_all", LIST),
        ("credential_one", one.as_str()),
    ] {
        g.bench_function(format!("oneshot/{name}"), |b| {
            b.to_async(&rt).iter(|| async {
                let req = common::request(Method::GET, uri, None, &auth);
                let resp = router.clone().oneshot(req).await.expect("infallible");
                axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .expect("a body")
            })
        });
    }

    let (emulator, client) = rt.block_on(async {
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("a literal address");
        let emulator = Emulator::start(addr, EmulatorConfig::default())
            .await
            .expect("the emulator starts");
        let client = reqwest::Client::builder()
            .build()
            .expect("a reqwest client");
        let status = client
            .post(format!("{}{}", emulator.base_url(), common::CREDENTIALS))
            .header(header::AUTHORIZATION, &auth)
            .json(&common::credential_body(0))
            .send()
            .await
            .expect("the emulator answers")
            .status();
        assert_eq!(status.as_u16(), 201);
        (emulator, client)
    });
    let base = emulator.base_url();
    for (name, uri) in [
        ("credentials_fields_all", LIST),
        ("credential_one", one.as_str()),
    ] {
        let url = format!("{base}{uri}");
        g.bench_function(format!("loopback/{name}"), |b| {
            b.to_async(&rt).iter(|| async {
                client
                    .get(&url)
                    .header(header::AUTHORIZATION, &auth)
                    .send()
                    .await
                    .expect("the emulator answers")
                    .bytes()
                    .await
                    .expect("a body")
            })
        });
    }
    g.finish();
    rt.block_on(emulator.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
