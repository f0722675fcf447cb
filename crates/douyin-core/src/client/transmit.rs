//! Transmission: one attempt sent over HTTP, redirects followed per the policy within the attempt's time budget
//! (credential headers and `Referer` dropped past the first origin), the body read within the size limit.

use std::time::Duration;

use super::assemble::Wire;
use super::{Client, Domain};
use crate::credentials::Secret;
use crate::error::{Error, ErrorCode};
use crate::limit::LimitedBuf;
use crate::redirect::Hop;
use crate::request::{Method, Request};
use crate::retry::RetryAfter;

/// A response body before decoding.
pub(super) struct RawResponse {
    pub(super) status: u16,
    pub(super) content_type: String,
    pub(super) body: bytes::Bytes,
    /// `Retry-After` of a 429 or 503.
    pub(super) retry_after: Option<RetryAfter>,
    /// The `Set-Cookie` header values, for operations that issue cookies.
    pub(super) set_cookie: Vec<reqwest::header::HeaderValue>,
}

impl<D: Domain> Client<D> {
    pub(super) async fn transmit(
        &self,
        req: &Request,
        wire: &Wire,
        http: &reqwest::Client,
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
                .hop_request(http, &hop, wire, left)?
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
