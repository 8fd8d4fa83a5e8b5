//! The route table: every path the emulator serves, the methods on it and their handlers, in one
//! list that dispatch, the `Allow` header of a 405 and the known-path check all read.
//!
//! It reads like axum's (`route("/api/security", get(..).patch_async(..))`), but matching stays
//! the emulator's own: paths are split and percent-decoded here, empty segments are ignored
//! (`/api//security` is `/api/security`, the URL NetApp's Ansible collection builds for every
//! call, and a trailing slash with it), and a template's `{name}` matches any one segment. axum's router would answer unknown paths,
//! wrong methods and encoded slashes its own way, not ONTAP's.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use axum::http::{HeaderValue, Method};
use percent_encoding::percent_decode_str;

use super::context::{Ctx, Reply};
use super::error::ApiResult;
use super::{accounts, cli, control, docs, engine, iscsi, ndmp, ndmp_svms, password, security};

/// The decoded path segments a template's `{name}`s matched, in order.
pub struct Params<'a>(Vec<&'a str>);

impl Params<'_> {
    /// The `i`th parameter. The table gives each handler the parameters its template has; an
    /// index past them is "" rather than a panic.
    fn get(&self, i: usize) -> &str {
        self.0.get(i).copied().unwrap_or("")
    }
}

/// The parameters of a path without any (a collection's).
pub fn no_params() -> Params<'static> {
    Params(Vec::new())
}

type AsyncReply<'a> = Pin<Box<dyn Future<Output = ApiResult<Reply>> + Send + 'a>>;

/// What a method on a route runs.
#[derive(Clone, Copy)]
pub enum Handler {
    Sync(fn(&Ctx, &Params) -> ApiResult<Reply>),
    /// For the handlers that wait (the jobs `PATCH /api/security` starts).
    Async(for<'a> fn(&'a Ctx, &'a Params<'a>) -> AsyncReply<'a>),
}

impl Handler {
    pub async fn call(self, ctx: &Ctx, params: &Params<'_>) -> ApiResult<Reply> {
        match self {
            Handler::Sync(f) => f(ctx, params),
            Handler::Async(f) => f(ctx, params).await,
        }
    }
}

/// The methods of one route, in the order the `Allow` header lists them.
#[derive(Default)]
pub struct Methods(Vec<(Method, Handler)>);

fn get(f: fn(&Ctx, &Params) -> ApiResult<Reply>) -> Methods {
    Methods::default().get(f)
}

fn post(f: fn(&Ctx, &Params) -> ApiResult<Reply>) -> Methods {
    Methods::default().post(f)
}

impl Methods {
    fn on(mut self, method: Method, handler: Handler) -> Methods {
        self.0.push((method, handler));
        self
    }
    fn get(self, f: fn(&Ctx, &Params) -> ApiResult<Reply>) -> Methods {
        self.on(Method::GET, Handler::Sync(f))
    }
    fn post(self, f: fn(&Ctx, &Params) -> ApiResult<Reply>) -> Methods {
        self.on(Method::POST, Handler::Sync(f))
    }
    fn patch(self, f: fn(&Ctx, &Params) -> ApiResult<Reply>) -> Methods {
        self.on(Method::PATCH, Handler::Sync(f))
    }
    fn patch_async(self, f: for<'a> fn(&'a Ctx, &'a Params<'a>) -> AsyncReply<'a>) -> Methods {
        self.on(Method::PATCH, Handler::Async(f))
    }
    fn delete(self, f: fn(&Ctx, &Params) -> ApiResult<Reply>) -> Methods {
        self.on(Method::DELETE, Handler::Sync(f))
    }
}

