//! The operations of two snapshots of a crate compared: operations added and removed, and for each kept one its
//! method, path, pagination, signing and parameters.

use super::*;

pub(super) fn operations(out: &mut Out<'_>, o: &CrateSnap, n: &CrateSnap) {
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
