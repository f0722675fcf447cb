//! Successes: every route's valid request answered with a body the generated types decode, the web captures, the
//! documented examples byte for byte, 404/405, pagination paths and text formats.

use super::*;

#[tokio::test]
async fn every_route_answers_a_valid_request_with_a_success_the_generated_types_decode() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let mut count = 0;
    for (d, op) in all_ops() {
        // The OAuth token endpoints answer with tokens they issue, for codes and refresh tokens they issued
        // (crates/douyin-open-platform/tests/oauth.rs walks them).
        if OAUTH_OPS.contains(&op.name) {
            continue;
        }
        let (status, ct, body) = body_of(request(&http, &server, d, op, &[], &[])).await;
        assert_eq!(
            status,
            200,
            "{}/{}: {}",
            d.name,
            op.name,
            String::from_utf8_lossy(&body)
        );
        assert!(
            ct.starts_with("application/json"),
            "{}/{}: {ct}",
            d.name,
            op.name
        );
        match decode(d.name, op.name, &body) {
            Decoded::Ok(_) => {}
            other => panic!("{}/{}: {other:?}", d.name, op.name),
        }
        if let Some(ex) = op.ok_example() {
            assert_eq!(
                &body[..],
                ex.body.as_bytes(),
                "{}/{} serves {}",
                d.name,
                op.name,
                ex.file
            );
        }
        count += 1;
    }
    assert_eq!(server.requests().len(), count);
    assert!(count >= 13, "{count} routes");
}

#[tokio::test]
async fn web_successes_are_the_real_captures() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let web = table::domain("web").unwrap();
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/web/captures");
    let post = web.operation("aweme_post").unwrap();
    let (_, _, body) = body_of(request(&http, &server, web, post, &[], &[])).await;
    assert_eq!(
        &body[..],
        &std::fs::read(fixtures.join("web-aweme-post.json")).unwrap()[..]
    );
    let Decoded::Ok(v) = decode("web", "aweme_post", &body) else {
        panic!("aweme_post capture does not decode")
    };
    assert_eq!(v["aweme_list"].as_array().unwrap().len(), 18);

    let emoji = web.operation("emoji_list").unwrap();
    let (_, _, body) = body_of(request(&http, &server, web, emoji, &[], &[])).await;
    let Decoded::Ok(v) = decode("web", "emoji_list", &body) else {
        panic!("emoji list does not decode")
    };
    assert_eq!(v["emoji_list"].as_array().unwrap().len(), 222);
    assert_eq!(v["emoji_list"][0]["display_name"], "[微笑]");

    let feed = web.operation("tab_feed").unwrap();
    let (_, _, body) = body_of(request(&http, &server, web, feed, &[], &[])).await;
    let Decoded::Ok(v) = decode("web", "tab_feed", &body) else {
        panic!("tab feed does not decode")
    };
    assert_eq!(v["aweme_list"].as_array().unwrap().len(), 9);
    assert_eq!(v["has_more"], 1);
}

