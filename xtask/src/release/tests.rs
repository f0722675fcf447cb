//! `cargo xtask release` on a scratch git repository holding a copy of this one: a release tag, then a commit that
//! changes a response field's type; the dry run's plan and CHANGELOG entries; the refusals.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{apply, changelog, plan, Args};

/// A git repository with the tracked files of this workspace, committed and tagged `v0.1.0`.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!(
            "douyin-xtask-release-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let real = crate::workspace_root();
        let listed = git(&real, &["ls-files", "-z"]);
        for rel in listed.split('\0').filter(|r| !r.is_empty()) {
            let to = dir.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            // A file deleted in the work tree but still tracked is simply left out.
            let _ = std::fs::copy(real.join(rel), &to);
        }
        let repo = Repo(dir);
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.commit("the last release");
        repo.git(&["tag", "v0.1.0"]);
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.0, args)
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "--all"]);
        self.git(&[
            "-c",
            "user.name=release test",
            "-c",
            "user.email=release@test.invalid",
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            message,
        ]);
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.0.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} has no `{from}`");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn args(since: Option<&str>, set: &[&str]) -> Args {
    Args {
        since: since.map(str::to_owned),
        dry_run: true,
        set: set.iter().map(|s| (*s).to_owned()).collect(),
    }
}

const FIELD: (&str, &str, &str) = (
    "specs/web/schemas/user.yaml",
    "ky_only_predict: { type: number,",
    "ky_only_predict: { type: integer,",
);

#[test]
fn a_field_type_change_plans_major_bumps_and_names_the_field_and_rust_item() {
    let repo = Repo::new("field-type");
    repo.edit(FIELD.0, FIELD.1, FIELD.2);
    repo.commit("web: ky_only_predict back to an integer");

    let plan = plan(&repo.0, &args(None, &[])).unwrap();
    let text = changelog::render_plan(&plan);
    assert!(text.starts_with("# Release plan since `v0.1.0`"), "{text}");
    for line in [
        "| `douyin-web` | 0.1.0 → 0.2.0 | breaking | `specs/web/domain.yaml` |",
        // Dependents follow: the facade, the downloader and the CLI carry douyin-web's types.
        "| `douyin` | 0.1.0 → 0.2.0 | breaking (follows its dependencies) | `crates/douyin/Cargo.toml` |",
        "| `douyin-media` | 0.1.0 → 0.2.0 | breaking (follows its dependencies) |",
        "| `douyin-cli` | 0.1.0 → 0.2.0 | breaking (follows its dependencies) |",
        "`crates/douyin-web/CHANGELOG.md` gets:\n\n## 0.2.0\n\nChanges since `v0.1.0` (0.1.0).\n\n### Breaking\n\n\
         - response field `data[].ky_only_predict`: type changed — \
         `douyin_web::types::User::ky_only_predict: Option<Number> → Option<i64>`",
        "### Dependencies (breaking)\n\n- `douyin-web` 0.1.0 → 0.2.0: its types are part of this crate's API",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    // Crates no changed crate reaches are not released.
    for untouched in ["douyin-onebound", "douyin-xbogus", "douyin-core"] {
        assert!(!plan.bumps.contains_key(untouched), "{untouched}:\n{text}");
    }
}

#[test]
fn refuses_a_dirty_tree_a_missing_tag_and_a_breaking_change_without_a_major_bump() {
    let repo = Repo::new("refusals");
    repo.edit(FIELD.0, FIELD.1, FIELD.2);
    let dirty = plan(&repo.0, &args(None, &[])).unwrap_err();
    assert!(dirty.contains("uncommitted changes"), "{dirty}");
    assert!(dirty.contains(FIELD.0), "{dirty}");

    repo.commit("web: ky_only_predict back to an integer");
    let minor = plan(&repo.0, &args(None, &["douyin-web=0.1.1"])).unwrap_err();
    assert!(
        minor.contains(
            "douyin-web has breaking changes since v0.1.0: 0.1.1 is not a major bump of 0.1.0"
        ),
        "{minor}"
    );
    let chosen = plan(&repo.0, &args(None, &["douyin-web=1.0.0"])).unwrap();
    assert_eq!(chosen.bumps["douyin-web"].to, "1.0.0");

    repo.git(&["tag", "--delete", "v0.1.0"]);
    let untagged = plan(&repo.0, &args(None, &[])).unwrap_err();
    assert!(untagged.contains("no release tag"), "{untagged}");
    assert!(untagged.contains("--since REF"), "{untagged}");
    // With --since the base is explicit.
    let since = plan(&repo.0, &args(Some("HEAD~1"), &[])).unwrap();
    assert_eq!(since.bumps["douyin-web"].to, "0.2.0");
}

#[test]
fn versions_are_written_where_they_live() {
    let spec = "name: web\ncrate:\n  description: d\n  modules: [a]\ncredentials: []\n";
    assert_eq!(
        apply::set_spec_version(spec, "0.2.0").unwrap(),
        "name: web\ncrate:\n  version: \"0.2.0\"\n  description: d\n  modules: [a]\ncredentials: []\n"
    );
    let again = apply::set_spec_version(&apply::set_spec_version(spec, "0.2.0").unwrap(), "0.3.0");
    assert_eq!(again.unwrap().matches("version:").count(), 1);
    let toml = "[package]\nname = \"douyin\"\nversion = \"0.1.0\"\n\n[dependencies]\nx = { version = \"1\" }\n";
    assert_eq!(
        apply::set_manifest_version(toml, "0.2.0").unwrap(),
        "[package]\nname = \"douyin\"\nversion = \"0.2.0\"\n\n[dependencies]\nx = { version = \"1\" }\n"
    );
}
