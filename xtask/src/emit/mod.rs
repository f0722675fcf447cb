//! Stage 4: the emit context and the emitters it runs; every generated file's path is decided here.

pub mod cli;
pub mod client;
pub mod errors;
pub mod events;
pub mod krate;
pub mod mock;
pub mod openapi;
pub mod pacing;
pub mod push;
pub mod readme;
pub mod serve;
pub mod types;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Domain, Method, Param};

/// Generated files by path relative to the workspace, with their full text.
pub type Files = BTreeMap<PathBuf, String>;

/// The generated half of the CLI.
pub const CLI_DIR: &str = "crates/douyin-cli/src/generated";
/// The mock server's generated route tables.
pub const MOCK_DIR: &str = "crates/douyin-mock/src/generated";

/// What every emitter shares: the workspace root (hand-written files the generator splices into are read from
/// there), the validated domains and where each output goes.
pub struct Emitter<'a> {
    pub root: &'a Path,
    pub domains: &'a [Domain],
}

impl<'a> Emitter<'a> {
    pub fn new(root: &'a Path, domains: &'a [Domain]) -> Self {
        Emitter { root, domains }
    }

    /// Every generated file of the workspace.
    pub fn emit(&self) -> Result<Files, String> {
        let mut files = self.crates()?;
        files.extend(krate::workspace_files(self)?);
        Ok(files)
    }

    /// The domain crates, their OpenAPI documents, the mock's and the CLI's generated code: everything but the
    /// domain lines of the workspace's hand-written manifests.
    pub fn crates(&self) -> Result<Files, String> {
        let mut files = Files::new();
        for d in self.domains {
            files.extend(self.domain_files(d)?);
            files.insert(crate_dir(d).join("openapi.json"), openapi::emit(d)?);
            if let Some(text) = openapi::webhooks::emit(d)? {
                files.insert(crate_dir(d).join("openapi.webhooks.json"), text);
            }
        }
        files.extend(mock::emit(self.domains)?);
        files.extend(cli::emit(self.root, self.domains)?);
        files.extend(serve::emit(self.domains)?);
        Ok(files)
    }

    /// Every generated file of one domain crate.
    fn domain_files(&self, domain: &Domain) -> Result<Files, String> {
        let dir = crate_dir(domain);
        let gen = dir.join("src/generated");
        let types = types::emit(domain)?;
        let events_tokens = events::emit(domain);
        let events_mod = events_tokens.as_ref().map(|_| {
            quote! {
                #[rustfmt::skip]
                pub mod events;
            }
        });
        let push = push::emit(self.root, domain)?;
        let push_mod = push.as_ref().map(|(name, _)| {
            let name = quote::format_ident!("{name}");
            quote! {
                #[rustfmt::skip]
                pub mod #name;
            }
        });
        let mut files = Files::new();
        let spec = domain.spec_dir.display().to_string();
        let source = format!("{spec}/");
        files.insert(dir.join("Cargo.toml"), krate::manifest(domain));
        files.insert(dir.join("src/lib.rs"), krate::lib_rs(domain)?);
        files.insert(dir.join("README.md"), readme::emit(domain));
        files.insert(
            gen.join("mod.rs"),
            render(
                &source,
                &format!(" Code generated from `{spec}/`: the domain's facts, response types, error codes and the client."),
                quote! {
                    #[rustfmt::skip]
                    pub mod client;
                    #[rustfmt::skip]
                    pub mod domain;
                    #[rustfmt::skip]
                    pub mod errors;
                    #events_mod
                    #push_mod
                    #[rustfmt::skip]
                    pub mod types;
                },
            )?,
        );
        if let Some((name, tokens)) = push {
            files.insert(
                gen.join(format!("{name}.rs")),
                render(
                    &source,
                    " The push channel: its messages (prost types compiled from the spec's `.proto`), its facts, and \
                     `Typed`, the typed messages by wire method.",
                    tokens,
                )?,
            );
        }
        if let Some(tokens) = events_tokens {
            files.insert(
                gen.join("events.rs"),
                render(
                    &source,
                    " The webhook events of the spec: the `Event` enum, its tolerant decoding and the events table.",
                    tokens,
                )?,
            );
        }
        files.insert(
            gen.join("types.rs"),
            render(
                &source,
                &format!(
                    " Request and response types of `{spec}/` (typify, made lossless and open)."
                ),
                types.tokens,
            )?,
        );
        files.insert(
            gen.join("domain.rs"),
            render(
                &source,
                " The domain marker: base URL, envelope, credentials, signers and session profile of the spec.",
                errors::domain(domain),
            )?,
        );
        files.insert(
            gen.join("errors.rs"),
            render(
                &source,
                " The documented error codes and the domain's error type.",
                errors::emit(domain),
            )?,
        );
        files.insert(
            gen.join("client.rs"),
            render(
                &source,
                " Parameters, client methods, pagination streams and the operation registry.",
                client::emit(domain, &types.structs),
            )?,
        );
        Ok(files)
    }
}

