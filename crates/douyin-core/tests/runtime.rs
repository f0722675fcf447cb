//! Runtime behaviour without HTTP: body classification, envelope errors, decode paths, redaction, query encoding,
//! bounds, pagination stop rules.

use douyin_core::decode::{decode_body, excerpt};
use douyin_core::request::{encode_component, push_pair};
use douyin_core::{check_range, paginate, BlockedKind, Census, CursorWalk, Domain, Error, Page};
use futures::{executor::block_on, StreamExt};
use support::domain::{Body, Code, Probe};

mod support;

fn decode(status: u16, ct: &str, body: &str) -> Result<Body, Error<Code>> {
    decode_body::<Body, Code>(status, ct, body.as_bytes(), Probe::ENVELOPE, &["SECRET"])
}

#[test]
fn empty_and_html_bodies_are_blocked_not_empty_results() {
    assert!(matches!(
        decode(200, "", "  \n"),
        Err(Error::Blocked(BlockedKind::EmptyBody))
    ));
    match decode(200, "text/html", "<html>verify</html>") {
        Err(Error::Blocked(BlockedKind::Challenge { content_type })) => {
            assert_eq!(content_type, "text/html")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        decode(502, "text/html", "<html/>"),
        Err(Error::Status { status: 502, .. })
    ));
}

#[test]
fn an_error_code_in_the_body_is_an_api_error_even_when_the_body_does_not_fit() {
    let e = decode(
        200,
        "application/json",
        r#"{"code":7,"msg":"slow down","items":"oops","log_id":"L1"}"#,
    )
    .unwrap_err();
    let api = e.api().expect("api error");
    assert_eq!(api.code, Code("7".into()));
    assert_eq!(api.message.as_deref(), Some("slow down"));
    assert_eq!(api.log_id.as_deref(), Some("L1"));
    assert!(e.is_retryable());
    assert_eq!(
        e.to_string(),
        "API error code 7 (seven): slow down [log id L1]"
    );
}

