//! End to end, over loopback HTTP: a douyin.com session from nothing. An empty cookie is bootstrapped through the
//! generated ttwid, msToken and webid operations (each on its own host in production, all on the one mock here) and
//! the resulting session makes a signed call that the mock accepts; the token service failing falls back to a
//! generated msToken; no issued value shows in Debug or in errors.

use std::time::{Duration, SystemTime};

use douyin_mock::{issued_cookie_value, MockConfig, MockServer, RecordedRequest, Scenario};
use douyin_web::bootstrap::{Bootstrap, BootstrapError, MsTokenSource};
use douyin_web::{AwemePostParams, Client, RetryPolicy, WebSession, XBogusSigner};

const UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/117.0.0.0 Safari/537.36 Edg/117.0.2045.60";
const SEC_USER_ID: &str = "MS4wLjABAAAAWP5yJJm9n_Nmmk0E";

/// A mock that takes any non-empty cookie and msToken (a bootstrapped session's are new), the test's user agent.
async fn server() -> MockServer {
    let mut config = MockConfig::default().credential("user_agent", UA);
    config.credentials.remove("cookie");
    config.credentials.remove("ms_token");
    MockServer::start_with(config).await
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        jitter: false,
        ..RetryPolicy::default()
    }
}

fn bootstrap(server: &MockServer) -> Bootstrap {
    Bootstrap::new()
        .base_url(server.base_url("web"))
        .retry(fast())
}

fn client(server: &MockServer, session: WebSession) -> Client {
    douyin_web::builder(session, XBogusSigner::default())
        .base_url(server.base_url("web"))
        .retry(fast())
        .build()
        .unwrap()
        .into()
}

