//! Refusals in each service's shape: onebound's gateway, the Open Platform's per-endpoint envelopes, the web's
//! empty bodies, and the signature checks (X-Bogus, a_bogus hash bytes and user agent); rate limits and quotas.

use super::*;

#[tokio::test]
async fn onebound_refuses_like_the_gateway() {
    let server = MockServer::start().await;
    let api = |c: &str| Decoded::Api(c.to_owned());
    assert_eq!(
        refusal(&server, "onebound", "item_get_video", &["key"], &[])
            .await
            .1,
        api("4005")
    );
    assert_eq!(
        refusal(
            &server,
            "onebound",
            "item_get_video",
            &[],
            &[("secret", "nope")]
        )
        .await
        .1,
        api("4005")
    );
    assert_eq!(
        refusal(&server, "onebound", "item_get_video", &["item_id"], &[])
            .await
            .1,
        api("4014")
    );
    assert_eq!(
        refusal(
            &server,
            "onebound",
            "item_get_video",
            &[],
            &[("item_id", "")]
        )
        .await
        .1,
        api("4014")
    );
    assert_eq!(
        refusal(
            &server,
            "onebound",
            "item_get_video",
            &[],
            &[("cache", "maybe")]
        )
        .await
        .1,
        api("4003")
    );
    assert_eq!(
        refusal(
            &server,
            "onebound",
            "item_get_video",
            &[],
            &[("lang", "de")]
        )
        .await
        .1,
        api("4003")
    );
    let (_, _, body) = refusal(
        &server,
        "onebound",
        "item_get_video",
        &[],
        &[("key", "wrong")],
    )
    .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error_code"], "4005");
    assert_eq!(
        v["reason"],
        "Invalid authentication credentials: invalid key"
    );
    assert!(
        !String::from_utf8_lossy(&body).contains("wrong"),
        "the mock does not echo credentials"
    );
}

#[tokio::test]
async fn open_platform_refuses_in_each_endpoints_envelope() {
    let server = MockServer::start().await;
    let api = |c: &str| Decoded::Api(c.to_owned());
    // list_comment: token in the `access-token` header, envelope err_no / err_msg.
    let (_, got, body) = refusal(
        &server,
        "open-platform",
        "list_comment",
        &["access-token"],
        &[],
    )
    .await;
    assert_eq!(got, api("28001003"));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["err_no"], 28001003);
    assert_eq!(v["log_id"], "20240101000000MOCKLOGID");
    assert_eq!(
        refusal(&server, "open-platform", "list_comment", &["open_id"], &[])
            .await
            .1,
        api("2100005")
    );
    assert_eq!(
        refusal(
            &server,
            "open-platform",
            "list_comment",
            &[],
            &[("count", "51")]
        )
        .await
        .1,
        api("2100005")
    );
    assert_eq!(
        refusal(
            &server,
            "open-platform",
            "list_comment",
            &[],
            &[("count", "ten")]
        )
        .await
        .1,
        api("2100005")
    );
    assert_eq!(
        refusal(
            &server,
            "open-platform",
            "list_comment",
            &[],
            &[("content-type", "text/plain")]
        )
        .await
        .1,
        api("2100005")
    );
    // media_list: token in the `access_token` query, envelope data.error_code / data.description.
    let (_, got, body) = refusal(
        &server,
        "open-platform",
        "media_list",
        &[],
        &[("access_token", "act.other")],
    )
    .await;
    assert_eq!(got, api("28001003"));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["data"]["error_code"], 28001003);
    assert_eq!(v["extra"]["logid"], "20240101000000MOCKLOGID");
}

