//! The HTTP client every generated domain client wraps: credentials, signing, timeouts, retries, decoding.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::crawl::{Crawl, Seat};
use crate::credentials::{
    CredentialSpec, Credentials, Secret, SignInput, Signer, StaticCredentials,
};
use crate::decode::{blocked, decode_response, excerpt, Envelope, EnvelopeSpec};
use crate::drift::{Decode, DecodeMode, Response};
use crate::error::{BuildError, Error, ErrorCode};
use crate::limit::{LimitedBuf, DEFAULT_MAX_BODY_BYTES};
use crate::redact::cookie_values;
use crate::redirect::{Hop, RedirectPolicy};
use crate::request::{push_pair, Method, Position, Request, Value};
use crate::retry::{RetryAfter, RetryPolicy};
use crate::set_cookie::{issued, WithCookies};

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
    /// The declared credentials: which are required and which error codes refresh which.
    const CREDENTIALS: &'static [CredentialSpec] = &[];
}

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
    fn new() -> Self {
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

    /// Where credentials come from; their session parameters ([`Credentials::session_params`]) are added.
    pub fn credentials(mut self, credentials: impl Credentials) -> Self {
        self.credential_session = credentials.session_params();
        self.credentials = Arc::new(credentials);
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

struct Inner {
    http: reqwest::Client,
    base_url: String,
    /// Whether `base_url` was changed from the domain's: then every operation goes there.
    redirected: bool,
    timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: u64,
    redirects: RedirectPolicy,
    credentials: Arc<dyn Credentials>,
    signers: Vec<(&'static str, Arc<dyn Signer>)>,
    session: Vec<(String, String, Position)>,
    decode_mode: DecodeMode,
    crawl: Option<Arc<Crawl>>,
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
    /// The `Set-Cookie` header values, for operations that issue cookies.
    set_cookie: Vec<reqwest::header::HeaderValue>,
}

/// Whose credentials, session parameters and connection an attempt uses.
struct Who<'a> {
    credentials: &'a Arc<dyn Credentials>,
    session: &'a [(String, String, Position)],
    http: &'a reqwest::Client,
}

/// Whether the service answered (a success or an error it sent), as opposed to the request not getting through.
fn answered<T, C: ErrorCode>(result: &Result<T, Error<C>>) -> bool {
    !matches!(result, Err(Error::Transport(_) | Error::Timeout(_)))
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
        T: Decode + Envelope + Response,
    {
        self.with_retries(&req, |raw, secrets| self.decode(raw, secrets))
            .await
    }

    /// Decodes a JSON body into `T` (envelope, refusals, drift per the client's decode mode).
    fn decode<T>(&self, raw: &RawResponse, secrets: &[&str]) -> Result<T, Error<D::Code>>
    where
        T: Decode + Envelope + Response,
    {
        decode_response::<T, D::Code>(
            raw.status,
            &raw.content_type,
            &raw.body,
            D::ENVELOPE,
            secrets,
            self.inner.decode_mode,
        )
    }

    /// Sends `req`, decodes a JSON body into `T` and returns it with the cookies named in `cookies` that the response
    /// set (an operation whose spec lists `response.cookies`: the service hands a token out as a cookie).
    pub async fn send_with_cookies<T>(
        &self,
        req: Request,
        cookies: &'static [&'static str],
    ) -> Result<WithCookies<T>, Error<D::Code>>
    where
        T: Decode + Envelope + Response,
    {
        self.with_retries(&req, |raw, secrets| {
            let value = self.decode(raw, secrets)?;
            let headers = raw.set_cookie.iter().map(|h| h.as_bytes());
            Ok(WithCookies {
                value,
                cookies: issued(headers, cookies, std::time::SystemTime::now()),
            })
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
        let mut moved = 0;
        loop {
            let seat = match &self.inner.crawl {
                Some(crawl) => Some(crawl.seat(req.op).await.map_err(|r| r.error(req.op))?),
                None => None,
            };
            let who = self.who(seat);
            let wire = self.resolve(req, &who).await?;
            let secrets: Vec<&str> = wire.secrets.iter().map(Secret::expose).collect();
            let (result, retry_after) = match self.transmit(req, &wire, &who).await {
                Ok(raw) => (
                    decode(&raw, &secrets),
                    raw.retry_after.map(|r| (raw.status, r)),
                ),
                Err(e) => (Err(e), None),
            };
            if let (Some(crawl), Some(seat)) = (&self.inner.crawl, seat) {
                let risk = crate::crawl_setup::risk(req.op, &result);
                if let Some(opened) = crawl.outcome(seat, req.op, risk, answered(&result)) {
                    return Err(opened.error(req.op));
                }
                // A flagged identity rests; the request moves to another one, paced like any other.
                if risk.is_some() && moved + 1 < crawl.len() && crawl.another_ready(seat) {
                    moved += 1;
                    continue;
                }
            }
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e.masked(&secrets),
            };
            if let Error::Api(api) = &err {
                let stale = refreshed_by::<D>(req, &api.code);
                if !stale.is_empty() && !refreshed {
                    refreshed = true;
                    // A provider that cannot refresh leaves the API error as the answer.
                    if self
                        .refresh_credentials(&who, &stale, &wire.sent)
                        .await
                        .is_ok()
                    {
                        tracing::debug!(
                            op = req.op.name,
                            ?stale,
                            "credentials refreshed, retrying"
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

    /// Refreshes `names`, telling the provider the value each was sent with (the one the service rejected).
    async fn refresh_credentials(
        &self,
        who: &Who<'_>,
        names: &[&'static str],
        sent: &[(&'static str, Secret)],
    ) -> Result<(), String> {
        for &name in names {
            match sent.iter().find(|(n, _)| *n == name) {
                Some((_, rejected)) => who.credentials.refresh_rejected(name, rejected).await?,
                None => who.credentials.refresh(name).await?,
            }
        }
        Ok(())
    }

    /// The credentials, session and connection of `seat`'s identity, or the client's own.
    fn who(&self, seat: Option<Seat>) -> Who<'_> {
        match (seat, &self.inner.crawl) {
            (Some(seat), Some(crawl)) => {
                let m = crawl.member(seat);
                Who {
                    credentials: &m.credentials,
                    session: &m.session,
                    http: &m.http,
                }
            }
            _ => Who {
                credentials: &self.inner.credentials,
                session: &self.inner.session,
                http: &self.inner.http,
            },
        }
    }

    /// The crawl layer (identities, pacing, breakers) when the client was built with one.
    pub fn crawl(&self) -> Option<&Crawl> {
        self.inner.crawl.as_deref()
    }

    async fn credential(
        &self,
        who: &Who<'_>,
        name: &'static str,
    ) -> Result<Secret, Error<D::Code>> {
        who.credentials
            .get(name)
            .await
            .map_err(|reason| Error::Credential { name, reason })
    }

    async fn resolve(&self, req: &Request, who: &Who<'_>) -> Result<Wire, Error<D::Code>> {
        let mut secrets = Vec::new();
        let mut sent = Vec::new();
        let mut query = String::new();
        for (name, value) in &req.query {
            match value {
                Value::Plain(v) | Value::JsonText(v) => push_pair(&mut query, name, v),
                Value::Credential(c) => {
                    let s = self.credential(who, c).await?;
                    push_pair(&mut query, name, s.expose());
                    sent.push((*c, s.clone()));
                    secrets.push(s);
                }
                Value::Session(pos) => {
                    for (n, v, p) in who.session {
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
                Value::Plain(v) | Value::JsonText(v) => headers.push((*name, v.clone(), false)),
                Value::Credential(c) => {
                    let s = self.credential(who, c).await?;
                    sent.push((*c, s.clone()));
                    if Some(*c) == D::USER_AGENT_CREDENTIAL {
                        user_agent = Some(s.expose().to_owned());
                    } else {
                        if name.eq_ignore_ascii_case(reqwest::header::COOKIE.as_str()) {
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
                Value::Plain(v) => serde_json::Value::String(v.clone()),
                Value::Credential(c) => {
                    let s = self.credential(who, c).await?;
                    sent.push((*c, s.clone()));
                    secrets.push(s.clone());
                    serde_json::Value::String(s.expose().to_owned())
                }
                Value::JsonText(t) => {
                    serde_json::from_str(t).map_err(|e| Error::InvalidParameter {
                        name: n,
                        reason: format!("not JSON: {e}"),
                    })?
                }
                Value::Session(_) => continue,
            };
            match (is_json, value) {
                (true, value) => {
                    json.insert((*n).to_owned(), value);
                }
                (false, serde_json::Value::String(s)) => {
                    push_pair(form.get_or_insert_with(String::new), n, &s)
                }
                (false, other) => {
                    push_pair(form.get_or_insert_with(String::new), n, &other.to_string())
                }
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
        for &name in req.op.signing {
            let signer = self
                .inner
                .signers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s)
                .ok_or_else(|| Error::Credential {
                    name,
                    reason: "no signer of this name is configured".to_owned(),
                })?;
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
                Error::Credential { name, reason }.masked(&exposed)
            })?;
            for (n, v) in extra {
                push_pair(&mut query, &n, &v);
            }
        }
        let base = match req.op.base_url {
            Some(own) if !self.inner.redirected => own,
            _ => &self.inner.base_url,
        };
        let mut url = format!("{base}{}", req.op.path);
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

    async fn transmit(
        &self,
        req: &Request,
        wire: &Wire,
        who: &Who<'_>,
    ) -> Result<RawResponse, Error<D::Code>> {
        let method = match req.op.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        tracing::debug!(
            op = req.op.name,
            method = req.op.method.as_str(),
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
                .hop_request(who.http, &hop, wire, left)?
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
        let set_cookie = resp
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        let body = read_body(resp, self.inner.max_body_bytes, map_err).await?;
        tracing::debug!(op = req.op.name, status, bytes = body.len(), "received");
        Ok(RawResponse {
            status,
            content_type,
            body,
            retry_after,
            set_cookie,
        })
    }

    /// One request of a redirect chain; past the first origin it carries no credential header and no `Referer`.
    fn hop_request(
        &self,
        http: &reqwest::Client,
        hop: &Hop,
        wire: &Wire,
        timeout: Duration,
    ) -> Result<reqwest::RequestBuilder, Error<D::Code>> {
        let mut builder = http
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

/// The request's credentials the spec says `code` refreshes.
fn refreshed_by<D: Domain>(req: &Request, code: &D::Code) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for name in credential_names(req) {
        let named = D::CREDENTIALS
            .iter()
            .any(|c| c.name == name && c.refreshed_by(code));
        if named && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The credentials `req` carries, wherever they go (query, headers, form, JSON body).
fn credential_names(req: &Request) -> impl Iterator<Item = &'static str> + '_ {
    req.query
        .iter()
        .chain(&req.headers)
        .chain(&req.form)
        .chain(&req.json)
        .filter_map(|(_, v)| match v {
            Value::Credential(c) => Some(*c),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Operation;
    use crate::ErrorClass;

    #[derive(Clone, Debug, PartialEq)]
    struct Code(&'static str);

    impl ErrorCode for Code {
        fn from_raw(raw: &str) -> Self {
            Code(match raw {
                "expired" => "expired",
                "42" => "42",
                _ => "other",
            })
        }
        fn raw(&self) -> &str {
            self.0
        }
        fn name(&self) -> &'static str {
            self.0
        }
        fn meaning(&self) -> Option<&'static str> {
            None
        }
        fn class(&self) -> ErrorClass {
            if self.0 == "expired" {
                ErrorClass::ExpiredCredential
            } else {
                ErrorClass::Other
            }
        }
    }

    struct Demo;

    static SPEC: EnvelopeSpec = EnvelopeSpec {
        code: &["code"],
        success: &["0"],
        message: &[],
        log_id: &[],
        sub_code: &[],
        sub_message: &[],
        refusals: &[],
    };

    impl Domain for Demo {
        type Code = Code;
        const NAME: &'static str = "demo";
        const BASE_URL: &'static str = "https://api.example.com";
        const ENVELOPE: &'static EnvelopeSpec = &SPEC;
        const CREDENTIALS: &'static [CredentialSpec] = &[
            CredentialSpec {
                name: "token",
                required: true,
                refresh_on: &[ErrorClass::ExpiredCredential],
                refresh_on_codes: &[],
            },
            CredentialSpec {
                name: "ticket",
                required: true,
                refresh_on: &[],
                refresh_on_codes: &["42"],
            },
            CredentialSpec {
                name: "key",
                required: true,
                refresh_on: &[],
                refresh_on_codes: &[],
            },
        ];
    }

    static SIGNED: Operation = Operation {
        name: "signed",
        method: Method::Post,
        path: "/signed",
        base_url: None,
        signing: &["second", "first"],
        pacing: None,
    };

    static BOOTSTRAP: Operation = Operation {
        name: "bootstrap",
        method: Method::Get,
        path: "/register/",
        base_url: Some("https://bootstrap.example.com"),
        signing: &[],
        pacing: None,
    };

    static JSON_BODY: Operation = Operation {
        name: "json_body",
        method: Method::Post,
        path: "/json",
        base_url: None,
        signing: &[],
        pacing: None,
    };

    /// Appends `name=<what it saw>`: the query and the user agent.
    struct Echo(&'static str);

    impl Signer for Echo {
        fn sign<'a>(
            &'a self,
            input: SignInput<'a>,
        ) -> futures::future::BoxFuture<'a, Result<Vec<(String, String)>, String>> {
            let seen = format!("{}|{}|{}", input.method, input.query, input.user_agent);
            Box::pin(async move { Ok(vec![(self.0.to_owned(), seen)]) })
        }
    }

    fn credentials() -> StaticCredentials {
        StaticCredentials::new()
            .with("token", "T")
            .with("ticket", "K")
            .with("key", "S")
    }

    #[test]
    fn only_the_credentials_the_spec_names_for_an_error_are_refreshed() {
        let mut req = Request::new(&SIGNED);
        req.query_credential("token", "token");
        req.header_credential("x-ticket", "ticket");
        req.query_credential("key", "key");
        assert_eq!(refreshed_by::<Demo>(&req, &Code("expired")), ["token"]);
        assert_eq!(refreshed_by::<Demo>(&req, &Code("42")), ["ticket"]);
        assert!(refreshed_by::<Demo>(&req, &Code("other")).is_empty());
        // A credential the request does not carry is not refreshed.
        let mut only_key = Request::new(&SIGNED);
        only_key.query_credential("key", "key");
        assert!(refreshed_by::<Demo>(&only_key, &Code("expired")).is_empty());
    }

    #[test]
    fn signers_run_by_name_in_the_operation_s_order_each_seeing_the_query_so_far() {
        let client = Client::<Demo>::builder()
            .credentials(credentials())
            .signer("first", Echo("first"))
            .signer("second", Echo("second"))
            .build()
            .unwrap();
        let mut req = Request::new(&SIGNED);
        req.query("a", "1");
        let wire = futures::executor::block_on(client.resolve(&req, &client.who(None))).unwrap();
        assert_eq!(
            wire.url,
            "https://api.example.com/signed?a=1&second=POST%7Ca%3D1%7C&first=POST%7Ca%3D1%26second%3DPOST%257Ca%253D1%257C%7C"
        );
        // Replacing a signer by name keeps one signer of that name.
        let replaced = Client::<Demo>::builder()
            .signer("first", Echo("first"))
            .signer("first", Echo("again"))
            .build()
            .unwrap();
        assert_eq!(replaced.inner.signers.len(), 1);
    }

    #[test]
    fn a_signer_the_spec_names_but_nobody_registered_is_a_credential_error() {
        let client = Client::<Demo>::builder()
            .signer("first", Echo("first"))
            .build()
            .unwrap();
        match futures::executor::block_on(client.resolve(&Request::new(&SIGNED), &client.who(None)))
        {
            Err(Error::Credential { name, .. }) => assert_eq!(name, "second"),
            other => panic!("{:?}", other.map(|w| w.url)),
        }
    }

    #[test]
    fn json_text_members_travel_as_json_values_and_bad_text_is_refused_before_sending() {
        let client = Client::<Demo>::builder().build().unwrap();
        let mut req = Request::new(&JSON_BODY);
        req.json_field("region", "cn");
        req.json_raw("aid", 1768);
        req.json_raw("union", true);
        req.json_raw("info", r#"{"ticket":""}"#);
        let wire = futures::executor::block_on(client.resolve(&req, &client.who(None))).unwrap();
        let (body, content_type) = wire.body.unwrap();
        assert_eq!(content_type, "application/json");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"region": "cn", "aid": 1768, "union": true, "info": {"ticket": ""}})
        );
        let mut bad = Request::new(&JSON_BODY);
        bad.json_raw("aid", "17 68");
        match futures::executor::block_on(client.resolve(&bad, &client.who(None))) {
            Err(Error::InvalidParameter { name, reason }) => {
                assert_eq!(name, "aid");
                assert!(reason.starts_with("not JSON"), "{reason}");
            }
            other => panic!("{:?}", other.map(|w| w.url)),
        }
    }

    #[test]
    fn an_operation_on_its_own_host_goes_there_unless_the_client_is_redirected() {
        let req = Request::new(&BOOTSTRAP);
        let prod = Client::<Demo>::builder().build().unwrap();
        let wire = futures::executor::block_on(prod.resolve(&req, &prod.who(None))).unwrap();
        assert_eq!(wire.url, "https://bootstrap.example.com/register/");
        let mock = Client::<Demo>::builder()
            .base_url("http://127.0.0.1:9/demo/")
            .build()
            .unwrap();
        let wire = futures::executor::block_on(mock.resolve(&req, &mock.who(None))).unwrap();
        assert_eq!(wire.url, "http://127.0.0.1:9/demo/register/");
    }
}
