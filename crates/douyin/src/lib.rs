//! The Douyin SDK facade: every domain crate re-exported as a module, each behind a cargo feature named like its
//! spec folder (all on by default): `open-platform` ([`open_platform`], `open.douyin.com`, OAuth access tokens),
//! `web` ([`web`], `www.douyin.com/aweme/v1/web/…`, browser session and signatures), `onebound` ([`onebound`],
//! `api-gw.onebound.cn`, key/secret). The list is generated from `specs/`, so a new domain appears here by itself.
//!
//! [`core`] is the shared runtime: errors, retries, credentials.

pub use douyin_core as core;

#[rustfmt::skip]
mod generated;
pub use generated::*;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The crate README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
