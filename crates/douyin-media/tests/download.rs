//! Downloads over loopback HTTP from the mock's media routes: resume, mirror fallback, ignored ranges, wrong
//! lengths, stalls, the archive across runs, names on disk, and a concurrent batch.

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

#[tokio::test]
async fn resume_after_a_drop_gives_identical_bytes() {
    let server = MockServer::start().await;
    let size = 1_000_003u64;
    let url = media_url(
        &root(&server),
        11,
        size,
        "mp4",
        &format!("drop={}", size / 2),
    );
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let events = Events::default();
    let got = downloader()
        .fetch(&item(vec![url.clone()], Some(size)), &dest, &|u| {
            events.push(u)
        })
        .await;
    let got = got.unwrap();
    assert_eq!(got.size, size);
    assert_eq!(std::fs::read(&dest).unwrap(), expected(&url));
    assert!(!part_path(&dest).exists());
    assert_eq!(
        hits_of(&hits(&server).await, &url),
        2,
        "one drop, one resumed request"
    );
    let starts: Vec<u64> = events
        .all()
        .into_iter()
        .filter_map(|(e, _)| match e {
            Event::Started { resumed_from } => Some(resumed_from),
            _ => None,
        })
        .collect();
    assert_eq!(starts, [0, size / 2]);
}

