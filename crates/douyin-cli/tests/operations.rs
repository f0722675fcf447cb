//! The `douyin` binary against the spec-driven mock server over loopback: an operation of every domain, credentials
//! from the environment and from the config file, `--all-pages` across pages (JSON Lines, `--max-pages`, resuming
//! with the cursor, Ctrl-C), typed errors with their exit status, and no credential in any output, `--verbose` or not.

mod common;

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

/// The `cid` of every JSON line (the mock numbers synthetic comments `comment_list-<n>`, n from 1).
fn cids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            json(l)["cid"]
                .as_str()
                .unwrap_or_else(|| panic!("no cid: {l}"))
                .to_owned()
        })
        .collect()
}

fn expected_cids(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("comment_list-{n}")).collect()
}

#[test]
fn all_pages_writes_every_item_of_every_page_as_json_lines() {
    let (mock, home) = (Mock::start(config()), TempDir::new("pages"));
    mock.server.set_scenario(
        "web",
        "comment_list",
        Scenario::Pages {
            pages: 3,
            page_size: 4,
        },
    );
    let r = run(call(
        &mock,
        &home,
        &["web", "comment-list", "--aweme-id", "1", "--all-pages"],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.ends_with('\n'));
    assert_eq!(cids(&r.stdout), expected_cids(1..=12));
    // stderr is not a terminal: no progress line.
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let cursors: Vec<String> = mock
        .server
        .requests_to("comment_list")
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(n, _)| n == "cursor")
                .unwrap()
                .1
        })
        .collect();
    assert_eq!(cursors, ["0", "4", "8"]);
}

#[test]
fn max_pages_reports_the_cursor_and_the_cursor_resumes() {
    let (mock, home) = (Mock::start(config()), TempDir::new("resume"));
    mock.server.set_scenario(
        "web",
        "comment_list",
        Scenario::Pages {
            pages: 3,
            page_size: 2,
        },
    );
    let r = run(call(
        &mock,
        &home,
        &[
            "web",
            "comment-list",
            "--aweme-id",
            "1",
            "--all-pages",
            "--max-pages",
            "1",
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(cids(&r.stdout), expected_cids(1..=2));
    assert!(r.stderr.contains("resume with --cursor 2"), "{}", r.stderr);
    let r = run(call(
        &mock,
        &home,
        &[
            "web",
            "comment-list",
            "--aweme-id",
            "1",
            "--all-pages",
            "--cursor",
            "2",
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(cids(&r.stdout), expected_cids(3..=6));
    // aweme-post names its own cursor flag.
    mock.server.set_scenario(
        "web",
        "aweme_post",
        Scenario::Pages {
            pages: 2,
            page_size: 1,
        },
    );
    let r = run(call(
        &mock,
        &home,
        &[
            "web",
            "aweme-post",
            "--sec-user-id",
            "MS4w",
            "--all-pages",
            "--max-pages",
            "1",
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(
        r.stderr.contains("resume with --max-cursor 1"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failing_page_names_the_error_and_the_cursor_to_resume_from() {
    let (mock, home) = (Mock::start(config()), TempDir::new("page-error"));
    mock.server.set_scenario(
        "open-platform",
        "media_list",
        Scenario::Pages {
            pages: 3,
            page_size: 2,
        },
    );
    let r = run(call(
        &mock,
        &home,
        &[
            "open-platform",
            "media-list",
            "--open-id",
            "o",
            "--all-pages",
            "--cursor",
            "2",
        ],
    ));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout.lines().count(), 4);
    // A documented error on the first page.
    mock.server.set_scenario(
        "open-platform",
        "media_list",
        Scenario::Code("2100005".to_owned()),
    );
    let r = run(call(
        &mock,
        &home,
        &[
            "open-platform",
            "media-list",
            "--open-id",
            "o",
            "--all-pages",
            "--cursor",
            "6",
        ],
    ));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.is_empty());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: API error "), "{}", r.stderr);
    assert!(r.stderr.contains("(code 2100005"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("stopped after 0 items from 0 pages; resume with --cursor 6"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_after_complete_lines_and_prints_the_cursor() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let (mock, home) = (Mock::start(config()), TempDir::new("ctrl-c"));
    // Far more pages than can be fetched before the interrupt lands.
    mock.server.set_scenario(
        "web",
        "comment_list",
        Scenario::Pages {
            pages: 1_000_000,
            page_size: 1,
        },
    );
    let mut cmd = call(
        &mock,
        &home,
        &["web", "comment-list", "--aweme-id", "1", "--all-pages"],
    );
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    while lines.len() < 3 {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "output ended early"
        );
        lines.push(line);
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("douyin did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    let all: String = lines.concat() + &rest;
    assert!(all.ends_with('\n'), "the last line is cut: {all:?}");
    let n = all.lines().count();
    assert!(n < 1_000_000);
    // Every line complete and in order, with no gap.
    assert_eq!(cids(&all), expected_cids(1..=u32::try_from(n).unwrap()));
    // One line on stderr; the cursor (the offset of the next item) resumes exactly after the last line written.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{n} items from {n} pages written; resume with --cursor {n}"
        )),
        "{stderr}"
    );
}

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

    // A body that does not match the spec names the path.
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
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .starts_with("error: decode error at `data.word_list`:"),
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
fn all_pages_stops_when_a_cursor_comes_back() {
    // Issue 11 row 9: the cursor alternates 0 ↔ 1 and has_more never clears; only an immediate repeat was caught,
    // so `--all-pages` looped forever.
    let (mock, home) = (Mock::start(config()), TempDir::new("cycle"));
    let page = |cid: &str, next: i64| Scenario::Raw {
        status: 200,
        content_type: "application/json".to_owned(),
        body: format!(
            r#"{{"status_code":0,"comments":[{{"cid":"{cid}"}}],"cursor":{next},"has_more":1}}"#
        )
        .into_bytes(),
    };
    mock.server.set_scenario(
        "web",
        "comment_list",
        Scenario::Cycle(vec![page("a", 1), page("b", 0)]),
    );
    let r = common::run_within(
        call(
            &mock,
            &home,
            &["web", "comment-list", "--aweme-id", "1", "--all-pages"],
        ),
        std::time::Duration::from_secs(30),
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    // First page (no cursor) → 1 → 0 → 1 again: three pages written, then the typed stalled-cursor error.
    assert_eq!(cids(&r.stdout), ["a", "b", "a"]);
    assert_eq!(mock.server.attempts("comment_list"), 3);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "pagination cursor 1 came back (already fetched in this walk) after 3 items from 3 pages"
        ),
        "{}",
        r.stderr
    );
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
