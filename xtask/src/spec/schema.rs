//! JSON Schema handling for specs: keyword checks, `$ref` resolution, the typify form, and example checking.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use serde_json::{json, Map, Value as Json};

use super::load::{Loaded, SourceMap, SpecError};

const KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "items",
    "enum",
    "description",
    "title",
    "$ref",
    "x-required",
    "minimum",
    "maximum",
];
const TYPES: &[&str] = &["object", "array", "string", "integer", "number", "boolean"];

/// The shared schema files of a domain, by file name.
pub struct Schemas<'a> {
    pub files: &'a BTreeMap<String, Loaded<Json>>,
}

impl Schemas<'_> {
    /// The file a `$ref` names (`schemas/x.yaml`, `./schemas/x.yaml` or `x.yaml`).
    pub fn file_of(&self, reference: &str) -> Option<&str> {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        self.files.get_key_value(name).map(|(k, _)| k.as_str())
    }

    /// The Rust type name of a shared schema file: its `title`, else its file stem in PascalCase.
    pub fn type_name(&self, file: &str) -> String {
        let loaded = &self.files[file];
        match loaded.value.get("title").and_then(Json::as_str) {
            Some(t) => t.to_owned(),
            None => file.trim_end_matches(".yaml").to_upper_camel_case(),
        }
    }

    /// Checks keywords, types and references of `schema`, which sits at `at` in the file `map` describes.
    pub fn check(
        &self,
        schema: &Json,
        map: &SourceMap,
        at: &[String],
        errors: &mut Vec<SpecError>,
    ) {
        let here: Vec<&str> = at.iter().map(String::as_str).collect();
        let Some(obj) = schema.as_object() else {
            errors.push(map.error(&here, "a schema must be a mapping"));
            return;
        };
        for key in obj.keys() {
            if !KEYWORDS.contains(&key.as_str()) {
                let mut p = here.clone();
                p.push(key);
                errors.push(map.error(&p, format!("unknown schema keyword `{key}`")));
            }
        }
        if let Some(r) = obj.get("$ref") {
            let ok = r.as_str().and_then(|r| self.file_of(r)).is_some();
            if !ok {
                let mut p = here.clone();
                p.push("$ref");
                errors.push(map.error(
                    &p,
                    format!("dangling $ref {r}: no such file under schemas/"),
                ));
            }
        }
        match obj.get("type") {
            None => {}
            Some(Json::String(t)) if TYPES.contains(&t.as_str()) => {}
            Some(Json::Array(ts))
                if ts.len() == 2
                    && ts.contains(&json!("string"))
                    && (ts.contains(&json!("number")) || ts.contains(&json!("integer"))) => {}
            Some(other) => {
                let mut p = here.clone();
                p.push("type");
                errors.push(map.error(&p, format!("unsupported type {other}")));
            }
        }
        if let Some(props) = obj.get("properties") {
            match props.as_object() {
                Some(props) => {
                    for (name, sub) in props {
                        let mut p = at.to_vec();
                        p.extend(["properties".to_owned(), name.clone()]);
                        self.check(sub, map, &p, errors);
                    }
                }
                None => errors.push(map.error(&here, "`properties` must be a mapping")),
            }
        }
        if let Some(items) = obj.get("items") {
            let mut p = at.to_vec();
            p.push("items".to_owned());
            self.check(items, map, &p, errors);
        }
        if obj.get("type") == Some(&json!("array")) && !obj.contains_key("items") {
            errors.push(map.error(&here, "an array schema needs `items`"));
        }
    }

    /// `schema` with every `$ref` replaced by the schema it names.
    pub fn inline(&self, schema: &Json) -> Json {
        match schema {
            Json::Object(obj) => {
                if let Some(file) = obj
                    .get("$ref")
                    .and_then(Json::as_str)
                    .and_then(|r| self.file_of(r))
                {
                    let mut target = self.inline(&self.files[file].value);
                    if let (Some(t), Some(d)) = (target.as_object_mut(), obj.get("description")) {
                        t.insert("description".into(), d.clone());
                    }
                    return target;
                }
                Json::Object(
                    obj.iter()
                        .map(|(k, v)| (k.clone(), self.inline(v)))
                        .collect(),
                )
            }
            Json::Array(a) => Json::Array(a.iter().map(|v| self.inline(v)).collect()),
            other => other.clone(),
        }
    }

    /// `schema` in the form typify reads: `$ref`s point at `#/definitions/<Type>`, every property optional, arrays
    /// nullable, `{}` raw JSON, two-typed fields `StrOrNum`, integers 64-bit.
    pub fn typify_form(&self, schema: &Json) -> Json {
        let Some(obj) = schema.as_object() else {
            return schema.clone();
        };
        if let Some(file) = obj
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| self.file_of(r))
        {
            return json!({ "$ref": format!("#/definitions/{}", self.type_name(file)) });
        }
        let described = |mut out: Map<String, Json>| {
            let mut doc = obj
                .get("description")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_owned();
            if obj.get("x-required") == Some(&json!(true)) {
                if !doc.is_empty() {
                    doc.push(' ');
                }
                doc.push_str("(Documented as required.)");
            }
            if !doc.is_empty() {
                out.insert("description".into(), Json::String(doc));
            }
            if let Some(t) = obj.get("title") {
                out.insert("title".into(), t.clone());
            }
            Json::Object(out)
        };
        let core_type = |path: &str| json!({ "x-rust-type": { "crate": "douyin-core", "version": "*", "path": path } });
        let empty_object = obj.get("type") == Some(&json!("object"))
            && obj
                .get("properties")
                .and_then(Json::as_object)
                .is_none_or(Map::is_empty);
        match obj.get("type") {
            // Nothing known about it: keep the raw JSON text.
            _ if empty_object || obj.get("type").is_none() => {
                let mut out = core_type("douyin_core::RawJson");
                if let Some(d) = obj.get("description") {
                    out["description"] = d.clone();
                }
                out
            }
            Some(Json::Array(_)) => {
                let mut out = core_type("douyin_core::StrOrNum");
                if let Some(d) = obj.get("description") {
                    out["description"] = d.clone();
                }
                out
            }
            Some(Json::String(t)) => {
                let mut out = Map::new();
                match t.as_str() {
                    "object" => {
                        out.insert("type".into(), json!("object"));
                        let props: Map<String, Json> = obj
                            .get("properties")
                            .and_then(Json::as_object)
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), self.typify_form(v)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert("properties".into(), Json::Object(props));
                    }
                    "array" => {
                        out.insert("type".into(), json!(["array", "null"]));
                        let items = obj
                            .get("items")
                            .map(|i| self.typify_form(i))
                            .unwrap_or(json!({}));
                        out.insert("items".into(), items);
                    }
                    "integer" => {
                        out.insert("type".into(), json!("integer"));
                        out.insert("format".into(), json!("int64"));
                    }
                    // serde_json's Number keeps `1` and `1.5` apart, so re-encoding gives back what was read.
                    "number" => {
                        return described(
                            core_type("douyin_core::Number")
                                .as_object()
                                .unwrap()
                                .clone(),
                        )
                    }
                    other => {
                        out.insert("type".into(), json!(other));
                        if let Some(e) = obj.get("enum") {
                            out.insert("enum".into(), e.clone());
                        }
                    }
                }
                described(out)
            }
            _ => schema.clone(),
        }
    }
}