#[tokio::test]
async fn every_documented_example_is_served_byte_for_byte_and_decodes_as_documented() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let mut served = 0;
    for (d, op) in all_ops() {
        for (i, ex) in op.examples.iter().enumerate() {
            server.set_scenario(d.name, op.name, Scenario::Example(i));
            let (status, _, body) = body_of(request(&http, &server, d, op, &[], &[])).await;
            assert_eq!(status, 200);
            assert_eq!(&body[..], ex.body.as_bytes(), "{}", ex.file);
            let got = decode(d.name, op.name, &body);
            match ex.expect {
                Expect::Ok => assert!(matches!(got, Decoded::Ok(_)), "{}: {got:?}", ex.file),
                Expect::ApiError(code) => {
                    assert_eq!(got, Decoded::Api(code.to_owned()), "{}", ex.file)
                }
                Expect::Artifact { path } => {
                    assert_eq!(got, Decoded::Decode(path.to_owned()), "{}", ex.file)
                }
            }
            served += 1;
        }
    }
    assert_eq!(served, 15, "onebound 2, open-platform 13");
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let base = server.base_url("onebound");
    let (status, _, _) = body_of(http.get(format!("{base}/douyin/item_get_nothing/"))).await;
    assert_eq!(status, 404);
    let (status, _, _) = body_of(http.get(format!(
        "http://{}/elsewhere/douyin/item_get_video/",
        server.addr()
    )))
    .await;
    assert_eq!(status, 404);
    let resp = http
        .post(format!("{base}/douyin/item_get_video/"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers()["allow"], "GET");
    let web = server.base_url("web");
    let resp = http
        .get(format!("{web}/aweme/v1/web/im/user/info/"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers()["allow"], "POST");
    // Routed nowhere: recorded, but no operation counts an attempt.
    assert_eq!(server.requests().len(), 4);
    assert_eq!(server.requests()[0].operation, None);
    assert_eq!(server.attempts("item_get_video"), 0);
}

#[tokio::test]
async fn pages_follow_each_operations_pagination_paths() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let mut paged = 0;
    for (d, op) in all_ops() {
        let Some(pg) = &op.pagination else { continue };
        server.set_scenario(
            d.name,
            op.name,
            Scenario::Pages {
                pages: 2,
                page_size: 3,
            },
        );
        let mut ids = Vec::new();
        for (cursor, more) in [("0", true), ("3", false)] {
            let (_, _, body) = body_of(request(
                &http,
                &server,
                d,
                op,
                &[],
                &[(pg.cursor_param, cursor)],
            ))
            .await;
            let Decoded::Ok(v) = decode(d.name, op.name, &body) else {
                panic!("{}/{} page does not decode", d.name, op.name)
            };
            let at = |path: &str| path.split('.').fold(&v, |v, s| &v[s]).clone();
            let items = at(pg.items);
            assert_eq!(items.as_array().unwrap().len(), 3, "{}/{}", d.name, op.name);
            let id = pg
                .item_id
                .expect("every paginated item has an id-like field");
            ids.extend(
                items
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| id.path.split('.').fold(i, |v, s| &v[s]).clone()),
            );
            assert_eq!(at(pg.next_cursor), cursor.parse::<i64>().unwrap() + 3);
            let flag = at(pg.has_more.path);
            assert!(flag == more || flag == i64::from(more), "{flag}");
        }
        let distinct: std::collections::BTreeSet<String> =
            ids.iter().map(Value::to_string).collect();
        assert!(
            ids.iter().all(|i| !i.is_null()),
            "{}/{}: {ids:?}",
            d.name,
            op.name
        );
        assert_eq!(distinct.len(), 6, "{}/{}: {ids:?}", d.name, op.name);
        paged += 1;
    }
    assert_eq!(paged, 17);
}

#[tokio::test]
async fn text_formats_answer_with_text() {
    let server = MockServer::start().await;
    let http = reqwest::Client::new();
    let d = table::domain("onebound").unwrap();
    let op = d.operation("item_get_video").unwrap();
    let (_, ct, body) = body_of(request(
        &http,
        &server,
        d,
        op,
        &[],
        &[("result_type", "xml")],
    ))
    .await;
    assert_eq!(ct, "text/xml; charset=utf-8");
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(
        text.contains("<num_iid>7118694749548072205</num_iid>"),
        "{text}"
    );
    let (_, _, body) = body_of(request(
        &http,
        &server,
        d,
        op,
        &[],
        &[("result_type", "serialize")],
    ))
    .await;
    assert!(
        String::from_utf8_lossy(&body).contains("s:7:\"num_iid\";s:19:\"7118694749548072205\";")
    );
    let (_, _, body) = body_of(request(
        &http,
        &server,
        d,
        op,
        &[],
        &[("result_type", "var_export")],
    ))
    .await;
    assert!(String::from_utf8_lossy(&body).contains("'num_iid' => '7118694749548072205',"));
}