/// Every operation whose spec signs it with a_bogus: the mock answers a signature computed as the client computes it
/// and refuses (empty body, as douyin.com does) one whose query hash bytes or user agent hash bytes are another
/// request's, or that is not a signature at all.
#[tokio::test]
async fn every_a_bogus_operation_checks_the_hash_bytes_and_the_user_agent() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let d = table::domain("web").unwrap();
    let ua = server
        .config()
        .credential_value("user_agent")
        .unwrap_or(ANY)
        .to_owned();
    let signed: Vec<&OperationTable> = d
        .operations
        .iter()
        .filter(|o| o.signers.iter().any(|s| s.name == "a_bogus"))
        .collect();
    assert!(
        signed.len() >= 11,
        "{} operations carry a_bogus",
        signed.len()
    );
    for op in signed {
        let ok = request(&http, &server, d, op, &[], &[]);
        let req = ok.try_clone().unwrap().build().unwrap();
        let query = req.url().query().unwrap().to_owned();
        let (unsigned, _) = query
            .rsplit_once("&a_bogus=")
            .unwrap_or_else(|| panic!("{}: a_bogus is the last pair of {query}", op.name));
        let body = req
            .body()
            .and_then(|b| b.as_bytes())
            .unwrap_or_default()
            .to_vec();
        let (status, _, answer) = body_of(ok).await;
        assert_eq!(status, 200, "{}", op.name);
        assert!(
            !answer.is_empty(),
            "{}: its own signature is accepted",
            op.name
        );

        let other_query = signature("a_bogus", &format!("{unsigned}&extra=1"), &body, &ua).1;
        let other_agent = signature("a_bogus", unsigned, &body, "curl/8.5.0").1;
        for (why, bad) in [
            ("query hash of another request", other_query),
            ("user agent hash of another browser", other_agent),
            ("not a signature", "A".repeat(12)),
        ] {
            let mut wrong = req.try_clone().unwrap();
            let encoded: String = form_urlencoded::byte_serialize(bad.as_bytes()).collect();
            wrong
                .url_mut()
                .set_query(Some(&format!("{unsigned}&a_bogus={encoded}")));
            let resp = http.execute(wrong).await.unwrap();
            assert_eq!(resp.status().as_u16(), 200, "{} {why}", op.name);
            let answer = resp.bytes().await.unwrap();
            assert!(answer.is_empty(), "{}: {why} is refused", op.name);
        }
        // X-Bogus in its place is not what the operation's spec asks for.
        let xb = signature("x_bogus", unsigned, &body, &ua).1;
        let mut swapped = req.try_clone().unwrap();
        let encoded: String = form_urlencoded::byte_serialize(xb.as_bytes()).collect();
        swapped
            .url_mut()
            .set_query(Some(&format!("{unsigned}&X-Bogus={encoded}")));
        let answer = http.execute(swapped).await.unwrap().bytes().await.unwrap();
        assert!(answer.is_empty(), "{}: X-Bogus instead of a_bogus", op.name);
    }
}

#[tokio::test]
async fn web_refuses_with_empty_bodies_and_checks_x_bogus() {
    let server = MockServer::start().await;
    for (skip, set) in [
        (&["cookie"][..], &[][..]),
        (&["user-agent"][..], &[][..]),
        (&["msToken"][..], &[][..]),
        (&[][..], &[("cookie", "sessionid=stolen")][..]),
    ] {
        let (status, _, body) = refusal(&server, "web", "comment_list", skip, set).await;
        assert_eq!((status, body.len()), (200, 0), "{skip:?} {set:?}");
    }
    let (_, got, _) = refusal(&server, "web", "comment_list", &["aweme_id"], &[]).await;
    assert_eq!(got, Decoded::Api("2".into()));

    // A signature over another query, and one that is not X-Bogus at all.
    let http = reqwest::Client::new();
    let d = table::domain("web").unwrap();
    let op = d.operation("user_profile_self").unwrap();
    let ok = request(&http, &server, d, op, &[], &[]).build().unwrap();
    let query = ok.url().query().unwrap().to_owned();
    let ua = server
        .config()
        .credential_value("user_agent")
        .unwrap_or(ANY)
        .to_owned();
    for bad in [
        query.replace("msToken=test-ms-token", "msToken=test-ms-token&extra=1"),
        query.replace("X-Bogus=", "X-Bogus=A"),
    ] {
        let url = format!("{}{}?{bad}", server.base_url("web"), op.path);
        let (status, _, body) = body_of(
            http.get(url)
                .header("cookie", "sessionid=test")
                .header("user-agent", &ua),
        )
        .await;
        assert_eq!((status, body.len()), (200, 0), "{bad}");
    }
    let (status, _, body) = body_of(request(&http, &server, d, op, &[], &[])).await;
    assert_eq!(status, 200);
    assert!(!body.is_empty());
}

#[tokio::test]
async fn rate_limit_quota_and_status_scenarios() {
    let server = MockServer::start().await;
    let api = |c: &str| Decoded::Api(c.to_owned());
    server.set_scenario("onebound", "item_get_video", Scenario::RateLimited);
    assert_eq!(
        refusal(&server, "onebound", "item_get_video", &[], &[])
            .await
            .1,
        api("4008")
    );
    server.set_scenario("onebound", "item_get_video", Scenario::Quota);
    assert_eq!(
        refusal(&server, "onebound", "item_get_video", &[], &[])
            .await
            .1,
        api("4013")
    );
    server.set_scenario("open-platform", "media_list", Scenario::Quota);
    assert_eq!(
        refusal(&server, "open-platform", "media_list", &[], &[])
            .await
            .1,
        api("28003017")
    );
    // Open Platform documents no rate-limit code: HTTP 429.
    server.set_scenario("open-platform", "media_list", Scenario::RateLimited);
    assert_eq!(
        refusal(&server, "open-platform", "media_list", &[], &[])
            .await
            .0,
        429
    );
    server.set_scenario("web", "hot_search_list", Scenario::Status(502).times(1));
    assert_eq!(
        refusal(&server, "web", "hot_search_list", &[], &[]).await.0,
        502
    );
    assert_eq!(
        refusal(&server, "web", "hot_search_list", &[], &[]).await.0,
        200
    );
    assert_eq!(server.attempts("hot_search_list"), 2);
}
