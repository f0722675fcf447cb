//! End to end, over loopback HTTP: the generated Open Platform client (token provider included) against the
//! spec-driven mock. Both envelopes, the documented examples, the token in the header or the query, refresh on
//! 28001008, pagination streams, retries, and no token in any error's `Display` or `Debug`.

use douyin_tests::checked;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use douyin_core::{BlockedKind, BoxFuture, ErrorClass, ErrorCode as _, Response as _};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_open_platform::{
    Client, Error, ErrorCode, FixedToken, ListCommentParams, MediaListParams, RetryPolicy, Secret,
    TokenProvider,
};
use futures::TryStreamExt;

const TOKEN: &str = "act.test";
const OPEN_ID: &str = "ba253642-0590-40bc-9bdf-9a1334b94059";
const ITEM_ID: &str =
    "@8hxdhauTCMppanGnM4ltGM780mDqPP+KPpR0qQOmLVAXb/T060zdRmYqig357zEBq6CZRp4NVe6qLIJW/V/x1w==";
const ITEM_ID_ENCODED: &str =
    "%408hxdhauTCMppanGnM4ltGM780mDqPP%2BKPpR0qQOmLVAXb%2FT060zdRmYqig357zEBq6CZRp4NVe6qLIJW%2FV%2Fx1w%3D%3D";

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        jitter: false,
        ..RetryPolicy::default()
    }
}

fn client_with(server: &MockServer, provider: impl TokenProvider) -> Client {
    Client::builder()
        .base_url(server.base_url("open-platform"))
        .credentials(douyin_open_platform::credentials(provider))
        .retry(fast_retries())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .into()
}

fn client(server: &MockServer) -> Client {
    client_with(server, FixedToken(Secret::new(TOKEN)))
}

/// Hands out tokens in order; each refresh moves to the next one.
struct Rotating {
    tokens: Vec<&'static str>,
    at: Arc<AtomicUsize>,
}

impl TokenProvider for Rotating {
    fn access_token(&self) -> BoxFuture<'_, Result<Secret, String>> {
        let t = self.tokens[self.at.load(Ordering::SeqCst).min(self.tokens.len() - 1)];
        Box::pin(async move { Ok(Secret::new(t)) })
    }

    fn refresh(&self) -> BoxFuture<'_, Result<(), String>> {
        self.at.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn list_comment_decodes_the_documented_example_and_sends_the_token_in_its_header() {
    let server = MockServer::start().await;
    let resp = client(&server)
        .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
        .await
        .unwrap();
    assert_eq!(resp.err_no, Some(0));
    assert_eq!(
        resp.log_id.as_deref(),
        Some("2020070614111601022506808001045D59")
    );
    let page = resp.data.as_ref().unwrap().data.as_ref().unwrap();
    assert_eq!((page.cursor, page.has_more), (Some(1), Some(true)));
    let c = &page.list.as_ref().unwrap()[0];
    assert_eq!(c.content.as_deref(), Some("评论"));
    assert_eq!(c.nick_name.as_deref(), Some("xiaoming"));
    assert_eq!(c.create_time, Some(1673507751));
    assert_eq!(c.top, Some(false));

    let r = &server.requests()[0];
    assert_eq!(r.path, "/open-platform/api/apps/v1/item/list_comment/");
    // item_id with `@ + / =` is encoded exactly once, and the token is not in the URL.
    assert_eq!(
        r.query.as_deref(),
        Some(format!("open_id={OPEN_ID}&item_id={ITEM_ID_ENCODED}").as_str())
    );
    assert_eq!(r.header("access-token"), Some(TOKEN));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.query_pairs()[1].1, ITEM_ID);
}

#[tokio::test]
async fn optional_parameters_go_in_the_documented_request_order() {
    let server = MockServer::start().await;
    let params = ListCommentParams::new(OPEN_ID, "v1")
        .cursor(20)
        .count(10)
        .sort_type("time_asc");
    client(&server).list_comment(&params).await.unwrap();
    assert_eq!(
        server.requests()[0].query.as_deref(),
        Some(
            format!("open_id={OPEN_ID}&cursor=20&count=10&item_id=v1&sort_type=time_asc").as_str()
        )
    );
}

