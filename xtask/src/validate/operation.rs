//! Stage 2 for one operation: its parameters, response schema (with the domain's envelope), pagination and examples
//! checked and turned into the IR's operation.

use super::*;

impl Ctx<'_> {
    pub(super) fn operation(
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
