//! The HTTP client every generated domain client wraps: credentials, signing, timeouts, retries, decoding.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::credentials::{Credentials, Secret, SignInput, Signer, StaticCredentials};
use crate::decode::{blocked, decode_body, excerpt, Envelope, EnvelopeSpec};
use crate::error::{BuildError, Error, ErrorClass, ErrorCode};
use crate::limit::{LimitedBuf, DEFAULT_MAX_BODY_BYTES};
use crate::redact::cookie_values;
use crate::redirect::{Hop, RedirectPolicy};
use crate::request::{push_pair, Position, Request, Value};
use crate::retry::{RetryAfter, RetryPolicy};

/// Static facts about a domain, generated from its `domain.yaml`.
pub trait Domain: Send + Sync + 'static {
    /// The documented error-code table.
    type Code: ErrorCode;
    /// The spec's domain name.
    const NAME: &'static str;
    /// The production base URL.
    const BASE_URL: &'static str;
    /// Where bodies report their outcome.
    const ENVELOPE: &'static EnvelopeSpec;
    /// The credential carried in the `user-agent` header, if any (it is part of what a signer signs).
    const USER_AGENT_CREDENTIAL: Option<&'static str> = None;
}

/// Builds a [`Client`]: base URL, timeouts, retry policy, credentials, signer and session parameters.
pub struct ClientBuilder<D: Domain> {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: u64,
    redirects: RedirectPolicy,
    credentials: Arc<dyn Credentials>,
    signer: Option<Arc<dyn Signer>>,
    session: Vec<(String, String, Position)>,
    http: Option<reqwest::Client>,
    _domain: PhantomData<D>,
}

impl<D: Domain> ClientBuilder<D> {
    fn new() -> Self {
        ClientBuilder {
            base_url: D::BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            redirects: RedirectPolicy::default(),
            credentials: Arc::new(StaticCredentials::new()),
            signer: None,
            session: Vec::new(),
            http: None,
            _domain: PhantomData,
        }
    }

    /// Points the client at another base URL (a mock server, a proxy).
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
    /// [`DEFAULT_MAX_BODY_BYTES`], 64 MiB); a larger one fails with [`Error::BodyTooLarge`] as soon as it passes
    /// the limit.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Which redirects to follow (default [`RedirectPolicy::SameOrigin`]: a redirect to another origin fails with
    /// [`Error::Redirect`], so credentials never travel there).
    pub fn redirects(mut self, policy: RedirectPolicy) -> Self {
        self.redirects = policy;
        self
    }

    /// Where credentials come from.
    pub fn credentials(mut self, credentials: impl Credentials) -> Self {
        self.credentials = Arc::new(credentials);
        self
    }

    /// Signs every request after its query is built.
    pub fn signer(mut self, signer: impl Signer) -> Self {
        self.signer = Some(Arc::new(signer));
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

    /// Builds the client; the base URL must be an absolute `http`/`https` URL without user name or password.
    pub fn build(self) -> Result<Client<D>, BuildError> {
        check_base_url(&self.base_url)?;
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
                .build()
                .map_err(BuildError::Http)?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url,
                timeout: self.timeout,
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
                redirects: self.redirects,
                credentials: self.credentials,
                signer: self.signer,
                session: self.session,
            }),
            _domain: PhantomData,
        })
    }
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: u64,
    redirects: RedirectPolicy,
    credentials: Arc<dyn Credentials>,
    signer: Option<Arc<dyn Signer>>,
    session: Vec<(String, String, Position)>,
}

/// A client of one domain. Cheap to clone; clones share the connection pool.
pub struct Client<D: Domain> {
    inner: Arc<Inner>,
    _domain: PhantomData<D>,
}

impl<D: Domain> Clone for Client<D> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
            _domain: PhantomData,
        }
    }
}

impl<D: Domain> fmt::Debug for Client<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("domain", &D::NAME)
            .field("base_url", &self.inner.base_url)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// A response body before decoding.
struct RawResponse {
    status: u16,
    content_type: String,
    body: bytes::Bytes,
    /// `Retry-After` of a 429 or 503.
    retry_after: Option<RetryAfter>,
}

