//! Stage 3: the one intermediate representation every emitter reads; names are final, references resolved, the
//! spec's own structs kept as they are where nothing needs resolving.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value as Json;

pub use crate::spec::model::{
    AlternativeBaseUrl, AuthorizationUrl, Billed, CliFile, CrateSpec, Credential, Dependency,
    Encoding, Envelope, ErrorClass, ErrorCodeSpec, Expect, Location, Method, OAuthRoles,
    Pagination, Position, ProfileParam, ResponseFormats, Session, SignerSpec,
};
pub use crate::spec::pacing::{DomainPacing, Pacing};

/// A validated domain.
pub struct Domain {
    /// Spec name (`onebound`, `open-platform`, `web`).
    pub name: String,
    /// `douyin-<name>`.
    pub crate_name: String,
    /// `specs/<name>` relative to the workspace.
    pub spec_dir: PathBuf,
    pub title: String,
    pub doc: Option<String>,
    pub source: String,
    pub base_url: String,
    pub krate: CrateSpec,
    /// The declared credentials; the one sent as `user-agent` has the session's user agent as its example.
    pub credentials: Vec<Credential>,
    pub credentials_from: Option<String>,
    pub builder_from: Option<String>,
    pub signers: Vec<SignerSpec>,
    pub envelope: Envelope,
    pub errors: Vec<ErrorCodeSpec>,
    pub response_formats: Option<ResponseFormats>,
    pub session: Option<Session>,
    /// Other documented base URLs (a sandbox), by name.
    pub alternative_base_urls: Vec<AlternativeBaseUrl>,
    /// The OAuth authorization page, a URL the user opens (not an operation).
    pub authorization_url: Option<AuthorizationUrl>,
    /// The OAuth parts of credentials and operations.
    pub oauth: Option<OAuthRoles>,
    /// The domain's pacing as written (each operation carries its resolved one).
    pub pacing: Option<DomainPacing>,
    /// What the mock does with the domain as a whole (media addresses it serves itself).
    pub mock: Option<crate::spec::mock_model::DomainMock>,
    /// The protobuf push channel, if the domain has one.
    pub push: Option<crate::spec::push_model::PushSpec>,
    pub notes: Vec<String>,
    pub operations: Vec<Operation>,
    /// The webhook events the service pushes, in file order.
    pub events: Vec<Event>,
    /// How they are signed and identified (present whenever `events` is not empty).
    pub webhooks: Option<crate::spec::event_model::WebhooksSpec>,
    /// Every named type's JSON Schema in the form typify reads, keyed by Rust type name.
    pub definitions: BTreeMap<String, Json>,
    /// The credential sent as `user-agent`, which signers need.
    pub user_agent_credential: Option<String>,
}

impl Domain {
    /// The browser-profile parameters of the session, if any.
    pub fn session_profile(&self) -> &[ProfileParam] {
        self.session.as_ref().map_or(&[], |s| &s.profile)
    }

    /// The user agent the session profile's defaults agree with.
    pub fn session_user_agent(&self) -> Option<&str> {
        self.session.as_ref().and_then(|s| s.user_agent.as_deref())
    }
}

/// A validated operation.
pub struct Operation {
    /// The operation's spec file, relative to the workspace.
    pub spec_file: PathBuf,
    pub name: String,
    pub summary: String,
    pub doc_zh: Option<String>,
    pub source: String,
    pub method: Method,
    pub path: String,
    /// Its own base URL, when it is not the domain's.
    pub base_url: Option<String>,
    pub scope: Option<String>,
    pub referer: Option<Referer>,
    /// Common parameters placed first, the operation's own, then common parameters placed last.
    pub params: Vec<Param>,
    /// Rust name of the response type.
    pub response_type: String,
    /// The response schema in spec form with `$ref`s inlined, for the OpenAPI export and example checks.
    pub response_schema: Json,
    pub pagination: Option<PaginationIr>,
    /// Names of the domain's signers applied to it, in order.
    pub signing: Vec<String>,
    /// Whether the session's browser-profile parameters are sent.
    pub session_profile: bool,
    /// Cookies the response sets that the generated `<op>_with_cookies` method returns.
    pub cookies: Vec<String>,
    /// The mock's success body when it is not the first `ok` example.
    pub mock_success: Option<FixtureIr>,
    /// Its budget, risk signals, cooldown and breaker (the domain's unless it overrides them).
    pub pacing: Option<Pacing>,
    pub notes: Vec<String>,
    pub examples: Vec<Example>,
}

