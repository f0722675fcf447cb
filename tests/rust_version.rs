//! Every published crate builds with the rust-version it declares: nothing its normal or build dependencies resolve
//! to in `Cargo.lock` (on any platform) declares a newer one. Tools that are never published (`publish = false`)
//! may need a newer compiler and are not checked. CI has only the current toolchain, so this reads the lockfile's
//! resolution through `cargo metadata` instead of compiling with the old compiler.

use std::collections::{BTreeSet, HashMap};

use douyin_tests::cargo_metadata;
use serde_json::Value;

/// `1.85` or `1.85.0` as a comparable triple.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

fn metadata() -> Value {
    cargo_metadata(&["--locked"])
}

/// `(dependency, its rust-version)` for every package in the normal/build closure of `root` that needs a newer
/// compiler than `limit`.
fn too_new(
    root: &str,
    limit: (u64, u64, u64),
    packages: &HashMap<&str, &Value>,
    deps: &HashMap<&str, Vec<&str>>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    let mut found = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let package = packages[id];
        if let Some(needs) = package["rust_version"].as_str() {
            if version(needs) > limit {
                found.insert(format!(
                    "{} {} needs {needs}",
                    package["name"].as_str().unwrap_or("?"),
                    package["version"].as_str().unwrap_or("?")
                ));
            }
        }
        stack.extend(deps.get(id).into_iter().flatten());
    }
    found
}

#[test]
fn published_crates_resolve_to_dependencies_their_rust_version_builds() {
    let meta = metadata();
    let packages: HashMap<&str, &Value> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().expect("id"), p))
        .collect();
    // Dev-dependencies are not built by users of a published crate; build scripts' dependencies are.
    let deps: HashMap<&str, Vec<&str>> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve.nodes")
        .iter()
        .map(|node| {
            let used = node["deps"]
                .as_array()
                .expect("deps")
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .expect("dep_kinds")
                        .iter()
                        .any(|k| k["kind"].is_null() || k["kind"] == "build")
                })
                .map(|d| d["pkg"].as_str().expect("pkg"))
                .collect();
            (node["id"].as_str().expect("id"), used)
        })
        .collect();

    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for id in meta["workspace_members"].as_array().expect("members") {
        let id = id.as_str().expect("member id");
        let package = packages[id];
        let name = package["name"].as_str().expect("name");
        // `publish = false` is `"publish": []`; an unset `publish` is `null`.
        if package["publish"].as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let Some(declared) = package["rust_version"].as_str() else {
            problems.push(format!("{name} is published but declares no rust-version"));
            continue;
        };
        for dep in too_new(id, version(declared), &packages, &deps) {
            problems.push(format!("{name} (rust-version {declared}): {dep}"));
        }
        checked.push(name);
    }
    assert!(
        checked.contains(&"douyin-core") && checked.contains(&"douyin"),
        "the published crates were not found: {checked:?}"
    );
    assert!(
        problems.is_empty(),
        "published crates would not build with their rust-version; pick older versions with \
         `cargo update -p <crate> --precise <version>` (resolver 3 prefers compatible ones):\n{}",
        problems.join("\n")
    );
}

#[test]
fn versions_compare_numerically() {
    assert!(version("1.88") > version("1.85.0"));
    assert!(version("1.100") > version("1.85"));
    assert_eq!(version("1.85"), version("1.85.0"));
}
