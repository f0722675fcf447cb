//! Webhook verification and decoding without a network: the signature against `vectors/webhook_signature.json`
//! (digests of the documented algorithm computed by coreutils' sha1sum, not by our signer), every documented event
//! example decoding to its typed variant, and bodies no spec describes kept as unknown.

use std::path::PathBuf;

use douyin_open_platform::webhook::{sign, verify_and_parse, WebhookError};
use douyin_open_platform::{Event, Secret, EVENTS, WEBHOOKS};
use serde_json::Value;

fn headers(signature: Option<&str>, msg_id: Option<&str>) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    if let Some(s) = signature {
        h.insert(WEBHOOKS.signature_header, s.parse().unwrap());
    }
    if let Some(id) = msg_id {
        h.insert(WEBHOOKS.id_header, id.parse().unwrap());
    }
    h
}

fn vectors() -> Vec<Value> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vectors/webhook_signature.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn signatures_match_the_reference_computation_of_the_documented_algorithm() {
    let cases = vectors();
    assert!(cases.len() >= 5);
    for case in cases {
        let secret = Secret::new(case["client_secret"].as_str().unwrap());
        let body = case["body"].as_str().unwrap().as_bytes();
        let expected = case["signature"].as_str().unwrap();
        assert_eq!(sign(&secret, body), expected, "{}", case["name"]);
        let delivery = verify_and_parse(&secret, &headers(Some(expected), None), body);
        assert!(delivery.is_ok(), "{}: {delivery:?}", case["name"]);
        // One flipped byte of the body, or another secret, fails.
        let mut tampered = body.to_vec();
        tampered.push(b' ');
        assert_eq!(
            verify_and_parse(&secret, &headers(Some(expected), None), &tampered).unwrap_err(),
            WebhookError::BadSignature
        );
        let other = Secret::new(format!("{}x", secret.expose()));
        assert_eq!(
            verify_and_parse(&other, &headers(Some(expected), None), body).unwrap_err(),
            WebhookError::BadSignature
        );
    }
}

#[test]
fn a_missing_signature_is_refused_and_errors_never_show_the_secret() {
    let secret = Secret::new("very-secret-value");
    let err = verify_and_parse(&secret, &headers(None, None), b"{}").unwrap_err();
    assert_eq!(err, WebhookError::MissingSignature);
    let bad = verify_and_parse(&secret, &headers(Some("00"), None), b"{}").unwrap_err();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        bad.to_string(),
        format!("{bad:?}"),
    ] {
        assert!(!text.contains("very-secret-value"), "{text}");
    }
}

#[test]
fn every_documented_example_decodes_to_its_typed_event() {
    let secret = Secret::new("test-client-secret");
    assert!(EVENTS.len() >= 8);
    for spec in EVENTS {
        let body = spec.example.as_bytes();
        let d = verify_and_parse(
            &secret,
            &headers(Some(&sign(&secret, body)), Some("m1")),
            body,
        )
        .unwrap();
        assert_eq!(d.msg_id.as_deref(), Some("m1"));
        assert_eq!(d.event.name(), Some(spec.name));
        assert!(
            !matches!(d.event, Event::Unknown(_)),
            "{} stayed unknown",
            spec.name
        );
        assert!(
            d.event.drift().is_empty(),
            "{}: {:?}",
            spec.name,
            d.event.drift()
        );
        assert_eq!(d.answer.is_some(), !spec.answer.is_empty(), "{}", spec.name);
    }
}

#[test]
fn content_sent_as_json_text_is_typed_and_the_challenge_is_answered_as_received() {
    let digg = EVENTS.iter().find(|e| e.name == "new_video_digg").unwrap();
    let Event::NewVideoDigg(event) = Event::decode(digg.example.as_bytes()) else {
        panic!("not typed");
    };
    let content = event.content.as_ref().unwrap();
    assert_eq!(content.action_time, Some(1686817996));
    assert_eq!(content.action_type, Some(1));
    let verify = EVENTS.iter().find(|e| e.name == "verify_webhook").unwrap();
    let secret = Secret::new("s");
    let body = verify.example.as_bytes();
    let d = verify_and_parse(&secret, &headers(Some(&sign(&secret, body)), None), body).unwrap();
    assert_eq!(d.answer.as_deref(), Some(r#"{"challenge":12345}"#));
}

#[test]
fn unknown_events_malformed_bodies_and_misfits_are_kept_not_refused() {
    let secret = Secret::new("s");
    for body in [
        &br#"{"event":"brand_new_event","content":{"x":1}}"#[..],
        b"{\"event\":\"create_video\",",
        b"\xff\xfe not even text",
        b"[]",
    ] {
        let d =
            verify_and_parse(&secret, &headers(Some(&sign(&secret, body)), None), body).unwrap();
        let Event::Unknown(raw) = &d.event else {
            panic!("{:?} typed", String::from_utf8_lossy(body));
        };
        assert_eq!(raw.body, body);
        assert_eq!(d.answer, None);
    }
    // A field of the wrong type is kept as drift, the event still typed; unknown fields survive re-encoding.
    let body =
        br#"{"event":"create_video","content":{"item_id":5,"share_id":"s"},"extra_field":[1]}"#;
    let event = Event::decode(body);
    let Event::CreateVideo(video) = &event else {
        panic!("not typed");
    };
    assert_eq!(
        video.content.as_ref().unwrap().share_id.as_deref(),
        Some("s")
    );
    assert_eq!(event.drift().len(), 1);
    let back: Value = serde_json::from_str(&event.to_json()).unwrap();
    assert_eq!(back, serde_json::from_slice::<Value>(body).unwrap());
}
