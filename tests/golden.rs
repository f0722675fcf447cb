//! Golden tests: every documented example of every spec, discovered from `specs/*/` at run time, so adding an
//! example to a spec adds a test here without touching Rust code.
//!
//! `expect: ok` decodes and re-encodes to the same JSON; `api_error: N` gives the typed API error with code N;
//! `artifact` fails to decode at the named path.

use std::path::Path;

use douyin_core::registry::OperationEntry;
use douyin_core::{DecodeMode, Error, ErrorCode};
use douyin_mock::{with_registry, RegistryVisitor};
use douyin_tests::{first_difference, workspace};
use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct OpSpec {
    name: String,
    #[serde(default)]
    examples: Vec<ExampleSpec>,
}

#[derive(Deserialize)]
struct ExampleSpec {
    file: String,
    expect: serde_yaml_ng::Value,
}

/// What decoding gave, independent of the domain's code type.
enum Outcome {
    Value(Value),
    Api(String),
    Decode(String, String),
    Other(String),
}

fn run<C: ErrorCode>(ops: &[OperationEntry<C>], name: &str, body: &[u8]) -> Outcome {
    let Some(op) = ops.iter().find(|o| o.name == name) else {
        return Outcome::Other(format!("no generated operation `{name}`"));
    };
    match (op.check)(body, DecodeMode::Strict) {
        Ok(v) => Outcome::Value(v.reencoded),
        Err(Error::Api(e)) => Outcome::Api(e.code.raw().to_owned()),
        Err(Error::Decode(d)) => Outcome::Decode(d.path.clone(), d.message.clone()),
        Err(other) => Outcome::Other(other.to_string()),
    }
}

/// Decodes with operation `op` of a domain's generated registry.
struct Decode<'a>(&'a str, &'a [u8]);

impl RegistryVisitor for Decode<'_> {
    type Output = Outcome;
    fn visit<C: ErrorCode>(self, ops: &'static [OperationEntry<C>]) -> Outcome {
        run(ops, self.0, self.1)
    }
}

fn decode(domain: &str, op: &str, body: &[u8]) -> Outcome {
    with_registry(domain, Decode(op, body))
        .unwrap_or_else(|| Outcome::Other(format!("domain `{domain}` has no generated crate")))
}

fn check(domain: &str, op: &str, file: &Path, expect: &serde_yaml_ng::Value) -> Result<(), Failed> {
    let text = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let outcome = decode(domain, op, &text);
    let want_api = expect.get("api_error").and_then(|c| c.as_str());
    let want_artifact = expect
        .get("artifact")
        .and_then(|a| a.get("path"))
        .and_then(|p| p.as_str());
    match (outcome, want_api, want_artifact) {
        (Outcome::Value(v), None, None) if expect.as_str() == Some("ok") => {
            let original: Value = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
            match first_difference(&original, &v) {
                None => Ok(()),
                Some(d) => Err(format!("re-encoding is not lossless at {d}").into()),
            }
        }
        (Outcome::Api(code), Some(want), _) if code == want => Ok(()),
        (Outcome::Decode(path, _), _, Some(want)) if path == want => Ok(()),
        (Outcome::Value(_), ..) => Err(format!("decoded, but the spec expects {expect:?}").into()),
        (Outcome::Api(code), ..) => {
            Err(format!("API error {code}, but the spec expects {expect:?}").into())
        }
        (Outcome::Decode(path, msg), ..) => {
            Err(format!("decode error at `{path}` ({msg}), but the spec expects {expect:?}").into())
        }
        (Outcome::Other(msg), ..) => Err(msg.into()),
    }
}

fn trials() -> Vec<Trial> {
    let specs = workspace().join("specs");
    let mut domains: Vec<_> = std::fs::read_dir(&specs)
        .expect("specs/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("domain.yaml").is_file())
        .collect();
    domains.sort();
    let mut out = Vec::new();
    for dir in domains {
        let domain = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.ends_with("domain.yaml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let spec: OpSpec = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (run `cargo xtask codegen` for details)",
                    path.display()
                )
            });
            for ex in spec.examples {
                let (domain, op, file) = (domain.clone(), spec.name.clone(), dir.join(&ex.file));
                let name = format!(
                    "{domain}::{op}::{}",
                    ex.file.trim_start_matches("examples/")
                );
                out.push(Trial::test(name, move || {
                    check(&domain, &op, &file, &ex.expect)
                }));
            }
        }
    }
    out
}

fn main() {
    let trials = trials();
    assert!(
        !trials.is_empty(),
        "no documented examples found under specs/"
    );
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
