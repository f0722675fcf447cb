//! Walking a user's posts with [`Downloads::listing`] against the mock (its capture's awemes pointing at its own
//! media files): every wanted aweme's files fetched and archived page by page, the cursor saved after each finished
//! page so a walk dropped half way resumes there, `since` and `limit`, and a refused page as a typed error.

use douyin_media::{Archive, Downloader, Downloads, Error, Listing, Outcome, Selection};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_web::{WebSession, XBogusSigner};
use futures::StreamExt;

const SEC_UID: &str = "MS4wLjABAAAAWP5yJJm9n_Nmmk0E";
/// The aweme/post capture: 18 awemes, `has_more` 1, `max_cursor` 1706103533000.
const CAPTURE_AWEMES: usize = 18;
const NEXT_CURSOR: &str = "1706103533000";

async fn mock() -> MockServer {
    MockServer::start_with(MockConfig::default().local_media(true)).await
}

fn client(server: &MockServer) -> douyin_web::Client {
    let session = WebSession::with_default_user_agent("sessionid=test").ms_token("test-ms-token");
    douyin_web::builder(session, XBogusSigner::default())
        .base_url(server.base_url("web"))
        .build()
        .unwrap()
        .into()
}

/// Covers only: one small file per aweme.
fn covers() -> Selection {
    Selection {
        video: false,
        images: false,
        cover: true,
        ..Selection::default()
    }
}

fn downloads(dir: &std::path::Path) -> Downloads {
    let archive = Archive::open(dir.join("archive.sqlite")).unwrap();
    Downloads::new(Downloader::builder().build().unwrap(), dir)
        .selection(covers())
        .archive(archive)
}

fn cursors_sent(server: &MockServer) -> Vec<String> {
    server
        .requests_to("aweme_post")
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(n, _)| n == "max_cursor")
                .map(|(_, v)| v)
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn a_walk_dropped_after_a_page_resumes_at_the_saved_cursor_and_skips_what_it_fetched() {
    let server = mock().await;
    let client = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let posts = Listing::Posts(SEC_UID.into());
    let mut d = downloads(dir.path());

    // The first page, then the caller stops: the page's cursor is saved.
    {
        let mut walk = std::pin::pin!(d.listing(&client, &posts, &|_| {}));
        let first = walk.next().await.unwrap().unwrap();
        let file = first.files[0].result.as_ref().unwrap();
        assert!(matches!(file.outcome, Outcome::Fetched { resumed_from: 0 }));
        assert!(file.path.is_file());
    }
    let archive = d.archive_ref().unwrap();
    assert_eq!(archive.recorded().await.unwrap(), CAPTURE_AWEMES as u64);
    assert_eq!(
        archive
            .cursor(&posts.cursor_key())
            .await
            .unwrap()
            .as_deref(),
        Some(NEXT_CURSOR)
    );

    // A new run resumes there: the mock answers the same page, whose awemes are all in the archive, then the end.
    let mut d = downloads(dir.path());
    let outcomes: Vec<_> = d.listing(&client, &posts, &|_| {}).collect().await;
    assert_eq!(cursors_sent(&server), ["0", NEXT_CURSOR]);
    assert_eq!(outcomes.len(), CAPTURE_AWEMES);
    for o in &outcomes {
        let o = o.as_ref().unwrap();
        assert_eq!(
            o.files[0].result.as_ref().unwrap().outcome,
            Outcome::InArchive
        );
    }
    // It ran to the end: no cursor left.
    let archive = d.archive_ref().unwrap();
    assert_eq!(archive.cursor(&posts.cursor_key()).await.unwrap(), None);
}

#[tokio::test]
async fn since_ends_a_users_posts_and_limit_caps_the_walk() {
    let server = mock().await;
    let client = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let posts = Listing::Posts(SEC_UID.into());

    // The capture's awemes were published from 2024-01-24 to 2024-02-03: from 2024-02-01 keeps the newest few.
    let mut d = downloads(dir.path()).since(1_706_745_600).dry_run(true);
    let kept: Vec<_> = d.listing(&client, &posts, &|_| {}).collect().await;
    assert!(
        !kept.is_empty() && kept.len() < CAPTURE_AWEMES,
        "{}",
        kept.len()
    );
    for o in &kept {
        let o = o.as_ref().unwrap();
        assert!(o.aweme.create_time.unwrap() >= 1_706_745_600 || o.aweme.is_top == Some(1));
        assert_eq!(
            o.files[0].result.as_ref().unwrap().outcome,
            Outcome::Planned
        );
    }
    // An older aweme on the page ends the walk: one request only, and a dry run saves no cursor.
    assert_eq!(cursors_sent(&server).len(), 1);
    assert_eq!(d.archive_ref().unwrap().recorded().await.unwrap(), 0);

    let mut d = downloads(dir.path()).limit(2);
    let taken: Vec<_> = d.listing(&client, &posts, &|_| {}).collect().await;
    assert_eq!(taken.len(), 2);
}

#[tokio::test]
async fn a_refused_page_is_a_listing_error_and_saves_nothing() {
    let server = mock().await;
    server.set_scenario("web", "aweme_post", Scenario::Status(503).times(10));
    let client: douyin_web::Client = {
        let session =
            WebSession::with_default_user_agent("sessionid=test").ms_token("test-ms-token");
        douyin_web::builder(session, XBogusSigner::default())
            .base_url(server.base_url("web"))
            .retry(douyin_core::RetryPolicy {
                max_attempts: 1,
                ..Default::default()
            })
            .build()
            .unwrap()
            .into()
    };
    let dir = tempfile::tempdir().unwrap();
    let posts = Listing::Posts(SEC_UID.into());
    let mut d = downloads(dir.path());
    let items: Vec<_> = d.listing(&client, &posts, &|_| {}).collect().await;
    assert_eq!(items.len(), 1);
    match &items[0] {
        Err(Error::Listing { listing, .. }) => assert_eq!(listing, &posts.describe()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        d.archive_ref()
            .unwrap()
            .cursor(&posts.cursor_key())
            .await
            .unwrap(),
        None
    );
}
