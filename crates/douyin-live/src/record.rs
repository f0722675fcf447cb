//! The recording loop: ask the [`StreamSource`] where the stream is, pull it (FLV or HLS) into rotating parts,
//! and on a dropped connection ask again and continue in a new part after a backoff, until the stream ends, the
//! caller stops it, or too many attempts in a row fail. With `wait`, an offline room is polled until it goes live.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use douyin_core::BoxFuture;
use douyin_web::live::StreamFormat;

use crate::parts::{Part, Parts, Rotation};
use crate::session::{self, Outcome};

/// Where the stream is now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolved {
    /// On air at `url`.
    Live {
        /// The stream address.
        url: String,
        /// Its container.
        format: StreamFormat,
    },
    /// Not on air; `reason` says why in words.
    Offline {
        /// Why (the room's own words where it has them).
        reason: String,
    },
}

/// Why a [`StreamSource`] could not say where the stream is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceError {
    /// Worth asking again after a backoff (a network error, a refused request).
    Retry(String),
    /// Asking again will not help (the asked quality is not offered): the recording fails with it.
    Fatal(String),
}

/// Something that knows where a stream is: a room asked again on every connection (so a changed host is
/// followed), or a fixed address.
pub trait StreamSource: Send + Sync {
    /// Where the stream is now. [`SourceError::Retry`] is retried with backoff like a dropped connection.
    fn resolve(&self) -> BoxFuture<'_, Result<Resolved, SourceError>>;
}

/// A fixed stream address that is always "live"; the stream's own end (a clean end or 404 after data) ends it.
#[derive(Debug, Clone)]
pub struct FixedUrl {
    /// The address.
    pub url: String,
    /// Its container.
    pub format: StreamFormat,
}

impl StreamSource for FixedUrl {
    fn resolve(&self) -> BoxFuture<'_, Result<Resolved, SourceError>> {
        Box::pin(async move {
            Ok(Resolved::Live {
                url: self.url.clone(),
                format: self.format,
            })
        })
    }
}

/// How a recording runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordOptions {
    /// The output directory.
    pub dir: PathBuf,
    /// File names are `<prefix>_<NNN>.flv|ts`.
    pub prefix: String,
    /// When to start a new part.
    pub rotation: Rotation,
    /// Poll an offline room (with backoff) until it goes live, instead of failing.
    pub wait: bool,
    /// First pause after a failure or an offline answer; doubled each time up to `max_backoff`.
    pub backoff: Duration,
    /// The longest pause.
    pub max_backoff: Duration,
    /// Failed attempts in a row (no byte received) before giving up.
    pub max_failures: u32,
    /// A connection that sends nothing for this long counts as dropped.
    pub idle_timeout: Duration,
}

impl RecordOptions {
    /// Defaults: parts `<prefix>_000.flv` in `dir`, no rotation, no waiting, backoff 1 s → 60 s, 10 failures, 20 s idle.
    pub fn new(dir: impl Into<PathBuf>, prefix: impl Into<String>) -> RecordOptions {
        RecordOptions {
            dir: dir.into(),
            prefix: prefix.into(),
            rotation: Rotation::default(),
            wait: false,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_failures: 10,
            idle_timeout: Duration::from_secs(20),
        }
    }
}

/// What the recorder reports while it runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// The room is offline; the next look is after `retry_in`.
    Waiting {
        /// Why it is offline.
        reason: String,
        /// The pause before asking again.
        retry_in: Duration,
    },
    /// Connected to `url`.
    Connected {
        /// The stream address.
        url: String,
    },
    /// A new part was opened.
    PartOpened {
        /// Where it is.
        path: PathBuf,
        /// Where it starts on the recording's timeline.
        starts_at: Duration,
    },
    /// Written so far, over the whole recording.
    Progress {
        /// Bytes in every part.
        bytes: u64,
        /// Media time in every part.
        duration: Duration,
    },
    /// The connection dropped or failed; the recorder retries after `retry_in`.
    Dropped {
        /// What happened.
        error: String,
        /// The pause before reconnecting.
        retry_in: Duration,
    },
}

/// Why a recording stopped without a stream end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The room is not live and `wait` is off.
    #[error("{0}")]
    NotLive(String),
    /// The source cannot give an address that would help (a quality the room does not offer).
    #[error("{0}")]
    Source(String),
    /// Attempts kept failing.
    #[error("gave up after {attempts} failed attempts in a row; last: {last}")]
    GaveUp {
        /// How many.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// Writing a part failed.
    #[error("writing the recording: {0}")]
    Io(#[from] std::io::Error),
}

/// How a recording ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ending {
    /// The stream ended (the room went offline, or the stream said so).
    StreamEnded,
    /// The caller's stop signal (Ctrl-C).
    Stopped,
}

