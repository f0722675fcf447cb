//! The HTTP server: routing by domain prefix and operation path, recording, validation, scenarios and replies.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use tokio::task::JoinHandle;

use crate::bodies;
use crate::oauth::{self, OAuthState, Verdict};
use crate::scenario::{token_credential, RouteState, Scenario};
use crate::table::{self, DomainTable, ErrorClass, OperationTable};
use crate::validate::{self, Incoming, Rejection};
use crate::MockConfig;

/// A request as the mock received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// The domain it was routed to, if its path had a domain prefix.
    pub domain: Option<&'static str>,
    /// The operation it was routed to, if method and path matched one.
    pub operation: Option<&'static str>,
    /// HTTP method.
    pub method: String,
    /// The path as received, domain prefix included (`/onebound/douyin/item_get_video/`).
    pub path: String,
    /// The raw query string exactly as received (without `?`), if the URL had one.
    pub query: Option<String>,
    /// Every header as received.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first value of header `name`, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The query's `name=value` pairs, percent-decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        validate::pairs(self.query.as_deref().unwrap_or("").as_bytes())
    }
}

#[derive(Default)]
struct Inner {
    /// The most recent requests, oldest first, within the config's log limits.
    requests: VecDeque<RecordedRequest>,
    /// Body bytes held by `requests`.
    logged_bytes: usize,
    /// Requests dropped from the log to keep it within its limits.
    dropped: u64,
    attempts: HashMap<(&'static str, &'static str), usize>,
    routes: HashMap<(&'static str, &'static str), RouteState>,
    /// Cookie values this mock issued (`response.cookies`), most recent last, at most [`ISSUED_KEPT`]: a credential
    /// carrying one is accepted, as the service accepts a session it bootstrapped.
    issued: VecDeque<String>,
}

/// How many issued cookie values the mock remembers.
const ISSUED_KEPT: usize = 256;

impl Inner {
    /// Logs `r`, dropping the oldest requests while the log holds more requests or body bytes than `config` allows.
    fn record(&mut self, r: RecordedRequest, config: &MockConfig) {
        self.logged_bytes += r.body.len();
        self.requests.push_back(r);
        while self.requests.len() > config.log_requests
            || (self.logged_bytes > config.log_body_bytes && !self.requests.is_empty())
        {
            if let Some(old) = self.requests.pop_front() {
                self.logged_bytes -= old.body.len();
                self.dropped += 1;
            }
        }
    }
}

