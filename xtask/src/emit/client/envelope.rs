//! Envelope readers: where a response type's status code, message and pagination fields are, as borrow and move
//! chains through the generated structs' optional fields.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Structs;
use crate::emit::types::type_last_ident;
use crate::ir::{Domain, Operation};

/// `resp.a.as_ref().and_then(|v| v.b.as_ref())` for a path of struct fields, with the leaf's type. A `String` leaf
/// ends in `as_deref()` so the chain yields `Option<&str>`.
pub(super) fn ref_chain(
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
pub(super) fn move_chain(
    structs: &Structs,
    root: &str,
    base: TokenStream,
    path: &str,
) -> Option<TokenStream> {
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

pub(super) fn envelope_impl(domain: &Domain, op: &Operation, structs: &Structs) -> TokenStream {
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
