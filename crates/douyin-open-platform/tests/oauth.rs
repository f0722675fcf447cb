//! OAuth over loopback against the mock: code exchange, single-flight refresh, refresh-token renewal, restarts with
//! the file store, re-authorization errors, and no secret in any error, log line or Debug output.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use douyin_mock::{MockConfig, MockServer, OAuthConfig};
use douyin_open_platform::{
    AuthError, Client, ClientTokenProvider, FileStore, ListCommentParams, MemoryStore, OAuthApp,
    RefreshPolicy, TokenStore, UserTokenProvider,
};

const KEY: &str = "test-client-key";
const SECRET: &str = "test-client-secret";
const ITEM: &str = "@8hxdhauTCMppanGnM4ltGM780mDqPP+KPpR0qQOmLVAXb/T0==";

fn app(server: &MockServer) -> OAuthApp {
    OAuthApp::new(KEY, SECRET).base_url(server.base_url("open-platform"))
}

async fn mock(oauth: OAuthConfig) -> MockServer {
    MockServer::start_with(MockConfig::default().oauth(oauth)).await
}

/// A provider with a fresh grant (code from the mock, exchanged) kept in `store`.
async fn authorized(
    server: &MockServer,
    store: Arc<dyn TokenStore>,
) -> (Arc<UserTokenProvider>, String) {
    let code = server.authorize("ma.item.comment");
    let provider = Arc::new(UserTokenProvider::new(app(server), store));
    provider
        .exchange_code(&code.clone().into())
        .await
        .expect("code exchange");
    (provider, code)
}

fn client(server: &MockServer, user: &Arc<UserTokenProvider>) -> Client {
    Client::with_oauth(&app(server), Some(user.clone()), None)
}

