//! Stage 2: checks a loaded domain (names, references, parameters, examples) and builds the IR from it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{json, Value as Json};

mod events;
mod facts;
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

    fn operation(
        &mut self,
        op: &Loaded<OperationFile>,
        common: &[Param],
        credentials: &BTreeSet<&str>,
        raw: &RawDomain,
    ) -> Option<ir::Operation> {
        let o = &op.value;
        let map = &op.map;
        if o.name != o.name.to_snake_case() {
            self.errors.push(map.error(
                &["name"],
                format!("operation name `{}` must be snake_case", o.name),
            ));
        }
        if !o.path.starts_with('/') {
            self.errors
                .push(map.error(&["path"], "path must start with `/`"));
        }
        let owner = o.name.to_upper_camel_case();
        let mut own = Vec::new();
        for (i, p) in o.parameters.iter().enumerate() {
            if let Some(p) = self.param(
                p,
                map,
                &["parameters".into(), i.to_string()],
                credentials,
                &owner,
                None,
            ) {
                own.push(p);
            }
        }
        if let Some(names) = &o.common_parameters {
            for (i, n) in names.iter().enumerate() {
                if !common.iter().any(|p| &p.wire == n) {
                    self.errors.push(map.error(
                        &["common_parameters", &i.to_string()],
                        format!("`{n}` is not one of the domain's common parameters"),
                    ));
                }
            }
        }
        let carried = |p: &&Param| {
            o.common_parameters
                .as_ref()
                .is_none_or(|names| names.contains(&p.wire))
        };
        let first = common
            .iter()
            .filter(|p| p.common == Some(ir::Position::First))
            .filter(carried);
        let last = common
            .iter()
            .filter(|p| p.common == Some(ir::Position::Last))
            .filter(carried);
        let params: Vec<Param> = first.cloned().chain(own).chain(last.cloned()).collect();
        let mut seen = BTreeSet::new();
        for p in &params {
            if !seen.insert((p.location, p.wire.clone())) {
                self.errors.push(map.error(
                    &["parameters"],
                    format!("parameter `{}` appears twice", p.wire),
                ));
            }
        }
        let bodies: BTreeSet<_> = params
            .iter()
            .map(|p| p.location)
            .filter(|l| l.in_body())
            .collect();
        if bodies.len() > 1 {
            self.errors.push(map.error(
                &["parameters"],
                "an operation's body is either a form (`in: form`) or JSON (`in: json`), not both",
            ));
        }
        if o.method == ir::Method::Get && !bodies.is_empty() {
            self.errors.push(map.error(
                &["parameters"],
                "a GET request has no body (`in: form`/`in: json`)",
            ));
        }
        let referer = o.referer.as_ref().map(|r| {
            let mut format = r.clone();
            let mut fields = Vec::new();
            for name in placeholders(r) {
                format = format.replace(&format!("{{{name}}}"), "{}");
                match params
                    .iter()
                    .find(|p| p.wire == name && p.required && p.is_user())
                {
                    Some(p) => fields.push(p.rust.clone()),
                    None => self.errors.push(map.error(
                        &["referer"],
                        format!("referer names `{{{name}}}`, which is not a required parameter"),
                    )),
                }
            }
            ir::Referer {
                template: r.clone(),
                format,
                fields,
            }
        });
        self.cli_flags(&params, map);
        if let Some(url) = &o.base_url {
            if let Some(problem) = base_url_problem(url) {
                self.errors.push(map.error(&["base_url"], problem));
            }
        }
        let signing = match &o.signing {
            Some(names) => {
                self.known_signers(names, map, &["signing"], &raw.domain.value);
                names.clone()
            }
            None => raw.domain.value.signing.clone(),
        };

        let schema_at = ["response".to_owned(), "schema".to_owned()];
        self.schemas
            .check(&o.response.schema, map, &schema_at, &mut self.errors);
        let merged = merge_envelope(
            &o.response.schema,
            raw.domain.value.envelope.schema.as_ref(),
        );
        let mut form = self.schemas.typify_form(&merged);
        form["title"] = json!(o.response.type_name);
        if self
            .definitions
            .insert(o.response.type_name.clone(), form)
            .is_some()
        {
            self.errors.push(map.error(
                &["response", "type"],
                format!("type name `{}` is used twice", o.response.type_name),
            ));
        }
        let inlined = self.schemas.inline(&merged);

        let pagination = o.pagination.as_ref().and_then(|pg| {
            let item_type = self.pagination_item(pg, &inlined, &merged, map);
            let cursor = params
                .iter()
                .find(|p| p.wire == pg.cursor_param && p.ty == ParamType::Integer && p.is_user());
            if cursor.is_none() {
                self.errors.push(map.error(
                    &["pagination", "cursor_param"],
                    format!("`{}` is not an integer parameter", pg.cursor_param),
                ));
            }
            Some(ir::PaginationIr {
                spec: pg.clone(),
                cursor: cursor?.clone(),
                item_type: item_type?,
            })
        });

        let mut examples: Vec<ir::Example> = Vec::new();
        for (i, ex) in o.examples.iter().enumerate() {
            let at = ["examples".to_owned(), i.to_string()];
            if let Some(e) = self.example(ex, &o.name, &at, map, &inlined, raw) {
                if examples.iter().any(|prev| prev.key == e.key) {
                    self.errors.push(map.error(
                        &["examples", &i.to_string(), "file"],
                        format!(
                            "two examples are named `{}` (file stems must differ)",
                            e.key
                        ),
                    ));
                }
                examples.push(e);
            }
        }
        let pacing = self.pacing(raw, op);
        let mock_success = o
            .mock
            .as_ref()
            .and_then(|m| self.fixture(&m.success, map, &inlined, raw));
        Some(ir::Operation {
            spec_file: op.rel.clone(),
            name: o.name.clone(),
            summary: o.summary.clone(),
            doc_zh: o.doc_zh.clone(),
            source: o.source.clone(),
            method: o.method,
            path: o.path.clone(),
            base_url: o.base_url.clone(),
            scope: o.scope.clone(),
            referer,
            params,
            response_type: o.response.type_name.clone(),
            response_schema: inlined,
            pagination,
            signing,
            session_profile: o.session_profile,
            cookies: o.response.cookies.clone(),
            mock_success,
            pacing,
            notes: o.notes.clone(),
            examples,
        })
    }

    fn pagination_item(
        &mut self,
        pg: &ir::Pagination,
        inlined: &Json,
        merged: &Json,
        map: &SourceMap,
    ) -> Option<String> {
        let mut ok = true;
        for (key, path, want) in [
            ("next_cursor", &pg.next_cursor, &["integer"][..]),
            ("has_more", &pg.has_more, &["boolean", "integer"][..]),
            ("items", &pg.items, &["array"][..]),
        ] {
            let ty = schema_at(inlined, path)
                .and_then(|s| s.get("type"))
                .and_then(Json::as_str);
            if !ty.is_some_and(|t| want.contains(&t)) {
                self.errors.push(map.error(
                    &["pagination", key],
                    format!(
                        "`{path}` is not a response field of type {}",
                        want.join(" or ")
                    ),
                ));
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        // The item type must be named: a `$ref` or a `title` on the items schema.
        let items =
            schema_at_refs(merged, &pg.items, &self.schemas).and_then(|s| s.get("items").cloned());
        let name = items.as_ref().and_then(|i| {
            i.get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| self.schemas.file_of(r))
                .map(|f| self.schemas.type_name(f))
                .or_else(|| i.get("title").and_then(Json::as_str).map(str::to_owned))
        });
        if name.is_none() {
            self.errors.push(map.error(
                &["pagination", "items"],
                "the items' schema needs a `title` or a `$ref`",
            ));
        }
        name
    }

    fn example(
        &mut self,
        ex: &crate::spec::model::Example,
        op_name: &str,
        at: &[String],
        map: &SourceMap,
        schema: &Json,
        raw: &RawDomain,
    ) -> Option<ir::Example> {
        let here: Vec<&str> = at.iter().map(String::as_str).collect();
        let path = raw.dir.join(&ex.file);
        let rel = path.strip_prefix(self.root).unwrap_or(&path).to_path_buf();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(_) => {
                let mut q = here.clone();
                q.push("file");
                self.errors
                    .push(map.error(&q, format!("missing example file {}", rel.display())));
                return None;
            }
        };
        let mut q = here.clone();
        q.push("expect");
        let value: Json = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                self.errors
                    .push(map.error(&q, format!("example {} is not JSON: {e}", rel.display())));
                return None;
            }
        };
        let env = &raw.domain.value.envelope;
        let code = lookup(&value, &env.code).map(|c| match c {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        });
        let is_success = code.as_ref().is_none_or(|c| env.success.contains(c));
        let mismatch = first_mismatch(schema, &value);
        let problem = match (&ex.expect, &mismatch) {
            (Expect::Ok, Some((p, why))) => Some(format!("example contradicts the schema at `{p}`: {why} (mark it an artifact if the documentation is wrong)")),
            (Expect::Ok, None) if !is_success => Some(format!("example reports error code {} but expects ok", code.unwrap_or_default())),
            (Expect::ApiError(want), _) if code.as_ref() != Some(want) => Some(format!("example's code is {code:?}, not {want}")),
            (Expect::Artifact { path, .. }, None) => Some(format!("example decodes cleanly; nothing fails at `{path}`")),
            (Expect::Artifact { path, .. }, Some((p, _))) if p != path => Some(format!("example first fails at `{p}`, not `{path}`")),
            _ => None,
        };
        if let Some(problem) = problem {
            self.errors.push(map.error(&q, problem));
            return None;
        }
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let key = stem
            .strip_prefix(&format!("{op_name}."))
            .unwrap_or(&stem)
            .to_owned();
        Some(ir::Example {
            file: rel,
            key,
            source: ex.source.clone(),
            expect: ex.expect.clone(),
            value,
        })
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
