//! The OAuth walk from the command line, against the mock over loopback: with only the client key and secret in
//! the environment, `auth url` → the mock's authorization page → `auth exchange` → list comments → an access-token
//! expiry survived with one refresh → `auth status` shows the new expiry; no secret, code or token in any output.

mod common;

use std::time::Duration;

use common::{douyin, run, Run, TempDir};
use douyin_mock::{MockConfig, MockServer, OAuthConfig};
use serde_json::Value;

const KEY: &str = "ttKEY-0c7e51a9";
const SECRET: &str = "SECRET-d2f94b18e6";
const ITEM: &str = "@8hxdhauTCMppanGnM4ltGM780mDqPP+KPpR0qQOmLVAXb/T0==";

struct Mock {
    server: MockServer,
    rt: tokio::runtime::Runtime,
}

fn mock(oauth: OAuthConfig) -> Mock {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = MockConfig::default()
        .credential("client_key", KEY)
        .credential("client_secret", SECRET)
        .oauth(oauth);
    let server = rt.block_on(MockServer::start_with(config));
    Mock { server, rt }
}

fn cli(home: &TempDir, m: &Mock, args: &[&str]) -> Run {
    let base = m.server.base_url("open-platform");
    let env = [
        ("DOUYIN_OPEN_PLATFORM_CLIENT_KEY", KEY),
        ("DOUYIN_OPEN_PLATFORM_CLIENT_SECRET", SECRET),
        ("DOUYIN_OPEN_PLATFORM_BASE_URL", base.as_str()),
    ];
    let mut cmd = douyin(home.path(), &env);
    cmd.arg("open-platform").args(args).arg("--compact");
    run(cmd)
}

fn ok(r: &Run) -> &Run {
    assert_eq!(
        r.code,
        Some(0),
        "stdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
    r
}

fn json(r: &Run) -> Value {
    serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// What the mock's authorization page redirects to, as the user's browser would follow it.
fn follow(m: &Mock, url: &str) -> (String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let location = m.rt.block_on(async {
        let resp = http.get(url).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 302, "{url}");
        resp.headers()["location"].to_str().unwrap().to_owned()
    });
    let query = location.split_once('?').expect("a query").1;
    let pairs: Vec<(String, String)> = query
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).unwrap().1.clone();
    (get("code"), get("state"))
}

