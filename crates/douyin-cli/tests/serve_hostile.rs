//! `douyin serve` in front of the runtime's hostile test server (`douyin-core/tests/support/hostile.rs`, raw TCP):
//! an upstream that echoes the whole request it received (request line with the signed query, every header: the
//! cookie, the token, the key) back in an error, in a status page or inside a successful answer, and one that
//! redirects to another origin. No answer of the server, over HTTP or as an MCP result, carries a credential, and
//! the other origin never sees one.

mod common;

#[path = "../../douyin-core/tests/support/hostile.rs"]
#[allow(dead_code)]
mod hostile;

use common::served::{douyin_at, listening, runtime, SECRETS};
use common::TempDir;
use hostile::{Hostile, Received, Reply};
use serde_json::{json, Value};

/// One operation of every domain, as `GET` paths.
const CALLS: [&str; 3] = [
    "/v1/onebound/item-get-video?item_id=7118694749548072205",
    "/v1/open-platform/list-comment?open_id=ba253642&item_id=x&count=5",
    "/v1/web/aweme-detail?aweme_id=7331282358999584037",
];

/// The request as the upstream received it, everything in one string.
fn everything(r: &Received) -> String {
    format!("{}\n{}", r.head, String::from_utf8_lossy(&r.body))
}

/// Answers of `douyin serve` in front of `upstream` for every call in [`CALLS`], checked free of credentials;
/// the requests the upstream received, checked to carry them (so the echo is real).
fn probe(upstream: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Vec<(u16, String)> {
    let rt = runtime();
    let server = rt.block_on(Hostile::start(upstream));
    let home = TempDir::new("serve-hostile");
    let base = server.base_url();
    let (mut child, serve) = listening(douyin_at(|d| format!("{base}/{d}"), &home), &[]);
    let answers: Vec<(u16, String)> = rt.block_on(async {
        let mut out = Vec::new();
        for call in CALLS {
            let r = reqwest::get(format!("{serve}{call}")).await.unwrap();
            let status = r.status().as_u16();
            let headers = format!("{:?}", r.headers());
            out.push((status, format!("{headers}\n{}", r.text().await.unwrap())));
        }
        out
    });
    let _ = child.kill();
    let _ = child.wait();
    let received: String = server.received().iter().map(everything).collect();
    for secret in [
        "KEY-4f1c9e2b7a",
        "act.TOKEN-61d2a8f0e3",
        "COOKIE-a71f3c9d20",
    ] {
        assert!(
            received.contains(secret),
            "the upstream never saw {secret}: {received}"
        );
    }
    for (call, (status, answer)) in CALLS.iter().zip(&answers) {
        for secret in SECRETS {
            assert!(
                !answer.contains(secret),
                "{call} ({status}): a credential in {answer}"
            );
        }
    }
    answers
}

#[test]
fn an_upstream_echoing_the_request_in_an_error_gets_no_credential_out() {
    let answers = probe(|r| {
        let body = json!({ "error_code": "4016", "reason": everything(r), "status_code": 8, "status_msg": everything(r) });
        Reply::json(200, &body.to_string())
    });
    // Onebound and web read these as errors; the Open Platform's errors sit elsewhere, so it is served as data.
    // Either way the echo arrives masked.
    assert!(answers[0].0 >= 400 && answers[2].0 >= 400, "{answers:?}");
    assert!(
        answers.iter().all(|(_, a)| a.contains("***")),
        "{answers:?}"
    );
}

#[test]
fn an_upstream_echoing_the_request_in_a_status_page_gets_no_credential_out() {
    let answers = probe(|r| Reply::Fixed {
        status: 503,
        headers: vec![("content-type".into(), "text/html".into())],
        body: format!("<html>{}</html>", everything(r)).into_bytes(),
    });
    assert!(
        answers.iter().all(|(status, _)| *status == 502),
        "{answers:?}"
    );
}

#[test]
fn an_upstream_echoing_the_request_inside_a_success_gets_no_credential_out() {
    // Fields the decoded types keep (lossless decoding): the echo would be served as data.
    let answers = probe(|r| {
        let echo = everything(r);
        let body = json!({
            "status_code": 0, "error_code": "0000", "reason": "ok",
            "item": { "title": echo, "desc": echo },
            "data": { "error_code": 0, "description": echo, "comments": [], "list": [] },
            "aweme_detail": { "aweme_id": "7331282358999584037", "desc": echo },
            "extra": { "echo": echo },
        });
        Reply::json(200, &body.to_string())
    });
    for (status, answer) in &answers {
        assert_eq!(*status, 200, "{answer}");
        assert!(
            answer.contains("***"),
            "the echo is served, masked: {answer}"
        );
    }
}

#[test]
fn a_redirect_to_another_origin_takes_no_credential_there() {
    let rt = runtime();
    let elsewhere = rt.block_on(Hostile::start(|r| {
        Reply::json(200, &json!({ "echo": everything(r) }).to_string())
    }));
    let target = elsewhere.base_url();
    let answers = probe(move |_| Reply::Fixed {
        status: 302,
        headers: vec![("location".into(), format!("{target}/landing"))],
        body: Vec::new(),
    });
    let seen: String = elsewhere.received().iter().map(everything).collect();
    for secret in SECRETS {
        assert!(
            !seen.contains(secret),
            "the other origin saw a credential: {seen}"
        );
    }
    for (status, answer) in &answers {
        assert!(*status >= 400, "{status}: {answer}");
        let error: Value = serde_json::from_str(answer.lines().last().unwrap()).unwrap();
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("another origin"),
            "{error}"
        );
    }
}

