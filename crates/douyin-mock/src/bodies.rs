//! Response bodies: documented successes (examples, real captures, synthetic bodies), envelope error bodies, pages of
//! synthetic items, the non-JSON formats (xml, PHP serialize, var_export), challenge pages and truncated JSON.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};

use bytes::Bytes;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::table::{DomainTable, FieldRef, FixtureBody, JsonKind, OperationTable, PaginationTable};

/// The log id every body the mock builds carries.
pub(crate) const LOG_ID: &str = "20240101000000MOCKLOGID";

/// The body of a documented success: the spec's fixture (`mock.success`), else the first `ok` example, else the
/// synthetic body derived from the schema.
pub(crate) fn success(op: &OperationTable) -> Result<Bytes, String> {
    match &op.success {
        Some(f) => fixture(op, f),
        None => Ok(Bytes::from_static(
            op.ok_example()
                .map(|e| e.body)
                .unwrap_or(op.synthetic)
                .as_bytes(),
        )),
    }
}

/// A fixture body, built once per process and operation.
fn fixture(op: &OperationTable, f: &FixtureBody) -> Result<Bytes, String> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(b) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(op.name) {
        return Ok(b.clone());
    }
    let value = match f.select {
        // A whole file is served byte for byte.
        None if f.prefix.is_empty() && f.suffix.is_empty() => f.body,
        None => f.body.trim(),
        Some(path) => select(f.body, path).map_err(|e| format!("{}: {e}", f.file))?,
    };
    let body = Bytes::from(format!("{}{value}{}", f.prefix, f.suffix));
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(op.name, body.clone());
    Ok(body)
}

/// The raw JSON text at a dot-separated path of `json` (a numeric segment indexes an array), without re-encoding it
/// (integers and escapes stay as sent).
fn select<'a>(json: &'a str, path: &str) -> Result<&'a str, String> {
    let mut cur = json;
    for seg in path.split('.') {
        let found = match seg.parse::<usize>() {
            Ok(i) => {
                let items: Vec<&'a RawValue> =
                    serde_json::from_str(cur).map_err(|e| format!("`{path}`: {e}"))?;
                items.get(i).map(|r| r.get())
            }
            Err(_) => {
                let fields: BTreeMap<String, &'a RawValue> =
                    serde_json::from_str(cur).map_err(|e| format!("`{path}`: {e}"))?;
                fields.get(seg).map(|r| r.get())
            }
        };
        cur = found.ok_or_else(|| format!("no `{path}`"))?;
    }
    Ok(cur)
}

/// `value` typed the way a field of `kind` carries a code.
fn typed_code(code: &str, kind: JsonKind) -> Value {
    match kind {
        JsonKind::Integer | JsonKind::Number => code
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| code.into()),
        _ => code.into(),
    }
}

/// The operation's envelope carrying `code` and `message` (and the mock's log id).
pub(crate) fn envelope(
    domain: &DomainTable,
    op: &OperationTable,
    code: &str,
    message: &str,
) -> Bytes {
    let mut body = Value::Object(Map::new());
    let field = op.envelope.code.or_else(|| {
        // The schema has no code field: use the domain's first path, typed like its success code. A domain with
        // documented codes always has one (codegen checks it).
        let success = domain.envelope.success.first().copied().unwrap_or("0");
        let integer = success
            .parse::<i64>()
            .is_ok_and(|n| n.to_string() == success);
        Some(FieldRef {
            path: domain.envelope.code.first().copied()?,
            kind: if integer {
                JsonKind::Integer
            } else {
                JsonKind::String
            },
        })
    });
    if let Some(field) = field {
        set_path(&mut body, field.path, typed_code(code, field.kind));
    }
    let message_path = op
        .envelope
        .message
        .or(domain.envelope.message.first().copied());
    if let Some(p) = message_path {
        set_path(&mut body, p, message.into());
    }
    let log_path = op
        .envelope
        .log_id
        .or(domain.envelope.log_id.first().copied());
    if let Some(p) = log_path {
        set_path(&mut body, p, LOG_ID.into());
    }
    Bytes::from(body.to_string())
}

/// What a success body writes for the mock's own origin, so that addresses in answers (a live room's stream URLs)
/// lead back to the mock.
pub(crate) const ORIGIN_MARK: &str = "{mock}";

/// `body` with every [`ORIGIN_MARK`] replaced by `origin` (`http://127.0.0.1:PORT`); unchanged when it has none.
pub(crate) fn with_origin(body: Bytes, origin: &str) -> Bytes {
    let mark = ORIGIN_MARK.as_bytes();
    if !body.windows(mark.len()).any(|w| w == mark) {
        return body;
    }
    Bytes::from(String::from_utf8_lossy(&body).replace(ORIGIN_MARK, origin))
}

