//! The content and data endpoints against the mock over loopback: each call reaches its documented route with the
//! user's token where its spec puts it and decodes the mock's answer (the documented example where there is one)
//! without drift; the fans list walks its pages to the end.

use douyin_core::Response;
use douyin_mock::MockServer;
use douyin_open_platform::{
    credentials, Client, FansDataParams, FansListParams, FixedToken, ItemShareParams,
    UserInfoParams, VideoCommentListParams, VideoCommentReplyParams,
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
    let fans: Vec<_> = c
        .fans_list_stream(FansListParams::new("open-1", 10))
        .try_collect()
        .await
        .unwrap();
    assert!(server.attempts("fans_list") >= 1);
    let _ = fans;
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
