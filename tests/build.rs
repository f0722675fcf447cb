//! Generates a progenitor client (builder style) from the OpenAPI document `douyin serve` serves at `/openapi.json`
//! (`crates/douyin-cli/src/generated/serve_openapi.json`, which `e2e_serve.rs` checks is byte for byte what the
//! server answers) into `OUT_DIR/serve_client.rs`, as progenitor's `generate_api!` would; its macro is not used so
//! progenitor keeps `default-features = false`.

use std::path::PathBuf;

fn main() {
    let doc = "../crates/douyin-cli/src/generated/serve_openapi.json";
    println!("cargo:rerun-if-changed={doc}");
    let text = std::fs::read_to_string(doc).expect("the served document");
    let spec: openapiv3::OpenAPI = serde_json::from_str(&text).expect("an OpenAPI 3.0 document");
    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Builder);
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .expect("progenitor generates a client for the served document");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("serve_client.rs");
    std::fs::write(out, tokens.to_string()).expect("OUT_DIR is writable");
}
