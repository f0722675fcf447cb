//! Emits `errors.rs`: the domain marker type, its envelope description and the documented error-code enum.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Billed, Domain, ErrorClass};

fn class_tokens(c: ErrorClass) -> TokenStream {
    let v = format_ident!("{}", format!("{c:?}"));
    quote!(::douyin_core::ErrorClass::#v)
}

/// A `&["a", "b"]` literal.
pub fn strs(v: &[String]) -> TokenStream {
    quote!(&[#(#v),*])
}

/// The domain's `douyin_core::EnvelopeSpec` literal (used by the client's `Domain` impl and the mock's table).
pub fn envelope_spec(domain: &Domain) -> TokenStream {
    let env = &domain.envelope;
    let (code, success, message, log_id, sub_code, sub_message) = (
        strs(&env.code),
        strs(&env.success),
        strs(&env.message),
        strs(&env.log_id),
        strs(&env.sub_code),
        strs(&env.sub_message),
    );
    quote! {
        ::douyin_core::EnvelopeSpec {
            code: #code,
            success: #success,
            message: #message,
            log_id: #log_id,
            sub_code: #sub_code,
            sub_message: #sub_message,
        }
    }
}

/// The Rust name of the domain marker type (`Onebound`, `OpenPlatform`, `Web`).
pub fn domain_type(domain: &Domain) -> syn::Ident {
    format_ident!("{}", heck::AsUpperCamelCase(&domain.name).to_string())
}

pub fn emit(domain: &Domain) -> TokenStream {
    let marker = domain_type(domain);
    let name = &domain.name;
    let base = &domain.base_url;
    let envelope = envelope_spec(domain);
    let ua_cred = match &domain.user_agent_credential {
        Some(c) => quote!(::std::option::Option::Some(#c)),
        None => quote!(::std::option::Option::None),
    };
    let mut marker_doc = vec![super::doc_text(&format!(
        "The {} domain ({}).",
        domain.title, domain.base_url
    ))];
    if let Some(d) = &domain.doc {
        marker_doc.push(String::new());
        marker_doc.extend(d.lines().map(super::doc_text));
    }
    marker_doc.push(String::new());
    marker_doc.push(format!(
        "Spec: `{}/`; documentation: {}.",
        domain.spec_dir.display(),
        super::doc_text(&domain.source)
    ));
    if !domain.notes.is_empty() {
        marker_doc.push(String::new());
        marker_doc.push("Notes from the spec:".to_owned());
        marker_doc.extend(
            domain
                .notes
                .iter()
                .map(|n| format!("- {}", super::doc_text(&n.replace('\n', " ")))),
        );
    }

    let variants = domain.errors.iter().map(|e| {
        let v = format_ident!("{}", e.name);
        let mut doc = format!("`{}` — {}", e.code, super::doc_text(&e.meaning));
        if let Some(zh) = &e.doc_zh {
            doc.push_str(&format!(" ({})", super::doc_text(zh)));
        }
        let advice = e.advice.as_ref().map(|a| {
            let a = format!(" Advice: {}", super::doc_text(a));
            quote!(#[doc = ""] #[doc = #a])
        });
        quote!(#[doc = #doc] #advice #v)
    });
    let arms = domain.errors.iter().map(|e| {
        let (v, c) = (format_ident!("{}", e.name), &e.code);
        quote!(#c => Self::#v)
    });
    let from_raw = if domain.errors.is_empty() {
        quote!(Self::Unknown(raw.to_owned()))
    } else {
        quote! {
            match raw {
                #(#arms,)*
                other => Self::Unknown(other.to_owned()),
            }
        }
    };
    let raw = domain.errors.iter().map(|e| {
        let (v, c) = (format_ident!("{}", e.name), &e.code);
        quote!(Self::#v => #c)
    });
    let names = domain.errors.iter().map(|e| {
        let (v, n) = (format_ident!("{}", e.name), &e.name);
        quote!(Self::#v => #n)
    });
    let meaning = domain.errors.iter().map(|e| {
        let (v, m) = (format_ident!("{}", e.name), &e.meaning);
        quote!(Self::#v => ::std::option::Option::Some(#m))
    });
    let class = domain.errors.iter().map(|e| {
        let (v, c) = (format_ident!("{}", e.name), class_tokens(e.class));
        quote!(Self::#v => #c)
    });
    let billing = domain.envelope.billed.then(|| {
        let arms = domain.errors.iter().filter_map(|e| {
            let v = format_ident!("{}", e.name);
            let b = match e.billed? {
                Billed::Yes => quote!(Billed),
                Billed::No => quote!(NotBilled),
                Billed::Ignored => quote!(Ignored),
            };
            Some(quote!(Self::#v => ::std::option::Option::Some(::douyin_core::Billing::#b)))
        });
        quote! {
            fn billing(&self) -> ::std::option::Option<::douyin_core::Billing> {
                match self {
                    #(#arms,)*
                    _ => ::std::option::Option::None,
                }
            }
        }
    });
    let refresh: Vec<&String> = domain
        .credentials
        .iter()
        .filter(|c| !c.refresh_on.is_empty())
        .map(|c| &c.name)
        .collect();
    let refresh_doc = if refresh.is_empty() {
        "No credential of this domain is refreshed.".to_owned()
    } else {
        format!(
            "Credentials refreshed once when they expire: {}.",
            refresh
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };

    let profile = domain.session_profile.iter().map(|p| {
        let (n, v) = (&p.name, &p.value);
        let pos = match p.position {
            crate::ir::Position::First => quote!(First),
            crate::ir::Position::Last => quote!(Last),
        };
        quote!((#n, #v, ::douyin_core::Position::#pos))
    });
    let ua = match &domain.session_user_agent {
        Some(u) => quote!(::std::option::Option::Some(#u)),
        None => quote!(::std::option::Option::None),
    };
    let alternatives = domain.alternative_base_urls.iter().map(|a| {
        let (n, u) = (&a.name, &a.url);
        quote!((#n, #u))
    });
    let mut alt_doc = vec![
        "Other documented base URLs of this API (`alternative_base_urls`), as `(name, url)`."
            .to_owned(),
    ];
    for a in &domain.alternative_base_urls {
        let doc = a
            .doc
            .as_deref()
            .map(|d| format!(": {}", d.trim()))
            .unwrap_or_default();
        alt_doc.push(super::doc_text(&format!(
            "- `{}` (documentation: {}){doc}",
            a.name, a.source
        )));
    }
    let mut auth_doc =
        vec!["The page a user opens to authorize the application (`authorization_url`): built, never called.".to_owned()];
    if let Some(a) = &domain.authorization_url {
        auth_doc.push(super::doc_text(&format!("Documentation: {}.", a.source)));
        auth_doc.extend(a.notes.iter().map(|n| super::doc_text(&format!("- {n}"))));
    }
    let (auth_url, auth_params) = match &domain.authorization_url {
        Some(a) => {
            let url = &a.url;
            let params = a.parameters.iter().map(|p| {
                let name = &p.name;
                let opt = |v: &Option<String>| match v {
                    Some(v) => quote!(::std::option::Option::Some(#v)),
                    None => quote!(::std::option::Option::None),
                };
                let (cred, constant, required) = (opt(&p.credential), opt(&p.constant), p.required);
                quote!((#name, #cred, #constant, #required))
            });
            (
                quote!(::std::option::Option::Some(#url)),
                quote!(&[#(#params),*]),
            )
        }
        None => (quote!(::std::option::Option::None), quote!(&[])),
    };
    let cred_all = domain.credentials.iter().map(|c| &c.name);
    let cred_consts = domain.credentials.iter().map(|c| {
        let id = format_ident!("{}", c.name.to_shouty_snake_case());
        let (n, doc) = (&c.name, format!("Credential `{}` of the spec.", c.name));
        quote!(#[doc = #doc] pub const #id: &str = #n;)
    });
    quote! {
        /// The names of the credentials the spec declares, for [`douyin_core::Credentials`] providers.
        pub mod credential_names {
            #(#cred_consts)*
            /// Every credential the spec declares, in declared order.
            pub const ALL: &[&str] = &[#(#cred_all),*];
        }

        #(#[doc = #alt_doc])*
        pub const ALTERNATIVE_BASE_URLS: &[(&str, &str)] = &[#(#alternatives),*];

        #(#[doc = #auth_doc])*
        pub const AUTHORIZATION_URL: ::std::option::Option<&str> = #auth_url;

        /// Its query parameters in order, as `(name, credential, fixed value, required)`.
        pub const AUTHORIZATION_PARAMETERS: &[(
            &str,
            ::std::option::Option<&str>,
            ::std::option::Option<&str>,
            bool,
        )] = #auth_params;

        /// The browser-profile query parameters the spec's `session.profile` lists, with their defaults, in order.
        pub const SESSION_PROFILE: &[(&str, &str, ::douyin_core::Position)] = &[#(#profile),*];

        /// The user agent the session profile's defaults agree with.
        pub const SESSION_USER_AGENT: ::std::option::Option<&str> = #ua;

        #(#[doc = #marker_doc])*
        #[doc = ""]
        #[doc = #refresh_doc]
        #[derive(Clone, Copy, Debug)]
        pub struct #marker;

        impl ::douyin_core::Domain for #marker {
            type Code = ErrorCode;
            const NAME: &'static str = #name;
            const BASE_URL: &'static str = #base;
            const ENVELOPE: &'static ::douyin_core::EnvelopeSpec = &#envelope;
            const USER_AGENT_CREDENTIAL: ::std::option::Option<&'static str> = #ua_cred;
        }

        /// Errors of this domain's client methods.
        pub type Error = ::douyin_core::Error<ErrorCode>;

        /// The documented error codes; any other code is kept in `Unknown`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants,)*
            /// A code the documentation does not list, as received.
            Unknown(::std::string::String),
        }

        impl ::douyin_core::ErrorCode for ErrorCode {
            fn from_raw(raw: &str) -> Self {
                #from_raw
            }
            fn raw(&self) -> &str {
                match self {
                    #(#raw,)*
                    Self::Unknown(raw) => raw,
                }
            }
            fn name(&self) -> &'static str {
                match self {
                    #(#names,)*
                    Self::Unknown(_) => "Unknown",
                }
            }
            fn meaning(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #(#meaning,)*
                    Self::Unknown(_) => ::std::option::Option::None,
                }
            }
            fn class(&self) -> ::douyin_core::ErrorClass {
                match self {
                    #(#class,)*
                    Self::Unknown(_) => ::douyin_core::ErrorClass::Other,
                }
            }
            #billing
        }
    }
}
