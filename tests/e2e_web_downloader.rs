//! End to end, over loopback HTTP: the endpoints downloaders call (aweme/detail, likes, mixes, replies, following and
//! follower lists, search, favourites, related awemes, locate/post), signed with X-Bogus and checked by the mock,
//! each page of each paginated one following the spec's cursor; share links and short links resolved against the
//! mock's redirects; the two operations on other hosts (iesdouyin.com slidesinfo, live.douyin.com room/enter) reach
//! the mock through the client's base URL like the rest.

use std::time::Duration;

use douyin_core::{BlockedKind, ErrorClass, ErrorCode as _, RefusalKind};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_web::share::{AwemeKind, Resolver, ShareError, Target};
use douyin_web::{
    AwemeDetailParams, AwemeFavoriteParams, AwemeListcollectionParams, AwemeRelatedParams, Client,
    CommentListReplyParams, Error, ErrorCode, GeneralSearchSingleParams, LiveRoomEnterParams,
    LocatePostParams, MixAwemeParams, RetryPolicy, SlidesInfoParams, UserFollowerListParams,
    UserFollowingListParams, WebSession, XBogusSigner,
};
use futures::TryStreamExt;

const UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/117.0.0.0 Safari/537.36 Edg/117.0.2045.60";
const SEC_USER_ID: &str = "MS4wLjABAAAAWP5yJJm9n_Nmmk0E";

async fn server() -> MockServer {
    MockServer::start_with(MockConfig::default().credential("user_agent", UA)).await
}

fn client(server: &MockServer) -> Client {
    let session = WebSession::new("sessionid=test", UA).ms_token("test-ms-token");
    douyin_web::builder(session, XBogusSigner::default())
        .base_url(server.base_url("web"))
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            jitter: false,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
        .into()
}

/// The value of `name` in every request the mock got for `op`, from the query or the form body.
fn sent(server: &MockServer, op: &str, name: &str) -> Vec<String> {
    server
        .requests_to(op)
        .iter()
        .map(|r| {
            let form = String::from_utf8_lossy(&r.body).into_owned();
            r.query_pairs()
                .into_iter()
                .chain(form.split('&').filter_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    Some((k.to_owned(), v.to_owned()))
                }))
                .find(|(n, _)| n == name)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("{op}: no `{name}` sent"))
        })
        .collect()
}

#[tokio::test]
async fn aweme_detail_is_a_signed_request_decoding_an_aweme() {
    let server = server().await;
    let resp = client(&server)
        .aweme_detail(&AwemeDetailParams::new("7331282358999584037"))
        .await
        .unwrap();
    let aweme = resp.aweme_detail.unwrap();
    assert_eq!(aweme.aweme_id.as_deref(), Some("7331282358999584037"));
    assert_eq!(
        aweme.author.and_then(|a| a.nickname).as_deref(),
        Some("南恬")
    );
    let r = &server.requests_to("aweme_detail")[0];
    assert_eq!(r.path, "/web/aweme/v1/web/aweme/detail/");
    assert_eq!(
        r.header("referer"),
        Some("https://www.douyin.com/video/7331282358999584037")
    );
    // aweme/detail carries a_bogus (its spec's `signing`), which the mock verified: no X-Bogus beside it.
    let query = r.query.as_deref().unwrap();
    assert!(
        query.contains("&a_bogus=") && !query.contains("X-Bogus"),
        "{query}"
    );
}