/// A validated webhook event type.
pub struct Event {
    /// The event's spec file, relative to the workspace.
    pub spec_file: PathBuf,
    /// The `event` value on the wire.
    pub name: String,
    /// Rust name of its type.
    pub type_name: String,
    /// Its variant of the generated `Event` enum.
    pub variant: String,
    pub summary: String,
    pub doc_zh: Option<String>,
    pub source: String,
    pub scope: Option<String>,
    /// The event's schema in spec form with `$ref`s inlined (OpenAPI export, example checks, `xtask diff`).
    pub schema: Json,
    /// The documented answer's members and the event paths they are read from.
    pub answer: Vec<(String, String)>,
    pub notes: Vec<String>,
    pub examples: Vec<EventExample>,
}

/// A documented event body, read and checked.
pub struct EventExample {
    pub file: PathBuf,
    pub source: String,
    /// The file's text as documented (sent by the mock byte for byte, without its trailing newline).
    pub text: String,
}

/// A `referer` header template with its placeholders resolved to parameters.
pub struct Referer {
    /// The template as written (`https://…/{aweme_id}`).
    pub template: String,
    /// The template with every placeholder as `{}`.
    pub format: String,
    /// The Rust field of each placeholder, in order.
    pub fields: Vec<String>,
}

/// Pagination with the cursor parameter and item type resolved.
pub struct PaginationIr {
    pub spec: Pagination,
    /// The parameter carrying the cursor (an integer parameter of the operation).
    pub cursor: Param,
    /// Rust type of one item.
    pub item_type: String,
}

/// A parameter as sent.
#[derive(Clone)]
pub struct Param {
    pub wire: String,
    pub rust: String,
    pub location: Location,
    pub required: bool,
    pub ty: ParamType,
    pub doc: Option<String>,
    pub example: Option<Json>,
    pub credential: Option<String>,
    pub constant: Option<String>,
    pub default: Option<Json>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub encoding: Option<Encoding>,
    /// The parameter's schema in spec form (for the OpenAPI export).
    pub schema: Json,
    /// Whether the domain adds it to every operation, and where.
    pub common: Option<Position>,
    /// The kind of share link the CLI also takes for it (the spec's `link:`).
    pub link: Option<crate::spec::model::LinkKind>,
}

impl Param {
    /// Whether the caller supplies this parameter (not a credential or a constant).
    pub fn is_user(&self) -> bool {
        self.credential.is_none() && self.constant.is_none()
    }

    /// Whether its value travels as JSON text rather than a JSON string: a member of a JSON body that is not a
    /// string (a number, a boolean, `encoding: json`).
    pub fn is_json_value(&self) -> bool {
        self.location == Location::Json
            && self.credential.is_none()
            && (self.encoding.is_some()
                || matches!(self.ty, ParamType::Integer | ParamType::Boolean))
    }

    /// The constant as JSON, for a constant that travels as JSON text ([`Param::is_json_value`]); validation
    /// checked it parses.
    pub fn json_constant(&self) -> Option<Json> {
        let c = self.constant.as_ref().filter(|_| self.is_json_value())?;
        serde_json::from_str(c).ok()
    }
}

/// Rust-side type of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    String,
    Integer,
    Boolean,
    /// A generated open enum or object type.
    Named(String),
    List(Box<ParamType>),
}

/// A documented example response, read and parsed.
pub struct Example {
    pub file: PathBuf,
    /// Its name among the operation's examples (file stem without the operation's prefix: `ok`, `error`).
    pub key: String,
    pub source: String,
    pub expect: Expect,
    pub value: Json,
}

/// A fixture-file success body: `prefix`, the file's (selected) value, `suffix`.
pub struct FixtureIr {
    /// The file, relative to the workspace.
    pub file: PathBuf,
    pub select: Option<String>,
    pub prefix: String,
    pub suffix: String,
}

impl Method {
    /// The method as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl Location {
    /// Where the parameter travels, in words.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Query => "query",
            Location::Header => "header",
            Location::Form => "form",
            Location::Json => "JSON body",
        }
    }
}

/// One slot of an operation's query in wire order: a parameter, or where the session profile's parameters of a
/// position go.
pub enum Slot<'a> {
    Session(Position),
    Param(&'a Param),
}

impl Operation {
    /// The parameters in the order the client sends them, with the session profile's `first` entries before the
    /// operation's own parameters and its `last` entries before the domain's trailing common parameters (browsers
    /// send `device_platform…`, the endpoint's, the rest of the profile, then msToken). No session: no markers.
    pub fn slots(&self, session: bool) -> Vec<Slot<'_>> {
        let session = session && self.session_profile;
        let mut out = Vec::new();
        let (mut first_done, mut last_done) = (!session, !session);
        for p in &self.params {
            if !first_done && p.common != Some(Position::First) {
                out.push(Slot::Session(Position::First));
                first_done = true;
            }
            if !last_done && p.common == Some(Position::Last) {
                out.push(Slot::Session(Position::Last));
                last_done = true;
            }
            out.push(Slot::Param(p));
        }
        if !first_done {
            out.push(Slot::Session(Position::First));
        }
        if !last_done {
            out.push(Slot::Session(Position::Last));
        }
        out
    }
}
