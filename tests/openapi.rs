//! The exported OpenAPI documents (`crates/*/openapi.json`, written by `cargo xtask codegen`) are standard and
//! consumable: progenitor generates a client from each, with one method per operation, and each lists every
//! operation of its domain's specs. Documents and specs are discovered at run time, so a new domain is covered
//! without touching this file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use douyin_tests::workspace;
use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;

/// Every `crates/*/openapi.json`, by domain (`douyin-<domain>`).
fn documents(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .filter_map(Result::ok)
        .map(|e| e.path().join("openapi.json"))
        .filter(|p| p.is_file())
        .map(|p| {
            let krate = p
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let domain = krate.strip_prefix("douyin-").unwrap_or(&krate).to_owned();
            (domain, p)
        })
        .collect();
    out.sort();
    out
}

/// Every spec domain (a folder of `specs/` with a `domain.yaml`).
fn spec_domains(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root.join("specs"))
        .expect("specs/")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("domain.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[derive(Deserialize)]
struct OpName {
    name: String,
}

/// The operation names of `specs/<domain>/*.yaml`.
fn spec_operations(root: &Path, domain: &str) -> Result<BTreeSet<String>, String> {
    let dir = root.join("specs").join(domain);
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = e.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "yaml")
            && path.file_name().is_some_and(|n| n != "domain.yaml")
        {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let op: OpName =
                serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            out.insert(op.name);
        }
    }
    Ok(out)
}

fn check(root: &Path, domain: &str, path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let spec: openapiv3::OpenAPI = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not an OpenAPI 3.0 document: {e}", path.display()))?;
    if spec.openapi != "3.0.3" {
        return Err(format!("openapi is {}, not 3.0.3", spec.openapi).into());
    }

    let ids: BTreeSet<String> = spec
        .operations()
        .filter_map(|(_, _, op)| op.operation_id.clone())
        .collect();
    let count = spec.operations().count();
    if ids.len() != count {
        return Err(format!("{count} operations but {} distinct operationIds", ids.len()).into());
    }
    let want = spec_operations(root, domain)?;
    if ids != want {
        return Err(format!(
            "operations differ from specs/{domain}/: missing {:?}, extra {:?}",
            want.difference(&ids).collect::<Vec<_>>(),
            ids.difference(&want).collect::<Vec<_>>()
        )
        .into());
    }

    // progenitor panics (todo!, assert!) on some inputs it does not support: report those as failures too.
    let generated =
        std::panic::catch_unwind(|| progenitor::Generator::default().generate_tokens(&spec));
    let tokens = match generated {
        Ok(Ok(tokens)) => tokens.to_string(),
        Ok(Err(e)) => return Err(format!("progenitor rejects {}: {e}", path.display()).into()),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Err(format!("progenitor panics on {}: {msg}", path.display()).into());
        }
    };
    let methods: Vec<&str> = tokens
        .split("pub async fn ")
        .skip(1)
        .filter_map(|s| s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next())
        .collect();
    for id in &ids {
        let n = methods.iter().filter(|m| **m == id.as_str()).count();
        if n != 1 {
            return Err(format!(
                "the generated client has {n} methods named `{id}` (methods: {methods:?})"
            )
            .into());
        }
    }
    Ok(())
}

/// The document `douyin serve` answers at `/openapi.json`: one `GET /v1/<domain>/<operation>` per operation of
/// every spec, and progenitor generates a client for it with one method per operation.
fn check_served(root: &Path) -> Result<(), Failed> {
    let path = root.join("crates/douyin-cli/src/generated/serve_openapi.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    // OpenAPI 3.1 within what 3.0 reads the same way (build.rs refuses anything else before any test builds), so
    // progenitor, which reads 3.0 only, is given it as 3.0.3.
    let mut value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    if value["openapi"] != "3.1.0" {
        return Err(format!("openapi is {}, not 3.1.0", value["openapi"]).into());
    }
    value["openapi"] = "3.0.3".into();
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(value).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;
    let mut want = BTreeSet::new();
    for domain in spec_domains(root) {
        for op in spec_operations(root, &domain)? {
            want.insert(format!("{}_{op}", domain.replace('-', "_")));
        }
    }
    // Beside the operations, tagged `media`: resolve and the download jobs (hand-written routes).
    let media = |op: &openapiv3::Operation| op.tags.iter().any(|t| t == "media");
    let ids: BTreeSet<String> = spec
        .operations()
        .filter(|(_, _, op)| !media(op))
        .filter_map(|(path, _, op)| path.starts_with("/v1/").then(|| op.operation_id.clone())?)
        .collect();
    let media_ids: BTreeSet<&str> = spec
        .operations()
        .filter(|(_, _, op)| media(op))
        .filter_map(|(_, _, op)| op.operation_id.as_deref())
        .collect();
    if media_ids != BTreeSet::from(["download", "job_file", "job_status", "resolve"]) {
        return Err(format!("the media routes are {media_ids:?}").into());
    }
    if ids != want {
        return Err(format!(
            "served operations differ from specs/: missing {:?}, extra {:?}",
            want.difference(&ids).collect::<Vec<_>>(),
            ids.difference(&want).collect::<Vec<_>>()
        )
        .into());
    }
    let tokens = progenitor::Generator::default()
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor rejects the served document: {e}"))?
        .to_string();
    for id in ids.iter().map(String::as_str).chain(media_ids) {
        if !tokens.contains(&format!("pub async fn {id}")) {
            return Err(format!("the generated client has no method `{id}`").into());
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let root = workspace();
    let docs = documents(&root);
    let mut trials = Vec::new();
    {
        let root = root.clone();
        let documented: Vec<String> = docs.iter().map(|(d, _)| d.clone()).collect();
        trials.push(Trial::test("every_spec_domain_has_a_document", move || {
            let specs = spec_domains(&root);
            if specs != documented {
                return Err(format!(
                    "spec domains {specs:?} but openapi.json for {documented:?}: run `cargo xtask codegen`"
                )
                .into());
            }
            Ok(())
        }));
    }
    for (domain, path) in docs {
        let root = root.clone();
        trials.push(Trial::test(format!("progenitor::{domain}"), move || {
            check(&root, &domain, &path)
        }));
    }
    {
        let root = root.clone();
        trials.push(Trial::test("progenitor::douyin-serve", move || {
            check_served(&root)
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
