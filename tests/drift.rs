//! Drift tolerance on real data: a value that does not fit its field's type never loses the page; it is kept (the
//! re-encoded body equals the original), reported by path, and fails only a strict decode. Includes the comment list
//! whose `user.ky_only_predict` is a fraction (issue 11) and a property test that mutates the real captures.

use std::time::Duration;

use douyin_core::registry::{Checked, OperationEntry};
use douyin_core::{DecodeMode, Error, Found, Response as _};
use douyin_mock::{MockConfig, MockServer, Scenario};
use douyin_tests::{captures, first_difference};
use douyin_web::{CommentListParams, ErrorCode, RetryPolicy, WebSession, XBogusSigner};
use proptest::prelude::*;
use serde_json::{json, Value};

const UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/117.0.0.0 Safari/537.36 Edg/117.0.2045.60";

fn op(name: &str) -> &'static OperationEntry<ErrorCode> {
    douyin_web::OPERATIONS
        .iter()
        .find(|o| o.name == name)
        .expect("operation exists")
}

fn capture(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(captures().join(name)).unwrap()).unwrap()
}

/// A comment list like the published real ones: two comments whose users are real users from the aweme/post
/// capture, with `ky_only_predict` fractional.
fn comment_list_with_fractional_predict() -> Value {
    let post = capture("web-aweme-post.json");
    let comment = |n: usize, predict: Value| {
        let mut user = post["aweme_list"][n]["author"].clone();
        user["ky_only_predict"] = predict;
        json!({
            "cid": format!("73312823589990{n}"),
            "text": "评论",
            "aweme_id": post["aweme_list"][n]["aweme_id"],
            "create_time": 1706103533,
            "digg_count": 12,
            "status": 1,
            "user": user,
            "reply_id": "0",
            "user_digged": 0,
        })
    };
    json!({
        "status_code": 0,
        "comments": [comment(0, json!(0.75)), comment(1, json!(0.5806463))],
        "cursor": 2,
        "has_more": 1,
        "total": 2,
        "extra": {"now": 1706103533000_i64, "fatal_item_ids": null},
    })
}

fn lossless(original: &Value, checked: &Checked) {
    if let Some(d) = first_difference(original, &checked.reencoded) {
        panic!("re-encoding is not lossless at {d}");
    }
}

