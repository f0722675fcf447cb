//! The `douyin` binary against the spec-driven mock server over loopback: an operation of every domain, credentials
//! from the environment and from the config file, `--all-pages` across pages (JSON Lines, `--max-pages`, resuming
//! with the cursor, Ctrl-C), typed errors with their exit status, and no credential in any output, `--verbose` or not.

mod calls;
#[path = "../common/mod.rs"]
mod common;
mod errors;
mod pages;

use std::process::Command;

use common::{douyin, run, Run, TempDir};
use douyin_core::compare::without_nulls;
use douyin_mock::{MockConfig, MockServer, Scenario};
use serde_json::Value;

/// A mock server running on its own runtime while the test drives the binary synchronously.
struct Mock {
    server: MockServer,
    _rt: tokio::runtime::Runtime,
}

impl Mock {
    fn start(config: MockConfig) -> Mock {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(MockServer::start_with(config));
        Mock { server, _rt: rt }
    }

    fn url(&self, domain: &str) -> String {
        self.server.base_url(domain)
    }
}

// Distinctive credential values, so a leak is unmistakable.
const KEY: &str = "KEY-4f1c9e2b7a";
const SECRET: &str = "SECRET-93be07d1c5";
const TOKEN: &str = "act.TOKEN-61d2a8f0e3";
const COOKIE: &str = "sessionid=COOKIE-a71f3c9d20";
const MS_TOKEN: &str = "MSTOKEN-5b8e1d4c7f";
const SECRETS: &[&str] = &[KEY, SECRET, TOKEN, COOKIE, MS_TOKEN, "COOKIE-a71f3c9d20"];

fn config() -> MockConfig {
    MockConfig::default()
        .credential("key", KEY)
        .credential("secret", SECRET)
        .credential("access_token", TOKEN)
        .credential("cookie", COOKIE)
        .credential("ms_token", MS_TOKEN)
}

fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("DOUYIN_ONEBOUND_KEY", KEY),
        ("DOUYIN_ONEBOUND_SECRET", SECRET),
        ("DOUYIN_ACCESS_TOKEN", TOKEN),
        ("DOUYIN_COOKIE", COOKIE),
        ("DOUYIN_MS_TOKEN", MS_TOKEN),
    ]
}

/// `douyin <args…> --base-url <mock>/<domain>` with every credential in the environment.
fn call(mock: &Mock, home: &TempDir, args: &[&str]) -> Command {
    let mut c = douyin(home.path(), &env());
    c.args(args).arg("--base-url").arg(mock.url(args[0]));
    c
}

#[track_caller]
fn assert_no_secret(r: &Run) {
    for s in SECRETS {
        assert!(
            !r.stdout.contains(s) && !r.stderr.contains(s),
            "credential {s:?} printed:\nstdout: {}\nstderr: {}",
            r.stdout,
            r.stderr
        );
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn example(path: &str) -> Value {
    json(&std::fs::read_to_string(common::workspace().join(path)).unwrap())
}
