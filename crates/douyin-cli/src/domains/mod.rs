//! The domain-specific half of the CLI: one module per domain (`domains/<domain>/`) with the commands and hooks only
//! that domain has, beside the generated command tree that every domain shares.

pub mod open_platform;
pub mod web;
