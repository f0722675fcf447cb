//! The `douyin` tools that need no server: `check-capture` on every real capture in `specs/web/captures/`,
//! `xbogus sign` / `xbogus decode` with the shared test vectors, and the generated command tree's help.

mod common;

use std::path::PathBuf;

use common::{captures, douyin, run, Run, TempDir};
use serde_json::Value;

fn douyin_run(args: &[&str]) -> Run {
    let home = TempDir::new("tools");
    let mut cmd = douyin(home.path(), &[]);
    cmd.args(args);
    run(cmd)
}

fn real(name: &str) -> PathBuf {
    captures().join(name)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The real emoji capture is only the `emoji_list` array: wrap it in the response envelope.
fn wrapped_emoji(dir: &TempDir) -> PathBuf {
    let items: Value = json(&std::fs::read_to_string(real("web-emoji-list-items.json")).unwrap());
    let body = serde_json::json!({ "status_code": 0, "emoji_list": items });
    dir.file("emoji-list.json", serde_json::to_vec(&body).unwrap())
}

#[test]
fn every_real_capture_decodes_losslessly() {
    let dir = TempDir::new("captures");
    let mut names: Vec<String> = std::fs::read_dir(captures())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "web-aweme-post.json",
            "web-emoji-list-items.json",
            "web-module-feed.json"
        ],
        "a new capture: add it here with the operation it answers"
    );
    for name in &names {
        let (op, file) = match name.as_str() {
            "web-aweme-post.json" => ("aweme-post", real(name)),
            // /aweme/v2/web/module/feed/ is a sibling of tab/feed with the same awemes.
            "web-module-feed.json" => ("tab-feed", real(name)),
            "web-emoji-list-items.json" => ("emoji-list", wrapped_emoji(&dir)),
            other => panic!("no operation known for {other}"),
        };
        let file = file.to_str().unwrap().to_owned();
        let r = douyin_run(&["check-capture", "web", op, &file]);
        assert_eq!(r.code, Some(0), "{name}: {r:?}");
        assert!(r.stdout.contains("decode: ok\n"), "{name}: {}", r.stdout);
        assert!(
            r.stdout
                .contains("round trip: same JSON (null and absent treated as equal)\n"),
            "{name}: {}",
            r.stdout
        );
        assert!(
            r.stdout.ends_with("result: decodes losslessly\n"),
            "{name}: {}",
            r.stdout
        );
        let r = douyin_run(&["check-capture", "web", op, &file, "--json"]);
        assert_eq!(r.code, Some(0), "{name}: {r:?}");
        let report = json(&r.stdout);
        assert_eq!(report["lossless"], true, "{name}");
        assert_eq!(report["decode"]["ok"], true, "{name}");
        assert_eq!(report["roundtrip"]["same"], true, "{name}");
        assert_eq!(report["operation"], op.replace('-', "_"));
    }
}

