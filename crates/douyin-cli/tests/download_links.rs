//! `douyin download` from share links, ids and stdin lists against the mock over loopback: a short link becomes the
//! aweme's video (resolved at the mock because `--base-url` points there), a run killed half way resumes with
//! identical bytes and the next one skips through the archive; `--favorites` and `--mix` page with `--limit` and
//! resume their listing; a live-room link fails with one line.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::mock::Mock;
use common::{douyin, run, run_with_stdin, TempDir};
use douyin_mock::media::{aweme_json, media_bytes, seed_of, MediaAweme};
use douyin_mock::Scenario;
use serde_json::{json, Value};

/// The aweme `iRNBho6u` (the mock's video short link) redirects to.
const VIDEO_ID: &str = "7331282358999584037";
/// The aweme `iNoteK2s` (the mock's image-post short link) redirects to.
const NOTE_ID: &str = "7325083396338600228";
const USER_LINK: &str = "https://www.douyin.com/user/MS4wLjABAAAAmock";

/// A JSON answer of the web API carrying `body`.
fn answer(body: Value) -> Scenario {
    Scenario::Raw {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string().into_bytes(),
    }
}

/// aweme/detail answers these awemes, one per request in turn.
fn details(mock: &Mock, awemes: &[MediaAweme]) {
    let answers = awemes
        .iter()
        .map(|m| answer(json!({"status_code": 0, "aweme_detail": aweme_json(&mock.root(), m)})))
        .collect();
    mock.server
        .set_scenario("web", "aweme_detail", Scenario::Cycle(answers));
}

/// A page of a listing: `awemes`, and where the next page starts (none: the last page).
fn page(mock: &Mock, awemes: &[MediaAweme], cursor_field: &str, next: Option<i64>) -> Scenario {
    let list: Vec<Value> = awemes.iter().map(|m| aweme_json(&mock.root(), m)).collect();
    let mut body =
        json!({"status_code": 0, "aweme_list": list, "has_more": i32::from(next.is_some())});
    body[cursor_field] = json!(next.unwrap_or(0));
    answer(body)
}

/// How often each media URL was requested.
fn media_hits(mock: &Mock) -> Value {
    let url = format!("{}/media/hits", mock.root());
    let body = mock
        .rt
        .block_on(async { reqwest::get(url).await.unwrap().bytes().await.unwrap() });
    serde_json::from_slice(&body).unwrap()
}

/// A video aweme of `size` bytes whose files the mock serves through one mirror with `query`'s behaviour.
fn video(id: &str, size: u64, query: &str) -> MediaAweme {
    let mut m = MediaAweme::video(id, size);
    m.desc = format!("clip {id}");
    m.mirrors = vec![query.to_owned()];
    m
}

/// `douyin download` signed in to the mock's web domain, files in `out`, archive in the temp dir.
fn download(mock: &Mock, home: &TempDir, args: &[&str]) -> std::process::Command {
    let mut c = douyin(
        home.path(),
        &[
            ("DOUYIN_COOKIE", "sessionid=test"),
            ("DOUYIN_MS_TOKEN", "test-ms-token"),
        ],
    );
    c.arg("download")
        .args(args)
        .args(["--base-url", &mock.server.base_url("web")])
        .arg("--dir")
        .arg(out(home))
        .arg("--archive")
        .arg(home.path().join("archive.sqlite"));
    c
}

fn out(home: &TempDir) -> PathBuf {
    home.path().join("out")
}

/// The finished files in `dir`, by name.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".part"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn part_file(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "part"))
}

