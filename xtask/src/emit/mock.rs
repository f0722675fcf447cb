//! Emits the mock server's route tables (`crates/douyin-mock/src/generated/`) from every domain's IR: static data
//! (routes, parameter rules, envelopes, examples, pagination, error codes and a synthetic success body per
//! operation) that the hand-written server in `crates/douyin-mock` interprets.

use std::path::{Path, PathBuf};

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value as Json};

use super::Files;
use crate::ir::{Domain, ErrorClass, Expect, Location, Operation, Param};
use crate::validate::{schema_at, set_path};

/// From `MOCK_DIR` back to the workspace root, for `include_str!`.
const TO_ROOT: &str = "../../../../";
/// Objects nested deeper than this are left out of synthetic bodies (every response field is optional).
const SYNTH_DEPTH: usize = 3;

/// The mock server's generated files.
pub fn emit(domains: &[Domain]) -> Result<Files, String> {
    let dir = PathBuf::from(super::MOCK_DIR);
    let mut files = Files::new();
    files.insert(
        dir.join("mod.rs"),
        super::render(
            "specs/",
            " Code generated from `specs/`: the mock server's route tables.",
            quote! {
                #[rustfmt::skip]
                pub mod registries;
                #[rustfmt::skip]
                pub mod routes;
            },
        )?,
    );
    let statics = domains.iter().map(domain_table);
    let names = domains
        .iter()
        .map(|d| format_ident!("{}", d.name.to_shouty_snake_case()));
    let domain_names: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
    let crates: Vec<syn::Ident> = domains.iter().map(super::crate_ident).collect();
    files.insert(
        dir.join("routes.rs"),
        super::render("specs/", 
            " Every documented operation of every spec as data: method, path, parameter rules, envelope, examples \
             (embedded with `include_str!`), pagination paths, the documented error codes and a synthetic success \
             body derived from the response schema.",
            quote! {
                use crate::table::*;

                /// Every domain, in spec folder order.
                pub static DOMAINS: &[&DomainTable] = &[#(&#names),*];

                #(#statics)*
            },
        )?,
    );
    let pushing: Vec<&Domain> = domains.iter().filter(|d| d.webhooks.is_some()).collect();
    let webhook_domains = pushing.iter().map(|d| d.name.as_str());
    let webhook_names = webhook_domains.clone();
    let webhook_crates = pushing.iter().map(|d| super::crate_ident(d));
    let channels = domains.iter().filter_map(|d| {
        let push = d.push.as_ref()?;
        let krate = super::crate_ident(d);
        let module = format_ident!("{}", super::push::module_name(push)?);
        let codec = format_ident!("{}", push.codec);
        let prefix = format!("/{}", d.name);
        let include = format!(
            "{TO_ROOT}{}",
            slash_path(&d.spec_dir.join(&push.mock_script))
        );
        Some(quote! {
            crate::live_chat::Channel {
                prefix: #prefix,
                channel: &::#krate::#module::PUSH,
                script: || ::#krate::#codec::mock_script(include_str!(#include)),
                client_frame: ::#krate::#codec::client_frame,
            }
        })
    });
    files.insert(
        dir.join("registries.rs"),
        super::render(
            "specs/",
            " Every domain crate's operation registry, reached by domain name (golden tests, route tests).",
            quote! {
                /// Something done with one domain's operation registry, whatever its error-code type.
                pub trait RegistryVisitor {
                    /// What it gives.
                    type Output;
                    /// Does it with `operations`.
                    fn visit<C: ::douyin_core::ErrorCode>(
                        self,
                        operations: &'static [::douyin_core::registry::OperationEntry<C>],
                    ) -> Self::Output;
                }

                /// Runs `visitor` with the registry of `domain`; `None` if no spec is called that.
                pub fn with_registry<V: RegistryVisitor>(domain: &str, visitor: V) -> ::std::option::Option<V::Output> {
                    match domain {
                        #(#domain_names => ::std::option::Option::Some(visitor.visit(::#crates::OPERATIONS)),)*
                        _ => ::std::option::Option::None,
                    }
                }

                /// The domains that push events, in spec folder order.
                pub static WEBHOOK_DOMAINS: &[&str] = &[#(#webhook_names),*];

                /// The live push channels (websockets) of the specs: URL prefix, facts, scripted session, codec.
                pub fn push_channels() -> ::std::vec::Vec<crate::live_chat::Channel> {
                    ::std::vec![#(#channels),*]
                }

                /// How `domain` signs the events it pushes and which events it specifies; `None` if it pushes none.
                pub fn webhooks(domain: &str) -> ::std::option::Option<&'static ::douyin_core::event::WebhookSpec> {
                    match domain {
                        #(#webhook_domains => ::std::option::Option::Some(&::#webhook_crates::WEBHOOKS),)*
                        _ => ::std::option::Option::None,
                    }
                }
            },
        )?,
    );
    Ok(files)
}

use super::opt_str;

fn opt_i64(v: Option<i64>) -> TokenStream {
    match v {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    }
}

fn domain_table(d: &Domain) -> TokenStream {
    let ident = format_ident!("{}", d.name.to_shouty_snake_case());
    let doc = format!("`{}`: {}.", d.spec_dir.display(), d.title);
    let name = &d.name;
    let prefix = format!("/{}", d.name);
    let credentials = d.credentials.iter().map(|c| {
        let n = &c.name;
        let expired_code = |code: &String| {
            d.errors
                .iter()
                .any(|e| &e.code == code && e.class == ErrorClass::ExpiredCredential)
        };
        let refresh = c.refresh_on.contains(&ErrorClass::ExpiredCredential)
            || c.refresh_on_codes.iter().any(expired_code);
        let example = opt_str(c.example.as_deref());
        quote!(CredentialSpec { name: #n, example: #example, refreshed_on_expiry: #refresh })
    });
    let envelope = super::errors::envelope_spec(d);
    let errors = d.errors.iter().map(|e| {
        let (c, n, m) = (&e.code, &e.name, &e.meaning);
        let class = format_ident!("{}", format!("{:?}", e.class));
        quote!(ErrorSpec { code: #c, name: #n, meaning: #m, class: ErrorClass::#class })
    });
    let formats = match &d.response_formats {
        Some(f) => {
            let (p, j, t) = (
                &f.parameter,
                super::errors::strs(&f.json),
                super::errors::strs(&f.text),
            );
            quote!(::std::option::Option::Some(FormatsTable { parameter: #p, json: #j, text: #t }))
        }
        None => quote!(::std::option::Option::None),
    };
    let ops = d.operations.iter().map(|op| operation_table(d, op));
    let base_url = &d.base_url;
    let user_agent = opt_str(d.session_user_agent());
    let oauth = match (&d.oauth, &d.authorization_url) {
        (Some(roles), Some(page)) => {
            let path = page.url.strip_prefix(&d.base_url).unwrap_or(&page.url);
            let params = page.parameters.iter().map(|p| {
                let name = &p.name;
                let (cred, constant) = (
                    opt_str(p.credential.as_deref()),
                    opt_str(p.constant.as_deref()),
                );
                let required = p.required;
                quote!(AuthorizationParam { name: #name, credential: #cred, constant: #constant, required: #required })
            });
            let c = &roles.credentials;
            let o = &roles.operations;
            let (code, access, refresh, client) =
                (&c.code, &c.access_token, &c.refresh_token, &c.client_token);
            let (exchange, refresh_op, renew, client_op) =
                (&o.exchange_code, &o.refresh, &o.renew, &o.client_token);
            quote!(::std::option::Option::Some(OAuthTable {
                authorization_path: #path,
                authorization_params: &[#(#params),*],
                code: #code,
                access_token: #access,
                refresh_token: #refresh,
                client_token: #client,
                exchange_code_op: #exchange,
                refresh_op: #refresh_op,
                renew_op: #renew,
                client_token_op: #client_op,
            }))
        }
        _ => quote!(::std::option::Option::None),
    };
    let media = match d.mock.as_ref().and_then(|m| m.media.as_ref()) {
        Some(m) => {
            let hosts = super::errors::strs(&m.hosts);
            let (size_field, default_size) = (opt_str(m.size_field.as_deref()), m.default_size);
            quote!(::std::option::Option::Some(MediaTable { hosts: #hosts, size_field: #size_field, default_size: #default_size }))
        }
        None => quote!(::std::option::Option::None),
    };
    quote! {
        #[doc = #doc]
        pub static #ident: DomainTable = DomainTable {
            name: #name,
            prefix: #prefix,
            base_url: #base_url,
            credentials: &[#(#credentials),*],
            envelope: #envelope,
            errors: &[#(#errors),*],
            formats: #formats,
            session_user_agent: #user_agent,
            oauth: #oauth,
            media: #media,
            operations: &[#(#ops),*],
        };
    }
}

/// The JSON type a schema declares (the first of a two-typed field).
fn json_kind(schema: &Json) -> &'static str {
    let ty = match schema.get("type") {
        Some(Json::String(t)) => Some(t.as_str()),
        Some(Json::Array(ts)) => ts.iter().find_map(Json::as_str),
        _ => None,
    };
    match ty {
        Some("string") => "String",
        Some("integer") => "Integer",
        Some("number") => "Number",
        Some("boolean") => "Boolean",
        Some("array") => "Array",
        Some("object") => "Object",
        _ => "Any",
    }
}

fn field_ref(path: &str, schema: &Json) -> TokenStream {
    let kind = format_ident!("{}", json_kind(schema));
    quote!(FieldRef { path: #path, kind: JsonKind::#kind })
}

/// The first candidate path that is a field of the operation's response schema.
fn first_present<'a>(op: &'a Operation, paths: &'a [String]) -> Option<(&'a str, &'a Json)> {
    paths
        .iter()
        .find_map(|p| schema_at(&op.response_schema, p).map(|s| (p.as_str(), s)))
}

fn param_rule(p: &Param) -> TokenStream {
    let wire = &p.wire;
    let location = match p.location {
        Location::Query => quote!(Query),
        Location::Header => quote!(Header),
        Location::Form => quote!(Form),
        Location::Json => quote!(Json),
    };
    let required = p.required;
    let kind = if p.encoding.is_some() {
        quote!(ParamKind::Json)
    } else if let Some(values) = p.schema.get("enum").and_then(Json::as_array) {
        let vs: Vec<String> = values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect();
        quote!(ParamKind::Enum(&[#(#vs),*]))
    } else {
        match json_kind(&p.schema) {
            "Integer" => quote!(ParamKind::Integer),
            "Boolean" => quote!(ParamKind::Boolean),
            _ => quote!(ParamKind::String),
        }
    };
    let (min, max) = (opt_i64(p.minimum), opt_i64(p.maximum));
    let credential = opt_str(p.credential.as_deref());
    // A JSON-text constant as compact JSON: the mock compares it as JSON, whatever the spec's spacing.
    let json_constant = p.json_constant().map(|v| v.to_string());
    let constant = opt_str(json_constant.as_deref().or(p.constant.as_deref()));
    quote! {
        ParamRule {
            wire: #wire,
            location: Location::#location,
            required: #required,
            kind: #kind,
            minimum: #min,
            maximum: #max,
            credential: #credential,
            constant: #constant,
        }
    }
}

/// An id-like field of a paginated item: `id`, `cid`, `<item type>_id`, then the first `…_id`; string or integer.
/// An item without one (a search result card) is looked into: the first object property holding one gives a dotted
/// path (`aweme_info.aweme_id`).
fn item_id(item_type: &str, item_schema: &Json) -> Option<(String, Json)> {
    own_item_id(item_type, item_schema).or_else(|| {
        let props = item_schema.get("properties")?.as_object()?;
        props.iter().find_map(|(name, schema)| {
            // `aweme_info` holds an aweme: its own id is `aweme_id`.
            let (inner, s) = own_item_id(name.trim_end_matches("_info"), schema)?;
            Some((format!("{name}.{inner}"), s))
        })
    })
}

fn own_item_id(item_type: &str, item_schema: &Json) -> Option<(String, Json)> {
    let props = item_schema.get("properties")?.as_object()?;
    let usable = |name: &str| {
        props
            .get(name)
            .filter(|s| matches!(json_kind(s), "String" | "Integer"))
            .map(|s| (name.to_owned(), s.clone()))
    };
    let own = format!("{}_id", item_type.to_snake_case());
    usable("id")
        .or_else(|| usable("cid"))
        .or_else(|| usable(&own))
        .or_else(|| {
            props
                .keys()
                .filter(|k| k.ends_with("_id"))
                .find_map(|k| usable(k))
        })
}

fn operation_table(d: &Domain, op: &Operation) -> TokenStream {
    let (name, path) = (&op.name, &op.path);
    let method = super::method_tokens(op.method);
    let base_url = opt_str(op.base_url.as_deref());
    let krate = super::crate_ident(d);
    let signers = op.signing.iter().map(|n| {
        let sg = d.signers.iter().find(|s| &s.name == n).expect("validated signer");
        let ty: syn::Path =
            syn::parse_str(&format!("::{krate}::{}", sg.type_path)).expect("validated type path");
        let params = &sg.params;
        quote! {
            SignerTable {
                name: #n,
                params: &[#(#params),*],
                verify: |input, appended| {
                    ::douyin_core::Signer::verify(&<#ty as ::std::default::Default>::default(), input, appended)
                },
            }
        }
    });
    let success = match &op.mock_success {
        Some(f) => {
            let file = slash_path(&f.file);
            let include = format!("{TO_ROOT}{file}");
            let select = opt_str(f.select.as_deref());
            let (prefix, suffix) = (&f.prefix, &f.suffix);
            quote!(::std::option::Option::Some(FixtureBody {
                file: #file,
                body: include_str!(#include),
                select: #select,
                prefix: #prefix,
                suffix: #suffix,
            }))
        }
        None => quote!(::std::option::Option::None),
    };
    let params = op.params.iter().map(param_rule);
    let env = &d.envelope;
    let code = match first_present(op, &env.code) {
        Some((p, s)) => {
            let f = field_ref(p, s);
            quote!(::std::option::Option::Some(#f))
        }
        None => quote!(::std::option::Option::None),
    };
    let message = opt_str(first_present(op, &env.message).map(|(p, _)| p));
    let log_id = opt_str(first_present(op, &env.log_id).map(|(p, _)| p));
    let examples = op.examples.iter().map(|ex| {
        let file = slash_path(&ex.file);
        let include = format!("{TO_ROOT}{}", slash_path(&ex.file));
        let expect = match &ex.expect {
            Expect::Ok => quote!(Expect::Ok),
            Expect::ApiError(c) => quote!(Expect::ApiError(#c)),
            Expect::Artifact { path, .. } => quote!(Expect::Artifact { path: #path }),
        };
        quote!(ExampleTable { file: #file, body: include_str!(#include), expect: #expect })
    });
    let pagination = match &op.pagination {
        Some(pg) => {
            let s = &pg.spec;
            let (cursor, next, items) = (&s.cursor_param, &s.next_cursor, &s.items);
            let has_more_schema = schema_at(&op.response_schema, &s.has_more)
                .cloned()
                .unwrap_or_default();
            let has_more = field_ref(&s.has_more, &has_more_schema);
            let item_schema = schema_at(&op.response_schema, &s.items)
                .and_then(|a| a.get("items"))
                .cloned()
                .unwrap_or_default();
            let id = match item_id(&pg.item_type, &item_schema) {
                Some((n, schema)) => {
                    let f = field_ref(&n, &schema);
                    quote!(::std::option::Option::Some(#f))
                }
                None => quote!(::std::option::Option::None),
            };
            quote! {
                ::std::option::Option::Some(PaginationTable {
                    cursor_param: #cursor,
                    next_cursor: #next,
                    has_more: #has_more,
                    items: #items,
                    item_id: #id,
                })
            }
        }
        None => quote!(::std::option::Option::None),
    };
    let synthetic = synthetic_body(d, op);
    let cookies = &op.cookies;
    quote! {
        OperationTable {
            name: #name,
            method: #method,
            path: #path,
            base_url: #base_url,
            set_cookies: &[#(#cookies),*],
            params: &[#(#params),*],
            signers: &[#(#signers),*],
            success: #success,
            envelope: OpEnvelope { code: #code, message: #message, log_id: #log_id },
            examples: &[#(#examples),*],
            pagination: #pagination,
            synthetic: #synthetic,
        }
    }
}

/// A path with `/` separators whatever the host (the generated text must not depend on the platform).
fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// A small body of the response schema: scalars at their zero values (enums at their first value), arrays empty,
/// objects down to [`SYNTH_DEPTH`], fields of unknown type left out; every envelope code path the schema has set to
/// the first success code, so it decodes as a success.
fn synthetic_body(d: &Domain, op: &Operation) -> String {
    let mut body = synth(&op.response_schema, 0).unwrap_or(Json::Object(Map::new()));
    if let Some(success) = d.envelope.success.first() {
        for path in &d.envelope.code {
            if let Some(schema) = schema_at(&op.response_schema, path) {
                let value = match json_kind(schema) {
                    "Integer" | "Number" => success
                        .parse::<i64>()
                        .map(Json::from)
                        .unwrap_or_else(|_| Json::from(success.clone())),
                    _ => Json::from(success.clone()),
                };
                set_path(&mut body, path, value);
            }
        }
    }
    serde_json::to_string(&body).expect("a JSON value serializes")
}

fn synth(schema: &Json, depth: usize) -> Option<Json> {
    Some(match json_kind(schema) {
        "String" => match schema
            .get("enum")
            .and_then(Json::as_array)
            .and_then(|e| e.first())
        {
            Some(first) => first.clone(),
            None => Json::from(""),
        },
        "Integer" | "Number" => Json::from(0),
        "Boolean" => Json::from(false),
        "Array" => Json::Array(Vec::new()),
        "Object" if depth < SYNTH_DEPTH => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Json::as_object) {
                for (k, v) in props {
                    if let Some(value) = synth(v, depth + 1) {
                        out.insert(k.clone(), value);
                    }
                }
            }
            Json::Object(out)
        }
        _ => return None,
    })
}
