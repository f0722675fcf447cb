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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value as Json};

use super::Files;
use crate::ir::{
    Billed, Domain, ErrorClass, Expect, Location, Method, Operation, Param, ParamType, Position,
    ProfileParam,
};

/// The domain's exported OpenAPI document.
pub fn emit(domain: &Domain) -> Result<Files, String> {
    let doc = document(domain, &crate::workspace_root())?;
    let text =
        serde_json::to_string_pretty(&doc).map_err(|e| format!("{}: openapi: {e}", domain.name))?;
    let path = PathBuf::from("crates")
        .join(&domain.crate_name)
        .join("openapi.json");
    Ok(Files::from([(path, text + "\n")]))
}

fn document(domain: &Domain, root: &Path) -> Result<Json, String> {
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
            operation(domain, op, &schemes, root).map_err(|e| fail(format!("{}: {e}", op.name)))?;
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
    if !domain.session_profile.is_empty() {
        let params = domain
            .session_profile
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
        ErrorClass::Permission => "permission",
        ErrorClass::Quota => "quota",
        ErrorClass::RateLimited => "rate_limited",
        ErrorClass::Retryable => "retryable",
        ErrorClass::Server => "server",
        ErrorClass::Blocked => "blocked",
        ErrorClass::Other => "other",
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Security

/// One place a credential is sent.
struct Scheme {
    id: String,
    scheme: Json,
}

/// Security schemes keyed by (credential, location, wire name), in order of first use.
fn security_schemes(
    domain: &Domain,
) -> Result<BTreeMap<(String, Location, String), Scheme>, String> {
    let mut uses: Vec<(String, Location, String)> = Vec::new();
    for p in domain.operations.iter().flat_map(|o| &o.params) {
        if let Some(c) = &p.credential {
            let key = (c.clone(), p.location, p.wire.clone());
            if p.location == Location::Form {
                return Err(format!("credential `{c}` is sent as a form field, which OpenAPI security cannot express"));
            }
            if !uses.contains(&key) {
                uses.push(key);
            }
        }
    }
    let mut out = BTreeMap::new();
    for key in &uses {
        let (cred, loc, wire) = key;
        let same_cred: Vec<_> = uses.iter().filter(|(c, _, _)| c == cred).collect();
        let same_loc = same_cred.iter().filter(|(_, l, _)| l == loc).count();
        let id = if same_cred.len() == 1 {
            cred.clone()
        } else if same_loc == 1 {
            format!("{cred}_{}", location_name(*loc))
        } else {
            format!("{cred}_{}_{}", location_name(*loc), wire.replace('-', "_"))
        };
        let mut desc = domain
            .credentials
            .iter()
            .find(|c| &c.name == cred)
            .and_then(|c| c.doc.clone())
            .unwrap_or_default()
            .trim_end()
            .to_owned();
        if *loc == Location::Header && wire.eq_ignore_ascii_case("cookie") {
            if !desc.is_empty() {
                desc.push_str("\n\n");
            }
            desc.push_str(
                "Sent as the whole `cookie` request header (the browser's cookie string, `a=1; b=2; ...`), not as \
                 one named cookie.",
            );
        }
        let mut scheme = Map::new();
        scheme.insert("type".into(), json!("apiKey"));
        if !desc.is_empty() {
            scheme.insert("description".into(), json!(desc));
        }
        scheme.insert("name".into(), json!(wire_name(*loc, wire)));
        scheme.insert("in".into(), json!(location_name(*loc)));
        out.insert(
            key.clone(),
            Scheme {
                id,
                scheme: Json::Object(scheme),
            },
        );
    }
    Ok(out)
}

/// The name of a parameter as exported: header names in lower case (HTTP/2's spelling; generators such as
/// progenitor build `HeaderName`s from static strings, which must be lower case).
fn wire_name(l: Location, wire: &str) -> String {
    match l {
        Location::Header => wire.to_ascii_lowercase(),
        _ => wire.to_owned(),
    }
}

fn location_name(l: Location) -> &'static str {
    match l {
        Location::Query => "query",
        Location::Header => "header",
        Location::Form => "form",
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Operations

fn operation(
    domain: &Domain,
    op: &Operation,
    schemes: &BTreeMap<(String, Location, String), Scheme>,
    root: &Path,
) -> Result<Json, String> {
    let mut out = Map::new();
    out.insert("operationId".into(), json!(op.name));
    out.insert("summary".into(), json!(op.summary.trim()));
    out.insert("description".into(), json!(op_description(op)));

    let has_body = op
        .params
        .iter()
        .any(|p| p.location == Location::Form && p.is_user());
    let mut parameters = Vec::new();
    for wp in wire_order(domain, op) {
        match wp {
            WireParam::Profile(p) => {
                parameters.push(json!({ "$ref": format!("#/components/parameters/{}", p.name) }));
            }
            WireParam::Op(p) => {
                if p.credential.is_some() || p.location == Location::Form {
                    continue;
                }
                // The request body's media type already says it; a second content-type would clash.
                if has_body
                    && p.location == Location::Header
                    && p.wire.eq_ignore_ascii_case("content-type")
                {
                    continue;
                }
                parameters.push(parameter(domain, p)?);
            }
        }
    }
    if !parameters.is_empty() {
        out.insert("parameters".into(), Json::Array(parameters));
    }
    if has_body {
        out.insert("requestBody".into(), request_body(domain, op)?);
    }
    out.insert(
        "responses".into(),
        json!({ "200": response(domain, op, root)? }),
    );

    let mut requirement = Map::new();
    for p in &op.params {
        if let Some(c) = &p.credential {
            let s = &schemes[&(c.clone(), p.location, p.wire.clone())];
            requirement.insert(s.id.clone(), json!([]));
        }
    }
    if !requirement.is_empty() {
        out.insert("security".into(), json!([requirement]));
    }
    if let Some(pg) = &op.pagination {
        out.insert(
            "x-pagination".into(),
            json!({
                "cursor_param": pg.spec.cursor_param,
                "next_cursor": pg.spec.next_cursor,
                "has_more": pg.spec.has_more,
                "items": pg.spec.items,
                "item_type": pg.item_type,
            }),
        );
    }
    if let Some(r) = &op.referer {
        out.insert("x-referer".into(), json!(r));
    }
    if let Some(s) = &op.scope {
        out.insert("x-scope".into(), json!(s));
    }
    Ok(Json::Object(out))
}

fn op_description(op: &Operation) -> String {
    let mut s = op.doc_zh.clone().unwrap_or_default().trim_end().to_owned();
    let mut push = |para: String| {
        if !s.is_empty() {
            s.push_str("\n\n");
        }
        s.push_str(&para);
    };
    if let Some(scope) = &op.scope {
        push(format!("Scope: `{scope}`."));
    }
    if let Some(r) = &op.referer {
        push(format!(
            "Sent with `referer: {r}` (`{{name}}` filled from the parameter of that name)."
        ));
    }
    if !op.notes.is_empty() {
        let notes: Vec<String> = op.notes.iter().map(|n| format!("- {}", n.trim())).collect();
        push(format!("Notes:\n\n{}", notes.join("\n")));
    }
    s
}

enum WireParam<'a> {
    Profile(&'a ProfileParam),
    Op(&'a Param),
}

/// Parameters in the order the client sends them: the session profile's `first` entries before the operation's
/// own parameters, its `last` entries before the domain's trailing common parameters (as `client.rs` does).
fn wire_order<'a>(domain: &'a Domain, op: &'a Operation) -> Vec<WireParam<'a>> {
    let profile = |pos: Position| {
        domain
            .session_profile
            .iter()
            .filter(move |p| p.position == pos)
            .map(WireParam::Profile)
    };
    let mut out = Vec::new();
    let session = !domain.session_profile.is_empty();
    let (mut first_done, mut last_done) = (!session, !session);
    for p in &op.params {
        if !first_done && p.common != Some(Position::First) {
            out.extend(profile(Position::First));
            first_done = true;
        }
        if !last_done && p.common == Some(Position::Last) {
            out.extend(profile(Position::Last));
            last_done = true;
        }
        out.push(WireParam::Op(p));
    }
    if !first_done {
        out.extend(profile(Position::First));
    }
    if !last_done {
        out.extend(profile(Position::Last));
    }
    out
}

fn profile_parameter(p: &ProfileParam) -> Json {
    let mut desc = p.doc.clone().unwrap_or_default().trim_end().to_owned();
    if !desc.is_empty() {
        desc.push_str("\n\n");
    }
    desc.push_str("Browser profile (session.profile), sent on every request; it must agree with the user agent.");
    json!({
        "name": p.name,
        "in": "query",
        "description": desc,
        "required": false,
        "schema": { "type": "string", "default": p.value },
        "example": p.value,
    })
}

fn parameter(domain: &Domain, p: &Param) -> Result<Json, String> {
    let mut out = Map::new();
    out.insert("name".into(), json!(wire_name(p.location, &p.wire)));
    out.insert("in".into(), json!(location_name(p.location)));
    if let Some(d) = &p.doc {
        out.insert("description".into(), json!(d.trim_end()));
    }
    if let Some(c) = &p.constant {
        out.insert("required".into(), json!(true));
        out.insert("schema".into(), json!({ "type": "string", "enum": [c] }));
        out.insert("example".into(), json!(c));
        return Ok(Json::Object(out));
    }
    out.insert("required".into(), json!(p.required));
    if p.encoding.is_some() {
        let (schema, example, content) = json_text(domain, p)?;
        out.insert("schema".into(), schema);
        if let Some(e) = example {
            out.insert("example".into(), e);
        }
        out.insert("x-content".into(), content);
    } else {
        out.insert("schema".into(), param_schema(domain, p)?);
        if let Some(e) = &p.example {
            out.insert("example".into(), e.clone());
        }
    }
    Ok(Json::Object(out))
}

/// A value sent as compact JSON text (`encoding: json`): on the wire a string, so that is its schema, and its
/// example the JSON text. The standard OpenAPI forms for it (a parameter's `content`, a form body's `encoding`) are
/// rejected by common generators (progenitor), so the structured schema travels as `x-content`, shaped like the
/// standard `content` map, for consumers that want it.
fn json_text(domain: &Domain, p: &Param) -> Result<(Json, Option<Json>, Json), String> {
    let structured = param_schema(domain, p)?;
    let mut media = Map::new();
    media.insert("schema".into(), structured);
    if let Some(e) = &p.example {
        media.insert("example".into(), e.clone());
    }
    let schema = json!({ "type": "string", "description": "Compact JSON text; its schema is in `x-content`." });
    let example = p.example.as_ref().map(|e| json!(e.to_string()));
    Ok((schema, example, json!({ "application/json": media })))
}

/// A parameter's schema: named types by reference, integers 64-bit, bounds and the client's default.
fn param_schema(domain: &Domain, p: &Param) -> Result<Json, String> {
    let mut s = type_schema(domain, &p.ty, &p.schema)?;
    if let Some(d) = &p.default {
        if s.get("$ref").is_some() {
            s = json!({ "allOf": [s] });
        }
        s["default"] = d.clone();
    }
    Ok(s)
}

fn type_schema(domain: &Domain, ty: &ParamType, spec: &Json) -> Result<Json, String> {
    Ok(match ty {
        ParamType::String => json!({ "type": "string" }),
        ParamType::Boolean => json!({ "type": "boolean" }),
        ParamType::Integer => {
            let mut s = json!({ "type": "integer", "format": "int64" });
            for k in ["minimum", "maximum"] {
                if let Some(v) = spec.get(k) {
                    s[k] = v.clone();
                }
            }
            s
        }
        ParamType::Named(n) => {
            if !domain.definitions.contains_key(n) {
                return Err(format!("parameter type `{n}` has no definition"));
            }
            json!({ "$ref": format!("#/components/schemas/{n}") })
        }
        ParamType::List(inner) => {
            let items = spec.get("items").cloned().unwrap_or(json!({}));
            json!({ "type": "array", "items": type_schema(domain, inner, &items)? })
        }
    })
}

fn request_body(domain: &Domain, op: &Operation) -> Result<Json, String> {
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut example = Map::new();
    for p in op.params.iter().filter(|p| p.location == Location::Form) {
        let mut ex = p
            .constant
            .as_ref()
            .map(|c| json!(c))
            .or_else(|| p.example.clone());
        let mut s = match (&p.constant, p.encoding) {
            (Some(c), _) => json!({ "type": "string", "enum": [c] }),
            (None, Some(_)) => {
                let (mut s, example, content) = json_text(domain, p)?;
                s["x-content"] = content;
                ex = example;
                s
            }
            (None, None) => param_schema(domain, p)?,
        };
        if let Some(d) = &p.doc {
            if s.get("$ref").is_some() {
                s = json!({ "allOf": [s] });
            }
            let d = match s.get("description").and_then(Json::as_str) {
                Some(more) => format!("{}\n\n{more}", d.trim_end()),
                None => d.trim_end().to_owned(),
            };
            s["description"] = json!(d);
        }
        props.insert(p.wire.clone(), s);
        if p.required || p.constant.is_some() {
            required.push(json!(p.wire));
        }
        if let Some(e) = ex {
            example.insert(p.wire.clone(), e);
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Json::Object(props));
    if !required.is_empty() {
        schema.insert("required".into(), Json::Array(required.clone()));
    }
    let mut media = Map::new();
    media.insert("schema".into(), Json::Object(schema));
    if !example.is_empty() {
        media.insert("example".into(), Json::Object(example));
    }
    Ok(json!({
        "required": !required.is_empty(),
        "content": { "application/x-www-form-urlencoded": media },
    }))
}

fn response(domain: &Domain, op: &Operation, root: &Path) -> Result<Json, String> {
    let mut media = Map::new();
    media.insert(
        "schema".into(),
        json!({ "$ref": format!("#/components/schemas/{}", op.response_type) }),
    );
    let mut examples = Map::new();
    for ex in &op.examples {
        let text = std::fs::read_to_string(root.join(&ex.file))
            .map_err(|e| format!("{}: {e}", ex.file.display()))?;
        let value: Json =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", ex.file.display()))?;
        let stem = ex
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let key = stem
            .strip_prefix(&format!("{}.", op.name))
            .unwrap_or(&stem)
            .to_owned();
        let mut e = Map::new();
        match &ex.expect {
            Expect::Ok => {
                e.insert(
                    "summary".into(),
                    json!(format!("Success (decodes to {})", op.response_type)),
                );
            }
            Expect::ApiError(code) => {
                let known = domain.errors.iter().find(|e| &e.code == code);
                let summary = match known {
                    Some(k) => format!("API error {code} ({}: {})", k.name, k.meaning),
                    None => format!("API error {code}"),
                };
                e.insert("summary".into(), json!(summary));
            }
            Expect::Artifact { path, .. } => {
                e.insert(
                    "summary".into(),
                    json!(format!(
                        "Documentation artifact: does not decode at `{path}`"
                    )),
                );
            }
        }
        let mut description = format!("Documented in {}.", ex.source.trim());
        if let Expect::Artifact { reason, .. } = &ex.expect {
            description = format!("{}\n\n{description}", reason.trim());
        }
        e.insert("description".into(), json!(description));
        e.insert("value".into(), value);
        if examples.insert(key.clone(), Json::Object(e)).is_some() {
            return Err(format!("two examples are named `{key}`"));
        }
    }
    if !examples.is_empty() {
        media.insert("examples".into(), Json::Object(examples));
    }
    let description = format!(
        "The body ({}); HTTP 200 also carries API errors, which the envelope reports.",
        op.response_type
    );
    Ok(json!({ "description": description, "content": { "application/json": media } }))
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

/// Component schemas translated from the typify form, with titled inline objects hoisted.
struct Components<'a> {
    definitions: &'a BTreeMap<String, Json>,
    done: BTreeMap<String, Json>,
    /// Definitions being translated (a recursive reference stays inline).
    in_progress: Vec<String>,
}

impl<'a> Components<'a> {
    fn new(definitions: &'a BTreeMap<String, Json>) -> Self {
        Components {
            definitions,
            done: BTreeMap::new(),
            in_progress: Vec::new(),
        }
    }

    /// Translates definition `name` into `done` (once).
    fn define(&mut self, name: &str) -> Result<(), String> {
        if self.done.contains_key(name) || self.in_progress.iter().any(|n| n == name) {
            return Ok(());
        }
        let def = self.definitions[name].clone();
        self.in_progress.push(name.to_owned());
        let s = self.translate(&def, true)?;
        self.in_progress.pop();
        self.done.insert(name.to_owned(), s);
        Ok(())
    }

    /// One typify-form schema in OpenAPI 3.0 form. `root`: the schema is a component itself (not hoisted again).
    fn translate(&mut self, s: &Json, root: bool) -> Result<Json, String> {
        let Some(obj) = s.as_object() else {
            return Err(format!("schema is not an object: {s}"));
        };
        if let Some(r) = obj.get("$ref").and_then(Json::as_str) {
            let name = r
                .strip_prefix("#/definitions/")
                .ok_or_else(|| format!("unexpected $ref {r}"))?;
            if !self.definitions.contains_key(name) {
                return Err(format!("dangling $ref {r}"));
            }
            return Ok(json!({ "$ref": format!("#/components/schemas/{name}") }));
        }
        let mut out = Map::new();
        if let Some(t) = obj.get("title") {
            out.insert("title".into(), t.clone());
        }
        if let Some(d) = obj.get("description") {
            out.insert("description".into(), d.clone());
        }
        if let Some(rt) = obj.get("x-rust-type") {
            match rt.get("path").and_then(Json::as_str) {
                // Any JSON value, kept raw.
                Some("douyin_core::RawJson") => {}
                // A string or a number, re-encoded as read.
                // A JSON number, integer or fraction, re-encoded as read.
                Some("douyin_core::Number") => {
                    out.insert("type".into(), json!("number"));
                }
                Some("douyin_core::StrOrNum") => {
                    out.insert(
                        "oneOf".into(),
                        json!([{ "type": "string" }, { "type": "number" }]),
                    );
                }
                _ => return Err(format!("unknown x-rust-type {rt}")),
            }
            return Ok(Json::Object(out));
        }
        let ty = match obj.get("type") {
            Some(Json::String(t)) => t.as_str(),
            // Arrays are `[array, null]` in the typify form; properties admit null here (see `nullable`).
            Some(Json::Array(ts)) if ts.len() == 2 && ts.contains(&json!("null")) => ts
                .iter()
                .filter_map(Json::as_str)
                .find(|t| *t != "null")
                .unwrap_or_default(),
            other => return Err(format!("unsupported type {other:?}")),
        };
        match ty {
            "object" => {
                let mut props = Map::new();
                if let Some(p) = obj.get("properties").and_then(Json::as_object) {
                    for (k, v) in p {
                        props.insert(k.clone(), nullable(self.translate(v, false)?));
                    }
                }
                out.insert("type".into(), json!("object"));
                out.insert("properties".into(), Json::Object(props));
                // Unknown fields are kept on decode and written back on encode.
                out.insert("additionalProperties".into(), json!(true));
            }
            "array" => {
                out.insert("type".into(), json!("array"));
                let items = obj.get("items").cloned().unwrap_or(json!({}));
                out.insert("items".into(), self.translate(&items, false)?);
            }
            "integer" => {
                out.insert("type".into(), json!("integer"));
                out.insert("format".into(), json!("int64"));
            }
            "number" => {
                out.insert("type".into(), json!("number"));
            }
            "string" | "boolean" => {
                out.insert("type".into(), json!(ty));
                if let Some(e) = obj.get("enum") {
                    out.insert("enum".into(), e.clone());
                }
            }
            other => return Err(format!("unsupported type `{other}`")),
        }
        let out = Json::Object(out);
        if root || ty != "object" {
            return Ok(out);
        }
        // A titled inline object: a named component, unless the name is taken by a different schema.
        let Some(title) = obj.get("title").and_then(Json::as_str) else {
            return Ok(out);
        };
        if self.definitions.contains_key(title) {
            self.define(title)?;
            if self.done.get(title) != Some(&out) {
                return Ok(out);
            }
        } else {
            match self.done.get(title) {
                Some(existing) if existing != &out => return Ok(out),
                Some(_) => {}
                None => {
                    self.done.insert(title.to_owned(), out);
                }
            }
        }
        Ok(json!({ "$ref": format!("#/components/schemas/{title}") }))
    }
}

/// A property's schema that also admits `null`: the services send `null` for absent fields, and the SDK reads a
/// `null` property as absent. A `$ref` cannot carry siblings in OpenAPI 3.0, so it is wrapped in `allOf`; `{}`
/// already admits `null`.
fn nullable(s: Json) -> Json {
    let Json::Object(mut obj) = s else { return s };
    if obj.contains_key("$ref") {
        return json!({ "allOf": [Json::Object(obj)], "nullable": true });
    }
    if obj.contains_key("type") || obj.contains_key("oneOf") {
        obj.insert("nullable".into(), json!(true));
    }
    Json::Object(obj)
}
