//! Hand-written constructors: a client of the production gateway from a `key`/`secret` pair.

use douyin_core::{Secret, StaticCredentials};

use crate::generated::client::Client;
use crate::generated::domain::credential_names::{KEY, SECRET};

impl Client {
    /// A client of the production gateway with fixed credentials.
    pub fn new(key: impl Into<Secret>, secret: impl Into<Secret>) -> Self {
        Client::builder()
            .credentials(credentials(key, secret))
            .build()
            .expect("the default HTTP client builds")
            .into()
    }
}

/// The gateway's `key`/`secret` pair as credentials for [`Client::builder`].
pub fn credentials(key: impl Into<Secret>, secret: impl Into<Secret>) -> StaticCredentials {
    StaticCredentials::new().with(KEY, key).with(SECRET, secret)
}
