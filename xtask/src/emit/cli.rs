//! Emits the `douyin` command-line tool's command tree and dispatch (`crates/douyin-cli/src/generated/`) from every
//! domain's IR: one clap subcommand per operation with a flag per caller-supplied parameter (value parsers by
//! parameter type, documented bounds, enum values, help from the spec's docs), a dispatch function building the
//! generated `<Op>Params` and calling the generated client method (or walking its pages), the common options and the
//! capture-check table.
//!
//! The generated code calls the hand-written half of `crates/douyin-cli` only through its seam (`src/seam.rs`: the
//! `Host` trait, the data handed across it and the argument readers), the way progenitor's generated CLI calls its
//! `CliConfig`: it receives client settings as data and names no other hand-written module. Credentials are never
//! flags. The CLI's own flags and commands are `crate::cli_surface`.

use std::path::{Path, PathBuf};

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value as Json;

mod operation;
mod params;

use self::operation::domain_module;
use self::params::{link_item, reader, Reader};
use super::Files;
use super::{crate_ident, value_text};
use crate::cli_surface::{FlagValue, OwnFlag, COMMON, PAGING};
use crate::ir::{Domain, Operation, Param, ParamType};

/// Where the domains' hand-written CLI code lives: `<module>/mod.rs` per domain that has some.
pub const DOMAINS_DIR: &str = "crates/douyin-cli/src/domains";

/// The CLI's generated files: `mod.rs` (domain table, dispatch, capture checks), one module per domain, and the
/// table of the domains' hand-written customizations (`src/domains/mod.rs`).
pub fn emit(root: &Path, domains: &[Domain]) -> Result<Files, String> {
    let dir = PathBuf::from(super::CLI_DIR);
    let mut files = Files::new();
    files.insert(
        Path::new(DOMAINS_DIR).join("mod.rs"),
        super::render(
            "specs/",
            " The domains' own CLI code, one hand-written folder per domain (`domains/<domain>/`, exporting the \
             domain's `Customization`), declared for the domains the specs have and listed in one table; a folder \
             of a domain no spec declares is not compiled.",
            customizations(root, domains),
        )?,
    );
    for d in domains {
        files.insert(
            dir.join(format!("{}.rs", module_name(d))),
            super::render("specs/", 
                &format!(
                    " The `douyin {}` commands, generated from `{}/`: one subcommand per operation and its dispatch, \
                     calling the hand-written CLI only through `Host`.",
                    d.name,
                    d.spec_dir.display()
                ),
                domain_module(d),
            )?,
        );
    }
    files.insert(
        dir.join("mod.rs"),
        super::render("specs/", 
            " Code generated from `specs/`: the `douyin` command tree (one module per domain), the common options, \
             dispatch by domain, the operation registries `check-capture` reads, and `Host`, the trait through which \
             all of it calls the hand-written CLI.",
            root_module(domains),
        )?,
    );
    Ok(files)
}

fn module_name(d: &Domain) -> String {
    d.name.to_snake_case()
}

