//! Configuring a client: base URL, timeouts, retries, body limit, redirects, credentials, signers and session
//! parameters, checked and frozen by [`ClientBuilder::build`]; [`ClientSettings`], the connection settings a client,
//! a session bootstrap and an OAuth app share.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use super::{Client, Domain, Inner};
use crate::credentials::{Credentials, Signer, StaticCredentials};
use crate::drift::DecodeMode;
use crate::error::BuildError;
use crate::limit::DEFAULT_MAX_BODY_BYTES;
use crate::redirect::RedirectPolicy;
use crate::request::Position;
use crate::retry::RetryPolicy;

/// Builds a [`Client`]: base URL, timeouts, retry policy, credentials, signer and session parameters.
pub struct ClientBuilder<D: Domain> {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: u64,
    redirects: RedirectPolicy,
    pub(crate) credentials: Arc<dyn Credentials>,
    signers: Vec<(&'static str, Arc<dyn Signer>)>,
    /// The credentials' own session parameters (replaced with the credentials).
    credential_session: Vec<(String, String, Position)>,
    session: Vec<(String, String, Position)>,
    http: Option<reqwest::Client>,
    decode_mode: DecodeMode,
    /// Identities and pacing (`crawl_setup.rs`).
    pub(crate) crawl: crate::crawl_setup::CrawlSetup,
    _domain: PhantomData<D>,
}

impl<D: Domain> ClientBuilder<D> {
    pub(super) fn new() -> Self {
        ClientBuilder {
            base_url: D::BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            redirects: RedirectPolicy::default(),
            credentials: Arc::new(StaticCredentials::new()),
            signers: Vec::new(),
            credential_session: Vec::new(),
            session: Vec::new(),
            http: None,
            decode_mode: DecodeMode::Tolerant,
            crawl: Default::default(),
            _domain: PhantomData,
        }
    }

    /// Points the client at another base URL (a mock server, a proxy): every request goes there, those of
    /// operations with their own base URL included.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Total time allowed for one attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy (default: 3 attempts, exponential backoff with jitter).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body accepted, counted after decompression (default
    /// [`DEFAULT_MAX_BODY_BYTES`], 64 MiB); a larger one fails with [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) as soon as it passes
    /// the limit.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Which redirects to follow (default [`RedirectPolicy::SameOrigin`]: a redirect to another origin fails with
    /// [`Error::Redirect`](crate::Error::Redirect), so credentials never travel there).
    pub fn redirects(mut self, policy: RedirectPolicy) -> Self {
        self.redirects = policy;
        self
    }

    /// Where credentials come from; their session parameters ([`Credentials::session_params`]) are added.
    pub fn credentials(mut self, credentials: impl Credentials) -> Self {
        self.credential_session = credentials.session_params();
        self.credentials = Arc::new(credentials);
        self
    }

    /// Applies the settings that are set, leaving the others as they are.
    pub fn settings(mut self, settings: &ClientSettings) -> Self {
        if let Some(url) = &settings.base_url {
            self = self.base_url(url.clone());
        }
        if let Some(timeout) = settings.timeout {
            self.timeout = timeout;
        }
        if let Some(policy) = &settings.retry {
            self.retry = policy.clone();
        }
        if let Some(limit) = settings.max_body_bytes {
            self.max_body_bytes = limit;
        }
        self
    }

    /// Registers (or replaces) the signer the spec calls `name`; operations whose `signing` names it are signed
    /// by it after their query is built.
    pub fn signer(mut self, name: &'static str, signer: impl Signer) -> Self {
        let signer: Arc<dyn Signer> = Arc::new(signer);
        match self.signers.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = signer,
            None => self.signers.push((name, signer)),
        }
        self
    }

    /// Adds a session query parameter placed `First` or `Last` around each operation's own parameters.
    pub fn session_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
        position: Position,
    ) -> Self {
        self.session.push((name.into(), value.into(), position));
        self
    }

    /// Uses an existing reqwest client (connection pool, proxy settings). Build it with
    /// `.redirect(reqwest::redirect::Policy::none()).referer(false)`: redirects are the runtime's to follow, and a
    /// client that follows them itself forwards credential headers and a `Referer` to wherever they lead.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Fails a response when a value does not fit its type, instead of keeping it raw and reporting it in the
    /// response's `drift()` (default: tolerant).
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.decode_mode = if strict {
            DecodeMode::Strict
        } else {
            DecodeMode::Tolerant
        };
        self
    }

    /// Builds the client; the base URL must be an absolute `http`/`https` URL without user name or password.
    pub fn build(self) -> Result<Client<D>, BuildError> {
        check_base_url(&self.base_url)?;
        let http_builder = || {
            reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
        };
        let http = match &self.http {
            Some(h) => h.clone(),
            None => http_builder().build().map_err(BuildError::Http)?,
        };
        let redirected = self.base_url != D::BASE_URL;
        let mut session = self.credential_session;
        session.extend(self.session.iter().cloned());
        let crawl = self.crawl.build(
            &self.credentials,
            &session,
            &self.session,
            &http,
            http_builder,
        )?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url,
                redirected,
                timeout: self.timeout,
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
                redirects: self.redirects,
                credentials: self.credentials,
                signers: self.signers,
                session,
                decode_mode: self.decode_mode,
                crawl,
            }),
            _domain: PhantomData,
        })
    }
}

/// Where a domain's requests go and how each is attempted, as one value a tool sets once (from its flags and config)
/// and hands to everything that talks to the domain: [`ClientBuilder::settings`], a session bootstrap, an OAuth app.
/// A setting left `None` keeps the default of what it is applied to.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ClientSettings {
    /// Another base URL (a mock server, a proxy) for every request.
    pub base_url: Option<String>,
    /// Total time allowed for one attempt.
    pub timeout: Option<Duration>,
    /// The retry policy.
    pub retry: Option<RetryPolicy>,
    /// The largest response body accepted, counted after decompression.
    pub max_body_bytes: Option<u64>,
}

impl ClientSettings {
    /// Sends every request to `url` instead of the domain's base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Allows `timeout` for each attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Retries per `policy`.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Accepts bodies up to `limit` bytes.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = Some(limit);
        self
    }
}

/// The base URL is joined with each operation's path as text, so it must be a plain absolute URL. [`ClientBuilder::build`]
/// checks it; a command line checks it earlier to say where a bad one came from.
pub fn check_base_url(url: &str) -> Result<(), BuildError> {
    let invalid = |reason: String| BuildError::InvalidBaseUrl { reason };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(BuildError::BaseUrlCredentials);
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme `{}` is not http or https",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host".to_owned()));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL takes no query or fragment".to_owned()));
    }
    Ok(())
}
