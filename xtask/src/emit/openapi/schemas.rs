//! OpenAPI component schemas, translated back from the typify form of the domain's definitions.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

/// Component schemas translated from the typify form, with titled inline objects hoisted.
pub(super) struct Components<'a> {
    pub(super) definitions: &'a BTreeMap<String, Json>,
    pub(super) done: BTreeMap<String, Json>,
    /// Definitions being translated (a recursive reference stays inline).
    pub(super) in_progress: Vec<String>,
}

impl<'a> Components<'a> {
    pub(super) fn new(definitions: &'a BTreeMap<String, Json>) -> Self {
        Components {
            definitions,
            done: BTreeMap::new(),
            in_progress: Vec::new(),
        }
    }

    /// Translates definition `name` into `done` (once).
    pub(super) fn define(&mut self, name: &str) -> Result<(), String> {
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
    pub(super) fn translate(&mut self, s: &Json, root: bool) -> Result<Json, String> {
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
            // A document that defines only some schemas (the webhooks') still holds all they refer to.
            self.define(name)?;
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

/// `schema` (a component translated above, in OpenAPI 3.0 form) in OpenAPI 3.1 form: `nullable` is not a keyword
/// of 3.1, whose schemas admit `null` by listing it as a type (or as an alternative to a `$ref`).
pub(super) fn to_31(schema: &mut Json) {
    match schema {
        Json::Object(obj) => {
            if obj.remove("nullable") == Some(json!(true)) {
                if let Some(Json::String(t)) = obj.get("type") {
                    let t = t.clone();
                    obj.insert("type".into(), json!([t, "null"]));
                } else if let Some(Json::Array(alternatives)) = obj.get_mut("oneOf") {
                    alternatives.push(json!({ "type": "null" }));
                } else if let Some(Json::Array(mut alternatives)) = obj.remove("allOf") {
                    alternatives.push(json!({ "type": "null" }));
                    obj.insert("anyOf".into(), Json::Array(alternatives));
                }
            }
            obj.values_mut().for_each(to_31);
        }
        Json::Array(items) => items.iter_mut().for_each(to_31),
        _ => {}
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
