//! Hand-written constructors: a client of the production API from a fixed token, a [`TokenProvider`] or the OAuth
//! providers.

use std::sync::Arc;

use crate::generated::client::Client;
use crate::oauth::OAuthApp;
use crate::tokens::{
    ClientTokenProvider, FixedToken, OAuthCredentials, ProviderCredentials, TokenProvider,
    UserTokenProvider,
};
use crate::Secret;

/// A [`TokenProvider`] as the credentials of [`Client::builder`].
pub fn credentials(provider: impl TokenProvider) -> impl douyin_core::Credentials {
    ProviderCredentials(Arc::new(provider))
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
}
