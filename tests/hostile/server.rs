//! The hostile servers: a raw tokio `TcpListener` per test, answering the runner's probe like a
//! small ONTAP cluster (or not) and every other request the way its kind of hostility says.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::common::{CLUSTER_UUID, SVM1, SVM2};

/// What the huge responses would send if nobody stopped reading: far above the runner's 8 MiB.
pub const HUGE: u64 = 1 << 30;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hostile {
    /// Accepts, reads the request, and never answers.
    Hang,
    /// Headers, then one byte at a time, forever.
    Trickle,
    /// `Content-Length: 1000`, 100 bytes, close.
    HalfBody,
    /// `application/json` with bytes that are not JSON.
    Garbage,
    /// `Content-Length` of 1 GiB, then as much as the client takes.
    HugeDeclared,
    /// Chunked, 1 GiB of JSON-looking bytes if nobody stops reading.
    HugeChunked,
    /// 302 to itself.
    RedirectLoop,
    /// `text/html` with a JSON body.
    HtmlWithJson,
    /// `text/html` with an HTML page (a proxy's login page, say).
    HtmlPage,
    /// 500 with an empty body.
    ServerError,
    /// A status line, then one header line that never ends.
    EndlessHeader,
    /// Every change starts a job (202) that stays `running` forever.
    JobNeverEnds,
    /// 7 MiB of valid JSON (thousands of records with an undocumented field) for every
    /// request: under the read cap, so each one is read and checked whole.
    LargeJson,
}

pub struct Server {
    pub url: String,
    /// The most bytes written for any one response body.
    pub max_body_sent: Arc<AtomicU64>,
}

/// Starts a server on its own thread and runtime; it lives until the test process ends.
/// With `probe_ok` it answers the runner's probe requests like a small ONTAP cluster, so only
/// the cases meet `hostile`.
pub fn serve(hostile: Hostile, probe_ok: bool) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let max_body_sent = Arc::new(AtomicU64::new(0));
    let sent = max_body_sent.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let sent = sent.clone();
                tokio::spawn(async move {
                    let _ = connection(stream, hostile, probe_ok, addr.port(), sent).await;
                });
            }
        });
    });
    Server {
        url: format!("http://127.0.0.1:{}", addr.port()),
        max_body_sent,
    }
}

/// Serves requests on one connection (keep-alive) until a hostile answer ends it.
async fn connection(
    stream: TcpStream,
    hostile: Hostile,
    probe_ok: bool,
    port: u16,
    sent: Arc<AtomicU64>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await? == 0 {
            return Ok(());
        }
        let target = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        let out = reader.get_mut();
        if let Some(answer) = probe_answer(&target).filter(|_| probe_ok) {
            out.write_all(&answer).await?;
            continue;
        }
        answer_hostile(out, hostile, &target, port, &sent).await?;
        if matches!(
            hostile,
            Hostile::RedirectLoop
                | Hostile::ServerError
                | Hostile::JobNeverEnds
                | Hostile::LargeJson
        ) {
            continue; // well-formed answers: the connection stays usable
        }
        return Ok(());
    }
}

/// The runner's probe: `GET /api/cluster?fields=name,uuid,version`, the SVM list, and the
/// emulator's control surface (404 here: this is not the emulator).
fn probe_answer(target: &str) -> Option<Vec<u8>> {
    let body = match target {
        "/api/cluster?fields=name,uuid,version" => serde_json::json!({
            "name": "hostile", "uuid": CLUSTER_UUID,
            "version": {"full": "NetApp Release 9.14.1: Mon Jan 01 00:00:00 UTC 2024",
                        "generation": 9, "major": 14, "minor": 1}
        }),
        "/api/svm/svms?fields=name,uuid&order_by=name" => serde_json::json!({
            "records": [
                {"name": "svm1", "uuid": SVM1},
                {"name": "svm2", "uuid": SVM2}
            ],
            "num_records": 2
        }),
        t if t.starts_with("/emulator/") => {
            let b = r#"{"error":{"message":"entry doesn't exist","code":"4"}}"#;
            return Some(response(
                "404 Not Found",
                "application/hal+json",
                b.as_bytes(),
            ));
        }
        _ => return None,
    };
    Some(response(
        "200 OK",
        "application/hal+json",
        body.to_string().as_bytes(),
    ))
}

