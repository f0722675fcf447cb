//! The crawl layer of a client: its identities, the [`Pacer`] holding each (identity, operation) to its budget,
//! the cooldown of identities that got a risk refusal, and a circuit breaker per operation. A client built with
//! [`crate::ClientBuilder::paced`] or identities asks it for a seat before each attempt and tells it the outcome;
//! what happens is reported through [`CrawlEvent`]s and [`Crawl::status`].

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::breaker::{Admission, Breaker, BreakerState};
use crate::credentials::Credentials;
use crate::pacing::{Pacer, RiskSignal};
use crate::request::{Operation, Position};

/// Something the crawl layer did, for progress lines and logs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CrawlEvent {
    /// An identity got a risk refusal and rests.
    CooledDown {
        /// Its label.
        identity: String,
        /// The operation refused.
        operation: &'static str,
        /// What the refusal was.
        signal: RiskSignal,
        /// How long it rests.
        rest: Duration,
        /// Refusals in a row so far (the rest doubles with each).
        strikes: u32,
    },
    /// Every identity rests: the operation waits until the first is back.
    AllResting {
        /// The operation waiting.
        operation: &'static str,
        /// How long.
        wait: Duration,
    },
    /// An operation's breaker opened.
    BreakerOpened {
        /// The operation.
        operation: &'static str,
        /// Until when it refuses requests.
        until: SystemTime,
        /// Risk refusals in its window.
        refusals: u32,
        /// Distinct identities among them.
        identities: u32,
    },
    /// An open breaker lets one probe through.
    BreakerProbing {
        /// The operation.
        operation: &'static str,
    },
    /// A probe succeeded: the breaker closed.
    BreakerClosed {
        /// The operation.
        operation: &'static str,
    },
}

impl fmt::Display for CrawlEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrawlEvent::CooledDown {
                identity,
                operation,
                signal,
                rest,
                strikes,
            } => write!(
                f,
                "identity {identity} refused ({signal}) by {operation}: resting {} s (refusal {strikes} in a row)",
                rest.as_secs_f64().ceil()
            ),
            CrawlEvent::AllResting { operation, wait } => write!(
                f,
                "{operation}: every identity rests; waiting {} s",
                wait.as_secs_f64().ceil()
            ),
            CrawlEvent::BreakerOpened {
                operation,
                until,
                refusals,
                identities,
            } => write!(
                f,
                "circuit breaker of {operation} open until {} ({refusals} risk refusals from {identities} identities)",
                humantime::format_rfc3339_seconds(*until)
            ),
            CrawlEvent::BreakerProbing { operation } => {
                write!(f, "circuit breaker of {operation} half-open: one probe")
            }
            CrawlEvent::BreakerClosed { operation } => {
                write!(f, "circuit breaker of {operation} closed")
            }
        }
    }
}

/// A breaker that refused a request: the operation and until when ([`crate::Error::CircuitOpen`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Refused {
    pub until: SystemTime,
    pub refusals: u32,
    pub identities: u32,
}

/// One identity as the client sends with it.
pub(crate) struct Member {
    pub label: String,
    pub credentials: Arc<dyn Credentials>,
    pub session: Vec<(String, String, Position)>,
    pub http: reqwest::Client,
}

/// Which identity an attempt goes out with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seat {
    pub index: usize,
    /// The attempt is its breaker's half-open probe.
    pub probe: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    until: Option<Instant>,
    strikes: u32,
}

#[derive(Default)]
struct State {
    rests: Vec<Rest>,
    breakers: HashMap<&'static str, Breaker>,
}

/// Where an identity stands ([`Crawl::status`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdentityStatus {
    /// Its label.
    pub label: String,
    /// Until when it rests, if it does.
    pub resting_until: Option<SystemTime>,
    /// Risk refusals in a row.
    pub strikes: u32,
}

