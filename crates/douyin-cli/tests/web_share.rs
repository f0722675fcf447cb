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

/// `douyin web …` against the mock's web base URL with the credentials the mock accepts by default.
fn web(home: &TempDir, server: &MockServer, args: &[&str]) -> common::Run {
    let mut c = douyin(
        home.path(),
        &[
            ("DOUYIN_COOKIE", "sessionid=test"),
            ("DOUYIN_MS_TOKEN", "test-ms-token"),
        ],
    );
    c.arg("web")
        .args(args)
        .args(["--base-url", &server.base_url("web")]);
    run(c)
}

#[test]
fn a_short_link_in_place_of_the_aweme_id_is_resolved_signed_and_decoded() {
    let ((server, _rt), home) = (mock(), TempDir::new("detail-link"));
    let r = web(
        &home,
        &server,
        &["aweme-detail", "https://v.douyin.com/iRNBho6u/"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        stdout_json(&r)["aweme_detail"]["aweme_id"],
        "7331282358999584037"
    );
    // The short link went to the mock under the base URL given, without the cookie.
    let all = server.requests();
    let hop = all
        .iter()
        .find(|q| q.path == "/web/iRNBho6u/")
        .expect("the short link was asked of the mock");
    assert_eq!(hop.header("cookie"), None);
    // Then the signed request with the id the link named (the mock checked its a_bogus, cookie and msToken).
    let detail = &server.requests_to("aweme_detail")[0];
    let q = detail.query_pairs();
    assert!(
        q.contains(&("aweme_id".to_owned(), "7331282358999584037".to_owned())),
        "{q:?}"
    );
    assert_eq!(q.last().map(|(n, _)| n.as_str()), Some("a_bogus"), "{q:?}");
    assert_eq!(detail.header("cookie"), Some("sessionid=test"));

    // Share-sheet text with the flag: the same id.
    let text =
        "7.43 复制打开抖音，看看【南恬的作品】 https://v.douyin.com/iRNBho6u/ D@h.OK 09/12 goO:/";
    let r = web(&home, &server, &["aweme-detail", "--aweme-id", text]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let second = &server.requests_to("aweme_detail")[1];
    assert!(second
        .query_pairs()
        .contains(&("aweme_id".to_owned(), "7331282358999584037".to_owned())));

    // --verbose shows the positional argument as given, not under an internal argument id.
    let r = web(
        &home,
        &server,
        &[
            "aweme-detail",
            "https://v.douyin.com/iRNBho6u/",
            "--verbose",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains("douyin: arguments: https://v.douyin.com/iRNBho6u/\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_user_link_pages_through_every_post_with_all_pages() {
    let ((server, _rt), home) = (mock(), TempDir::new("post-link"));
    server.set_scenario(
        "web",
        "aweme_post",
        "pages:3:2".parse::<douyin_mock::Scenario>().unwrap(),
    );
    let r = web(
        &home,
        &server,
        &[
            "aweme-post",
            "https://v.douyin.com/iUserP7d/",
            "--all-pages",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout.lines().count(), 6, "{}", r.stdout);
    let posts = server.requests_to("aweme_post");
    assert_eq!(posts.len(), 3);
    for p in &posts {
        assert!(
            p.query_pairs().contains(&(
                "sec_user_id".to_owned(),
                "MS4wLjABAAAAWP5yJJm9n_Nmmk0E".to_owned()
            )),
            "{:?}",
            p.query
        );
    }
    // The short link was followed once, not once per page.
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|q| q.path == "/web/iUserP7d/")
            .count(),
        1
    );
}

#[test]
fn a_link_of_another_kind_or_a_plain_id_is_handled_without_guessing() {
    let ((server, _rt), home) = (mock(), TempDir::new("link-kinds"));
    // A video's link where a collection is wanted: a usage error naming both, no request to the operation.
    let r = web(
        &home,
        &server,
        &["mix-aweme", "https://v.douyin.com/iRNBho6u/"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("--mix-id")
            && r.stderr.contains("\"kind\":\"aweme\"")
            && r.stderr.contains("collection"),
        "{}",
        r.stderr
    );
    assert!(server.requests_to("mix_aweme").is_empty());
    // A link that names its target needs no short-link request; a plain id is sent as given.
    let r = web(
        &home,
        &server,
        &[
            "mix-aweme",
            "https://www.douyin.com/collection/7348687990509553679",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = web(
        &home,
        &server,
        &["mix-aweme", "--mix-id", "7348687990509553679"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    for m in server.requests_to("mix_aweme") {
        assert!(m
            .query_pairs()
            .contains(&("mix_id".to_owned(), "7348687990509553679".to_owned())));
    }
    // The flag and the positional argument together are a usage error.
    let r = web(&home, &server, &["mix-aweme", "1", "--mix-id", "2"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    // A live room's address for live-room-enter; several links for slides-info, each resolved.
    let r = web(
        &home,
        &server,
        &["live-room-enter", "https://live.douyin.com/285520721194"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = web(
        &home,
        &server,
        &[
            "slides-info",
            "https://v.douyin.com/iNoteK2s/",
            "7331282358999584037",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let slides = &server.requests_to("slides_info")[0];
    assert!(slides.query_pairs().contains(&(
        "aweme_ids".to_owned(),
        "[7325083396338600228,7331282358999584037]".to_owned()
    )));
}
