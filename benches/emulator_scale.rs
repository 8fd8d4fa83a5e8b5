//! The emulator holding many iSCSI credentials (10k, 50k, 100k): one credential's GET, a page
//! of `max_records=1000` (and the same page filtered), and the emulator process's memory.
//!
//! The emulator is the real `ontap-conform emulate` binary in its own process, so its resident
//! memory (`VmRSS` in `/proc/PID/status`) is its own and not this bench's, and requests cross a
//! loopback socket as a client's do. Each size gets a fresh process, seeded through the public
//! API (`POST` of each credential, 8 at a time): no seeding shortcut exists that a real cluster
//! would not have, and 100k POSTs take seconds, not minutes. Targets: one GET under 1 ms, a page
//! under 50 ms, memory growing linearly with the number of credentials.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use reqwest::header;

const SIZES: [usize; 3] = [10_000, 50_000, 100_000];
const SEEDERS: usize = 8;

/// An `ontap-conform emulate` process, killed when dropped so no bench run leaves one behind.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ontap-conform"))
            .args(["emulate", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the ontap-conform binary starts");
        let stdout = child.stdout.take().expect("a piped stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("the emulator prints its address");
        // The emulator prints more after its address, and a closed pipe would make that print
        // fail and the emulator exit: keep reading until it ends.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base = line
            .trim()
            .strip_prefix("ONTAP emulator listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the emulator: {line:?}"))
            .to_string();
        Server { child, base }
    }

    /// (VmRSS, VmHWM) in KiB.
    fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status is readable");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} in /proc/PID/status"))
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs credentials 0..n, `SEEDERS` at a time; returns how long it took.
async fn seed(client: &reqwest::Client, base: &str, auth: &str, n: usize) -> Duration {
    let started = Instant::now();
    let url = Arc::new(format!("{base}{}", common::CREDENTIALS));
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..SEEDERS {
        let (client, url, auth) = (client.clone(), url.clone(), auth.to_string());
        tasks.spawn(async move {
            for i in (k..n).step_by(SEEDERS) {
                let resp = client
                    .post(url.as_str())
                    .header(header::AUTHORIZATION, &auth)
                    .json(&common::credential_body(i))
                    .send()
                    .await
                    .expect("the emulator answers");
                assert_eq!(resp.status().as_u16(), 201, "seeding credential {i}");
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("a seeding task panicked");
    }
    started.elapsed()
}

async fn get(client: &reqwest::Client, url: &str, auth: &str) -> axum::body::Bytes {
    let resp = client
        .get(url)
        .header(header::AUTHORIZATION, auth)
        .send()
        .await
        .expect("the emulator answers");
    assert_eq!(resp.status().as_u16(), 200, "GET {url}");
    resp.bytes().await.expect("a body")
}

fn bench(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let client = reqwest::Client::builder()
        .build()
        .expect("a reqwest client");
    let auth = common::admin_auth();

    let mut g = c.benchmark_group("emulator_scale");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let mut memory = Vec::new();
    for n in SIZES {
        let server = Server::start();
        let base = server.base.clone();
        rt.block_on(get(&client, &format!("{base}/api/cluster"), &auth));
        let (idle_kib, _) = server.memory_kib();
        let took = rt.block_on(seed(&client, &base, &auth, n));
        let (rss_kib, _) = server.memory_kib();
        println!(
            "scale: {n} credentials seeded in {:.1} s ({:.0}/s); emulator RSS {idle_kib} KiB idle, {rss_kib} KiB seeded, {:.0} bytes per credential",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            (rss_kib.saturating_sub(idle_kib) * 1024) as f64 / n as f64,
        );

        let one = format!("{base}{}", common::credential_path(n / 2));
        let page = format!("{base}{}?fields=*&max_records=1000", common::CREDENTIALS);
        let first = rt.block_on(get(&client, &page, &auth));
        let first: serde_json::Value = serde_json::from_slice(&first).expect("JSON");
        assert_eq!(first["num_records"], 1000, "a full page");
        g.bench_with_input(BenchmarkId::new("get_one", n), &one, |b, url| {
            b.to_async(&rt).iter(|| get(&client, url, &auth))
        });
        g.bench_with_input(BenchmarkId::new("page_1000", n), &page, |b, url| {
            b.to_async(&rt).iter(|| get(&client, url, &auth))
        });
        // A filter looks at every record, so this page still costs in proportion to the whole
        // collection; it shows what paging without a filter saves.
        let filtered = format!("{page}&authentication_type=chap");
        g.sample_size(10);
        g.bench_with_input(
            BenchmarkId::new("filtered_page_1000", n),
            &filtered,
            |b, url| b.to_async(&rt).iter(|| get(&client, url, &auth)),
        );
        g.sample_size(20);
        let (_, hwm_kib) = server.memory_kib();
        println!("scale: {n} credentials: emulator peak RSS {hwm_kib} KiB after the GETs");
        memory.push((n, rss_kib));
    }
    g.finish();
    if let [(n0, m0), .., (n1, m1)] = memory[..] {
        for &(n, m) in &memory {
            // Linear growth means each size's RSS lies on the line through the smallest and
            // the largest; the deviation says how far from linear it is.
            let line = m0 as f64 + (m1 as f64 - m0 as f64) * (n - n0) as f64 / (n1 - n0) as f64;
            println!(
                "scale: memory at {n}: {m} KiB, {:+.1}% from the line through {n0} and {n1}",
                (m as f64 - line) / line * 100.0
            );
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
