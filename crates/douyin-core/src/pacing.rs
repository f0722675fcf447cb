//! Pacing as the specs declare it ([`Pacing`] on each [`crate::Operation`]): a request budget per identity, the
//! refusals that are risk signals, the cooldown of a refused identity and the circuit breaker's rule; and
//! [`Pacer`], the token buckets per (identity, operation) that enforce the budgets (the `governor` crate's GCRA).
//!
//! A client paces itself when built with [`crate::ClientBuilder::paced`] or with identities
//! ([`crate::ClientBuilder::identity`]); [`Pacer`] also works alone, for callers that schedule requests themselves.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::error::{BlockedKind, Error, ErrorClass, ErrorCode, RefusalKind};
use crate::request::Operation;

/// Requests per second one identity may send to one operation, and how many may go at once after a rest.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Budget {
    /// The sustained rate.
    pub per_second: f64,
    /// Requests allowed back to back (at least 1).
    pub burst: u32,
}

impl Budget {
    /// A budget of `per_second` requests per second with bursts of `burst` (0 counts as 1).
    pub const fn new(per_second: f64, burst: u32) -> Self {
        Budget { per_second, burst }
    }

    /// The same budget `factor` times as fast (a factor that is not a positive number leaves it as it is).
    pub fn scaled(self, factor: f64) -> Self {
        let ok = factor.is_finite() && factor > 0.0;
        Budget {
            per_second: if ok {
                self.per_second * factor
            } else {
                self.per_second
            },
            burst: self.burst,
        }
    }

    fn quota(self) -> Quota {
        // The spec checks the rate is above 0; a rate too small for a Duration waits a day per request.
        let period = Duration::try_from_secs_f64(1.0 / self.per_second)
            .unwrap_or(Duration::from_secs(86_400))
            .max(Duration::from_nanos(1));
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// A refusal that means the identity is flagged: it is cooled down and counts towards the operation's breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RiskSignal {
    /// A body asking for a captcha ([`BlockedKind::Refused`] of kind [`RefusalKind::Captcha`]).
    Captcha,
    /// A body asking for a signed-in session.
    Login,
    /// HTTP 200 with an empty body.
    EmptyBody,
    /// An HTML or JavaScript challenge page.
    Challenge,
    /// HTTP 429, a `Retry-After` longer than the retry policy waits, or a code of class `rate_limited`.
    RateLimited,
}

impl RiskSignal {
    /// The signal as specs spell it (`captcha`, `empty_body`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskSignal::Captcha => "captcha",
            RiskSignal::Login => "login",
            RiskSignal::EmptyBody => "empty_body",
            RiskSignal::Challenge => "challenge",
            RiskSignal::RateLimited => "rate_limited",
        }
    }

    /// The signal `error` is, whether or not an operation counts it.
    pub fn of<C: ErrorCode>(error: &Error<C>) -> Option<RiskSignal> {
        Some(match error {
            Error::Blocked(BlockedKind::EmptyBody) => RiskSignal::EmptyBody,
            Error::Blocked(BlockedKind::Challenge { .. }) => RiskSignal::Challenge,
            Error::Blocked(BlockedKind::Refused { kind, .. }) => match kind {
                RefusalKind::Captcha => RiskSignal::Captcha,
                RefusalKind::Login => RiskSignal::Login,
            },
            Error::RateLimited { .. } | Error::Status { status: 429, .. } => {
                RiskSignal::RateLimited
            }
            Error::Api(api) if api.class() == ErrorClass::RateLimited => RiskSignal::RateLimited,
            _ => return None,
        })
    }
}

impl std::fmt::Display for RiskSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long an identity rests after a risk refusal: `initial`, doubled for each further refusal in a row, at most
/// `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cooldown {
    /// The first rest.
    pub initial: Duration,
    /// The longest rest.
    pub max: Duration,
}

impl Cooldown {
    /// A cooldown from `initial` up to `max`.
    pub const fn new(initial: Duration, max: Duration) -> Self {
        Cooldown { initial, max }
    }

    /// The rest after the `strikes`-th refusal in a row (1-based).
    pub fn after(self, strikes: u32) -> Duration {
        let doublings = strikes.saturating_sub(1).min(30);
        self.initial.saturating_mul(1 << doublings).min(self.max)
    }
}

/// When an operation's circuit breaker opens: `refusals` risk refusals from at least `identities` distinct
/// identities within `window`; it stays open `open_for`, then lets one probe through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BreakerRule {
    /// Risk refusals within the window.
    pub refusals: u32,
    /// Distinct identities among them.
    pub identities: u32,
    /// How far back refusals count.
    pub window: Duration,
    /// How long the breaker stays open before a probe.
    pub open_for: Duration,
}

impl BreakerRule {
    /// The rule with these figures.
    pub const fn new(refusals: u32, identities: u32, window: Duration, open_for: Duration) -> Self {
        BreakerRule {
            refusals,
            identities,
            window,
            open_for,
        }
    }
}

/// An operation's pacing, generated from its spec (the domain's `pacing:` with the operation's overrides).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Pacing {
    /// The budget of one identity.
    pub budget: Budget,
    /// The refusals that count as risk signals.
    pub risk_signals: &'static [RiskSignal],
    /// The rest of a refused identity.
    pub cooldown: Cooldown,
    /// When the operation's breaker opens.
    pub breaker: BreakerRule,
}