#[tokio::test]
async fn media_list_sends_the_token_in_the_query_and_decodes_a_success() {
    let server = MockServer::start().await;
    let resp = client(&server)
        .media_list(&MediaListParams::new(OPEN_ID).count(10))
        .await
        .unwrap();
    let data = resp.data.unwrap();
    assert_eq!(data.error_code, Some(0));
    assert_eq!(data.medias.as_deref().map(<[_]>::len), Some(0));
    let r = &server.requests()[0];
    assert_eq!(r.path, "/open-platform/enterprise/media/list/");
    assert_eq!(
        r.query.as_deref(),
        Some(format!("open_id={OPEN_ID}&access_token={TOKEN}&count=10").as_str())
    );
    assert_eq!(r.header("access-token"), None);
}

#[tokio::test]
async fn documented_error_examples_are_typed_api_errors_in_both_envelopes() {
    let server = MockServer::start().await;
    let client = client(&server);
    server.set_scenario("open-platform", "list_comment", Scenario::Example(1));
    let err = checked(
        client
            .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
            .await,
        &[TOKEN],
    );
    let api = err.api().expect("an API error");
    assert_eq!(api.code, ErrorCode::ParameterError);
    assert_eq!(api.class(), ErrorClass::InvalidParameter);
    assert_eq!(api.message.as_deref(), Some("参数不合法"));
    assert_eq!(
        api.log_id.as_deref(),
        Some("20230213140437EEEDFAB3025AEA105C06")
    );
    assert_eq!(
        api.sub_message.as_deref(),
        Some("count's value cannot greater than:20")
    );

    server.set_scenario("open-platform", "media_list", Scenario::Example(1));
    let err = checked(
        client.media_list(&MediaListParams::new(OPEN_ID)).await,
        &[TOKEN],
    );
    let api = err.api().expect("an API error");
    assert_eq!(api.code, ErrorCode::ParameterError);
    assert_eq!(api.message.as_deref(), Some("Parameter error"));
    assert_eq!(
        api.log_id.as_deref(),
        Some("2020070614111601022506808001045D59")
    );

    // The documented "success" example of media_list is a documentation artifact (`<nil>` where integers belong):
    // by default its misfits are drift, kept and reported by path; a strict client fails at data.cursor.
    server.set_scenario("open-platform", "media_list", Scenario::Example(0));
    let resp = client
        .media_list(&MediaListParams::new(OPEN_ID))
        .await
        .unwrap();
    let drifted: Vec<&str> = resp.drift().iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        drifted,
        [
            ".data.cursor",
            ".data.error_code",
            ".data.has_more",
            ".extra.error_code",
            ".extra.now",
            ".extra.sub_error_code"
        ]
    );
    let data = resp.data.as_ref().unwrap();
    assert_eq!((data.cursor, data.has_more), (None, None));
    assert_eq!(
        data.unknown_fields
            .drifted()
            .map(|(k, v)| (k, v.get()))
            .next(),
        Some(("cursor", "\"<nil>\""))
    );
    let strict: Client = Client::builder()
        .base_url(server.base_url("open-platform"))
        .credentials(douyin_open_platform::credentials(FixedToken(Secret::new(
            TOKEN,
        ))))
        .strict_decoding(true)
        .build()
        .unwrap()
        .into();
    let err = checked(
        strict.media_list(&MediaListParams::new(OPEN_ID)).await,
        &[TOKEN],
    );
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(d.path, "data.cursor");
    assert_eq!(
        server.attempts("list_comment") + server.attempts("media_list"),
        4,
        "none retried"
    );
}

