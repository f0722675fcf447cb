//! Webhook events in `xtask diff`: an event added is additive (the generated `Event` is non-exhaustive), one removed
//! or given another type breaks code matching its variant, a changed scope or answer is a wire fact (additive), and
//! a changed or dropped signature (header, scheme, secret, id header) breaks every receiver. Field changes of event types are
//! reported with the other generated types.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;

use super::compare::{Change, Class};
use crate::ir::Domain;

/// One event as a reviewer compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSnap {
    pub type_name: String,
    /// Scope and answer, as one text.
    pub wire: String,
}

/// The domain's events by wire name, and its signature facts.
pub fn snapshot(d: &Domain) -> (BTreeMap<String, EventSnap>, Option<String>) {
    let events = d
        .events
        .iter()
        .map(|e| {
            let answer: Vec<String> = e.answer.iter().map(|(m, p)| format!("{m} ← {p}")).collect();
            let wire = format!(
                "scope {}, answer {{{}}}",
                e.scope.as_deref().unwrap_or("none"),
                answer.join(", ")
            );
            (
                e.name.clone(),
                EventSnap {
                    type_name: e.type_name.clone(),
                    wire,
                },
            )
        })
        .collect();
    let webhooks = d.webhooks.as_ref().map(|w| {
        format!(
            "`{}` = {:?} of credential `{}`, delivery id `{}`",
            w.signature_header, w.signature, w.secret, w.id_header
        )
    });
    (events, webhooks)
}

fn change(
    class: Class,
    area: &'static str,
    subject: String,
    detail: String,
    rust: Option<String>,
) -> Change {
    Change {
        class,
        area,
        subject,
        detail,
        rust,
        paths: Vec::new(),
    }
}

/// The event changes between two snapshots of one crate (`krate`: its Rust name).
pub fn compare(
    krate: &str,
    (old, old_hooks): (&BTreeMap<String, EventSnap>, &Option<String>),
    (new, new_hooks): (&BTreeMap<String, EventSnap>, &Option<String>),
) -> Vec<Change> {
    let mut out = Vec::new();
    let variant = |name: &str| Some(format!("{krate}::Event::{}", name.to_upper_camel_case()));
    for (name, e) in new {
        match old.get(name) {
            None => out.push(change(
                Class::Additive,
                "event",
                format!("`{name}`"),
                format!("new event, typed `{}`", e.type_name),
                variant(name),
            )),
            Some(o) if o.type_name != e.type_name => out.push(change(
                Class::Breaking,
                "event",
                format!("`{name}`"),
                format!("type `{}` → `{}`", o.type_name, e.type_name),
                variant(name),
            )),
            Some(o) if o.wire != e.wire => out.push(change(
                Class::Additive,
                "event",
                format!("`{name}`"),
                format!("{} → {}", o.wire, e.wire),
                variant(name),
            )),
            Some(_) => {}
        }
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        out.push(change(
            Class::Breaking,
            "event",
            format!("`{name}`"),
            "event removed: it now decodes as `Event::Unknown`".to_owned(),
            variant(name),
        ));
    }
    if old_hooks != new_hooks {
        let text = |h: &Option<String>| h.clone().unwrap_or_else(|| "none".to_owned());
        // Saying how events are signed for the first time breaks no receiver; changing or dropping it does.
        let class = if old_hooks.is_none() {
            Class::Additive
        } else {
            Class::Breaking
        };
        out.push(change(
            class,
            "webhook signature",
            "`webhooks:`".to_owned(),
            format!("{} → {}", text(old_hooks), text(new_hooks)),
            Some(format!("{krate}::WEBHOOKS")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(entries: &[(&str, &str, &str)]) -> BTreeMap<String, EventSnap> {
        entries
            .iter()
            .map(|(n, t, w)| {
                (
                    (*n).to_owned(),
                    EventSnap {
                        type_name: (*t).to_owned(),
                        wire: (*w).to_owned(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn events_added_removed_retyped_and_rewired_are_classified() {
        let old = snap(&[
            ("a", "A", "scope none"),
            ("b", "B", "scope x"),
            ("c", "C", "s"),
        ]);
        let new = snap(&[
            ("a", "A2", "scope none"),
            ("b", "B", "scope y"),
            ("d", "D", "s"),
        ]);
        let hooks = Some("sig".to_owned());
        let changes = compare("k", (&old, &hooks), (&new, &hooks));
        let got: Vec<(Class, &str)> = changes
            .iter()
            .map(|c| (c.class, c.subject.as_str()))
            .collect();
        assert!(got.contains(&(Class::Breaking, "`a`")));
        assert!(got.contains(&(Class::Additive, "`b`")));
        assert!(got.contains(&(Class::Breaking, "`c`")));
        assert!(got.contains(&(Class::Additive, "`d`")));
        assert_eq!(changes.len(), 4);
        let resigned = compare("k", (&old, &hooks), (&old, &Some("other".to_owned())));
        assert_eq!(resigned.len(), 1);
        assert_eq!(resigned[0].class, Class::Breaking);
        assert_eq!(resigned[0].rust.as_deref(), Some("k::WEBHOOKS"));
        let first = compare("k", (&old, &None), (&old, &hooks));
        assert_eq!(first[0].class, Class::Additive);
    }
}
