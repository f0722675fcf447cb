//! `douyin check-capture`: decodes a captured response with an operation's generated type (the domain's
//! `OPERATIONS` registry) and reports decode errors with their JSON paths, every field the spec does not document
//! (by JSON path, with its JSON type and an example value from the input), values that do not fit their field's type
//! (drift, by path), keys that appear twice in one object, and whether re-encoding gives back the same JSON.

use std::collections::{BTreeMap, BTreeSet};

use douyin_core::compare::duplicate_keys;
use douyin_core::registry::OperationEntry;
use douyin_core::{DecodeMode, Drift, ErrorCode};
use serde_json::{json, Value};

use crate::support::CliError;
use douyin_core::compare::differences;

/// At most this many re-encoding differences are listed.
const MAX_DIFFERENCES: usize = 20;

/// Why a capture did not decode.
#[derive(Clone, Debug)]
pub struct Problem {
    /// `decode` (does not match the schema), `api_error` (an error envelope), `blocked` (empty or not JSON), `error`.
    pub kind: &'static str,
    /// JSON path of the failing value, for decode errors.
    pub path: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// Undocumented fields sharing one path pattern (array indices as `[]`).
#[derive(Clone, Debug)]
pub struct Undocumented {
    /// `.aweme_list[].video.new_field`.
    pub pattern: String,
    /// How many times it occurs.
    pub count: usize,
    /// The JSON types seen (`string`, `number`, `object`, …).
    pub types: BTreeSet<&'static str>,
    /// The first occurrence's path.
    pub first_path: String,
    /// The first non-null occurrence's value (compact JSON, shortened).
    pub example: Option<String>,
}

/// The outcome of checking one capture.
#[derive(Clone, Debug)]
pub struct Report {
    /// Domain name.
    pub domain: String,
    /// Operation name (spec form).
    pub operation: &'static str,
    /// The operation's spec file.
    pub spec: &'static str,
    /// Size of the input.
    pub bytes: usize,
    /// `None` when the body decodes.
    pub problem: Option<Problem>,
    /// Fields the spec does not describe (empty when the body does not decode).
    pub undocumented: Vec<Undocumented>,
    /// Values that did not fit their field's type, by path (kept raw; always empty with `--strict`).
    pub drift: Vec<Drift>,
    /// Keys that appear more than once in one object (indices as `[]`): a parsed body keeps one of the values.
    pub duplicate_keys: Vec<String>,
    /// Differences between the input and its re-encoding (`None` when the body does not decode).
    pub differences: Option<Vec<String>>,
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Path segments: keys and array indices (`.a.b[0].c` → `a`, `b`, `[0]`, `c`).
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                let mut idx = String::from("[");
                for d in chars.by_ref() {
                    idx.push(d);
                    if d == ']' {
                        break;
                    }
                }
                out.push(idx);
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The value at `path` in `root`; keys containing `.` are found by trying joined segments.
pub fn lookup<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    fn go<'v>(v: &'v Value, segs: &[String]) -> Option<&'v Value> {
        let Some(first) = segs.first() else {
            return Some(v);
        };
        if let Some(i) = first.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            return go(v.as_array()?.get(i.parse::<usize>().ok()?)?, &segs[1..]);
        }
        let obj = v.as_object()?;
        let mut key = String::new();
        for (n, s) in segs.iter().enumerate() {
            if s.starts_with('[') {
                break;
            }
            if n > 0 {
                key.push('.');
            }
            key.push_str(s);
            if let Some(found) = obj.get(&key).and_then(|child| go(child, &segs[n + 1..])) {
                return Some(found);
            }
        }
        None
    }
    go(root, &segments(path))
}

fn pattern(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push_str("[]");
            }
            ']' if skipping => skipping = false,
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

fn shorten(text: String, max: usize) -> String {
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max).collect::<String>())
    } else {
        text
    }
}

