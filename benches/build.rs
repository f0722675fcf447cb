//! Writes variants of douyin-web's generated response types, so the decode benchmark compares the SAME types with
//! different unknown-field strategies without copying them by hand:
//!
//! - `visitor_ignoring.rs`: the generated file as is, with `::douyin_core::impl_lossless!` replaced by the bench's
//!   `impl_ignoring!` (the same visitor, but unknown values are skipped with `IgnoredAny` and never stored);
//! - `derive_ignoring.rs`: every struct with `#[derive(Deserialize)]` and its wire renames, no unknown-field store
//!   (serde's default: unknown keys skipped);
//! - `derive_flatten.rs`: the same plus `#[serde(flatten)] unknown_fields: serde_json::Map<String, Value>`, the usual
//!   way to keep unknown fields, which douyin-core's macros replace;
//! - `before_drift.rs`: the types as they were before drift tolerance (issue 11): nested structs inline instead of
//!   boxed, the inline `ExtraBefore` store and the bench's `impl_lossless_before!` (the strict decoder of that time).
//!
//! Field types come from the struct definitions, wire names from the `impl_lossless!` invocations. Nested types
//! resolve to their own variant module's types because every variant module defines all of them. Open enums (leaves)
//! are copied unchanged with their `impl_open_enum!` call.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Item, LitStr, Token};

/// `Ty { field : "wire", … }`: the arguments of `impl_lossless!`.
struct LosslessArgs {
    ty: Ident,
    fields: Vec<(Ident, LitStr)>,
}

struct FieldWire(Ident, LitStr);

impl Parse for FieldWire {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let field: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        Ok(FieldWire(field, input.parse()?))
    }
}

impl Parse for LosslessArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ty: Ident = input.parse()?;
        let content;
        syn::braced!(content in input);
        let list = Punctuated::<FieldWire, Token![,]>::parse_terminated(&content)?;
        // `response` after the fields marks a response type (it also has a `drift` field).
        if !input.is_empty() {
            input.parse::<Ident>()?;
        }
        Ok(LosslessArgs {
            ty,
            fields: list.into_iter().map(|FieldWire(f, w)| (f, w)).collect(),
        })
    }
}

fn macro_name(m: &syn::ItemMacro) -> Option<String> {
    m.mac.path.segments.last().map(|s| s.ident.to_string())
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let source = manifest.join("../crates/douyin-web/src/generated/types.rs");
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&source).expect("reading douyin-web's generated types.rs");
    let file = syn::parse_file(&text).expect("parsing douyin-web's generated types.rs");

    // Wire names per struct, from the impl_lossless! invocations.
    let mut wires: BTreeMap<String, BTreeMap<String, LitStr>> = BTreeMap::new();
    for item in &file.items {
        if let Item::Macro(m) = item {
            if macro_name(m).as_deref() == Some("impl_lossless") {
                let args: LosslessArgs = m.mac.parse_body().expect("impl_lossless! arguments");
                wires.insert(
                    args.ty.to_string(),
                    args.fields
                        .into_iter()
                        .map(|(f, w)| (f.to_string(), w))
                        .collect(),
                );
            }
        }
    }

    let mut visitor_ignoring = TokenStream::new();
    let mut derive_ignoring = TokenStream::new();
    let mut derive_flatten = TokenStream::new();
    let mut before_drift = TokenStream::new();
    for item in &file.items {
        match item {
            Item::Struct(s) => {
                visitor_ignoring.extend(quote!(#s));
                before_drift.extend(unboxed(s));
                let name = &s.ident;
                let wire = wires
                    .get(&name.to_string())
                    .unwrap_or_else(|| panic!("no impl_lossless! for {name}"));
                let mut fields = Vec::new();
                for f in &s.fields {
                    let ident = f.ident.as_ref().expect("named fields");
                    if ident == "unknown_fields" || ident == "drift" {
                        continue;
                    }
                    let w = wire
                        .get(&ident.to_string())
                        .unwrap_or_else(|| panic!("{name}.{ident} has no wire name"));
                    let ty = &f.ty;
                    fields.push(quote!(#[serde(rename = #w)] pub #ident: #ty,));
                }
                derive_ignoring.extend(quote! {
                    #[derive(Default, ::serde::Deserialize)]
                    pub struct #name { #(#fields)* }
                });
                derive_flatten.extend(quote! {
                    #[derive(Default, ::serde::Deserialize)]
                    pub struct #name {
                        #(#fields)*
                        #[serde(flatten)]
                        pub unknown_fields: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    }
                });
            }
            Item::Macro(m) if macro_name(m).as_deref() == Some("impl_lossless") => {
                let body = &m.mac.tokens;
                visitor_ignoring.extend(quote!(crate::impl_ignoring!(#body);));
                before_drift.extend(quote!(crate::impl_lossless_before!(#body);));
            }
            // The generated size-budget test is about the real types only.
            Item::Mod(_) => {}
            // Open enums and anything else (leaves): the same in every variant.
            other => {
                visitor_ignoring.extend(quote!(#other));
                derive_ignoring.extend(quote!(#other));
                derive_flatten.extend(quote!(#other));
                before_drift.extend(quote!(#other));
            }
        }
    }

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for (name, tokens) in [
        ("visitor_ignoring.rs", visitor_ignoring),
        ("derive_ignoring.rs", derive_ignoring),
        ("derive_flatten.rs", derive_flatten),
        ("before_drift.rs", before_drift),
    ] {
        std::fs::write(out.join(name), tokens.to_string()).expect("writing a variant module");
    }
}

/// The struct as it was before drift tolerance: `Option<Box<T>>` fields back to `Option<T>`, no `drift` field, the
/// inline `ExtraBefore` store.
fn unboxed(s: &syn::ItemStruct) -> TokenStream {
    let mut s = s.clone();
    if let syn::Fields::Named(named) = &mut s.fields {
        named.named = std::mem::take(&mut named.named)
            .into_iter()
            .filter(|f| f.ident.as_ref().is_some_and(|i| i != "drift"))
            .map(|mut f| {
                let ty = &f.ty;
                let text = quote!(#ty).to_string().replace(' ', "");
                if f.ident.as_ref().is_some_and(|i| i == "unknown_fields") {
                    f.ty = syn::parse_quote!(crate::ExtraBefore);
                } else if let Some(inner) = text
                    .split_once("::std::option::Option<::std::boxed::Box<")
                    .map(|(_, rest)| rest.trim_end_matches(['>', ',']).to_owned())
                {
                    let unboxed = format!("::std::option::Option<{inner}>");
                    f.ty = syn::parse_str(&unboxed).unwrap_or_else(|e| panic!("{unboxed}: {e}"));
                }
                f
            })
            .collect();
    }
    quote!(#s)
}
