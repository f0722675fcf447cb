//! Hand-written access-token plumbing: [`TokenProvider`] (where tokens come from and how they are refreshed) as
//! the runtime's named credentials, and the constructors that take one.

use std::sync::Arc;

use douyin_core::{BoxFuture, Secret};

use crate::generated::client::Client;
pub use crate::generated::domain::credential_names::ACCESS_TOKEN;

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
struct Tokens(Arc<dyn TokenProvider>);

impl douyin_core::Credentials for Tokens {
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
    Tokens(Arc::new(provider))
}

impl Client {
    /// A client of the production API with a fixed access token.
    pub fn new(access_token: impl Into<Secret>) -> Self {
        Self::with_provider(FixedToken(access_token.into()))
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
