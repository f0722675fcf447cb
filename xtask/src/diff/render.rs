//! The report as Markdown for a pull-request comment (breaking first, grouped by crate) and as version suggestions.

use std::fmt::Write as _;

use super::{Change, Class, Report};

/// How many documentation subjects are named before the rest is counted.
const DOCS_LISTED: usize = 8;
/// How many operations a response field change names.
const OPS_LISTED: usize = 4;

pub fn markdown(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Spec changes since `{}`\n", short(&report.base));
    if report.crates.is_empty() {
        s.push_str("No change to any generated crate's API or documentation.\n");
        return s;
    }
    let _ = writeln!(
        s,
        "| crate | breaking | additive | docs only | version | suggested |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for c in &report.crates {
        let count = |class| c.changes.iter().filter(|x| x.class == class).count();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {}{} |",
            c.crate_name,
            count(Class::Breaking),
            count(Class::Additive),
            count(Class::Docs),
            version_change(c.old_version.as_deref(), c.new_version.as_deref()),
            c.suggested_version.as_deref().unwrap_or("—"),
            if c.needs_bump { " ⚠ not bumped" } else { "" },
        );
    }
    for class in [Class::Breaking, Class::Additive, Class::Docs] {
        let any = report
            .crates
            .iter()
            .any(|c| c.changes.iter().any(|x| x.class == class));
        if !any {
            continue;
        }
        let _ = writeln!(s, "\n### {}\n", class.title());
        for c in &report.crates {
            let changes: Vec<_> = c.changes.iter().filter(|x| x.class == class).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(s, "**`{}`** (`specs/{}/`)\n", c.crate_name, c.domain);
            if class == Class::Docs {
                let subjects: Vec<&str> = changes.iter().map(|x| x.subject.as_str()).collect();
                let listed = subjects
                    .iter()
                    .take(DOCS_LISTED)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("; ");
                let more = subjects.len().saturating_sub(DOCS_LISTED);
                let _ = write!(s, "- {} text(s) changed: {listed}", subjects.len());
                if more > 0 {
                    let _ = write!(s, "; and {more} more");
                }
                s.push_str("\n\n");
                continue;
            }
            for x in changes {
                let _ = writeln!(s, "- {}", change_line(x));
            }
            s.push('\n');
        }
    }
    s
}

/// One API change as a Markdown list item's text: area, subject, what changed, the Rust item, the operations.
pub fn change_line(x: &Change) -> String {
    let mut s = format!("{} {}: {}", x.area, x.subject, x.detail);
    if let Some(rust) = &x.rust {
        let _ = write!(s, " — `{rust}`");
    }
    let mut ops: Vec<&str> = Vec::new();
    for op in x
        .paths
        .iter()
        .filter_map(|p| p.split_once(": ").map(|(op, _)| op))
    {
        if !ops.contains(&op) {
            ops.push(op);
        }
    }
    if !ops.is_empty() {
        let listed = ops
            .iter()
            .take(OPS_LISTED)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(s, " (in {listed}");
        if ops.len() > OPS_LISTED {
            let _ = write!(s, " and {} more", ops.len() - OPS_LISTED);
        }
        s.push(')');
    }
    s
}

/// `crate old → suggested` lines for `--suggest-version`.
pub fn versions(report: &Report) -> String {
    let mut s = String::new();
    for c in &report.crates {
        let _ = writeln!(
            s,
            "{} {} -> {} ({})",
            c.crate_name,
            c.old_version.as_deref().unwrap_or("(new)"),
            c.suggested_version.as_deref().unwrap_or("?"),
            c.class.map_or("unchanged", |k| match k {
                Class::Breaking => "breaking",
                Class::Additive => "additive",
                Class::Docs => "docs only",
            }),
        );
    }
    s
}

fn version_change(old: Option<&str>, new: Option<&str>) -> String {
    match (old, new) {
        (Some(a), Some(b)) if a == b => a.to_owned(),
        (Some(a), Some(b)) => format!("{a} → {b}"),
        (None, Some(b)) => format!("new {b}"),
        (Some(a), None) => format!("{a} (removed)"),
        (None, None) => "—".to_owned(),
    }
}

fn short(rev: &str) -> &str {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        &rev[..12]
    } else {
        rev
    }
}
