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

/// `../shared` beside the workspace (read-only material: seeds, fixtures, vectors).
pub fn shared() -> PathBuf {
    workspace().parent().unwrap().join("shared")
}

/// The first place two JSON values differ under the lossless rule (`null` members equal absent ones), as a path,
/// for readable failures.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    douyin_core::compare::differences(a, b, 1).pop()
}
