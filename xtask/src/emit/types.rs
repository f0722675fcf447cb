//! Emits `types.rs`: typify turns the domain's schemas into Rust types, then the syn tree is reworked so every
//! struct is lossless (unknown fields kept as raw JSON, drift tolerated), `#[non_exhaustive]`, and holds its nested
//! structs boxed (an empty object costs only its own fields), and every string enum is open (unknown values kept).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_quote, Attribute, Fields, Item, Meta};

use crate::ir::Domain;

/// A generated struct field, as later emitters need it.
pub struct FieldInfo {
    pub ident: syn::Ident,
    pub wire: String,
    /// The field's type inside its `Option`.
    pub inner: syn::Type,
}

/// What the types emitter produced.
pub struct Types {
    pub tokens: TokenStream,
    /// Struct name → its fields.
    pub structs: BTreeMap<String, Vec<FieldInfo>>,
}

/// Runs typify over the domain's definitions and post-processes the result.
pub fn emit(domain: &Domain) -> Result<Types, String> {
    let root: schemars::schema::RootSchema = serde_json::from_value(serde_json::json!({
        "definitions": domain.definitions,
    }))
    .map_err(|e| format!("schemas are not valid JSON Schema: {e}"))?;
    let mut settings = typify::TypeSpaceSettings::default();
    settings.with_struct_builder(false);
    settings.with_crate("douyin-core", typify::CrateVers::Any, None);
    let mut space = typify::TypeSpace::new(&settings);
    space
        .add_root_schema(root)
        .map_err(|e| format!("typify: {e}"))?;
    let file: syn::File =
        syn::parse2(space.to_stream()).map_err(|e| format!("typify output: {e}"))?;
    let responses: Vec<String> = domain
        .operations
        .iter()
        .map(|op| op.response_type.clone())
        // Event types decode like responses: tolerant, with their drift kept.
        .chain(domain.events.iter().map(|e| e.type_name.clone()))
        .collect();
    rework(file, &responses)
}

