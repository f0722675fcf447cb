//! Pushes a domain's documented events to a receiver the way the service does: each event's first documented
//! example as the body, signed with the scheme and header the domain's spec names, a delivery id in its id header.
//! Deliveries can be spoiled on purpose ([`Spoil`]) to test that a receiver refuses them, and sent twice with one id
//! (the service's retry).
//!
//! ```no_run
//! # async fn demo() {
//! use douyin_mock::webhook::{Sender, Spoil};
//!
//! let sender = Sender::new("open-platform", "http://127.0.0.1:8080/").unwrap();
//! let sent = sender.send("create_video", "msg-1", Spoil::None).await.unwrap();
//! assert_eq!(sent.status, 200);
//! # }
//! ```

use std::fmt;

use douyin_core::event::{EventSpec, WebhookSpec};

use crate::generated::registries;
use crate::table;

/// The domains whose specs say how they push events, in spec folder order.
pub fn domains() -> &'static [&'static str] {
    registries::WEBHOOK_DOMAINS
}

/// A secret the spec gives no example for: the mock signs with it.
const FALLBACK_SECRET: &str = "mock-webhook-secret";

/// A way to spoil a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Spoil {
    /// Sent as the service sends it.
    None,
    /// Signed with another secret.
    BadSignature,
    /// Signed, then the body changed after signing.
    TamperedBody,
    /// A correctly signed body that is not JSON (the example cut in half).
    Malformed,
}

impl Spoil {
    /// Every spoiled kind, for loops over refusals.
    pub const SPOILED: [Spoil; 3] = [Spoil::BadSignature, Spoil::TamperedBody, Spoil::Malformed];
}

/// The receiver's answer to one delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sent {
    /// HTTP status.
    pub status: u16,
    /// The response body as text.
    pub body: String,
}

/// Why a delivery could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError {
    /// No spec of that name pushes events.
    UnknownDomain(String),
    /// The domain specifies no event of that name.
    UnknownEvent {
        /// The event asked for.
        event: String,
        /// The events the domain specifies.
        known: Vec<&'static str>,
    },
    /// The request failed (connection refused, timeout…).
    Http(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::UnknownDomain(d) => write!(f, "no spec `{d}` pushes events"),
            SendError::UnknownEvent { event, known } => {
                write!(f, "no event `{event}`; events: {}", known.join(", "))
            }
            SendError::Http(e) => write!(f, "delivery failed: {e}"),
        }
    }
}

impl std::error::Error for SendError {}

/// Sends one domain's events to one URL.
#[derive(Clone)]
pub struct Sender {
    url: String,
    spec: &'static WebhookSpec,
    secret: String,
    http: reqwest::Client,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("url", &self.url)
            .field("signing_secret", &"***")
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// A sender of `domain`'s events to `url`, signing with the example value the spec gives the signing credential
    /// (the one the mock accepts by default).
    pub fn new(domain: &str, url: impl Into<String>) -> Result<Self, SendError> {
        let spec = registries::webhooks(domain)
            .ok_or_else(|| SendError::UnknownDomain(domain.to_owned()))?;
        let secret = table::domain(domain)
            .and_then(|d| {
                d.credentials
                    .iter()
                    .find(|c| c.name == spec.secret_credential)
            })
            .and_then(|c| c.example)
            .unwrap_or(FALLBACK_SECRET);
        Ok(Sender {
            url: url.into(),
            spec,
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        })
    }

    /// Signs with `secret` instead.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = secret.into();
        self
    }

    /// The secret deliveries are signed with.
    pub fn signing_secret(&self) -> &str {
        &self.secret
    }

    /// The domain's specced events, in spec order.
    pub fn events(&self) -> &'static [EventSpec] {
        self.spec.events
    }

    /// The body and signature header value of a delivery of `event`, spoiled as asked.
    pub fn delivery(&self, event: &str, spoil: Spoil) -> Result<(String, String), SendError> {
        let spec = self
            .spec
            .events
            .iter()
            .find(|e| e.name == event)
            .ok_or_else(|| SendError::UnknownEvent {
                event: event.to_owned(),
                known: self.spec.events.iter().map(|e| e.name).collect(),
            })?;
        let scheme = self.spec.scheme;
        let example = spec.example.to_owned();
        Ok(match spoil {
            Spoil::None => (
                example.clone(),
                scheme.sign(&self.secret, example.as_bytes()),
            ),
            Spoil::BadSignature => {
                let wrong = format!("{}-wrong", self.secret);
                (example.clone(), scheme.sign(&wrong, example.as_bytes()))
            }
            Spoil::TamperedBody => {
                let signature = scheme.sign(&self.secret, example.as_bytes());
                (format!("{example} "), signature)
            }
            Spoil::Malformed => {
                let mut cut = example.len() / 2;
                while !example.is_char_boundary(cut) {
                    cut -= 1;
                }
                let body = example[..cut].to_owned();
                let signature = scheme.sign(&self.secret, body.as_bytes());
                (body, signature)
            }
        })
    }

    /// Posts one delivery of `event` with delivery id `msg_id`.
    pub async fn send(&self, event: &str, msg_id: &str, spoil: Spoil) -> Result<Sent, SendError> {
        let (body, signature) = self.delivery(event, spoil)?;
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header(self.spec.signature_header, signature)
            .header(self.spec.id_header, msg_id)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Http(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| SendError::Http(e.without_url().to_string()))?;
        Ok(Sent { status, body })
    }
}
