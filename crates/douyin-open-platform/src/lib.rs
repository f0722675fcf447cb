//! Typed client for the Douyin Open Platform (`https://open.douyin.com`): enterprise media list and mini-app item
//! comments, authenticated with OAuth access tokens.
//!
//! Everything under [`generated`] comes from `specs/open-platform/` via `cargo xtask codegen`.

#[rustfmt::skip]
pub mod generated;

pub use douyin_core::{RetryPolicy, Secret};
pub use generated::client::*;
pub use generated::errors::*;
pub use generated::types;
