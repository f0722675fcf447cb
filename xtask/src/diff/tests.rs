//! One spec pair per kind of change with the classification it must get; versions; the report on two commits of this
//! repository; determinism.

use std::path::PathBuf;

use super::{diff_against, diff_roots, next_version, render, Change, Class, Report};
use crate::tests::copy_dir;

mod facts;

/// Two scratch workspaces holding a copy of `specs/<domain>`: `old` stays, `new` is edited.
pub(super) struct Pair {
    pub(super) old: PathBuf,
    pub(super) new: PathBuf,
}

impl Pair {
    pub(super) fn new(name: &str, domain: &str) -> Self {
        let base = std::env::temp_dir().join(format!(
            "douyin-xtask-diff-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&base);
        let (old, new) = (base.join("old"), base.join("new"));
        let real = crate::workspace_root();
        let src = real
            .join("crates")
            .join(format!("douyin-{domain}"))
            .join("src");
        for root in [&old, &new] {
            copy_dir(
                &real.join("specs").join(domain),
                &root.join("specs").join(domain),
            );
            // The hand-written modules the spec names (`crate.modules`) must exist.
            let to = root
                .join("crates")
                .join(format!("douyin-{domain}"))
                .join("src");
            std::fs::create_dir_all(&to).unwrap();
            for e in std::fs::read_dir(&src).unwrap().filter_map(Result::ok) {
                if e.path().is_file() {
                    std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
                }
            }
        }
        Pair { old, new }
    }

    pub(super) fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let p = self.new.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} has no `{from}`");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        self
    }

    fn report(&self) -> Report {
        diff_roots(&self.old, &self.new).unwrap()
    }

    pub(super) fn changes(&self) -> Vec<Change> {
        self.report()
            .crates
            .into_iter()
            .flat_map(|c| c.changes)
            .collect()
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.old.parent().unwrap());
    }
}

pub(super) const OP: &str = "specs/onebound/item_get_video.yaml";
pub(super) const DOMAIN: &str = "specs/onebound/domain.yaml";
pub(super) const ITEM: &str = "specs/onebound/schemas/item.yaml";

/// The one API change of `changes` (documentation changes set aside), with its class.
#[track_caller]
fn only(changes: &[Change]) -> &Change {
    let api: Vec<&Change> = changes.iter().filter(|c| c.class != Class::Docs).collect();
    assert_eq!(api.len(), 1, "{changes:#?}");
    api[0]
}

#[test]
fn unchanged_specs_report_nothing() {
    let p = Pair::new("same", "onebound");
    let r = p.report();
    assert!(r.crates.is_empty(), "{r:#?}");
    assert!(render::markdown(&r).contains("No change"));
}

