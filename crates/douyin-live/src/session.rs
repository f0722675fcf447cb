//! One connection to a stream: HTTP-FLV read tag by tag, or an HLS playlist polled segment by segment, written
//! into the recording's parts. A connection always ends in a closed, whole part.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::StatusCode;

use crate::flv::{Item, Preamble, Reader};
use crate::parts::{Parts, Rotation};
use crate::record::{Event, Stop};

/// The largest HLS playlist or segment accepted (a bigger one is a broken or hostile server).
const MAX_HLS_BODY: usize = 64 << 20;
/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// What one connection needs.
pub(crate) struct Ctx<'a> {
    pub client: &'a reqwest::Client,
    pub url: &'a str,
    pub rotation: Rotation,
    pub idle: Duration,
}

/// How a connection ended.
pub(crate) enum Outcome {
    /// The caller stopped.
    Stopped,
    /// The stream itself said it is over (HLS `#EXT-X-ENDLIST`).
    Ended,
    /// 404 or 410: nothing at this address (any more).
    Gone(String),
    /// It broke after `received` bytes (0: it never started).
    Dropped { error: String, received: u64 },
    /// The server sent something that is not the stream.
    Failed { error: String, received: u64 },
    /// Writing failed.
    Io(std::io::Error),
}

async fn get(ctx: &Ctx<'_>, url: &str, stop: &mut Stop) -> Result<reqwest::Response, Outcome> {
    let sent = tokio::select! {
        () = stop => return Err(Outcome::Stopped),
        r = tokio::time::timeout(ctx.idle, ctx.client.get(url).send()) => r,
    };
    let resp = match sent {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(dropped(format!("{url}: {e}"), 0)),
        Err(_) => return Err(dropped(format!("{url}: no answer in {:?}", ctx.idle), 0)),
    };
    match resp.status() {
        s if s.is_success() => Ok(resp),
        StatusCode::NOT_FOUND | StatusCode::GONE => {
            Err(Outcome::Gone(format!("{url}: HTTP {}", resp.status())))
        }
        s => Err(dropped(format!("{url}: HTTP {s}"), 0)),
    }
}

fn dropped(error: String, received: u64) -> Outcome {
    Outcome::Dropped { error, received }
}

/// The next chunk of a body, `Ok(None)` at its end.
async fn chunk(
    ctx: &Ctx<'_>,
    resp: &mut reqwest::Response,
    stop: &mut Stop,
) -> Result<Option<Bytes>, Result<String, ()>> {
    tokio::select! {
        () = stop => Err(Err(())),
        r = tokio::time::timeout(ctx.idle, resp.chunk()) => match r {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(Ok(e.to_string())),
            Err(_) => Err(Ok(format!("no data for {:?}", ctx.idle))),
        },
    }
}

/// Reports progress at most every [`PROGRESS_EVERY`].
struct Reporter {
    last: Instant,
}

impl Reporter {
    fn tick(
        &mut self,
        parts: &Parts,
        finished_bytes: u64,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) {
        if self.last.elapsed() >= PROGRESS_EVERY {
            self.last = Instant::now();
            let open = parts.current().map_or(0, |p| p.bytes);
            on_event(Event::Progress {
                bytes: finished_bytes + open,
                duration: parts.timeline(),
            });
        }
    }
}

/// Reports the part just opened.
fn opened(parts: &Parts, on_event: &mut (dyn FnMut(Event) + Send)) {
    if let Some(p) = parts.current() {
        on_event(Event::PartOpened {
            path: p.path.clone(),
            starts_at: p.starts_at,
        });
    }
}

/// Pulls HTTP-FLV: each connection starts a new part; parts rotate on key frames.
pub(crate) async fn flv(
    ctx: &Ctx<'_>,
    parts: &mut Parts,
    stop: &mut Stop,
    on_event: &mut (dyn FnMut(Event) + Send),
) -> Outcome {
    let mut resp = match get(ctx, ctx.url, stop).await {
        Ok(r) => r,
        Err(o) => return o,
    };
    let finished_bytes = parts.finished_bytes();
    let (mut reader, mut preamble) = (Reader::new(), Preamble::default());
    let mut base: Option<u32> = None;
    let mut received = 0u64;
    let mut reporter = Reporter {
        last: Instant::now(),
    };
    loop {
        let bytes = match chunk(ctx, &mut resp, stop).await {
            Ok(Some(b)) => b,
            Ok(None) => return dropped("the stream ended the connection".into(), received),
            Err(Ok(e)) => return dropped(e, received),
            Err(Err(())) => return Outcome::Stopped,
        };
        received += bytes.len() as u64;
        reader.push(&bytes);
        loop {
            let item = match reader.next_item() {
                Ok(Some(item)) => item,
                Ok(None) => break,
                Err(e) => {
                    return Outcome::Failed {
                        error: e.to_string(),
                        received,
                    }
                }
            };
            let is_preamble = preamble.absorb(&item);
            let Item::Tag(tag) = item else { continue };
            let cut_point = !preamble.has_video() || tag.is_keyframe();
            let started = base.is_some() && parts.is_open();
            if is_preamble && !started {
                continue;
            }
            let media_of =
                |b: u32| Duration::from_millis(u64::from(tag.timestamp.saturating_sub(b)));
            let due = base.is_some_and(|b| {
                parts
                    .current()
                    .is_some_and(|p| ctx.rotation.is_due(media_of(b), p.bytes))
            });
            if cut_point && (!started || due) && !is_preamble {
                if let Err(e) = parts.open(&preamble.bytes()).await {
                    return Outcome::Io(e);
                }
                opened(parts, on_event);
                base = Some(tag.timestamp);
            }
            let Some(b) = base.filter(|_| parts.is_open()) else {
                continue;
            };
            let rel = tag.timestamp.saturating_sub(b);
            let media = Duration::from_millis(u64::from(rel));
            if let Err(e) = parts.write(&[&tag.header_at(rel), tag.rest()], media).await {
                return Outcome::Io(e);
            }
        }
        reporter.tick(parts, finished_bytes, on_event);
    }
}

