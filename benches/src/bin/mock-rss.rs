//! The mock's memory under load (issue 11 row 8): `mock-rss [GETS] [POSTS]` starts a `MockServer` in this process,
//! sends GETS keep-alive requests to onebound `item_get_video` (default 60000), then POSTS 50 MB bodies to an
//! unknown path (default 5), and prints the resident set (`VmRSS`) before, after the GETs and after the POSTs. The
//! client's own memory stays flat, so growth is the mock's: its request log and the bodies it reads.

use std::process::ExitCode;

use douyin_bench::proc_status_kb;
use douyin_mock::MockServer;

fn rss_mb() -> u64 {
    proc_status_kb("VmRSS").unwrap_or(0) / 1024
}

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(args) = std::env::args()
        .skip(1)
        .map(|a| a.parse::<u64>())
        .collect::<Result<Vec<u64>, _>>()
    else {
        eprintln!("error: usage: mock-rss [GETS] [POSTS] (numbers)");
        return ExitCode::from(2);
    };
    let (gets, posts) = (
        args.first().copied().unwrap_or(60_000),
        args.get(1).copied().unwrap_or(5),
    );
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let base = server.base_url("onebound");
    let start = rss_mb();
    for i in 0..gets {
        let url =
            format!("{base}/douyin/item_get_video/?key=test-key&secret=test-secret&item_id={i}");
        let answer = match http.get(url).send().await {
            Ok(resp) if resp.status().is_success() => resp.bytes().await.map(drop),
            Ok(resp) => {
                eprintln!("error: the mock answered {}", resp.status());
                return ExitCode::FAILURE;
            }
            Err(e) => Err(e),
        };
        if let Err(e) = answer {
            eprintln!("error: the mock did not answer: {e}");
            return ExitCode::FAILURE;
        }
    }
    let after_gets = rss_mb();
    let body = bytes::Bytes::from(vec![b'x'; 50 << 20]);
    let mut last = String::new();
    for _ in 0..posts {
        // The mock may answer 413 and close before the upload ends: that is the point, not a failure.
        last = match http
            .post(format!("{base}/no/such/path"))
            .body(body.clone())
            .send()
            .await
        {
            Ok(r) => r.status().to_string(),
            Err(e) => format!("connection closed early ({e})"),
        };
    }
    drop(body);
    let after_posts = rss_mb();
    println!(
        "mock-rss: {start} MB at start, {after_gets} MB after {gets} GETs, {after_posts} MB after {posts} POSTs of \
         50 MB (last answer: {last}); {} requests logged, {} dropped from the log",
        server.requests().len(),
        server.requests_dropped()
    );
    ExitCode::SUCCESS
}