/// A request with its credentials resolved, ready to send.
struct Wire {
    url: String,
    headers: Vec<(&'static str, String, bool)>,
    /// The body and its content type.
    body: Option<(String, &'static str)>,
    secrets: Vec<Secret>,
    /// Each credential's value as sent, so a refresh knows which value the service rejected.
    sent: Vec<(&'static str, Secret)>,
}

impl<D: Domain> Client<D> {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder<D> {
        ClientBuilder::new()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends `req` and decodes a JSON body into `T`, retrying per the policy.
    pub async fn send<T>(&self, req: Request) -> Result<T, Error<D::Code>>
    where
        T: DeserializeOwned + Envelope,
    {
        self.with_retries(&req, |raw, secrets| {
            decode_body::<T, D::Code>(
                raw.status,
                &raw.content_type,
                &raw.body,
                D::ENVELOPE,
                secrets,
            )
        })
        .await
    }

    /// Sends `req` and returns the body as text (for formats that are not JSON), retrying per the policy.
    pub async fn send_text(&self, req: Request) -> Result<String, Error<D::Code>> {
        self.with_retries(&req, |raw, secrets| {
            if !(200..300).contains(&raw.status) {
                return Err(Error::Status {
                    status: raw.status,
                    excerpt: excerpt(&raw.body, secrets),
                });
            }
            if let Some(crate::BlockedKind::EmptyBody) = blocked(&raw.body, &raw.content_type) {
                return Err(Error::Blocked(crate::BlockedKind::EmptyBody));
            }
            Ok(String::from_utf8_lossy(&raw.body).into_owned())
        })
        .await
    }

    async fn with_retries<T>(
        &self,
        req: &Request,
        decode: impl Fn(&RawResponse, &[&str]) -> Result<T, Error<D::Code>>,
    ) -> Result<T, Error<D::Code>> {
        let policy = &self.inner.retry;
        let mut attempt = 1;
        let mut refreshed = false;
        loop {
            let wire = self.resolve(req).await?;
            let secrets: Vec<&str> = wire.secrets.iter().map(Secret::expose).collect();
            let (result, retry_after) = match self.transmit(req, &wire).await {
                Ok(raw) => (
                    decode(&raw, &secrets),
                    raw.retry_after.map(|r| (raw.status, r)),
                ),
                Err(e) => (Err(e), None),
            };
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e.masked(&secrets),
            };
            if let Error::Api(api) = &err {
                if api.class() == ErrorClass::ExpiredCredential && !refreshed {
                    refreshed = true;
                    // A provider that cannot refresh leaves the API error as the answer.
                    if self.refresh_credentials(&wire.sent).await.is_ok() {
                        tracing::debug!(
                            op = req.op.name,
                            "credential expired; refreshed, retrying"
                        );
                        continue;
                    }
                }
            }
            if err.is_retryable() {
                if let Some((status, r)) =
                    retry_after.filter(|(_, r)| r.wait > policy.max_retry_after)
                {
                    return Err(Error::RateLimited {
                        status,
                        retry_after: r,
                    });
                }
            }
            if err.is_retryable() && attempt < policy.max_attempts {
                let delay = policy.delay_with(attempt, retry_after.map(|(_, r)| r));
                tracing::debug!(op = req.op.name, attempt, ?delay, "retrying after: {err}");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return Err(err);
        }
    }

    async fn refresh_credentials(&self, sent: &[(&'static str, Secret)]) -> Result<(), String> {
        for (name, value) in sent {
            self.inner.credentials.refresh_rejected(name, value).await?;
        }
        Ok(())
    }

    async fn credential(&self, name: &'static str) -> Result<Secret, Error<D::Code>> {
        self.inner
            .credentials
            .get(name)
            .await
            .map_err(|reason| Error::Credential { name, reason })
    }

    async fn resolve(&self, req: &Request) -> Result<Wire, Error<D::Code>> {
        let mut secrets = Vec::new();
        let mut sent = Vec::new();
        let mut query = String::new();
        for (name, value) in &req.query {
            match value {
                Value::Plain(v) => push_pair(&mut query, name, v),
                Value::Credential(c) => {
                    let s = self.credential(c).await?;
                    push_pair(&mut query, name, s.expose());
                    sent.push((*c, s.clone()));
                    secrets.push(s);
                }
                Value::Session(pos) => {
                    for (n, v, p) in &self.inner.session {
                        if p == pos {
                            push_pair(&mut query, n, v);
                        }
                    }
                }
            }
        }
        let mut headers = Vec::with_capacity(req.headers.len());
        let mut user_agent = None;
        for (name, value) in &req.headers {
            match value {
                Value::Plain(v) => headers.push((*name, v.clone(), false)),
                Value::Credential(c) => {
                    let s = self.credential(c).await?;
                    sent.push((*c, s.clone()));
                    if Some(*c) == D::USER_AGENT_CREDENTIAL {
                        user_agent = Some(s.expose().to_owned());
                    } else {
                        if name.eq_ignore_ascii_case("cookie") {
                            secrets.extend(cookie_values(s.expose()).map(Secret::new));
                        }
                        secrets.push(s.clone());
                    }
                    headers.push((*name, s.expose().to_owned(), true));
                }
                Value::Session(_) => {}
            }
        }
        let mut form = None::<String>;
        let mut json = serde_json::Map::new();
        for (is_json, (n, v)) in req
            .form
            .iter()
            .map(|f| (false, f))
            .chain(req.json.iter().map(|f| (true, f)))
        {
            let value = match v {
                Value::Plain(v) => v.clone(),
                Value::Credential(c) => {
                    let s = self.credential(c).await?;
                    sent.push((*c, s.clone()));
                    secrets.push(s.clone());
                    s.expose().to_owned()
                }
                Value::Session(_) => continue,
            };
            if is_json {
                json.insert((*n).to_owned(), serde_json::Value::String(value));
            } else {
                push_pair(form.get_or_insert_with(String::new), n, &value);
            }
        }
        let body = match form {
            Some(f) => Some((f, "application/x-www-form-urlencoded")),
            None if !json.is_empty() => Some((
                serde_json::Value::Object(json).to_string(),
                "application/json",
            )),
            None => None,
        };
        if let Some(signer) = &self.inner.signer {
            let input = SignInput {
                method: req.op.method,
                path: req.op.path,
                query: &query,
                body: body.as_ref().map_or("", |(b, _)| b.as_str()).as_bytes(),
                user_agent: user_agent.as_deref().unwrap_or(""),
            };
            let extra = signer.sign(input).await.map_err(|reason| {
                // A signing service's message may quote the query it was given.
                let exposed: Vec<&str> = secrets.iter().map(Secret::expose).collect();
                Error::Credential {
                    name: "signature",
                    reason,
                }
                .masked(&exposed)
            })?;
            for (n, v) in extra {
                push_pair(&mut query, &n, &v);
            }
        }
        let mut url = format!("{}{}", self.inner.base_url, req.op.path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        Ok(Wire {
            url,
            headers,
            body,
            secrets,
            sent,
        })
    }

    async fn transmit(&self, req: &Request, wire: &Wire) -> Result<RawResponse, Error<D::Code>> {
        let method = match req.op.method {
            "POST" => reqwest::Method::POST,
            _ => reqwest::Method::GET,
        };
        tracing::debug!(
            op = req.op.name,
            method = req.op.method,
            path = req.op.path,
            "sending"
        );
        let timeout = self.inner.timeout;
        let map_err = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout(timeout)
            } else {
                Error::Transport(e.without_url())
            }
        };
        let first = reqwest::Url::parse(&wire.url).map_err(|e| Error::InvalidParameter {
            name: "url",
            reason: e.to_string(),
        })?;
        let secrets: Vec<&str> = wire.secrets.iter().map(Secret::expose).collect();
        // Redirects share the attempt's time budget.
        let deadline = tokio::time::Instant::now() + timeout;
        let mut hop = Hop::first(method, first.clone());
        let resp = loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let resp = self
                .hop_request(&hop, wire, left)?
                .send()
                .await
                .map_err(map_err)?;
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            let status = resp.status();
            match hop.follow(self.inner.redirects, &first, status, location, &secrets) {
                Ok(Some(next)) => hop = next,
                Ok(None) => break resp,
                Err((refusal, to)) => {
                    return Err(Error::Redirect {
                        status: status.as_u16(),
                        to,
                        refusal,
                    })
                }
            }
            tracing::debug!(op = req.op.name, %status, hop = hop.count, crossed = hop.crossed, "redirected");
        };
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .filter(|_| matches!(status, 429 | 503))
            .and_then(|v| RetryAfter::parse(v, std::time::SystemTime::now()));
        let body = read_body(resp, self.inner.max_body_bytes, map_err).await?;
        tracing::debug!(op = req.op.name, status, bytes = body.len(), "received");
        Ok(RawResponse {
            status,
            content_type,
            body,
            retry_after,
        })
    }

    /// One request of a redirect chain; past the first origin it carries no credential header and no `Referer`.
    fn hop_request(
        &self,
        hop: &Hop,
        wire: &Wire,
        timeout: Duration,
    ) -> Result<reqwest::RequestBuilder, Error<D::Code>> {
        let mut builder = self
            .inner
            .http
            .request(hop.method.clone(), hop.url.clone())
            .timeout(timeout);
        for (name, value, sensitive) in &wire.headers {
            if hop.crossed && (*sensitive || name.eq_ignore_ascii_case("referer")) {
                continue;
            }
            let mut hv = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidParameter {
                    name,
                    reason: "not a valid header value".to_owned(),
                }
            })?;
            hv.set_sensitive(*sensitive);
            builder = builder.header(*name, hv);
        }
        if let Some((body, content_type)) = wire.body.as_ref().filter(|_| hop.with_body) {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, *content_type)
                .body(body.clone());
        }
        Ok(builder)
    }
}

/// Reads a (decompressed) body chunk by chunk, stopping as soon as it passes `limit`.
async fn read_body<C: ErrorCode>(
    mut resp: reqwest::Response,
    limit: u64,
    map_err: impl Fn(reqwest::Error) -> Error<C>,
) -> Result<bytes::Bytes, Error<C>> {
    let too_large = |e: crate::limit::TooLarge| Error::BodyTooLarge { limit: e.limit };
    // reqwest reports no length for a body it decompresses; a plain body's length is checked before reading.
    let mut buf = LimitedBuf::new(limit, resp.content_length()).map_err(too_large)?;
    while let Some(chunk) = resp.chunk().await.map_err(&map_err)? {
        buf.push(&chunk).map_err(too_large)?;
    }
    Ok(buf.into_inner().into())
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
