//! Answering one request: routing by domain prefix and operation path, recording it, validating it against the
//! spec, then the scenario's or the documented reply (success body, issued cookies, or the spec's refusal).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};

use super::{RecordedRequest, Shared, ISSUED_KEPT};
use crate::bodies;
use crate::oauth::{self, Verdict};
use crate::scenario::{token_credential, RouteState, Scenario};
use crate::table::{self, DomainTable, ErrorClass, OperationTable};
use crate::validate::{self, Incoming, Rejection};

/// An answer before it becomes an HTTP response.
struct Reply {
    status: u16,
    content_type: String,
    body: Bytes,
    allow: Option<&'static str>,
    location: Option<String>,
    /// `Set-Cookie` header values.
    set_cookies: Vec<String>,
}

const JSON: &str = "application/json; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

impl Reply {
    fn json(body: Bytes) -> Reply {
        Reply::new(200, JSON, body)
    }

    fn text(status: u16, body: impl Into<Bytes>) -> Reply {
        Reply::new(status, TEXT, body.into())
    }

    fn empty() -> Reply {
        Reply::new(200, JSON, Bytes::new())
    }

    fn new(status: u16, content_type: &str, body: Bytes) -> Reply {
        Reply {
            status,
            content_type: content_type.to_owned(),
            body,
            allow: None,
            location: None,
            set_cookies: Vec::new(),
        }
    }

    fn into_response(self) -> Response {
        let mut resp = Response::new(axum::body::Body::from(self.body));
        *resp.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.content_type) {
            if !self.content_type.is_empty() {
                headers.insert(http::header::CONTENT_TYPE, v);
            }
        }
        if let Some(allow) = self.allow {
            headers.insert(http::header::ALLOW, HeaderValue::from_static(allow));
        }
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(http::header::LOCATION, location);
        }
        for c in self.set_cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                headers.append(http::header::SET_COOKIE, v);
            }
        }
        resp
    }
}

/// Finds the domain and operation of a path; `Err` is the 404/405 answer.
fn resolve(
    method: &str,
    path: &str,
) -> (
    Option<&'static DomainTable>,
    Result<&'static OperationTable, Reply>,
) {
    let not_found = || Reply::text(404, "404 page not found");
    let Some(d) = table::domains().iter().copied().find(|d| {
        path.strip_prefix(d.prefix)
            .is_some_and(|rest| rest.starts_with('/'))
    }) else {
        return (None, Err(not_found()));
    };
    let rest = &path[d.prefix.len()..];
    let mut same_path = d.operations.iter().filter(|o| o.path == rest).peekable();
    if same_path.peek().is_none() {
        return (Some(d), Err(not_found()));
    }
    let mut allowed = None;
    for o in same_path {
        if o.method.as_str() == method {
            return (Some(d), Ok(o));
        }
        allowed = Some(o.method.as_str());
    }
    let mut reply = Reply::text(405, "405 method not allowed");
    reply.allow = allowed;
    (Some(d), Err(reply))
}

pub(super) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let limit = shared.config.max_body_bytes;
    // A body over the limit is neither read on nor kept: the request is logged without it and refused.
    let (body, too_large) = match axum::body::to_bytes(body, limit).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    if let Some((_, roles)) = oauth::authorization_page(&path) {
        let query = parts.uri.query().unwrap_or("");
        let (status, text) = oauth::connect(&mut shared.oauth(), roles, &shared.config, query);
        let mut reply = Reply::text(status, text.clone());
        if status == 302 {
            reply.location = Some(text);
        }
        return reply.into_response();
    }
    let (domain, found) = resolve(&method, &path);
    let record = RecordedRequest {
        domain: domain.map(|d| d.name),
        operation: found.as_ref().ok().map(|o| o.name),
        method,
        path,
        query,
        headers: parts.headers,
        body,
    };
    if too_large {
        shared.lock().record(record, &shared.config);
        return Reply::text(
            413,
            format!("413 payload too large: request bodies are limited to {limit} bytes"),
        )
        .into_response();
    }
    if let Some(resp) = crate::share::answer(&record.method, &record.path) {
        shared.lock().record(record, &shared.config);
        return resp;
    }
    let (d, op) = match (domain, found) {
        (Some(d), Ok(op)) => (d, op),
        (_, Err(reply)) => {
            shared.lock().record(record, &shared.config);
            return reply.into_response();
        }
        (None, Ok(_)) => unreachable!("an operation is always found in a domain"),
    };
    let scenario = {
        let mut inner = shared.lock();
        inner.record(record.clone(), &shared.config);
        *inner.attempts.entry((d.name, op.name)).or_default() += 1;
        match inner.routes.get_mut(&(d.name, op.name)) {
            Some(state) => state.next(),
            None => Scenario::Success,
        }
    };
    let scenario = match RouteState::for_request(scenario, |needle| record.carries(needle)) {
        Scenario::ByCursor(pages) => {
            let cursor = cursor_of(op, &record);
            pages
                .into_iter()
                .find(|(c, _)| *c == cursor)
                .map_or(Scenario::Success, |(_, s)| s)
        }
        other => other,
    };
    answer(&shared, d, op, &record, scenario)
        .await
        .into_response()
}

