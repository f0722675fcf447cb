//! The one error family every client returns, generic over the domain's typed error code.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::redact::mask;

/// What kind of failure a documented error code stands for; decides retries and token refreshes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The request succeeded (a code listed as success).
    Success,
    /// The call worked but found nothing.
    NoResult,
    /// A request parameter was rejected.
    InvalidParameter,
    /// The credential is invalid.
    Authentication,
    /// The credential expired; the client refreshes it once and retries.
    ExpiredCredential,
    /// The user's grant is gone (expired or exhausted refresh token, expired code): only a new authorization helps.
    Reauthorize,
    /// The application or account lacks a permission.
    Permission,
    /// A quota is used up.
    Quota,
    /// Too many requests; retried with backoff.
    RateLimited,
    /// A transient failure; retried with backoff.
    Retryable,
    /// A server-side failure; retried with backoff.
    Server,
    /// The service refused the request (risk control).
    Blocked,
    /// Anything else, including codes the documentation does not list.
    Other,
}

impl ErrorClass {
    /// The class as the specs spell it (`rate_limited`, `expired_credential`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Success => "success",
            ErrorClass::NoResult => "no_result",
            ErrorClass::InvalidParameter => "invalid_parameter",
            ErrorClass::Authentication => "authentication",
            ErrorClass::ExpiredCredential => "expired_credential",
            ErrorClass::Reauthorize => "reauthorize",
            ErrorClass::Permission => "permission",
            ErrorClass::Quota => "quota",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::Retryable => "retryable",
            ErrorClass::Server => "server",
            ErrorClass::Blocked => "blocked",
            ErrorClass::Other => "other",
        }
    }

    /// Whether the runtime retries a request that failed with this class.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorClass::RateLimited | ErrorClass::Retryable | ErrorClass::Server
        )
    }
}

/// Whether a failed call is charged (Onebound documents this per code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Billing {
    /// The call is billed.
    Billed,
    /// The call is not billed.
    NotBilled,
    /// The documentation says 忽略: the call is ignored for billing.
    Ignored,
}

/// A domain's documented error-code table, generated from its spec as an enum with an `Unknown` case.
pub trait ErrorCode: Clone + fmt::Debug + PartialEq + Send + Sync + 'static {
    /// Maps a code as received (compared as text) to the enum; unknown codes keep their raw text.
    fn from_raw(raw: &str) -> Self;
    /// The code as text, as it arrived.
    fn raw(&self) -> &str;
    /// The name of the code's variant (`NoResult`), or `Unknown` for a code the documentation does not list.
    fn name(&self) -> &'static str;
    /// The documented meaning, if the code is documented.
    fn meaning(&self) -> Option<&'static str>;
    /// The documented class of the code.
    fn class(&self) -> ErrorClass;
    /// Whether the call is billed, where the domain documents billing.
    fn billing(&self) -> Option<Billing> {
        None
    }
    /// The spec's one line on what to do about the code, if it gives one.
    fn advice(&self) -> Option<&'static str> {
        None
    }
}

/// An error the service reported inside a response body.
#[derive(Clone, Debug)]
pub struct ApiError<C> {
    /// The domain's typed code.
    pub code: C,
    /// The service's message.
    pub message: Option<String>,
    /// The request/log id, for support tickets.
    pub log_id: Option<String>,
    /// Sub error code (Open Platform `extra.sub_error_code`).
    pub sub_code: Option<String>,
    /// Sub error description (Open Platform `extra.sub_description`).
    pub sub_message: Option<String>,
    /// HTTP status the body arrived with.
    pub http_status: u16,
}

impl<C: ErrorCode> ApiError<C> {
    /// The class of the code.
    pub fn class(&self) -> ErrorClass {
        self.code.class()
    }

    /// Whether the runtime would retry this error.
    pub fn is_retryable(&self) -> bool {
        self.code.class().is_retryable()
    }

    /// Whether the call was billed, where the domain documents it.
    pub fn billing(&self) -> Option<Billing> {
        self.code.billing()
    }
}

impl<C: ErrorCode> fmt::Display for ApiError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "code {}", self.code.raw())?;
        if let Some(m) = self.code.meaning() {
            write!(f, " ({m})")?;
        }
        if let Some(m) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {m}")?;
        }
        if let Some(m) = self.sub_message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, "; {m}")?;
        }
        if let Some(id) = self.log_id.as_deref().filter(|m| !m.is_empty()) {
            write!(f, " [log id {id}]")?;
        }
        Ok(())
    }
}

