//! Request validation against the route table: credentials, the signatures the spec's signers appended (checked by
//! the signers themselves), then every parameter rule (presence, type, enum values, bounds, fixed values).

use bytes::Bytes;
use http::HeaderMap;

use crate::table::{Location, OperationTable, ParamKind, ParamRule};
use crate::MockConfig;

/// The parts of a received request validation reads.
pub(crate) struct Incoming<'a> {
    /// The raw query string as received (without `?`).
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
}

/// Why a request is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// A credential is missing or wrong.
    Credential(&'static str),
    /// The signature is missing, malformed or does not match the request.
    Signature(String),
    /// A required parameter is missing (or empty).
    Missing(&'static str),
    /// A parameter has a value the spec does not allow.
    Invalid(&'static str, String),
}

/// Decoded `name=value` pairs of a query or form body (`+` is a space, as real servers read it).
pub(crate) fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

/// The members of a JSON object body as text (strings as they are, other values as JSON); nothing if the body is
/// not a JSON object.
fn json_members(raw: &[u8]) -> Vec<(String, String)> {
    match serde_json::from_slice::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(m)) => m
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The body's fields: form pairs, or JSON members for an operation whose body is JSON.
fn body_fields(op: &OperationTable, raw: &[u8]) -> Vec<(String, String)> {
    if op.params.iter().any(|p| p.location == Location::Json) {
        json_members(raw)
    } else if op.params.iter().any(|p| p.location == Location::Form) {
        pairs(raw)
    } else {
        Vec::new()
    }
}

impl Incoming<'_> {
    /// The value of `rule` in the request, if present.
    fn value(
        &self,
        rule: &ParamRule,
        query: &[(String, String)],
        form: &[(String, String)],
    ) -> Option<String> {
        match rule.location {
            Location::Query => query
                .iter()
                .find(|(n, _)| n == rule.wire)
                .map(|(_, v)| v.clone()),
            Location::Form | Location::Json => form
                .iter()
                .find(|(n, _)| n == rule.wire)
                .map(|(_, v)| v.clone()),
            Location::Header => self
                .headers
                .get_all(rule.wire)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| rule.constant.is_none_or(|c| *v == c))
                .or_else(|| self.headers.get(rule.wire).and_then(|v| v.to_str().ok()))
                .map(str::to_owned),
        }
    }

    /// The value the request carries for credential `name`, if any.
    pub fn credential(&self, op: &OperationTable, name: &str) -> Option<String> {
        let query = pairs(self.query.as_bytes());
        let form = body_fields(op, self.body);
        op.params
            .iter()
            .filter(|r| r.credential == Some(name))
            .find_map(|r| self.value(r, &query, &form))
    }
}

/// Whether `value` is a cookie value this mock issued, or a `Cookie` header (`a=1; b=2`) with one among its pairs.
fn carries_issued(value: &str, issued: &dyn Fn(&str) -> bool) -> bool {
    let is_issued = |v: &str| !v.is_empty() && issued(v);
    is_issued(value) || douyin_core::cookie_header::pairs(value).any(|(_, v)| is_issued(v))
}

/// Checks a request routed to `op`; `unchecked` names a credential whose value a scenario judges instead; a
/// credential that `issued` says this mock's bootstrap operations handed out, or a `Cookie` header holding one, is
/// accepted like the configured value.
pub(crate) fn check(
    op: &OperationTable,
    req: &Incoming<'_>,
    config: &MockConfig,
    unchecked: Option<&str>,
    issued: &dyn Fn(&str) -> bool,
) -> Result<(), Rejection> {
    let query = pairs(req.query.as_bytes());
    let form = body_fields(op, req.body);
    for rule in op.params {
        let Some(name) = rule.credential else {
            continue;
        };
        let value = req.value(rule, &query, &form).unwrap_or_default();
        let ok = if unchecked == Some(name) {
            !value.is_empty()
        } else {
            match config.credential_value(name) {
                Some(want) => value == want || carries_issued(&value, issued),
                None => !value.is_empty(),
            }
        };
        if !ok {
            return Err(Rejection::Credential(name));
        }
    }
    if config.require_signature {
        check_signatures(op, req)?;
    }
    for rule in op.params.iter().filter(|r| r.credential.is_none()) {
        let value = req.value(rule, &query, &form);
        match value {
            None if rule.required => return Err(Rejection::Missing(rule.wire)),
            None => {}
            Some(v) if v.is_empty() && rule.required => return Err(Rejection::Missing(rule.wire)),
            Some(v) => check_value(rule, &v)?,
        }
    }
    Ok(())
}

