//! Download throughput and memory against curl: `media-download [SIZE_MIB] [ROUNDS]`.
//!
//! The mock runs in a child process (this binary again: `MockProcess::start_self`). Each round fetches one SIZE_MIB
//! file (default 1024) with `curl -o` and with `douyin_media::Downloader`, then 200 files of 100 KiB at concurrency
//! 8 with curl (`xargs -P8`, and one `curl --parallel --parallel-max 8`) and with `Downloader::fetch_all` (recording
//! each file in an archive, as `douyin download` does); which of ours and curl's goes first alternates between
//! rounds. Prints each time, the ratios within each round, and this process's peak RSS (`VmHWM`) after a 64 MiB
//! download, after the first large one and after everything (curl runs in its own processes and is not counted).
//! Bad arguments, a missing curl or a failed download end the run with one line on stderr and a non-zero status.

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

/// Why a run stopped, as one line.
type Failure = String;

/// `what` exited unsuccessfully, or could not be started.
fn ran(what: &str, status: std::io::Result<std::process::ExitStatus>) -> Result<(), Failure> {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} failed ({s})")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "{what}: not installed (the baseline needs curl and xargs on PATH)"
        )),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

fn curl_one(url: &str, out: &Path) -> Result<Duration, Failure> {
    let t = Instant::now();
    let status = Command::new("curl")
        .args(["-s", "-f", "-o"])
        .arg(out)
        .arg(url)
        .status();
    ran("curl", status)?;
    Ok(t.elapsed())
}

