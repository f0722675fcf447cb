//! `pacing:` in a spec: how fast one identity may call an operation, which refusals are risk signals, how long a
//! refused identity rests and when an operation's circuit breaker opens. The domain gives the default of every
//! operation; an operation may override its budget and risk signals.

use serde::Deserialize;

/// `pacing:` of `domain.yaml`.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DomainPacing {
    /// Where the figures come from (a public project's measured rates, the documentation).
    pub source: String,
    /// Every operation's budget per identity unless it gives its own.
    pub budget: Budget,
    /// The refusals that mean an identity is flagged (it is cooled down and counts towards the breaker).
    pub risk_signals: Vec<RiskSignal>,
    pub cooldown: Cooldown,
    pub breaker: Breaker,
}

/// `pacing:` of an operation: what differs from the domain's.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OperationPacing {
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub budget: Option<Budget>,
    #[serde(default)]
    pub risk_signals: Option<Vec<RiskSignal>>,
}

/// Requests per second one identity may send, and how many may go at once after a rest.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub per_second: f64,
    #[serde(default = "one")]
    pub burst: u32,
}

fn one() -> u32 {
    1
}

/// A refusal that counts as a risk signal.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RiskSignal {
    /// The domain's captcha refusal (`envelope.refusals` of kind `captcha`).
    Captcha,
    /// The domain's login-wall refusal.
    Login,
    /// HTTP 200 with an empty body.
    EmptyBody,
    /// An HTML or JavaScript challenge page instead of JSON.
    Challenge,
    /// HTTP 429, a long `Retry-After` or a code of class `rate_limited`.
    RateLimited,
}

impl RiskSignal {
    /// The variant of `douyin_core::pacing::RiskSignal`.
    pub fn variant(self) -> &'static str {
        match self {
            RiskSignal::Captcha => "Captcha",
            RiskSignal::Login => "Login",
            RiskSignal::EmptyBody => "EmptyBody",
            RiskSignal::Challenge => "Challenge",
            RiskSignal::RateLimited => "RateLimited",
        }
    }

    /// As specs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskSignal::Captcha => "captcha",
            RiskSignal::Login => "login",
            RiskSignal::EmptyBody => "empty_body",
            RiskSignal::Challenge => "challenge",
            RiskSignal::RateLimited => "rate_limited",
        }
    }
}

/// How long an identity rests after a risk refusal: `initial_seconds`, doubled for each further one in a row, at
/// most `max_seconds`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cooldown {
    pub initial_seconds: f64,
    pub max_seconds: f64,
}

/// An operation's breaker opens after `refusals` risk refusals from at least `identities` distinct identities within
/// `window_seconds`, stays open `open_seconds`, then lets one probe through.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Breaker {
    pub refusals: u32,
    pub identities: u32,
    pub window_seconds: f64,
    pub open_seconds: f64,
}

/// An operation's pacing with the domain's defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacing {
    pub budget: Budget,
    pub risk_signals: Vec<RiskSignal>,
    pub cooldown: Cooldown,
    pub breaker: Breaker,
}

impl Pacing {
    /// The resolved pacing of an operation of a domain with `domain` pacing.
    pub fn resolve(domain: &DomainPacing, op: Option<&OperationPacing>) -> Pacing {
        Pacing {
            budget: op.and_then(|o| o.budget).unwrap_or(domain.budget),
            risk_signals: op
                .and_then(|o| o.risk_signals.clone())
                .unwrap_or_else(|| domain.risk_signals.clone()),
            cooldown: domain.cooldown,
            breaker: domain.breaker,
        }
    }

    /// One line for reviews (`xtask diff`): `0.3/s (burst 1); risk: captcha, login; cooldown 60–1800 s; breaker …`.
    pub fn summary(&self) -> String {
        let risks: Vec<&str> = self.risk_signals.iter().map(|r| r.as_str()).collect();
        let (c, b) = (self.cooldown, self.breaker);
        format!(
            "{}/s per identity (burst {}); risk signals: {}; cooldown {}–{} s; breaker: {} refusals from {} identities \
             within {} s, open {} s",
            self.budget.per_second,
            self.budget.burst,
            if risks.is_empty() { "none".to_owned() } else { risks.join(", ") },
            c.initial_seconds,
            c.max_seconds,
            b.refusals,
            b.identities,
            b.window_seconds,
            b.open_seconds
        )
    }

    /// What is wrong with the figures, as `(key path, message)`.
    pub fn problems(&self) -> Vec<(&'static [&'static str], String)> {
        let mut out: Vec<(&'static [&'static str], String)> = Vec::new();
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(self.budget.per_second) {
            out.push((
                &["budget", "per_second"],
                "a budget is a number of requests per second above 0".into(),
            ));
        }
        if self.budget.burst == 0 {
            out.push((
                &["budget", "burst"],
                "a burst lets at least 1 request through".into(),
            ));
        }
        let c = self.cooldown;
        if !positive(c.initial_seconds)
            || !positive(c.max_seconds)
            || c.max_seconds < c.initial_seconds
        {
            out.push((
                &["cooldown"],
                "cooldown seconds are above 0, max_seconds ≥ initial_seconds".into(),
            ));
        }
        let b = self.breaker;
        if b.refusals == 0 || b.identities == 0 || b.identities > b.refusals {
            out.push((
                &["breaker"],
                "a breaker needs refusals ≥ identities ≥ 1".into(),
            ));
        }
        if !positive(b.window_seconds) || !positive(b.open_seconds) {
            out.push((
                &["breaker"],
                "breaker window_seconds and open_seconds are above 0".into(),
            ));
        }
        out
    }
}
