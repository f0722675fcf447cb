//! The bench binaries as `cargo run --release -p douyin-bench --bin …` leaves them: built alone, with no other binary
//! of the package beside them. Each starts its own mock (itself, in a child process), so a copy in an empty
//! directory runs.

use std::process::Command;

#[test]
fn stream_rss_runs_from_an_empty_directory() {
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
