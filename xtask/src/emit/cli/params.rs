//! One spec parameter on the command line: its clap argument (flag, positional link form, value parser by type,
//! bounds, enum values, help) and the expression that reads it back into the generated `<Op>Params` field.

use super::*;

/// The generated argument readers beyond `one` a parameter needs.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Reader {
    Many,
    Json,
    JsonList,
}

pub(super) fn reader(p: &Param) -> Option<Reader> {
    match &p.ty {
        ParamType::List(inner) => {
            let items = p.schema.get("items").cloned().unwrap_or(Json::Null);
            Some(if kind(inner, &items) == Kind::Json {
                Reader::JsonList
            } else {
                Reader::Many
            })
        }
        t if kind(t, &p.schema) == Kind::Json => Some(Reader::Json),
        _ => None,
    }
}

/// The type of the id a linked parameter (`link:`) holds: the parameter's own, or its list's items.
pub(super) fn link_item(p: &Param) -> Option<&ParamType> {
    p.link?;
    Some(match &p.ty {
        ParamType::List(inner) => inner.as_ref(),
        t => t,
    })
}

/// The operation's parameter that may be given positionally: its first one that takes a link.
pub(super) fn positional(op: &Operation) -> Option<&Param> {
    op.params.iter().find(|p| p.is_user() && p.link.is_some())
}

/// The argument id of the positional form of `p`.
pub(super) fn positional_id(p: &Param) -> String {
    format!("{}_or_link", p.rust)
}