struct Shared {
    config: MockConfig,
    inner: Mutex<Inner>,
    /// Codes and tokens issued by the OAuth endpoints (kept across [`MockServer::reset`]).
    oauth: Mutex<OAuthState>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not take every later assertion down with it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn oauth(&self) -> MutexGuard<'_, OAuthState> {
        self.oauth.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running mock server on 127.0.0.1; stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockServer {
    /// Starts a server with the default [`MockConfig`] on a free port.
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound.
    pub async fn start() -> MockServer {
        Self::start_with(MockConfig::default()).await
    }

    /// Starts a server with `config`.
    ///
    /// # Panics
    /// If the port cannot be bound.
    pub async fn start_with(config: MockConfig) -> MockServer {
        Self::try_start(config)
            .await
            .unwrap_or_else(|e| panic!("douyin-mock: cannot listen on 127.0.0.1: {e}"))
    }

    /// Starts a server with `config`, or says why it could not listen.
    pub async fn try_start(config: MockConfig) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            inner: Mutex::new(Inner::default()),
            oauth: Mutex::new(OAuthState::default()),
        });
        let app = Router::new()
            .merge(crate::media::router())
            .fallback(handle)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("douyin-mock: server stopped: {e}");
            }
        });
        Ok(MockServer { addr, shared, task })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// The base URL to give a client of `domain` (`http://127.0.0.1:PORT/onebound`).
    ///
    /// # Panics
    /// If no spec is called `domain`.
    pub fn base_url(&self, domain: &str) -> String {
        let d = table::domain(domain)
            .unwrap_or_else(|| panic!("douyin-mock: no domain `{domain}` in specs/"));
        format!("http://{}{}", self.addr, d.prefix)
    }

    /// The requests received so far, in arrival order: every one, unless more arrived than the log keeps
    /// ([`MockConfig::log_limit`]); then the most recent ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// How many requests were dropped from the log to keep it within its limits.
    pub fn requests_dropped(&self) -> u64 {
        self.shared.lock().dropped
    }

    /// The requests routed to operation `op` (of any domain).
    pub fn requests_to(&self, op: &str) -> Vec<RecordedRequest> {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.operation == Some(op))
            .cloned()
            .collect()
    }

    /// How many requests were routed to operation `op` (of any domain; operation names do not repeat in practice).
    pub fn attempts(&self, op: &str) -> usize {
        self.shared
            .lock()
            .attempts
            .iter()
            .filter(|((_, o), _)| *o == op)
            .map(|(_, n)| n)
            .sum()
    }

    /// Switches `domain`'s operation `op` to `scenario` (and resets its counters).
    ///
    /// # Panics
    /// If the route does not exist or the scenario does not fit it (an example it does not have, pages for an
    /// operation that does not paginate, an expired token where the domain documents none).
    pub fn set_scenario(&self, domain: &str, op: &str, scenario: Scenario) {
        if let Err(e) = self.try_set_scenario(domain, op, scenario) {
            panic!("douyin-mock: {e}");
        }
    }

    /// Like [`MockServer::set_scenario`], but says what is wrong instead of panicking.
    pub fn try_set_scenario(
        &self,
        domain: &str,
        op: &str,
        scenario: Scenario,
    ) -> Result<(), String> {
        let d = table::domain(domain).ok_or_else(|| format!("no domain `{domain}` in specs/"))?;
        let o = d
            .operation(op)
            .ok_or_else(|| format!("domain `{domain}` has no operation `{op}`"))?;
        scenario.check(d, o)?;
        self.shared
            .lock()
            .routes
            .insert((d.name, o.name), RouteState::new(scenario));
        Ok(())
    }

    /// A user approves the Open Platform authorization page for `scope`: the code its redirect would carry.
    pub fn authorize(&self, scope: &str) -> String {
        self.shared
            .oauth()
            .authorize(&self.shared.config.oauth, scope)
    }

    /// Ends the life of every access token issued so far (the data endpoints answer the expired-token code).
    pub fn expire_access_tokens(&self) {
        self.shared.oauth().expire_access_tokens();
    }

    /// Ends the life of every refresh token issued so far.
    pub fn expire_refresh_tokens(&self) {
        self.shared.oauth().expire_refresh_tokens();
    }

    /// Forgets recorded requests, attempt counters and scenarios (issued OAuth tokens stay valid).
    pub fn reset(&self) {
        *self.shared.lock() = Inner::default();
    }
}

pub(crate) fn route(domain: &str, op: &str) -> (&'static DomainTable, &'static OperationTable) {
    let d = table::domain(domain)
        .unwrap_or_else(|| panic!("douyin-mock: no domain `{domain}` in specs/"));
    let o = d
        .operation(op)
        .unwrap_or_else(|| panic!("douyin-mock: domain `{domain}` has no operation `{op}`"));
    (d, o)
}

/// An answer before it becomes an HTTP response.
struct Reply {
    status: u16,
    content_type: String,
    body: Bytes,
    allow: Option<&'static str>,
    location: Option<String>,
    /// `Set-Cookie` header values.
    set_cookies: Vec<String>,
}

const JSON: &str = "application/json; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

impl Reply {
    fn json(body: Bytes) -> Reply {
        Reply::new(200, JSON, body)
    }

    fn text(status: u16, body: impl Into<Bytes>) -> Reply {
        Reply::new(status, TEXT, body.into())
    }

    fn empty() -> Reply {
        Reply::new(200, JSON, Bytes::new())
    }

    fn new(status: u16, content_type: &str, body: Bytes) -> Reply {
        Reply {
            status,
            content_type: content_type.to_owned(),
            body,
            allow: None,
            location: None,
            set_cookies: Vec::new(),
        }
    }

