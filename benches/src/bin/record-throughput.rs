//! Recording throughput and memory against curl: `record-throughput [SECS] [ROUNDS]` and `record-throughput rss SECS`.
//!
//! The mock runs in a child process (this binary again). Each round records one HTTP-FLV stream of SECS seconds of
//! media (default 600; 25 fps of 20,000-byte frames, sent as fast as read: `pace=0`) with `douyin_live::record`
//! (parts whole, tag by tag, the default rotation: none) twice — once in a task on a multi-thread runtime, once on
//! a current-thread runtime as `douyin live record` runs it — and fetches another stream of the same length with `curl -s -f -o FILE`; the order rotates from round to
//! round. Prints the rates and the ratios within each round, and their medians.
//! `rss SECS` records one stream of SECS seconds (2,000-byte frames) and prints this process's peak RSS (`VmHWM`),
//! to compare a short and a long recording.

use std::process::Command;
use std::time::{Duration, Instant};

use douyin_bench::{proc_status_kb, MockProcess};
use douyin_live::{record, FixedUrl, RecordOptions};
use douyin_web::live::StreamFormat;

/// Records `url` into `dir`; its bytes and how long it took.
fn ours(rt: &tokio::runtime::Runtime, url: String, dir: &std::path::Path) -> (u64, Duration) {
    let source = FixedUrl {
        url,
        format: StreamFormat::Flv,
    };
    let options = RecordOptions::new(dir, "bench");
    let http = reqwest::Client::new();
    let t = Instant::now();
    // A task of its own, as an application spawns it: on a multi-thread runtime it then shares a worker with the
    // connection's task instead of waking `block_on`'s thread for every body chunk.
    let recording = rt
        .block_on(async move {
            let task = tokio::spawn(async move {
                let stop = Box::pin(std::future::pending());
                record(&http, &source, &options, stop, &mut |_| {}).await
            });
            task.await.expect("the recording task")
        })
        .expect("recording");
    let elapsed = t.elapsed();
    let bytes = recording.parts.iter().map(|p| p.bytes).sum();
    for p in &recording.parts {
        std::fs::remove_file(&p.path).unwrap();
    }
    (bytes, elapsed)
}

/// Fetches `url` with curl into `dir`; its bytes and how long it took.
fn curl(url: &str, dir: &std::path::Path) -> (u64, Duration) {
    let out = dir.join("curl.flv");
    let t = Instant::now();
    let ok = Command::new("curl")
        .args(["-s", "-f", "-o"])
        .arg(&out)
        .arg(url)
        .status()
        .expect("curl runs");
    let elapsed = t.elapsed();
    assert!(ok.success(), "curl failed");
    let bytes = std::fs::metadata(&out).unwrap().len();
    std::fs::remove_file(&out).unwrap();
    (bytes, elapsed)
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

fn main() {
    douyin_bench::serve_if_mock_child();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mock = MockProcess::start_self(&[]);
    let root = mock.web_base.trim_end_matches("/web").to_owned();
    let multi = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let dir = scratch.path();
    if args.first().map(String::as_str) == Some("rss") {
        let secs: u64 = args.get(1).and_then(|a| a.parse().ok()).expect("rss SECS");
        let url = format!("{root}/stream/rss-{secs}.flv?secs={secs}&pace=0");
        let (bytes, took) = ours(&multi, url, dir);
        println!(
            "rss: {secs} s of media, {bytes} bytes in {took:.2?}; peak RSS {} kB",
            proc_status_kb("VmHWM").unwrap_or(0)
        );
        return;
    }
    let secs: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(600);
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let (mut multi_ratios, mut single_ratios) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let stream = |who: &str| {
            format!("{root}/stream/tp-{round}-{who}.flv?secs={secs}&pace=0&payload=20000")
        };
        let (mut m, mut s, mut c) = (None, None, None);
        for step in 0..3 {
            match (round + step) % 3 {
                0 => m = Some(ours(&multi, stream("multi"), dir)),
                1 => s = Some(ours(&single, stream("single"), dir)),
                _ => c = Some(curl(&stream("curl"), dir)),
            }
        }
        let [m, s, c] = [m, s, c].map(|r| r.expect("each ran"));
        let rate = |(bytes, took): (u64, Duration)| mib_s(bytes, took);
        let (rm, rs) = (rate(m) / rate(c), rate(s) / rate(c));
        println!(
            "round {round}: ours {:.0} MiB/s (multi-thread) {:.0} MiB/s (current-thread), curl {:.0} MiB/s \
             ({} bytes each); ratios {rm:.2} {rs:.2}",
            rate(m),
            rate(s),
            rate(c),
            c.0
        );
        assert!(m.0 == c.0 && s.0 == c.0, "the same bytes each time");
        multi_ratios.push(rm);
        single_ratios.push(rs);
    }
    println!(
        "median ratio (ours / curl): {:.2} multi-thread, {:.2} current-thread",
        median(multi_ratios),
        median(single_ratios)
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
