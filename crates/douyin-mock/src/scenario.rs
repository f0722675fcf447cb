//! Failure scenarios a test switches on per route, and the per-route state they keep (counters, tokens seen).

use std::time::Duration;

use crate::table::{DomainTable, ErrorClass, OperationTable};

/// How a route answers a request that passed validation. Requests that fail validation get the validation answer
/// whatever the scenario (except [`Scenario::ExpiredToken`], which takes over the token check).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scenario {
    /// The documented success (the default).
    Success,
    /// Documented example number `n` of the operation (in spec order), as is, with HTTP 200.
    Example(usize),
    /// The operation's envelope carrying this code (message: the code's documented meaning).
    Code(String),
    /// The domain's documented rate-limit code (class `rate_limited`); HTTP 429 where none is documented.
    RateLimited,
    /// The domain's documented quota code (class `quota`); HTTP 429 where none is documented.
    Quota,
    /// The domain's expired-credential code for every request carrying the stale token; a request with `fresh` (or,
    /// without `fresh`, with any token other than the first one seen) succeeds.
    ExpiredToken {
        /// The token that counts as refreshed.
        fresh: Option<String>,
    },
    /// This HTTP status with a short plain-text body.
    Status(u16),
    /// Waits this long, then answers with the success.
    Delay(Duration),
    /// HTTP 200 with an empty body (how douyin.com answers a bad cookie or signature).
    EmptyBody,
    /// HTTP 200 with an HTML challenge page (`text/html`).
    Html,
    /// The synthetic success with the domain's refusal of this kind written in (web: a search answering a captcha
    /// with `search_nil_info.search_nil_type` `verify_check`).
    Refused(douyin_core::RefusalKind),
    /// The success body cut in the middle.
    TruncatedJson,
    /// `pages` pages of `page_size` synthetic items, following the operation's pagination paths; the cursor is the
    /// offset of the page's first item.
    Pages {
        /// Number of pages.
        pages: u32,
        /// Items per page.
        page_size: u32,
    },
    /// Exactly this answer.
    Raw {
        /// HTTP status.
        status: u16,
        /// Content type.
        content_type: String,
        /// Body bytes.
        body: Vec<u8>,
    },
    /// The inner scenario for the first `n` requests to the route, then [`Scenario::Success`].
    Times(u32, Box<Scenario>),
}

impl Scenario {
    /// This scenario for the next `n` requests, then success.
    pub fn times(self, n: u32) -> Scenario {
        Scenario::Times(n, Box::new(self))
    }

    /// Checks that the scenario makes sense for the route, with a message naming what is wrong.
    pub(crate) fn check(&self, domain: &DomainTable, op: &OperationTable) -> Result<(), String> {
        match self {
            Scenario::Example(n) if *n >= op.examples.len() => Err(format!(
                "{}/{} has {} documented example(s); there is no example {n}",
                domain.name,
                op.name,
                op.examples.len()
            )),
            Scenario::ExpiredToken { .. } => {
                if domain.code_of(ErrorClass::ExpiredCredential, "").is_none() {
                    return Err(format!(
                        "domain {} documents no expired-credential code",
                        domain.name
                    ));
                }
                if token_credential(domain, op).is_none() {
                    return Err(format!(
                        "{}/{} carries no refreshable credential",
                        domain.name, op.name
                    ));
                }
                Ok(())
            }
            Scenario::Refused(kind)
                if !domain.envelope.refusals.iter().any(|r| r.kind == *kind) =>
            {
                Err(format!("domain {} has no {kind:?} refusal", domain.name))
            }
            Scenario::Pages { .. } if op.pagination.is_none() => {
                Err(format!("{}/{} does not paginate", domain.name, op.name))
            }
            Scenario::Times(_, inner) => inner.check(domain, op),
            _ => Ok(()),
        }
    }
}

/// The credential an expired-token scenario is about: the first credential parameter of the operation that the
/// client refreshes on expiry.
pub(crate) fn token_credential(domain: &DomainTable, op: &OperationTable) -> Option<&'static str> {
    op.params.iter().filter_map(|p| p.credential).find(|c| {
        domain
            .credentials
            .iter()
            .any(|d| d.name == *c && d.refreshed_on_expiry)
    })
}

/// A route's scenario with its counters.
#[derive(Debug)]
pub(crate) struct RouteState {
    pub scenario: Scenario,
    /// Requests the `Times` wrapper has answered with its inner scenario.
    pub served: u32,
    /// The first token an `ExpiredToken` scenario saw.
    pub first_token: Option<String>,
}

impl RouteState {
    pub fn new(scenario: Scenario) -> Self {
        RouteState {
            scenario,
            served: 0,
            first_token: None,
        }
    }

    /// The scenario that answers the next request (consuming one `Times` use).
    pub fn next(&mut self) -> Scenario {
        match &self.scenario {
            Scenario::Times(n, inner) => {
                if self.served < *n {
                    self.served += 1;
                    (**inner).clone()
                } else {
                    Scenario::Success
                }
            }
            other => other.clone(),
        }
    }

    /// For an expired-token scenario: whether `token` is still the stale one.
    pub fn is_stale(&mut self, fresh: Option<&str>, token: &str) -> bool {
        match fresh {
            Some(f) => token != f,
            None => match &self.first_token {
                None => {
                    self.first_token = Some(token.to_owned());
                    true
                }
                Some(first) => first == token,
            },
        }
    }
}