    fn into_response(self) -> Response {
        let mut resp = Response::new(axum::body::Body::from(self.body));
        *resp.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.content_type) {
            if !self.content_type.is_empty() {
                headers.insert(http::header::CONTENT_TYPE, v);
            }
        }
        if let Some(allow) = self.allow {
            headers.insert(http::header::ALLOW, HeaderValue::from_static(allow));
        }
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(http::header::LOCATION, location);
        }
        for c in self.set_cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                headers.append(http::header::SET_COOKIE, v);
            }
        }
        resp
    }
}

/// Finds the domain and operation of a path; `Err` is the 404/405 answer.
fn resolve(
    method: &str,
    path: &str,
) -> (
    Option<&'static DomainTable>,
    Result<&'static OperationTable, Reply>,
) {
    let not_found = || Reply::text(404, "404 page not found");
    let Some(d) = table::domains().iter().copied().find(|d| {
        path.strip_prefix(d.prefix)
            .is_some_and(|rest| rest.starts_with('/'))
    }) else {
        return (None, Err(not_found()));
    };
    let rest = &path[d.prefix.len()..];
    let mut same_path = d.operations.iter().filter(|o| o.path == rest).peekable();
    if same_path.peek().is_none() {
        return (Some(d), Err(not_found()));
    }
    let mut allowed = None;
    for o in same_path {
        if o.method.as_str() == method {
            return (Some(d), Ok(o));
        }
        allowed = Some(o.method.as_str());
    }
    let mut reply = Reply::text(405, "405 method not allowed");
    reply.allow = allowed;
    (Some(d), Err(reply))
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let limit = shared.config.max_body_bytes;
    // A body over the limit is neither read on nor kept: the request is logged without it and refused.
    let (body, too_large) = match axum::body::to_bytes(body, limit).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    if let Some((_, roles)) = oauth::authorization_page(&path) {
        let query = parts.uri.query().unwrap_or("");
        let (status, text) = oauth::connect(&mut shared.oauth(), roles, &shared.config, query);
        let mut reply = Reply::text(status, text.clone());
        if status == 302 {
            reply.location = Some(text);
        }
        return reply.into_response();
    }
    let (domain, found) = resolve(&method, &path);
    let record = RecordedRequest {
        domain: domain.map(|d| d.name),
        operation: found.as_ref().ok().map(|o| o.name),
        method,
        path,
        query,
        headers: parts.headers,
        body,
    };
    if too_large {
        shared.lock().record(record, &shared.config);
        return Reply::text(
            413,
            format!("413 payload too large: request bodies are limited to {limit} bytes"),
        )
        .into_response();
    }
    if let Some(resp) = crate::share::answer(&record.method, &record.path) {
        shared.lock().record(record, &shared.config);
        return resp;
    }
    let (d, op) = match (domain, found) {
        (Some(d), Ok(op)) => (d, op),
        (_, Err(reply)) => {
            shared.lock().record(record, &shared.config);
            return reply.into_response();
        }
        (None, Ok(_)) => unreachable!("an operation is always found in a domain"),
    };
    let scenario = {
        let mut inner = shared.lock();
        inner.record(record.clone(), &shared.config);
        *inner.attempts.entry((d.name, op.name)).or_default() += 1;
        match inner.routes.get_mut(&(d.name, op.name)) {
            Some(state) => state.next(),
            None => Scenario::Success,
        }
    };
    let scenario = RouteState::for_request(scenario, |needle| record.carries(needle));
    answer(&shared, d, op, &record, scenario)
        .await
        .into_response()
}

