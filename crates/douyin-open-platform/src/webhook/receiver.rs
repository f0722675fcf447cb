//! The axum service an application mounts: reads the body up to a limit (413 over it), refuses a missing or wrong
//! signature with 401 before parsing, answers at once (the documented answer, else an empty 200) and hands the
//! delivery to the handler on a task of its own, once per `Msg-Id`.

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use douyin_core::{BoxFuture, Secret};

use super::{
    verify_and_parse, Delivery, MemorySeen, SeenStore, WebhookError, DEFAULT_MAX_BODY_BYTES,
};

/// What the receiver does with each verified, first-time delivery.
pub trait Handler: Send + Sync + 'static {
    /// Processes one delivery; runs after the platform has been answered.
    fn handle(&self, delivery: Delivery) -> BoxFuture<'static, ()>;
}

impl<F, Fut> Handler for F
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn handle(&self, delivery: Delivery) -> BoxFuture<'static, ()> {
        Box::pin(self(delivery))
    }
}

/// The receiver's settings.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebhookConfig {
    /// The application's client secret, which signs every delivery.
    pub client_secret: Secret,
    /// The largest body read; larger ones are refused with 413.
    pub max_body_bytes: usize,
    /// Where delivery ids are remembered.
    pub seen: Arc<dyn SeenStore>,
}

impl WebhookConfig {
    /// The defaults: [`DEFAULT_MAX_BODY_BYTES`] and a [`MemorySeen`] of ten thousand ids.
    pub fn new(client_secret: Secret) -> Self {
        WebhookConfig {
            client_secret,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            seen: Arc::new(MemorySeen::default()),
        }
    }

    /// Another body limit.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Another delivery-id store (a shared database for several receivers).
    pub fn seen(mut self, store: impl SeenStore) -> Self {
        self.seen = Arc::new(store);
        self
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("client_secret", &self.client_secret)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

struct Shared {
    config: WebhookConfig,
    handler: Box<dyn Handler>,
}

/// A router answering `POST /` with the defaults of [`WebhookConfig::new`]; mount it where the platform posts
/// (`Router::new().nest("/douyin/webhook", router(secret, handler))`).
pub fn router(client_secret: Secret, handler: impl Handler) -> Router {
    router_with(WebhookConfig::new(client_secret), handler)
}

/// A router answering `POST /` with the given settings.
pub fn router_with(config: WebhookConfig, handler: impl Handler) -> Router {
    let shared = Arc::new(Shared {
        config,
        handler: Box::new(handler),
    });
    Router::new().route("/", post(receive)).with_state(shared)
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let limit = shared.config.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            WebhookError::TooLarge { limit },
        );
    }
    // Reading stops at the limit whatever the peer declared (a chunked body has no length).
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            WebhookError::TooLarge { limit },
        );
    };
    let delivery = match verify_and_parse(&shared.config.client_secret, &headers, &bytes) {
        Ok(d) => d,
        Err(e) => return refuse(StatusCode::UNAUTHORIZED, e),
    };
    let first = match delivery.msg_id.as_deref() {
        Some(id) => shared.config.seen.first_delivery(id).await,
        None => true,
    };
    let answer = delivery.answer.clone();
    if first {
        // Acknowledge first: the platform drops a connection after 5 s and retries, so processing runs apart.
        tokio::spawn(shared.handler.handle(delivery));
    }
    match answer {
        Some(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

fn refuse(status: StatusCode, why: WebhookError) -> Response {
    (status, why.to_string()).into_response()
}
