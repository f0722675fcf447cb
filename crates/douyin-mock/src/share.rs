//! Short links like `https://v.douyin.com/CODE/`, served under [`PREFIX`]: each known code answers HTTP 302 with the
//! address a real short link of that kind redirects to (a video, image post, user, collection, live room, another
//! short link, an app store); an unknown code is 404.

use axum::response::Response;
use http::{header, HeaderValue, StatusCode};

use crate::MockServer;

/// Path prefix the short links are served under (`/share-link/CODE/`): where the web crate's resolver looks for them
/// beside a stand-in's API.
pub const PREFIX: &str = douyin_web::share::STAND_IN_SHORT_LINK_PATH;

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

/// The answer to `GET PREFIX/CODE/`, or `None` when `path` is not under [`PREFIX`].
pub(crate) fn answer(method: &str, path: &str) -> Option<Response> {
    let code = path
        .strip_prefix(PREFIX)?
        .strip_prefix('/')?
        .trim_end_matches('/');
    let mut resp = Response::new(axum::body::Body::empty());
    let target = SHORT_LINKS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t);
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
