//! Real-capture conformance: every file in `specs/web/captures/` decodes with the generated web types,
//! re-encodes to the same JSON, and no field the documentation lists lands in an unknown-field store.

use std::collections::BTreeSet;

use douyin_core::registry::OperationEntry;
use douyin_core::DecodeMode;
use douyin_tests::{captures, first_difference, workspace};
use douyin_web::ErrorCode;
use serde_json::Value;

/// Every field name the web documentation lists (its response trees lost their nesting, so names are all it gives).
fn documented_names() -> BTreeSet<String> {
    let seed = std::fs::read_to_string(workspace().join("specs/seeds/001_8fb9ba359deb8cf4.txt"))
        .expect("web seed");
    seed.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches("├─").trim();
            let mut words = l.split_whitespace();
            let (name, ty) = (words.next()?, words.next()?);
            let typed = [
                "string",
                "number",
                "boolean",
                "object",
                "null",
                "array,null",
            ]
            .contains(&ty);
            let ident = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            (typed && ident).then(|| name.to_owned())
        })
        .collect()
}

fn op(name: &str) -> &'static OperationEntry<ErrorCode> {
    douyin_web::OPERATIONS
        .iter()
        .find(|o| o.name == name)
        .expect("operation exists")
}

/// Decodes `body` as `operation`, checks the round trip, and returns the unknown paths holding documented names.
fn conform(operation: &str, body: &[u8]) -> Vec<String> {
    let entry = op(operation);
    let checked =
        (entry.check)(body, DecodeMode::Strict).unwrap_or_else(|e| panic!("{operation}: {e}"));
    let reencoded = checked.reencoded;
    let original: Value = serde_json::from_slice(body).unwrap();
    if let Some(d) = first_difference(&original, &reencoded) {
        panic!("{operation}: re-encoding is not lossless at {d}");
    }
    let documented = documented_names();
    let unknown = checked.unknown_paths;
    unknown
        .into_iter()
        .filter(|p| {
            let name = p.rsplit('.').next().unwrap_or("");
            documented.contains(name)
        })
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(captures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn aweme_post_capture_conforms() {
    let body = fixture("web-aweme-post.json");
    let misplaced = conform("aweme_post", &body);
    assert!(
        misplaced.is_empty(),
        "documented fields left untyped: {misplaced:#?}"
    );
    // Integers above 2^53 survive: music.id equals its id_str in this capture.
    let v = (op("aweme_post").check)(&body, DecodeMode::Strict)
        .unwrap()
        .reencoded;
    let music = &v["aweme_list"][0]["music"];
    assert_eq!(music["id"].to_string(), music["id_str"].as_str().unwrap());
}

#[test]
fn module_feed_capture_conforms_as_a_feed() {
    // A sibling of tab/feed (`/aweme/v2/web/module/feed/`): same awemes, a larger envelope.
    let misplaced = conform("tab_feed", &fixture("web-module-feed.json"));
    assert!(
        misplaced.is_empty(),
        "documented fields left untyped: {misplaced:#?}"
    );
}

#[test]
fn emoji_capture_conforms() {
    // The capture is only the `emoji_list` array; wrap it in the response envelope.
    let items: Value = serde_json::from_slice(&fixture("web-emoji-list-items.json")).unwrap();
    let count = items.as_array().unwrap().len();
    let body =
        serde_json::to_vec(&serde_json::json!({ "status_code": 0, "emoji_list": items })).unwrap();
    let misplaced = conform("emoji_list", &body);
    assert!(
        misplaced.is_empty(),
        "documented fields left untyped: {misplaced:#?}"
    );
    let v = (op("emoji_list").check)(&body, DecodeMode::Strict)
        .unwrap()
        .reencoded;
    assert_eq!(v["emoji_list"].as_array().unwrap().len(), count);
    assert_eq!(v["emoji_list"][0]["display_name"], "[微笑]");
}
