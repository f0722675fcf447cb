//! Typed errors with their exit status: API errors on one line, usage problems (status 2), absurd timeouts, bad
//! base URLs, the body size limit.

use super::*;

#[test]
fn api_errors_are_one_line_naming_code_meaning_class_and_retryability() {
    let (mock, home) = (Mock::start(config()), TempDir::new("errors"));
    mock.server.set_scenario(
        "onebound",
        "item_get_video",
        Scenario::Code("2000".to_owned()),
    );
    let r = run(call(
        &mock,
        &home,
        &["onebound", "item-get-video", "--item-id", "1"],
    ));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.is_empty());
    assert_eq!(
        r.stderr,
        "error: API error NoResult (code 2000: Search success but no result; class no_result, not retryable, \
         billed): Search success but no result [log id 20240101000000MOCKLOGID]\n"
    );
    assert_eq!(mock.server.attempts("item_get_video"), 1);

    // A rate limit is retried up to --max-attempts, then reported as retryable.
    mock.server
        .set_scenario("onebound", "item_get_video", Scenario::RateLimited);
    let before = mock.server.attempts("item_get_video");
    let r = run(call(
        &mock,
        &home,
        &[
            "onebound",
            "item-get-video",
            "--item-id",
            "1",
            "--max-attempts",
            "2",
        ],
    ));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.starts_with("error: API error RateLimited (code 4008: API rate limit exceeded; class rate_limited, retryable"),
        "{}",
        r.stderr
    );
    assert_eq!(mock.server.attempts("item_get_video") - before, 2);

    // A refused web session (HTTP 200, empty body) is `blocked`.
    mock.server
        .set_scenario("web", "tab_feed", Scenario::EmptyBody);
    let r = run(call(&mock, &home, &["web", "tab-feed"]));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .starts_with("error: blocked: empty response body (not retryable;"),
        "{}",
        r.stderr
    );

    // A search answering a captcha with status_code 0 is blocked too, saying what to do.
    mock.server.set_scenario(
        "web",
        "general_search_single",
        Scenario::Refused(douyin_core::RefusalKind::Captcha),
    );
    let r = run(call(
        &mock,
        &home,
        &["web", "general-search-single", "--keyword", "美食"],
    ));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(
        r.stderr,
        "error: blocked: the service asks for a captcha (search_nil_info.search_nil_type = verify_check) \
         (not retryable; what to do: solve the captcha in a browser signed in with this cookie, then retry more \
         slowly)\n"
    );

    // A code with the spec's advice prints it.
    mock.server
        .set_scenario("web", "tab_feed", Scenario::Code("8".to_owned()));
    let r = run(call(&mock, &home, &["web", "tab-feed"]));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.ends_with(
            "; what to do: renew the cookie (sign in on www.douyin.com in a browser and export the cookie again)\n"
        ),
        "{}",
        r.stderr
    );

    // A value that does not fit its type does not lose the response: it is kept and printed back as it came.
    mock.server.set_scenario(
        "web",
        "hot_search_list",
        Scenario::Raw {
            status: 200,
            content_type: "application/json".to_owned(),
            body: br#"{"status_code":0,"data":{"word_list":"not a list"}}"#.to_vec(),
        },
    );
    let r = run(call(&mock, &home, &["web", "hot-search-list"]));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        r.stdout.trim(),
        r#"{"data":{"word_list":"not a list"},"status_code":0}"#
    );

    // A body that is not whole JSON names the path where it stops.
    mock.server.set_scenario(
        "web",
        "hot_search_list",
        Scenario::Raw {
            status: 200,
            content_type: "application/json".to_owned(),
            body: br#"{"status_code":0,"data":{"word_list":[{"word":"#.to_vec(),
        },
    );
    let r = run(call(&mock, &home, &["web", "hot-search-list"]));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .starts_with("error: decode error at `data.word_list[0].word`:"),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_problems_exit_with_status_2() {
    let (mock, home) = (Mock::start(config()), TempDir::new("usage"));
    // A missing credential names where to set it.
    let mut cmd = douyin(home.path(), &[("DOUYIN_ONEBOUND_KEY", KEY)]);
    cmd.args([
        "onebound",
        "item-get-video",
        "--item-id",
        "1",
        "--base-url",
        &mock.url("onebound"),
    ]);
    let r = run(cmd);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("missing credential `secret` for onebound: set DOUYIN_ONEBOUND_SECRET (or DOUYIN_SECRET)"),
        "{}",
        r.stderr
    );
    // Documented bounds are checked by the parser.
    let r = run(call(
        &mock,
        &home,
        &[
            "open-platform",
            "list-comment",
            "--open-id",
            "o",
            "--item-id",
            "i",
            "--count",
            "51",
        ],
    ));
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("51 is not in 1..=50"), "{}", r.stderr);
    // Enum parameters take their documented values.
    let r = run(call(
        &mock,
        &home,
        &[
            "onebound",
            "item-get-video",
            "--item-id",
            "1",
            "--lang",
            "de",
        ],
    ));
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("[possible values: cn, en, ru]"),
        "{}",
        r.stderr
    );
    // Credentials are never flags.
    let r = run(call(
        &mock,
        &home,
        &["onebound", "item-get-video", "--item-id", "1", "--key", "x"],
    ));
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("unexpected argument '--key'"),
        "{}",
        r.stderr
    );
    // Nothing was sent.
    assert_eq!(mock.server.requests().len(), 0);
}