#[tokio::test]
async fn likes_and_located_posts_page_by_max_cursor() {
    let server = server().await;
    let client = client(&server);
    for op in ["aweme_favorite", "locate_post"] {
        server.set_scenario(
            "web",
            op,
            Scenario::Pages {
                pages: 3,
                page_size: 2,
            },
        );
    }
    let liked: Vec<_> = client
        .aweme_favorite_stream(AwemeFavoriteParams::new(SEC_USER_ID).count(2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = liked.iter().map(|a| a.aweme_id.clone().unwrap()).collect();
    assert_eq!(
        ids,
        (1..=6)
            .map(|n| format!("aweme_favorite-{n}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sent(&server, "aweme_favorite", "max_cursor"),
        ["0", "2", "4"]
    );

    let located: Vec<_> = client
        .locate_post_stream(LocatePostParams::new(SEC_USER_ID).count(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(located.len(), 6);
    assert_eq!(sent(&server, "locate_post", "max_cursor"), ["0", "2", "4"]);
    assert_eq!(sent(&server, "locate_post", "locate_query"), ["true"; 3]);
}

#[tokio::test]
async fn mixes_and_replies_page_by_cursor() {
    let server = server().await;
    let client = client(&server);
    for op in ["mix_aweme", "comment_list_reply"] {
        server.set_scenario(
            "web",
            op,
            Scenario::Pages {
                pages: 2,
                page_size: 3,
            },
        );
    }
    let mix: Vec<_> = client
        .mix_aweme_stream(MixAwemeParams::new("7348687990509553679").count(3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mix.len(), 6);
    assert_eq!(sent(&server, "mix_aweme", "cursor"), ["0", "3"]);
    assert_eq!(
        server.requests_to("mix_aweme")[0].header("referer"),
        Some("https://www.douyin.com/collection/7348687990509553679")
    );

    let replies: Vec<_> = client
        .comment_list_reply_stream(
            CommentListReplyParams::new("7344709764531686690", "7346856757471953698").count(3),
        )
        .try_collect()
        .await
        .unwrap();
    let cids: Vec<_> = replies.iter().map(|c| c.cid.clone().unwrap()).collect();
    assert_eq!(
        cids,
        (1..=6)
            .map(|n| format!("comment_list_reply-{n}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sent(&server, "comment_list_reply", "comment_id"),
        ["7346856757471953698"; 2]
    );
}

#[tokio::test]
async fn following_pages_by_offset_and_followers_by_max_time() {
    let server = server().await;
    let client = client(&server);
    for op in ["user_following_list", "user_follower_list"] {
        server.set_scenario(
            "web",
            op,
            Scenario::Pages {
                pages: 3,
                page_size: 5,
            },
        );
    }
    let following: Vec<_> = client
        .user_following_list_stream(UserFollowingListParams::new(SEC_USER_ID).count(5))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(following.len(), 15);
    assert_eq!(
        sent(&server, "user_following_list", "offset"),
        ["0", "5", "10"]
    );
    assert_eq!(
        sent(&server, "user_following_list", "source_type"),
        ["4"; 3]
    );

    let followers: Vec<_> = client
        .user_follower_list_stream(UserFollowerListParams::new(SEC_USER_ID).count(5))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(followers.len(), 15);
    // The next page's max_time is the previous page's min_time; offset stays 0.
    assert_eq!(
        sent(&server, "user_follower_list", "max_time"),
        ["0", "5", "10"]
    );
    assert_eq!(sent(&server, "user_follower_list", "offset"), ["0"; 3]);
}

#[tokio::test]
async fn search_pages_by_offset_with_an_ascii_referer() {
    let server = server().await;
    server.set_scenario(
        "web",
        "general_search_single",
        Scenario::Pages {
            pages: 2,
            page_size: 4,
        },
    );
    let results: Vec<_> = client(&server)
        .general_search_single_stream(GeneralSearchSingleParams::new("美食 探店").count(4))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = results
        .iter()
        .map(|r| r.aweme_info.as_ref().unwrap().aweme_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        (1..=8)
            .map(|n| format!("general_search_single-{n}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(sent(&server, "general_search_single", "offset"), ["0", "4"]);
    let r = &server.requests_to("general_search_single")[0];
    assert_eq!(
        r.header("referer"),
        Some("https://www.douyin.com/search/%E7%BE%8E%E9%A3%9F%20%E6%8E%A2%E5%BA%97?type=general")
    );
    let pairs = r.query_pairs();
    let keyword = pairs.iter().find(|(n, _)| n == "keyword").unwrap();
    assert_eq!(keyword.1, "美食 探店");
    assert!(
        !pairs.iter().any(|(n, _)| n == "search_id"),
        "search_id is only sent when set"
    );
}

#[tokio::test]
async fn favourites_post_their_cursor_in_a_signed_form() {
    let server = server().await;
    server.set_scenario(
        "web",
        "aweme_listcollection",
        Scenario::Pages {
            pages: 2,
            page_size: 10,
        },
    );
    let saved: Vec<_> = client(&server)
        .aweme_listcollection_stream(AwemeListcollectionParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(saved.len(), 20);
    let requests = server.requests_to("aweme_listcollection");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(&requests[0].body[..], b"count=10&cursor=0");
    assert_eq!(&requests[1].body[..], b"count=10&cursor=10");
}

#[tokio::test]
async fn related_awemes_send_the_web_apps_raw_data() {
    let server = server().await;
    let resp = client(&server)
        .aweme_related(&AwemeRelatedParams::new("7331282358999584037"))
        .await
        .unwrap();
    assert_eq!(resp.status_code, Some(0));
    assert_eq!(
        sent(&server, "aweme_related", "awemePcRecRawData"),
        [r#"{"is_client":false}"#]
    );
    assert_eq!(sent(&server, "aweme_related", "filterGids"), [""]);
}

fn resolver(server: &MockServer) -> Resolver {
    Resolver::new()
        .short_link_origin("https://v.douyin.com", &server.short_link_base())
        .unwrap()
}

#[tokio::test]
async fn short_links_resolve_to_typed_targets_without_credentials() {
    let server = server().await;
    let r = resolver(&server);
    let text = "7.43 复制打开抖音，看看【南恬的作品】# 美食 https://v.douyin.com/iRNBho6u/ D@h.OK 09/12 goO:/";
    let video = Target::Aweme {
        aweme_id: "7331282358999584037".into(),
        kind: AwemeKind::Video,
    };
    assert_eq!(r.resolve(text).await.unwrap(), video);
    // A short link leading to another short link is followed.
    assert_eq!(
        r.resolve("https://v.douyin.com/iHopZ1a/").await.unwrap(),
        video
    );
    assert_eq!(
        r.resolve("v.douyin.com/iNoteK2s/").await.unwrap(),
        Target::Aweme {
            aweme_id: "7325083396338600228".into(),
            kind: AwemeKind::Note
        }
    );
    assert_eq!(
        r.resolve("https://v.douyin.com/iUserP7d/").await.unwrap(),
        Target::User {
            sec_user_id: SEC_USER_ID.into()
        }
    );
    assert_eq!(
        r.resolve("https://v.douyin.com/iMixQ3w/").await.unwrap(),
        Target::Mix {
            mix_id: "7348687990509553679".into()
        }
    );
    assert_eq!(
        r.resolve("https://v.douyin.com/iLiveR8e/").await.unwrap(),
        Target::LiveRoom {
            room_id: "7318296342189919011".into()
        }
    );
    let err = r
        .resolve("https://v.douyin.com/iStoreX9/")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ShareError::AppStore { host } if host == "apps.apple.com"),
        "{err:?}"
    );
    let err = r
        .resolve("https://v.douyin.com/gone0000/")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ShareError::NoRedirect { status: 404 }),
        "{err:?}"
    );

    let hops = server.requests();
    assert_eq!(hops.len(), 9, "one request per short link, two for the hop");
    for h in &hops {
        assert!(h.path.starts_with("/share-link/"), "{}", h.path);
        assert_eq!(h.header("cookie"), None, "no credentials to a short link");
    }
}

#[tokio::test]
async fn a_share_text_becomes_a_signed_aweme_detail_request() {
    let server = server().await;
    let target = resolver(&server)
        .resolve("复制打开抖音 https://v.douyin.com/iRNBho6u/")
        .await
        .unwrap();
    let resp = client(&server)
        .aweme_detail(&AwemeDetailParams::new(target.aweme_id().unwrap()))
        .await
        .unwrap();
    assert_eq!(
        resp.aweme_detail.unwrap().aweme_id.as_deref(),
        Some("7331282358999584037")
    );
    let detail = &server.requests_to("aweme_detail")[0];
    assert_eq!(detail.header("cookie"), Some("sessionid=test"));
}

#[tokio::test]
async fn a_search_answering_a_captcha_or_a_sign_in_is_blocked_not_empty() {
    let server = server().await;
    let client = client(&server);
    let search = GeneralSearchSingleParams::new("美食");
    server.set_scenario(
        "web",
        "general_search_single",
        Scenario::Refused(RefusalKind::Captcha),
    );
    let err = client.general_search_single(&search).await.unwrap_err();
    match &err {
        Error::Blocked(kind @ BlockedKind::Refused { kind: k, evidence }) => {
            assert_eq!(*k, RefusalKind::Captcha);
            assert_eq!(evidence, "search_nil_info.search_nil_type = verify_check");
            assert_eq!(
                kind.advice(),
                "solve the captcha in a browser signed in with this cookie, then retry more slowly"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.attempts("general_search_single"), 1, "not retried");

    server.set_scenario(
        "web",
        "general_search_single",
        Scenario::Refused(RefusalKind::Login),
    );
    let err = client.general_search_single(&search).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Blocked(BlockedKind::Refused {
                kind: RefusalKind::Login,
                ..
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn known_refusal_codes_are_typed_with_what_to_do() {
    let server = server().await;
    let client = client(&server);
    server.set_scenario("web", "aweme_listcollection", Scenario::Code("8".into()));
    let err = client
        .aweme_listcollection(&AwemeListcollectionParams::new())
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.code, ErrorCode::NotLoggedIn);
    assert_eq!(api.class(), ErrorClass::ExpiredCredential);
    assert_eq!(
        api.code.advice(),
        Some(
            "renew the cookie (sign in on www.douyin.com in a browser and export the cookie again)"
        )
    );
    // The session cannot refresh its cookie by itself: one attempt, the typed error.
    assert_eq!(server.attempts("aweme_listcollection"), 1);

    server.set_scenario("web", "user_following_list", Scenario::Code("2096".into()));
    let err = client
        .user_following_list(&UserFollowingListParams::new(SEC_USER_ID))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::PrivateList);
    assert_eq!(err.api().unwrap().class(), ErrorClass::Permission);

    server.set_scenario(
        "web",
        "general_search_single",
        Scenario::Code("2483".into()),
    );
    let err = client
        .general_search_single(&GeneralSearchSingleParams::new("美食"))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::SearchNeedsLogin);
}

#[tokio::test]
async fn slides_info_is_an_unsigned_request_on_the_share_pages_host() {
    let server = server().await;
    let resp = client(&server)
        .slides_info(&SlidesInfoParams::new(vec![7331282358999584037]))
        .await
        .unwrap();
    let ids: Vec<_> = resp
        .aweme_details
        .unwrap()
        .into_iter()
        .filter_map(|a| a.aweme_id)
        .collect();
    assert_eq!(ids[0], "7331282358999584037");
    assert_eq!(ids.len(), 18, "the capture's awemes: {ids:?}");
    let r = &server.requests_to("slides_info")[0];
    // Its own host in production; the client's base URL (the mock) for every operation once it was changed.
    assert_eq!(r.path, "/web/web/api/v2/aweme/slidesinfo/");
    assert_eq!(r.header("referer"), Some("https://www.iesdouyin.com/"));
    assert_eq!(
        sent(&server, "slides_info", "aweme_ids"),
        ["[7331282358999584037]"]
    );
    assert_eq!(sent(&server, "slides_info", "request_source"), ["200"]);
    let query = r.query.as_deref().unwrap();
    assert!(
        !query.contains("X-Bogus") && !query.contains("a_bogus"),
        "{query}"
    );
}

#[tokio::test]
async fn a_live_room_by_its_web_rid_is_signed_with_a_bogus() {
    let server = server().await;
    let resp = client(&server)
        .live_room_enter(&LiveRoomEnterParams::new("285520721194"))
        .await
        .unwrap();
    let data = resp.data.unwrap();
    let room = &data.data.as_ref().unwrap()[0];
    assert_eq!(room.status, Some(2));
    assert_eq!(room.id_str.as_deref(), Some("7318296342189919011"));
    let stream = room.stream_url.as_ref().unwrap();
    assert_eq!(stream.default_resolution.as_deref(), Some("FULL_HD1"));
    assert!(stream.flv_pull_url.is_some() && stream.hls_pull_url_map.is_some());
    let r = &server.requests_to("live_room_enter")[0];
    assert_eq!(r.path, "/web/webcast/room/web/enter/");
    assert_eq!(
        r.header("referer"),
        Some("https://live.douyin.com/285520721194")
    );
    assert_eq!(
        sent(&server, "live_room_enter", "web_rid"),
        ["285520721194"]
    );
    assert_eq!(sent(&server, "live_room_enter", "app_name"), ["douyin_web"]);
    let query = r.query.as_deref().unwrap();
    let (unsigned, _) = query
        .rsplit_once("&a_bogus=")
        .expect("a_bogus is the last pair");
    assert!(!unsigned.contains("X-Bogus"), "{query}");
}

/// Every operation a spec signs with a_bogus, called through the typed client with its own signer (the session's
/// fingerprint): the mock verified each signature (a bad one gets an empty body, a blocked error here), and each
/// request ends with a_bogus and carries no X-Bogus. douyin-mock's route tests check the refusals on each of them.
#[tokio::test]
async fn every_a_bogus_operation_accepts_the_clients_own_signature() {
    let server = server().await;
    let c = client(&server);
    let aweme = "7331282358999584037";
    c.aweme_detail(&AwemeDetailParams::new(aweme))
        .await
        .unwrap();
    c.aweme_favorite(&AwemeFavoriteParams::new(SEC_USER_ID))
        .await
        .unwrap();
    c.aweme_listcollection(&AwemeListcollectionParams::new())
        .await
        .unwrap();
    c.aweme_related(&AwemeRelatedParams::new(aweme))
        .await
        .unwrap();
    c.comment_list_reply(&CommentListReplyParams::new(aweme, "7346856757471953698"))
        .await
        .unwrap();
    c.general_search_single(&GeneralSearchSingleParams::new("美食"))
        .await
        .unwrap();
    c.live_room_enter(&LiveRoomEnterParams::new("285520721194"))
        .await
        .unwrap();
    c.locate_post(&LocatePostParams::new(SEC_USER_ID))
        .await
        .unwrap();
    c.mix_aweme(&MixAwemeParams::new("7348687990509553679"))
        .await
        .unwrap();
    c.user_follower_list(&UserFollowerListParams::new(SEC_USER_ID))
        .await
        .unwrap();
    c.user_following_list(&UserFollowingListParams::new(SEC_USER_ID))
        .await
        .unwrap();
    let called: Vec<&str> = douyin_web::OPERATIONS
        .iter()
        .map(|e| e.name)
        .filter(|name| !server.requests_to(name).is_empty())
        .collect();
    let specced: Vec<&str> = douyin_mock::table::domain("web")
        .unwrap()
        .operations
        .iter()
        .filter(|o| o.signers.iter().any(|s| s.name == "a_bogus"))
        .map(|o| o.name)
        .collect();
    assert_eq!(called, specced, "every operation whose spec names a_bogus");
    for name in called {
        for r in server.requests_to(name) {
            let q = r.query_pairs();
            assert_eq!(q.last().map(|(n, _)| n.as_str()), Some("a_bogus"), "{name}");
            assert!(q.iter().all(|(n, _)| n != "X-Bogus"), "{name}");
        }
    }
}
