//! Emits the `douyin` command-line tool's command tree and dispatch (`crates/douyin-cli/src/generated/`) from every
//! domain's IR: one clap subcommand per operation with a flag per caller-supplied parameter (value parsers by
//! parameter type, documented bounds, enum values, help from the spec's docs), a dispatch function building the
//! generated `<Op>Params` and calling the generated client method (or walking its pages), the common options and the
//! capture-check table.
//!
//! The generated code calls the hand-written half of `crates/douyin-cli` only through the `Host` trait it declares
//! (clients with their credentials, output, `--all-pages`, errors), the way progenitor's generated CLI calls its
//! `CliConfig`; it names no hand-written module. Credentials are never flags.

use std::path::PathBuf;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value as Json;

use super::Files;
use super::{crate_ident, value_text};
use crate::ir::{Domain, Operation, Param, ParamType};

/// What a flag of the CLI's own carries, and so its clap parser and its field in the generated `CommonArgs`.
#[derive(Clone, Copy)]
enum FlagValue {
    /// On or off (`bool`).
    Switch,
    /// A file (`Option<PathBuf>`).
    Path(&'static str),
    /// Text (`Option<String>`).
    Text(&'static str),
    /// A count of at least 1 with a default (`u32`).
    Count(&'static str, u32),
    /// A number of seconds with a default (`f64`; the hand-written host says which values make sense).
    Seconds(&'static str, &'static str),
    /// A count of at least 1, optional (`Option<u64>`).
    Limit(&'static str),
    /// A byte count of at least 1 (`u64`), by default the runtime's response body limit.
    BodyBytes(&'static str),
}

/// A flag the CLI defines itself (not from a spec).
struct OwnFlag {
    /// Argument id (also the `CommonArgs` field).
    id: &'static str,
    long: &'static str,
    short: Option<char>,
    value: FlagValue,
    help: &'static str,
    /// Another flag of the same list it cannot be given with.
    conflicts_with: Option<&'static str>,
}

/// The one list of common flags: every domain command takes them (global, so they also go after the operation);
/// the generator emits them as `CommonArgs`, and no spec parameter may take their names.
const COMMON: &[OwnFlag] = &[
    OwnFlag {
        id: "config",
        long: "config",
        short: None,
        value: FlagValue::Path("FILE"),
        help: "Config file with credentials [default: $XDG_CONFIG_HOME/douyin/config.toml]",
        conflicts_with: None,
    },
    OwnFlag {
        id: "base_url",
        long: "base-url",
        short: None,
        value: FlagValue::Text("URL"),
        help: "Send requests to this base URL (a mock server, a proxy) instead of the service",
        conflicts_with: None,
    },
    OwnFlag {
        id: "verbose",
        long: "verbose",
        short: Some('v'),
        value: FlagValue::Switch,
        help:
            "Say on stderr what is sent where and where credentials come from (never their values)",
        conflicts_with: None,
    },
    OwnFlag {
        id: "pretty",
        long: "pretty",
        short: None,
        value: FlagValue::Switch,
        help: "Indented JSON [default on a terminal]",
        conflicts_with: Some("compact"),
    },
    OwnFlag {
        id: "compact",
        long: "compact",
        short: None,
        value: FlagValue::Switch,
        help: "One-line JSON [default when stdout is not a terminal]",
        conflicts_with: None,
    },
    OwnFlag {
        id: "max_attempts",
        long: "max-attempts",
        short: None,
        value: FlagValue::Count("N", 3),
        help: "Attempts per request, retries of retryable failures included",
        conflicts_with: None,
    },
    OwnFlag {
        id: "timeout",
        long: "timeout",
        short: None,
        value: FlagValue::Seconds("SECONDS", "30"),
        help: "Time allowed for one attempt (more than 0, at most 86400)",
        conflicts_with: None,
    },
    OwnFlag {
        id: "max_body_bytes",
        long: "max-body-bytes",
        short: None,
        value: FlagValue::BodyBytes("BYTES"),
        help: "Refuse a response body larger than this, counted decompressed [default: the library's limit, 64 MiB]",
        conflicts_with: None,
    },
];

/// The flags of a paginated operation (`--all-pages`, `--max-pages`); their long help is the host's business
/// (`Host::paging_help`), as it names the operation's cursor flag.
const PAGING: &[OwnFlag] = &[
    OwnFlag {
        id: "all_pages",
        long: "all-pages",
        short: None,
        value: FlagValue::Switch,
        help: "Follow the pagination; print one item per line (JSON Lines)",
        conflicts_with: None,
    },
    OwnFlag {
        id: "max_pages",
        long: "max-pages",
        short: None,
        value: FlagValue::Limit("N"),
        help: "With --all-pages: stop after N pages and print the cursor to resume from",
        conflicts_with: None,
    },
];

/// Whether `flag` (a long flag without dashes, or an argument id) is taken by the CLI itself; spec validation
/// refuses parameters with such names.
pub fn reserved(flag: &str) -> bool {
    flag == "help"
        || COMMON
            .iter()
            .chain(PAGING)
            .any(|f| f.long == flag || f.id == flag)
}

/// Top-level command names the hand-written CLI uses; a domain may not take them.
pub const RESERVED_COMMANDS: &[&str] = &[
    "check-capture",
    "xbogus",
    "abogus",
    "download",
    "serve",
    "help",
];

/// The CLI's generated files: `mod.rs` (domain table, dispatch, capture checks) and one module per domain.
pub fn emit(domains: &[Domain]) -> Result<Files, String> {
    let dir = PathBuf::from(super::CLI_DIR);
    let mut files = Files::new();
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
    let needed = |k: Reader| {
        domains
            .iter()
            .flat_map(|d| &d.operations)
            .flat_map(|op| op.params.iter().filter(|p| p.is_user()))
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
    let many_fn = (needed(Reader::Many) || needed(Reader::JsonList) || any_linked).then(|| {
        quote! {
            /// Every value of a list argument `id` (repeated, or comma-separated where the flag allows it).
            fn many<T: ::std::clone::Clone + ::std::marker::Send + ::std::marker::Sync + 'static>(
                m: &::clap::ArgMatches,
                id: &str,
            ) -> ::std::option::Option<::std::vec::Vec<T>> {
                m.try_get_many::<T>(id).ok().flatten().map(|v| v.cloned().collect())
            }

        }
    });
    let json_fn = needed(Reader::Json).then(|| quote! {
        /// An argument given as JSON, decoded into the parameter's generated type.
        fn json<H: Host, T: ::serde::de::DeserializeOwned>(
            host: &H,
            m: &::clap::ArgMatches,
            id: &str,
            flag: &str,
        ) -> ::std::result::Result<::std::option::Option<T>, H::Error> {
            one::<::std::string::String>(m, id)
                .map(|text| {
                    ::serde_json::from_str(&text)
                        .map_err(|e| host.usage(::std::format!("{flag}: not valid JSON for it: {e}")))
                })
                .transpose()
        }

    });
    let json_list_fn = needed(Reader::JsonList).then(|| quote! {
        /// A list argument of JSON items: each occurrence one item, or one occurrence holding a JSON array.
        fn json_list<H: Host, T: ::serde::de::DeserializeOwned>(
            host: &H,
            m: &::clap::ArgMatches,
            id: &str,
            flag: &str,
        ) -> ::std::result::Result<::std::option::Option<::std::vec::Vec<T>>, H::Error> {
            let ::std::option::Option::Some(values) = many::<::std::string::String>(m, id) else {
                return ::std::result::Result::Ok(::std::option::Option::None);
            };
            let bad = |e: ::serde_json::Error| host.usage(::std::format!("{flag}: not valid JSON for it: {e}"));
            if let [only] = values.as_slice() {
                if only.trim_start().starts_with('[') {
                    return ::serde_json::from_str(only).map(::std::option::Option::Some).map_err(bad);
                }
            }
            values
                .iter()
                .map(|v| ::serde_json::from_str(v).map_err(bad))
                .collect::<::std::result::Result<::std::vec::Vec<T>, _>>()
                .map(::std::option::Option::Some)
        }
    });
    let linked_fn = any_linked.then(|| quote! {
        /// The values of a parameter that also takes links (its flag, or the operation's positional argument), each
        /// turned by the host into the id it names.
        async fn linked<H: Host>(
            host: &H,
            m: &::clap::ArgMatches,
            link: Link,
            ids: &[&str],
        ) -> ::std::result::Result<::std::option::Option<::std::vec::Vec<::std::string::String>>, H::Error> {
            let texts: ::std::vec::Vec<::std::string::String> =
                ids.iter().filter_map(|id| many::<::std::string::String>(m, id)).flatten().collect();
            if texts.is_empty() {
                return ::std::result::Result::Ok(::std::option::Option::None);
            }
            let mut out = ::std::vec::Vec::with_capacity(texts.len());
            for text in texts {
                out.push(host.link(link, text).await?);
            }
            ::std::result::Result::Ok(::std::option::Option::Some(out))
        }

    });
    let integer_fn = linked_integers.then(|| quote! {
        /// An id a link resolved to, for an integer parameter.
        fn integer<H: Host>(host: &H, flag: &str, id: ::std::string::String) -> ::std::result::Result<i64, H::Error> {
            id.parse()
                .map_err(|_| host.usage(::std::format!("{flag}: `{id}` is not a number (nor a link to one)")))
        }

    });
    quote! {
        #(
            #[rustfmt::skip]
            pub mod #mods;
        )*
        /// The routes of `douyin serve` and the served API's OpenAPI document.
        #[rustfmt::skip]
        pub mod serve;

        /// What a link given for a parameter must name (the spec's `link:`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum LinkKind {
            /// A video or image post: its aweme id.
            Aweme,
            /// A user: the sec_user_id.
            User,
            /// A collection: the mix id.
            Mix,
            /// A live room: the number in its address (web_rid).
            Live,
        }

        /// A parameter that takes a link or share text instead of an id.
        #[derive(Clone, Copy, Debug)]
        pub struct Link {
            /// The domain (`web`).
            pub domain: &'static str,
            /// What the link must name.
            pub kind: LinkKind,
            /// The parameter's flag (`--aweme-id`), for messages.
            pub flag: &'static str,
        }

        /// A credential a domain's spec declares (values come from the environment or the config file, never flags).
        #[derive(Clone, Copy, Debug)]
        pub struct Credential {
            /// The spec's credential name (`key`, `access_token`, `cookie`, …).
            pub name: &'static str,
            /// The first paragraph of its documentation.
            pub doc: &'static str,
        }

        /// An operation about to be sent, as `--verbose` describes it.
        #[derive(Clone, Copy, Debug)]
        pub struct Call<'a> {
            /// The domain (`web`).
            pub domain: &'static str,
            /// The spec's operation name (`comment_list`).
            pub operation: &'static str,
            /// HTTP method.
            pub method: &'static str,
            /// The client's base URL.
            pub base_url: &'a str,
            /// Path below the base URL.
            pub path: &'static str,
            /// The argument id of the operation's positional argument, if it has one.
            pub positional: ::std::option::Option<&'static str>,
        }

        /// How `--all-pages` runs: the flag that sets the cursor, where it starts, where it stops.
        #[derive(Clone, Copy, Debug)]
        pub struct Paging {
            /// `--cursor`, `--max-cursor`, …: named when telling how to resume.
            pub cursor_flag: &'static str,
            /// The cursor given on the command line, if any.
            pub start: ::std::option::Option<i64>,
            /// `--max-pages`.
            pub max_pages: ::std::option::Option<u64>,
        }

        /// A credential read from a file named on the command line (a spec's `cli_file:`).
        #[derive(Clone, Debug)]
        pub struct CredentialFile {
            /// The domain (`web`).
            pub domain: &'static str,
            /// The spec's credential name.
            pub credential: &'static str,
            /// The flag it came from, without dashes.
            pub flag: &'static str,
            /// The file.
            pub path: ::std::path::PathBuf,
        }

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

        /// What the generated commands need from the hand-written CLI, and all they call of it: clients, output,
        /// `--all-pages`, errors (compare progenitor's `CliConfig`).
        pub trait Host {
            /// What a failed run returns.
            type Error;

            /// A usage problem (a bad argument, an unknown operation).
            fn usage(&self, message: ::std::string::String) -> Self::Error;

            /// The client of `domain` for `douyin <domain> …`: its credentials by the spec's names (handed to
            /// `configured`, the generated `Client::configured`), base URL, retries and timeout from the host's
            /// settings.
            fn client<D, C>(
                &self,
                domain: &'static str,
                configured: impl ::std::ops::Fn(
                    &dyn ::std::ops::Fn(&'static str) -> ::std::option::Option<::douyin_core::Secret>,
                ) -> ::std::result::Result<::douyin_core::ClientBuilder<D>, ::douyin_core::Error<D::Code>>,
            ) -> ::std::result::Result<C, Self::Error>
            where
                D: ::douyin_core::Domain,
                C: ::std::convert::From<::douyin_core::Client<D>>;

            /// Called before an operation is sent, with the arguments as given.
            fn announce(&self, call: Call<'_>, m: &::clap::ArgMatches);

            /// Prints a decoded response, or turns the client's error into the host's.
            fn respond<T: ::serde::Serialize, C: ::douyin_core::ErrorCode>(
                &self,
                result: ::std::result::Result<T, ::douyin_core::Error<C>>,
            ) -> ::std::result::Result<(), Self::Error>;

            /// Prints a body in a text format (not JSON) as received, or turns the client's error into the host's.
            fn respond_text<C: ::douyin_core::ErrorCode>(
                &self,
                result: ::std::result::Result<::std::string::String, ::douyin_core::Error<C>>,
            ) -> ::std::result::Result<(), Self::Error>;

            /// `--all-pages`: fetches pages with `fetch(cursor)` (`None`: the arguments' own cursor) until the walk
            /// ends, printing the items.
            fn all_pages<I, C, F, Fut>(
                &self,
                paging: Paging,
                fetch: F,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<(), Self::Error>>
            where
                I: ::serde::Serialize,
                C: ::douyin_core::ErrorCode,
                F: FnMut(::std::option::Option<i64>) -> Fut,
                Fut: ::std::future::Future<
                    Output = ::std::result::Result<::douyin_core::Page<I>, ::douyin_core::Error<C>>,
                >;

            /// The long help of `--all-pages` for an operation whose cursor is set with `cursor_flag`.
            fn paging_help(cursor_flag: &str) -> ::std::string::String;

            /// The id `text` names when it is a link or share text of `link.kind` (short links followed), else
            /// `text` as given.
            fn link(
                &self,
                link: Link,
                text: ::std::string::String,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<::std::string::String, Self::Error>>;
        }

        /// Something done with one domain's operation registry, whatever its error-code type (`check-capture`).
        pub trait WithOperations {
            /// What it gives.
            type Output;
            /// Does it with `domain`'s registry.
            fn with<C: ::douyin_core::ErrorCode>(
                self,
                domain: &'static str,
                operations: &'static [::douyin_core::registry::OperationEntry<C>],
            ) -> Self::Output;
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

        /// Whether the paging arguments say to follow the pagination, and how.
        fn paging(m: &::clap::ArgMatches, cursor_flag: &'static str, cursor: &str) -> ::std::option::Option<Paging> {
            one::<bool>(m, "all_pages").unwrap_or(false).then(|| Paging {
                cursor_flag,
                start: one::<i64>(m, cursor),
                max_pages: one::<u64>(m, "max_pages"),
            })
        }

        /// One value of argument `id`.
        fn one<T: ::std::clone::Clone + ::std::marker::Send + ::std::marker::Sync + 'static>(
            m: &::clap::ArgMatches,
            id: &str,
        ) -> ::std::option::Option<T> {
            m.try_get_one::<T>(id).ok().flatten().cloned()
        }

        #many_fn
        #json_fn
        #json_list_fn
        #linked_fn
        #integer_fn

        /// A required argument (clap enforces presence; this keeps a missing one an error rather than a panic).
        fn required<H: Host, T>(host: &H, value: ::std::option::Option<T>, flag: &str) -> ::std::result::Result<T, H::Error> {
            value.ok_or_else(|| host.usage(::std::format!("{flag} is required")))
        }

    }
}

/// The generated argument readers beyond `one` a parameter needs.
#[derive(Clone, Copy, PartialEq)]
enum Reader {
    Many,
    Json,
    JsonList,
}

fn reader(p: &Param) -> Option<Reader> {
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
fn link_item(p: &Param) -> Option<&ParamType> {
    p.link?;
    Some(match &p.ty {
        ParamType::List(inner) => inner.as_ref(),
        t => t,
    })
}

/// The operation's parameter that may be given positionally: its first one that takes a link.
fn positional(op: &Operation) -> Option<&Param> {
    op.params.iter().find(|p| p.is_user() && p.link.is_some())
}

/// The argument id of the positional form of `p`.
fn positional_id(p: &Param) -> String {
    format!("{}_or_link", p.rust)
}

/// The generated `LinkKind` variant of a spec's `link:`.
fn link_kind(kind: crate::spec::model::LinkKind) -> TokenStream {
    let v = format_ident!("{}", kind.as_str().to_upper_camel_case());
    quote!(super::LinkKind::#v)
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

/// The clap argument of one parameter (`positional`: the operation also takes it as its positional argument).
fn arg(p: &Param, positional: bool) -> TokenStream {
    let (id, long) = (&p.rust, flag(p));
    let super::ParamHelp {
        line: mut help,
        full: mut long_help,
    } = super::ParamHelp::of(p, false);
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
fn positional_arg(p: &Param) -> TokenStream {
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
fn link_noun(kind: crate::spec::model::LinkKind) -> &'static str {
    use crate::spec::model::LinkKind;
    match kind {
        LinkKind::Aweme => "video or image post",
        LinkKind::User => "user's page",
        LinkKind::Mix => "collection",
        LinkKind::Live => "live room",
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

/// An expression of type `Option<T>` (or `Result<Option<T>, H::Error>` followed by `?`) reading a parameter.
fn read(d: &Domain, op: &Operation, p: &Param) -> TokenStream {
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
    let mut request = format!(
        "{} {}{}",
        op.method.as_str(),
        op.base_url.as_deref().unwrap_or(""),
        op.path
    );
    if let Some(s) = &op.scope {
        request.push_str(&format!(" (scope `{s}`)"));
    }
    long.push(request);
    if let Some(pg) = &op.pagination {
        let cursor = &pg.cursor;
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
    let first = positional(op);
    if let Some(p) = first {
        example.push_str(&format!(
            "\n  douyin {} {} 'LINK or share text'   # for --{}",
            d.name,
            name,
            flag(p)
        ));
    }
    let after = format!("Example:\n  {example}");
    let args = op
        .params
        .iter()
        .filter(|p| p.is_user())
        .map(|p| arg(p, first.is_some_and(|f| f.wire == p.wire)));
    let positional = first.map(|p| {
        let a = positional_arg(p);
        quote!(.arg(#a))
    });
    let paging = op.pagination.as_ref().map(|pg| {
        let cursor = &pg.cursor;
        let f = format!("--{}", flag(cursor));
        quote!(.args(super::paging_args::<H>(#f)))
    });
    let doc = format!("`douyin {} {name}`.", d.name);
    quote! {
        #[doc = #doc]
        fn #fn_name<H: super::Host>() -> ::clap::Command {
            ::clap::Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                .after_long_help(#after)
                #(.arg(#args))*
                #positional
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
        let (r, f) = (read(d, op, p), format!("--{}", flag(p)));
        quote!(super::required(host, #r, #f)?)
    });
    let optional = user.iter().filter(|p| !p.required).map(|p| {
        let (r, f) = (read(d, op, p), format_ident!("{}", p.rust));
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
    let unused = if user.is_empty() {
        Some(quote!(let _ = (host, m);))
    } else {
        // `host` makes the errors of required and JSON arguments.
        let needs_host = user.iter().any(|p| {
            let json = match &p.ty {
                ParamType::List(inner) => {
                    kind(inner, p.schema.get("items").unwrap_or(&Json::Null)) == Kind::Json
                }
                t => kind(t, &p.schema) == Kind::Json,
            };
            p.required || json || p.link.is_some()
        });
        (!needs_host).then(|| quote!(let _ = host;))
    };
    let doc = format!(
        "`{ty}` from the arguments of `douyin {} {}`.",
        d.name,
        op.name.to_kebab_case()
    );
    quote! {
        #[doc = #doc]
        async fn #fn_name<H: super::Host>(host: &H, m: &::clap::ArgMatches) -> ::std::result::Result<::#c::#ty, H::Error> {
            #unused
            let #mutable p = ::#c::#ty::new(#(#required),*);
            #(#optional)*
            ::std::result::Result::Ok(p)
        }
    }
}

fn run_arm(d: &Domain, op: &Operation) -> TokenStream {
    let name = op.name.to_kebab_case();
    let (m_ident, params_fn) = (
        format_ident!("{}", op.name),
        format_ident!("{}_params", op.name),
    );
    let c = crate_ident(d);
    let (domain, op_name, method, path) = (&d.name, &op.name, op.method.as_str(), &op.path);
    let paging = op.pagination.as_ref().map(|pg| {
        let cursor = &pg.cursor;
        let (id, f, cf) = (
            &cursor.rust,
            format!("--{}", flag(cursor)),
            format_ident!("{}", cursor.rust),
        );
        let set = if cursor.required {
            quote!(p.#cf = c;)
        } else {
            quote!(p.#cf = ::std::option::Option::Some(c);)
        };
        let page = format_ident!("{}_page", op.name);
        quote! {
            if let ::std::option::Option::Some(paging) = super::paging(m, #f, #id) {
                let (client, params) = (&client, &params);
                return host
                    .all_pages(paging, |cursor| {
                        let mut p = params.clone();
                        if let ::std::option::Option::Some(c) = cursor {
                            #set
                        }
                        async move { client.#m_ident(&p).await.map(::#c::Client::#page) }
                    })
                    .await;
            }
        }
    });
    let positional = match positional(op) {
        Some(p) => {
            let id = positional_id(p);
            quote!(::std::option::Option::Some(#id))
        }
        None => quote!(::std::option::Option::None),
    };
    // A parameter that switches the body to a non-JSON format (Onebound `result_type`) is served as text.
    let text = d.response_formats.as_ref().and_then(|f| {
        let p = op
            .params
            .iter()
            .find(|p| p.wire == f.parameter && p.is_user())?;
        let (id, values) = (&p.rust, &f.text);
        let mt = format_ident!("{}_text", op.name);
        Some(quote! {
            if super::one::<::std::string::String>(m, #id).is_some_and(|v| [#(#values),*].contains(&v.as_str())) {
                return host.respond_text(client.#mt(&params).await);
            }
        })
    });
    quote! {
        #name => {
            host.announce(
                super::Call {
                    domain: #domain,
                    operation: #op_name,
                    method: #method,
                    base_url: client.core().base_url(),
                    path: #path,
                    positional: #positional,
                },
                m,
            );
            let params = #params_fn(host, m).await?;
            #paging
            #text
            host.respond(client.#m_ident(&params).await)
        }
    }
}

fn domain_module(d: &Domain) -> TokenStream {
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
        quote!(super::Credential { name: #n, doc: #doc })
    });
    let subcommands = d
        .operations
        .iter()
        .map(|op| format_ident!("{}_command", op.name));
    let commands = d.operations.iter().map(|op| op_command(d, op));
    let params = d.operations.iter().map(|op| params_fn(d, op));
    let arms = d.operations.iter().map(|op| run_arm(d, op));
    let krate = crate_ident(d);
    let cmd_doc = format!(
        "The `douyin {name}` command: one subcommand per operation of `{}/`.",
        d.spec_dir.display()
    );
    quote! {
        /// The credentials the spec declares (values come from the environment or the config file, never flags).
        pub const CREDENTIALS: &[super::Credential] = &[#(#creds),*];

        #[doc = #cmd_doc]
        pub fn command<H: super::Host>() -> ::clap::Command {
            ::clap::Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                .subcommand_required(true)
                .arg_required_else_help(true)
                #(.subcommand(#subcommands::<H>()))*
        }

        #(#commands)*

        #(#params)*

        /// Runs operation `op` (its subcommand name) and prints its decoded response (or, with `--all-pages`,
        /// the items of every page).
        pub async fn run<H: super::Host>(
            host: &H,
            op: &str,
            m: &::clap::ArgMatches,
        ) -> ::std::result::Result<(), H::Error> {
            let client: ::#krate::Client =
                host.client(#name, |values| ::#krate::Client::configured(values))?;
            match op {
                #(#arms)*
                other => ::std::result::Result::Err(host.usage(
                    ::std::format!("{} has no operation `{other}`", #name),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_own_flags_are_reserved_by_long_name_and_id() {
        for f in COMMON.iter().chain(PAGING) {
            assert!(reserved(f.long) && reserved(f.id), "{}", f.long);
        }
        assert!(reserved("help") && reserved("max_attempts") && reserved("all-pages"));
        assert!(!reserved("cursor") && !reserved("count"));
        // Every conflict names a flag of the same list.
        for f in COMMON {
            if let Some(other) = f.conflicts_with {
                assert!(COMMON.iter().any(|g| g.id == other), "{other}");
            }
        }
    }

    #[test]
    fn common_args_are_emitted_with_a_typed_field_each() {
        let tokens = root_module(&[]).to_string();
        for f in COMMON {
            let (field, ty, _) = own_field(f);
            let decl = quote!(pub #field: #ty,).to_string();
            assert!(tokens.contains(&decl), "{decl}");
            assert!(tokens.contains(&format!("\"{}\"", f.long)), "{}", f.long);
        }
        // No spec set with list or JSON parameters: no reader for them (nothing dead in the output).
        assert!(!tokens.contains("fn many") && !tokens.contains("fn json"));
    }
}
