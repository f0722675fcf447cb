//! `cargo xtask release [--since REF] [--dry-run] [--set CRATE=VERSION]`: the spec review carried through to what
//! users read when they upgrade. From `xtask diff` against the last release tag, each changed generated crate gets
//! the version `--suggest-version` gives it, every publishable crate depending on a bumped one follows with the same
//! class of bump (their APIs carry its types), and each gets a `CHANGELOG.md` entry listing its breaking, additive and
//! documentation changes by JSON path and Rust item. It creates no tag and no commit: it edits the versions
//! (`crate.version` of a spec, a hand-written manifest's `version`), regenerates, refreshes `Cargo.lock` and leaves
//! the result to review.

mod apply;
mod changelog;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use crate::diff::git::git;
use crate::diff::{self, Class, Report};

/// Arguments of `cargo xtask release`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The last release (default: the newest tag `v*` or `<crate>-v*` reachable from HEAD).
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,
    /// Print the version bumps and CHANGELOG entries; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Release CRATE at VERSION instead of the suggested one (refused below a breaking change's major bump).
    #[arg(long, value_name = "CRATE=VERSION")]
    pub set: Vec<String>,
}

/// One crate's release.
#[derive(Debug)]
pub struct Bump {
    pub from: String,
    pub to: String,
    pub class: Class,
    /// The spec changes of a generated crate; empty for a crate that only follows its dependencies.
    pub changes: Vec<diff::Change>,
    /// The bumped dependencies a follower follows (`name from → to`).
    pub follows: Vec<String>,
    /// Where its version is written: a spec's `domain.yaml` or the crate's own manifest.
    pub manifest: String,
}

/// Every crate's release, by crate name, and the base it was computed from.
#[derive(Debug)]
pub struct Plan {
    pub base: String,
    pub bumps: BTreeMap<String, Bump>,
}

/// Runs `cargo xtask release`.
pub fn run(root: &Path, args: &Args) -> ExitCode {
    let plan = match plan(root, args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", changelog::render_plan(&plan));
    if args.dry_run || plan.bumps.is_empty() {
        return ExitCode::SUCCESS;
    }
    match apply::apply(root, &plan) {
        Ok(()) => {
            println!(
                "Versions, CHANGELOG.md files and Cargo.lock updated: review `git diff`, commit, then tag the release."
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The release plan: refuses a dirty work tree, a missing base and a breaking change without a major bump.
pub fn plan(root: &Path, args: &Args) -> Result<Plan, String> {
    let dirty = git(root, &["status", "--porcelain"])?;
    if !dirty.is_empty() {
        let files: Vec<&str> = dirty.lines().take(5).collect();
        return Err(format!(
            "the work tree has uncommitted changes ({}): a release describes a commit; commit or stash them first",
            files.join(", ")
        ));
    }
    let base = match &args.since {
        Some(since) => since.clone(),
        None => latest_tag(root)?,
    };
    let report = diff::diff_against(root, Some(&base))?;
    let overrides = overrides(&args.set)?;
    let packages = apply::workspace_packages(root)?;
    plan_from(&report, &packages, &overrides)
}

/// The newest release tag reachable from HEAD.
fn latest_tag(root: &Path) -> Result<String, String> {
    let tags = git(
        root,
        &[
            "tag",
            "--list",
            "v[0-9]*",
            "*-v[0-9]*",
            "--merged",
            "HEAD",
            "--sort=-creatordate",
        ],
    )?;
    tags.lines().next().map(str::to_owned).ok_or_else(|| {
        "no release tag (`v*` or `<crate>-v*`) is reachable from HEAD: pass --since REF (the commit of the last \
         release, or the first commit for a first release)"
            .to_owned()
    })
}

fn overrides(set: &[String]) -> Result<BTreeMap<String, String>, String> {
    set.iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) if diff::next_version(v, Class::Docs).is_some() => {
                Ok((k.to_owned(), v.to_owned()))
            }
            _ => Err(format!("--set {s}: expected CRATE=MAJOR.MINOR.PATCH")),
        })
        .collect()
}

/// The bumps `report` calls for, dependents following, with the `--set` versions checked.
pub fn plan_from(
    report: &Report,
    packages: &[apply::Package],
    overrides: &BTreeMap<String, String>,
) -> Result<Plan, String> {
    let mut bumps = BTreeMap::new();
    for c in &report.crates {
        let (Some(class), Some(from), Some(current)) =
            (c.class, c.old_version.clone(), c.new_version.clone())
        else {
            continue; // a crate new since the base is released at its own version; a removed one not at all
        };
        let suggested = c.suggested_version.clone().unwrap_or(current.clone());
        let to = match overrides.get(&c.crate_name) {
            Some(v) => v.clone(),
            // A version already raised by hand past the suggestion stays.
            None if diff::parse_version(&current) > diff::parse_version(&suggested) => current,
            None => suggested,
        };
        if class == Class::Breaking && !diff::bumped_enough(Some(&from), Some(&to)) {
            return Err(format!(
                "{} has breaking changes since {}: {to} is not a major bump of {from} (0.x: a minor bump); \
                 suggested: {}",
                c.crate_name,
                report.base,
                c.suggested_version.as_deref().unwrap_or("?")
            ));
        }
        let manifest = packages
            .iter()
            .find(|p| p.name == c.crate_name)
            .map(|p| p.version_file.clone())
            .unwrap_or_else(|| format!("specs/{}/domain.yaml", c.domain));
        bumps.insert(
            c.crate_name.clone(),
            Bump {
                from,
                to,
                class,
                changes: c.changes.clone(),
                follows: Vec::new(),
                manifest,
            },
        );
    }
    follow_dependencies(&mut bumps, packages, overrides);
    Ok(Plan {
        base: report.base.clone(),
        bumps,
    })
}

/// Publishable crates depending on a bumped crate follow with its most severe class, until nothing changes.
fn follow_dependencies(
    bumps: &mut BTreeMap<String, Bump>,
    packages: &[apply::Package],
    overrides: &BTreeMap<String, String>,
) {
    loop {
        let mut added = false;
        for p in packages {
            if bumps.contains_key(&p.name) {
                continue;
            }
            let followed: Vec<(&String, &Bump)> = p
                .dependencies
                .iter()
                .filter_map(|d| bumps.get_key_value(d))
                .collect();
            let Some(class) = followed.iter().map(|(_, b)| b.class).min() else {
                continue;
            };
            let to = overrides
                .get(&p.name)
                .cloned()
                .or_else(|| diff::next_version(&p.version, class))
                .unwrap_or_else(|| p.version.clone());
            let follows: Vec<String> = followed
                .iter()
                .map(|(n, b)| format!("`{n}` {} → {}", b.from, b.to))
                .collect();
            bumps.insert(
                p.name.clone(),
                Bump {
                    from: p.version.clone(),
                    to,
                    class,
                    changes: Vec::new(),
                    follows,
                    manifest: p.version_file.clone(),
                },
            );
            added = true;
        }
        if !added {
            break;
        }
    }
}