fn curl_xargs(lines: &str) -> Result<Duration, Failure> {
    let t = Instant::now();
    let mut child = Command::new("xargs")
        .args(["-P8", "-L1", "curl", "-s", "-f", "-o"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| ran("xargs", Err(e)).unwrap_err())?;
    let mut stdin = child.stdin.take().ok_or("xargs: no stdin")?;
    stdin
        .write_all(lines.as_bytes())
        .map_err(|e| format!("xargs: {e}"))?;
    drop(stdin);
    ran("xargs curl", child.wait())?;
    Ok(t.elapsed())
}

fn curl_parallel(config: &Path) -> Result<Duration, Failure> {
    let t = Instant::now();
    let status = Command::new("curl")
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
        .status();
    ran("curl --parallel", status)?;
    Ok(t.elapsed())
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

const USAGE: &str = "usage: media-download [SIZE_MIB (default 1024)] [ROUNDS (default 3)]";

/// `SIZE_MIB` and `ROUNDS`, each a whole number of at least 1.
fn parse_args(args: &[String]) -> Result<(u64, usize), Failure> {
    let number = |at: usize, default: u64, what: &str| -> Result<u64, Failure> {
        match args.get(at) {
            None => Ok(default),
            Some(a) => match a.parse::<u64>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(format!(
                    "{what} must be a whole number of at least 1, not `{a}`; {USAGE}"
                )),
            },
        }
    };
    if args.len() > 2 || args.iter().any(|a| a == "-h" || a == "--help") {
        return Err(USAGE.to_owned());
    }
    let rounds = number(1, 3, "ROUNDS")?;
    Ok((number(0, 1024, "SIZE_MIB")?, rounds as usize))
}

fn main() {
    douyin_bench::serve_if_mock_child();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = parse_args(&args).and_then(|(size_mib, rounds)| run(size_mib, rounds));
    if let Err(why) = outcome {
        eprintln!("media-download: {why}");
        std::process::exit(if why.starts_with("usage:") || why.contains(USAGE) {
            2
        } else {
            1
        });
    }
}

fn run(size_mib: u64, rounds: usize) -> Result<(), Failure> {
    let size = size_mib * 1024 * 1024;
    // Before the mock starts: a missing baseline is the first thing to say, not the last.
    ran(
        "curl",
        Command::new("curl")
            .arg("--version")
            .stdout(Stdio::null())
            .status(),
    )?;
    let mock = MockProcess::start_self(&[]);
    let root = mock.web_base.trim_end_matches("/web").to_owned();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let d = Downloader::builder()
        .concurrency(8)
        .build()
        .map_err(|e| format!("downloader: {e}"))?;
    let scratch = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
    let dir = scratch.path();
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");

    // Peak RSS after a mid-sized file (64 MiB, or the large size if smaller), to compare with the large one's.
    let mid_size = size.min(64 * 1024 * 1024);
    let mid = media_url(&root, 2, mid_size, "mp4", "");
    rt.block_on(d.fetch(
        &item(1, mid.clone(), mid_size),
        &dir.join("mid.mp4"),
        &|_| {},
    ))
    .map_err(|e| format!("download of {} MiB: {e}", mid_size >> 20))?;
    std::fs::remove_file(dir.join("mid.mp4")).map_err(|e| io("mid.mp4", e))?;
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
    std::fs::write(&config, cfg).map_err(|e| io("curl config", e))?;
    let jobs: Vec<Job> = small
        .iter()
        .enumerate()
        .map(|(i, u)| Job {
            item: item(1000 + i, u.clone(), SMALL),
            dest: dir.join(format!("ours-{i}.jpeg")),
        })
        .collect();
    let clean = |prefix: &str| -> Result<(), Failure> {
        for e in std::fs::read_dir(dir)
            .map_err(|e| io("scratch", e))?
            .flatten()
        {
            if e.file_name().to_string_lossy().starts_with(prefix) {
                std::fs::remove_file(e.path()).map_err(|e| io("scratch", e))?;
            }
        }
        Ok(())
    };

    let (mut big_ratio, mut xargs_ratio, mut par_ratio) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ours_big, mut curl_big) = (Vec::new(), Vec::new());
    let mut hwm_big = 0;
    println!(
        "file: {size_mib} MiB; small: {SMALL_COUNT} x {} KiB at concurrency 8; rounds: {rounds}",
        SMALL / 1024
    );
    let sized = |path: &Path, want: u64| -> Result<(), Failure> {
        let got = std::fs::metadata(path)
            .map_err(|e| io("download", e))?
            .len();
        if got != want {
            return Err(format!("{}: {got} bytes, expected {want}", path.display()));
        }
        std::fs::remove_file(path).map_err(|e| io("download", e))
    };
    for round in 0..rounds {
        let run_ours = |rt: &tokio::runtime::Runtime| -> Result<Duration, Failure> {
            let t = Instant::now();
            rt.block_on(d.fetch(&item(2, big.clone(), size), &dir.join("big.mp4"), &|_| {}))
                .map_err(|e| format!("our download: {e}"))?;
            let e = t.elapsed();
            sized(&dir.join("big.mp4"), size)?;
            Ok(e)
        };
        let run_curl = || -> Result<Duration, Failure> {
            let e = curl_one(&big, &dir.join("big-curl.mp4"))?;
            sized(&dir.join("big-curl.mp4"), size)?;
            Ok(e)
        };
        let (ours, curl) = if round % 2 == 0 {
            let c = run_curl()?;
            (run_ours(&rt)?, c)
        } else {
            let o = run_ours(&rt)?;
            (o, run_curl()?)
        };
        if round == 0 {
            // Before any batch: the large file alone.
            hwm_big = proc_status_kb("VmHWM").unwrap_or(0);
        }
        let (o, c) = (mib_s(size, ours), mib_s(size, curl));
        ours_big.push(o);
        curl_big.push(c);
        big_ratio.push(o / c);

        let xargs = curl_xargs(&xargs_lines)?;
        clean("xargs-")?;
        let run_par = || -> Result<Duration, Failure> {
            let par = curl_parallel(&config)?;
            clean("par-")?;
            Ok(par)
        };
        let run_batch = |rt: &tokio::runtime::Runtime| -> Result<Duration, Failure> {
            // With an archive, as `douyin download` runs: each file is looked up, then recorded.
            let archive = Archive::open(dir.join(format!("ours-archive-{round}.sqlite")))
                .map_err(|e| format!("archive: {e}"))?;
            let t = Instant::now();
            let results = rt.block_on(d.fetch_all(&jobs, Some(&archive), &|_| {}));
            let batch = t.elapsed();
            let recorded = archive.len().map_err(|e| format!("archive: {e}"))?;
            drop(archive);
            if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
                return Err(format!("our batch: {e}"));
            }
            if recorded != SMALL_COUNT as u64 || results.iter().flatten().any(|f| f.size != SMALL) {
                return Err(format!(
                    "our batch: {recorded} of {SMALL_COUNT} files recorded, or a size is off"
                ));
            }
            clean("ours-")?;
            Ok(batch)
        };
        let (par, batch) = if round % 2 == 0 {
            let p = run_par()?;
            (p, run_batch(&rt)?)
        } else {
            let b = run_batch(&rt)?;
            (run_par()?, b)
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
    Ok(())
}