async fn answer(
    shared: &Shared,
    d: &DomainTable,
    op: &OperationTable,
    req: &RecordedRequest,
    scenario: Scenario,
) -> Reply {
    let incoming = Incoming {
        query: req.query.as_deref().unwrap_or(""),
        headers: &req.headers,
        body: &req.body,
    };
    let token = match &scenario {
        Scenario::ExpiredToken { .. } => token_credential(d, op),
        _ => None,
    };
    // Issued codes and tokens are judged against what the OAuth endpoints handed out, not the configuration.
    let judged = token
        .is_none()
        .then(|| oauth::judged_credential(d, op))
        .flatten();
    // Asked only when a credential differs from the configured value.
    let issued = |value: &str| shared.lock().issued.iter().any(|i| i == value);
    if let Err(rejection) =
        validate::check(op, &incoming, &shared.config, token.or(judged), &issued)
    {
        return rejected(d, op, rejection);
    }
    let judged_value = judged.map(|n| incoming.credential(op, n).unwrap_or_default());
    // A token is judged here; a code or refresh token by the operation that takes it.
    let token_judged = judged.filter(|n| oauth::is_token(d, n));
    if let (Some(name), Some(value), Some(roles)) = (token_judged, &judged_value, &d.oauth) {
        let verdict =
            shared
                .oauth()
                .judge(roles, name, value, shared.config.credential_value(name));
        match verdict {
            Verdict::Live => {}
            Verdict::Expired => {
                return Reply::json(oauth::refusal(d, op, ErrorClass::ExpiredCredential, ""))
            }
            Verdict::Unknown => return rejected(d, op, Rejection::Credential(name)),
        }
    }
    let envelope = |class: ErrorClass, hint: &str| match d.code_of(class, hint) {
        Some(e) => Reply::json(bodies::envelope(d, op, e.code, e.meaning)),
        None => Reply::text(429, "429 too many requests"),
    };
    match scenario {
        // `Times`, `Cycle` and `Carrying` are resolved before (`RouteState::next`, `RouteState::for_request`).
        Scenario::Success
        | Scenario::Times(..)
        | Scenario::Cycle(..)
        | Scenario::Carrying { .. } => {
            let issued = shared.oauth().answer(
                &shared.config.oauth,
                d,
                op,
                judged_value.as_deref().unwrap_or(""),
            );
            match issued {
                Some(body) => Reply::json(body),
                None => success(shared, d, op, req),
            }
        }
        Scenario::Example(n) => Reply::json(Bytes::from_static(op.examples[n].body.as_bytes())),
        Scenario::Code(code) => {
            let meaning = d.error(&code).map(|e| e.meaning).unwrap_or("mock error");
            Reply::json(bodies::envelope(d, op, &code, meaning))
        }
        Scenario::RateLimited => envelope(ErrorClass::RateLimited, ""),
        Scenario::Quota => envelope(ErrorClass::Quota, ""),
        Scenario::ExpiredToken { fresh } => {
            let name = token.expect("checked when the scenario was set");
            let value = incoming.credential(op, name).unwrap_or_default();
            let stale = {
                let mut inner = shared.lock();
                // The route's state is gone only if the test reset the server meanwhile: still stale.
                inner
                    .routes
                    .get_mut(&(d.name, op.name))
                    .is_none_or(|state| state.is_stale(fresh.as_deref(), &value))
            };
            if stale {
                envelope(ErrorClass::ExpiredCredential, "")
            } else {
                success(shared, d, op, req)
            }
        }
        Scenario::Status(status) => Reply::text(status, format!("douyin-mock: HTTP {status}")),
        Scenario::Delay(delay) => {
            tokio::time::sleep(delay).await;
            success(shared, d, op, req)
        }
        Scenario::EmptyBody => Reply::empty(),
        Scenario::Html => Reply::new(
            200,
            "text/html; charset=utf-8",
            Bytes::from_static(bodies::CHALLENGE_PAGE.as_bytes()),
        ),
        Scenario::Refused(kind) => Reply::json(bodies::refused(d, op, kind)),
        Scenario::TruncatedJson => match success_body(shared, d, op) {
            Ok(body) => Reply::json(bodies::truncated(&body)),
            Err(e) => missing_fixture(e),
        },
        Scenario::Pages { pages, page_size } => {
            let pg = op
                .pagination
                .as_ref()
                .expect("checked when the scenario was set");
            // The cursor travels in the query, or in the form body of a POST (aweme/listcollection).
            let cursor = req
                .query_pairs()
                .into_iter()
                .chain(validate::pairs(&req.body))
                .find(|(n, _)| n == pg.cursor_param)
                .and_then(|(_, v)| v.parse::<i64>().ok())
                .unwrap_or(0);
            Reply::json(bodies::page(op, pg, cursor, pages, page_size))
        }
        Scenario::Raw {
            status,
            content_type,
            body,
        } => Reply::new(status, &content_type, Bytes::from(body)),
    }
}

