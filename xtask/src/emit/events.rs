//! Emits `events.rs` for a domain with webhook events: the `Event` enum (one variant per specced event, boxed, and
//! `Unknown` keeping anything else as received), its tolerant decoding, and the `EVENTS` table of static facts.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::Domain;
use crate::spec::event_model::SignatureScheme;

use super::doc_text;

/// The module's tokens; `None` when the domain specifies no events.
pub fn emit(domain: &Domain) -> Option<TokenStream> {
    if domain.events.is_empty() {
        return None;
    }
    let mut variants = Vec::new();
    let mut decode_arms = Vec::new();
    let mut name_arms = Vec::new();
    let mut drift_arms = Vec::new();
    let mut encode_arms = Vec::new();
    let mut specs = Vec::new();
    for e in &domain.events {
        let variant = format_ident!("{}", e.variant);
        let ty = format_ident!("{}", e.type_name);
        let name = &e.name;
        let doc = format!(
            " `{name}`: {}\n\n Source: {}",
            doc_text(&e.summary),
            doc_text(&e.source)
        );
        variants.push(quote! {
            #[doc = #doc]
            #variant(::std::boxed::Box<super::types::#ty>)
        });
        decode_arms.push(quote! {
            #name => match ::douyin_core::drift::from_json::<super::types::#ty>(&text, mode) {
                ::std::result::Result::Ok((mut value, drift)) => {
                    ::douyin_core::Response::set_drift(&mut value, drift);
                    Event::#variant(::std::boxed::Box::new(value))
                }
                ::std::result::Result::Err(_) => unknown(),
            }
        });
        name_arms.push(quote!(Event::#variant(_) => #name));
        drift_arms.push(quote!(Event::#variant(v) => ::douyin_core::Response::drift(&**v)));
        encode_arms.push(quote!(Event::#variant(v) => ::serde_json::to_string(&**v)));
        let summary = &e.summary;
        let scope = super::opt_str(e.scope.as_deref());
        let answer = e.answer.iter().map(|(m, p)| quote!((#m, #p)));
        let example = e.examples.first().map(|x| x.text.as_str()).unwrap_or("");
        specs.push(quote! {
            ::douyin_core::event::EventSpec {
                name: #name,
                summary: #summary,
                scope: #scope,
                answer: &[#(#answer),*],
                example: #example,
            }
        });
    }
    let webhooks = domain.webhooks.as_ref().map(|w| {
        let (header, secret, id) = (&w.signature_header, &w.secret, &w.id_header);
        let scheme = match w.signature {
            SignatureScheme::Sha1SecretBody => quote!(Sha1SecretBody),
        };
        let doc = format!(" How the events are signed and identified. Source: {}", doc_text(&w.source));
        quote! {
            #[doc = #doc]
            pub static WEBHOOKS: ::douyin_core::event::WebhookSpec = ::douyin_core::event::WebhookSpec {
                signature_header: #header,
                scheme: ::douyin_core::event::SignatureScheme::#scheme,
                secret_credential: #secret,
                id_header: #id,
                events: EVENTS,
            };
        }
    });
    Some(quote! {
        #webhooks

        /// A webhook event the service pushed, typed by its `event` name.
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants,)*
            /// An event the specs do not describe, a body that is not a JSON object naming its event, or one that
            /// does not decode: kept exactly as received.
            Unknown(::douyin_core::event::RawEvent),
        }

        impl Event {
            /// Decodes a pushed body tolerantly (misfits kept raw and reported as drift); never fails: what is not a
            /// specced event becomes [`Event::Unknown`] with the body as received.
            pub fn decode(body: &[u8]) -> Self {
                Self::decode_with(body, ::douyin_core::DecodeMode::Tolerant)
            }

            /// Decodes a pushed body in the given mode; in strict mode a misfit makes the event unknown.
            pub fn decode_with(body: &[u8], mode: ::douyin_core::DecodeMode) -> Self {
                let ::std::option::Option::Some((name, text)) = ::douyin_core::event::prepare(body) else {
                    return Event::Unknown(::douyin_core::event::RawEvent::new(::std::option::Option::None, body));
                };
                let unknown = || {
                    Event::Unknown(::douyin_core::event::RawEvent::new(
                        ::std::option::Option::Some(name.clone()),
                        body,
                    ))
                };
                match name.as_str() {
                    #(#decode_arms,)*
                    _ => unknown(),
                }
            }

            /// The `event` name (of an unknown event, the name its body gives, if any).
            pub fn name(&self) -> ::std::option::Option<&str> {
                ::std::option::Option::Some(match self {
                    #(#name_arms,)*
                    Event::Unknown(raw) => return raw.name.as_deref(),
                })
            }

            /// Values that did not fit their type while decoding, by path (none for an unknown event).
            pub fn drift(&self) -> &[::douyin_core::Drift] {
                match self {
                    #(#drift_arms,)*
                    Event::Unknown(_) => &[],
                }
            }

            /// The event as compact JSON: a typed event re-encoded (unknown fields included, a JSON-text content
            /// as the object it holds); an unknown event's body as received.
            pub fn to_json(&self) -> ::std::string::String {
                let encoded = match self {
                    #(#encode_arms,)*
                    Event::Unknown(raw) => return raw.text().into_owned(),
                };
                encoded.unwrap_or_default()
            }
        }

        /// Every specced event type, in spec order.
        pub static EVENTS: &[::douyin_core::event::EventSpec] = &[#(#specs),*];
    })
}
