//! End to end, over loopback HTTP: a web client spreading its searches over three identities against the mock.
//! The mock refuses one identity's cookie with a captcha (the search's `verify_check` answer): that identity rests (reported), the request moves on and
//! the others carry the crawl; when every identity is refused the operation's breaker opens, and its typed error
//! names the endpoint and says until when, without another request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use douyin_core::{CrawlEvent, Identity, RefusalKind, RiskSignal};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_web::{Client, Error, GeneralSearchSingleParams, RetryPolicy, WebSession, XBogusSigner};

const UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/117.0.0.0 Safari/537.36 Edg/117.0.2045.60";
const NAMES: [&str; 3] = ["alice", "bob", "carol"];

fn session(name: &str) -> WebSession {
    WebSession::new(format!("sessionid={name}"), UA).ms_token("test-ms-token")
}

/// The identity each search request was sent with, by its cookie.
fn senders(server: &MockServer) -> Vec<String> {
    server
        .requests_to("general_search_single")
        .iter()
        .map(|r| {
            let cookie = r.header("cookie").unwrap_or_default();
            NAMES
                .iter()
                .find(|n| cookie.contains(&format!("sessionid={n}")))
                .map_or_else(|| format!("unknown cookie {cookie}"), |n| n.to_string())
        })
        .collect()
}

#[tokio::test]
async fn a_refused_identity_rests_the_others_go_on_and_the_breaker_opens_when_all_are_refused() {
    let mut config = MockConfig::default().credential("user_agent", UA);
    // Any cookie is a session here: the three identities differ by it.
    config.credentials.remove("cookie");
    let server = MockServer::start_with(config).await;
    server.set_scenario(
        "web",
        "general_search_single",
        "refused:captcha@sessionid=alice".parse().unwrap(),
    );
    let events = Arc::new(Mutex::new(Vec::<CrawlEvent>::new()));
    let seen = events.clone();
    let mut builder = douyin_web::builder(session("alice"), XBogusSigner::default())
        .base_url(server.base_url("web"))
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            jitter: false,
            ..RetryPolicy::default()
        })
        // The spec's 0.2 requests/s per identity, a thousand times faster: the test is about who is asked.
        .pacing_scale(1000.0)
        .on_crawl_event(move |e| seen.lock().unwrap().push(e.clone()));
    for name in NAMES {
        builder = builder.identity(Identity::new(name, session(name)));
    }
    let client: Client = builder.build().unwrap().into();
    let params = GeneralSearchSingleParams::new("美食");

    for _ in 0..6 {
        client.general_search_single(&params).await.unwrap();
    }
    let asked = senders(&server);
    assert_eq!(asked[0], "alice", "identities take turns from the first");
    assert_eq!(
        asked.iter().filter(|n| *n == "alice").count(),
        1,
        "a refused identity rests: {asked:?}"
    );
    assert_eq!(asked.len(), 7, "six answers, one refusal: {asked:?}");
    assert!(asked.contains(&"bob".to_owned()) && asked.contains(&"carol".to_owned()));
    {
        let events = events.lock().unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        match &events[0] {
            CrawlEvent::CooledDown {
                identity,
                operation,
                signal,
                rest,
                strikes,
            } => {
                assert_eq!(
                    (identity.as_str(), *operation, *signal, *strikes),
                    ("alice", "general_search_single", RiskSignal::Captcha, 1)
                );
                assert_eq!(*rest, Duration::from_secs(120), "the spec's first cooldown");
            }
            other => panic!("{other:?}"),
        }
    }
    let status = client.core().crawl().unwrap().status();
    assert!(status.identities[0].resting_until.is_some());
    assert!(status.identities[1..]
        .iter()
        .all(|i| i.resting_until.is_none()));
    assert!(status.open_breakers.is_empty());

    // Now every identity is refused: the two that are not resting are asked, and the third refusal from a third
    // identity opens the breaker (the spec: 3 refusals from at least 2 identities).
    server.set_scenario(
        "web",
        "general_search_single",
        Scenario::Refused(RefusalKind::Captcha),
    );
    let before = server.requests_to("general_search_single").len();
    let err = client.general_search_single(&params).await.unwrap_err();
    let Error::CircuitOpen {
        operation,
        until,
        refusals,
        identities,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*operation, *refusals, *identities),
        ("general_search_single", 3, 3)
    );
    assert!(*until > std::time::SystemTime::now());
    assert_eq!(
        server.requests_to("general_search_single").len(),
        before + 2
    );
    let text = err.to_string();
    assert!(
        text.starts_with("circuit breaker of `general_search_single` open until 20"),
        "{text}"
    );

    // Open: the next call fails at once, sending nothing.
    let again = client.general_search_single(&params).await.unwrap_err();
    assert!(
        matches!(
            again,
            Error::CircuitOpen {
                operation: "general_search_single",
                ..
            }
        ),
        "{again:?}"
    );
    assert_eq!(
        server.requests_to("general_search_single").len(),
        before + 2
    );
    let status = client.core().crawl().unwrap().status();
    assert_eq!(status.open_breakers.len(), 1);
    assert!(status.identities.iter().all(|i| i.resting_until.is_some()));
    assert!(events.lock().unwrap().iter().any(|e| matches!(
        e,
        CrawlEvent::BreakerOpened {
            operation: "general_search_single",
            ..
        }
    )));
}
