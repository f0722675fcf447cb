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
    /// Each request gets the next of these, round and round (a cursor that cycles, a flapping route).
    Cycle(Vec<Scenario>),
    /// The inner scenario for requests whose query or a header holds `needle` (one identity's cookie value or user
    /// agent), the success for the others.
    Carrying {
        /// The text to look for.
        needle: String,
        /// What those requests get.
        inner: Box<Scenario>,
    },
    /// By the value of the operation's pagination cursor in the request (absent: 0): the scenario paired with it,
    /// the success for other cursors. Pages a test builds (each a [`Scenario::Raw`]) then answer whichever client
    /// asks for them, in any order and as often as asked.
    ByCursor(Vec<(i64, Scenario)>),
}

/// The scenarios `douyin-mock --scenario ROUTE=SCENARIO` names (parsed by `Scenario`'s `FromStr`), with what each does.
pub const SCENARIO_NAMES: &[(&str, &str)] = &[
    ("success", "the documented success (the default)"),
    (
        "example:N",
        "documented example N of the operation (0-based, spec order)",
    ),
    ("code:CODE", "the operation's envelope carrying CODE"),
    (
        "rate_limited",
        "the domain's rate-limit code (HTTP 429 where none is documented)",
    ),
    (
        "quota",
        "the domain's quota code (HTTP 429 where none is documented)",
    ),
    (
        "expired[:FRESH]",
        "the expired-credential code until the token is FRESH (or, without it, changes)",
    ),
    ("status:N", "HTTP status N with a short text body"),
    ("delay:MS", "the success after MS milliseconds"),
    ("empty", "HTTP 200 with an empty body"),
    ("html", "HTTP 200 with an HTML challenge page"),
    ("truncated", "the success body cut in the middle"),
    (
        "refused:KIND",
        "the success carrying the domain's refusal of KIND, captcha or login (web: a search asking for a captcha)",
    ),
    ("pages:N:SIZE", "N pages of SIZE synthetic items"),
    ("A|B|…", "each request the next of these, round and round"),
    (
        "SCENARIO@TEXT",
        "SCENARIO for requests whose query or a header holds TEXT (one identity's cookie), success for others",
    ),
    (
        "SCENARIO*N",
        "SCENARIO for the next N requests, then success",
    ),
];

impl std::str::FromStr for Scenario {
    type Err = String;

    /// Parses a scenario as [`SCENARIO_NAMES`] spells them (`rate_limited`, `status:503*2`, `expired:act.new`).
    fn from_str(text: &str) -> Result<Scenario, String> {
        if let Some((inner, needle)) = text.rsplit_once('@') {
            if needle.is_empty() {
                return Err(format!("`{text}`: give the text to look for after `@`"));
            }
            return Ok(Scenario::Carrying {
                needle: needle.to_owned(),
                inner: Box::new(inner.parse()?),
            });
        }
        if text.contains('|') {
            return text
                .split('|')
                .map(str::parse)
                .collect::<Result<Vec<_>, _>>()
                .map(Scenario::Cycle);
        }
        if let Some((inner, n)) = text.rsplit_once('*') {
            let n = number::<u32>(n, text)?;
            return Ok(inner.parse::<Scenario>()?.times(n));
        }
        let (name, arg) = match text.split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (text, None),
        };
        let need =
            || arg.ok_or_else(|| format!("scenario `{name}` takes an argument (`{name}:…`)"));
        let scenario = match name {
            "success" => Scenario::Success,
            "example" => Scenario::Example(number(need()?, text)?),
            "code" => Scenario::Code(need()?.to_owned()),
            "rate_limited" => Scenario::RateLimited,
            "quota" => Scenario::Quota,
            "expired" => Scenario::ExpiredToken {
                fresh: arg.map(str::to_owned),
            },
            "status" => {
                let status = number::<u16>(need()?, text)?;
                if !(100..=599).contains(&status) {
                    return Err(format!("`{text}`: an HTTP status is 100 to 599"));
                }
                Scenario::Status(status)
            }
            "delay" => Scenario::Delay(Duration::from_millis(number(need()?, text)?)),
            "empty" => Scenario::EmptyBody,
            "html" => Scenario::Html,
            "truncated" => Scenario::TruncatedJson,
            "refused" => Scenario::Refused(match need()? {
                "captcha" => douyin_core::RefusalKind::Captcha,
                "login" => douyin_core::RefusalKind::Login,
                other => {
                    return Err(format!(
                        "`{text}`: refused:captcha or refused:login, not `{other}`"
                    ))
                }
            }),
            "pages" => {
                let (pages, size) = need()?
                    .split_once(':')
                    .ok_or_else(|| format!("`{text}`: give pages:N:SIZE"))?;
                Scenario::Pages {
                    pages: number(pages, text)?,
                    page_size: number(size, text)?,
                }
            }
            other => {
                let names: Vec<&str> = SCENARIO_NAMES.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "no scenario `{other}`; scenarios: {}",
                    names.join(", ")
                ));
            }
        };
        if arg.is_some()
            && matches!(
                name,
                "success" | "rate_limited" | "quota" | "empty" | "html" | "truncated"
            )
        {
            return Err(format!("scenario `{name}` takes no argument"));
        }
        Ok(scenario)
    }
}