fn rework(file: syn::File, responses: &[String]) -> Result<Types, String> {
    let mut open_enums = Vec::new();
    let mut struct_names = Vec::new();
    let mut structs = BTreeMap::new();
    let mut items = Vec::new();
    // First pass: find the types we take over, so their typify impls can be dropped, and the structs to box.
    for item in &file.items {
        match item {
            Item::Enum(e) if e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) => {
                open_enums.push(e.ident.to_string());
            }
            Item::Struct(s) => struct_names.push(s.ident.to_string()),
            _ => {}
        }
    }
    for item in file.items {
        match item {
            Item::Mod(m) if m.ident == "error" => {} // typify's conversion errors; nothing uses them after rework
            Item::Impl(imp) if takes_over(&imp, &open_enums) => {}
            Item::Struct(mut s) => {
                let name = s.ident.clone();
                let Fields::Named(named) = &mut s.fields else {
                    items.push(Item::Struct(s));
                    continue;
                };
                let mut fields = Vec::new();
                for f in named.named.iter_mut() {
                    escape_docs(&mut f.attrs);
                    let ident = f.ident.clone().expect("named field");
                    let wire = serde_rename(&f.attrs).unwrap_or_else(|| ident.to_string());
                    f.attrs.retain(|a| !a.path().is_ident("serde"));
                    let inner = option_inner(&f.ty);
                    if type_last_ident(&inner).is_some_and(|t| struct_names.contains(&t)) {
                        f.ty = parse_quote!(::std::option::Option<::std::boxed::Box<#inner>>);
                    }
                    fields.push(FieldInfo { ident, wire, inner });
                }
                named.named.push(parse_quote! {
                    /// Fields the spec does not describe, and values of described fields that did not fit their
                    /// type, kept as raw JSON and written back on encode.
                    pub unknown_fields: ::douyin_core::Extra
                });
                let response = responses.contains(&name.to_string());
                if response {
                    if fields.iter().any(|f| f.ident == "drift") {
                        return Err(format!(
                            "response type {name} has a property named `drift`, which the generator reserves"
                        ));
                    }
                    named.named.push(parse_quote! {
                        /// Values that did not fit their type while decoding (kept in `unknown_fields`), by path.
                        pub drift: ::std::vec::Vec<::douyin_core::Drift>
                    });
                }
                s.attrs = clean_attrs(&s.attrs, &["Clone", "Debug", "Default"]);
                s.attrs.push(parse_quote!(#[non_exhaustive]));
                let pairs = fields.iter().map(|f| {
                    let (i, w) = (&f.ident, &f.wire);
                    quote!(#i: #w)
                });
                items.push(Item::Struct(s));
                let marker = response.then(|| quote!(response));
                items.push(
                    parse_quote! { ::douyin_core::impl_lossless!(#name { #(#pairs),* } #marker); },
                );
                structs.insert(name.to_string(), fields);
            }
            Item::Enum(mut e) if open_enums.contains(&e.ident.to_string()) => {
                let name = e.ident.clone();
                let pairs: Vec<TokenStream> = e
                    .variants
                    .iter_mut()
                    .map(|v| {
                        escape_docs(&mut v.attrs);
                        let wire = serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string());
                        v.attrs.retain(|a| !a.path().is_ident("serde"));
                        let i = &v.ident;
                        quote!(#i: #wire)
                    })
                    .collect();
                e.variants.push(parse_quote! {
                    /// A value the documentation does not list, kept as received.
                    Unknown(::std::string::String)
                });
                e.attrs = clean_attrs(&e.attrs, &["Clone", "Debug", "PartialEq", "Eq", "Hash"]);
                e.attrs.push(parse_quote!(#[non_exhaustive]));
                items.push(Item::Enum(e));
                items.push(parse_quote! { ::douyin_core::impl_open_enum!(#name { #(#pairs),* }); });
            }
            other => items.push(other),
        }
    }
    let names = structs.keys().map(|n| format_ident!("{}", n));
    let labels = structs.keys();
    let size_test = quote! {
        /// Every struct's inline size stays within `douyin_core::lossless::STRUCT_SIZE_BUDGET` (nested structs are
        /// boxed, so a body of empty objects costs only their own fields; docs/reliability.md).
        #[cfg(test)]
        mod size_budget {
            #[test]
            fn every_struct_fits_the_size_budget() {
                let sizes: &[(&str, usize)] = &[#((#labels, ::std::mem::size_of::<super::#names>())),*];
                let largest = sizes.iter().max_by_key(|(_, size)| *size);
                ::std::eprintln!("largest struct: {largest:?}");
                let over: ::std::vec::Vec<_> = sizes
                    .iter()
                    .filter(|(_, size)| *size > ::douyin_core::lossless::STRUCT_SIZE_BUDGET)
                    .collect();
                assert!(over.is_empty(), "over the size budget: {over:?}");
            }
        }
    };
    Ok(Types {
        tokens: quote!(#(#items)* #size_test),
        structs,
    })
}

/// The last path segment of a type (`Aweme` for `Aweme` or `super::Aweme`).
pub(super) fn type_last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// typify's impls that the rework replaces: `Default` and `From<&T>` on structs, everything on open enums.
fn takes_over(imp: &syn::ItemImpl, open_enums: &[String]) -> bool {
    let syn::Type::Path(p) = &*imp.self_ty else {
        return false;
    };
    let Some(name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
        return false;
    };
    if open_enums.contains(&name) {
        return true;
    }
    let Some((_, trait_path, _)) = &imp.trait_ else {
        return false;
    };
    let t = trait_path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    t == "Default" || t == "From"
}

/// The struct's doc comment without typify's embedded JSON Schema, plus the given derives.
fn clean_attrs(attrs: &[Attribute], derives: &[&str]) -> Vec<Attribute> {
    let mut out = Vec::new();
    let mut in_details = false;
    for a in attrs {
        if a.path().is_ident("doc") {
            let text = doc_text(a).unwrap_or_default();
            if text.contains("<details>") {
                in_details = true;
            }
            if !in_details {
                let escaped = super::doc_text(&text);
                out.push(parse_quote!(#[doc = #escaped]));
            }
            if text.contains("</details>") {
                in_details = false;
            }
        }
    }
    // Drop a trailing empty doc line left before the removed block.
    while out
        .last()
        .and_then(doc_text)
        .is_some_and(|t| t.trim().is_empty())
    {
        out.pop();
    }
    let derives: Vec<syn::Ident> = derives.iter().map(|d| format_ident!("{}", d)).collect();
    out.push(parse_quote!(#[derive(#(#derives),*)]));
    out
}

/// Escapes spec text in doc attributes (typify copies schema descriptions into docs).
fn escape_docs(attrs: &mut [Attribute]) {
    for a in attrs.iter_mut() {
        if let Some(text) = doc_text(a) {
            let escaped = super::doc_text(&text);
            *a = parse_quote!(#[doc = #escaped]);
        }
    }
}

fn doc_text(a: &Attribute) -> Option<String> {
    if let Meta::NameValue(nv) = &a.meta {
        if let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        {
            return Some(s.value());
        }
    }
    None
}

fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("rename") {
                let s: syn::LitStr = m.value()?.parse()?;
                found = Some(s.value());
            } else if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// `T` for `Option<T>` (typify spells it `::std::option::Option<T>`), else the type itself.
fn option_inner(ty: &syn::Type) -> syn::Type {
    if let syn::Type::Path(p) = ty {
        if let Some(last) = p.path.segments.last() {
            if last.ident == "Option" {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(syn::GenericArgument::Type(t)) = args.args.first() {
                        return t.clone();
                    }
                }
            }
        }
    }
    ty.clone()
}
