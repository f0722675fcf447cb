//! `--all-pages --state`: the walk's cursor kept in PostgreSQL (a real server, `common::postgres`) or an SQLite
//! file. A killed walk resumes at its saved cursor; three processes walking one listing fetch each page once and
//! print each item once between them; a walk started after the listing finished starts over at the first page; and
//! `douyin download --state` re-crawls a finished listing downloading only its new aweme. (An unreachable database:
//! `shared_crawl.rs`.)

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::crawl::{douyin_web, serve_pages, video_hits};
use common::mock::Mock;
use common::postgres::{fresh_database, poll_i64, query_i64, server};
use common::{douyin, run, TempDir};
use douyin_mock::media::{aweme_json, MediaAweme};

const SEC_UID: &str = "MS4wLjABAAAAwalkstate";
const PAGES: i64 = 10;
const PAGE_SIZE: usize = 20;

fn aweme_id(n: usize) -> String {
    format!("73200000000000{n:05}")
}

fn serve_listing(mock: &Mock) {
    serve_pages(mock, PAGES, |page| {
        (0..PAGE_SIZE)
            .map(|i| serde_json::json!({ "aweme_id": aweme_id(page as usize * PAGE_SIZE + i) }))
            .collect()
    });
}

fn walk(mock: &Mock, home: &Path, state: &str, extra: &[&str]) -> Command {
    let mut c = douyin_web(home);
    c.args([
        "web",
        "aweme-post",
        SEC_UID,
        "--all-pages",
        "--state",
        state,
    ])
    .args(extra)
    .arg("--base-url")
    .arg(mock.server.base_url("web"));
    c
}

/// The aweme ids of JSON Lines output.
fn ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["aweme_id"].as_str().expect("an aweme id").to_owned()
        })
        .collect()
}

/// How many times each cursor of the listing was asked for since `seen` requests (which it moves on).
fn asked(mock: &Mock, seen: &mut usize) -> BTreeMap<i64, usize> {
    let all = mock.server.requests_to("aweme_post");
    let mut out = BTreeMap::new();
    for r in &all[*seen..] {
        let query = r.query.clone().unwrap_or_default();
        let cursor = form_value(&query, "max_cursor").map_or(0, |c| c.parse().expect("a number"));
        *out.entry(cursor).or_default() += 1;
    }
    *seen = all.len();
    out
}

fn form_value(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

fn all_ids() -> Vec<String> {
    (0..PAGES as usize * PAGE_SIZE).map(aweme_id).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn a_killed_walk_resumes_at_its_saved_cursor_and_a_finished_one_starts_over() {
    let Some(server) = server() else { return };
    let mock = Mock::start();
    serve_listing(&mock);
    let (url, db) = fresh_database(&mock, &server, "walk_resume");
    let home = TempDir::new("walk-resume");
    let mut seen = 0;

    // Paced at 3 pages/s, so the walk is killed between pages with its lines for the saved cursor written.
    let mut c = walk(&mock, home.path(), &url, &["--pace-scale", "25"]);
    let out = home.path().join("first.jsonl");
    c.stdout(std::fs::File::create(&out).expect("out"))
        .stderr(Stdio::null());
    let mut child: Child = c.spawn().expect("douyin runs");
    let start = Instant::now();
    let at = || {
        poll_i64(
            &mock,
            &db,
            "SELECT COALESCE(MAX(CASE WHEN cursor ~ '^[0-9]+$' THEN cursor::BIGINT END), 0) FROM douyin_listings",
        )
    };
    while at() < 4 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the walk never got to page 4"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let saved = query_i64(&mock, &db, "SELECT cursor::BIGINT FROM douyin_listings");
    assert!((4..PAGES).contains(&saved), "saved cursor {saved}");
    let first = ids(&std::fs::read_to_string(&out).expect("first lines"));
    assert!(
        first.len() >= saved as usize * PAGE_SIZE,
        "{} lines",
        first.len()
    );
    let before = asked(&mock, &mut seen);

    let r = run(walk(&mock, home.path(), &url, &[]));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "resuming `web:aweme_post sec_user_id_or_link={SEC_UID}` at cursor {saved}"
        )),
        "{}",
        r.stderr
    );
    let again = asked(&mock, &mut seen);
    assert_eq!(
        again.keys().next(),
        Some(&saved),
        "the rerun starts at the saved cursor"
    );
    // Each page was asked for once, except the one the killed walk was fetching when it died.
    let mut pages = before.clone();
    for (c, n) in &again {
        *pages.entry(*c).or_default() += n;
    }
    assert_eq!(
        pages.keys().copied().collect::<Vec<_>>(),
        (0..PAGES).collect::<Vec<_>>()
    );
    assert!(
        pages.values().filter(|n| **n > 1).count() <= 1 && pages.values().all(|n| *n <= 2),
        "{pages:?}"
    );
    let second = ids(&r.stdout);
    assert_eq!(second.first(), Some(&aweme_id(saved as usize * PAGE_SIZE)));
    let mut union = sorted(first.iter().chain(&second).cloned().collect());
    union.dedup();
    assert_eq!(union, all_ids(), "every item, none lost");
    assert_eq!(
        query_i64(
            &mock,
            &db,
            "SELECT COUNT(*) FROM douyin_listings WHERE finished"
        ),
        1
    );

    // The listing finished: the next walk is a new pass from the first page.
    let r = run(walk(&mock, home.path(), &url, &[]));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(ids(&r.stdout), all_ids());
    assert_eq!(
        asked(&mock, &mut seen),
        (0..PAGES).map(|c| (c, 1)).collect()
    );
    assert_eq!(query_i64(&mock, &db, "SELECT pass FROM douyin_listings"), 2);
}

