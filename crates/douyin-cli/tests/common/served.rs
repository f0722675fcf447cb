//! A `douyin serve` process over the spec-driven mock (loopback), with every domain's credentials set to values the
//! tests look for in answers.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use douyin_mock::media::{aweme_json, MediaAweme};
use douyin_mock::{MockConfig, MockServer, Scenario};

use super::{douyin, TempDir};

pub const KEY: &str = "KEY-4f1c9e2b7a";
pub const SECRET: &str = "SECRET-93be07d1c5";
pub const TOKEN: &str = "act.TOKEN-61d2a8f0e3";
pub const COOKIE: &str = "sessionid=COOKIE-a71f3c9d20";
pub const MS_TOKEN: &str = "MSTOKEN-5b8e1d4c7f";
pub const SECRETS: &[&str] = &[KEY, SECRET, TOKEN, "COOKIE-a71f3c9d20", MS_TOKEN];

/// The mock, a `douyin serve` process pointed at it, and a runtime for the test's HTTP client.
pub struct Served {
    pub mock: MockServer,
    pub child: Child,
    pub base: String,
    pub rt: tokio::runtime::Runtime,
    pub home: TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A runtime for the test's clients.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// The mock with every domain's credentials.
pub fn mock(rt: &tokio::runtime::Runtime) -> MockServer {
    rt.block_on(MockServer::start_with(
        MockConfig::default()
            .credential("key", KEY)
            .credential("secret", SECRET)
            .credential("access_token", TOKEN)
            .credential("cookie", COOKIE)
            .credential("ms_token", MS_TOKEN),
    ))
}

/// The `douyin` command configured for `mock` (credentials and base URLs from the environment).
pub fn douyin_over(mock: &MockServer, home: &TempDir) -> Command {
    douyin_at(|d| mock.base_url(d), home)
}

/// The `douyin` command with every domain's credentials, sending domain `d` to `base_url(d)`.
pub fn douyin_at(base_url: impl Fn(&str) -> String, home: &TempDir) -> Command {
    let urls: Vec<(String, String)> = ["onebound", "open-platform", "web"]
        .iter()
        .map(|d| {
            let var = format!("DOUYIN_{}_BASE_URL", d.to_uppercase().replace('-', "_"));
            (var, base_url(d))
        })
        .collect();
    let mut env = vec![
        ("DOUYIN_ONEBOUND_KEY", KEY),
        ("DOUYIN_ONEBOUND_SECRET", SECRET),
        ("DOUYIN_ACCESS_TOKEN", TOKEN),
        ("DOUYIN_COOKIE", COOKIE),
        ("DOUYIN_MS_TOKEN", MS_TOKEN),
    ];
    env.extend(urls.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    douyin(home.path(), &env)
}

/// `douyin serve … extra` over a fresh mock, once it listens.
pub fn start(extra: &[&str]) -> Served {
    let rt = runtime();
    let mock = mock(&rt);
    let home = TempDir::new("serve");
    let cmd = douyin_over(&mock, &home);
    let (child, base) = listening(cmd, extra);
    Served {
        mock,
        child,
        base,
        rt,
        home,
    }
}

/// `cmd serve … extra` started, once it listens: the process and its base URL.
pub fn listening(mut cmd: Command, extra: &[&str]) -> (Child, String) {
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--max-attempts", "1"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().expect("douyin serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    (child, base)
}

/// The operation names of `specs/<domain>/*.yaml`, as routes.
pub fn spec_routes() -> Vec<String> {
    let specs = super::workspace().join("specs");
    let mut out = Vec::new();
    for d in std::fs::read_dir(&specs).unwrap().filter_map(Result::ok) {
        if !d.path().join("domain.yaml").is_file() {
            continue;
        }
        let domain = d.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(d.path()).unwrap().filter_map(Result::ok) {
            let (path, name) = (f.path(), f.file_name().to_string_lossy().into_owned());
            if name.ends_with(".yaml") && name != "domain.yaml" {
                let text = std::fs::read_to_string(&path).unwrap();
                let op = text
                    .lines()
                    .find_map(|l| l.strip_prefix("name: "))
                    .unwrap_or_else(|| panic!("{}: no name", path.display()));
                out.push(format!("/v1/{domain}/{}", op.trim().replace('_', "-")));
            }
        }
    }
    out.sort();
    out
}

/// aweme/detail answers video `id` of `size` bytes, served by the mock through one mirror behaving as `mirror` says
/// (`""`: healthy; `slow=MS`, …).
pub fn serve_video(mock: &MockServer, id: &str, size: u64, mirror: &str) {
    let mut m = MediaAweme::video(id, size);
    m.mirrors = vec![mirror.to_owned()];
    let aweme = aweme_json(&format!("http://{}", mock.addr()), &m);
    let body = serde_json::json!({ "status_code": 0, "aweme_detail": aweme });
    mock.set_scenario(
        "web",
        "aweme_detail",
        Scenario::Raw {
            status: 200,
            content_type: "application/json".into(),
            body: body.to_string().into_bytes(),
        },
    );
}