#[test]
fn a_body_that_does_not_fit_names_the_path_and_masks_secrets() {
    let e = decode(
        200,
        "application/json",
        r#"{"code":0,"items":[1,"SECRET"]}"#,
    )
    .unwrap_err();
    match e {
        Error::Decode(d) => {
            assert_eq!(d.path, "items[1]");
            assert!(
                d.excerpt.contains("***") && !d.excerpt.contains("SECRET"),
                "{}",
                d.excerpt
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn success_keeps_unknown_fields_and_reports_their_paths() {
    let body = decode(
        200,
        "application/json",
        r#"{"code":0,"new":{"a":1},"items":null}"#,
    )
    .unwrap();
    assert_eq!(body.items, None);
    assert_eq!(
        body.unknown_fields.get("new").map(|r| r.get()),
        Some(r#"{"a":1}"#)
    );
    assert_eq!(body.unknown_paths(), vec![".new".to_owned()]);
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"code":0,"new":{"a":1}}"#
    );
}

#[test]
fn excerpts_are_short_and_cut_on_char_boundaries() {
    let long = "抖".repeat(200);
    let e = excerpt(long.as_bytes(), &[]);
    assert!(e.ends_with('…') && e.len() <= 164, "{}", e.len());
}

#[test]
fn query_values_are_percent_encoded_exactly_once() {
    let mut q = String::new();
    push_pair(&mut q, "item_id", "@8hx+KPp/x1w==");
    push_pair(&mut q, "q", "a b&c");
    assert_eq!(q, "item_id=%408hx%2BKPp%2Fx1w%3D%3D&q=a%20b%26c");
    let mut s = String::new();
    encode_component(&mut s, "-._~AZaz09");
    assert_eq!(s, "-._~AZaz09");
}

#[test]
fn bounds_are_checked_before_sending() {
    assert!(check_range::<Code>("count", Some(50), Some(1), Some(50)).is_ok());
    assert!(check_range::<Code>("count", None, Some(1), Some(50)).is_ok());
    let e = check_range::<Code>("count", Some(51), Some(1), Some(50)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid parameter `count`: 51 is out of range: must be between 1 and 50"
    );
}

#[test]
fn pagination_follows_cursors_and_stops_on_has_more_false() {
    let pages = |cursor: Option<i64>| -> Page<i64> {
        let c = cursor.unwrap_or(0);
        Page {
            items: vec![c * 10, c * 10 + 1],
            next_cursor: Some(c + 1),
            has_more: c < 2,
        }
    };
    let items: Vec<i64> = block_on(
        paginate::<_, _, Code, _, _>(
            None::<i64>,
            |p| async move { Ok(pages(p)) },
            |p| *p,
            |p, c| *p = Some(c),
        )
        .map(Result::unwrap)
        .collect(),
    );
    assert_eq!(items, [0, 1, 10, 11, 20, 21]);
}

#[test]
fn a_cursor_that_does_not_advance_ends_the_stream_with_an_error() {
    let stuck = |_: Option<i64>| Page {
        items: vec![1],
        next_cursor: Some(5),
        has_more: true,
    };
    let out: Vec<Result<i64, Error<Code>>> = block_on(
        paginate::<_, _, Code, _, _>(
            Some(5),
            |p| async move { Ok(stuck(p)) },
            |p| *p,
            |p, c| *p = Some(c),
        )
        .collect(),
    );
    assert_eq!(out.len(), 2);
    assert!(matches!(&out[1], Err(Error::StalledCursor { cursor }) if cursor == "5"));
}

#[test]
fn a_cursor_cycle_ends_the_stream_with_an_error() {
    // Issue 11 row 9: the cursor alternates 0 ↔ 1 and has_more never clears. Only an immediate repeat was caught.
    let fetched = std::sync::Mutex::new(Vec::new());
    let alternating = |c: Option<i64>| {
        fetched.lock().unwrap().push(c);
        Page {
            items: vec![c.unwrap_or(-1)],
            next_cursor: Some(if c == Some(1) { 0 } else { 1 }),
            has_more: true,
        }
    };
    let out: Vec<Result<i64, Error<Code>>> = block_on(
        paginate::<_, _, Code, _, _>(
            None::<i64>,
            |p| {
                let page = alternating(p);
                async move { Ok(page) }
            },
            |p| *p,
            |p, c| *p = Some(c),
        )
        .take(100)
        .collect(),
    );
    // None → 1 → 0 → 1 again: three pages, then the error.
    assert_eq!(*fetched.lock().unwrap(), [None, Some(1), Some(0)]);
    assert_eq!(out.len(), 4, "{out:?}");
    assert_eq!(
        out[..3]
            .iter()
            .map(|r| *r.as_ref().unwrap())
            .collect::<Vec<_>>(),
        [-1, 1, 0]
    );
    assert!(matches!(&out[3], Err(Error::StalledCursor { cursor }) if cursor == "1"));
}

#[test]
fn the_walk_rules_stop_on_no_more_no_cursor_and_any_repeat() {
    let mut walk = CursorWalk::new(Some(10));
    assert_eq!(walk.next::<Code>(Some(20), true).unwrap(), Some(20));
    assert_eq!(walk.next::<Code>(Some(30), true).unwrap(), Some(30));
    // A cursor seen two pages ago (the start one) is a cycle, not progress.
    assert!(matches!(
        walk.next::<Code>(Some(10), true),
        Err(Error::StalledCursor { cursor }) if cursor == "10"
    ));
    assert_eq!(walk.next::<Code>(Some(40), false).unwrap(), None);
    assert_eq!(walk.next::<Code>(None, true).unwrap(), None);
    assert_eq!(walk.cursors(), 3);
}

#[test]
fn a_request_reqwest_cannot_build_is_not_retried() {
    let builder_error = reqwest::Client::new().get("not a url").build().unwrap_err();
    assert!(builder_error.is_builder());
    assert!(!Error::<Code>::Transport(builder_error).is_retryable());
}
