//! `douyin session new` against the mock over loopback: a web session from nothing is printed as a Cookie header,
//! which `--cookies` then uses for a signed call; a failing token service falls back to a generated msToken.

mod common;

use common::{douyin, run, TempDir};
use douyin_mock::{issued_cookie_value, MockConfig, MockServer, Scenario};

/// A mock that takes any non-empty cookie and msToken (a new session's), on its own runtime.
fn mock() -> (MockServer, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut config = MockConfig::default();
    config.credentials.remove("cookie");
    config.credentials.remove("ms_token");
    let server = rt.block_on(MockServer::start_with(config));
    (server, rt)
}

#[test]
fn session_new_prints_a_cookie_that_signs_later_calls() {
    let ((server, _rt), home) = (mock(), TempDir::new("session-new"));
    let mut c = douyin(home.path(), &[]);
    c.args(["session", "new", "--base-url", &server.base_url("web")]);
    let r = run(c);
    assert_eq!(r.code, Some(0), "{r:?}");
    let (ttwid, ms_token) = (
        issued_cookie_value("ttwid", 1),
        issued_cookie_value("msToken", 1),
    );
    let prefix = format!("ttwid={ttwid}; msToken={ms_token}; s_v_web_id=verify_");
    assert!(r.stdout.starts_with(&prefix), "{r:?}");
    assert!(
        r.stderr.contains("msToken: issued by the token service"),
        "{r:?}"
    );
    assert!(r.stderr.contains("expire in about 364 days"), "{r:?}");
    assert!(
        !r.stderr.contains(&ttwid),
        "no value on stderr: {}",
        r.stderr
    );

    let file = home.file("cookie.txt", &r.stdout);
    let mut c = douyin(home.path(), &[]);
    c.args([
        "web",
        "aweme-post",
        "--sec-user-id",
        "MS4wLjABAAAAWP5yJJm9n_Nmmk0E",
        "--cookies",
    ])
    .arg(&file)
    .args(["--base-url", &server.base_url("web")]);
    let r = run(c);
    assert_eq!(r.code, Some(0), "{r:?}");
    let sent = &server.requests_to("aweme_post")[0];
    assert_eq!(sent.header("cookie"), Some(file_text(&file).trim_end()));
    let query = sent.query_pairs();
    assert!(
        query.contains(&("msToken".to_owned(), ms_token)),
        "{query:?}"
    );
}

#[test]
fn a_refusing_token_service_gives_a_generated_ms_token_and_a_dead_ttwid_service_an_error() {
    let ((server, _rt), home) = (mock(), TempDir::new("session-fallback"));
    server.set_scenario("web", "mssdk_token", Scenario::Status(503));
    let r = session_new(&server, &home, "sessionid=kept");
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains("msToken: generated (token request failed"),
        "{r:?}"
    );
    assert!(
        r.stdout.starts_with("sessionid=kept; ttwid="),
        "the configured cookie is kept: {r:?}"
    );

    server.set_scenario("web", "ttwid_register", Scenario::Status(500));
    let r = session_new(&server, &home, "sessionid=SECRET");
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.starts_with("error: ttwid registration failed"),
        "{r:?}"
    );
    assert!(!r.stderr.contains("SECRET") && r.stdout.is_empty(), "{r:?}");
}

/// `douyin session new` against the mock with `cookie` configured, one attempt per call.
fn session_new(server: &MockServer, home: &TempDir, cookie: &str) -> common::Run {
    let mut c = douyin(home.path(), &[("DOUYIN_COOKIE", cookie)]);
    c.args(["session", "new", "--max-attempts", "1", "--base-url"])
        .arg(server.base_url("web"));
    run(c)
}

fn file_text(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap()
}
