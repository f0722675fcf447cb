//! A request as generated methods describe it: ordered query, headers and form, with credential slots filled at send.

use std::fmt::Write as _;

use crate::error::{Error, ErrorCode};

/// An HTTP method an operation is sent with (the spec's `method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: parameters in the query.
    Get,
    /// `POST`: a form body, parameters possibly in the query too.
    Post,
}

impl Method {
    /// The method as sent (`GET`, `POST`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Static facts about one operation, generated from its spec.
#[derive(Debug)]
pub struct Operation {
    /// The spec's operation name.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// Path below the base URL.
    pub path: &'static str,
    /// The operation's own base URL when it is not the domain's (a bootstrap endpoint on another host).
    pub base_url: Option<&'static str>,
    /// The names of the domain's signers applied to it, in order (the spec's `signing`).
    pub signing: &'static [&'static str],
    /// Its budget per identity, risk signals, cooldown and breaker (the spec's `pacing`), if the domain paces.
    pub pacing: Option<crate::pacing::Pacing>,
}

/// Where a session's profile parameters go relative to the operation's own query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// Before the operation's parameters.
    First,
    /// After the operation's parameters.
    Last,
}

/// A value that is either given now or taken from a named credential at send time.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Plain(String),
    Credential(&'static str),
    Session(Position),
    /// JSON text sent as it is (a number, a boolean, an object) in a JSON body, not as a JSON string.
    JsonText(String),
}

/// The parts of an HTTP request a generated method fills in; sent by [`crate::Client`].
#[derive(Clone, Debug)]
pub struct Request {
    pub(crate) op: &'static Operation,
    pub(crate) query: Vec<(&'static str, Value)>,
    pub(crate) headers: Vec<(&'static str, Value)>,
    pub(crate) form: Vec<(&'static str, Value)>,
    /// Members of a JSON object body, in order (an operation has a form or a JSON body, never both).
    pub(crate) json: Vec<(&'static str, Value)>,
}

impl Request {
    /// Starts a request for `op`.
    pub fn new(op: &'static Operation) -> Self {
        Request {
            op,
            query: Vec::new(),
            headers: Vec::new(),
            form: Vec::new(),
            json: Vec::new(),
        }
    }

    /// The operation this request is for.
    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    /// Appends a query parameter (percent-encoded exactly once when sent).
    pub fn query(&mut self, name: &'static str, value: impl ParamValue) {
        self.query.push((name, Value::Plain(value.to_param())));
    }

    /// Appends a query parameter whose value is the named credential.
    pub fn query_credential(&mut self, name: &'static str, credential: &'static str) {
        self.query.push((name, Value::Credential(credential)));
    }

    /// Marks where the session's profile parameters of `position` go.
    pub fn session_query(&mut self, position: Position) {
        self.query.push(("", Value::Session(position)));
    }

    /// Sets a header.
    pub fn header(&mut self, name: &'static str, value: impl ParamValue) {
        self.headers.push((name, Value::Plain(value.to_param())));
    }

    /// Sets a header whose value is the named credential.
    pub fn header_credential(&mut self, name: &'static str, credential: &'static str) {
        self.headers.push((name, Value::Credential(credential)));
    }

    /// Appends a form field (the body becomes `application/x-www-form-urlencoded`).
    pub fn form(&mut self, name: &'static str, value: impl ParamValue) {
        self.form.push((name, Value::Plain(value.to_param())));
    }

    /// Appends a form field whose value is the named credential (a client secret, a refresh token).
    pub fn form_credential(&mut self, name: &'static str, credential: &'static str) {
        self.form.push((name, Value::Credential(credential)));
    }

    /// Appends a string member to the JSON object body (the body becomes `application/json`).
    pub fn json_field(&mut self, name: &'static str, value: impl ParamValue) {
        self.json.push((name, Value::Plain(value.to_param())));
    }

    /// Appends a member to the JSON object body whose value is JSON text as given (a number, a boolean, an object
    /// such as `{"ticket":""}`), not a JSON string; text that is not JSON fails the request before it is sent.
    pub fn json_raw(&mut self, name: &'static str, json: impl ParamValue) {
        self.json.push((name, Value::JsonText(json.to_param())));
    }

    /// Appends a JSON body member whose value is the named credential.
    pub fn json_credential(&mut self, name: &'static str, credential: &'static str) {
        self.json.push((name, Value::Credential(credential)));
    }

    /// The plain (non-credential) value of a query parameter, as set.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find_map(|(n, v)| match v {
            Value::Plain(s) if *n == name => Some(s.as_str()),
            _ => None,
        })
    }

    /// Replaces (or appends) a plain query parameter: used by pagination to move the cursor.
    pub fn set_query(&mut self, name: &'static str, value: impl ParamValue) {
        let value = value.to_param();
        match self.query.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = Value::Plain(value),
            None => self.query.push((name, Value::Plain(value))),
        }
    }
}

/// How a parameter value is written on the wire.
pub trait ParamValue {
    /// The unencoded text.
    fn to_param(&self) -> String;
}

impl ParamValue for str {
    fn to_param(&self) -> String {
        self.to_owned()
    }
}
impl ParamValue for String {
    fn to_param(&self) -> String {
        self.clone()
    }
}
impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}
macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_param!(i32, i64, u32, u64, bool, f64);

/// A value sent as compact JSON text (lists of ids in a form field, `id_list` in a query).
pub struct Json<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> ParamValue for Json<'_, T> {
    fn to_param(&self) -> String {
        // Serializing plain data (strings, integers, derived structs) into a String cannot fail.
        serde_json::to_string(self.0).unwrap_or_default()
    }
}

/// Percent-encodes `value` into `out` (RFC 3986 unreserved characters stay; everything else, `+/=` included, is
/// `%XX`), so a value reaches the server exactly as given.
pub fn encode_component(out: &mut String, value: &str) {
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// `value` percent-encoded like a query value ([`encode_component`]), for a URL built from a parameter (a referer
/// naming a search keyword must stay ASCII to be a valid header).
pub fn encoded(value: &impl ParamValue) -> String {
    let mut out = String::new();
    encode_component(&mut out, &value.to_param());
    out
}

/// Appends `name=value` to a query or form string under construction.
pub fn push_pair(out: &mut String, name: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    encode_component(out, name);
    out.push('=');
    encode_component(out, value);
}

/// Checks an integer parameter against its documented bounds before anything is sent.
pub fn check_range<C: ErrorCode>(
    name: &'static str,
    value: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), Error<C>> {
    let Some(v) = value else { return Ok(()) };
    let below = min.is_some_and(|m| v < m);
    let above = max.is_some_and(|m| v > m);
    if below || above {
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => unreachable!("a bound was exceeded"),
        };
        return Err(Error::InvalidParameter {
            name,
            reason: format!("{v} is out of range: must be {range}"),
        });
    }
    Ok(())
}
