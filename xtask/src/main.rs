//! `cargo xtask codegen [--check]`: specs/ → generated crates (load → validate → IR → emit → write/check);
//! `cargo xtask diff [BASE]`: what a spec change means for users of the generated crates;
//! `cargo xtask release [--since REF] [--dry-run]`: version bumps and CHANGELOG entries from that report.

mod diff;
mod emit;
mod ir;
mod release;
mod spec;
#[cfg(test)]
mod tests;
mod validate;
mod write;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The project's maintenance tasks.
#[derive(clap::Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
enum Task {
    /// Generate the domain crates, mock tables, CLI and OpenAPI documents from specs/.
    Codegen {
        /// Write nothing; fail with a diff if a generated file is stale, hand-edited, missing or orphaned.
        #[arg(long)]
        check: bool,
    },
    /// Report what the spec changes since BASE mean for users of the generated crates.
    Diff(diff::Args),
    /// Bump the versions of the crates changed since the last release tag and write their CHANGELOG entries.
    Release(release::Args),
}

fn main() -> ExitCode {
    match <Task as clap::Parser>::parse() {
        Task::Codegen { check } => codegen(check),
        Task::Diff(args) => diff::run(&workspace_root(), &args),
        Task::Release(args) => release::run(&workspace_root(), &args),
    }
}

fn codegen(check: bool) -> ExitCode {
    let root = workspace_root();
    let files = match generate(&root) {
        Ok(files) => files,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "codegen failed with {} error(s); nothing was written",
                errors.len()
            );
            return ExitCode::FAILURE;
        }
    };
    let result = if check {
        write::check(&root, &files)
    } else {
        write::write(&root, &files)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

/// Every generated file of every domain, or every problem found in the specs.
pub fn generate(root: &Path) -> Result<emit::Files, Vec<String>> {
    emit::Emitter::new(root, &load(root)?)
        .emit()
        .map_err(|e| vec![e])
}

/// Every domain under `root/specs/`, loaded and validated, or every problem found.
pub fn load(root: &Path) -> Result<Vec<ir::Domain>, Vec<String>> {
    let mut errors = Vec::new();
    let mut domains = Vec::new();
    let specs = root.join("specs");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&specs)
        .map_err(|e| vec![format!("{}: {e}", specs.display())])?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("domain.yaml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        match spec::load::load_domain(root, &dir) {
            Ok(raw) => match validate::validate(root, &raw) {
                Ok(d) => domains.push(d),
                Err(es) => errors.extend(es.iter().map(ToString::to_string)),
            },
            Err(es) => errors.extend(es.iter().map(ToString::to_string)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(domains)
}

/// Every generated file of `domains` except the domain lines of the workspace's hand-written manifests (what the
/// diff compares; an older tree's manifests have no `@generated` blocks).
pub fn emit_all(root: &Path, domains: &[ir::Domain]) -> Result<emit::Files, Vec<String>> {
    emit::Emitter::new(root, domains)
        .crates()
        .map_err(|e| vec![e])
}
