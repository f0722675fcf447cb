//! Live streams for recorder tests: an HTTP-FLV stream and an HLS playlist with MPEG-TS segments that run for a
//! set media time and then end, chosen per URL by the name in the path (each name is its own stream; its state
//! lives until the server stops) and query parameters:
//!
//! | query | behaviour |
//! |---|---|
//! | `secs=S` | the stream lasts `S` seconds of media (default 3), then ends; later requests answer 404 |
//! | `pace=0` | sends as fast as the client reads (default: real time, one 25 fps frame or segment at a time) |
//! | `drop_at=MS` | the first connection breaks off (mid-tag, mid-segment) at media time `MS`; the next resumes |
//! | `gone_after_drop=1` | after that drop the name answers 404 (the stream moved to another host) |
//! | `payload=N` | bytes of each video frame (default 2000: ~400 kbit/s) |
//! | `seg_ms=MS` | HLS segment length (default 1000) |
//!
//! `GET /stream/<name>.flv` is FLV; `GET /stream/<name>/index.m3u8` and `/stream/<name>/<seq>.ts` are HLS. The
//! builders ([`preamble`], [`frame`], [`ts_segment`]) make the same bytes for tests to compare with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http::{header, HeaderValue, StatusCode};

/// Milliseconds per frame (25 fps).
pub const FRAME_MS: u64 = 40;
/// Streams remembered at most; past it the oldest state is forgotten, so a long run stays flat.
const MAX_STREAMS: usize = 1_000;

/// The FLV header of a stream with audio and video.
pub fn header() -> Vec<u8> {
    vec![b'F', b'L', b'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]
}

/// A whole FLV tag of `kind` (8 audio, 9 video, 18 script) at `ms` holding `data`, its PreviousTagSize included.
pub fn tag(kind: u8, ms: u32, data: &[u8]) -> Vec<u8> {
    let size = data.len() as u32;
    let mut t = vec![kind, (size >> 16) as u8, (size >> 8) as u8, size as u8];
    t.extend_from_slice(&[
        (ms >> 16) as u8,
        (ms >> 8) as u8,
        ms as u8,
        (ms >> 24) as u8,
        0,
        0,
        0,
    ]);
    t.extend_from_slice(data);
    t.extend_from_slice(&(size + 11).to_be_bytes());
    t
}

/// What every connection to an FLV stream starts with: header, script data, AVC and AAC sequence headers.
pub fn preamble() -> Vec<u8> {
    let mut out = header();
    out.extend(tag(
        18,
        0,
        b"\x02\x00\x0aonMetaData\x08\x00\x00\x00\x00\x00\x00\x09",
    ));
    out.extend(tag(9, 0, &[0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff]));
    out.extend(tag(8, 0, &[0xaf, 0, 0x12, 0x10]));
    out
}

/// Frame `n` (at `n` × 40 ms): a video tag of `payload` bytes, key frame every 25, and an audio tag every other.
pub fn frame(n: u64, payload: usize) -> Vec<u8> {
    let ms = (n * FRAME_MS) as u32;
    let key = if n % 25 == 0 { 0x17 } else { 0x27 };
    let mut data = vec![key, 1, 0, 0, 0];
    data.extend((0..payload).map(|i| (n as usize).wrapping_add(i) as u8));
    let mut out = tag(9, ms, &data);
    if n % 2 == 0 {
        out.extend(tag(8, ms, &[0xaf, 1, 0x21, 0x10, n as u8]));
    }
    out
}

/// HLS segment `seq`: whole 188-byte MPEG-TS packets (sync byte 0x47), about `bytes` long.
pub fn ts_segment(seq: u64, bytes: usize) -> Vec<u8> {
    let packets = bytes.div_ceil(188).max(1);
    let mut out = Vec::with_capacity(packets * 188);
    for p in 0..packets {
        out.extend_from_slice(&[0x47, 0x01, 0x00, 0x10 | (p % 16) as u8]);
        out.extend((0..184).map(|i| (seq as usize).wrapping_add(p).wrapping_add(i) as u8));
    }
    out
}

#[derive(Clone, Copy)]
struct Behaviour {
    secs: u64,
    paced: bool,
    drop_at: Option<u64>,
    gone_after_drop: bool,
    payload: usize,
    seg_ms: u64,
}

fn behaviour(query: &str) -> Behaviour {
    let mut b = Behaviour {
        secs: 3,
        paced: true,
        drop_at: None,
        gone_after_drop: false,
        payload: 2000,
        seg_ms: 1000,
    };
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let n = v.parse::<u64>().ok();
        match &*k {
            "secs" => b.secs = n.unwrap_or(b.secs),
            "pace" => b.paced = v != "0",
            "drop_at" => b.drop_at = n,
            "gone_after_drop" => b.gone_after_drop = v != "0",
            "payload" => b.payload = n.map_or(b.payload, |n| n.min(1 << 20) as usize),
            "seg_ms" => b.seg_ms = n.unwrap_or(b.seg_ms).max(10),
            _ => {}
        }
    }
    b
}

/// One stream's progress: when it started, the next frame an FLV connection sends, whether it dropped once.
struct Live {
    started: Instant,
    next_frame: u64,
    dropped: bool,
}

#[derive(Default)]
struct Streams(Mutex<HashMap<String, Live>>);

