//! The release plan as text: the version bumps, then each crate's CHANGELOG entry (the same text `apply` writes at
//! the top of `crates/<crate>/CHANGELOG.md`).

use std::fmt::Write as _;
use std::path::Path;

use super::{Bump, Plan};
use crate::diff::{render::change_line, Class};

/// The first line of every CHANGELOG this command writes.
const TITLE: &str = "# Changelog";

/// The dry run's output (and what a real run prints before writing).
pub fn render_plan(plan: &Plan) -> String {
    let mut s = format!("# Release plan since `{}`\n\n", plan.base);
    if plan.bumps.is_empty() {
        s.push_str("No crate changed: nothing to release.\n");
        return s;
    }
    s.push_str("| crate | version | bump | written in |\n|---|---|---|---|\n");
    for (name, b) in &plan.bumps {
        let why = if b.changes.is_empty() {
            format!("{} (follows its dependencies)", class_name(b.class))
        } else {
            class_name(b.class).to_owned()
        };
        let _ = writeln!(
            s,
            "| `{name}` | {} → {} | {why} | `{}` |",
            b.from, b.to, b.manifest
        );
    }
    for (name, b) in &plan.bumps {
        let _ = write!(
            s,
            "\n`crates/{name}/CHANGELOG.md` gets:\n\n{}",
            entry(&plan.base, b)
        );
    }
    s
}

fn class_name(class: Class) -> &'static str {
    match class {
        Class::Breaking => "breaking",
        Class::Additive => "additive",
        Class::Docs => "docs only",
    }
}

/// One crate's CHANGELOG entry: its spec changes by class, or the dependencies it follows.
pub fn entry(base: &str, bump: &Bump) -> String {
    let mut s = format!(
        "## {}\n\nChanges since `{base}` ({}).\n",
        bump.to, bump.from
    );
    for class in [Class::Breaking, Class::Additive, Class::Docs] {
        let lines: Vec<String> = bump
            .changes
            .iter()
            .filter(|c| c.class == class)
            .map(|c| format!("- {}\n", change_line(c)))
            .collect();
        if !lines.is_empty() {
            let _ = write!(s, "\n### {}\n\n{}", class.title(), lines.concat());
        }
    }
    if !bump.follows.is_empty() {
        let _ = write!(
            s,
            "\n### Dependencies ({})\n\n{}",
            class_name(bump.class),
            bump.follows
                .iter()
                .map(|f| format!("- {f}: its types are part of this crate's API\n"))
                .collect::<String>()
        );
    }
    s
}

/// Puts `entry` at the top of `crates/<name>/CHANGELOG.md`, below its title (creating the file).
pub fn prepend(root: &Path, name: &str, entry: &str) -> Result<(), String> {
    let path = root.join("crates").join(name).join("CHANGELOG.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let rest = old
        .strip_prefix(TITLE)
        .map(|r| r.trim_start_matches('\n'))
        .unwrap_or(&old);
    let text = format!("{TITLE}\n\n{entry}\n{rest}");
    std::fs::write(&path, text.trim_end().to_owned() + "\n")
        .map_err(|e| format!("{}: {e}", path.display()))
}
