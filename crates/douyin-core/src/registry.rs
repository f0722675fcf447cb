//! A generated table of every operation of a domain, for tools that work from specs rather than from one method:
//! golden tests, capture checks, the mock server.

use serde::Serialize;

use crate::decode::{decode_body, Envelope, EnvelopeSpec};
use crate::drift::{Decode, DecodeMode, Drift, Response};
use crate::error::{Error, ErrorCode};
use crate::lossless::Census;

/// Decodes a body with one operation's response type, as the client would in the given mode.
pub type BodyFn<C> = fn(&[u8], DecodeMode) -> Result<Checked, Error<C>>;

/// What a capture check needs from one decoded body.
#[derive(Debug)]
pub struct Checked {
    /// The typed value re-encoded to JSON.
    pub reencoded: serde_json::Value,
    /// JSON paths of the fields the spec does not describe.
    pub unknown_paths: Vec<String>,
    /// Values that did not fit their type (always empty in strict mode).
    pub drift: Vec<Drift>,
}

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
    /// The OAuth scope a user grants for it (the spec's `scope`), if any.
    pub scope: Option<&'static str>,
    /// Decodes a body as the client would, re-encodes it and lists its unknown fields and drift.
    pub check: BodyFn<C>,
}

/// Decodes `body` like a client method (envelope errors included), re-encodes it and lists its unknown fields.
pub fn check<T, C>(body: &[u8], spec: &EnvelopeSpec, mode: DecodeMode) -> Result<Checked, Error<C>>
where
    T: Decode + Envelope + Response + Serialize + Census,
    C: ErrorCode,
{
    let value = decode_body::<T, C>(200, "application/json", body, spec, &[], mode)?;
    let reencoded = serde_json::to_value(&value).map_err(|e| {
        Error::Decode(Box::new(crate::error::DecodeError {
            path: ".".to_owned(),
            message: format!("re-encoding failed: {e}"),
            excerpt: String::new(),
        }))
    })?;
    Ok(Checked {
        reencoded,
        unknown_paths: value.unknown_paths(),
        drift: value.drift().to_vec(),
    })
}
