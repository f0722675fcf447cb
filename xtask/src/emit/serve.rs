//! The served API of `douyin serve`: its route table (`crates/douyin-cli/src/generated/serve.rs`, one route per
//! operation with the query parameters it takes) and its OpenAPI document (`serve_openapi.json`), both from the IR.
//!
//! A route is `GET /v1/<domain>/<command>` where `<command>` is the CLI subcommand: the server turns the query into
//! that subcommand's arguments, so each query parameter is named after the clap argument id (the parameter's Rust
//! name) and the CLI's parsing, link resolution and dispatch are reused as generated. The document is OpenAPI 3.0.3
//! (what progenitor, the client the tests generate, reads); list parameters travel as one comma-separated string
//! (JSON lists as a JSON array), JSON-valued ones as JSON text.

use std::path::PathBuf;

use heck::{ToKebabCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{json, Map, Value as Json};

use super::Files;
use crate::ir::{Domain, Operation, Param, ParamType};

/// Emits the route table and the OpenAPI document.
pub fn emit(domains: &[Domain]) -> Result<Files, String> {
    let dir = PathBuf::from(super::CLI_DIR);
    let mut files = Files::new();
    let doc = serde_json::to_string_pretty(&document(domains))
        .map_err(|e| format!("serve openapi: {e}"))?;
    files.insert(dir.join("serve_openapi.json"), doc + "\n");
    files.insert(
        dir.join("serve.rs"),
        super::render(
            "specs/",
            " The routes of `douyin serve`: one per operation of every spec, with the query parameters it takes, and \
             the served API's OpenAPI document.",
            table(domains),
        )?,
    );
    Ok(files)
}

/// The parameters a caller gives (credentials and constants are the server's).
fn user_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.is_user())
}