/// The success body: the configured override (`--fixtures`), else the documented one.
fn success_body(shared: &Shared, d: &DomainTable, op: &OperationTable) -> Result<Bytes, String> {
    let key = (d.name.to_owned(), op.name.to_owned());
    match shared.config.success_bodies.get(&key) {
        Some(body) => Ok(body.clone()),
        None => bodies::success(op),
    }
}

/// The success answer, in the requested response format.
fn success(shared: &Shared, d: &DomainTable, op: &OperationTable, req: &RecordedRequest) -> Reply {
    let body = match success_body(shared, d, op) {
        Ok(b) => b,
        Err(e) => return missing_fixture(e),
    };
    if let Some(formats) = &d.formats {
        let pairs = req.query_pairs();
        let format = pairs
            .iter()
            .find(|(n, _)| n == formats.parameter)
            .map(|(_, v)| v.as_str());
        if let Some(f) = format.filter(|f| formats.text.contains(f)) {
            let (content_type, text) = bodies::text_format(f, &body);
            return Reply::new(200, content_type, Bytes::from(text));
        }
    }
    let mut reply = Reply::json(body);
    reply.set_cookies = issued_cookies(shared, d, op);
    reply
}

/// The cookies a success of `op` sets (its spec's `response.cookies`): deterministic values that name the cookie
/// and count the route's requests, so a second bootstrap gets new ones, valid for a year.
fn issued_cookies(shared: &Shared, d: &DomainTable, op: &OperationTable) -> Vec<String> {
    if op.set_cookies.is_empty() {
        return Vec::new();
    }
    let mut inner = shared.lock();
    let n = inner.attempts.get(&(d.name, op.name)).copied().unwrap_or(0);
    op.set_cookies
        .iter()
        .map(|name| {
            let value = issued_cookie_value(name, n);
            if inner.issued.len() == ISSUED_KEPT {
                inner.issued.pop_front();
            }
            inner.issued.push_back(value.clone());
            format!("{name}={value}; Path=/; Max-Age=31536000; HttpOnly")
        })
        .collect()
}

/// The value the mock issues for cookie `name` on the `n`th request of its route.
pub fn issued_cookie_value(name: &str, n: usize) -> String {
    format!("mock-{name}-{n:04}")
}

fn missing_fixture(e: String) -> Reply {
    eprintln!("{e}");
    Reply::text(500, e)
}

/// How the domain answers a request it refuses.
fn rejected(d: &DomainTable, op: &OperationTable, r: Rejection) -> Reply {
    let (class, hint, detail) = match &r {
        // Web: the site answers a bad cookie, user agent, msToken or signature with HTTP 200 and nothing in it.
        Rejection::Credential(_) | Rejection::Signature(_)
            if d.code_of(ErrorClass::Authentication, "").is_none() =>
        {
            return Reply::empty();
        }
        Rejection::Signature(_) => return Reply::empty(),
        Rejection::Credential(name) => (
            ErrorClass::Authentication,
            // The application's own key and secret have their own documented code.
            if name.starts_with("client_") {
                "BadClient"
            } else {
                "Invalid"
            },
            format!("invalid {name}"),
        ),
        Rejection::Missing(name) => (
            ErrorClass::InvalidParameter,
            "Missing",
            format!("missing parameter {name}"),
        ),
        Rejection::Invalid(name, why) => (
            ErrorClass::InvalidParameter,
            "",
            format!("parameter {name}: {why}"),
        ),
    };
    match d.code_of(class, hint) {
        Some(e) => Reply::json(bodies::envelope(
            d,
            op,
            e.code,
            &format!("{}: {detail}", e.meaning),
        )),
        // No documented invalid-parameter code (web): a non-zero status_code, as the site answers bad parameters.
        None => Reply::json(bodies::envelope(d, op, FALLBACK_INVALID_CODE, &detail)),
    }
}

/// The code of a refused parameter where the domain documents none (the web domain: `status_code` 2).
const FALLBACK_INVALID_CODE: &str = "2";
