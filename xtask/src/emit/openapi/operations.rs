//! OpenAPI operations: parameters in wire order, request bodies, responses with the documented examples.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

use super::security::{location_name, wire_name, Scheme};
use crate::ir::{Domain, Expect, Location, Operation, Param, ParamType, ProfileParam, Slot};

pub(super) fn operation(
    domain: &Domain,
    op: &Operation,
    schemes: &BTreeMap<(String, Location, String), Scheme>,
) -> Result<Json, String> {
    let mut out = Map::new();
    out.insert("operationId".into(), json!(op.name));
    out.insert("summary".into(), json!(op.summary.trim()));
    out.insert("description".into(), json!(op_description(op)));

    let has_body = op.params.iter().any(|p| p.location.in_body());
    let mut parameters = Vec::new();
    for wp in wire_order(domain, op) {
        match wp {
            WireParam::Profile(p) => {
                parameters.push(json!({ "$ref": format!("#/components/parameters/{}", p.name) }));
            }
            WireParam::Op(p) => {
                if p.credential.is_some() || p.location.in_body() {
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
    out.insert("responses".into(), json!({ "200": response(domain, op)? }));

    let mut requirement = Map::new();
    for p in &op.params {
        if let Some(c) = p.credential.as_ref().filter(|_| !p.location.in_body()) {
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
        out.insert("x-referer".into(), json!(r.template));
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
            "Sent with `referer: {}` (`{{name}}` filled from the parameter of that name).",
            r.template
        ));
    }
    if !op.notes.is_empty() {
        let notes: Vec<String> = op.notes.iter().map(|n| format!("- {}", n.trim())).collect();
        push(format!("Notes:\n\n{}", notes.join("\n")));
    }
    s
}

pub(super) enum WireParam<'a> {
    Profile(&'a ProfileParam),
    Op(&'a Param),
}

/// Parameters in the order the client sends them ([`crate::ir::Operation::slots`]), profile entries expanded.
fn wire_order<'a>(domain: &'a Domain, op: &'a Operation) -> Vec<WireParam<'a>> {
    let mut out = Vec::new();
    for slot in op.slots(!domain.session_profile().is_empty()) {
        match slot {
            Slot::Param(p) => out.push(WireParam::Op(p)),
            Slot::Session(pos) => out.extend(
                domain
                    .session_profile()
                    .iter()
                    .filter(|p| p.position == pos)
                    .map(WireParam::Profile),
            ),
        }
    }
    out
}

pub(super) fn profile_parameter(p: &ProfileParam) -> Json {
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
    let media_type = if op.params.iter().any(|p| p.location == Location::Json) {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut example = Map::new();
    for p in op.params.iter().filter(|p| p.location.in_body()) {
        let json_constant = p.json_constant();
        let mut ex = json_constant
            .clone()
            .or_else(|| p.constant.as_ref().map(|c| json!(c)))
            .or_else(|| p.example.clone());
        let mut s = match (&p.constant, p.encoding) {
            // A number, boolean or object constant of a JSON body: its own type; an object cannot be an enum value
            // for the tools that read the document, so it is an extension there.
            (Some(_), _) if json_constant.is_some() => match json_constant.clone() {
                Some(v @ Json::Object(_)) => json!({ "type": "object", "x-const": v }),
                Some(v) => json!({ "type": param_schema(domain, p)?["type"], "enum": [v] }),
                None => unreachable!("matched on is_some"),
            },
            (Some(c), _) => json!({ "type": "string", "enum": [c] }),
            // A secret in the body (client secret, code, refresh token): write-only, shown masked by tools.
            _ if p.credential.is_some() => json!({
                "type": "string",
                "format": "password",
                "writeOnly": true,
                "x-credential": p.credential,
            }),
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
        "content": { media_type: media },
    }))
}

fn response(domain: &Domain, op: &Operation) -> Result<Json, String> {
    let mut media = Map::new();
    media.insert(
        "schema".into(),
        json!({ "$ref": format!("#/components/schemas/{}", op.response_type) }),
    );
    let mut examples = Map::new();
    for ex in &op.examples {
        let (key, value) = (ex.key.clone(), ex.value.clone());
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