/// The value of query parameter `name` of each request to `op`.
fn sent(mock: &Mock, op: &str, name: &str) -> Vec<String> {
    mock.server
        .requests_to(op)
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn a_short_link_is_fetched_resumed_after_a_kill_with_identical_bytes_then_skipped() {
    const SIZE: u64 = 3 * 1024 * 1024;
    let mock = Mock::start();
    let home = TempDir::new("dl-short");
    // A slow mirror (40 ms per 64 KiB), so the run can be killed half way; every run is the same command.
    details(&mock, &[video(VIDEO_ID, SIZE, "slow=40")]);
    let share_text =
        "7.43 复制打开抖音，看看【南恬的作品】 https://v.douyin.com/iRNBho6u/ D@h.OK 09/12 goO:/";
    let command = || download(&mock, &home, &[share_text]);
    let want = media_bytes(seed_of(VIDEO_ID, 0), 0, SIZE as usize);

    // 1. Killed (SIGKILL: no chance to tidy up) once a quarter of the video has arrived.
    let mut child = command()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let arrived = part_file(&out(&home))
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len());
        if arrived >= SIZE / 4 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let part = part_file(&out(&home)).expect("a .part file is left");
    let kept = std::fs::read(&part).unwrap();
    assert!(
        !kept.is_empty() && kept.len() < want.len(),
        "{}",
        kept.len()
    );
    assert_eq!(
        kept,
        want[..kept.len()],
        "the .part is a prefix of the video"
    );
    // The short link was resolved at the mock, without the cookie.
    let short: Vec<_> = mock
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/iRNBho6u/"))
        .collect();
    assert_eq!(short.len(), 1);
    assert_eq!(short[0].path, "/web/iRNBho6u/");
    assert_eq!(short[0].header("cookie"), None);
    assert_eq!(sent(&mock, "aweme_detail", "aweme_id"), [VIDEO_ID]);

    // 2. The same command resumes where the kill left the file and finishes it with the mock's bytes.
    let r = run(command());
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("resumed at {} bytes, fetched", kept.len())),
        "{}",
        r.stderr
    );
    let name = format!("mock_{VIDEO_ID}_clip {VIDEO_ID}.mp4");
    assert_eq!(files(&out(&home)), std::slice::from_ref(&name));
    assert_eq!(std::fs::read(out(&home).join(&name)).unwrap(), want);
    assert!(part_file(&out(&home)).is_none());

    // 3. And once more: the archive says it is fetched, so not a byte is requested.
    let hits = media_hits(&mock);
    let r = run(command());
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("{VIDEO_ID}/video: in archive, skipped")),
        "{}",
        r.stderr
    );
    assert_eq!(media_hits(&mock), hits);
    assert_eq!(sent(&mock, "aweme_detail", "aweme_id").len(), 3);
}

