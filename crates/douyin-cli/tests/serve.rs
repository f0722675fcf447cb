//! `douyin serve` against the spec-driven mock over loopback: its routes and OpenAPI document match the specs, an
//! operation of every domain answers the decoded JSON (a link accepted where the spec says `link:`), `all_pages`
//! streams JSON Lines, typed errors have their statuses and the CLI's one-line messages, the API key and size limits
//! hold, and no credential appears in any answer.

mod common;

use common::served::{spec_routes, start, Served, COOKIE, KEY, MS_TOKEN, SECRET, SECRETS};
use common::{douyin, TempDir};
use douyin_mock::Scenario;
use serde_json::Value;

/// An answer: status, headers, body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Served {
    fn get_with(
        &self,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Answer {
        let url = format!("{}{path}", self.base);
        let answer = self.rt.block_on(async {
            let r = build(reqwest::Client::new().get(url)).send().await.unwrap();
            let (status, headers) = (r.status().as_u16(), r.headers().clone());
            Answer {
                status,
                headers,
                body: r.text().await.unwrap(),
            }
        });
        for s in SECRETS {
            assert!(
                !answer.body.contains(s),
                "{path}: a credential in {}",
                answer.body
            );
        }
        answer
    }

    fn get(&self, path: &str) -> Answer {
        self.get_with(path, |b| b)
    }
}

fn error_kind(a: &Answer) -> String {
    a.json()["error"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn every_operation_of_every_spec_is_a_route_in_the_index_and_the_openapi_document() {
    let s = start(&[]);
    let want = spec_routes();
    assert!(want.len() > 20, "{want:?}");
    let index = s.get("/v1").json();
    let mut listed: Vec<String> = index["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, want);
    let doc = s.get("/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    // The operations' routes, and beside them (tagged `media`) resolve and the download jobs.
    let (mut media, mut paths) = (Vec::new(), Vec::new());
    for (path, item) in doc["paths"].as_object().unwrap() {
        let tagged = item.as_object().unwrap().values().next().unwrap()["tags"][0] == "media";
        match (tagged, path.starts_with("/v1/")) {
            (true, _) => media.push(path.clone()),
            (false, true) => paths.push(path.clone()),
            (false, false) => {}
        }
    }
    paths.sort();
    assert_eq!(paths, want);
    media.sort();
    assert_eq!(
        media,
        [
            "/v1/download",
            "/v1/jobs/{id}",
            "/v1/jobs/{id}/files/{name}",
            "/v1/resolve"
        ]
    );
    assert_eq!(s.get("/healthz").json()["status"], "ok");
}

#[test]
fn an_operation_of_every_domain_answers_the_decoded_json() {
    let s = start(&[]);
    let a = s.get("/v1/onebound/item-get-video?item_id=7118694749548072205&lang=en");
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.json()["item"]["title"].is_string(), "{}", a.body);
    let q = s.mock.requests_to("item_get_video")[0].query_pairs();
    assert!(q.contains(&("lang".to_owned(), "en".to_owned())), "{q:?}");

    let a = s
        .get("/v1/open-platform/list-comment?open_id=ba253642&item_id=%408hxd%2B%2F%3D%3D&count=5");
    assert_eq!(a.status, 200, "{}", a.body);
    let q = s.mock.requests_to("list_comment")[0].query_pairs();
    assert!(
        q.contains(&("item_id".to_owned(), "@8hxd+/==".to_owned())),
        "{q:?}"
    );

    // A link where the spec says `link:`, resolved to the id it names; the signed request went to the mock.
    let link = "https%3A%2F%2Fwww.douyin.com%2Fvideo%2F7331282358999584037";
    let a = s.get(&format!("/v1/web/aweme_detail?aweme_id={link}"));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["aweme_detail"]["aweme_id"], "7331282358999584037");
    let q = s.mock.requests_to("aweme_detail")[0].query_pairs();
    assert!(
        q.contains(&("aweme_id".to_owned(), "7331282358999584037".to_owned())),
        "{q:?}"
    );
}

#[test]
fn all_pages_streams_every_item_as_compact_json_lines() {
    let s = start(&[]);
    let pages = Scenario::Pages {
        pages: 3,
        page_size: 4,
    };
    s.mock.set_scenario("web", "comment_list", pages);
    let a = s.get("/v1/web/comment-list?aweme_id=1&all_pages=true");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.headers["content-type"], "application/x-ndjson");
    let lines: Vec<&str> = a.body.lines().collect();
    assert_eq!(lines.len(), 13, "{}", a.body);
    for l in &lines {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), *l, "not compact");
    }
    // The last line: nothing more to come.
    assert_eq!(lines[12], r#"{"next":null}"#);
    assert_eq!(s.mock.requests_to("comment_list").len(), 3);
}

