//! Emits the `douyin` command-line tool's command tree and dispatch (`crates/douyin-cli/src/generated/`) from every
//! domain's IR: one clap subcommand per operation with a flag per caller-supplied parameter (value parsers by
//! parameter type, documented bounds, enum values, help from the spec's docs), a dispatch function building the
//! generated `<Op>Params` and calling the generated client method, a page fetcher for paginated operations and the
//! capture-check table. Credentials are never flags; the hand-written half of `crates/douyin-cli` supplies them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value as Json;

use super::Files;
use crate::ir::{Domain, Location, Method, Operation, Param, ParamType};

/// Where the generated files go.
const DIR: &str = "crates/douyin-cli/src/generated";

/// Flags and argument ids the hand-written CLI defines on every command (or on paginated ones); a parameter with one
/// of these names would collide with them.
const RESERVED: &[&str] = &[
    "help",
    "config",
    "base-url",
    "verbose",
    "pretty",
    "compact",
    "max-attempts",
    "timeout",
    "all-pages",
    "max-pages",
];

/// Top-level command names the hand-written CLI uses; a domain may not take them.
const RESERVED_COMMANDS: &[&str] = &["check-capture", "xbogus", "help"];

/// The CLI's generated files: `mod.rs` (domain table, dispatch, capture checks) and one module per domain.
pub fn emit(domains: &[Domain]) -> Result<Files, String> {
    let dir = PathBuf::from(DIR);
    let mut files = Files::new();
    for d in domains {
        if RESERVED_COMMANDS.contains(&d.name.as_str()) {
            return Err(format!(
                "cli: domain `{}` takes the name of a built-in command",
                d.name
            ));
        }
        files.insert(
            dir.join(format!("{}.rs", module_name(d))),
            super::render("specs/", 
                &format!(
                    " The `douyin {}` commands, generated from `{}/`: one subcommand per operation, its dispatch and \
                     page fetchers.",
                    d.name,
                    d.spec_dir.display()
                ),
                domain_module(d)?,
            )?,
        );
    }
    files.insert(
        dir.join("mod.rs"),
        super::render("specs/", 
            " Code generated from `specs/`: the `douyin` command tree (one module per domain), dispatch by domain and \
             the operation registries `check-capture` reads.",
            root_module(domains),
        )?,
    );
    Ok(files)
}

fn module_name(d: &Domain) -> String {
    d.name.to_snake_case()
}

fn crate_ident(d: &Domain) -> syn::Ident {
    format_ident!("{}", d.crate_name.to_snake_case())
}

