//! `douyin live chat` against the mock's live room and push channel over loopback: one compact JSON line per
//! message, every typed kind and the unknown one, no message lost or repeated across the scripted drop, the
//! stream's end; `--types` filters, and an unknown type is refused.

mod common;

use std::collections::BTreeSet;

use common::mock::Mock;
use common::{douyin, run, TempDir};
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
fn record_with_chat_writes_the_chat_on_the_recordings_timeline() {
    let (mock, home, out) = (
        Mock::start(),
        TempDir::new("live-rec-chat"),
        TempDir::new("live-rec-chat-out"),
    );
    let dir = out.path().to_str().unwrap();
    let r = live(
        &mock,
        &home,
        &["record", "285520721194", "--chat", "--dir", dir],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    // The recording's length: the last tag time of each (FLV) part, added up.
    let recorded_ms: u64 = r
        .stdout
        .lines()
        .map(|part| {
            let bytes = std::fs::read(part).unwrap();
            u64::from(douyin_live::flv::check_file(&bytes).unwrap().1)
        })
        .sum();
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
    let ass = std::fs::read_to_string(out.path().join("285520721194.chat.ass")).unwrap();
    assert!(ass.starts_with("[Script Info]"), "{ass}");
    let chat = events.iter().find(|e| e["type"] == "chat").unwrap();
    let at = chat["offset_ms"].as_u64().unwrap();
    let start = format!(
        "{}:{:02}:{:02}.{:02}",
        at / 3_600_000,
        at / 60_000 % 60,
        at / 1000 % 60,
        at % 1000 / 10
    );
    assert!(
        ass.contains(&format!("Dialogue: 0,{start},")) && ass.contains("小鹿: 晚上好主播"),
        "the comment is shown at its offset ({start}): {ass}"
    );
    assert!(r.stderr.contains("chat: 13 message(s)"), "{r:?}");
}
