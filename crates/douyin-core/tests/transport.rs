//! The runtime over real loopback HTTP against a hostile server: body limits, credential masking, redirects,
//! Retry-After and base URL checks. Each test fails on a runtime without the protection it names.

mod hostile;

use std::sync::Arc;
use std::time::Duration;

use douyin_core::{BuildError, Client, Error, Request, RetryPolicy, DEFAULT_MAX_BODY_BYTES};
use hostile::domain::{Body, Code, Probe, OP};
use hostile::{Hostile, Reply};

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
