//! The mock against its route table and the domain crates' decoders: every route answers with a body the generated
//! types decode, every documented example is served as documented, refusals look like the real services'.

use douyin_core::registry::OperationEntry;
use douyin_core::{DecodeMode, Error, ErrorCode};
use douyin_mock::table::{self, DomainTable, Expect, Location, OperationTable, ParamKind};
use douyin_mock::{with_registry, MockConfig, MockServer, RegistryVisitor, Scenario};
use serde_json::Value;

/// How a body decodes with the generated types.
#[derive(Debug, PartialEq)]
enum Decoded {
    Ok(Value),
    Api(String),
    Decode(String),
    Other(String),
}

fn decode_with<C: ErrorCode>(ops: &[OperationEntry<C>], op: &str, body: &[u8]) -> Decoded {
    let entry = ops
        .iter()
        .find(|e| e.name == op)
        .expect("the registry lists every operation");
    match (entry.check)(body, DecodeMode::Strict) {
        Ok(v) => Decoded::Ok(v.reencoded),
        Err(Error::Api(a)) => Decoded::Api(a.code.raw().to_owned()),
        Err(Error::Decode(d)) => Decoded::Decode(d.path.clone()),
        Err(other) => Decoded::Other(other.to_string()),
    }
}

/// Decodes with operation `op` of `domain`'s registry.
struct Decode<'a>(&'a str, &'a [u8]);

impl RegistryVisitor for Decode<'_> {
    type Output = Decoded;
    fn visit<C: ErrorCode>(self, ops: &'static [OperationEntry<C>]) -> Decoded {
        decode_with(ops, self.0, self.1)
    }
}

fn decode(domain: &str, op: &str, body: &[u8]) -> Decoded {
    with_registry(domain, Decode(op, body))
        .unwrap_or_else(|| panic!("no decoder for domain {domain}"))
}

/// The value sent for a credential the mock accepts any value of.
const ANY: &str = "x";

/// A value of the parameter's kind that the mock accepts.
fn sample(kind: ParamKind) -> String {
    match kind {
        ParamKind::String => "7118694749548072205".to_owned(),
        ParamKind::Integer => "1".to_owned(),
        ParamKind::Boolean => "true".to_owned(),
        ParamKind::Enum(values) => values[0].to_owned(),
        ParamKind::Json => "[]".to_owned(),
    }
}

/// The parameter and value signer `signer` appends to `query` (with `body` and `user_agent`).
fn signature(signer: &str, query: &str, body: &[u8], user_agent: &str) -> (&'static str, String) {
    match signer {
        "x_bogus" => (
            "X-Bogus",
            douyin_xbogus::XBogus::default()
                .sign(query.as_bytes(), body, user_agent.as_bytes(), 1_700_000_000)
                .as_str()
                .to_owned(),
        ),
        "a_bogus" => (
            "a_bogus",
            douyin_abogus::ABogus::default()
                .for_user_agent(user_agent.as_bytes())
                .sign_now(query.as_bytes(), body)
                .as_str()
                .to_owned(),
        ),
        other => panic!("no test signature for signer {other}"),
    }
}

/// A valid request to `op` (required parameters, credentials and constants; web requests signed), with `skip`
/// left out and `set` overriding values.
fn request(
    http: &reqwest::Client,
    server: &MockServer,
    d: &DomainTable,
    op: &OperationTable,
    skip: &[&str],
    set: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let config = server.config();
    let mut query = form_urlencoded::Serializer::new(String::new());
    let mut form = form_urlencoded::Serializer::new(String::new());
    let mut json = serde_json::Map::new();
    let mut headers = Vec::new();
    for rule in op.params {
        if skip.contains(&rule.wire) {
            continue;
        }
        let value = match set.iter().find(|(n, _)| *n == rule.wire) {
            Some((_, v)) => (*v).to_owned(),
            None => match (rule.credential, rule.constant) {
                (Some(c), _) => config.credential_value(c).unwrap_or(ANY).to_owned(),
                (_, Some(c)) => c.to_owned(),
                _ if rule.required => sample(rule.kind),
                _ => continue,
            },
        };
        match rule.location {
            Location::Query => {
                query.append_pair(rule.wire, &value);
            }
            Location::Form => {
                form.append_pair(rule.wire, &value);
            }
            Location::Json => {
                json.insert(rule.wire.to_owned(), Value::String(value));
            }
            Location::Header => headers.push((rule.wire, value)),
        }
    }
    let mut query = query.finish();
    let form = form.finish();
    let ua = config
        .credential_value("user_agent")
        .unwrap_or(ANY)
        .to_owned();
    for s in op.signers {
        let (name, value) = signature(s.name, &query, form.as_bytes(), &ua);
        query.push_str(if query.is_empty() { "" } else { "&" });
        query.push_str(name);
        query.push('=');
        query.push_str(&form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>());
    }
    let url = format!("{}{}?{query}", server.base_url(d.name), op.path);
    let method = reqwest::Method::from_bytes(op.method.as_str().as_bytes()).unwrap();
    let mut builder = http.request(method, url);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    if !form.is_empty() {
        builder = builder.body(form);
    }
    if !json.is_empty() {
        builder = builder
            .header("content-type", "application/json")
            .body(Value::Object(json).to_string());
    }
    builder
}

async fn body_of(b: reqwest::RequestBuilder) -> (u16, String, bytes::Bytes) {
    let resp = b.send().await.expect("the mock answers");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, resp.bytes().await.unwrap())
}

const OAUTH_OPS: &[&str] = &[
    "access_token",
    "refresh_token",
    "renew_refresh_token",
    "client_token",
];

fn all_ops() -> impl Iterator<Item = (&'static DomainTable, &'static OperationTable)> {
    table::domains()
        .iter()
        .flat_map(|d| d.operations.iter().map(move |o| (*d, o)))
}

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

async fn refusal(
    server: &MockServer,
    domain: &str,
    op: &str,
    skip: &[&str],
    set: &[(&str, &str)],
) -> (u16, Decoded, bytes::Bytes) {
    let http = reqwest::Client::new();
    let d = table::domain(domain).unwrap();
    let o = d.operation(op).unwrap();
    let (status, _, body) = body_of(request(&http, server, d, o, skip, set)).await;
    let decoded = if body.is_empty() {
        Decoded::Other("empty".into())
    } else {
        decode(domain, op, &body)
    };
    (status, decoded, body)
}

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
    assert_eq!(paged, 15);
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