/// Where the identities and breakers stand.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrawlStatus {
    /// Every identity, in pool order.
    pub identities: Vec<IdentityStatus>,
    /// Operations whose breaker is not closed, with until when it is open (`None`: half-open, probing).
    pub open_breakers: Vec<(&'static str, Option<SystemTime>)>,
}

/// A callback receiving [`CrawlEvent`]s.
pub type Listener = Arc<dyn Fn(&CrawlEvent) + Send + Sync>;

/// The identities, buckets, rests and breakers a paced client shares among its clones.
pub struct Crawl {
    members: Vec<Member>,
    pacer: Pacer,
    state: Mutex<State>,
    next: AtomicUsize,
    listener: Option<Listener>,
}

impl fmt::Debug for Crawl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels: Vec<&str> = self.members.iter().map(|m| m.label.as_str()).collect();
        f.debug_struct("Crawl")
            .field("identities", &labels)
            .field("pacer", &self.pacer)
            .finish_non_exhaustive()
    }
}

/// `at` (a monotonic instant) as wall-clock time.
fn wall(at: Instant, now: Instant) -> SystemTime {
    SystemTime::now() + at.saturating_duration_since(now)
}

impl Crawl {
    pub(crate) fn new(members: Vec<Member>, pacer: Pacer, listener: Option<Listener>) -> Self {
        let state = State {
            rests: vec![Rest::default(); members.len()],
            breakers: HashMap::new(),
        };
        Crawl {
            members,
            pacer,
            state: Mutex::new(state),
            next: AtomicUsize::new(0),
            listener,
        }
    }