#[test]
fn authorize_exchange_list_survive_expiry_and_show_status() {
    let m = mock(OAuthConfig {
        access_lifetime: Duration::from_secs(2),
        ..OAuthConfig::default()
    });
    let home = TempDir::new("auth-walk");
    let mut outputs = String::new();
    let mut keep = |r: &Run| outputs.push_str(&format!("{}\n{}\n", r.stdout, r.stderr));

    // 1. The authorization URL, with a random state.
    let url_run = cli(
        &home,
        &m,
        &[
            "auth",
            "url",
            "--scope",
            "ma.item.comment,user_info",
            "--redirect-uri",
            "https://app.example/cb",
        ],
    );
    ok(&url_run);
    keep(&url_run);
    let url = url_run.stdout.trim().to_owned();
    assert!(
        url.starts_with(&format!(
            "{}/platform/oauth/connect/?client_key={KEY}&response_type=code&",
            m.server.base_url("open-platform")
        )),
        "{url}"
    );
    assert!(url.contains("scope=ma.item.comment%2Cuser_info"), "{url}");
    let state = url.rsplit_once("state=").unwrap().1.to_owned();
    assert_eq!(state.len(), 32, "{url}");
    assert!(url_run.stderr.contains(&state));

    // 2. The user approves: the redirect carries the code and our state.
    let (code, returned_state) = follow(&m, &url);
    assert_eq!(returned_state, state);

    // 3. Exchange: tokens stored, only expiry shown.
    let exchanged = cli(&home, &m, &["auth", "exchange", "--code", &code]);
    ok(&exchanged);
    keep(&exchanged);
    let status = json(&exchanged);
    let open_id = status["user"]["open_id"].as_str().unwrap().to_owned();
    assert_eq!(
        status["user"]["scope"],
        serde_json::json!(["ma.item.comment", "user_info"])
    );
    let first_expiry = status["user"]["access_token"]["expires_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let token_file = home.path().join("douyin/open-platform-tokens.json");
    let stored: Value = serde_json::from_slice(&std::fs::read(&token_file).unwrap()).unwrap();
    let first_access = stored["user"]["access_token"].as_str().unwrap().to_owned();
    let refresh = stored["user"]["refresh_token"].as_str().unwrap().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // 4. List comments with the stored token.
    let listed = cli(
        &home,
        &m,
        &["list-comment", "--open-id", &open_id, "--item-id", ITEM],
    );
    ok(&listed);
    keep(&listed);
    assert_eq!(json(&listed)["err_no"], 0);
    assert_eq!(
        m.server.requests_to("list_comment")[0].header("access-token"),
        Some(first_access.as_str())
    );
    assert_eq!(m.server.attempts("refresh_token"), 0);

    // 5. The access token expires; the next call refreshes once and goes through.
    std::thread::sleep(Duration::from_millis(2100));
    let after = cli(
        &home,
        &m,
        &["list-comment", "--open-id", &open_id, "--item-id", ITEM],
    );
    ok(&after);
    keep(&after);
    assert_eq!(m.server.attempts("refresh_token"), 1);
    let stored: Value = serde_json::from_slice(&std::fs::read(&token_file).unwrap()).unwrap();
    let second_access = stored["user"]["access_token"].as_str().unwrap().to_owned();
    assert_ne!(second_access, first_access);
    assert_eq!(
        m.server.requests_to("list_comment")[1].header("access-token"),
        Some(second_access.as_str())
    );

    // The service says the token expired before its time: one refresh, then success.
    m.server.expire_access_tokens();
    let reported = cli(
        &home,
        &m,
        &["list-comment", "--open-id", &open_id, "--item-id", ITEM],
    );
    ok(&reported);
    keep(&reported);
    assert_eq!(m.server.attempts("refresh_token"), 2);

    // 6. Status shows the new expiry, never a value.
    let shown = cli(&home, &m, &["auth", "status"]);
    ok(&shown);
    keep(&shown);
    let status = json(&shown);
    let new_expiry = status["user"]["access_token"]["expires_at"]
        .as_str()
        .unwrap();
    assert!(
        new_expiry > first_expiry.as_str(),
        "{new_expiry} after {first_expiry}"
    );
    assert_eq!(status["user"]["access_token"]["expired"], false);
    assert_eq!(status["user"]["open_id"], open_id.as_str());

    // The client token too.
    let client = cli(&home, &m, &["auth", "client-token"]);
    ok(&client);
    keep(&client);
    assert_eq!(
        json(&client)["expires_in"].as_u64().map(|s| s > 7000),
        Some(true)
    );

    let stored: Value = serde_json::from_slice(&std::fs::read(&token_file).unwrap()).unwrap();
    let third_access = stored["user"]["access_token"].as_str().unwrap();
    let client_token = stored["client"]["token"].as_str().unwrap();
    for secret in [
        SECRET,
        &code,
        &first_access,
        &second_access,
        third_access,
        &refresh,
        client_token,
    ] {
        assert!(
            !outputs.contains(secret),
            "an output shows a secret:\n{outputs}"
        );
    }
}

#[test]
fn a_reused_code_and_a_missing_secret_are_clear_errors() {
    let m = mock(OAuthConfig::default());
    let home = TempDir::new("auth-errors");
    let code = m.server.authorize("user_info");
    ok(&cli(&home, &m, &["auth", "exchange", "--code", &code]));
    let again = cli(&home, &m, &["auth", "exchange", "--code", &code]);
    assert_eq!(again.code, Some(1), "{}", again.stderr);
    assert!(
        again.stderr.contains("re-authorization needed"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("10007"), "{}", again.stderr);
    assert!(
        !again.stderr.contains(&code) && !again.stderr.contains(SECRET),
        "{}",
        again.stderr
    );

    // Without the secret in the environment or config file: a usage error naming where to set it.
    let mut cmd = douyin(home.path(), &[("DOUYIN_OPEN_PLATFORM_CLIENT_KEY", KEY)]);
    cmd.args(["open-platform", "auth", "exchange", "--code", "any"]);
    let missing = run(cmd);
    assert_eq!(missing.code, Some(2), "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("DOUYIN_OPEN_PLATFORM_CLIENT_SECRET"),
        "{}",
        missing.stderr
    );
}
