//! Cookie import: a raw `Cookie:` header, a Netscape `cookies.txt` file, or the JSON browser extensions (and
//! Playwright's storage state) export, turned into the douyin.com cookies a [`WebSession`](crate::WebSession) sends.
//!
//! Only cookies for douyin.com (and its subdomains) that have not expired are kept: an export of a whole browser
//! profile must not send other sites' cookies to douyin.com. Errors name the line or pair at fault, never a value.
//!
//! ```
//! use douyin_web::{cookies, WebSession};
//!
//! let txt = "# Netscape HTTP Cookie File\n.douyin.com\tTRUE\t/\tTRUE\t0\tsessionid\tabc123\n";
//! let mut session = WebSession::with_default_user_agent("");
//! session.merge_cookies(cookies::import(txt).unwrap());
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use cookie::time::OffsetDateTime;
use cookie::{Cookie, Expiration};
use serde::Deserialize;

/// The formats [`import`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieFormat {
    /// `name=value; name2=value2`, optionally after `Cookie:`.
    Header,
    /// Netscape `cookies.txt`: one tab-separated line per cookie (curl, wget, yt-dlp, "Get cookies.txt" extensions).
    Netscape,
    /// A JSON array of cookie objects (EditThisCookie, Cookie-Editor) or `{"cookies": [...]}` (Playwright).
    Json,
}

/// Why cookies could not be imported. Never carries a cookie value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieImportError {
    /// Nothing that looks like a cookie.
    #[error("no cookies in the input")]
    Empty,
    /// A `cookies.txt` line that is not seven tab-separated fields.
    #[error("cookies.txt line {line}: {reason}")]
    Netscape {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// JSON that is not a cookie export.
    #[error("cookie JSON at line {line}, column {column}: {reason}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What kind of problem (syntax, a missing `name`, …) without the offending value.
        reason: String,
    },
    /// A `name=value` pair of a header that does not parse.
    #[error("cookie header pair {index}: {reason}")]
    Header {
        /// 1-based position of the pair.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Every cookie of the input belongs to another site or has expired.
    #[error(
        "none of the {total} cookies is an unexpired douyin.com cookie (domains seen: {domains})"
    )]
    NoDouyinCookies {
        /// How many cookies the input held.
        total: usize,
        /// The domains they were for, comma-separated.
        domains: String,
    },
}

/// The format `input` is written in.
pub fn detect(input: &str) -> CookieFormat {
    let t = input.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('[') || t.starts_with('{') {
        CookieFormat::Json
    } else if t.starts_with("# Netscape")
        || t.starts_with("# HTTP Cookie File")
        || t.lines().any(|l| l.split('\t').count() >= 6)
    {
        CookieFormat::Netscape
    } else {
        CookieFormat::Header
    }
}

/// The unexpired douyin.com cookies in `input`, in any [`CookieFormat`].
pub fn import(input: &str) -> Result<Vec<Cookie<'static>>, CookieImportError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    import_at(input, now)
}

/// [`import`] as of `now` (Unix seconds).
pub fn import_at(input: &str, now: i64) -> Result<Vec<Cookie<'static>>, CookieImportError> {
    let input = input.trim_start_matches('\u{feff}');
    let all = match detect(input) {
        CookieFormat::Header => header(input)?,
        CookieFormat::Netscape => netscape(input)?,
        CookieFormat::Json => json(input)?,
    };
    if all.is_empty() {
        return Err(CookieImportError::Empty);
    }
    let total = all.len();
    let mut domains: Vec<String> = all
        .iter()
        .filter_map(|c| c.domain().map(str::to_owned))
        .collect();
    let kept: Vec<_> = all
        .into_iter()
        .filter(|c| c.domain().is_none_or(for_douyin) && !expired(c, now))
        .collect();
    if kept.is_empty() {
        domains.sort();
        domains.dedup();
        return Err(CookieImportError::NoDouyinCookies {
            total,
            domains: domains.join(", "),
        });
    }
    Ok(kept)
}

fn for_douyin(domain: &str) -> bool {
    let d = domain.trim_start_matches('.').to_ascii_lowercase();
    d == "douyin.com" || d.ends_with(".douyin.com")
}

fn expired(c: &Cookie<'_>, now: i64) -> bool {
    matches!(c.expires(), Some(Expiration::DateTime(t)) if t.unix_timestamp() <= now)
}

fn at_unix(secs: i64) -> Expiration {
    OffsetDateTime::from_unix_timestamp(secs)
        .map(Expiration::DateTime)
        .unwrap_or(Expiration::Session)
}