/// Marks an answer after which the server closes the connection, as a well-behaved server says
/// so; without it a pooled client may send its next request into the closing socket and see a
/// reset instead of the problem under test.
fn closing(answer: Vec<u8>) -> Vec<u8> {
    match answer.windows(2).position(|w| w == b"\r\n") {
        Some(i) => {
            let mut out = answer[..i + 2].to_vec();
            out.extend_from_slice(b"Connection: close\r\n");
            out.extend_from_slice(&answer[i + 2..]);
            out
        }
        None => answer,
    }
}

fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

async fn answer_hostile(
    out: &mut TcpStream,
    hostile: Hostile,
    target: &str,
    port: u16,
    sent: &AtomicU64,
) -> std::io::Result<()> {
    match hostile {
        Hostile::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Hostile::Trickle => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: 100000\r\n\r\n{")
                .await?;
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                out.write_all(b" ").await?;
            }
        }
        Hostile::HalfBody => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: 1000\r\n\r\n")
                .await?;
            out.write_all(&[b' '; 100]).await?;
            out.flush().await?;
        }
        Hostile::Garbage => {
            let body = b"\x00\xff\xfegarbage{{{ not json at all";
            out.write_all(&closing(response("200 OK", "application/hal+json", body)))
                .await?;
        }
        Hostile::HugeDeclared => {
            out.write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: {HUGE}\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
            flood(out, sent, false).await?;
        }
        Hostile::HugeChunked => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await?;
            flood(out, sent, true).await?;
        }
        Hostile::RedirectLoop => {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}{target}\r\nContent-Length: 0\r\n\r\n"
            );
            out.write_all(head.as_bytes()).await?;
        }
        Hostile::HtmlWithJson => {
            let body = br#"{"name": "cluster1", "records": [], "num_records": 0}"#;
            out.write_all(&closing(response(
                "200 OK",
                "text/html; charset=utf-8",
                body,
            )))
            .await?;
        }
        Hostile::HtmlPage => {
            let body = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>proxy login</body></html>";
            out.write_all(&closing(response(
                "200 OK",
                "text/html; charset=utf-8",
                body,
            )))
            .await?;
        }
        Hostile::ServerError => {
            out.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                .await?;
        }
        Hostile::LargeJson => {
            let record = serde_json::json!({"name": "svm1", "undocumented": "x".repeat(900)});
            let records = vec![record; 7000];
            let body = serde_json::json!({"records": records, "num_records": 7000});
            out.write_all(&response(
                "200 OK",
                "application/hal+json",
                body.to_string().as_bytes(),
            ))
            .await?;
            return Ok(());
        }
        Hostile::JobNeverEnds => {
            let uuid = "6f0b8c3e-1d2a-4b5c-9e8f-0a1b2c3d4e5f";
            let (status, body) = if target.starts_with("/api/cluster/jobs/") {
                let job = serde_json::json!({
                    "uuid": uuid, "state": "running", "message": "still going",
                    "_links": {"self": {"href": format!("/api/cluster/jobs/{uuid}")}}
                });
                ("200 OK", job)
            } else if target == "/api/security?fields=fips" {
                // The case's setup reads the setting it will put back.
                ("200 OK", serde_json::json!({"fips": {"enabled": false}}))
            } else {
                let link = serde_json::json!({"job": {
                    "uuid": uuid,
                    "_links": {"self": {"href": format!("/api/cluster/jobs/{uuid}")}}
                }});
                ("202 Accepted", link)
            };
            out.write_all(&response(
                status,
                "application/hal+json",
                body.to_string().as_bytes(),
            ))
            .await?;
            return Ok(());
        }
        Hostile::EndlessHeader => {
            out.write_all(b"HTTP/1.1 200 OK\r\nX-Endless: ").await?;
            let piece = [b'a'; 16 * 1024];
            for _ in 0..(HUGE / piece.len() as u64) {
                out.write_all(&piece).await?;
            }
        }
    }
    Ok(())
}

/// Writes up to [`HUGE`] bytes of a JSON-looking array until the client stops reading, and
/// records how far it got.
async fn flood(out: &mut TcpStream, sent: &AtomicU64, chunked: bool) -> std::io::Result<()> {
    let piece = "[1,2,3,4,5,6,7],".repeat(4096); // 64 KiB
    let mut total = 0u64;
    let result = async {
        while total < HUGE {
            if chunked {
                out.write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                    .await?;
                out.write_all(piece.as_bytes()).await?;
                out.write_all(b"\r\n").await?;
            } else {
                out.write_all(piece.as_bytes()).await?;
            }
            total += piece.len() as u64;
            sent.fetch_max(total, Ordering::Relaxed);
        }
        Ok::<(), std::io::Error>(())
    }
    .await;
    sent.fetch_max(total, Ordering::Relaxed);
    result
}
