//! What the server layer costs: `serve-cost [SECONDS] [CONCURRENCY] [ROUNDS] [UPSTREAM_MS]`.
//!
//! The mock runs in a child process (this binary again: `MockProcess::start_self`). In each round, for SECONDS
//! (default 5) with CONCURRENCY requests in flight (default 8), web `aweme_detail` is asked of the mock by the
//! library directly (`douyin_web::Client::aweme_detail`: sign, send, receive, decode; the client configured from
//! the same cookie and msToken as the server's, by `Client::configured`) and through `douyin serve`
//! (`douyin_cli::serve_router`, served by axum in this process on loopback, asked with `GET
//! /v1/web/aweme-detail?aweme_id=…` by a reqwest client that reads the whole JSON answer); which goes first
//! alternates between rounds. Prints requests/s of each and the server's cost (1 − served/direct) per round and
//! over all rounds. Bad arguments or a failed request end the run with one line on stderr and a non-zero status.
//!
//! A third measurement separates what any HTTP server over the library costs from what `douyin serve` adds: a
//! minimal axum route (in this process, asked the same way) that calls the library and answers the decoded
//! response encoded as JSON, with no routing by spec, argument parsing, dispatch or masking. Its cost against the
//! library is the floor of serving the answer over HTTP on this machine; `douyin serve`'s against it is its own.
//!
//! With UPSTREAM_MS (default 0) the mock answers after that many milliseconds, as a distant upstream does: the
//! measurement then shows what the layer costs when requests wait on the network rather than on the CPU.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use douyin_bench::MockProcess;
use douyin_web::AwemeDetailParams;

/// An aweme the mock's `aweme_detail` answers (its documented example).
const AWEME_ID: &str = "7331282358999584037";

/// Why a run stopped, as one line.
type Failure = String;

fn main() {
    douyin_bench::serve_if_mock_child();
    if let Err(e) = run() {
        eprintln!("serve-cost: {e}");
        std::process::exit(1);
    }
}

fn arg(n: usize, default: u64) -> Result<u64, Failure> {
    match std::env::args().nth(n) {
        None => Ok(default),
        Some(a) => a
            .parse()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("argument {n} `{a}`: give a whole number above 0 (usage: serve-cost [SECONDS] [CONCURRENCY] [ROUNDS] [UPSTREAM_MS])")),
    }
}