/// The generated `LinkKind` variant of a spec's `link:`.
pub(super) fn link_kind(kind: crate::spec::model::LinkKind) -> TokenStream {
    let v = format_ident!("{}", kind.as_str().to_upper_camel_case());
    quote!(super::LinkKind::#v)
}

/// The first paragraph of a doc, on one line.
pub(super) fn first_paragraph(s: &str) -> String {
    s.trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn flag(p: &Param) -> String {
    p.wire.to_kebab_case()
}

/// The documented values of an enum parameter (or of a list's items).
pub(super) fn enum_values(schema: &Json) -> Option<Vec<String>> {
    let values = schema.get("enum")?.as_array()?;
    Some(
        values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
    )
}

/// What the CLI reads a parameter (or one list item) as.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Text,
    Int,
    Bool,
    Enum,
    Json,
}

pub(super) fn kind(ty: &ParamType, schema: &Json) -> Kind {
    match ty {
        ParamType::String => Kind::Text,
        ParamType::Integer => Kind::Int,
        ParamType::Boolean => Kind::Bool,
        ParamType::Named(_) if enum_values(schema).is_some() => Kind::Enum,
        ParamType::Named(_) | ParamType::List(_) => Kind::Json,
    }
}

pub(super) fn rust_type(d: &Domain, t: &ParamType) -> TokenStream {
    match t {
        ParamType::String => quote!(::std::string::String),
        ParamType::Integer => quote!(i64),
        ParamType::Boolean => quote!(bool),
        ParamType::Named(n) => {
            let (c, i) = (crate_ident(d), format_ident!("{}", n));
            quote!(::#c::types::#i)
        }
        ParamType::List(inner) => {
            let i = rust_type(d, inner);
            quote!(::std::vec::Vec<#i>)
        }
    }
}

/// The clap argument of one parameter (`positional`: the operation also takes it as its positional argument).
pub(super) fn arg(p: &Param, positional: bool) -> TokenStream {
    let (id, long) = (&p.rust, flag(p));
    let crate::emit::ParamHelp {
        line: mut help,
        full: mut long_help,
    } = crate::emit::ParamHelp::of(p, false);
    if let Some(d) = &p.default {
        help.push_str(&format!(" [default: {}]", value_text(d)));
    }
    if let Some(kind) = p.link {
        let what = format!(
            "A link to the {} or share text holding one is also taken (short links are followed).",
            link_noun(kind)
        );
        help.push_str(" (or a link, or share text)");
        long_help.push_str(&format!("\n\n{what}"));
        if positional {
            long_help.push_str(" It may also be given without the flag, as the first argument.");
        }
    }
    let linked = p.link.is_some();
    let (parser, value_name, list) = match &p.ty {
        ParamType::List(_) if linked => {
            long_help.push_str("\n\nA list: repeat the flag or separate items with commas.");
            (
                quote!(::clap::builder::ValueParser::string()),
                Some("ID|LINK"),
                Some(true),
            )
        }
        _ if linked => (
            quote!(::clap::builder::ValueParser::string()),
            Some("ID|LINK"),
            None,
        ),
        ParamType::List(inner) => {
            let items = p.schema.get("items").cloned().unwrap_or(Json::Null);
            let k = kind(inner, &items);
            let (parser, name) = scalar_parser(k, &items, None, None);
            if k == Kind::Json {
                long_help.push_str(
                    "\n\nA list: repeat the flag once per item (each a JSON value), or give one JSON array.",
                );
            } else {
                long_help.push_str("\n\nA list: repeat the flag or separate items with commas.");
            }
            (parser, name, Some(k != Kind::Json))
        }
        t => {
            let k = kind(t, &p.schema);
            let (parser, name) = scalar_parser(k, &p.schema, p.minimum, p.maximum);
            if k == Kind::Json {
                long_help.push_str("\n\nGiven as JSON.");
            }
            (parser, name, None)
        }
    };
    let required = p.required && !positional;
    let unless = (p.required && positional).then(|| {
        let other = positional_id(p);
        quote!(.required_unless_present(#other))
    });
    let enum_name = p.wire.to_snake_case().to_uppercase();
    let value_name = match value_name {
        Some(n) => quote!(.value_name(#n)),
        None => quote!(.value_name(#enum_name)),
    };
    let list = match list {
        None => quote!(),
        Some(true) => quote!(.action(::clap::ArgAction::Append).value_delimiter(',')),
        Some(false) => quote!(.action(::clap::ArgAction::Append)),
    };
    quote! {
        ::clap::Arg::new(#id)
            .long(#long)
            .required(#required)
            #unless
            .help(#help)
            .long_help(#long_help)
            #value_name
            .value_parser(#parser)
            #list
    }
}

/// The positional form of the operation's first linked parameter: the id, a link or share text, in place of its flag.
pub(super) fn positional_arg(p: &Param) -> TokenStream {
    let (id, flag_id) = (positional_id(p), &p.rust);
    let noun = p.link.map_or("target", link_noun);
    let help = format!(
        "The same as --{}: the id, a link to the {noun}, or share text",
        flag(p)
    );
    let required = p
        .required
        .then(|| quote!(.required_unless_present(#flag_id)));
    let list = matches!(p.ty, ParamType::List(_))
        .then(|| quote!(.num_args(1..).action(::clap::ArgAction::Append)));
    quote! {
        ::clap::Arg::new(#id)
            .index(1)
            .value_name("ID|LINK")
            .help(#help)
            .conflicts_with(#flag_id)
            #required
            #list
            .value_parser(::clap::builder::ValueParser::string())
    }
}

/// What a link of `kind` points at, for help texts.
pub(super) fn link_noun(kind: crate::spec::model::LinkKind) -> &'static str {
    use crate::spec::model::LinkKind;
    match kind {
        LinkKind::Aweme => "video or image post",
        LinkKind::User => "user's page",
        LinkKind::Mix => "collection",
        LinkKind::Live => "live room",
    }
}

pub(super) fn scalar_parser(
    k: Kind,
    schema: &Json,
    min: Option<i64>,
    max: Option<i64>,
) -> (TokenStream, Option<&'static str>) {
    match k {
        Kind::Text => (quote!(::clap::builder::ValueParser::string()), Some("TEXT")),
        Kind::Json => (quote!(::clap::builder::ValueParser::string()), Some("JSON")),
        Kind::Bool => (
            quote!(::clap::builder::BoolishValueParser::new()),
            Some("BOOL"),
        ),
        Kind::Enum => {
            let values = enum_values(schema).unwrap_or_default();
            (
                quote!(::clap::builder::PossibleValuesParser::new([#(#values),*])),
                None,
            )
        }
        Kind::Int => {
            let range = match (min, max) {
                (Some(a), Some(b)) => quote!(.range(#a..=#b)),
                (Some(a), None) => quote!(.range(#a..)),
                (None, Some(b)) => quote!(.range(..=#b)),
                (None, None) => quote!(),
            };
            (quote!(::clap::value_parser!(i64)#range), Some("INT"))
        }
    }
}

/// An expression of type `Option<T>` (or `Result<Option<T>, H::Error>` followed by `?`) reading a parameter.
pub(super) fn read(d: &Domain, op: &Operation, p: &Param) -> TokenStream {
    let (id, f) = (&p.rust, format!("--{}", flag(p)));
    if let (Some(kind), Some(item)) = (p.link, link_item(p)) {
        let domain = &d.name;
        let kind = link_kind(kind);
        let ids = match positional(op) {
            Some(first) if first.wire == p.wire => {
                let pos = positional_id(p);
                quote!(&[#id, #pos])
            }
            _ => quote!(&[#id]),
        };
        let link = quote!(super::Link { domain: #domain, kind: #kind, flag: #f });
        let values = quote!(super::linked(host, m, #link, #ids).await?);
        return match (&p.ty, item) {
            (ParamType::List(_), ParamType::Integer) => quote! {
                match #values {
                    ::std::option::Option::Some(v) => ::std::option::Option::Some(
                        v.into_iter()
                            .map(|s| super::integer(host, #f, s))
                            .collect::<::std::result::Result<::std::vec::Vec<i64>, _>>()?,
                    ),
                    ::std::option::Option::None => ::std::option::Option::None,
                }
            },
            (ParamType::List(_), _) => values,
            (_, ParamType::Integer) => quote! {
                match #values.and_then(|v| v.into_iter().next()) {
                    ::std::option::Option::Some(s) => ::std::option::Option::Some(super::integer(host, #f, s)?),
                    ::std::option::Option::None => ::std::option::Option::None,
                }
            },
            _ => quote!(#values.and_then(|v| v.into_iter().next())),
        };
    }
    match &p.ty {
        ParamType::String => quote!(super::one::<::std::string::String>(m, #id)),
        ParamType::Integer => quote!(super::one::<i64>(m, #id)),
        ParamType::Boolean => quote!(super::one::<bool>(m, #id)),
        ParamType::Named(_) if kind(&p.ty, &p.schema) == Kind::Enum => {
            let t = rust_type(d, &p.ty);
            quote!(super::one::<::std::string::String>(m, #id).map(|v| <#t>::from(v.as_str())))
        }
        ParamType::Named(_) => {
            let t = rust_type(d, &p.ty);
            quote!(super::json::<H, #t>(host, m, #id, #f)?)
        }
        ParamType::List(inner) => {
            let items = p.schema.get("items").cloned().unwrap_or(Json::Null);
            match kind(inner, &items) {
                Kind::Text => quote!(super::many::<::std::string::String>(m, #id)),
                Kind::Int => quote!(super::many::<i64>(m, #id)),
                Kind::Bool => quote!(super::many::<bool>(m, #id)),
                Kind::Enum => {
                    let t = rust_type(d, inner);
                    quote!(super::many::<::std::string::String>(m, #id)
                        .map(|v| v.iter().map(|s| <#t>::from(s.as_str())).collect::<::std::vec::Vec<_>>()))
                }
                Kind::Json => {
                    let t = rust_type(d, inner);
                    quote!(super::json_list::<H, #t>(host, m, #id, #f)?)
                }
            }
        }
    }
}
