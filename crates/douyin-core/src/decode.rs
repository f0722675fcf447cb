//! Turns a response body into the typed value or the right error: blocked, API error, or decode error with its path.

use std::borrow::Cow;

use serde_json::Value;

use crate::drift::{from_json, Decode, DecodeMode, Response};
use crate::error::{ApiError, BlockedKind, DecodeError, Error, ErrorCode, RefusalKind};
use crate::redact::{mask, mask_bytes};

/// Where a domain's bodies report their outcome: dot-separated JSON paths, first present wins. Generated from the
/// domain spec's `envelope`.
#[derive(Debug)]
pub struct EnvelopeSpec {
    /// Paths of the error code.
    pub code: &'static [&'static str],
    /// Codes that mean success (compared as text). An absent code also means success.
    pub success: &'static [&'static str],
    /// Paths of the message.
    pub message: &'static [&'static str],
    /// Paths of the request/log id.
    pub log_id: &'static [&'static str],
    /// Paths of the sub error code.
    pub sub_code: &'static [&'static str],
    /// Paths of the sub error message.
    pub sub_message: &'static [&'static str],
    /// Body shapes that refuse the request although the code says success.
    pub refusals: &'static [Refusal],
}

/// A body shape that refuses the request although its code says success: a string field at `path` equal to `equals`
/// (douyin.com's search answers a captcha with `status_code` 0 and `search_nil_info.search_nil_type`
/// `"verify_check"`). Generated from the domain spec's `envelope.refusals`; each response type that has the field
/// reports a match in [`Outcome::refused`].
#[derive(Debug)]
pub struct Refusal {
    /// Dot-separated path of the field.
    pub path: &'static str,
    /// The text value that means refusal.
    pub equals: &'static str,
    /// What the service wants.
    pub kind: RefusalKind,
}

/// The outcome fields read from a typed response (generated per response type).
#[derive(Debug, Default)]
pub struct Outcome<'a> {
    /// The code as text.
    pub code: Option<Cow<'a, str>>,
    /// The message.
    pub message: Option<&'a str>,
    /// The log id.
    pub log_id: Option<&'a str>,
    /// The sub code as text.
    pub sub_code: Option<Cow<'a, str>>,
    /// The sub message.
    pub sub_message: Option<&'a str>,
    /// The index in [`EnvelopeSpec::refusals`] of the refusal the body's shape matches, if any.
    pub refused: Option<usize>,
}

/// Implemented by every generated response type: reads the envelope fields without another pass over the body.
pub trait Envelope {
    /// The outcome the body reports.
    fn outcome(&self) -> Outcome<'_>;
}

/// A code field's value as text, whatever JSON type carried it.
pub trait CodeText {
    /// The text.
    fn code_text(&self) -> Cow<'_, str>;
}

impl CodeText for String {
    fn code_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}
impl CodeText for i64 {
    fn code_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}
impl CodeText for crate::StrOrNum {
    fn code_text(&self) -> Cow<'_, str> {
        self.to_text()
    }
}

impl Outcome<'_> {
    fn into_error<C: ErrorCode>(self, spec: &EnvelopeSpec, status: u16) -> Option<ApiError<C>> {
        let code = self.code?;
        if spec.success.iter().any(|s| *s == code) {
            return None;
        }
        Some(ApiError {
            code: C::from_raw(&code),
            message: self.message.map(str::to_owned),
            log_id: self.log_id.map(str::to_owned),
            sub_code: self.sub_code.map(Cow::into_owned),
            sub_message: self.sub_message.map(str::to_owned),
            http_status: status,
        })
    }
}

fn lookup<'v>(value: &'v Value, paths: &[&str]) -> Option<&'v Value> {
    paths.iter().find_map(|path| {
        path.split('.')
            .try_fold(value, |v, seg| v.get(seg))
            .filter(|v| !v.is_null())
    })
}

fn text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// Reads the outcome from an untyped body (the slow path, when the typed decode failed).
pub fn probe_outcome<'v>(value: &'v Value, spec: &EnvelopeSpec) -> Outcome<'v> {
    Outcome {
        code: lookup(value, spec.code).and_then(text),
        message: lookup(value, spec.message).and_then(Value::as_str),
        log_id: lookup(value, spec.log_id).and_then(Value::as_str),
        sub_code: lookup(value, spec.sub_code).and_then(text),
        sub_message: lookup(value, spec.sub_message).and_then(Value::as_str),
        refused: spec
            .refusals
            .iter()
            .position(|r| lookup(value, &[r.path]).and_then(Value::as_str) == Some(r.equals)),
    }
}

