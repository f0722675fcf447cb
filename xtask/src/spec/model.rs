//! The spec file format as Rust types; `deny_unknown_fields` everywhere so a misspelled key is an error.

use serde::Deserialize;
use serde_json::Value as Json;

/// `specs/<domain>/domain.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainFile {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub doc: Option<String>,
    pub source: String,
    pub base_url: String,
    #[serde(default)]
    pub credentials: Vec<Credential>,
    #[serde(default)]
    pub common_parameters: Vec<Parameter>,
    pub envelope: Envelope,
    #[serde(default)]
    pub errors: Vec<ErrorCodeSpec>,
    #[serde(default)]
    pub response_formats: Option<ResponseFormats>,
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub alternative_base_urls: Vec<AlternativeBaseUrl>,
    #[serde(default)]
    pub authorization_url: Option<AuthorizationUrl>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Another documented base URL of the same API (a sandbox).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AlternativeBaseUrl {
    pub name: String,
    pub url: String,
    pub source: String,
    #[serde(default)]
    pub doc: Option<String>,
}

/// A page the user's browser opens (OAuth authorization), built as a URL rather than called.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationUrl {
    pub url: String,
    pub source: String,
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub refresh_on: Vec<ErrorClass>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    #[serde(default)]
    pub code: Vec<String>,
    #[serde(default)]
    pub success: Vec<String>,
    #[serde(default)]
    pub message: Vec<String>,
    #[serde(default)]
    pub log_id: Vec<String>,
    #[serde(default)]
    pub sub_code: Vec<String>,
    #[serde(default)]
    pub sub_message: Vec<String>,
    #[serde(default)]
    pub billed: bool,
    #[serde(default)]
    pub schema: Option<Json>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodeSpec {
    pub code: String,
    pub name: String,
    pub meaning: String,
    #[serde(default)]
    pub doc_zh: Option<String>,
    #[serde(default)]
    pub advice: Option<String>,
    pub class: ErrorClass,
    #[serde(default)]
    pub billed: Option<Billed>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    Success,
    NoResult,
    InvalidParameter,
    Authentication,
    ExpiredCredential,
    Reauthorize,
    Permission,
    Quota,
    RateLimited,
    Retryable,
    Server,
    Blocked,
    Other,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Billed {
    Yes,
    No,
    Ignored,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFormats {
    pub parameter: String,
    pub json: Vec<String>,
    pub text: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The user agent the profile's defaults agree with.
    #[serde(default)]
    pub user_agent: Option<String>,
    pub profile: Vec<ProfileParam>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileParam {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub position: Position,
    #[serde(default)]
    pub doc: Option<String>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    First,
    #[default]
    Last,
}

/// `specs/<domain>/<operation>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationFile {
    pub name: String,
    pub summary: String,
    #[serde(default)]
    pub doc_zh: Option<String>,
    pub source: String,
    pub method: Method,
    pub path: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub referer: Option<String>,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    pub response: Response,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: Location,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub schema: Option<Json>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub example: Option<Json>,
    #[serde(default)]
    pub rust_name: Option<String>,
    #[serde(default)]
    pub credential: Option<String>,
    #[serde(rename = "const", default)]
    pub constant: Option<String>,
    #[serde(default)]
    pub encoding: Option<Encoding>,
    #[serde(default)]
    pub default: Option<Json>,
    #[serde(default)]
    pub position: Position,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Query,
    Header,
    Form,
    /// A member of a JSON object body (`application/json`).
    Json,
}

impl Location {
    /// Whether the parameter travels in the request body.
    pub fn in_body(self) -> bool {
        matches!(self, Location::Form | Location::Json)
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    #[serde(rename = "type")]
    pub type_name: String,
    pub schema: Json,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    pub cursor_param: String,
    pub next_cursor: String,
    pub has_more: String,
    pub items: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub file: String,
    pub source: String,
    pub expect: Expect,
}

/// What decoding an example must give: `ok`, `{ api_error: CODE }` or `{ artifact: { reason, path } }`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Ok,
    ApiError(String),
    Artifact { reason: String, path: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectMap {
    #[serde(default)]
    api_error: Option<String>,
    #[serde(default)]
    artifact: Option<Artifact>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Artifact {
    reason: String,
    path: String,
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Expect;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`ok`, `{ api_error: CODE }` or `{ artifact: { reason, path } }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Expect, E> {
                match v {
                    "ok" => Ok(Expect::Ok),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Expect, A::Error> {
                let m = ExpectMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (m.api_error, m.artifact) {
                    (Some(code), None) => Ok(Expect::ApiError(code)),
                    (None, Some(a)) => Ok(Expect::Artifact {
                        reason: a.reason,
                        path: a.path,
                    }),
                    _ => Err(de::Error::custom(
                        "expect needs exactly one of `api_error` or `artifact`",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}
