//! Stage 3: the one intermediate representation every emitter reads; names are final, references resolved.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value as Json;

pub use crate::spec::model::{
    AlternativeBaseUrl, AuthorizationUrl, Billed, Credential, Encoding, ErrorClass, ErrorCodeSpec,
    Expect, Location, Method, Pagination, Position, ProfileParam, ResponseFormats,
};

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
    pub credentials: Vec<Credential>,
    pub envelope: Envelope,
    pub errors: Vec<ErrorCodeSpec>,
    pub response_formats: Option<ResponseFormats>,
    pub session_profile: Vec<ProfileParam>,
    /// The user agent the session profile's defaults agree with.
    pub session_user_agent: Option<String>,
    /// Other documented base URLs (a sandbox), by name.
    pub alternative_base_urls: Vec<AlternativeBaseUrl>,
    /// The OAuth authorization page, a URL the user opens (not an operation).
    pub authorization_url: Option<AuthorizationUrl>,
    pub notes: Vec<String>,
    pub operations: Vec<Operation>,
    /// Every named type's JSON Schema in the form typify reads, keyed by Rust type name.
    pub definitions: BTreeMap<String, Json>,
    /// The credential sent as `user-agent`, which signers need.
    pub user_agent_credential: Option<String>,
}

/// Where bodies report their outcome.
pub struct Envelope {
    pub code: Vec<String>,
    pub success: Vec<String>,
    pub message: Vec<String>,
    pub log_id: Vec<String>,
    pub sub_code: Vec<String>,
    pub sub_message: Vec<String>,
    pub billed: bool,
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
    pub scope: Option<String>,
    /// `https://…/{param}` with the parameters it names.
    pub referer: Option<String>,
    /// Common parameters placed first, the operation's own, then common parameters placed last.
    pub params: Vec<Param>,
    /// Rust name of the response type.
    pub response_type: String,
    /// The response schema in spec form with `$ref`s inlined, for the OpenAPI export and example checks.
    pub response_schema: Json,
    pub pagination: Option<PaginationIr>,
    pub notes: Vec<String>,
    pub examples: Vec<Example>,
}

/// Pagination with the item type resolved.
pub struct PaginationIr {
    pub spec: Pagination,
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
}

impl Param {
    /// Whether the caller supplies this parameter (not a credential or a constant).
    pub fn is_user(&self) -> bool {
        self.credential.is_none() && self.constant.is_none()
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

/// A documented example response.
pub struct Example {
    pub file: PathBuf,
    pub source: String,
    pub expect: Expect,
}