#[test]
fn a_token_from_the_token_file_echoed_inside_a_success_is_masked() {
    use douyin_open_platform::store::{FileStore, TokenStore, Tokens, UserTokens};
    use douyin_open_platform::Secret;
    // The server's only access token is in its token file, as after `auth exchange`: no value configured says it.
    const FILE_TOKEN: &str = "act.FILE-0c4d7e9a15";
    let rt = runtime();
    let server = rt.block_on(Hostile::start(|r| {
        let echo = everything(r);
        let body = json!({ "data": { "error_code": 0, "description": echo, "list": [] }, "extra": { "echo": echo } });
        Reply::json(200, &body.to_string())
    }));
    let home = TempDir::new("serve-token-file");
    let file = home.path().join("tokens.json");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let day = 86_400_000;
    let user = UserTokens {
        open_id: "ba253642".into(),
        scope: "item.comment".into(),
        access_token: Secret::new(FILE_TOKEN),
        access_obtained_ms: now,
        access_expires_ms: now + day,
        refresh_token: Secret::new("rft.FILE-7e21b4c0d9"),
        refresh_obtained_ms: now,
        refresh_expires_ms: now + 30 * day,
    };
    let tokens = Tokens {
        user: Some(user),
        ..Tokens::default()
    };
    FileStore::new(&file).save(&tokens).unwrap();
    let base = server.base_url();
    let mut cmd = douyin_at(|d| format!("{base}/{d}"), &home);
    cmd.env_remove("DOUYIN_ACCESS_TOKEN")
        .env("DOUYIN_OPEN_PLATFORM_TOKEN_FILE", &file)
        .env("DOUYIN_OPEN_PLATFORM_CLIENT_KEY", "awk-client")
        .env("DOUYIN_OPEN_PLATFORM_CLIENT_SECRET", "CLIENT-SECRET-2d9f");
    let (mut child, serve) = listening(cmd, &[]);
    let (status, answer) = rt.block_on(async {
        let r = reqwest::get(format!("{serve}{}", CALLS[1])).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    });
    let _ = child.kill();
    let _ = child.wait();
    let received: String = server.received().iter().map(everything).collect();
    assert!(
        received.contains(FILE_TOKEN),
        "the upstream never saw the token: {received}"
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer.contains("***"),
        "the echo is served, masked: {answer}"
    );
    assert!(
        !answer.contains(FILE_TOKEN),
        "the token file's token in {answer}"
    );
}
