//! Token providers: the application's client token and a user's access token, each fetched or refreshed once for
//! any number of concurrent callers (the first caller does the call under a lock, the others find its result),
//! cached until shortly before expiry and kept in a [`TokenStore`].

use std::sync::Arc;
use std::time::Duration;

use douyin_core::{BoxFuture, Credentials};
use tokio::sync::Mutex;

use crate::credential_names::{ACCESS_TOKEN, CLIENT_TOKEN};
use crate::oauth::{now_ms, AuthError, OAuthApp};
use crate::store::{ClientTokenRecord, TokenStore, Tokens, UserTokens};
use crate::Secret;

/// When tokens count as expired and when the refresh token is renewed.
#[derive(Clone, Copy, Debug)]
pub struct RefreshPolicy {
    /// A token is replaced this long before it expires (capped at a tenth of its lifetime, so short-lived tokens
    /// are still used). Default 5 minutes.
    pub early: Duration,
    /// The refresh token is renewed (`/oauth/renew_refresh_token/`) once less than this is left (capped at a third of
    /// its lifetime). Default 5 days of its 30.
    pub renew_before: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            early: Duration::from_secs(5 * 60),
            renew_before: Duration::from_secs(5 * 24 * 3600),
        }
    }
}

/// Whether a token obtained at `obtained` and expiring at `expires` is still usable at `now`, `margin` (capped at
/// `lifetime / cap`) before its end.
fn usable(now: u64, obtained: u64, expires: u64, margin: Duration, cap: u64) -> bool {
    let margin = u64::try_from(margin.as_millis()).unwrap_or(u64::MAX);
    let margin = margin.min(expires.saturating_sub(obtained) / cap);
    now < expires.saturating_sub(margin)
}

/// The application's client token: fetched on first use, cached until shortly before it expires, fetched again
/// once however many callers need it at the same time.
pub struct ClientTokenProvider {
    app: OAuthApp,
    store: Arc<dyn TokenStore>,
    policy: RefreshPolicy,
    current: Mutex<Option<ClientTokenRecord>>,
}

impl std::fmt::Debug for ClientTokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTokenProvider")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

impl ClientTokenProvider {
    /// A provider for `app`'s client token, kept in `store`.
    pub fn new(app: OAuthApp, store: Arc<dyn TokenStore>) -> Self {
        ClientTokenProvider {
            app,
            store,
            policy: RefreshPolicy::default(),
            current: Mutex::new(None),
        }
    }

    /// Changes when tokens count as expired.
    pub fn policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// A usable client token, fetching one if there is none or it is about to expire.
    pub async fn token(&self) -> Result<ClientTokenRecord, AuthError> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.store.load()?.client;
        }
        if let Some(t) = current.as_ref() {
            if usable(now_ms(), t.obtained_ms, t.expires_ms, self.policy.early, 10) {
                return Ok(t.clone());
            }
        }
        self.fetch(&mut current).await
    }

    /// Replaces the client token unless `rejected` was already replaced by another caller.
    pub async fn refresh_rejected(&self, rejected: &Secret) -> Result<(), AuthError> {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| t.token != *rejected) {
            return Ok(());
        }
        self.fetch(&mut current).await.map(drop)
    }

    async fn fetch(
        &self,
        current: &mut Option<ClientTokenRecord>,
    ) -> Result<ClientTokenRecord, AuthError> {
        let fresh = self.app.client_token().await?;
        let mut stored = self.store.load()?;
        stored.client = Some(fresh.clone());
        self.store.save(&stored)?;
        tracing::debug!(expires_ms = fresh.expires_ms, "client token fetched");
        *current = Some(fresh.clone());
        Ok(fresh)
    }
}

/// A user's access token: refreshed with the refresh token when it expires (by its known lifetime, or when the
/// service says it expired), once for any number of concurrent callers; the refresh token is renewed before it
/// expires; every change is saved to the [`TokenStore`].
pub struct UserTokenProvider {
    app: OAuthApp,
    store: Arc<dyn TokenStore>,
    policy: RefreshPolicy,
    state: Mutex<UserState>,
}

