//! Emits a domain's webhook events as an OpenAPI 3.1 document (`crates/douyin-<domain>/openapi.webhooks.json`):
//! one `webhooks` entry per event with its body schema, the signature and delivery-id headers, and the documented
//! answer. A separate document because `webhooks` is 3.1 only, and the operations' document stays 3.0.3 for the
//! generators that read it.

use serde_json::{json, Map, Value as Json};

use super::schemas::{to_31, Components};
use crate::ir::Domain;
use crate::spec::event_model::SignatureScheme;

/// The document's text; `None` when the domain pushes no events.
pub fn emit(domain: &Domain) -> Result<Option<String>, String> {
    let Some(w) = &domain.webhooks else {
        return Ok(None);
    };
    let fail = |msg: String| format!("{}: openapi webhooks: {msg}", domain.name);
    let mut components = Components::new(&domain.definitions);
    let scheme = match w.signature {
        SignatureScheme::Sha1SecretBody => format!(
            "lowercase hex SHA-1 of the `{}` credential followed by the raw body",
            w.secret
        ),
    };
    let mut hooks = Map::new();
    for e in &domain.events {
        components.define(&e.type_name).map_err(fail)?;
        let mut description = e.doc_zh.clone().unwrap_or_default().trim_end().to_owned();
        description.push_str(&format!("\n\nSource: {}", e.source));
        for n in &e.notes {
            description.push_str(&format!("\n\n- {}", n.replace('\n', " ")));
        }
        let answer = if e.answer.is_empty() {
            json!({ "description": "Acknowledged (any 2xx within the service's time limit)." })
        } else {
            let props: Map<String, Json> = e
                .answer
                .iter()
                .map(|(member, path)| {
                    (
                        member.clone(),
                        json!({ "description": format!("The event's `{path}`, as received") }),
                    )
                })
                .collect();
            json!({
                "description": "Acknowledged with the documented answer.",
                "content": { "application/json": { "schema": { "type": "object", "properties": props } } }
            })
        };
        let mut post = json!({
            "operationId": e.name,
            "summary": e.summary,
            "description": description,
            "parameters": [
                { "name": w.signature_header, "in": "header", "required": true,
                  "description": format!("Signature: {scheme}."), "schema": { "type": "string" } },
                { "name": w.id_header, "in": "header", "required": false,
                  "description": "Delivery id; a retry repeats it.", "schema": { "type": "string" } }
            ],
            "requestBody": {
                "required": true,
                "content": { "application/json": {
                    "schema": { "$ref": format!("#/components/schemas/{}", e.type_name) },
                    "examples": examples(e)
                } }
            },
            "responses": {
                "200": answer,
                "401": { "description": "Missing or wrong signature: refused before parsing." },
                "413": { "description": "Body over the receiver's limit." }
            }
        });
        if let Some(scope) = &e.scope {
            post["x-scope"] = json!(scope);
        }
        hooks.insert(e.name.clone(), json!({ "post": post }));
    }
    let mut schemas = Json::Object(components.done.into_iter().collect());
    to_31(&mut schemas);
    let doc = json!({
        "openapi": "3.1.0",
        "x-generated": format!("by cargo xtask codegen from {}/; do not edit.", domain.spec_dir.display()),
        "info": {
            "title": format!("{} webhooks", domain.title),
            "description": format!(
                "Events the service pushes. Signed in the `{}` header ({scheme}); retries repeat `{}`. Source: {}",
                w.signature_header, w.id_header, w.source
            ),
            "version": "0.1.0"
        },
        "webhooks": hooks,
        "components": { "schemas": schemas },
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| fail(e.to_string()))?;
    Ok(Some(text + "\n"))
}

fn examples(e: &crate::ir::Event) -> Json {
    let mut out = Map::new();
    for (i, x) in e.examples.iter().enumerate() {
        let value: Json = serde_json::from_str(&x.text).unwrap_or(Json::Null);
        out.insert(
            format!("documented{}", i + 1),
            json!({ "summary": x.source, "value": value }),
        );
    }
    Json::Object(out)
}
