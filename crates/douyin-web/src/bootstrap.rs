//! A douyin.com session from nothing: `ttwid`, a real `msToken` (or a generated one when the token service refuses),
//! `webid` and `s_v_web_id` (verifyFp), obtained through the generated bootstrap operations (`ttwid_register`,
//! `mssdk_token`, `webid`: unsigned, each on its own host, carrying only the user agent) and merged into a
//! [`WebSession`].
//!
//! The service says when a session's tokens lapse through the cookies' `Max-Age`/`Expires`;
//! [`Outcome::needs_refresh`] reads that, and the caller runs the bootstrap again. A "not logged in" answer
//! (code 8) is not cured by a fresh anonymous session, so it does not trigger one.

use std::time::{Duration, SystemTime};

use douyin_core::{ClientSettings, IssuedCookie, RetryPolicy};

use crate::generated::client::{Client, MssdkTokenParams, TtwidRegisterParams, WebidParams};
use crate::session::{random_ms_token, WebSession};

/// The cookie the ttwid service issues.
const TTWID: &str = "ttwid";
/// The cookie the token service issues (also the session's msToken).
const MS_TOKEN: &str = "msToken";
/// The cookie carrying the verifyFp value.
const S_V_WEB_ID: &str = "s_v_web_id";
/// The query parameters carrying it too.
const VERIFY_FP: &str = "verifyFp";
const FP: &str = "fp";

/// Why a session could not be started. Messages never contain a token or cookie value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BootstrapError {
    /// The base URL or HTTP client could not be set up.
    #[error("cannot set up the bootstrap client: {0}")]
    Build(#[from] douyin_core::BuildError),
    /// The ttwid registration failed.
    #[error("ttwid registration failed: {0}")]
    Ttwid(#[source] crate::Error),
    /// The ttwid service answered without a `ttwid` cookie.
    #[error("the ttwid service answered without a ttwid cookie")]
    NoTtwid,
    /// The webid request failed.
    #[error("webid request failed: {0}")]
    Webid(#[source] crate::Error),
    /// The webid service answered without a `web_id`.
    #[error("the webid service answered without a web_id")]
    NoWebid,
}

/// Where the session's msToken came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MsTokenSource {
    /// The token service issued it.
    Issued,
    /// The token service did not issue one (the reason, without any value); a random token of the usual length is
    /// used, as the public tools do.
    Generated {
        /// Why the service's token could not be used.
        reason: String,
    },
}

/// What a bootstrap obtained, without any value.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Outcome {
    /// Where the msToken came from.
    pub ms_token: MsTokenSource,
    /// When the first issued cookie expires, as the service set it; `None`: no expiry was given.
    pub expires: Option<SystemTime>,
}

impl Outcome {
    /// Whether the session should be bootstrapped again at `now`: an issued cookie expired, or expires within
    /// `margin`.
    pub fn needs_refresh(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires.is_some_and(|at| at <= now + margin)
    }
}

/// Starts sessions: where the bootstrap calls go, their retries, and the token service's report.
#[derive(Clone, Debug, Default)]
pub struct Bootstrap {
    settings: ClientSettings,
    mssdk_report: Option<String>,
}

impl Bootstrap {
    /// Bootstrap calls to the services' own hosts, with the default retries.
    pub fn new() -> Self {
        Self::default()
    }

    /// The connection settings of the bootstrap calls, replacing any set before: the same value a tool gives its
    /// clients.
    pub fn settings(mut self, settings: ClientSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Sends every bootstrap call to this base URL instead (a mock server, a proxy).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings = self.settings.base_url(url);
        self
    }

