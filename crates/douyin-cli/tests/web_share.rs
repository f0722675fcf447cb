//! `douyin resolve` and `--cookies` against the mock over loopback: share text and short links become typed targets
//! (no cookie sent to the short-link host), and a cookies.txt export becomes the web session's cookie, other sites'
//! and expired cookies left out.

mod common;

use common::{douyin, run, TempDir};
use douyin_mock::{MockConfig, MockServer};
use serde_json::{json, Value};

/// A mock server on its own runtime while the test drives the binary synchronously.
fn mock() -> (MockServer, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start_with(MockConfig::default()));
    (server, rt)
}

fn stdout_json(r: &common::Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"))
}

#[test]
fn resolve_prints_the_target_of_share_text_and_short_links() {
    let ((server, _rt), home) = (mock(), TempDir::new("resolve"));
    let resolve = |text: &str| {
        let mut c = douyin(home.path(), &[("DOUYIN_COOKIE", "sessionid=test")]);
        c.args([
            "resolve",
            text,
            "--short-link-base",
            &server.short_link_base(),
        ]);
        run(c)
    };
    let r = resolve(
        "7.43 复制打开抖音，看看【南恬的作品】 https://v.douyin.com/iRNBho6u/ D@h.OK 09/12 goO:/",
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        stdout_json(&r),
        json!({"kind": "aweme", "aweme_id": "7331282358999584037", "aweme_kind": "video"})
    );
    let r = resolve("https://v.douyin.com/iLiveR8e/");
    assert_eq!(
        stdout_json(&r),
        json!({"kind": "live_room", "room_id": "7318296342189919011"})
    );
    // A link that names its target needs no request.
    let r = resolve("https://www.douyin.com/collection/7348687990509553679");
    assert_eq!(
        stdout_json(&r),
        json!({"kind": "mix", "mix_id": "7348687990509553679"})
    );
    let r = resolve("https://v.douyin.com/iStoreX9/");
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(
        r.stderr,
        "error: the short link leads to an app store (apps.apple.com), not to a page: open it in the Douyin app\n"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.header("cookie").is_none()));
}

#[test]
fn cookies_from_a_cookies_txt_export_sign_in_the_web_session() {
    let ((server, _rt), home) = (mock(), TempDir::new("cookies"));
    let txt = home.file(
        "cookies.txt",
        "# Netscape HTTP Cookie File\n\
         #HttpOnly_.douyin.com\tTRUE\t/\tTRUE\t4102444800\tsessionid\ttest\n\
         .douyin.com\tTRUE\t/\tFALSE\t1704067200\ts_v_web_id\texpired\n\
         .google.com\tTRUE\t/\tTRUE\t4102444800\tNID\tnot-for-douyin\n",
    );
    let mut c = douyin(home.path(), &[("DOUYIN_MS_TOKEN", "test-ms-token")]);
    c.args([
        "web",
        "aweme-detail",
        "--aweme-id",
        "7331282358999584037",
        "--cookies",
    ])
    .arg(&txt)
    .args(["--base-url", &server.base_url("web")]);
    let r = run(c);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        stdout_json(&r)["aweme_detail"]["aweme_id"],
        "7331282358999584037"
    );
    let sent = &server.requests_to("aweme_detail")[0];
    assert_eq!(sent.header("cookie"), Some("sessionid=test"));

    // Without a cookie credential or --cookies, the error says where to put one.
    let mut c = douyin(home.path(), &[("DOUYIN_MS_TOKEN", "test-ms-token")]);
    c.args(["web", "aweme-detail", "--aweme-id", "1"]);
    let r = run(c);
    assert_eq!(r.code, Some(2), "{r:?}");

    // A file with no douyin.com cookie is a usage error naming the domains, not the values.
    let other = home.file(
        "other.txt",
        ".google.com\tTRUE\t/\tTRUE\t4102444800\tNID\tsecret-nid\n",
    );
    let mut c = douyin(home.path(), &[]);
    c.args(["web", "aweme-detail", "--aweme-id", "1", "--cookies"])
        .arg(&other);
    let r = run(c);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("google.com") && !r.stderr.contains("secret-nid"),
        "{}",
        r.stderr
    );
}
