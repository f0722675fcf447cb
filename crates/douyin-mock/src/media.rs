//! Media files for download tests: deterministic bytes of any size at `/media/<seed>/<size>[.ext]`, `HEAD`,
//! `Range` (206/416), and the failures CDNs show, chosen per URL by query parameters so that each mirror of an
//! aweme can misbehave differently:
//!
//! | query | behaviour |
//! |---|---|
//! | `status=403` | always answers that status (an expired or referer-checked mirror) |
//! | `fail=N&status=503` | the first `N` requests of this exact URL get `status`, later ones succeed |
//! | `drop=OFFSET` | closes the connection when the body reaches byte `OFFSET` of the file (a resumed request past it succeeds) |
//! | `stall=OFFSET` | stops sending at byte `OFFSET` and keeps the connection open |
//! | `slow=MS` | waits `MS` milliseconds before each 64 KiB chunk |
//! | `len=N` | sends `N` bytes without `Content-Length` though the file (and `HEAD`) has `size` |
//! | `norange=1` | ignores `Range` and always sends the whole file with 200 |
//! | `referer=1` | answers 403 unless the request carries a browser user agent and `Referer: https://www.douyin.com/…` |
//!
//! `GET /media/hits` answers a JSON object of request counts by path and query (bounded; tests read it).
//! [`aweme_json`] builds an aweme whose every address points here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::{Bytes, BytesMut};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Value};

/// Bytes per body chunk.
const CHUNK: usize = 64 * 1024;
/// The hit counter forgets everything past this many distinct URLs, so a long run stays flat.
const MAX_COUNTED: usize = 10_000;

#[derive(Default)]
struct Hits(Mutex<HashMap<String, u64>>);

impl Hits {
    fn count(&self, key: String) -> u64 {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_COUNTED && !map.contains_key(&key) {
            map.clear();
        }
        let n = map.entry(key).or_default();
        *n += 1;
        *n
    }
}

/// The media routes, to merge into the mock's router.
pub(crate) fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/media/hits", get(hits))
        .route("/media/{seed}/{file}", get(serve))
        .with_state(Arc::new(Hits::default()))
}