#[test]
fn undocumented_fields_are_listed_with_path_type_count_and_example() {
    let file = real("web-aweme-post.json");
    let r = douyin_run(&[
        "check-capture",
        "web",
        "aweme-post",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let report = json(&r.stdout);
    let undocumented = report["undocumented"].as_array().unwrap();
    let find = |path: &str| {
        undocumented
            .iter()
            .find(|u| u["path"] == path)
            .unwrap_or_else(|| panic!("{path} not listed: {undocumented:#?}"))
    };
    // Present in each of the 18 awemes, as an integer; the example is the first occurrence's value.
    let original = find(".aweme_list[].original");
    assert_eq!(original["count"], 18);
    assert_eq!(original["types"], serde_json::json!(["integer"]));
    assert_eq!(original["first_path"], ".aweme_list[0].original");
    let raw: Value = json(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(
        original["example"],
        raw["aweme_list"][0]["original"].to_string()
    );
    let risk = find(".aweme_list[].risk_infos");
    assert_eq!(risk["types"], serde_json::json!(["object"]));
    // The text report lists the same field.
    let r = douyin_run(&["check-capture", "web", "aweme_post", file.to_str().unwrap()]);
    assert!(
        r.stdout.contains(&format!(
            "  .aweme_list[].original  integer  ×18  e.g. {}\n",
            raw["aweme_list"][0]["original"]
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn decode_errors_exit_1_with_their_json_path() {
    let dir = TempDir::new("bad-captures");
    // The bare emoji array is not a response body.
    let bare = real("web-emoji-list-items.json");
    let r = douyin_run(&["check-capture", "web", "emoji-list", bare.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout
            .contains("decode: FAILED at `.`: invalid type: array, expected object"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.ends_with("result: does not decode\n"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    // A documented field with the wrong type, deep in a real capture.
    let mut body: Value = json(&std::fs::read_to_string(real("web-aweme-post.json")).unwrap());
    body["aweme_list"][3]["statistics"]["digg_count"] = Value::from("many");
    let file = dir.file("tampered.json", serde_json::to_vec(&body).unwrap());
    // By default it is drift: kept, listed by path, and the capture still decodes losslessly.
    let r = douyin_run(&[
        "check-capture",
        "web",
        "aweme-post",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let report = json(&r.stdout);
    assert_eq!(report["lossless"], true);
    assert_eq!(
        report["drift"],
        serde_json::json!([{
            "path": ".aweme_list[].statistics.digg_count",
            "expected": "integer",
            "found": "string",
            "count": 1
        }])
    );
    // --strict fails on it with its path.
    let r = douyin_run(&[
        "check-capture",
        "web",
        "aweme-post",
        file.to_str().unwrap(),
        "--json",
        "--strict",
    ]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let report = json(&r.stdout);
    assert_eq!(report["lossless"], false);
    assert_eq!(report["decode"]["kind"], "decode");
    assert_eq!(
        report["decode"]["path"],
        "aweme_list[3].statistics.digg_count"
    );
    // An error envelope decodes as the API error, not as the response type.
    let r = douyin_run(&[
        "check-capture",
        "web",
        "comment-list",
        dir.file("err.json", r#"{"status_code":8,"status_msg":"no"}"#)
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout.contains("decode: FAILED (api_error)"),
        "{}",
        r.stdout
    );
    // Unknown operations are usage errors listing the known ones.
    let r = douyin_run(&["check-capture", "web", "nope", bare.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains(
            "operations: aweme-detail, aweme-favorite, aweme-listcollection, aweme-post,"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn check_capture_reads_stdin() {
    use std::io::Write;
    use std::process::Stdio;
    let home = TempDir::new("stdin");
    let mut cmd = douyin(home.path(), &[]);
    cmd.args(["check-capture", "onebound", "item_get_video", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let body =
        std::fs::read(common::workspace().join("specs/onebound/examples/item_get_video.ok.json"))
            .unwrap();
    child.stdin.take().unwrap().write_all(&body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = json(std::str::from_utf8(&out.stdout).unwrap());
    assert_eq!(report["lossless"], true);
    assert_eq!(report["bytes"], body.len());
    assert_eq!(report["spec"], "specs/onebound/item_get_video.yaml");
}

fn vectors() -> (PathBuf, Vec<Value>) {
    let path = common::vectors().join("xbogus.json");
    let cases = json(&std::fs::read_to_string(&path).unwrap())
        .as_array()
        .unwrap()
        .clone();
    (path, cases)
}

#[test]
fn xbogus_vectors_all_pass() {
    let (_, cases) = vectors();
    // The path relative to the workspace, as a developer types it.
    let home = TempDir::new("vectors");
    let mut cmd = douyin(home.path(), &[]);
    cmd.current_dir(common::workspace()).args([
        "xbogus",
        "sign",
        "--vectors",
        "vectors/xbogus.json",
    ]);
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), cases.len() + 1);
    for (line, case) in lines.iter().zip(&cases) {
        assert!(line.starts_with("pass  #"), "{line}");
        assert!(line.contains(case["x_bogus"].as_str().unwrap()), "{line}");
    }
    assert_eq!(
        lines.last().unwrap(),
        &format!("{} passed, 0 failed", cases.len())
    );
}

#[test]
fn a_wrong_vector_fails_with_status_1() {
    let (_, mut cases) = vectors();
    let dir = TempDir::new("bad-vectors");
    cases[1]["timestamp"] = Value::from(cases[1]["timestamp"].as_u64().unwrap() + 1);
    let file = dir.file("v.json", serde_json::to_vec(&cases).unwrap());
    let r = douyin_run(&["xbogus", "sign", "--vectors", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[1].starts_with(&format!(
            "FAIL  #2 expected {} got ",
            cases[1]["x_bogus"].as_str().unwrap()
        )),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines.last().unwrap(),
        &format!("{} passed, 1 failed", cases.len() - 1)
    );
}

#[test]
fn xbogus_sign_and_decode_agree_with_a_vector() {
    let (_, cases) = vectors();
    let case = &cases[0];
    let s = |k: &str| case[k].as_str().unwrap().to_owned();
    let args: Vec<String> = case["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    let (ts, canvas) = (case["timestamp"].to_string(), case["canvas"].to_string());
    let r = douyin_run(&[
        "xbogus",
        "sign",
        "--query",
        &s("query"),
        "--body",
        &s("body"),
        "--user-agent",
        &s("user_agent"),
        "--timestamp",
        &ts,
        "--args",
        &args.join(","),
        "--canvas",
        &canvas,
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, format!("{}\n", s("x_bogus")));

    let r = douyin_run(&[
        "xbogus",
        "decode",
        &s("x_bogus"),
        "--query",
        &s("query"),
        "--body",
        &s("body"),
        "--user-agent",
        &s("user_agent"),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    // 1711711568 is 2024-03-29 11:26:08 UTC.
    assert!(
        r.stdout
            .contains(&format!("timestamp     {ts} (2024-03-29 11:26:08 UTC)\n")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("args          {}\n", args.join(","))),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("canvas        {canvas}\n")),
        "{}",
        r.stdout
    );
    for part in [
        "query         matches",
        "body          matches",
        "user_agent    matches",
    ] {
        assert!(r.stdout.contains(part), "{}", r.stdout);
    }

    // Another query does not match; the exit status says so.
    let r = douyin_run(&[
        "xbogus",
        "decode",
        &s("x_bogus"),
        "--query",
        "aid=1",
        "--json",
    ]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v = json(&r.stdout);
    assert_eq!(v["matches"], serde_json::json!({ "query": false }));
    assert_eq!(v["timestamp"], case["timestamp"]);
    assert_eq!(v["canvas"], case["canvas"]);

    let r = douyin_run(&["xbogus", "decode", "DFSz"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(
        r.stderr,
        "error: not a valid X-Bogus value: wrong length: expected 28 characters, got 4 bytes\n"
    );
}

/// Every operation of every spec has a generated command whose help carries the spec's docs.
#[test]
fn every_operation_has_a_command_with_the_specs_docs() {
    let domains = [
        (
            "onebound",
            douyin_onebound::OPERATIONS
                .iter()
                .map(|o| (o.name, o.spec))
                .collect::<Vec<_>>(),
        ),
        (
            "open-platform",
            douyin_open_platform::OPERATIONS
                .iter()
                .map(|o| (o.name, o.spec))
                .collect(),
        ),
        (
            "web",
            douyin_web::OPERATIONS
                .iter()
                .map(|o| (o.name, o.spec))
                .collect(),
        ),
    ];
    let mut count = 0;
    for (domain, ops) in &domains {
        for (name, spec) in ops {
            let cmd = name.replace('_', "-");
            let r = douyin_run(&[domain, &cmd, "--help"]);
            assert_eq!(r.code, Some(0), "{domain} {cmd}: {r:?}");
            let yaml = std::fs::read_to_string(common::workspace().join(spec)).unwrap();
            let summary = yaml
                .lines()
                .find_map(|l| l.strip_prefix("summary: "))
                .unwrap()
                .trim_matches('"');
            assert!(
                r.stdout.starts_with(summary),
                "{domain} {cmd}: {}",
                r.stdout
            );
            assert!(
                r.stdout.contains(&format!("Spec: {spec};")),
                "{domain} {cmd}"
            );
            count += 1;
        }
    }
    assert_eq!(
        count, 42,
        "35 data operations, 4 OAuth token endpoints and 3 web session bootstrap calls"
    );
    let r = douyin_run(&["web", "comment-list", "--help"]);
    for text in [
        "作品评论信息",
        "--aweme-id <ID|LINK>",
        "[ID|LINK]",
        "A link to the video or image post or share text holding one is also taken",
        "作品id",
        "--all-pages",
        "Example:\n  douyin web comment-list --aweme-id 7184732601662344482",
    ] {
        assert!(r.stdout.contains(text), "{text}: {}", r.stdout);
    }
    // Domain help lists where credentials come from.
    let r = douyin_run(&["onebound", "--help"]);
    assert!(
        r.stdout
            .contains("DOUYIN_ONEBOUND_KEY or DOUYIN_KEY, or `key` in [onebound]"),
        "{}",
        r.stdout
    );
}

#[test]
fn check_capture_reads_at_most_max_body_bytes() {
    // Issue 11: `check-capture /dev/zero` read without a cap. Now it stops at the limit and decodes nothing.
    let r = common::run_within(
        {
            let home = TempDir::new("dev-zero");
            let mut cmd = douyin(home.path(), &[]);
            cmd.args([
                "check-capture",
                "web",
                "comment-list",
                "/dev/zero",
                "--max-body-bytes",
                "4096",
            ]);
            cmd
        },
        std::time::Duration::from_secs(30),
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(
        r.stderr,
        "error: /dev/zero is larger than 4096 bytes (--max-body-bytes); nothing was decoded\n"
    );
    assert!(r.stdout.is_empty());
    // At the limit the capture is read and checked as usual; one byte less and it is refused.
    let file = common::workspace().join("specs/onebound/examples/item_get_video.ok.json");
    let size = std::fs::metadata(&file).unwrap().len();
    for (limit, code) in [(size, 0), (size - 1, 1)] {
        let limit = limit.to_string();
        let r = douyin_run(&[
            "check-capture",
            "onebound",
            "item_get_video",
            file.to_str().unwrap(),
            "--max-body-bytes",
            &limit,
        ]);
        assert_eq!(r.code, Some(code), "{limit}: {r:?}");
        if code == 1 {
            let want = format!("is larger than {limit} bytes (--max-body-bytes)");
            assert!(r.stderr.contains(&want), "{}", r.stderr);
        }
    }
    // The default is the library's body limit.
    let r = douyin_run(&["check-capture", "--help"]);
    assert!(r.stdout.contains("[default: 67108864"), "{}", r.stdout);
}