async fn answer(
    shared: &Shared,
    d: &DomainTable,
    op: &OperationTable,
    req: &RecordedRequest,
    scenario: Scenario,
) -> Reply {
    let incoming = Incoming {
        query: req.query.as_deref().unwrap_or(""),
        headers: &req.headers,
        body: &req.body,
    };
    let token = match &scenario {
        Scenario::ExpiredToken { .. } => token_credential(d, op),
        _ => None,
    };
    // Issued codes and tokens are judged against what the OAuth endpoints handed out, not the configuration.
    let judged = token
        .is_none()
        .then(|| oauth::judged_credential(d, op))
        .flatten();
    // Asked only when a credential differs from the configured value.
    let issued = |value: &str| shared.lock().issued.iter().any(|i| i == value);
    if let Err(rejection) =
        validate::check(op, &incoming, &shared.config, token.or(judged), &issued)
    {
        return rejected(d, op, rejection);
    }
    let judged_value = judged.map(|n| incoming.credential(op, n).unwrap_or_default());
    // A token is judged here; a code or refresh token by the operation that takes it.
    let token_judged = judged.filter(|n| oauth::is_token(d, n));
    if let (Some(name), Some(value), Some(roles)) = (token_judged, &judged_value, &d.oauth) {
        let verdict =
            shared
                .oauth()
                .judge(roles, name, value, shared.config.credential_value(name));
        match verdict {
            Verdict::Live => {}
            Verdict::Expired => {
                return Reply::json(oauth::refusal(d, op, ErrorClass::ExpiredCredential, ""))
            }
            Verdict::Unknown => return rejected(d, op, Rejection::Credential(name)),
        }
    }
    let envelope = |class: ErrorClass, hint: &str| match d.code_of(class, hint) {
        Some(e) => Reply::json(bodies::envelope(d, op, e.code, e.meaning)),
        None => Reply::text(429, "429 too many requests"),
    };
    match scenario {
        // `Times`, `Cycle`, `Carrying` and `ByCursor` are resolved before (`RouteState::next`,
        // `RouteState::for_request`, `cursor_of`).
        Scenario::Success
        | Scenario::Times(..)
        | Scenario::Cycle(..)
        | Scenario::Carrying { .. }
        | Scenario::ByCursor(..) => {
            let issued = shared.oauth().answer(
                &shared.config.oauth,
                d,
                op,
                judged_value.as_deref().unwrap_or(""),
            );
            match issued {
                Some(body) => Reply::json(body),
                None => success(shared, d, op, req),
            }
        }
        Scenario::Example(n) => Reply::json(Bytes::from_static(op.examples[n].body.as_bytes())),
        Scenario::Code(code) => {
            let meaning = d.error(&code).map(|e| e.meaning).unwrap_or("mock error");
            Reply::json(bodies::envelope(d, op, &code, meaning))
        }
        Scenario::RateLimited => envelope(ErrorClass::RateLimited, ""),
        Scenario::Quota => envelope(ErrorClass::Quota, ""),
        Scenario::ExpiredToken { fresh } => {
            let name = token.expect("checked when the scenario was set");
            let value = incoming.credential(op, name).unwrap_or_default();
            let stale = {
                let mut inner = shared.lock();
                // The route's state is gone only if the test reset the server meanwhile: still stale.
                inner
                    .routes
                    .get_mut(&(d.name, op.name))
                    .is_none_or(|state| state.is_stale(fresh.as_deref(), &value))
            };
            if stale {
                envelope(ErrorClass::ExpiredCredential, "")
            } else {
                success(shared, d, op, req)
            }
        }
        Scenario::Status(status) => Reply::text(status, format!("douyin-mock: HTTP {status}")),
        Scenario::Delay(delay) => {
            tokio::time::sleep(delay).await;
            success(shared, d, op, req)
        }
        Scenario::EmptyBody => Reply::empty(),
        Scenario::Html => Reply::new(
            200,
            "text/html; charset=utf-8",
            Bytes::from_static(bodies::CHALLENGE_PAGE.as_bytes()),
        ),
        Scenario::Refused(kind) => Reply::json(bodies::refused(d, op, kind)),
        Scenario::TruncatedJson => match success_body(shared, d, op) {
            Ok(body) => Reply::json(bodies::truncated(&body)),
            Err(e) => missing_fixture(e),
        },
        Scenario::Pages { pages, page_size } => {
            let pg = op
                .pagination
                .as_ref()
                .expect("checked when the scenario was set");
            let cursor = cursor_of(op, req);
            Reply::json(bodies::page(op, pg, cursor, pages, page_size))
        }
        Scenario::Raw {
            status,
            content_type,
            body,
        } => Reply::new(status, &content_type, Bytes::from(body)),
    }
}

