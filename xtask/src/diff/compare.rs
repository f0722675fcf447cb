//! Two snapshots of a crate → the changes a user of the generated crate sees, each classified by the rules in
//! docs/design.md ("Reviewing a spec change").

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::snapshot::{CrateSnap, DepSnap, OpSnap, ParamSnap};

/// How a change affects users of the generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Code written against the old crate may stop compiling, or an unchanged call now means something else.
    Breaking,
    /// New API or a fix in how the same request is delivered; existing code keeps working.
    Additive,
    /// Only documentation text changed.
    Docs,
}

impl Class {
    pub fn title(self) -> &'static str {
        match self {
            Class::Breaking => "Breaking",
            Class::Additive => "Additive",
            Class::Docs => "Documentation only",
        }
    }
}

/// One change, as reported.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub class: Class,
    /// `operation`, `parameter`, `response field`, `type`, `enum value`, `error code`, `pagination`, `credential`,
    /// `base URL`, `signer`, `refusal`, `module`, `re-export`, `dependency`, `dev-dependency`, `CLI flag`,
    /// `CLI argument`, `mock`, `event`, `webhook signature`, `documentation`.
    pub area: &'static str,
    pub subject: String,
    pub detail: String,
    /// The generated Rust item it touches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rust: Option<String>,
    /// JSON paths (`operation: path`) where a response field appears.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

struct Out<'a> {
    krate: String,
    changes: &'a mut Vec<Change>,
}

impl Out<'_> {
    fn push(
        &mut self,
        class: Class,
        area: &'static str,
        subject: String,
        detail: String,
    ) -> &mut Change {
        self.changes.push(Change {
            class,
            area,
            subject,
            detail,
            rust: None,
            paths: Vec::new(),
        });
        self.changes.last_mut().expect("just pushed")
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "none".to_owned())
}

/// The changes from `old` to `new` (either may be absent: a crate added or removed), sorted breaking first.
pub fn compare(old: Option<&CrateSnap>, new: Option<&CrateSnap>) -> Vec<Change> {
    let mut changes = Vec::new();
    match (old, new) {
        (None, Some(n)) => {
            changes.push(Change {
                class: Class::Additive,
                area: "crate",
                subject: format!("`{}`", n.crate_name),
                detail: format!("new domain `{}`", n.domain),
                rust: None,
                paths: Vec::new(),
            });
        }
        (Some(o), None) => {
            changes.push(Change {
                class: Class::Breaking,
                area: "crate",
                subject: format!("`{}`", o.crate_name),
                detail: format!("domain `{}` removed", o.domain),
                rust: None,
                paths: Vec::new(),
            });
        }
        (Some(o), Some(n)) => {
            let mut out = Out {
                krate: n.crate_name.replace('-', "_"),
                changes: &mut changes,
            };
            domain_facts(&mut out, o, n);
            crate_facts(&mut out, o, n);
            operations(&mut out, o, n);
            types(&mut out, o, n);
            docs(&mut out, o, n);
            let krate = out.krate.clone();
            changes.extend(super::events::compare(
                &krate,
                (&o.events, &o.webhooks),
                (&n.events, &n.webhooks),
            ));
        }
        (None, None) => {}
    }
    changes.sort();
    changes
}

