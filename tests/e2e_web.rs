//! End to end, over loopback HTTP: the generated web client with a browser session and the X-Bogus signer against the
//! spec-driven mock, which checks the cookie, user agent, msToken and the signature over the exact query, body and
//! user agent, and answers with the real captures. A refused session is `Blocked`, never an empty result.

use douyin_tests::checked;
use std::time::Duration;

use douyin_core::{BlockedKind, Position, SignInput, Signer};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_web::{
    types, AwemePostParams, Client, CommentListParams, EmojiListParams, EmoticonTrendingParams,
    Error, ErrorCode, HotSearchListParams, ImUserInfoParams, NoticeDetailParams, RetryPolicy,
    TabFeedParams, UserProfileOtherParams, UserProfileSelfParams, WebSession, XBogusSigner,
    SESSION_PROFILE,
};
use futures::TryStreamExt;

const UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/117.0.0.0 Safari/537.36 Edg/117.0.2045.60";
const COOKIE: &str = "sessionid=test";
const MS_TOKEN: &str = "test-ms-token";
const SEC_USER_ID: &str = "MS4wLjABAAAAWP5yJJm9n_Nmmk0E";

async fn server() -> MockServer {
    MockServer::start_with(MockConfig::default().credential("user_agent", UA)).await
}

fn session() -> WebSession {
    WebSession::new(COOKIE, UA).ms_token(MS_TOKEN)
}

fn client_with(server: &MockServer, session: WebSession, signer: impl Signer) -> Client {
    douyin_web::builder(session, signer)
        .base_url(server.base_url("web"))
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            jitter: false,
            ..RetryPolicy::default()
        })
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .into()
}

fn client(server: &MockServer) -> Client {
    client_with(server, session(), XBogusSigner::default())
}

/// The browser profile's query pairs of `position`, as sent.
fn profile(position: Position) -> String {
    SESSION_PROFILE
        .iter()
        .filter(|(_, _, p)| *p == position)
        .map(|(n, v, _)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn aweme_post_decodes_the_real_capture_from_a_signed_request() {
    let server = server().await;
    let resp = client(&server)
        .aweme_post(&AwemePostParams::new(SEC_USER_ID))
        .await
        .unwrap();
    let awemes = resp.aweme_list.as_ref().unwrap();
    assert_eq!(awemes.len(), 18);
    assert_eq!(awemes[0].aweme_id.as_deref(), Some("7331282358999584037"));
    assert_eq!(
        awemes[0].desc.as_deref(),
        Some("我和其他男的不一样 我是女的  #新春吃喝玩乐节#春节出游指南 #龙年一起接着奏乐接着舞")
    );
    assert_eq!(
        (resp.has_more, resp.max_cursor),
        (Some(1), Some(1706103533000))
    );

    let r = &server.requests()[0];
    assert_eq!(r.path, "/web/aweme/v1/web/aweme/post/");
    assert_eq!(r.header("cookie"), Some(COOKIE));
    assert_eq!(r.header("user-agent"), Some(UA));
    assert_eq!(
        r.header("referer"),
        Some(format!("https://www.douyin.com/user/{SEC_USER_ID}").as_str())
    );
    let query = r.query.as_deref().unwrap();
    let first = format!(
        "{}&sec_user_id={SEC_USER_ID}&max_cursor=0&",
        profile(Position::First)
    );
    assert!(query.starts_with(&first), "{query}");
    let (signed, sig) = query
        .rsplit_once("&X-Bogus=")
        .expect("X-Bogus is the last pair");
    assert!(
        signed.ends_with(&format!("&{}&msToken={MS_TOKEN}", profile(Position::Last))),
        "{signed}"
    );
    // The signature covers exactly the query before it, the (empty) body and the user agent.
    let sig = sig.replace("%2F", "/");
    let decoded = douyin_xbogus::decode(&sig).unwrap();
    assert!(decoded.check(signed.as_bytes(), b"", UA.as_bytes()).all());
}

#[tokio::test]
async fn the_full_query_of_an_operation_without_parameters() {
    let server = server().await;
    let signer = XBogusSigner::default().with_clock(|| 1_700_000_000);
    client_with(&server, session(), signer.clone())
        .user_profile_self(&UserProfileSelfParams::new())
        .await
        .unwrap();
    let unsigned = format!(
        "{}&{}&msToken={MS_TOKEN}",
        profile(Position::First),
        profile(Position::Last)
    );
    let sig = signer.signature(&unsigned, b"", UA);
    let mut encoded = String::new();
    douyin_core::request::encode_component(&mut encoded, sig.as_str());
    assert_eq!(
        server.requests()[0].query.as_deref(),
        Some(format!("{unsigned}&X-Bogus={encoded}").as_str())
    );
}

#[tokio::test]
async fn comment_list_streams_every_page_each_signed() {
    let server = server().await;
    server.set_scenario(
        "web",
        "comment_list",
        Scenario::Pages {
            pages: 3,
            page_size: 4,
        },
    );
    let comments: Vec<_> = client(&server)
        .comment_list_stream(CommentListParams::new("7184732601662344482").count(4))
        .try_collect()
        .await
        .unwrap();
    let cids: Vec<_> = comments.iter().map(|c| c.cid.clone().unwrap()).collect();
    assert_eq!(
        cids,
        (1..=12)
            .map(|n| format!("comment_list-{n}"))
            .collect::<Vec<_>>()
    );
    let cursors: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(n, _)| n == "cursor")
                .unwrap()
                .1
        })
        .collect();
    assert_eq!(cursors, ["0", "4", "8"]);
    let sigs: std::collections::BTreeSet<_> = server
        .requests()
        .iter()
        .map(|r| r.query.clone().unwrap())
        .collect();
    assert_eq!(sigs.len(), 3);
}

