//! Typed client for the Douyin Open Platform (`https://open.douyin.com`): enterprise media list and mini-app item
//! comments, authenticated with OAuth access tokens.
//!
//! Everything under [`generated`] comes from `specs/open-platform/` via `cargo xtask codegen`; this file adds the
//! access-token plumbing, [`oauth`] the authorization URL and token calls, [`tokens`] the client- and user-token
//! providers (single-flight refresh) and [`store`] where tokens live between runs. Where a token goes (the `access_token` query parameter or the `access-token` header) comes
//! from the specs. When the service answers 28001008 (token expired), the client asks the [`TokenProvider`] for a
//! fresh token once and retries.
//!
//! ```no_run
//! # async fn demo() -> Result<(), douyin_open_platform::Error> {
//! use douyin_open_platform::{Client, ListCommentParams};
//! use futures::TryStreamExt;
//!
//! let client = Client::new("act.1d1021d2aee3d41fee2d2add43456bad");
//! let params = ListCommentParams::new("open-id", "@8hxdhauTCMppanGnM4ltGM780mDqPP+KPpR0qQOmLVAXb/T0==").count(50);
//! let comments: Vec<_> = client.list_comment_stream(params).try_collect().await?;
//! println!("{} comments", comments.len());
//! # Ok(())
//! # }
//! ```

#[rustfmt::skip]
pub mod generated;
pub mod oauth;
pub mod store;
pub mod tokens;

use std::sync::Arc;

pub use douyin_core::{BoxFuture, RetryPolicy, Secret};
pub use generated::client::*;
pub use generated::errors::*;
pub use generated::types;
pub use oauth::{random_state, AuthError, OAuthApp};
pub use store::{
    ClientTokenRecord, FileStore, MemoryStore, StoreError, TokenStore, Tokens, UserTokens,
};
pub use tokens::{ClientTokenProvider, OAuthCredentials, RefreshPolicy, UserTokenProvider};

/// The credential name the specs use for the OAuth access token.
pub const ACCESS_TOKEN: &str = credential_names::ACCESS_TOKEN;

/// Supplies OAuth access tokens (from the user's OAuth flow, a token store, a refresh-token exchange…).
pub trait TokenProvider: Send + Sync + 'static {
    /// The current access token.
    fn access_token(&self) -> BoxFuture<'_, Result<Secret, String>>;

    /// Obtains a fresh token after the service said the current one expired; the next
    /// [`TokenProvider::access_token`] must return it. The default cannot refresh.
    fn refresh(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async { Err("this token provider cannot refresh".to_owned()) })
    }
}

/// A token that never changes.
#[derive(Clone, Debug)]
pub struct FixedToken(pub Secret);

impl TokenProvider for FixedToken {
    fn access_token(&self) -> BoxFuture<'_, Result<Secret, String>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}

/// Adapts a [`TokenProvider`] to the runtime's named credentials.
struct ProviderCredentials(Arc<dyn TokenProvider>);

impl douyin_core::Credentials for ProviderCredentials {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        if name == ACCESS_TOKEN {
            self.0.access_token()
        } else {
            Box::pin(async move { Err(format!("unknown credential `{name}`")) })
        }
    }

    fn refresh(&self, name: &'static str) -> BoxFuture<'_, Result<(), String>> {
        if name == ACCESS_TOKEN {
            self.0.refresh()
        } else {
            Box::pin(async move { Err(format!("unknown credential `{name}`")) })
        }
    }
}

/// A [`TokenProvider`] as the credentials of [`Client::builder`].
pub fn credentials(provider: impl TokenProvider) -> impl douyin_core::Credentials {
    ProviderCredentials(Arc::new(provider))
}

impl Client {
    /// A client of the production API with a fixed access token.
    pub fn new(access_token: impl Into<Secret>) -> Self {
        Self::with_provider(FixedToken(access_token.into()))
    }

    /// A client of `app`'s base URL taking user tokens from `user` and client tokens from `client`, whichever each
    /// operation's spec names; both refresh themselves.
    pub fn with_oauth(
        app: &OAuthApp,
        user: Option<Arc<UserTokenProvider>>,
        client: Option<Arc<ClientTokenProvider>>,
    ) -> Self {
        let mut creds = OAuthCredentials::new();
        if let Some(u) = user {
            creds = creds.user(u);
        }
        if let Some(c) = client {
            creds = creds.client(c);
        }
        Client::builder()
            .base_url(app.base())
            .credentials(creds)
            .build()
            .expect("the default HTTP client builds")
            .into()
    }

    /// A client of the production API taking tokens from `provider`.
    pub fn with_provider(provider: impl TokenProvider) -> Self {
        Client::builder()
            .credentials(credentials(provider))
            .build()
            .expect("the default HTTP client builds")
            .into()
    }
}