    /// How many identities take turns.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are none (never: a client's crawl layer has at least its own credentials).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub(crate) fn member(&self, seat: Seat) -> &Member {
        &self.members[seat.index]
    }

    /// The pacer holding the budgets.
    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    /// The identities' labels, in pool order.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|m| m.label.as_str())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reports `event` to the listener, or as a warning when there is none.
    fn emit(&self, event: CrawlEvent) {
        match &self.listener {
            Some(listener) => {
                tracing::debug!("{event}");
                listener(&event);
            }
            None => tracing::warn!("{event}"),
        }
    }

    /// Where identities and breakers stand now.
    pub fn status(&self) -> CrawlStatus {
        let now = Instant::now();
        let state = self.lock();
        let identities = self
            .members
            .iter()
            .zip(&state.rests)
            .map(|(m, r)| IdentityStatus {
                label: m.label.clone(),
                resting_until: r.until.filter(|u| *u > now).map(|u| wall(u, now)),
                strikes: r.strikes,
            })
            .collect();
        let mut open_breakers: Vec<_> = state
            .breakers
            .iter()
            .filter_map(|(op, b)| match b.state() {
                BreakerState::Closed => None,
                BreakerState::Open { until } => Some((*op, Some(wall(until, now)))),
                BreakerState::HalfOpen => Some((*op, None)),
            })
            .collect();
        open_breakers.sort_by_key(|(op, _)| *op);
        CrawlStatus {
            identities,
            open_breakers,
        }
    }

    /// The identity the next attempt of `op` goes out with, once its bucket has a token: identities take turns,
    /// resting ones sit out, and an open breaker refuses at once.
    pub(crate) async fn seat(&self, op: &'static Operation) -> Result<Seat, Refused> {
        let n = self.members.len();
        loop {
            let now = Instant::now();
            let (probe, ready, soonest_rest) = {
                let mut state = self.lock();
                let probe = match op.pacing {
                    None => false,
                    Some(p) => {
                        let breaker = state
                            .breakers
                            .entry(op.name)
                            .or_insert_with(|| Breaker::new(p.breaker));
                        match breaker.admit(now) {
                            Admission::Go => false,
                            Admission::Probe => true,
                            Admission::Refused(until) => {
                                let (refusals, identities) = breaker.counts();
                                return Err(Refused {
                                    until: wall(until, now),
                                    refusals,
                                    identities,
                                });
                            }
                        }
                    }
                };
                let start = self.next.fetch_add(1, Ordering::Relaxed);
                let order = (0..n).map(|k| (start + k) % n);
                let ready: Vec<usize> = match op.pacing {
                    // Unpaced operations (another host's bootstrap) ignore rests: nothing is judged there.
                    None => order.collect(),
                    Some(_) => order
                        .filter(|&i| state.rests[i].until.is_none_or(|u| u <= now))
                        .collect(),
                };
                let soonest = state.rests.iter().filter_map(|r| r.until).min();
                (probe, ready, soonest)
            };
            if probe {
                self.emit(CrawlEvent::BreakerProbing { operation: op.name });
            }
            let mut wait = None::<Duration>;
            for &i in &ready {
                match self.pacer.try_take(i, op) {
                    Ok(()) => return Ok(Seat { index: i, probe }),
                    Err(w) => wait = Some(wait.map_or(w, |x: Duration| x.min(w))),
                }
            }
            // A probe that found no token gives the probe back, so the next round may take it.
            if probe {
                if let Some(b) = self.lock().breakers.get_mut(op.name) {
                    b.probe_abandoned(now);
                }
            }
            let wait = match (wait, ready.is_empty()) {
                (Some(w), _) => w,
                (None, _) => {
                    let w = soonest_rest.map_or(Duration::from_millis(100), |u| {
                        u.saturating_duration_since(now)
                    });
                    self.emit(CrawlEvent::AllResting {
                        operation: op.name,
                        wait: w,
                    });
                    w
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Whether another identity than `seat`'s could take `op` now (not resting), so a risk-refused attempt moves
    /// to it instead of failing.
    pub(crate) fn another_ready(&self, seat: Seat) -> bool {
        let now = Instant::now();
        let state = self.lock();
        state
            .rests
            .iter()
            .enumerate()
            .any(|(i, r)| i != seat.index && r.until.is_none_or(|u| u <= now))
    }

    /// Records an attempt's outcome: `risk` if it was a risk refusal `op` counts, `answered` if the service
    /// answered otherwise (a success or an ordinary error). Returns the breaker's refusal if this opened it.
    pub(crate) fn outcome(
        &self,
        seat: Seat,
        op: &'static Operation,
        risk: Option<RiskSignal>,
        answered: bool,
    ) -> Option<Refused> {
        let pacing = op.pacing?;
        let now = Instant::now();
        let mut events = Vec::new();
        let mut opened = None;
        {
            let mut state = self.lock();
            let breaker = state
                .breakers
                .entry(op.name)
                .or_insert_with(|| Breaker::new(pacing.breaker));
            match risk {
                Some(signal) => {
                    if let Some(until) = breaker.refusal(now, seat.index) {
                        let (refusals, identities) = breaker.counts();
                        let refused = Refused {
                            until: wall(until, now),
                            refusals,
                            identities,
                        };
                        opened = Some(refused);
                        events.push(CrawlEvent::BreakerOpened {
                            operation: op.name,
                            until: refused.until,
                            refusals,
                            identities,
                        });
                    }
                    let rest = &mut state.rests[seat.index];
                    rest.strikes += 1;
                    let wait = pacing.cooldown.after(rest.strikes);
                    rest.until = Some(now + wait);
                    events.insert(
                        0,
                        CrawlEvent::CooledDown {
                            identity: self.members[seat.index].label.clone(),
                            operation: op.name,
                            signal,
                            rest: wait,
                            strikes: rest.strikes,
                        },
                    );
                }
                None if answered => {
                    if breaker.success(seat.probe) {
                        events.push(CrawlEvent::BreakerClosed { operation: op.name });
                    }
                    state.rests[seat.index] = Rest::default();
                }
                None => {
                    if seat.probe {
                        breaker.probe_abandoned(now);
                    }
                }
            }
        }
        for e in events {
            self.emit(e);
        }
        opened
    }
}
