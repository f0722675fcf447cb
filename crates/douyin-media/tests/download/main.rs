//! Downloads over loopback HTTP from the mock's media routes: one transfer (resume, mirror fallback, ignored ranges,
//! wrong lengths, stalls, limits) in `transfer`, and planned batches (the archive across runs, names on disk, a
//! concurrent batch) in `batch`; the helpers both use live here.

mod batch;
mod transfer;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use douyin_core::RetryPolicy;
use douyin_media::{
    part_path, select, Archive, AttemptError, Downloader, Error, Event, MediaItem, MediaKind,
    NameTemplate, Outcome, Planner, Selection, Update,
};
use douyin_mock::media::{aweme_json, media_bytes, media_url, parse_media_url, MediaAweme};
use douyin_mock::MockServer;
use douyin_web::types::Aweme;

fn root(server: &MockServer) -> String {
    format!("http://{}", server.addr())
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        jitter: false,
        ..RetryPolicy::default()
    }
}

fn downloader() -> Downloader {
    Downloader::builder().retry(quick()).build().unwrap()
}

fn item(urls: Vec<String>, size: Option<u64>) -> MediaItem {
    let aweme = json_aweme(serde_json::json!({
        "aweme_id": "1",
        "video": {"play_addr": {"url_list": urls, "data_size": size}}
    }));
    select(&aweme, &Selection::default()).items.remove(0)
}

fn json_aweme(v: serde_json::Value) -> Aweme {
    serde_json::from_value(v).expect("test aweme decodes")
}

/// The bytes a mock media URL serves in full.
fn expected(url: &str) -> Vec<u8> {
    let (seed, size) = parse_media_url(url).expect("a media URL");
    media_bytes(seed, 0, size as usize)
}

async fn hits(server: &MockServer) -> HashMap<String, u64> {
    let body = reqwest::get(format!("{}/media/hits", root(server)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

fn hits_of(hits: &HashMap<String, u64>, url: &str) -> u64 {
    let key = &url[url.find("/media/").unwrap()..];
    let key = if key.contains('?') {
        key.to_owned()
    } else {
        format!("{key}?")
    };
    hits.get(&key).copied().unwrap_or(0)
}

/// Collects every event of a run.
#[derive(Default)]
struct Events(Mutex<Vec<(Event, u64)>>);

impl Events {
    fn push(&self, u: &Update<'_>) {
        self.0.lock().unwrap().push((u.event.clone(), u.bytes));
    }
    fn all(&self) -> Vec<(Event, u64)> {
        self.0.lock().unwrap().clone()
    }
}
