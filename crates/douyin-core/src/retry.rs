//! Retry policy: bounded attempts with exponential backoff and full jitter.

use std::time::Duration;

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
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            jitter: true,
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
}