/// The module and table of the domains that have a customization folder.
fn customizations(root: &Path, domains: &[Domain]) -> TokenStream {
    let customized: Vec<&Domain> = domains
        .iter()
        .filter(|d| {
            root.join(DOMAINS_DIR)
                .join(module_name(d))
                .join("mod.rs")
                .is_file()
        })
        .collect();
    let mods: Vec<syn::Ident> = customized
        .iter()
        .map(|d| format_ident!("{}", module_name(d)))
        .collect();
    let types = customized
        .iter()
        .map(|d| format_ident!("{}", d.name.to_upper_camel_case()));
    quote! {
        #(pub mod #mods;)*

        /// Every domain's customization (`<Domain>` of `domains/<domain>/`).
        #[rustfmt::skip]
        pub static ALL: &[&dyn crate::customize::Customization] = &[#(&#mods::#types),*];
    }
}

/// The clap argument of one of the CLI's own flags.
fn own_arg(f: &OwnFlag, global: bool, heading: &str) -> TokenStream {
    let (id, long, help) = (f.id, f.long, f.help);
    let short = f.short.map(|c| quote!(.short(#c)));
    let conflicts = f.conflicts_with.map(|c| quote!(.conflicts_with(#c)));
    let value = match f.value {
        FlagValue::Switch => quote!(.action(::clap::ArgAction::SetTrue)),
        FlagValue::Path(name) => {
            quote!(.value_name(#name).value_parser(::clap::value_parser!(::std::path::PathBuf)))
        }
        FlagValue::Text(name) => {
            quote!(.value_name(#name).value_parser(::clap::builder::ValueParser::string()))
        }
        FlagValue::Count(name, default) => {
            let default = default.to_string();
            quote!(.value_name(#name).value_parser(::clap::value_parser!(u32).range(1..)).default_value(#default))
        }
        FlagValue::Seconds(name, default) => quote! {
            .value_name(#name)
            .value_parser(::clap::value_parser!(f64))
            .allow_negative_numbers(true)
            .default_value(#default)
        },
        FlagValue::Limit(name) | FlagValue::BodyBytes(name) => {
            quote!(.value_name(#name).value_parser(::clap::value_parser!(u64).range(1..)))
        }
    };
    quote! {
        ::clap::Arg::new(#id)
            .long(#long)
            #short
            #value
            #conflicts
            .global(#global)
            .help_heading(#heading)
            .help(#help)
    }
}

/// The field of `CommonArgs` (or of `Paging`) an own flag fills: its name, type and how it is read.
fn own_field(f: &OwnFlag) -> (syn::Ident, TokenStream, TokenStream) {
    let (name, id) = (format_ident!("{}", f.id), f.id);
    let (ty, read) = match f.value {
        FlagValue::Switch => (quote!(bool), quote!(one::<bool>(m, #id).unwrap_or(false))),
        FlagValue::Path(_) => (
            quote!(::std::option::Option<::std::path::PathBuf>),
            quote!(one::<::std::path::PathBuf>(m, #id)),
        ),
        FlagValue::Text(_) => (
            quote!(::std::option::Option<::std::string::String>),
            quote!(one::<::std::string::String>(m, #id)),
        ),
        FlagValue::Count(_, default) => {
            (quote!(u32), quote!(one::<u32>(m, #id).unwrap_or(#default)))
        }
        FlagValue::Seconds(_, default) => {
            let default: f64 = default.parse().expect("a number");
            (quote!(f64), quote!(one::<f64>(m, #id).unwrap_or(#default)))
        }
        FlagValue::Limit(_) => (
            quote!(::std::option::Option<u64>),
            quote!(one::<u64>(m, #id)),
        ),
        FlagValue::BodyBytes(_) => (
            quote!(u64),
            quote!(one::<u64>(m, #id).unwrap_or(::douyin_core::DEFAULT_MAX_BODY_BYTES)),
        ),
    };
    (name, ty, read)
}

fn root_module(domains: &[Domain]) -> TokenStream {
    let mods: Vec<syn::Ident> = domains
        .iter()
        .map(|d| format_ident!("{}", module_name(d)))
        .collect();
    let names: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
    let crates: Vec<syn::Ident> = domains.iter().map(crate_ident).collect();
    let common_args = COMMON.iter().map(|f| own_arg(f, true, "Common options"));
    let (fields, types, reads): (Vec<_>, Vec<_>, Vec<_>) = COMMON.iter().map(own_field).fold(
        (Vec::new(), Vec::new(), Vec::new()),
        |(mut a, mut b, mut c), (x, y, z)| {
            a.push(x);
            b.push(y);
            c.push(z);
            (a, b, c)
        },
    );
    let field_docs = COMMON.iter().map(|f| format!("`--{}`: {}", f.long, f.help));
    // Credentials a spec lets the CLI read from a file (`cli_file:`): one common flag each.
    let files: Vec<(&str, &str, &crate::ir::CliFile)> = domains
        .iter()
        .flat_map(|d| {
            d.credentials
                .iter()
                .filter_map(move |c| Some((d.name.as_str(), c.name.as_str(), c.cli_file.as_ref()?)))
        })
        .collect();
    let file_args = files.iter().map(|(domain, _, f)| {
        let (flag, help) = (&f.flag, format!("{domain}: {}", f.help));
        quote! {
            ::clap::Arg::new(#flag)
                .long(#flag)
                .value_name("FILE")
                .value_parser(::clap::value_parser!(::std::path::PathBuf))
                .global(true)
                .help_heading("Common options")
                .help(#help)
        }
    });
    let file_reads = files.iter().map(|(domain, name, f)| {
        let flag = &f.flag;
        quote! {
            (#domain, #name, #flag)
        }
    });
    let ids = COMMON
        .iter()
        .map(|f| f.id)
        .chain(files.iter().map(|(_, _, f)| f.flag.as_str()));
    let paging_args = PAGING.iter().map(|f| own_arg(f, false, "Pagination"));
    // Argument readers only the parameter kinds some spec has need (no dead code in the output).
    // Linked parameters are read by `linked`, whatever their type.
    let needed = |k: Reader| {
        domains
            .iter()
            .flat_map(|d| &d.operations)
            .flat_map(|op| op.params.iter().filter(|p| p.is_user() && p.link.is_none()))
            .any(|p| reader(p) == Some(k))
    };
    let linked_params = || {
        domains
            .iter()
            .flat_map(|d| &d.operations)
            .flat_map(|op| op.params.iter().filter(|p| p.is_user() && p.link.is_some()))
    };
    let any_linked = linked_params().next().is_some();
    let linked_integers = linked_params().any(|p| link_item(p) == Some(&ParamType::Integer));
    // The seam's argument readers the parameter kinds of these specs need (no unused import in the output).
    let any_required = domains
        .iter()
        .flat_map(|d| &d.operations)
        .any(|op| op.params.iter().any(|p| p.is_user() && p.required));
    let readers = [
        ("required", any_required),
        ("many", needed(Reader::Many)),
        ("json", needed(Reader::Json)),
        ("json_list", needed(Reader::JsonList)),
        ("linked", any_linked),
        ("integer", linked_integers),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(name, _)| format_ident!("{}", name));
    quote! {
        #(
            #[rustfmt::skip]
            pub mod #mods;
        )*
        /// The routes of `douyin serve` and the served API's OpenAPI document.
        #[rustfmt::skip]
        pub mod serve;

        pub use crate::seam::{
            Call, ClientSetup, Credential, CredentialFile, Host, Link, LinkKind, Paging, WithOperations,
        };
        use crate::seam::{one #(, #readers)*};

        /// The common options every domain command takes (the one list of them), as parsed.
        #[derive(Clone, Debug)]
        pub struct CommonArgs {
            #(
                #[doc = #field_docs]
                pub #fields: #types,
            )*
            /// Credentials given as files (`--cookies FILE`, …).
            pub credential_files: ::std::vec::Vec<CredentialFile>,
        }

        impl CommonArgs {
            /// The argument ids of the common options.
            pub const IDS: &'static [&'static str] = &[#(#ids),*];

            /// The clap arguments (global: they may also follow the operation).
            pub fn args() -> ::std::vec::Vec<::clap::Arg> {
                ::std::vec![#(#common_args,)* #(#file_args),*]
            }

            /// The options from a leaf command's matches (global options propagate down to it).
            pub fn from_matches(m: &::clap::ArgMatches) -> CommonArgs {
                let files: &[(&'static str, &'static str, &'static str)] = &[#(#file_reads),*];
                CommonArgs {
                    #(#fields: #reads,)*
                    credential_files: files
                        .iter()
                        .filter_map(|&(domain, credential, flag)| {
                            one::<::std::path::PathBuf>(m, flag)
                                .map(|path| CredentialFile { domain, credential, flag, path })
                        })
                        .collect(),
                }
            }
        }

        /// Every domain's name, in spec folder order.
        pub const DOMAINS: &[&str] = &[#(#names),*];

        /// Every domain's command (`douyin <domain> …`), its operations' `--all-pages` help from `H`.
        pub fn commands<H: Host>() -> ::std::vec::Vec<::clap::Command> {
            ::std::vec![#(#mods::command::<H>()),*]
        }

        /// The credentials domain `domain` declares, as its spec names them.
        pub fn credentials(domain: &str) -> ::std::option::Option<&'static [Credential]> {
            match domain {
                #(#names => ::std::option::Option::Some(#mods::CREDENTIALS),)*
                _ => ::std::option::Option::None,
            }
        }

        /// Runs operation `op` (its subcommand name) of `domain` with the parsed arguments.
        pub async fn run<H: Host>(
            host: &H,
            domain: &str,
            op: &str,
            m: &::clap::ArgMatches,
        ) -> ::std::result::Result<(), H::Error> {
            match domain {
                #(#names => #mods::run(host, op, m).await,)*
                other => ::std::result::Result::Err(host.usage(::std::format!("no domain `{other}`"))),
            }
        }

        /// Hands `domain`'s operation registry to `v`; `None` if there is no such domain.
        pub fn with_operations<V: WithOperations>(domain: &str, v: V) -> ::std::option::Option<V::Output> {
            match domain {
                #(#names => ::std::option::Option::Some(v.with(#names, ::#crates::OPERATIONS)),)*
                _ => ::std::option::Option::None,
            }
        }

        /// `--all-pages` and `--max-pages` of a paginated operation whose cursor is set with `cursor_flag`.
        fn paging_args<H: Host>(cursor_flag: &'static str) -> [::clap::Arg; 2] {
            let [all, max] = [#(#paging_args),*];
            [all.long_help(H::paging_help(cursor_flag)), max]
        }

        /// Whether the paging arguments say to follow the pagination, and how; the walk is named `walk` (domain and
        /// operation) and the values of the operation's arguments `ids` that were given.
        fn paging(
            m: &::clap::ArgMatches,
            cursor_flag: &'static str,
            cursor: &str,
            walk: &'static str,
            ids: &[&str],
        ) -> ::std::option::Option<Paging> {
            one::<bool>(m, "all_pages").unwrap_or(false).then(|| {
                let mut key = ::std::string::String::from(walk);
                for id in ids {
                    if m.value_source(id) == ::std::option::Option::Some(::clap::parser::ValueSource::DefaultValue) {
                        continue;
                    }
                    if let ::std::result::Result::Ok(::std::option::Option::Some(raw)) = m.try_get_raw(id) {
                        let values: ::std::vec::Vec<::std::string::String> =
                            raw.map(|v| v.to_string_lossy().into_owned()).collect();
                        key.push_str(&::std::format!(" {id}={}", values.join(",")));
                    }
                }
                Paging {
                    cursor_flag,
                    start: one::<i64>(m, cursor),
                    max_pages: one::<u64>(m, "max_pages"),
                    walk: key,
                }
            })
        }


    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_args_are_emitted_with_a_typed_field_each() {
        let tokens = root_module(&[]).to_string();
        for f in COMMON {
            let (field, ty, _) = own_field(f);
            let decl = quote!(pub #field: #ty,).to_string();
            assert!(tokens.contains(&decl), "{decl}");
            assert!(tokens.contains(&format!("\"{}\"", f.long)), "{}", f.long);
        }
        // No spec set with list or JSON parameters: no reader for them imported (nothing unused in the output).
        assert!(tokens.contains("use crate :: seam :: { one }"), "{tokens}");
    }
}