fn domain_facts(out: &mut Out<'_>, o: &CrateSnap, n: &CrateSnap) {
    if o.base_url != n.base_url {
        out.push(
            Class::Breaking,
            "base URL",
            "domain".into(),
            format!("{} → {}", o.base_url, n.base_url),
        );
    }
    // A signer's name is a generated constant (`domain::signer_names`) callers replace it by.
    for (name, (a, b)) in pairs(&o.signers, &n.signers) {
        let (class, detail) = match (a, b) {
            (None, Some(what)) => (Class::Additive, format!("added: {what}")),
            (Some(_), None) => (Class::Breaking, "removed".to_owned()),
            (Some(a), Some(b)) if a != b => (Class::Additive, format!("{a} → {b}")),
            _ => continue,
        };
        let krate = out.krate.clone();
        out.push(class, "signer", format!("`{name}`"), detail).rust =
            Some(format!("{krate}::signer_names::{}", name.to_uppercase()));
    }
    for (name, (a, b)) in pairs(&o.credentials, &n.credentials) {
        match (a, b) {
            (None, Some(_)) => {
                out.push(
                    Class::Breaking,
                    "credential",
                    format!("`{name}`"),
                    "added: every caller must now supply it".into(),
                );
            }
            (Some(_), None) => {
                out.push(
                    Class::Breaking,
                    "credential",
                    format!("`{name}`"),
                    "removed".into(),
                );
            }
            (Some(a), Some(b)) if a != b => {
                out.push(
                    Class::Additive,
                    "credential",
                    format!("`{name}`"),
                    format!("{a} → {b}"),
                );
            }
            _ => {}
        }
    }
    let krate = out.krate.clone();
    for (code, (a, b)) in pairs(&o.errors, &n.errors) {
        let subject = format!("`{code}`");
        match (a, b) {
            (None, Some(e)) => {
                out.push(
                    Class::Additive,
                    "error code",
                    subject,
                    format!("added ({}, {})", e.variant, e.class),
                )
                .rust = Some(format!("{krate}::ErrorCode::{}", e.variant));
            }
            (Some(e), None) => {
                out.push(Class::Breaking, "error code", subject, "removed".into())
                    .rust = Some(format!("{krate}::ErrorCode::{}", e.variant));
            }
            (Some(a), Some(b)) => {
                if a.variant != b.variant {
                    out.push(
                        Class::Breaking,
                        "error code",
                        subject.clone(),
                        "variant renamed".into(),
                    )
                    .rust = Some(format!("{krate}::ErrorCode::{} → {}", a.variant, b.variant));
                }
                if a.class != b.class {
                    out.push(
                        Class::Breaking,
                        "error code",
                        subject.clone(),
                        format!(
                            "class {} → {} (retries, refresh and `class()` change)",
                            a.class, b.class
                        ),
                    );
                }
                if a.billed != b.billed {
                    out.push(
                        Class::Breaking,
                        "error code",
                        subject,
                        format!("billing {} → {}", opt(&a.billed), opt(&b.billed)),
                    );
                }
            }
            (None, None) => {}
        }
    }
}

/// What `envelope.refusals`, `crate:` and `cli_file:` say: refusals, public modules and re-exports, dependencies,
/// CLI flags.
fn crate_facts(out: &mut Out<'_>, o: &CrateSnap, n: &CrateSnap) {
    let krate = out.krate.clone();
    for (shape, (a, b)) in pairs(&o.refusals, &n.refusals) {
        let detail = match (a, b) {
            (None, Some(k)) => {
                format!("added: a success body of this shape is now `Refused` ({k})")
            }
            (Some(k), None) => {
                format!("removed: a body of this shape is a success again (was {k})")
            }
            (Some(a), Some(b)) if a != b => format!("kind {a} → {b}"),
            _ => continue,
        };
        out.push(Class::Breaking, "refusal", shape.clone(), detail);
    }
    for (area, a, b) in [
        ("module", &o.modules, &n.modules),
        ("re-export", &o.reexports, &n.reexports),
    ] {
        for item in a.symmetric_difference(b) {
            let (class, detail) = if b.contains(item) {
                (Class::Additive, "added")
            } else {
                (Class::Breaking, "removed")
            };
            let path = item.rsplit("::").next().unwrap_or(item);
            let rust = if area == "module" {
                item.as_str()
            } else {
                path
            };
            out.push(class, area, format!("`{item}`"), detail.into())
                .rust = Some(format!("{krate}::{rust}"));
        }
    }
    for (area, a, b, class) in [
        (
            "dependency",
            &o.dependencies,
            &n.dependencies,
            Class::Additive,
        ),
        (
            "dev-dependency",
            &o.dev_dependencies,
            &n.dev_dependencies,
            Class::Docs,
        ),
    ] {
        for (name, (x, y)) in pairs(a, b) {
            let detail = match (x, y) {
                (None, Some(d)) => format!("added ({})", dep_text(d)),
                (Some(d), None) => format!("removed (was {})", dep_text(d)),
                (Some(x), Some(y)) if x != y => format!("{} → {}", dep_text(x), dep_text(y)),
                _ => continue,
            };
            out.push(class, area, format!("`{name}`"), detail);
        }
    }
    for (flag, (a, b)) in pairs(&o.cli_flags, &n.cli_flags) {
        let (class, detail) = match (a, b) {
            (None, Some(what)) => (
                Class::Additive,
                format!("added: reads the {what} from a file"),
            ),
            (Some(what), None) => (Class::Breaking, format!("removed (read the {what})")),
            (Some(a), Some(b)) if a != b => {
                (Class::Breaking, format!("reads the {b}, not the {a}"))
            }
            _ => continue,
        };
        out.push(class, "CLI flag", format!("`{flag} FILE`"), detail);
    }
    for (arg, (a, b)) in pairs(&o.cli_links, &n.cli_links) {
        let (class, detail) = match (a, b) {
            (None, Some(kind)) => (
                Class::Additive,
                format!("also takes a link or share text ({kind})"),
            ),
            (Some(kind), None) => (
                Class::Breaking,
                format!("no longer takes a link ({kind}): ids only"),
            ),
            (Some(a), Some(b)) if a != b => {
                (Class::Breaking, format!("takes links of kind {b}, not {a}"))
            }
            _ => continue,
        };
        out.push(class, "CLI argument", format!("`{arg}`"), detail);
    }
}