fn header(input: &str) -> Result<Vec<Cookie<'static>>, CookieImportError> {
    let mut out = Vec::new();
    for line in input.lines() {
        let line = line.trim();
        let line = match line.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("cookie:") => &line[7..],
            _ => line,
        };
        for pair in douyin_core::cookie_header::parse(line) {
            let (name, value) = pair.map_err(|(e, _)| CookieImportError::Header {
                index: out.len() + 1,
                reason: e.to_string(),
            })?;
            out.push(Cookie::new(name.to_owned(), value.to_owned()));
        }
    }
    Ok(out)
}

fn netscape(input: &str) -> Result<Vec<Cookie<'static>>, CookieImportError> {
    let mut out = Vec::new();
    for (n, raw) in input.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        // curl marks HttpOnly cookies by prefixing the domain; every other `#` line is a comment.
        let (line, http_only) = match line.strip_prefix("#HttpOnly_") {
            Some(rest) => (rest, true),
            None if line.starts_with('#') || line.trim().is_empty() => continue,
            None => (line, false),
        };
        let bad = |reason| CookieImportError::Netscape {
            line: n + 1,
            reason,
        };
        let f: Vec<&str> = line.split('\t').collect();
        // A cookie with an empty value may lose its trailing tab.
        let (domain, path, secure, expiry, name, value) = match f.as_slice() {
            [d, _, p, s, e, n, v] => (*d, *p, *s, *e, *n, *v),
            [d, _, p, s, e, n] => (*d, *p, *s, *e, *n, ""),
            _ => return Err(bad("expected 7 tab-separated fields")),
        };
        if name.is_empty() {
            return Err(bad("empty cookie name"));
        }
        let expiry: i64 = expiry
            .trim()
            .parse()
            .map_err(|_| bad("expiry is not a Unix time"))?;
        let mut c = Cookie::build((name.to_owned(), value.to_owned()))
            .domain(domain.to_owned())
            .path(path.to_owned())
            .secure(secure.eq_ignore_ascii_case("TRUE"))
            .http_only(http_only);
        if expiry > 0 {
            c = c.expires(at_unix(expiry));
        }
        out.push(c.build());
    }
    Ok(out)
}

/// One cookie as extensions (`expirationDate`, `session`) and Playwright (`expires`, -1 for a session cookie) write it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonCookie {
    name: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    secure: bool,
    #[serde(default)]
    http_only: bool,
    #[serde(default)]
    expiration_date: Option<f64>,
    #[serde(default)]
    expires: Option<f64>,
    #[serde(default)]
    session: bool,
}

/// Playwright's storage state: the cookies next to other data.
#[derive(Deserialize)]
struct StorageState {
    cookies: Vec<JsonCookie>,
}