/// One path the emulator serves.
pub struct Route {
    /// The path in the spec's form, e.g. `/api/security/accounts/{owner.uuid}/{name}`.
    pub template: &'static str,
    segments: Vec<&'static str>,
    methods: Methods,
    /// A read-only account may call it with any method (it changes only its own password);
    /// every other `/api` route is GET/HEAD only for a read-only account.
    pub open_to_readonly: bool,
    /// Why the emulator serves a path the spec does not document (None: the spec documents it).
    pub beyond_spec: Option<&'static str>,
    /// Query parameters on an instance path that its handlers read themselves; every other
    /// non-reserved parameter there is a matcher the server checks (see `server::matchers`).
    pub own_params: &'static [&'static str],
    /// Query parameters that change how an instance PATCH/DELETE runs, not which record it
    /// changes (`add_initiator_addresses`): never matchers, never collection filters, and
    /// passed on to each record's handler in a PATCH/DELETE on the collection.
    pub options: &'static [&'static str],
}

impl Route {
    /// The `Allow` header of a 405 or an OPTIONS on this path: the table's methods, HEAD with
    /// GET, PATCH and DELETE on a collection whose instances take them (NetApp's "Object
    /// references and access": those run on the records a query selects), and OPTIONS.
    pub fn allow(&self) -> HeaderValue {
        let mut names: Vec<&str> = Vec::new();
        for (m, _) in &self.methods.0 {
            names.push(m.as_str());
            if *m == Method::GET {
                names.push("HEAD");
            }
        }
        for (m, name) in [(Method::PATCH, "PATCH"), (Method::DELETE, "DELETE")] {
            if self.handler(&m).is_none() && self.instance_handler(&m).is_some() {
                names.push(name);
            }
        }
        names.push("OPTIONS");
        HeaderValue::from_str(&names.join(", ")).unwrap_or(HeaderValue::from_static("OPTIONS"))
    }

    /// Whether the path names one record (its template has parameters).
    pub fn is_instance(&self) -> bool {
        self.segments.iter().any(|s| s.starts_with('{'))
    }

    /// The handler for `method` on this collection's instances (the route whose template is
    /// this one followed by parameters only), for PATCH and DELETE on a collection.
    pub fn instance_handler(&self, method: &Method) -> Option<Handler> {
        self.instance(method).and_then(|r| r.handler(method))
    }

    /// This collection's instance route that serves `method`.
    pub fn instance(&self, method: &Method) -> Option<&'static Route> {
        if self.is_instance() {
            return None;
        }
        ROUTES.iter().find(|r| {
            r.segments.len() > self.segments.len()
                && r.segments.starts_with(&self.segments)
                && r.segments[self.segments.len()..]
                    .iter()
                    .all(|s| s.starts_with('{'))
                && r.handler(method).is_some()
        })
    }

    fn own_params(mut self, names: &'static [&'static str]) -> Route {
        self.own_params = names;
        self
    }

    fn options(mut self, names: &'static [&'static str]) -> Route {
        self.options = names;
        self
    }
    /// The handler for `method`, or None (405).
    pub fn handler(&self, method: &Method) -> Option<Handler> {
        self.methods
            .0
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, h)| *h)
    }

    fn open_to_readonly(mut self) -> Route {
        self.open_to_readonly = true;
        self
    }

    fn beyond_spec(mut self, why: &'static str) -> Route {
        self.beyond_spec = Some(why);
        self
    }

    /// The template's `{name}`s bound to `segs`, when the path is this route's.
    fn matches<'a>(&self, segs: &[&'a str]) -> Option<Params<'a>> {
        if segs.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (pattern, seg) in self.segments.iter().zip(segs) {
            if pattern.starts_with('{') {
                params.push(*seg);
            } else if pattern != seg {
                return None;
            }
        }
        Some(Params(params))
    }
}

fn route(template: &'static str, methods: Methods) -> Route {
    Route {
        template,
        segments: template.trim_start_matches('/').split('/').collect(),
        methods,
        open_to_readonly: false,
        beyond_spec: None,
        own_params: &[],
        options: &[],
    }
}

/// Why the CLI passthrough's paths are served: ONTAP serves `/api/private/cli/<command>` for
/// every CLI command, outside its REST definition, and NetApp's own clients send some.
const PASSTHROUGH: &str = "ONTAP's CLI passthrough (/api/private/cli), outside NetApp's REST \
     definition; na_ontap_broadcast_domain sends this command before a domain's delete";

