//! A spec-driven mock of every douyin-rs domain over loopback HTTP, for end-to-end tests and local development.
//!
//! One [`MockServer`] serves every domain of `specs/` under its own prefix (`/onebound`, `/open-platform`, `/web`):
//! point a client's base URL at [`MockServer::base_url`]. Routes, parameter rules, envelopes, examples, pagination
//! paths and error codes come from the generated route table ([`table::domains`], written by
//! `cargo xtask codegen`); this crate interprets it:
//!
//! - every documented operation answers with its documented success: the fixture its spec names (`mock.success`,
//!   e.g. the real captures under `specs/web/captures/`, embedded at compile time), else its first `ok` example,
//!   else a synthetic body derived from the response schema;
//! - requests are checked the way the real services check them: unknown path → 404, wrong method → 405, missing or
//!   wrong credentials, missing, ill-typed or out-of-range parameters → the domain's documented error body (web:
//!   HTTP 200 with an empty body), and a signed operation's request must end with the parameters of the signers
//!   its spec names (web: `X-Bogus`), each checked by its signer against the query, body and user agent;
//! - a test switches a route to a failure [`Scenario`] (documented error examples, rate limits, expired tokens,
//!   5xx, delays, empty bodies, challenge pages, truncated JSON, pages of synthetic items);
//! - [`media`] serves download tests: deterministic bytes of any size under `/media/<seed>/<size>`, `HEAD`, ranges,
//!   and per-URL failures (refusing mirrors, drops, stalls, slow bodies, wrong lengths, ignored ranges); with
//!   [`MockConfig::local_media`], the media addresses of success bodies point there (offline downloads);
//! - `v.douyin.com` short links redirect like the real ones ([`share`], under `/share-link/`);
//! - [`live_stream`] serves recorder tests (FLV and HLS streams that end, drop or move), and [`live_chat`] a
//!   domain's push channel over a websocket (its scripted session: every message kind, an unknown one, malformed
//!   frames, a drop; heartbeat and acks required; [`MockServer::push_log`]);
//! - [`webhook`] pushes a domain's documented events to a receiver, signed as its spec says (also spoiled: a bad
//!   signature, a tampered body, a malformed body; retried with the same delivery id);
//! - every request is recorded byte for byte ([`MockServer::requests`], the most recent ones: the log is a bounded
//!   ring, so a long run holds flat memory) and counted ([`MockServer::attempts`]); request bodies above
//!   [`MockConfig::max_body_bytes`] are refused with HTTP 413.
//!
//! ```no_run
//! # async fn demo() {
//! use douyin_mock::{MockServer, Scenario};
//!
//! let server = MockServer::start().await;
//! let base = server.base_url("onebound"); // http://127.0.0.1:PORT/onebound
//! server.set_scenario("onebound", "item_get_video", Scenario::Status(503).times(2));
//! // … call the client at `base` …
//! assert_eq!(server.attempts("item_get_video"), 3);
//! # }
//! ```

mod bodies;
#[rustfmt::skip]
mod generated;
pub mod live_chat;
pub mod live_stream;
pub mod media;
mod media_urls;
mod oauth;
mod scenario;
mod server;
pub mod share;
pub mod table;
mod validate;
pub mod webhook;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use bytes::Bytes;

pub use generated::registries::{with_registry, RegistryVisitor};
pub use oauth::OAuthConfig;
pub use scenario::{Scenario, SCENARIO_NAMES};
pub use server::{issued_cookie_value, MockServer, RecordedRequest};

/// The user agent the mock expects by default: the one a spec's browser profile agrees with (web
/// `session.user_agent`), if a spec names one.
pub fn default_user_agent() -> Option<&'static str> {
    table::domains().iter().find_map(|d| d.session_user_agent)
}

/// The value the mock accepts for each credential whose spec gives an `example` (a user-agent credential's example
/// is the session's user agent).
pub fn example_credentials() -> BTreeMap<String, String> {
    table::domains()
        .iter()
        .flat_map(|d| d.credentials)
        .filter_map(|c| Some((c.name.to_owned(), c.example?.to_owned())))
        .collect()
}

/// How the mock is set up: its port and the credential values it accepts.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Port on 127.0.0.1; 0 (the default) picks a free one.
    pub port: u16,
    /// Accepted value of each named credential; a credential without a value here accepts any non-empty value.
    /// Default: the specs' examples ([`example_credentials`]); an OAuth domain's issued tokens are judged by their
    /// own lifetimes, its example token is a pre-issued one that never expires.
    pub credentials: BTreeMap<String, String>,
    /// Whether signed operations must carry valid signatures (default true).
    pub require_signature: bool,
    /// Address to listen on (default 127.0.0.1: the mock is for this machine).
    pub host: IpAddr,
    /// Largest request body read; a larger one gets HTTP 413 (default 1 MiB).
    pub max_body_bytes: usize,
    /// The request log keeps at most this many requests, the oldest dropped first (default 1024).
    pub log_requests: usize,
    /// … and at most this many body bytes in all (default 16 MiB).
    pub log_body_bytes: usize,
    /// Success bodies that replace the documented ones, by `(domain, operation)`.
    pub success_bodies: BTreeMap<(String, String), Bytes>,
    /// Lifetimes and limits of the simulated OAuth codes and tokens (a spec's `oauth`).
    pub oauth: OAuthConfig,
    /// Whether success bodies point their media addresses (the CDN hosts a spec lists under `mock.media`) at this
    /// mock's own [`media`] routes, so downloads work offline (default false: bodies as documented; the
    /// `douyin-mock` binary turns it on).
    pub local_media: bool,
}