fn run() -> Result<(), Failure> {
    let seconds = Duration::from_secs(arg(1, 5)?);
    let concurrency = arg(2, 8)? as usize;
    let rounds = arg(3, 3)?;
    let upstream_ms = arg(4, 0)?;
    let delay = upstream_ms.to_string();
    let mock = if upstream_ms == 0 {
        MockProcess::start_self(&[])
    } else {
        MockProcess::start_self(&["delay", "aweme_detail", &delay])
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = dir.path().join("config.toml");
    let text = format!(
        "[web]\nbase_url = \"{}\"\ncookie = \"sessionid=test\"\nms_token = \"test-ms-token\"\n",
        mock.web_base
    );
    std::fs::write(&config, text).map_err(|e| e.to_string())?;
    let args = [
        "--config".into(),
        config.into_os_string(),
        "--max-attempts".into(),
        "1".into(),
    ];
    let router = douyin_cli::serve_router(args).map_err(|e| e.message)?;
    let served = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok::<_, Failure>(format!(
            "http://{addr}/v1/web/aweme-detail?aweme_id={AWEME_ID}"
        ))
    })?;

    // The library as `douyin serve` configures it from the same values (its signer: a_bogus), not the X-Bogus
    // client other benches use, so that both sides sign and decode alike.
    let client: douyin_web::Client = douyin_web::Client::configured(|name| match name {
        "cookie" => Some("sessionid=test".into()),
        "ms_token" => Some("test-ms-token".into()),
        _ => None,
    })
    .map_err(|e| e.to_string())?
    .base_url(&mock.web_base)
    .build()
    .map_err(|e| e.to_string())?
    .into();
    let minimal_client = client.clone();
    let minimal_url = rt.block_on(async {
        let route = axum::routing::get(move || {
            let client = minimal_client.clone();
            async move {
                use axum::http::StatusCode;
                match client.aweme_detail(&AwemeDetailParams::new(AWEME_ID)).await {
                    Ok(r) => match serde_json::to_string(&r) {
                        Ok(text) => (StatusCode::OK, text),
                        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                    },
                    Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let app = axum::Router::new().route("/aweme", route);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok::<_, Failure>(format!("http://{addr}/aweme"))
    })?;
    let http = reqwest::Client::new();
    let direct = move || {
        let client = client.clone();
        async move {
            let r = client.aweme_detail(&AwemeDetailParams::new(AWEME_ID)).await;
            match r {
                Ok(r) if r.aweme_detail.is_some() => Ok(()),
                Ok(_) => Err("the library's answer has no aweme".to_owned()),
                Err(e) => Err(format!("the library's request failed: {e}")),
            }
        }
    };
    let get = move |url: String| {
        let http = http.clone();
        async move {
            let r = http.get(url).send().await.map_err(|e| e.to_string())?;
            let status = r.status();
            let body = r.bytes().await.map_err(|e| e.to_string())?;
            if status.is_success() && body.len() > 100 {
                Ok(())
            } else {
                Err(format!(
                    "the server answered {status}: {}",
                    String::from_utf8_lossy(&body)
                ))
            }
        }
    };

    let through = {
        let get = get.clone();
        move || get(served.clone())
    };
    let minimal = move || get(minimal_url.clone());

    println!(
        "web aweme_detail against the mock (child process, answering after {upstream_ms} ms), {concurrency} in flight, {}s per measurement",
        seconds.as_secs()
    );
    // Each round measures the three paths in a rotated order, so none always runs first or last.
    let mut totals = [0.0; 3];
    for round in 0..rounds as usize {
        // Warm every path (connections, the servers' clients) before measuring.
        rt.block_on(rate(
            direct.clone(),
            concurrency,
            Duration::from_millis(300),
        ))?;
        rt.block_on(rate(
            minimal.clone(),
            concurrency,
            Duration::from_millis(300),
        ))?;
        rt.block_on(rate(
            through.clone(),
            concurrency,
            Duration::from_millis(300),
        ))?;
        let mut r = [0.0; 3];
        for k in 0..3 {
            let path = (round + k) % 3;
            r[path] = match path {
                0 => rt.block_on(rate(direct.clone(), concurrency, seconds))?,
                1 => rt.block_on(rate(minimal.clone(), concurrency, seconds))?,
                _ => rt.block_on(rate(through.clone(), concurrency, seconds))?,
            };
        }
        println!(
            "round {}: library directly {:>6.0} req/s   minimal server {:>6.0} req/s   douyin serve {:>6.0} req/s   \
             cost: serving {:>5.1} %, douyin serve {:>5.1} % (its own over the minimal server {:>5.1} %)",
            round + 1,
            r[0],
            r[1],
            r[2],
            (1.0 - r[1] / r[0]) * 100.0,
            (1.0 - r[2] / r[0]) * 100.0,
            (1.0 - r[2] / r[1]) * 100.0,
        );
        for (total, v) in totals.iter_mut().zip(r) {
            *total += v;
        }
    }
    let [d, m, s] = totals.map(|t| t / rounds as f64);
    println!(
        "all rounds: library directly {d:.0} req/s, minimal server {m:.0} req/s, through douyin serve {s:.0} req/s; \
         server cost {:.1} % (minimal server {:.1} %; douyin serve over the minimal server {:.1} %)",
        (1.0 - s / d) * 100.0,
        (1.0 - m / d) * 100.0,
        (1.0 - s / m) * 100.0,
    );
    Ok(())
}

/// Requests per second of `request` with `concurrency` in flight for `time`.
async fn rate<F, Fut>(request: F, concurrency: usize, time: Duration) -> Result<f64, Failure>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), Failure>> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (request, done, stop) = (request.clone(), done.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    request().await?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<(), Failure>(())
            })
        })
        .collect();
    tokio::time::sleep(time).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.map_err(|e| e.to_string())??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}
