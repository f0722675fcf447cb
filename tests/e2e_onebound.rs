//! End to end, over loopback HTTP: the generated Onebound client against the spec-driven mock server. Successes,
//! every documented error example, exact wire bytes, retries, timeouts, blocked and broken bodies, the text formats,
//! and no credential in any error's `Display` or `Debug`.

use douyin_tests::assert_no_secret;
use std::time::{Duration, Instant};

use douyin_core::{Billing, BlockedKind, ErrorClass, ErrorCode as _};
use douyin_mock::table::{self, Expect};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_onebound::{types, Client, Error, ErrorCode, ItemGetVideoParams, RetryPolicy};

const KEY: &str = "test-key";
const SECRET: &str = "test-secret";
const ITEM: &str = "7118694749548072205";
const OP: &str = "item_get_video";

/// Retries as the default policy (3 attempts) but without waiting.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        jitter: false,
        ..RetryPolicy::default()
    }
}

fn client_with(server: &MockServer, key: &str, secret: &str) -> Client {
    Client::builder()
        .base_url(server.base_url("onebound"))
        .credentials(douyin_onebound::credentials(
            key.to_owned(),
            secret.to_owned(),
        ))
        .retry(fast_retries())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .into()
}

fn client(server: &MockServer) -> Client {
    client_with(server, KEY, SECRET)
}

/// The API error of `result`, checked for leaks.
#[track_caller]
fn api_error<T: std::fmt::Debug>(
    result: Result<T, Error>,
) -> Box<douyin_core::ApiError<ErrorCode>> {
    let err = result.expect_err("the call fails");
    assert_no_secret(&err, &[KEY, SECRET]);
    match err {
        Error::Api(api) => api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[track_caller]
fn other_error<T: std::fmt::Debug>(result: Result<T, Error>) -> Error {
    let err = result.expect_err("the call fails");
    assert_no_secret(&err, &[KEY, SECRET]);
    err
}

#[tokio::test]
async fn item_get_video_decodes_the_documented_example() {
    let server = MockServer::start().await;
    let video = client(&server)
        .item_get_video(&ItemGetVideoParams::new(ITEM))
        .await
        .unwrap();
    let item = video.item.as_ref().unwrap();
    assert_eq!(item.num_iid.as_deref(), Some(ITEM));
    assert_eq!(
        item.title.as_deref(),
        Some("#好看的小姐姐 #这谁顶得住啊 #身材很哇塞 #美女 #大长腿")
    );
    assert_eq!(item.nick.as_deref(), Some("喵喵喵喵咪"));
    assert_eq!(item.type_.as_deref(), Some("video"));
    assert_eq!(
        item.video.as_ref().unwrap().url.as_deref(),
        Some("https://aweme.snssdk.com/aweme/v1/playwm/?video_id=v0200fg10000cb5atp3c77ubg4uvvnhg&ratio=720p&line=0")
    );
    assert_eq!(
        item.music.as_ref().unwrap().url.as_deref(),
        Some("https://sf3-cdn-tos.douyinstatic.com/obj/ies-music/7118694844603681549.mp3")
    );
    assert_eq!(video.error_code.as_deref(), Some("0000"));
    assert_eq!(video.request_id.as_deref(), Some("gw-1.63353a5926054"));
    assert_eq!(video.execution_time.as_ref().unwrap().to_text(), "0.191");

    assert_eq!(server.attempts(OP), 1);
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/onebound/douyin/item_get_video/");
    assert_eq!(
        r.query.as_deref(),
        Some("key=test-key&secret=test-secret&item_id=7118694749548072205")
    );
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
}

#[tokio::test]
async fn optional_parameters_follow_in_spec_order_and_every_value_is_percent_encoded_once() {
    let (key, secret) = ("k+y/=%", "s e&c");
    let server = MockServer::start_with(
        MockConfig::default()
            .credential("key", key)
            .credential("secret", secret),
    )
    .await;
    let id = "a b+c/d=é&x";
    let params = ItemGetVideoParams::new(id)
        .cache("no")
        .result_type(types::ResultType::Jsonu)
        .lang("en")
        .version("1.2 beta");
    let video = client_with(&server, key, secret)
        .item_get_video(&params)
        .await
        .unwrap();
    assert!(video.item.is_some());
    let r = &server.requests()[0];
    assert_eq!(
        r.query.as_deref(),
        Some(
            "key=k%2By%2F%3D%25&secret=s%20e%26c&item_id=a%20b%2Bc%2Fd%3D%C3%A9%26x\
             &cache=no&result_type=jsonu&lang=en&version=1.2%20beta"
        )
    );
    // The server reads back exactly what was given (a `+` sent raw would have become a space).
    let pairs = r.query_pairs();
    let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "secret",
            "item_id",
            "cache",
            "result_type",
            "lang",
            "version"
        ]
    );
    assert_eq!(pairs[0].1, key);
    assert_eq!(pairs[1].1, secret);
    assert_eq!(pairs[2].1, id);
    assert_eq!(pairs[6].1, "1.2 beta");
}

