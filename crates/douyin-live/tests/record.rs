//! Recording against the mock's live streams over loopback: FLV and HLS, drops, a moved stream, rotation, the
//! stream's end, Ctrl-C, and a room (room/enter) that is live, never live, or waited for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use douyin_core::BoxFuture;
use douyin_live::flv::{check_file, Item, Reader};
use douyin_live::{
    record, Ending, Event, FixedUrl, RecordError, RecordOptions, Recording, Resolved, Rotation,
    StreamSource,
};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_web::live::StreamFormat;
use douyin_web::{RetryPolicy, WebSession, XBogusSigner};

const UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/117.0.0.0 Safari/537.36 Edg/117.0.2045.60";

fn options(dir: &std::path::Path) -> RecordOptions {
    let mut o = RecordOptions::new(dir, "room");
    o.backoff = Duration::from_millis(10);
    o.max_backoff = Duration::from_millis(50);
    o.max_failures = 3;
    o.idle_timeout = Duration::from_secs(5);
    o
}

fn never() -> douyin_live::Stop {
    Box::pin(std::future::pending())
}

async fn run(
    source: &dyn StreamSource,
    options: &RecordOptions,
) -> (Result<Recording, RecordError>, Vec<String>) {
    let events = Mutex::new(Vec::new());
    let mut on_event = |e: Event| events.lock().unwrap().push(format!("{e:?}"));
    let r = record(
        &reqwest::Client::new(),
        source,
        options,
        never(),
        &mut on_event,
    )
    .await;
    (r, events.into_inner().unwrap())
}

/// The frame numbers of the video frames in an FLV file (the mock's payload starts with the frame number), after
/// checking the file is whole and starts with its headers and a key frame.
fn frames(path: &std::path::Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    check_file(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = Reader::new();
    r.push(&bytes);
    let mut out = Vec::new();
    let mut first_media = true;
    while let Some(item) = r.next_item().unwrap() {
        if let Item::Tag(t) = item {
            if t.kind == 9 && !t.is_sequence_header() {
                if first_media {
                    assert!(t.is_keyframe(), "{} starts on a key frame", path.display());
                    assert_eq!(t.timestamp, 0, "{} starts at time 0", path.display());
                    first_media = false;
                }
                out.push(t.bytes[16]);
            }
        }
    }
    out
}

#[tokio::test]
async fn flv_survives_a_drop_rotates_on_key_frames_and_ends_with_the_stream() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "http://{}/stream/a.flv?secs=4&pace=0&drop_at=1500&payload=500",
        server.addr()
    );
    let mut o = options(dir.path());
    o.rotation = Rotation::new(Some(Duration::from_secs(1)), None);
    let (r, events) = run(
        &FixedUrl {
            url,
            format: StreamFormat::Flv,
        },
        &o,
    )
    .await;
    let rec = r.unwrap();
    assert_eq!(rec.ending, Ending::StreamEnded, "{events:?}");
    assert_eq!(
        rec.reconnects, 2,
        "the drop, then the clean end: {events:?}"
    );
    // Both connections had written media, so each was followed up at once rather than after a backoff.
    let drops: Vec<_> = events.iter().filter(|e| e.starts_with("Dropped")).collect();
    assert_eq!(drops.len(), 2, "{events:?}");
    assert!(
        drops.iter().all(|e| e.ends_with("retry_in: 0ns }")),
        "{drops:?}"
    );
    let all: Vec<Vec<u8>> = rec.parts.iter().map(|p| frames(&p.path)).collect();
    // 100 frames, key frames every 25: 1 s parts before the drop (0-24, 25-37 cut), then 25-49, 50-74, 75-99.
    assert_eq!(all.len(), 5, "{all:?}");
    let mut seen: Vec<u8> = all.concat();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen,
        (0..100).collect::<Vec<u8>>(),
        "every frame is somewhere"
    );
    for part in &all {
        assert!(
            part.windows(2).all(|w| w[1] == w[0].wrapping_add(1)),
            "contiguous: {part:?}"
        );
    }
    let starts: Vec<_> = rec.parts.iter().map(|p| p.starts_at.as_millis()).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
}

/// Answers `first` once, then `then`: a room whose stream moved to another host.
struct Moving {
    first: String,
    then: String,
    asked: AtomicUsize,
}

impl StreamSource for Moving {
    fn resolve(&self) -> BoxFuture<'_, Result<Resolved, douyin_live::SourceError>> {
        let n = self.asked.fetch_add(1, Ordering::SeqCst);
        let url = if n == 0 { &self.first } else { &self.then };
        Box::pin(async move {
            Ok(Resolved::Live {
                url: url.clone(),
                format: StreamFormat::Flv,
            })
        })
    }
}

#[tokio::test]
async fn a_stream_that_moves_host_continues_in_a_new_part() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = format!("http://{}", server.addr());
    let source = Moving {
        first: format!(
            "{root}/stream/old.flv?secs=2&pace=0&drop_at=1000&gone_after_drop=1&payload=100"
        ),
        then: format!("{root}/stream/new.flv?secs=2&pace=0&payload=100"),
        asked: AtomicUsize::new(0),
    };
    let (r, events) = run(&source, &options(dir.path())).await;
    let rec = r.unwrap();
    assert_eq!(rec.ending, Ending::StreamEnded, "{events:?}");
    assert_eq!(rec.parts.len(), 2, "{events:?}");
    assert_eq!(frames(&rec.parts[0].path), (0..25).collect::<Vec<u8>>());
    assert_eq!(frames(&rec.parts[1].path), (0..50).collect::<Vec<u8>>());
}

