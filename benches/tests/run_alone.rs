//! The bench binaries as `cargo run --release -p douyin-bench --bin …` leaves them: built alone, with no other binary
//! of the package beside them. Each starts its own mock (itself, in a child process), so a copy in an empty
//! directory runs.

use std::process::Command;
use std::sync::Mutex;

/// Copies and runs one binary at a time: a copy still open for writing in this process when another test thread
/// forks is inherited by that child, and exec'ing the copy then fails with ETXTBSY ("Text file busy").
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn stream_rss_runs_from_an_empty_directory() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let exe = dir
        .path()
        .join(format!("stream-rss{}", std::env::consts::EXE_SUFFIX));
    std::fs::copy(env!("CARGO_BIN_EXE_stream-rss"), &exe).unwrap();
    let out = Command::new(&exe).args(["100", "50"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("comments=100 pages=2 "), "{stdout}");
}

/// `media-download`, copied alone into an empty directory, run with `args`.
fn media_download(args: &[&str]) -> std::process::Output {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let exe = dir
        .path()
        .join(format!("media-download{}", std::env::consts::EXE_SUFFIX));
    std::fs::copy(env!("CARGO_BIN_EXE_media-download"), &exe).unwrap();
    Command::new(&exe).args(args).output().unwrap()
}

#[test]
fn media_download_says_what_is_wrong_with_its_arguments_in_one_line() {
    for args in [&["abc"][..], &["0"], &["1", "-2"], &["1", "1", "1"]] {
        let out = media_download(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("media-download: ") && stderr.contains("usage: media-download"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = media_download(&["abc"]);
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("SIZE_MIB must be a whole number of at least 1, not `abc`"));
}

#[test]
fn media_download_runs_a_small_round_from_an_empty_directory() {
    let out = media_download(&["1", "1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("not installed") {
        // No curl here: the baseline is missing, which is said in one line before anything runs.
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        return;
    }
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("file: 1 MiB; small: 200 x 100 KiB at concurrency 8; rounds: 1\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\nround 0: 1 file ours "), "{stdout}");
    assert!(stdout.contains("\nmedian: 1 file ours "), "{stdout}");
}
