//! `douyin download --state postgres://…`: several worker processes sharing one crawl of a 200-aweme listing of the
//! mock over a real PostgreSQL server (started by `.ci/postgres.sh`, found through `DOUYIN_TEST_POSTGRES`), one of
//! them killed mid-aweme; and an unreachable database failing before any request.
//!
//! Without `DOUYIN_TEST_POSTGRES` the PostgreSQL tests say they are skipped (`common::postgres`).

mod common;

use std::process::Child;
use std::time::{Duration, Instant};

use common::crawl::{serve_videos, video_hits, wait, worker};
use common::mock::Mock;
use common::postgres::{assert_all_done, fresh_database, query_i64, server};
use common::{douyin, run, TempDir};

const SEC_UID: &str = "MS4wLjABAAAAsharedcrawl";
const PAGES: i64 = 10;
const PAGE_SIZE: usize = 20;
const VIDEO: u64 = 128 * 1024;

fn aweme_id(n: usize) -> String {
    format!("73100000000000{n:05}")
}

/// The listing's pages: 20 video awemes each, served slowly enough that a worker is killed while one downloads.
fn serve_listing(mock: &Mock) {
    serve_videos(mock, PAGES, PAGE_SIZE, aweme_id, VIDEO, &["slow=100"]);
}

fn finish(child: Child, name: &str, limit: Duration) -> String {
    let (ok, err) = wait(child, limit);
    assert!(ok, "worker {name}:\n{err}");
    err
}

#[test]
fn four_workers_share_a_crawl_and_a_killed_ones_aweme_is_downloaded_once() {
    let Some(server) = server() else { return };
    let mock = Mock::start();
    serve_listing(&mock);
    let (url, db) = fresh_database(&mock, &server, "shared");
    let home = TempDir::new("shared-crawl");
    let names = ["w1", "w2", "w3", "w4"];
    let mut workers: Vec<(String, Child)> = names
        .iter()
        .map(|n| (n.to_string(), worker(&mock, home.path(), SEC_UID, &url, n)))
        .collect();

    // Kill w1 (SIGKILL) right after it claimed an aweme (under 50 ms of its 2 s lease gone; an aweme takes about
    // 200 ms to download): it dies mid-aweme.
    let start = Instant::now();
    loop {
        let fresh = mock.rt.block_on(db.query_opt(
            "SELECT aweme_id FROM douyin_queue WHERE worker = 'w1' AND state = 'claimed'
             AND lease_until > now() + interval '1950 milliseconds'",
            &[],
        ));
        if let Ok(Some(_)) = fresh {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "w1 never claimed an aweme"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let (_, mut killed) = workers.remove(0);
    killed.kill().expect("SIGKILL");
    killed.wait().expect("reaped");
    let claimed: String = mock
        .rt
        .block_on(db.query_one(
            "SELECT aweme_id FROM douyin_queue WHERE worker = 'w1' AND state = 'claimed'",
            &[],
        ))
        .expect("w1 died holding an aweme")
        .get(0);
    // A restarted worker joins the others and finishes the rest with them.
    workers.push((
        "w1-again".into(),
        worker(&mock, home.path(), SEC_UID, &url, "w1-again"),
    ));
    for (name, child) in workers {
        finish(child, &name, Duration::from_secs(180));
    }

    let total = (PAGES as usize * PAGE_SIZE) as i64;
    let count = |sql: &str| query_i64(&mock, &db, sql);
    assert_eq!(count("SELECT COUNT(*) FROM douyin_queue"), total);
    assert_all_done(&mock, &db, total);
    assert_eq!(
        count("SELECT COUNT(*) FROM douyin_listings WHERE finished"),
        1
    );
    let finisher: String = mock
        .rt
        .block_on(db.query_one(
            "SELECT worker FROM douyin_queue WHERE aweme_id = $1",
            &[&claimed],
        ))
        .expect("the killed worker's aweme")
        .get(0);
    assert_ne!(finisher, "w1", "another worker took over {claimed}");

    // Every file once, complete, no partial file left.
    let out = home.path().join("out");
    let files: Vec<_> = std::fs::read_dir(&out).expect("out").flatten().collect();
    assert_eq!(files.len(), total as usize, "one file per aweme");
    for f in &files {
        assert_eq!(f.path().extension().and_then(|e| e.to_str()), Some("mp4"));
        assert_eq!(f.metadata().expect("metadata").len(), VIDEO);
    }
    // The media server saw each video fetched once, except the killed worker's, resumed from its `.part`.
    let ids: Vec<String> = (0..total as usize).map(aweme_id).collect();
    let hits = video_hits(&mock, &ids);
    let per_file = |n: usize| hits[n];
    let again: Vec<usize> = (0..total as usize).filter(|n| per_file(*n) != 1).collect();
    assert!(
        again.len() <= 1
            && again
                .iter()
                .all(|n| aweme_id(*n) == claimed && per_file(*n) == 2),
        "fetched more than once: {:?} (the killed worker held {claimed})",
        again
            .iter()
            .map(|n| (aweme_id(*n), per_file(*n)))
            .collect::<Vec<_>>()
    );
}

#[test]
fn an_unreachable_database_fails_before_any_request() {
    let mock = Mock::start();
    let home = TempDir::new("shared-unreachable");
    // Port 1 on loopback: nothing listens there. A download and an --all-pages walk alike.
    let url = "postgres://crawler:s3cret-pw@127.0.0.1:1/douyin";
    let out = home.path().join("out");
    let out = out.to_str().expect("UTF-8 path");
    let download = ["download", "--user", SEC_UID, "--state", url, "--dir", out];
    let walk = ["web", "aweme-post", SEC_UID, "--all-pages", "--state", url];
    for args in [&download[..], &walk[..]] {
        let mut c = douyin(home.path(), &[("DOUYIN_COOKIE", "sessionid=test")]);
        c.args(args)
            .arg("--base-url")
            .arg(mock.server.base_url("web"));
        let r = run(c);
        assert_eq!(r.code, Some(1), "{r:?}");
        assert!(
            r.stderr.contains(
                "--state: crawl state postgres://crawler:***@127.0.0.1:1/douyin: cannot connect"
            ),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("s3cret-pw"), "{}", r.stderr);
        assert!(mock.server.requests().is_empty(), "no request was sent");
    }

    let mut c = douyin(home.path(), &[]);
    c.args(["download", "--user", SEC_UID, "--state", "mysql://x@y/z"]);
    let r = run(c);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("--state: give a postgres://"),
        "{}",
        r.stderr
    );
}
