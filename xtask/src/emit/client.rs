//! Emits `client.rs`: one params struct and one async method per operation, pagination streams, envelope readers
//! and the operation registry.

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value as Json;

use super::errors::domain_type;
use super::types::{type_last_ident, FieldInfo};
use crate::ir::{Domain, Location, Operation, Param, ParamType, Position, Slot};

type Structs = BTreeMap<String, Vec<FieldInfo>>;

fn rust_type(t: &ParamType) -> TokenStream {
    match t {
        ParamType::String => quote!(::std::string::String),
        ParamType::Integer => quote!(i64),
        ParamType::Boolean => quote!(bool),
        ParamType::Named(n) => {
            let i = format_ident!("{}", n);
            quote!(super::types::#i)
        }
        ParamType::List(inner) => {
            let i = rust_type(inner);
            quote!(::std::vec::Vec<#i>)
        }
    }
}

fn literal(t: &ParamType, v: &Json) -> TokenStream {
    match (t, v) {
        (ParamType::Integer, Json::Number(n)) => {
            let n = n.as_i64().unwrap_or_default();
            quote!(#n)
        }
        (ParamType::Boolean, Json::Bool(b)) => quote!(#b),
        (ParamType::Named(_), Json::String(s)) => {
            let ty = rust_type(t);
            quote!(#ty::from(#s))
        }
        (_, Json::String(s)) => quote!(::std::string::String::from(#s)),
        (_, other) => {
            let s = other.to_string();
            quote!(::std::string::String::from(#s))
        }
    }
}

fn params_struct(domain: &Domain, op: &Operation) -> TokenStream {
    let name = format_ident!("{}Params", op.name.to_upper_camel_case());
    let user: Vec<&Param> = op.params.iter().filter(|p| p.is_user()).collect();
    let fields = user.iter().map(|p| {
        let (f, ty) = (format_ident!("{}", p.rust), rust_type(&p.ty));
        let doc = super::ParamHelp::of(p, true).full;
        if p.required {
            quote!(#[doc = #doc] pub #f: #ty)
        } else {
            quote!(#[doc = #doc] pub #f: ::std::option::Option<#ty>)
        }
    });
    let required: Vec<&&Param> = user.iter().filter(|p| p.required).collect();
    let args = required.iter().map(|p| {
        let (f, ty) = (format_ident!("{}", p.rust), rust_type(&p.ty));
        quote!(#f: impl ::std::convert::Into<#ty>)
    });
    let inits = user.iter().map(|p| {
        let f = format_ident!("{}", p.rust);
        if p.required {
            quote!(#f: #f.into())
        } else if let Some(d) = &p.default {
            let lit = literal(&p.ty, d);
            quote!(#f: ::std::option::Option::Some(#lit))
        } else {
            quote!(#f: ::std::option::Option::None)
        }
    });
    let setters = user.iter().filter(|p| !p.required).map(|p| {
        let (f, ty) = (format_ident!("{}", p.rust), rust_type(&p.ty));
        let doc = format!("Sets `{}`.", p.wire);
        quote! {
            #[doc = #doc]
            pub fn #f(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                self.#f = ::std::option::Option::Some(value.into());
                self
            }
        }
    });
    let default_impl = required.is_empty().then(|| {
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let op_const = format_ident!("{}", op.name.to_shouty_snake_case());
    let checks = user
        .iter()
        .filter(|p| p.minimum.is_some() || p.maximum.is_some())
        .map(|p| {
            let (wire, f) = (&p.wire, format_ident!("{}", p.rust));
            let value = if p.required {
                quote!(::std::option::Option::Some(self.#f))
            } else {
                quote!(self.#f)
            };
            let opt = |v: Option<i64>| match v {
                Some(v) => quote!(::std::option::Option::Some(#v)),
                None => quote!(::std::option::Option::None),
            };
            let (min, max) = (opt(p.minimum), opt(p.maximum));
            quote!(::douyin_core::check_range(#wire, #value, #min, #max)?;)
        });
    let pushes = query_pushes(domain, op);
    let referer = op.referer.as_ref().map(|r| {
        let template = &r.template;
        if r.fields.is_empty() {
            return quote!(req.header("referer", #template););
        }
        let fmt = &r.format;
        let args = r.fields.iter().map(|f| {
            let f = format_ident!("{}", f);
            quote!(::douyin_core::request::encoded(&self.#f))
        });
        quote!(req.header("referer", ::std::format!(#fmt, #(#args),*));)
    });
    let doc = format!(
        "Parameters of [`Client::{}`](super::client::Client::{}).",
        op.name, op.name
    );
    let req_doc = format!(
        "Builds the request for `{} {}` (checks documented bounds first).",
        op.method.as_str(),
        op.path
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields,)*
        }

        impl #name {
            /// Parameters with the required values; optional ones start at their documented defaults.
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* }
            }

            #(#setters)*

            #[doc = #req_doc]
            pub fn to_request(&self) -> ::std::result::Result<::douyin_core::Request, super::errors::Error> {
                #(#checks)*
                let mut req = ::douyin_core::Request::new(&super::client::operations::#op_const);
                #(#pushes)*
                #referer
                ::std::result::Result::Ok(req)
            }
        }

        #default_impl
    }
}

/// Parameter pushes in wire order, with the session profile's markers ([`crate::ir::Operation::slots`]).
fn query_pushes(domain: &Domain, op: &Operation) -> Vec<TokenStream> {
    op.slots(!domain.session_profile().is_empty())
        .into_iter()
        .map(|slot| match slot {
            Slot::Param(p) => push_param(p),
            Slot::Session(Position::First) => {
                quote!(req.session_query(::douyin_core::Position::First);)
            }
            Slot::Session(Position::Last) => {
                quote!(req.session_query(::douyin_core::Position::Last);)
            }
        })
        .collect()
}

fn push_param(p: &Param) -> TokenStream {
    let wire = &p.wire;
    let (plain, cred) = match p.location {
        Location::Query => (quote!(query), quote!(query_credential)),
        Location::Header => (quote!(header), quote!(header_credential)),
        Location::Form => (quote!(form), quote!(form_credential)),
        Location::Json => (quote!(json_field), quote!(json_credential)),
    };
    if let Some(c) = &p.credential {
        return quote!(req.#cred(#wire, #c););
    }
    // A number, boolean or JSON-encoded member of a JSON body travels as JSON text, not as a JSON string.
    let plain = if p.is_json_value() {
        quote!(json_raw)
    } else {
        plain
    };
    if let Some(c) = &p.constant {
        let c = match p.json_constant() {
            Some(v) => v.to_string(),
            None => c.clone(),
        };
        return quote!(req.#plain(#wire, #c););
    }
    let f = format_ident!("{}", p.rust);
    let wrap = |v: TokenStream| match p.encoding {
        Some(_) => quote!(::douyin_core::Json(#v)),
        None => match p.ty {
            ParamType::Named(_) => quote!(#v.as_str()),
            _ => v,
        },
    };
    if p.required {
        // Integers and booleans are `Copy`: passed by value (clippy's needless_borrows_for_generic_args).
        let v = match (&p.ty, p.encoding) {
            (ParamType::Integer | ParamType::Boolean, None) => quote!(self.#f),
            _ => wrap(quote!(&self.#f)),
        };
        quote!(req.#plain(#wire, #v);)
    } else {
        let v = wrap(quote!(value));
        quote!(if let ::std::option::Option::Some(value) = &self.#f { req.#plain(#wire, #v); })
    }
}

/// `resp.a.as_ref().and_then(|v| v.b.as_ref())` for a path of struct fields, with the leaf's type. A `String` leaf
/// ends in `as_deref()` so the chain yields `Option<&str>`.
fn ref_chain(
    structs: &Structs,
    root: &str,
    base: TokenStream,
    path: &str,
) -> Option<(TokenStream, syn::Type)> {
    let mut ty_name = root.to_owned();
    let mut expr = None::<TokenStream>;
    let mut leaf = None;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let field = structs.get(&ty_name)?.iter().find(|f| f.wire == *seg)?;
        let ident = &field.ident;
        let last_string =
            i + 1 == segs.len() && type_last_ident(&field.inner).as_deref() == Some("String");
        let access = if last_string {
            quote!(as_deref)
        } else {
            quote!(as_ref)
        };
        expr = Some(match expr {
            None => quote!(#base.#ident.#access()),
            Some(e) => quote!(#e.and_then(|v| v.#ident.#access())),
        });
        ty_name = type_last_ident(&field.inner).unwrap_or_default();
        leaf = Some(field.inner.clone());
    }
    Some((expr?, leaf?))
}

/// Same path, moving out of the value.
fn move_chain(structs: &Structs, root: &str, base: TokenStream, path: &str) -> Option<TokenStream> {
    let mut ty_name = root.to_owned();
    let mut expr = None::<TokenStream>;
    for seg in path.split('.') {
        let field = structs.get(&ty_name)?.iter().find(|f| f.wire == seg)?;
        let ident = &field.ident;
        expr = Some(match expr {
            None => quote!(#base.#ident),
            Some(e) => quote!(#e.and_then(|v| v.#ident)),
        });
        ty_name = type_last_ident(&field.inner).unwrap_or_default();
    }
    expr
}

fn envelope_impl(domain: &Domain, op: &Operation, structs: &Structs) -> TokenStream {
    let ty = format_ident!("{}", op.response_type);
    let root = &op.response_type;
    let pick = |paths: &[String], text: bool| -> TokenStream {
        let cands: Vec<TokenStream> = paths
            .iter()
            .filter_map(|p| {
                let (chain, leaf) = ref_chain(structs, root, quote!(self), p)?;
                let is_string = type_last_ident(&leaf).as_deref() == Some("String");
                Some(if text && is_string {
                    quote!(#chain.map(::std::borrow::Cow::Borrowed))
                } else if text {
                    quote!(#chain.map(::douyin_core::CodeText::code_text))
                } else if is_string {
                    chain
                } else {
                    return None;
                })
            })
            .collect();
        match cands.split_first() {
            None => quote!(::std::option::Option::None),
            Some((first, rest)) if text => quote!(#first #(.or_else(|| #rest))*),
            Some((first, rest)) => quote!(#first #(.or(#rest))*),
        }
    };
    let env = &domain.envelope;
    let (code, message, log_id, sub_code, sub_message) = (
        pick(&env.code, true),
        pick(&env.message, false),
        pick(&env.log_id, false),
        pick(&env.sub_code, true),
        pick(&env.sub_message, false),
    );
    // Refusals whose path is a string field of this response type, checked on the typed value: types without such a
    // field pay nothing.
    let checks: Vec<TokenStream> = env
        .refusals
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let (chain, leaf) = ref_chain(structs, root, quote!(self), &r.path)?;
            (type_last_ident(&leaf).as_deref() == Some("String")).then(|| {
                let equals = &r.equals;
                quote!(if #chain == ::std::option::Option::Some(#equals) { ::std::option::Option::Some(#i) })
            })
        })
        .collect();
    let refused = if checks.is_empty() {
        quote!(::std::option::Option::None)
    } else {
        quote!(#(#checks else)* { ::std::option::Option::None })
    };
    quote! {
        impl ::douyin_core::Envelope for super::types::#ty {
            fn outcome(&self) -> ::douyin_core::Outcome<'_> {
                ::douyin_core::Outcome {
                    code: #code,
                    message: #message,
                    log_id: #log_id,
                    sub_code: #sub_code,
                    sub_message: #sub_message,
                    refused: #refused,
                }
            }
        }
    }
}

fn method(domain: &Domain, op: &Operation, structs: &Structs) -> TokenStream {
    let formats = domain.response_formats.as_ref();
    let m = format_ident!("{}", op.name);
    let params = format_ident!("{}Params", op.name.to_upper_camel_case());
    let resp = format_ident!("{}", op.response_type);
    let mut doc = vec![super::doc_text(&op.summary)];
    if let Some(zh) = &op.doc_zh {
        doc.push(String::new());
        doc.push(super::doc_text(zh));
    }
    doc.push(String::new());
    doc.push(format!(
        "`{} {}{}`{}",
        op.method.as_str(),
        op.base_url.as_deref().unwrap_or(""),
        op.path,
        op.scope
            .as_ref()
            .map(|s| format!(" (scope `{s}`)"))
            .unwrap_or_default()
    ));
    doc.push(format!(
        "Spec: `{}`; documentation: {}.",
        op.spec_file.display(),
        super::doc_text(&op.source)
    ));
    if !op.notes.is_empty() {
        doc.push(String::new());
        doc.push("Notes from the spec:".to_owned());
        for note in &op.notes {
            doc.push(format!("- {}", super::doc_text(&note.replace('\n', " "))));
        }
    }
    let mut out = TokenStream::new();
    let format_check = formats.and_then(|f| {
        let p = op
            .params
            .iter()
            .find(|p| p.wire == f.parameter && p.is_user())?;
        let field = format_ident!("{}", p.rust);
        let text = &f.text;
        let wire = &f.parameter;
        let hint = format!("is not JSON; use `{}_text` for it", op.name);
        Some((
            quote! {
                if let ::std::option::Option::Some(format) = &params.#field {
                    if [#(#text),*].contains(&format.as_str()) {
                        return ::std::result::Result::Err(::douyin_core::Error::InvalidParameter {
                            name: #wire,
                            reason: ::std::format!("`{}` {}", format, #hint),
                        });
                    }
                }
            },
            f,
        ))
    });
    let check = format_check.as_ref().map(|(t, _)| t.clone());
    out.extend(quote! {
        #(#[doc = #doc])*
        pub async fn #m(&self, params: &#params) -> ::std::result::Result<super::types::#resp, super::errors::Error> {
            #check
            self.core.send(params.to_request()?).await
        }
    });
    if !op.cookies.is_empty() {
        let mc = format_ident!("{}_with_cookies", op.name);
        let names = &op.cookies;
        let d = format!(
            "Like [`Client::{}`], with the cookies the service hands out in `Set-Cookie` ({}): values are secrets.",
            op.name,
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        out.extend(quote! {
            #[doc = #d]
            pub async fn #mc(&self, params: &#params) -> ::std::result::Result<::douyin_core::WithCookies<super::types::#resp>, super::errors::Error> {
                self.core.send_with_cookies(params.to_request()?, &[#(#names),*]).await
            }
        });
    }
    if let Some((_, f)) = &format_check {
        let mt = format_ident!("{}_text", op.name);
        let d = format!(
            "Like [`Client::{}`] but returns the body as text: for `{}` values {}, which are not JSON.",
            op.name,
            f.parameter,
            f.text.join(", ")
        );
        out.extend(quote! {
            #[doc = #d]
            pub async fn #mt(&self, params: &#params) -> ::std::result::Result<::std::string::String, super::errors::Error> {
                self.core.send_text(params.to_request()?).await
            }
        });
    }
    if let Some(pg) = &op.pagination {
        let ms = format_ident!("{}_stream", op.name);
        let page_fn = format_ident!("{}_page", op.name);
        let item = format_ident!("{}", pg.item_type);
        let cursor = &pg.cursor;
        let cf = format_ident!("{}", cursor.rust);
        let (get, set) = if cursor.required {
            (
                quote!(|p| ::std::option::Option::Some(p.#cf)),
                quote!(|p, c| p.#cf = c),
            )
        } else {
            (
                quote!(|p| p.#cf),
                quote!(|p, c| p.#cf = ::std::option::Option::Some(c)),
            )
        };
        let d = format!(
            "Every item of every page of [`Client::{}`], following `{}` while `{}` says more pages follow. Errors end the stream as its last item; a cursor that does not advance ends it with [`douyin_core::Error::StalledCursor`].",
            op.name, pg.spec.next_cursor, pg.spec.has_more
        );
        let (has_more, _) = ref_chain(structs, &op.response_type, quote!(resp), &pg.spec.has_more)
            .expect("validated path");
        let (next, _) = ref_chain(
            structs,
            &op.response_type,
            quote!(resp),
            &pg.spec.next_cursor,
        )
        .expect("validated path");
        let items = move_chain(structs, &op.response_type, quote!(resp), &pg.spec.items)
            .expect("validated path");
        out.extend(quote! {
            #[doc = #d]
            pub fn #ms(&self, params: #params) -> impl ::douyin_core::Stream<Item = ::std::result::Result<super::types::#item, super::errors::Error>> + '_ {
                ::douyin_core::paginate(
                    params,
                    move |p: #params| async move { self.#m(&p).await.map(Self::#page_fn) },
                    #get,
                    #set,
                )
            }
        });
        let pf_doc = format!("The page in a [`Client::{}`] response.", op.name);
        out.extend(quote! {
            #[doc = #pf_doc]
            pub fn #page_fn(resp: super::types::#resp) -> ::douyin_core::Page<super::types::#item> {
                let has_more = #has_more.is_some_and(::douyin_core::MoreFlag::is_set);
                let next_cursor = #next.copied();
                let items = #items.unwrap_or_default();
                ::douyin_core::Page { items, next_cursor, has_more }
            }
        });
    }
    out
}

pub fn emit(domain: &Domain, structs: &Structs) -> TokenStream {
    let marker = domain_type(domain);
    let ops_consts = domain.operations.iter().map(|op| {
        let c = format_ident!("{}", op.name.to_shouty_snake_case());
        let (name, method, path) = (&op.name, super::method_tokens(op.method), &op.path);
        let base_url = super::opt_str(op.base_url.as_deref());
        let signing = &op.signing;
        let pacing = super::pacing::tokens(domain, op.pacing.as_ref());
        let doc = format!(
            "`{} {}{path}`",
            op.method.as_str(),
            op.base_url.as_deref().unwrap_or("")
        );
        quote! {
            #[doc = #doc]
            pub static #c: ::douyin_core::Operation = ::douyin_core::Operation {
                name: #name,
                method: #method,
                path: #path,
                base_url: #base_url,
                signing: &[#(#signing),*],
                pacing: #pacing,
            };
        }
    });
    let params = domain.operations.iter().map(|op| params_struct(domain, op));
    let client_methods = domain
        .operations
        .iter()
        .map(|op| method(domain, op, structs));
    let envelopes = domain
        .operations
        .iter()
        .map(|op| envelope_impl(domain, op, structs));
    let registry = domain.operations.iter().map(|op| {
        let (name, method, path) = (&op.name, super::method_tokens(op.method), &op.path);
        let spec = op.spec_file.display().to_string();
        let resp = format_ident!("{}", op.response_type);
        quote! {
            ::douyin_core::registry::OperationEntry {
                name: #name,
                spec: #spec,
                method: #method,
                path: #path,
                check: |body, mode| ::douyin_core::registry::check::<super::types::#resp, super::errors::ErrorCode>(
                    body,
                    <super::domain::#marker as ::douyin_core::Domain>::ENVELOPE,
                    mode,
                ),
            }
        }
    });
    let signers = domain.signers.iter().map(|sg| {
        let name = format_ident!("{}", sg.name.to_shouty_snake_case());
        let name = quote!(super::domain::signer_names::#name);
        let ty: syn::Path =
            syn::parse_str(&format!("crate::{}", sg.type_path)).expect("validated type path");
        quote!(.signer(#name, <#ty as ::std::default::Default>::default()))
    });
    let credentials = match &domain.credentials_from {
        Some(f) => {
            let f: syn::Path =
                syn::parse_str(&format!("crate::{f}")).expect("validated function path");
            quote!(#f(&values)?)
        }
        None => quote!(::douyin_core::StaticCredentials::from_values(
            <super::domain::#marker as ::douyin_core::Domain>::CREDENTIALS,
            &values,
        )),
    };
    let client_doc = format!(
        "Client of the {} domain: one async method per documented operation.",
        domain.title
    );
    let pacing = super::pacing::domain_const(domain);
    quote! {
        /// The operations of this domain (method and path).
        pub mod operations {
            #pacing
            #(#ops_consts)*
        }

        #(#params)*

        #[doc = #client_doc]
        #[derive(Clone, Debug)]
        pub struct Client {
            core: ::douyin_core::Client<super::domain::#marker>,
        }

        impl Client {
            /// Starts configuring a client (credentials, base URL, timeouts, retries), with the spec's signers
            /// registered; finish with `.build()?.into()`.
            pub fn builder() -> ::douyin_core::ClientBuilder<super::domain::#marker> {
                ::douyin_core::Client::builder()
                    #(#signers)*
            }

            /// A builder configured from credential values by the spec's names (a tool's environment or config
            /// file): a required credential without a value is [`douyin_core::Error::Credential`].
            pub fn configured(
                values: impl ::std::ops::Fn(&'static str) -> ::std::option::Option<::douyin_core::Secret>,
            ) -> ::std::result::Result<::douyin_core::ClientBuilder<super::domain::#marker>, super::errors::Error> {
                for c in <super::domain::#marker as ::douyin_core::Domain>::CREDENTIALS {
                    if c.required && values(c.name).is_none() {
                        return ::std::result::Result::Err(::douyin_core::Error::Credential {
                            name: c.name,
                            reason: ::std::string::String::from("not configured"),
                        });
                    }
                }
                let credentials = #credentials;
                ::std::result::Result::Ok(Self::builder().credentials(credentials))
            }

            /// Wraps a configured runtime client.
            pub fn from_core(core: ::douyin_core::Client<super::domain::#marker>) -> Self {
                Self { core }
            }

            /// The runtime client (base URL, retries, credentials).
            pub fn core(&self) -> &::douyin_core::Client<super::domain::#marker> {
                &self.core
            }

            #(#client_methods)*
        }

        impl ::std::convert::From<::douyin_core::Client<super::domain::#marker>> for Client {
            fn from(core: ::douyin_core::Client<super::domain::#marker>) -> Self {
                Self { core }
            }
        }

        #(#envelopes)*

        /// Every operation of this domain, for spec-driven tools (golden tests, capture checks, the mock server).
        pub static OPERATIONS: &[::douyin_core::registry::OperationEntry<super::errors::ErrorCode>] = &[
            #(#registry),*
        ];
    }
}
