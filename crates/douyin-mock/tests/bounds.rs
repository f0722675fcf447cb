//! The mock stays bounded whatever it is sent: request bodies above the limit get HTTP 413 without being kept, and
//! the request log is a ring holding at most its configured requests and body bytes while the counters stay exact.

use douyin_mock::{MockConfig, MockServer, DEFAULT_MAX_BODY_BYTES};

const ITEM_GET_VIDEO: &str = "/douyin/item_get_video/?key=test-key&secret=test-secret&item_id=1";

#[tokio::test]
async fn request_bodies_over_the_limit_get_413_and_are_not_kept() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let base = server.base_url("onebound");
    for (url, size) in [
        (
            format!("{base}{ITEM_GET_VIDEO}"),
            DEFAULT_MAX_BODY_BYTES + 1,
        ),
        (format!("{base}/no/such/path"), 50 << 20),
    ] {
        let resp = http.post(&url).body(vec![b'x'; size]).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 413, "{url}");
        let text = resp.text().await.unwrap();
        assert_eq!(
            text,
            format!("413 payload too large: request bodies are limited to {DEFAULT_MAX_BODY_BYTES} bytes")
        );
    }
    let kept: usize = server.requests().iter().map(|r| r.body.len()).sum();
    assert_eq!(kept, 0);
    assert_eq!(server.requests().len(), 2);
    // At the limit the body is read (and this GET route then refuses the method).
    let resp = http
        .post(format!("{base}{ITEM_GET_VIDEO}"))
        .body(vec![b'x'; DEFAULT_MAX_BODY_BYTES])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(
        server.requests().last().unwrap().body.len(),
        DEFAULT_MAX_BODY_BYTES
    );
}

#[tokio::test]
async fn the_request_log_keeps_the_latest_requests_within_its_limits() {
    let server = MockServer::start_with(MockConfig::default().log_limit(100, 64 << 10)).await;
    let http = reqwest::Client::new();
    let base = server.base_url("onebound");
    for i in 0..2_000 {
        let resp = http
            .get(format!("{base}{ITEM_GET_VIDEO}&lang=cn&version={i}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    let log = server.requests();
    assert_eq!(log.len(), 100);
    assert_eq!(server.requests_dropped(), 1_900);
    assert_eq!(
        server.attempts("item_get_video"),
        2_000,
        "counters stay exact"
    );
    // The most recent ones, in order.
    let versions: Vec<String> = log
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(n, _)| n == "version")
                .unwrap()
                .1
        })
        .collect();
    let expected: Vec<String> = (1_900..2_000).map(|i| i.to_string()).collect();
    assert_eq!(versions, expected);

    // The byte limit holds too: 10 KiB bodies, 64 KiB of them at most.
    for _ in 0..20 {
        http.post(format!("{base}/no/such/path"))
            .body(vec![b'y'; 10 << 10])
            .send()
            .await
            .unwrap();
    }
    let log = server.requests();
    let bytes: usize = log.iter().map(|r| r.body.len()).sum();
    assert!(bytes <= 64 << 10, "{bytes}");
    // Oldest first: the bodiless GETs before them went too.
    assert_eq!(log.len(), 6);
    assert!(log.iter().all(|r| r.body.len() == 10 << 10));
}