#[tokio::test]
async fn every_documented_example_reaches_the_caller_as_documented() {
    let server = MockServer::start().await;
    let client = client(&server);
    let op = table::domain("onebound").unwrap().operation(OP).unwrap();
    let mut api_errors = 0;
    for (i, ex) in op.examples.iter().enumerate() {
        server.reset();
        server.set_scenario("onebound", OP, Scenario::Example(i));
        let result = client.item_get_video(&ItemGetVideoParams::new(ITEM)).await;
        match ex.expect {
            Expect::Ok => {
                let title = result.unwrap().item.and_then(|i| i.title);
                assert!(title.is_some_and(|t| !t.is_empty()), "{}", ex.file);
            }
            Expect::ApiError(code) => {
                let api = api_error(result);
                assert_eq!(api.code.raw(), code, "{}", ex.file);
                assert_eq!(api.code, ErrorCode::from_raw(code));
                api_errors += 1;
            }
            Expect::Artifact { .. } => {
                panic!("{}: no artifact is documented for Onebound", ex.file)
            }
        }
        assert_eq!(server.attempts(OP), 1, "{}: not retried", ex.file);
    }
    assert_eq!(api_errors, 1);
}

#[tokio::test]
async fn documented_no_result_example_is_a_billed_typed_api_error() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::Example(1));
    let api = api_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    assert_eq!(api.code, ErrorCode::NoResult);
    assert_eq!(api.class(), ErrorClass::NoResult);
    assert_eq!(api.billing(), Some(Billing::Billed));
    assert_eq!(api.message.as_deref(), Some("没找到"));
    assert_eq!(api.log_id.as_deref(), Some("1ee0ffc041242"));
    assert_eq!(api.http_status, 200);
    assert_eq!(server.attempts(OP), 1);
}

#[tokio::test]
async fn server_errors_are_retried_until_the_call_succeeds() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::Status(503).times(2));
    let video = client(&server)
        .item_get_video(&ItemGetVideoParams::new(ITEM))
        .await
        .unwrap();
    assert_eq!(video.item.unwrap().num_iid.as_deref(), Some(ITEM));
    assert_eq!(server.attempts(OP), 3);
    // Every attempt is the same request.
    let queries: Vec<_> = server.requests().into_iter().map(|r| r.query).collect();
    assert!(queries.windows(2).all(|w| w[0] == w[1]), "{queries:?}");
}

#[tokio::test]
async fn a_persistent_server_error_ends_with_the_status_and_a_masked_excerpt() {
    let server = MockServer::start().await;
    let echo = format!("upstream failed for key={KEY}&secret={SECRET}");
    server.set_scenario(
        "onebound",
        OP,
        Scenario::Raw {
            status: 500,
            content_type: "text/plain".into(),
            body: echo.into_bytes(),
        },
    );
    let err = other_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    match &err {
        Error::Status { status, excerpt } => {
            assert_eq!(*status, 500);
            assert_eq!(excerpt, "upstream failed for key=***&secret=***");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert_eq!(server.attempts(OP), 3);
}

#[tokio::test]
async fn rate_limit_4008_is_retried_with_backoff() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::RateLimited);
    let api = api_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    assert_eq!(api.code, ErrorCode::RateLimited);
    assert_eq!(api.code.raw(), "4008");
    assert_eq!(api.billing(), Some(Billing::Ignored));
    assert!(api.is_retryable());
    assert_eq!(server.attempts(OP), 3, "retried up to max_attempts");

    server.reset();
    server.set_scenario("onebound", OP, Scenario::RateLimited.times(1));
    client(&server)
        .item_get_video(&ItemGetVideoParams::new(ITEM))
        .await
        .unwrap();
    assert_eq!(server.attempts(OP), 2);
}