#[tokio::test]
async fn emoticon_trending_pages_items_with_integer_ids() {
    let server = server().await;
    server.set_scenario(
        "web",
        "emoticon_trending",
        Scenario::Pages {
            pages: 2,
            page_size: 3,
        },
    );
    let stickers: Vec<_> = client(&server)
        .emoticon_trending_stream(EmoticonTrendingParams::new())
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = stickers.iter().map(|s| s.id.unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
}

#[tokio::test]
async fn im_user_info_posts_a_signed_form() {
    let server = server().await;
    let ids = vec![
        "MS4wLjABAAAAd6ARGvJrbzaMRQvlT0c".to_owned(),
        "MS4wLjABAAAAkVpWMsUcwLEKmdRe9g".to_owned(),
    ];
    let resp = client(&server)
        .im_user_info(&ImUserInfoParams::new(ids))
        .await
        .unwrap();
    assert_eq!(resp.status_code, Some(0));
    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        &r.body[..],
        b"sec_user_ids=%5B%22MS4wLjABAAAAd6ARGvJrbzaMRQvlT0c%22%2C%22MS4wLjABAAAAkVpWMsUcwLEKmdRe9g%22%5D"
    );
    let content_types: Vec<_> = r.headers.get_all("content-type").iter().collect();
    assert_eq!(content_types, ["application/x-www-form-urlencoded"]);
}

#[tokio::test]
async fn emoji_list_and_tab_feed_decode_the_real_captures() {
    let server = server().await;
    let client = client(&server);
    let emoji = client.emoji_list(&EmojiListParams::new()).await.unwrap();
    let list = emoji.emoji_list.unwrap();
    assert_eq!(list.len(), 222);
    assert_eq!(list[0].display_name.as_deref(), Some("[微笑]"));
    let feed = client.tab_feed(&TabFeedParams::new()).await.unwrap();
    assert_eq!(feed.aweme_list.unwrap().len(), 9);
    assert_eq!(feed.has_more, Some(1));
}

#[tokio::test]
async fn synthetic_successes_decode() {
    let server = server().await;
    let client = client(&server);
    assert_eq!(
        client
            .hot_search_list(&HotSearchListParams::new())
            .await
            .unwrap()
            .status_code,
        Some(0)
    );
    assert_eq!(
        client
            .user_profile_other(&UserProfileOtherParams::new(SEC_USER_ID))
            .await
            .unwrap()
            .status_code,
        Some(0)
    );
    // Generated types are #[non_exhaustive]: built from Default plus field assignment.
    let mut item = types::NoticeIdItem::default();
    item.notice_id_str = Some("7180000000000007632".into());
    item.type_ = Some(0);
    assert_eq!(
        client
            .notice_detail(&NoticeDetailParams::new(vec![item]))
            .await
            .unwrap()
            .status_code,
        Some(0)
    );
    let q = server.requests()[2].query_pairs();
    assert_eq!(
        q.iter().find(|(n, _)| n == "id_list").unwrap().1,
        r#"[{"notice_id_str":"7180000000000007632","type":0}]"#
    );
}