#[tokio::test]
async fn code_exchange_end_to_end() {
    let server = mock(OAuthConfig::default()).await;
    let store = Arc::new(MemoryStore::new());
    let (provider, code) = authorized(&server, store.clone()).await;

    let sent = &server.requests_to("access_token")[0];
    let form = String::from_utf8_lossy(&sent.body).into_owned();
    assert_eq!(
        sent.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(form.contains(&format!("code={code}")), "{form}");
    assert!(form.contains("grant_type=authorization_code"), "{form}");
    assert!(form.contains(&format!("client_secret={SECRET}")), "{form}");

    let stored = store.load().unwrap().user.expect("tokens stored");
    assert_eq!(stored.scope, "ma.item.comment");
    assert!(stored.access_token.expose().starts_with("act."));
    assert!(stored.refresh_token.expose().starts_with("rft."));
    let lifetime = stored.access_expires_ms - stored.access_obtained_ms;
    assert_eq!(lifetime, 15 * 24 * 3600 * 1000);

    let page = client(&server, &provider)
        .list_comment(&ListCommentParams::new(stored.open_id.clone(), ITEM))
        .await
        .expect("a live token is accepted");
    assert_eq!(page.err_no, Some(0));
    let used = &server.requests_to("list_comment")[0];
    assert_eq!(
        used.header("access-token"),
        Some(stored.access_token.expose())
    );

    // A code works once.
    let again = provider.exchange_code(&code.into()).await.unwrap_err();
    assert!(again.needs_reauthorization(), "{again}");
}

/// 100 concurrent comment-list calls, each of which must succeed.
async fn hundred_calls(client: &Client, open_id: &str) {
    let calls = (0..100).map(|_| {
        let (client, open_id) = (client.clone(), open_id.to_owned());
        tokio::spawn(async move {
            client
                .list_comment(&ListCommentParams::new(open_id, ITEM))
                .await
        })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap()
            .expect("every call succeeds after the refresh");
    }
}

#[tokio::test]
async fn a_hundred_callers_with_an_expired_token_refresh_once() {
    let server = mock(OAuthConfig {
        access_lifetime: Duration::from_secs(1),
        ..OAuthConfig::default()
    })
    .await;
    let (provider, _) = authorized(&server, Arc::new(MemoryStore::new())).await;
    let open_id = provider.tokens().await.unwrap().unwrap().open_id;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    hundred_calls(&client(&server, &provider), &open_id).await;
    assert_eq!(server.attempts("refresh_token"), 1);
    assert_eq!(server.attempts("list_comment"), 100);
}

#[tokio::test]
async fn a_hundred_callers_told_the_token_expired_refresh_once() {
    let server = mock(OAuthConfig::default()).await;
    let (provider, _) = authorized(&server, Arc::new(MemoryStore::new())).await;
    let open_id = provider.tokens().await.unwrap().unwrap().open_id;
    // The provider believes its token has 15 days left; the service says it expired.
    server.expire_access_tokens();

    hundred_calls(&client(&server, &provider), &open_id).await;
    assert_eq!(server.attempts("refresh_token"), 1);
    // Each call was refused once with the old token and answered once with the new one.
    assert_eq!(server.attempts("list_comment"), 200);
}

#[tokio::test]
async fn restart_with_the_file_store_keeps_working() {
    let server = mock(OAuthConfig {
        access_lifetime: Duration::from_secs(1),
        ..OAuthConfig::default()
    })
    .await;
    let dir = std::env::temp_dir().join(format!("douyin-oauth-restart-{}", std::process::id()));
    let path = dir.join("tokens.json");
    let _ = std::fs::remove_dir_all(&dir);
    let (first, _) = authorized(&server, Arc::new(FileStore::new(&path))).await;
    let open_id = first.tokens().await.unwrap().unwrap().open_id;
    drop(first);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // A new process: tokens come from the file, the expired access token is refreshed and saved.
    let second = Arc::new(UserTokenProvider::new(
        app(&server),
        Arc::new(FileStore::new(&path)),
    ));
    client(&server, &second)
        .list_comment(&ListCommentParams::new(open_id.clone(), ITEM))
        .await
        .expect("works after a restart");
    assert_eq!(server.attempts("refresh_token"), 1);
    let third = Arc::new(UserTokenProvider::new(
        app(&server),
        Arc::new(FileStore::new(&path)),
    ));
    client(&server, &third)
        .list_comment(&ListCommentParams::new(open_id, ITEM))
        .await
        .expect("the refreshed token was saved");
    assert_eq!(server.attempts("refresh_token"), 1);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("tokens.json")]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_expired_refresh_token_needs_reauthorization() {
    // Known expired by its lifetime: no call is made.
    let server = mock(OAuthConfig {
        access_lifetime: Duration::from_secs(1),
        refresh_lifetime: Duration::from_secs(1),
        ..OAuthConfig::default()
    })
    .await;
    let (provider, _) = authorized(&server, Arc::new(MemoryStore::new())).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = provider.access_token().await.unwrap_err();
    assert!(
        matches!(err, AuthError::ReauthorizationNeeded { .. }),
        "{err:?}"
    );
    assert_eq!(server.attempts("refresh_token"), 0);

    // Expired on the service's side only: the refresh answers 10010, which is the same typed error.
    let server = mock(OAuthConfig {
        access_lifetime: Duration::from_secs(1),
        ..OAuthConfig::default()
    })
    .await;
    let (provider, _) = authorized(&server, Arc::new(MemoryStore::new())).await;
    server.expire_refresh_tokens();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = provider.access_token().await.unwrap_err();
    assert!(
        matches!(err, AuthError::ReauthorizationNeeded { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("10010"), "{err}");
    assert_eq!(server.attempts("refresh_token"), 1);
}

#[tokio::test]
async fn the_refresh_token_is_renewed_before_it_expires_until_the_limit() {
    let server = mock(OAuthConfig {
        refresh_lifetime: Duration::from_secs(3),
        renew_limit: 1,
        ..OAuthConfig::default()
    })
    .await;
    let store = Arc::new(MemoryStore::new());
    let code = server.authorize("ma.item.comment");
    let policy = RefreshPolicy {
        early: Duration::ZERO,
        renew_before: Duration::from_secs(3600),
    };
    let provider = UserTokenProvider::new(app(&server), store.clone()).policy(policy);
    provider.exchange_code(&code.into()).await.unwrap();
    let before = store.load().unwrap().user.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    provider.access_token().await.unwrap();
    let after = store.load().unwrap().user.unwrap();
    assert_eq!(server.attempts("renew_refresh_token"), 1);
    assert_ne!(after.refresh_token, before.refresh_token);
    assert!(after.refresh_expires_ms > before.refresh_expires_ms);

    // The limit reached, the refresh token is kept (and no renewal is tried again).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    provider.access_token().await.unwrap();
    provider.access_token().await.unwrap();
    assert_eq!(server.attempts("renew_refresh_token"), 2);
    assert_eq!(
        store.load().unwrap().user.unwrap().refresh_token,
        after.refresh_token
    );
}

#[tokio::test]
async fn the_client_token_is_fetched_once_and_cached() {
    let server = mock(OAuthConfig::default()).await;
    let provider = Arc::new(ClientTokenProvider::new(
        app(&server),
        Arc::new(MemoryStore::new()),
    ));
    let calls = (0..50).map(|_| {
        let p = provider.clone();
        tokio::spawn(async move { p.token().await })
    });
    let tokens: Vec<_> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap().token)
        .collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert!(tokens[0].expose().starts_with("clt."));
    assert_eq!(server.attempts("client_token"), 1);
    let sent = &server.requests_to("client_token")[0];
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "client_key": KEY, "client_secret": SECRET, "grant_type": "client_credential" })
    );
    let rec = provider.token().await.unwrap();
    assert_eq!(rec.expires_ms - rec.obtained_ms, 7200 * 1000);
}