impl Pacing {
    /// Pacing from its parts.
    pub const fn new(
        budget: Budget,
        risk_signals: &'static [RiskSignal],
        cooldown: Cooldown,
        breaker: BreakerRule,
    ) -> Self {
        Pacing {
            budget,
            risk_signals,
            cooldown,
            breaker,
        }
    }

    /// The same pacing with another budget (an operation's own, over its domain's).
    pub const fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// The same pacing with other risk signals (an operation's own, over its domain's).
    pub const fn with_risk_signals(mut self, risk_signals: &'static [RiskSignal]) -> Self {
        self.risk_signals = risk_signals;
        self
    }

    /// The risk signal `error` is for this operation, if its spec counts it.
    pub fn risk<C: ErrorCode>(&self, error: &Error<C>) -> Option<RiskSignal> {
        RiskSignal::of(error).filter(|s| self.risk_signals.contains(s))
    }
}

type Buckets = RateLimiter<usize, HashMapStateStore<usize>, DefaultClock>;

/// Token buckets per (identity, operation): identity `i` may call operation `op` at `op.pacing`'s budget (times the
/// pacer's scale). Operations without pacing are never held. Cheap to clone; clones share the buckets.
#[derive(Clone)]
pub struct Pacer {
    scale: f64,
    clock: DefaultClock,
    buckets: Arc<Mutex<HashMap<&'static str, Arc<Buckets>>>>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("scale", &self.scale)
            .finish_non_exhaustive()
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(1.0)
    }
}

impl Pacer {
    /// A pacer holding every budget at `scale` times its declared rate (1.0: as the spec says).
    pub fn new(scale: f64) -> Self {
        Pacer {
            scale,
            clock: DefaultClock::default(),
            buckets: Arc::default(),
        }
    }

    /// The rate the pacer holds `op` to, per identity, if `op` is paced.
    pub fn budget(&self, op: &Operation) -> Option<Budget> {
        op.pacing.map(|p| p.budget.scaled(self.scale))
    }

    /// Takes a token for (`identity`, `op`) if one is there now; otherwise how long until one is.
    pub fn try_take(&self, identity: usize, op: &'static Operation) -> Result<(), Duration> {
        let Some(budget) = self.budget(op) else {
            return Ok(());
        };
        let buckets = {
            let mut all = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
            all.entry(op.name)
                .or_insert_with(|| Arc::new(RateLimiter::hashmap(budget.quota())))
                .clone()
        };
        buckets
            .check_key(&identity)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Waits until (`identity`, `op`) has a token, and takes it.
    pub async fn until_ready(&self, identity: usize, op: &'static Operation) {
        while let Err(wait) = self.try_take(identity, op) {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Method;

    static PACED: Operation = Operation {
        name: "paced",
        method: Method::Get,
        path: "/p",
        base_url: None,
        signing: &[],
        pacing: Some(Pacing::new(
            Budget::new(0.5, 2),
            &[RiskSignal::Captcha],
            Cooldown::new(Duration::from_secs(10), Duration::from_secs(25)),
            BreakerRule::new(3, 2, Duration::from_secs(60), Duration::from_secs(60)),
        )),
    };
    static FREE: Operation = Operation {
        name: "free",
        method: Method::Get,
        path: "/f",
        base_url: None,
        signing: &[],
        pacing: None,
    };

    #[test]
    fn each_identity_has_its_own_bucket_per_operation() {
        let pacer = Pacer::new(1.0);
        // A burst of 2, then a wait of up to one period (2 s at 0.5/s) for the same identity only.
        assert_eq!(pacer.try_take(0, &PACED), Ok(()));
        assert_eq!(pacer.try_take(0, &PACED), Ok(()));
        let wait = pacer.try_take(0, &PACED).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert_eq!(pacer.try_take(1, &PACED), Ok(()));
        // Unpaced operations are never held.
        for _ in 0..100 {
            assert_eq!(pacer.try_take(0, &FREE), Ok(()));
        }
        assert_eq!(
            Pacer::new(4.0).budget(&PACED).map(|b| b.per_second),
            Some(2.0)
        );
    }

    #[test]
    fn cooldown_doubles_up_to_its_maximum() {
        let c = Cooldown::new(Duration::from_secs(10), Duration::from_secs(25));
        let rests: Vec<u64> = (1..=4).map(|n| c.after(n).as_secs()).collect();
        assert_eq!(rests, [10, 20, 25, 25]);
    }

    #[derive(Clone, Debug, PartialEq)]
    struct NoCode;

    impl ErrorCode for NoCode {
        fn from_raw(_: &str) -> Self {
            NoCode
        }
        fn raw(&self) -> &str {
            ""
        }
        fn name(&self) -> &'static str {
            "Unknown"
        }
        fn meaning(&self) -> Option<&'static str> {
            None
        }
        fn class(&self) -> ErrorClass {
            ErrorClass::Other
        }
    }

    #[test]
    fn only_the_signals_an_operation_counts_are_risks() {
        type E = Error<NoCode>;
        let captcha: E = Error::Blocked(BlockedKind::Refused {
            kind: RefusalKind::Captcha,
            evidence: String::new(),
        });
        let empty: E = Error::Blocked(BlockedKind::EmptyBody);
        let pacing = PACED.pacing.unwrap();
        assert_eq!(pacing.risk(&captcha), Some(RiskSignal::Captcha));
        assert_eq!(RiskSignal::of(&empty), Some(RiskSignal::EmptyBody));
        assert_eq!(pacing.risk(&empty), None);
    }
}
