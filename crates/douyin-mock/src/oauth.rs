//! The Open Platform's OAuth, simulated: the authorization page hands out codes (valid once, for a short while),
//! the token endpoints issue access, refresh and client tokens with short configurable lifetimes, refresh tokens
//! can be renewed a limited number of times, and the data endpoints accept only live tokens.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use crate::table::{DomainTable, ErrorClass, OperationTable};

/// Lifetimes and limits of the simulated OAuth (defaults: the documented ones).
#[derive(Clone, Debug)]
pub struct OAuthConfig {
    /// How long an authorization code can be exchanged (documented: 10 minutes).
    pub code_lifetime: Duration,
    /// Access-token lifetime (documented: 15 days).
    pub access_lifetime: Duration,
    /// Refresh-token lifetime (documented: 30 days).
    pub refresh_lifetime: Duration,
    /// Client-token lifetime (documented: 2 hours).
    pub client_lifetime: Duration,
    /// How often a refresh token can be renewed (documented: 5).
    pub renew_limit: u32,
}

impl Default for OAuthConfig {
    fn default() -> Self {
        OAuthConfig {
            code_lifetime: Duration::from_secs(600),
            access_lifetime: Duration::from_secs(15 * 24 * 3600),
            refresh_lifetime: Duration::from_secs(30 * 24 * 3600),
            client_lifetime: Duration::from_secs(2 * 3600),
            renew_limit: 5,
        }
    }
}

/// The domain whose operations this module simulates, and its OAuth operations.
const DOMAIN: &str = "open-platform";
const ACCESS_TOKEN_OP: &str = "access_token";
const REFRESH_OP: &str = "refresh_token";
const RENEW_OP: &str = "renew_refresh_token";
const CLIENT_TOKEN_OP: &str = "client_token";
/// The authorization page below the domain's prefix (the spec's `authorization_url` path).
pub(crate) const CONNECT_PATH: &str = "/platform/oauth/connect/";
/// Credentials whose values this module issues and judges (all other credentials: the configured value).
const ISSUED: &[&str] = &["code", "refresh_token", "access_token", "client_token"];

struct Grant {
    open_id: String,
    scope: String,
}

struct Code {
    grant: Grant,
    expires: Instant,
    used: bool,
}

struct Refresh {
    grant: Grant,
    expires: Instant,
    renewals: u32,
}

/// Everything issued so far.
#[derive(Default)]
pub(crate) struct OAuthState {
    codes: HashMap<String, Code>,
    access: HashMap<String, Instant>,
    refresh: HashMap<String, Refresh>,
    client: HashMap<String, Instant>,
}

/// A judgement on a token a data endpoint received.
pub(crate) enum Verdict {
    Live,
    Expired,
    Unknown,
}

static SERIAL: AtomicU64 = AtomicU64::new(1);

/// A fresh token value: a kind prefix, a process-unique serial and the clock's nanoseconds.
fn mint(prefix: &str) -> String {
    let n = SERIAL.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}.mock{n:06}{nanos:09}")
}

/// Whether `d` serves the authorization page.
pub(crate) fn serves_connect(d: &DomainTable) -> bool {
    d.name == DOMAIN
}

/// The credential of `op` this module judges instead of the configured value, if any.
pub(crate) fn judged_credential(d: &DomainTable, op: &OperationTable) -> Option<&'static str> {
    if d.name != DOMAIN {
        return None;
    }
    op.params
        .iter()
        .filter_map(|p| p.credential)
        .find(|c| ISSUED.contains(c))
}

impl OAuthState {
    /// A user approves the authorization page: a code for `scope`.
    pub(crate) fn authorize(&mut self, config: &OAuthConfig, scope: &str) -> String {
        let code = mint("code");
        let grant = Grant {
            open_id: format!("mock-open-id-{}", SERIAL.load(Ordering::Relaxed)),
            scope: scope.to_owned(),
        };
        self.codes.insert(
            code.clone(),
            Code {
                grant,
                expires: Instant::now() + config.code_lifetime,
                used: false,
            },
        );
        code
    }

    /// Whether a data endpoint's token is live. `preissued` is the configured token, which never expires.
    pub(crate) fn judge(&self, name: &str, value: &str, preissued: Option<&str>) -> Verdict {
        if preissued == Some(value) && !value.is_empty() {
            return Verdict::Live;
        }
        let issued = match name {
            "client_token" => &self.client,
            _ => &self.access,
        };
        match issued.get(value) {
            Some(expires) if Instant::now() < *expires => Verdict::Live,
            Some(_) => Verdict::Expired,
            None => Verdict::Unknown,
        }
    }

