//! The README's offline download demo, run as written by `sh` with the real binaries: the `douyin-mock` binary
//! (defaults: its awemes point at its own media files) and `douyin` on the `PATH`, the demo's `127.0.0.1:8080` being
//! the mock's address. The first run writes the files and records them in the archive; the second skips them.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{workspace, TempDir};

/// The marker line above the demo's code block in README.md.
const MARKER: &str = "<!-- offline-download-demo:";

/// The demo's shell lines, as the README writes them.
fn demo() -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let after = &readme[readme.find(MARKER).expect("the demo's marker in README.md")..];
    let block = after
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("a ```sh block after the marker");
    block.to_owned()
}

/// The `douyin-mock` binary of the same build as `douyin`: `cargo test -p douyin-cli` builds only this package's
/// binaries, so it is built here (a no-op when it is up to date).
fn mock_binary() -> PathBuf {
    let douyin = Path::new(env!("CARGO_BIN_EXE_douyin"));
    let profile_dir = douyin.parent().expect("the profile directory");
    let target_dir = profile_dir.parent().expect("the target directory");
    let mut build = Command::new(env!("CARGO"));
    build
        .args([
            "build",
            "--quiet",
            "-p",
            "douyin-mock",
            "--bin",
            "douyin-mock",
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(workspace());
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building douyin-mock failed");
    douyin.with_file_name(format!("douyin-mock{}", std::env::consts::EXE_SUFFIX))
}

/// The mock binary with its defaults on a free port, and the `host:port` it printed; killed when dropped.
struct Mock {
    child: Child,
    address: String,
}

impl Mock {
    fn start() -> Mock {
        let mut child = Command::new(mock_binary())
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("douyin-mock starts");
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut address = None;
        for line in lines {
            let line = line.expect("a banner line");
            if let Some(url) = line.strip_prefix("web").map(str::trim) {
                address = url
                    .strip_prefix("http://")
                    .and_then(|rest| rest.split_once('/'))
                    .map(|(host, _)| host.to_owned());
            }
            if line == "serving until interrupted" {
                break;
            }
        }
        Mock {
            child,
            address: address.expect("the mock printed the web base URL"),
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `script` with `sh -e` in `dir`, `douyin` first on the `PATH`; returns its stderr.
fn sh(script: &str, dir: &Path) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_douyin")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-e", "-c", script])
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the demo failed:\n{stderr}");
    stderr
}

#[test]
fn the_readme_offline_download_demo_fetches_then_skips() {
    let mock = Mock::start();
    let home = TempDir::new("readme-download");
    let stderr = sh(
        &demo().replace("127.0.0.1:8080", &mock.address),
        home.path(),
    );

    // The first command fetches the video, the music and the cover; the second finds all three in the archive.
    let lines: Vec<&str> = stderr.lines().collect();
    let fetched: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(": fetched: "))
        .collect();
    let skipped: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(": in archive, skipped: "))
        .collect();
    assert_eq!((fetched.len(), skipped.len()), (3, 3), "{stderr}");
    assert!(fetched.iter().max() < skipped.iter().min(), "{stderr}");
    for kind in ["/video: ", "/music: ", "/cover: "] {
        assert!(
            fetched.iter().any(|&i| lines[i].contains(kind)),
            "{kind}:\n{stderr}"
        );
    }

    let videos = home.path().join("videos");
    let mut files: Vec<(String, u64)> = std::fs::read_dir(&videos)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .filter(|(name, _)| !name.starts_with("archive.sqlite"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().all(|(_, size)| *size > 0), "{files:?}");
    for ext in [".mp4", ".mp3", ".jpeg"] {
        assert!(
            files.iter().any(|(n, _)| n.ends_with(ext)),
            "{ext}: {files:?}"
        );
    }
    let archive = douyin_media::Archive::open(videos.join("archive.sqlite")).unwrap();
    assert_eq!(archive.len().unwrap(), 3);
}
