//! The mock against its route table and the domain crates' decoders: every route answers with a body the generated
//! types decode, every documented example is served as documented (`successes`), refusals look like the real
//! services' (`refusals`), and scenarios, the request log and the OAuth page behave (`scenarios`). The helpers that
//! build valid requests for any route live here.

mod refusals;
mod scenarios;
mod successes;

use douyin_core::registry::OperationEntry;
use douyin_core::{DecodeMode, Error, ErrorCode};
use douyin_mock::table::{self, DomainTable, Expect, Location, OperationTable, ParamKind};
use douyin_mock::{with_registry, MockConfig, MockServer, RegistryVisitor, Scenario};
use serde_json::Value;

/// How a body decodes with the generated types.
#[derive(Debug, PartialEq)]
enum Decoded {
    Ok(Value),
    Api(String),
    Decode(String),
    Other(String),
}

fn decode_with<C: ErrorCode>(ops: &[OperationEntry<C>], op: &str, body: &[u8]) -> Decoded {
    let entry = ops
        .iter()
        .find(|e| e.name == op)
        .expect("the registry lists every operation");
    match (entry.check)(body, DecodeMode::Strict) {
        Ok(v) => Decoded::Ok(v.reencoded),
        Err(Error::Api(a)) => Decoded::Api(a.code.raw().to_owned()),
        Err(Error::Decode(d)) => Decoded::Decode(d.path.clone()),
        Err(other) => Decoded::Other(other.to_string()),
    }
}

/// Decodes with operation `op` of `domain`'s registry.
struct Decode<'a>(&'a str, &'a [u8]);

impl RegistryVisitor for Decode<'_> {
    type Output = Decoded;
    fn visit<C: ErrorCode>(self, ops: &'static [OperationEntry<C>]) -> Decoded {
        decode_with(ops, self.0, self.1)
    }
}

fn decode(domain: &str, op: &str, body: &[u8]) -> Decoded {
    with_registry(domain, Decode(op, body))
        .unwrap_or_else(|| panic!("no decoder for domain {domain}"))
}

/// The value sent for a credential the mock accepts any value of.
const ANY: &str = "x";

/// A value of the parameter's kind that the mock accepts.
fn sample(kind: ParamKind) -> String {
    match kind {
        ParamKind::String => "7118694749548072205".to_owned(),
        ParamKind::Integer => "1".to_owned(),
        ParamKind::Boolean => "true".to_owned(),
        ParamKind::Enum(values) => values[0].to_owned(),
        ParamKind::Json => "[]".to_owned(),
    }
}

/// The parameter and value signer `signer` appends to `query` (with `body` and `user_agent`).
fn signature(signer: &str, query: &str, body: &[u8], user_agent: &str) -> (&'static str, String) {
    match signer {
        "x_bogus" => (
            "X-Bogus",
            douyin_xbogus::XBogus::default()
                .sign(query.as_bytes(), body, user_agent.as_bytes(), 1_700_000_000)
                .as_str()
                .to_owned(),
        ),
        "a_bogus" => (
            "a_bogus",
            douyin_abogus::ABogus::default()
                .for_user_agent(user_agent.as_bytes())
                .sign_now(query.as_bytes(), body)
                .as_str()
                .to_owned(),
        ),
        other => panic!("no test signature for signer {other}"),
    }
}

/// A valid request to `op` (required parameters, credentials and constants; web requests signed), with `skip`
/// left out and `set` overriding values.
fn request(
    http: &reqwest::Client,
    server: &MockServer,
    d: &DomainTable,
    op: &OperationTable,
    skip: &[&str],
    set: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let config = server.config();
    let mut query = form_urlencoded::Serializer::new(String::new());
    let mut form = form_urlencoded::Serializer::new(String::new());
    let mut json = serde_json::Map::new();
    let mut headers = Vec::new();
    for rule in op.params {
        if skip.contains(&rule.wire) {
            continue;
        }
        let value = match set.iter().find(|(n, _)| *n == rule.wire) {
            Some((_, v)) => (*v).to_owned(),
            None => match (rule.credential, rule.constant) {
                (Some(c), _) => config.credential_value(c).unwrap_or(ANY).to_owned(),
                (_, Some(c)) => c.to_owned(),
                _ if rule.required => sample(rule.kind),
                _ => continue,
            },
        };
        match rule.location {
            Location::Query => {
                query.append_pair(rule.wire, &value);
            }
            Location::Form => {
                form.append_pair(rule.wire, &value);
            }
            Location::Json => {
                json.insert(rule.wire.to_owned(), Value::String(value));
            }
            Location::Header => headers.push((rule.wire, value)),
        }
    }
    let mut query = query.finish();
    let form = form.finish();
    let ua = config
        .credential_value("user_agent")
        .unwrap_or(ANY)
        .to_owned();
    for s in op.signers {
        let (name, value) = signature(s.name, &query, form.as_bytes(), &ua);
        query.push_str(if query.is_empty() { "" } else { "&" });
        query.push_str(name);
        query.push('=');
        query.push_str(&form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>());
    }
    let url = format!("{}{}?{query}", server.base_url(d.name), op.path);
    let method = reqwest::Method::from_bytes(op.method.as_str().as_bytes()).unwrap();
    let mut builder = http.request(method, url);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    if !form.is_empty() {
        builder = builder.body(form);
    }
    if !json.is_empty() {
        builder = builder
            .header("content-type", "application/json")
            .body(Value::Object(json).to_string());
    }
    builder
}

async fn body_of(b: reqwest::RequestBuilder) -> (u16, String, bytes::Bytes) {
    let resp = b.send().await.expect("the mock answers");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, resp.bytes().await.unwrap())
}

const OAUTH_OPS: &[&str] = &[
    "access_token",
    "refresh_token",
    "renew_refresh_token",
    "client_token",
];

fn all_ops() -> impl Iterator<Item = (&'static DomainTable, &'static OperationTable)> {
    table::domains()
        .iter()
        .flat_map(|d| d.operations.iter().map(move |o| (*d, o)))
}

async fn refusal(
    server: &MockServer,
    domain: &str,
    op: &str,
    skip: &[&str],
    set: &[(&str, &str)],
) -> (u16, Decoded, bytes::Bytes) {
    let http = reqwest::Client::new();
    let d = table::domain(domain).unwrap();
    let o = d.operation(op).unwrap();
    let (status, _, body) = body_of(request(&http, server, d, o, skip, set)).await;
    let decoded = if body.is_empty() {
        Decoded::Other("empty".into())
    } else {
        decode(domain, op, &body)
    };
    (status, decoded, body)
}
