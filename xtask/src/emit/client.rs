//! Emits `client.rs`: one params struct and one async method per operation, pagination streams, envelope readers
//! and the operation registry. The params structs and how their values go on the wire are `params`'; reading a
//! response's envelope and pagination fields is `envelope`'s.

mod envelope;
mod params;

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::errors::domain_type;
use super::types::FieldInfo;
use crate::ir::{Domain, Operation};

/// Each generated struct's fields, by name.
type Structs = BTreeMap<String, Vec<FieldInfo>>;
use envelope::{envelope_impl, move_chain, ref_chain};
use params::params_struct;

fn method(domain: &Domain, op: &Operation, structs: &Structs) -> TokenStream {
    let formats = domain.response_formats.as_ref();
    let m = format_ident!("{}", op.name);
    let params = format_ident!("{}Params", op.name.to_upper_camel_case());
    let resp = format_ident!("{}", op.response_type);
    let mut doc = vec![super::doc_text(&op.summary)];
    if let Some(zh) = &op.doc_zh {
        doc.push(String::new());
        doc.push(super::doc_text(zh));
    }
    doc.push(String::new());
    doc.push(format!(
        "`{} {}{}`{}",
        op.method.as_str(),
        op.base_url.as_deref().unwrap_or(""),
        op.path,
        op.scope
            .as_ref()
            .map(|s| format!(" (scope `{s}`)"))
            .unwrap_or_default()
    ));
    doc.push(format!(
        "Spec: `{}`; documentation: {}.",
        op.spec_file.display(),
        super::doc_text(&op.source)
    ));
    if !op.notes.is_empty() {
        doc.push(String::new());
        doc.push("Notes from the spec:".to_owned());
        for note in &op.notes {
            doc.push(format!("- {}", super::doc_text(&note.replace('\n', " "))));
        }
    }
    let mut out = TokenStream::new();
    let format_check = formats.and_then(|f| {
        let p = op
            .params
            .iter()
            .find(|p| p.wire == f.parameter && p.is_user())?;
        let field = format_ident!("{}", p.rust);
        let text = &f.text;
        let wire = &f.parameter;
        let hint = format!("is not JSON; use `{}_text` for it", op.name);
        Some((
            quote! {
                if let ::std::option::Option::Some(format) = &params.#field {
                    if [#(#text),*].contains(&format.as_str()) {
                        return ::std::result::Result::Err(::douyin_core::Error::InvalidParameter {
                            name: #wire,
                            reason: ::std::format!("`{}` {}", format, #hint),
                        });
                    }
                }
            },
            f,
        ))
    });
    let check = format_check.as_ref().map(|(t, _)| t.clone());
    out.extend(quote! {
        #(#[doc = #doc])*
        pub async fn #m(&self, params: &#params) -> ::std::result::Result<super::types::#resp, super::errors::Error> {
            #check
            self.core.send(params.to_request()?).await
        }
    });
    if !op.cookies.is_empty() {
        let mc = format_ident!("{}_with_cookies", op.name);
        let names = &op.cookies;
        let d = format!(
            "Like [`Client::{}`], with the cookies the service hands out in `Set-Cookie` ({}): values are secrets.",
            op.name,
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        out.extend(quote! {
            #[doc = #d]
            pub async fn #mc(&self, params: &#params) -> ::std::result::Result<::douyin_core::WithCookies<super::types::#resp>, super::errors::Error> {
                self.core.send_with_cookies(params.to_request()?, &[#(#names),*]).await
            }
        });
    }
    if let Some((_, f)) = &format_check {
        let mt = format_ident!("{}_text", op.name);
        let d = format!(
            "Like [`Client::{}`] but returns the body as text: for `{}` values {}, which are not JSON.",
            op.name,
            f.parameter,
            f.text.join(", ")
        );
        out.extend(quote! {
            #[doc = #d]
            pub async fn #mt(&self, params: &#params) -> ::std::result::Result<::std::string::String, super::errors::Error> {
                self.core.send_text(params.to_request()?).await
            }
        });
    }
    if let Some(pg) = &op.pagination {
        let ms = format_ident!("{}_stream", op.name);
        let page_fn = format_ident!("{}_page", op.name);
        let item = format_ident!("{}", pg.item_type);
        let cursor = &pg.cursor;
        let cf = format_ident!("{}", cursor.rust);
        let (get, set) = if cursor.required {
            (
                quote!(|p| ::std::option::Option::Some(p.#cf)),
                quote!(|p, c| p.#cf = c),
            )
        } else {
            (
                quote!(|p| p.#cf),
                quote!(|p, c| p.#cf = ::std::option::Option::Some(c)),
            )
        };
        let d = format!(
            "Every item of every page of [`Client::{}`], following `{}` while `{}` says more pages follow. Errors end the stream as its last item; a cursor that does not advance ends it with [`douyin_core::Error::StalledCursor`].",
            op.name, pg.spec.next_cursor, pg.spec.has_more
        );
        let (has_more, _) = ref_chain(structs, &op.response_type, quote!(resp), &pg.spec.has_more)
            .expect("validated path");
        let (next, _) = ref_chain(
            structs,
            &op.response_type,
            quote!(resp),
            &pg.spec.next_cursor,
        )
        .expect("validated path");
        let items = move_chain(structs, &op.response_type, quote!(resp), &pg.spec.items)
            .expect("validated path");
        out.extend(quote! {
            #[doc = #d]
            pub fn #ms(&self, params: #params) -> impl ::douyin_core::Stream<Item = ::std::result::Result<super::types::#item, super::errors::Error>> + '_ {
                ::douyin_core::paginate(
                    params,
                    move |p: #params| async move { self.#m(&p).await.map(Self::#page_fn) },
                    #get,
                    #set,
                )
            }
        });
        let pf_doc = format!("The page in a [`Client::{}`] response.", op.name);
        out.extend(quote! {
            #[doc = #pf_doc]
            pub fn #page_fn(resp: super::types::#resp) -> ::douyin_core::Page<super::types::#item> {
                let has_more = #has_more.is_some_and(::douyin_core::MoreFlag::is_set);
                let next_cursor = #next.copied();
                let items = #items.unwrap_or_default();
                ::douyin_core::Page { items, next_cursor, has_more }
            }
        });
    }
    out
}

pub fn emit(domain: &Domain, structs: &Structs) -> TokenStream {
    let marker = domain_type(domain);
    let ops_consts = domain.operations.iter().map(|op| {
        let c = format_ident!("{}", op.name.to_shouty_snake_case());
        let (name, method, path) = (&op.name, super::method_tokens(op.method), &op.path);
        let base_url = super::opt_str(op.base_url.as_deref());
        let signing = &op.signing;
        let pacing = super::pacing::tokens(domain, op.pacing.as_ref());
        let doc = format!(
            "`{} {}{path}`",
            op.method.as_str(),
            op.base_url.as_deref().unwrap_or("")
        );
        quote! {
            #[doc = #doc]
            pub static #c: ::douyin_core::Operation = ::douyin_core::Operation {
                name: #name,
                method: #method,
                path: #path,
                base_url: #base_url,
                signing: &[#(#signing),*],
                pacing: #pacing,
            };
        }
    });
    let params = domain.operations.iter().map(|op| params_struct(domain, op));
    let client_methods = domain
        .operations
        .iter()
        .map(|op| method(domain, op, structs));
    let envelopes = domain
        .operations
        .iter()
        .map(|op| envelope_impl(domain, op, structs));
    let registry = domain.operations.iter().map(|op| {
        let (name, method, path) = (&op.name, super::method_tokens(op.method), &op.path);
        let spec = op.spec_file.display().to_string();
        let resp = format_ident!("{}", op.response_type);
        let scope = super::opt_str(op.scope.as_deref());
        quote! {
            ::douyin_core::registry::OperationEntry {
                name: #name,
                spec: #spec,
                method: #method,
                path: #path,
                scope: #scope,
                check: |body, mode| ::douyin_core::registry::check::<super::types::#resp, super::errors::ErrorCode>(
                    body,
                    <super::domain::#marker as ::douyin_core::Domain>::ENVELOPE,
                    mode,
                ),
            }
        }
    });
    let signers = domain.signers.iter().map(|sg| {
        let name = format_ident!("{}", sg.name.to_shouty_snake_case());
        let name = quote!(super::domain::signer_names::#name);
        let ty: syn::Path =
            syn::parse_str(&format!("crate::{}", sg.type_path)).expect("validated type path");
        quote!(.signer(#name, <#ty as ::std::default::Default>::default()))
    });
    let credentials = match &domain.credentials_from {
        Some(f) => {
            let f: syn::Path =
                syn::parse_str(&format!("crate::{f}")).expect("validated function path");
            quote!(#f(&values)?)
        }
        None => quote!(::douyin_core::StaticCredentials::from_values(
            <super::domain::#marker as ::douyin_core::Domain>::CREDENTIALS,
            &values,
        )),
    };
    let builder = match &domain.builder_from {
        Some(f) => {
            let f: syn::Path =
                syn::parse_str(&format!("crate::{f}")).expect("validated function path");
            quote!(#f(credentials))
        }
        None => quote!(Self::builder().credentials(credentials)),
    };
    let client_doc = format!(
        "Client of the {} domain: one async method per documented operation.",
        domain.title
    );
    let pacing = super::pacing::domain_const(domain);
    quote! {
        /// The operations of this domain (method and path).
        pub mod operations {
            #pacing
            #(#ops_consts)*
        }

        #(#params)*

        #[doc = #client_doc]
        #[derive(Clone, Debug)]
        pub struct Client {
            core: ::douyin_core::Client<super::domain::#marker>,
        }

        impl Client {
            /// Starts configuring a client (credentials, base URL, timeouts, retries), with the spec's signers
            /// registered; finish with `.build()?.into()`.
            pub fn builder() -> ::douyin_core::ClientBuilder<super::domain::#marker> {
                ::douyin_core::Client::builder()
                    #(#signers)*
            }

            /// A builder configured from credential values by the spec's names (a tool's environment or config
            /// file): a required credential without a value is [`douyin_core::Error::Credential`].
            pub fn configured(
                values: impl ::std::ops::Fn(&'static str) -> ::std::option::Option<::douyin_core::Secret>,
            ) -> ::std::result::Result<::douyin_core::ClientBuilder<super::domain::#marker>, super::errors::Error> {
                for c in <super::domain::#marker as ::douyin_core::Domain>::CREDENTIALS {
                    if c.required && values(c.name).is_none() {
                        return ::std::result::Result::Err(::douyin_core::Error::Credential {
                            name: c.name,
                            reason: ::std::string::String::from("not configured"),
                        });
                    }
                }
                let credentials = #credentials;
                ::std::result::Result::Ok(#builder)
            }

            /// Wraps a configured runtime client.
            pub fn from_core(core: ::douyin_core::Client<super::domain::#marker>) -> Self {
                Self { core }
            }

            /// The runtime client (base URL, retries, credentials).
            pub fn core(&self) -> &::douyin_core::Client<super::domain::#marker> {
                &self.core
            }

            #(#client_methods)*
        }

        impl ::std::convert::From<::douyin_core::Client<super::domain::#marker>> for Client {
            fn from(core: ::douyin_core::Client<super::domain::#marker>) -> Self {
                Self { core }
            }
        }

        #(#envelopes)*

        /// Every operation of this domain, for spec-driven tools (golden tests, capture checks, the mock server).
        pub static OPERATIONS: &[::douyin_core::registry::OperationEntry<super::errors::ErrorCode>] = &[
            #(#registry),*
        ];
    }
}
