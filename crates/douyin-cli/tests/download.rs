//! `douyin download` against the mock over loopback: fetch, Ctrl-C then resume with identical bytes, skip on the next
//! run through the archive, metadata beside the files, one line per failed item, `--user --dry-run` paging.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::mock::Mock;
use common::{douyin, run, TempDir};
use douyin_mock::media::{aweme_json, media_bytes, seed_of, MediaAweme};

const ID: &str = "7331282358999584037";
const SIZE: u64 = 3 * 1024 * 1024;

fn aweme_file(home: &TempDir, name: &str, mock: &Mock, mirrors: &[&str]) -> PathBuf {
    let mut m = MediaAweme::video(ID, SIZE);
    m.desc = "好看 #舞蹈\n💖".into();
    m.mirrors = mirrors.iter().map(|s| (*s).to_owned()).collect();
    // As `aweme/detail` answers.
    let body = serde_json::json!({"status_code": 0, "aweme_detail": aweme_json(&mock.root(), &m)});
    home.file(name, body.to_string())
}

fn download(home: &TempDir, args: &[&str]) -> std::process::Command {
    let mut c = douyin(home.path(), &[]);
    c.arg("download").args(args);
    c
}

fn part_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "part"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn interrupted_then_resumed_then_skipped() {
    let mock = Mock::start();
    let home = TempDir::new("dl-resume");
    let dir = home.path().join("out");
    let archive = home.path().join("archive.sqlite");
    let slow = aweme_file(&home, "slow.json", &mock, &["slow=40"]);
    let healthy = aweme_file(&home, "healthy.json", &mock, &[""]);
    let common = |json: &Path| {
        let mut c = download(&home, &["--from-json"]);
        c.arg(json)
            .arg("--dir")
            .arg(&dir)
            .arg("--archive")
            .arg(&archive)
            .arg("--metadata");
        c
    };

    // 1. Interrupted half way, as Ctrl-C does.
    let child = common(&slow)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let part = part_files(&dir)
            .first()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len());
        if part >= SIZE / 4 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = std::process::Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("run the same command again to resume"),
        "{stderr}"
    );
    let parts = part_files(&dir);
    assert_eq!(parts.len(), 1, "{parts:?}");
    let kept = std::fs::read(&parts[0]).unwrap();
    let want = media_bytes(seed_of(ID, 0), 0, SIZE as usize);
    assert!(!kept.is_empty() && kept.len() < want.len());
    assert_eq!(
        kept,
        want[..kept.len()],
        "the .part is a prefix of the file"
    );

    // 2. The next run resumes and finishes with identical bytes.
    let r = run(common(&healthy));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("resumed at {} bytes", kept.len())),
        "{}",
        r.stderr
    );
    let video = dir.join(format!("mock_{ID}_好看 #舞蹈.mp4"));
    assert_eq!(std::fs::read(&video).unwrap(), want);
    assert!(part_files(&dir).is_empty());
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join(format!("mock_{ID}_好看 #舞蹈.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["aweme_id"], ID);
    assert_eq!(meta["video"]["bit_rate"][0]["play_addr"]["data_size"], SIZE);

    // 3. The run after that skips it because of the archive, even with the file moved away.
    std::fs::rename(&video, home.path().join("moved.mp4")).unwrap();
    let r = run(common(&healthy));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("in archive, skipped"), "{}", r.stderr);
    assert!(!video.exists());
}

#[test]
fn failed_items_are_one_line_each_and_exit_1() {
    let mock = Mock::start();
    let home = TempDir::new("dl-fail");
    let json = aweme_file(&home, "a.json", &mock, &["status=404", "status=403"]);
    let r = run({
        let mut c = download(&home, &["--no-archive", "--what", "video,music"]);
        c.arg("--from-json")
            .arg(&json)
            .arg("--dir")
            .arg(home.path().join("out"));
        c
    });
    assert_eq!(r.code, Some(1), "{r:?}");
    let failed = r.failed_lines();
    assert_eq!(failed.len(), 2, "{}", r.stderr);
    assert!(
        failed[0].contains(&format!("{ID}/video")) && failed[0].contains("HTTP 403"),
        "{}",
        failed[0]
    );
    assert!(
        failed.iter().all(|l| l.contains("fetch the aweme again")),
        "{failed:?}"
    );
}

#[test]
fn dry_run_lists_a_users_posts_without_fetching() {
    let mock = Mock::start();
    let home = TempDir::new("dl-user");
    let mut c = douyin(
        home.path(),
        &[
            ("DOUYIN_COOKIE", "sessionid=test"),
            ("DOUYIN_MS_TOKEN", "test-ms-token"),
        ],
    );
    c.args([
        "download",
        "--user",
        "https://www.douyin.com/user/MS4wLjABAAAAmock?vid=1",
        "--dry-run",
        "--no-archive",
    ])
    .args(["--what", "video,music", "--limit", "5", "--base-url"])
    .arg(mock.server.base_url("web"))
    .arg("--dir")
    .arg(home.path().join("out"));
    let r = run(c);
    assert_eq!(r.code, Some(0), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        10,
        "5 awemes, video and music each: {}",
        r.stdout
    );
    assert!(
        lines[0].ends_with(".mp4") && lines[0].contains("/video\t"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("/music\t"), "{}", lines[1]);
    assert!(!home.path().join("out").exists(), "nothing fetched");
    assert_eq!(mock.server.requests_to("aweme_post").len(), 1);
}

#[test]
fn nothing_to_download_is_a_usage_error() {
    let home = TempDir::new("dl-usage");
    let r = run(download(&home, &["--no-archive"]));
    assert_eq!(r.code, Some(2), "{r:?}");
    let r = run(download(
        &home,
        &["--no-archive", "--from-json", "x", "--what", "video,gifs"],
    ));
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("gifs"), "{}", r.stderr);
}
