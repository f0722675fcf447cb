//! The content and data endpoints against the mock over loopback: each call reaches its documented route with the
//! user's token where its spec puts it and decodes the mock's answer (the documented example where there is one)
//! without drift; the listings walk their pages to the end.

use douyin_core::Response;
use douyin_mock::{MockServer, Scenario};
use douyin_open_platform::{
    credentials, Client, ErrorCode, ExternalUserItemParams, FansDataParams, FansListParams,
    FixedToken, ItemCommentReplyListParams, ItemShareParams, UserInfoParams,
    VideoCommentListParams, VideoCommentReplyParams, VideoDataParams, VideoListParams,
};
use futures::TryStreamExt;

const ITEM: &str = "@8hxdhauTCMppanGnM4ltGM780mDqPP+KPpR0qQOmLVAXb/T0==";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url("open-platform"))
        .credentials(credentials(FixedToken("act.test".into())))
        .build()
        .unwrap()
        .into()
}

#[tokio::test]
async fn user_info_and_item_share_decode_their_documented_examples() {
    let server = MockServer::start().await;
    let c = client(&server);
    let user = c.user_info(&UserInfoParams::new("open-1")).await.unwrap();
    let data = user.data.as_ref().unwrap();
    assert_eq!(data.nickname.as_deref(), Some("李伟"));
    assert_eq!(data.union_id.as_deref(), Some("eVBXUMlnek"));
    assert!(user.drift().is_empty());
    let request = server.requests().into_iter().last().unwrap();
    let body = String::from_utf8_lossy(&request.body).into_owned();
    assert!(
        body.contains("open_id=open-1") && body.contains("access_token=act.test"),
        "{body}"
    );

    let share = c
        .item_share(&ItemShareParams::new("open-1", ITEM, 7))
        .await
        .unwrap();
    let day = &share.data.as_ref().unwrap().result_list.as_ref().unwrap()[0];
    assert_eq!(day.share, Some(200));
    assert_eq!(server.attempts("item_share"), 1);
}

#[tokio::test]
async fn comments_fans_and_replies_reach_their_routes() {
    let server = MockServer::start().await;
    let c = client(&server);
    // The documented example says has_more with the cursor it was asked for, so one page, not a walk.
    let page = c
        .video_comment_list(&VideoCommentListParams::new("open-1", 10, ITEM))
        .await
        .unwrap();
    let comments = page.data.as_ref().unwrap().list.as_ref().unwrap();
    assert_eq!(comments[0].content.as_deref(), Some("回复内容"));
    assert_eq!(comments[0].reply_comment_total, Some(12));
    server.set_scenario(
        "open-platform",
        "fans_list",
        Scenario::Pages {
            pages: 2,
            page_size: 3,
        },
    );
    let fans: Vec<_> = c
        .fans_list_stream(FansListParams::new("open-1", 3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!((fans.len(), server.attempts("fans_list")), (6, 2));
    let data = c.fans_data(&FansDataParams::new("open-1")).await.unwrap();
    assert!(data.drift().is_empty());
    let reply = c
        .video_comment_reply(
            &VideoCommentReplyParams::new("open-1", "谢谢", ITEM).comment_id("c-1"),
        )
        .await
        .unwrap();
    assert!(reply.drift().is_empty());
    let request = server.requests().into_iter().last().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["content"], "谢谢");
    assert_eq!(body["comment_id"], "c-1");
}

/// The query value of `name` in the last request to `op`, as sent (still percent-encoded).
fn raw_query_value(server: &MockServer, op: &str, name: &str) -> String {
    let request = server.requests_to(op).pop().unwrap();
    let query = request.query.unwrap_or_default();
    let prefix = format!("{name}=");
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(prefix.as_str()).map(str::to_owned))
        .unwrap_or_else(|| panic!("no {name} in {query}"))
}

#[tokio::test]
async fn the_accounts_videos_walk_every_page_and_their_data_is_asked_by_item_id() {
    let server = MockServer::start().await;
    let c = client(&server);
    server.set_scenario(
        "open-platform",
        "video_list",
        Scenario::Pages {
            pages: 3,
            page_size: 2,
        },
    );
    let videos: Vec<_> = c
        .video_list_stream(VideoListParams::new("open-1", 2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = videos.iter().map(|v| v.item_id.clone().unwrap()).collect();
    assert_eq!(
        ids,
        (1..=6)
            .map(|n| format!("video_list-{n}"))
            .collect::<Vec<_>>()
    );
    let request = server.requests_to("video_list").pop().unwrap();
    assert_eq!(request.header("access-token"), Some("act.test"));

    let data = c
        .video_data(&VideoDataParams::new(
            "open-1",
            vec![ids[0].clone(), ids[1].clone()],
        ))
        .await
        .unwrap();
    assert!(data.drift().is_empty());
    let request = server.requests_to("video_data").pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "item_ids": ["video_list-1", "video_list-2"] })
    );
    assert_eq!(raw_query_value(&server, "video_data", "open_id"), "open-1");
}

#[tokio::test]
async fn user_video_counts_and_comment_replies_reach_their_routes() {
    let server = MockServer::start().await;
    let c = client(&server);
    let counts = c
        .external_user_item(&ExternalUserItemParams::new("open-1", 15))
        .await
        .unwrap();
    assert!(counts.drift().is_empty());
    assert_eq!(
        raw_query_value(&server, "external_user_item", "date_type"),
        "15"
    );
    // date_type's documented values are 7/15/30; the service (here the mock) refuses another one.
    let err = c
        .external_user_item(&ExternalUserItemParams::new("open-1", 14))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::ParameterError);
    assert!(err.to_string().contains("date_type"), "{err}");

    let comment =
        "@9VwW0qOBUN9mJyD3bNxvGc791GzgOPqBPZZyoA+lKVcaZ/P860zdRmYqig357zEBTPAmauvAUsItTqnHsp+cJw==";
    let replies = c
        .item_comment_reply_list(&ItemCommentReplyListParams::new(
            "open-1", ITEM, comment, 20,
        ))
        .await
        .unwrap();
    assert!(replies.drift().is_empty());
    // The ids are encoded exactly once, as the page asks (`@` `+` `/` `=` escaped, nothing escaped twice).
    assert_eq!(
        raw_query_value(&server, "item_comment_reply_list", "comment_id"),
        "%409VwW0qOBUN9mJyD3bNxvGc791GzgOPqBPZZyoA%2BlKVcaZ%2FP860zdRmYqig357zEBTPAmauvAUsItTqnHsp%2BcJw%3D%3D"
    );
    assert_eq!(
        raw_query_value(&server, "item_comment_reply_list", "item_id"),
        "%408hxdhauTCMppanGnM4ltGM780mDqPP%2BKPpR0qQOmLVAXb%2FT0%3D%3D"
    );
    // count is documented 1..=20 for replies: 21 is refused before anything is sent.
    let sent = server.attempts("item_comment_reply_list");
    assert!(c
        .item_comment_reply_list(&ItemCommentReplyListParams::new(
            "open-1", ITEM, comment, 21
        ))
        .await
        .is_err());
    assert_eq!(server.attempts("item_comment_reply_list"), sent);
}