#[tokio::test]
async fn out_of_range_count_is_refused_before_sending() {
    let server = MockServer::start().await;
    for count in [0, 51] {
        let err = checked(
            client(&server)
                .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID).count(count))
                .await,
            &[TOKEN],
        );
        assert!(
            matches!(err, Error::InvalidParameter { name: "count", .. }),
            "{err:?}"
        );
    }
    assert_eq!(server.attempts("list_comment"), 0);
}

#[tokio::test]
async fn an_invalid_token_is_28001003_not_retried_and_not_shown() {
    let server = MockServer::start().await;
    let wrong = "act.wrong-0c1d";
    let err = checked(
        client_with(&server, FixedToken(Secret::new(wrong)))
            .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
            .await,
        &[wrong],
    );
    let api = err.api().expect("an API error");
    assert_eq!(api.code, ErrorCode::InvalidToken);
    assert_eq!(api.code.raw(), "28001003");
    assert_eq!(server.attempts("list_comment"), 1);

    let err = checked(
        client_with(&server, FixedToken(Secret::new(wrong)))
            .media_list(&MediaListParams::new(OPEN_ID))
            .await,
        &[wrong],
    );
    assert_eq!(err.api().unwrap().code, ErrorCode::InvalidToken);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let server = MockServer::start().await;
    server.set_scenario(
        "open-platform",
        "list_comment",
        Scenario::ExpiredToken {
            fresh: Some("act.fresh".into()),
        },
    );
    let at = Arc::new(AtomicUsize::new(0));
    let provider = Rotating {
        tokens: vec!["act.stale", "act.fresh"],
        at: at.clone(),
    };
    let resp = client_with(&server, provider)
        .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
        .await
        .unwrap();
    assert_eq!(resp.err_no, Some(0));
    assert_eq!(at.load(Ordering::SeqCst), 1, "refreshed once");
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("access-token").unwrap().to_owned())
        .collect();
    assert_eq!(sent, ["act.stale", "act.fresh"]);

    // In the query too, and with a token the mock has never seen before.
    server.reset();
    server.set_scenario(
        "open-platform",
        "media_list",
        Scenario::ExpiredToken { fresh: None },
    );
    let at = Arc::new(AtomicUsize::new(0));
    let provider = Rotating {
        tokens: vec!["act.one", "act.two"],
        at: at.clone(),
    };
    client_with(&server, provider)
        .media_list(&MediaListParams::new(OPEN_ID))
        .await
        .unwrap();
    assert_eq!(server.attempts("media_list"), 2);
    assert!(server.requests()[1]
        .query
        .as_deref()
        .unwrap()
        .contains("access_token=act.two"));
}

#[tokio::test]
async fn an_expired_token_that_cannot_be_refreshed_is_the_answer() {
    let server = MockServer::start().await;
    server.set_scenario(
        "open-platform",
        "list_comment",
        Scenario::ExpiredToken { fresh: None },
    );
    let err = checked(
        client(&server)
            .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
            .await,
        &[TOKEN],
    );
    let api = err.api().expect("an API error");
    assert_eq!(api.code, ErrorCode::TokenExpired);
    assert_eq!(api.class(), ErrorClass::ExpiredCredential);
    assert_eq!(server.attempts("list_comment"), 1);

    // A provider that keeps handing out the stale token after refreshing: refreshed once, then the error.
    server.reset();
    server.set_scenario(
        "open-platform",
        "list_comment",
        Scenario::ExpiredToken { fresh: None },
    );
    let at = Arc::new(AtomicUsize::new(0));
    let provider = Rotating {
        tokens: vec!["act.same"],
        at: at.clone(),
    };
    let err = checked(
        client_with(&server, provider)
            .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
            .await,
        &["act.same"],
    );
    assert_eq!(err.api().unwrap().code, ErrorCode::TokenExpired);
    assert_eq!(at.load(Ordering::SeqCst), 1);
    assert_eq!(server.attempts("list_comment"), 2);
}

