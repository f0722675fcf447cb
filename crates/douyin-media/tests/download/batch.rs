//! Planned batches: the archive across runs and its cursors, hostile captions as names on disk, never overwriting
//! another file, image posts, and fifty items at a bounded concurrency.

use super::*;

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