#[tokio::test]
async fn server_class_codes_are_retried_and_unknown_codes_are_kept() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::Code("4000".into()));
    let api = api_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    assert_eq!(api.code, ErrorCode::ServerInternalError);
    assert_eq!(api.billing(), Some(Billing::NotBilled));
    assert_eq!(server.attempts(OP), 3);

    server.reset();
    server.set_scenario("onebound", OP, Scenario::Code("4999".into()));
    let api = api_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    assert_eq!(api.code, ErrorCode::Unknown("4999".into()));
    assert_eq!(api.class(), ErrorClass::Other);
    assert_eq!(api.billing(), None);
    assert_eq!(server.attempts(OP), 1);
}

#[tokio::test]
async fn wrong_credentials_4005_are_not_retried() {
    let server = MockServer::start().await;
    let wrong = "wrong-key-9f3a";
    let result = client_with(&server, wrong, SECRET)
        .item_get_video(&ItemGetVideoParams::new(ITEM))
        .await;
    let err = result.expect_err("refused");
    assert_no_secret(&err, &[wrong, SECRET]);
    let api = err.api().expect("an API error");
    assert_eq!(api.code, ErrorCode::InvalidCredentials);
    assert_eq!(api.code.raw(), "4005");
    assert_eq!(api.class(), ErrorClass::Authentication);
    assert_eq!(api.billing(), Some(Billing::Ignored));
    assert_eq!(server.attempts(OP), 1);
    assert!(server.requests()[0]
        .query
        .as_deref()
        .unwrap()
        .starts_with("key=wrong-key-9f3a&"));
}

#[tokio::test]
async fn quota_4013_is_not_retried() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::Quota);
    let api = api_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    assert_eq!(api.code, ErrorCode::CallLimitExceeded);
    assert_eq!(api.class(), ErrorClass::Quota);
    assert_eq!(server.attempts(OP), 1);
}

#[tokio::test]
async fn missing_and_invalid_parameters_get_the_gateways_codes() {
    let server = MockServer::start().await;
    let client = client(&server);
    let api = api_error(client.item_get_video(&ItemGetVideoParams::new("")).await);
    assert_eq!(api.code, ErrorCode::MissingParam);
    assert_eq!(api.code.raw(), "4014");
    let api = api_error(
        client
            .item_get_video(&ItemGetVideoParams::new(ITEM).cache("maybe"))
            .await,
    );
    assert_eq!(api.code, ErrorCode::ParamError);
    assert_eq!(api.code.raw(), "4003");
    assert!(
        api.message.as_deref().unwrap().contains("cache"),
        "{:?}",
        api.message
    );
    assert_eq!(server.attempts(OP), 2);
    assert!(server.requests()[1]
        .query
        .as_deref()
        .unwrap()
        .ends_with("&cache=maybe"));
}

#[tokio::test]
async fn a_slow_answer_times_out_and_each_attempt_is_bounded() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::Delay(Duration::from_secs(3)));
    let client: Client = Client::builder()
        .base_url(server.base_url("onebound"))
        .credentials(douyin_onebound::credentials(KEY, SECRET))
        .retry(RetryPolicy {
            max_attempts: 2,
            ..fast_retries()
        })
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .into();
    let started = Instant::now();
    let err = other_error(client.item_get_video(&ItemGetVideoParams::new(ITEM)).await);
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_millis(200)),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.attempts(OP), 2, "a timeout is retried");
}

#[tokio::test]
async fn an_empty_body_is_blocked_not_an_empty_result() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::EmptyBody);
    let err = other_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
    assert_eq!(server.attempts(OP), 1);
}

