//! The web domain's own commands: `resolve` (share links), `download`, `session new`.

pub mod download;
pub mod session;
pub mod share;
