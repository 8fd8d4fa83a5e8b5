//! The target of a run: its base URL, the account the run uses, and the client that reaches it.
//!
//! Every request the runner, the probe, job polling, the emulator conditions and `cleanup` send
//! is built here, so the base URL, the account and the password are read in one place.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::http::{self, Auth, Outgoing};
use super::{RunError, RunOptions};
use crate::check::Response;
use crate::secret::Secret;

/// Where a run's requests go and as whom.
#[derive(Clone)]
pub struct Target {
    /// The base URL without a trailing slash.
    base: String,
    /// The target as the user gave it, for messages.
    shown: String,
    user: String,
    password: Secret,
    client: reqwest::Client,
    /// How the run trusts the target, for the curl lines.
    tls: http::ClientOptions,
    /// When the next request may leave, under `--rate`.
    pacer: Option<Arc<Pacer>>,
    /// How many times the target said it was busy and a request was sent again.
    busy: Arc<AtomicUsize>,
    /// Whether the target has answered anything yet: a refused connection before that is a
    /// target that is not there (the run's problem, said at once), after it a full queue.
    reached: Arc<AtomicBool>,
}

/// `--rate`: requests leave at most this often, across every case of the run.
struct Pacer {
    gap: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// Waits for this request's turn.
    async fn wait(&self) {
        let turn = {
            let mut next = self.next.lock().await;
            let turn = (*next).max(Instant::now());
            *next = turn + self.gap;
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

/// How many times a request the target answered "busy" is sent again before its answer stands.
const BUSY_RETRIES: u32 = 4;

/// The longest wait before sending again, whatever `Retry-After` asks.
const BUSY_WAIT_CAP: Duration = Duration::from_secs(30);

/// Whether an answer says the target is too busy to take the request now, so the same request
/// may be sent again later: 429 (RFC 6585: too many requests) and 503 (RFC 9110 section 15.6.4:
/// temporarily unable), and a refused connection from a target that has answered before, which
/// is how ONTAP answers when its REST request queue is full (NetApp's "Known limitations" for
/// the REST API). None of them carried the request out, so sending it again is safe for any
/// method.
fn busy(got: &Result<Response, String>, reached: bool) -> bool {
    match got {
        Ok(r) => r.status == 429 || r.status == 503,
        Err(e) => reached && e.contains("connection refused"),
    }
}

/// How long to wait before try `attempt` (0-based) of a request answered busy: the answer's
/// `Retry-After` seconds where it gives them, else 0.5 s doubling.
fn busy_wait(got: &Result<Response, String>, attempt: u32) -> Duration {
    let asked = got
        .as_ref()
        .ok()
        .and_then(|r| r.header("retry-after"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    asked
        .unwrap_or(Duration::from_millis(500) * 2u32.pow(attempt))
        .min(BUSY_WAIT_CAP)
}

impl Target {
    /// The target `opts` names, with a client built from its client options.
    pub fn new(opts: &RunOptions) -> Result<Target, RunError> {
        http::check_base_url(&opts.target).map_err(RunError::Config)?;
        Ok(Target {
            base: opts.target.trim_end_matches('/').to_string(),
            shown: opts.target.clone(),
            user: opts.user.clone(),
            password: opts.password.clone(),
            client: http::client(&opts.client).map_err(RunError::Config)?,
            tls: http::ClientOptions {
                ca_cert: None,
                ..opts.client.clone()
            },
            pacer: opts.client.rate.map(|n| {
                Arc::new(Pacer {
                    gap: Duration::from_secs(1) / n,
                    next: Mutex::new(Instant::now()),
                })
            }),
            busy: Arc::default(),
            reached: Arc::default(),
        })
    }

    /// How many times the target answered busy and a request was sent again.
    pub fn busy_retries(&self) -> usize {
        self.busy.load(Ordering::Relaxed)
    }

    /// The URL of a path and query on the target (`/api/cluster?fields=name`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// The run's account, as a request sends it.
    pub fn run_auth(&self) -> Auth {
        Auth::RunUser(self.user.clone(), self.password.clone())
    }

    /// `user`/`password` as a request sends them: the run's account (its password shown as
    /// `$ONTAP_PASSWORD` in curl lines) when they are the run's, another account otherwise.
    pub fn auth_as(&self, user: String, password: String) -> Auth {
        if user == self.user && password == self.password.expose() {
            self.run_auth()
        } else {
            Auth::Other(user, Secret::new(password))
        }
    }

    /// A request to `path_and_query` on the target.
    pub fn request(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        auth: Auth,
    ) -> Outgoing {
        Outgoing {
            method: method.to_string(),
            url: self.url(path_and_query),
            body,
            auth,
            content_type: None,
        }
    }

    /// Sends a request built by [`Target::request`], at the run's `--rate`, and again (after a
    /// wait) while the target answers that it is busy, up to [`BUSY_RETRIES`] times: a cluster
    /// under load must slow the run down, not fail its cases.
    pub async fn send(&self, req: &Outgoing) -> Result<Response, String> {
        let mut attempt = 0;
        loop {
            if let Some(p) = &self.pacer {
                p.wait().await;
            }
            let got = http::send(&self.client, req).await;
            let reached = self.reached.load(Ordering::Relaxed);
            if got.is_ok() && !reached {
                self.reached.store(true, Ordering::Relaxed);
            }
            if attempt == BUSY_RETRIES || !busy(&got, reached) {
                return got;
            }
            self.busy.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(url = %req.url, attempt, "the target is busy: sending again");
            tokio::time::sleep(busy_wait(&got, attempt)).await;
            attempt += 1;
        }
    }

    /// Sends `method path_and_query` as the run's account, with `body` as JSON.
    pub async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<Response, String> {
        let body = body.map(|b| b.to_string().into_bytes());
        self.send(&self.request(method, path_and_query, body, self.run_auth()))
            .await
    }

    /// `GET path_and_query` as the run's account.
    pub async fn get(&self, path_and_query: &str) -> Result<Response, String> {
        self.call("GET", path_and_query, None).await
    }

    /// `GET` for the run's own bookkeeping (the probe, `cleanup`): a target that cannot be
    /// reached or refuses the account is the run's problem (exit 2), not a case's.
    pub async fn get_for_run(&self, path_and_query: &str) -> Result<Response, RunError> {
        let resp = self
            .get(path_and_query)
            .await
            .map_err(|message| RunError::Unreachable {
                target: self.shown.clone(),
                message,
            })?;
        if resp.status == 401 || resp.status == 403 {
            return Err(RunError::Credentials {
                target: self.shown.clone(),
                user: self.user.clone(),
                status: resp.status,
            });
        }
        Ok(resp)
    }

    /// A curl command that sends the same request (no password in it).
    pub fn curl(&self, req: &Outgoing) -> String {
        http::curl_line(req, &self.tls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_pacer_lets_requests_leave_at_its_rate_across_tasks() {
        let p = Arc::new(Pacer {
            gap: Duration::from_secs(1) / 10,
            next: Mutex::new(Instant::now()),
        });
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let p = p.clone();
                tokio::spawn(async move {
                    for _ in 0..5 {
                        p.wait().await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        // Twenty requests at ten a second: the last leaves 1.9 s after the first.
        assert_eq!(start.elapsed(), Duration::from_millis(1900));
    }

    fn answer(status: u16, retry_after: Option<&str>) -> Result<Response, String> {
        Ok(Response {
            status,
            headers: retry_after
                .map(|v| vec![("retry-after".to_string(), v.to_string())])
                .unwrap_or_default(),
            body: None,
            body_error: None,
        })
    }

    #[test]
    fn busy_is_429_503_and_a_refusal_from_a_target_that_answered_before() {
        assert!(busy(&answer(503, None), false));
        assert!(busy(&answer(429, None), true));
        assert!(!busy(&answer(500, None), true));
        assert!(!busy(&answer(404, None), true));
        let refused: Result<Response, String> =
            Err("nothing accepts connections at h:443 (connection refused): ...".into());
        assert!(busy(&refused, true));
        assert!(!busy(&refused, false), "a dead target is said at once");
    }

    #[test]
    fn the_wait_is_retry_after_else_doubling_and_capped() {
        assert_eq!(
            busy_wait(&answer(503, Some("2")), 0),
            Duration::from_secs(2)
        );
        assert_eq!(busy_wait(&answer(503, Some("3600")), 0), BUSY_WAIT_CAP);
        assert_eq!(busy_wait(&answer(503, None), 0), Duration::from_millis(500));
        assert_eq!(busy_wait(&answer(503, None), 2), Duration::from_secs(2));
    }
}