#[tokio::test]
async fn an_html_page_is_a_challenge() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::Html);
    let err = other_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    match err {
        Error::Blocked(BlockedKind::Challenge { content_type }) => {
            assert_eq!(content_type, "text/html; charset=utf-8")
        }
        other => panic!("expected a challenge, got {other:?}"),
    }
    assert_eq!(server.attempts(OP), 1);
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_its_path() {
    let server = MockServer::start().await;
    server.set_scenario("onebound", OP, Scenario::TruncatedJson);
    let err = other_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(d.path, "item.video.pic_url");
    assert!(d.message.contains("EOF"), "{}", d.message);
    assert!(
        d.excerpt
            .starts_with("{\n\"item\": {\n\"num_iid\": \"7118694749548072205\""),
        "{}",
        d.excerpt
    );
    assert_eq!(server.attempts(OP), 1);

    // A broken body that echoes the credentials: the excerpt masks them.
    server.set_scenario(
        "onebound",
        OP,
        Scenario::Raw {
            status: 200,
            content_type: "application/json".into(),
            body: format!("{{\"error_code\":\"0000\",\"call_args\":[\"{KEY}\",\"{SECRET}\"")
                .into_bytes(),
        },
    );
    let err = other_error(
        client(&server)
            .item_get_video(&ItemGetVideoParams::new(ITEM))
            .await,
    );
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(
        d.excerpt,
        "{\"error_code\":\"0000\",\"call_args\":[\"***\",\"***\""
    );
}

#[tokio::test]
async fn text_formats_are_refused_by_the_typed_method_and_returned_raw_by_the_text_method() {
    let server = MockServer::start().await;
    let client = client(&server);
    for format in ["xml", "serialize", "var_export"] {
        let params = ItemGetVideoParams::new(ITEM).result_type(format);
        let err = other_error(client.item_get_video(&params).await);
        match &err {
            Error::InvalidParameter { name, reason } => {
                assert_eq!(*name, "result_type");
                assert!(reason.contains("item_get_video_text"), "{reason}");
            }
            other => panic!("expected an invalid parameter, got {other:?}"),
        }
    }
    assert_eq!(server.attempts(OP), 0, "nothing was sent");
    assert!(server.requests().is_empty());

    let xml = client
        .item_get_video_text(&ItemGetVideoParams::new(ITEM).result_type("xml"))
        .await
        .unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(
        xml.contains("<title>#好看的小姐姐 #这谁顶得住啊 #身材很哇塞 #美女 #大长腿</title>"),
        "{xml}"
    );
    assert!(xml.contains("<error_code>0000</error_code>"));
    let php = client
        .item_get_video_text(&ItemGetVideoParams::new(ITEM).result_type("serialize"))
        .await
        .unwrap();
    assert!(
        php.contains("s:7:\"num_iid\";s:19:\"7118694749548072205\";"),
        "{php}"
    );
    let export = client
        .item_get_video_text(&ItemGetVideoParams::new(ITEM).result_type("var_export"))
        .await
        .unwrap();
    assert!(export.starts_with("array (\n"), "{export}");
    assert_eq!(server.attempts(OP), 3);
    assert!(server.requests()[0]
        .query
        .as_deref()
        .unwrap()
        .ends_with("&item_id=7118694749548072205&result_type=xml"));

    server.set_scenario("onebound", OP, Scenario::EmptyBody);
    let err = other_error(
        client
            .item_get_video_text(&ItemGetVideoParams::new(ITEM).result_type("xml"))
            .await,
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_credentials_fail_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client: Client = Client::builder()
        .base_url(server.base_url("onebound"))
        .build()
        .unwrap()
        .into();
    let err = other_error(client.item_get_video(&ItemGetVideoParams::new(ITEM)).await);
    assert!(
        matches!(err, Error::Credential { name: "key", .. }),
        "{err:?}"
    );
    assert_eq!(server.attempts(OP), 0);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_wrong_base_path_is_a_404_status_and_not_retried() {
    let server = MockServer::start().await;
    let client: Client = Client::builder()
        .base_url(format!("{}/v2", server.base_url("onebound")))
        .credentials(douyin_onebound::credentials(KEY, SECRET))
        .retry(fast_retries())
        .build()
        .unwrap()
        .into();
    let err = other_error(client.item_get_video(&ItemGetVideoParams::new(ITEM)).await);
    assert!(matches!(err, Error::Status { status: 404, .. }), "{err:?}");
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/onebound/v2/douyin/item_get_video/");
    assert_eq!(sent[0].operation, None);
}
