//! Retry policy: bounded attempts with exponential backoff and full jitter, and the server's `Retry-After`.

use std::time::{Duration, SystemTime};

/// Which failures are retried is decided by [`crate::Error::is_retryable`] (transport failures, timeouts, 5xx/429,
/// and codes the spec classes as retryable, rate-limited or server); this says how often and how long to wait.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = no retries).
    pub max_attempts: u32,
    /// Delay before the first retry, doubled for each further one.
    pub base_delay: Duration,
    /// Upper bound for one delay.
    pub max_delay: Duration,
    /// Randomise each delay between zero and its bound, so clients do not retry in lockstep.
    pub jitter: bool,
    /// The longest `Retry-After` (on 429/503) the client waits out; a longer one fails at once with
    /// [`crate::Error::RateLimited`], which says when to retry.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delay before retry number `attempt` (1-based: after the first failure).
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let bound = self.base_delay.saturating_mul(1 << exp).min(self.max_delay);
        if self.jitter {
            bound.mul_f64(fastrand::f64())
        } else {
            bound
        }
    }
}

/// When a `429`/`503` response said to retry, resolved against the time it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter {
    /// The moment retrying is allowed.
    pub at: SystemTime,
    /// How long that was from the response's arrival.
    pub wait: Duration,
}

impl RetryAfter {
    /// Reads a `Retry-After` value: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); `None` if it is neither.
    pub fn parse(value: &str, now: SystemTime) -> Option<RetryAfter> {
        let value = value.trim();
        if let Ok(secs) = value.parse::<u64>() {
            // Absurd values saturate at a century rather than overflow.
            let wait = Duration::from_secs(secs.min(100 * 365 * 86_400));
            return Some(RetryAfter {
                at: now + wait,
                wait,
            });
        }
        let at = httpdate::parse_http_date(value).ok()?;
        Some(RetryAfter {
            at,
            wait: at.duration_since(now).unwrap_or_default(),
        })
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt`: the backoff, or the server's `Retry-After` if that is longer (the
    /// caller has already refused one past [`RetryPolicy::max_retry_after`]).
    pub fn delay_with(&self, attempt: u32, retry_after: Option<RetryAfter>) -> Duration {
        let backoff = self.delay(attempt);
        retry_after.map_or(backoff, |r| r.wait.max(backoff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            jitter: false,
            ..RetryPolicy::default()
        };
        let delays: Vec<u128> = (1..=5).map(|a| p.delay(a).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 500, 500]);
    }

    #[test]
    fn jitter_stays_within_the_bound() {
        let p = RetryPolicy::default();
        for attempt in 1..6 {
            let bound = p
                .base_delay
                .saturating_mul(1 << (attempt - 1))
                .min(p.max_delay);
            assert!(p.delay(attempt) <= bound);
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Fri, 27 Nov 2026 16:00:00 GMT").unwrap();
        let in_an_hour = RetryAfter::parse("3600", now).unwrap();
        assert_eq!(in_an_hour.wait, Duration::from_secs(3600));
        assert_eq!(
            RetryAfter::parse("Fri, 27 Nov 2026 17:00:00 GMT", now),
            Some(in_an_hour)
        );
        let past = RetryAfter::parse("Fri, 27 Nov 2026 15:00:00 GMT", now).unwrap();
        assert_eq!(past.wait, Duration::ZERO);
        assert_eq!(RetryAfter::parse("soon", now), None);
        assert_eq!(RetryAfter::parse("-5", now), None);
    }

    #[test]
    fn a_retry_after_outwaits_the_backoff_and_never_shortens_it() {
        let p = RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        };
        let now = SystemTime::UNIX_EPOCH;
        let after = |s: &str| RetryAfter::parse(s, now);
        assert_eq!(p.delay_with(1, None), Duration::from_millis(200));
        assert_eq!(p.delay_with(1, after("2")), Duration::from_secs(2));
        assert_eq!(p.delay_with(1, after("0")), Duration::from_millis(200));
        assert_eq!(p.max_retry_after, Duration::from_secs(60));
    }
}
