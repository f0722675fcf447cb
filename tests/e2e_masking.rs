//! End to end, over loopback HTTP against the spec-driven mock: a service that echoes the request's credentials in
//! its error messages, sub-messages, codes, log ids and status pages. Every domain's generated client must mask each
//! credential it sent — however short, raw or percent-/form-encoded, and a cookie's session id on its own — in the
//! error's `Display` and `Debug`.

use std::time::Duration;

use douyin_mock::{MockConfig, MockServer, Scenario};

/// Fails unless the error's `Display` and `Debug` are free of every leak and show the mask.
#[track_caller]
fn assert_masked<E: std::fmt::Display + std::fmt::Debug>(err: &E, leaks: &[&str]) {
    let shown = format!("{err}\n{err:?}");
    for leak in leaks {
        assert!(!shown.contains(leak), "{leak:?} leaks: {shown}");
    }
    assert!(shown.contains("***"), "nothing masked: {shown}");
}

fn echo(status: u16, content_type: &str, body: String) -> Scenario {
    Scenario::Raw {
        status,
        content_type: content_type.to_owned(),
        body: body.into_bytes(),
    }
}

/// Percent-encodes every byte outside RFC 3986's unreserved set, in lower case, as some servers re-encode.
fn lower_percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02x}"),
        })
        .collect()
}

#[tokio::test]
async fn onebound_masks_a_short_key_and_an_encoded_secret_echoed_back() {
    const KEY: &str = "k7";
    const SECRET: &str = "s3cr+t/Onebound=";
    let server = MockServer::start_with(
        MockConfig::default()
            .credential("key", KEY)
            .credential("secret", SECRET),
    )
    .await;
    let body = format!(
        r#"{{"error_code":"4016","reason":"bad key {KEY}","error":"secret={}","request_id":"{KEY}-{}"}}"#,
        lower_percent(SECRET),
        SECRET.replace('/', "\\/"),
    );
    server.set_scenario(
        "onebound",
        "item_get_video",
        echo(200, "application/json", body),
    );
    let client: douyin_onebound::Client = douyin_onebound::Client::builder()
        .base_url(server.base_url("onebound"))
        .credentials(douyin_onebound::credentials(KEY, SECRET))
        .retry(douyin_onebound::RetryPolicy::none())
        .build()
        .unwrap()
        .into();
    let err = client
        .item_get_video(&douyin_onebound::ItemGetVideoParams::new(
            "7118694749548072205",
        ))
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.message.as_deref(), Some("bad key ***"));
    assert_eq!(api.log_id.as_deref(), Some("***-***"));
    assert_masked(&err, &[KEY, "Onebound"]);
}

#[tokio::test]
async fn open_platform_masks_the_token_echoed_in_messages_and_in_a_status_page() {
    const TOKEN: &str = "act.Open+Platform/Token";
    let server =
        MockServer::start_with(MockConfig::default().credential("access_token", TOKEN)).await;
    let client: douyin_open_platform::Client = douyin_open_platform::Client::builder()
        .base_url(server.base_url("open-platform"))
        .credentials(douyin_open_platform::credentials(
            douyin_open_platform::FixedToken(TOKEN.into()),
        ))
        .retry(douyin_open_platform::RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .into();
    let params = douyin_open_platform::ListCommentParams::new("open-id", "item");

    let body = format!(
        r#"{{"err_no":2100005,"err_msg":"token {TOKEN} invalid","log_id":"L1","data":{{"extra":{{"sub_description":"access-token: {}"}}}}}}"#,
        lower_percent(TOKEN)
    );
    server.set_scenario(
        "open-platform",
        "list_comment",
        echo(200, "application/json", body),
    );
    let err = client.list_comment(&params).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.message.as_deref(), Some("token *** invalid"));
    assert_eq!(api.sub_message.as_deref(), Some("access-token: ***"));
    assert_masked(&err, &["Platform"]);

    let page = format!(
        "<html>upstream failed for access_token={}</html>",
        lower_percent(TOKEN)
    );
    server.set_scenario(
        "open-platform",
        "list_comment",
        echo(502, "text/html", page),
    );
    let err = client.list_comment(&params).await.unwrap_err();
    assert!(
        matches!(err, douyin_open_platform::Error::Status { status: 502, .. }),
        "{err:?}"
    );
    assert_masked(&err, &["Platform"]);
}

#[tokio::test]
async fn web_masks_the_cookie_its_session_id_and_the_ms_token_echoed_back() {
    const SESSION_ID: &str = "5e551011d0123456789abcdef";
    const COOKIE: &str = "sessionid=5e551011d0123456789abcdef; passport_csrf_token=0f0f0f0f0f0f";
    const MS_TOKEN: &str = "ms+Tq9zX/Wv==";
    let session = douyin_web::WebSession::with_default_user_agent(COOKIE);
    let server = MockServer::start_with(
        MockConfig::default()
            .credential("cookie", COOKIE)
            .credential("ms_token", MS_TOKEN)
            .require_signature(false),
    )
    .await;
    let body = format!(
        r#"{{"status_code":8,"status_msg":"session {SESSION_ID} expired (msToken={})","extra":{{"logid":"{}"}}}}"#,
        lower_percent(MS_TOKEN),
        COOKIE.replace(' ', "+"),
    );
    server.set_scenario("web", "aweme_post", echo(200, "application/json", body));
    let client: douyin_web::Client = douyin_web::builder(
        session.ms_token(MS_TOKEN),
        douyin_web::XBogusSigner::default(),
    )
    .base_url(server.base_url("web"))
    .retry(douyin_web::RetryPolicy::none())
    .build()
    .unwrap()
    .into();
    let err = client
        .aweme_post(&douyin_web::AwemePostParams::new("MS4wLjABAAAA"))
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(
        api.message.as_deref(),
        Some("session *** expired (msToken=***)")
    );
    assert_eq!(api.log_id.as_deref(), Some("***"));
    assert_masked(&err, &[SESSION_ID, "Tq9zX", "0f0f0f0f0f0f"]);
}
