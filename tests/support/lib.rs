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

/// `value` with every `null` object member removed: lossless re-encoding may turn `null` into an absent field.
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// The first place two JSON values differ (after dropping nulls), as a path, for readable failures.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    fn walk(a: &Value, b: &Value, path: &str) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    match y.get(k) {
                        None => return Some(format!("{path}.{k}: missing after re-encoding")),
                        Some(w) => {
                            if let Some(d) = walk(v, w, &format!("{path}.{k}")) {
                                return Some(d);
                            }
                        }
                    }
                }
                y.keys()
                    .find(|k| !x.contains_key(*k))
                    .map(|k| format!("{path}.{k}: added by re-encoding"))
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (v, w))| walk(v, w, &format!("{path}[{i}]"))),
            _ if a == b => None,
            _ => Some(format!("{path}: {a} became {b}")),
        }
    }
    walk(&without_nulls(a), &without_nulls(b), "")
}
