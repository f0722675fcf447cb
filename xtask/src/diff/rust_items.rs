//! The public Rust items a domain crate's generated files define: structs with their fields' types and wire names,
//! open enums with their values. Read back from the generated code so a report names exactly what users compile against.

use std::collections::BTreeMap;

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

/// One field of a generated struct.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub rust: String,
    /// The field's type as a reader writes it (`Option<Box<User>>`).
    pub ty: String,
    /// Generated struct names the type refers to, outermost first.
    pub refs: Vec<String>,
    /// Whether the JSON value is a list (`Vec<…>` inside the type): paths get `[]`.
    pub list: bool,
    pub doc: String,
}

/// A generated struct, its fields keyed by wire name (the Rust name where there is no wire name: params).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Struct {
    pub fields: BTreeMap<String, Field>,
}

/// Structs and open enums (values by wire name → variant) of one generated file.
#[derive(Clone, Debug, Default)]
pub struct Items {
    pub structs: BTreeMap<String, Struct>,
    pub enums: BTreeMap<String, BTreeMap<String, String>>,
}

/// Parses generated Rust source; unparsable text yields no items (the generator's own checks catch that).
pub fn parse(text: &str) -> Items {
    let mut items = Items::default();
    let Ok(file) = syn::parse_file(text) else {
        return items;
    };
    let mut wire_names: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                let syn::Fields::Named(named) = &s.fields else {
                    continue;
                };
                let mut st = Struct::default();
                for f in &named.named {
                    let Some(ident) = &f.ident else { continue };
                    let rust = ident.to_string();
                    if rust == "unknown_fields" {
                        continue;
                    }
                    let (refs, list) = referenced(&f.ty);
                    st.fields.insert(
                        rust.clone(),
                        Field {
                            rust,
                            ty: type_text(&f.ty),
                            refs,
                            list,
                            doc: doc_text(&f.attrs),
                        },
                    );
                }
                items.structs.insert(s.ident.to_string(), st);
            }
            syn::Item::Macro(m) => {
                let name = m
                    .mac
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                let Some((ty, pairs)) = macro_pairs(m.mac.tokens.clone()) else {
                    continue;
                };
                match name.as_str() {
                    "impl_lossless" => {
                        wire_names.insert(ty, pairs);
                    }
                    "impl_open_enum" => {
                        let values = pairs.into_iter().map(|(v, w)| (w, v)).collect();
                        items.enums.insert(ty, values);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    // Response structs are keyed by wire name: that is what a JSON path names.
    for (ty, pairs) in wire_names {
        if let Some(st) = items.structs.get_mut(&ty) {
            let by_rust = std::mem::take(&mut st.fields);
            for (rust, field) in by_rust {
                let wire = pairs.get(&rust).cloned().unwrap_or_else(|| rust.clone());
                st.fields.insert(wire, field);
            }
        }
    }
    items
}

/// `Type { field : "wire", … }` → (`Type`, field → wire).
fn macro_pairs(tokens: TokenStream) -> Option<(String, BTreeMap<String, String>)> {
    let mut it = tokens.into_iter();
    let ty = match it.next()? {
        TokenTree::Ident(i) => i.to_string(),
        _ => return None,
    };
    let body = match it.next()? {
        TokenTree::Group(g) => g.stream(),
        _ => return None,
    };
    let mut pairs = BTreeMap::new();
    let mut last_ident = None;
    for tt in body {
        match tt {
            TokenTree::Ident(i) => last_ident = Some(i.to_string()),
            TokenTree::Literal(l) => {
                if let (Some(id), Ok(syn::Lit::Str(s))) = (
                    last_ident.take(),
                    syn::parse_str::<syn::Lit>(&l.to_string()),
                ) {
                    pairs.insert(id, s.value());
                }
            }
            _ => {}
        }
    }
    Some((ty, pairs))
}

/// The generated type names a field type mentions, and whether a `Vec` wraps them.
fn referenced(ty: &syn::Type) -> (Vec<String>, bool) {
    let mut refs = Vec::new();
    let mut list = false;
    walk_type(ty, &mut refs, &mut list);
    (refs, list)
}

fn walk_type(ty: &syn::Type, refs: &mut Vec<String>, list: &mut bool) {
    let syn::Type::Path(p) = ty else { return };
    let Some(last) = p.path.segments.last() else {
        return;
    };
    let name = last.ident.to_string();
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => {
            if name == "Vec" {
                *list = true;
            }
            for a in &args.args {
                if let syn::GenericArgument::Type(t) = a {
                    walk_type(t, refs, list);
                }
            }
        }
        _ => {
            let std_like = p.path.segments.len() > 1
                && p.path.segments.first().is_some_and(|s| {
                    matches!(
                        s.ident.to_string().as_str(),
                        "std" | "douyin_core" | "serde_json"
                    )
                });
            if !std_like && name.chars().next().is_some_and(char::is_uppercase) {
                refs.push(name);
            }
        }
    }
}

/// A type as a reader writes it: `::std::option::Option<super::types::User>` → `Option<User>`.
pub fn type_text(ty: &syn::Type) -> String {
    let mut s = ty.to_token_stream().to_string().replace(' ', "");
    for prefix in [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "::std::boxed::",
        "::std::collections::",
        "::douyin_core::",
        "super::types::",
        "::serde_json::",
    ] {
        s = s.replace(prefix, "");
    }
    s
}

fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_structs_wire_names_and_open_enums() {
        let items = parse(
            r#"
            pub struct User {
                ///score
                pub ky_only_predict: ::std::option::Option<i64>,
                pub type_: ::std::option::Option<::std::string::String>,
                pub avatar: ::std::option::Option<::std::boxed::Box<Image>>,
                pub list: ::std::option::Option<::std::vec::Vec<super::types::Image>>,
                pub unknown_fields: ::douyin_core::Extra,
            }
            ::douyin_core::impl_lossless!(User { ky_only_predict : "ky_only_predict", type_ : "type", avatar : "avatar", list : "list" });
            ::douyin_core::impl_open_enum!(Lang { Cn : "cn", En : "en" });
            "#,
        );
        let user = &items.structs["User"];
        assert_eq!(user.fields.len(), 4);
        assert_eq!(user.fields["type"].rust, "type_");
        assert_eq!(user.fields["ky_only_predict"].ty, "Option<i64>");
        assert_eq!(user.fields["ky_only_predict"].doc, "score");
        assert_eq!(user.fields["avatar"].ty, "Option<Box<Image>>");
        assert_eq!(user.fields["avatar"].refs, vec!["Image".to_owned()]);
        assert!(!user.fields["avatar"].list);
        assert!(user.fields["list"].list);
        assert_eq!(items.enums["Lang"]["en"], "En");
    }
}