fn problem<C: ErrorCode>(e: douyin_core::Error<C>) -> Problem {
    match e {
        douyin_core::Error::Decode(d) => Problem {
            kind: "decode",
            path: Some(d.path.clone()),
            message: d.message.clone(),
        },
        douyin_core::Error::Api(a) => Problem {
            kind: "api_error",
            path: None,
            message: format!(
                "the body is an error response ({a}); it decodes as the API error, not as the response type"
            ),
        },
        douyin_core::Error::Blocked(b) => Problem {
            kind: "blocked",
            path: None,
            message: b.to_string(),
        },
        other => Problem {
            kind: "error",
            path: None,
            message: other.to_string(),
        },
    }
}

/// Checks `body` against operation `op` (spec or kebab-case name) of a domain's registry.
pub fn check<C: ErrorCode>(
    domain: &str,
    ops: &'static [OperationEntry<C>],
    op: &str,
    body: &[u8],
    mode: DecodeMode,
) -> Result<Report, CliError> {
    let wanted = op.replace('-', "_");
    let Some(entry) = ops.iter().find(|e| e.name == wanted) else {
        let names: Vec<String> = ops.iter().map(|e| e.name.replace('_', "-")).collect();
        return Err(CliError::usage(format!(
            "{domain} has no operation `{op}`; operations: {}",
            names.join(", ")
        )));
    };
    let mut report = Report {
        domain: domain.to_owned(),
        operation: entry.name,
        spec: entry.spec,
        bytes: body.len(),
        problem: None,
        undocumented: Vec::new(),
        drift: Vec::new(),
        duplicate_keys: Vec::new(),
        differences: None,
    };
    let checked = match (entry.check)(body, mode) {
        Ok(v) => v,
        Err(e) => {
            report.problem = Some(problem(e));
            return Ok(report);
        }
    };
    let original: Value = serde_json::from_slice(body)
        .map_err(|e| CliError::failure(format!("the input decoded but is not JSON: {e}")))?;
    report.differences = Some(differences(&original, &checked.reencoded, MAX_DIFFERENCES));
    report.drift = checked.drift;
    report.duplicate_keys = duplicate_keys(body).unwrap_or_default();
    let paths = checked.unknown_paths;
    let mut groups: BTreeMap<String, Undocumented> = BTreeMap::new();
    let mut order = Vec::new();
    for path in paths {
        let value = lookup(&original, &path);
        let key = pattern(&path);
        let g = groups.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            Undocumented {
                pattern: key,
                count: 0,
                types: BTreeSet::new(),
                first_path: path.clone(),
                example: None,
            }
        });
        g.count += 1;
        if let Some(v) = value {
            g.types.insert(json_type(v));
            if g.example.is_none() && !v.is_null() {
                g.example = Some(shorten(v.to_string(), 80));
            }
        }
    }
    report.undocumented = order
        .into_iter()
        .filter_map(|k| groups.remove(&k))
        .collect();
    Ok(report)
}

impl Report {
    /// Whether the body decodes and re-encodes to the same JSON (null and absent treated as equal) with no key
    /// dropped as a duplicate. Drift does not count against it: drifted values are kept and written back.
    pub fn lossless(&self) -> bool {
        self.problem.is_none()
            && self.differences.as_ref().is_some_and(Vec::is_empty)
            && self.duplicate_keys.is_empty()
    }

    /// The report as JSON (`--json`).
    pub fn to_json(&self) -> Value {
        let decode = match &self.problem {
            None => json!({ "ok": true }),
            Some(p) => json!({ "ok": false, "kind": p.kind, "path": p.path, "message": p.message }),
        };
        let undocumented: Vec<Value> = self
            .undocumented
            .iter()
            .map(|u| {
                json!({
                    "path": u.pattern,
                    "count": u.count,
                    "types": u.types,
                    "first_path": u.first_path,
                    "example": u.example,
                })
            })
            .collect();
        let drift: Vec<Value> = self
            .drift
            .iter()
            .map(|d| {
                json!({
                    "path": d.path,
                    "expected": d.expected,
                    "found": d.found.to_string(),
                    "count": d.count,
                })
            })
            .collect();
        json!({
            "domain": self.domain,
            "operation": self.operation,
            "spec": self.spec,
            "bytes": self.bytes,
            "decode": decode,
            "undocumented": undocumented,
            "drift": drift,
            "duplicate_keys": self.duplicate_keys,
            "roundtrip": match &self.differences {
                None => Value::Null,
                Some(d) => json!({ "same": d.is_empty(), "differences": d }),
            },
            "lossless": self.lossless(),
        })
    }

