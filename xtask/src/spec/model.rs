//! The spec file format as Rust types; `deny_unknown_fields` everywhere so a misspelled key is an error.

use serde::Deserialize;
use serde_json::Value as Json;

/// `specs/<domain>/domain.yaml`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct DomainFile {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub doc: Option<String>,
    pub source: String,
    pub base_url: String,
    /// The generated crate's manifest and root module.
    #[serde(default, rename = "crate")]
    pub krate: CrateSpec,
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// A hand-written `fn(&dyn Fn(&'static str) -> Option<Secret>) -> Result<impl Credentials, String>` that builds
    /// the domain's credential provider from named values (default: the values as `StaticCredentials`).
    #[serde(default)]
    pub credentials_from: Option<String>,
    /// A hand-written `fn(<what credentials_from returns>) -> douyin_core::ClientBuilder<D>`: the one way a client is
    /// built for credentials, registering the signers that depend on them (default: `Client::builder()` with the
    /// credentials). Needs `credentials_from`.
    #[serde(default)]
    pub builder_from: Option<String>,
    /// The request signers the domain offers, in the order they are applied.
    #[serde(default)]
    pub signers: Vec<SignerSpec>,
    /// The signers applied to an operation that does not say (`signing:`); default: none.
    #[serde(default)]
    pub signing: Vec<String>,
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
    /// The parts credentials and operations play in the domain's OAuth flow (the mock simulates it).
    #[serde(default)]
    pub oauth: Option<OAuthRoles>,
    /// Budgets per identity, risk signals, cooldown and circuit breaker of every operation (`spec/pacing.rs`).
    #[serde(default)]
    pub pacing: Option<super::pacing::DomainPacing>,
    /// What the mock does with the domain as a whole.
    #[serde(default)]
    pub mock: Option<super::mock_model::DomainMock>,
    /// How pushed events (`events/*.yaml`) are signed and identified.
    #[serde(default)]
    pub webhooks: Option<super::event_model::WebhooksSpec>,
    /// A websocket channel of protobuf messages (the live room's chat).
    #[serde(default)]
    pub push: Option<super::push_model::PushSpec>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Which credentials and operations make up an OAuth flow: the mock issues and judges these credentials' values
/// and answers these operations as the service would.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct OAuthRoles {
    pub credentials: OAuthCredentialRoles,
    pub operations: OAuthOperationRoles,
}

/// Credential names by their part in the flow.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct OAuthCredentialRoles {
    /// The authorization code the redirect carries.
    pub code: String,
    /// The user's access token.
    pub access_token: String,
    /// The user's refresh token.
    pub refresh_token: String,
    /// The application's own token.
    pub client_token: String,
}

/// Operation names by their part in the flow.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct OAuthOperationRoles {
    /// Exchanges a code for the user's tokens.
    pub exchange_code: String,
    /// A new access token for a refresh token.
    pub refresh: String,
    /// A new refresh token for the old one.
    pub renew: String,
    /// The application's client token.
    pub client_token: String,
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

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    /// Whether a client cannot be configured without it (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// Error classes that make the client refresh this credential once.
    #[serde(default)]
    pub refresh_on: Vec<ErrorClass>,
    /// Documented error codes that make the client refresh this credential once.
    #[serde(default)]
    pub refresh_on_codes: Vec<String>,
    /// A value for documentation and tests: the mock accepts it by default.
    #[serde(default)]
    pub example: Option<String>,
    /// A common CLI flag that reads this credential from a file (`--cookies FILE`).
    #[serde(default)]
    pub cli_file: Option<CliFile>,
}

/// `cli_file:` of a credential: the flag's long name and its help.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct CliFile {
    pub flag: String,
    pub help: String,
}

fn yes() -> bool {
    true
}

/// A request signer the domain offers (`signers:` in `domain.yaml`).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct SignerSpec {
    /// The name operations use in `signing:` (snake_case).
    pub name: String,
    pub doc: String,
    /// The hand-written type implementing `douyin_core::Signer + Default`, as a path in the domain crate
    /// (`signing::XBogusSigner`).
    #[serde(rename = "type")]
    pub type_path: String,
    /// The query parameters it appends, in order (the mock finds and checks them).
    pub params: Vec<String>,
}

