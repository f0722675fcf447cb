//! Stage 2: checks a loaded domain (names, references, parameters, examples) and builds the IR from it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{json, Value as Json};

mod events;
mod facts;
mod operation;
mod pacing;

pub use facts::set_path;

use crate::ir::{self, Expect, Location, Param, ParamType};
use crate::spec::load::{Loaded, RawDomain, SourceMap, SpecError};
use crate::spec::model::{OperationFile, Parameter};
use crate::spec::schema::{first_mismatch, lookup, Schemas};

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while",
];

/// A Rust identifier for a wire name.
pub fn rust_ident(wire: &str) -> String {
    let s = wire.to_snake_case();
    if RUST_KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

struct Ctx<'a> {
    root: &'a Path,
    schemas: Schemas<'a>,
    errors: Vec<SpecError>,
    definitions: BTreeMap<String, Json>,
    /// Generated type names a parameter's schema took from a different schema (reported where it is declared).
    clashes: Vec<String>,
}

/// Validates `raw` and builds its IR; every problem found is reported, not just the first.
pub fn validate(root: &Path, raw: &RawDomain) -> Result<ir::Domain, Vec<SpecError>> {
    let mut cx = Ctx {
        root,
        schemas: Schemas {
            files: &raw.schemas,
        },
        errors: Vec::new(),
        definitions: BTreeMap::new(),
        clashes: Vec::new(),
    };
    let d = &raw.domain.value;
    let dmap = &raw.domain.map;
    let expected_name = raw
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    if expected_name.as_deref() != Some(d.name.as_str()) {
        cx.errors.push(dmap.error(
            &["name"],
            format!("domain name `{}` must match its folder", d.name),
        ));
    }
    for (file, s) in &raw.schemas {
        cx.schemas.check(&s.value, &s.map, &[], &mut cx.errors);
        let name = cx.schemas.type_name(file);
        let form = cx.schemas.typify_form(&s.value);
        if cx.definitions.insert(name.clone(), form).is_some() {
            cx.errors.push(
                s.map
                    .error(&["title"], format!("type name `{name}` is used twice")),
            );
        }
    }
    if let Some(env) = &d.envelope.schema {
        cx.schemas.check(
            env,
            dmap,
            &["envelope".into(), "schema".into()],
            &mut cx.errors,
        );
    }
    let credentials: BTreeSet<&str> = d.credentials.iter().map(|c| c.name.as_str()).collect();
    let mut seen_codes = BTreeSet::new();
    for (i, e) in d.errors.iter().enumerate() {
        if !seen_codes.insert(e.code.as_str()) {
            cx.errors.push(dmap.error(
                &["errors", &i.to_string()],
                format!("error code {} listed twice", e.code),
            ));
        }
    }
    cx.domain_facts(raw, &seen_codes);
    for (i, host) in d
        .mock
        .iter()
        .flat_map(|m| &m.media)
        .flat_map(|m| &m.hosts)
        .enumerate()
    {
        if host.is_empty() || host.contains("://") || host.starts_with('/') {
            let at = ["mock", "media", "hosts", &i.to_string()];
            cx.errors.push(dmap.error(
                &at,
                format!(
                    "`{host}`: a host, optionally with a path (`cdn.example.com/play/`), no scheme"
                ),
            ));
        }
    }
    let common: Vec<Param> = d
        .common_parameters
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            cx.param(
                p,
                dmap,
                &["common_parameters".into(), i.to_string()],
                &credentials,
                "Common",
                Some(p.position),
            )
        })
        .collect();

    cx.domain_pacing(raw);
    let mut operations = Vec::new();
    let mut names = BTreeMap::new();
    let mut routes = BTreeMap::new();
    for op in &raw.operations {
        if let Some(prev) = names.insert(op.value.name.clone(), op.rel.clone()) {
            cx.errors.push(op.map.error(
                &["name"],
                format!(
                    "duplicate operation name `{}` (also in {})",
                    op.value.name,
                    prev.display()
                ),
            ));
        }
        let route = (op.value.method.as_str(), op.value.path.clone());
        if let Some(prev) = routes.insert(route, op.rel.clone()) {
            cx.errors.push(op.map.error(
                &["path"],
                format!(
                    "{} {} is also the route of {}",
                    op.value.method.as_str(),
                    op.value.path,
                    prev.display()
                ),
            ));
        }
        if let Some(o) = cx.operation(op, &common, &credentials, raw) {
            operations.push(o);
        }
    }
    let events = cx.events(raw);
    let user_agent_credential = common
        .iter()
        .find(|p| p.location == Location::Header && p.wire.eq_ignore_ascii_case("user-agent"))
        .and_then(|p| p.credential.clone());
    let session_ua = d.session.as_ref().and_then(|s| s.user_agent.clone());
    let credentials = d
        .credentials
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if Some(&c.name) == user_agent_credential.as_ref() && c.example.is_none() {
                c.example = session_ua.clone();
            }
            c
        })
        .collect();
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    Ok(ir::Domain {
        name: d.name.clone(),
        crate_name: format!("douyin-{}", d.name),
        spec_dir: raw.dir.strip_prefix(root).unwrap_or(&raw.dir).to_path_buf(),
        title: d.title.clone(),
        doc: d.doc.clone(),
        source: d.source.clone(),
        base_url: d.base_url.clone(),
        krate: d.krate.clone(),
        credentials,
        credentials_from: d.credentials_from.clone(),
        builder_from: d.builder_from.clone(),
        signers: d.signers.clone(),
        envelope: d.envelope.clone(),
        errors: d.errors.clone(),
        response_formats: d.response_formats.clone(),
        session: d.session.clone(),
        alternative_base_urls: d.alternative_base_urls.clone(),
        authorization_url: d.authorization_url.clone(),
        oauth: d.oauth.clone(),
        pacing: d.pacing.clone(),
        mock: d.mock.clone(),
        push: d.push.clone(),
        notes: d.notes.clone(),
        operations,
        events,
        webhooks: d.webhooks.clone(),
        definitions: cx.definitions,
        user_agent_credential,
    })
}