/// The map of the emulator.
static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    vec![
        // The emulator-only control surface (cluster admin only).
        route(
            "/emulator/conditions",
            get(|c, _| control::get_conditions(c)).patch(|c, _| control::patch_conditions(c)),
        )
        .beyond_spec("the emulator's own control surface"),
        route("/emulator/reset", post(|c, _| control::reset(c)))
            .beyond_spec("the emulator's own control surface"),
        route("/emulator/state", get(|c, _| control::state(c)))
            .beyond_spec("the emulator's own control surface"),
        // ONTAP's own definition of its API, as every cluster serves it.
        route("/docs/api/swagger.yaml", get(|c, _| docs::swagger(c))).beyond_spec(
            "NetApp's definition of the API, not an operation of it: the 9.8 file the imported \
             layer is made from",
        ),
        // ONTAP.
        route("/api/cluster/jobs", get(|c, _| security::list_jobs(c))).beyond_spec(
            "the collection of the jobs PATCH /api/security starts; the spec documents only \
             GET /api/cluster/jobs/{uuid}, the call the seed pages make",
        ),
        route(
            "/api/cluster/jobs/{uuid}",
            get(|c, p| security::get_job(c, p.get(0))),
        ),
        route("/api/private/cli/vserver", get(|c, _| cli::vserver(c))).beyond_spec(
            "ONTAP's CLI passthrough, which NetApp's definition leaves out: na_ontap_svm reads an \
             SVM's allowed protocols there before 9.9.1",
        ),
        route(
            "/api/security",
            get(|c, _| security::get_security(c))
                .patch_async(|c, _| Box::pin(security::patch_security(c))),
        ),
        route(
            "/api/security/accounts",
            get(|c, _| accounts::list(c)).post(|c, _| accounts::create(c)),
        ),
        route(
            "/api/security/accounts/{owner.uuid}/{name}",
            get(|c, p| accounts::get_one(c, p.get(0), p.get(1)))
                .patch(|c, p| accounts::patch(c, p.get(0), p.get(1)))
                .delete(|c, p| accounts::delete(c, p.get(0), p.get(1))),
        ),
        route(
            "/api/security/authentication/password",
            post(|c, _| password::change(c)),
        )
        .open_to_readonly(),
        route(
            "/api/protocols/san/iscsi/credentials",
            get(|c, _| iscsi::list(c)).post(|c, _| iscsi::create(c)),
        ),
        route(
            "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}",
            get(|c, p| iscsi::get_one(c, p.get(0), p.get(1)))
                .patch(|c, p| iscsi::patch(c, p.get(0), p.get(1)))
                .delete(|c, p| iscsi::delete(c, p.get(0), p.get(1))),
        )
        // The DELETE checks `svm.name` against the path's SVM with its own error.
        .own_params(&["svm.name"])
        .options(&["add_initiator_addresses", "remove_initiator_addresses"]),
        // ONTAP's CLI passthrough: the commands NetApp's clients send (engine/cli.rs).
        route(
            "/api/private/cli/network/port/broadcast-domain/remove-ports",
            post(|c, _| engine::broadcast_domain_ports(c, engine::Ports::Remove))
                .patch(|c, _| engine::broadcast_domain_ports(c, engine::Ports::Remove)),
        )
        .own_params(&["broadcast-domain", "ipspace"])
        .beyond_spec(PASSTHROUGH),
        route(
            "/api/private/cli/network/port/broadcast-domain/add-ports",
            post(|c, _| engine::broadcast_domain_ports(c, engine::Ports::Add))
                .patch(|c, _| engine::broadcast_domain_ports(c, engine::Ports::Add)),
        )
        .own_params(&["broadcast-domain", "ipspace"])
        .beyond_spec(PASSTHROUGH),
        route("/api/protocols/ndmp/svms", get(|c, _| ndmp_svms::list(c))),
        route(
            "/api/protocols/ndmp/svms/{svm.uuid}",
            get(|c, p| ndmp_svms::get_one(c, p.get(0))).patch(|c, p| ndmp_svms::patch(c, p.get(0))),
        ),
        route(
            "/api/protocols/ndmp/svms/{svm.uuid}/passwords/{user}",
            get(|c, p| ndmp::get_password(c, p.get(0), p.get(1))),
        ),
    ]
});

