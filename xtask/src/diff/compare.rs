//! Two snapshots of a crate → the changes a user of the generated crate sees, each classified by the rules in
//! docs/design.md ("Reviewing a spec change").

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

mod operations;

use super::snapshot::{CrateSnap, DepSnap, OpSnap, ParamSnap};
use operations::operations;

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
