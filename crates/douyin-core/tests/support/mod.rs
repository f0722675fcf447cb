//! Shared by the runtime tests and the memory probe: a minimal domain and a hostile loopback server.

#![allow(dead_code)]

pub mod domain;
pub mod hostile;