/// The success body: the configured override (`--fixtures`), else the documented one.
fn success_body(shared: &Shared, d: &DomainTable, op: &OperationTable) -> Result<Bytes, String> {
    let key = (d.name.to_owned(), op.name.to_owned());
    let body = match shared.config.success_bodies.get(&key) {
        Some(body) => body.clone(),
        None => bodies::success(op)?,
    };
    Ok(bodies::with_origin(body, &shared.origin))
}

/// The success answer, in the requested response format.
fn success(shared: &Shared, d: &DomainTable, op: &OperationTable, req: &RecordedRequest) -> Reply {
    let body = match success_body(shared, d, op) {
        Ok(b) if shared.config.local_media => shared.media.body(d, op, &req.headers, b),
        Ok(b) => b,
        Err(e) => return missing_fixture(e),
    };
    if let Some(formats) = &d.formats {
        let pairs = req.query_pairs();
        let format = pairs
            .iter()
            .find(|(n, _)| n == formats.parameter)
            .map(|(_, v)| v.as_str());
        if let Some(f) = format.filter(|f| formats.text.contains(f)) {
            let (content_type, text) = bodies::text_format(f, &body);
            return Reply::new(200, content_type, Bytes::from(text));
        }
    }
    let mut reply = Reply::json(body);
    reply.set_cookies = issued_cookies(shared, d, op);
    reply
}

/// The cookies a success of `op` sets (its spec's `response.cookies`): deterministic values that name the cookie
/// and count the route's requests, so a second bootstrap gets new ones, valid for a year.
fn issued_cookies(shared: &Shared, d: &DomainTable, op: &OperationTable) -> Vec<String> {
    if op.set_cookies.is_empty() {
        return Vec::new();
    }
    let mut inner = shared.lock();
    let n = inner.attempts.get(&(d.name, op.name)).copied().unwrap_or(0);
    op.set_cookies
        .iter()
        .map(|name| {
            let value = issued_cookie_value(name, n);
            if inner.issued.len() == ISSUED_KEPT {
                inner.issued.pop_front();
            }
            inner.issued.push_back(value.clone());
            format!("{name}={value}; Path=/; Max-Age=31536000; HttpOnly")
        })
        .collect()
}

/// The value the mock issues for cookie `name` on the `n`th request of its route.
pub fn issued_cookie_value(name: &str, n: usize) -> String {
    format!("mock-{name}-{n:04}")
}

fn missing_fixture(e: String) -> Reply {
    eprintln!("{e}");
    Reply::text(500, e)
}

/// How the domain answers a request it refuses.
fn rejected(d: &DomainTable, op: &OperationTable, r: Rejection) -> Reply {
    let (class, hint, detail) = match &r {
        // Web: the site answers a bad cookie, user agent, msToken or signature with HTTP 200 and nothing in it.
        Rejection::Credential(_) | Rejection::Signature(_)
            if d.code_of(ErrorClass::Authentication, "").is_none() =>
        {
            return Reply::empty();
        }
        Rejection::Signature(_) => return Reply::empty(),
        Rejection::Credential(name) => (
            ErrorClass::Authentication,
            // The application's own key and secret have their own documented code.
            if name.starts_with("client_") {
                "BadClient"
            } else {
                "Invalid"
            },
            format!("invalid {name}"),
        ),
        Rejection::Missing(name) => (
            ErrorClass::InvalidParameter,
            "Missing",
            format!("missing parameter {name}"),
        ),
        Rejection::Invalid(name, why) => (
            ErrorClass::InvalidParameter,
            "",
            format!("parameter {name}: {why}"),
        ),
    };
    match d.code_of(class, hint) {
        Some(e) => Reply::json(bodies::envelope(
            d,
            op,
            e.code,
            &format!("{}: {detail}", e.meaning),
        )),
        // No documented invalid-parameter code (web): a non-zero status_code, as the site answers bad parameters.
        None => Reply::json(bodies::envelope(d, op, FALLBACK_INVALID_CODE, &detail)),
    }
}

/// The code of a refused parameter where the domain documents none (the web domain: `status_code` 2).
const FALLBACK_INVALID_CODE: &str = "2";

/// The request's value of the operation's pagination cursor (0 when absent or the operation does not paginate). The
/// cursor travels in the query, or in the form body of a POST (aweme/listcollection).
fn cursor_of(op: &OperationTable, req: &RecordedRequest) -> i64 {
    let Some(pg) = &op.pagination else { return 0 };
    req.query_pairs()
        .into_iter()
        .chain(validate::pairs(&req.body))
        .find(|(n, _)| n == pg.cursor_param)
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .unwrap_or(0)
}