/// Checks `value` against an inlined spec schema the way the generated types decode it; returns the path of the
/// first field (in document order) that does not fit, and why.
pub fn first_mismatch(schema: &Json, value: &Json) -> Option<(String, String)> {
    fn walk(schema: &Json, value: &Json, path: &mut Vec<String>) -> Option<String> {
        if value.is_null() {
            return None;
        }
        let ty = schema.get("type");
        let fits = match ty {
            None => true,
            Some(Json::Array(_)) => value.is_string() || value.is_number(),
            Some(Json::String(t)) => match t.as_str() {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => {
                    value.is_i64() || (value.is_u64() && value.as_u64() <= Some(i64::MAX as u64))
                }
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                _ => true,
            },
            Some(_) => true,
        };
        if !fits {
            let expected = ty.map(|t| t.to_string()).unwrap_or_default();
            return Some(format!("expected {expected}, found {value}"));
        }
        match value {
            Json::Object(fields) => {
                let props = schema.get("properties").and_then(Json::as_object)?;
                for (k, v) in fields {
                    if let Some(sub) = props.get(k) {
                        path.push(k.clone());
                        if let Some(e) = walk(sub, v, path) {
                            return Some(e);
                        }
                        path.pop();
                    }
                }
                None
            }
            Json::Array(items) => {
                let sub = schema.get("items")?;
                for (i, v) in items.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    if let Some(e) = walk(sub, v, path) {
                        return Some(e);
                    }
                    path.pop();
                }
                None
            }
            _ => None,
        }
    }
    let mut path = Vec::new();
    let why = walk(schema, value, &mut path)?;
    let joined = path.join(".").replace(".[", "[");
    Some((
        if joined.is_empty() {
            ".".to_owned()
        } else {
            joined
        },
        why,
    ))
}

/// The value at a dot-separated path, if present and not null.
pub fn lookup<'v>(value: &'v Json, paths: &[String]) -> Option<&'v Json> {
    paths.iter().find_map(|p| {
        p.split('.')
            .try_fold(value, |v, seg| v.get(seg))
            .filter(|v| !v.is_null())
    })
}