#[derive(Default)]
struct UserState {
    tokens: Option<UserTokens>,
    loaded: bool,
    /// The service refused a renewal (no permission, limit reached): keep the refresh token until it expires.
    renew_refused: bool,
    /// Why the grant is gone, once a refresh was refused for good: later callers get the same answer at once.
    gone: Option<String>,
}

impl std::fmt::Debug for UserTokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserTokenProvider")
            .field("app", &self.app)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl UserTokenProvider {
    /// A provider of the user tokens kept in `store` (put there by [`UserTokenProvider::exchange_code`]).
    pub fn new(app: OAuthApp, store: Arc<dyn TokenStore>) -> Self {
        UserTokenProvider {
            app,
            store,
            policy: RefreshPolicy::default(),
            state: Mutex::new(UserState::default()),
        }
    }

    /// Changes when tokens count as expired and when the refresh token is renewed.
    pub fn policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The OAuth application.
    pub fn app(&self) -> &OAuthApp {
        &self.app
    }

    /// Exchanges an authorization code and stores the user's tokens (replacing any before).
    pub async fn exchange_code(&self, code: &Secret) -> Result<UserTokens, AuthError> {
        let mut state = self.state.lock().await;
        let tokens = self.app.exchange_code(code).await?;
        self.save(&mut state, tokens.clone())?;
        state.renew_refused = false;
        state.gone = None;
        Ok(tokens)
    }

    /// The stored tokens, without refreshing anything (for status displays).
    pub async fn tokens(&self) -> Result<Option<UserTokens>, AuthError> {
        let mut state = self.state.lock().await;
        self.load(&mut state)?;
        Ok(state.tokens.clone())
    }

    /// A usable access token: refreshed first if it is about to expire, after renewing the refresh token if that
    /// is about to expire.
    pub async fn access_token(&self) -> Result<Secret, AuthError> {
        let mut state = self.state.lock().await;
        self.load(&mut state)?;
        let now = now_ms();
        let tokens = usable_grant(&state)?;
        let tokens = self.renew_if_due(&mut state, tokens, now).await?;
        if usable(
            now,
            tokens.access_obtained_ms,
            tokens.access_expires_ms,
            self.policy.early,
            10,
        ) {
            return Ok(tokens.access_token);
        }
        self.refresh_locked(&mut state, tokens, now).await
    }

    /// Refreshes the access token unless `rejected` was already replaced by another caller.
    pub async fn refresh_rejected(&self, rejected: &Secret) -> Result<(), AuthError> {
        let mut state = self.state.lock().await;
        self.load(&mut state)?;
        let tokens = usable_grant(&state)?;
        if tokens.access_token != *rejected {
            return Ok(());
        }
        self.refresh_locked(&mut state, tokens, now_ms())
            .await
            .map(drop)
    }

    async fn refresh_locked(
        &self,
        state: &mut UserState,
        tokens: UserTokens,
        now: u64,
    ) -> Result<Secret, AuthError> {
        if now >= tokens.refresh_expires_ms {
            return Err(AuthError::ReauthorizationNeeded {
                reason: "the refresh token expired".to_owned(),
            });
        }
        let fresh = match self.app.refresh(&tokens).await {
            Ok(fresh) => fresh,
            Err(AuthError::ReauthorizationNeeded { reason }) => {
                state.gone = Some(reason.clone());
                return Err(AuthError::ReauthorizationNeeded { reason });
            }
            Err(e) => return Err(e),
        };
        tracing::debug!(
            expires_ms = fresh.access_expires_ms,
            "access token refreshed"
        );
        let token = fresh.access_token.clone();
        self.save(state, fresh)?;
        Ok(token)
    }

    async fn renew_if_due(
        &self,
        state: &mut UserState,
        tokens: UserTokens,
        now: u64,
    ) -> Result<UserTokens, AuthError> {
        let due = !usable(
            now,
            tokens.refresh_obtained_ms,
            tokens.refresh_expires_ms,
            self.policy.renew_before,
            3,
        );
        if !due || state.renew_refused || now >= tokens.refresh_expires_ms {
            return Ok(tokens);
        }
        match self.app.renew_refresh_token(&tokens).await {
            Ok(renewed) => {
                tracing::debug!(
                    expires_ms = renewed.refresh_expires_ms,
                    "refresh token renewed"
                );
                self.save(state, renewed.clone())?;
                Ok(renewed)
            }
            // Not renewable (no permission, limit reached, a transient failure): it still works until it expires,
            // and a refresh with it says so if it no longer does.
            Err(e) => {
                tracing::debug!("refresh token not renewed: {e}");
                state.renew_refused = true;
                Ok(tokens)
            }
        }
    }

    fn load(&self, state: &mut UserState) -> Result<(), AuthError> {
        if !state.loaded {
            state.tokens = self.store.load()?.user;
            state.loaded = true;
        }
        Ok(())
    }

    fn save(&self, state: &mut UserState, tokens: UserTokens) -> Result<(), AuthError> {
        let mut stored: Tokens = self.store.load()?;
        stored.user = Some(tokens.clone());
        self.store.save(&stored)?;
        state.tokens = Some(tokens);
        state.loaded = true;
        Ok(())
    }
}

