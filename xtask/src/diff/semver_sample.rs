//! Checks a sample of the diff's classification against `cargo-semver-checks` on the generated crate: one spec pair
//! per kind of change, generated whole into two scratch workspaces, compared by both tools. Takes minutes (rustdoc
//! JSON of both sides per case), so it is `#[ignore]`d; the agreement table in docs/design.md comes from it:
//!
//! ```sh
//! cargo test -p xtask semver_sample -- --ignored --nocapture      # SEMVER_SAMPLE=<case> runs only matching cases
//! ```

use std::path::Path;
use std::process::Command;

use super::tests::{Pair, DOMAIN, ITEM, OP};
use super::{Change, Class};

/// What `cargo semver-checks check-release` concludes when the version is not bumped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// No lint fails.
    Pass,
    /// Only lints that call for a minor version fail.
    Minor,
    /// A lint that calls for a major version fails.
    Major,
}

struct Case {
    change: &'static str,
    setup: fn(&Pair),
    ours: Class,
    theirs: Verdict,
}

const LANG: &str = "enum: [cn, en, ru]";
const VERSION_PARAM: &str = "  - name: version\n    in: query\n";

fn twin_operation(root: &Path) {
    let text = std::fs::read_to_string(root.join(OP)).unwrap();
    let twin = text
        .replace("name: item_get_video", "name: item_get_music")
        .replace("/douyin/item_get_video/", "/douyin/item_get_music/")
        .replace("type: ItemGetVideoResponse", "type: ItemGetMusicResponse");
    std::fs::write(root.join("specs/onebound/item_get_music.yaml"), twin).unwrap();
}

