//! The browser session a douyin.com request carries: cookie, user agent, msToken, webid and the browser profile.

use std::fmt;

use douyin_core::{cookie_header, BoxFuture, Credentials, Position, Secret};

use crate::generated::domain::credential_names::{COOKIE, MS_TOKEN, USER_AGENT};

use crate::generated::domain::{SESSION_PROFILE, SESSION_USER_AGENT};

/// Length of the msToken a browser receives from the site.
pub const MS_TOKEN_LEN: usize = 107;

/// What a signed-in browser sends with every request. `Debug` never shows the cookie or msToken.
#[derive(Clone)]
pub struct WebSession {
    cookie: Secret,
    user_agent: String,
    ms_token: Secret,
    webid: Option<String>,
    profile: Vec<(String, String, Position)>,
}

impl WebSession {
    /// A session with the user's cookie string and the user agent of the browser it came from. The browser profile
    /// starts at the spec's defaults (`specs/web/domain.yaml`, `session.profile`), then takes the browser, engine
    /// and OS the user agent names, so the two agree; msToken is the cookie's `msToken`, or a random token of the
    /// usual length.
    pub fn new(cookie: impl Into<String>, user_agent: impl Into<String>) -> Self {
        let cookie = cookie.into();
        let user_agent = user_agent.into();
        let ms_token = cookie_value(&cookie, "msToken")
            .map(str::to_owned)
            .unwrap_or_else(random_ms_token);
        let mut session = WebSession {
            cookie: Secret::new(cookie),
            user_agent: String::new(),
            ms_token: Secret::new(ms_token),
            webid: None,
            profile: SESSION_PROFILE
                .iter()
                .map(|(n, v, p)| ((*n).to_owned(), (*v).to_owned(), *p))
                .collect(),
        };
        for (name, value) in crate::user_agent::profile_of(&user_agent) {
            session = session.profile_param(name, value);
        }
        session.user_agent = user_agent;
        session
    }

    /// A session using the user agent the profile defaults agree with.
    pub fn with_default_user_agent(cookie: impl Into<String>) -> Self {
        Self::new(cookie, SESSION_USER_AGENT.unwrap_or_default())
    }

    /// Uses this msToken instead of the cookie's.
    pub fn ms_token(mut self, token: impl Into<String>) -> Self {
        self.ms_token = Secret::new(token.into());
        self
    }

    /// Sends `webid` after the browser profile.
    pub fn webid(mut self, webid: impl Into<String>) -> Self {
        self.webid = Some(webid.into());
        self
    }

    /// Overrides one browser-profile parameter (or adds it at the end), e.g. to match another user agent.
    pub fn profile_param(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.profile.iter_mut().find(|(n, _, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.profile.push((name.to_owned(), value, Position::Last)),
        }
        self
    }

    /// Merges `cookies` into the cookie header the session sends: a cookie of the same name takes the new value, new
    /// ones are appended in order; an imported `msToken` also becomes the session's msToken.
    pub fn merge_cookies<'c>(&mut self, cookies: impl IntoIterator<Item = cookie::Cookie<'c>>) {
        // A piece that is not a cookie is kept as written (`None`): the site set it, the browser sends it back.
        let mut pairs: Vec<(String, Option<String>)> = cookie_header::parse(self.cookie.expose())
            .map(|piece| match piece {
                Ok((n, v)) => (n.to_owned(), Some(v.to_owned())),
                Err((_, piece)) => (piece.to_owned(), None),
            })
            .collect();
        for c in cookies {
            let (name, value) = (c.name(), c.value());
            match pairs.iter_mut().find(|(n, v)| v.is_some() && n == name) {
                Some(slot) => slot.1 = Some(value.to_owned()),
                None => pairs.push((name.to_owned(), Some(value.to_owned()))),
            }
            if name == "msToken" && !value.is_empty() {
                self.ms_token = Secret::new(value.to_owned());
            }
        }
        let header: Vec<String> = pairs
            .iter()
            .map(|(n, v)| match v {
                Some(v) => format!("{n}={v}"),
                None => n.clone(),
            })
            .collect();
        self.cookie = Secret::new(header.join("; "));
    }

    /// Imports cookies from a `Cookie:` header, a `cookies.txt` file or a browser extension's JSON export
    /// ([`crate::cookies::import`]) and merges them; returns how many were merged.
    pub fn import_cookies(
        &mut self,
        input: &str,
    ) -> Result<usize, crate::cookies::CookieImportError> {
        let cookies = crate::cookies::import(input)?;
        let n = cookies.len();
        self.merge_cookies(cookies);
        Ok(n)
    }

    /// The user agent.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The browser-profile parameters in the order they are sent, `webid` last.
    pub fn query_params(&self) -> impl Iterator<Item = (&str, &str, Position)> {
        let webid = self.webid.as_deref().map(|w| ("webid", w, Position::Last));
        self.profile
            .iter()
            .map(|(n, v, p)| (n.as_str(), v.as_str(), *p))
            .chain(webid)
    }
}

impl fmt::Debug for WebSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSession")
            .field("cookie", &self.cookie)
            .field("user_agent", &self.user_agent)
            .field("ms_token", &self.ms_token)
            .field("webid", &self.webid)
            .finish_non_exhaustive()
    }
}

impl Credentials for WebSession {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        let value = match name {
            COOKIE => Ok(self.cookie.clone()),
            USER_AGENT => Ok(Secret::new(self.user_agent.clone())),
            MS_TOKEN => Ok(self.ms_token.clone()),
            other => Err(format!("unknown credential `{other}`")),
        };
        Box::pin(async move { value })
    }

    fn session_params(&self) -> Vec<(String, String, Position)> {
        self.query_params()
            .map(|(n, v, p)| (n.to_owned(), v.to_owned(), p))
            .collect()
    }
}