    /// The report for people.
    pub fn text(&self, input: &str) -> String {
        let mut s = format!(
            "{input}: {} bytes as {} {} ({})\n",
            self.bytes, self.domain, self.operation, self.spec
        );
        match &self.problem {
            None => s.push_str("decode: ok\n"),
            Some(p) => {
                match &p.path {
                    Some(path) => {
                        s.push_str(&format!("decode: FAILED at `{path}`: {}\n", p.message))
                    }
                    None => s.push_str(&format!("decode: FAILED ({}): {}\n", p.kind, p.message)),
                }
                s.push_str("result: does not decode\n");
                return s;
            }
        }
        let total: usize = self.undocumented.iter().map(|u| u.count).sum();
        s.push_str(&format!(
            "undocumented fields: {} (at {total} places; kept as raw JSON and written back)\n",
            self.undocumented.len()
        ));
        for u in &self.undocumented {
            let types: Vec<&str> = u.types.iter().copied().collect();
            s.push_str(&format!(
                "  {}  {}  ×{}  e.g. {}\n",
                u.pattern,
                types.join("|"),
                u.count,
                u.example.as_deref().unwrap_or("null")
            ));
        }
        if !self.drift.is_empty() {
            s.push_str(&format!(
                "drift: {} path(s) where a value does not fit its type (kept raw and written back; field left empty)\n",
                self.drift.len()
            ));
            for d in &self.drift {
                s.push_str(&format!(
                    "  {}  expected {}, found {}  ×{}\n",
                    d.path, d.expected, d.found, d.count
                ));
            }
        }
        if !self.duplicate_keys.is_empty() {
            s.push_str(&format!(
                "duplicate keys: {} (one of the values is dropped by any JSON parser)\n",
                self.duplicate_keys.len()
            ));
            for p in &self.duplicate_keys {
                s.push_str(&format!("  {p}\n"));
            }
        }
        match &self.differences {
            Some(d) if d.is_empty() => {
                s.push_str("round trip: same JSON (null and absent treated as equal)\n")
            }
            Some(d) => {
                s.push_str(&format!(
                    "round trip: DIFFERS ({}{} differences)\n",
                    d.len(),
                    if d.len() >= MAX_DIFFERENCES { "+" } else { "" }
                ));
                for line in d {
                    s.push_str(&format!("  {line}\n"));
                }
            }
            None => {}
        }
        s.push_str(if self.lossless() {
            "result: decodes losslessly\n"
        } else {
            "result: not lossless\n"
        });
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_follows_census_and_decode_paths() {
        let v = json!({"a": [{"b": {"c": 1}}, {"b": {"x.y": "dot"}}], "k": true});
        assert_eq!(lookup(&v, ".a[0].b.c"), Some(&json!(1)));
        assert_eq!(lookup(&v, "a[0].b.c"), Some(&json!(1)));
        assert_eq!(lookup(&v, ".a[1].b.x.y"), Some(&json!("dot")));
        assert_eq!(lookup(&v, ".k"), Some(&json!(true)));
        assert_eq!(lookup(&v, "."), Some(&v));
        assert_eq!(lookup(&v, ".a[2]"), None);
    }

    #[test]
    fn patterns_drop_indices() {
        assert_eq!(pattern(".a[0].b[12].c"), ".a[].b[].c");
    }
}