/// The route a path (already split by [`segments`]) belongs to, with its parameters.
pub fn find<'a>(segs: &[&'a str]) -> Option<(&'static Route, Params<'a>)> {
    ROUTES
        .iter()
        .find_map(|r| r.matches(segs).map(|params| (r, params)))
}

/// Whether the table serves a GET on `template` (a path in the spec's form, its parameters'
/// names aside): the engine leaves such a path to the table.
pub fn serves_get(template: &str) -> bool {
    ROUTES.iter().any(|r| {
        r.handler(&Method::GET).is_some() && super::engine::same_path(r.template, template)
    })
}

/// Whether the table serves any method on `template` (its parameters' names aside): the engine
/// takes no action on such a path.
pub fn serves(template: &str) -> bool {
    ROUTES
        .iter()
        .any(|r| super::engine::same_path(r.template, template))
}

/// Splits and percent-decodes the path into segments, leaving out empty ones: ONTAP serves
/// `/api//security` as `/api/security` (NetApp's Ansible collection joins `https://host/api/`
/// and `/security` for every call), and a trailing slash is one more empty segment. An encoded
/// slash (`%2F`) stays inside its segment. A segment without escapes is borrowed, not copied.
pub fn segments(path: &str) -> Vec<Cow<'_, str>> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy())
        .collect()
}

/// One method on one path the emulator serves, for comparing the table with the spec.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteInfo {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path in the spec's form, e.g. `/api/svm/svms/{uuid}`.
    pub path: &'static str,
    /// Why the emulator serves it though the spec does not document it (None: documented).
    pub beyond_spec: Option<&'static str>,
}

/// Every method on every path the emulator serves, `/emulator/` included, in table order.
pub fn routes() -> Vec<RouteInfo> {
    ROUTES
        .iter()
        .flat_map(|r| {
            r.methods.0.iter().map(|(m, _)| RouteInfo {
                method: m.as_str(),
                path: r.template,
                beyond_spec: r.beyond_spec,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find_path(path: &str) -> Option<(&'static str, Vec<String>)> {
        let segs = segments(path);
        let segs: Vec<&str> = segs.iter().map(AsRef::as_ref).collect();
        find(&segs).map(|(r, p)| (r.template, p.0.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn templates_match_one_decoded_segment_per_name() {
        assert_eq!(
            find_path("/api/security/accounts/u%2F1/admin/"),
            Some((
                "/api/security/accounts/{owner.uuid}/{name}",
                vec!["u/1".to_string(), "admin".to_string()]
            ))
        );
        // Empty segments are ignored (docs: the Ansible collection's `/api//security` works on
        // ONTAP), so `/api/security/accounts//` is the collection, where it once bound an empty
        // key.
        assert_eq!(
            find_path("/api/security/accounts//"),
            Some(("/api/security/accounts", Vec::new()))
        );
        assert_eq!(
            find_path("//api//security/").map(|f| f.0),
            Some("/api/security")
        );
        assert_eq!(find_path("/api/svm"), None);
        assert_eq!(find_path("/api/cluster/jobs/a/b"), None);
    }

    #[test]
    fn allow_lists_the_methods_in_table_order() {
        let segs = ["api", "protocols", "san", "iscsi", "credentials", "s", "i"];
        let (route, _) = find(&segs).expect("a known path");
        assert_eq!(route.allow(), "GET, HEAD, PATCH, DELETE, OPTIONS");
        let (coll, _) = find(&segs[..5]).expect("a known path");
        assert_eq!(coll.allow(), "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
        assert!(coll.instance_handler(&Method::PATCH).is_some());
        assert!(coll.handler(&Method::PATCH).is_none());
        assert!(route.handler(&Method::PUT).is_none());
    }

    #[test]
    fn every_template_is_unique_and_serves_a_method() {
        let mut seen = std::collections::BTreeSet::new();
        for r in ROUTES.iter() {
            assert!(seen.insert(r.template), "{} twice", r.template);
            assert!(!r.methods.0.is_empty(), "{} serves nothing", r.template);
        }
    }
}
