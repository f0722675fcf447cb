//! The runtime over real loopback HTTP against a hostile server: body limits, credential masking, redirects,
//! Retry-After and base URL checks. Each test fails on a runtime without the protection it names.

mod support;

use std::sync::Arc;
use std::time::Duration;

use douyin_core::{BuildError, Client, Error, Request, RetryPolicy, DEFAULT_MAX_BODY_BYTES};
use support::domain::{Body, Code, Probe, OP, SIGNED_OP, SIGNER};
use support::hostile::{self, Hostile, Reply};

const MIB: u64 = 1 << 20;

fn client(server: &Hostile) -> douyin_core::ClientBuilder<Probe> {
    Client::<Probe>::builder()
        .base_url(server.base_url())
        .timeout(Duration::from_secs(30))
        .retry(RetryPolicy::none())
}

async fn send(client: &Client<Probe>) -> Result<Body, Error<Code>> {
    client.send::<Body>(Request::new(&OP)).await
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_default_limit_counted_after_decompression() {
    let bomb = Arc::new(hostile::gzip_bomb(96));
    assert!(bomb.len() < MIB as usize / 8, "{}", bomb.len());
    let server = Hostile::start(move |_| Reply::Gzip(bomb.clone())).await;
    let err = send(&client(&server).build().unwrap()).await.unwrap_err();
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 64 * MIB);
    assert!(
        matches!(err, Error::BodyTooLarge { limit } if limit == 64 * MIB),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_configured_limit_not_at_the_timeout() {
    let server = Hostile::start(|_| Reply::Endless).await;
    let client = client(&server).max_body_bytes(MIB).build().unwrap();
    let err = send(&client).await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit } if limit == MIB),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "response body larger than the limit of 1048576 bytes (`ClientBuilder::max_body_bytes`)"
    );
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_decodes_and_a_longer_declared_one_is_refused_unread() {
    let body = r#"{"code":0,"cursor":12}"#;
    let server = Hostile::start(move |_| Reply::json(200, body)).await;
    let exact = client(&server)
        .max_body_bytes(body.len() as u64)
        .build()
        .unwrap();
    assert_eq!(send(&exact).await.unwrap().cursor, Some(12));
    let short = client(&server)
        .max_body_bytes(body.len() as u64 - 1)
        .build()
        .unwrap();
    assert!(matches!(
        send(&short).await,
        Err(Error::BodyTooLarge { limit }) if limit == body.len() as u64 - 1
    ));
}

#[test]
fn a_base_url_with_a_password_is_refused_without_repeating_it() {
    for url in [
        "http://user:PASSWORD@127.0.0.1:1",
        "http://PASSWORD@127.0.0.1:1",
    ] {
        let err = Client::<Probe>::builder()
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::BaseUrlCredentials), "{err:?}");
        assert!(err.is_usage());
        assert!(!format!("{err} {err:?}").contains("PASSWORD"));
    }
}

#[test]
fn an_invalid_base_url_is_a_typed_usage_error_at_build() {
    let cases = [
        ("not a url", "invalid base URL: relative URL without a base"),
        (
            "ftp://127.0.0.1",
            "invalid base URL: scheme `ftp` is not http or https",
        ),
        (
            "http://127.0.0.1/?a=1",
            "invalid base URL: a base URL takes no query or fragment",
        ),
    ];
    for (url, message) in cases {
        let err = Client::<Probe>::builder()
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(err.is_usage(), "{url}");
        assert_eq!(err.to_string(), message);
    }
    assert!(Client::<Probe>::builder()
        .base_url("http://127.0.0.1:8080/prefix/")
        .build()
        .is_ok());
}

/// Credentials with characters that encode differently (`+ / = space`), a two-character key and a cookie.
const TOKEN: &str = "tok+en/S3CRET= x";
const TOKEN_PERCENT: &str = "tok%2Ben%2FS3CRET%3D%20x";
const TOKEN_FORM: &str = "tok%2Ben%2FS3CRET%3D+x";
const KEY: &str = "k9";
const SESSION: &str = "0123456789abcdef";
const COOKIE: &str = "sessionid=0123456789abcdef; lang=zh";

