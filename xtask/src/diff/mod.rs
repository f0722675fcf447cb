//! `cargo xtask diff [BASE]`: a spec change reviewed as an API change. Loads the specs at a git revision (from git
//! objects, without touching the work tree) and in the work tree through the same loader, IR and emitters as codegen,
//! and reports per generated crate what changed for its users, classified breaking / additive / docs only.

mod compare;
mod events;
pub(crate) mod git;
pub(crate) mod render;
mod rust_items;
#[cfg(test)]
mod semver_sample;
mod snapshot;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

pub use compare::{Change, Class};
use snapshot::CrateSnap;

/// Arguments of `cargo xtask diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Git revision to compare the work tree with (default: the merge base with `main`, else `HEAD`).
    pub base: Option<String>,
    /// Print the report as JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 1) when a crate has a change of this class without the version bump it needs.
    #[arg(long, value_name = "CLASS", value_parser = ["breaking"])]
    pub deny: Option<String>,
    /// Print the next version of each changed crate instead of the report.
    #[arg(long)]
    pub suggest_version: bool,
}

/// The changes of one generated crate.
#[derive(Debug, Serialize)]
pub struct CrateReport {
    #[serde(rename = "crate")]
    pub crate_name: String,
    pub domain: String,
    pub old_version: Option<String>,
    pub new_version: Option<String>,
    /// The version the changes call for, from the old version.
    pub suggested_version: Option<String>,
    /// The most severe class of its changes.
    pub class: Option<Class>,
    /// Breaking changes without the major (0.x: minor) bump they need.
    pub needs_bump: bool,
    pub changes: Vec<Change>,
}

/// The whole report, deterministic for the same inputs.
#[derive(Debug, Serialize)]
pub struct Report {
    pub base: String,
    pub crates: Vec<CrateReport>,
}

/// Runs `cargo xtask diff`.
pub fn run(root: &Path, args: &Args) -> ExitCode {
    let report = match diff_against(root, args.base.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.suggest_version {
        print!("{}", render::versions(&report));
    } else if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report serializes")
        );
    } else {
        print!("{}", render::markdown(&report));
    }
    let denied: Vec<&CrateReport> = report.crates.iter().filter(|c| c.needs_bump).collect();
    if args.deny.is_some() && !denied.is_empty() {
        for c in denied {
            eprintln!(
                "error: {} has breaking changes but its version {} is not bumped (suggested: {})",
                c.crate_name,
                c.new_version.as_deref().unwrap_or("?"),
                c.suggested_version.as_deref().unwrap_or("?"),
            );
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Compares the specs at git revision `base` (default: merge base with main, else HEAD) with the work tree.
pub fn diff_against(root: &Path, base: Option<&str>) -> Result<Report, String> {
    let base = match base {
        Some(b) => b.to_owned(),
        None => git::default_base(root)?,
    };
    let commit = git::resolve(root, &base)?;
    let old_tree = git::materialize(root, &commit)?;
    let old = load(old_tree.path(), &|c| git::version_at(root, &commit, c))
        .map_err(|e| format!("the specs at {base} do not load:\n{e}"))?;
    let new = load(root, &|c| snapshot::version_in(root, c))
        .map_err(|e| format!("the specs in the work tree do not load:\n{e}"))?;
    Ok(report(&base, &old, &new))
}

/// Compares the specs of two work trees (the tests compare spec pairs this way).
#[cfg_attr(not(test), allow(dead_code))]
pub fn diff_roots(old_root: &Path, new_root: &Path) -> Result<Report, String> {
    let old = load(old_root, &|c| snapshot::version_in(old_root, c))?;
    let new = load(new_root, &|c| snapshot::version_in(new_root, c))?;
    Ok(report(&old_root.display().to_string(), &old, &new))
}

fn load(
    root: &Path,
    version_of: &dyn Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, CrateSnap>, String> {
    let domains = crate::load(root).map_err(|e| e.join("\n"))?;
    let files = crate::emit_all(root, &domains).map_err(|e| e.join("\n"))?;
    // A Cargo.toml the generator writes is the version the next codegen gives the crate.
    let generated_version = |c: &str| {
        files
            .get(&Path::new("crates").join(c).join("Cargo.toml"))
            .and_then(|t| snapshot::cargo_version(t))
    };
    Ok(snapshot::take(&domains, &files, &|c| {
        generated_version(c).or_else(|| version_of(c))
    }))
}

fn report(
    base: &str,
    old: &BTreeMap<String, CrateSnap>,
    new: &BTreeMap<String, CrateSnap>,
) -> Report {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut crates = Vec::new();
    for name in names {
        let (o, n) = (old.get(name), new.get(name));
        let changes = compare::compare(o, n);
        if changes.is_empty() {
            continue;
        }
        let class = changes.iter().map(|c| c.class).min();
        let old_version = o.and_then(|s| s.version.clone());
        let new_version = n.and_then(|s| s.version.clone());
        let suggested_version = match (&old_version, class) {
            (Some(v), Some(c)) => next_version(v, c),
            _ => new_version.clone(),
        };
        let needs_bump = class == Some(Class::Breaking)
            && o.is_some()
            && n.is_some()
            && !bumped_enough(old_version.as_deref(), new_version.as_deref());
        crates.push(CrateReport {
            crate_name: name.clone(),
            domain: n.or(o).map(|s| s.domain.clone()).unwrap_or_default(),
            old_version,
            new_version,
            suggested_version,
            class,
            needs_bump,
            changes,
        });
    }
    Report {
        base: base.to_owned(),
        crates,
    }
}

pub(crate) fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
    Some((it.next()??, it.next()??, it.next()??))
}

/// The version a change of `class` calls for after `v` (Cargo's rules: in 0.x the minor is the major).
pub fn next_version(v: &str, class: Class) -> Option<String> {
    let (major, minor, patch) = parse_version(v)?;
    let next = match (class, major) {
        (Class::Breaking, 0) => (0, minor + 1, 0),
        (Class::Breaking, _) => (major + 1, 0, 0),
        (Class::Additive, 0) => (0, minor, patch + 1),
        (Class::Additive, _) => (major, minor + 1, 0),
        (Class::Docs, _) => (major, minor, patch + 1),
    };
    Some(format!("{}.{}.{}", next.0, next.1, next.2))
}

/// Whether `new` is a semver-incompatible successor of `old`.
pub(crate) fn bumped_enough(old: Option<&str>, new: Option<&str>) -> bool {
    let (Some(old), Some(new)) = (old.and_then(parse_version), new.and_then(parse_version)) else {
        return false;
    };
    match old.0 {
        0 => (new.0, new.1) > (old.0, old.1),
        _ => new.0 > old.0,
    }
}