/// Collects every log line the providers and the runtime write.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn secrets_never_show_in_errors() {
    // Wrong client secret.
    let server = mock(OAuthConfig::default()).await;
    let code = server.authorize("user_info");
    let wrong = OAuthApp::new(KEY, "wrong-secret-value").base_url(server.base_url("open-platform"));
    let err = UserTokenProvider::new(wrong, Arc::new(MemoryStore::new()))
        .exchange_code(&code.clone().into())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("10013"), "{err}");
    assert_clean(
        "error",
        &format!("{err} {err:?}"),
        &["wrong-secret-value", &code],
    );

    // Reused code, expired refresh token, unreachable service.
    let (provider, used) = authorized(&server, Arc::new(MemoryStore::new())).await;
    let tokens = provider.tokens().await.unwrap().unwrap();
    let secrets = [
        SECRET,
        &used,
        tokens.access_token.expose(),
        tokens.refresh_token.expose(),
    ];
    let reused = provider
        .exchange_code(&used.clone().into())
        .await
        .unwrap_err();
    assert_clean("error", &format!("{reused} {reused:?}"), &secrets);
    server.expire_access_tokens();
    server.expire_refresh_tokens();
    let client = client(&server, &provider);
    // The refresh is refused for good: the call reports the service's expired-token code, later calls the
    // provider's typed verdict without asking the service again.
    let expired = client
        .list_comment(&ListCommentParams::new("x", ITEM))
        .await
        .unwrap_err();
    assert!(expired.to_string().contains("28001008"), "{expired}");
    assert_clean("error", &format!("{expired} {expired:?}"), &secrets);
    let gone = client
        .list_comment(&ListCommentParams::new("x", ITEM))
        .await
        .unwrap_err();
    assert!(
        gone.to_string().contains("re-authorization needed"),
        "{gone}"
    );
    assert_clean("error", &format!("{gone} {gone:?}"), &secrets);
    assert_eq!(server.attempts("refresh_token"), 1);
    assert!(provider
        .access_token()
        .await
        .unwrap_err()
        .needs_reauthorization());
    let offline = OAuthApp::new(KEY, SECRET).base_url("http://127.0.0.1:9");
    let err = offline
        .exchange_code(&used.clone().into())
        .await
        .unwrap_err();
    assert_clean("error", &format!("{err} {err:?}"), &secrets);
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let server = mock(OAuthConfig::default()).await;
    let store = Arc::new(MemoryStore::new());
    let (provider, code) = authorized(&server, store.clone()).await;
    let client_tokens = ClientTokenProvider::new(app(&server), store.clone());
    let clt = client_tokens.token().await.unwrap();
    let tokens = provider.tokens().await.unwrap().unwrap();
    let shown = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        provider,
        client_tokens,
        app(&server),
        tokens,
        clt,
        store.load().unwrap(),
        client(&server, &provider)
    );
    assert_clean(
        "Debug",
        &shown,
        &[
            SECRET,
            &code,
            tokens.access_token.expose(),
            tokens.refresh_token.expose(),
            clt.token.expose(),
        ],
    );
    assert!(shown.contains("open_id"), "{shown}");
}

