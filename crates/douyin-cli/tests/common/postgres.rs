//! The test PostgreSQL server (started by `.ci/postgres.sh`, found through `DOUYIN_TEST_POSTGRES`): a fresh
//! database per test, and counting queries.
//!
//! Without `DOUYIN_TEST_POSTGRES` a test that needs the server says it is skipped and passes, except under CI
//! (`CI` set), where a missing server fails it: `.ci/run` always starts one.

use super::mock::Mock;

/// The test server's URL, or `None` (skipped) outside CI.
pub fn server() -> Option<String> {
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

/// A client of the database at `url`.
pub fn connect(mock: &Mock, url: &str) -> tokio_postgres::Client {
    let url = url.to_owned();
    mock.rt.block_on(async move {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("the test PostgreSQL answers");
        tokio::spawn(conn);
        client
    })
}

/// A fresh database on the test server for one test: its URL and a client of it.
pub fn fresh_database(mock: &Mock, server: &str, name: &str) -> (String, tokio_postgres::Client) {
    let admin = connect(mock, server);
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
    (url.clone(), connect(mock, &url))
}

/// The one number `sql` selects.
pub fn query_i64(mock: &Mock, db: &tokio_postgres::Client, sql: &str) -> i64 {
    mock.rt
        .block_on(db.query_one(sql, &[]))
        .expect("query")
        .get(0)
}

/// The one number `sql` selects, or 0 when it fails (the crawl has not made its tables yet).
pub fn poll_i64(mock: &Mock, db: &tokio_postgres::Client, sql: &str) -> i64 {
    mock.rt
        .block_on(db.query_one(sql, &[]))
        .map_or(0, |r| r.get(0))
}

/// Asserts that the shared crawl in `db` has all its `total` awemes done and archived once each.
pub fn assert_all_done(mock: &Mock, db: &tokio_postgres::Client, total: i64) {
    for sql in [
        "SELECT COUNT(*) FROM douyin_queue WHERE state = 'done'",
        "SELECT COUNT(*) FROM douyin_downloads",
        "SELECT COUNT(DISTINCT aweme_id) FROM douyin_downloads",
    ] {
        assert_eq!(query_i64(mock, db, sql), total, "{sql}");
    }
}