fn root_module(domains: &[Domain]) -> TokenStream {
    let mods: Vec<syn::Ident> = domains
        .iter()
        .map(|d| format_ident!("{}", module_name(d)))
        .collect();
    let names: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
    let crates: Vec<syn::Ident> = domains.iter().map(crate_ident).collect();
    quote! {
        #(
            #[rustfmt::skip]
            pub mod #mods;
        )*

        /// Every domain's name, in spec folder order.
        pub const DOMAINS: &[&str] = &[#(#names),*];

        /// Every domain's command (`douyin <domain> …`).
        pub fn commands() -> ::std::vec::Vec<::clap::Command> {
            ::std::vec![#(#mods::command()),*]
        }

        /// The credentials domain `domain` declares, as its spec names them.
        pub fn credentials(domain: &str) -> ::std::option::Option<&'static [crate::support::CredentialInfo]> {
            match domain {
                #(#names => ::std::option::Option::Some(#mods::CREDENTIALS),)*
                _ => ::std::option::Option::None,
            }
        }

        /// Runs operation `op` (its subcommand name) of `domain` with the parsed arguments.
        pub async fn run(
            ctx: &crate::support::Ctx,
            domain: &str,
            op: &str,
            m: &::clap::ArgMatches,
        ) -> ::std::result::Result<(), crate::support::CliError> {
            match domain {
                #(#names => #mods::run(ctx, op, m).await,)*
                other => ::std::result::Result::Err(crate::support::CliError::usage(
                    ::std::format!("no domain `{other}`"),
                )),
            }
        }

        /// Decodes a captured body with operation `op` of `domain` (the generated registry) and reports on it.
        pub fn check_capture(
            domain: &str,
            op: &str,
            body: &[u8],
            mode: ::douyin_core::DecodeMode,
        ) -> ::std::result::Result<crate::capture::Report, crate::support::CliError> {
            match domain {
                #(#names => crate::capture::check(domain, ::#crates::OPERATIONS, op, body, mode),)*
                other => ::std::result::Result::Err(crate::support::CliError::usage(::std::format!(
                    "no domain `{other}`; domains: {}",
                    DOMAINS.join(", ")
                ))),
            }
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// The first paragraph of a doc, on one line.
fn first_paragraph(s: &str) -> String {
    s.trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn method_str(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
    }
}

fn flag(p: &Param) -> String {
    p.wire.to_kebab_case()
}

/// The documented values of an enum parameter (or of a list's items).
fn enum_values(schema: &Json) -> Option<Vec<String>> {
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
enum Kind {
    Text,
    Int,
    Bool,
    Enum,
    Json,
}

fn kind(ty: &ParamType, schema: &Json) -> Kind {
    match ty {
        ParamType::String => Kind::Text,
        ParamType::Integer => Kind::Int,
        ParamType::Boolean => Kind::Bool,
        ParamType::Named(_) if enum_values(schema).is_some() => Kind::Enum,
        ParamType::Named(_) | ParamType::List(_) => Kind::Json,
    }
}

fn rust_type(d: &Domain, t: &ParamType) -> TokenStream {
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

fn value_text(v: &Json) -> String {
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| v.to_string())
}

/// The clap argument of one parameter.
fn arg(p: &Param) -> TokenStream {
    let (id, long) = (&p.rust, flag(p));
    let doc = p.doc.as_deref().unwrap_or("");
    let mut help = match first_line(doc) {
        "" => format!("`{}`", p.wire),
        l => l.to_owned(),
    };
    if let Some(d) = &p.default {
        help.push_str(&format!(" [default: {}]", value_text(d)));
    }
    let place = match p.location {
        Location::Query => "query",
        Location::Header => "header",
        Location::Form => "form",
    };
    let mut long_help = if doc.trim().is_empty() {
        format!("`{}`", p.wire)
    } else {
        doc.trim_end().to_owned()
    };
    long_help.push_str(&format!("\n\nSent as {place} parameter `{}`", p.wire));
    if p.encoding.is_some() {
        long_help.push_str(" as compact JSON text");
    }
    long_help.push('.');
    match (p.minimum, p.maximum) {
        (Some(a), Some(b)) => long_help.push_str(&format!(" Between {a} and {b}.")),
        (Some(a), None) => long_help.push_str(&format!(" At least {a}.")),
        (None, Some(b)) => long_help.push_str(&format!(" At most {b}.")),
        _ => {}
    }
    if let Some(d) = &p.default {
        long_help.push_str(&format!(
            " Default (sent when not given): {}.",
            value_text(d)
        ));
    }
    if let Some(e) = &p.example {
        long_help.push_str(&format!(" Example: {}.", value_text(e)));
    }
    let (parser, value_name, list) = match &p.ty {
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
    let required = p.required;
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
            .help(#help)
            .long_help(#long_help)
            #value_name
            .value_parser(#parser)
            #list
    }
}

fn scalar_parser(
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

/// An expression of type `Option<T>` (or `Result<Option<T>, CliError>` followed by `?`) reading a parameter.
fn read(d: &Domain, p: &Param) -> TokenStream {
    let id = &p.rust;
    match &p.ty {
        ParamType::String => quote!(crate::support::string(m, #id)),
        ParamType::Integer => quote!(crate::support::int(m, #id)),
        ParamType::Boolean => quote!(crate::support::boolean(m, #id)),
        ParamType::Named(_) if kind(&p.ty, &p.schema) == Kind::Enum => {
            let t = rust_type(d, &p.ty);
            quote!(crate::support::string(m, #id).map(|v| <#t>::from(v.as_str())))
        }
        ParamType::Named(_) => {
            let t = rust_type(d, &p.ty);
            quote!(crate::support::json::<#t>(m, #id)?)
        }
        ParamType::List(inner) => {
            let items = p.schema.get("items").cloned().unwrap_or(Json::Null);
            match kind(inner, &items) {
                Kind::Text => quote!(crate::support::strings(m, #id)),
                Kind::Int => quote!(crate::support::ints(m, #id)),
                Kind::Bool => quote!(crate::support::bools(m, #id)),
                Kind::Enum => {
                    let t = rust_type(d, inner);
                    quote!(crate::support::strings(m, #id)
                        .map(|v| v.iter().map(|s| <#t>::from(s.as_str())).collect::<::std::vec::Vec<_>>()))
                }
                Kind::Json => {
                    let t = rust_type(d, inner);
                    quote!(crate::support::json_list::<#t>(m, #id)?)
                }
            }
        }
    }
}

fn check_params(d: &Domain, op: &Operation) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for p in op.params.iter().filter(|p| p.is_user()) {
        let f = flag(p);
        if RESERVED.contains(&f.as_str()) || RESERVED.contains(&p.rust.to_kebab_case().as_str()) {
            return Err(format!(
                "cli: {}/{}: parameter `{}` collides with the CLI's own `--{f}`",
                d.name, op.name, p.wire
            ));
        }
        if !seen.insert(f.clone()) {
            return Err(format!(
                "cli: {}/{}: two parameters become the flag `--{f}`",
                d.name, op.name
            ));
        }
    }
    Ok(())
}

fn op_command(d: &Domain, op: &Operation) -> TokenStream {
    let fn_name = format_ident!("{}_command", op.name);
    let name = op.name.to_kebab_case();
    let about = op.summary.trim().to_owned();
    let mut long = vec![about.clone()];
    if let Some(zh) = op
        .doc_zh
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
    {
        long.push(zh.to_owned());
    }
    let mut request = format!("{} {}", method_str(op.method), op.path);
    if let Some(s) = &op.scope {
        request.push_str(&format!(" (scope `{s}`)"));
    }
    long.push(request);
    if let Some(pg) = &op.pagination {
        let cursor = op
            .params
            .iter()
            .find(|p| p.wire == pg.spec.cursor_param)
            .expect("validated");
        long.push(format!(
            "Paginated: `--all-pages` follows `{}` while `{}` says more pages follow and prints the items of `{}` \
             one per line (JSON Lines); `--{}` starts (or resumes) at a cursor.",
            pg.spec.next_cursor,
            pg.spec.has_more,
            pg.spec.items,
            flag(cursor)
        ));
    }
    long.push(format!(
        "Spec: {}; documentation: {}.",
        op.spec_file.display(),
        op.source
    ));
    let long_about = long.join("\n\n");
    let mut example = format!("douyin {} {}", d.name, name);
    for p in op.params.iter().filter(|p| p.is_user() && p.required) {
        let v = p
            .example
            .as_ref()
            .map(value_text)
            .unwrap_or_else(|| "…".to_owned());
        let v = match &p.example {
            Some(Json::Array(items)) if matches!(p.ty, ParamType::List(_)) => items
                .iter()
                .map(|i| {
                    if i.is_string() {
                        value_text(i)
                    } else {
                        format!("'{i}'")
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
            _ if v.contains(|c: char| c.is_whitespace() || "\"'{}[]*&;$".contains(c)) => {
                format!("'{v}'")
            }
            _ => v,
        };
        example.push_str(&format!(" --{} {v}", flag(p)));
    }
    let after = format!("Example:\n  {example}");
    let args = op.params.iter().filter(|p| p.is_user()).map(arg);
    let paging = op.pagination.as_ref().map(|pg| {
        let cursor = op
            .params
            .iter()
            .find(|p| p.wire == pg.spec.cursor_param)
            .expect("validated");
        let f = format!("--{}", flag(cursor));
        quote!(.args(crate::support::paging_args(#f)))
    });
    let doc = format!("`douyin {} {name}`.", d.name);
    quote! {
        #[doc = #doc]
        fn #fn_name() -> ::clap::Command {
            ::clap::Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                .after_long_help(#after)
                #(.arg(#args))*
                #paging
        }
    }
}

fn params_fn(d: &Domain, op: &Operation) -> TokenStream {
    let fn_name = format_ident!("{}_params", op.name);
    let c = crate_ident(d);
    let ty = format_ident!("{}Params", op.name.to_upper_camel_case());
    let user: Vec<&Param> = op.params.iter().filter(|p| p.is_user()).collect();
    let required = user.iter().filter(|p| p.required).map(|p| {
        let (r, f) = (read(d, p), format!("--{}", flag(p)));
        quote!(crate::support::required(#r, #f)?)
    });
    let optional = user.iter().filter(|p| !p.required).map(|p| {
        let (r, f) = (read(d, p), format_ident!("{}", p.rust));
        quote! {
            if let ::std::option::Option::Some(v) = #r {
                p.#f = ::std::option::Option::Some(v);
            }
        }
    });
    let mutable = if user.iter().any(|p| !p.required) {
        quote!(mut)
    } else {
        quote!()
    };
    let unused = user.is_empty().then(|| quote!(let _ = m;));
    let doc = format!(
        "`{ty}` from the arguments of `douyin {} {}`.",
        d.name,
        op.name.to_kebab_case()
    );
    quote! {
        #[doc = #doc]
        fn #fn_name(m: &::clap::ArgMatches) -> ::std::result::Result<::#c::#ty, crate::support::CliError> {
            #unused
            let #mutable p = ::#c::#ty::new(#(#required),*);
            #(#optional)*
            ::std::result::Result::Ok(p)
        }
    }
}

fn page_fn(d: &Domain, op: &Operation) -> Option<TokenStream> {
    let pg = op.pagination.as_ref()?;
    let c = crate_ident(d);
    let (m, params_fn) = (
        format_ident!("{}", op.name),
        format_ident!("{}_params", op.name),
    );
    let (fn_name, page) = (
        format_ident!("{}_page", op.name),
        format_ident!("{}_page", op.name),
    );
    let cursor = op
        .params
        .iter()
        .find(|p| p.wire == pg.spec.cursor_param)
        .expect("validated");
    let cf = format_ident!("{}", cursor.rust);
    let set = if cursor.required {
        quote!(p.#cf = c;)
    } else {
        quote!(p.#cf = ::std::option::Option::Some(c);)
    };
    let doc = format!(
        "One page of `{}` at cursor `c` (the arguments' own cursor when `None`), its items as JSON text.",
        op.name
    );
    Some(quote! {
        #[doc = #doc]
        async fn #fn_name(
            client: &::#c::Client,
            m: &::clap::ArgMatches,
            cursor: ::std::option::Option<i64>,
        ) -> ::std::result::Result<crate::support::PageJson, crate::support::CliError> {
            let mut p = #params_fn(m)?;
            if let ::std::option::Option::Some(c) = cursor {
                #set
            }
            let resp = client.#m(&p).await.map_err(crate::support::api_error)?;
            crate::support::page_json(::#c::Client::#page(resp))
        }
    })
}

fn run_arm(d: &Domain, op: &Operation) -> TokenStream {
    let name = op.name.to_kebab_case();
    let (m_ident, params_fn) = (
        format_ident!("{}", op.name),
        format_ident!("{}_params", op.name),
    );
    let (domain, op_name, method, path) = (&d.name, &op.name, method_str(op.method), &op.path);
    let paging = op.pagination.as_ref().map(|pg| {
        let cursor = op
            .params
            .iter()
            .find(|p| p.wire == pg.spec.cursor_param)
            .expect("validated");
        let (id, f) = (&cursor.rust, format!("--{}", flag(cursor)));
        let page = format_ident!("{}_page", op.name);
        quote! {
            if crate::support::all_pages(m) {
                let paging = crate::support::Paging {
                    cursor_flag: #f,
                    start: crate::support::int(m, #id),
                    max_pages: crate::support::max_pages(m),
                };
                return crate::pages::run(ctx, paging, |c| #page(&client, m, c)).await;
            }
        }
    });
    // A parameter that switches the body to a non-JSON format (Onebound `result_type`) is served as text.
    let text = d.response_formats.as_ref().and_then(|f| {
        let p = op
            .params
            .iter()
            .find(|p| p.wire == f.parameter && p.is_user())?;
        let (id, values) = (&p.rust, &f.text);
        let mt = format_ident!("{}_text", op.name);
        Some(quote! {
            if crate::support::string(m, #id).is_some_and(|v| [#(#values),*].contains(&v.as_str())) {
                let text = client.#mt(&params).await.map_err(crate::support::api_error)?;
                return ctx.print_text(&text);
            }
        })
    });
    quote! {
        #name => {
            ctx.announce(#domain, #op_name, #method, client.core().base_url(), #path, m);
            #paging
            let params = #params_fn(m)?;
            #text
            let resp = client.#m_ident(&params).await.map_err(crate::support::api_error)?;
            ctx.print_response(&resp)
        }
    }
}

fn domain_module(d: &Domain) -> Result<TokenStream, String> {
    for op in &d.operations {
        check_params(d, op)?;
    }
    let name = &d.name;
    let about = d.title.trim().to_owned();
    let mut long = vec![about.clone()];
    if let Some(doc) = d.doc.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        long.push(doc.to_owned());
    }
    long.push(format!(
        "Base URL: {} (`--base-url` points elsewhere).",
        d.base_url
    ));
    long.push(format!(
        "Spec: {}/; documentation: {}.",
        d.spec_dir.display(),
        d.source
    ));
    let long_about = long.join("\n\n");
    let creds = d.credentials.iter().map(|c| {
        let n = &c.name;
        let doc = c.doc.as_deref().map(first_paragraph).unwrap_or_default();
        quote!(crate::support::CredentialInfo { name: #n, doc: #doc })
    });
    let subcommands = d
        .operations
        .iter()
        .map(|op| format_ident!("{}_command", op.name));
    let commands = d.operations.iter().map(|op| op_command(d, op));
    let params = d.operations.iter().map(|op| params_fn(d, op));
    let pages = d.operations.iter().filter_map(|op| page_fn(d, op));
    let arms = d.operations.iter().map(|op| run_arm(d, op));
    let client_fn = format_ident!("{}", module_name(d));
    let cmd_doc = format!(
        "The `douyin {name}` command: one subcommand per operation of `{}/`.",
        d.spec_dir.display()
    );
    Ok(quote! {
        /// The credentials the spec declares (values come from the environment or the config file, never flags).
        pub const CREDENTIALS: &[crate::support::CredentialInfo] = &[#(#creds),*];

        #[doc = #cmd_doc]
        pub fn command() -> ::clap::Command {
            ::clap::Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                .after_long_help(crate::config::credentials_help(#name, CREDENTIALS))
                .subcommand_required(true)
                .arg_required_else_help(true)
                #(.subcommand(#subcommands()))*
        }

        #(#commands)*

        #(#params)*

        #(#pages)*

        /// Runs operation `op` (its subcommand name) and prints its decoded response.
        pub async fn run(
            ctx: &crate::support::Ctx,
            op: &str,
            m: &::clap::ArgMatches,
        ) -> ::std::result::Result<(), crate::support::CliError> {
            let client = crate::clients::#client_fn(ctx)?;
            match op {
                #(#arms)*
                other => ::std::result::Result::Err(crate::support::CliError::usage(
                    ::std::format!("{} has no operation `{other}`", #name),
                )),
            }
        }
    })
}
