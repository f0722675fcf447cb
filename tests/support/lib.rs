//! Helpers shared by the workspace tests: locating the workspace and comparing JSON the way "lossless" is defined.

use std::path::PathBuf;

use serde_json::Value;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `cargo metadata --format-version 1` of the workspace with `extra` arguments, as JSON.
#[track_caller]
pub fn cargo_metadata(extra: &[&str]) -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .args(extra)
        .current_dir(workspace())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The real web captures kept in the repository (`specs/web/captures/`).
pub fn captures() -> PathBuf {
    workspace().join("specs/web/captures")
}

/// The first place two JSON values differ under the lossless rule (`null` members equal absent ones), as a path,
/// for readable failures.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    douyin_core::compare::differences(a, b, 1).pop()
}

/// Fails if any credential value shows in the error's `Display` or `Debug`.
#[track_caller]
pub fn assert_no_secret<E: std::fmt::Display + std::fmt::Debug>(err: &E, secrets: &[&str]) {
    let shown = format!("{err}\n{err:?}");
    for s in secrets {
        assert!(
            !shown.contains(s),
            "credential {s:?} leaks into the error: {shown}"
        );
    }
}

/// The error of a call that must fail, checked for leaked credentials.
#[track_caller]
pub fn checked<T: std::fmt::Debug, E: std::fmt::Display + std::fmt::Debug>(
    result: Result<T, E>,
    secrets: &[&str],
) -> E {
    let err = result.expect_err("the call fails");
    assert_no_secret(&err, secrets);
    err
}