#[test]
fn secrets_never_show_in_log_lines() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (secrets, lines) = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = mock(OAuthConfig {
                access_lifetime: Duration::from_secs(1),
                ..OAuthConfig::default()
            })
            .await;
            let (provider, code) = authorized(&server, Arc::new(MemoryStore::new())).await;
            let first = provider.tokens().await.unwrap().unwrap();
            tokio::time::sleep(Duration::from_millis(1100)).await;
            client(&server, &provider)
                .list_comment(&ListCommentParams::new(first.open_id.clone(), ITEM))
                .await
                .unwrap();
            server.expire_access_tokens();
            client(&server, &provider)
                .list_comment(&ListCommentParams::new(first.open_id.clone(), ITEM))
                .await
                .unwrap();
            let last = provider.tokens().await.unwrap().unwrap();
            let secrets = vec![
                SECRET.to_owned(),
                code,
                first.access_token.expose().to_owned(),
                last.access_token.expose().to_owned(),
                first.refresh_token.expose().to_owned(),
            ];
            (
                secrets,
                String::from_utf8(logs.0.lock().unwrap().clone()).unwrap(),
            )
        })
    });
    assert!(lines.contains("access token refreshed"), "{lines}");
    assert!(
        lines.contains("credential expired; refreshed, retrying"),
        "{lines}"
    );
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_clean("log", &lines, &secrets);
}

#[test]
fn the_authorization_url_carries_the_documented_parameters() {
    let app = OAuthApp::new("tt10abc", "s");
    let state = douyin_open_platform::random_state();
    assert_eq!(state.len(), 32);
    assert_ne!(state, douyin_open_platform::random_state());
    let url = app.authorization_url(
        &["user_info", "video.list"],
        "https://example.com/cb?x=1",
        &state,
    );
    assert_eq!(
        url,
        format!(
            "https://open.douyin.com/platform/oauth/connect/?client_key=tt10abc&response_type=code&\
             scope=user_info%2Cvideo.list&redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&state={state}"
        )
    );
    let sandbox = douyin_open_platform::ALTERNATIVE_BASE_URLS
        .iter()
        .find(|(n, _)| *n == "sandbox")
        .map(|(_, u)| *u);
    assert_eq!(sandbox, Some("https://open-sandbox.douyin.com"));
    let url =
        app.base_url(sandbox.unwrap())
            .authorization_url(&["user_info"], "https://e.com/", "");
    assert!(
        url.starts_with("https://open-sandbox.douyin.com/platform/oauth/connect/?"),
        "{url}"
    );
    assert!(!url.contains("state="), "{url}");
}

#[tokio::test]
async fn a_provider_alone_serves_as_the_clients_credentials() {
    let server = mock(OAuthConfig::default()).await;
    let store = Arc::new(MemoryStore::new());
    let (provider, _) = authorized(&server, store.clone()).await;
    let open_id = provider.tokens().await.unwrap().unwrap().open_id;
    let client: Client = Client::builder()
        .base_url(server.base_url("open-platform"))
        .credentials(UserTokenProvider::new(app(&server), store))
        .build()
        .unwrap()
        .into();
    server.expire_access_tokens();
    client
        .list_comment(&ListCommentParams::new(open_id, ITEM))
        .await
        .expect("refreshed through the provider's own Credentials impl");
    assert_eq!(server.attempts("refresh_token"), 1);
}
