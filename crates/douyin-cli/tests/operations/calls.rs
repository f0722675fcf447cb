//! An operation of every domain: credentials from the environment and the config file, signed web requests, list
//! parameters, text formats, no credential printed even with `--verbose`, base URLs and logs from the environment.

use super::*;

#[test]
fn onebound_prints_the_decoded_response_losslessly() {
    let (mock, home) = (Mock::start(config()), TempDir::new("onebound"));
    let r = run(call(
        &mock,
        &home,
        &[
            "onebound",
            "item-get-video",
            "--item-id",
            "7118694749548072205",
            "--lang",
            "en",
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.is_empty(), "{r:?}");
    // Not a terminal: compact, one line; the mock serves the documented example, which comes back unchanged.
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    let out = json(&r.stdout);
    assert_eq!(
        without_nulls(&out),
        without_nulls(&example("specs/onebound/examples/item_get_video.ok.json"))
    );
    let reqs = mock.server.requests_to("item_get_video");
    assert_eq!(reqs.len(), 1);
    let q = reqs[0].query_pairs();
    assert!(
        q.contains(&("item_id".to_owned(), "7118694749548072205".to_owned())),
        "{q:?}"
    );
    assert!(q.contains(&("lang".to_owned(), "en".to_owned())), "{q:?}");
    assert!(q.contains(&("key".to_owned(), KEY.to_owned())), "{q:?}");
}

#[test]
fn open_platform_reads_credentials_and_base_url_from_the_config_file() {
    let (mock, home) = (Mock::start(config()), TempDir::new("open-platform"));
    let file = home.file(
        "my.toml",
        format!(
            "[open-platform]\naccess_token = \"{TOKEN}\"\nbase_url = \"{}\"\n",
            mock.url("open-platform")
        ),
    );
    let mut cmd = douyin(home.path(), &[]);
    cmd.args([
        "open-platform",
        "list-comment",
        "--open-id",
        "ba253642",
        "--item-id",
        "@8hxd+/==",
        "--count",
        "5",
    ])
    .arg("--config")
    .arg(&file)
    .arg("--pretty");
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{r:?}");
    // --pretty: indented, and the same JSON as the documented example.
    assert!(
        r.stdout.starts_with("{\n  \"data\": {\n    \"data\": {"),
        "{}",
        r.stdout
    );
    assert_eq!(
        without_nulls(&json(&r.stdout)),
        without_nulls(&example(
            "specs/open-platform/examples/list_comment.ok.json"
        ))
    );
    let req = &mock.server.requests_to("list_comment")[0];
    assert_eq!(req.header("access-token"), Some(TOKEN));
    let q = req.query_pairs();
    assert!(
        q.contains(&("item_id".to_owned(), "@8hxd+/==".to_owned())),
        "{q:?}"
    );
    assert!(q.contains(&("count".to_owned(), "5".to_owned())), "{q:?}");
}

#[test]
fn web_requests_carry_the_session_and_a_valid_signature() {
    let (mock, home) = (Mock::start(config()), TempDir::new("web"));
    let r = run(call(
        &mock,
        &home,
        &[
            "web",
            "comment-list",
            "--aweme-id",
            "7184732601662344482",
            "--count",
            "7",
        ],
    ));
    // The mock answers a bad cookie, msToken, user agent or X-Bogus with an empty body: success means all agreed.
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(json(&r.stdout)["status_code"], 0);
    let req = &mock.server.requests_to("comment_list")[0];
    assert_eq!(req.header("cookie"), Some(COOKIE));
    let q = req.query_pairs();
    assert!(
        q.contains(&("aweme_id".to_owned(), "7184732601662344482".to_owned())),
        "{q:?}"
    );
    assert!(q.contains(&("count".to_owned(), "7".to_owned())), "{q:?}");
    assert!(
        q.contains(&("msToken".to_owned(), MS_TOKEN.to_owned())),
        "{q:?}"
    );
    assert_eq!(q.last().map(|(n, _)| n.as_str()), Some("X-Bogus"), "{q:?}");
}

#[test]
fn list_parameters_are_sent_as_json_text() {
    let (mock, home) = (Mock::start(config()), TempDir::new("lists"));
    let r = run(call(
        &mock,
        &home,
        &[
            "web",
            "im-user-info",
            "--sec-user-ids",
            "MS4w.a,MS4w.b",
            "--sec-user-ids",
            "MS4w.c",
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    let req = &mock.server.requests_to("im_user_info")[0];
    let form: Vec<(String, String)> = url_pairs(&req.body);
    assert_eq!(
        form,
        [(
            "sec_user_ids".to_owned(),
            r#"["MS4w.a","MS4w.b","MS4w.c"]"#.to_owned()
        )]
    );
    let r = run(call(
        &mock,
        &home,
        &[
            "web",
            "notice-detail",
            "--id-list",
            r#"[{"notice_id_str":"71","type":0},{"notice_id_str":"72","type":1}]"#,
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    let q = mock.server.requests_to("notice_detail")[0].query_pairs();
    assert!(
        q.contains(&(
            "id_list".to_owned(),
            r#"[{"notice_id_str":"71","type":0},{"notice_id_str":"72","type":1}]"#.to_owned()
        )),
        "{q:?}"
    );
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    let text = std::str::from_utf8(body).unwrap();
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn text_formats_print_the_body_as_received() {
    let (mock, home) = (Mock::start(config()), TempDir::new("text"));
    let r = run(call(
        &mock,
        &home,
        &[
            "onebound",
            "item-get-video",
            "--item-id",
            "1",
            "--result-type",
            "xml",
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    assert!(
        r.stdout.contains("<error_code>0000</error_code>"),
        "{}",
        r.stdout
    );
}

#[test]
fn credentials_are_never_printed_even_with_verbose() {
    let (mock, home) = (Mock::start(config()), TempDir::new("secrets"));
    let calls: &[&[&str]] = &[
        &["onebound", "item-get-video", "--item-id", "1"],
        &["open-platform", "media-list", "--open-id", "o"],
        &["web", "user-profile-self"],
    ];
    for args in calls {
        let mut cmd = call(&mock, &home, args);
        cmd.arg("--verbose");
        let r = run(cmd);
        assert_eq!(r.code, Some(0), "{r:?}");
        assert_no_secret(&r);
        // --verbose says where each credential comes from, by variable name only.
        assert!(r.stderr.contains("credentials: "), "{}", r.stderr);
        assert!(r.stderr.contains("(from DOUYIN_"), "{}", r.stderr);
    }
    // From the config file, with failures: the service rejects the credentials.
    let file = home.file(
        "c.toml",
        format!(
            "[onebound]\nkey = \"{KEY}x\"\nsecret = \"{SECRET}\"\n[open-platform]\naccess_token = \"{TOKEN}x\"\n\
             [web]\ncookie = \"{COOKIE}x\"\nms_token = \"{MS_TOKEN}\"\n"
        ),
    );
    for args in calls {
        let mut cmd = douyin(home.path(), &[]);
        cmd.args(*args)
            .args([
                "--verbose",
                "--max-attempts",
                "1",
                "--base-url",
                &mock.url(args[0]),
                "--config",
            ])
            .arg(&file);
        let r = run(cmd);
        assert_eq!(r.code, Some(1), "{r:?}");
        assert!(r.stderr.contains("(from the config file)"), "{}", r.stderr);
        assert_no_secret(&r);
    }
    // A config file that does not parse names the position, not the line's text.
    let bad = home.file(
        "bad.toml",
        format!("[web]\ncookie = \"{COOKIE}\nms_token = 1\n"),
    );
    let mut cmd = douyin(home.path(), &[]);
    cmd.args(["web", "tab-feed", "--verbose", "--config"])
        .arg(&bad);
    let r = run(cmd);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("line 2"), "{}", r.stderr);
    assert_no_secret(&r);
}

#[test]
fn base_url_can_come_from_the_environment() {
    let (mock, home) = (Mock::start(config()), TempDir::new("env-url"));
    let url = mock.url("web");
    let mut vars = env();
    vars.push(("DOUYIN_WEB_BASE_URL", &url));
    let mut cmd = douyin(home.path(), &vars);
    cmd.args(["web", "emoji-list"]);
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{r:?}");
    // The mock serves the real emoji capture for this route.
    let out = json(&r.stdout);
    assert_eq!(out["emoji_list"][0]["display_name"], "[微笑]");
    assert_eq!(mock.server.requests_to("emoji_list").len(), 1);
}

#[test]
fn rust_log_sends_the_runtime_logs_to_stderr() {
    let (mock, home) = (Mock::start(config()), TempDir::new("rust-log"));
    let args = ["onebound", "item-get-video", "--item-id", "1"];
    let quiet = run(call(&mock, &home, &args));
    assert_eq!(quiet.code, Some(0), "{quiet:?}");
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
    let mut cmd = call(&mock, &home, &args);
    cmd.env("RUST_LOG", "douyin_core=debug");
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, quiet.stdout, "logs stay off stdout");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(
        lines.iter().any(|l| l.contains("DEBUG")
            && l.contains("douyin_core")
            && l.contains("sending")
            && l.contains("item_get_video")),
        "{}",
        r.stderr
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("received") && l.contains("status=200")),
        "{}",
        r.stderr
    );
    assert_no_secret(&r);
    // A filter that does not parse is said once, then warnings are logged.
    let mut cmd = call(&mock, &home, &args);
    cmd.env("RUST_LOG", "douyin_core=loud");
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("douyin: RUST_LOG ignored"),
        "{}",
        r.stderr
    );
}