#[test]
fn absurd_timeouts_are_usage_errors_not_panics() {
    let (mock, home) = (Mock::start(config()), TempDir::new("timeout"));
    for t in ["NaN", "inf", "1e300", "-1", "0"] {
        let r = run(call(
            &mock,
            &home,
            &[
                "onebound",
                "item-get-video",
                "--item-id",
                "1",
                "--timeout",
                t,
            ],
        ));
        assert_eq!(r.code, Some(2), "--timeout {t}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "--timeout {t}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: --timeout ")
                && r.stderr.contains("above 0 and at most 86400"),
            "--timeout {t}: {}",
            r.stderr
        );
    }
    assert_eq!(mock.server.requests().len(), 0);
}

#[test]
fn bad_base_urls_are_usage_errors_and_a_password_in_one_is_never_printed() {
    let (mock, home) = (Mock::start(config()), TempDir::new("base-url"));
    let with_password = format!("http://user:PASSWORD-0b7e@{}/onebound", mock.server.addr());
    let args = |url: &str| -> Vec<String> {
        [
            "onebound",
            "item-get-video",
            "--item-id",
            "1",
            "--verbose",
            "--base-url",
            url,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    for (url, why) in [
        ("not a url", "--base-url: invalid base URL"),
        (
            with_password.as_str(),
            "--base-url: the base URL carries a user name or password",
        ),
    ] {
        let mut cmd = douyin(home.path(), &env());
        cmd.args(args(url));
        let r = run(cmd);
        assert_eq!(r.code, Some(2), "{url}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{url}: {}", r.stderr);
        assert!(r.stderr.contains(why), "{url}: {}", r.stderr);
        assert!(
            !r.stderr.contains("PASSWORD") && !r.stdout.contains("PASSWORD"),
            "{r:?}"
        );
        assert_no_secret(&r);
    }
    // The same from the environment.
    let mut e = env();
    e.push(("DOUYIN_ONEBOUND_BASE_URL", with_password.as_str()));
    let mut cmd = douyin(home.path(), &e);
    cmd.args(["onebound", "item-get-video", "--item-id", "1", "--verbose"]);
    let r = run(cmd);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("DOUYIN_ONEBOUND_BASE_URL: the base URL carries a user name or password"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("PASSWORD"), "{}", r.stderr);
    // Nothing was sent (the userinfo would have gone out as Basic auth).
    assert_eq!(mock.server.requests().len(), 0);
}

#[test]
fn max_body_bytes_limits_the_response_body() {
    let (mock, home) = (Mock::start(config()), TempDir::new("body-limit"));
    let args = ["onebound", "item-get-video", "--item-id", "1"];
    let r = run(call(&mock, &home, &args));
    assert_eq!(r.code, Some(0), "{r:?}");
    let mut cmd = call(&mock, &home, &args);
    cmd.args(["--max-body-bytes", "100"]);
    let r = run(cmd);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("response body larger than the limit of 100 bytes"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}
