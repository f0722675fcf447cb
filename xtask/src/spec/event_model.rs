//! The webhook event file format, `specs/<domain>/events/<event>.yaml`: one pushed event type each.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value as Json;

/// `specs/<domain>/events/<event>.yaml`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct EventFile {
    /// The `event` value on the wire (`create_video`).
    pub name: String,
    /// Rust name of the event's type (`CreateVideoEvent`).
    #[serde(rename = "type")]
    pub type_name: String,
    pub summary: String,
    #[serde(default)]
    pub doc_zh: Option<String>,
    pub source: String,
    /// The OAuth scope a user grants for the application to receive it (none: every application receives it).
    #[serde(default)]
    pub scope: Option<String>,
    /// JSON Schema of the whole event body.
    pub schema: Json,
    /// The documented answer: a JSON object whose members are read from these dot paths of the event
    /// (`challenge: content.challenge`); absent, the receiver answers an empty 200.
    #[serde(default)]
    pub answer: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// Documented event bodies (the mock sends the first), relative to the spec folder.
    #[serde(default)]
    pub examples: Vec<EventExample>,
}

/// A documented example of an event.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct EventExample {
    pub file: String,
    pub source: String,
}

/// `webhooks:` of `domain.yaml`: how the service signs and identifies the events it pushes.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct WebhooksSpec {
    /// The page documenting delivery, signature and retries.
    pub source: String,
    /// The request header carrying the signature.
    pub signature_header: String,
    /// How the signature is computed.
    pub signature: SignatureScheme,
    /// The credential whose value keys the signature.
    pub secret: String,
    /// The request header naming a delivery (retries repeat it).
    pub id_header: String,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A documented webhook signature algorithm.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SignatureScheme {
    /// Lowercase hex SHA-1 of the secret followed by the raw body.
    Sha1SecretBody,
}
