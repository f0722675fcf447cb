//! What "lossless" means when a re-encoded body is compared with the original: equal JSON after dropping `null`
//! object members on both sides (a `null` field decodes to `None` and is written back as absent), nothing else
//! forgiven. One rule for the golden and conformance tests, the CLI's `check-capture` and its tests. A value is
//! never compared with a key it dropped: [`duplicate_keys`] finds keys that appear twice in one object, which any
//! parsed form (typed or `Value`) silently reduces to one.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
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

/// Every key that appears more than once in one object of the JSON `text`, by path (indices collapsed to `[]`,
/// each path once, in document order).
pub fn duplicate_keys(text: &[u8]) -> serde_json::Result<Vec<String>> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let mut out = Found::default();
    Walk {
        path: &mut String::new(),
        out: &mut out,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(out.paths)
}

/// Duplicate-key paths in document order, each once.
#[derive(Default)]
struct Found {
    paths: Vec<String>,
    known: HashSet<String>,
}

/// Walks any JSON value, recording duplicate keys below `path`.
struct Walk<'a> {
    path: &'a mut String,
    out: &'a mut Found,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let len = self.path.len();
        self.path.push_str("[]");
        while seq
            .next_element_seed(Walk {
                path: self.path,
                out: self.out,
            })?
            .is_some()
        {}
        self.path.truncate(len);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<crate::lossless::Key<'de>>()? {
            let len = self.path.len();
            self.path.push('.');
            self.path.push_str(key.as_str());
            if !seen.insert(key.into_boxed()) && self.out.known.insert(self.path.clone()) {
                self.out.paths.push(self.path.clone());
            }
            map.next_value_seed(Walk {
                path: self.path,
                out: self.out,
            })?;
            self.path.truncate(len);
        }
        Ok(())
    }
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
    fn duplicate_keys_are_found_at_any_depth() {
        let text =
            br#"{"status_code":5,"status_code":0,"a":[{"x":1},{"x":1,"y":2,"x":3}],"b":{"c":{}}}"#;
        assert_eq!(
            duplicate_keys(text).unwrap(),
            vec![".status_code", ".a[].x"]
        );
        assert!(duplicate_keys(br#"{"a":{"a":{"a":1}}}"#)
            .unwrap()
            .is_empty());
        assert!(duplicate_keys(br#"{"a":"#).is_err());
    }

    #[test]
    fn stops_at_the_limit() {
        let a = json!({"a": 1, "b": 2, "c": 3});
        assert_eq!(differences(&a, &json!({}), 2).len(), 2);
    }
}
