//! Peak-memory probe for hostile bodies: `hostile_probe bomb` (1.04 MB of gzip inflating to 1 GiB) or
//! `hostile_probe endless` (a chunked body that never ends; 15 s timeout), each against a loopback server in the
//! same process. Run under `/usr/bin/time -v` and read "Maximum resident set size".

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use douyin_core::{Client, Request, RetryPolicy};
use support::domain::{Body, Probe, OP};
use support::hostile::{self, Hostile, Reply};

#[tokio::main]
async fn main() {
    let probe = std::env::args().nth(1).unwrap_or_default();
    let server = match probe.as_str() {
        "bomb" => {
            let bomb = Arc::new(hostile::gzip_bomb(1024));
            eprintln!("gzip body: {} bytes, inflates to 1 GiB + 2", bomb.len());
            Hostile::start(move |_| Reply::Gzip(bomb.clone())).await
        }
        "endless" => Hostile::start(|_| Reply::Endless).await,
        _ => {
            eprintln!("usage: hostile_probe bomb|endless");
            std::process::exit(2);
        }
    };
    let client = Client::<Probe>::builder()
        .base_url(server.base_url())
        .timeout(Duration::from_secs(15))
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds");
    let started = Instant::now();
    let outcome = client.send::<Body>(Request::new(&OP)).await;
    let verdict = match &outcome {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!(
            "error: {}",
            e.to_string().chars().take(120).collect::<String>()
        ),
    };
    println!(
        "{probe}: {verdict} after {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
