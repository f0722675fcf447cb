//! Cookies a response sets (`Set-Cookie`): how some services hand out a session token instead of putting it in the
//! body. Which cookies an operation issues is spec data (`response.cookies`); their values are secrets.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::credentials::Secret;

/// One cookie a response set: its name, its value (a [`Secret`]: `Debug` prints `***`) and when it expires.
#[derive(Clone)]
pub struct IssuedCookie {
    name: String,
    value: Secret,
    expires: Option<SystemTime>,
}

impl IssuedCookie {
    /// Parses one `Set-Cookie` header value received at `now`; `None` if it is not a cookie. `Max-Age` wins over
    /// `Expires`, as RFC 6265 says.
    pub fn parse(header: &str, now: SystemTime) -> Option<IssuedCookie> {
        let c = cookie::Cookie::parse(header).ok()?;
        let expires = match c.max_age() {
            Some(age) => {
                let secs = u64::try_from(age.whole_seconds()).unwrap_or(0);
                Some(now + Duration::from_secs(secs))
            }
            None => c.expires_datetime().map(SystemTime::from),
        };
        Some(IssuedCookie {
            name: c.name().to_owned(),
            value: Secret::new(c.value().to_owned()),
            expires,
        })
    }

    /// The cookie's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cookie's value.
    pub fn value(&self) -> &Secret {
        &self.value
    }

    /// When the service says the cookie expires (`Max-Age` or `Expires`); `None`: a session cookie.
    pub fn expires(&self) -> Option<SystemTime> {
        self.expires
    }

    /// Whether the cookie has expired at `now` (a cookie set with `Max-Age=0` has: the service revoked it).
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires.is_some_and(|at| at <= now)
    }
}

impl fmt::Debug for IssuedCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCookie")
            .field("name", &self.name)
            .field("value", &self.value)
            .field("expires", &self.expires)
            .finish()
    }
}

/// A decoded response with the cookies its operation issues (the spec's `response.cookies`), in the order the
/// response set them; cookies the spec does not name are not kept.
#[derive(Debug)]
pub struct WithCookies<T> {
    /// The decoded body.
    pub value: T,
    /// The cookies of the spec's list the response set.
    pub cookies: Vec<IssuedCookie>,
}

impl<T> WithCookies<T> {
    /// The last cookie called `name` the response set (a later `Set-Cookie` of a name replaces an earlier one).
    pub fn cookie(&self, name: &str) -> Option<&IssuedCookie> {
        self.cookies.iter().rev().find(|c| c.name == name)
    }
}

/// The cookies of `headers` (each one `Set-Cookie` value) whose names are in `names`.
pub(crate) fn issued<'h>(
    headers: impl IntoIterator<Item = &'h [u8]>,
    names: &[&str],
    now: SystemTime,
) -> Vec<IssuedCookie> {
    headers
        .into_iter()
        .filter_map(|h| std::str::from_utf8(h).ok())
        .filter_map(|h| IssuedCookie::parse(h, now))
        .filter(|c| names.contains(&c.name.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_and_expires_give_the_expiry_and_the_value_stays_secret() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = IssuedCookie::parse(
            "ttwid=1%7Cabc; Path=/; Domain=bytedance.com; Max-Age=31536000; HttpOnly",
            now,
        )
        .unwrap();
        assert_eq!(c.name(), "ttwid");
        assert_eq!(c.value().expose(), "1%7Cabc");
        assert_eq!(c.expires(), Some(now + Duration::from_secs(31_536_000)));
        assert!(!c.is_expired(now));
        assert!(!format!("{c:?}").contains("abc"), "{c:?}");
        let dated =
            IssuedCookie::parse("msToken=t; Expires=Wed, 21 Oct 2015 07:28:00 GMT", now).unwrap();
        assert_eq!(
            dated.expires(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480))
        );
        assert!(dated.is_expired(now));
        let revoked = IssuedCookie::parse("a=b; Max-Age=0", now).unwrap();
        assert!(revoked.is_expired(now));
        assert!(IssuedCookie::parse("no equals sign", now).is_none());
    }

    #[test]
    fn only_the_named_cookies_are_kept_and_the_last_one_wins() {
        let now = SystemTime::now();
        let headers: [&[u8]; 4] = [b"ttwid=first", b"other=x", b"ttwid=second", b"\xff"];
        let cookies = issued(headers, &["ttwid"], now);
        assert_eq!(cookies.len(), 2);
        let with = WithCookies { value: (), cookies };
        assert_eq!(with.cookie("ttwid").unwrap().value().expose(), "second");
        assert!(with.cookie("other").is_none());
    }
}
