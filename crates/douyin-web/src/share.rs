//! Share links in, typed targets out: what a video, note, user, collection or live-room link (or the text the app's
//! share sheet copies) points at, following `v.douyin.com` short links without credentials.
//!
//! ```no_run
//! # async fn demo() -> Result<(), douyin_web::share::ShareError> {
//! use douyin_web::share::{self, Target};
//!
//! let text = "7.43 复制打开抖音，看看【南恬的作品】# 好看 https://v.douyin.com/iRNBho6u/ D@h.OK 09/12 goO:/";
//! match share::resolve(text).await? {
//!     Target::Aweme { aweme_id, .. } => println!("aweme {aweme_id}"),
//!     other => println!("{other:?}"),
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use douyin_core::redirect::{Hop, RedirectPolicy, Refusal, MAX_HOPS};
use url::Url;

/// What a link points at. Serializes as `{"kind": "aweme", "aweme_id": …, "aweme_kind": "video"}` and the like.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// A video or an image post (aweme/detail serves both).
    Aweme {
        /// The aweme id.
        aweme_id: String,
        /// What the link called it.
        #[serde(rename = "aweme_kind")]
        kind: AwemeKind,
    },
    /// A user's page (aweme/post, aweme/favorite, user/profile/other take its sec_user_id).
    User {
        /// The user's sec_uid.
        sec_user_id: String,
    },
    /// A collection (合集; mix/aweme).
    Mix {
        /// The mix id.
        mix_id: String,
    },
    /// A live room by the number in its `live.douyin.com/WEB_RID` address.
    Live {
        /// The room's web id.
        web_rid: String,
    },
    /// A live room by its internal room id (share links of a live room redirect to a `webcast/reflow/ROOM_ID` page).
    LiveRoom {
        /// The room id.
        room_id: String,
    },
}

impl Target {
    /// The aweme id, if the target is an aweme.
    pub fn aweme_id(&self) -> Option<&str> {
        match self {
            Target::Aweme { aweme_id, .. } => Some(aweme_id),
            _ => None,
        }
    }
}

/// What kind of aweme a link named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwemeKind {
    /// `/video/ID`, `/share/video/ID`.
    Video,
    /// An image post: `/note/ID`, `/share/note/ID`, `/share/slides/ID`.
    Note,
    /// A page showing an aweme in a dialog (`?modal_id=ID`): the link does not say which kind.
    Unspecified,
}

/// A link as found in the input, before any request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// The link names its target.
    Target(Target),
    /// A short link whose redirect names the target.
    Short(Url),
}

/// Why a link could not be turned into a target.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// The input holds no douyin link.
    #[error("no douyin link found in the input")]
    NoLink,
    /// A douyin address that names no video, note, user, collection or live room.
    #[error("{url} names no video, note, user, collection or live room")]
    Unrecognised {
        /// The address, without its query.
        url: String,
    },
    /// The short link leads to an app store or an app scheme instead of a page: open it on a phone.
    #[error(
        "the short link leads to an app store ({host}), not to a page: open it in the Douyin app"
    )]
    AppStore {
        /// The store's host or the app scheme.
        host: String,
    },
    /// The short link did not redirect.
    #[error("the short link answered HTTP {status} without a redirect (expired or mistyped link)")]
    NoRedirect {
        /// The HTTP status.
        status: u16,
    },
    /// More redirects than a short link takes.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// Connecting or receiving failed (the URL is stripped).
    #[error("short link request failed: {0}")]
    Transport(#[source] reqwest::Error),
}

/// The origins of douyin's short links: the app's share sheet copies `v.douyin.com` links; older shares use
/// `v.iesdouyin.com`.
pub const SHORT_LINK_ORIGINS: &[&str] = &["https://v.douyin.com", "https://v.iesdouyin.com"];

/// Hosts of the app stores a short link opened outside China or on a phone may redirect to.
const APP_STORES: &[&str] = &[
    "apps.apple.com",
    "itunes.apple.com",
    "play.google.com",
    "app.mi.com",
    "sj.qq.com",
    "a.app.qq.com",
];

/// The first douyin link in `text` (a bare URL or share-sheet text) and what it names.
pub fn parse(text: &str) -> Result<Link, ShareError> {
    let url = find_url(text).ok_or(ShareError::NoLink)?;
    classify(&url)
}

