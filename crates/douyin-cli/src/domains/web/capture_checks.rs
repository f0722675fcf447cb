//! `check-capture` against the web domain's registry and real shapes of its bodies: undocumented fields, strict
//! errors with paths, drift, truncation, duplicate keys (the generic checker in `crate::capture`, exercised with a
//! domain that has them).

use crate::capture::*;
use douyin_core::DecodeMode;

#[test]
fn undocumented_fields_are_grouped_with_type_and_example() {
    let body = br#"{"status_code":0,"emoji_list":[{"display_name":"[a]","new_field":"x"},{"new_field":7}]}"#;
    let r = check(
        "web",
        douyin_web::OPERATIONS,
        "emoji-list",
        body,
        DecodeMode::Tolerant,
    )
    .unwrap();
    assert!(r.lossless(), "{r:?}");
    assert_eq!(r.undocumented.len(), 1, "{r:?}");
    let u = &r.undocumented[0];
    assert_eq!(u.pattern, ".emoji_list[].new_field");
    assert_eq!(u.count, 2);
    assert_eq!(
        u.types.iter().copied().collect::<Vec<_>>(),
        ["integer", "string"]
    );
    assert_eq!(u.example.as_deref(), Some("\"x\""));
    assert_eq!(u.first_path, ".emoji_list[0].new_field");
}

#[test]
fn strict_decode_errors_carry_their_path() {
    let body = br#"{"status_code":0,"emoji_list":[{"display_name":5}]}"#;
    let r = check(
        "web",
        douyin_web::OPERATIONS,
        "emoji_list",
        body,
        DecodeMode::Strict,
    )
    .unwrap();
    let p = r.problem.as_ref().unwrap();
    assert_eq!(p.kind, "decode");
    assert_eq!(p.path.as_deref(), Some("emoji_list[0].display_name"));
    assert!(p.message.contains("expected string"), "{}", p.message);
    assert!(!r.lossless());
}

#[test]
fn drift_is_listed_by_path_and_kept() {
    let body = br#"{"status_code":0,"emoji_list":[{"display_name":5},{"display_name":[1]},{"display_name":6}]}"#;
    let r = check(
        "web",
        douyin_web::OPERATIONS,
        "emoji_list",
        body,
        DecodeMode::Tolerant,
    )
    .unwrap();
    assert!(r.problem.is_none(), "{r:?}");
    assert!(r.lossless(), "{r:?}");
    let drift: Vec<String> = r.drift.iter().map(ToString::to_string).collect();
    assert_eq!(
        drift,
        [
            "`.emoji_list[].display_name`: expected string, found integer (2 times)",
            "`.emoji_list[].display_name`: expected string, found array",
        ]
    );
    assert!(r
        .text("x")
        .contains(".emoji_list[].display_name  expected string, found integer  ×2"));
}

#[test]
fn a_truncated_capture_names_where_it_stops() {
    let body = br#"{"status_code":0,"emoji_list":[{"display_name":"a"},{"display_name":"#;
    let r = check(
        "web",
        douyin_web::OPERATIONS,
        "emoji_list",
        body,
        DecodeMode::Tolerant,
    )
    .unwrap();
    let p = r.problem.as_ref().unwrap();
    assert_eq!(
        p.path.as_deref(),
        Some("emoji_list[1].display_name"),
        "{p:?}"
    );
    assert!(p.message.contains("EOF"), "{}", p.message);
}

#[test]
fn a_failure_inside_an_unknown_field_names_the_field() {
    let body = br#"{"status_code":0,"emoji_list":[{"new":{"deep":[1,}}]}"#;
    let r = check(
        "web",
        douyin_web::OPERATIONS,
        "emoji_list",
        body,
        DecodeMode::Tolerant,
    )
    .unwrap();
    let p = r.problem.as_ref().unwrap();
    assert_eq!(p.path.as_deref(), Some("emoji_list[0].new"), "{p:?}");
}

#[test]
fn duplicate_keys_are_not_lossless() {
    let body = br#"{"status_code":0,"emoji_list":[],"extra":{"now":1,"now":2},"x":{"y":1,"y":1}}"#;
    let r = check(
        "web",
        douyin_web::OPERATIONS,
        "emoji_list",
        body,
        DecodeMode::Tolerant,
    )
    .unwrap();
    assert_eq!(r.duplicate_keys, [".extra.now", ".x.y"], "{r:?}");
    assert_eq!(
        r.drift[0].to_string(),
        "`.extra.now`: expected one value, found duplicate key"
    );
    assert!(!r.lossless());
    assert!(r.text("x").contains("duplicate keys: 2"), "{}", r.text("x"));
    let r = check(
        "web",
        douyin_web::OPERATIONS,
        "emoji_list",
        body,
        DecodeMode::Strict,
    )
    .unwrap();
    let p = r.problem.as_ref().unwrap();
    assert_eq!(p.path.as_deref(), Some("extra.now"), "{p:?}");
    assert!(p.message.contains("duplicate field `now`"), "{}", p.message);
}

#[test]
fn unknown_operations_list_the_known_ones() {
    let e = check(
        "web",
        douyin_web::OPERATIONS,
        "nope",
        b"{}",
        DecodeMode::Tolerant,
    )
    .unwrap_err();
    assert!(e.message.contains("comment-list"), "{}", e.message);
}
