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
//! - every request is recorded byte for byte ([`MockServer::requests`]) and counted ([`MockServer::attempts`]).
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
mod oauth;
mod scenario;
mod server;
pub mod table;
mod validate;

use std::collections::BTreeMap;

pub use generated::registries::{with_registry, RegistryVisitor};
pub use oauth::OAuthConfig;
pub use scenario::Scenario;
pub use server::{MockServer, RecordedRequest};

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
    /// Lifetimes and limits of the simulated OAuth codes and tokens (a spec's `oauth`).
    pub oauth: OAuthConfig,
}

impl Default for MockConfig {
    fn default() -> Self {
        let credentials = example_credentials();
        MockConfig {
            port: 0,
            credentials,
            require_signature: true,
            oauth: OAuthConfig::default(),
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

    /// Turns the signature checks on or off.
    pub fn require_signature(mut self, on: bool) -> Self {
        self.require_signature = on;
        self
    }

    /// The accepted value of credential `name`.
    pub fn credential_value(&self, name: &str) -> Option<&str> {
        self.credentials.get(name).map(String::as_str)
    }
}
