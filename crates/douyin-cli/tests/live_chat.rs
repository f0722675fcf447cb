//! `douyin live chat` against the mock's live room and push channel over loopback: one compact JSON line per
//! message, every typed kind and the unknown one, no message lost or repeated across the scripted drop, the
//! stream's end; `--types` filters, and an unknown type is refused.

mod common;

use std::collections::BTreeSet;

use common::mock::Mock;
use common::{douyin, run, TempDir};
use douyin_mock::Scenario;
use serde_json::Value;

/// `douyin live <args…>` against the mock's room and push channel.
fn live(mock: &Mock, home: &TempDir, args: &[&str]) -> common::Run {
    let env = [
        ("DOUYIN_COOKIE", "sessionid=test"),
        ("DOUYIN_MS_TOKEN", "test-ms-token"),
    ];
    let mut c = douyin(home.path(), &env);
    let push_host = format!("ws://{}/web", mock.server.addr());
    c.arg("live")
        .args(args)
        .args(["--base-url", &mock.server.base_url("web")])
        .args(["--push-host", &push_host, "--retry-secs", "0.05"]);
    run(c)
}

fn chat(mock: &Mock, home: &TempDir, args: &[&str]) -> common::Run {
    let mut all = vec!["chat", "https://live.douyin.com/285520721194"];
    all.extend_from_slice(args);
    live(mock, home, &all)
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn prints_every_message_once_as_a_json_line_until_the_stream_ends() {
    let (mock, home) = (Mock::start(), TempDir::new("live-chat"));
    let r = chat(&mock, &home, &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let events = lines(&r.stdout);
    let ids: Vec<i64> = events
        .iter()
        .map(|e| e["msg_id"].as_i64().unwrap())
        .collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 13, "{r:?}");
    assert_eq!(unique.len(), ids.len(), "no message printed twice: {ids:?}");
    let types: BTreeSet<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let expected: BTreeSet<&str> = [
        "chat",
        "gift",
        "like",
        "member",
        "social",
        "room_user_seq",
        "room_stats",
        "control",
        "fansclub",
        "emoji_chat",
        "room",
        "room_rank",
        "unknown",
    ]
    .into();
    assert_eq!(types, expected);
    let chat = events.iter().find(|e| e["type"] == "chat").unwrap();
    assert_eq!(chat["method"], "WebcastChatMessage");
    assert_eq!(chat["data"]["content"], "晚上好主播");
    assert_eq!(chat["data"]["user"]["nick_name"], "小鹿");
    let gift = events.iter().find(|e| e["type"] == "gift").unwrap();
    assert_eq!(gift["data"]["gift"]["name"], "小心心");
    assert_eq!(gift["data"]["combo_count"], 3);
    let unknown = events.iter().find(|e| e["type"] == "unknown").unwrap();
    assert_eq!(unknown["method"], "WebcastInRoomBannerMessage");
    assert_eq!(unknown["payload_hex"], "0a0568656c6c6f1001");
    assert_eq!(
        events.last().unwrap()["data"]["status"],
        3,
        "the control message ends it"
    );
    assert!(r.stderr.contains("resumed on"), "{r:?}");
    assert!(r.stderr.contains("skipped a frame"), "{r:?}");
    assert!(r.stderr.contains("3 repeat(s) skipped"), "{r:?}");
    assert!(r.stderr.contains("the stream ended"), "{r:?}");
}

#[test]
fn types_filter_the_lines_and_an_unknown_type_is_refused() {
    let (mock, home) = (Mock::start(), TempDir::new("live-chat-types"));
    let r = chat(&mock, &home, &["--types", "chat,unknown"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let types: Vec<String> = lines(&r.stdout)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["chat", "unknown"]);
    let r = chat(&mock, &home, &["--types", "chat,gifts"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("no type `gifts`"), "{r:?}");
}

#[test]
fn wait_polls_a_room_that_is_not_live_then_joins_it_and_without_wait_it_is_an_error() {
    let (mock, home) = (Mock::start(), TempDir::new("live-chat-wait"));
    let offline = Scenario::Raw {
        status: 200,
        content_type: "application/json".into(),
        body: r#"{"status_code":0,"data":{"data":[{"status":4,"title":"t"}]}}"#.into(),
    };
    mock.server
        .set_scenario("web", "live_room_enter", offline.clone());
    let r = chat(&mock, &home, &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("the room is not live (t): the stream has ended"),
        "{r:?}"
    );
    assert!(r.stdout.is_empty(), "{r:?}");
    // Offline twice, then the documented live answer.
    mock.server.set_scenario(
        "web",
        "live_room_enter",
        Scenario::Cycle(vec![offline.clone(), offline, Scenario::Success]),
    );
    let r = chat(&mock, &home, &["--wait"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let waits: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("looking again in"))
        .collect();
    assert_eq!(waits.len(), 2, "{r:?}");
    assert!(waits[0].ends_with("looking again in 50ms"), "{waits:?}");
    assert!(
        waits[1].ends_with("looking again in 100ms"),
        "backoff doubles: {waits:?}"
    );
    assert_eq!(lines(&r.stdout).len(), 13, "then the whole chat: {r:?}");
}

#[test]
fn record_with_chat_writes_the_chat_on_the_recordings_timeline_and_subtitles_for_each_part() {
    let (mock, home, out) = (
        Mock::start(),
        TempDir::new("live-rec-chat"),
        TempDir::new("live-rec-chat-out"),
    );
    let dir = out.path().to_str().unwrap();
    // The mock's room streams 4 s with a key frame each second: one-second parts rotate three times.
    let r = live(
        &mock,
        &home,
        &[
            "record",
            "285520721194",
            "--chat",
            "--dir",
            dir,
            "--segment-time",
            "1",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    // Each (FLV) part's length is its last tag time; a part starts where the ones before it add up to.
    let parts: Vec<&str> = r.stdout.lines().collect();
    let durations: Vec<u64> = parts
        .iter()
        .map(|part| {
            let bytes = std::fs::read(part).unwrap();
            u64::from(douyin_live::flv::check_file(&bytes).unwrap().1)
        })
        .collect();
    assert!(parts.len() >= 3, "rotated: {r:?}");
    let starts: Vec<u64> = durations
        .iter()
        .scan(0, |sum, d| {
            let start = *sum;
            *sum += d;
            Some(start)
        })
        .collect();
    let recorded_ms: u64 = durations.iter().sum();
    let jsonl = std::fs::read_to_string(out.path().join("285520721194.chat.jsonl")).unwrap();
    let events = lines(&jsonl);
    assert_eq!(events.len(), 13, "{jsonl}");
    let offsets: Vec<u64> = events
        .iter()
        .map(|e| e["offset_ms"].as_u64().unwrap())
        .collect();
    assert!(
        offsets.windows(2).all(|w| w[0] <= w[1]),
        "in order: {offsets:?}"
    );
    assert!(
        offsets.iter().all(|o| *o <= recorded_ms + 1000),
        "every offset lies on the recording ({recorded_ms} ms): {offsets:?}"
    );
    let ass_of = |part: &str| std::path::Path::new(part).with_extension("chat.ass");
    let ass: Vec<String> = parts
        .iter()
        .map(|p| std::fs::read_to_string(ass_of(p)).unwrap())
        .collect();
    assert!(
        ass.iter().all(|a| a.starts_with("[Script Info]")),
        "{ass:?}"
    );
    assert!(!out.path().join("285520721194.chat.ass").exists());
    let mut shown = 0;
    for e in &events {
        let part = e["part"].as_u64().unwrap() as usize;
        let in_part = e["part_offset_ms"].as_u64().unwrap();
        // Before the first part opens a message is at the recording's start.
        if e["offset_ms"] != 0 {
            assert_eq!(
                e["offset_ms"].as_u64().unwrap() - in_part,
                starts[part],
                "{e} in a part starting at {starts:?}"
            );
        }
        let (user, text) = match e["type"].as_str().unwrap() {
            "chat" => (&e["data"]["user"], &e["data"]["content"]),
            "emoji_chat" => (&e["data"]["user"], &e["data"]["default_content"]),
            _ => continue,
        };
        let at = format!(
            "Dialogue: 0,{}:{:02}:{:02}.{:02},",
            in_part / 3_600_000,
            in_part / 60_000 % 60,
            in_part / 1000 % 60,
            in_part % 1000 / 10
        );
        let line = format!(
            "{}: {}",
            user["nick_name"].as_str().unwrap(),
            text.as_str().unwrap()
        );
        assert!(
            ass[part]
                .lines()
                .any(|l| l.starts_with(&at) && l.ends_with(&line)),
            "{line} at {at} in part {part}: {}",
            ass[part]
        );
        shown += 1;
    }
    assert!(shown >= 2, "the comment and the sticker are shown: {jsonl}");
    assert!(
        r.stderr.contains(&format!(
            "chat: 13 message(s) in {}",
            out.path().join("285520721194.chat.jsonl").display()
        )) && r
            .stderr
            .contains(&format!("subtitles in {} .chat.ass file(s)", parts.len())),
        "{r:?}"
    );
}