#[test]
fn a_stream_ends_with_the_cursor_to_resume_from() {
    let s = start(&[]);
    let pages = Scenario::Pages {
        pages: 3,
        page_size: 4,
    };
    s.mock.set_scenario("web", "comment_list", pages);
    let a = s.get("/v1/web/comment-list?aweme_id=1&all_pages=true&max_pages=2");
    let lines: Vec<&str> = a.body.lines().collect();
    assert_eq!(lines.len(), 9, "{}", a.body);
    assert_eq!(lines[8], r#"{"next":{"cursor":8}}"#);
    // Resuming there gives the rest, and the end.
    let a = s.get("/v1/web/comment-list?aweme_id=1&all_pages=true&cursor=8");
    let lines: Vec<&str> = a.body.lines().collect();
    assert_eq!(lines.len(), 5, "{}", a.body);
    assert_eq!(lines[4], r#"{"next":null}"#);

    // A later page failing: the error line says where to resume (the page that failed).
    let failing = Scenario::ByCursor(vec![
        (
            0,
            Scenario::Pages {
                pages: 3,
                page_size: 4,
            },
        ),
        (4, Scenario::Status(500)),
    ]);
    s.mock.set_scenario("web", "comment_list", failing);
    let a = s.get("/v1/web/comment-list?aweme_id=1&all_pages=true");
    assert_eq!(a.status, 200, "{}", a.body);
    let lines: Vec<&str> = a.body.lines().collect();
    assert_eq!(lines.len(), 5, "{}", a.body);
    let last: Value = serde_json::from_str(lines[4]).unwrap();
    assert_eq!(last["error"]["kind"], "upstream", "{last}");
    assert_eq!(last["next"], serde_json::json!({ "cursor": 4 }));
}

#[test]
fn bad_requests_name_each_parameter_and_unknown_routes_the_nearest() {
    let s = start(&[]);
    let a = s.get("/v1/web/coment-list?aweme_id=1");
    assert_eq!(a.status, 404, "{}", a.body);
    assert_eq!(a.json()["error"]["nearest"][0], "/v1/web/comment-list");

    let a = s.get("/v1/web/comment-list?awme_id=1&colour=red");
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(
        a.json()["error"]["parameters"],
        serde_json::json!(["awme_id", "colour"])
    );

    let a = s.get("/v1/open-platform/list-comment?count=5");
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(
        a.json()["error"]["parameters"],
        serde_json::json!(["open_id", "item_id"])
    );

    let a = s.get("/v1/web/comment-list?aweme_id=1&count=many");
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(
        a.json()["error"]["parameters"],
        serde_json::json!(["count"])
    );
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("many"),
        "{}",
        a.body
    );

    let long = "x".repeat(9000);
    assert_eq!(
        s.get(&format!("/v1/web/comment-list?aweme_id={long}"))
            .status,
        414
    );
    let a = s.get_with("/v1/web/comment-list?aweme_id=1", |b| b.body("payload"));
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(s.mock.requests_to("comment_list").is_empty());
}

#[test]
fn typed_upstream_errors_have_their_statuses_and_the_cli_message() {
    let s = start(&[]);
    s.mock
        .set_scenario("onebound", "item_get_video", Scenario::RateLimited);
    let a = s.get("/v1/onebound/item-get-video?item_id=1");
    assert_eq!(a.status, 429, "{}", a.body);
    assert!(a.headers.contains_key("retry-after"));
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("API error"),
        "{}",
        a.body
    );

    s.mock
        .set_scenario("web", "aweme_detail", Scenario::EmptyBody);
    let a = s.get("/v1/web/aweme-detail?aweme_id=1");
    assert_eq!(
        (a.status, error_kind(&a).as_str()),
        (403, "empty_body"),
        "{}",
        a.body
    );

    s.mock
        .set_scenario("web", "comment_list", Scenario::Status(500));
    let a = s.get("/v1/web/comment-list?aweme_id=1");
    assert_eq!(a.status, 502, "{}", a.body);
}