fn edit_old(p: &Pair, rel: &str, from: &str, to: &str) {
    let path = p.old.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The sample: every row of the rules table that a spec of the onebound domain can show.
const CASES: &[Case] = &[
    Case {
        change: "response field added (optional)",
        setup: |p| {
            p.edit(
                ITEM,
                "  nick: { type: string, description: 昵称 }\n",
                "  nick: { type: string, description: 昵称 }\n  region: { type: string }\n",
            );
        },
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "response field removed",
        setup: |p| {
            p.edit(
                ITEM,
                "      pic_url: { type: string, description: 封面图 }\n",
                "",
            );
        },
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "response field integer → number",
        setup: |p| {
            p.edit(DOMAIN, "cache: { type: integer,", "cache: { type: number,");
        },
        ours: Class::Breaking,
        // cargo-semver-checks compares no types (obi1kenobi/cargo-semver-checks#148, #149): a break it misses.
        theirs: Verdict::Pass,
    },
    Case {
        change: "response field string → string or integer",
        setup: |p| {
            p.edit(
                ITEM,
                "uid: { type: string,",
                "uid: { type: [string, integer],",
            );
        },
        ours: Class::Breaking,
        // cargo-semver-checks compares no types (obi1kenobi/cargo-semver-checks#148, #149): a break it misses.
        theirs: Verdict::Pass,
    },
    Case {
        change: "parameter added, required",
        setup: |p| {
            p.edit(OP, "parameters:\n", "parameters:\n  - name: region\n    in: query\n    required: true\n    schema: { type: string }\n");
        },
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "parameter added, optional",
        setup: |p| {
            p.edit(
                OP,
                "parameters:\n",
                "parameters:\n  - name: region\n    in: query\n    schema: { type: string }\n",
            );
        },
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "parameter removed",
        setup: |p| {
            p.edit(DOMAIN, "  - name: version\n    in: query\n    schema: { type: string }\n    doc: API版本 — API version.\n", "");
        },
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "parameter made required",
        setup: |p| {
            p.edit(
                DOMAIN,
                VERSION_PARAM,
                "  - name: version\n    in: query\n    required: true\n",
            );
        },
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "parameter type string → integer",
        setup: |p| {
            p.edit(
                DOMAIN,
                "  - name: version\n    in: query\n    schema: { type: string }",
                "  - name: version\n    in: query\n    schema: { type: integer }",
            );
        },
        ours: Class::Breaking,
        // cargo-semver-checks compares no types (obi1kenobi/cargo-semver-checks#148, #149): a break it misses.
        theirs: Verdict::Pass,
    },
    Case {
        change: "parameter default added",
        setup: |p| {
            p.edit(
                DOMAIN,
                VERSION_PARAM,
                "  - name: version\n    in: query\n    default: \"2\"\n",
            );
        },
        ours: Class::Breaking,
        // Behaviour only: the Rust API is the same, what an unchanged call sends is not.
        theirs: Verdict::Pass,
    },
    Case {
        change: "parameter placement query → header",
        setup: |p| {
            p.edit(DOMAIN, VERSION_PARAM, "  - name: version\n    in: header\n");
        },
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "operation added",
        setup: |p| twin_operation(&p.new),
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "operation removed",
        setup: |p| twin_operation(&p.old),
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "operation renamed",
        setup: |p| {
            p.edit(OP, "name: item_get_video", "name: video_details");
        },
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "enum value added",
        setup: |p| {
            p.edit(DOMAIN, LANG, "enum: [cn, en, ru, ja]");
        },
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "enum value removed",
        setup: |p| edit_old(p, DOMAIN, LANG, "enum: [cn, en, ru, ja]"),
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "error code added",
        setup: |p| {
            p.edit(DOMAIN, "errors:\n", "errors:\n  - { code: \"4100\", name: Banned, meaning: banned, class: permission, billed: \"no\" }\n");
        },
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "error code class changed",
        setup: |p| {
            p.edit(
                DOMAIN,
                "class: rate_limited, billed: ignored",
                "class: retryable, billed: ignored",
            );
        },
        ours: Class::Breaking,
        // Behaviour only: `ErrorCode::class()` returns another value.
        theirs: Verdict::Pass,
    },
    Case {
        change: "base URL changed",
        setup: |p| {
            p.edit(
                DOMAIN,
                "base_url: https://api-gw.onebound.cn",
                "base_url: https://api.onebound.cn",
            );
        },
        ours: Class::Breaking,
        theirs: Verdict::Pass,
    },
    Case {
        change: "operation base URL set",
        setup: |p| {
            p.edit(
                OP,
                "method: GET\n",
                "method: GET\nbase_url: https://api.onebound.cn\n",
            );
        },
        ours: Class::Breaking,
        theirs: Verdict::Pass,
    },
    Case {
        change: "refusal added (envelope.refusals)",
        setup: |p| {
            p.edit(DOMAIN, "  billed: true\n", "  billed: true\n  refusals:\n    - { path: error, equals: blocked, kind: captcha }\n");
        },
        ours: Class::Breaking,
        // Behaviour only: a body that was `Ok` is now `Err(Blocked)`.
        theirs: Verdict::Pass,
    },
    Case {
        change: "re-export removed (crate.reexports)",
        setup: |p| {
            p.edit(
                DOMAIN,
                "  reexports: [constructors::credentials]\n",
                "  reexports: []\n",
            );
        },
        ours: Class::Breaking,
        theirs: Verdict::Major,
    },
    Case {
        change: "module added (crate.modules)",
        setup: |p| {
            std::fs::write(
                p.new.join("crates/douyin-onebound/src/extra.rs"),
                "//! A new module.\n\n/// A new item.\npub fn extra() {}\n",
            )
            .unwrap();
            p.edit(
                DOMAIN,
                "  modules: [constructors]\n",
                "  modules: [constructors, extra]\n",
            );
        },
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "dependency added (crate.dependencies)",
        setup: |p| {
            p.edit(DOMAIN, "  reexports: [constructors::credentials]\n", "  reexports: [constructors::credentials]\n  dependencies:\n    - name: fastrand\n      version: \"2\"\n");
        },
        ours: Class::Additive,
        theirs: Verdict::Pass,
    },
    Case {
        change: "operation summary (docs)",
        setup: |p| {
            p.edit(OP, "summary: Video details", "summary: Video facts");
        },
        ours: Class::Docs,
        theirs: Verdict::Pass,
    },
];

/// Writes the generated crate into a scratch workspace whose other dependencies are the real workspace's crates.
fn generate_workspace(root: &Path) {
    let domains = crate::load(root).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    let files = crate::emit_all(root, &domains).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    let prefix = Path::new("crates/douyin-onebound");
    for (path, text) in files.iter().filter(|(p, _)| p.starts_with(prefix)) {
        let to = root.join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, text).unwrap();
    }
    let real = crate::workspace_root();
    let manifest = std::fs::read_to_string(real.join("Cargo.toml"))
        .unwrap()
        .replace(
            "members = [\"crates/*\", \"xtask\", \"tests\", \"benches\"]",
            "members = [\"crates/douyin-onebound\"]",
        )
        .replace(
            "path = \"crates/",
            &format!("path = \"{}/crates/", real.display()),
        );
    assert!(
        manifest.contains("members = [\"crates/douyin-onebound\"]"),
        "the workspace members line moved"
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(real.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
}

/// Runs `cargo semver-checks` with `old` as the baseline; the verdict and the lints that failed.
fn semver_checks(old: &Path, new: &Path) -> (Verdict, Vec<String>) {
    let target = crate::workspace_root().join("target/semver-sample");
    let out = Command::new("nice")
        .args([
            "-n",
            "19",
            "cargo",
            "semver-checks",
            "check-release",
            "--package",
            "douyin-onebound",
        ])
        .arg("--manifest-path")
        .arg(new.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(old)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("cargo semver-checks runs (cargo install cargo-semver-checks)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lints: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--- failure "))
        .map(|l| l.split(':').next().unwrap_or(l).to_owned())
        .collect();
    let verdict = if text.contains("requires new major version") {
        Verdict::Major
    } else if text.contains("requires new minor version") {
        Verdict::Minor
    } else {
        assert!(
            out.status.success() && text.contains("no semver update required"),
            "cargo semver-checks did not finish:\n{text}"
        );
        Verdict::Pass
    };
    (verdict, lints)
}

fn our_class(changes: &[Change]) -> Class {
    changes
        .iter()
        .map(|c| c.class)
        .min()
        .expect("the case changes something")
}

#[test]
#[ignore = "minutes: two rustdoc JSON builds per case; see docs/design.md"]
fn semver_sample() {
    let only = std::env::var("SEMVER_SAMPLE").unwrap_or_default();
    let mut rows = Vec::new();
    let mut wrong = Vec::new();
    for case in CASES.iter().filter(|c| c.change.contains(only.as_str())) {
        let p = Pair::new("semver", "onebound");
        (case.setup)(&p);
        let ours = our_class(&p.changes());
        generate_workspace(&p.old);
        generate_workspace(&p.new);
        let (theirs, lints) = semver_checks(&p.old, &p.new);
        let agree = matches!(
            (ours, theirs),
            (Class::Breaking, Verdict::Major)
                | (Class::Additive, Verdict::Pass | Verdict::Minor)
                | (Class::Docs, Verdict::Pass)
        );
        let row = format!(
            "| {} | {} | {:?}{} | {} |",
            case.change,
            ours.title().to_lowercase(),
            theirs,
            if lints.is_empty() {
                String::new()
            } else {
                format!(" (`{}`)", lints.join("`, `"))
            },
            if agree { "yes" } else { "no" }
        );
        eprintln!("{row}");
        rows.push(row);
        if (ours, theirs) != (case.ours, case.theirs) {
            wrong.push(format!(
                "{}: expected {:?} / {:?}, got {ours:?} / {theirs:?}",
                case.change, case.ours, case.theirs
            ));
        }
    }
    println!(
        "| change | ours | cargo-semver-checks | agree |\n|---|---|---|---|\n{}",
        rows.join("\n")
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
