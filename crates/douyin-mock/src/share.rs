//! Short links like `https://v.douyin.com/CODE/`, served under [`PREFIX`] and under every domain's prefix (a client
//! pointed at a domain's mock base URL sends its short links there, as it sends operations of other hosts): each
//! known code answers HTTP 302 with the address a real short link of that kind redirects to (a video, image post,
//! user, collection, live room, another short link, an app store); an unknown code is 404 under [`PREFIX`] and the
//! domain's own answer under a domain prefix.

use axum::response::Response;
use http::{header, HeaderValue, StatusCode};

use crate::MockServer;

/// Path prefix the short links are served under (`/share-link/CODE/`).
pub const PREFIX: &str = "/share-link";

/// The short-link codes the mock knows and where each redirects, in the shapes the public projects record for
/// v.douyin.com redirects (iesdouyin.com share pages, the live room's webcast reflow page).
pub const SHORT_LINKS: &[(&str, &str)] = &[
    (
        "iRNBho6u",
        "https://www.iesdouyin.com/share/video/7331282358999584037/?region=CN&mid=7331282415060438784&u_code=0\
         &did=MS4wLjABAAAA&with_sec_did=1&titleType=title&from_ssr=1",
    ),
    (
        "iNoteK2s",
        "https://www.iesdouyin.com/share/slides/7325083396338600228/?region=CN&from_ssr=1",
    ),
    (
        "iUserP7d",
        "https://www.iesdouyin.com/share/user/MS4wLjABAAAAWP5yJJm9n_Nmmk0E?u_code=0&sec_uid=\
         MS4wLjABAAAAWP5yJJm9n_Nmmk0E&from_ssr=1",
    ),
    (
        "iMixQ3w",
        "https://www.iesdouyin.com/share/mix/detail/7348687990509553679/?schema_type=24&from_ssr=1",
    ),
    (
        "iLiveR8e",
        "https://webcast.amemv.com/douyin/webcast/reflow/7318296342189919011?u_code=0&did=MS4wLjABAAAA",
    ),
    // A short link that redirects to another short link.
    ("iHopZ1a", "https://v.douyin.com/iRNBho6u/"),
    // What a short link opened outside the app's reach may lead to.
    ("iStoreX9", "https://apps.apple.com/cn/app/id1142110895"),
];

/// The answer to `GET PREFIX/CODE/` (or `GET <domain prefix>/CODE/` for a known code), or `None` when `path` is
/// not a short link's.
pub(crate) fn answer(method: &str, path: &str) -> Option<Response> {
    let known = |code: &str| {
        SHORT_LINKS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, t)| *t)
    };
    let code_of = |rest: &str| -> Option<String> {
        let code = rest.strip_prefix('/')?.trim_end_matches('/');
        (!code.is_empty() && !code.contains('/')).then(|| code.to_owned())
    };
    let target = match path.strip_prefix(PREFIX) {
        Some(rest) => known(&code_of(rest)?),
        None => {
            let rest = crate::table::domains()
                .iter()
                .find_map(|d| path.strip_prefix(d.prefix))?;
            Some(known(&code_of(rest)?)?)
        }
    };
    let mut resp = Response::new(axum::body::Body::empty());
    match (method, target) {
        ("GET" | "HEAD", Some(to)) => {
            *resp.status_mut() = StatusCode::FOUND;
            resp.headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static(to));
        }
        ("GET" | "HEAD", None) => *resp.status_mut() = StatusCode::NOT_FOUND,
        _ => *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED,
    }
    Some(resp)
}

impl MockServer {
    /// The base URL standing in for `https://v.douyin.com` (`http://127.0.0.1:PORT/share-link`).
    pub fn short_link_base(&self) -> String {
        format!("http://{}{PREFIX}", self.addr())
    }
}