#[test]
fn an_upstream_that_hangs_is_a_504() {
    let s = start(&["--timeout", "0.5"]);
    let hang = Scenario::Delay(std::time::Duration::from_secs(5));
    s.mock.set_scenario("onebound", "item_get_video", hang);
    let a = s.get("/v1/onebound/item-get-video?item_id=1");
    assert_eq!(
        (a.status, error_kind(&a).as_str()),
        (504, "timeout"),
        "{}",
        a.body
    );
}

#[test]
fn the_api_key_is_required_when_set_and_cors_only_when_asked() {
    let s = start(&["--api-key", "k3y", "--cors", "https://app.example"]);
    let a = s.get("/v1/onebound/item-get-video?item_id=1");
    assert_eq!(a.status, 401, "{}", a.body);
    let a = s.get_with("/v1/onebound/item-get-video?item_id=1", |b| {
        b.bearer_auth("wrong")
    });
    assert_eq!(a.status, 401);
    let a = s.get_with("/v1/onebound/item-get-video?item_id=1", |b| {
        b.bearer_auth("k3y").header("origin", "https://app.example")
    });
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.headers["access-control-allow-origin"],
        "https://app.example"
    );
    let a = s.get_with("/healthz", |b| b.header("origin", "https://evil.example"));
    assert_eq!(a.status, 200);
    assert!(!a.headers.contains_key("access-control-allow-origin"));

    let s = start(&[]);
    let a = s.get_with("/v1", |b| b.header("origin", "https://app.example"));
    assert!(!a.headers.contains_key("access-control-allow-origin"));
}

#[test]
fn listening_beyond_loopback_needs_an_api_key() {
    let home = TempDir::new("serve-open");
    let r = common::run({
        let mut c = douyin(home.path(), &[]);
        c.args(["serve", "--listen", "0.0.0.0:0"]);
        c
    });
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--api-key"), "{}", r.stderr);
}

#[test]
fn an_upstream_echoing_credentials_gets_none_of_them_into_an_answer() {
    let s = start(&[]);
    let echo = |status: u16, body: String| Scenario::Raw {
        status,
        content_type: "application/json".to_owned(),
        body: body.into_bytes(),
    };
    // `get` fails the test if any credential appears in an answer.
    let body = format!(
        r#"{{"error_code":"4016","reason":"bad key {KEY}","error":"secret={SECRET}","request_id":"{KEY}"}}"#
    );
    s.mock
        .set_scenario("onebound", "item_get_video", echo(200, body));
    let a = s.get("/v1/onebound/item-get-video?item_id=1");
    assert!(
        a.status >= 400
            && a.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("***"),
        "{}",
        a.body
    );
    let page = format!("upstream says: cookie {COOKIE}; msToken {MS_TOKEN}");
    s.mock.set_scenario("web", "aweme_detail", echo(503, page));
    let a = s.get("/v1/web/aweme-detail?aweme_id=1");
    assert_eq!(a.status, 502, "{}", a.body);
}

#[test]
fn a_caller_that_leaves_mid_stream_stops_the_walk() {
    let s = start(&[]);
    // Fewer than the mock keeps in its request log (1024), so a walk that went on would be counted to the end.
    let pages = 1000;
    s.mock.set_scenario(
        "web",
        "comment_list",
        Scenario::Pages {
            pages,
            page_size: 1,
        },
    );
    let url = format!("{}/v1/web/comment-list?aweme_id=1&all_pages=true", s.base);
    s.rt.block_on(async {
        let mut r = reqwest::Client::new().get(url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let first = r.chunk().await.unwrap().unwrap();
        assert!(first.ends_with(b"\n"));
    });
    // The response is dropped: wait until the upstream requests stop, then check the walk did not go on to the end.
    let mut seen = s.mock.requests_to("comment_list").len();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let now = s.mock.requests_to("comment_list").len();
        if now == seen {
            break;
        }
        seen = now;
    }
    assert!(seen < pages as usize, "{seen} pages fetched");
}
