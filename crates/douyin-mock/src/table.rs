//! The route table's types: what `cargo xtask codegen` writes into `generated/routes.rs` for every spec, and lookups.

/// One domain of the specs, served under its own path prefix.
#[derive(Debug)]
pub struct DomainTable {
    /// Spec name (`onebound`, `open-platform`, `web`).
    pub name: &'static str,
    /// Path prefix the mock serves it under (`/onebound`).
    pub prefix: &'static str,
    /// The production base URL.
    pub base_url: &'static str,
    /// The named credentials the domain declares.
    pub credentials: &'static [CredentialSpec],
    /// Where bodies report their outcome.
    pub envelope: douyin_core::EnvelopeSpec,
    /// The documented error-code table, in documented order.
    pub errors: &'static [ErrorSpec],
    /// The parameter switching the body's format, if any (Onebound `result_type`).
    pub formats: Option<FormatsTable>,
    /// The user agent the domain's browser profile agrees with (web), if any.
    pub session_user_agent: Option<&'static str>,
    /// The OAuth flow the mock simulates (the spec's `oauth` and `authorization_url`), if any.
    pub oauth: Option<OAuthTable>,
    /// Where the domain's bodies point at media files (the spec's `mock.media`), if anywhere.
    pub media: Option<MediaTable>,
    /// Every documented operation.
    pub operations: &'static [OperationTable],
}

/// Which addresses in a domain's bodies are media files the mock can serve itself (offline downloads).
#[derive(Debug)]
pub struct MediaTable {
    /// Hosts of media addresses (a subdomain matches too), each optionally followed by a path prefix
    /// (`www.douyin.com/aweme/v1/play/`).
    pub hosts: &'static [&'static str],
    /// The integer field beside an address list giving the file's size in bytes (`data_size`), if any.
    pub size_field: Option<&'static str>,
    /// The size served for an address whose size no field gives.
    pub default_size: u64,
}

/// A domain's OAuth flow: the authorization page and the parts its credentials and operations play.
#[derive(Debug)]
pub struct OAuthTable {
    /// The authorization page's path below the base URL.
    pub authorization_path: &'static str,
    /// The page's query parameters.
    pub authorization_params: &'static [AuthorizationParam],
    /// The credential the redirect hands out (the authorization code; also its query parameter's name).
    pub code: &'static str,
    /// The user's access token credential.
    pub access_token: &'static str,
    /// The user's refresh token credential.
    pub refresh_token: &'static str,
    /// The application's token credential.
    pub client_token: &'static str,
    /// The operation exchanging a code for the user's tokens.
    pub exchange_code_op: &'static str,
    /// The operation refreshing the access token.
    pub refresh_op: &'static str,
    /// The operation renewing the refresh token.
    pub renew_op: &'static str,
    /// The operation issuing a client token.
    pub client_token_op: &'static str,
}

impl OAuthTable {
    /// The credentials whose values the mock issues and judges itself.
    pub fn issued(&self) -> [&'static str; 4] {
        [
            self.code,
            self.refresh_token,
            self.access_token,
            self.client_token,
        ]
    }
}

/// A query parameter of the authorization page.
#[derive(Debug)]
pub struct AuthorizationParam {
    /// Its name.
    pub name: &'static str,
    /// The credential it carries, if any.
    pub credential: Option<&'static str>,
    /// Its fixed value, if any.
    pub constant: Option<&'static str>,
    /// Whether the page needs it.
    pub required: bool,
}

/// A named credential of a domain.
#[derive(Debug)]
pub struct CredentialSpec {
    /// Its name in the spec (`key`, `access_token`, `cookie`, …).
    pub name: &'static str,
    /// The spec's example value: the one the mock accepts by default.
    pub example: Option<&'static str>,
    /// Whether the client refreshes it when the service reports an expired credential.
    pub refreshed_on_expiry: bool,
}

/// The class of a documented error code (the spec's `class`): the runtime's own classes.
pub use douyin_core::ErrorClass;

/// A documented error code.
#[derive(Debug)]
pub struct ErrorSpec {
    /// The code as text.
    pub code: &'static str,
    /// Its Rust variant name.
    pub name: &'static str,
    /// Its documented meaning (English).
    pub meaning: &'static str,
    /// Its class.
    pub class: ErrorClass,
}

/// The parameter that switches the body's format.
#[derive(Debug)]
pub struct FormatsTable {
    /// Its wire name.
    pub parameter: &'static str,
    /// Values answered with JSON.
    pub json: &'static [&'static str],
    /// Values answered with text that is not JSON.
    pub text: &'static [&'static str],
}

/// One documented operation.
#[derive(Debug)]
pub struct OperationTable {
    /// The spec's operation name.
    pub name: &'static str,
    /// The HTTP method.
    pub method: douyin_core::Method,
    /// Path below the domain's base URL.
    pub path: &'static str,
    /// The operation's own base URL when it is not the domain's (the mock serves it under the domain's prefix).
    pub base_url: Option<&'static str>,
    /// Cookies a success sets (`Set-Cookie`): the spec's `response.cookies`, tokens the service hands out that way.
    pub set_cookies: &'static [&'static str],
    /// Every parameter as sent (common ones included), in wire order.
    pub params: &'static [ParamRule],
    /// The signers applied to it, in order: their parameters end the query.
    pub signers: &'static [SignerTable],
    /// The success body from a fixture file, when the spec names one (`mock.success`).
    pub success: Option<FixtureBody>,
    /// The envelope paths this operation's response schema has.
    pub envelope: OpEnvelope,
    /// The documented example responses.
    pub examples: &'static [ExampleTable],
    /// Cursor pagination, if the operation pages.
    pub pagination: Option<PaginationTable>,
    /// A small success body derived from the response schema (compact JSON).
    pub synthetic: &'static str,
}