#[test]
fn three_walkers_share_a_listing_and_fetch_each_page_once() {
    let Some(server) = server() else { return };
    let mock = Mock::start();
    serve_listing(&mock);
    let (url, db) = fresh_database(&mock, &server, "walk_shared");
    let home = TempDir::new("walk-shared");
    let mut seen = 0;
    let walkers: Vec<Child> = (0..3)
        .map(|_| {
            let mut c = walk(&mock, home.path(), &url, &["--pace-scale", "100"]);
            c.stdout(Stdio::piped()).stderr(Stdio::piped());
            c.spawn().expect("douyin runs")
        })
        .collect();
    let mut printed = Vec::new();
    for child in walkers {
        let out = child.wait_with_output().expect("walker ends");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        printed.extend(ids(&String::from_utf8(out.stdout).expect("UTF-8")));
    }
    assert_eq!(
        sorted(printed),
        all_ids(),
        "each item printed once between them"
    );
    assert_eq!(
        asked(&mock, &mut seen),
        (0..PAGES).map(|c| (c, 1)).collect(),
        "each page fetched once"
    );
    assert_eq!(
        query_i64(
            &mock,
            &db,
            "SELECT COUNT(*) FROM douyin_listings WHERE finished AND pass = 1"
        ),
        1
    );
}

#[test]
fn an_sqlite_state_resumes_a_walk_stopped_at_max_pages() {
    let mock = Mock::start();
    serve_listing(&mock);
    let home = TempDir::new("walk-sqlite");
    let mut seen = 0;
    let file = home.path().join("walks.sqlite");
    let state = file.to_str().expect("UTF-8 path");
    let r = run(walk(&mock, home.path(), state, &["--max-pages", "3"]));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains("stopped at --max-pages 3; 60 items written; its cursor is saved in --state"),
        "{}",
        r.stderr
    );
    assert_eq!(ids(&r.stdout), all_ids()[..60].to_vec());
    asked(&mock, &mut seen);
    let r = run(walk(&mock, home.path(), state, &[]));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(ids(&r.stdout), all_ids()[60..].to_vec());
    assert_eq!(
        asked(&mock, &mut seen),
        (3..PAGES).map(|c| (c, 1)).collect()
    );
    let r = run(walk(&mock, home.path(), state, &["--max-pages", "1"]));
    assert_eq!(
        ids(&r.stdout),
        all_ids()[..20].to_vec(),
        "a finished walk starts over"
    );
}

#[test]
fn state_without_all_pages_is_a_usage_error() {
    let mock = Mock::start();
    serve_listing(&mock);
    let home = TempDir::new("walk-unreachable");
    let mut c = douyin(home.path(), &[("DOUYIN_COOKIE", "sessionid=test")]);
    c.args([
        "web",
        "aweme-post",
        SEC_UID,
        "--state",
        "x.sqlite",
        "--base-url",
    ])
    .arg(mock.server.base_url("web"));
    let r = run(c);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("--state keeps the cursor of an --all-pages walk"),
        "{}",
        r.stderr
    );
    assert!(mock.server.requests().is_empty(), "no request was sent");
}

#[test]
fn a_download_recrawl_of_a_finished_listing_fetches_only_new_awemes() {
    let Some(server) = server() else { return };
    let mock = Mock::start();
    let (url, db) = fresh_database(&mock, &server, "recrawl");
    let home = TempDir::new("walk-recrawl");
    let old: Vec<String> = (0..10).map(aweme_id).collect();
    let new = aweme_id(99);
    let serve = |listing: Vec<String>| {
        let root = mock.root();
        serve_pages(&mock, 2, move |page| {
            let half = listing.len().div_ceil(2);
            let ids = listing.iter().skip(page as usize * half).take(half);
            ids.map(|id| aweme_json(&root, &MediaAweme::video(id, 4096)))
                .collect()
        });
    };
    let download = || {
        let mut c = douyin_web(home.path());
        c.args([
            "download", "--user", SEC_UID, "--what", "video", "--state", &url,
        ])
        .arg("--base-url")
        .arg(mock.server.base_url("web"))
        .arg("--dir")
        .arg(home.path().join("out"));
        run(c)
    };
    serve(old.clone());
    let r = download();
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(video_hits(&mock, &old), vec![1; 10]);

    // The user posted one more: the re-crawl walks from the first page and downloads only that one.
    let mut listing = vec![new.clone()];
    listing.extend(old.iter().cloned());
    serve(listing);
    let r = download();
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains("2 page(s) queued, 1 aweme(s) finished"),
        "{}",
        r.stderr
    );
    assert_eq!(
        video_hits(&mock, &old),
        vec![1; 10],
        "nothing downloaded again"
    );
    assert_eq!(video_hits(&mock, std::slice::from_ref(&new)), vec![1]);
    let count = |sql: &str| query_i64(&mock, &db, sql);
    assert_eq!(
        count("SELECT COUNT(*) FROM douyin_queue WHERE state = 'done'"),
        11
    );
    assert_eq!(count("SELECT COUNT(*) FROM douyin_downloads"), 11);
    assert_eq!(count("SELECT pass FROM douyin_listings WHERE finished"), 2);
    let files = std::fs::read_dir(home.path().join("out"))
        .expect("out")
        .count();
    assert_eq!(files, 11);
}
