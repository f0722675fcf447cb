//! The Open Platform's own commands: `open-platform auth` (OAuth) and the token file its other commands use.

pub mod auth;
