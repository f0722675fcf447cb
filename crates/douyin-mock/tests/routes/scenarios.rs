//! Scenarios and the server's record: an expired token until a new one arrives, scenarios that do not fit their
//! route, the request log and configured port, and the OAuth authorization page's single-use code.

use super::*;

#[tokio::test]
async fn expired_token_until_another_token_arrives() {
    let server = MockServer::start().await;
    server.set_scenario(
        "open-platform",
        "list_comment",
        Scenario::ExpiredToken { fresh: None },
    );
    let (_, got, _) = refusal(
        &server,
        "open-platform",
        "list_comment",
        &[],
        &[("access-token", "act.old")],
    )
    .await;
    assert_eq!(got, Decoded::Api("28001008".into()));
    let (_, got, _) = refusal(
        &server,
        "open-platform",
        "list_comment",
        &[],
        &[("access-token", "act.old")],
    )
    .await;
    assert_eq!(got, Decoded::Api("28001008".into()));
    let (_, got, _) = refusal(
        &server,
        "open-platform",
        "list_comment",
        &[],
        &[("access-token", "act.new")],
    )
    .await;
    assert!(matches!(got, Decoded::Ok(_)), "{got:?}");
    server.set_scenario(
        "open-platform",
        "media_list",
        Scenario::ExpiredToken {
            fresh: Some("act.fresh".into()),
        },
    );
    let (_, got, _) = refusal(
        &server,
        "open-platform",
        "media_list",
        &[],
        &[("access_token", "act.new")],
    )
    .await;
    assert_eq!(got, Decoded::Api("28001008".into()));
    let (_, got, _) = refusal(
        &server,
        "open-platform",
        "media_list",
        &[],
        &[("access_token", "act.fresh")],
    )
    .await;
    assert!(matches!(got, Decoded::Ok(_)), "{got:?}");
}

#[tokio::test]
#[should_panic(expected = "does not paginate")]
async fn scenarios_that_do_not_fit_the_route_are_refused() {
    let server = MockServer::start().await;
    server.set_scenario(
        "onebound",
        "item_get_video",
        Scenario::Pages {
            pages: 1,
            page_size: 1,
        },
    );
}

#[tokio::test]
async fn requests_are_recorded_exactly_and_the_config_port_is_used() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let server = MockServer::start_with(MockConfig::default().port(port)).await;
    assert_eq!(
        server.base_url("open-platform"),
        format!("http://127.0.0.1:{port}/open-platform")
    );
    let http = reqwest::Client::new();
    let url = format!(
        "{}/enterprise/media/list/?open_id=a%2Bb+c&access_token=act.test",
        server.base_url("open-platform")
    );
    body_of(http.get(url).header("x-test", "1")).await;
    let r = &server.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/open-platform/enterprise/media/list/");
    assert_eq!(
        r.query.as_deref(),
        Some("open_id=a%2Bb+c&access_token=act.test")
    );
    assert_eq!(
        r.query_pairs()[0],
        ("open_id".to_owned(), "a+b c".to_owned())
    );
    assert_eq!(r.header("x-test"), Some("1"));
    assert_eq!(
        (r.domain, r.operation),
        (Some("open-platform"), Some("media_list"))
    );
    server.reset();
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_authorization_page_redirects_with_a_single_use_code() {
    let server = MockServer::start().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = server.base_url("open-platform");
    let page = format!(
        "{base}/platform/oauth/connect/?client_key=test-client-key&response_type=code&scope=user_info&\
         redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=s1"
    );
    let resp = http.get(&page).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let rest = location
        .strip_prefix("https://app.example/cb?code=")
        .expect(&location);
    let (code, state) = rest.split_once("&state=").unwrap();
    assert_eq!(state, "s1");
    let exchange = || {
        http.post(format!("{base}/oauth/access_token/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "client_key=test-client-key&client_secret=test-client-secret&code={code}&grant_type=authorization_code"
            ))
    };
    let first: Value =
        serde_json::from_slice(&exchange().send().await.unwrap().bytes().await.unwrap()).unwrap();
    assert_eq!(first["data"]["error_code"], 0);
    assert_eq!(first["data"]["scope"], "user_info");
    let again: Value =
        serde_json::from_slice(&exchange().send().await.unwrap().bytes().await.unwrap()).unwrap();
    assert_eq!(again["data"]["error_code"], 10007);
    // A wrong client key gets no code.
    let wrong = page.replace("test-client-key", "other");
    assert_eq!(
        http.get(&wrong).send().await.unwrap().status().as_u16(),
        400
    );
}