fn check_value(rule: &ParamRule, v: &str) -> Result<(), Rejection> {
    let invalid = |why: String| Err(Rejection::Invalid(rule.wire, why));
    if let Some(c) = rule.constant {
        // A JSON body member that is not a string compares as JSON: key order and spacing do not matter.
        let same_json = || {
            let parse = serde_json::from_str::<serde_json::Value>;
            rule.location == Location::Json
                && matches!((parse(v), parse(c)), (Ok(a), Ok(b)) if a == b)
        };
        if v != c && !same_json() {
            return invalid(format!("must be {c}"));
        }
        return Ok(());
    }
    match rule.kind {
        ParamKind::String => Ok(()),
        ParamKind::Integer => match v.parse::<i64>() {
            Err(_) => invalid(format!("`{v}` is not an integer")),
            Ok(n) if rule.minimum.is_some_and(|m| n < m) || rule.maximum.is_some_and(|m| n > m) => {
                invalid(format!("{n} is out of range"))
            }
            Ok(_) => Ok(()),
        },
        ParamKind::Boolean if v == "true" || v == "false" => Ok(()),
        ParamKind::Boolean => invalid(format!("`{v}` is not a boolean")),
        ParamKind::Enum(values) if values.contains(&v) => Ok(()),
        ParamKind::Enum(values) => invalid(format!("`{v}` is not one of {}", values.join(", "))),
        ParamKind::Json => match serde_json::from_str::<serde_json::Value>(v) {
            Ok(serde_json::Value::Array(_)) => Ok(()),
            _ => invalid("not a JSON array".to_owned()),
        },
    }
}

/// The signers' parameters end the query, the last signer's last; each signer checks its values against the query
/// before them, the body and the user agent.
fn check_signatures(op: &OperationTable, req: &Incoming<'_>) -> Result<(), Rejection> {
    let ua = req
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut rest = req.query;
    for signer in op.signers.iter().rev() {
        let mut appended = Vec::with_capacity(signer.params.len());
        for name in signer.params.iter().rev() {
            let (before, value) = split_last(rest, name).ok_or_else(|| {
                Rejection::Signature(format!("no `{name}` parameter at the end of the query"))
            })?;
            let value = pairs(format!("v={value}").as_bytes())
                .pop()
                .map(|(_, v)| v)
                .unwrap_or_default();
            if value.is_empty() {
                return Err(Rejection::Signature(format!("`{name}` is empty")));
            }
            appended.push(((*name).to_owned(), value));
            rest = before;
        }
        appended.reverse();
        let input = douyin_core::SignInput {
            method: op.method,
            path: op.path,
            query: rest,
            body: req.body,
            user_agent: ua,
        };
        (signer.verify)(input, &appended).map_err(Rejection::Signature)?;
    }
    Ok(())
}

/// `query` without its last pair, if that pair is `name=…`, and the pair's raw value.
fn split_last<'q>(query: &'q str, name: &str) -> Option<(&'q str, &'q str)> {
    let (before, last) = match query.rfind('&') {
        Some(at) => (&query[..at], &query[at + 1..]),
        None => ("", query),
    };
    let value = last.strip_prefix(name)?.strip_prefix('=')?;
    Some((before, value))
}