async fn hits(State(hits): State<Arc<Hits>>) -> Response {
    let map = hits.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut resp = Response::new(Body::from(json!(map).to_string()));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The byte at every offset of file `seed`: splitmix64 of the seed and the 8-byte word index, little-endian.
pub fn fill(seed: u64, offset: u64, buf: &mut [u8]) {
    let mut pos = offset;
    let mut i = 0;
    while i < buf.len() {
        let word = splitmix64(seed ^ (pos / 8).wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes();
        let from = (pos % 8) as usize;
        let n = (8 - from).min(buf.len() - i);
        buf[i..i + n].copy_from_slice(&word[from..from + n]);
        i += n;
        pos += n as u64;
    }
}

/// `len` bytes of file `seed` from `offset`, for comparing a download with what the mock served.
pub fn media_bytes(seed: u64, offset: u64, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    fill(seed, offset, &mut v);
    v
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `<base>/media/<seed>/<size>.<ext>[?<query>]`, `base` being the server's root (`http://127.0.0.1:PORT`).
pub fn media_url(base: &str, seed: u64, size: u64, ext: &str, query: &str) -> String {
    let base = base.trim_end_matches('/');
    let q = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{base}/media/{seed}/{size}.{ext}{q}")
}

/// The seed and size of a [`media_url`].
pub fn parse_media_url(url: &str) -> Option<(u64, u64)> {
    let path = url.split(['?', '#']).next()?;
    let mut it = path.rsplit('/');
    let file = it.next()?;
    let seed = it.next()?.parse().ok()?;
    (it.next()? == "media").then_some(())?;
    let size = file.split('.').next()?.parse().ok()?;
    Some((seed, size))
}

#[derive(Default)]
struct Behaviour {
    status: Option<u16>,
    fail: Option<u64>,
    drop_at: Option<u64>,
    stall_at: Option<u64>,
    slow: Option<Duration>,
    len: Option<u64>,
    ignore_range: bool,
    check_referer: bool,
}

fn behaviour(query: &str) -> Behaviour {
    let mut b = Behaviour::default();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let n = v.parse::<u64>().ok();
        match &*k {
            "status" => b.status = n.and_then(|n| u16::try_from(n).ok()),
            "fail" => b.fail = n,
            "drop" => b.drop_at = n,
            "stall" => b.stall_at = n,
            "slow" => b.slow = n.map(Duration::from_millis),
            "len" => b.len = n,
            "norange" => b.ignore_range = v != "0",
            "referer" => b.check_referer = v != "0",
            _ => {}
        }
    }
    b
}

/// What a referer-checking CDN wants: a page of douyin.com as referer and a browser's user agent.
fn browser_like(headers: &HeaderMap) -> bool {
    let get = |n: header::HeaderName| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    get(header::REFERER).starts_with("https://www.douyin.com/")
        && get(header::USER_AGENT).starts_with("Mozilla/")
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "jpeg" | "jpg" => "image/jpeg",
        "webp" => "image/webp",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

/// The first range of a `Range: bytes=…` header as `(start, end inclusive)` against `size`; `Err` when it cannot be
/// satisfied; `None` when absent or not a single byte range (then the whole file is sent, as RFC 9110 allows).
fn requested_range(headers: &HeaderMap, size: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .trim()
        .strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (n > 0 && size > 0).then(|| (size.saturating_sub(n), size - 1))
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            size.saturating_sub(1)
        } else {
            b.parse::<u64>().ok()?.min(size.saturating_sub(1))
        };
        (start < size && start <= end).then_some((start, end))
    };
    Some(range.ok_or(()))
}

async fn serve(
    State(hits): State<Arc<Hits>>,
    Path((seed, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: http::Method,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let (size, ext) = file.split_once('.').unwrap_or((&file, ""));
    let (Ok(seed), Ok(size)) = (seed.parse::<u64>(), size.parse::<u64>()) else {
        return plain(
            StatusCode::NOT_FOUND,
            "no such media: /media/<seed>/<size>[.ext]",
        );
    };
    let hit = hits.count(format!("/media/{seed}/{file}?{query}"));
    let b = behaviour(&query);
    if let Some(status) = b.status {
        if b.fail.is_none_or(|n| hit <= n) {
            let s = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return plain(s, "douyin-mock: media scenario");
        }
    }
    if b.check_referer && !browser_like(&headers) {
        return plain(
            StatusCode::FORBIDDEN,
            "douyin-mock: no douyin.com referer or browser user agent",
        );
    }
    let mut resp = Response::new(Body::empty());
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(ext)),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let (start, end, status) = match requested_range(&headers, size).filter(|_| !b.ignore_range) {
        Some(Ok((s, e))) => (s, e + 1, StatusCode::PARTIAL_CONTENT),
        Some(Err(())) => {
            *resp.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            insert(
                resp.headers_mut(),
                header::CONTENT_RANGE,
                format!("bytes */{size}"),
            );
            return resp;
        }
        None => (0, size, StatusCode::OK),
    };
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    if status == StatusCode::PARTIAL_CONTENT {
        insert(
            h,
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{size}", end - 1),
        );
    }
    let end = match b.len {
        // Wrong length: the body runs to `len` whatever the file's size; no length announced.
        Some(len) if method != http::Method::HEAD => len.max(start),
        _ => {
            insert(h, header::CONTENT_LENGTH, (end - start).to_string());
            end
        }
    };
    if method == http::Method::HEAD {
        return resp;
    }
    *resp.body_mut() = Body::from_stream(body(seed, start, end, b));
    resp
}

/// The body from `start` to `end` (exclusive), with the scenario's drop, stall and pace applied.
fn body(
    seed: u64,
    start: u64,
    end: u64,
    b: Behaviour,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    // Where this response breaks off: a drop or stall point past the request's start (a resumed request that starts
    // at or after it goes through).
    let cut = [b.drop_at, b.stall_at]
        .into_iter()
        .flatten()
        .filter(|c| *c > start && *c < end)
        .min();
    let stalls = cut.is_some() && cut == b.stall_at;
    let slow = b.slow;
    futures::stream::unfold(start, move |pos| async move {
        if pos >= end {
            return None;
        }
        if let Some(d) = slow {
            tokio::time::sleep(d).await;
        }
        if Some(pos) == cut {
            // Let the server flush what it sent before the reset, or the bytes up to the cut would never arrive.
            tokio::time::sleep(Duration::from_millis(if stalls { 3_600_000 } else { 20 })).await;
            let e =
                std::io::Error::new(std::io::ErrorKind::ConnectionReset, "douyin-mock: dropped");
            return Some((Err(e), end));
        }
        let stop = cut.unwrap_or(end);
        let n = (stop - pos).min(CHUNK as u64) as usize;
        let mut buf = BytesMut::zeroed(n);
        fill(seed, pos, &mut buf);
        Some((Ok(buf.freeze()), pos + n as u64))
    })
}

fn insert(h: &mut HeaderMap, name: header::HeaderName, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert(name, v);
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut resp = Response::new(Body::from(text));
    *resp.status_mut() = status;
    resp
}

/// What [`aweme_json`] puts in an aweme. Sizes in bytes; `mirrors` holds one query string per mirror URL of every
/// file (`["status=403", ""]`: the first mirror refuses, the second serves).
#[derive(Clone, Debug)]
pub struct MediaAweme {
    /// The aweme id; also seeds the bytes of its files.
    pub aweme_id: String,
    /// The caption.
    pub desc: String,
    /// The author's nickname.
    pub author: String,
    /// A video post of this size (two renditions: 1080p of this size, 720p of half).
    pub video: Option<u64>,
    /// An image post: one entry per picture, with the size of its live-photo video if it has one.
    pub images: Vec<(u64, Option<u64>)>,
    /// Music size.
    pub music: u64,
    /// Cover size.
    pub cover: u64,
    /// Query string of each mirror.
    pub mirrors: Vec<String>,
}

impl MediaAweme {
    /// A video post of `size` bytes with two healthy mirrors, 1 KiB of music and cover.
    pub fn video(aweme_id: &str, size: u64) -> Self {
        MediaAweme {
            aweme_id: aweme_id.to_owned(),
            desc: format!("mock video {aweme_id}"),
            author: "mock".to_owned(),
            video: Some(size),
            images: Vec::new(),
            music: 1024,
            cover: 1024,
            mirrors: vec![String::new(), "mirror=2".to_owned()],
        }
    }
}

/// The seed of file `slot` of aweme `aweme_id` (slot: 0 video, 1 the 720p rendition, 2 music, 3 cover, 10+2i
/// picture i, 11+2i its live photo).
pub fn seed_of(aweme_id: &str, slot: u64) -> u64 {
    let id: u64 = aweme_id.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    splitmix64(id ^ slot)
}

/// An aweme (as `aweme/detail` returns it under `aweme_detail`) whose every address is a media route of the mock at
/// `base` (its root URL, `http://127.0.0.1:PORT`).
pub fn aweme_json(base: &str, m: &MediaAweme) -> Value {
    let addr = |slot: u64, size: u64, ext: &str, w: u64, h: u64| {
        let seed = seed_of(&m.aweme_id, slot);
        let urls: Vec<String> = m
            .mirrors
            .iter()
            .map(|q| media_url(base, seed, size, ext, q))
            .collect();
        json!({"uri": format!("mock/{seed}"), "url_list": urls, "width": w, "height": h, "data_size": size})
    };
    let mut aweme = json!({
        "aweme_id": m.aweme_id,
        "desc": m.desc,
        "create_time": 1_706_103_533,
        "aweme_type": if m.images.is_empty() { 0 } else { 68 },
        "author": {"nickname": m.author, "uid": "10000", "sec_uid": "MS4wLjABAAAAmock"},
        "music": {"title": "mock music", "play_url": addr(2, m.music, "mp3", 0, 0)},
        "video": {
            "cover": addr(3, m.cover, "jpeg", 720, 1280),
            "origin_cover": addr(3, m.cover, "jpeg", 1080, 1920),
        },
    });
    if let Some(size) = m.video {
        let rendition = |slot, size, w, h, rate| {
            json!({"gear_name": format!("normal_{w}_0"), "bit_rate": rate, "is_h265": 0, "format": "mp4",
                   "play_addr": addr(slot, size, "mp4", w, h)})
        };
        aweme["video"]["bit_rate"] = json!([
            rendition(0, size, 1080, 1920, 2_000_000),
            rendition(1, size / 2, 720, 1280, 1_000_000)
        ]);
        aweme["video"]["play_addr"] = addr(0, size, "mp4", 1080, 1920);
    }
    if !m.images.is_empty() {
        let images: Vec<Value> = m
            .images
            .iter()
            .enumerate()
            .map(|(i, (size, live))| {
                let i = i as u64;
                let mut img = addr(10 + 2 * i, *size, "webp", 1080, 1440);
                if let Some(live) = live {
                    img["video"] = json!({"bit_rate": [{"bit_rate": 1_000_000, "play_addr": addr(11 + 2 * i, *live, "mp4", 1080, 1440)}]});
                }
                img
            })
            .collect();
        aweme["images"] = json!(images);
    }
    aweme
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_the_same_from_any_offset() {
        let whole = media_bytes(7, 0, 100);
        for off in [0usize, 1, 7, 8, 9, 63] {
            assert_eq!(media_bytes(7, off as u64, 100 - off), whole[off..]);
        }
        assert_ne!(media_bytes(8, 0, 100), whole);
    }

    #[test]
    fn urls_round_trip() {
        let u = media_url("http://h:1/", 42, 1000, "mp4", "drop=10");
        assert_eq!(u, "http://h:1/media/42/1000.mp4?drop=10");
        assert_eq!(parse_media_url(&u), Some((42, 1000)));
        assert_eq!(parse_media_url("http://h/other/42/1000.mp4"), None);
    }

    #[test]
    fn ranges() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::RANGE, HeaderValue::from_str(v).unwrap());
            requested_range(&m, 100)
        };
        assert_eq!(h("bytes=10-"), Some(Ok((10, 99))));
        assert_eq!(h("bytes=10-19"), Some(Ok((10, 19))));
        assert_eq!(h("bytes=-5"), Some(Ok((95, 99))));
        assert_eq!(h("bytes=100-"), Some(Err(())));
        assert_eq!(h("bytes=0-1,5-6"), None);
    }
}
