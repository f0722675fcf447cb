//! `douyin-mock webhook send` against a receiver on loopback (the Open Platform crate's router): every event
//! answered 200 once signed, a retry answered again, a bad signature and a tampered body refused with 401, a
//! malformed body accepted (signed, kept as unknown by the receiver); an unknown event is a usage error.

use std::process::Command;

use douyin_mock::webhook::{domains, Sender};
use douyin_open_platform::webhook::{router, Delivery};
use douyin_open_platform::Secret;

fn receiver(rt: &tokio::runtime::Runtime, secret: &str) -> String {
    let app = router(Secret::new(secret), |_: Delivery| async {});
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn send(url: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_douyin-mock"))
        .args(["webhook", "send", "--to", url])
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn every_event_is_accepted_and_spoiled_ones_refused() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let domain = domains()[0];
    let secret = Sender::new(domain, "http://unused/")
        .unwrap()
        .signing_secret()
        .to_owned();
    let url = receiver(&rt, &secret);
    let (code, out, err) = send(&url, &["--all", "--retry"]);
    assert_eq!(code, Some(0), "{err}");
    let events = Sender::new(domain, &url).unwrap().events().len();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2 * events, "{out}");
    assert!(
        lines
            .iter()
            .all(|l| l.split_whitespace().nth(2) == Some("200")),
        "{out}"
    );
    assert!(out.contains(r#"{"challenge":12345}"#), "{out}");
    for flag in ["--bad-signature", "--tamper"] {
        let (code, out, _) = send(&url, &["--event", "create_video", flag]);
        assert_eq!(code, Some(0));
        assert_eq!(out.split_whitespace().nth(2), Some("401"), "{flag}: {out}");
    }
    let (_, out, _) = send(&url, &["--event", "create_video", "--malformed"]);
    assert_eq!(out.split_whitespace().nth(2), Some("200"), "{out}");
    let (code, _, err) = send(&url, &["--event", "no_such_event"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("create_video"), "{err}");
}