/// What a refusing body shape asks for ([`crate::decode::Refusal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// A captcha or slider verification in a browser.
    Captcha,
    /// A signed-in session.
    Login,
}

/// How the service refused to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockedKind {
    /// HTTP 200 with an empty body: how douyin.com answers an expired cookie or a bad signature.
    EmptyBody,
    /// An HTML or JavaScript page (a captcha or challenge) instead of JSON.
    Challenge {
        /// The response's content type.
        content_type: String,
    },
    /// A JSON body whose code says success but whose shape refuses (a captcha, a sign-in), per the domain spec.
    Refused {
        /// What the service wants.
        kind: RefusalKind,
        /// The field and value that said so (`search_nil_info.search_nil_type = verify_check`).
        evidence: String,
    },
}

impl BlockedKind {
    /// One line on what to do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            BlockedKind::EmptyBody => {
                "renew the cookie and msToken (sign in on the site and export them again) and check that the \
                 signature was made with the user agent that is sent"
            }
            BlockedKind::Challenge { .. } => {
                "open the site in a browser with this cookie, pass the verification, then retry more slowly"
            }
            BlockedKind::Refused {
                kind: RefusalKind::Captcha,
                ..
            } => "solve the captcha in a browser signed in with this cookie, then retry more slowly",
            BlockedKind::Refused {
                kind: RefusalKind::Login,
                ..
            } => "sign in on the site and export the cookie again",
        }
    }
}

impl fmt::Display for BlockedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockedKind::EmptyBody => f.write_str("empty response body"),
            BlockedKind::Challenge { content_type } => {
                write!(f, "challenge page instead of JSON ({content_type})")
            }
            BlockedKind::Refused {
                kind: RefusalKind::Captcha,
                evidence,
            } => write!(f, "the service asks for a captcha ({evidence})"),
            BlockedKind::Refused {
                kind: RefusalKind::Login,
                evidence,
            } => write!(f, "the service wants a signed-in session ({evidence})"),
        }
    }
}

/// A body that does not match the spec's schema.
#[derive(Clone, Debug)]
pub struct DecodeError {
    /// JSON path of the failing value (`data.list[0].create_time`), `.` for the root.
    pub path: String,
    /// What serde said.
    pub message: String,
    /// A short excerpt of the body with credentials masked.
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.message)
    }
}

/// Every failure of a generated client method.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<C: ErrorCode> {
    /// A parameter was rejected before anything was sent.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's wire name.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// No credential could be had from the provider.
    #[error("credential `{name}` unavailable: {reason}")]
    Credential {
        /// The credential's name in the spec.
        name: &'static str,
        /// Why (never the credential itself).
        reason: String,
    },
    /// Connecting, sending or receiving failed (the URL, which may carry credentials, is stripped).
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request did not complete within the configured timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// A non-success HTTP status without a recognisable error body.
    #[error("HTTP status {status}")]
    Status {
        /// The status code.
        status: u16,
        /// A short excerpt of the body with credentials masked.
        excerpt: String,
    },
    /// The service blocked the request instead of answering with JSON.
    #[error("blocked: {0}")]
    Blocked(BlockedKind),
    /// The body is not what the spec describes.
    #[error("decode error {0}")]
    Decode(Box<DecodeError>),
    /// The service reported an error in the body.
    #[error("API error {0}")]
    Api(Box<ApiError<C>>),
    /// The response body passed the client's limit (counted after decompression); reading stopped there.
    #[error(
        "response body larger than the limit of {limit} bytes (`ClientBuilder::max_body_bytes`)"
    )]
    BodyTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A redirect the client's [`crate::redirect::RedirectPolicy`] does not follow.
    #[error("redirect (HTTP {status}) to {to} not followed: {refusal}")]
    Redirect {
        /// The redirect's status.
        status: u16,
        /// The origin it pointed to (never the path or query), or "an unusable location".
        to: String,
        /// Why it was not followed.
        refusal: crate::redirect::Refusal,
    },
    /// The service (HTTP 429 or 503 with `Retry-After`) asked to wait longer than
    /// [`crate::RetryPolicy::max_retry_after`]; nothing was retried.
    #[error(
        "rate limited; retry after {} (in {} s)",
        humantime::format_rfc3339_seconds(.retry_after.at),
        whole_seconds(.retry_after.wait)
    )]
    RateLimited {
        /// The response's status.
        status: u16,
        /// When retrying is allowed, and how long that was from the response.
        retry_after: crate::retry::RetryAfter,
    },
    /// A pagination cursor came back that the same walk already fetched (it did not advance, or it cycles); the walk
    /// stops instead of looping.
    #[error("pagination cursor {cursor} came back (already fetched in this walk)")]
    StalledCursor {
        /// The cursor that repeated.
        cursor: String,
    },
    /// The operation's circuit breaker is open: risk refusals (captchas, login walls, empty bodies) piled up from
    /// several identities within the spec's window ([`crate::pacing::BreakerRule`]); nothing was sent.
    #[error(
        "circuit breaker of `{operation}` open until {} ({refusals} risk refusals from {identities} identities); \
         nothing sent",
        humantime::format_rfc3339_seconds(*.until)
    )]
    CircuitOpen {
        /// The operation (endpoint) refused.
        operation: &'static str,
        /// When it lets a probe through.
        until: std::time::SystemTime,
        /// Risk refusals within the breaker's window.
        refusals: u32,
        /// Distinct identities among them.
        identities: u32,
    },
}

