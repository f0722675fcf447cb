//! `cargo xtask codegen [--check]`: specs/ → generated crates. Stages: load → validate → IR → emit → write/check.

mod emit;
mod ir;
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

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask codegen [--check]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        _ => usage(),
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
    emit::Emitter::new(root, &domains)
        .emit()
        .map_err(|e| vec![e])
}