/// The session for credential values by name (the spec's `credentials_from`): the cookie in any format
/// [`crate::cookies::import`] reads (a `Cookie` header, cookies.txt, an extension's JSON export), the user agent
/// (default: the one the profile defaults agree with) and msToken (default: the cookie's).
pub fn from_values(
    values: &dyn Fn(&'static str) -> Option<Secret>,
) -> Result<WebSession, crate::Error> {
    if values(COOKIE).is_none() {
        return Err(douyin_core::Error::Credential {
            name: COOKIE,
            reason: "not configured".to_owned(),
        });
    }
    start_from_values(values)
}

/// [`from_values`] without requiring the cookie: an empty one when none is configured, what a
/// [`bootstrap`](crate::bootstrap) starts from.
pub fn start_from_values(
    values: &dyn Fn(&'static str) -> Option<Secret>,
) -> Result<WebSession, crate::Error> {
    let mut session = match values(USER_AGENT) {
        Some(ua) => WebSession::new("", ua.expose()),
        None => WebSession::with_default_user_agent(""),
    };
    if let Some(cookie) = values(COOKIE) {
        // The import error names the line or pair at fault, never a value.
        session
            .import_cookies(cookie.expose())
            .map_err(|e| douyin_core::Error::Credential {
                name: COOKIE,
                reason: e.to_string(),
            })?;
    }
    if let Some(token) = values(MS_TOKEN) {
        session = session.ms_token(token.expose());
    }
    Ok(session)
}

/// The value of cookie `name` in a `Cookie` header string.
pub fn cookie_value<'c>(cookie: &'c str, name: &str) -> Option<&'c str> {
    cookie_header::value_of(cookie, name)
}

/// A random msToken of the usual length, from the alphabet the site uses.
pub fn random_ms_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..MS_TOKEN_LEN)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_token_comes_from_the_cookie_when_present() {
        let s = WebSession::new("a=1; msToken=abc_DEF; sid_guard=x", "UA");
        assert_eq!(s.ms_token.expose(), "abc_DEF");
    }

    #[test]
    fn random_ms_token_has_the_usual_length_and_alphabet() {
        let s = WebSession::new("sid_guard=x", "UA");
        let t = s.ms_token.expose();
        assert_eq!(t.len(), MS_TOKEN_LEN);
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(t, random_ms_token());
    }

    #[test]
    fn debug_hides_cookie_and_ms_token() {
        let s = WebSession::new("sessionid=SECRETCOOKIE", "UA").ms_token("SECRETTOKEN");
        let dbg = format!("{s:?}");
        assert!(
            !dbg.contains("SECRETCOOKIE") && !dbg.contains("SECRETTOKEN"),
            "{dbg}"
        );
    }

    #[test]
    fn imported_cookies_merge_into_the_header_and_ms_token() {
        let mut s = WebSession::new("ttwid=old; sid_guard=g", "UA");
        let txt = ".douyin.com\tTRUE\t/\tFALSE\t0\tttwid\tnew\n\
                   .douyin.com\tTRUE\t/\tFALSE\t0\tsessionid\t3f9c\n\
                   .douyin.com\tTRUE\t/\tFALSE\t0\tmsToken\tTOKEN_FROM_FILE\n";
        assert_eq!(s.import_cookies(txt).unwrap(), 3);
        assert_eq!(
            s.cookie.expose(),
            "ttwid=new; sid_guard=g; sessionid=3f9c; msToken=TOKEN_FROM_FILE"
        );
        assert_eq!(s.ms_token.expose(), "TOKEN_FROM_FILE");
        let before = s.cookie.expose().to_owned();
        assert!(s
            .import_cookies(".example.com\tTRUE\t/\tFALSE\t0\tx\ty\n")
            .is_err());
        assert_eq!(s.cookie.expose(), before, "a failed import changes nothing");
    }

    #[test]
    fn profile_follows_the_user_agent() {
        let chrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.6099.109 Safari/537.36";
        let s = WebSession::new("c=1", chrome);
        let get = |name: &str| {
            s.query_params()
                .find(|(n, _, _)| *n == name)
                .unwrap()
                .1
                .to_owned()
        };
        assert_eq!(get("browser_name"), "Chrome");
        assert_eq!(get("browser_version"), "120.0.6099.109");
        assert_eq!(get("engine_version"), "120.0.6099.109");
        assert_eq!(get("os_name"), "Mac OS");
        assert_eq!(get("os_version"), "10.15.7");
        assert_eq!(get("browser_platform"), "MacIntel");
    }

    #[test]
    fn the_default_user_agent_keeps_the_spec_defaults() {
        let s = WebSession::with_default_user_agent("c=1");
        let sent: Vec<_> = s
            .query_params()
            .map(|(n, v, p)| (n.to_owned(), v.to_owned(), p))
            .collect();
        let spec: Vec<_> = SESSION_PROFILE
            .iter()
            .map(|(n, v, p)| ((*n).to_owned(), (*v).to_owned(), *p))
            .collect();
        assert_eq!(sent, spec);
    }

    #[test]
    fn profile_overrides_keep_their_position() {
        let s = WebSession::new("c=1", "UA")
            .profile_param("browser_name", "Chrome")
            .webid("42");
        let params: Vec<_> = s.query_params().collect();
        let i = params
            .iter()
            .position(|(n, _, _)| *n == "browser_name")
            .unwrap();
        assert_eq!(params[i].1, "Chrome");
        assert_eq!(params.last().unwrap(), &("webid", "42", Position::Last));
        assert_eq!(params[0], ("device_platform", "webapp", Position::First));
    }
}
