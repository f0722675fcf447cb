//! Emits a domain's push channel (`push:` in domain.yaml): the `.proto` file compiled by protox (pure Rust, no
//! `protoc`) and turned into prost message types by prost-build, plus the channel's facts as a
//! `douyin_core::push::PushChannel` and `Typed`, the typed messages by wire method name.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::Domain;
use crate::spec::push_model::PushSpec;

/// The generated module's name and tokens, or `None` when the domain has no push channel.
pub fn emit(root: &std::path::Path, d: &Domain) -> Result<Option<(String, TokenStream)>, String> {
    let Some(push) = &d.push else {
        return Ok(None);
    };
    let at = d.spec_dir.join(&push.proto);
    let domain_yaml = d.spec_dir.join("domain.yaml");
    if !d.krate.modules.contains(&push.codec) {
        return Err(format!(
            "{}: push.codec `{}` is not one of crate.modules",
            domain_yaml.display(),
            push.codec
        ));
    }
    if !d.krate.dependencies.iter().any(|dep| dep.name == "prost") {
        return Err(format!(
            "{}: push: the crate needs `prost` in crate.dependencies (the generated messages derive prost::Message)",
            domain_yaml.display()
        ));
    }
    let dir = root.join(&d.spec_dir);
    let fds = protox::compile([push.proto.as_str()], [dir.as_path()])
        .map_err(|e| format!("{}: {e}", at.display()))?;
    let file = fds
        .file
        .iter()
        .find(|f| f.name() == push.proto)
        .ok_or_else(|| format!("{}: not compiled", at.display()))?;
    let package = file.package().to_owned();
    if package.is_empty() || !package.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(format!(
            "{}: `package {package};` must be one snake_case word (it names the module)",
            at.display()
        ));
    }
    if Some(package.as_str()) != module_name(push).as_deref() {
        return Err(format!(
            "{}: `package {package};` must be the file's name without `.proto` (it names the module)",
            at.display()
        ));
    }
    let declared: Vec<&str> = file.message_type.iter().map(|m| m.name()).collect();
    for m in &push.messages {
        if !declared.contains(&m.type_name.as_str()) {
            return Err(format!(
                "{}: push message {} names type {}, which {} does not declare",
                domain_yaml.display(),
                m.method,
                m.type_name,
                push.proto
            ));
        }
    }
    let mut config = prost_build::Config::new();
    config
        .btree_map(["."])
        .type_attribute(".", "#[derive(::serde::Serialize, ::serde::Deserialize)]")
        .type_attribute(".", "#[serde(default)]")
        .field_attribute(".", "#[serde(skip_serializing_if = \"is_default\")]");
    let module = prost_build::Module::from_protobuf_package_name(&package);
    let mut out = config
        .generate(vec![(module.clone(), file.clone())])
        .map_err(|e| format!("{}: prost-build: {e}", at.display()))?;
    let code = out.remove(&module).unwrap_or_default();
    let parsed: syn::File =
        syn::parse_str(&code).map_err(|e| format!("{}: prost output: {e}", at.display()))?;
    let items = parsed.items;
    let facts = facts(push);
    let typed = typed(push);
    Ok(Some((
        package,
        quote! {
            #![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant)]
            #(#items)*

            /// Whether `value` is its type's default (skipped when serializing: a protobuf field that was not sent).
            pub fn is_default<T: ::std::default::Default + ::std::cmp::PartialEq>(value: &T) -> bool {
                *value == T::default()
            }
            #facts
            #typed
        },
    )))
}

/// The generated module's name: the `.proto` file's stem, which its package must equal.
pub fn module_name(push: &PushSpec) -> Option<String> {
    std::path::Path::new(&push.proto)
        .file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_owned)
}

/// The channel's facts.
fn facts(push: &PushSpec) -> TokenStream {
    let hosts = &push.hosts;
    let path = &push.path;
    let query = push.query.iter().map(|q| {
        let (n, v) = (&q.name, &q.value);
        quote!((#n, #v))
    });
    let stub = &push.stub_params;
    let secs = push.heartbeat_secs;
    let methods = push.messages.iter().map(|m| {
        let (method, kind) = (&m.method, &m.kind);
        quote!((#method, #kind))
    });
    let doc = push.doc.trim();
    quote! {
        #[doc = #doc]
        pub static PUSH: ::douyin_core::push::PushChannel = ::douyin_core::push::PushChannel::new(
            &[#(#hosts),*],
            #path,
            &[#(#query),*],
            &[#(#stub),*],
            #secs,
            &[#(#methods),*],
        );
    }
}

/// `Typed`: one variant per typed message, decoded by wire method name.
fn typed(push: &PushSpec) -> TokenStream {
    let variants: Vec<_> = push
        .messages
        .iter()
        .map(|m| format_ident!("{}", m.kind.to_upper_camel_case()))
        .collect();
    let types: Vec<_> = push
        .messages
        .iter()
        .map(|m| format_ident!("{}", m.type_name))
        .collect();
    let methods: Vec<&String> = push.messages.iter().map(|m| &m.method).collect();
    let kinds: Vec<&String> = push.messages.iter().map(|m| &m.kind).collect();
    let docs = push
        .messages
        .iter()
        .map(|m| format!(" `{}`: [`{}`].", m.method, m.type_name));
    quote! {
        /// A typed message of the channel (serialized as the message itself; [`Typed::kind`] names it).
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum Typed {
            #(
                #[doc = #docs]
                #variants(#types),
            )*
        }

        impl Typed {
            /// The message `payload` of wire method `method`; `None` if the method is not typed.
            pub fn decode(method: &str, payload: &[u8]) -> ::std::option::Option<::std::result::Result<Typed, ::prost::DecodeError>> {
                use ::prost::Message as _;
                match method {
                    #(#methods => ::std::option::Option::Some(#types::decode(payload).map(Typed::#variants)),)*
                    _ => ::std::option::Option::None,
                }
            }

            /// The message of wire method `method` from its JSON form (mock scripts); `None` if not typed.
            pub fn from_json(method: &str, value: ::serde_json::Value) -> ::std::option::Option<::std::result::Result<Typed, ::serde_json::Error>> {
                match method {
                    #(#methods => ::std::option::Option::Some(::serde_json::from_value(value).map(Typed::#variants)),)*
                    _ => ::std::option::Option::None,
                }
            }

            /// Its protobuf encoding.
            pub fn encode_to_vec(&self) -> ::std::vec::Vec<u8> {
                use ::prost::Message as _;
                match self {
                    #(Typed::#variants(m) => m.encode_to_vec(),)*
                }
            }

            /// Its kind (`chat`).
            pub fn kind(&self) -> &'static str {
                match self {
                    #(Typed::#variants(_) => #kinds,)*
                }
            }

            /// Its wire method (`WebcastChatMessage`).
            pub fn method(&self) -> &'static str {
                match self {
                    #(Typed::#variants(_) => #methods,)*
                }
            }
        }
    }
}
