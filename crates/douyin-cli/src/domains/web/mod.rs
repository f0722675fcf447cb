//! The web domain's own commands: `resolve` (share links), `download`, `session new`, `live record`.

pub mod download;
pub mod live;
pub mod session;
pub mod share;