impl Streams {
    fn with<T>(&self, name: &str, f: impl FnOnce(&mut Live) -> T) -> T {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_STREAMS && !map.contains_key(name) {
            map.clear();
        }
        let live = map.entry(name.to_owned()).or_insert_with(|| Live {
            started: Instant::now(),
            next_frame: 0,
            dropped: false,
        });
        f(live)
    }
}

/// The stream routes, to merge into the mock's router.
pub(crate) fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/stream/{file}", get(flv))
        .route("/stream/{name}/{file}", get(hls))
        .with_state(Arc::new(Streams::default()))
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut resp = Response::new(Body::from(text));
    *resp.status_mut() = status;
    resp
}

fn typed(content_type: &'static str, body: Body) -> Response {
    let mut resp = Response::new(body);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

async fn flv(
    State(streams): State<Arc<Streams>>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(name) = file.strip_suffix(".flv") else {
        return plain(StatusCode::NOT_FOUND, "no such stream: /stream/<name>.flv");
    };
    let b = behaviour(query.as_deref().unwrap_or(""));
    let total = b.secs * 1000 / FRAME_MS;
    let key = format!("flv/{name}");
    // A new connection starts at the last key frame (as CDNs serve from their GOP cache), so it can be played.
    let (start_frame, started, drops) = streams
        .with(&key, |l| {
            let gone = l.next_frame >= total || (l.dropped && b.gone_after_drop);
            (!gone).then_some((l.next_frame - l.next_frame % 25, l.started, !l.dropped))
        })
        .map_or((None, Instant::now(), false), |(n, s, d)| (Some(n), s, d));
    let Some(start_frame) = start_frame else {
        return plain(StatusCode::NOT_FOUND, "douyin-mock: the stream has ended");
    };
    let drop_frame = b.drop_at.filter(|_| drops).map(|ms| ms / FRAME_MS);
    let state = (start_frame, true);
    let body = futures::stream::unfold(state, move |(n, first)| {
        let streams = streams.clone();
        let key = key.clone();
        async move {
            if n >= total {
                return None;
            }
            if b.paced {
                let due = started + Duration::from_millis(n * FRAME_MS);
                tokio::time::sleep_until(due.into()).await;
            }
            let mut bytes = if first { preamble() } else { Vec::new() };
            if drop_frame.is_some_and(|d| n >= d) {
                // Half a frame, then a reset: the recorder must drop the partial tag.
                let f = frame(n, b.payload);
                bytes.extend_from_slice(&f[..f.len() / 2]);
                streams.with(&key, |l| l.dropped = true);
                let reset = broken(bytes);
                return Some((futures::future::Either::Left(reset), (total, false)));
            }
            bytes.extend(frame(n, b.payload));
            streams.with(&key, |l| l.next_frame = n + 1);
            let chunk = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
            Some((futures::future::Either::Right(chunk), (n + 1, false)))
        }
    });
    typed(
        "video/x-flv",
        Body::from_stream(futures::StreamExt::flatten(body)),
    )
}

/// `bytes`, then a connection reset once the server had time to flush what it sent (else it would never arrive).
fn broken(bytes: Vec<u8>) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let reset = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "douyin-mock: dropped",
        ))
    };
    futures::StreamExt::chain(
        futures::stream::iter([Ok(Bytes::from(bytes))]),
        futures::stream::once(reset),
    )
}

async fn hls(
    State(streams): State<Arc<Streams>>,
    Path((name, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let b = behaviour(query.as_deref().unwrap_or(""));
    let total = (b.secs * 1000).div_ceil(b.seg_ms);
    let key = format!("hls/{name}");
    let (elapsed, dropped) = streams.with(&key, |l| (l.started.elapsed(), l.dropped));
    if dropped && b.gone_after_drop {
        return plain(StatusCode::NOT_FOUND, "douyin-mock: the stream moved");
    }
    // Segments published so far: one per `seg_ms` of wall time (all at once when unpaced).
    let published = if b.paced {
        (elapsed.as_millis() as u64 / b.seg_ms + 1).min(total)
    } else {
        total
    };
    let seg_bytes = (b.seg_ms / FRAME_MS) as usize * (b.payload + 40);
    if file == "index.m3u8" {
        // A live window of three segments; an unpaced stream lists all (nothing would be published in between).
        let first = if b.paced {
            published.saturating_sub(3)
        } else {
            0
        };
        let secs = b.seg_ms as f64 / 1000.0;
        let mut text = format!(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:{first}\n",
            secs.ceil() as u64
        );
        let q = query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        for seq in first..published {
            text.push_str(&format!("#EXTINF:{secs:.3},\n{seq}.ts{q}\n"));
        }
        if published == total {
            text.push_str("#EXT-X-ENDLIST\n");
        }
        return typed("application/vnd.apple.mpegurl", Body::from(text));
    }
    let Some(seq) = file.strip_suffix(".ts").and_then(|s| s.parse::<u64>().ok()) else {
        return plain(
            StatusCode::NOT_FOUND,
            "no such segment: /stream/<name>/<seq>.ts",
        );
    };
    if seq >= published {
        return plain(StatusCode::NOT_FOUND, "douyin-mock: no such segment (yet)");
    }
    let data = ts_segment(seq, seg_bytes);
    let drops_here = !dropped && b.drop_at.is_some_and(|ms| ms / b.seg_ms == seq);
    if drops_here {
        streams.with(&key, |l| l.dropped = true);
        let reset = broken(data[..data.len() / 2].to_vec());
        return typed("video/mp2t", Body::from_stream(reset));
    }
    typed("video/mp2t", Body::from(data))
}
