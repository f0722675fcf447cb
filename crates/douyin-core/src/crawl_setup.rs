//! How a [`ClientBuilder`] is given identities and pacing, and how the client's retry loop talks to the
//! [`Crawl`] layer (risk signals of an outcome, an open breaker as [`Error::CircuitOpen`]).

use std::sync::Arc;

use crate::client::{ClientBuilder, Domain};
use crate::crawl::{Crawl, CrawlEvent, Member, Refused};
use crate::credentials::Credentials;
use crate::error::{BuildError, Error, ErrorCode};
use crate::identity::Identity;
use crate::pacing::{Pacer, RiskSignal};
use crate::request::{Operation, Position};

/// The identities and pacing a builder was given.
#[derive(Default)]
pub(crate) struct CrawlSetup {
    identities: Vec<Identity>,
    paced: bool,
    scale: Option<f64>,
    listener: Option<crate::crawl::Listener>,
}

impl CrawlSetup {
    /// The crawl layer, if the builder asked for one: each identity with its session parameters (its credentials'
    /// own, then the builder's) and its connection (a proxy gets its own client); without identities, the
    /// builder's own credentials are the one identity.
    pub(crate) fn build(
        self,
        credentials: &Arc<dyn Credentials>,
        session: &[(String, String, Position)],
        builder_session: &[(String, String, Position)],
        http: &reqwest::Client,
        http_builder: impl Fn() -> reqwest::ClientBuilder,
    ) -> Result<Option<Arc<Crawl>>, BuildError> {
        if !self.paced && self.identities.is_empty() {
            return Ok(None);
        }
        let mut members = Vec::new();
        for identity in self.identities {
            let mut own = identity.credentials.session_params();
            own.extend(builder_session.iter().cloned());
            let http = match identity.proxy {
                Some(proxy) => http_builder()
                    .proxy(proxy)
                    .build()
                    .map_err(BuildError::Http)?,
                None => http.clone(),
            };
            members.push(Member {
                label: identity.label,
                credentials: identity.credentials,
                session: own,
                http,
            });
        }
        if members.is_empty() {
            members.push(Member {
                label: "default".to_owned(),
                credentials: credentials.clone(),
                session: session.to_vec(),
                http: http.clone(),
            });
        }
        let pacer = Pacer::new(self.scale.unwrap_or(1.0));
        Ok(Some(Arc::new(Crawl::new(members, pacer, self.listener))))
    }
}

impl<D: Domain> ClientBuilder<D> {
    /// This builder's credentials as an identity called `label`, for another client's pool (a domain's generated
    /// `Client::configured` builds them from named values: a cookie, a user agent, …).
    pub fn into_identity(self, label: impl Into<String>) -> Identity {
        Identity {
            label: label.into(),
            credentials: self.credentials,
            proxy: None,
        }
    }

    /// Adds an identity: requests are spread over the identities given, each held to its operations' budgets
    /// ([`crate::pacing`]); one that gets a risk refusal rests and the request moves to another. Turns pacing on.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.crawl.identities.push(identity);
        self.crawl.paced = true;
        self
    }

    /// Holds requests to their operations' spec budgets, with cooldowns and circuit breakers, even with only the
    /// client's own credentials as its one identity.
    pub fn paced(mut self) -> Self {
        self.crawl.paced = true;
        self
    }

    /// Holds every budget at `factor` times its declared rate (default 1). Turns pacing on.
    pub fn pacing_scale(mut self, factor: f64) -> Self {
        self.crawl.scale = Some(factor);
        self.crawl.paced = true;
        self
    }

    /// Calls `listener` with every [`CrawlEvent`] (an identity resting, a breaker opening or closing) instead of
    /// logging it as a warning (`tracing`; debug level then).
    pub fn on_crawl_event(
        mut self,
        listener: impl Fn(&CrawlEvent) + Send + Sync + 'static,
    ) -> Self {
        self.crawl.listener = Some(Arc::new(listener));
        self
    }
}

/// The risk signal `result` is for `op`, if its pacing counts it.
pub(crate) fn risk<T, C: ErrorCode>(
    op: &Operation,
    result: &Result<T, Error<C>>,
) -> Option<RiskSignal> {
    match (op.pacing, result) {
        (Some(p), Err(e)) => p.risk(e),
        _ => None,
    }
}

impl Refused {
    /// The typed error of a request the breaker of `op` refused.
    pub(crate) fn error<C: ErrorCode>(self, op: &Operation) -> Error<C> {
        Error::CircuitOpen {
            operation: op.name,
            until: self.until,
            refusals: self.refusals,
            identities: self.identities,
        }
    }
}
