//! Helpers shared by the CLI tests: running the `douyin` binary in a clean environment, temp dirs, paths.

#![allow(dead_code)]

pub mod crawl;
pub mod mock;
pub mod postgres;
pub mod served;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The real web captures kept in the repository.
pub fn captures() -> PathBuf {
    workspace().join("specs/web/captures")
}

/// The signature test vectors kept in the repository.
pub fn vectors() -> PathBuf {
    workspace().join("vectors")
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("douyin-cli-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `name` in the directory and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `douyin` binary with an empty environment except `XDG_CONFIG_HOME` pointing at an empty directory (so the
/// user's own config file is never read) and the given variables.
pub fn douyin(config_home: &Path, env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_douyin"));
    c.env_clear().env("XDG_CONFIG_HOME", config_home);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// What a finished run printed.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `failed: …` lines on stderr (one per failed item of `douyin download`).
    pub fn failed_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("failed: "))
            .collect()
    }
}

pub fn run(mut cmd: Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("douyin runs");
    Run {
        code: status.code(),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// Like [`run`], with `input` written to the binary's stdin (then closed).
pub fn run_with_stdin(mut cmd: Command, input: &str) -> Run {
    use std::io::Write;
    use std::process::Stdio;

    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("douyin runs");
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_owned();
    // Written from another thread, so a binary that prints before reading cannot block on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("douyin runs");
    writer.join().expect("writer").expect("stdin written");
    Run {
        code: status.code(),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// Like [`run`], but a run that has not finished after `limit` is killed and fails the test (a loop that used to
/// run forever must not hang the suite).
pub fn run_within(mut cmd: Command, limit: std::time::Duration) -> Run {
    use std::io::Read;
    use std::process::Stdio;

    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("douyin runs");
    // Drain both pipes while waiting, so a chatty run cannot block on a full pipe.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("douyin still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8(out.join().expect("reader")).expect("stdout is UTF-8"),
        stderr: String::from_utf8(err.join().expect("reader")).expect("stderr is UTF-8"),
    }
}