/// The first `http(s)://` address in `text`, or a douyin host written without a scheme.
fn find_url(text: &str) -> Option<Url> {
    // Share text runs Chinese words, full-width punctuation and a trailing code straight into the URL: it ends at the
    // first character a URL cannot hold unescaped.
    let take = |from: &str| -> String {
        from.chars()
            .take_while(|c| {
                c.is_ascii_graphic()
                    && !matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^')
            })
            .collect()
    };
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find("https://").or_else(|| lower.find("http://")) {
        return Url::parse(&take(&text[at..])).ok();
    }
    let hosts = [
        "v.douyin.com/",
        "douyin.com/",
        "iesdouyin.com/",
        "webcast.amemv.com/",
    ];
    let at = hosts.iter().filter_map(|h| lower.find(h)).min()?;
    // Back up over a subdomain written before the host (`www.`, `live.`).
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '-'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    Url::parse(&format!("https://{}", take(&text[start..]))).ok()
}

/// What a douyin address names.
fn classify(url: &Url) -> Result<Link, ShareError> {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.into_owned())
    };
    let aweme = |id: &str, kind| Target::Aweme {
        aweme_id: id.to_owned(),
        kind,
    };
    let target = match (host.as_str(), segs.as_slice()) {
        ("v.douyin.com" | "v.iesdouyin.com", [_code, ..]) => return Ok(Link::Short(url.clone())),
        ("live.douyin.com", [rid, ..]) => Some(Target::Live {
            web_rid: (*rid).to_owned(),
        }),
        ("webcast.amemv.com", [.., "reflow", room]) => Some(Target::LiveRoom {
            room_id: (*room).to_owned(),
        }),
        (h, _) if !is_douyin(h) => None,
        // A page showing an aweme in a dialog names it in modal_id, whatever the page.
        _ if query("modal_id").is_some() => {
            query("modal_id").map(|id| aweme(&id, AwemeKind::Unspecified))
        }
        (_, ["video", id, ..] | ["share", "video", id, ..]) => Some(aweme(id, AwemeKind::Video)),
        (_, ["note", id, ..] | ["share", "note" | "slides", id, ..]) => {
            Some(aweme(id, AwemeKind::Note))
        }
        (_, ["share", "user", id, ..]) => Some(Target::User {
            sec_user_id: query("sec_uid").unwrap_or_else(|| (*id).to_owned()),
        }),
        (_, ["user", id, ..]) if *id != "self" => Some(Target::User {
            sec_user_id: (*id).to_owned(),
        }),
        (_, ["collection" | "mix", id, ..] | ["share", "mix", "detail", id, ..]) => {
            Some(Target::Mix {
                mix_id: (*id).to_owned(),
            })
        }
        (_, ["follow" | "root", "live", rid, ..]) => Some(Target::Live {
            web_rid: (*rid).to_owned(),
        }),
        _ => None,
    };
    target
        .map(Link::Target)
        .ok_or_else(|| ShareError::Unrecognised {
            url: format!("{}://{}{}", url.scheme(), host, url.path()),
        })
}