    /// The retry policy of the bootstrap calls.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings = self.settings.retry(policy);
        self
    }

    /// The time allowed for each attempt of each bootstrap call (default: the runtime's, 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.timeout(timeout);
        self
    }

    /// The security SDK's browser-environment report (`strData`) the token service reads; without one the service
    /// may issue no token, and a generated msToken is used.
    pub fn mssdk_report(mut self, str_data: impl Into<String>) -> Self {
        self.mssdk_report = Some(str_data.into());
        self
    }

    /// Obtains ttwid, msToken, webid and s_v_web_id for `session` (its user agent is sent; its cookie is not) and
    /// returns it with them merged: cookies of the same name are replaced, msToken becomes the session's, webid a
    /// query parameter, and the s_v_web_id value also the `verifyFp` and `fp` query parameters, as browsers send
    /// them. A failed token call falls back to a generated msToken; a failed ttwid or webid call is an
    /// error.
    pub async fn run(&self, session: WebSession) -> Result<(WebSession, Outcome), BootstrapError> {
        let client: Client = crate::constructors::for_session(session.clone())
            .settings(&self.settings)
            .build()?
            .into();
        let now = SystemTime::now();

        let ttwid = client
            .ttwid_register_with_cookies(&TtwidRegisterParams::new())
            .await
            .map_err(BootstrapError::Ttwid)?
            .cookie(TTWID)
            .filter(|c| !c.value().expose().is_empty())
            .cloned()
            .ok_or(BootstrapError::NoTtwid)?;

        let mut params = MssdkTokenParams::new(unix_millis(now));
        params.str_data = self.mssdk_report.clone();
        let (ms_token, source) = match client.mssdk_token_with_cookies(&params).await {
            Ok(answer) => match answer.cookie(MS_TOKEN).filter(|c| !c.is_expired(now)) {
                Some(c) if !c.value().expose().is_empty() => {
                    (Some(c.clone()), MsTokenSource::Issued)
                }
                _ => (
                    None,
                    MsTokenSource::Generated {
                        reason: "the token service answered without a live msToken cookie"
                            .to_owned(),
                    },
                ),
            },
            Err(e) => (
                None,
                MsTokenSource::Generated {
                    reason: format!("token request failed: {e}"),
                },
            ),
        };

        let webid = client
            .webid(&WebidParams::new())
            .await
            .map_err(BootstrapError::Webid)?
            .web_id
            .map(|w| w.to_text().trim().to_owned())
            .filter(|w| !w.is_empty())
            .ok_or(BootstrapError::NoWebid)?;

        let expires = [Some(&ttwid), ms_token.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(IssuedCookie::expires)
            .min();
        let ms_token_value = match &ms_token {
            Some(c) => c.value().expose().to_owned(),
            None => random_ms_token(),
        };
        // Browsers send the s_v_web_id value again as the verifyFp and fp query parameters.
        let fp = verify_fp(now);
        let mut session = session
            .webid(webid)
            .profile_param(VERIFY_FP, fp.clone())
            .profile_param(FP, fp.clone());
        session.merge_cookies([
            cookie::Cookie::new(TTWID, ttwid.value().expose().to_owned()),
            cookie::Cookie::new(MS_TOKEN, ms_token_value),
            cookie::Cookie::new(S_V_WEB_ID, fp),
        ]);
        Ok((
            session,
            Outcome {
                ms_token: source,
                expires,
            },
        ))
    }
}

/// A session from nothing for `user_agent` against the services' own hosts: [`Bootstrap::run`] on an empty
/// [`WebSession`].
pub async fn new_session(user_agent: &str) -> Result<(WebSession, Outcome), BootstrapError> {
    Bootstrap::new().run(WebSession::new("", user_agent)).await
}

/// A fresh verifyFp (also the `s_v_web_id` cookie), generated locally as the site's script does:
/// `verify_<ms since the epoch, base 36>_<36 characters>` where the 36 characters are a version-4-UUID-shaped
/// string over `0-9A-Za-z` with `_` for the dashes (positions 8, 13, 18, 23), `4` at 14 and one of `8 9 A B` at
/// 19 (the alphabet's index `(n & 3) | 8`).
pub fn verify_fp(now: SystemTime) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut millis = unix_millis(now).unsigned_abs();
    let mut base36 = Vec::new();
    while millis > 0 {
        // Digits of base 36 are the alphabet's first ten and its lowercase letters.
        let d = (millis % 36) as u8;
        base36.push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        millis /= 36;
    }
    base36.reverse();
    let uuid: String = (0..36)
        .map(|i| match i {
            8 | 13 | 18 | 23 => '_',
            14 => '4',
            19 => ALPHABET[(fastrand::usize(..ALPHABET.len()) & 3) | 8] as char,
            _ => ALPHABET[fastrand::usize(..ALPHABET.len())] as char,
        })
        .collect();
    format!("verify_{}_{uuid}", String::from_utf8_lossy(&base36))
}

fn unix_millis(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_fp_has_the_site_s_shape() {
        // 2023-11-14T22:13:20Z = 1_700_000_000_000 ms = "loyw3v28" in base 36.
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
        let fp = verify_fp(now);
        let rest = fp
            .strip_prefix("verify_loyw3v28_")
            .unwrap_or_else(|| panic!("{fp}"));
        let b = rest.as_bytes();
        assert_eq!(b.len(), 36, "{fp}");
        for (i, &c) in b.iter().enumerate() {
            match i {
                8 | 13 | 18 | 23 => assert_eq!(c, b'_', "{fp}"),
                14 => assert_eq!(c, b'4', "{fp}"),
                19 => assert!(b"89AB".contains(&c), "{fp}"),
                _ => assert!(c.is_ascii_alphanumeric(), "{fp}"),
            }
        }
        assert_ne!(verify_fp(now), fp, "the 32 random characters differ");
    }

    #[test]
    fn an_outcome_needs_refresh_when_a_cookie_lapses() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let outcome = Outcome {
            ms_token: MsTokenSource::Issued,
            expires: Some(now + Duration::from_secs(60)),
        };
        assert!(!outcome.needs_refresh(now, Duration::from_secs(10)));
        assert!(outcome.needs_refresh(now, Duration::from_secs(60)));
        assert!(outcome.needs_refresh(now + Duration::from_secs(61), Duration::ZERO));
        let forever = Outcome {
            expires: None,
            ..outcome
        };
        assert!(!forever.needs_refresh(now, Duration::from_secs(1 << 30)));
    }
}