#[test]
fn required_parameter_added_breaks_optional_does_not() {
    let p = Pair::new("param-added", "onebound");
    p.edit(
        OP,
        "parameters:\n",
        "parameters:\n  - name: region\n    in: query\n    required: true\n    schema: { type: string }\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!((c.class, c.area), (Class::Breaking, "parameter"));
    assert_eq!(c.subject, "`item_get_video` `region`");
    assert_eq!(
        c.rust.as_deref(),
        Some("douyin_onebound::ItemGetVideoParams::region: String")
    );

    let p = Pair::new("param-optional", "onebound");
    p.edit(
        OP,
        "parameters:\n",
        "parameters:\n  - name: region\n    in: query\n    schema: { type: string }\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(c.class, Class::Additive);
    assert!(c.detail.starts_with("added, optional"), "{c:?}");
}

#[test]
fn parameter_removed_renamed_required_retyped() {
    let p = Pair::new("param-removed", "onebound");
    p.edit(DOMAIN, "  - name: version\n    in: query\n    schema: { type: string }\n    doc: API版本 — API version.\n", "");
    let c = only(&p.changes()).clone();
    assert_eq!((c.class, c.detail.as_str()), (Class::Breaking, "removed"));

    let p = Pair::new("param-renamed", "onebound");
    p.edit(OP, "  - name: item_id\n", "  - name: aweme_id\n");
    let c = only(&p.changes()).clone();
    assert_eq!(c.class, Class::Breaking);
    assert_eq!(c.detail, "renamed to `aweme_id`");

    let p = Pair::new("param-required", "onebound");
    p.edit(
        DOMAIN,
        "  - name: version\n    in: query\n",
        "  - name: version\n    in: query\n    required: true\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.detail.as_str()),
        (Class::Breaking, "made required")
    );

    let p = Pair::new("param-type", "onebound");
    p.edit(
        DOMAIN,
        "  - name: version\n    in: query\n    schema: { type: string }",
        "  - name: version\n    in: query\n    schema: { type: integer }",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.detail.as_str()),
        (Class::Breaking, "type changed")
    );
    assert_eq!(
        c.rust.as_deref(),
        Some("douyin_onebound::ItemGetVideoParams::version: Option<String> → Option<i64>")
    );
}

#[test]
fn defaults_bounds_and_placement() {
    let p = Pair::new("bounds", "onebound");
    p.edit(
        DOMAIN,
        "  - name: version\n    in: query\n    schema: { type: string }",
        "  - name: version\n    in: query\n    schema: { type: integer, minimum: 1, maximum: 9 }",
    );
    let q = Pair::new("bounds-base", "onebound");
    q.edit(
        DOMAIN,
        "  - name: version\n    in: query\n    schema: { type: string }",
        "  - name: version\n    in: query\n    schema: { type: integer, minimum: 1, maximum: 5 }",
    );
    // Widening 1..=5 to 1..=9 is additive; the reverse narrows.
    let widened = diff_roots(&q.new, &p.new).unwrap();
    let c = only(&widened.crates[0].changes).clone();
    assert_eq!(
        (c.class, c.detail.as_str()),
        (Class::Additive, "bounds [1..=5] → [1..=9]")
    );
    let narrowed = diff_roots(&p.new, &q.new).unwrap();
    assert_eq!(only(&narrowed.crates[0].changes).class, Class::Breaking);

    let p = Pair::new("default", "onebound");
    p.edit(
        DOMAIN,
        "  - name: version\n    in: query\n",
        "  - name: version\n    in: query\n    default: \"2\"\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.detail.as_str()),
        (Class::Breaking, "default none → \"2\"")
    );

    let p = Pair::new("placement", "onebound");
    p.edit(
        DOMAIN,
        "  - name: version\n    in: query\n",
        "  - name: version\n    in: header\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.detail.as_str()),
        (Class::Additive, "placement query → header")
    );
}

#[test]
fn operations_added_removed_renamed() {
    let p = Pair::new("ops", "onebound");
    let text = std::fs::read_to_string(p.new.join(OP)).unwrap();
    let twin = text
        .replace("name: item_get_video", "name: item_get_music")
        .replace("/douyin/item_get_video/", "/douyin/item_get_music/")
        .replace("type: ItemGetVideoResponse", "type: ItemGetMusicResponse");
    std::fs::write(p.new.join("specs/onebound/item_get_music.yaml"), twin).unwrap();
    let changes = p.changes();
    let added: Vec<_> = changes.iter().filter(|c| c.area == "operation").collect();
    assert_eq!(added.len(), 1, "{changes:#?}");
    assert_eq!(added[0].class, Class::Additive);
    assert_eq!(
        added[0].rust.as_deref(),
        Some("douyin_onebound::Client::item_get_music")
    );
    assert!(changes.iter().any(|c| c.area == "type"
        && c.subject == "`ItemGetMusicResponse`"
        && c.class == Class::Additive));
    // Removed: the reverse.
    let back = diff_roots(&p.new, &p.old).unwrap();
    let removed: Vec<_> = back.crates[0]
        .changes
        .iter()
        .filter(|c| c.area == "operation")
        .collect();
    assert_eq!(
        (removed[0].class, removed[0].detail.as_str()),
        (Class::Breaking, "removed (GET /douyin/item_get_music/)")
    );

    let p = Pair::new("op-renamed", "onebound");
    p.edit(OP, "name: item_get_video", "name: video_details");
    let ops: Vec<Change> = p
        .changes()
        .into_iter()
        .filter(|c| c.area == "operation")
        .collect();
    assert_eq!(ops.len(), 1, "{ops:#?}");
    assert_eq!(ops[0].class, Class::Breaking);
    assert_eq!(
        ops[0].detail,
        "renamed to `video_details` (GET /douyin/item_get_video/)"
    );
}

#[test]
fn response_fields_by_path_with_their_rust_item() {
    let p = Pair::new("fields", "onebound");
    p.edit(
        ITEM,
        "  nick: { type: string, description: 昵称 }\n",
        "  nick: { type: string, description: 昵称 }\n  region: { type: string }\n",
    );
    p.edit(
        ITEM,
        "  uid: { type: string, description: 作者uid }\n",
        "  uid: { type: [string, integer], description: 作者uid }\n",
    );
    p.edit(
        ITEM,
        "      pic_url: { type: string, description: 封面图 }\n",
        "",
    );
    let changes = p.changes();
    let fields: Vec<&Change> = changes
        .iter()
        .filter(|c| c.area == "response field")
        .collect();
    assert_eq!(fields.len(), 3, "{changes:#?}");
    let by = |d: &str| fields.iter().find(|c| c.detail == d).copied().unwrap();
    let added = by("added");
    assert_eq!(
        (added.class, added.subject.as_str()),
        (Class::Additive, "`item.region`")
    );
    let retyped = by("type changed");
    assert_eq!(retyped.class, Class::Breaking);
    assert_eq!(retyped.subject, "`item.uid`");
    assert_eq!(
        retyped.rust.as_deref(),
        Some("douyin_onebound::types::Item::uid: Option<String> → Option<StrOrNum>")
    );
    assert_eq!(retyped.paths, vec!["item_get_video: item.uid".to_owned()]);
    let removed = by("removed");
    assert_eq!(
        (removed.class, removed.subject.as_str()),
        (Class::Breaking, "`item.video.pic_url`")
    );
}

#[test]
fn enum_values_error_codes_credentials_pagination_base_url() {
    let p = Pair::new("enum", "onebound");
    p.edit(DOMAIN, "enum: [cn, en, ru]", "enum: [cn, en, ru, ja]");
    let c = only(&p.changes()).clone();
    assert_eq!((c.class, c.area), (Class::Additive, "enum value"));
    assert_eq!(c.rust.as_deref(), Some("douyin_onebound::types::Lang::Ja"));
    let back = diff_roots(&p.new, &p.old).unwrap();
    assert_eq!(only(&back.crates[0].changes).class, Class::Breaking);

    let p = Pair::new("errors", "onebound");
    p.edit(
        DOMAIN,
        "class: rate_limited, billed: ignored",
        "class: retryable, billed: ignored",
    );
    let c = only(&p.changes()).clone();
    assert_eq!((c.class, c.subject.as_str()), (Class::Breaking, "`4008`"));
    assert!(
        c.detail.starts_with("class RateLimited → Retryable"),
        "{c:?}"
    );

    let p = Pair::new("error-added", "onebound");
    p.edit(DOMAIN, "errors:\n", "errors:\n  - { code: \"4100\", name: Banned, meaning: banned, class: permission, billed: \"no\" }\n");
    let c = only(&p.changes()).clone();
    assert_eq!((c.class, c.area), (Class::Additive, "error code"));
    assert_eq!(
        c.rust.as_deref(),
        Some("douyin_onebound::ErrorCode::Banned")
    );

    let p = Pair::new("credential", "onebound");
    p.edit(
        DOMAIN,
        "credentials:\n",
        "credentials:\n  - name: token\n    doc: a new secret\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!((c.class, c.area), (Class::Breaking, "credential"));

    let p = Pair::new("base-url", "onebound");
    p.edit(
        DOMAIN,
        "base_url: https://api-gw.onebound.cn",
        "base_url: https://api.onebound.cn",
    );
    let c = only(&p.changes()).clone();
    assert_eq!((c.class, c.area), (Class::Breaking, "base URL"));

    let p = Pair::new("docs", "onebound");
    p.edit(OP, "summary: Video details", "summary: Video facts");
    let changes = p.changes();
    assert!(
        changes.iter().all(|c| c.class == Class::Docs),
        "{changes:#?}"
    );
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].subject, "operation `item_get_video`");
}

