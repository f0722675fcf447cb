//! End to end over loopback: the mock pushes every specced event, signed as the spec says, to the receiver
//! (`webhook::router`); each arrives typed exactly once although every delivery is retried with its `Msg-Id`, bad
//! signatures and tampered bodies are refused with 401 before the handler runs, a malformed body with a valid
//! signature is kept as unknown, `verify_webhook` is answered with its challenge, and an oversized body gets 413.

use std::sync::{Arc, Mutex};

use douyin_mock::webhook::{Sender, Spoil};
use douyin_open_platform::webhook::{router_with, Delivery, WebhookConfig};
use douyin_open_platform::{Event, Secret, WEBHOOKS};

type Received = Arc<Mutex<Vec<Delivery>>>;

/// A receiver on a free loopback port; the handler records each delivery as it is handed over (synchronously, so
/// once a response has arrived its delivery is already recorded).
async fn receiver(secret: &str, max_body: usize) -> (String, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let config = WebhookConfig::new(Secret::new(secret)).max_body_bytes(max_body);
    let app = router_with(config, move |d: Delivery| {
        log.lock().unwrap().push(d);
        async {}
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn every_event_arrives_typed_once_and_spoiled_deliveries_are_refused() {
    let probe = Sender::new("open-platform", "http://unused/").unwrap();
    let (url, received) = receiver(probe.signing_secret(), 64 * 1024).await;
    let sender = Sender::new("open-platform", url).unwrap();
    let events = sender.events();
    assert!(events.len() >= 8);
    for (n, spec) in events.iter().enumerate() {
        let id = format!("msg-{n}");
        for attempt in 0..2 {
            let sent = sender.send(spec.name, &id, Spoil::None).await.unwrap();
            assert_eq!(
                sent.status, 200,
                "{} attempt {attempt}: {}",
                spec.name, sent.body
            );
            if spec.name == "verify_webhook" {
                assert_eq!(sent.body, r#"{"challenge":12345}"#);
            }
        }
        for spoil in [Spoil::BadSignature, Spoil::TamperedBody] {
            let sent = sender
                .send(spec.name, &format!("{id}-{spoil:?}"), spoil)
                .await
                .unwrap();
            assert_eq!(sent.status, 401, "{} {spoil:?}", spec.name);
            assert!(sent.body.contains(WEBHOOKS.signature_header));
        }
    }
    let got = std::mem::take(&mut *received.lock().unwrap());
    assert_eq!(got.len(), events.len(), "each event once despite its retry");
    for (n, (spec, d)) in events.iter().zip(&got).enumerate() {
        assert_eq!(d.msg_id.as_deref(), Some(format!("msg-{n}").as_str()));
        assert_eq!(d.event.name(), Some(spec.name));
        assert!(
            !matches!(d.event, Event::Unknown(_)),
            "{} not typed",
            spec.name
        );
    }
    assert!(got.iter().any(|d| matches!(d.event, Event::CreateVideo(_))));

    // A correctly signed body that is not JSON reaches the handler as an unknown event, never a 500.
    let sent = sender
        .send("create_video", "malformed-1", Spoil::Malformed)
        .await
        .unwrap();
    assert_eq!(sent.status, 200);
    let got = std::mem::take(&mut *received.lock().unwrap());
    assert_eq!(got.len(), 1);
    assert!(matches!(got[0].event, Event::Unknown(_)));
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_and_no_delivery() {
    let (url, received) = receiver("s", 64).await;
    let body = format!(r#"{{"event":"create_video","pad":"{}"}}"#, "x".repeat(100));
    let signature = WEBHOOKS.scheme.sign("s", body.as_bytes());
    let client = reqwest::Client::new();
    let status = client
        .post(&url)
        .header(WEBHOOKS.signature_header, signature)
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 413);
    assert!(received.lock().unwrap().is_empty());
}
