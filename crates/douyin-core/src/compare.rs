//! What "lossless" means when a re-encoded body is compared with the original: equal JSON after dropping `null`
//! object members on both sides (a `null` field decodes to `None` and is written back as absent), nothing else
//! forgiven. One rule for the golden and conformance tests, the CLI's `check-capture` and its tests.

use serde_json::Value;

/// `value` with every `null` object member removed.
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

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

/// Where `original` and `reencoded` differ (nulls dropped first), as `path: what` lines, at most `limit` of them.
pub fn differences(original: &Value, reencoded: &Value, limit: usize) -> Vec<String> {
    fn walk(a: &Value, b: &Value, path: &str, out: &mut Vec<String>, limit: usize) {
        if out.len() >= limit {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    match y.get(k) {
                        None => out.push(format!("{path}.{k}: missing after re-encoding")),
                        Some(w) => walk(v, w, &format!("{path}.{k}"), out, limit),
                    }
                    if out.len() >= limit {
                        return;
                    }
                }
                for k in y.keys().filter(|k| !x.contains_key(*k)) {
                    if out.len() >= limit {
                        return;
                    }
                    out.push(format!("{path}.{k}: added by re-encoding"));
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    walk(v, w, &format!("{path}[{i}]"), out, limit);
                }
            }
            _ if a == b => {}
            _ => out.push(format!(
                "{}: {} became {}",
                if path.is_empty() { "." } else { path },
                short(a),
                short(b)
            )),
        }
    }
    let mut out = Vec::new();
    walk(
        &without_nulls(original),
        &without_nulls(reencoded),
        "",
        &mut out,
        limit,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_and_absent_are_equal_and_nothing_else_is_forgiven() {
        let a = json!({"x": null, "y": [1, {"z": null}], "n": 1});
        let b = json!({"y": [1, {}], "n": 1});
        assert!(differences(&a, &b, 10).is_empty());
        let c = json!({"y": [1, {}], "n": 1.0, "extra": []});
        assert_eq!(
            differences(&a, &c, 10),
            vec![".n: 1 became 1.0", ".extra: added by re-encoding"]
        );
        assert_eq!(
            differences(&json!({"a": [1, 2]}), &json!({"a": [1]}), 10),
            vec![".a: [1,2] became [1]"]
        );
        assert_eq!(
            differences(&json!([0]), &json!({}), 10),
            vec![".: [0] became {}"]
        );
    }

    #[test]
    fn stops_at_the_limit() {
        let a = json!({"a": 1, "b": 2, "c": 3});
        assert_eq!(differences(&a, &json!({}), 2).len(), 2);
    }
}
