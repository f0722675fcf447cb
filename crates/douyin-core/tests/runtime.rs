//! Runtime behaviour without HTTP: body classification, envelope errors, decode paths, redaction, query encoding,
//! bounds, pagination stop rules.

use douyin_core::decode::{decode_body, excerpt};
use douyin_core::request::{encode_component, push_pair};
use douyin_core::{
    check_range, impl_lossless, paginate, BlockedKind, Census, CursorWalk, DecodeMode, Domain,
    Drift, Envelope, EnvelopeSpec, Error, Extra, Found, Outcome, Page, Refusal, RefusalKind,
    Response,
};
use futures::{executor::block_on, StreamExt};
use support::domain::{Body, Code, Probe};

mod support;

fn decode(status: u16, ct: &str, body: &str) -> Result<Body, Error<Code>> {
    decode_body::<Body, Code>(
        status,
        ct,
        body.as_bytes(),
        Probe::ENVELOPE,
        &["SECRET"],
        DecodeMode::Tolerant,
    )
}

fn decode_strict(body: &str) -> Result<Body, Error<Code>> {
    decode_body::<Body, Code>(
        200,
        "application/json",
        body.as_bytes(),
        Probe::ENVELOPE,
        &["SECRET"],
        DecodeMode::Strict,
    )
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
fn strict_an_error_code_in_the_body_is_an_api_error_even_when_the_body_does_not_fit() {
    // Strict: the typed decode fails on `items`, and the envelope (log id included) is read untyped.
    let e =
        decode_strict(r#"{"code":7,"msg":"slow down","items":"oops","log_id":"L1"}"#).unwrap_err();
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
fn strict_a_body_that_does_not_fit_names_the_path_and_masks_secrets() {
    let e = decode_strict(r#"{"code":0,"items":[1,"SECRET"]}"#).unwrap_err();
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
fn tolerant_a_value_that_does_not_fit_is_kept_and_reported() {
    let text = r#"{"code":0,"items":[1,"x",2],"msg":{"a":[1.5]},"new":true}"#;
    let body = decode(200, "application/json", text).unwrap();
    assert_eq!(
        (body.code, body.items.as_ref(), body.msg.as_ref()),
        (Some(0), None, None)
    );
    let drift: Vec<String> = body.drift().iter().map(ToString::to_string).collect();
    assert_eq!(
        drift,
        [
            "`.items[]`: expected integer, found string",
            "`.msg`: expected string, found object",
        ]
    );
    // Only `new` is an unknown field; the drifted values are written back in place.
    assert_eq!(body.unknown_paths(), [".new"]);
    let again: serde_json::Value = serde_json::to_value(&body).unwrap();
    assert_eq!(
        again,
        serde_json::from_str::<serde_json::Value>(text).unwrap()
    );
}

#[test]
fn tolerant_a_drifted_error_code_is_still_an_api_error() {
    // `code` is typed as an integer; a string code must not read as "no code, success".
    let e = decode(200, "application/json", r#"{"code":"7","msg":"slow down"}"#).unwrap_err();
    assert_eq!(e.api().expect("api error").code, Code("7".into()));
}

#[test]
fn duplicate_keys_are_reported_not_silently_merged() {
    let body = decode(200, "application/json", r#"{"code":5,"code":0}"#).unwrap();
    assert_eq!(body.code, Some(0), "the last value wins, as in JSON.parse");
    assert_eq!(
        body.drift(),
        [Drift {
            path: ".code".into(),
            expected: "one value",
            found: Found::DuplicateKey,
            count: 1
        }]
    );
    let e = decode_strict(r#"{"code":5,"code":0}"#).unwrap_err();
    assert!(e.to_string().contains("duplicate field `code`"), "{e}");
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

static REFUSING: EnvelopeSpec = EnvelopeSpec {
    code: &["code"],
    success: &["0"],
    message: &["msg"],
    log_id: &[],
    sub_code: &[],
    sub_message: &[],
    refusals: &[
        Refusal {
            path: "nil.type",
            equals: "verify_check",
            kind: RefusalKind::Captcha,
        },
        Refusal {
            path: "nil.type",
            equals: "login",
            kind: RefusalKind::Login,
        },
    ],
};

#[derive(Clone, Debug, Default)]
struct Nil {
    kind: Option<String>,
    unknown_fields: Extra,
}
impl_lossless!(Nil { kind: "type" });

/// A search-like page: its `nil.type` field is where the refusals look (as generated code reads it).
#[derive(Clone, Debug, Default)]
struct Searched {
    code: Option<i64>,
    items: Option<Vec<i64>>,
    nil: Option<Nil>,
    unknown_fields: Extra,
    drift: Vec<Drift>,
}
impl_lossless!(Searched {
    code: "code",
    items: "items",
    nil: "nil"
} response);

impl Envelope for Searched {
    fn outcome(&self) -> Outcome<'_> {
        let kind = self.nil.as_ref().and_then(|n| n.kind.as_deref());
        Outcome {
            code: self.code.map(|c| std::borrow::Cow::Owned(c.to_string())),
            refused: REFUSING
                .refusals
                .iter()
                .position(|r| Some(r.equals) == kind),
            ..Outcome::default()
        }
    }
}

#[test]
fn a_success_shaped_refusal_is_blocked_with_its_evidence() {
    let decode = |body: &str| {
        decode_body::<Searched, Code>(
            200,
            "application/json",
            body.as_bytes(),
            &REFUSING,
            &[],
            DecodeMode::Tolerant,
        )
    };
    match decode(r#"{"code":0,"items":[],"nil":{"type":"verify_check","text_type":9}}"#) {
        Err(Error::Blocked(kind)) => {
            assert_eq!(
                kind,
                BlockedKind::Refused {
                    kind: RefusalKind::Captcha,
                    evidence: "nil.type = verify_check".into()
                }
            );
            assert_eq!(
                kind.to_string(),
                "the service asks for a captcha (nil.type = verify_check)"
            );
            assert!(kind.advice().contains("captcha"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        decode(r#"{"code":0,"nil":{"type":"login"}}"#),
        Err(Error::Blocked(BlockedKind::Refused {
            kind: RefusalKind::Login,
            ..
        }))
    ));
    // The marker elsewhere in the body (a caption, another field) is no refusal.
    let ok = decode(r#"{"code":0,"items":[1],"msg":"verify_check","nil":{"type":""}}"#).unwrap();
    assert_eq!(ok.items, Some(vec![1]));
    // An error code still wins over the refusal shape.
    let e = decode(r#"{"code":7,"nil":{"type":"verify_check"}}"#).unwrap_err();
    assert_eq!(e.api().unwrap().code, Code("7".into()));
}
