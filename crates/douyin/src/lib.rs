//! The Douyin SDK facade: one cargo feature per domain crate, each re-exported as a module.
//!
//! | feature | module | crate | API |
//! |---|---|---|---|
//! | `open-platform` | [`open_platform`] | `douyin-open-platform` | `open.douyin.com`, OAuth access tokens |
//! | `web` | [`web`] | `douyin-web` | `www.douyin.com/aweme/v1/web/…`, browser session + X-Bogus |
//! | `onebound` | [`onebound`] | `douyin-onebound` | `api-gw.onebound.cn`, key/secret |
//!
//! [`core`] is the shared runtime: errors, retries, credentials.

pub use douyin_core as core;

#[cfg(feature = "onebound")]
pub use douyin_onebound as onebound;
#[cfg(feature = "open-platform")]
pub use douyin_open_platform as open_platform;
#[cfg(feature = "web")]
pub use douyin_web as web;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
