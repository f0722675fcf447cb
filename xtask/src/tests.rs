//! Tests of the generator's promises: spec errors name file:line:col and write nothing; `--check` catches stale,
//! hand-edited, missing and orphaned files; output is deterministic.

use std::path::{Path, PathBuf};

use crate::{generate, write};

/// A scratch workspace holding a copy of `specs/onebound` (small, and enough to exercise every stage).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("douyin-xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(
            &crate::workspace_root().join("specs/onebound"),
            &dir.join("specs/onebound"),
        );
        Scratch(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.path(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} has no `{from}`");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn misspelled_key_names_file_line_and_column() {
    let s = Scratch::new("typo");
    s.edit(
        "specs/onebound/item_get_video.yaml",
        "\nsummary:",
        "\nsumary:",
    );
    let errors = generate(&s.0).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("specs/onebound/item_get_video.yaml:3:1: unknown field `sumary`"),
        "{}",
        errors[0]
    );
}

#[test]
fn dangling_ref_and_missing_example_are_located() {
    let s = Scratch::new("refs");
    s.edit(
        "specs/onebound/item_get_video.yaml",
        "schemas/item.yaml",
        "schemas/itme.yaml",
    );
    s.edit(
        "specs/onebound/item_get_video.yaml",
        "item_get_video.ok.json",
        "missing.json",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    assert!(
        errors.contains("item_get_video.yaml:21:9: dangling $ref"),
        "{errors}"
    );
    assert!(
        errors.contains("item_get_video.yaml:23:5: missing example file"),
        "{errors}"
    );
}

#[test]
fn example_contradicting_its_schema_fails() {
    let s = Scratch::new("contradiction");
    s.edit(
        "specs/onebound/schemas/item.yaml",
        "num_iid: { type: string",
        "num_iid: { type: integer",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    assert!(
        errors.contains("example contradicts the schema at `item.num_iid`"),
        "{errors}"
    );
}

#[test]
fn spec_errors_write_nothing() {
    let s = Scratch::new("nothing");
    s.edit("specs/onebound/domain.yaml", "base_url:", "base_ulr:");
    assert!(generate(&s.0).is_err());
    assert!(!s.path("crates").exists());
}

#[test]
fn check_catches_stale_hand_edited_missing_and_orphaned_files() {
    let s = Scratch::new("check");
    let files = generate(&s.0).unwrap();
    assert!(write::check(&s.0, &files).unwrap_err().contains("missing"));
    write::write(&s.0, &files).unwrap();
    write::check(&s.0, &files).unwrap();

    let client = s.path("crates/douyin-onebound/src/generated/client.rs");
    let original = std::fs::read_to_string(&client).unwrap();
    std::fs::write(
        &client,
        original.replace("pub async fn item_get_video", "pub async fn renamed"),
    )
    .unwrap();
    let report = write::check(&s.0, &files).unwrap_err();
    assert!(
        report.contains("client.rs: stale or hand-edited"),
        "{report}"
    );
    assert!(report.contains("-    pub async fn renamed"), "{report}");

    write::write(&s.0, &files).unwrap();
    s.edit(
        "specs/onebound/item_get_video.yaml",
        "summary: Video details",
        "summary: Video facts",
    );
    let regenerated = generate(&s.0).unwrap();
    let report = write::check(&s.0, &regenerated).unwrap_err();
    assert!(report.contains("+    ///Video facts"), "{report}");

    std::fs::write(
        s.path("crates/douyin-onebound/src/generated/old.rs"),
        "// @generated\n",
    )
    .unwrap();
    let report = write::check(&s.0, &regenerated).unwrap_err();
    assert!(report.contains("old.rs: orphaned"), "{report}");
    write::write(&s.0, &regenerated).unwrap();
    assert!(!s
        .path("crates/douyin-onebound/src/generated/old.rs")
        .exists());
}

#[test]
fn output_is_deterministic() {
    let s = Scratch::new("determinism");
    let a = generate(&s.0).unwrap();
    let b = generate(&s.0).unwrap();
    assert_eq!(a, b);
    let real = generate(&crate::workspace_root()).unwrap();
    let again = generate(&crate::workspace_root()).unwrap();
    assert_eq!(real, again);
}

#[test]
fn a_body_on_a_get_request_is_located() {
    let s = Scratch::new("get-body");
    s.edit(
        "specs/onebound/item_get_video.yaml",
        "    in: query",
        "    in: json",
    );
    let errors = generate(&s.0).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("specs/onebound/item_get_video.yaml:")
            && errors[0].ends_with("a GET request has no body (`in: form`/`in: json`)"),
        "{}",
        errors[0]
    );
}
