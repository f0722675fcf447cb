//! The examples as the README shows them: against the mock, their output is the README's "They print:" block; a
//! failure is one `error: …` line on stderr (the error's `Display`, never its `Debug`) and a non-zero exit status.
//!
//! `cargo test` builds the examples before it runs this file; the binaries sit next to the test's own directory.

use std::path::PathBuf;
use std::process::Command;

use douyin_mock::MockServer;
use snapbox::{assert_data_eq, str};

const EXAMPLES: [(&str, &str); 3] = [
    ("onebound", "onebound"),
    ("open_platform", "open-platform"),
    ("web", "web"),
];

/// `target/<profile>/examples/<name>`, built by `cargo test` with the tests.
fn example(name: &str) -> Command {
    let deps = std::env::current_exe().expect("the test binary's path");
    let path: PathBuf = deps
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>/deps")
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built: run `cargo test -p douyin` (it builds the examples)",
        path.display()
    );
    let mut command = Command::new(path);
    for var in [
        "DOUYIN_ONEBOUND_KEY",
        "DOUYIN_ONEBOUND_SECRET",
        "DOUYIN_ACCESS_TOKEN",
        "DOUYIN_COOKIE",
        "DOUYIN_MS_TOKEN",
    ] {
        command.env_remove(var);
    }
    command
}

/// The README's block after "They print:".
fn readme_output() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let after = readme
        .split_once("They print:\n\n```text\n")
        .expect("README.md has a \"They print:\" text block")
        .1;
    after
        .split_once("```")
        .expect("the block ends")
        .0
        .to_owned()
}

#[test]
fn examples_print_what_the_readme_shows() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    let outputs: Vec<String> = EXAMPLES
        .iter()
        .map(|(name, domain)| {
            let out = example(name)
                .arg(format!("http://{}/{domain}", server.addr()))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "example {name} failed: {stderr}");
            String::from_utf8(out.stdout).expect("UTF-8 output")
        })
        .collect();
    assert_data_eq!(outputs.join("\n"), readme_output());
}

#[test]
fn examples_print_one_line_errors_and_fail() {
    // Port 1 on loopback: nothing listens there, so every example fails to connect.
    for (name, domain) in EXAMPLES {
        let out = example(name)
            .arg(format!("http://127.0.0.1:1/{domain}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "example {name}");
        assert!(out.stdout.is_empty(), "example {name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_data_eq!(
            stderr,
            str![[r#"
error: transport error: error sending request

"#]]
        );
    }
}
