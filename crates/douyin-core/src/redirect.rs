//! Which redirects a client follows, and what a followed redirect may carry: credentials never leave the origin
//! they were meant for.

use reqwest::{Method, StatusCode, Url};

use crate::redact::mask;

/// How a client answers `301`/`302`/`303`/`307`/`308`. Redirects are followed by the runtime itself (reqwest's own
/// following is off, as is its automatic `Referer`), at most [`MAX_HOPS`] times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectPolicy {
    /// Follow only within the request's origin (scheme, host, port); a redirect elsewhere fails with
    /// [`crate::Error::Redirect`]. The default for API clients: an API that answers with another origin is not
    /// answering, and its credentials must not travel.
    #[default]
    SameOrigin,
    /// Follow to any `http`/`https` origin. From the first hop that leaves the request's origin on, credential
    /// headers and `Referer` are dropped; a `Location` carrying a credential value is refused. For credential-less
    /// requests such as resolving a short link (`v.douyin.com` → `www.iesdouyin.com`).
    AnyOrigin,
    /// Follow nothing: a redirect is returned as its status.
    None,
}

/// The most redirects one request follows.
pub const MAX_HOPS: usize = 10;

/// Why a redirect was not followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// It leads to another origin and the policy is [`RedirectPolicy::SameOrigin`].
    #[error("another origin; credentials stay with the origin they were meant for")]
    CrossOrigin,
    /// Its `Location` carries a credential value to another origin.
    #[error("its location carries a credential to another origin")]
    CredentialInLocation,
    /// Its `Location` is missing, not a URL, or not `http`/`https`.
    #[error("not an http(s) URL")]
    BadLocation,
    /// More than [`MAX_HOPS`] redirects.
    #[error("more than {MAX_HOPS} redirects")]
    TooMany,
}

/// One request of a chain of redirects: what the client sends, and the policy's answer to each response
/// ([`Hop::follow`]). The client follows with it, and so does anything else that walks redirects itself (a
/// short-link resolver that stops at the first address naming its target).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Hop {
    /// The method of this request.
    pub method: Method,
    /// Where it goes.
    pub url: Url,
    /// Whether the form body is still sent (a `303`, or a `301`/`302` of a POST, turns the request into a GET).
    pub with_body: bool,
    /// Whether the chain has left the first request's origin: credential headers and `Referer` stay behind.
    pub crossed: bool,
    /// Redirects followed before this request.
    pub count: usize,
}

impl Hop {
    /// The first request of a chain.
    pub fn first(method: Method, url: Url) -> Self {
        Hop {
            method,
            url,
            with_body: true,
            crossed: false,
            count: 0,
        }
    }

    /// The next hop under `policy` for a response with `status` and `location` to this request of the chain that
    /// started at `first`: `Ok(None)` when the response is the answer, or the refusal with the origin it pointed to
    /// (`secrets`: values a location must not carry to another origin).
    pub fn follow(
        &self,
        policy: RedirectPolicy,
        first: &Url,
        status: StatusCode,
        location: Option<&str>,
        secrets: &[&str],
    ) -> Result<Option<Hop>, (Refusal, String)> {
        let redirect = matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308);
        if !redirect || policy == RedirectPolicy::None {
            return Ok(None);
        }
        let next = location
            .and_then(|l| self.url.join(l).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or((Refusal::BadLocation, "an unusable location".to_owned()))?;
        let origin = next.origin().ascii_serialization();
        let crossed = self.crossed || next.origin() != first.origin();
        if crossed && policy == RedirectPolicy::SameOrigin {
            return Err((Refusal::CrossOrigin, origin));
        }
        if crossed && mask(next.as_str(), secrets) != next.as_str() {
            return Err((Refusal::CredentialInLocation, origin));
        }
        if self.count >= MAX_HOPS {
            return Err((Refusal::TooMany, origin));
        }
        let to_get = status == StatusCode::SEE_OTHER
            || (matches!(status.as_u16(), 301 | 302) && self.method == Method::POST);
        Ok(Some(Hop {
            method: if to_get {
                Method::GET
            } else {
                self.method.clone()
            },
            url: next,
            with_body: self.with_body && !to_get,
            crossed,
            count: self.count + 1,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn follow(policy: RedirectPolicy, status: u16, location: &str) -> Result<Option<Hop>, Refusal> {
        let first = url("https://api.example/v1/x?token=T0K3N");
        Hop::first(Method::POST, first.clone())
            .follow(
                policy,
                &first,
                StatusCode::from_u16(status).unwrap(),
                Some(location),
                &["T0K3N"],
            )
            .map_err(|(r, _)| r)
    }

    #[test]
    fn same_origin_follows_home_and_refuses_elsewhere() {
        let hop = follow(RedirectPolicy::SameOrigin, 307, "/v2/x")
            .unwrap()
            .unwrap();
        assert_eq!(hop.url.as_str(), "https://api.example/v2/x");
        assert!(hop.with_body && !hop.crossed && hop.method == Method::POST);
        for other in [
            "https://evil.example/",
            "http://api.example/",
            "https://api.example:8443/",
        ] {
            assert_eq!(
                follow(RedirectPolicy::SameOrigin, 302, other).unwrap_err(),
                Refusal::CrossOrigin
            );
        }
    }

    #[test]
    fn any_origin_marks_the_hop_crossed_and_refuses_a_location_with_a_credential() {
        let hop = follow(RedirectPolicy::AnyOrigin, 302, "https://cdn.example/a")
            .unwrap()
            .unwrap();
        assert!(hop.crossed && !hop.with_body && hop.method == Method::GET);
        assert_eq!(
            follow(
                RedirectPolicy::AnyOrigin,
                302,
                "https://cdn.example/?t=T0K3N"
            )
            .unwrap_err(),
            Refusal::CredentialInLocation
        );
        assert_eq!(
            follow(RedirectPolicy::AnyOrigin, 302, "ftp://cdn.example/").unwrap_err(),
            Refusal::BadLocation
        );
    }

    #[test]
    fn none_and_non_redirects_are_answers() {
        assert!(follow(RedirectPolicy::None, 302, "/x").unwrap().is_none());
        assert!(follow(RedirectPolicy::SameOrigin, 304, "/x")
            .unwrap()
            .is_none());
    }
}
