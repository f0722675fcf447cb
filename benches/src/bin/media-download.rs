//! Download throughput and memory against curl: `media-download [SIZE_MIB] [ROUNDS]`.
//!
//! The mock runs in a child process (this binary again: `MockProcess::start_self`). Each round fetches one SIZE_MIB
//! file (default 1024) with `curl -o` and with `douyin_media::Downloader`, then 200 files of 100 KiB at concurrency
//! 8 with curl (`xargs -P8`, and one `curl --parallel --parallel-max 8`) and with `Downloader::fetch_all` (recording
//! each file in an archive, as `douyin download` does); which of ours and curl's goes first alternates between
//! rounds. Prints each time, the ratios within each round, and this process's peak RSS (`VmHWM`) after a 64 MiB
//! download, after the first large one and after everything (curl runs in its own processes and is not counted).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use douyin_bench::{proc_status_kb, MockProcess};
use douyin_media::{select, Archive, Downloader, Job, MediaItem, Selection};
use douyin_mock::media::media_url;

const SMALL: u64 = 100 * 1024;
const SMALL_COUNT: usize = 200;

/// The video of aweme `id` (the archive's key) at `url`.
fn item(id: usize, url: String, size: u64) -> MediaItem {
    let aweme = serde_json::json!({"aweme_id": id.to_string(), "video": {"play_addr": {"url_list": [url], "data_size": size}}});
    let aweme: douyin_web::types::Aweme = serde_json::from_value(aweme).expect("aweme");
    select(&aweme, &Selection::default()).items.remove(0)
}

fn curl_one(url: &str, out: &Path) -> Duration {
    let t = Instant::now();
    let ok = Command::new("curl")
        .args(["-s", "-f", "-o"])
        .arg(out)
        .arg(url)
        .status()
        .expect("curl runs");
    assert!(ok.success(), "curl failed");
    t.elapsed()
}

