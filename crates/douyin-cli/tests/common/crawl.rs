//! What the crawl tests share: a user's posts served page by page by the mock, `douyin` with a web session, a
//! `download --state` worker, waiting for a process, and how often the media server served each aweme's video.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use douyin_mock::media::{aweme_json, seed_of, MediaAweme};
use douyin_mock::Scenario;

use super::douyin;
use super::mock::Mock;

/// `aweme/post` answered by cursor (0, 1, …, `pages - 1`, each pointing at the next): `awemes(page)` is the page.
pub fn serve_pages(mock: &Mock, pages: i64, awemes: impl Fn(i64) -> Vec<serde_json::Value>) {
    let by_cursor = (0..pages)
        .map(|page| {
            let body = serde_json::json!({
                "status_code": 0, "aweme_list": awemes(page), "has_more": i64::from(page + 1 < pages),
                "max_cursor": page + 1, "min_cursor": 0,
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
        .set_scenario("web", "aweme_post", Scenario::ByCursor(by_cursor));
}

/// Pages of `per_page` video awemes (`id(n)` for the n-th, `size` bytes each, served with `mirrors`).
pub fn serve_videos(
    mock: &Mock,
    pages: i64,
    per_page: usize,
    id: fn(usize) -> String,
    size: u64,
    mirrors: &[&str],
) {
    let root = mock.root();
    serve_pages(mock, pages, |page| {
        (0..per_page)
            .map(|i| {
                let mut m = MediaAweme::video(&id(page as usize * per_page + i), size);
                m.mirrors = mirrors.iter().map(|s| (*s).to_owned()).collect();
                aweme_json(&root, &m)
            })
            .collect()
    });
}

/// `douyin` with a web session (cookie and msToken) for the mock.
pub fn douyin_web(home: &Path) -> Command {
    douyin(
        home,
        &[
            ("DOUYIN_COOKIE", "sessionid=test"),
            ("DOUYIN_MS_TOKEN", "test-ms-token"),
        ],
    )
}

/// A `download --user SEC_UID --state URL` worker named `name`, its files in `home/out`, stderr piped.
pub fn worker(mock: &Mock, home: &Path, sec_uid: &str, url: &str, name: &str) -> Child {
    let mut c = douyin_web(home);
    c.args([
        "download", "--user", sec_uid, "--what", "video", "--state", url,
    ])
    .args(["--lease", "2", "--worker", name, "--base-url"])
    .arg(mock.server.base_url("web"))
    .arg("--dir")
    .arg(home.join("out"))
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    c.spawn().expect("douyin runs")
}

/// Waits for `child` (killing it and failing the test after `limit`): whether it succeeded, and its stderr.
pub fn wait(mut child: Child, limit: Duration) -> (bool, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut err)
                .expect("stderr");
            return (status.success(), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("a process still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How many times the media server served each of `ids`' videos (resumed requests count again).
pub fn video_hits(mock: &Mock, ids: &[String]) -> Vec<u64> {
    let hits: serde_json::Value = mock.rt.block_on(async {
        let body = reqwest::get(format!("{}/media/hits", mock.root()))
            .await
            .expect("hits")
            .bytes()
            .await
            .expect("hits body");
        serde_json::from_slice(&body).expect("hits JSON")
    });
    let hits = hits.as_object().expect("object");
    ids.iter()
        .map(|id| {
            let seed = format!("/media/{}/", seed_of(id, 0));
            hits.iter()
                .filter(|(k, _)| k.contains(&seed))
                .map(|(_, v)| v.as_u64().unwrap_or(0))
                .sum()
        })
        .collect()
}
