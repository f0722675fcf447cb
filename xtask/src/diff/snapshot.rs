//! One revision of the specs as a reviewer compares it: per generated crate, the facts of its API (operations,
//! parameters, response fields by JSON path with their Rust items, enum values, error codes, credentials, …) and its
//! documentation text, taken from the IR and from the code the generator emits for it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use heck::ToUpperCamelCase;

use super::rust_items::{self, Items};
use crate::emit::Files;
use crate::ir::Domain;

/// What one revision says about one generated crate.
#[derive(Debug, Default)]
pub struct CrateSnap {
    pub domain: String,
    pub crate_name: String,
    /// The crate's version in its Cargo.toml at this revision.
    pub version: Option<String>,
    pub base_url: String,
    /// Credential name → how it is used (refresh rules).
    pub credentials: BTreeMap<String, String>,
    pub operations: BTreeMap<String, OpSnap>,
    /// Error code → (Rust variant, class, billing).
    pub errors: BTreeMap<String, ErrSnap>,
    /// Generated response types and params structs.
    pub types: Items,
    pub params: Items,
    /// (struct, wire field) → the JSON paths where it appears, `operation: path`, shortest first.
    pub paths: BTreeMap<(String, String), Vec<String>>,
    /// Documentation text by subject.
    pub docs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpSnap {
    pub method: String,
    pub path: String,
    pub response_type: String,
    pub params_struct: String,
    /// Parameters by wire name.
    pub params: BTreeMap<String, ParamSnap>,
    pub pagination: Option<String>,
    /// Other wire facts (scope, referer, …) by name.
    pub wire: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamSnap {
    pub rust: String,
    pub location: String,
    pub required: bool,
    pub ty: String,
    pub default: Option<String>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub encoding: Option<String>,
    pub credential: Option<String>,
    pub constant: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrSnap {
    pub variant: String,
    pub class: String,
    pub billed: Option<String>,
}

/// Snapshots of every domain, keyed by crate name. `root` is where the revision's crates live (for versions).
pub fn take(
    domains: &[Domain],
    files: &Files,
    version_of: &dyn Fn(&str) -> Option<String>,
) -> BTreeMap<String, CrateSnap> {
    domains
        .iter()
        .map(|d| {
            (
                d.crate_name.clone(),
                crate_snap(d, files, version_of(&d.crate_name)),
            )
        })
        .collect()
}

/// The `version` of `crates/<crate>/Cargo.toml` text.
pub fn cargo_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(rest) = line.strip_prefix("version") {
                let v = rest
                    .trim_start()
                    .strip_prefix('=')?
                    .trim()
                    .trim_matches('"');
                return Some(v.to_owned());
            }
        }
    }
    None
}

/// The version of a crate in a work tree.
pub fn version_in(root: &Path, crate_name: &str) -> Option<String> {
    let text =
        std::fs::read_to_string(root.join("crates").join(crate_name).join("Cargo.toml")).ok()?;
    cargo_version(&text)
}

fn generated(files: &Files, crate_name: &str, file: &str) -> Items {
    let path = Path::new("crates")
        .join(crate_name)
        .join("src/generated")
        .join(file);
    files
        .get(&path)
        .map(|t| rust_items::parse(t))
        .unwrap_or_default()
}

