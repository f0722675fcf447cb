//! A spec-driven mock of every douyin-rs domain over loopback HTTP, for end-to-end tests and local development.
//!
//! One [`MockServer`] serves every domain of `specs/` under its own prefix (`/onebound`, `/open-platform`, `/web`):
//! point a client's base URL at [`MockServer::base_url`]. Routes, parameter rules, envelopes, examples, pagination
//! paths and error codes come from the generated route table ([`table::domains`], written by
//! `cargo xtask codegen`); this crate interprets it:
//!
//! - every documented operation answers with its documented success example (web `aweme_post`, `emoji_list` and
//!   `tab_feed` with the real captures under `specs/web/captures/`, the rest with a synthetic body derived from
//!   the response schema);
//! - requests are checked the way the real services check them: unknown path → 404, wrong method → 405, missing or
//!   wrong credentials, missing, ill-typed or out-of-range parameters → the domain's documented error body (web:
//!   HTTP 200 with an empty body), and web requests must carry an `X-Bogus` signature matching their query, body and
//!   user agent;
//! - a test switches a route to a failure [`Scenario`] (documented error examples, rate limits, expired tokens,
//!   5xx, delays, empty bodies, challenge pages, truncated JSON, pages of synthetic items);
//! - `v.douyin.com` short links redirect like the real ones ([`share`], under `/share-link/`);
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
mod scenario;
mod server;
pub mod share;
pub mod table;
mod validate;

use std::collections::BTreeMap;

pub use scenario::Scenario;
pub use server::{MockServer, RecordedRequest};

/// The user agent the mock expects by default: the one a spec's browser profile agrees with (web
/// `session.user_agent`), if a spec names one.
pub fn default_user_agent() -> Option<&'static str> {
    table::domains().iter().find_map(|d| d.session_user_agent)
}

/// How the mock is set up: its port and the credential values it accepts.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Port on 127.0.0.1; 0 (the default) picks a free one.
    pub port: u16,
    /// Accepted value of each named credential; a credential without a value here accepts any non-empty value.
    /// Defaults: `key` test-key, `secret` test-secret, `access_token` act.test, `cookie` sessionid=test, `ms_token`
    /// test-ms-token, `user_agent` the spec's browser user agent ([`default_user_agent`]) where one is named.
    pub credentials: BTreeMap<String, String>,
    /// Whether web requests must carry a valid `X-Bogus` (default true).
    pub require_signature: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        let mut credentials: BTreeMap<String, String> = [
            ("key", "test-key"),
            ("secret", "test-secret"),
            ("access_token", "act.test"),
            ("cookie", "sessionid=test"),
            ("ms_token", "test-ms-token"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        if let Some(ua) = default_user_agent() {
            credentials.insert("user_agent".to_owned(), ua.to_owned());
        }
        MockConfig {
            port: 0,
            credentials,
            require_signature: true,
        }
    }
}

impl MockConfig {
    /// Listens on `port` (0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts `value` for credential `name` (`key`, `secret`, `access_token`, `cookie`, `user_agent`, `ms_token`).
    pub fn credential(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.credentials.insert(name.into(), value.into());
        self
    }

    /// Turns the web domain's `X-Bogus` check on or off.
    pub fn require_signature(mut self, on: bool) -> Self {
        self.require_signature = on;
        self
    }

    /// The accepted value of credential `name`.
    pub fn credential_value(&self, name: &str) -> Option<&str> {
        self.credentials.get(name).map(String::as_str)
    }
}
