//! Emits one OpenAPI 3.0.3 document per domain (`crates/douyin-<domain>/openapi.json`) from its IR.
//!
//! Schemas come from `Domain::definitions` (the typify form, one entry per Rust type), translated back to plain
//! OpenAPI 3.0: `#/definitions/X` becomes `#/components/schemas/X`, the `x-rust-type` escapes become `{}` (raw JSON)
//! and `oneOf [string, number]`, integers are `int64`, objects keep unknown fields (`additionalProperties: true`)
//! and every response property is `nullable` (the SDK reads `null` as absent). Inline objects with a `title` are
//! hoisted into named components, so consumers generate the same type names as the SDK.
//!
//! Credentials are `apiKey` security schemes, one per place a credential is sent (query or header, by wire name);
//! the web cookie string is an `apiKey` in the `cookie` *header*: it is the browser's whole cookie string, and an
//! `in: cookie` scheme names a single cookie that consumers would send as `name=value`.
//!
//! `encoding: json` values are exported as strings (the JSON text on the wire) with the structured schema in an
//! `x-content` extension: progenitor rejects the standard forms (a parameter's `content`, a form body's `encoding`).

mod operations;
mod schemas;
mod security;
pub mod webhooks;

use serde_json::{json, Map, Value as Json};

use crate::ir::{Billed, Domain, ErrorClass, Method};

use operations::{operation, profile_parameter};
use schemas::Components;
use security::security_schemes;

/// The domain's exported OpenAPI document (`crates/douyin-<domain>/openapi.json`).
pub fn emit(domain: &Domain) -> Result<String, String> {
    let doc = document(domain)?;
    let text =
        serde_json::to_string_pretty(&doc).map_err(|e| format!("{}: openapi: {e}", domain.name))?;
    Ok(text + "\n")
}

fn document(domain: &Domain) -> Result<Json, String> {
    let fail = |msg: String| format!("{}: openapi: {msg}", domain.name);
    let mut components = Components::new(&domain.definitions);
    for name in domain.definitions.keys() {
        components.define(name).map_err(fail)?;
    }
    let schemes = security_schemes(domain).map_err(fail)?;

    let mut paths = Map::new();
    for op in &domain.operations {
        let item = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        let method = match op.method {
            Method::Get => "get",
            Method::Post => "post",
        };
        if item.get(method).is_some() {
            return Err(fail(format!("two operations are {method} {}", op.path)));
        }
        item[method] =
            operation(domain, op, &schemes).map_err(|e| fail(format!("{}: {e}", op.name)))?;
        if let Some(url) = &op.base_url {
            item[method]["servers"] = json!([{ "url": url }]);
        }
    }

    let mut security_schemes = Map::new();
    for s in schemes.values() {
        security_schemes.insert(s.id.clone(), s.scheme.clone());
    }
    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    out.insert(
        "x-generated".into(),
        json!(format!(
            "by cargo xtask codegen from {}/; do not edit.",
            domain.spec_dir.display()
        )),
    );
    out.insert(
        "info".into(),
        json!({ "title": domain.title, "description": info_description(domain), "version": "0.1.0" }),
    );
    out.insert("servers".into(), json!([{ "url": domain.base_url }]));
    out.insert("paths".into(), Json::Object(paths));
    let mut comps = Map::new();
    comps.insert(
        "schemas".into(),
        Json::Object(components.done.into_iter().collect()),
    );
    // The browser profile is the same on every operation: defined once, referenced by each.
    if !domain.session_profile().is_empty() {
        let params = domain
            .session_profile()
            .iter()
            .map(|p| (p.name.clone(), profile_parameter(p)));
        comps.insert("parameters".into(), Json::Object(params.collect()));
    }
    if !security_schemes.is_empty() {
        comps.insert("securitySchemes".into(), Json::Object(security_schemes));
    }
    out.insert("components".into(), Json::Object(comps));
    out.insert("x-envelope".into(), envelope(domain));
    if !domain.errors.is_empty() {
        out.insert("x-error-codes".into(), error_codes(domain));
    }
    Ok(Json::Object(out))
}

/// Domain doc, the outcome rules, the documented error codes and the notes, as Markdown.
fn info_description(domain: &Domain) -> String {
    let mut s = domain.doc.clone().unwrap_or_default().trim_end().to_owned();
    let env = &domain.envelope;
    s.push_str(&format!(
        "\n\nEvery response is HTTP 200 with a JSON body that reports its outcome: the code is at `{}` (first present \
         wins; success: {}), the message at `{}` (see `x-envelope`).",
        env.code.join("` / `"),
        if env.success.is_empty() { "none listed".to_owned() } else { env.success.join(", ") },
        env.message.join("` / `"),
    ));
    if !domain.errors.is_empty() {
        s.push_str("\n\nDocumented error codes (also in `x-error-codes`):\n");
        for e in &domain.errors {
            s.push_str(&format!("\n- `{}` {}: {}", e.code, e.name, e.meaning));
            if let Some(zh) = &e.doc_zh {
                s.push_str(&format!(" ({zh})"));
            }
        }
    }
    if !domain.notes.is_empty() {
        s.push_str("\n\nNotes:\n");
        for n in &domain.notes {
            s.push_str(&format!("\n- {}", n.trim()));
        }
    }
    s
}

fn envelope(domain: &Domain) -> Json {
    let e = &domain.envelope;
    let mut out = Map::new();
    for (k, v) in [
        ("code", &e.code),
        ("success", &e.success),
        ("message", &e.message),
        ("log_id", &e.log_id),
        ("sub_code", &e.sub_code),
        ("sub_message", &e.sub_message),
    ] {
        if !v.is_empty() {
            out.insert(k.into(), json!(v));
        }
    }
    if e.billed {
        out.insert("billed".into(), json!(true));
    }
    Json::Object(out)
}

fn error_codes(domain: &Domain) -> Json {
    let codes: Vec<Json> = domain
        .errors
        .iter()
        .map(|e| {
            let mut o = Map::new();
            o.insert("code".into(), json!(e.code));
            o.insert("name".into(), json!(e.name));
            o.insert("meaning".into(), json!(e.meaning));
            if let Some(zh) = &e.doc_zh {
                o.insert("doc_zh".into(), json!(zh));
            }
            if let Some(a) = &e.advice {
                o.insert("advice".into(), json!(a));
            }
            o.insert("class".into(), json!(class_name(e.class)));
            if let Some(b) = e.billed {
                o.insert(
                    "billed".into(),
                    json!(match b {
                        Billed::Yes => "yes",
                        Billed::No => "no",
                        Billed::Ignored => "ignored",
                    }),
                );
            }
            Json::Object(o)
        })
        .collect();
    Json::Array(codes)
}

fn class_name(c: ErrorClass) -> &'static str {
    match c {
        ErrorClass::Success => "success",
        ErrorClass::NoResult => "no_result",
        ErrorClass::InvalidParameter => "invalid_parameter",
        ErrorClass::Authentication => "authentication",
        ErrorClass::ExpiredCredential => "expired_credential",
        ErrorClass::Reauthorize => "reauthorize",
        ErrorClass::Permission => "permission",
        ErrorClass::Quota => "quota",
        ErrorClass::RateLimited => "rate_limited",
        ErrorClass::Retryable => "retryable",
        ErrorClass::Server => "server",
        ErrorClass::Blocked => "blocked",
        ErrorClass::Other => "other",
    }
}