#[tokio::test]
async fn a_refused_session_is_blocked_with_an_empty_body() {
    let server = server().await;
    // Wrong cookie.
    let stolen = "sessionid=someone-else-3f9";
    let err = checked(
        client_with(
            &server,
            WebSession::new(stolen, UA).ms_token(MS_TOKEN),
            XBogusSigner::default(),
        )
        .user_profile_self(&UserProfileSelfParams::new())
        .await,
        &[stolen, MS_TOKEN],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
    // A cookie without msToken: the session makes one up, which the site does not know.
    let err = checked(
        client_with(
            &server,
            WebSession::new(COOKIE, UA),
            XBogusSigner::default(),
        )
        .user_profile_self(&UserProfileSelfParams::new())
        .await,
        &[COOKIE],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
    // Another browser's user agent.
    let err = checked(
        client_with(
            &server,
            WebSession::new(COOKIE, "curl/8").ms_token(MS_TOKEN),
            XBogusSigner::default(),
        )
        .user_profile_self(&UserProfileSelfParams::new())
        .await,
        &[COOKIE, MS_TOKEN],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
    assert_eq!(
        server.attempts("user_profile_self"),
        3,
        "blocked requests are not retried"
    );
}

/// Signs with a user agent other than the one sent.
struct WrongAgent(XBogusSigner);

impl Signer for WrongAgent {
    fn sign<'a>(
        &'a self,
        input: SignInput<'a>,
    ) -> douyin_core::BoxFuture<'a, Result<Vec<(String, String)>, String>> {
        let sig = self
            .0
            .signature(input.query, input.body, "Mozilla/5.0 (X11; Linux x86_64)");
        Box::pin(async move { Ok(vec![("X-Bogus".to_owned(), sig.as_str().to_owned())]) })
    }
}

/// Signs nothing.
struct NoSignature;

impl Signer for NoSignature {
    fn sign<'a>(
        &'a self,
        _: SignInput<'a>,
    ) -> douyin_core::BoxFuture<'a, Result<Vec<(String, String)>, String>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_blocked() {
    let server = server().await;
    let err = checked(
        client_with(&server, session(), WrongAgent(XBogusSigner::default()))
            .hot_search_list(&HotSearchListParams::new())
            .await,
        &[COOKIE, MS_TOKEN],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
    let err = checked(
        client_with(&server, session(), NoSignature)
            .hot_search_list(&HotSearchListParams::new())
            .await,
        &[COOKIE, MS_TOKEN],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::EmptyBody)),
        "{err:?}"
    );
    assert_eq!(server.attempts("hot_search_list"), 2);
}

#[tokio::test]
async fn challenge_pages_bad_parameters_and_server_errors() {
    let server = server().await;
    let client = client(&server);
    server.set_scenario("web", "aweme_post", Scenario::Html);
    let err = checked(
        client.aweme_post(&AwemePostParams::new(SEC_USER_ID)).await,
        &[COOKIE, MS_TOKEN],
    );
    assert!(
        matches!(err, Error::Blocked(BlockedKind::Challenge { .. })),
        "{err:?}"
    );

    // An empty required parameter: a non-zero status_code in the body.
    let err = checked(
        client.comment_list(&CommentListParams::new("")).await,
        &[COOKIE, MS_TOKEN],
    );
    assert_eq!(err.api().unwrap().code, ErrorCode::Unknown("2".into()));

    server.set_scenario("web", "tab_feed", Scenario::Status(502).times(2));
    client.tab_feed(&TabFeedParams::new()).await.unwrap();
    assert_eq!(server.attempts("tab_feed"), 3);
    // Every retry is signed afresh over the same query.
    let tab: Vec<_> = server.requests_to("tab_feed");
    assert!(tab
        .iter()
        .all(|r| r.query.as_deref().unwrap().contains("&X-Bogus=")));
}
