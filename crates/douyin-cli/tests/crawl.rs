//! `--identities` and `--pace-scale` against the mock over loopback: a refused identity is reported and rests while
//! another answers; when all are refused the breaker's error names the endpoint; a bad identities file names its line
//! and field, never a credential; a missing or empty pool says where identities are configured.

mod common;

use common::{douyin, run, TempDir};
use douyin_mock::{MockConfig, MockServer, Scenario};

const IDENTITIES: &str = "[[identity]]\nname = \"alice\"\ncookie = \"sessionid=alice\"\n\n\
                          [[identity]]\nname = \"bob\"\ncookie = \"sessionid=bob\"\n\n\
                          [[identity]]\nname = \"carol\"\ncookie = \"sessionid=carol\"\n";

fn mock() -> (MockServer, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut config = MockConfig::default();
    // Any cookie is a session here: the identities differ by it.
    config.credentials.remove("cookie");
    let server = rt.block_on(MockServer::start_with(config));
    (server, rt)
}

/// `web general-search-single` against the mock, with a web msToken.
fn search_cmd(server: &MockServer, home: &TempDir) -> std::process::Command {
    let mut c = douyin(home.path(), &[("DOUYIN_MS_TOKEN", "test-ms-token")]);
    c.args([
        "web",
        "general-search-single",
        "--keyword",
        "美食",
        "--base-url",
    ])
    .arg(server.base_url("web"));
    c
}

fn search(server: &MockServer, home: &TempDir, identities: &std::path::Path) -> common::Run {
    let mut c = search_cmd(server, home);
    c.arg("--identities")
        .arg(identities)
        .args(["--pace-scale", "1000"]);
    run(c)
}

#[test]
fn a_refused_identity_is_reported_and_the_breaker_names_the_endpoint() {
    let ((server, _rt), home) = (mock(), TempDir::new("crawl"));
    let ids = home.file("ids.toml", IDENTITIES);
    server.set_scenario(
        "web",
        "general_search_single",
        "refused:captcha@sessionid=alice".parse().unwrap(),
    );
    let r = search(&server, &home, &ids);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains(
            "douyin: identity alice refused (captcha) by general_search_single: resting 120 s"
        ),
        "{r:?}"
    );
    assert_eq!(server.requests_to("general_search_single").len(), 2);

    server.set_scenario(
        "web",
        "general_search_single",
        Scenario::Refused(douyin_core::RefusalKind::Captcha),
    );
    let r = search(&server, &home, &ids);
    assert_eq!(r.code, Some(1), "{r:?}");
    let last = r.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: circuit breaker of `general_search_single` open until "),
        "{r:?}"
    );
    assert!(
        r.stderr.contains("identity carol refused (captcha)"),
        "{r:?}"
    );
    // Each identity was asked once in this run, then the breaker stopped the crawl.
    assert_eq!(server.requests_to("general_search_single").len(), 5);
}

#[test]
fn a_bad_identities_file_names_line_and_field_and_sends_nothing() {
    let ((server, _rt), home) = (mock(), TempDir::new("crawl-bad"));
    let ids = home.file(
        "ids.toml",
        "[[identity]]\nname = \"alice\"\ncookie = \"sessionid=alice\"\n\n[[identity]]\ncokie = \"secret-value\"\n",
    );
    let r = search(&server, &home, &ids);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("ids.toml:6: identity 2: unknown field `cokie`"),
        "{r:?}"
    );
    assert!(!r.stderr.contains("secret-value"), "{r:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_missing_or_empty_pool_says_where_identities_are_configured() {
    let ((server, _rt), home) = (mock(), TempDir::new("crawl-empty"));
    let missing = home.path().join("nowhere.toml");
    let empty = home.file("empty.json", r#"{"identity": []}"#);
    for ids in [&missing, &empty] {
        let r = search(&server, &home, ids);
        assert_eq!(r.code, Some(2), "{r:?}");
        assert!(
            r.stderr.contains(
                "identities come from --identities FILE or `identities = \"FILE\"` in the domain's table of the \
                 config file"
            ) && r.stderr.contains("`douyin session new`"),
            "{r:?}"
        );
    }
    // The config file can name the pool; its errors say so.
    let config = home.file("config.toml", "[web]\nidentities = \"empty.json\"\n");
    let mut c = search_cmd(&server, &home);
    c.arg("--config").arg(&config);
    let r = run(c);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("`identities` in [web] of the config file: ")
            && r.stderr.contains("empty.json: no [[identity]] in it"),
        "{r:?}"
    );
    assert!(server.requests().is_empty());
}
