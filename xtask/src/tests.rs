//! Tests of the generator's promises: spec errors name file:line:col and write nothing; `--check` catches stale,
//! hand-edited, missing and orphaned files; output is deterministic.

use std::path::{Path, PathBuf};

use crate::{generate, write};

/// The hand-written files codegen reads besides the specs: the manifests it writes domain lines into.
const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "crates/douyin/Cargo.toml",
    "crates/douyin-cli/Cargo.toml",
    "crates/douyin-mock/Cargo.toml",
];

/// A scratch workspace holding a copy of `specs/onebound` (small, and enough to exercise every stage), its
/// hand-written module and the manifests.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("douyin-xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let real = crate::workspace_root();
        copy_dir(&real.join("specs/onebound"), &dir.join("specs/onebound"));
        for rel in MANIFESTS
            .iter()
            .chain(&["crates/douyin-onebound/src/constructors.rs"])
        {
            let to = dir.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(real.join(rel), to).unwrap();
        }
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

/// Copies a folder tree (test fixtures into scratch workspaces).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
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
    assert!(!s.path("crates/douyin-onebound/src/generated").exists());
    assert!(!s.path("crates/douyin-onebound/Cargo.toml").exists());
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

/// A workspace holding the throwaway `demo` domain (`src/testdata/demo/`) and the real manifests.
fn demo_workspace(name: &str) -> Scratch {
    let s =
        Scratch(std::env::temp_dir().join(format!("douyin-xtask-{name}-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&s.0);
    let real = crate::workspace_root();
    copy_dir(&real.join("xtask/src/testdata/demo"), &s.0);
    for rel in MANIFESTS {
        let to = s.path(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(real.join(rel), to).unwrap();
    }
    s
}

#[test]
fn an_operation_named_common_keeps_its_own_parameters() {
    let s = demo_workspace("common");
    let raw = crate::spec::load::load_domain(&s.0, &s.path("specs/demo")).unwrap();
    let domain = crate::validate::validate(&s.0, &raw).unwrap();
    let op = domain
        .operations
        .iter()
        .find(|o| o.name == "common")
        .unwrap();
    let flags: Vec<(&str, bool)> = op
        .params
        .iter()
        .map(|p| (p.wire.as_str(), p.common.is_some()))
        .collect();
    assert_eq!(flags, [("flavour", false), ("token", true)]);
}

#[test]
fn two_parameter_schemas_under_one_type_name_are_an_error() {
    let s = demo_workspace("clash");
    // The common parameter's enum type is `CommonFlavour`, and so is the operation `common`'s.
    s.edit(
        "specs/demo/domain.yaml",
        "common_parameters:\n",
        "common_parameters:\n  - name: flavour\n    in: query\n    schema: { type: string, enum: [x] }\n",
    );
    s.edit(
        "specs/demo/common.yaml",
        "name: flavour\n    in: query\n    schema: { type: string }",
        "name: flavour\n    in: header\n    schema: { type: string, enum: [y] }",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    assert!(
        errors.contains(
            "specs/demo/common.yaml:9:13: type name `CommonFlavour` is already another schema's"
        ),
        "{errors}"
    );
}

#[test]
fn domain_facts_are_checked_with_their_position() {
    let s = demo_workspace("facts");
    s.edit(
        "specs/demo/domain.yaml",
        "signing: [demo]",
        "signing: [demo, nope]",
    );
    s.edit(
        "specs/demo/domain.yaml",
        "refresh_on_codes: [\"1002\"]",
        "refresh_on_codes: [\"9\"]",
    );
    s.edit(
        "specs/demo/domain.yaml",
        "modules: [signing]",
        "modules: [signing, absent]",
    );
    s.edit(
        "specs/demo/bootstrap.yaml",
        "https://bootstrap.example.com",
        "bootstrap.example.com/",
    );
    s.edit(
        "specs/demo/item_list.yaml",
        "has_more: false",
        "has_more: 7",
    );
    s.edit("specs/demo/common.yaml", "name: flavour", "name: verbose");
    let errors = generate(&s.0).unwrap_err().join("\n");
    for want in [
        "specs/demo/domain.yaml:31:10: unknown signer `nope`",
        "specs/demo/domain.yaml:13:23: code 9 is not in the domain's `errors` table",
        "specs/demo/domain.yaml:8:12: hand-written module `absent` has no file",
        "specs/demo/bootstrap.yaml:22:1: a base URL starts with https:// or http://",
        "the fixture body contradicts the response schema at `has_more`",
        "specs/demo/common.yaml:7:3: parameter `verbose` collides with the CLI's own `--verbose`",
    ] {
        assert!(errors.contains(want), "{want}\n---\n{errors}");
    }
}

#[test]
fn a_link_parameter_must_hold_an_id() {
    let s = demo_workspace("link");
    s.edit(
        "specs/demo/common.yaml",
        "    in: query\n    schema: { type: string }",
        "    in: query\n    link: aweme\n    schema: { type: boolean }",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    let want = "specs/demo/common.yaml:9:5: `link: aweme` needs a string or integer parameter";
    assert!(errors.contains(want), "{want}\n---\n{errors}");

    let s = demo_workspace("link-kind");
    s.edit(
        "specs/demo/common.yaml",
        "    in: query\n    schema: { type: string }",
        "    in: query\n    link: video\n    schema: { type: string }",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    assert!(
        errors.contains("specs/demo/common.yaml:9:") && errors.contains("unknown variant `video`"),
        "{errors}"
    );
}

#[test]
fn bootstrap_keys_are_checked_and_shape_the_operation() {
    let s = demo_workspace("bootstrap");
    let raw = crate::spec::load::load_domain(&s.0, &s.path("specs/demo")).unwrap();
    let domain = crate::validate::validate(&s.0, &raw).unwrap();
    let op = domain
        .operations
        .iter()
        .find(|o| o.name == "bootstrap")
        .unwrap();
    let wires: Vec<&str> = op.params.iter().map(|p| p.wire.as_str()).collect();
    assert_eq!(wires, ["aid", "info", "when"], "no common `token`");
    assert_eq!(op.cookies, ["sid"]);
    assert!(op.params.iter().all(crate::ir::Param::is_json_value));
    assert_eq!(
        op.params[1].json_constant(),
        Some(serde_json::json!({"ticket": ""}))
    );
    s.edit(
        "specs/demo/bootstrap.yaml",
        "common_parameters: []",
        "common_parameters: [token, cookie]",
    );
    s.edit(
        "specs/demo/bootstrap.yaml",
        "const: \"1768\"",
        "const: \"x1768\"",
    );
    s.edit(
        "specs/demo/bootstrap.yaml",
        "const: '{\"ticket\":\"\"}'",
        "const: '[1]'",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    for want in [
        "specs/demo/bootstrap.yaml:24:20: `cookie` is not one of the domain's common parameters",
        "specs/demo/bootstrap.yaml:7:55: a JSON body member's const is JSON text of its schema's type; not JSON",
        "specs/demo/bootstrap.yaml:12:5: a JSON body member's const is JSON text of its schema's type; at `.`: expected \"object\"",
    ] {
        assert!(errors.contains(want), "{want}\n---\n{errors}");
    }
}

/// Copies the hand-written sources of workspace crate `name` (not its generated files) into the scratch workspace.
fn copy_hand_written(real: &Path, s: &Scratch, name: &str) {
    let (from, to) = (
        real.join("crates").join(name),
        s.path(&format!("crates/{name}")),
    );
    for e in std::fs::read_dir(&from).unwrap().filter_map(Result::ok) {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else if !target.exists() {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
    for owned in ["src/generated", "src/domains/mod.rs"] {
        let path = to.join(owned);
        let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
    }
}

/// Adding a domain is a spec folder and at most one hand-written file: the generated crate, and the CLI and mock
/// generated with it (alone, without the real domains and their customizations), build against the real runtime
/// (as progenitor compiles its snapshot crate). Builds in its own workspace (target dir kept under `target/`, so
/// reruns are quick).
#[test]
fn a_throwaway_domain_generates_a_crate_that_builds() {
    let s = demo_workspace("throwaway");
    let real = crate::workspace_root();
    for name in ["douyin-cli", "douyin-mock"] {
        copy_hand_written(&real, &s, name);
    }
    let root_manifest = std::fs::read_to_string(real.join("Cargo.toml")).unwrap();
    let mut manifest = root_manifest
        .replace(
            r#"members = ["crates/*", "xtask", "tests", "benches"]"#,
            r#"members = ["crates/douyin-demo", "crates/douyin-cli", "crates/douyin-mock"]"#,
        )
        .replace(
            "path = \"crates/",
            &format!("path = \"{}/crates/", real.display()),
        );
    // The CLI and the mock of this workspace are its own copies.
    for name in ["douyin-cli", "douyin-mock"] {
        manifest = manifest.replace(
            &format!("path = \"{}/crates/{name}\"", real.display()),
            &format!("path = \"crates/{name}\""),
        );
    }
    std::fs::write(s.path("Cargo.toml"), manifest).unwrap();
    std::fs::copy(real.join("Cargo.lock"), s.path("Cargo.lock")).unwrap();

    let files = generate(&s.0).unwrap();
    write::write(&s.0, &files).unwrap();
    let client =
        std::fs::read_to_string(s.path("crates/douyin-demo/src/generated/client.rs")).unwrap();
    assert!(client
        .contains(r#"base_url: ::std::option::Option::Some("https://bootstrap.example.com")"#));
    assert!(client.contains("<crate::signing::DemoSigner as ::std::default::Default>::default()"));
    assert!(client.contains(r#"signing: &["demo"]"#) && client.contains("signing: &[]"));
    let routes =
        std::fs::read_to_string(s.path("crates/douyin-mock/src/generated/routes.rs")).unwrap();
    assert!(
        routes.contains(r#"prefix: "{\"code\":0,\"has_more\":false,\"items\":""#),
        "{routes}"
    );
    let domain =
        std::fs::read_to_string(s.path("crates/douyin-demo/src/generated/domain.rs")).unwrap();
    assert!(
        domain.contains(r#"refresh_on_codes: &["1002"]"#),
        "{domain}"
    );
    // The real domains' customization folders are copied but not compiled: no spec declares them here.
    let table = std::fs::read_to_string(s.path("crates/douyin-cli/src/domains/mod.rs")).unwrap();
    assert!(!table.contains("pub mod web"), "{table}");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--lib", "--bins"])
        .args(["-p", "douyin-demo", "-p", "douyin-cli", "-p", "douyin-mock"])
        .current_dir(&s.0)
        .env("CARGO_TARGET_DIR", real.join("target/xtask-throwaway"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Hand-written code of the runtime, the CLI (but its `src/domains/`) and the mock names no domain, domain crate,
/// credential, signer or endpoint: those reach it as generated data. Test modules and doc comments may; so may `douyin xbogus` and `douyin abogus`, the
/// signature algorithms' own tools (they sign and decode values, they do not call a domain).
#[test]
fn hand_written_runtime_cli_and_mock_name_no_domain_fact() {
    let root = crate::workspace_root();
    let mut needles = Vec::new();
    for dir in ["onebound", "open-platform", "web"] {
        let raw = crate::spec::load::load_domain(&root, &root.join("specs").join(dir)).unwrap();
        let d = crate::validate::validate(&root, &raw).unwrap();
        needles.push(format!("\"{}\"", d.name));
        // Nor the domain's crate, whose constants would name it just the same.
        needles.push(format!("douyin_{}", d.name.replace('-', "_")));
        needles.extend(d.credentials.iter().map(|c| format!("\"{}\"", c.name)));
        for s in &d.signers {
            needles.push(format!("\"{}\"", s.name));
            needles.extend(s.params.iter().map(|p| format!("\"{p}\"")));
        }
        needles.extend(d.operations.iter().map(|o| format!("\"{}", o.path)));
        needles.extend(d.operations.iter().map(|o| format!("\"{}\"", o.name)));
    }
    // Words a tool defines for itself that happen to equal a spec's name: the mock's `code:CODE` scenario is not
    // Open Platform's `code` credential.
    const OWN_WORDS: &[(&str, &str)] = &[("scenario.rs", "\"code\"")];
    let mut hits = Vec::new();
    for krate in ["douyin-core", "douyin-cli", "douyin-mock"] {
        let mut stack = vec![root.join("crates").join(krate).join("src")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
                let path = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if path.is_dir() {
                    // The CLI's domain-specific half is `src/domains/<domain>/`.
                    if name != "generated" && !(krate == "douyin-cli" && name == "domains") {
                        stack.push(path);
                    }
                    continue;
                }
                if !name.ends_with(".rs")
                    || (krate == "douyin-cli"
                        && ["xbogus.rs", "abogus.rs"].contains(&name.as_str()))
                {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for (i, line) in code.lines().enumerate() {
                    if line.trim_start().starts_with("//") {
                        continue;
                    }
                    for n in needles.iter().filter(|n| line.contains(n.as_str())) {
                        if OWN_WORDS.contains(&(name.as_str(), n.as_str())) {
                            continue;
                        }
                        hits.push(format!("{}:{}: {n}", path.display(), i + 1));
                    }
                }
            }
        }
    }
    assert!(hits.is_empty(), "{}", hits.join("\n"));
}

#[test]
fn pacing_figures_and_signals_are_checked_where_written() {
    // An operation cannot pace when its domain does not.
    let s = Scratch::new("pacing-op");
    s.edit(
        "specs/onebound/item_get_video.yaml",
        "\nexamples:",
        "\npacing: { budget: { per_second: 1 } }\nexamples:",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    assert!(
        errors.contains("item_get_video.yaml:")
            && errors.contains("give domain.yaml a `pacing:` first"),
        "{errors}"
    );

    // A zero budget, and a breaker that needs more identities than refusals.
    let s = Scratch::new("pacing-domain");
    s.edit(
        "specs/onebound/domain.yaml",
        "\nerrors:",
        "\npacing:\n  source: test\n  budget: { per_second: 0 }\n  risk_signals: [captcha]\n  \
         cooldown: { initial_seconds: 1, max_seconds: 2 }\n  \
         breaker: { refusals: 2, identities: 3, window_seconds: 1, open_seconds: 1 }\nerrors:",
    );
    let errors = generate(&s.0).unwrap_err().join("\n");
    assert!(errors.contains("requests per second above 0"), "{errors}");
    assert!(errors.contains("refusals ≥ identities ≥ 1"), "{errors}");
}