fn number<T: std::str::FromStr>(text: &str, whole: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("`{whole}`: `{text}` is not a number that fits"))
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
            Scenario::Carrying { inner, .. } => match **inner {
                Scenario::Times(..) | Scenario::Cycle(..) | Scenario::Carrying { .. } => Err(
                    "`@TEXT` qualifies a plain scenario (no `*N`, cycle or second `@`)".to_owned(),
                ),
                ref plain => plain.check(domain, op),
            },
            Scenario::ByCursor(_) if op.pagination.is_none() => {
                Err(format!("{}/{} does not paginate", domain.name, op.name))
            }
            Scenario::ByCursor(all) => all.iter().try_for_each(|(_, s)| match s {
                Scenario::Times(..)
                | Scenario::Cycle(..)
                | Scenario::Carrying { .. }
                | Scenario::ByCursor(..) => {
                    Err("a cursor's scenario is plain (no `*N`, cycle, `@` or nesting)".to_owned())
                }
                s => s.check(domain, op),
            }),
            Scenario::Cycle(all) if all.is_empty() => {
                Err("an empty cycle answers nothing".to_owned())
            }
            Scenario::Cycle(all) => all.iter().try_for_each(|s| match s {
                Scenario::Times(..) | Scenario::Cycle(..) => {
                    Err("a cycle holds plain scenarios (no `*N`, no nested cycle)".to_owned())
                }
                s => s.check(domain, op),
            }),
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

impl crate::server::RecordedRequest {
    /// Whether the query or a header value holds `needle` (what [`Scenario::Carrying`] looks for).
    pub fn carries(&self, needle: &str) -> bool {
        self.query.as_deref().is_some_and(|q| q.contains(needle))
            || self
                .headers
                .values()
                .any(|v| v.to_str().is_ok_and(|v| v.contains(needle)))
    }
}

/// A route's scenario with its counters.
#[derive(Debug)]
pub(crate) struct RouteState {
    pub scenario: Scenario,
    /// Requests the `Times` wrapper has answered with its inner scenario, or a `Cycle` has answered.
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
            Scenario::Cycle(all) => {
                let next = all[self.served as usize % all.len()].clone();
                self.served = self.served.wrapping_add(1);
                next
            }
            other => other.clone(),
        }
    }

    /// The scenario for a request: a [`Scenario::Carrying`] answers with its inner scenario only when `carries`
    /// finds its needle in the request.
    pub fn for_request(scenario: Scenario, carries: impl Fn(&str) -> bool) -> Scenario {
        match scenario {
            Scenario::Carrying { needle, inner } if carries(&needle) => *inner,
            Scenario::Carrying { .. } => Scenario::Success,
            other => other,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_parse_from_their_names() {
        let parse = |s: &str| s.parse::<Scenario>();
        assert_eq!(parse("rate_limited"), Ok(Scenario::RateLimited));
        assert_eq!(parse("status:503*2"), Ok(Scenario::Status(503).times(2)));
        assert_eq!(
            parse("expired:act.new"),
            Ok(Scenario::ExpiredToken {
                fresh: Some("act.new".to_owned())
            })
        );
        assert_eq!(parse("expired"), Ok(Scenario::ExpiredToken { fresh: None }));
        assert_eq!(parse("code:2154"), Ok(Scenario::Code("2154".to_owned())));
        assert_eq!(
            parse("refused:captcha@sid=alice"),
            Ok(Scenario::Carrying {
                needle: "sid=alice".to_owned(),
                inner: Box::new(Scenario::Refused(douyin_core::RefusalKind::Captcha)),
            })
        );
        assert!(parse("empty@").is_err());
        let carrying = parse("empty@alice").unwrap();
        assert_eq!(
            RouteState::for_request(carrying.clone(), |n| n == "alice"),
            Scenario::EmptyBody
        );
        assert_eq!(
            RouteState::for_request(carrying, |_| false),
            Scenario::Success
        );
        assert_eq!(
            parse("delay:250"),
            Ok(Scenario::Delay(Duration::from_millis(250)))
        );
        assert_eq!(
            parse("pages:3:20"),
            Ok(Scenario::Pages {
                pages: 3,
                page_size: 20
            })
        );
        assert_eq!(
            parse("refused:captcha"),
            Ok(Scenario::Refused(douyin_core::RefusalKind::Captcha))
        );
        assert_eq!(
            parse("empty|html"),
            Ok(Scenario::Cycle(vec![Scenario::EmptyBody, Scenario::Html]))
        );
        for bad in [
            "nope",
            "status",
            "status:abc",
            "status:42",
            "pages:3",
            "empty:1",
            "example:-1",
            "html*x",
            "refused",
            "refused:maybe",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("nope").unwrap_err().contains("rate_limited"));
    }

    #[test]
    fn a_cycle_answers_in_turn() {
        let mut state = RouteState::new(Scenario::Cycle(vec![
            Scenario::Status(500),
            Scenario::Success,
        ]));
        let got: Vec<Scenario> = (0..5).map(|_| state.next()).collect();
        assert_eq!(
            got,
            [
                Scenario::Status(500),
                Scenario::Success,
                Scenario::Status(500),
                Scenario::Success,
                Scenario::Status(500)
            ]
        );
    }
}