fn curl_xargs(lines: &str) -> Duration {
    let t = Instant::now();
    let mut child = Command::new("xargs")
        .args(["-P8", "-L1", "curl", "-s", "-f", "-o"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("xargs runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "xargs curl failed");
    t.elapsed()
}

fn curl_parallel(config: &Path) -> Duration {
    let t = Instant::now();
    let ok = Command::new("curl")
        .args([
            "-s",
            "--no-progress-meter",
            "-f",
            "--parallel",
            "--parallel-max",
            "8",
            "-K",
        ])
        .arg(config)
        .status()
        .expect("curl runs");
    assert!(ok.success(), "curl --parallel failed");
    t.elapsed()
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    douyin_bench::serve_if_mock_child();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size_mib: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let size = size_mib * 1024 * 1024;
    let mock = MockProcess::start_self(&[]);
    let root = mock.web_base.trim_end_matches("/web").to_owned();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let d = Downloader::builder()
        .concurrency(8)
        .build()
        .expect("downloader");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let dir = scratch.path();

    // Peak RSS after a mid-sized file, to compare with the peak after the large one.
    let mid = media_url(&root, 2, 64 * 1024 * 1024, "mp4", "");
    rt.block_on(d.fetch(
        &item(1, mid.clone(), 64 * 1024 * 1024),
        &dir.join("mid.mp4"),
        &|_| {},
    ))
    .expect("64 MiB");
    std::fs::remove_file(dir.join("mid.mp4")).unwrap();
    let hwm_mid = proc_status_kb("VmHWM").unwrap_or(0);

    let big = media_url(&root, 1, size, "mp4", "");
    let small: Vec<String> = (0..SMALL_COUNT)
        .map(|i| media_url(&root, 1000 + i as u64, SMALL, "jpeg", ""))
        .collect();
    let xargs_lines: String = small
        .iter()
        .enumerate()
        .map(|(i, u)| format!("{} {u}\n", dir.join(format!("xargs-{i}.jpeg")).display()))
        .collect();
    let config = dir.join("config-curl");
    let cfg: String = small
        .iter()
        .enumerate()
        .map(|(i, u)| {
            format!(
                "url = \"{u}\"\noutput = \"{}\"\n",
                dir.join(format!("par-{i}.jpeg")).display()
            )
        })
        .collect();
    std::fs::write(&config, cfg).unwrap();
    let jobs: Vec<Job> = small
        .iter()
        .enumerate()
        .map(|(i, u)| Job {
            item: item(1000 + i, u.clone(), SMALL),
            dest: dir.join(format!("ours-{i}.jpeg")),
        })
        .collect();
    let clean = |prefix: &str| {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.file_name().to_string_lossy().starts_with(prefix) {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
    };

    let (mut big_ratio, mut xargs_ratio, mut par_ratio) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ours_big, mut curl_big) = (Vec::new(), Vec::new());
    let mut hwm_big = 0;
    println!(
        "file: {size_mib} MiB; small: {SMALL_COUNT} x {} KiB at concurrency 8; rounds: {rounds}",
        SMALL / 1024
    );
    for round in 0..rounds {
        let run_ours = |rt: &tokio::runtime::Runtime| {
            let t = Instant::now();
            let got = rt
                .block_on(d.fetch(&item(2, big.clone(), size), &dir.join("big.mp4"), &|_| {}))
                .expect("ours");
            let e = t.elapsed();
            assert_eq!(got.size, size);
            std::fs::remove_file(dir.join("big.mp4")).unwrap();
            e
        };
        let run_curl = || {
            let e = curl_one(&big, &dir.join("big-curl.mp4"));
            assert_eq!(
                std::fs::metadata(dir.join("big-curl.mp4")).unwrap().len(),
                size
            );
            std::fs::remove_file(dir.join("big-curl.mp4")).unwrap();
            e
        };
        let (ours, curl) = if round % 2 == 0 {
            let c = run_curl();
            (run_ours(&rt), c)
        } else {
            let o = run_ours(&rt);
            (o, run_curl())
        };
        if round == 0 {
            // Before any batch: the large file alone.
            hwm_big = proc_status_kb("VmHWM").unwrap_or(0);
        }
        let (o, c) = (mib_s(size, ours), mib_s(size, curl));
        ours_big.push(o);
        curl_big.push(c);
        big_ratio.push(o / c);

        let xargs = curl_xargs(&xargs_lines);
        clean("xargs-");
        let run_par = || {
            let par = curl_parallel(&config);
            clean("par-");
            par
        };
        let run_batch = |rt: &tokio::runtime::Runtime| {
            // With an archive, as `douyin download` runs: each file is looked up, then recorded.
            let archive =
                Archive::open(dir.join(format!("ours-archive-{round}.sqlite"))).expect("archive");
            let t = Instant::now();
            let results = rt.block_on(d.fetch_all(&jobs, Some(&archive), &|_| {}));
            let batch = t.elapsed();
            assert_eq!(archive.len().expect("archive"), SMALL_COUNT as u64);
            drop(archive);
            assert!(results
                .iter()
                .all(|r| r.as_ref().is_ok_and(|f| f.size == SMALL)));
            clean("ours-");
            batch
        };
        let (par, batch) = if round % 2 == 0 {
            let p = run_par();
            (p, run_batch(&rt))
        } else {
            let b = run_batch(&rt);
            (run_par(), b)
        };
        xargs_ratio.push(xargs.as_secs_f64() / batch.as_secs_f64());
        par_ratio.push(par.as_secs_f64() / batch.as_secs_f64());
        println!(
            "round {round}: 1 file ours {o:.0} MiB/s, curl {c:.0} MiB/s ({:.2}x); {SMALL_COUNT} files ours {} ms, \
             xargs -P8 curl {} ms ({:.2}x), curl --parallel {} ms ({:.2}x)",
            o / c,
            batch.as_millis(),
            xargs.as_millis(),
            xargs_ratio[round],
            par.as_millis(),
            par_ratio[round],
        );
    }
    let hwm = proc_status_kb("VmHWM").unwrap_or(0);
    println!(
        "median: 1 file ours {:.0} MiB/s vs curl {:.0} MiB/s, ratio {:.2}x; {SMALL_COUNT} files speed ratio vs xargs \
         {:.2}x, vs curl --parallel {:.2}x",
        median(ours_big),
        median(curl_big),
        median(big_ratio),
        median(xargs_ratio),
        median(par_ratio)
    );
    println!(
        "peak RSS (VmHWM): {hwm_mid} kB after 64 MiB, {hwm_big} kB after {size_mib} MiB, {hwm} kB after the batches too"
    );
    drop(mock);
}
