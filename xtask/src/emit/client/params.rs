//! Params structs: one per operation, its fields, defaults, range checks and setters, and how each parameter is
//! pushed onto the request (query, headers, form or JSON body, credentials and session parameters in place).

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value as Json;

use crate::emit::ParamHelp;
use crate::ir::{Domain, Location, Operation, Param, ParamType, Position, Slot};

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

pub(super) fn params_struct(domain: &Domain, op: &Operation) -> TokenStream {
    let name = format_ident!("{}Params", op.name.to_upper_camel_case());
    let user: Vec<&Param> = op.params.iter().filter(|p| p.is_user()).collect();
    let fields = user.iter().map(|p| {
        let (f, ty) = (format_ident!("{}", p.rust), rust_type(&p.ty));
        let doc = ParamHelp::of(p, true).full;
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