/// `crates/douyin-<domain>`.
pub fn crate_dir(domain: &Domain) -> PathBuf {
    PathBuf::from("crates").join(&domain.crate_name)
}

/// The Rust name of the domain crate (`douyin_web`).
pub fn crate_ident(domain: &Domain) -> syn::Ident {
    quote::format_ident!("{}", domain.crate_name.replace('-', "_"))
}

/// A generated Rust file: the `@generated` line naming its `source` (`specs/web/`), a `//!` line saying what it is
/// for, then `body` formatted by prettyplease.
pub fn render(source: &str, purpose: &str, body: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(quote::quote! {
        #![doc = #purpose]
        #body
    })
    .map_err(|e| format!("{source}: generated code does not parse: {e}"))?;
    Ok(format!(
        "// @generated by cargo xtask codegen from {source}; do not edit.\n{}",
        prettyplease::unparse(&file)
    ))
}

/// `::douyin_core::Method::Get`.
pub fn method_tokens(m: Method) -> TokenStream {
    match m {
        Method::Get => quote!(::douyin_core::Method::Get),
        Method::Post => quote!(::douyin_core::Method::Post),
    }
}

/// `Some("…")` or `None`.
pub fn opt_str(v: Option<&str>) -> TokenStream {
    match v {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    }
}

/// A parameter's help: one line (its doc's first line, or its wire name), and the full text (doc, where it is
/// sent, bounds, default, example) for rustdoc and `--help`. `escape` makes spec text safe for rustdoc.
pub struct ParamHelp {
    pub line: String,
    pub full: String,
}

impl ParamHelp {
    pub fn of(p: &Param, escape: bool) -> Self {
        let text = |s: &str| if escape { doc_text(s) } else { s.to_owned() };
        let doc = p.doc.as_deref().map(str::trim).filter(|d| !d.is_empty());
        let line = doc
            .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(text)
            .unwrap_or_else(|| format!("`{}`", p.wire));
        let mut full = doc.map(text).unwrap_or_else(|| format!("`{}`", p.wire));
        full.push_str(&format!(
            "\n\nSent as {} parameter `{}`",
            p.location.as_str(),
            p.wire
        ));
        if p.encoding.is_some() {
            full.push_str(" as compact JSON text");
        }
        full.push('.');
        match (p.minimum, p.maximum) {
            (Some(a), Some(b)) => {
                full.push_str(&format!(" Between {a} and {b} (checked before sending)."))
            }
            (Some(a), None) => full.push_str(&format!(" At least {a} (checked before sending).")),
            (None, Some(b)) => full.push_str(&format!(" At most {b} (checked before sending).")),
            _ => {}
        }
        if let Some(d) = &p.default {
            full.push_str(&format!(" Defaults to `{}` when not given.", value_text(d)));
        }
        if let Some(e) = &p.example {
            full.push_str(&format!(" Example: `{}`.", value_text(e)));
        }
        ParamHelp { line, full }
    }
}

/// A JSON value as a reader writes it: strings without quotes.
pub fn value_text(v: &serde_json::Value) -> String {
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| v.to_string())
}

/// Documentation text from a spec made safe for rustdoc: brackets and angle brackets outside code spans are escaped
/// (so `[yes,no]` is not a broken link and `<nil>` not an HTML tag) and bare URLs become autolinks.
pub fn doc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_code = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !in_code && (rest.starts_with("https://") || rest.starts_with("http://")) {
            let end = rest
                .find(|ch: char| ch.is_whitespace() || !ch.is_ascii() || "<>\"`()[]{}".contains(ch))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        match c {
            '`' => in_code = !in_code,
            '[' | ']' if !in_code => out.push('\\'),
            _ => {}
        }
        match c {
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod doc_tests {
    use super::doc_text;

    #[test]
    fn spec_text_becomes_plain_rustdoc() {
        assert_eq!(
            doc_text("[yes,no] 默认 `[a]` <nil>"),
            "\\[yes,no\\] 默认 `[a]` &lt;nil&gt;"
        );
        assert_eq!(
            doc_text("见 https://open.douyin.com/oauth/access_token/ 生成."),
            "见 <https://open.douyin.com/oauth/access_token/> 生成."
        );
    }
}
