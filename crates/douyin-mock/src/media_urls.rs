//! Offline downloads: the absolute media addresses in a success body (video renditions, pictures, music, covers on
//! the CDN hosts a spec lists under `mock.media`) rewritten to the mock's own [`crate::media`] routes, so a
//! downloader pointed at the mock fetches files instead of failing on DNS.
//!
//! The rule is generic and driven by the spec's [`MediaTable`]: a string is a media address when it is an `http(s)`
//! URL whose host is one of `hosts` (or a subdomain; an entry may add a path prefix). The strings of one JSON array
//! are mirrors of one file: they share the served bytes (a seed from the first one) and get distinct queries
//! (`?mirror=N`). The file's size is the integer `size_field` beside the array (the aweme's `data_size`), so the
//! size a client reads from the body is the size it receives; else `default_size`. Only the string literals change:
//! every other byte of the body stays as the spec's fixture has it.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use http::HeaderMap;
use serde_json::Value;

use crate::media::seed_of;
use crate::table::{DomainTable, MediaTable, OperationTable};

/// Rewritten bodies by route and mock address, so a large capture is rewritten once, not on every request.
#[derive(Default)]
pub(crate) struct Rewritten(Mutex<HashMap<(&'static str, &'static str, String), Bytes>>);

/// At most this many rewritten bodies are kept (routes × addresses the mock was reached at).
const KEPT: usize = 256;

impl Rewritten {
    /// `body`, the success of `d`'s `op`, with its media addresses pointing at the mock as the request reached it
    /// (its `Host`); unchanged when the domain lists no media hosts or the request names no host.
    pub(crate) fn body(
        &self,
        d: &DomainTable,
        op: &OperationTable,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Bytes {
        let (Some(media), Some(host)) = (&d.media, headers.get(http::header::HOST)) else {
            return body;
        };
        let Ok(host) = host.to_str() else { return body };
        let key = (d.name, op.name, host.to_owned());
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(done) = cache.get(&key) {
            return done.clone();
        }
        let done = point_at(&body, media, &format!("http://{host}")).unwrap_or(body);
        if cache.len() >= KEPT {
            cache.clear();
        }
        cache.insert(key, done.clone());
        done
    }
}

/// `body` with its media addresses pointing at `root` (`http://127.0.0.1:PORT`); `None` when it has none (or is not
/// JSON).
pub(crate) fn point_at(body: &[u8], media: &MediaTable, root: &str) -> Option<Bytes> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let mut targets = Targets {
        media,
        root: root.trim_end_matches('/'),
        map: HashMap::new(),
    };
    targets.walk(&value);
    if targets.map.is_empty() {
        return None;
    }
    Some(Bytes::from(replace_strings(body, &targets.map)?))
}

/// The new address of every media address met, by old address.
struct Targets<'a> {
    media: &'a MediaTable,
    root: &'a str,
    map: HashMap<String, String>,
}

impl Targets<'_> {
    /// Walks `value`, collecting the media addresses of every object in it.
    fn walk(&mut self, value: &Value) {
        match value {
            Value::Object(fields) => {
                let size = self
                    .media
                    .size_field
                    .and_then(|f| fields.get(f))
                    .and_then(Value::as_u64);
                for v in fields.values() {
                    match v {
                        Value::String(s) => self.mirrors(&[s], size),
                        Value::Array(items) => {
                            let strings: Vec<&String> = items
                                .iter()
                                .filter_map(|i| match i {
                                    Value::String(s) => Some(s),
                                    _ => None,
                                })
                                .collect();
                            self.mirrors(&strings, size);
                            self.walk(v);
                        }
                        _ => self.walk(v),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.walk(i)),
            _ => {}
        }
    }

    /// Records the new addresses of the media addresses among `strings`, mirrors of one file of `size` bytes.
    fn mirrors(&mut self, strings: &[&String], size: Option<u64>) {
        let urls: Vec<&String> = strings
            .iter()
            .copied()
            .filter(|s| is_media(s, self.media.hosts))
            .collect();
        let Some(first) = urls.first() else { return };
        let seed = seed_of(first, 0);
        let size = size.unwrap_or(self.media.default_size);
        for (mirror, url) in urls.iter().enumerate() {
            if self.map.contains_key(*url) {
                continue;
            }
            let ext = extension(url).map_or_else(String::new, |e| format!(".{e}"));
            let query = match mirror {
                0 => String::new(),
                n => format!("?mirror={n}"),
            };
            let target = format!("{}/media/{seed}/{size}{ext}{query}", self.root);
            self.map.insert((*url).clone(), target);
        }
    }
}

/// Whether `s` is an absolute `http(s)` URL on one of `hosts` (`douyinvod.com` matches `v3-web.douyinvod.com`; an
/// entry `www.example.com/play/` also needs the path to start with `/play/`).
fn is_media(s: &str, hosts: &[&str]) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    hosts.iter().any(|entry| {
        let (want_host, want_path) = match entry.find('/') {
            Some(i) => entry.split_at(i),
            None => (*entry, ""),
        };
        let host_ok = host.eq_ignore_ascii_case(want_host)
            || host
                .to_ascii_lowercase()
                .ends_with(&format!(".{}", want_host.to_ascii_lowercase()));
        host_ok && path.starts_with(want_path)
    })
}

