//! The HTTP server: starting and stopping it, its shared state and request log, and what a test asks of it
//! (recorded requests, scenarios, OAuth grants); answering one request is `respond`'s.

mod respond;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use bytes::Bytes;
use http::HeaderMap;
use tokio::task::JoinHandle;

use crate::oauth::OAuthState;
use crate::scenario::{RouteState, Scenario};
use crate::table::{self, DomainTable, OperationTable};
use crate::validate;
use crate::MockConfig;

use respond::handle;
pub use respond::issued_cookie_value;

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
    /// Success bodies with their media addresses pointing here ([`MockConfig::local_media`]).
    media: crate::media_urls::Rewritten,
    /// `http://127.0.0.1:PORT`: what `{mock}` in a success body becomes.
    origin: String,
    /// The live chat channels' state and log.
    push: Arc<crate::live_chat::Hub>,
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
            media: Default::default(),
            origin: format!("http://{addr}"),
            push: Arc::default(),
        });
        let app = Router::new()
            .merge(crate::media::router())
            .merge(crate::live_stream::router())
            .merge(crate::live_chat::router(shared.push.clone()))
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

    /// What live chat clients sent so far (connections, heartbeats, acks, the scripted drop), in order.
    pub fn push_log(&self) -> Vec<crate::live_chat::PushRecord> {
        self.shared.push.log()
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
