//! `douyin download --state postgres://…`: several worker processes sharing one crawl of a 200-aweme listing of the
//! mock over a real PostgreSQL server (started by `.ci/postgres.sh`, found through `DOUYIN_TEST_POSTGRES`), one of
//! them killed mid-aweme; and an unreachable database failing before any request.
//!
//! Without `DOUYIN_TEST_POSTGRES` the PostgreSQL test says it is skipped and passes, except under CI (`CI` set),
//! where a missing server fails it: `.ci/run` always starts one.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::mock::Mock;
use common::{douyin, run, TempDir};
use douyin_mock::media::{aweme_json, seed_of, MediaAweme};
use douyin_mock::Scenario;

const SEC_UID: &str = "MS4wLjABAAAAsharedcrawl";
const PAGES: i64 = 10;
const PAGE_SIZE: usize = 20;
const VIDEO: u64 = 128 * 1024;

/// The test server's URL, or `None` (skipped) outside CI.
fn server() -> Option<String> {
    match std::env::var("DOUYIN_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") => panic!(
            "DOUYIN_TEST_POSTGRES is not set under CI: .ci/run starts PostgreSQL with .ci/postgres.sh"
        ),
        _ => {
            eprintln!(
                "skipped: no PostgreSQL (run `source .ci/postgres.sh start` first, see the README)"
            );
            None
        }
    }
}

/// A fresh database on the test server for one test: its URL and a client of it.
fn fresh_database(mock: &Mock, server: &str, name: &str) -> (String, tokio_postgres::Client) {
    let connect = |url: String| {
        mock.rt.block_on(async move {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("the test PostgreSQL answers");
            tokio::spawn(conn);
            client
        })
    };
    let admin = connect(server.to_owned());
    let db = format!("douyin_{name}_{}", std::process::id());
    mock.rt.block_on(async {
        for sql in [
            format!("DROP DATABASE IF EXISTS {db}"),
            format!("CREATE DATABASE {db}"),
        ] {
            admin.batch_execute(&sql).await.expect("database created");
        }
    });
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    let url = format!("{base}/{db}");
    (url.clone(), connect(url))
}

fn aweme_id(n: usize) -> String {
    format!("73100000000000{n:05}")
}

/// The listing's pages, each answered by its cursor (0, 1, …): 20 video awemes each, served slowly enough that a
/// worker is killed while one downloads.
fn serve_listing(mock: &Mock) {
    let pages = (0..PAGES)
        .map(|page| {
            let awemes: Vec<serde_json::Value> = (0..PAGE_SIZE)
                .map(|i| {
                    let mut m = MediaAweme::video(&aweme_id(page as usize * PAGE_SIZE + i), VIDEO);
                    m.mirrors = vec!["slow=100".to_owned()];
                    aweme_json(&mock.root(), &m)
                })
                .collect();
            let more = page + 1 < PAGES;
            let body = serde_json::json!({
                "status_code": 0, "aweme_list": awemes, "has_more": i64::from(more), "max_cursor": page + 1,
                "min_cursor": 0,
            });
            let raw = Scenario::Raw {
                status: 200,
                content_type: "application/json".into(),
                body: body.to_string().into_bytes(),
            };
            (page, raw)
        })
        .collect();
    mock.server
        .set_scenario("web", "aweme_post", Scenario::ByCursor(pages));
}

fn worker(mock: &Mock, home: &Path, url: &str, name: &str) -> Child {
    let mut c: Command = douyin(
        home,
        &[
            ("DOUYIN_COOKIE", "sessionid=test"),
            ("DOUYIN_MS_TOKEN", "test-ms-token"),
        ],
    );
    c.args([
        "download", "--user", SEC_UID, "--what", "video", "--state", url,
    ])
    .args(["--lease", "2", "--worker", name, "--base-url"])
    .arg(mock.server.base_url("web"))
    .arg("--dir")
    .arg(home.join("out"))
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    c.spawn().expect("douyin runs")
}

/// Waits for `child`, killing it and failing the test after `limit`.
fn finish(mut child: Child, name: &str, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut err)
                .expect("stderr");
            assert!(status.success(), "worker {name}: {status}\n{err}");
            return err;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("worker {name} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn query_i64(mock: &Mock, db: &tokio_postgres::Client, sql: &str) -> i64 {
    mock.rt
        .block_on(db.query_one(sql, &[]))
        .expect("query")
        .get(0)
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
        .map(|n| (n.to_string(), worker(&mock, home.path(), &url, n)))
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
        worker(&mock, home.path(), &url, "w1-again"),
    ));
    for (name, child) in workers {
        finish(child, &name, Duration::from_secs(180));
    }

    let total = (PAGES as usize * PAGE_SIZE) as i64;
    let count = |sql: &str| query_i64(&mock, &db, sql);
    assert_eq!(count("SELECT COUNT(*) FROM douyin_queue"), total);
    assert_eq!(
        count("SELECT COUNT(*) FROM douyin_queue WHERE state = 'done'"),
        total
    );
    assert_eq!(count("SELECT COUNT(*) FROM douyin_downloads"), total);
    assert_eq!(
        count("SELECT COUNT(DISTINCT aweme_id) FROM douyin_downloads"),
        total
    );
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
    let hits: serde_json::Value = mock.rt.block_on(async {
        let body = reqwest::get(format!("{}/media/hits", mock.root()))
            .await
            .expect("hits")
            .bytes()
            .await
            .expect("hits body");
        serde_json::from_slice(&body).expect("hits JSON")
    });
    let per_file = |n: usize| {
        let seed = seed_of(&aweme_id(n), 0);
        hits.as_object()
            .expect("object")
            .iter()
            .filter(|(k, _)| k.contains(&format!("/media/{seed}/")))
            .map(|(_, v)| v.as_u64().unwrap_or(0))
            .sum::<u64>()
    };
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
    let mut c = douyin(home.path(), &[("DOUYIN_COOKIE", "sessionid=test")]);
    // Port 1 on loopback: nothing listens there.
    c.args(["download", "--user", SEC_UID, "--state"])
        .arg("postgres://crawler:s3cret-pw@127.0.0.1:1/douyin")
        .arg("--base-url")
        .arg(mock.server.base_url("web"))
        .arg("--dir")
        .arg(home.path().join("out"));
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
