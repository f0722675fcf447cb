//! Runtime behaviour without HTTP: body classification, envelope errors, decode paths, redaction, query encoding,
//! bounds, pagination stop rules.

use std::borrow::Cow;

use douyin_core::decode::{decode_body, excerpt};
use douyin_core::request::{encode_component, push_pair};
use douyin_core::{
    check_range, impl_lossless, paginate, BlockedKind, Census, DecodeMode, Drift, Envelope,
    EnvelopeSpec, Error, ErrorClass, ErrorCode, Extra, Found, Outcome, Page, Response,
};
use futures::{executor::block_on, StreamExt};

#[derive(Clone, Debug, PartialEq)]
struct Code(String);

impl ErrorCode for Code {
    fn from_raw(raw: &str) -> Self {
        Code(raw.to_owned())
    }
    fn raw(&self) -> &str {
        &self.0
    }
    fn meaning(&self) -> Option<&'static str> {
        (self.0 == "7").then_some("seven")
    }
    fn class(&self) -> ErrorClass {
        if self.0 == "7" {
            ErrorClass::RateLimited
        } else {
            ErrorClass::Other
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Body {
    code: Option<i64>,
    msg: Option<String>,
    items: Option<Vec<i64>>,
    unknown_fields: Extra,
    drift: Vec<Drift>,
}
impl_lossless!(Body {
    code: "code",
    msg: "msg",
    items: "items"
} response);

impl Envelope for Body {
    fn outcome(&self) -> Outcome<'_> {
        Outcome {
            code: self.code.map(|c| Cow::Owned(c.to_string())),
            message: self.msg.as_deref(),
            ..Outcome::default()
        }
    }
}

static SPEC: EnvelopeSpec = EnvelopeSpec {
    code: &["code"],
    success: &["0"],
    message: &["msg"],
    log_id: &["meta.log"],
    sub_code: &[],
    sub_message: &[],
};

fn decode(status: u16, ct: &str, body: &str) -> Result<Body, Error<Code>> {
    decode_body::<Body, Code>(
        status,
        ct,
        body.as_bytes(),
        &SPEC,
        &["SECRET"],
        DecodeMode::Tolerant,
    )
}

fn decode_strict(body: &str) -> Result<Body, Error<Code>> {
    decode_body::<Body, Code>(
        200,
        "application/json",
        body.as_bytes(),
        &SPEC,
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
    let e = decode_strict(r#"{"code":7,"msg":"slow down","items":"oops","meta":{"log":"L1"}}"#)
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
