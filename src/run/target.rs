//! The target of a run: its base URL, the account the run uses, and the client that reaches it.
//!
//! Every request the runner, the probe, job polling, the emulator conditions and `cleanup` send
//! is built here, so the base URL, the account and the password are read in one place.

use serde_json::Value;

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
        })
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

    /// Sends a request built by [`Target::request`].
    pub async fn send(&self, req: &Outgoing) -> Result<Response, String> {
        http::send(&self.client, req).await
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