impl<C: ErrorCode> Error<C> {
    /// The API error, if the service reported one.
    pub fn api(&self) -> Option<&ApiError<C>> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The same error with every credential value in `secrets` masked (in any encoding [`crate::redact::mask`]
    /// knows) in all the text it carries from the server or a provider: messages, sub-messages, codes, log ids,
    /// decode messages and paths, excerpts, content types, cursors. The client applies it to every error before
    /// it is logged or returned.
    pub fn masked(self, secrets: &[&str]) -> Self {
        if secrets.iter().all(|s| s.is_empty()) {
            return self;
        }
        let m = |text: String| match mask(&text, secrets) {
            Cow::Borrowed(_) => text,
            Cow::Owned(masked) => masked,
        };
        let mo = |text: Option<String>| text.map(m);
        match self {
            Error::InvalidParameter { name, reason } => Error::InvalidParameter {
                name,
                reason: m(reason),
            },
            Error::Credential { name, reason } => Error::Credential {
                name,
                reason: m(reason),
            },
            Error::Status { status, excerpt } => Error::Status {
                status,
                excerpt: m(excerpt),
            },
            Error::Blocked(BlockedKind::Challenge { content_type }) => {
                Error::Blocked(BlockedKind::Challenge {
                    content_type: m(content_type),
                })
            }
            Error::Decode(mut d) => {
                d.path = m(std::mem::take(&mut d.path));
                d.message = m(std::mem::take(&mut d.message));
                d.excerpt = m(std::mem::take(&mut d.excerpt));
                Error::Decode(d)
            }
            Error::Api(mut a) => {
                if let Cow::Owned(code) = mask(a.code.raw(), secrets) {
                    a.code = C::from_raw(&code);
                }
                a.message = mo(a.message.take());
                a.log_id = mo(a.log_id.take());
                a.sub_code = mo(a.sub_code.take());
                a.sub_message = mo(a.sub_message.take());
                Error::Api(a)
            }
            Error::StalledCursor { cursor } => Error::StalledCursor { cursor: m(cursor) },
            Error::Redirect {
                status,
                to,
                refusal,
            } => Error::Redirect {
                status,
                to: m(to),
                refusal,
            },
            other => other,
        }
    }

    /// Whether the runtime's retry policy retries this error.
    pub fn is_retryable(&self) -> bool {
        match self {
            // A request reqwest cannot even build fails the same way every time.
            Error::Transport(e) => !e.is_builder(),
            Error::Timeout(_) => true,
            Error::Status { status, .. } => *status >= 500 || *status == 429,
            Error::Api(e) => e.is_retryable(),
            _ => false,
        }
    }
}

/// A wait in seconds, rounded up so "in 0 s" never means "not yet".
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// Why [`crate::ClientBuilder::build`] refused the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL is not an absolute `http`/`https` URL with a host and nothing after the path.
    #[error("invalid base URL: {reason}")]
    InvalidBaseUrl {
        /// What is wrong (the URL itself is not repeated: it may hold a password).
        reason: String,
    },
    /// The base URL has a user name or password in it (`http://user:password@host`).
    #[error(
        "the base URL carries a user name or password; credentials go through the credential provider, never in the URL"
    )]
    BaseUrlCredentials,
    /// reqwest could not set up its client (TLS backend, system configuration).
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

impl BuildError {
    /// Whether the caller's configuration is at fault (a command line maps this to a usage error).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            BuildError::InvalidBaseUrl { .. } | BuildError::BaseUrlCredentials
        )
    }
}
