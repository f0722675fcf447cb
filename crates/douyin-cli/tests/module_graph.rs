//! The modules of `src/` import each other without a cycle: every path one file names (`use crate::…`,
//! `crate::pages::run(…)`, `super::…`) is an edge to the module (file) it reaches; test-only items are left out, and
//! so are paths from a submodule up to its own ancestors (a private submodule is part of the module that declares
//! it). A cycle means two modules can only be understood together, which is what the seams exist to prevent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use syn::visit::Visit;

/// Every module file of `src/` by its path from the crate root (`domains::web::share`; `""` for the root).
fn modules(src: &Path) -> BTreeMap<Vec<String>, std::path::PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut segments: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if segments == ["main"] {
                continue; // the binary: it calls the library as `douyin_cli::…`
            }
            if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
                segments.pop();
            }
            out.insert(segments, path);
        }
    }
    out
}

/// The paths one file names, as segments, with the module they start from resolved.
struct Paths<'m> {
    module: &'m [String],
    found: Vec<Vec<String>>,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

impl Paths<'_> {
    /// `segments` from the crate root, if they start with `crate`, `super` or `self`.
    fn absolute(&self, segments: Vec<String>) -> Option<Vec<String>> {
        let mut base: Vec<String> = self.module.to_vec();
        let mut rest = segments.into_iter().peekable();
        match rest.peek().map(String::as_str) {
            Some("crate") => {
                base.clear();
                rest.next();
            }
            Some("self") => {
                rest.next();
            }
            Some("super") => {
                while rest.peek().map(String::as_str) == Some("super") {
                    rest.next();
                    base.pop()?;
                }
            }
            _ => return None,
        }
        base.extend(rest);
        Some(base)
    }

    fn record(&mut self, segments: Vec<String>) {
        if let Some(path) = self.absolute(segments) {
            self.found.push(path);
        }
    }
}

/// Flattens a `use` tree into the paths it names (a group gives one path per member).
fn use_paths(prefix: &mut Vec<String>, tree: &syn::UseTree, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(prefix, &p.tree, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push([prefix.clone(), vec![n.ident.to_string()]].concat()),
        syn::UseTree::Rename(r) => out.push([prefix.clone(), vec![r.ident.to_string()]].concat()),
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_paths(prefix, t, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_paths(&mut Vec::new(), &u.tree, &mut paths);
        for p in paths {
            self.record(p);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.record(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// The module a path reaches: its longest prefix that is a module file.
fn target<'m>(
    modules: &'m BTreeMap<Vec<String>, std::path::PathBuf>,
    path: &[String],
) -> Option<&'m Vec<String>> {
    (0..=path.len())
        .rev()
        .find_map(|n| modules.get_key_value(&path[..n]).map(|(k, _)| k))
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// The edges module → modules it imports (edges to itself, to its ancestors and to the crate root left out).
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules = modules(src);
    let mut edges = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut paths = Paths {
            module,
            found: Vec::new(),
        };
        paths.visit_file(&ast);
        let to: BTreeSet<Vec<String>> = paths
            .found
            .iter()
            .filter_map(|p| target(&modules, p))
            .filter(|t| !module.starts_with(t))
            .cloned()
            .collect();
        edges.insert(module.clone(), to);
    }
    edges
}

/// A cycle of `edges`, if there is one, as the modules along it.
fn find_cycle(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        done: &mut BTreeSet<Vec<String>>,
        path: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|m| name(m)).collect();
            cycle.push(name(node));
            return Some(cycle);
        }
        if !done.insert(node.clone()) {
            return None;
        }
        path.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, done, path) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|start| visit(start, edges, &mut done, &mut Vec::new()))
}

#[test]
fn the_modules_of_the_cli_import_each_other_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    assert!(
        edges.len() > 10,
        "the crate's modules were found: {edges:?}"
    );
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn a_cycle_is_found() {
    let module = |s: &str| -> Vec<String> { s.split("::").map(str::to_owned).collect() };
    let mut edges = BTreeMap::new();
    edges.insert(module("host"), BTreeSet::from([module("pages")]));
    edges.insert(module("pages"), BTreeSet::from([module("context")]));
    edges.insert(module("context"), BTreeSet::new());
    assert_eq!(find_cycle(&edges), None);
    edges.insert(module("context"), BTreeSet::from([module("host")]));
    assert_eq!(
        find_cycle(&edges).unwrap(),
        ["context", "host", "pages", "context"]
    );
}