#[test]
fn an_id_an_argument_list_and_a_stdin_list_are_fetched_in_order() {
    let mock = Mock::start();
    let home = TempDir::new("dl-stdin");
    let mut note = MediaAweme::video(NOTE_ID, 0);
    note.video = None;
    note.images = vec![(4096, Some(8192)), (2048, None)];
    note.desc = "notes".into();
    note.mirrors = vec![String::new()];
    let third = "7000000000000000003";
    details(
        &mock,
        &[
            video(VIDEO_ID, 65_536, ""),
            note.clone(),
            video(third, 1000, ""),
        ],
    );
    // An id as an argument, then stdin (`-`): a short link, a comment, a blank line, an id and the first id again.
    let r = run_with_stdin(
        download(&mock, &home, &[VIDEO_ID, "-"]),
        &format!("https://v.douyin.com/iNoteK2s/\n# liked ones\n\n{third}\n{VIDEO_ID}\n"),
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    // Three awemes, one of them named twice: asked for once each, in order.
    assert_eq!(
        sent(&mock, "aweme_detail", "aweme_id"),
        [VIDEO_ID, NOTE_ID, third]
    );
    assert_eq!(
        files(&out(&home)),
        [
            format!("mock_{third}_clip {third}.mp4"),
            format!("mock_{NOTE_ID}_notes_image01.webp"),
            format!("mock_{NOTE_ID}_notes_image02.webp"),
            format!("mock_{NOTE_ID}_notes_live01.mp4"),
            format!("mock_{VIDEO_ID}_clip {VIDEO_ID}.mp4"),
        ]
    );
    let third_file =
        std::fs::read(out(&home).join(format!("mock_{third}_clip {third}.mp4"))).unwrap();
    assert_eq!(third_file, media_bytes(seed_of(third, 0), 0, 1000));
    let live = std::fs::read(out(&home).join(format!("mock_{NOTE_ID}_notes_live01.mp4"))).unwrap();
    assert_eq!(live, media_bytes(seed_of(NOTE_ID, 11), 0, 8192));

    // Without any argument, a piped stdin is the list: here a dry run of the already fetched video.
    details(&mock, &[video(VIDEO_ID, 65_536, "")]);
    let r = run_with_stdin(
        download(&mock, &home, &["--dry-run"]),
        &format!("https://www.douyin.com/video/{VIDEO_ID}\n"),
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let stdout = &r.stdout;
    assert!(
        stdout.starts_with(&format!("{VIDEO_ID}/video\t65536\t"))
            && stdout.trim_end().ends_with("(in archive: skipped)"),
        "{stdout}"
    );
}

#[test]
fn a_short_link_goes_to_a_base_url_set_in_the_environment_too() {
    // No `--base-url`: the web base URL comes from the environment, as for every other command, and short links
    // follow it (they went to the real v.douyin.com before).
    let mock = Mock::start();
    let home = TempDir::new("dl-env-base");
    details(&mock, &[video(VIDEO_ID, 4096, "")]);
    let base = mock.server.base_url("web");
    let mut c = douyin(
        home.path(),
        &[
            ("DOUYIN_COOKIE", "sessionid=test"),
            ("DOUYIN_MS_TOKEN", "test-ms-token"),
            ("DOUYIN_WEB_BASE_URL", base.as_str()),
        ],
    );
    c.args(["download", "https://v.douyin.com/iRNBho6u/", "--dir"])
        .arg(out(&home))
        .arg("--archive")
        .arg(home.path().join("archive.sqlite"));
    let r = run(c);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(sent(&mock, "aweme_detail", "aweme_id"), [VIDEO_ID]);
    assert_eq!(
        files(&out(&home)),
        [format!("mock_{VIDEO_ID}_clip {VIDEO_ID}.mp4")]
    );
}

#[test]
fn favorites_and_mix_page_up_to_the_limit_and_resume_their_listing() {
    let mock = Mock::start();
    let home = TempDir::new("dl-lists");
    let ids: Vec<String> = (1..=6)
        .map(|i| format!("71000000000000000{i:02}"))
        .collect();
    let liked: Vec<MediaAweme> = ids.iter().map(|id| video(id, 2048, "")).collect();
    // Page 1 serves fine; page 2's second aweme has a mirror that refuses.
    let mut refused = liked[4].clone();
    refused.mirrors = vec!["status=404".into()];
    mock.server.set_scenario(
        "web",
        "aweme_favorite",
        Scenario::Cycle(vec![
            page(&mock, &liked[..3], "max_cursor", Some(1_700_000_000_000)),
            page(
                &mock,
                &[liked[3].clone(), refused, liked[5].clone()],
                "max_cursor",
                None,
            ),
        ]),
    );
    let r = run(download(
        &mock,
        &home,
        &["--favorites", USER_LINK, "--limit", "5"],
    ));
    assert_eq!(r.code, Some(1), "{r:?}");
    let failed = r.failed_lines();
    assert_eq!(failed.len(), 1, "{}", r.stderr);
    assert!(
        failed[0].contains(&format!("{}/video", ids[4])),
        "{}",
        failed[0]
    );
    assert_eq!(
        sent(&mock, "aweme_favorite", "sec_user_id"),
        ["MS4wLjABAAAAmock"; 2]
    );
    assert_eq!(
        sent(&mock, "aweme_favorite", "max_cursor"),
        ["0", "1700000000000"]
    );
    // The limit stopped the listing before the sixth aweme.
    let names = files(&out(&home));
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(!names.iter().any(|n| n.contains(&ids[5])), "{names:?}");

    // The next run starts at the page that failed (not at the first page) and finishes the listing.
    mock.server.set_scenario(
        "web",
        "aweme_favorite",
        page(&mock, &liked[3..], "max_cursor", None),
    );
    let r = run(download(
        &mock,
        &home,
        &["--favorites", USER_LINK, "--limit", "5"],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains("resuming MS4wLjABAAAAmock's liked posts at cursor 1700000000000"),
        "{}",
        r.stderr
    );
    assert_eq!(
        sent(&mock, "aweme_favorite", "max_cursor")[2],
        "1700000000000"
    );
    let names = files(&out(&home));
    assert_eq!(names.len(), 6, "{names:?}");
    assert_eq!(sent(&mock, "aweme_favorite", "max_cursor").len(), 3);
    assert!(
        r.stderr
            .contains(&format!("{}/video: in archive, skipped", ids[3])),
        "{}",
        r.stderr
    );

    // A collection by its short link: --limit 2 of a page of three, so one page is asked for.
    let episodes: Vec<MediaAweme> = (1..=3)
        .map(|i| video(&format!("72000000000000000{i:02}"), 1024, ""))
        .collect();
    mock.server.set_scenario(
        "web",
        "mix_aweme",
        page(&mock, &episodes, "cursor", Some(3)),
    );
    let r = run(download(
        &mock,
        &home,
        &["--mix", "https://v.douyin.com/iMixQ3w/", "--limit", "2"],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(sent(&mock, "mix_aweme", "mix_id"), ["7348687990509553679"]);
    let names = files(&out(&home));
    assert!(
        names.iter().any(|n| n.contains("7200000000000000001")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("7200000000000000002")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("7200000000000000003")),
        "{names:?}"
    );

    // A user's short link as an argument walks the user's posts (listed only: a dry run).
    let posts: Vec<MediaAweme> = (1..=2)
        .map(|i| video(&format!("73000000000000000{i:02}"), 512, ""))
        .collect();
    mock.server
        .set_scenario("web", "aweme_post", page(&mock, &posts, "max_cursor", None));
    let r = run(download(
        &mock,
        &home,
        &["https://v.douyin.com/iUserP7d/", "--dry-run"],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        sent(&mock, "aweme_post", "sec_user_id"),
        ["MS4wLjABAAAAWP5yJJm9n_Nmmk0E"]
    );
    let listed: Vec<&str> = r
        .stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["7300000000000000001/video", "7300000000000000002/video"]
    );
}

#[test]
fn a_live_link_is_one_failure_line_and_the_others_still_download() {
    let mock = Mock::start();
    let home = TempDir::new("dl-live");
    details(&mock, &[video(VIDEO_ID, 4096, "")]);
    let r = run(download(
        &mock,
        &home,
        &["https://v.douyin.com/iLiveR8e/", VIDEO_ID],
    ));
    assert_eq!(r.code, Some(1), "{r:?}");
    let failed = r.failed_lines();
    assert_eq!(
        failed,
        ["failed: https://v.douyin.com/iLiveR8e/: a live room (room id 7318296342189919011) is not downloadable: a \
          live stream has no file to fetch; give a video, image post, user or collection link"]
    );
    assert!(
        r.stderr.ends_with("error: 1 item(s) failed\n"),
        "{}",
        r.stderr
    );
    assert_eq!(
        files(&out(&home)),
        [format!("mock_{VIDEO_ID}_clip {VIDEO_ID}.mp4")]
    );

    // A live room alone needs no credentials to fail the same way (exit 1, not a usage error).
    let mut c = douyin(home.path(), &[]);
    c.args([
        "download",
        "https://live.douyin.com/285520721194",
        "--no-archive",
    ]);
    let r = run(c);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("a live room (285520721194) is not downloadable"),
        "{}",
        r.stderr
    );
}
