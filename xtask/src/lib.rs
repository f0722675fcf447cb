//! The douyin-rs code generator as a library (the `cargo xtask` binary and the fuzz targets use it):
//! specs/ → generated crates (load → validate → IR → emit → write/check), and what a spec change means for users of
//! the generated crates (`diff`), and releases from that report (`release`).

pub mod cli_surface;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod release;
pub mod spec;
#[cfg(test)]
mod tests;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};

/// The workspace this xtask belongs to.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
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
