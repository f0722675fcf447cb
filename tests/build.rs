//! Generates a progenitor client (builder style) from the OpenAPI document `douyin serve` serves at `/openapi.json`
//! (`crates/douyin-cli/src/generated/serve_openapi.json`, which `e2e_serve.rs` checks is byte for byte what the
//! server answers) into `OUT_DIR/serve_client.rs`, as progenitor's `generate_api!` would; its macro is not used so
//! progenitor keeps `default-features = false`.
//!
//! The document is OpenAPI 3.1 and progenitor reads only 3.0. The generator writes it within the part of 3.1 that
//! 3.0 reads the same way, so the client is generated from the document as served, its version aside — after
//! checking that claim here: a 3.1-only construct fails the build, naming where it is.

use std::path::PathBuf;

use serde_json::Value;

fn main() {
    let doc = "../crates/douyin-cli/src/generated/serve_openapi.json";
    println!("cargo:rerun-if-changed={doc}");
    let text = std::fs::read_to_string(doc).expect("the served document");
    let mut value: Value = serde_json::from_str(&text).expect("the served document is JSON");
    assert_eq!(
        value["openapi"], "3.1.0",
        "{doc}: the served document's version"
    );
    if let Some(at) = only_in_31(&value, "") {
        panic!(
            "{doc}: {at} is OpenAPI 3.1 only; 3.0 readers (progenitor) would read it differently"
        );
    }
    value["openapi"] = "3.0.3".into();
    let spec: openapiv3::OpenAPI = serde_json::from_value(value).expect("an OpenAPI 3.0 document");
    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Builder);
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .expect("progenitor generates a client for the served document");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("serve_client.rs");
    std::fs::write(out, tokens.to_string()).expect("OUT_DIR is writable");
}

/// Keywords of OpenAPI 3.1 (and its JSON Schema 2020-12) that 3.0 lacks or reads differently.
const ONLY_IN_31: &[&str] = &[
    "webhooks",
    "jsonSchemaDialect",
    "$schema",
    "$defs",
    "$id",
    "const",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "contentMediaType",
    "contentEncoding",
    "if",
    "then",
    "else",
    "pathItems",
];

/// The JSON pointer of the first 3.1-only construct in `value` (at `at`), if any: a keyword above, a list of types,
/// a schema's `examples` list, or a numeric `exclusiveMinimum`/`exclusiveMaximum` (a flag in 3.0).
fn only_in_31(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| only_in_31(v, &format!("{at}/{i}"))),
        Value::Object(map) => map.iter().find_map(|(key, v)| {
            let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
            let names = matches!(
                at.rsplit('/').next(),
                Some("properties" | "paths" | "schemas" | "responses")
            );
            if names {
                // `key` names a property, path, schema or status here, whatever it spells.
                return only_in_31(v, &here);
            }
            let bad = ONLY_IN_31.contains(&key.as_str())
                || (key == "type" && v.is_array())
                || (key == "examples" && v.is_array())
                || (key.starts_with("exclusiveM") && v.is_number());
            if bad {
                Some(here)
            } else {
                only_in_31(v, &here)
            }
        }),
        _ => None,
    }
}