/// A finished recording.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Recording {
    /// The parts, in order, each playable on its own.
    pub parts: Vec<Part>,
    /// How it ended.
    pub ending: Ending,
    /// Connections that dropped and were resumed in a new part.
    pub reconnects: u32,
}

/// A stop signal: recording ends cleanly (parts closed whole) when it completes.
pub type Stop = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Records from `source` until the stream ends, `stop` completes, or attempts keep failing.
pub async fn record(
    client: &reqwest::Client,
    source: &dyn StreamSource,
    options: &RecordOptions,
    mut stop: Stop,
    on_event: &mut (dyn FnMut(Event) + Send),
) -> Result<Recording, RecordError> {
    let mut parts: Option<Parts> = None;
    let (mut failures, mut reconnects) = (0u32, 0u32);
    let mut delay = options.backoff;
    let mut received_any = false;
    // A connection that wrote media and then ended is retried at once: the stream's own end (the next answer is
    // offline or 404) or a host change is then seen without a pause, and a live stream loses no second to it.
    // A connection that wrote nothing waits the backoff, so a server that keeps closing at once is not hammered.
    let mut retry_now = false;
    let mut hls_last_segment = None;
    let ending = loop {
        let resolved = tokio::select! {
            () = &mut stop => break Ending::Stopped,
            r = source.resolve() => r,
        };
        let failure = match resolved {
            Ok(Resolved::Offline { reason }) => {
                if received_any {
                    break Ending::StreamEnded;
                }
                if !options.wait {
                    return Err(RecordError::NotLive(reason));
                }
                on_event(Event::Waiting {
                    reason,
                    retry_in: delay,
                });
                if pause(&mut stop, &mut delay, options).await {
                    break Ending::Stopped;
                }
                continue;
            }
            Ok(Resolved::Live { url, format }) => {
                if parts.is_none() {
                    let ext = if format == StreamFormat::Hls {
                        "ts"
                    } else {
                        "flv"
                    };
                    parts = Some(Parts::new(&options.dir, &options.prefix, ext).await?);
                }
                let out = parts.as_mut().expect("created above");
                let written_before = out.finished_bytes();
                on_event(Event::Connected { url: url.clone() });
                let ctx = session::Ctx {
                    client,
                    url: &url,
                    rotation: options.rotation,
                    idle: options.idle_timeout,
                };
                let outcome = match format {
                    StreamFormat::Hls => {
                        session::hls(&ctx, out, &mut hls_last_segment, &mut stop, on_event).await
                    }
                    _ => session::flv(&ctx, out, &mut stop, on_event).await,
                };
                out.close().await?;
                retry_now = out.finished_bytes() > written_before;
                match outcome {
                    Outcome::Stopped => break Ending::Stopped,
                    Outcome::Ended => break Ending::StreamEnded,
                    Outcome::Io(e) => return Err(RecordError::Io(e)),
                    Outcome::Gone(_) if received_any => break Ending::StreamEnded,
                    Outcome::Dropped { error, received } | Outcome::Failed { error, received } => {
                        if received > 0 {
                            received_any = true;
                            failures = 0;
                            delay = options.backoff;
                            reconnects += 1;
                        }
                        error
                    }
                    Outcome::Gone(error) => error,
                }
            }
            Err(SourceError::Fatal(e)) => return Err(RecordError::Source(e)),
            Err(SourceError::Retry(e)) => e,
        };
        failures += 1;
        if failures > options.max_failures {
            return Err(RecordError::GaveUp {
                attempts: failures,
                last: failure,
            });
        }
        if std::mem::take(&mut retry_now) {
            on_event(Event::Dropped {
                error: failure,
                retry_in: Duration::ZERO,
            });
            continue;
        }
        on_event(Event::Dropped {
            error: failure,
            retry_in: delay,
        });
        if pause(&mut stop, &mut delay, options).await {
            break Ending::Stopped;
        }
    };
    let parts = match parts {
        Some(p) => p.finish().await?,
        None => Vec::new(),
    };
    Ok(Recording {
        parts,
        ending,
        reconnects,
    })
}

/// Sleeps `delay` (then doubles it up to the maximum); true when `stop` came first.
async fn pause(stop: &mut Stop, delay: &mut Duration, options: &RecordOptions) -> bool {
    let wait = *delay;
    *delay = (*delay * 2).min(options.max_backoff);
    tokio::select! {
        () = stop => true,
        () = tokio::time::sleep(wait) => false,
    }
}