#[test]
fn pagination_added_is_additive() {
    let p = Pair::new("pagination", "open-platform");
    let file = "specs/open-platform/media_list.yaml";
    let text = std::fs::read_to_string(p.new.join(file)).unwrap();
    let start = text.find("pagination:").expect("media_list pages");
    let end = text[start..]
        .find("\n\n")
        .or_else(|| text[start + 1..].find("\n[a-z]").map(|i| i + 1))
        .unwrap_or(text.len() - start);
    let without: String = format!(
        "{}{}",
        &text[..start],
        &text[start + end..].trim_start_matches('\n')
    );
    std::fs::write(p.old.join(file), without).unwrap();
    let changes: Vec<Change> = p
        .changes()
        .into_iter()
        .filter(|c| c.area == "pagination")
        .collect();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].class, Class::Additive);
    assert_eq!(
        changes[0].rust.as_deref(),
        Some("douyin_open_platform::Client::media_list_stream")
    );
}

#[test]
fn ky_only_predict_back_to_integer_is_one_breaking_change_and_needs_a_bump() {
    // The number typing review made it `number`; narrowing it again changes the Rust type just as widening did.
    let p = Pair::new("ky", "web");
    p.edit(
        "specs/web/schemas/user.yaml",
        "ky_only_predict: { type: number,",
        "ky_only_predict: { type: integer,",
    );
    for (root, version) in [(&p.old, "0.1.0"), (&p.new, "0.1.0")] {
        let dir = root.join("crates/douyin-web");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("[package]\nname = \"douyin-web\"\nversion = \"{version}\"\n"),
        )
        .unwrap();
    }
    let r = p.report();
    let web = &r.crates[0];
    let c = only(&web.changes);
    assert_eq!(
        (c.class, c.area, c.subject.as_str()),
        (
            Class::Breaking,
            "response field",
            "`data[].ky_only_predict`"
        )
    );
    assert_eq!(
        c.rust.as_deref(),
        Some("douyin_web::types::User::ky_only_predict: Option<Number> → Option<i64>")
    );
    assert!(
        c.paths
            .iter()
            .any(|p| p == "comment_list: comments[].user.ky_only_predict"),
        "{:?}",
        c.paths
    );
    assert!(web.needs_bump);
    assert_eq!(web.suggested_version.as_deref(), Some("0.2.0"));
    let md = render::markdown(&r);
    assert!(md.contains("### Breaking"), "{md}");
    assert!(md.contains("⚠ not bumped"), "{md}");

    // The crate's manifest is generated: the version is bumped in its spec.
    p.edit(
        "specs/web/domain.yaml",
        "crate:\n",
        "crate:\n  version: 0.2.0\n",
    );
    let r = p.report();
    assert!(!r.crates[0].needs_bump);
}