fn json(input: &str) -> Result<Vec<Cookie<'static>>, CookieImportError> {
    let list = if input.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<JsonCookie>>(input)
    } else {
        serde_json::from_str::<StorageState>(input).map(|s| s.cookies)
    };
    let list = list.map_err(|e| {
        let reason = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "not valid JSON"
            }
            _ => "expected an array of cookie objects with name and value, or {\"cookies\": [...]}",
        };
        CookieImportError::Json {
            line: e.line(),
            column: e.column(),
            reason: reason.to_owned(),
        }
    })?;
    Ok(list
        .into_iter()
        .map(|j| {
            let mut c = Cookie::build((j.name, j.value))
                .secure(j.secure)
                .http_only(j.http_only);
            if let Some(d) = j.domain {
                c = c.domain(d);
            }
            if let Some(p) = j.path {
                c = c.path(p);
            }
            let when = j.expiration_date.or(j.expires).filter(|t| *t > 0.0);
            if let (false, Some(t)) = (j.session, when) {
                c = c.expires(at_unix(t as i64));
            }
            c.build()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-06-01T00:00:00Z: after the sample's expired cookie, before the others.
    const NOW: i64 = 1_717_200_000;

    fn pairs(cookies: &[Cookie<'_>]) -> Vec<(String, String)> {
        cookies
            .iter()
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect()
    }

    fn owned(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_raw_header_with_or_without_its_name() {
        let raw = "Cookie: ttwid=1%7CkqlN2Yo3; sessionid=3f9c1e0d8a; msToken=Xy_-9aB; odin_tt=5b0a";
        let want = owned(&[
            ("ttwid", "1%7CkqlN2Yo3"),
            ("sessionid", "3f9c1e0d8a"),
            ("msToken", "Xy_-9aB"),
            ("odin_tt", "5b0a"),
        ]);
        assert_eq!(detect(raw), CookieFormat::Header);
        assert_eq!(pairs(&import_at(raw, NOW).unwrap()), want);
        let bare = raw.trim_start_matches("Cookie: ");
        assert_eq!(pairs(&import_at(bare, NOW).unwrap()), want);
        let err = import_at("sessionid=1; =novalue", NOW).unwrap_err();
        assert!(
            matches!(err, CookieImportError::Header { index: 2, .. }),
            "{err:?}"
        );
        assert_eq!(
            import_at("  \n", NOW).unwrap_err(),
            CookieImportError::Empty
        );
    }

    #[test]
    fn netscape_cookies_txt_keeps_unexpired_douyin_cookies() {
        let txt = "# Netscape HTTP Cookie File\n\
            # https://curl.se/docs/http-cookies.html\n\
            \n\
            .douyin.com\tTRUE\t/\tFALSE\t1748736000\tttwid\t1%7CkqlN2Yo3\n\
            #HttpOnly_.douyin.com\tTRUE\t/\tTRUE\t1748736000\tsessionid\t3f9c1e0d8a\n\
            www.douyin.com\tFALSE\t/\tFALSE\t0\tmsToken\tXy_-9aB\n\
            .douyin.com\tTRUE\t/\tFALSE\t1704067200\ts_v_web_id\told\n\
            .google.com\tTRUE\t/\tTRUE\t1748736000\tNID\tnot-for-douyin\n\
            .douyin.com\tTRUE\t/\tFALSE\t0\tempty_value\n";
        assert_eq!(detect(txt), CookieFormat::Netscape);
        let cookies = import_at(txt, NOW).unwrap();
        assert_eq!(
            pairs(&cookies),
            owned(&[
                ("ttwid", "1%7CkqlN2Yo3"),
                ("sessionid", "3f9c1e0d8a"),
                ("msToken", "Xy_-9aB"),
                ("empty_value", ""),
            ])
        );
        assert_eq!(cookies[1].http_only(), Some(true));
        assert_eq!(cookies[1].secure(), Some(true));
        assert_eq!(cookies[0].domain(), Some("douyin.com"));
        assert_eq!(
            cookies[0].expires_datetime().map(|t| t.unix_timestamp()),
            Some(1_748_736_000)
        );

        let err = import_at(".douyin.com\tTRUE\t/\tFALSE\tsoon\tttwid\tx\n", NOW).unwrap_err();
        assert_eq!(
            err,
            CookieImportError::Netscape {
                line: 1,
                reason: "expiry is not a Unix time"
            }
        );
    }

    #[test]
    fn extension_json_and_playwright_state() {
        let ext = r#"[
          {"domain": ".douyin.com", "expirationDate": 1748736000.5, "hostOnly": false, "httpOnly": true,
           "name": "sessionid", "path": "/", "sameSite": "no_restriction", "secure": true, "session": false,
           "storeId": "0", "value": "3f9c1e0d8a", "id": 1},
          {"domain": "www.douyin.com", "hostOnly": true, "httpOnly": false, "name": "msToken", "path": "/",
           "sameSite": "unspecified", "secure": false, "session": true, "storeId": "0", "value": "Xy_-9aB", "id": 2},
          {"domain": ".bytedance.com", "expirationDate": 1748736000, "name": "other", "value": "x", "id": 3}
        ]"#;
        assert_eq!(detect(ext), CookieFormat::Json);
        let cookies = import_at(ext, NOW).unwrap();
        assert_eq!(
            pairs(&cookies),
            owned(&[("sessionid", "3f9c1e0d8a"), ("msToken", "Xy_-9aB")])
        );
        assert_eq!(cookies[0].http_only(), Some(true));
        assert_eq!(cookies[1].expires(), None);

        let state = r#"{"cookies": [{"name": "ttwid", "value": "1%7Ck", "domain": ".douyin.com", "path": "/",
            "expires": -1, "httpOnly": true, "secure": true, "sameSite": "None"}], "origins": []}"#;
        assert_eq!(
            pairs(&import_at(state, NOW).unwrap()),
            owned(&[("ttwid", "1%7Ck")])
        );

        let err = import_at(r#"[{"value": "secret-value"}]"#, NOW).unwrap_err();
        assert!(
            matches!(&err, CookieImportError::Json { line: 1, .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains("secret-value"), "{err}");
    }

    #[test]
    fn other_sites_or_expired_only_is_an_error_naming_the_domains() {
        let txt = ".google.com\tTRUE\t/\tTRUE\t1748736000\tNID\tx\n\
                   .douyin.com\tTRUE\t/\tFALSE\t1704067200\tsessionid\told\n";
        assert_eq!(
            import_at(txt, NOW).unwrap_err(),
            CookieImportError::NoDouyinCookies {
                total: 2,
                domains: "douyin.com, google.com".into()
            }
        );
    }
}
