//! The OAuth side of the Open Platform: the application's key and secret, the authorization URL, and the four token
//! endpoints (code exchange, refresh, refresh-token renewal, client token) with errors that never carry a secret.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use douyin_core::{ClientSettings, ErrorClass, ErrorCode as _, StaticCredentials};

use crate::credential_names::{CLIENT_KEY, CLIENT_SECRET, CODE, REFRESH_TOKEN};
use crate::store::{ClientTokenRecord, StoreError, UserTokens};
use crate::types::OAuthTokenData;
use crate::{
    AccessTokenParams, Client, ClientTokenParams, Error, RefreshTokenParams,
    RenewRefreshTokenParams, Secret, AUTHORIZATION_PARAMETERS, AUTHORIZATION_URL,
};

/// Why an OAuth step failed. Display and Debug never show a secret, a code or a token.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The user's grant is gone (no stored tokens, refresh token expired or exhausted, code expired or used):
    /// only a new authorization helps.
    #[error(
        "re-authorization needed: {reason}; open a new authorization URL and exchange its code"
    )]
    ReauthorizationNeeded {
        /// What ended the grant.
        reason: String,
    },
    /// The service refused an OAuth call.
    #[error("{operation} refused: code {code} ({meaning}, class {class}){log}", class = class.as_str(), log = log_id.as_deref().map(|l| format!(", log id {l}")).unwrap_or_default())]
    Refused {
        /// The OAuth operation (`access_token`, `refresh_token`, …).
        operation: &'static str,
        /// The code as received.
        code: String,
        /// Its documented meaning, or the service's message.
        meaning: String,
        /// Its class.
        class: ErrorClass,
        /// The service's log id, for support.
        log_id: Option<String>,
    },
    /// The call failed before the service answered, or its answer could not be read (no body excerpt: it may
    /// hold a freshly issued token).
    #[error("{operation} failed: {reason}")]
    Call {
        /// The OAuth operation.
        operation: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthError {
    /// Whether only a new authorization by the user helps.
    pub fn needs_reauthorization(&self) -> bool {
        matches!(self, AuthError::ReauthorizationNeeded { .. })
    }

    fn from_call(operation: &'static str, e: Error) -> AuthError {
        match e {
            Error::Api(api) => {
                let meaning = api
                    .code
                    .meaning()
                    .map(str::to_owned)
                    .or_else(|| api.message.clone())
                    .unwrap_or_else(|| "undocumented code".to_owned());
                if api.class() == ErrorClass::Reauthorize {
                    return AuthError::ReauthorizationNeeded {
                        reason: format!("{operation} answered {} ({meaning})", api.code.raw()),
                    };
                }
                AuthError::Refused {
                    operation,
                    code: api.code.raw().to_owned(),
                    meaning,
                    class: api.class(),
                    log_id: api.log_id.clone(),
                }
            }
            Error::Decode(d) => AuthError::Call {
                operation,
                reason: format!("unreadable answer at {}", d.path),
            },
            other => AuthError::Call {
                operation,
                reason: other.to_string(),
            },
        }
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A lifetime in seconds as the service sends it (a number, or a string of digits).
fn seconds(v: Option<&douyin_core::StrOrNum>) -> Option<u64> {
    v.and_then(|v| v.to_text().trim().parse::<u64>().ok())
}

/// The application registered on the Open Platform: its client key and secret, and where its OAuth calls go.
#[derive(Clone)]
pub struct OAuthApp {
    client_key: Secret,
    client_secret: Secret,
    base_url: String,
    http: reqwest::Client,
    settings: ClientSettings,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl OAuthApp {
    /// The application with its key and secret, against the production API.
    pub fn new(client_key: impl Into<Secret>, client_secret: impl Into<Secret>) -> Self {
        OAuthApp {
            client_key: client_key.into(),
            client_secret: client_secret.into(),
            base_url: <crate::OpenPlatform as douyin_core::Domain>::BASE_URL.to_owned(),
            http: reqwest::Client::new(),
            settings: ClientSettings::default(),
        }
    }

    /// Sends the OAuth calls to another base URL (the sandbox, a mock server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Time allowed for one OAuth call (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.timeout(timeout);
        self
    }

    /// The connection settings of the OAuth calls (timeout, retries, body limit; a base URL in them replaces the
    /// app's), replacing any set before: the same value a tool gives its clients.
    pub fn settings(mut self, settings: ClientSettings) -> Self {
        if let Some(url) = &settings.base_url {
            self = self.base_url(url.clone());
        }
        self.settings = settings;
        self
    }

    /// The base URL OAuth calls go to.
    pub fn base(&self) -> &str {
        &self.base_url
    }

    /// A client of this application's base URL whose credentials are the app's key and secret plus `extra`.
    fn client(&self, extra: &[(&'static str, &Secret)]) -> Result<Client, AuthError> {
        let mut creds = StaticCredentials::new()
            .with(CLIENT_KEY, self.client_key.clone())
            .with(CLIENT_SECRET, self.client_secret.clone());
        for (name, value) in extra {
            creds = creds.with(name, (*value).clone());
        }
        Client::builder()
            .settings(&self.settings)
            .base_url(&self.base_url)
            .http_client(self.http.clone())
            .credentials(creds)
            .build()
            .map(Client::from_core)
            .map_err(|e| AuthError::Call {
                operation: "setup",
                reason: e.to_string(),
            })
    }

    /// The URL a user opens to authorize the application for `scopes` (its parameters come from the spec's
    /// `authorization_url`); the code comes back to `redirect_uri` together with `state`.
    pub fn authorization_url(&self, scopes: &[&str], redirect_uri: &str, state: &str) -> String {
        let page = AUTHORIZATION_URL.expect("the Open Platform spec names its authorization page");
        let mut query = String::new();
        for (name, credential, constant, _) in AUTHORIZATION_PARAMETERS {
            let value = match (*name, credential, constant) {
                (_, Some(_), _) => self.client_key.expose().to_owned(),
                (_, None, Some(c)) => (*c).to_owned(),
                ("scope", ..) => scopes.join(","),
                ("redirect_uri", ..) => redirect_uri.to_owned(),
                ("state", ..) if !state.is_empty() => state.to_owned(),
                _ => continue,
            };
            if !query.is_empty() {
                query.push('&');
            }
            query.extend(form_urlencoded::byte_serialize(name.as_bytes()));
            query.push('=');
            query.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        }
        // A sandbox or mock base URL serves the page under its own host.
        let page = match page.find("/platform/") {
            Some(at) if self.base_url != <crate::OpenPlatform as douyin_core::Domain>::BASE_URL => {
                format!("{}{}", self.base_url, &page[at..])
            }
            _ => page.to_owned(),
        };
        format!("{page}?{query}")
    }

    /// Exchanges an authorization `code` for the user's tokens (`/oauth/access_token/`).
    pub async fn exchange_code(&self, code: &Secret) -> Result<UserTokens, AuthError> {
        const OP: &str = "access_token";
        let resp = self
            .client(&[(CODE, code)])?
            .access_token(&AccessTokenParams::new())
            .await
            .map_err(|e| AuthError::from_call(OP, e))?;
        let data = resp.data.ok_or_else(|| missing(OP, "data"))?;
        let now = now_ms();
        user_tokens(OP, *data, now, None)
    }

    /// A fresh access token for `tokens` (`/oauth/refresh_token/`); the refresh token is kept unless the service
    /// sends a new one.
    pub async fn refresh(&self, tokens: &UserTokens) -> Result<UserTokens, AuthError> {
        const OP: &str = "refresh_token";
        let resp = self
            .client(&[(REFRESH_TOKEN, &tokens.refresh_token)])?
            .refresh_token(&RefreshTokenParams::new())
            .await
            .map_err(|e| AuthError::from_call(OP, e))?;
        let data = resp.data.ok_or_else(|| missing(OP, "data"))?;
        user_tokens(OP, *data, now_ms(), Some(tokens))
    }

    /// A new refresh token for `tokens` (`/oauth/renew_refresh_token/`); the access token is kept.
    pub async fn renew_refresh_token(&self, tokens: &UserTokens) -> Result<UserTokens, AuthError> {
        const OP: &str = "renew_refresh_token";
        let resp = self
            .client(&[(REFRESH_TOKEN, &tokens.refresh_token)])?
            .renew_refresh_token(&RenewRefreshTokenParams::new())
            .await
            .map_err(|e| AuthError::from_call(OP, e))?;
        let data = resp.data.ok_or_else(|| missing(OP, "data"))?;
        let now = now_ms();
        let refresh = data
            .refresh_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing(OP, "data.refresh_token"))?;
        let lifetime =
            seconds(data.expires_in.as_ref()).ok_or_else(|| missing(OP, "data.expires_in"))?;
        Ok(UserTokens {
            refresh_token: Secret::new(refresh),
            refresh_obtained_ms: now,
            refresh_expires_ms: now + lifetime * 1000,
            ..tokens.clone()
        })
    }

    /// The application's client token (`/oauth/client_token/`).
    pub async fn client_token(&self) -> Result<ClientTokenRecord, AuthError> {
        const OP: &str = "client_token";
        let resp = self
            .client(&[])?
            .client_token(&ClientTokenParams::new())
            .await
            .map_err(|e| AuthError::from_call(OP, e))?;
        let data = resp.data.ok_or_else(|| missing(OP, "data"))?;
        let token = data
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing(OP, "data.access_token"))?;
        let lifetime =
            seconds(data.expires_in.as_ref()).ok_or_else(|| missing(OP, "data.expires_in"))?;
        let now = now_ms();
        Ok(ClientTokenRecord {
            token: Secret::new(token),
            obtained_ms: now,
            expires_ms: now + lifetime * 1000,
        })
    }
}

fn missing(operation: &'static str, path: &str) -> AuthError {
    AuthError::Call {
        operation,
        reason: format!("the answer has no {path}"),
    }
}

/// Tokens from an access-token or refresh answer; `previous` supplies what a refresh answer leaves out.
fn user_tokens(
    op: &'static str,
    data: OAuthTokenData,
    now: u64,
    previous: Option<&UserTokens>,
) -> Result<UserTokens, AuthError> {
    let access = data
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| missing(op, "data.access_token"))?;
    let lifetime =
        seconds(data.expires_in.as_ref()).ok_or_else(|| missing(op, "data.expires_in"))?;
    let new_refresh = data.refresh_token.filter(|t| !t.is_empty());
    let refresh_lifetime = seconds(data.refresh_expires_in.as_ref());
    let (refresh_token, refresh_obtained_ms, refresh_expires_ms) =
        match (new_refresh, refresh_lifetime, previous) {
            (Some(t), Some(l), _) => (Secret::new(t), now, now + l * 1000),
            (_, _, Some(p)) => (
                p.refresh_token.clone(),
                p.refresh_obtained_ms,
                p.refresh_expires_ms,
            ),
            (None, _, None) => return Err(missing(op, "data.refresh_token")),
            (Some(_), None, None) => return Err(missing(op, "data.refresh_expires_in")),
        };
    let keep = |v: Option<String>, old: Option<&String>| {
        v.filter(|s| !s.is_empty())
            .or_else(|| old.cloned())
            .unwrap_or_default()
    };
    Ok(UserTokens {
        open_id: keep(data.open_id, previous.map(|p| &p.open_id)),
        scope: keep(data.scope, previous.map(|p| &p.scope)),
        access_token: Secret::new(access),
        access_obtained_ms: now,
        access_expires_ms: now + lifetime * 1000,
        refresh_token,
        refresh_obtained_ms,
        refresh_expires_ms,
    })
}

/// A random `state` for an authorization URL: 128 bits from the operating system, as hex.
pub fn random_state() -> String {
    let mut bytes = [0u8; 16];
    // Without an OS random source nothing else here would work either.
    getrandom::getrandom(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