#[test]
fn next_versions_follow_cargo_rules() {
    assert_eq!(
        next_version("0.1.3", Class::Breaking).as_deref(),
        Some("0.2.0")
    );
    assert_eq!(
        next_version("0.1.3", Class::Additive).as_deref(),
        Some("0.1.4")
    );
    assert_eq!(
        next_version("1.4.2", Class::Breaking).as_deref(),
        Some("2.0.0")
    );
    assert_eq!(
        next_version("1.4.2", Class::Additive).as_deref(),
        Some("1.5.0")
    );
    assert_eq!(next_version("1.4.2", Class::Docs).as_deref(), Some("1.4.3"));
}

#[test]
fn report_is_deterministic() {
    let p = Pair::new("determinism", "onebound");
    p.edit(
        ITEM,
        "  uid: { type: string, description: 作者uid }\n",
        "  uid: { type: [string, integer], description: 作者uid }\n",
    );
    p.edit(OP, "summary: Video details", "summary: Video facts");
    let a = serde_json::to_string(&p.report()).unwrap();
    let b = serde_json::to_string(&p.report()).unwrap();
    assert_eq!(
        a.replace(&p.old.display().to_string(), ""),
        b.replace(&p.old.display().to_string(), "")
    );
}

/// Two commits of this repository: the specs at the commit that copied the data into the repository against the
/// work tree load through today's loader and give a report (needs the repository's history, as CI's clone has).
#[test]
fn diff_against_a_commit_of_this_repository() {
    let root = crate::workspace_root();
    let has_history = std::process::Command::new("git")
        .current_dir(&root)
        .args(["cat-file", "-e", "HEAD~1^{commit}"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(has_history, "this test needs the repository's git history");
    let a = diff_against(&root, Some("HEAD")).unwrap();
    let b = diff_against(&root, Some("HEAD")).unwrap();
    assert_eq!(render::markdown(&a), render::markdown(&b));
    assert_eq!(a.base, "HEAD");
}
