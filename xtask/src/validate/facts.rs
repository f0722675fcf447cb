//! Checks of the domain facts that are not schemas: credentials and their refresh rules, signers and where they
//! apply, the generated crate's hand-written modules, mock fixtures and the names the CLI turns into flags.

use std::collections::BTreeSet;

use heck::{ToKebabCase, ToSnakeCase};
use serde_json::{Map, Value as Json};

use super::{base_url_problem, is_snake_ident, Ctx};
use crate::cli_surface::{reserved, RESERVED_COMMANDS};
use crate::ir::{self, Param};
use crate::spec::load::{RawDomain, SourceMap};
use crate::spec::model::{DomainFile, Fixture};
use crate::spec::schema::first_mismatch;

/// The text a fixture's value is spliced into, split around it.
const SPLICE: &str = "\u{0}douyin-fixture\u{0}";

impl Ctx<'_> {
    /// Base URL, credentials, signers, crate modules and the domain's command name.
    pub(super) fn domain_facts(&mut self, raw: &RawDomain, codes: &BTreeSet<&str>) {
        let d = &raw.domain.value;
        let map = &raw.domain.map;
        if let Some(problem) = base_url_problem(&d.base_url) {
            self.errors.push(map.error(&["base_url"], problem));
        }
        if RESERVED_COMMANDS.contains(&d.name.as_str()) {
            self.errors.push(map.error(
                &["name"],
                format!("`{}` is a built-in command of the CLI", d.name),
            ));
        }
        let modules: BTreeSet<&str> = d.krate.modules.iter().map(String::as_str).collect();
        let src = self
            .root
            .join("crates")
            .join(format!("douyin-{}", d.name))
            .join("src");
        for (i, m) in d.krate.modules.iter().enumerate() {
            let at = ["crate", "modules", &i.to_string()];
            if !is_snake_ident(m) || m == "generated" || m == "lib" {
                self.errors.push(map.error(
                    &at,
                    format!("`{m}` is not a module name (snake_case, not `generated`)"),
                ));
            } else if !src.join(format!("{m}.rs")).is_file() {
                self.errors.push(map.error(
                    &at,
                    format!(
                        "hand-written module `{m}` has no file {}/{m}.rs",
                        src.display()
                    ),
                ));
            }
        }
        self.crate_listing_facts(raw);
        let in_module = |path: &str| {
            syn::parse_str::<syn::Path>(path).is_ok()
                && path
                    .split_once("::")
                    .is_some_and(|(m, rest)| modules.contains(m) && !rest.is_empty())
        };
        for (i, r) in d.krate.reexports.iter().enumerate() {
            if !in_module(r) {
                self.errors.push(map.error(
                    &["crate", "reexports", &i.to_string()],
                    format!("`{r}` is not an item of a module listed in `crate.modules`"),
                ));
            }
        }
        if let Some(f) = &d.credentials_from {
            if !in_module(f) {
                self.errors.push(map.error(
                    &["credentials_from"],
                    format!("`{f}` is not a function of a module listed in `crate.modules`"),
                ));
            }
        }
        if let Some(f) = &d.builder_from {
            if !in_module(f) {
                self.errors.push(map.error(
                    &["builder_from"],
                    format!("`{f}` is not a function of a module listed in `crate.modules`"),
                ));
            } else if d.credentials_from.is_none() {
                self.errors.push(map.error(
                    &["builder_from"],
                    "`builder_from` takes what `credentials_from` builds: name that function too",
                ));
            }
        }
        if !d.errors.is_empty() && d.envelope.code.is_empty() {
            self.errors.push(map.error(
                &["envelope"],
                "documented error codes need an `envelope.code` path to be read from",
            ));
        }
        let mut names = BTreeSet::new();
        for (i, c) in d.credentials.iter().enumerate() {
            let at = ["credentials", &i.to_string()];
            if !is_snake_ident(&c.name) || !names.insert(c.name.as_str()) {
                self.errors.push(map.error(
                    &[at[0], at[1], "name"],
                    format!(
                        "credential `{}` is declared twice or not snake_case",
                        c.name
                    ),
                ));
            }
            for (j, code) in c.refresh_on_codes.iter().enumerate() {
                if !codes.contains(code.as_str()) {
                    self.errors.push(map.error(
                        &[at[0], at[1], "refresh_on_codes", &j.to_string()],
                        format!("code {code} is not in the domain's `errors` table"),
                    ));
                }
            }
            if let Some(f) = &c.cli_file {
                let kebab = f.flag.to_kebab_case() == f.flag && !f.flag.is_empty();
                if !kebab || reserved(&f.flag) || reserved(&f.flag.to_snake_case()) {
                    self.errors.push(map.error(
                        &[at[0], at[1], "cli_file", "flag"],
                        format!(
                            "`{}` is not kebab-case or is one of the CLI's own flags",
                            f.flag
                        ),
                    ));
                }
            }
        }
        let mut signers = BTreeSet::new();
        for (i, s) in d.signers.iter().enumerate() {
            let at = ["signers", &i.to_string()];
            if !is_snake_ident(&s.name) || !signers.insert(s.name.as_str()) {
                self.errors.push(map.error(
                    &[at[0], at[1], "name"],
                    format!("signer `{}` is declared twice or not snake_case", s.name),
                ));
            }
            if !in_module(&s.type_path) {
                self.errors.push(map.error(
                    &[at[0], at[1], "type"],
                    format!(
                        "`{}` is not a type of a module listed in `crate.modules`",
                        s.type_path
                    ),
                ));
            }
            if s.params.is_empty() {
                self.errors.push(map.error(
                    &[at[0], at[1], "params"],
                    "a signer appends at least one query parameter",
                ));
            }
        }
        self.known_signers(&d.signing, map, &["signing"], d);
        self.oauth_roles(raw, &names);
    }

    /// The OAuth roles name declared credentials and operations; the authorization page is on the base URL's host.
    fn oauth_roles(&mut self, raw: &RawDomain, credentials: &BTreeSet<&str>) {
        let d = &raw.domain.value;
        let map = &raw.domain.map;
        let Some(roles) = &d.oauth else { return };
        let c = &roles.credentials;
        for (role, name) in [
            ("code", &c.code),
            ("access_token", &c.access_token),
            ("refresh_token", &c.refresh_token),
            ("client_token", &c.client_token),
        ] {
            if !credentials.contains(name.as_str()) {
                self.errors.push(map.error(
                    &["oauth", "credentials", role],
                    format!("`{name}` is not a declared credential"),
                ));
            }
        }
        let o = &roles.operations;
        for (role, name) in [
            ("exchange_code", &o.exchange_code),
            ("refresh", &o.refresh),
            ("renew", &o.renew),
            ("client_token", &o.client_token),
        ] {
            if !raw.operations.iter().any(|op| &op.value.name == name) {
                self.errors.push(map.error(
                    &["oauth", "operations", role],
                    format!("`{name}` is not an operation of the domain"),
                ));
            }
        }
        match &d.authorization_url {
            Some(a) if a.url.starts_with(&format!("{}/", d.base_url)) => {}
            Some(_) => self.errors.push(map.error(
                &["authorization_url", "url"],
                "the authorization page must be below the base URL (the mock serves it there)",
            )),
            None => self.errors.push(map.error(
                &["oauth"],
                "an OAuth flow needs `authorization_url` (the page that hands out codes)",
            )),
        }
    }

    /// Every name in `names` is a signer the domain declares, at most once.
    pub(super) fn known_signers(
        &mut self,
        names: &[String],
        map: &SourceMap,
        at: &[&str],
        d: &DomainFile,
    ) {
        let mut seen = BTreeSet::new();
        for (i, n) in names.iter().enumerate() {
            let mut q = at.to_vec();
            let i = i.to_string();
            q.push(&i);
            if !d.signers.iter().any(|s| &s.name == n) {
                self.errors.push(map.error(
                    &q,
                    format!("unknown signer `{n}` (declare it under `signers` in domain.yaml)"),
                ));
            } else if !seen.insert(n) {
                self.errors
                    .push(map.error(&q, format!("signer `{n}` is applied twice")));
            }
        }
    }

    /// The CLI turns every caller-supplied parameter into a `--flag`: none may collide with the CLI's own flags or
    /// with another parameter's.
    pub(super) fn cli_flags(&mut self, params: &[Param], map: &SourceMap) {
        let mut seen = BTreeSet::new();
        for p in params.iter().filter(|p| p.is_user()) {
            let flag = p.wire.to_kebab_case();
            let at = ["parameters"];
            if reserved(&flag) || reserved(&p.rust) || reserved(&p.rust.to_kebab_case()) {
                self.errors.push(map.error(
                    &at,
                    format!(
                        "parameter `{}` collides with the CLI's own `--{flag}` (give it a `rust_name`)",
                        p.wire
                    ),
                ));
            }
            if !seen.insert(flag.clone()) {
                self.errors.push(map.error(
                    &at,
                    format!("two parameters become the CLI flag `--{flag}`"),
                ));
            }
        }
    }

    /// A mock fixture: the file exists and is JSON, `select` (dot-separated; numbers index arrays) finds a value,
    /// `with` is an object, and the body matches the response schema.
    pub(super) fn fixture(
        &mut self,
        f: &Fixture,
        map: &SourceMap,
        schema: &Json,
        raw: &RawDomain,
    ) -> Option<ir::FixtureIr> {
        let at = ["mock", "success"];
        let path = raw.dir.join(&f.file);
        let rel = path.strip_prefix(self.root).unwrap_or(&path).to_path_buf();
        let parsed = std::fs::read(&path)
            .map_err(|e| format!("fixture {}: {e}", rel.display()))
            .and_then(|bytes| {
                serde_json::from_slice::<Json>(&bytes)
                    .map_err(|e| format!("fixture {} is not JSON: {e}", rel.display()))
            });
        let value = match parsed {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(map.error(&[at[0], at[1], "file"], e));
                return None;
            }
        };
        let selected = match &f.select {
            None => value,
            Some(sel) => {
                match sel
                    .split('.')
                    .try_fold(&value, |v, seg| match seg.parse::<usize>() {
                        // A numeric segment indexes an array, as the mock's `select` does.
                        Ok(i) => v.get(i),
                        Err(_) => v.get(seg),
                    }) {
                    Some(v) => v.clone(),
                    None => {
                        self.errors.push(map.error(
                            &[at[0], at[1], "select"],
                            format!("{} has no `{sel}`", rel.display()),
                        ));
                        return None;
                    }
                }
            }
        };
        let mut body = match &f.with {
            None => Json::Object(Map::new()),
            Some(w @ Json::Object(_)) => w.clone(),
            Some(_) => {
                self.errors
                    .push(map.error(&[at[0], at[1], "with"], "`with` is an object"));
                return None;
            }
        };
        let (prefix, suffix) = match &f.wrap_in {
            None if f.with.is_some() => {
                self.errors.push(map.error(
                    &[at[0], at[1], "with"],
                    "`with` needs `wrap_in` (the path where the file's value goes)",
                ));
                return None;
            }
            None => {
                body = selected;
                (String::new(), String::new())
            }
            Some(path) => {
                set_path(&mut body, path, Json::from(SPLICE));
                let text = body.to_string();
                let marker = Json::from(SPLICE).to_string();
                let (pre, post) = text.split_once(&marker).expect("the marker was just set");
                let (pre, post) = (pre.to_owned(), post.to_owned());
                set_path(&mut body, path, selected);
                (pre, post)
            }
        };
        if let Some((p, why)) = first_mismatch(schema, &body) {
            self.errors.push(map.error(
                &[at[0], at[1], "file"],
                format!("the fixture body contradicts the response schema at `{p}`: {why}"),
            ));
            return None;
        }
        Some(ir::FixtureIr {
            file: rel,
            select: f.select.clone(),
            prefix,
            suffix,
        })
    }

    /// crates.io's limits on `crate.keywords` and `crate.categories` (a publish would refuse them).
    fn crate_listing_facts(&mut self, raw: &RawDomain) {
        let d = &raw.domain.value;
        let map = &raw.domain.map;
        for (key, list) in [
            ("keywords", &d.krate.keywords),
            ("categories", &d.krate.categories),
        ] {
            if list.len() > 5 {
                self.errors.push(map.error(
                    &["crate", key],
                    format!("crates.io takes at most 5 {key}, not {}", list.len()),
                ));
            }
        }
        for (i, k) in d.krate.keywords.iter().enumerate() {
            let ok = k.len() <= 20
                && k.starts_with(|c: char| c.is_ascii_alphanumeric())
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_+".contains(c));
            if !ok {
                self.errors.push(map.error(
                    &["crate", "keywords", &i.to_string()],
                    format!("`{k}` is not a crates.io keyword (at most 20 ASCII letters, digits, `-`, `_`, `+`)"),
                ));
            }
        }
    }
}

/// Sets a dot-separated path, creating objects on the way (and keeping a present key's position).
pub fn set_path(body: &mut Json, path: &str, value: Json) {
    let mut cur = body;
    let mut segs = path.split('.').peekable();
    while let Some(seg) = segs.next() {
        if !cur.is_object() {
            *cur = Json::Object(Map::new());
        }
        let obj = cur.as_object_mut().expect("made an object above");
        if segs.peek().is_none() {
            obj.insert(seg.to_owned(), value);
            return;
        }
        cur = obj
            .entry(seg.to_owned())
            .or_insert_with(|| Json::Object(Map::new()));
    }
}