/// Whether `name` is a plain Rust identifier in snake_case.
fn is_snake_ident(name: &str) -> bool {
    !name.is_empty()
        && name.to_snake_case() == name
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && !RUST_KEYWORDS.contains(&name)
}

/// Whether `url` is an absolute http(s) URL without a trailing slash (paths start with `/`).
fn base_url_problem(url: &str) -> Option<&'static str> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        Some("a base URL starts with https:// or http://")
    } else if url.ends_with('/') {
        Some("a base URL has no trailing `/` (operation paths start with one)")
    } else {
        None
    }
}

impl Ctx<'_> {
    fn param(
        &mut self,
        p: &Parameter,
        map: &SourceMap,
        at: &[String],
        credentials: &BTreeSet<&str>,
        owner: &str,
        common: Option<ir::Position>,
    ) -> Option<Param> {
        let here: Vec<&str> = at.iter().map(String::as_str).collect();
        if let Some(c) = &p.credential {
            if !credentials.contains(c.as_str()) {
                let mut q = here.clone();
                q.push("credential");
                self.errors.push(map.error(
                    &q,
                    format!("unknown credential `{c}` (declare it in domain.yaml)"),
                ));
            }
        }
        let schema = p.schema.clone().unwrap_or(json!({ "type": "string" }));
        let mut sat = at.to_vec();
        sat.push("schema".into());
        self.schemas.check(&schema, map, &sat, &mut self.errors);
        let rust = p.rust_name.clone().unwrap_or_else(|| rust_ident(&p.name));
        let ty = self.param_type(&schema, &format!("{owner}{}", rust.to_upper_camel_case()));
        for name in std::mem::take(&mut self.clashes) {
            self.errors.push(map.error(
                &sat.iter().map(String::as_str).collect::<Vec<_>>(),
                format!("type name `{name}` is already another schema's (give this one its own `title`)"),
            ));
        }
        if p.encoding.is_none() && matches!(ty, ParamType::List(_)) {
            self.errors
                .push(map.error(&here, "a list parameter needs `encoding: json`"));
        }
        if let Some(kind) = p.link {
            // A link names one id: a text or integer value, or a list of them (each item resolved).
            let item = match &ty {
                ParamType::List(inner) => inner.as_ref(),
                t => t,
            };
            let mut q = here.clone();
            q.push("link");
            if p.credential.is_some() || p.constant.is_some() || common.is_some() {
                self.errors.push(map.error(
                    &q,
                    "`link` is for a parameter the caller supplies (not a credential, constant or common one)",
                ));
            } else if !matches!(item, ParamType::String | ParamType::Integer) {
                self.errors.push(map.error(
                    &q,
                    format!(
                        "`link: {}` needs a string or integer parameter (or a list of them)",
                        kind.as_str()
                    ),
                ));
            }
        }
        let bound = |k: &str| schema.get(k).and_then(Json::as_i64);
        let typed_json = p.location == ir::Location::Json
            && (p.encoding.is_some() || matches!(ty, ParamType::Integer | ParamType::Boolean));
        if let Some(c) = p.constant.as_ref().filter(|_| typed_json) {
            let fits = match serde_json::from_str::<Json>(c) {
                Ok(v) => crate::spec::schema::first_mismatch(&self.schemas.inline(&schema), &v)
                    .map(|(path, why)| format!("at `{path}`: {why}")),
                Err(e) => Some(format!("not JSON: {e}")),
            };
            if let Some(why) = fits {
                let mut q = here.clone();
                q.push("const");
                self.errors.push(map.error(
                    &q,
                    format!("a JSON body member's const is JSON text of its schema's type; {why}"),
                ));
            }
        }
        Some(Param {
            wire: p.name.clone(),
            rust,
            location: p.location,
            required: p.required,
            ty,
            doc: p.doc.clone(),
            example: p.example.clone(),
            credential: p.credential.clone(),
            constant: p.constant.clone(),
            default: p.default.clone(),
            minimum: bound("minimum"),
            maximum: bound("maximum"),
            encoding: p.encoding,
            schema: self.schemas.inline(&schema),
            common,
            link: p.link,
        })
    }

    fn param_type(&mut self, schema: &Json, name: &str) -> ParamType {
        if let Some(file) = schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| self.schemas.file_of(r))
        {
            return ParamType::Named(self.schemas.type_name(file));
        }
        match schema.get("type").and_then(Json::as_str) {
            Some("integer") => ParamType::Integer,
            Some("boolean") => ParamType::Boolean,
            Some("array") => {
                let items = schema.get("items").cloned().unwrap_or(json!({}));
                ParamType::List(Box::new(self.param_type(&items, &format!("{name}Item"))))
            }
            Some("object") => self.named(schema, name),
            _ if schema.get("enum").is_some() => self.named(schema, name),
            _ => ParamType::String,
        }
    }

    fn named(&mut self, schema: &Json, fallback: &str) -> ParamType {
        let name = schema
            .get("title")
            .and_then(Json::as_str)
            .unwrap_or(fallback)
            .to_owned();
        let mut form = self.schemas.typify_form(schema);
        form["title"] = json!(name);
        if let Some(prev) = self.definitions.insert(name.clone(), form.clone()) {
            if prev != form {
                self.clashes.push(name.clone());
            }
        }
        ParamType::Named(name)
    }
}