fn crate_snap(d: &Domain, files: &Files, version: Option<String>) -> CrateSnap {
    let mut s = CrateSnap {
        domain: d.name.clone(),
        crate_name: d.crate_name.clone(),
        version,
        base_url: d.base_url.clone(),
        types: generated(files, &d.crate_name, "types.rs"),
        params: generated(files, &d.crate_name, "client.rs"),
        ..CrateSnap::default()
    };
    for c in &d.credentials {
        let refresh: Vec<String> = c.refresh_on.iter().map(|r| format!("{r:?}")).collect();
        s.credentials.insert(
            c.name.clone(),
            format!("refreshed on [{}]", refresh.join(", ")),
        );
        if let Some(doc) = &c.doc {
            s.docs
                .insert(format!("credential `{}`", c.name), doc.clone());
        }
    }
    for e in &d.errors {
        s.errors.insert(
            e.code.clone(),
            ErrSnap {
                variant: e.name.clone(),
                class: format!("{:?}", e.class),
                billed: e.billed.map(|b| format!("{b:?}")),
            },
        );
        let text = [Some(&e.meaning), e.doc_zh.as_ref(), e.advice.as_ref()]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        s.docs.insert(format!("error code `{}`", e.code), text);
    }
    s.docs.insert("domain title".into(), d.title.clone());
    s.docs
        .insert("domain doc".into(), d.doc.clone().unwrap_or_default());
    s.docs.insert("domain notes".into(), d.notes.join("\n"));
    for op in &d.operations {
        let params_struct = format!("{}Params", op.name.to_upper_camel_case());
        let rust_params = s.params.structs.get(&params_struct);
        let mut params = BTreeMap::new();
        for p in &op.params {
            let ty = rust_params
                .and_then(|st| st.fields.get(&p.rust))
                .map(|f| f.ty.clone())
                .unwrap_or_else(|| format!("{:?}", p.ty));
            params.insert(
                p.wire.clone(),
                ParamSnap {
                    rust: p.rust.clone(),
                    location: format!("{:?}", p.location).to_lowercase(),
                    required: p.required,
                    ty,
                    default: p.default.as_ref().map(ToString::to_string),
                    minimum: p.minimum,
                    maximum: p.maximum,
                    encoding: p.encoding.map(|e| format!("{e:?}").to_lowercase()),
                    credential: p.credential.clone(),
                    constant: p.constant.clone(),
                },
            );
            if let Some(doc) = &p.doc {
                s.docs.insert(
                    format!("parameter `{}` of `{}`", p.wire, op.name),
                    doc.clone(),
                );
            }
        }
        let mut wire = BTreeMap::new();
        if let Some(scope) = &op.scope {
            wire.insert("scope".to_owned(), scope.clone());
        }
        if let Some(referer) = &op.referer {
            wire.insert("referer".to_owned(), referer.clone());
        }
        s.operations.insert(
            op.name.clone(),
            OpSnap {
                method: format!("{:?}", op.method).to_uppercase(),
                path: op.path.clone(),
                response_type: op.response_type.clone(),
                params_struct,
                params,
                pagination: op.pagination.as_ref().map(|p| {
                    format!(
                        "cursor `{}` ← `{}`, has_more `{}`, items `{}`",
                        p.spec.cursor_param, p.spec.next_cursor, p.spec.has_more, p.spec.items
                    )
                }),
                wire,
            },
        );
        let text = [Some(&op.summary), op.doc_zh.as_ref()]
            .into_iter()
            .flatten()
            .cloned()
            .chain(op.notes.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n");
        s.docs.insert(format!("operation `{}`", op.name), text);
        add_paths(&mut s.paths, &s.types, &op.name, &op.response_type);
    }
    for (ty, st) in &s.types.structs {
        for (wire, f) in &st.fields {
            if !f.doc.is_empty() {
                s.docs.insert(format!("field `{ty}.{wire}`"), f.doc.clone());
            }
        }
    }
    for paths in s.paths.values_mut() {
        paths.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        paths.dedup();
    }
    s
}

/// Breadth first from an operation's response type: the first (shortest) JSON path to every field it reaches.
fn add_paths(
    out: &mut BTreeMap<(String, String), Vec<String>>,
    types: &Items,
    op: &str,
    root: &str,
) {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([(root.to_owned(), String::new())]);
    while let Some((ty, prefix)) = queue.pop_front() {
        if !seen.insert(ty.clone()) {
            continue;
        }
        let Some(st) = types.structs.get(&ty) else {
            continue;
        };
        for (wire, f) in &st.fields {
            let path = if prefix.is_empty() {
                wire.clone()
            } else {
                format!("{prefix}.{wire}")
            };
            let path = if f.list { format!("{path}[]") } else { path };
            out.entry((ty.clone(), wire.clone()))
                .or_default()
                .push(format!("{op}: {}", path.trim_end_matches("[]")));
            for r in &f.refs {
                queue.push_back((r.clone(), path.clone()));
            }
        }
    }
}