fn is_douyin(host: &str) -> bool {
    ["douyin.com", "iesdouyin.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// Follows short links to their target. It never sends a cookie or any other credential, and it stops before an app
/// store instead of following into it.
#[derive(Clone)]
pub struct Resolver {
    http: reqwest::Client,
    /// Origins whose requests go to another base URL instead (a mock server), keeping the path.
    short_origins: Vec<(String, Url)>,
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("short_origins", &self.short_origins)
            .finish_non_exhaustive()
    }
}

impl Default for Resolver {
    fn default() -> Self {
        Self::new()
    }
}

impl Resolver {
    /// A resolver with its own HTTP client: no cookie store, no automatic redirects, 10 s timeout, the user agent
    /// the web session defaults to.
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .user_agent(crate::SESSION_USER_AGENT.unwrap_or("Mozilla/5.0"))
            .build()
            .expect("a client without cookies or proxies builds");
        Resolver {
            http,
            short_origins: Vec::new(),
        }
    }

    /// Sends requests for short links of `origin` (`https://v.douyin.com`) to `base` instead (a mock server), keeping
    /// the path: for tests and local development.
    pub fn short_link_origin(mut self, origin: &str, base: &str) -> Result<Self, url::ParseError> {
        let base = Url::parse(base.trim_end_matches('/'))?;
        self.short_origins
            .push((origin.trim_end_matches('/').to_owned(), base));
        Ok(self)
    }

    /// Sends requests for short links of every [`SHORT_LINK_ORIGINS`] origin to `base` instead, keeping the path:
    /// what a client pointed at another base URL (a mock server serving the short links below it) resolves with.
    pub fn short_links_via(self, base: &str) -> Result<Self, url::ParseError> {
        SHORT_LINK_ORIGINS
            .iter()
            .try_fold(self, |r, origin| r.short_link_origin(origin, base))
    }

    /// What the first douyin link in `text` names, following short links.
    pub async fn resolve(&self, text: &str) -> Result<Target, ShareError> {
        let url = match parse(text)? {
            Link::Target(t) => return Ok(t),
            Link::Short(u) => u,
        };
        // The redirects are core's to judge (any origin, no credential to keep back, at most MAX_HOPS); what is
        // special here is stopping at the first address that names a target, or before an app store.
        let first = url.clone();
        let mut hop = Hop::first(reqwest::Method::GET, url);
        loop {
            let resp = self
                .http
                .get(self.request_url(&hop.url))
                .send()
                .await
                .map_err(|e| ShareError::Transport(e.without_url()))?;
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let status = resp.status();
            drop(resp); // the body is never read: only the redirect matters
            let unrecognised = || ShareError::Unrecognised {
                url: location.clone().unwrap_or_default(),
            };
            // An app scheme is no http(s) location to follow, but it says where the link leads.
            if let Some(store) = location
                .as_deref()
                .filter(|_| status.is_redirection())
                .and_then(|l| hop.url.join(l).ok())
                .and_then(|next| app_store(&next))
            {
                return Err(ShareError::AppStore { host: store });
            }
            hop = match hop.follow(
                RedirectPolicy::AnyOrigin,
                &first,
                status,
                location.as_deref(),
                &[],
            ) {
                Ok(Some(next)) => next,
                Ok(None) => {
                    return Err(ShareError::NoRedirect {
                        status: status.as_u16(),
                    })
                }
                Err((Refusal::TooMany, _)) => return Err(ShareError::TooManyRedirects(MAX_HOPS)),
                Err(_) => return Err(unrecognised()),
            };
            match classify(&hop.url) {
                Ok(Link::Target(t)) => return Ok(t),
                Ok(Link::Short(u)) => hop.url = u,
                // A douyin page that names nothing yet (a landing page) may redirect on; anything else is final.
                Err(e) if !is_douyin(hop.url.host_str().unwrap_or("")) => return Err(e),
                Err(_) => {}
            }
        }
    }

    /// Where a request for `url` goes: the configured base for the short-link origin, else `url` itself.
    fn request_url(&self, url: &Url) -> Url {
        let origin = self
            .short_origins
            .iter()
            .find(|(origin, _)| url.as_str().starts_with(origin.as_str()));
        match origin {
            Some((_, base)) => {
                let mut to = base.clone();
                let path = format!("{}{}", base.path().trim_end_matches('/'), url.path());
                to.set_path(&path);
                to.set_query(url.query());
                to
            }
            _ => url.clone(),
        }
    }
}

/// The app store or app scheme `url` leads to, if it leads to one.
fn app_store(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some(format!("{}:", url.scheme()));
    }
    let host = url.host_str()?.to_ascii_lowercase();
    APP_STORES.contains(&host.as_str()).then_some(host)
}