#[tokio::test]
async fn a_run_killed_half_way_resumes_with_identical_bytes() {
    let server = MockServer::start().await;
    let size = 2 * 1024 * 1024u64;
    let slow = media_url(&root(&server), 12, size, "mp4", "slow=20");
    let healthy = media_url(&root(&server), 12, size, "mp4", "");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let d = Downloader::builder()
        .buffer_size(64 * 1024)
        .build()
        .unwrap();
    let slow_item = item(vec![slow], Some(size));
    // Cut the first run off mid-transfer, as Ctrl-C or a kill would: once a quarter is on disk.
    let part = part_path(&dest);
    let watch = async {
        while std::fs::metadata(&part).map_or(0, |m| m.len()) < size / 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::select! {
        r = d.fetch(&slow_item, &dest, &|_| {}) => panic!("the slow transfer finished first: {r:?}"),
        () = watch => {}
    }
    let kept = std::fs::read(part_path(&dest)).unwrap();
    assert!(
        !kept.is_empty() && (kept.len() as u64) < size,
        "{} bytes kept",
        kept.len()
    );
    assert_eq!(
        kept,
        expected(&healthy)[..kept.len()],
        "the .part holds a prefix of the file"
    );
    let got = d
        .fetch(&item(vec![healthy.clone()], Some(size)), &dest, &|_| {})
        .await
        .unwrap();
    assert_eq!(
        got.outcome,
        Outcome::Fetched {
            resumed_from: kept.len() as u64
        }
    );
    assert_eq!(std::fs::read(&dest).unwrap(), expected(&healthy));
}

#[tokio::test]
async fn mirrors_fall_through_after_refusals_and_retries() {
    let server = MockServer::start().await;
    let size = 300_000u64;
    let base = root(&server);
    let refused = "http://127.0.0.1:1/media/13/300000.mp4".to_owned(); // nothing listens on port 1
    let forbidden = media_url(&base, 13, size, "mp4", "status=403");
    let failing = media_url(&base, 13, size, "mp4", "status=503");
    let good = media_url(&base, 13, size, "mp4", "referer=1");
    let urls = vec![refused, forbidden.clone(), failing.clone(), good.clone()];
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let events = Events::default();
    let got = downloader()
        .fetch(&item(urls, Some(size)), &dest, &|u| events.push(u))
        .await
        .unwrap();
    assert_eq!(got.mirror, 3);
    assert_eq!(std::fs::read(&dest).unwrap(), expected(&good));
    let h = hits(&server).await;
    assert_eq!(
        (
            hits_of(&h, &forbidden),
            hits_of(&h, &failing),
            hits_of(&h, &good)
        ),
        (1, 2, 1),
        "403 is not retried, 503 is"
    );
    let retries: Vec<(usize, AttemptError)> = events
        .all()
        .into_iter()
        .filter_map(|(e, _)| match e {
            Event::Retrying { mirror, reason, .. } => Some((mirror, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 5, "{retries:?}");
    assert!(matches!(retries[0], (0, AttemptError::Connection(_))));
    assert_eq!(retries[2], (1, AttemptError::Status(403)));
    assert_eq!(retries[4], (2, AttemptError::Status(503)));
}

#[tokio::test]
async fn a_transient_failure_is_retried_on_the_same_mirror() {
    let server = MockServer::start().await;
    let url = media_url(&root(&server), 14, 5000, "jpeg", "fail=1&status=502");
    let dir = tempfile::tempdir().unwrap();
    let got = downloader()
        .fetch(
            &item(vec![url.clone()], None),
            &dir.path().join("a.jpeg"),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!((got.mirror, got.size), (0, 5000));
    assert_eq!(hits_of(&hits(&server).await, &url), 2);
}

#[tokio::test]
async fn every_mirror_failing_is_one_typed_error() {
    let server = MockServer::start().await;
    let urls = vec![
        media_url(&root(&server), 15, 10, "mp4", "status=404"),
        media_url(&root(&server), 15, 10, "mp4", "status=500"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let err = downloader()
        .fetch(&item(urls, None), &dir.path().join("v.mp4"), &|_| {})
        .await
        .unwrap_err();
    match &err {
        Error::AllMirrorsFailed { last, attempts, .. } => {
            assert_eq!((last, *attempts), (&AttemptError::Status(500), 3))
        }
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("1/video") && msg.contains("fetch the aweme again"),
        "{msg}"
    );
}

#[tokio::test]
async fn an_ignored_range_restarts_cleanly() {
    let server = MockServer::start().await;
    let size = 200_000u64;
    let url = media_url(&root(&server), 16, size, "mp4", "norange=1");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    // A .part whose bytes are not the file's: appending the 200 body after it would corrupt the result.
    std::fs::write(part_path(&dest), vec![0xEE; 70_000]).unwrap();
    let got = downloader()
        .fetch(&item(vec![url.clone()], Some(size)), &dest, &|_| {})
        .await
        .unwrap();
    assert_eq!(got.size, size);
    assert_eq!(std::fs::read(&dest).unwrap(), expected(&url));
}

#[tokio::test]
async fn a_complete_part_is_finished_by_a_416() {
    let server = MockServer::start().await;
    let url = media_url(&root(&server), 17, 4096, "webp", "");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("i.webp");
    std::fs::write(part_path(&dest), expected(&url)).unwrap();
    let got = downloader()
        .fetch(&item(vec![url.clone()], None), &dest, &|_| {})
        .await
        .unwrap();
    assert_eq!(got.size, 4096);
    assert_eq!(std::fs::read(&dest).unwrap(), expected(&url));
}

#[tokio::test]
async fn wrong_lengths_are_caught_and_the_next_mirror_serves() {
    let server = MockServer::start().await;
    let size = 100_000u64;
    let base = root(&server);
    let short = media_url(&base, 18, size, "mp4", &format!("len={}", size - 10));
    let long = media_url(&base, 18, size, "mp4", &format!("len={}", size * 50));
    let good = media_url(&base, 18, size, "mp4", "");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let events = Events::default();
    let got = downloader()
        .fetch(
            &item(vec![short, long, good.clone()], Some(size)),
            &dest,
            &|u| events.push(u),
        )
        .await
        .unwrap();
    assert_eq!(got.mirror, 2);
    assert_eq!(std::fs::read(&dest).unwrap(), expected(&good));
    let mismatches = events
        .all()
        .into_iter()
        .filter(|(e, _)| {
            matches!(
                e,
                Event::Retrying {
                    reason: AttemptError::SizeMismatch { .. },
                    ..
                }
            )
        })
        .count();
    assert!(mismatches >= 2, "{:?}", events.all());
    // Nothing past the announced size was ever written.
    assert!(events.all().iter().all(|(_, bytes)| *bytes <= size));
}

#[tokio::test]
async fn a_stalled_transfer_times_out_and_resumes() {
    let server = MockServer::start().await;
    let size = 500_000u64;
    let url = media_url(&root(&server), 19, size, "mp4", "stall=200000");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let d = Downloader::builder()
        .retry(quick())
        .stall_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let got = d
        .fetch(&item(vec![url.clone()], Some(size)), &dest, &|_| {})
        .await
        .unwrap();
    assert_eq!(got.outcome, Outcome::Fetched { resumed_from: 0 });
    assert_eq!(std::fs::read(&dest).unwrap(), expected(&url));
    assert_eq!(hits_of(&hits(&server).await, &url), 2);
}

fn mock_aweme(server: &MockServer, m: &MediaAweme) -> Aweme {
    json_aweme(aweme_json(&root(server), m))
}

#[tokio::test]
async fn the_archive_skips_a_rerun_even_after_files_moved() {
    let server = MockServer::start().await;
    let aweme = mock_aweme(&server, &MediaAweme::video("7331282358999584037", 150_000));
    let everything = Selection {
        music: true,
        cover: true,
        ..Selection::default()
    };
    let post = select(&aweme, &everything);
    assert_eq!(
        post.items.iter().map(|i| i.kind).collect::<Vec<_>>(),
        [MediaKind::Video, MediaKind::Music, MediaKind::Cover]
    );
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("nested/dir/archive.sqlite");
    let first_dir = data.path().join("first");
    let d = downloader();
    {
        let archive = Archive::open(&db).unwrap();
        let jobs = Planner::new(&first_dir, NameTemplate::default()).plan(&post);
        let results = d.fetch_all(&jobs, Some(&archive), &|_| {}).await;
        for (job, r) in jobs.iter().zip(&results) {
            let r = r.as_ref().unwrap();
            assert_eq!(r.outcome, Outcome::Fetched { resumed_from: 0 });
            assert_eq!(
                std::fs::read(&job.dest).unwrap(),
                expected(&job.item.urls[0])
            );
        }
        assert_eq!(archive.len().unwrap(), 3);
    }
    let before = hits(&server).await.values().sum::<u64>();
    std::fs::rename(&first_dir, data.path().join("moved")).unwrap();
    let archive = Archive::open(&db).unwrap();
    assert_eq!(archive.schema_version().unwrap(), 1);
    let second_dir = data.path().join("second");
    let jobs = Planner::new(&second_dir, NameTemplate::default()).plan(&post);
    let results = d.fetch_all(&jobs, Some(&archive), &|_| {}).await;
    for r in results {
        let r = r.unwrap();
        assert_eq!(r.outcome, Outcome::InArchive);
        assert!(
            r.path.starts_with(&first_dir),
            "the archive names where it was written: {:?}",
            r.path
        );
    }
    assert!(!second_dir.exists(), "nothing was written");
    assert_eq!(
        hits(&server).await.values().sum::<u64>(),
        before,
        "no request went out"
    );
}

#[test]
fn archive_cursors_persist_and_newer_schemas_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    {
        let a = Archive::open(&db).unwrap();
        assert_eq!(a.cursor("aweme_post:MS4w").unwrap(), None);
        a.set_cursor("aweme_post:MS4w", "1706103533000").unwrap();
        a.set_cursor("aweme_post:MS4w", "1706000000000").unwrap();
        a.set_cursor("mix_aweme:1", "20").unwrap();
    }
    let a = Archive::open(&db).unwrap();
    assert_eq!(
        a.cursor("aweme_post:MS4w").unwrap().as_deref(),
        Some("1706000000000")
    );
    a.clear_cursor("aweme_post:MS4w").unwrap();
    assert_eq!(a.cursor("aweme_post:MS4w").unwrap(), None);
    assert_eq!(a.cursor("mix_aweme:1").unwrap().as_deref(), Some("20"));
    drop(a);
    // As a newer release would leave it.
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    match Archive::open(&db) {
        Err(Error::ArchiveTooNew {
            found: 99,
            supported: 1,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn hostile_captions_become_files_on_disk() {
    let server = MockServer::start().await;
    let captions = [
        "a/b\\c:d*e?f\"g<h>i|j",
        "line1\nline2\r\n\ttab",
        "💖✨ 好看 👨‍👩‍👧 #舞蹈",
        "\u{202E}gpj.exe",
        "CON",
        "..",
        &"长".repeat(300),
        "same caption",
        "same caption",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut planner = Planner::new(dir.path(), NameTemplate::parse("{desc}").unwrap());
    let mut jobs = Vec::new();
    for (i, c) in captions.iter().enumerate() {
        let mut m = MediaAweme::video(&format!("9{i}"), 1000);
        m.desc = (*c).to_owned();
        jobs.extend(planner.plan(&select(&mock_aweme(&server, &m), &Selection::default())));
    }
    let results = downloader().fetch_all(&jobs, None, &|_| {}).await;
    let mut names: Vec<String> = Vec::new();
    for (job, r) in jobs.iter().zip(results) {
        let r = r.unwrap();
        assert_eq!(
            r.path.parent(),
            Some(dir.path()),
            "stays in the directory: {:?}",
            r.path
        );
        assert_eq!(std::fs::read(&r.path).unwrap(), expected(&job.item.urls[0]));
        names.push(r.path.file_name().unwrap().to_str().unwrap().to_owned());
    }
    assert_eq!(
        names[..6],
        [
            "a_b_c_d_e_f_g_h_i_j.mp4",
            "line1 line2 tab.mp4",
            "好看 #舞蹈.mp4",
            "gpj.exe.mp4",
            "_CON.mp4",
            "95.mp4"
        ]
    );
    assert!(
        names[6].len() <= 240 && names[6].starts_with("长长"),
        "{}",
        names[6]
    );
    assert_eq!(names[7..], ["same caption.mp4", "same caption (2).mp4"]);
    let on_disk = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(on_disk, captions.len());
}

#[tokio::test]
async fn a_file_of_another_size_is_never_overwritten() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.mp4"), b"someone else's").unwrap();
    let mut m = MediaAweme::video("77", 3000);
    m.desc = "x".into();
    let jobs = Planner::new(dir.path(), NameTemplate::parse("{desc}").unwrap())
        .plan(&select(&mock_aweme(&server, &m), &Selection::default()));
    assert_eq!(jobs[0].dest, dir.path().join("x (2).mp4"));
    downloader().fetch_all(&jobs, None, &|_| {}).await[0]
        .as_ref()
        .unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("x.mp4")).unwrap(),
        b"someone else's"
    );
}

#[tokio::test]
async fn image_posts_fetch_every_picture_and_live_photo() {
    let server = MockServer::start().await;
    let mut m = MediaAweme::video("555", 0);
    m.video = None;
    m.images = vec![(40_000, None), (50_000, Some(120_000)), (60_000, None)];
    let post = select(&mock_aweme(&server, &m), &Selection::default());
    let dir = tempfile::tempdir().unwrap();
    let jobs = Planner::new(dir.path(), NameTemplate::default()).plan(&post);
    let names: Vec<_> = jobs
        .iter()
        .map(|j| j.dest.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "mock_555_mock video 555_image01.webp",
            "mock_555_mock video 555_image02.webp",
            "mock_555_mock video 555_live02.mp4",
            "mock_555_mock video 555_image03.webp",
        ]
    );
    for (job, r) in jobs
        .iter()
        .zip(downloader().fetch_all(&jobs, None, &|_| {}).await)
    {
        assert_eq!(
            std::fs::read(r.unwrap().path).unwrap(),
            expected(&job.item.urls[0])
        );
    }
}

#[tokio::test]
async fn fifty_items_at_concurrency_eight() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut planner = Planner::new(dir.path(), NameTemplate::default());
    let mut jobs = Vec::new();
    for i in 0..50u64 {
        let mut m = MediaAweme::video(&format!("{}", 7_000_000 + i), 20_000 + i * 997);
        // Every third item's first mirror refuses: the batch must still complete.
        if i % 3 == 0 {
            m.mirrors = vec!["status=403".into(), String::new()];
        }
        jobs.extend(planner.plan(&select(&mock_aweme(&server, &m), &Selection::default())));
    }
    let running = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let last = Mutex::new(None);
    let d = Downloader::builder()
        .concurrency(8)
        .retry(quick())
        .build()
        .unwrap();
    let results = d
        .fetch_all(&jobs, None, &|u| {
            match u.event {
                Event::Started { .. } => {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                }
                Event::Done | Event::Failed => drop(running.fetch_sub(1, Ordering::SeqCst)),
                _ => {}
            }
            *last.lock().unwrap() = Some(u.overall);
        })
        .await;
    let mut total = 0u64;
    for (job, r) in jobs.iter().zip(results) {
        let r = r.unwrap();
        assert_eq!(std::fs::read(&r.path).unwrap(), expected(&job.item.urls[0]));
        total += r.size;
    }
    let overall = last.lock().unwrap().unwrap();
    assert_eq!((overall.done, overall.failed, overall.items), (50, 0, 50));
    assert_eq!((overall.bytes, overall.total), (total, total));
    let peak = peak.load(Ordering::SeqCst);
    assert!((2..=8).contains(&peak), "peak concurrency {peak}");
}

#[tokio::test]
async fn an_unannounced_endless_body_stops_at_the_limit() {
    let server = MockServer::start().await;
    // No Content-Length, no data_size: only the limit stops it.
    let url = media_url(&root(&server), 20, 1000, "mp4", "len=10000000");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let d = Downloader::builder()
        .retry(quick())
        .max_size(300_000)
        .build()
        .unwrap();
    let err = d
        .fetch(&item(vec![url.clone()], None), &dest, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::AllMirrorsFailed {
                last: AttemptError::TooLarge(300_000),
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let kept = std::fs::metadata(part_path(&dest)).unwrap().len();
    assert!(kept <= 300_000, "{kept}");
    assert!(!dest.exists());
}

#[tokio::test]
async fn probe_reads_the_size_with_head() {
    let server = MockServer::start().await;
    let base = root(&server);
    let urls = vec![
        media_url(&base, 21, 777, "mp4", "status=403"),
        media_url(&base, 21, 123_456, "mp4", ""),
    ];
    assert_eq!(
        downloader().probe(&item(urls.clone(), None)).await,
        Some(123_456)
    );
    assert_eq!(
        downloader().probe(&item(urls[..1].to_vec(), Some(5))).await,
        Some(5),
        "the aweme's size when no mirror answers"
    );
}
