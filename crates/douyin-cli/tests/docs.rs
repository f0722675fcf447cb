//! The documentation's commands as tests: every `console` block of README.md and docs/*.md runs with trycmd, the
//! `douyin` binary built by this package, against the mock started here, in the environment README's "Try it"
//! section exports (the mock's credentials, each domain's `DOUYIN_<DOMAIN>_BASE_URL`), from the workspace root. A
//! renamed flag or a changed output fails here. Blocks marked `console,ignore` need real credentials or the network.

mod common;

use common::{mock::Mock, workspace, TempDir};

#[test]
fn documented_commands_run_as_written() {
    let mock = Mock::start();
    let home = TempDir::new("docs-home");
    let root = workspace();
    // The commands name repository files (`vectors/xbogus.json`) relative to the root, as a reader types them.
    std::env::set_current_dir(&root).unwrap();
    // Only what the README exports: no credential, base URL or config of the machine running the tests.
    for (name, _) in std::env::vars() {
        if name.starts_with("DOUYIN_") || name.starts_with("XDG_") {
            std::env::remove_var(name);
        }
    }

    let cases = trycmd::TestCases::new();
    // The credentials the mock accepts (its specs' examples), by the variables the README exports.
    for (name, value) in douyin_mock::example_credentials() {
        cases.env(format!("DOUYIN_{}", name.to_uppercase()), value);
    }
    for domain in ["onebound", "open-platform", "web"] {
        let var = format!(
            "DOUYIN_{}_BASE_URL",
            domain.to_uppercase().replace('-', "_")
        );
        cases.env(var, format!("{}/{domain}", mock.root()));
    }
    for var in ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"] {
        cases.env(var, home.path().display().to_string());
    }
    cases
        .case(root.join("README.md"))
        .case(root.join("docs/*.md"))
        .case(root.join("crates/*/README.md"));
}