fn dep_text(d: &DepSnap) -> String {
    let mut s = format!("version {}", d.version);
    if !d.features.is_empty() {
        s.push_str(&format!(", features {}", d.features.join(", ")));
    }
    if let Some(on) = d.default_features {
        s.push_str(&format!(", default-features {on}"));
    }
    s
}

fn operations(out: &mut Out<'_>, o: &CrateSnap, n: &CrateSnap) {
    let krate = out.krate.clone();
    let removed: Vec<&String> = o
        .operations
        .keys()
        .filter(|k| !n.operations.contains_key(*k))
        .collect();
    let added: Vec<&String> = n
        .operations
        .keys()
        .filter(|k| !o.operations.contains_key(*k))
        .collect();
    let mut renamed = BTreeSet::new();
    for old_name in &removed {
        let a = &o.operations[*old_name];
        let twin = added.iter().find(|k| {
            n.operations[**k].method == a.method
                && n.operations[**k].path == a.path
                && !renamed.contains(**k)
        });
        if let Some(new_name) = twin {
            renamed.insert((*new_name).clone());
            renamed.insert((*old_name).clone());
            out.push(
                Class::Breaking,
                "operation",
                format!("`{old_name}`"),
                format!("renamed to `{new_name}` ({} {})", a.method, a.path),
            )
            .rust = Some(format!(
                "{krate}::Client::{old_name} → {krate}::Client::{new_name}"
            ));
        }
    }
    for name in removed.iter().filter(|k| !renamed.contains(**k)) {
        let a = &o.operations[*name];
        out.push(
            Class::Breaking,
            "operation",
            format!("`{name}`"),
            format!("removed ({} {})", a.method, a.path),
        )
        .rust = Some(format!("{krate}::Client::{name}"));
    }
    for name in added.iter().filter(|k| !renamed.contains(**k)) {
        let b = &n.operations[*name];
        out.push(
            Class::Additive,
            "operation",
            format!("`{name}`"),
            format!("added ({} {})", b.method, b.path),
        )
        .rust = Some(format!("{krate}::Client::{name}"));
    }
    for (name, a) in &o.operations {
        let Some(b) = n.operations.get(name) else {
            continue;
        };
        operation(out, name, a, b);
    }
}