/// Sets a dot-separated path, creating objects on the way.
pub(crate) fn set_path(body: &mut Value, path: &str, value: Value) {
    let mut cur = body;
    let mut segs = path.split('.').peekable();
    while let Some(seg) = segs.next() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let obj = cur.as_object_mut().expect("made an object above");
        if segs.peek().is_none() {
            obj.insert(seg.to_owned(), value);
            return;
        }
        cur = obj
            .entry(seg.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Page `cursor / page_size` of `pages` pages of synthetic items, in the operation's synthetic success body.
pub(crate) fn page(
    op: &OperationTable,
    pg: &PaginationTable,
    cursor: i64,
    pages: u32,
    page_size: u32,
) -> Bytes {
    let size = i64::from(page_size.max(1));
    let index = cursor.max(0) / size;
    let total = i64::from(pages);
    let mut body: Value =
        serde_json::from_str(op.synthetic).unwrap_or_else(|_| Value::Object(Map::new()));
    let items: Vec<Value> = if index < total {
        (0..size)
            .map(|j| {
                let n = index * size + j;
                let mut item = Value::Object(Map::new());
                if let Some(id) = pg.item_id {
                    let v = match id.kind {
                        JsonKind::Integer | JsonKind::Number => Value::from(n + 1),
                        _ => Value::from(format!("{}-{}", op.name, n + 1)),
                    };
                    set_path(&mut item, id.path, v);
                }
                item
            })
            .collect()
    } else {
        Vec::new()
    };
    let more = index + 1 < total;
    set_path(&mut body, pg.items, Value::Array(items));
    set_path(&mut body, pg.next_cursor, Value::from((index + 1) * size));
    let flag = match pg.has_more.kind {
        JsonKind::Boolean => Value::from(more),
        _ => Value::from(i64::from(more)),
    };
    set_path(&mut body, pg.has_more.path, flag);
    Bytes::from(body.to_string())
}

/// The operation's synthetic success with the domain's first refusal of `kind` written in.
pub(crate) fn refused(
    domain: &DomainTable,
    op: &OperationTable,
    kind: douyin_core::RefusalKind,
) -> Bytes {
    let mut body: Value =
        serde_json::from_str(op.synthetic).unwrap_or_else(|_| Value::Object(Map::new()));
    if let Some(r) = domain.envelope.refusals.iter().find(|r| r.kind == kind) {
        set_path(&mut body, r.path, r.equals.into());
    }
    Bytes::from(body.to_string())
}

/// A challenge page like the ones douyin.com serves instead of JSON.
pub(crate) const CHALLENGE_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>验证码中间页</title>\
     </head><body><div id=\"captcha_container\"></div><script>/* douyin-mock challenge */</script></body></html>";

/// The first half of `body`, cut on a character boundary.
pub(crate) fn truncated(body: &[u8]) -> Bytes {
    let text = String::from_utf8_lossy(body);
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Bytes::from(text[..cut].to_owned())
}

/// `json` in a non-JSON response format (`xml`, `serialize`, `var_export`), with its content type.
pub(crate) fn text_format(format: &str, json: &[u8]) -> (&'static str, String) {
    let value: Value = serde_json::from_slice(json).unwrap_or(Value::Null);
    let mut out = String::new();
    match format {
        "xml" => {
            out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root>");
            xml(&mut out, &value);
            out.push_str("</root>\n");
            ("text/xml; charset=utf-8", out)
        }
        "var_export" => {
            var_export(&mut out, &value, 0);
            ("text/plain; charset=utf-8", out)
        }
        _ => {
            php_serialize(&mut out, &value);
            ("text/plain; charset=utf-8", out)
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn xml(out: &mut String, v: &Value) {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let _ = write!(out, "<{k}>");
                xml(out, v);
                let _ = write!(out, "</{k}>");
            }
        }
        Value::Array(a) => {
            for v in a {
                out.push_str("<item>");
                xml(out, v);
                out.push_str("</item>");
            }
        }
        other => out.push_str(&escape(&scalar(other))),
    }
}

fn php_serialize(out: &mut String, v: &Value) {
    let entries = |out: &mut String, items: Vec<(Value, &Value)>| {
        let _ = write!(out, "a:{}:{{", items.len());
        for (k, v) in items {
            php_serialize(out, &k);
            php_serialize(out, v);
        }
        out.push('}');
    };
    match v {
        Value::Null => out.push_str("N;"),
        Value::Bool(b) => {
            let _ = write!(out, "b:{};", u8::from(*b));
        }
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            let _ = write!(out, "i:{n};");
        }
        Value::Number(n) => {
            let _ = write!(out, "d:{n};");
        }
        Value::String(s) => {
            let _ = write!(out, "s:{}:\"{s}\";", s.len());
        }
        Value::Array(a) => entries(
            out,
            a.iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i), v))
                .collect(),
        ),
        Value::Object(m) => entries(
            out,
            m.iter()
                .map(|(k, v)| (Value::from(k.as_str()), v))
                .collect(),
        ),
    }
}

fn var_export(out: &mut String, v: &Value, depth: usize) {
    let pad = "  ".repeat(depth + 1);
    let quote = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
    match v {
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&quote(s)),
        Value::Array(a) => {
            out.push_str("array (\n");
            for (i, v) in a.iter().enumerate() {
                let _ = write!(out, "{pad}{i} => ");
                var_export(out, v, depth + 1);
                out.push_str(",\n");
            }
            let _ = write!(out, "{})", "  ".repeat(depth));
        }
        Value::Object(m) => {
            out.push_str("array (\n");
            for (k, v) in m {
                let _ = write!(out, "{pad}{} => ", quote(k));
                var_export(out, v, depth + 1);
                out.push_str(",\n");
            }
            let _ = write!(out, "{})", "  ".repeat(depth));
        }
    }
}
