//! A circuit breaker per operation: it opens after the spec's number of risk refusals from enough distinct
//! identities within its window ([`crate::pacing::BreakerRule`]), stays open for its time, then lets one probe
//! through (half-open) and closes when the probe succeeds.

use std::collections::VecDeque;
use std::time::Instant;

use crate::pacing::BreakerRule;

/// Where a breaker stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BreakerState {
    /// Requests go through.
    Closed,
    /// Requests fail at once until then.
    Open {
        /// When a probe may go.
        until: Instant,
    },
    /// One probe is on its way; the others wait for its outcome.
    HalfOpen,
}

/// What a breaker says about a request now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Go.
    Go,
    /// Go as the half-open probe.
    Probe,
    /// Refused until then (a probe in flight: until it ends, reported as now).
    Refused(Instant),
}

/// One operation's breaker.
#[derive(Debug)]
pub(crate) struct Breaker {
    rule: BreakerRule,
    state: BreakerState,
    /// Risk refusals within the window: when, and which identity.
    refusals: VecDeque<(Instant, usize)>,
}

impl Breaker {
    pub(crate) fn new(rule: BreakerRule) -> Self {
        Breaker {
            rule,
            state: BreakerState::Closed,
            refusals: VecDeque::new(),
        }
    }

    pub(crate) fn state(&self) -> BreakerState {
        self.state
    }

    /// Whether a request may go at `now`; an open breaker whose time is up lets this one through as the probe.
    pub(crate) fn admit(&mut self, now: Instant) -> Admission {
        match self.state {
            BreakerState::Closed => Admission::Go,
            BreakerState::Open { until } if now < until => Admission::Refused(until),
            BreakerState::Open { .. } => {
                self.state = BreakerState::HalfOpen;
                Admission::Probe
            }
            BreakerState::HalfOpen => Admission::Refused(now),
        }
    }

    /// A success: a probe's closes the breaker.
    pub(crate) fn success(&mut self, probe: bool) -> bool {
        if probe && self.state == BreakerState::HalfOpen {
            self.state = BreakerState::Closed;
            self.refusals.clear();
            return true;
        }
        false
    }

    /// A probe that ended without an answer either way (a transport error): the next request probes again.
    pub(crate) fn probe_abandoned(&mut self, now: Instant) {
        if self.state == BreakerState::HalfOpen {
            self.state = BreakerState::Open { until: now };
        }
    }

    /// A risk refusal from `identity` at `now`; returns the moment the breaker opened until, if it opened (a failed
    /// probe reopens it at once).
    pub(crate) fn refusal(&mut self, now: Instant, identity: usize) -> Option<Instant> {
        self.refusals.push_back((now, identity));
        while let Some(&(at, _)) = self.refusals.front() {
            if now.duration_since(at) > self.rule.window {
                self.refusals.pop_front();
            } else {
                break;
            }
        }
        // Bounded whatever the rule: only the latest refusals can matter.
        let keep = self.rule.refusals.max(self.rule.identities).max(1) as usize * 4;
        while self.refusals.len() > keep {
            self.refusals.pop_front();
        }
        let tripped = match self.state {
            BreakerState::HalfOpen => true,
            BreakerState::Open { .. } => false,
            BreakerState::Closed => {
                let (count, distinct) = self.counts();
                count >= self.rule.refusals && distinct >= self.rule.identities
            }
        };
        if tripped {
            let until = now + self.rule.open_for;
            self.state = BreakerState::Open { until };
            return Some(until);
        }
        None
    }

    /// Refusals in the window and distinct identities among them.
    pub(crate) fn counts(&self) -> (u32, u32) {
        let mut ids: Vec<usize> = self.refusals.iter().map(|&(_, i)| i).collect();
        ids.sort_unstable();
        ids.dedup();
        (self.refusals.len() as u32, ids.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn rule() -> BreakerRule {
        BreakerRule::new(3, 2, Duration::from_secs(60), Duration::from_secs(300))
    }

    #[test]
    fn opens_only_with_enough_refusals_from_enough_identities() {
        let t = Instant::now();
        let mut b = Breaker::new(rule());
        assert_eq!(b.refusal(t, 0), None);
        assert_eq!(b.refusal(t, 0), None);
        // Three refusals, but from one identity: that identity is flagged, not the endpoint.
        assert_eq!(b.refusal(t, 0), None);
        let until = b
            .refusal(t, 1)
            .expect("4 refusals from 2 identities open it");
        assert_eq!(until, t + Duration::from_secs(300));
        assert_eq!(b.admit(t), Admission::Refused(until));
    }

    #[test]
    fn refusals_outside_the_window_do_not_count() {
        let t = Instant::now();
        let mut b = Breaker::new(rule());
        b.refusal(t, 0);
        b.refusal(t, 1);
        assert_eq!(b.refusal(t + Duration::from_secs(61), 2), None);
        assert_eq!(b.counts(), (1, 1));
    }

    #[test]
    fn a_probe_closes_on_success_and_reopens_on_refusal() {
        let t = Instant::now();
        let mut b = Breaker::new(rule());
        for id in [0, 1, 2] {
            b.refusal(t, id);
        }
        let later = t + Duration::from_secs(301);
        assert_eq!(b.admit(later), Admission::Probe);
        assert_eq!(
            b.admit(later),
            Admission::Refused(later),
            "one probe at a time"
        );
        assert_eq!(b.refusal(later, 0), Some(later + Duration::from_secs(300)));
        let again = later + Duration::from_secs(301);
        assert_eq!(b.admit(again), Admission::Probe);
        assert!(b.success(true));
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.admit(again), Admission::Go);
    }
}