/// Pulls HLS: polls the playlist, appends each segment after `last_seq` (the media sequence number of the last
/// one written, kept across connections so a reconnect neither repeats nor skips one); parts rotate between
/// segments.
pub(crate) async fn hls(
    ctx: &Ctx<'_>,
    parts: &mut Parts,
    last_seq: &mut Option<u64>,
    stop: &mut Stop,
    on_event: &mut (dyn FnMut(Event) + Send),
) -> Outcome {
    let finished_bytes = parts.finished_bytes();
    let mut playlist_url = ctx.url.to_owned();
    let mut received = 0u64;
    let mut part_media = Duration::ZERO;
    let mut reporter = Reporter {
        last: Instant::now(),
    };
    loop {
        let text = match body(ctx, &playlist_url, stop).await {
            Ok(t) => t,
            Err(Outcome::Dropped { error, .. }) => return dropped(error, received),
            Err(o) => return o,
        };
        received += text.len() as u64;
        let playlist = match m3u8_rs::parse_playlist_res(&text) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("{playlist_url}: not an HLS playlist ({e:?})"),
                    received,
                }
            }
        };
        let media = match playlist {
            m3u8_rs::Playlist::MasterPlaylist(master) => {
                let best = master
                    .variants
                    .iter()
                    .filter(|v| !v.is_i_frame)
                    .max_by_key(|v| v.bandwidth);
                let Some(best) = best else {
                    return Outcome::Failed {
                        error: format!("{playlist_url}: a master playlist without variants"),
                        received,
                    };
                };
                playlist_url = join(&playlist_url, &best.uri);
                continue;
            }
            m3u8_rs::Playlist::MediaPlaylist(m) => m,
        };
        for (i, segment) in media.segments.iter().enumerate() {
            let seq = media.media_sequence + i as u64;
            if last_seq.is_some_and(|l| seq <= l) {
                continue;
            }
            let data = match body(ctx, &join(&playlist_url, &segment.uri), stop).await {
                Ok(d) => d,
                Err(Outcome::Dropped { error, .. }) => return dropped(error, received),
                Err(o) => return o,
            };
            received += data.len() as u64;
            let due = parts
                .current()
                .is_some_and(|p| ctx.rotation.is_due(part_media, p.bytes));
            if !parts.is_open() || due {
                if let Err(e) = parts.open(&[]).await {
                    return Outcome::Io(e);
                }
                opened(parts, on_event);
                part_media = Duration::ZERO;
            }
            part_media += Duration::from_secs_f32(segment.duration.max(0.0));
            if let Err(e) = parts.write(&[&data], part_media).await {
                return Outcome::Io(e);
            }
            *last_seq = Some(seq);
            reporter.tick(parts, finished_bytes, on_event);
        }
        if media.end_list {
            return Outcome::Ended;
        }
        let poll = Duration::from_secs_f32((media.target_duration as f32 / 2.0).max(0.1));
        tokio::select! {
            () = &mut *stop => return Outcome::Stopped,
            () = tokio::time::sleep(poll) => {}
        }
    }
}

/// A whole HLS body, at most [`MAX_HLS_BODY`] bytes.
async fn body(ctx: &Ctx<'_>, url: &str, stop: &mut Stop) -> Result<Vec<u8>, Outcome> {
    let mut resp = get(ctx, url, stop).await?;
    let mut out = Vec::new();
    loop {
        match chunk(ctx, &mut resp, stop).await {
            Ok(Some(b)) => {
                if out.len() + b.len() > MAX_HLS_BODY {
                    return Err(Outcome::Failed {
                        error: format!("{url}: larger than {MAX_HLS_BODY} bytes"),
                        received: 0,
                    });
                }
                out.extend_from_slice(&b);
            }
            Ok(None) => return Ok(out),
            Err(Ok(e)) => return Err(dropped(format!("{url}: {e}"), 0)),
            Err(Err(())) => return Err(Outcome::Stopped),
        }
    }
}

/// `uri` relative to the playlist at `base`.
fn join(base: &str, uri: &str) -> String {
    match url::Url::parse(base).and_then(|b| b.join(uri)) {
        Ok(u) => u.to_string(),
        Err(_) => uri.to_owned(),
    }
}