/// Masks every secret in `body` (in any encoding [`mask`] knows) and cuts it to a short excerpt.
pub fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    const MAX: usize = 160;
    // A few bytes past MAX so a character cut at the window's end is dropped whole below.
    let window = MAX + 4;
    let (bytes, more) = mask_bytes(body, secrets, window).unwrap_or_else(|| {
        let end = body.len().min(window);
        (body[..end].to_vec(), end < body.len())
    });
    let mut s = String::from_utf8_lossy(&bytes).into_owned();
    if s.len() > MAX || more {
        let mut cut = MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// Classifies a body that is not JSON at all: empty, or an HTML/JS page.
pub fn blocked(body: &[u8], content_type: &str) -> Option<BlockedKind> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => Some(BlockedKind::EmptyBody),
        Some(b'{') | Some(b'[') => None,
        Some(_) if content_type.contains("json") && !body.starts_with(b"<") => None,
        Some(_) => Some(BlockedKind::Challenge {
            content_type: if content_type.is_empty() {
                "no content type".to_owned()
            } else {
                content_type.to_owned()
            },
        }),
    }
}

/// Decodes a JSON body into `T`, or into the error it stands for. In [`DecodeMode::Tolerant`] a value that does not
/// fit its type is kept raw and reported in the response's [`Response::drift`]; in [`DecodeMode::Strict`] it fails
/// the decode with its path.
pub fn decode_body<T, C>(
    status: u16,
    content_type: &str,
    body: &[u8],
    spec: &EnvelopeSpec,
    secrets: &[&str],
    mode: DecodeMode,
) -> Result<T, Error<C>>
where
    T: Decode + Envelope + Response,
    C: ErrorCode,
{
    let ok_status = (200..300).contains(&status);
    if let Some(kind) = blocked(body, content_type) {
        return Err(if ok_status {
            Error::Blocked(kind)
        } else {
            Error::Status {
                status,
                excerpt: excerpt(body, secrets),
            }
        });
    }
    // Fast path: one typed pass; the envelope is read from the typed value.
    let typed = from_json::<T>(body, mode);
    if let Ok((mut value, drift)) = typed {
        // A code that drifted (`"status_code":"8"` where an integer belongs) must not read as success: only then is
        // the envelope looked up untyped.
        let code_drifted = drift.iter().any(|d| {
            spec.code
                .iter()
                .any(|c| d.path.strip_prefix('.') == Some(*c))
        });
        let api = if code_drifted {
            serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| probe_outcome(&v, spec).into_error(spec, status))
        } else {
            value.outcome().into_error(spec, status)
        };
        if let Some(api) = api {
            return Err(Error::Api(Box::new(api)));
        }
        if let Some(r) = value.outcome().refused.and_then(|i| spec.refusals.get(i)) {
            return Err(Error::Blocked(BlockedKind::Refused {
                kind: r.kind,
                evidence: format!("{} = {}", r.path, r.equals),
            }));
        }
        if !ok_status {
            return Err(Error::Status {
                status,
                excerpt: excerpt(body, secrets),
            });
        }
        // Drift paths name map keys, which may be an echoed credential; they reach logs and reports.
        let drift = drift
            .into_iter()
            .map(|mut d| {
                if let Cow::Owned(masked) = mask(&d.path, secrets) {
                    d.path = masked;
                }
                d
            })
            .collect();
        value.set_drift(drift);
        return Ok(value);
    }
    // Slow path: an error body need not match the success schema, so look for the envelope untyped.
    if let Ok(untyped) = serde_json::from_slice::<Value>(body) {
        if let Some(api) = probe_outcome(&untyped, spec).into_error(spec, status) {
            return Err(Error::Api(Box::new(api)));
        }
    }
    if !ok_status {
        return Err(Error::Status {
            status,
            excerpt: excerpt(body, secrets),
        });
    }
    let Err((path, message)) = typed else {
        unreachable!("the typed decode failed")
    };
    // serde's messages quote the offending value and paths name map keys; either may be an echoed credential.
    Err(Error::Decode(Box::new(DecodeError {
        path: mask(&path, secrets).into_owned(),
        message: mask(&message, secrets).into_owned(),
        excerpt: excerpt(body, secrets),
    })))
}

/// [`decode_body`] as a client runs it: logs one warning per distinct drift path of the response.
pub fn decode_response<T, C>(
    status: u16,
    content_type: &str,
    body: &[u8],
    spec: &EnvelopeSpec,
    secrets: &[&str],
    mode: DecodeMode,
) -> Result<T, Error<C>>
where
    T: Decode + Envelope + Response,
    C: ErrorCode,
{
    let value = decode_body::<T, C>(status, content_type, body, spec, secrets, mode)?;
    for d in value.drift() {
        tracing::warn!(
            path = %d.path,
            expected = d.expected,
            found = %d.found,
            count = d.count,
            "response value does not fit its schema; kept raw, field left empty"
        );
    }
    Ok(value)
}