fn credentialed(server: &Hostile) -> douyin_core::ClientBuilder<Probe> {
    client(server).credentials(
        douyin_core::StaticCredentials::new()
            .with("access_token", TOKEN)
            .with("key", KEY)
            .with("cookie", COOKIE),
    )
}

fn credentialed_request() -> Request {
    credentialed_request_for(&OP)
}

fn credentialed_request_for(op: &'static douyin_core::Operation) -> Request {
    let mut req = Request::new(op);
    req.query_credential("access_token", "access_token");
    req.query_credential("key", "key");
    req.header_credential("access-token", "access_token");
    req.header_credential("cookie", "cookie");
    req
}

/// Fails if `text` holds any credential in any spelling ("S3CRET" is inside every spelling of the token).
fn assert_masked(text: &str) {
    for leak in ["S3CRET", KEY, SESSION] {
        assert!(!text.contains(leak), "`{leak}` leaked in: {text}");
    }
    assert!(text.contains("***"), "nothing was masked in: {text}");
}

async fn echoed(
    reply: impl Fn(&hostile::Received) -> Reply + Send + Sync + 'static,
) -> Error<Code> {
    echoed_decoding(false, reply).await
}

/// [`echoed`] with strict decoding on or off.
async fn echoed_decoding(
    strict: bool,
    reply: impl Fn(&hostile::Received) -> Reply + Send + Sync + 'static,
) -> Error<Code> {
    let server = Hostile::start(reply).await;
    let client = credentialed(&server)
        .strict_decoding(strict)
        .build()
        .unwrap();
    let err = client
        .send::<Body>(credentialed_request())
        .await
        .unwrap_err();
    // The credentials did reach the server, so the echo is real.
    let target = server.received()[0].target().to_owned();
    assert!(
        target.contains(TOKEN_PERCENT) && target.contains("key=k9"),
        "{target}"
    );
    err
}

