//! The Open Platform's own commands: `open-platform auth` (OAuth) and the token file its other commands use, and
//! `open-platform webhook serve` (receiving webhooks).

pub mod auth;
pub mod webhook;
