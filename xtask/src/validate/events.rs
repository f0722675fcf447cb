//! Checks of the webhook event specs (`events/<event>.yaml`): unique wire names and types, an object schema naming
//! its `event`, answers read from paths the schema has, and documented examples that fit the schema.

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use serde_json::{json, Value as Json};

use super::{is_snake_ident, schema_at, Ctx};
use crate::ir;
use crate::spec::event_model::EventFile;
use crate::spec::load::{Loaded, RawDomain, SourceMap};
use crate::spec::schema::first_mismatch;

impl Ctx<'_> {
    /// Every event of the domain, checked; problems are collected in `self.errors`.
    pub(super) fn events(&mut self, raw: &RawDomain) -> Vec<ir::Event> {
        let d = &raw.domain.value;
        match &d.webhooks {
            Some(w) if !d.credentials.iter().any(|c| c.name == w.secret) => {
                self.errors.push(raw.domain.map.error(
                    &["webhooks", "secret"],
                    format!("`{}` is not a credential of the domain", w.secret),
                ));
            }
            None if !raw.events.is_empty() => {
                self.errors.push(raw.domain.map.error(
                    &["name"],
                    "a domain with events/ says how they are signed (`webhooks:`)",
                ));
            }
            _ => {}
        }
        let mut names = BTreeSet::new();
        let mut out = Vec::new();
        for ev in &raw.events {
            if !names.insert(ev.value.name.clone()) {
                self.errors.push(ev.map.error(
                    &["name"],
                    format!("event `{}` is specified twice", ev.value.name),
                ));
            }
            if let Some(e) = self.event(ev, raw) {
                out.push(e);
            }
        }
        out
    }

    fn event(&mut self, ev: &Loaded<EventFile>, raw: &RawDomain) -> Option<ir::Event> {
        let e = &ev.value;
        let map = &ev.map;
        if !is_snake_ident(&e.name) {
            self.errors.push(map.error(
                &["name"],
                format!("event name `{}` must be snake_case", e.name),
            ));
        }
        self.schemas
            .check(&e.schema, map, &["schema".into()], &mut self.errors);
        let inlined = self.schemas.inline(&e.schema);
        if schema_at(&inlined, "event").and_then(|s| s.get("type")) != Some(&json!("string")) {
            self.errors.push(map.error(
                &["schema"],
                "an event schema is an object with a string property `event`",
            ));
        }
        let shared = e
            .schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| self.schemas.file_of(r))
            .map(|file| self.schemas.type_name(file));
        match shared {
            // Events that share a body (`$ref: schemas/x.yaml`) share its type.
            Some(name) if name != e.type_name => self.errors.push(map.error(
                &["type"],
                format!("the schema is `{name}`'s, so the type is `{name}`"),
            )),
            Some(_) => {}
            None => {
                let mut form = self.schemas.typify_form(&e.schema);
                form["title"] = json!(e.type_name);
                if self.definitions.insert(e.type_name.clone(), form).is_some() {
                    self.errors.push(map.error(
                        &["type"],
                        format!("type name `{}` is used twice", e.type_name),
                    ));
                }
            }
        }
        let mut answer = Vec::new();
        for (member, path) in e.answer.iter().flatten() {
            if schema_at(&inlined, path).is_none() {
                self.errors.push(map.error(
                    &["answer", member],
                    format!("`{path}` is not a property path of the event's schema"),
                ));
            }
            answer.push((member.clone(), path.clone()));
        }
        let examples = e
            .examples
            .iter()
            .enumerate()
            .filter_map(|(i, ex)| {
                self.event_example(e, i, &ex.file, &ex.source, map, &inlined, raw)
            })
            .collect();
        Some(ir::Event {
            spec_file: ev.rel.clone(),
            name: e.name.clone(),
            type_name: e.type_name.clone(),
            variant: e.name.to_upper_camel_case(),
            summary: e.summary.clone(),
            doc_zh: e.doc_zh.clone(),
            source: e.source.clone(),
            scope: e.scope.clone(),
            schema: inlined,
            answer,
            notes: e.notes.clone(),
            examples,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn event_example(
        &mut self,
        e: &EventFile,
        i: usize,
        file: &str,
        source: &str,
        map: &SourceMap,
        schema: &Json,
        raw: &RawDomain,
    ) -> Option<ir::EventExample> {
        let at = ["examples".to_owned(), i.to_string(), "file".to_owned()];
        let at: Vec<&str> = at.iter().map(String::as_str).collect();
        let path = raw.dir.join(file);
        let rel = path.strip_prefix(self.root).unwrap_or(&path).to_path_buf();
        let Ok(text) = std::fs::read_to_string(&path) else {
            self.errors
                .push(map.error(&at, format!("missing example file {}", rel.display())));
            return None;
        };
        let mut value: Json = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(err) => {
                self.errors
                    .push(map.error(&at, format!("example {} is not JSON: {err}", rel.display())));
                return None;
            }
        };
        if value.get("event").and_then(Json::as_str) != Some(e.name.as_str()) {
            self.errors.push(map.error(
                &at,
                format!("example {} is not a `{}` event", rel.display(), e.name),
            ));
        }
        // The platform sends some contents as JSON text; the receiver decodes them, so the check does too.
        if let Some(inner) = value
            .get("content")
            .and_then(Json::as_str)
            .and_then(|t| serde_json::from_str::<Json>(t).ok())
        {
            value["content"] = inner;
        }
        if let Some((path, why)) = first_mismatch(schema, &value) {
            self.errors.push(map.error(
                &at,
                format!(
                    "example {} does not fit the schema at {path}: {why}",
                    rel.display()
                ),
            ));
        }
        Some(ir::EventExample {
            file: rel,
            source: source.to_owned(),
            text: text.trim_end().to_owned(),
        })
    }
}
