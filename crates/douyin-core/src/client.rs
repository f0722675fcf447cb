//! The HTTP client every generated domain client wraps: credentials, signing, timeouts, retries, decoding.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{Credentials, Secret, SignInput, Signer, StaticCredentials};
use crate::decode::{blocked, decode_response, excerpt, Envelope, EnvelopeSpec};
use crate::drift::{Decode, DecodeMode, Response};
use crate::error::{Error, ErrorClass, ErrorCode};
use crate::request::{push_pair, Position, Request, Value};
use crate::retry::RetryPolicy;

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
    credentials: Arc<dyn Credentials>,
    signer: Option<Arc<dyn Signer>>,
    session: Vec<(String, String, Position)>,
    http: Option<reqwest::Client>,
    decode_mode: DecodeMode,
    _domain: PhantomData<D>,
}

impl<D: Domain> ClientBuilder<D> {
    fn new() -> Self {
        ClientBuilder {
            base_url: D::BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            credentials: Arc::new(StaticCredentials::new()),
            signer: None,
            session: Vec::new(),
            http: None,
            decode_mode: DecodeMode::Tolerant,
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

    /// Uses an existing reqwest client (connection pool, proxy settings).
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

    /// Builds the client.
    pub fn build(self) -> Result<Client<D>, reqwest::Error> {
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url,
                timeout: self.timeout,
                retry: self.retry,
                credentials: self.credentials,
                signer: self.signer,
                session: self.session,
                decode_mode: self.decode_mode,
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
    credentials: Arc<dyn Credentials>,
    signer: Option<Arc<dyn Signer>>,
    session: Vec<(String, String, Position)>,
    decode_mode: DecodeMode,
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
}

/// A request with its credentials resolved, ready to send.
struct Wire {
    url: String,
    headers: Vec<(&'static str, String, bool)>,
    form: Option<String>,
    secrets: Vec<Secret>,
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
        T: Decode + Envelope + Response,
    {
        let mode = self.inner.decode_mode;
        self.with_retries(&req, |raw, secrets| {
            decode_response::<T, D::Code>(
                raw.status,
                &raw.content_type,
                &raw.body,
                D::ENVELOPE,
                secrets,
                mode,
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
            let result = match self.transmit(req, &wire).await {
                Ok(raw) => decode(&raw, &secrets),
                Err(e) => Err(e),
            };
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if let Error::Api(api) = &err {
                if api.class() == ErrorClass::ExpiredCredential && !refreshed {
                    refreshed = true;
                    // A provider that cannot refresh leaves the API error as the answer.
                    if self.refresh_credentials(req).await.is_ok() {
                        tracing::debug!(
                            op = req.op.name,
                            "credential expired; refreshed, retrying"
                        );
                        continue;
                    }
                }
            }
            if err.is_retryable() && attempt < policy.max_attempts {
                let delay = policy.delay(attempt);
                tracing::debug!(op = req.op.name, attempt, ?delay, "retrying after: {err}");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return Err(err);
        }
    }

    async fn refresh_credentials(&self, req: &Request) -> Result<(), String> {
        for name in credential_names(req) {
            self.inner.credentials.refresh(name).await?;
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
        let mut query = String::new();
        for (name, value) in &req.query {
            match value {
                Value::Plain(v) => push_pair(&mut query, name, v),
                Value::Credential(c) => {
                    let s = self.credential(c).await?;
                    push_pair(&mut query, name, s.expose());
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
                    if Some(*c) == D::USER_AGENT_CREDENTIAL {
                        user_agent = Some(s.expose().to_owned());
                    } else {
                        secrets.push(s.clone());
                    }
                    headers.push((*name, s.expose().to_owned(), true));
                }
                Value::Session(_) => {}
            }
        }
        let form = (!req.form.is_empty()).then(|| {
            let mut body = String::new();
            for (n, v) in &req.form {
                push_pair(&mut body, n, v);
            }
            body
        });
        if let Some(signer) = &self.inner.signer {
            let input = SignInput {
                method: req.op.method,
                path: req.op.path,
                query: &query,
                body: form.as_deref().unwrap_or("").as_bytes(),
                user_agent: user_agent.as_deref().unwrap_or(""),
            };
            let extra = signer
                .sign(input)
                .await
                .map_err(|reason| Error::Credential {
                    name: "signature",
                    reason,
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
            form,
            secrets,
        })
    }

    async fn transmit(&self, req: &Request, wire: &Wire) -> Result<RawResponse, Error<D::Code>> {
        let method = match req.op.method {
            "POST" => reqwest::Method::POST,
            _ => reqwest::Method::GET,
        };
        let mut builder = self
            .inner
            .http
            .request(method, &wire.url)
            .timeout(self.inner.timeout);
        for (name, value, sensitive) in &wire.headers {
            let mut hv = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidParameter {
                    name,
                    reason: "not a valid header value".to_owned(),
                }
            })?;
            hv.set_sensitive(*sensitive);
            builder = builder.header(*name, hv);
        }
        if let Some(form) = &wire.form {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form.clone());
        }
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
        let resp = builder.send().await.map_err(map_err)?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = resp.bytes().await.map_err(map_err)?;
        tracing::debug!(op = req.op.name, status, bytes = body.len(), "received");
        Ok(RawResponse {
            status,
            content_type,
            body,
        })
    }
}

fn credential_names(req: &Request) -> impl Iterator<Item = &'static str> + '_ {
    req.query
        .iter()
        .chain(req.headers.iter())
        .filter_map(|(_, v)| match v {
            Value::Credential(c) => Some(*c),
            _ => None,
        })
}
