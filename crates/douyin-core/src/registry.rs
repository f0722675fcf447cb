//! A generated table of every operation of a domain, for tools that work from specs rather than from one method:
//! golden tests, capture checks, the mock server.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::decode::{decode_body, Envelope, EnvelopeSpec};
use crate::error::{Error, ErrorCode};

/// Decodes a body with one operation's response type and reports something about it.
pub type BodyFn<T, C> = fn(&[u8]) -> Result<T, Error<C>>;

/// One operation: its names and a function decoding a body with its response type.
pub struct OperationEntry<C: ErrorCode> {
    /// The spec's operation name.
    pub name: &'static str,
    /// The spec file, relative to the workspace.
    pub spec: &'static str,
    /// The HTTP method.
    pub method: crate::Method,
    /// Path below the base URL.
    pub path: &'static str,
    /// Decodes a body as the client would and re-encodes the typed value to JSON.
    pub decode: BodyFn<serde_json::Value, C>,
    /// Decodes a body as the client would and lists the JSON paths the spec does not describe.
    pub unknown_paths: BodyFn<Vec<String>, C>,
}

/// Decodes `body` like a client method and lists its unknown-field paths.
pub fn census<T, C>(body: &[u8], spec: &EnvelopeSpec) -> Result<Vec<String>, Error<C>>
where
    T: DeserializeOwned + Envelope + crate::Census,
    C: ErrorCode,
{
    decode_body::<T, C>(200, "application/json", body, spec, &[]).map(|v| v.unknown_paths())
}

/// Decodes `body` like a client method (envelope errors included) and re-encodes it.
pub fn roundtrip<T, C>(body: &[u8], spec: &EnvelopeSpec) -> Result<serde_json::Value, Error<C>>
where
    T: DeserializeOwned + Envelope + Serialize,
    C: ErrorCode,
{
    let value = decode_body::<T, C>(200, "application/json", body, spec, &[])?;
    serde_json::to_value(&value).map_err(|e| {
        Error::Decode(Box::new(crate::error::DecodeError {
            path: ".".to_owned(),
            message: format!("re-encoding failed: {e}"),
            excerpt: String::new(),
        }))
    })
}
