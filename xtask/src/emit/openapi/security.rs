//! OpenAPI security schemes: one `apiKey` per place a credential is sent.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

use crate::ir::{Domain, Location};

/// One place a credential is sent.
pub(super) struct Scheme {
    pub(super) id: String,
    pub(super) scheme: Json,
}

/// Security schemes keyed by (credential, location, wire name), in order of first use.
pub(super) fn security_schemes(
    domain: &Domain,
) -> Result<BTreeMap<(String, Location, String), Scheme>, String> {
    let mut uses: Vec<(String, Location, String)> = Vec::new();
    for p in domain.operations.iter().flat_map(|o| &o.params) {
        if let Some(c) = &p.credential {
            let key = (c.clone(), p.location, p.wire.clone());
            // OpenAPI security cannot place a key in a form body: such credentials are body properties instead.
            if p.location.in_body() {
                continue;
            }
            if !uses.contains(&key) {
                uses.push(key);
            }
        }
    }
    let mut out = BTreeMap::new();
    for key in &uses {
        let (cred, loc, wire) = key;
        let same_cred: Vec<_> = uses.iter().filter(|(c, _, _)| c == cred).collect();
        let same_loc = same_cred.iter().filter(|(_, l, _)| l == loc).count();
        let id = if same_cred.len() == 1 {
            cred.clone()
        } else if same_loc == 1 {
            format!("{cred}_{}", location_name(*loc))
        } else {
            format!("{cred}_{}_{}", location_name(*loc), wire.replace('-', "_"))
        };
        let mut desc = domain
            .credentials
            .iter()
            .find(|c| &c.name == cred)
            .and_then(|c| c.doc.clone())
            .unwrap_or_default()
            .trim_end()
            .to_owned();
        if *loc == Location::Header && wire.eq_ignore_ascii_case("cookie") {
            if !desc.is_empty() {
                desc.push_str("\n\n");
            }
            desc.push_str(
                "Sent as the whole `cookie` request header (the browser's cookie string, `a=1; b=2; ...`), not as \
                 one named cookie.",
            );
        }
        let mut scheme = Map::new();
        scheme.insert("type".into(), json!("apiKey"));
        if !desc.is_empty() {
            scheme.insert("description".into(), json!(desc));
        }
        scheme.insert("name".into(), json!(wire_name(*loc, wire)));
        scheme.insert("in".into(), json!(location_name(*loc)));
        out.insert(
            key.clone(),
            Scheme {
                id,
                scheme: Json::Object(scheme),
            },
        );
    }
    Ok(out)
}

/// The name of a parameter as exported: header names in lower case (HTTP/2's spelling; generators such as
/// progenitor build `HeaderName`s from static strings, which must be lower case).
pub(super) fn wire_name(l: Location, wire: &str) -> String {
    match l {
        Location::Header => wire.to_ascii_lowercase(),
        _ => wire.to_owned(),
    }
}

pub(super) fn location_name(l: Location) -> &'static str {
    match l {
        Location::Query => "query",
        Location::Header => "header",
        Location::Form => "form",
        Location::Json => "body",
    }
}