fn operation(out: &mut Out<'_>, name: &str, a: &OpSnap, b: &OpSnap) {
    let krate = out.krate.clone();
    if (a.method.as_str(), a.path.as_str()) != (b.method.as_str(), b.path.as_str()) {
        out.push(
            Class::Breaking,
            "operation",
            format!("`{name}`"),
            format!("{} {} → {} {}", a.method, a.path, b.method, b.path),
        );
    }
    for (class, area, subject, x, y, unset) in [
        (
            Class::Breaking,
            "base URL",
            format!("`{name}`"),
            &a.base_url,
            &b.base_url,
            "the domain's",
        ),
        (
            Class::Docs,
            "mock",
            format!("mock answer of `{name}`"),
            &a.mock,
            &b.mock,
            "the first `ok` example",
        ),
        (
            Class::Additive,
            "pacing",
            format!("`{name}`"),
            &a.pacing,
            &b.pacing,
            "not paced",
        ),
    ] {
        if x != y {
            let text = |v: &Option<String>| v.clone().unwrap_or_else(|| unset.to_owned());
            out.push(class, area, subject, format!("{} → {}", text(x), text(y)));
        }
    }
    if a.response_type != b.response_type {
        out.push(
            Class::Breaking,
            "operation",
            format!("`{name}`"),
            format!("response type {} → {}", a.response_type, b.response_type),
        )
        .rust = Some(format!("{krate}::types::{}", b.response_type));
    }
    let (gone, new): (Vec<&String>, Vec<&String>) = (
        a.cookies
            .iter()
            .filter(|c| !b.cookies.contains(c))
            .collect(),
        b.cookies
            .iter()
            .filter(|c| !a.cookies.contains(c))
            .collect(),
    );
    if !gone.is_empty() || !new.is_empty() {
        let list = |v: &[&String]| {
            v.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // `<op>_with_cookies` exists while the list is not empty; a cookie it returned may be matched on by name.
        let (class, detail) = match (gone.is_empty(), a.cookies.is_empty()) {
            (false, _) => (
                Class::Breaking,
                format!("response cookies no longer returned: {}", list(&gone)),
            ),
            (true, true) => (
                Class::Additive,
                format!("returns response cookies {}", list(&new)),
            ),
            (true, false) => (
                Class::Additive,
                format!("also returns response cookies {}", list(&new)),
            ),
        };
        out.push(class, "operation", format!("`{name}`"), detail)
            .rust = Some(format!("{krate}::Client::{name}_with_cookies"));
    }
    for (key, (x, y)) in pairs(&a.wire, &b.wire) {
        if x != y {
            out.push(
                Class::Additive,
                "operation",
                format!("`{name}`"),
                format!("{key} {} → {}", opt(&x.cloned()), opt(&y.cloned())),
            );
        }
    }
    match (&a.pagination, &b.pagination) {
        (None, Some(p)) => {
            out.push(
                Class::Additive,
                "pagination",
                format!("`{name}`"),
                format!("added: {p}"),
            )
            .rust = Some(format!("{krate}::Client::{name}_stream"));
        }
        (Some(_), None) => {
            out.push(
                Class::Breaking,
                "pagination",
                format!("`{name}`"),
                "removed".into(),
            )
            .rust = Some(format!("{krate}::Client::{name}_stream"));
        }
        (Some(p), Some(q)) if p != q => {
            out.push(
                Class::Breaking,
                "pagination",
                format!("`{name}`"),
                format!("{p} → {q}"),
            );
        }
        _ => {}
    }
    parameters(out, name, a, b);
}

fn parameters(out: &mut Out<'_>, op: &str, a: &OpSnap, b: &OpSnap) {
    let krate = out.krate.clone();
    let item =
        |p: &ParamSnap, s: &OpSnap| format!("{krate}::{}::{}: {}", s.params_struct, p.rust, p.ty);
    let removed: Vec<&String> = a
        .params
        .keys()
        .filter(|k| !b.params.contains_key(*k))
        .collect();
    let added: Vec<&String> = b
        .params
        .keys()
        .filter(|k| !a.params.contains_key(*k))
        .collect();
    let mut renamed = BTreeSet::new();
    for old in &removed {
        let p = &a.params[*old];
        let twin = added.iter().find(|k| {
            let q = &b.params[**k];
            q.location == p.location
                && q.ty == p.ty
                && q.required == p.required
                && !renamed.contains(**k)
        });
        if let Some(new) = twin {
            renamed.insert((*new).clone());
            renamed.insert((*old).clone());
            let rust = Some(format!("{} → {}", item(p, a), item(&b.params[*new], b)));
            out.push(
                Class::Breaking,
                "parameter",
                format!("`{op}` `{old}`"),
                format!("renamed to `{new}`"),
            )
            .rust = rust;
        }
    }
    for name in removed.iter().filter(|k| !renamed.contains(**k)) {
        let p = &a.params[*name];
        let rust = user_facing(p).then(|| item(p, a));
        out.push(
            Class::Breaking,
            "parameter",
            format!("`{op}` `{name}`"),
            "removed".into(),
        )
        .rust = rust;
    }
    for name in added.iter().filter(|k| !renamed.contains(**k)) {
        let p = &b.params[*name];
        let (class, detail) = if p.required && user_facing(p) {
            (
                Class::Breaking,
                format!("added, required ({} {})", p.location, p.ty),
            )
        } else {
            (
                Class::Additive,
                format!("added, optional ({} {})", p.location, p.ty),
            )
        };
        let rust = user_facing(p).then(|| item(p, b));
        out.push(class, "parameter", format!("`{op}` `{name}`"), detail)
            .rust = rust;
    }
    for (name, p) in &a.params {
        let Some(q) = b.params.get(name) else {
            continue;
        };
        let subject = format!("`{op}` `{name}`");
        let push = |out: &mut Out<'_>, class, detail: String, rust: Option<String>| {
            out.push(class, "parameter", subject.clone(), detail).rust = rust;
        };
        if p.required != q.required {
            let d = if q.required {
                "made required"
            } else {
                "made optional"
            };
            push(out, Class::Breaking, d.into(), Some(item(q, b)));
        }
        // Made required or optional: the `Option` around the type comes and goes with it.
        if unwrap_option(&p.ty) != unwrap_option(&q.ty) {
            push(
                out,
                Class::Breaking,
                "type changed".into(),
                Some(format!("{} → {}", item(p, a), q.ty)),
            );
        }
        if p.rust != q.rust {
            push(
                out,
                Class::Breaking,
                format!("Rust name `{}` → `{}`", p.rust, q.rust),
                None,
            );
        }
        if p.default != q.default {
            push(
                out,
                Class::Breaking,
                format!("default {} → {}", opt(&p.default), opt(&q.default)),
                None,
            );
        }
        if (p.minimum, p.maximum) != (q.minimum, q.maximum) {
            let narrower = q.minimum.unwrap_or(i64::MIN) > p.minimum.unwrap_or(i64::MIN)
                || q.maximum.unwrap_or(i64::MAX) < p.maximum.unwrap_or(i64::MAX);
            let class = if narrower {
                Class::Breaking
            } else {
                Class::Additive
            };
            push(
                out,
                class,
                format!("bounds {} → {}", bounds(p), bounds(q)),
                None,
            );
        }
        if (&p.location, &p.encoding) != (&q.location, &q.encoding) {
            push(
                out,
                Class::Additive,
                format!(
                    "placement {}{} → {}{}",
                    p.location,
                    p.encoding
                        .as_ref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default(),
                    q.location,
                    q.encoding
                        .as_ref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ),
                None,
            );
        }
        if (&p.credential, &p.constant) != (&q.credential, &q.constant) {
            let class = if user_facing(p) != user_facing(q) {
                Class::Breaking
            } else {
                Class::Additive
            };
            push(
                out,
                class,
                format!("value source {} → {}", source_text(p), source_text(q)),
                None,
            );
        }
    }
}

