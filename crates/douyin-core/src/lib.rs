//! Runtime shared by the generated douyin-rs domain crates: transport, credentials, retries, errors and lossless
//! JSON decoding. Hand-written; the domain crates' generated code calls into it.
//!
//! Application code normally uses a domain crate (`douyin-onebound`, `douyin-open-platform`, `douyin-web`) or the
//! `douyin` facade rather than this crate directly.

#![warn(missing_docs)]

pub mod client;
pub mod compare;
pub mod credentials;
pub mod decode;
pub mod error;
pub mod limit;
pub mod lossless;
pub mod paginate;
pub mod redact;
pub mod redirect;
pub mod registry;
pub mod request;
pub mod retry;

pub use client::{Client, ClientBuilder, Domain};
pub use credentials::{Credentials, Secret, SignInput, Signer, StaticCredentials};
pub use decode::{CodeText, Envelope, EnvelopeSpec, Outcome};
pub use error::{
    ApiError, Billing, BlockedKind, BuildError, DecodeError, Error, ErrorClass, ErrorCode,
};
pub use futures::future::BoxFuture;
pub use limit::{read_limited, DEFAULT_MAX_BODY_BYTES};
pub use lossless::{Census, Extra, RawJson, StrOrNum};
pub use paginate::{paginate, CursorWalk, MoreFlag, Page};
pub use redirect::RedirectPolicy;
pub use request::{check_range, Json, Operation, ParamValue, Position, Request};
pub use retry::RetryPolicy;
/// A JSON number kept as it was written (integer or fraction), for fields documented as `number`.
pub use serde_json::Number;

/// Re-exports used by generated code, so domain crates need no direct dependency on them.
#[doc(hidden)]
pub mod __private {
    pub use futures;
    pub use serde;
    pub use serde_json;
}