/// The generated crate's manifest and root module (`crate:` in `domain.yaml`).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct CrateSpec {
    /// The crate's version (default 0.1.0): bump it here when a spec change breaks users.
    #[serde(default)]
    pub version: Option<String>,
    /// The manifest's one-line description (default: the title).
    #[serde(default)]
    pub description: Option<String>,
    /// The crate's documentation (Markdown; code blocks are doctests).
    #[serde(default)]
    pub doc: Option<String>,
    /// Hand-written modules under `src/`, declared `pub mod` by the generated `lib.rs`.
    #[serde(default)]
    pub modules: Vec<String>,
    /// Items of those modules re-exported at the crate root (`session::WebSession`).
    #[serde(default)]
    pub reexports: Vec<String>,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    #[serde(default)]
    pub dev_dependencies: Vec<Dependency>,
    /// crates.io search keywords (at most five).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// crates.io category slugs (at most five).
    #[serde(default)]
    pub categories: Vec<String>,
    /// A complete program using the crate, the runnable example of its generated `README.md` (compiled as a
    /// doctest, not run: it calls the real service).
    #[serde(default)]
    pub example: Option<String>,
}

/// One extra dependency of a generated crate.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub name: String,
    /// A version requirement; absent: the workspace's.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub features: Vec<String>,
    /// `default-features` of the dependency (absent: cargo's default, on).
    #[serde(default)]
    pub default_features: Option<bool>,
    /// Why the crate is needed (a comment in the manifest).
    #[serde(default)]
    pub why: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
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
    /// Body shapes that refuse the request although the code says success.
    #[serde(default)]
    pub refusals: Vec<Refusal>,
    #[serde(default)]
    pub schema: Option<Json>,
}

/// A body shape that refuses: the field at `path` equals `equals`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    pub path: String,
    pub equals: String,
    pub kind: RefusalKind,
}

/// What a refusing body asks for.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    Captcha,
    Login,
}

#[derive(Debug, Deserialize, Clone)]
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

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ResponseFormats {
    pub parameter: String,
    pub json: Vec<String>,
    pub text: Vec<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The user agent the profile's defaults agree with.
    #[serde(default)]
    pub user_agent: Option<String>,
    pub profile: Vec<ProfileParam>,
}

#[derive(Debug, Deserialize, Clone)]
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
#[derive(Debug, Deserialize, Clone)]
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
    /// Another base URL than the domain's (a bootstrap endpoint on another host).
    #[serde(default)]
    pub base_url: Option<String>,
    /// The domain's signers applied to this operation, in order; absent: the domain's `signing`.
    #[serde(default)]
    pub signing: Option<Vec<String>>,
    /// The domain's common parameters this operation carries, by wire name; absent: all of them (an operation on
    /// another host must not carry the domain's cookie).
    #[serde(default)]
    pub common_parameters: Option<Vec<String>>,
    /// Whether the session's browser-profile parameters are sent (default true).
    #[serde(default = "yes")]
    pub session_profile: bool,
    /// What the mock answers.
    #[serde(default)]
    pub mock: Option<MockSpec>,
    /// Its own budget or risk signals, where they differ from the domain's `pacing`.
    #[serde(default)]
    pub pacing: Option<super::pacing::OperationPacing>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
}

/// `mock:` of an operation.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct MockSpec {
    /// The success body (default: the first `ok` example, else a body synthesized from the schema).
    pub success: Fixture,
}

/// A success body from a fixture file.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// A JSON file, relative to the spec folder (`captures/web-aweme-post.json`).
    pub file: String,
    /// Only the value at this dot-separated path of the file.
    #[serde(default)]
    pub select: Option<String>,
    /// The (selected) value is the field at this dot-separated path of `with`.
    #[serde(default)]
    pub wrap_in: Option<String>,
    /// The rest of the body around `wrap_in` (an object; default `{}`).
    #[serde(default)]
    pub with: Option<Json>,
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
    /// The CLI also takes a link or share text naming a target of this kind for it (and the operation's first such
    /// parameter positionally).
    #[serde(default)]
    pub link: Option<LinkKind>,
}

/// What a share link names, for a parameter that takes one (`link:`).
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A video or image post: its aweme id.
    Aweme,
    /// A user: the sec_user_id.
    User,
    /// A collection: the mix id.
    Mix,
    /// A live room: the number in its address (web_rid).
    Live,
}

impl LinkKind {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Aweme => "aweme",
            LinkKind::User => "user",
            LinkKind::Mix => "mix",
            LinkKind::Live => "live",
        }
    }
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

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Response {
    #[serde(rename = "type")]
    pub type_name: String,
    pub schema: Json,
    /// Cookies the response sets (`Set-Cookie`) that callers need: the service hands a token out that way.
    #[serde(default)]
    pub cookies: Vec<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    pub cursor_param: String,
    pub next_cursor: String,
    pub has_more: String,
    pub items: String,
}

#[derive(Debug, Deserialize, Clone)]
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
