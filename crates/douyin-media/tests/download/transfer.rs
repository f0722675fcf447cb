//! One item's transfer: resume after drops, mirror fallback, retries, ignored ranges, wrong lengths, stalls, an
//! endless body stopped at the limit, and the size probe.

use super::*;

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
