//! Typed client for the Onebound gateway (`https://api-gw.onebound.cn`): Douyin video details keyed by `key`/`secret`.
//!
//! Everything under [`generated`] comes from `specs/onebound/` via `cargo xtask codegen`; this file only adds the
//! constructor. Error codes (0000–5000) are [`ErrorCode`], each with its documented meaning, class and billing.
//!
//! ```no_run
//! # async fn demo() -> Result<(), douyin_onebound::Error> {
//! use douyin_onebound::{Client, ItemGetVideoParams};
//!
//! let client = Client::new("my-key", "my-secret");
//! let video = client.item_get_video(&ItemGetVideoParams::new("7118694749548072205")).await?;
//! println!("{:?}", video.item.and_then(|i| i.title));
//! # Ok(())
//! # }
//! ```

#[rustfmt::skip]
pub mod generated;

pub use douyin_core::{RetryPolicy, Secret, StaticCredentials};
pub use generated::client::*;
pub use generated::errors::*;
pub use generated::types;

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
    StaticCredentials::new()
        .with("key", key)
        .with("secret", secret)
}
