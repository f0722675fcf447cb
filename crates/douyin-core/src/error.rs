//! The one error family every client returns, generic over the domain's typed error code.

use std::fmt;
use std::time::Duration;

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
    /// A pagination cursor did not advance; the stream stops instead of looping.
    #[error("pagination cursor did not advance (stuck at {cursor})")]
    StalledCursor {
        /// The cursor that repeated.
        cursor: String,
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

    /// Whether the runtime's retry policy retries this error.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) | Error::Timeout(_) => true,
            Error::Status { status, .. } => *status >= 500 || *status == 429,
            Error::Api(e) => e.is_retryable(),
            _ => false,
        }
    }
}
