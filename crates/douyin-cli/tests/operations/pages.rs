//! `--all-pages` across pages: JSON Lines, `--max-pages` and resuming with the cursor, a failing page, Ctrl-C, a
//! cursor that comes back.

use super::*;

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

/// A body the mock sends as is.
fn raw(body: &str) -> Scenario {
    Scenario::Raw {
        status: 200,
        content_type: "application/json".to_owned(),
        body: body.as_bytes().to_vec(),
    }
}

/// Whether JSON text has whitespace outside its strings (compact JSON has none).
fn has_whitespace_between_tokens(json: &str) -> bool {
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, _, '"') => in_string = !in_string,
            (false, _, c) if c.is_ascii_whitespace() => return true,
            _ => {}
        }
    }
    false
}

#[test]
fn all_pages_over_a_pretty_printed_capture_writes_one_compact_value_per_line() {
    // Raw-kept values (lossless decoding) hold the server's text, newlines and indentation included.
    let capture = std::fs::read_to_string(common::captures().join("web-aweme-post.json")).unwrap();
    assert!(
        capture.contains("\n  \"has_more\": 1,"),
        "a pretty-printed capture"
    );
    // The same page again as the last one: `has_more` 0 ends the walk after two pages.
    let last = capture.replacen("\n  \"has_more\": 1,", "\n  \"has_more\": 0,", 1);
    let expected: Vec<Value> = [&capture, &last]
        .iter()
        .flat_map(|body| json(body)["aweme_list"].as_array().unwrap().clone())
        .collect();
    let (mock, home) = (Mock::start(config()), TempDir::new("pretty-pages"));
    mock.server.set_scenario(
        "web",
        "aweme_post",
        Scenario::Cycle(vec![raw(&capture), raw(&last)]),
    );
    let r = run(call(
        &mock,
        &home,
        &[
            "web",
            "aweme-post",
            "--sec-user-id",
            "MS4wLjABAAAA-x",
            "--all-pages",
        ],
    ));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(mock.server.requests_to("aweme_post").len(), 2);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "one line per item");
    for (i, (line, want)) in lines.iter().zip(&expected).enumerate() {
        let got: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {i} is not one JSON value ({e}): {line:.200}"));
        assert_eq!(without_nulls(&got), without_nulls(want), "item {i}");
        assert!(
            !has_whitespace_between_tokens(line),
            "line {i} is not compact: {line:.200}"
        );
    }
}
