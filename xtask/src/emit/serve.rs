//! The served API of `douyin serve`: its route table (`crates/douyin-cli/src/generated/serve.rs`, one route per
//! operation with the query parameters it takes) and its OpenAPI document (`serve_openapi.json`), both from the IR.
//!
//! A route is `GET /v1/<domain>/<command>` where `<command>` is the CLI subcommand: the server turns the query into
//! that subcommand's arguments, so each query parameter is named after the clap argument id (the parameter's Rust
//! name) and the CLI's parsing, link resolution and dispatch are reused as generated. The document is OpenAPI 3.1.0
//! written within the part of 3.1 that 3.0 reads the same way (no type lists, `const`, `examples` or `$defs`), so a
//! 3.0-only generator (progenitor, the client the tests generate) reads it once told its version; list parameters
//! travel as one comma-separated string (JSON lists as a JSON array), JSON-valued ones as JSON text.
//!
//! Each route also carries its MCP tool (`douyin mcp`, `douyin serve --mcp`): the tool's name (the document's
//! `operationId`) and its input JSON Schema, the same parameters as an object (lists as arrays, JSON-valued ones as
//! JSON values; a paginated operation's `max_pages` instead of `all_pages`).

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

/// What the description of a parameter that takes links (the spec's `link:`) adds.
const LINK_DOC: &str =
    "\n\nA link or share text naming it is also taken (short links are followed).";

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
            let tool = operation_id(d, op);
            let input_schema = tool_schema(op).to_string();
            quote! {
                crate::serve::route::Route {
                    domain: #domain,
                    command: #command,
                    operation: #operation,
                    summary: #summary,
                    params: &[#(#params),*],
                    cursor: #cursor,
                    tool: #tool,
                    input_schema: #input_schema,
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
        doc.push_str(LINK_DOC);
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

/// The OpenAPI `operationId` and MCP tool name of `op`: `<domain>_<operation>`, in snake case.
fn operation_id(d: &Domain, op: &Operation) -> String {
    format!("{}_{}", d.name.to_snake_case(), op.name)
}

/// The JSON Schema of one MCP tool argument of type `ty` (`schema`: the parameter's spec schema).
fn argument_schema(ty: &ParamType, schema: &Json) -> Json {
    match ty {
        ParamType::List(inner) => {
            let items = schema.get("items").cloned().unwrap_or(Json::Null);
            json!({ "type": "array", "items": argument_schema(inner, &items) })
        }
        // A JSON-valued parameter: the value itself (the spec's schema describes it).
        ParamType::Named(_) if schema.get("enum").is_none() => match schema {
            Json::Object(_) => schema.clone(),
            _ => json!({}),
        },
        _ => value_schema(ty, schema),
    }
}

/// The input JSON Schema of `op`'s MCP tool: an object of its parameters.
fn tool_schema(op: &Operation) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in user_params(op) {
        let mut schema = if p.link.is_some() {
            json!({ "type": "string" })
        } else {
            argument_schema(&p.ty, &p.schema)
        };
        let mut doc = p.doc.as_deref().unwrap_or("").trim().to_owned();
        if p.link.is_some() {
            doc.push_str(LINK_DOC);
        }
        if let Json::Object(s) = &mut schema {
            if let Some(min) = p.minimum {
                s.insert("minimum".into(), json!(min));
            }
            if let Some(max) = p.maximum {
                s.insert("maximum".into(), json!(max));
            }
            if !doc.is_empty() {
                s.insert("description".into(), json!(doc.trim()));
            }
        }
        properties.insert(p.rust.clone(), schema);
        if p.required {
            required.push(p.rust.clone());
        }
    }
    if let Some(pg) = &op.pagination {
        properties.insert(
            "max_pages".into(),
            json!({
                "type": "integer", "minimum": 1,
                "description": format!(
                    "Pages to fetch (default 1); the result's `next` gives the `{}` to continue from.",
                    pg.cursor.rust
                ),
            }),
        );
    }
    json!({
        "type": "object",
        "properties": Json::Object(properties),
        "required": required,
        "additionalProperties": false,
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
             Lines (`application/x-ndjson`), `max_pages` stopping early; the last line says where to continue: \
             `{{\"next\":null}}` after the last page, `{{\"next\":{{\"<cursor>\":N}}}}` with more to come, \
             `{{\"error\":…,\"next\":…}}` when a later page failed.",
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
        "operationId": operation_id(d, op),
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

/// The routes beside the operations (hand-written in `serve/media.rs`): resolving a link, download jobs and their
/// files.
fn media_paths() -> Map<String, Json> {
    let errors = json!({
        "4XX": error_response("Bad request (each field named), unknown job or file, too many jobs (429)"),
        "5XX": error_response("Upstream failure (502), upstream timeout (504)"),
    });
    let with_errors = |mut responses: Json| {
        if let (Json::Object(r), Json::Object(e)) = (&mut responses, &errors) {
            r.extend(e.clone());
        }
        responses
    };
    let job_ref = json!({ "$ref": "#/components/schemas/Job" });
    let id =
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } });
    let mut paths = Map::new();
    paths.insert("/v1/resolve".into(), json!({ "get": {
        "operationId": "resolve",
        "summary": "What a share link, short link or share-sheet text points at (aweme, user, mix, live room).",
        "tags": ["media"],
        "parameters": [{ "name": "link", "in": "query", "required": true, "description": "A link, short link or share text.", "schema": { "type": "string" } }],
        "responses": with_errors(json!({ "200": { "description": "What it points at, as `douyin resolve` prints it.", "content": { "application/json": { "schema": {} } } } })),
    }}));
    paths.insert("/v1/download".into(), json!({ "post": {
        "operationId": "download",
        "summary": "Start a download job: the files of what links or ids point at, fetched by the server.",
        "tags": ["media"],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DownloadRequest" } } } },
        "responses": with_errors(json!({ "202": { "description": "The job, started (`Location`: its status).", "content": { "application/json": { "schema": job_ref } } } })),
    }}));
    paths.insert("/v1/jobs/{id}".into(), json!({ "get": {
        "operationId": "job_status",
        "summary": "A download job's status, progress, files and failures.",
        "tags": ["media"],
        "parameters": [id],
        "responses": with_errors(json!({ "200": { "description": "The job.", "content": { "application/json": { "schema": job_ref } } } })),
    }}));
    paths.insert("/v1/jobs/{id}/files/{name}".into(), json!({ "get": {
        "operationId": "job_file",
        "summary": "A file of a download job, by the name its status lists.",
        "tags": ["media"],
        "parameters": [id, { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": with_errors(json!({ "200": { "description": "The file's bytes.", "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } } })),
    }}));
    paths
}

/// A download job's request: the fields `douyin serve` passes to the `download` command (`serve/jobs.rs` checks its
/// own copy equals this one).
fn download_request() -> Json {
    let list =
        |what: &str| json!({ "type": "array", "items": { "type": "string" }, "description": what });
    json!({
        "type": "object",
        "description": "What to download: at least one of inputs, user, favorites, mix.",
        "properties": {
            "inputs": list("Share links, addresses, share-sheet text or aweme ids (a user or collection link: its awemes)."),
            "user": list("All posts of these users (links, share text or sec_uid)."),
            "favorites": list("All posts these users liked (links, share text or sec_uid)."),
            "mix": list("All awemes of these collections (links, share text or ids)."),
            "what": { "type": "string", "description": "Comma-separated kinds: video, images, music, cover (default video,images)." },
            "max_height": { "type": "integer", "minimum": 0, "description": "Best rendition of at most this many lines." },
            "codec": { "type": "string", "enum": ["h264", "h265"], "description": "Prefer this codec." },
            "smallest": { "type": "boolean", "description": "The smallest rendition instead of the best." },
            "metadata": { "type": "boolean", "description": "Also write each aweme's JSON." },
            "limit": { "type": "integer", "minimum": 1, "description": "At most this many awemes per listing, and from the other sources together." },
            "since": { "type": "string", "description": "Only awemes published on or after this day (YYYY-MM-DD, UTC)." },
        },
        "additionalProperties": false,
    })
}

/// A download job as served.
fn job() -> Json {
    let int = json!({ "type": "integer", "format": "int64", "minimum": 0 });
    json!({
        "type": "object",
        "required": ["id", "status", "progress", "files", "failures"],
        "properties": {
            "id": { "type": "string" },
            "status": { "type": "string", "enum": ["queued", "running", "done", "failed"] },
            "progress": {
                "type": "object",
                "description": "Files complete; the current batch's items finished and in all, bytes on disk and sizes known.",
                "required": ["files", "items_done", "items", "bytes", "total_bytes"],
                "properties": { "files": int, "items_done": int, "items": int, "bytes": int, "total_bytes": int },
            },
            "files": { "type": "array", "items": {
                "type": "object",
                "required": ["name", "size", "url"],
                "properties": { "name": { "type": "string" }, "size": int, "url": { "type": "string" } },
            }},
            "failures": { "type": "array", "items": { "type": "string" }, "description": "One line per item that failed." },
            "error": { "type": "string", "description": "Why the whole job failed, when it did." },
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
    paths.extend(media_paths());
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
        "openapi": "3.1.0",
        "x-generated": "by cargo xtask codegen from specs/; do not edit.",
        "info": {
            "title": "douyin serve",
            "description": "Every operation of every douyin-rs spec over HTTP: `GET /v1/<domain>/<operation>?<parameter>=…`, \
                answered with the decoded response as JSON. The server holds the credentials; callers never send or see them.",
            "version": "0.1.0",
        },
        "paths": Json::Object(paths),
        "components": {
            "schemas": { "Error": error, "DownloadRequest": download_request(), "Job": job() },
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer", "description": "Required when the server was started with --api-key." } },
        },
    })
}