/// The operation's response schema with the domain envelope's properties appended.
fn merge_envelope(schema: &Json, envelope: Option<&Json>) -> Json {
    let mut out = schema.clone();
    let (Some(props), Some(env)) = (
        out.get_mut("properties").and_then(Json::as_object_mut),
        envelope
            .and_then(|e| e.get("properties"))
            .and_then(Json::as_object),
    ) else {
        return out;
    };
    for (k, v) in env {
        if !props.contains_key(k) {
            props.insert(k.clone(), v.clone());
        }
    }
    out
}

/// The sub-schema at a dot-separated property path of an inlined schema.
pub fn schema_at<'s>(schema: &'s Json, path: &str) -> Option<&'s Json> {
    path.split('.')
        .try_fold(schema, |s, seg| s.get("properties")?.get(seg))
}

/// Like [`schema_at`], following `$ref`s without inlining the last step (so the item schema's `$ref` stays visible).
fn schema_at_refs(schema: &Json, path: &str, schemas: &Schemas) -> Option<Json> {
    let mut cur = schema.clone();
    for seg in path.split('.') {
        if let Some(f) = cur
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| schemas.file_of(r))
        {
            cur = schemas.files[f].value.clone();
        }
        cur = cur.get("properties")?.get(seg)?.clone();
    }
    if let Some(f) = cur
        .get("$ref")
        .and_then(Json::as_str)
        .and_then(|r| schemas.file_of(r))
    {
        cur = schemas.files[f].value.clone();
    }
    Some(cur)
}

/// `{name}` placeholders of a template.
pub fn placeholders(template: &str) -> Vec<String> {
    template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned()))
        .collect()
}