/// Checks what a signer appended (decoded name/value pairs) against the request it was computed over.
pub type VerifyFn = fn(douyin_core::SignInput<'_>, &[(String, String)]) -> Result<(), String>;

/// A signer an operation is signed with.
#[derive(Debug)]
pub struct SignerTable {
    /// Its name in the spec.
    pub name: &'static str,
    /// The query parameters it appends, in order.
    pub params: &'static [&'static str],
    /// Checks the appended values (decoded) against the request they were computed over.
    pub verify: VerifyFn,
}

/// A success body built from a fixture file: `prefix`, the file's JSON (or the value at `select`), `suffix`.
#[derive(Debug)]
pub struct FixtureBody {
    /// The file, relative to the workspace.
    pub file: &'static str,
    /// Its text (embedded at compile time).
    pub body: &'static str,
    /// Only the value at this dot-separated path of the file.
    pub select: Option<&'static str>,
    /// JSON text before the value.
    pub prefix: &'static str,
    /// JSON text after the value.
    pub suffix: &'static str,
}

/// Where one operation's body carries its code, message and log id.
#[derive(Debug)]
pub struct OpEnvelope {
    /// The code field and its JSON type.
    pub code: Option<FieldRef>,
    /// The message path.
    pub message: Option<&'static str>,
    /// The log id path.
    pub log_id: Option<&'static str>,
}

/// A response field: dot-separated path and JSON type.
#[derive(Clone, Copy, Debug)]
pub struct FieldRef {
    /// Dot-separated path.
    pub path: &'static str,
    /// The schema's JSON type.
    pub kind: JsonKind,
}

/// The JSON type of a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// String.
    String,
    /// Integer.
    Integer,
    /// Number.
    Number,
    /// Boolean.
    Boolean,
    /// Array.
    Array,
    /// Object.
    Object,
    /// Any JSON.
    Any,
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Query string.
    Query,
    /// Header.
    Header,
    /// `application/x-www-form-urlencoded` body.
    Form,
    /// A member of an `application/json` object body.
    Json,
}

/// What values a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// Any text.
    String,
    /// A decimal 64-bit integer.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// One of the documented values.
    Enum(&'static [&'static str]),
    /// Compact JSON text (lists of ids).
    Json,
}

/// A parameter rule of an operation.
#[derive(Debug)]
pub struct ParamRule {
    /// Wire name.
    pub wire: &'static str,
    /// Where it travels.
    pub location: Location,
    /// Whether the request must carry it.
    pub required: bool,
    /// Accepted values.
    pub kind: ParamKind,
    /// Documented lower bound.
    pub minimum: Option<i64>,
    /// Documented upper bound.
    pub maximum: Option<i64>,
    /// The credential it carries, if any.
    pub credential: Option<&'static str>,
    /// Its fixed value, if any.
    pub constant: Option<&'static str>,
}

/// A documented example response.
#[derive(Debug)]
pub struct ExampleTable {
    /// The file, relative to the workspace.
    pub file: &'static str,
    /// Its bytes (embedded at compile time).
    pub body: &'static str,
    /// What decoding it gives.
    pub expect: Expect,
}

/// What decoding an example gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A success.
    Ok,
    /// The API error with this code.
    ApiError(&'static str),
    /// A documentation artifact that fails to decode at this path.
    Artifact {
        /// Where decoding fails.
        path: &'static str,
    },
}

/// An operation's cursor pagination.
#[derive(Debug)]
pub struct PaginationTable {
    /// The request parameter carrying the cursor.
    pub cursor_param: &'static str,
    /// Response path of the next cursor.
    pub next_cursor: &'static str,
    /// Response path and type (boolean or 0/1 integer) of the has-more flag.
    pub has_more: FieldRef,
    /// Response path of the page's items.
    pub items: &'static str,
    /// An id-like field of the item schema (dot-separated when nested), given a different value per synthesized
    /// item.
    pub item_id: Option<FieldRef>,
}

impl DomainTable {
    /// The operation called `name`.
    pub fn operation(&self, name: &str) -> Option<&'static OperationTable> {
        self.operations.iter().find(|o| o.name == name)
    }

    /// The first documented code of `class`, preferring one whose name contains `hint`.
    pub fn code_of(&self, class: ErrorClass, hint: &str) -> Option<&'static ErrorSpec> {
        let of_class = self.errors.iter().filter(|e| e.class == class);
        let first = of_class.clone().next();
        of_class
            .clone()
            .find(|e| !hint.is_empty() && e.name.contains(hint))
            .or(first)
    }

    /// The documented error `code`.
    pub fn error(&self, code: &str) -> Option<&'static ErrorSpec> {
        self.errors.iter().find(|e| e.code == code)
    }
}

impl OperationTable {
    /// The first documented example that decodes as a success.
    pub fn ok_example(&self) -> Option<&'static ExampleTable> {
        self.examples.iter().find(|e| e.expect == Expect::Ok)
    }
}

/// Every domain of the specs.
pub fn domains() -> &'static [&'static DomainTable] {
    crate::generated::routes::DOMAINS
}

/// The domain called `name`.
pub fn domain(name: &str) -> Option<&'static DomainTable> {
    domains().iter().copied().find(|d| d.name == name)
}

/// The domain served under path `prefix` (`/open-platform`).
pub fn domain_by_prefix(prefix: &str) -> Option<&'static DomainTable> {
    domains().iter().copied().find(|d| d.prefix == prefix)
}
