//! Runtime shared by the generated douyin-rs domain crates: transport, credentials, retries, errors and lossless
//! JSON decoding. Hand-written; the domain crates' generated code calls into it.
//!
//! Application code normally uses a domain crate (`douyin-onebound`, `douyin-open-platform`, `douyin-web`) or the
//! `douyin` facade rather than this crate directly.

#![warn(missing_docs)]

pub mod breaker;
pub mod client;
pub mod compare;
pub mod cookie_header;
pub mod crawl;
mod crawl_setup;
pub mod credentials;
pub mod decode;
pub mod drift;
pub mod error;
pub mod event;
pub mod identity;
pub mod limit;
pub mod lossless;
pub mod pacing;
pub mod paginate;
pub mod push;
pub mod redact;
pub mod redirect;
pub mod registry;
pub mod request;
pub mod retry;
pub mod set_cookie;
pub mod spool;

pub use client::{Client, ClientBuilder, ClientSettings, Domain};
pub use crawl::{Crawl, CrawlEvent, CrawlStatus};
pub use credentials::{CredentialSpec, Credentials, Secret, SignInput, Signer, StaticCredentials};
pub use decode::{CodeText, Envelope, EnvelopeSpec, Outcome, Refusal};
pub use drift::{DecodeMode, Drift, Found, Response};
pub use error::{
    ApiError, Billing, BlockedKind, BuildError, DecodeError, Error, ErrorClass, ErrorCode,
    RefusalKind,
};
pub use futures::future::BoxFuture;
/// The pagination streams' item source (`<op>_stream` methods return one).
pub use futures::stream::Stream;
pub use identity::Identity;
pub use limit::{read_limited, DEFAULT_MAX_BODY_BYTES};
pub use lossless::{Census, Extra, RawJson, StrOrNum};
pub use pacing::{Budget, Pacer, Pacing, RiskSignal};
pub use paginate::{paginate, CursorWalk, MoreFlag, Page};
pub use redirect::{Hop, RedirectPolicy};
pub use request::{check_range, Json, Method, Operation, ParamValue, Position, Request};
pub use retry::RetryPolicy;
/// A JSON number kept as it was written (integer or fraction), for fields documented as `number`.
pub use serde_json::Number;
pub use set_cookie::{IssuedCookie, WithCookies};

/// The README's example, compiled as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