/// Default [`MockConfig::max_body_bytes`]: 1 MiB, far above any request the specs describe.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

impl Default for MockConfig {
    fn default() -> Self {
        let credentials = example_credentials();
        MockConfig {
            port: 0,
            credentials,
            require_signature: true,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            log_requests: 1024,
            log_body_bytes: 16 << 20,
            success_bodies: BTreeMap::new(),
            oauth: OAuthConfig::default(),
            local_media: false,
        }
    }
}

impl MockConfig {
    /// Listens on `port` (0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts `value` for credential `name` (as a spec names it).
    pub fn credential(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.credentials.insert(name.into(), value.into());
        self
    }

    /// Sets the OAuth lifetimes and limits.
    pub fn oauth(mut self, oauth: OAuthConfig) -> Self {
        self.oauth = oauth;
        self
    }

    /// Points the media addresses of success bodies at this mock (or leaves them as documented).
    pub fn local_media(mut self, on: bool) -> Self {
        self.local_media = on;
        self
    }

    /// Turns the signature checks on or off.
    pub fn require_signature(mut self, on: bool) -> Self {
        self.require_signature = on;
        self
    }

    /// The accepted value of credential `name`.
    pub fn credential_value(&self, name: &str) -> Option<&str> {
        self.credentials.get(name).map(String::as_str)
    }

    /// Listens on `host` instead of 127.0.0.1.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Refuses request bodies above `bytes` with HTTP 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Keeps at most `requests` requests and `body_bytes` body bytes in the request log (the oldest go first).
    pub fn log_limit(mut self, requests: usize, body_bytes: usize) -> Self {
        self.log_requests = requests;
        self.log_body_bytes = body_bytes;
        self
    }

    /// Answers `domain`'s operation `op` with `body` instead of its documented success.
    ///
    /// # Panics
    /// If the route does not exist.
    pub fn success_body(mut self, domain: &str, op: &str, body: impl Into<Bytes>) -> Self {
        let (d, o) = server::route(domain, op);
        self.success_bodies
            .insert((d.name.to_owned(), o.name.to_owned()), body.into());
        self
    }

    /// Success bodies from the files of `dir`, named by operation: `<operation>.json`, or
    /// `<domain>/<operation>.json` when two domains share an operation name (kebab-case names work too). A file
    /// that names no operation is an error, so a typo does not go unnoticed.
    pub fn fixtures(mut self, dir: &Path) -> Result<Self, String> {
        for (domain, op, file) in fixture_files(dir)? {
            let body = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            self.success_bodies
                .insert((domain.to_owned(), op.to_owned()), Bytes::from(body));
        }
        Ok(self)
    }
}

/// The files of a fixtures folder with the route each names.
fn fixture_files(
    dir: &Path,
) -> Result<Vec<(&'static str, &'static str, std::path::PathBuf)>, String> {
    let list = |dir: &Path| -> Result<Vec<std::path::PathBuf>, String> {
        let mut paths = std::fs::read_dir(dir)
            .and_then(|entries| {
                entries
                    .map(|e| e.map(|e| e.path()))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        paths.sort();
        Ok(paths)
    };
    let stem = |p: &Path| -> Option<String> {
        (p.extension()? == "json").then(|| p.file_stem()?.to_str().map(|s| s.replace('-', "_")))?
    };
    let mut found = Vec::new();
    for path in list(dir)? {
        if path.is_dir() {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let d = table::domain(name)
                .ok_or_else(|| format!("{}: no domain `{name}` in specs/", path.display()))?;
            for file in list(&path)? {
                let o = stem(&file).and_then(|op| d.operation(&op)).ok_or_else(|| {
                    format!("{}: names no operation of {}", file.display(), d.name)
                })?;
                found.push((d.name, o.name, file));
            }
            continue;
        }
        let op = stem(&path).ok_or_else(|| format!("{}: not a .json file", path.display()))?;
        let routes: Vec<_> = table::domains()
            .iter()
            .filter_map(|d| d.operation(&op).map(|o| (d.name, o.name)))
            .collect();
        match routes.as_slice() {
            [(d, o)] => found.push((*d, *o, path)),
            [] => return Err(format!("{}: names no operation in specs/", path.display())),
            _ => {
                return Err(format!(
                    "{}: several domains have operation `{op}`; put it in a folder named after the domain",
                    path.display()
                ))
            }
        }
    }
    Ok(found)
}