#[tokio::test]
async fn an_api_error_echoing_credentials_in_any_encoding_is_masked() {
    let body = format!(
        r#"{{"code":5,"msg":"bad token {TOKEN} / {TOKEN_FORM}","sub_code":"{KEY}","sub_msg":"key={KEY}&t={TOKEN_PERCENT}","log_id":"session {SESSION}"}}"#
    );
    let err = echoed(move |_| Reply::json(200, &body)).await;
    let api = err.api().expect("an API error");
    assert_eq!(api.message.as_deref(), Some("bad token *** / ***"));
    assert_eq!(api.sub_message.as_deref(), Some("key=***&t=***"));
    assert_eq!(api.sub_code.as_deref(), Some("***"));
    assert_eq!(api.log_id.as_deref(), Some("session ***"));
    assert_masked(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn a_decode_message_quoting_an_echoed_token_is_masked() {
    // Strict: tolerant decoding keeps the misfit in the response instead of failing.
    let body = format!(r#"{{"code":0,"cursor":"{}"}}"#, TOKEN.replace('/', "\\/"));
    let err = echoed_decoding(true, move |_| Reply::json(200, &body)).await;
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "cursor");
    // The decoder names the JSON type, not the value; the excerpt quotes the body and is masked.
    assert_eq!(
        d.message,
        "invalid type: string, expected integer at line 1 column 38"
    );
    assert_masked(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn a_status_page_echoing_the_encoded_query_and_a_challenge_content_type_are_masked() {
    let err = echoed(|req| Reply::Fixed {
        status: 500,
        headers: vec![],
        body: format!("<h1>failed: {}</h1>", req.target()).into_bytes(),
    })
    .await;
    assert!(matches!(err, Error::Status { status: 500, .. }));
    assert_masked(&format!("{err:?}"));

    let err = echoed(|_| Reply::Fixed {
        status: 200,
        headers: vec![(
            "content-type".into(),
            format!("text/html; t={TOKEN_PERCENT}"),
        )],
        body: b"<html>verify</html>".to_vec(),
    })
    .await;
    assert_eq!(
        err.to_string(),
        "blocked: challenge page instead of JSON (text/html; t=***)"
    );
}

#[tokio::test]
async fn log_lines_about_a_retried_error_echoing_credentials_are_masked() {
    use std::io::Write;
    #[derive(Clone, Default)]
    struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);
    impl Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let body = format!(r#"{{"code":7,"msg":"slow down {TOKEN_FORM} {KEY} {SESSION}"}}"#);
    let server = Hostile::start(move |_| Reply::json(200, &body)).await;
    let client = credentialed(&server)
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let err = client
        .send::<Body>(credentialed_request())
        .await
        .unwrap_err();
    assert_eq!(server.received().len(), 2);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("retrying after: API error code 7"), "{text}");
    assert_masked(&text);
    assert_masked(&err.to_string());
}

fn redirect_to(location: String) -> impl Fn(&hostile::Received) -> Reply + Send + Sync + 'static {
    move |_| Reply::json(302, "{}").with_header("location", &location)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_by_default() {
    let elsewhere = Hostile::start(|_| Reply::json(200, r#"{"code":0}"#)).await;
    let origin = Hostile::start(redirect_to(format!("{}/landing", elsewhere.base_url()))).await;
    let client = credentialed(&origin).build().unwrap();
    let err = client
        .send::<Body>(credentialed_request())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Redirect { status: 302, to, refusal: douyin_core::redirect::Refusal::CrossOrigin }
            if *to == elsewhere.base_url()),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "redirect (HTTP 302) to {} not followed: another origin; credentials stay with the origin they \
             were meant for",
            elsewhere.base_url()
        )
    );
    assert!(!err.is_retryable());
    assert!(
        elsewhere.received().is_empty(),
        "nothing reaches the other origin"
    );
}

#[tokio::test]
async fn following_any_origin_drops_credential_headers_and_referer_past_the_origin() {
    let elsewhere = Hostile::start(|_| Reply::json(200, r#"{"code":0,"cursor":3}"#)).await;
    let origin = Hostile::start(redirect_to(format!("{}/landing?x=1", elsewhere.base_url()))).await;
    let client = credentialed(&origin)
        .redirects(douyin_core::RedirectPolicy::AnyOrigin)
        .build()
        .unwrap();
    let mut req = credentialed_request();
    req.header("referer", "https://www.douyin.com/");
    assert_eq!(client.send::<Body>(req).await.unwrap().cursor, Some(3));

    let sent = &origin.received()[0];
    assert_eq!(sent.header("access-token"), Some(TOKEN));
    assert_eq!(sent.header("cookie"), Some(COOKIE));
    let forwarded = &elsewhere.received()[0];
    assert_eq!(forwarded.target(), "/landing?x=1");
    for name in ["access-token", "cookie", "referer", "authorization"] {
        assert_eq!(
            forwarded.header(name),
            None,
            "{name} reached the other origin"
        );
    }
    assert!(!forwarded.head.contains("S3CRET") && !forwarded.head.contains(SESSION));
}

#[tokio::test]
async fn a_redirect_whose_location_carries_a_credential_elsewhere_is_refused() {
    let elsewhere = Hostile::start(|_| Reply::json(200, r#"{"code":0}"#)).await;
    let origin = Hostile::start(redirect_to(format!(
        "{}/?t={TOKEN_PERCENT}",
        elsewhere.base_url()
    )))
    .await;
    let client = credentialed(&origin)
        .redirects(douyin_core::RedirectPolicy::AnyOrigin)
        .build()
        .unwrap();
    let err = client
        .send::<Body>(credentialed_request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Redirect {
                refusal: douyin_core::redirect::Refusal::CredentialInLocation,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(elsewhere.received().is_empty());
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_its_credentials() {
    let server = Hostile::start(|req| {
        if req.target().starts_with("/api/probe") {
            Reply::json(307, "{}").with_header("location", "/api/moved")
        } else {
            Reply::json(200, r#"{"code":0,"cursor":8}"#)
        }
    })
    .await;
    let client = credentialed(&server).build().unwrap();
    assert_eq!(
        client
            .send::<Body>(credentialed_request())
            .await
            .unwrap()
            .cursor,
        Some(8)
    );
    let moved = &server.received()[1];
    assert_eq!(moved.target(), "/api/moved");
    assert_eq!(moved.header("access-token"), Some(TOKEN));
    assert_eq!(
        moved.header("referer"),
        None,
        "reqwest's automatic Referer is off"
    );
}

fn rate_limited(status: u16, retry_after: String) -> Reply {
    Reply::json(status, r#"{"code":7,"msg":"slow down"}"#).with_header("retry-after", &retry_after)
}

/// Answers `first` to the first request and success afterwards.
fn then_ok(
    first: impl Fn() -> Reply + Send + Sync + 'static,
) -> impl Fn(&hostile::Received) -> Reply + Send + Sync {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    move |_| match calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
        0 => first(),
        _ => Reply::json(200, r#"{"code":0,"cursor":1}"#),
    }
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn a_retry_after_past_the_cap_fails_at_once_saying_when_to_retry() {
    let server = Hostile::start(|_| rate_limited(429, "3600".into())).await;
    let client = client(&server).retry(quick_retries()).build().unwrap();
    let before = std::time::SystemTime::now();
    let err = send(&client).await.unwrap_err();
    assert_eq!(server.received().len(), 1, "no retry within the hour");
    let Error::RateLimited {
        status,
        retry_after,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*status, retry_after.wait),
        (429, Duration::from_secs(3600))
    );
    assert!(retry_after.at >= before + Duration::from_secs(3600));
    assert_eq!(
        err.to_string(),
        format!(
            "rate limited; retry after {} (in 3600 s)",
            humantime::format_rfc3339_seconds(retry_after.at)
        )
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_retry_after_http_date_is_read_and_the_cap_is_settable() {
    let in_two_hours = std::time::SystemTime::now() + Duration::from_secs(7200);
    let date = httpdate::fmt_http_date(in_two_hours);
    let server = Hostile::start(move |_| rate_limited(503, date.clone())).await;
    let err = send(&client(&server).retry(quick_retries()).build().unwrap())
        .await
        .unwrap_err();
    let Error::RateLimited {
        status: 503,
        retry_after,
    } = &err
    else {
        panic!("{err:?}")
    };
    let whole =
        |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(whole(retry_after.at), whole(in_two_hours));
    assert!(err.to_string().starts_with(&format!(
        "rate limited; retry after {} (in ",
        humantime::format_rfc3339_seconds(in_two_hours)
    )));

    let server = Hostile::start(|_| rate_limited(429, "1".into())).await;
    let strict = RetryPolicy {
        max_retry_after: Duration::ZERO,
        ..quick_retries()
    };
    let err = send(&client(&server).retry(strict).build().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { status: 429, .. }),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_short_retry_after_is_waited_out_before_retrying() {
    let server = Hostile::start(then_ok(|| rate_limited(429, "1".into()))).await;
    let client = client(&server).retry(quick_retries()).build().unwrap();
    let started = std::time::Instant::now();
    assert_eq!(send(&client).await.unwrap().cursor, Some(1));
    assert_eq!(server.received().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried after {:?}, before the server's Retry-After",
        started.elapsed()
    );

    let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(60));
    let server = Hostile::start(then_ok(move || rate_limited(503, past.clone()))).await;
    let client = crate::client(&server)
        .retry(quick_retries())
        .build()
        .unwrap();
    assert_eq!(send(&client).await.unwrap().cursor, Some(1));
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_signer_error_quoting_the_query_is_masked() {
    struct Echo;
    impl douyin_core::Signer for Echo {
        fn sign<'a>(
            &'a self,
            input: douyin_core::SignInput<'a>,
        ) -> douyin_core::BoxFuture<'a, Result<Vec<(String, String)>, String>> {
            let reason = format!("cannot sign {}", input.query);
            Box::pin(async move { Err(reason) })
        }
    }
    let server = Hostile::start(|_| Reply::json(200, "{}")).await;
    let client = credentialed(&server).signer(SIGNER, Echo).build().unwrap();
    let err = client
        .send::<Body>(credentialed_request_for(&SIGNED_OP))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("credential `{SIGNER}` unavailable: cannot sign access_token=***&key=***")
    );
    assert!(server.received().is_empty());
}