#[tokio::test]
async fn streams_follow_the_cursor_through_every_page() {
    let server = MockServer::start().await;
    let client = client(&server);
    server.set_scenario(
        "open-platform",
        "list_comment",
        Scenario::Pages {
            pages: 3,
            page_size: 2,
        },
    );
    let comments: Vec<_> = client
        .list_comment_stream(ListCommentParams::new(OPEN_ID, ITEM_ID).count(2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = comments
        .iter()
        .map(|c| c.comment_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        (1..=6)
            .map(|n| format!("list_comment-{n}"))
            .collect::<Vec<_>>()
    );
    let cursors: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(n, _)| n == "cursor")
                .map(|(_, v)| v)
        })
        .collect();
    assert_eq!(cursors, [None, Some("2".to_owned()), Some("4".to_owned())]);

    server.set_scenario(
        "open-platform",
        "media_list",
        Scenario::Pages {
            pages: 2,
            page_size: 5,
        },
    );
    let medias: Vec<_> = client
        .media_list_stream(MediaListParams::new(OPEN_ID))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(medias.len(), 10);
    assert_eq!(medias[9].media_id.as_deref(), Some("media_list-10"));
    assert_eq!(server.attempts("media_list"), 2);
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    let server = MockServer::start().await;
    server.set_scenario(
        "open-platform",
        "list_comment",
        Scenario::Pages {
            pages: 3,
            page_size: 2,
        },
    );
    let client = client(&server);
    let mut stream = Box::pin(client.list_comment_stream(ListCommentParams::new(OPEN_ID, ITEM_ID)));
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.comment_id.as_deref(), Some("list_comment-1"));
    server.set_scenario("open-platform", "list_comment", Scenario::Quota);
    stream.try_next().await.unwrap().unwrap();
    let err = stream.try_next().await.expect_err("the second page fails");
    assert_eq!(err.api().unwrap().code, ErrorCode::QuotaExhausted);
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "the stream ends after its error"
    );
    assert_eq!(server.attempts("list_comment"), 2, "quota is not retried");
}

#[tokio::test]
async fn retryable_codes_and_statuses_are_retried_quota_is_not() {
    let server = MockServer::start().await;
    let client = client(&server);
    server.set_scenario(
        "open-platform",
        "list_comment",
        Scenario::Code("28001005".into()).times(2),
    );
    client
        .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
        .await
        .unwrap();
    assert_eq!(server.attempts("list_comment"), 3);

    server.set_scenario("open-platform", "media_list", Scenario::Quota);
    let err = checked(
        client.media_list(&MediaListParams::new(OPEN_ID)).await,
        &[TOKEN],
    );
    assert_eq!(err.api().unwrap().code, ErrorCode::QuotaExhausted);
    assert_eq!(server.attempts("media_list"), 1);

    // No rate-limit code is documented: the mock answers HTTP 429, which is retried.
    server.reset();
    server.set_scenario("open-platform", "media_list", Scenario::RateLimited);
    let err = checked(
        client.media_list(&MediaListParams::new(OPEN_ID)).await,
        &[TOKEN],
    );
    assert!(matches!(err, Error::Status { status: 429, .. }), "{err:?}");
    assert_eq!(server.attempts("media_list"), 3);
}

#[tokio::test]
async fn blocked_and_broken_bodies() {
    let server = MockServer::start_with(MockConfig::default()).await;
    let client = client(&server);
    server.set_scenario("open-platform", "list_comment", Scenario::Html);
    let err = checked(
        client
            .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
            .await,
        &[TOKEN],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::Challenge { .. })),
        "{err:?}"
    );
    server.set_scenario("open-platform", "list_comment", Scenario::EmptyBody);
    let err = checked(
        client
            .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
            .await,
        &[TOKEN],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
    server.set_scenario("open-platform", "list_comment", Scenario::TruncatedJson);
    let err = checked(
        client
            .list_comment(&ListCommentParams::new(OPEN_ID, ITEM_ID))
            .await,
        &[TOKEN],
    );
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    // Cut inside the first comment, between two keys: the path names the comment.
    assert_eq!(d.path, "data.data.list[0]");
    assert!(d.message.contains("EOF"), "{}", d.message);
}