fn unwrap_option(ty: &str) -> &str {
    ty.strip_prefix("Option<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(ty)
}

fn user_facing(p: &ParamSnap) -> bool {
    p.credential.is_none() && p.constant.is_none()
}

fn source_text(p: &ParamSnap) -> String {
    match (&p.credential, &p.constant) {
        (Some(c), _) => format!("credential `{c}`"),
        (None, Some(c)) => format!("constant `{c}`"),
        (None, None) => "caller".into(),
    }
}

fn bounds(p: &ParamSnap) -> String {
    let lo = p.minimum.map(|v| v.to_string()).unwrap_or_default();
    let hi = p.maximum.map(|v| v.to_string()).unwrap_or_default();
    format!("[{lo}..={hi}]")
}

fn types(out: &mut Out<'_>, o: &CrateSnap, n: &CrateSnap) {
    let krate = out.krate.clone();
    for (ty, (a, b)) in pairs(&o.types.structs, &n.types.structs) {
        match (a, b) {
            (None, Some(_)) => {
                out.push(Class::Additive, "type", format!("`{ty}`"), "added".into())
                    .rust = Some(format!("{krate}::types::{ty}"));
            }
            (Some(_), None) => {
                out.push(Class::Breaking, "type", format!("`{ty}`"), "removed".into())
                    .rust = Some(format!("{krate}::types::{ty}"));
            }
            (Some(a), Some(b)) => {
                for (wire, (x, y)) in pairs(&a.fields, &b.fields) {
                    let key = (ty.clone(), wire.clone());
                    let paths = n
                        .paths
                        .get(&key)
                        .or_else(|| o.paths.get(&key))
                        .cloned()
                        .unwrap_or_default();
                    let subject = match paths.first() {
                        Some(p) => {
                            format!("`{}`", p.split_once(": ").map_or(p.as_str(), |(_, p)| p))
                        }
                        None => format!("`{ty}.{wire}`"),
                    };
                    let (class, detail, rust) = match (x, y) {
                        (None, Some(f)) => (
                            Class::Additive,
                            "added".to_owned(),
                            format!("{}: {}", f.rust, f.ty),
                        ),
                        (Some(f), None) => (
                            Class::Breaking,
                            "removed".to_owned(),
                            format!("{}: {}", f.rust, f.ty),
                        ),
                        (Some(f), Some(g)) if f.ty != g.ty => (
                            Class::Breaking,
                            "type changed".to_owned(),
                            format!("{}: {} → {}", g.rust, f.ty, g.ty),
                        ),
                        _ => continue,
                    };
                    let c = out.push(class, "response field", subject, detail);
                    c.rust = Some(format!("{krate}::types::{ty}::{rust}"));
                    c.paths = paths;
                }
            }
            (None, None) => {}
        }
    }
    for (ty, (a, b)) in pairs(&o.types.enums, &n.types.enums) {
        let (Some(a), Some(b)) = (a, b) else { continue };
        for (value, (x, y)) in pairs(a, b) {
            match (x, y) {
                (None, Some(v)) => {
                    out.push(
                        Class::Additive,
                        "enum value",
                        format!("`{ty}` `{value}`"),
                        "added".into(),
                    )
                    .rust = Some(format!("{krate}::types::{ty}::{v}"));
                }
                (Some(v), None) => {
                    out.push(
                        Class::Breaking,
                        "enum value",
                        format!("`{ty}` `{value}`"),
                        "removed (now decodes as Unknown)".into(),
                    )
                    .rust = Some(format!("{krate}::types::{ty}::{v}"));
                }
                _ => {}
            }
        }
    }
}

fn docs(out: &mut Out<'_>, o: &CrateSnap, n: &CrateSnap) {
    for (subject, (a, b)) in pairs(&o.docs, &n.docs) {
        // A doc that comes or goes with its item is part of that item's change, not a separate one.
        if let (Some(a), Some(b)) = (a, b) {
            if a != b {
                out.push(
                    Class::Docs,
                    "documentation",
                    subject.clone(),
                    "text changed".into(),
                );
            }
        }
    }
}

/// Every key of either map with its value on each side.
fn pairs<'a, K: Ord + Clone, V>(
    a: &'a BTreeMap<K, V>,
    b: &'a BTreeMap<K, V>,
) -> BTreeMap<K, (Option<&'a V>, Option<&'a V>)> {
    let mut out: BTreeMap<K, (Option<&V>, Option<&V>)> = BTreeMap::new();
    for (k, v) in a {
        out.entry(k.clone()).or_default().0 = Some(v);
    }
    for (k, v) in b {
        out.entry(k.clone()).or_default().1 = Some(v);
    }
    out
}