/// The extension of the URL's last path segment when it looks like one (`….jpeg?x=1` → `jpeg`), so the mock's
/// address keeps it (a downloader may name the file by it).
fn extension(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let last = path.rsplit('/').next()?;
    let (_, ext) = last.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 4 && ext.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(ext)
}

/// `body` with every JSON string literal whose value `map` names replaced by its new value; `None` if a literal
/// does not decode (the body was parsed before, so it does).
fn replace_strings(body: &[u8], map: &HashMap<String, String>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    let mut copied = 0;
    while i < body.len() {
        if body[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < body.len() && body[i] != b'"' {
            i += if body[i] == b'\\' { 2 } else { 1 };
        }
        let end = (i + 1).min(body.len());
        i = end;
        let literal = &body[start..end];
        // Only literals that can hold a URL are decoded.
        if !literal.windows(4).any(|w| w == b"http") {
            continue;
        }
        let text: String = serde_json::from_slice(literal).ok()?;
        if let Some(new) = map.get(&text) {
            out.extend_from_slice(&body[copied..start]);
            out.extend_from_slice(serde_json::to_string(new).ok()?.as_bytes());
            copied = end;
        }
    }
    out.extend_from_slice(&body[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEDIA: MediaTable = MediaTable {
        hosts: &["cdn.test", "www.site.test/play/"],
        size_field: Some("data_size"),
        default_size: 1000,
    };

    #[test]
    fn hosts_and_paths() {
        let hosts = MEDIA.hosts;
        assert!(is_media("https://cdn.test/a.mp4", hosts));
        assert!(is_media("http://v3.cdn.test:8080/a?x=1", hosts));
        assert!(is_media("https://www.site.test/play/?id=1", hosts));
        assert!(!is_media("https://www.site.test/share/1", hosts));
        assert!(!is_media("https://notcdn.test/a", hosts));
        assert!(!is_media("cdn.test/a", hosts));
    }

    #[test]
    fn mirrors_share_bytes_and_size_and_the_rest_stays_byte_for_byte() {
        let body = br#"{"a": {"url_list": ["https://cdn.test/x/v.mp4?a=1\u0026b=2", "https://v2.cdn.test/y"],
            "data_size": 5000}, "share": "https://www.site.test/share/1",
            "music": {"uri": "https://cdn.test/m.mp3"}, "n": 7}"#;
        let out = point_at(body, &MEDIA, "http://127.0.0.1:9/").unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let seed = seed_of("https://cdn.test/x/v.mp4?a=1&b=2", 0);
        assert_eq!(
            v["a"]["url_list"],
            serde_json::json!([
                format!("http://127.0.0.1:9/media/{seed}/5000.mp4"),
                format!("http://127.0.0.1:9/media/{seed}/5000?mirror=1"),
            ])
        );
        let m = seed_of("https://cdn.test/m.mp3", 0);
        assert_eq!(
            v["music"]["uri"],
            format!("http://127.0.0.1:9/media/{m}/1000.mp3")
        );
        let text = String::from_utf8(out.to_vec()).unwrap();
        assert!(text.contains(
            r#""share": "https://www.site.test/share/1",
            "music""#
        ));
        assert!(text.ends_with(r#", "n": 7}"#));
        assert_eq!(
            point_at(br#"{"share": "https://other.test/"}"#, &MEDIA, "http://h"),
            None
        );
        assert_eq!(point_at(b"not json", &MEDIA, "http://h"), None);
    }
}
