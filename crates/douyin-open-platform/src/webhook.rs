//! Receiving the Open Platform's webhooks: the documented signature checked in constant time before anything is
//! parsed, the event decoded into the generated [`Event`], the `verify_webhook` challenge answered,
//! retries of one `Msg-Id` handled once, and an axum [`router`] that acknowledges first and processes after.
//!
//! How deliveries are signed and identified is spec data ([`WEBHOOKS`], from `webhooks:` in
//! `specs/open-platform/domain.yaml`): the lowercase hex SHA-1 of the client secret followed by the raw body in
//! `X-Douyin-Signature`, retries repeating `Msg-Id`.
//!
//! ```no_run
//! # async fn demo() {
//! use douyin_open_platform::webhook::{router, Delivery};
//! use douyin_open_platform::{Event, Secret};
//!
//! let app = router(Secret::new("client-secret"), |delivery: Delivery| async move {
//!     if let Event::CreateVideo(video) = &delivery.event {
//!         println!("published: {:?}", video.content);
//!     }
//! });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # }
//! ```

mod receiver;
mod seen;

use douyin_core::event::SignatureError;
use douyin_core::Secret;

use crate::generated::events::{Event, WEBHOOKS};

pub use receiver::{router, router_with, Handler, WebhookConfig};
pub use seen::{MemorySeen, SeenStore};

/// The largest body the receiver reads by default (the documented events are well under a kilobyte).
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// Why a delivery was refused. Never carries the client secret or the expected signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No signature header.
    #[error("the request has no {} header", WEBHOOKS.signature_header)]
    MissingSignature,
    /// The header is not the signature of this body under the client secret.
    #[error("the {} header does not match the body", WEBHOOKS.signature_header)]
    BadSignature,
    /// The body is larger than the receiver reads.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The configured limit.
        limit: usize,
    },
}

/// One verified delivery.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The delivery id header (`Msg-Id`), when present.
    pub msg_id: Option<String>,
    /// The event, typed where a spec describes it, else kept as received.
    pub event: Event,
    /// The documented answer the platform expects in the response body (`{"challenge":…}` for `verify_webhook`).
    pub answer: Option<String>,
}

/// The signature the platform sends for `body` (the spec's scheme: lowercase hex SHA-1 of the client secret
/// followed by the body).
pub fn sign(client_secret: &Secret, body: &[u8]) -> String {
    WEBHOOKS.scheme.sign(client_secret.expose(), body)
}

/// Verifies a delivery and decodes it: the signature is checked in constant time before the body is parsed; a body
/// that is not a specced event (malformed JSON, an unknown event type) is kept as [`Event::Unknown`], never an
/// error.
pub fn verify_and_parse(
    client_secret: &Secret,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<Delivery, WebhookError> {
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    WEBHOOKS
        .scheme
        .verify(
            client_secret.expose(),
            body,
            header_text(WEBHOOKS.signature_header),
        )
        .map_err(|e| match e {
            SignatureError::Missing => WebhookError::MissingSignature,
            _ => WebhookError::BadSignature,
        })?;
    let event = Event::decode(body);
    let answer = event
        .name()
        .and_then(|name| WEBHOOKS.events.iter().find(|spec| spec.name == name))
        .and_then(|spec| douyin_core::event::answer(body, spec.answer));
    Ok(Delivery {
        msg_id: header_text(WEBHOOKS.id_header).map(str::to_owned),
        event,
        answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_no_secret() {
        for e in [
            WebhookError::MissingSignature,
            WebhookError::BadSignature,
            WebhookError::TooLarge { limit: 10 },
        ] {
            assert!(!format!("{e} {e:?}").contains("secret-value"));
        }
    }
}
