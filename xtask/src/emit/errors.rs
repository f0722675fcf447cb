//! Emits `errors.rs`: the domain marker type, its envelope description and the documented error-code enum.

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
    let refusals = env.refusals.iter().map(|r| {
        let (path, equals) = (&r.path, &r.equals);
        let kind = format_ident!("{}", format!("{:?}", r.kind));
        quote! {
            ::douyin_core::Refusal {
                path: #path,
                equals: #equals,
                kind: ::douyin_core::RefusalKind::#kind,
            }
        }
    });
    quote! {
        ::douyin_core::EnvelopeSpec {
            code: #code,
            success: #success,
            message: #message,
            log_id: #log_id,
            sub_code: #sub_code,
            sub_message: #sub_message,
            refusals: &[#(#refusals),*],
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
        domain.source
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
    let meaning = domain.errors.iter().map(|e| {
        let (v, m) = (format_ident!("{}", e.name), &e.meaning);
        quote!(Self::#v => ::std::option::Option::Some(#m))
    });
    let advice = domain.errors.iter().filter_map(|e| {
        let (v, a) = (format_ident!("{}", e.name), e.advice.as_ref()?);
        Some(quote!(Self::#v => ::std::option::Option::Some(#a)))
    });
    let advice_fn = domain.errors.iter().any(|e| e.advice.is_some()).then(|| {
        quote! {
            fn advice(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #(#advice,)*
                    _ => ::std::option::Option::None,
                }
            }
        }
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
    quote! {
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
            #advice_fn
        }
    }
}