/// The stored tokens, unless there are none or their grant is known to be gone.
fn usable_grant(state: &UserState) -> Result<UserTokens, AuthError> {
    if let Some(reason) = &state.gone {
        return Err(AuthError::ReauthorizationNeeded {
            reason: reason.clone(),
        });
    }
    state
        .tokens
        .clone()
        .ok_or_else(|| AuthError::ReauthorizationNeeded {
            reason: "no user tokens are stored".to_owned(),
        })
}

/// The runtime's credentials for an Open Platform client: `access_token` from the user-token provider,
/// `client_token` from the client-token provider (whichever the operation's spec names).
#[derive(Clone, Debug, Default)]
pub struct OAuthCredentials {
    user: Option<Arc<UserTokenProvider>>,
    client: Option<Arc<ClientTokenProvider>>,
}

impl OAuthCredentials {
    /// No providers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes user access tokens from `provider`.
    pub fn user(mut self, provider: Arc<UserTokenProvider>) -> Self {
        self.user = Some(provider);
        self
    }

    /// Takes client tokens from `provider`.
    pub fn client(mut self, provider: Arc<ClientTokenProvider>) -> Self {
        self.client = Some(provider);
        self
    }
}

fn unavailable(name: &str) -> String {
    format!("no provider for credential `{name}`")
}

/// The user provider alone as credentials: `access_token` only.
impl Credentials for UserTokenProvider {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        Box::pin(async move {
            match name {
                ACCESS_TOKEN => self.access_token().await.map_err(|e| e.to_string()),
                _ => Err(unavailable(name)),
            }
        })
    }

    fn refresh_rejected<'a>(
        &'a self,
        name: &'static str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            match name {
                ACCESS_TOKEN => UserTokenProvider::refresh_rejected(self, rejected)
                    .await
                    .map_err(|e| e.to_string()),
                _ => Err(unavailable(name)),
            }
        })
    }
}

/// The client provider alone as credentials: `client_token` only.
impl Credentials for ClientTokenProvider {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        Box::pin(async move {
            match name {
                CLIENT_TOKEN => self
                    .token()
                    .await
                    .map(|t| t.token)
                    .map_err(|e| e.to_string()),
                _ => Err(unavailable(name)),
            }
        })
    }

    fn refresh_rejected<'a>(
        &'a self,
        name: &'static str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            match name {
                CLIENT_TOKEN => ClientTokenProvider::refresh_rejected(self, rejected)
                    .await
                    .map_err(|e| e.to_string()),
                _ => Err(unavailable(name)),
            }
        })
    }
}

impl OAuthCredentials {
    /// The provider of credential `name`, if one was given.
    fn provider(&self, name: &str) -> Option<&dyn Credentials> {
        match name {
            ACCESS_TOKEN => self.user.as_deref().map(|p| p as &dyn Credentials),
            CLIENT_TOKEN => self.client.as_deref().map(|p| p as &dyn Credentials),
            _ => None,
        }
    }
}

impl Credentials for OAuthCredentials {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        match self.provider(name) {
            Some(p) => p.get(name),
            None => Box::pin(async move { Err(unavailable(name)) }),
        }
    }

    fn refresh_rejected<'a>(
        &'a self,
        name: &'static str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), String>> {
        match self.provider(name) {
            Some(p) => p.refresh_rejected(name, rejected),
            None => Box::pin(async move { Err(unavailable(name)) }),
        }
    }
}