/// The `name=value` pairs of a recorded request's Cookie header.
fn cookie_pairs(r: &RecordedRequest) -> Vec<(String, String)> {
    r.header("cookie")
        .unwrap_or_default()
        .split("; ")
        .filter_map(|p| p.split_once('='))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn query(r: &RecordedRequest, name: &str) -> Option<String> {
    r.query_pairs()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

#[tokio::test]
async fn an_empty_cookie_is_bootstrapped_and_makes_a_signed_call() {
    let server = server().await;
    let (session, outcome) = bootstrap(&server)
        .run(WebSession::new("", UA))
        .await
        .unwrap();
    assert_eq!(outcome.ms_token, MsTokenSource::Issued);
    let year = SystemTime::now() + Duration::from_secs(31_536_000);
    let expires = outcome.expires.expect("the mock sets Max-Age");
    assert!(
        expires <= year && expires > year - Duration::from_secs(60),
        "{expires:?}"
    );
    assert!(!outcome.needs_refresh(SystemTime::now(), Duration::from_secs(3600)));

    let resp = client(&server, session)
        .aweme_post(&AwemePostParams::new(SEC_USER_ID))
        .await
        .unwrap();
    assert_eq!(resp.aweme_list.map(|l| l.len()), Some(18));

    // The bootstrap calls carried the user agent only: no cookie, no msToken, no browser profile, no signature.
    let (ttwid, ms_token) = (
        issued_cookie_value("ttwid", 1),
        issued_cookie_value("msToken", 1),
    );
    for op in ["ttwid_register", "mssdk_token", "webid"] {
        let reqs = server.requests_to(op);
        assert_eq!(reqs.len(), 1, "{op}");
        let r = &reqs[0];
        assert_eq!(r.header("user-agent"), Some(UA), "{op}");
        assert_eq!(r.header("cookie"), None, "{op}");
        for absent in ["msToken", "X-Bogus", "device_platform", "browser_name"] {
            assert!(
                op == "webid" && absent == "device_platform" || query(r, absent).is_none(),
                "{op} sent {absent}"
            );
        }
    }
    let register: serde_json::Value =
        serde_json::from_slice(&server.requests_to("ttwid_register")[0].body).unwrap();
    assert_eq!(
        register,
        serde_json::json!({"region":"cn","aid":1768,"needFid":false,"service":"www.ixigua.com",
            "migrate_info":{"ticket":"","source":"node"},"cbUrlProtocol":"https","union":true})
    );
    let token_body: serde_json::Value =
        serde_json::from_slice(&server.requests_to("mssdk_token")[0].body).unwrap();
    assert_eq!(token_body["magic"], 538969122);
    assert!(token_body["tspFromClient"].as_i64().unwrap() > 1_700_000_000_000);

    // The signed call carried what the bootstrap obtained.
    let call = &server.requests_to("aweme_post")[0];
    let cookies = cookie_pairs(call);
    let names: Vec<&str> = cookies.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ttwid", "msToken", "s_v_web_id"]);
    assert_eq!(cookies[0].1, ttwid);
    assert_eq!(cookies[1].1, ms_token);
    assert!(cookies[2].1.starts_with("verify_"), "{}", cookies[2].1);
    assert_eq!(query(call, "msToken").as_deref(), Some(ms_token.as_str()));
    assert_eq!(query(call, "webid").as_deref(), Some("7300000000000000001"));
    assert_eq!(query(call, "verifyFp").as_ref(), Some(&cookies[2].1));
    assert_eq!(query(call, "fp").as_ref(), Some(&cookies[2].1));
    assert!(query(call, "X-Bogus").is_some());
}

#[tokio::test]
async fn a_failing_token_service_falls_back_to_a_generated_ms_token() {
    let server = server().await;
    server.set_scenario("web", "mssdk_token", Scenario::Status(503));
    let (session, outcome) = bootstrap(&server)
        .run(WebSession::new("", UA))
        .await
        .unwrap();
    match &outcome.ms_token {
        MsTokenSource::Generated { reason } => assert!(reason.contains("503"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.attempts("mssdk_token"),
        2,
        "retried once, then fell back"
    );
    client(&server, session)
        .aweme_post(&AwemePostParams::new(SEC_USER_ID))
        .await
        .unwrap();
    let call = &server.requests_to("aweme_post")[0];
    let cookies = cookie_pairs(call);
    let token = &cookies.iter().find(|(n, _)| n == "msToken").unwrap().1;
    assert_eq!(token.len(), douyin_web::session::MS_TOKEN_LEN);
    assert_eq!(query(call, "msToken").as_ref(), Some(token));
    assert_eq!(
        cookies[0],
        ("ttwid".to_owned(), issued_cookie_value("ttwid", 1))
    );

    // A token answer without the cookie (an empty body is a refusal) falls back the same way.
    server.set_scenario("web", "mssdk_token", Scenario::EmptyBody);
    let (_, outcome) = bootstrap(&server)
        .run(WebSession::new("", UA))
        .await
        .unwrap();
    assert!(matches!(outcome.ms_token, MsTokenSource::Generated { .. }));
}

#[tokio::test]
async fn a_second_bootstrap_replaces_the_tokens_and_no_value_leaks() {
    let server = server().await;
    let (first, _) = bootstrap(&server)
        .run(WebSession::new("sessionid=kept", UA))
        .await
        .unwrap();
    let (second, _) = bootstrap(&server).run(first).await.unwrap();
    client(&server, second.clone())
        .aweme_post(&AwemePostParams::new(SEC_USER_ID))
        .await
        .unwrap();
    let cookies = cookie_pairs(&server.requests_to("aweme_post")[0]);
    let names: Vec<&str> = cookies.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["sessionid", "ttwid", "msToken", "s_v_web_id"],
        "replaced, not repeated"
    );
    assert_eq!(cookies[0].1, "kept");
    assert_eq!(cookies[1].1, issued_cookie_value("ttwid", 2));
    assert_eq!(cookies[2].1, issued_cookie_value("msToken", 2));

    let shown = format!("{second:?}");
    for value in [
        &cookies[1].1,
        &cookies[2].1,
        &cookies[3].1,
        &"kept".to_owned(),
    ] {
        assert!(!shown.contains(value.as_str()), "{shown}");
    }
    let issued = client(&server, WebSession::new("", UA))
        .ttwid_register_with_cookies(&douyin_web::TtwidRegisterParams::new())
        .await
        .unwrap();
    let ttwid = issued.cookie("ttwid").unwrap();
    assert_eq!(ttwid.value().expose(), issued_cookie_value("ttwid", 3));
    assert!(!format!("{issued:?}").contains(ttwid.value().expose()));
}

#[tokio::test]
async fn a_failing_ttwid_service_is_a_typed_error_without_values() {
    let server = server().await;
    server.set_scenario("web", "ttwid_register", Scenario::Status(500));
    let err = bootstrap(&server)
        .run(WebSession::new("sessionid=SECRETCOOKIE", UA))
        .await
        .unwrap_err();
    assert!(matches!(err, BootstrapError::Ttwid(_)), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("500") && !text.contains("SECRETCOOKIE"),
        "{text}"
    );
    assert_eq!(server.attempts("webid"), 0, "nothing after the failed step");

    server.set_scenario("web", "ttwid_register", Scenario::Success);
    server.set_scenario(
        "web",
        "webid",
        Scenario::Raw {
            status: 200,
            content_type: "application/json".to_owned(),
            body: br#"{"e":0}"#.to_vec(),
        },
    );
    let err = bootstrap(&server)
        .run(WebSession::new("", UA))
        .await
        .unwrap_err();
    assert!(matches!(err, BootstrapError::NoWebid), "{err:?}");
}

/// The mock as it starts by default (it checks the cookie and msToken against its configured values) accepts a
/// session it bootstrapped itself, and still refuses a cookie it never issued.
#[tokio::test]
async fn the_default_mock_accepts_the_session_it_bootstrapped() {
    let server = MockServer::start_with(MockConfig::default().credential("user_agent", UA)).await;
    let (session, _) = bootstrap(&server)
        .run(WebSession::new("", UA))
        .await
        .unwrap();
    let resp = client(&server, session)
        .aweme_post(&AwemePostParams::new(SEC_USER_ID))
        .await
        .unwrap();
    assert_eq!(resp.aweme_list.map(|l| l.len()), Some(18));

    let stranger = WebSession::new("ttwid=never-issued", UA).ms_token("never-issued-either");
    let err = client(&server, stranger)
        .aweme_post(&AwemePostParams::new(SEC_USER_ID))
        .await
        .unwrap_err();
    assert!(matches!(err, douyin_core::Error::Blocked(_)), "{err:?}");
}
