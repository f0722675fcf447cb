//! Every cargo command the documentation writes (README.md, docs/*.md, each crate's README.md) names a package of
//! this workspace and a target that package has: `-p`, `--bench`, `--bin`, `--example` and `--test` are checked
//! against `cargo metadata`, so renaming a bench, binary or example without its documentation fails here. (The
//! README's and docs' CLI examples themselves run as tests in douyin-cli's `docs` test.)

use std::collections::BTreeMap;

use douyin_tests::{cargo_metadata, workspace};

/// Package name → (target kind, target name) pairs, from `cargo metadata`.
fn targets() -> BTreeMap<String, Vec<(String, String)>> {
    let meta = cargo_metadata(&["--no-deps", "--offline"]);
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let targets = p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|t| {
                    let name = t["name"].as_str().unwrap().to_owned();
                    t["kind"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(move |k| (k.as_str().unwrap().to_owned(), name.clone()))
                })
                .collect();
            (p["name"].as_str().unwrap().to_owned(), targets)
        })
        .collect()
}

/// The documentation files, relative to the workspace root.
fn documents() -> Vec<String> {
    let root = workspace();
    let mut docs = vec!["README.md".to_owned()];
    for dir in ["docs", "crates"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let path = entry.path();
            let readme = path.join("README.md");
            if path.extension().is_some_and(|e| e == "md") {
                docs.push(format!("{dir}/{}", entry.file_name().to_string_lossy()));
            } else if readme.is_file() {
                docs.push(format!(
                    "{dir}/{}/README.md",
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    docs.sort();
    docs
}

/// The cargo commands in `text`: from `cargo bench|run|test|build` to the end of the command (a backtick, a
/// comment, a `--` that starts the program's own arguments, or the end of the line), as words.
fn commands(text: &str) -> Vec<Vec<&str>> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("cargo ") {
            let tail = &rest[at..];
            let end = tail.find(['`', '#', '|', ')']).unwrap_or(tail.len());
            let words: Vec<&str> = tail[..end].split_whitespace().collect();
            rest = &tail[end..];
            if matches!(words.get(1), Some(&("bench" | "run" | "test" | "build"))) {
                found.push(words.into_iter().take_while(|w| *w != "--").collect());
            }
        }
    }
    found
}

/// A placeholder the reader fills in, not a name.
fn placeholder(word: &str) -> bool {
    word.contains(['<', '…', '*']) || word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

#[test]
fn documented_cargo_commands_name_real_packages_and_targets() {
    let targets = targets();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(workspace().join(&doc)).unwrap();
        for words in commands(&text) {
            let value = |flag: &str| {
                words
                    .iter()
                    .position(|w| *w == flag)
                    .and_then(|i| words.get(i + 1).copied())
            };
            let Some(package) = value("-p").filter(|p| !placeholder(p)) else {
                continue;
            };
            checked += 1;
            let Some(have) = targets.get(package) else {
                wrong.push(format!(
                    "{doc}: `{}`: no package {package}",
                    words.join(" ")
                ));
                continue;
            };
            for (flag, kind) in [
                ("--bench", "bench"),
                ("--bin", "bin"),
                ("--example", "example"),
                ("--test", "test"),
            ] {
                if let Some(name) = value(flag).filter(|n| !placeholder(n)) {
                    if !have.iter().any(|(k, n)| k == kind && n == name) {
                        wrong.push(format!(
                            "{doc}: `{}`: {package} has no {kind} {name}",
                            words.join(" ")
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The README's examples, the performance page's benches and binaries at the least.
    assert!(
        checked >= 15,
        "only {checked} commands found: is the scan still reading the documents?"
    );
}

#[test]
fn the_scan_sees_flags_and_stops_at_the_programs_own_arguments() {
    let found = commands(
        "x `cargo run --release -p douyin-bench --bin media-download -- 1024 3` and cargo bench -p a --bench b # c",
    );
    assert_eq!(
        found,
        [
            vec![
                "cargo",
                "run",
                "--release",
                "-p",
                "douyin-bench",
                "--bin",
                "media-download"
            ],
            vec!["cargo", "bench", "-p", "a", "--bench", "b"],
        ]
    );
    assert!(placeholder("<crate>") && placeholder("N") && !placeholder("douyin-web"));
}