fn table(domains: &[Domain]) -> TokenStream {
    let routes = domains.iter().flat_map(|d| {
        d.operations.iter().map(move |op| {
            let (domain, command, operation) = (&d.name, op.name.to_kebab_case(), &op.name);
            let summary = op.summary.trim();
            let params = user_params(op).map(|p| {
                let (name, required) = (&p.rust, p.required);
                quote!(crate::serve::route::QueryParam { name: #name, required: #required })
            });
            let cursor = super::opt_str(op.pagination.as_ref().map(|pg| pg.cursor.rust.as_str()));
            quote! {
                crate::serve::route::Route {
                    domain: #domain,
                    command: #command,
                    operation: #operation,
                    summary: #summary,
                    params: &[#(#params),*],
                    cursor: #cursor,
                }
            }
        })
    });
    quote! {
        /// Every operation of every domain, in spec order.
        pub const ROUTES: &[crate::serve::route::Route] = &[#(#routes),*];
        /// The served API's OpenAPI document.
        pub const OPENAPI: &str = include_str!("serve_openapi.json");
    }
}

/// The JSON Schema of one query value of type `ty` (`schema`: the parameter's spec schema, for enum values).
fn value_schema(ty: &ParamType, schema: &Json) -> Json {
    match ty {
        ParamType::String => json!({ "type": "string" }),
        ParamType::Integer => json!({ "type": "integer", "format": "int64" }),
        ParamType::Boolean => json!({ "type": "boolean" }),
        ParamType::Named(_) => match schema.get("enum") {
            Some(values) => json!({ "type": "string", "enum": values }),
            None => json!({ "type": "string", "description": "JSON text" }),
        },
        ParamType::List(_) => json!({ "type": "string" }),
    }
}

fn parameter(p: &Param) -> Json {
    let mut schema = value_schema(&p.ty, &p.schema);
    let mut doc = p.doc.as_deref().unwrap_or("").trim().to_owned();
    if let ParamType::List(inner) = &p.ty {
        let items = p.schema.get("items").cloned().unwrap_or(Json::Null);
        let json_items = matches!(**inner, ParamType::Named(_)) && items.get("enum").is_none();
        doc.push_str(if json_items {
            "\n\nA list: a JSON array."
        } else {
            "\n\nA list: items separated by commas."
        });
    }
    if p.link.is_some() {
        doc.push_str(
            "\n\nA link or share text naming it is also taken (short links are followed).",
        );
        schema = json!({ "type": "string" });
    }
    if let (Some(min), Json::Object(s)) = (p.minimum, &mut schema) {
        s.insert("minimum".into(), json!(min));
    }
    if let (Some(max), Json::Object(s)) = (p.maximum, &mut schema) {
        s.insert("maximum".into(), json!(max));
    }
    json!({
        "name": p.rust,
        "in": "query",
        "required": p.required,
        "description": doc.trim(),
        "schema": schema,
    })
}

fn error_response(what: &str) -> Json {
    json!({
        "description": what,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } },
    })
}

fn operation(d: &Domain, op: &Operation) -> Json {
    let mut parameters: Vec<Json> = user_params(op).map(parameter).collect();
    let mut description = format!(
        "`{} {}` of the `{}` domain, sent upstream as {} {}; the answer is the decoded response as JSON.",
        d.name,
        op.name.to_kebab_case(),
        d.name,
        op.method.as_str(),
        op.path
    );
    if let Some(pg) = &op.pagination {
        description.push_str(&format!(
            "\n\nPaginated by `{}`: with `all_pages=true` the answer streams every item of every page as JSON \
             Lines (`application/x-ndjson`), `max_pages` stopping early.",
            pg.cursor.rust
        ));
        parameters.push(json!({
            "name": "all_pages", "in": "query", "required": false,
            "description": "Follow the pagination; stream one item per line (JSON Lines).",
            "schema": { "type": "boolean" },
        }));
        parameters.push(json!({
            "name": "max_pages", "in": "query", "required": false,
            "description": "With all_pages: stop after this many pages.",
            "schema": { "type": "integer", "format": "int64", "minimum": 1 },
        }));
    }
    json!({
        "operationId": format!("{}_{}", d.name.to_snake_case(), op.name),
        "summary": op.summary.trim(),
        "description": description,
        "tags": [d.name],
        "parameters": parameters,
        "responses": {
            "200": {
                "description": format!("The decoded `{}`.", op.response_type),
                "content": { "application/json": { "schema": {} } },
            },
            "4XX": error_response("Bad request, unknown route, refused upstream (403 with its kind), rate limited (429 with Retry-After)"),
            "5XX": error_response("Upstream failure (502), upstream timeout (504)"),
        },
    })
}

fn document(domains: &[Domain]) -> Json {
    let mut paths = Map::new();
    paths.insert(
        "/healthz".into(),
        json!({ "get": {
            "operationId": "healthz",
            "summary": "Whether the server is up.",
            "responses": { "200": { "description": "Up.", "content": { "application/json": { "schema": {} } } } },
        }}),
    );
    for d in domains {
        for op in &d.operations {
            paths.insert(
                format!("/v1/{}/{}", d.name, op.name.to_kebab_case()),
                json!({ "get": operation(d, op) }),
            );
        }
    }
    let error = json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": {
            "type": "object",
            "required": ["kind", "message"],
            "properties": {
                "kind": { "type": "string", "description": "What failed: bad_request, not_found, rate_limited, refused, upstream, timeout, …" },
                "message": { "type": "string", "description": "One line: what went wrong and what to do (the CLI's words)." },
                "parameters": { "type": "array", "items": { "type": "string" }, "description": "The query parameters at fault." },
                "nearest": { "type": "array", "items": { "type": "string" }, "description": "For an unknown route: the nearest routes." },
            },
        }},
    });
    json!({
        "openapi": "3.0.3",
        "x-generated": "by cargo xtask codegen from specs/; do not edit.",
        "info": {
            "title": "douyin serve",
            "description": "Every operation of every douyin-rs spec over HTTP: `GET /v1/<domain>/<operation>?<parameter>=…`, \
                answered with the decoded response as JSON. The server holds the credentials; callers never send or see them.",
            "version": "0.1.0",
        },
        "paths": Json::Object(paths),
        "components": {
            "schemas": { "Error": error },
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer", "description": "Required when the server was started with --api-key." } },
        },
    })
}
