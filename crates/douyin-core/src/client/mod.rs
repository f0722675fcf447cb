//! The HTTP client every generated domain client wraps, by request phase: [`ClientBuilder`] configures it
//! (`builder`), a request's query, headers, body and signatures are assembled with its credentials (`assemble`),
//! sent with redirects under the attempt's time budget and read within the body limit (`transmit`), and retried or
//! refreshed per the policy (`retries`); the body is decoded by [`crate::decode`] and [`crate::drift`].

mod assemble;
mod builder;
mod retries;
#[cfg(test)]
mod tests;
mod transmit;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::crawl::{Crawl, Seat};
use crate::credentials::{CredentialSpec, Credentials, Signer};
use crate::decode::{blocked, decode_response, excerpt, Envelope, EnvelopeSpec};
use crate::drift::{Decode, DecodeMode, Response};
use crate::error::{Error, ErrorCode};
use crate::redirect::RedirectPolicy;
use crate::request::{Position, Request};
use crate::retry::RetryPolicy;
use crate::set_cookie::{issued, WithCookies};

pub use builder::{check_base_url, ClientBuilder, ClientSettings};
use transmit::RawResponse;

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

/// Whose credentials, session parameters and connection an attempt uses: a crawl seat's identity, or the client's
/// own.
struct Who<'a> {
    credentials: &'a Arc<dyn Credentials>,
    session: &'a [(String, String, Position)],
    http: &'a reqwest::Client,
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

impl<D: Domain> Client<D> {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder<D> {
        ClientBuilder::new()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The crawl layer (identities, pacing, breakers) when the client was built with one.
    pub fn crawl(&self) -> Option<&Crawl> {
        self.inner.crawl.as_deref()
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
}
