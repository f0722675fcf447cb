//! The specs of a git revision, read from git objects (`git ls-tree`, `git cat-file --batch`) into a scratch folder
//! the loader reads: the work tree, the index and HEAD are never touched.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub(crate) fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The merge base of HEAD with the main branch (local, then `origin/main`), else HEAD.
pub fn default_base(root: &Path) -> Result<String, String> {
    for main in ["main", "origin/main"] {
        if let Ok(base) = git(root, &["merge-base", "HEAD", main]) {
            return Ok(base);
        }
    }
    Ok("HEAD".to_owned())
}

/// The commit id `rev` names.
pub fn resolve(root: &Path, rev: &str) -> Result<String, String> {
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("`{rev}` is not a commit of this repository"))
}

/// The version in `crates/<crate>/Cargo.toml` at `commit`.
pub fn version_at(root: &Path, commit: &str, crate_name: &str) -> Option<String> {
    let text = git(
        root,
        &["show", &format!("{commit}:crates/{crate_name}/Cargo.toml")],
    )
    .ok()?;
    super::snapshot::cargo_version(&text)
}

/// A scratch folder removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `specs/` of `commit` into a scratch folder, blob by blob.
pub fn materialize(root: &Path, commit: &str) -> Result<Scratch, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir =
        std::env::temp_dir().join(format!("douyin-xtask-diff-{}-{nanos}", std::process::id()));
    let scratch = Scratch(dir);
    let listing = git(
        root,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            commit,
            "--",
            "specs",
            "crates",
        ],
    )?;
    let mut blobs = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        // `<mode> <type> <object>\t<path>`
        let (meta, path) = entry
            .split_once('\t')
            .ok_or_else(|| format!("unexpected ls-tree line {entry:?}"))?;
        let mut parts = meta.split(' ');
        let (_mode, kind, object) = (parts.next(), parts.next(), parts.next());
        if kind == Some("blob") && (path.starts_with("specs/") || is_crate_module(path)) {
            blobs.push((object.unwrap_or_default().to_owned(), path.to_owned()));
        }
    }
    if !blobs.iter().any(|(_, p)| p.starts_with("specs/")) {
        return Err(format!("{commit} has no specs/ folder"));
    }
    let mut child = Command::new("git")
        .current_dir(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let ids: String = blobs.iter().map(|(id, _)| format!("{id}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    for (id, path) in &blobs {
        let mut header = String::new();
        out.read_line(&mut header).map_err(|e| e.to_string())?;
        let size: usize = header
            .split(' ')
            .nth(2)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| format!("git cat-file: unexpected header {header:?} for {id}"))?;
        let mut body = vec![0; size + 1];
        out.read_exact(&mut body).map_err(|e| e.to_string())?;
        body.truncate(size);
        let target = scratch.0.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&target, body).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    writer
        .join()
        .map_err(|_| "git cat-file writer panicked".to_owned())?
        .map_err(|e| e.to_string())?;
    child.wait().map_err(|e| e.to_string())?;
    Ok(scratch)
}

/// `crates/<crate>/src/<module>.rs`: a module a spec may name as hand-written (`crate.modules`), which validation
/// finds on disk.
fn is_crate_module(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(parts.as_slice(), ["crates", _, "src", file] if file.ends_with(".rs"))
}
