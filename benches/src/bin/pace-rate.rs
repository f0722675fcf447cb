//! How closely one identity is held to its budget: a paced web client with one identity calls `aweme_detail`
//! back to back against the mock (in this process, on loopback) for `--seconds` (default 60), and prints the rate
//! it held against the budget the spec declares (times `--scale`, default 1). Figures: docs/performance.md.
//!
//! `cargo run --release -p douyin-bench --bin pace-rate -- --seconds 60 --scale 100`

use std::time::{Duration, Instant};

use douyin_bench::web_builder;
use douyin_mock::MockServer;
use douyin_web::AwemeDetailParams;

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}: not a number")))
        .unwrap_or(default)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (seconds, scale) = (arg("--seconds", 60.0), arg("--scale", 1.0));
    let server = MockServer::start().await;
    let client: douyin_web::Client = web_builder(&server.base_url("web"))
        .pacing_scale(scale)
        .build()
        .expect("client builds")
        .into();
    let op = &douyin_web::operations::AWEME_DETAIL;
    let budget = client
        .core()
        .crawl()
        .expect("paced")
        .pacer()
        .budget(op)
        .expect("paced op");
    let params = AwemeDetailParams::new("7331282358999584037");
    let window = Duration::from_secs_f64(seconds);
    let mut sent = Vec::new();
    let start = Instant::now();
    while start.elapsed() < window {
        client
            .aweme_detail(&params)
            .await
            .expect("the mock answers");
        sent.push(start.elapsed());
    }
    // The first request spends the burst; the rate is the intervals after it.
    let (first, last) = (sent[0], *sent.last().unwrap());
    let held = (sent.len() - 1) as f64 / (last - first).as_secs_f64();
    let off = (held / budget.per_second - 1.0) * 100.0;
    println!(
        "aweme_detail, one identity, {seconds} s: {} requests, held {held:.4}/s against a budget of {:.4}/s \
         ({off:+.2} %)",
        sent.len(),
        budget.per_second
    );
}