#[tokio::test]
async fn hls_segments_are_kept_whole_once_each_across_a_drop_and_rotate_by_size() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "http://{}/stream/h/index.m3u8?secs=3&pace=0&seg_ms=500&drop_at=1200&payload=200",
        server.addr()
    );
    let mut o = options(dir.path());
    o.rotation = Rotation::new(None, Some(5_000));
    let (r, events) = run(
        &FixedUrl {
            url,
            format: StreamFormat::Hls,
        },
        &o,
    )
    .await;
    let rec = r.unwrap();
    assert_eq!(rec.ending, Ending::StreamEnded, "{events:?}");
    for part in &rec.parts {
        let bytes = std::fs::read(&part.path).unwrap();
        assert_eq!(
            bytes.len() % 188,
            0,
            "whole TS packets in {}",
            part.path.display()
        );
        assert!(bytes.chunks(188).all(|p| p[0] == 0x47), "TS sync bytes");
    }
    let seg_bytes = (12 * 240usize).div_ceil(188) * 188;
    let total: usize = rec.parts.iter().map(|p| p.bytes as usize).sum();
    assert_eq!(total, 6 * seg_bytes, "six segments once each: {events:?}");
    assert_eq!(
        rec.parts.len(),
        3,
        "rotated by size, and after the drop: {events:?}"
    );
}

#[tokio::test]
async fn ctrl_c_leaves_a_whole_file() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{}/stream/long.flv?secs=600", server.addr());
    let stop: douyin_live::Stop = Box::pin(tokio::time::sleep(Duration::from_millis(700)));
    let source = FixedUrl {
        url,
        format: StreamFormat::Flv,
    };
    let rec = record(
        &reqwest::Client::new(),
        &source,
        &options(dir.path()),
        stop,
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(rec.ending, Ending::Stopped);
    assert_eq!(rec.parts.len(), 1);
    assert!(!frames(&rec.parts[0].path).is_empty());
}

fn room_client(server: &MockServer) -> douyin_web::Client {
    let session = WebSession::new("sessionid=test", UA).ms_token("test-ms-token");
    douyin_web::builder(session, XBogusSigner::default())
        .base_url(server.base_url("web"))
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
        .into()
}

fn room_body(status: i64, flv: &str) -> String {
    serde_json::json!({"status_code": 0, "data": {"data": [{"status": status, "title": "t", "stream_url": {
        "flv_pull_url": {"FULL_HD1": flv}}}]}})
    .to_string()
}

#[tokio::test]
async fn a_room_is_recorded_until_it_goes_offline_and_a_room_never_live_is_an_error_or_waited_for()
{
    let config = MockConfig::default().credential("user_agent", UA);
    let server = MockServer::start_with(config).await;
    let dir = tempfile::tempdir().unwrap();
    let flv = format!(
        "http://{}/stream/room.flv?secs=1&pace=0&payload=100",
        server.addr()
    );
    let live = Scenario::Raw {
        status: 200,
        content_type: "application/json".into(),
        body: room_body(2, &flv).into(),
    };
    let offline = Scenario::Raw {
        status: 200,
        content_type: "application/json".into(),
        body: room_body(4, "").into(),
    };
    server.set_scenario(
        "web",
        "live_room_enter",
        Scenario::Cycle(vec![live.clone(), offline.clone()]),
    );
    let source = douyin_live::RoomSource::new(room_client(&server), "285520721194");
    let (r, events) = run(&source, &options(dir.path())).await;
    let rec = r.unwrap();
    assert_eq!(
        (rec.ending, rec.parts.len()),
        (Ending::StreamEnded, 1),
        "{events:?}"
    );
    assert_eq!(frames(&rec.parts[0].path), (0..25).collect::<Vec<u8>>());

    server.set_scenario("web", "live_room_enter", offline.clone());
    let (r, _) = run(&source, &options(dir.path())).await;
    assert_eq!(
        r.unwrap_err().to_string(),
        "room 285520721194: the room is not live (t): the stream has ended"
    );

    // --wait: offline twice, then live.
    let flv2 = format!(
        "http://{}/stream/later.flv?secs=1&pace=0&payload=100",
        server.addr()
    );
    let later = Scenario::Raw {
        status: 200,
        content_type: "application/json".into(),
        body: room_body(2, &flv2).into(),
    };
    server.set_scenario(
        "web",
        "live_room_enter",
        Scenario::Cycle(vec![offline.clone(), offline.clone(), later, offline]),
    );
    let mut o = options(dir.path());
    o.wait = true;
    let (r, events) = run(&source, &o).await;
    let rec = r.unwrap();
    assert_eq!(
        events.iter().filter(|e| e.starts_with("Waiting")).count(),
        2,
        "{events:?}"
    );
    assert_eq!(rec.parts.len(), 1);
    assert!(
        rec.parts[0].path.ends_with("room_001.flv"),
        "numbering continues: {:?}",
        rec.parts[0].path
    );
}

#[tokio::test]
async fn connections_that_write_nothing_back_off_then_give_up() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let source = FixedUrl {
        url: format!("http://{}/stream/nothing.txt", server.addr()),
        format: StreamFormat::Flv,
    };
    let (r, events) = run(&source, &options(dir.path())).await;
    assert!(
        matches!(r, Err(RecordError::GaveUp { attempts: 4, .. })),
        "{r:?}"
    );
    let pauses: Vec<_> = events
        .iter()
        .filter_map(|e| e.split("retry_in: ").nth(1))
        .collect();
    assert_eq!(pauses, ["10ms }", "20ms }", "40ms }"], "{events:?}");
}
