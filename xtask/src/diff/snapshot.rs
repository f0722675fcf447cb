//! One revision of the specs as a reviewer compares it: per generated crate, the facts of its API (operations,
//! parameters, response fields by JSON path with their Rust items, enum values, error codes, credentials, …) and its
//! documentation text, taken from the IR and from the code the generator emits for it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use heck::{ToKebabCase, ToUpperCamelCase};

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
    /// `signers:` name → its type and the query parameters it appends.
    pub signers: BTreeMap<String, String>,
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
    /// `envelope.refusals`: "`path` = `value`" → what the refusal asks for.
    pub refusals: BTreeMap<String, String>,
    /// `crate.modules` and `crate.reexports`: hand-written public items the generated `lib.rs` declares.
    pub modules: BTreeSet<String>,
    pub reexports: BTreeSet<String>,
    /// `crate.dependencies` by name → its requirement and features; `crate.dev_dependencies` likewise.
    pub dependencies: BTreeMap<String, DepSnap>,
    pub dev_dependencies: BTreeMap<String, DepSnap>,
    /// Only in the CLI's snapshot: `--flag` → the credential it reads from a file (`cli_file:` of a credential).
    pub cli_flags: BTreeMap<String, String>,
    /// Only in the CLI's snapshot: `douyin <domain> <command> --flag` → the link kind it also takes (`link:`).
    pub cli_links: BTreeMap<String, String>,
    /// Webhook events by wire name, and how they are signed (`webhooks:`).
    pub events: BTreeMap<String, super::events::EventSnap>,
    pub webhooks: Option<String>,
}

/// The crate whose flags `cli_file:` adds; its snapshot holds only those.
pub const CLI_CRATE: &str = "douyin-cli";

#[derive(Debug, Clone, PartialEq)]
pub struct DepSnap {
    /// The version requirement (`workspace` when inherited).
    pub version: String,
    pub features: Vec<String>,
    pub default_features: Option<bool>,
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
    /// Its own base URL, when not the domain's.
    pub base_url: Option<String>,
    /// Other wire facts (scope, referer, signing) by name.
    pub wire: BTreeMap<String, String>,
    /// Where the mock's success body comes from (`mock.success`), when not the first `ok` example.
    pub mock: Option<String>,
    /// Cookies the response sets that `<op>_with_cookies` returns (`response.cookies`).
    pub cookies: Vec<String>,
    /// Its pacing in one line (budget, risk signals, cooldown, breaker), when the domain paces.
    pub pacing: Option<String>,
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
    let mut snaps: BTreeMap<String, CrateSnap> = domains
        .iter()
        .map(|d| {
            (
                d.crate_name.clone(),
                crate_snap(d, files, version_of(&d.crate_name)),
            )
        })
        .collect();
    snaps.insert(
        CLI_CRATE.to_owned(),
        cli_snap(domains, version_of(CLI_CRATE)),
    );
    snaps
}

/// The CLI's common flags that read a credential from a file, from every domain's `cli_file:`.
fn cli_snap(domains: &[Domain], version: Option<String>) -> CrateSnap {
    let mut s = CrateSnap {
        domain: "*".into(),
        crate_name: CLI_CRATE.into(),
        version,
        ..CrateSnap::default()
    };
    for d in domains {
        for c in &d.credentials {
            if let Some(f) = &c.cli_file {
                let flag = format!("--{}", f.flag);
                s.cli_flags.insert(
                    flag.clone(),
                    format!("credential `{}` of `{}`", c.name, d.name),
                );
                s.docs.insert(format!("CLI flag `{flag}`"), f.help.clone());
            }
        }
        for op in &d.operations {
            for p in &op.params {
                if let Some(kind) = &p.link {
                    s.cli_links.insert(
                        format!(
                            "douyin {} {} --{}",
                            d.name,
                            op.name.to_kebab_case(),
                            p.wire.to_kebab_case()
                        ),
                        format!("{kind:?}").to_lowercase(),
                    );
                }
            }
        }
    }
    s
}

fn dep_snaps(deps: &[crate::ir::Dependency]) -> BTreeMap<String, DepSnap> {
    deps.iter()
        .map(|d| {
            let mut features = d.features.clone();
            features.sort();
            (
                d.name.clone(),
                DepSnap {
                    version: d.version.clone().unwrap_or_else(|| "workspace".into()),
                    features,
                    default_features: d.default_features,
                },
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
        refusals: d
            .envelope
            .refusals
            .iter()
            .map(|r| {
                (
                    format!("`{}` = `{}`", r.path, r.equals),
                    format!("{:?}", r.kind).to_lowercase(),
                )
            })
            .collect(),
        modules: d.krate.modules.iter().cloned().collect(),
        reexports: d.krate.reexports.iter().cloned().collect(),
        dependencies: dep_snaps(&d.krate.dependencies),
        dev_dependencies: dep_snaps(&d.krate.dev_dependencies),
        ..CrateSnap::default()
    };
    (s.events, s.webhooks) = super::events::snapshot(d);
    for e in &d.events {
        s.docs.insert(
            format!("event `{}`", e.name),
            format!("{}\n{}", e.summary, e.notes.join("\n")),
        );
    }
    for (subject, text) in [
        ("crate description", &d.krate.description),
        ("crate doc", &d.krate.doc),
    ] {
        s.docs
            .insert(subject.into(), text.clone().unwrap_or_default());
    }
    for sg in &d.signers {
        s.signers.insert(
            sg.name.clone(),
            format!("`{}` appending {}", sg.type_path, sg.params.join(", ")),
        );
        s.docs
            .insert(format!("signer `{}`", sg.name), sg.doc.clone());
    }
    for c in &d.credentials {
        let refresh: Vec<String> = c
            .refresh_on
            .iter()
            .map(|r| format!("{r:?}"))
            .chain(c.refresh_on_codes.iter().map(|code| format!("code {code}")))
            .collect();
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
            wire.insert("referer".to_owned(), referer.template.clone());
        }
        if !op.signing.is_empty() {
            wire.insert("signing".to_owned(), op.signing.join(", "));
        }
        let profile = if op.session_profile {
            "sent"
        } else {
            "not sent"
        };
        wire.insert("browser profile".to_owned(), profile.to_owned());
        s.operations.insert(
            op.name.clone(),
            OpSnap {
                method: op.method.as_str().to_owned(),
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
                base_url: op.base_url.clone(),
                wire,
                mock: op.mock_success.as_ref().map(|f| {
                    let mut from = format!("`{}`", f.file.to_string_lossy().replace('\\', "/"));
                    if let Some(sel) = &f.select {
                        from.push_str(&format!(" at `{sel}`"));
                    }
                    if !(f.prefix.is_empty() && f.suffix.is_empty()) {
                        from.push_str(&format!(" inside `{}…{}`", f.prefix, f.suffix));
                    }
                    from
                }),
                cookies: op.cookies.clone(),
                pacing: op.pacing.as_ref().map(|p| p.summary()),
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