    /// Ends every access token's life now (as if their time ran out).
    pub(crate) fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        self.access.values_mut().for_each(|e| *e = now);
    }

    /// Ends every refresh token's life now.
    pub(crate) fn expire_refresh_tokens(&mut self) {
        let now = Instant::now();
        self.refresh.values_mut().for_each(|r| r.expires = now);
    }

    fn issue_user(&mut self, config: &OAuthConfig, grant: Grant) -> serde_json::Value {
        let now = Instant::now();
        let access = mint("act");
        let refresh = mint("rft");
        self.access
            .insert(access.clone(), now + config.access_lifetime);
        let data = json!({
            "access_token": access,
            "description": "",
            "error_code": 0,
            "expires_in": config.access_lifetime.as_secs(),
            "open_id": grant.open_id,
            "refresh_expires_in": config.refresh_lifetime.as_secs(),
            "refresh_token": refresh,
            "scope": grant.scope,
        });
        self.refresh.insert(
            refresh,
            Refresh {
                grant,
                expires: now + config.refresh_lifetime,
                renewals: 0,
            },
        );
        data
    }

    /// Answers an OAuth operation whose other parameters passed validation; `value` is the judged credential's.
    pub(crate) fn answer(
        &mut self,
        config: &OAuthConfig,
        d: &DomainTable,
        op: &OperationTable,
        value: &str,
    ) -> Option<Bytes> {
        let now = Instant::now();
        let refused = |class: ErrorClass, hint: &str| refusal(d, op, class, hint);
        let data = match op.name {
            ACCESS_TOKEN_OP => match self.codes.get_mut(value) {
                Some(c) if !c.used && now < c.expires => {
                    c.used = true;
                    let grant = Grant {
                        open_id: c.grant.open_id.clone(),
                        scope: c.grant.scope.clone(),
                    };
                    self.issue_user(config, grant)
                }
                _ => return Some(refused(ErrorClass::Reauthorize, "Code")),
            },
            REFRESH_OP => match self.refresh.get(value) {
                Some(r) if now < r.expires => {
                    let access = mint("act");
                    self.access
                        .insert(access.clone(), now + config.access_lifetime);
                    let left = r.expires.saturating_duration_since(now).as_secs();
                    // The refresh token keeps its lifetime (documented): the same token and what is left of it.
                    json!({
                        "access_token": access,
                        "description": "",
                        "error_code": 0,
                        "expires_in": config.access_lifetime.as_secs().to_string(),
                        "open_id": r.grant.open_id,
                        "refresh_expires_in": left.to_string(),
                        "refresh_token": value,
                        "scope": r.grant.scope,
                    })
                }
                _ => return Some(refused(ErrorClass::Reauthorize, "RefreshTokenExpired")),
            },
            RENEW_OP => match self.refresh.remove(value) {
                Some(r) if now < r.expires && r.renewals < config.renew_limit => {
                    let renewed = mint("rft");
                    self.refresh.insert(
                        renewed.clone(),
                        Refresh {
                            grant: r.grant,
                            expires: now + config.refresh_lifetime,
                            renewals: r.renewals + 1,
                        },
                    );
                    json!({
                        "description": "",
                        "error_code": 0,
                        "expires_in": config.refresh_lifetime.as_secs().to_string(),
                        "refresh_token": renewed,
                    })
                }
                Some(r) if now < r.expires => {
                    self.refresh.insert(value.to_owned(), r);
                    return Some(refused(ErrorClass::Reauthorize, "RefreshLimit"));
                }
                _ => return Some(refused(ErrorClass::Reauthorize, "RefreshTokenExpired")),
            },
            CLIENT_TOKEN_OP => {
                let token = mint("clt");
                self.client
                    .insert(token.clone(), now + config.client_lifetime);
                json!({
                    "access_token": token,
                    "description": "",
                    "error_code": 0,
                    "expires_in": config.client_lifetime.as_secs(),
                })
            }
            _ => return None,
        };
        Some(Bytes::from(
            json!({ "data": data, "message": "success" }).to_string(),
        ))
    }
}

/// The documented error body of `class` (the first code whose name contains `hint`).
pub(crate) fn refusal(
    d: &DomainTable,
    op: &OperationTable,
    class: ErrorClass,
    hint: &str,
) -> Bytes {
    match d.code_of(class, hint) {
        Some(e) => crate::bodies::envelope(d, op, e.code, e.meaning),
        None => crate::bodies::envelope(d, op, "-1", "mock: no documented code"),
    }
}

/// The authorization page's answer: a redirect to `redirect_uri` with a fresh code and the caller's `state`, as if
/// the user approved at once.
pub(crate) fn connect(
    state: &mut OAuthState,
    config: &crate::MockConfig,
    query: &str,
) -> (u16, String) {
    let pairs = crate::validate::pairs(query.as_bytes());
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    if get("client_key").is_none_or(|k| Some(k) != config.credential_value("client_key")) {
        return (400, "unknown client_key".to_owned());
    }
    let config = &config.oauth;
    let (Some(redirect), Some(scope), Some("code")) =
        (get("redirect_uri"), get("scope"), get("response_type"))
    else {
        return (
            400,
            "missing redirect_uri, scope or response_type=code".to_owned(),
        );
    };
    let code = state.authorize(config, scope);
    let mut location = format!(
        "{redirect}{}code={}",
        if redirect.contains('?') { '&' } else { '?' },
        form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>()
    );
    if let Some(s) = get("state") {
        location.push_str("&state=");
        location.extend(form_urlencoded::byte_serialize(s.as_bytes()));
    }
    (302, location)
}