/// What the first douyin link in `text` names, following short links with a default [`Resolver`].
pub async fn resolve(text: &str) -> Result<Target, ShareError> {
    Resolver::new().resolve(text).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aweme(id: &str, kind: AwemeKind) -> Link {
        Link::Target(Target::Aweme {
            aweme_id: id.to_owned(),
            kind,
        })
    }

    #[test]
    fn links_and_share_text_name_their_targets() {
        let user = |s: &str| {
            Link::Target(Target::User {
                sec_user_id: s.to_owned(),
            })
        };
        let mix = |s: &str| {
            Link::Target(Target::Mix {
                mix_id: s.to_owned(),
            })
        };
        let sec = "MS4wLjABAAAAW9FWcqS7RdQAWPd2AA5fL_ilmqsIFUCQ_Iym6Yh9_cUa6ZRqVLjVQSUjlHrfXY1Y";
        let cases: Vec<(String, Link)> = vec![
            ("https://www.douyin.com/video/7331282358999584037".into(), aweme("7331282358999584037", AwemeKind::Video)),
            ("https://www.douyin.com/video/7331282358999584037?previous_page=app_code_link".into(), aweme("7331282358999584037", AwemeKind::Video)),
            ("www.douyin.com/note/7325083396338600228".into(), aweme("7325083396338600228", AwemeKind::Note)),
            (format!("https://www.douyin.com/user/{sec}"), user(sec)),
            (format!("https://www.douyin.com/user/{sec}?modal_id=7331282358999584037"), aweme("7331282358999584037", AwemeKind::Unspecified)),
            ("https://www.douyin.com/discover?modal_id=7206519665021996303".into(), aweme("7206519665021996303", AwemeKind::Unspecified)),
            ("https://www.douyin.com/collection/7348687990509553679".into(), mix("7348687990509553679")),
            ("https://www.douyin.com/mix/7348687990509553679".into(), mix("7348687990509553679")),
            ("https://live.douyin.com/285520721194?enter_from=web".into(), Link::Target(Target::Live { web_rid: "285520721194".into() })),
            ("https://www.douyin.com/follow/live/285520721194".into(), Link::Target(Target::Live { web_rid: "285520721194".into() })),
            ("https://webcast.amemv.com/douyin/webcast/reflow/7318296342189919011?u_code=x".into(), Link::Target(Target::LiveRoom { room_id: "7318296342189919011".into() })),
            ("https://www.iesdouyin.com/share/video/7331282358999584037/?region=CN&mid=7331".into(), aweme("7331282358999584037", AwemeKind::Video)),
            ("https://www.iesdouyin.com/share/slides/7325083396338600228/".into(), aweme("7325083396338600228", AwemeKind::Note)),
            ("https://www.iesdouyin.com/share/note/7325083396338600228/".into(), aweme("7325083396338600228", AwemeKind::Note)),
            (format!("https://www.iesdouyin.com/share/user/{sec}?with_sec_did=1"), user(sec)),
            (format!("https://www.iesdouyin.com/share/user/93318?sec_uid={sec}"), user(sec)),
            ("https://www.iesdouyin.com/share/mix/detail/7348687990509553679/".into(), mix("7348687990509553679")),
            (
                "7.43 复制打开抖音，看看【南恬的作品】好好看 # 美食 https://v.douyin.com/iRNBho6u/ D@h.OK 09/12 goO:/ ".into(),
                Link::Short(Url::parse("https://v.douyin.com/iRNBho6u/").unwrap()),
            ),
            (
                "【抖音】长按复制此条消息，打开抖音搜索，查看TA的更多作品。v.douyin.com/iRNBho6u/".into(),
                Link::Short(Url::parse("https://v.douyin.com/iRNBho6u/").unwrap()),
            ),
            (
                "看看这个直播间👉https://v.douyin.com/ieFhkXQ7/，复制链接".into(),
                Link::Short(Url::parse("https://v.douyin.com/ieFhkXQ7/").unwrap()),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse(&input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn targets_serialize_with_their_kind() {
        let t = Target::Aweme {
            aweme_id: "1".into(),
            kind: AwemeKind::Note,
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"kind":"aweme","aweme_id":"1","aweme_kind":"note"}"#
        );
        let t = Target::LiveRoom {
            room_id: "7".into(),
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"kind":"live_room","room_id":"7"}"#
        );
    }

    #[test]
    fn inputs_without_a_target_say_why() {
        assert!(matches!(
            parse("复制打开抖音，看看"),
            Err(ShareError::NoLink)
        ));
        assert!(matches!(
            parse("https://example.com/video/1"),
            Err(ShareError::Unrecognised { .. })
        ));
        let err = parse("https://www.douyin.com/hot?x=1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "https://www.douyin.com/hot names no video, note, user, collection or live room"
        );
        assert!(matches!(
            parse("https://www.douyin.com/user/self"),
            Err(ShareError::Unrecognised { .. })
        ));
    }

    #[test]
    fn app_stores_and_app_schemes_are_recognised() {
        let store = |s: &str| app_store(&Url::parse(s).unwrap());
        assert_eq!(
            store("https://apps.apple.com/cn/app/id1142110895").as_deref(),
            Some("apps.apple.com")
        );
        assert_eq!(
            store("snssdk1128://aweme/detail/7331282358999584037").as_deref(),
            Some("snssdk1128:")
        );
        assert_eq!(store("https://www.iesdouyin.com/share/video/1/"), None);
    }

    #[test]
    fn short_links_can_be_sent_to_another_origin() {
        let r = Resolver::new()
            .short_link_origin("https://v.douyin.com", "http://127.0.0.1:9/share-link/")
            .unwrap();
        let url = Url::parse("https://v.douyin.com/iRNBho6u/?a=1").unwrap();
        assert_eq!(
            r.request_url(&url).as_str(),
            "http://127.0.0.1:9/share-link/iRNBho6u/?a=1"
        );
        let other = Url::parse("https://www.douyin.com/x").unwrap();
        assert_eq!(r.request_url(&other), other);

        let via = Resolver::new()
            .short_links_via("http://127.0.0.1:9/web")
            .unwrap();
        for (link, to) in [
            (
                "https://v.douyin.com/iRNBho6u/",
                "http://127.0.0.1:9/web/iRNBho6u/",
            ),
            (
                "https://v.iesdouyin.com/iRNBho6u/",
                "http://127.0.0.1:9/web/iRNBho6u/",
            ),
            ("https://www.douyin.com/x", "https://www.douyin.com/x"),
        ] {
            assert_eq!(via.request_url(&Url::parse(link).unwrap()).as_str(), to);
        }
    }
}