#[tokio::test]
async fn a_comment_list_with_a_fractional_ky_only_predict_decodes_through_the_client() {
    let body = comment_list_with_fractional_predict();
    let server = MockServer::start_with(MockConfig::default().credential("user_agent", UA)).await;
    server.set_scenario(
        "web",
        "comment_list",
        Scenario::Raw {
            status: 200,
            content_type: "application/json".to_owned(),
            body: serde_json::to_vec(&body).unwrap(),
        },
    );
    let client: douyin_web::Client = douyin_web::builder(
        WebSession::new("sessionid=test", UA).ms_token("test-ms-token"),
        XBogusSigner::default(),
    )
    .base_url(server.base_url("web"))
    .retry(RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
        jitter: false,
        ..RetryPolicy::default()
    })
    .build()
    .unwrap()
    .into();
    let page = client
        .comment_list(&CommentListParams::new("7331282358999584037"))
        .await
        .unwrap();
    assert!(page.drift().is_empty(), "{:?}", page.drift());
    let comments = page.comments.as_ref().unwrap();
    let predict: Vec<String> = comments
        .iter()
        .map(|c| {
            c.user
                .as_ref()
                .unwrap()
                .ky_only_predict
                .as_ref()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(predict, ["0.75", "0.5806463"]);
    assert_eq!(
        serde_json::to_value(&page).unwrap()["comments"][1]["user"]["ky_only_predict"],
        json!(0.5806463)
    );
    // Strict decoding agrees now that the field is typed `number`.
    let text = serde_json::to_vec(&body).unwrap();
    lossless(
        &body,
        &(op("comment_list").check)(&text, DecodeMode::Strict).unwrap(),
    );
}

#[test]
fn misfits_at_every_depth_are_kept_and_reported() {
    let mut body = capture("web-aweme-post.json");
    let n = body["aweme_list"].as_array().unwrap().len();
    for i in 0..n {
        // One drifted field per aweme, as the speed target assumes.
        body["aweme_list"][i]["statistics"]["digg_count"] = json!(1.5);
    }
    body["aweme_list"][0]["author"]["follower_count"] = json!("12万");
    body["aweme_list"][1]["video"] = json!([1, 2]);
    body["aweme_list"][2]["text_extra"] = json!({"not": "a list"});
    body["aweme_list"][3]["author_user_id"] = json!(18446744073709551615_u64);
    body["aweme_list"][4]["is_ads"] = json!([true]);
    body["aweme_list"][5]["video_tag"][0] = json!("tag");
    body["max_cursor"] = json!({"ms": 1});
    let text = serde_json::to_vec(&body).unwrap();
    let checked = (op("aweme_post").check)(&text, DecodeMode::Tolerant).unwrap();
    lossless(&body, &checked);
    let drift: Vec<(String, &str, Found, usize)> = checked
        .drift
        .iter()
        .map(|d| (d.path.clone(), d.expected, d.found, d.count))
        .collect();
    let want = |p: &str, e, f, c| (p.to_owned(), e, f, c);
    assert_eq!(
        drift,
        [
            want(
                ".aweme_list[].author.follower_count",
                "integer",
                Found::String,
                1
            ),
            want(
                ".aweme_list[].author_user_id",
                "integer",
                Found::IntegerOutOfRange,
                1
            ),
            want(".aweme_list[].is_ads", "boolean", Found::Array, 1),
            want(
                ".aweme_list[].statistics.digg_count",
                "integer",
                Found::Float,
                n
            ),
            want(".aweme_list[].text_extra", "array", Found::Object, 1),
            want(".aweme_list[].video", "object", Found::Array, 1),
            want(".aweme_list[].video_tag[]", "object", Found::String, 1),
            want(".max_cursor", "integer", Found::Object, 1),
        ]
    );
    // Drifted values are not "undocumented fields".
    assert!(!checked
        .unknown_paths
        .iter()
        .any(|p| p.ends_with(".digg_count")));
    // Strict fails at a misfit, with its path (one misfit, so key order does not matter).
    let mut one = capture("web-aweme-post.json");
    one["aweme_list"][0]["author"]["follower_count"] = json!("12万");
    let text = serde_json::to_vec(&one).unwrap();
    match (op("aweme_post").check)(&text, DecodeMode::Strict) {
        Err(Error::Decode(d)) => {
            assert_eq!(d.path, "aweme_list[0].author.follower_count");
            assert!(
                d.message
                    .starts_with("invalid type: string, expected integer at line 1 column "),
                "{}",
                d.message
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Every node of `v` below the root, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        _ => {}
    }
}

/// Any JSON value a server might send in the wrong place.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// What a mutation does at a node: replace its value, or (for an object) add a key.
#[derive(Clone, Debug)]
enum Mutation {
    Replace(usize, Value),
    AddKey(usize, String, Value),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        3 => (any::<usize>(), any_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => (any::<usize>(), "[a-z_]{1,10}", any_json()).prop_map(|(i, k, v)| Mutation::AddKey(i, k, v)),
    ];
    prop::collection::vec(one, 1..8)
}

fn mutate(mut doc: Value, muts: &[Mutation]) -> Value {
    for m in muts {
        let mut nodes = Vec::new();
        pointers(&doc, String::new(), &mut nodes);
        if nodes.is_empty() {
            break;
        }
        match m {
            Mutation::Replace(i, v) => {
                *doc.pointer_mut(&nodes[i % nodes.len()]).unwrap() = v.clone()
            }
            Mutation::AddKey(i, k, v) => {
                if let Some(Value::Object(o)) = doc.pointer_mut(&nodes[i % nodes.len()]) {
                    o.insert(k.clone(), v.clone());
                }
            }
        }
    }
    doc
}

/// The capture with its `list` cut to two items, so each case stays fast in a debug build (every item has the
/// same shape).
fn first_items(mut doc: Value, list: &str) -> Value {
    if let Some(items) = doc.get_mut(list).and_then(Value::as_array_mut) {
        items.truncate(2);
    }
    doc
}

/// Tolerant decoding of any valid JSON shaped like `doc` never fails (an error envelope is an API error, not a
/// decode failure), never panics, and re-encodes to the same value.
fn tolerant_roundtrip(op_name: &str, doc: &Value) -> Result<(), TestCaseError> {
    let text = serde_json::to_vec(doc).unwrap();
    match (op(op_name).check)(&text, DecodeMode::Tolerant) {
        Ok(checked) => {
            prop_assert_eq!(first_difference(doc, &checked.reencoded), None);
            let again = serde_json::to_vec(&checked.reencoded).unwrap();
            let twice = (op(op_name).check)(&again, DecodeMode::Tolerant).unwrap();
            prop_assert_eq!(
                &twice.drift,
                &checked.drift,
                "decoding the re-encoded body reports the same drift"
            );
            Ok(())
        }
        // The mutation hit the envelope: status_code is no longer the success code.
        Err(Error::Api(api)) => {
            prop_assert_ne!(doc.get("status_code"), Some(&json!(0)), "{:?}", api);
            Ok(())
        }
        Err(e) => Err(TestCaseError::fail(format!("{e}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn mutated_aweme_post_capture_decodes_tolerantly_and_losslessly(muts in mutations()) {
        tolerant_roundtrip("aweme_post", &mutate(first_items(capture("web-aweme-post.json"), "aweme_list"), &muts))?;
    }

    #[test]
    fn mutated_module_feed_capture_decodes_tolerantly_and_losslessly(muts in mutations()) {
        tolerant_roundtrip("tab_feed", &mutate(first_items(capture("web-module-feed.json"), "aweme_list"), &muts))?;
    }

    #[test]
    fn mutated_comment_list_decodes_tolerantly_and_losslessly(muts in mutations()) {
        tolerant_roundtrip("comment_list", &mutate(comment_list_with_fractional_predict(), &muts))?;
    }
}
