//! Typed client for the douyin.com web API (`https://www.douyin.com/aweme/v1/web/…`): what the website calls, with a
//! browser session (cookie, user agent, msToken, browser profile) and X-Bogus signing.
//!
//! Everything under [`generated`] comes from `specs/web/` via `cargo xtask codegen`.

#[rustfmt::skip]
pub mod generated;

pub use douyin_core::{RetryPolicy, Secret};
pub use generated::client::*;
pub use generated::errors::*;
pub use generated::types;
