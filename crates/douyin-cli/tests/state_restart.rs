//! The PostgreSQL server of a shared crawl restarted mid-crawl (`.ci/postgres.sh restart`: fast shutdown, open
//! connections cut): each worker finishes or ends with a clear error, nothing is marked done that was not
//! downloaded, and a rerun leaves every aweme downloaded exactly once. The test starts a server of its own with
//! `.ci/postgres.sh`, so restarting it disturbs no other test; it runs where `DOUYIN_TEST_POSTGRES` says PostgreSQL is
//! installed (`common::postgres`).

mod common;

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::crawl::{serve_videos, wait, worker};
use common::mock::Mock;
use common::postgres::{assert_all_done, connect, fresh_database, poll_i64, server};
use common::{workspace, TempDir};

const SEC_UID: &str = "MS4wLjABAAAArestart";
const PAGES: i64 = 4;
const PAGE_SIZE: usize = 20;
const VIDEO: u64 = 64 * 1024;

/// A server of this test's own, stopped when dropped.
struct OwnServer {
    url: String,
    dir: PathBuf,
}

impl OwnServer {
    fn start() -> OwnServer {
        let out = Command::new("bash")
            .arg("-c")
            .arg(r#"source .ci/postgres.sh start >&2 && echo "$DOUYIN_TEST_POSTGRES" && echo "$DOUYIN_TEST_POSTGRES_DIR""#)
            .current_dir(workspace())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let mut lines = text.lines();
        let (url, dir) = (
            lines.next().expect("URL"),
            lines.next().expect("data directory"),
        );
        OwnServer {
            url: url.to_owned(),
            dir: PathBuf::from(dir),
        }
    }

    fn script(&self, verb: &str) {
        let status = Command::new("bash")
            .arg(".ci/postgres.sh")
            .arg(verb)
            .arg(&self.dir)
            .current_dir(workspace())
            .status()
            .expect("bash runs");
        assert!(status.success(), "postgres.sh {verb}");
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.script("stop");
    }
}

fn aweme_id(n: usize) -> String {
    format!("73300000000000{n:05}")
}

#[test]
fn a_database_restart_mid_crawl_marks_nothing_done_that_was_not_downloaded() {
    if server().is_none() {
        return;
    }
    let own = OwnServer::start();
    let mock = Mock::start();
    serve_videos(&mock, PAGES, PAGE_SIZE, aweme_id, VIDEO, &["slow=50"]);
    let (url, _) = fresh_database(&mock, &own.url, "restart");
    let home = TempDir::new("state-restart");
    let workers: Vec<Child> = ["w1", "w2", "w3"]
        .iter()
        .map(|n| worker(&mock, home.path(), SEC_UID, &url, n))
        .collect();

    let db = connect(&mock, &url);
    let start = Instant::now();
    while poll_i64(
        &mock,
        &db,
        "SELECT COUNT(*) FROM douyin_queue WHERE state = 'done'",
    ) < 15
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the crawl never got going"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(db);
    own.script("restart");

    for child in workers {
        let (ok, err) = wait(child, Duration::from_secs(120));
        eprintln!("worker ended ok={ok}: {}", err.lines().last().unwrap_or(""));
        // Reconnected and finished, or stopped with the database named and what to do.
        assert!(
            ok || err.contains("crawl state postgres://douyin@127.0.0.1:")
                && err.contains("check that the database is running"),
            "{err}"
        );
    }

    // Whatever is marked done has its file, complete, and its archive row.
    let db = connect(&mock, &url);
    let out = home.path().join("out");
    let done: Vec<String> = mock
        .rt
        .block_on(db.query(
            "SELECT aweme_id FROM douyin_queue WHERE state = 'done'",
            &[],
        ))
        .expect("done awemes")
        .iter()
        .map(|r| r.get(0))
        .collect();
    for id in &done {
        let rows = mock
            .rt
            .block_on(db.query(
                "SELECT file, size FROM douyin_downloads WHERE aweme_id = $1",
                &[id],
            ))
            .expect("archive rows");
        assert_eq!(rows.len(), 1, "{id} is done and archived once");
        let file: String = rows[0].get(0);
        let size: i64 = rows[0].get(1);
        assert_eq!(size as u64, VIDEO);
        assert_eq!(
            std::fs::metadata(&file).map(|m| m.len()).ok(),
            Some(VIDEO),
            "{file}"
        );
    }

    // A rerun (after the leases of any claims cut short) finishes the rest.
    let (ok, err) = wait(
        worker(&mock, home.path(), SEC_UID, &url, "again"),
        Duration::from_secs(120),
    );
    assert!(ok, "{err}");
    let total = PAGES * PAGE_SIZE as i64;
    assert_all_done(&mock, &db, total);
    let files: Vec<_> = std::fs::read_dir(&out).expect("out").flatten().collect();
    assert_eq!(
        files.len(),
        total as usize,
        "one file per aweme, no .part left"
    );
    for f in &files {
        assert_eq!(
            f.metadata().expect("metadata").len(),
            VIDEO,
            "{:?}",
            f.path()
        );
    }
}
