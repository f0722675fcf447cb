//! Typed errors as HTTP answers: each client error gets a status and a `kind`, and the same one-line message (meaning
//! and advice) the CLI prints; the body is `{"error":{"kind":…,"message":…}}`. Messages come from the runtime's
//! errors, which never carry a credential.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use douyin_core::{BlockedKind, Error as E, ErrorClass, ErrorCode, RefusalKind};
use serde_json::json;

use crate::support::{api_error, CliError, EXIT_USAGE};

/// How long a caller is told to wait after a rate-limit code that came without a `Retry-After` (the runtime already
/// retried with backoff before giving up, so asking again at once would only repeat that).
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

/// A failed request as the server answers it.
#[derive(Debug)]
pub struct ServeError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What failed, as a word (`bad_request`, `rate_limited`, `captcha`, …).
    pub kind: String,
    /// One line: what went wrong and what to do.
    pub message: String,
    /// The query parameters at fault.
    pub parameters: Vec<String>,
    /// For an unknown route: the nearest ones.
    pub nearest: Vec<String>,
    /// For 429: when to come back.
    pub retry_after: Option<Duration>,
}

impl ServeError {
    /// An answer with `status` and `kind`.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        let message: String = message.into();
        ServeError {
            status,
            kind: kind.to_owned(),
            message: message.split_whitespace().collect::<Vec<_>>().join(" "),
            parameters: Vec::new(),
            nearest: Vec::new(),
            retry_after: None,
        }
    }

    /// 400 naming the parameters at fault.
    pub fn bad_request(message: impl Into<String>, parameters: Vec<String>) -> Self {
        ServeError {
            parameters,
            ..ServeError::new(StatusCode::BAD_REQUEST, "bad_request", message)
        }
    }

    /// 404 for a path no route serves, with the nearest routes.
    pub fn not_found(path: &str, nearest: Vec<String>) -> Self {
        ServeError {
            nearest: nearest.clone(),
            ..ServeError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no route {path}; nearest: {}", nearest.join(", ")),
            )
        }
    }

    /// The CLI's error: a usage problem is the caller's (400), anything else the upstream's (502).
    pub fn from_cli(e: CliError) -> Self {
        if e.exit == EXIT_USAGE {
            ServeError::bad_request(e.message, Vec::new())
        } else {
            ServeError::new(StatusCode::BAD_GATEWAY, "upstream", e.message)
        }
    }

    /// A client error: status and kind by its type and class, message as the CLI words it.
    pub fn upstream<C: ErrorCode>(e: douyin_core::Error<C>) -> Self {
        let (status, kind, retry_after, parameter) = classify(&e);
        let mut out = ServeError::new(status, &kind, api_error(e).message);
        out.retry_after = retry_after;
        out.parameters.extend(parameter);
        out
    }

    /// The body: `{"error":{…}}`.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({ "kind": self.kind, "message": self.message });
        if !self.parameters.is_empty() {
            error["parameters"] = json!(self.parameters);
        }
        if !self.nearest.is_empty() {
            error["nearest"] = json!(self.nearest);
        }
        json!({ "error": error })
    }
}

type Classified = (StatusCode, String, Option<Duration>, Option<String>);

fn classify<C: ErrorCode>(e: &douyin_core::Error<C>) -> Classified {
    let plain = |status, kind: &str| (status, kind.to_owned(), None, None);
    match e {
        E::Api(a) => {
            let class = a.class();
            let status = match class {
                ErrorClass::RateLimited | ErrorClass::Quota => StatusCode::TOO_MANY_REQUESTS,
                ErrorClass::Authentication
                | ErrorClass::ExpiredCredential
                | ErrorClass::Reauthorize
                | ErrorClass::Permission
                | ErrorClass::Blocked => StatusCode::FORBIDDEN,
                ErrorClass::InvalidParameter => StatusCode::BAD_REQUEST,
                ErrorClass::NoResult => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_GATEWAY,
            };
            let retry = (status == StatusCode::TOO_MANY_REQUESTS).then_some(DEFAULT_RETRY_AFTER);
            (status, class.as_str().to_owned(), retry, None)
        }
        E::RateLimited { retry_after, .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited".to_owned(),
            Some(retry_after.wait),
            None,
        ),
        E::Blocked(b) => plain(StatusCode::FORBIDDEN, blocked_kind(b)),
        E::Timeout(_) => plain(StatusCode::GATEWAY_TIMEOUT, "timeout"),
        E::InvalidParameter { name, .. } => (
            StatusCode::BAD_REQUEST,
            "bad_request".to_owned(),
            None,
            Some(name.to_string()),
        ),
        // The server's own configuration lacks it: nothing the caller can change.
        E::Credential { .. } => plain(StatusCode::SERVICE_UNAVAILABLE, "credential"),
        E::Decode(_) => plain(StatusCode::BAD_GATEWAY, "decode"),
        _ => plain(StatusCode::BAD_GATEWAY, "upstream"),
    }
}

fn blocked_kind(b: &BlockedKind) -> &'static str {
    match b {
        BlockedKind::EmptyBody => "empty_body",
        BlockedKind::Challenge { .. } => "challenge",
        BlockedKind::Refused { kind, .. } => match kind {
            RefusalKind::Captcha => "captcha",
            RefusalKind::Login => "login",
            _ => "refused",
        },
        _ => "blocked",
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(self.body())).into_response();
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::tests::Code;

    fn api(code: &str) -> douyin_core::Error<Code> {
        douyin_core::Error::Api(Box::new(douyin_core::ApiError {
            code: Code::from_raw(code),
            message: None,
            log_id: None,
            sub_code: None,
            sub_message: None,
            http_status: 200,
        }))
    }

    #[test]
    fn rate_limit_codes_are_429_with_retry_after_and_the_cli_line() {
        let e = ServeError::upstream(api("4008"));
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.kind, "rate_limited");
        assert!(
            e.message.starts_with("API error RateLimited (code 4008"),
            "{}",
            e.message
        );
        let r = e.into_response();
        assert_eq!(r.headers()[header::RETRY_AFTER], "60");
    }

    #[test]
    fn blocked_timeouts_and_parameters_have_their_statuses() {
        let blocked: douyin_core::Error<Code> = E::Blocked(BlockedKind::EmptyBody);
        let e = ServeError::upstream(blocked);
        assert_eq!(
            (e.status, e.kind.as_str()),
            (StatusCode::FORBIDDEN, "empty_body")
        );
        let timeout: douyin_core::Error<Code> = E::Timeout(Duration::from_secs(1));
        assert_eq!(
            ServeError::upstream(timeout).status,
            StatusCode::GATEWAY_TIMEOUT
        );
    }
}
