//! The live chat against the mock's push channel over a loopback websocket: every typed kind and the unknown one,
//! the heartbeat and acknowledgements the mock requires, the scripted drop resumed without losing or repeating a
//! message, unreadable frames skipped, host rotation, the stream's end, and stopping.

use std::collections::BTreeSet;
use std::time::Duration;

use douyin_live::chat::{run, ChatEnding, ChatEvent, ChatOptions, ChatSummary, Payload};
use douyin_mock::live_chat::PushRecord;
use douyin_mock::MockServer;
use douyin_web::webcast::{Typed, PUSH};

const ROOM: &str = "7318296342189919011";

fn options(server: &MockServer) -> ChatOptions {
    let mut o = ChatOptions::new(ROOM, "Mozilla/5.0 (X11; Linux x86_64)");
    o.hosts = vec![format!("ws://{}/web", server.addr())];
    o.backoff = Duration::from_millis(10);
    o.max_failures = 5;
    o
}

async fn chat(o: &ChatOptions) -> (ChatSummary, Vec<ChatEvent>) {
    let mut events = Vec::new();
    let summary = run(o, Box::pin(std::future::pending()), &mut |e| events.push(e))
        .await
        .expect("the chat ends with the stream");
    (summary, events)
}

/// The script's message ids, in order, without repeats (the mock's fixture, read the way the mock reads it).
fn scripted_ids() -> Vec<i64> {
    let script: serde_json::Value =
        serde_json::from_str(include_str!("../../../specs/web/push/mock_room.json")).unwrap();
    script["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["messages"].as_array().cloned().unwrap_or_default())
        .map(|m| m["msg_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn every_kind_arrives_once_across_the_drop_and_the_stream_end_stops_it() {
    let server = MockServer::start().await;
    let (summary, events) = chat(&options(&server)).await;
    let messages: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    let ids: Vec<i64> = messages.iter().map(|m| m.msg_id).collect();
    assert_eq!(
        ids,
        scripted_ids(),
        "each message once, in order, none lost"
    );
    let kinds: BTreeSet<&str> = messages.iter().map(|m| m.kind()).collect();
    let mut expected: BTreeSet<&str> = PUSH.methods.iter().map(|(_, k)| *k).collect();
    expected.insert("unknown");
    assert_eq!(kinds, expected);
    let chat = messages
        .iter()
        .find_map(|m| match &m.payload {
            Payload::Typed(t) => match &**t {
                Typed::Chat(c) => Some(c.clone()),
                _ => None,
            },
            _ => None,
        })
        .unwrap();
    assert_eq!(chat.content, "晚上好主播");
    assert_eq!(chat.user.as_ref().unwrap().nick_name, "小鹿");
    let unknown = messages.iter().find(|m| m.kind() == "unknown").unwrap();
    assert_eq!(unknown.method, "WebcastInRoomBannerMessage");
    assert_eq!(unknown.raw, b"\x0a\x05hello\x10\x01");
    assert_eq!(summary.ending, ChatEnding::StreamEnded);
    assert_eq!(summary.unknown.get("WebcastInRoomBannerMessage"), Some(&1));
    assert_eq!(summary.reconnects, 1);
    assert_eq!(
        summary.repeats, 3,
        "the frame repeated after the reconnect is not reported again"
    );
    assert_eq!(summary.bad_frames, 2);
    let errors: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Error(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    assert!(errors[0].contains("malformed push frame"), "{errors:?}");
    assert!(errors[1].contains("gzip"), "{errors:?}");

    let log = server.push_log();
    let connects: Vec<_> = log
        .iter()
        .filter_map(|r| match r {
            PushRecord::Connected {
                room_id,
                internal_ext,
            } => Some((room_id.clone(), internal_ext.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        connects,
        vec![
            (ROOM.to_owned(), String::new()),
            (ROOM.to_owned(), "internal_src:mock|seq:2".to_owned())
        ],
        "the reconnect resumes from the last internal_ext"
    );
    assert!(log.contains(&PushRecord::Dropped));
    assert!(
        log.iter().filter(|r| **r == PushRecord::Heartbeat).count() >= 2,
        "a heartbeat opens each connection"
    );
    let acks: Vec<_> = log
        .iter()
        .filter_map(|r| match r {
            PushRecord::Ack { expected, .. } => Some(*expected),
            _ => None,
        })
        .collect();
    // The four message steps before the last, and the one repeated after the drop, are acknowledged before the
    // next is sent; the last one's ack may still be in flight when the client hangs up after the stream's end.
    assert!(acks.len() >= 5 && acks.iter().all(|ok| *ok), "{acks:?}");
}

#[tokio::test]
async fn a_dead_host_is_skipped_for_the_next() {
    let server = MockServer::start().await;
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    let mut o = options(&server);
    o.hosts.insert(0, format!("ws://{dead_addr}/web"));
    let (summary, events) = chat(&o).await;
    assert_eq!(summary.ending, ChatEnding::StreamEnded);
    assert!(
        matches!(&events[0], ChatEvent::Dropped { error, .. } if error.contains(&dead_addr.to_string()))
    );
    assert!(events.iter().any(|e| matches!(e, ChatEvent::Connected { host, .. } if host.contains(&server.addr().to_string()))));
}

#[tokio::test]
async fn stopping_ends_the_chat() {
    let server = MockServer::start().await;
    let o = options(&server);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stop = Box::pin(async {
        let _ = rx.await;
    });
    let mut tx = Some(tx);
    let summary = run(&o, stop, &mut |e| {
        if matches!(e, ChatEvent::Message(_)) {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(summary.ending, ChatEnding::Stopped);
    assert!(summary.messages < scripted_ids().len() as u64);
}

#[tokio::test]
async fn nothing_to_connect_to_gives_up_with_the_last_error() {
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = dead.local_addr().unwrap();
    drop(dead);
    let mut o = ChatOptions::new(ROOM, "Mozilla/5.0");
    o.hosts = vec![format!("ws://{addr}")];
    o.backoff = Duration::from_millis(1);
    o.max_failures = 2;
    let err = run(&o, Box::pin(std::future::pending()), &mut |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("gave up after 2"), "{err}");
}
