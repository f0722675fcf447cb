//! `douyin serve`: every operation of every spec over HTTP, from the generated route table
//! (`crate::generated::serve`): `GET /v1/<domain>/<operation>?<parameter>=…` answers the decoded response as JSON
//! (`all_pages=true`: every item of every page as streamed JSON Lines), `/openapi.json` the served API's document,
//! `/healthz` that it is up. A query becomes the arguments of the operation's CLI subcommand, so parsing, links and
//! dispatch are the CLI's generated ones, run by [`host::ServeHost`].
//!
//! Access: loopback by default; any other address needs `--api-key` (a bearer token, compared in constant time).
//! Credentials come from the config file and environment as for the CLI and never appear in an answer. Limits: the
//! query length (414), a request body (413), the time for one answer (504); no CORS header unless `--cors` names
//! the origin.

mod errors;
mod host;
pub mod route;
pub mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use clap::{Arg, ArgMatches, Command};
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;
use tokio_util::task::LocalPoolHandle;

use crate::context::{timeout, Ctx};
use crate::generated::{self, CommonArgs};
use crate::support::CliError;
use errors::ServeError;
use host::{Answer, Chunk, ServeHost, Shared};

/// The environment variable that may hold the API key instead of `--api-key`.
const API_KEY_ENV: &str = "DOUYIN_SERVE_API_KEY";

/// The `serve` command.
pub fn command(common: Vec<Arg>) -> Command {
    Command::new("serve")
        .about("Serve every operation of every spec over HTTP (JSON; JSON Lines for all pages) with its OpenAPI document")
        .long_about(
            "Serves `GET /v1/<domain>/<operation>?<parameter>=…` for every operation of every spec (the \
             parameters as the operation's flags name them, with `_`: `aweme_id`), answering the decoded response \
             as JSON; `all_pages=true` on a paginated operation streams every item of every page as JSON Lines. \
             `/openapi.json` is the served API's OpenAPI document, `/healthz` says it is up. Errors are \
             {\"error\":{\"kind\",\"message\"}} with the status of their type: 400 bad parameter (each named), 404 \
             unknown operation (the nearest listed), 403 refused upstream (with its kind), 429 rate limited (with \
             Retry-After), 502 upstream failure, 504 upstream timeout, 413/414 request too large.\n\nCredentials: \
             the config file and environment, as for the other commands; callers never send or see them. Prints \
             `listening on http://ADDR` on stdout when ready.",
        )
        .arg(
            Arg::new("listen")
                .long("listen")
                .value_name("ADDR")
                .default_value("127.0.0.1:8787")
                .value_parser(clap::value_parser!(SocketAddr))
                .help("Address to listen on (port 0: any free port); not loopback requires --api-key"),
        )
        .arg(Arg::new("api_key").long("api-key").value_name("KEY").help(format!(
            "Require `Authorization: Bearer KEY` on every request but /healthz [default: ${API_KEY_ENV}]"
        )))
        .arg(
            Arg::new("cors")
                .long("cors")
                .value_name("ORIGIN")
                .action(clap::ArgAction::Append)
                .value_parser(clap::builder::NonEmptyStringValueParser::new())
                .help("Let pages from ORIGIN call the API (repeatable); none by default"),
        )
        .arg(
            Arg::new("request_timeout")
                .long("request-timeout")
                .value_name("SECONDS")
                .default_value("120")
                .value_parser(clap::value_parser!(f64))
                .help("Time allowed for one answer (504 after it); a JSON Lines stream is bounded per page by --timeout"),
        )
        .arg(
            Arg::new("max_query_bytes")
                .long("max-query-bytes")
                .value_name("BYTES")
                .default_value("8192")
                .value_parser(clap::value_parser!(u64).range(1..))
                .help("Refuse a longer query (414)"),
        )
        .args(common)
}

/// The server's settings besides credentials.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The bearer token callers must send, if any.
    pub api_key: Option<String>,
    /// Origins allowed by CORS.
    pub cors: Vec<String>,
    /// Time allowed for one answer.
    pub request_timeout: Duration,
    /// The longest query accepted.
    pub max_query_bytes: usize,
}

/// Everything the handlers share.
struct App {
    shared: Arc<Shared>,
    /// Every route's CLI subcommand, by (domain, command).
    commands: HashMap<(&'static str, &'static str), Command>,
    settings: Settings,
    /// Where the operations run (see `tokio-util` in Cargo.toml).
    pool: LocalPoolHandle,
}

/// Runs `serve` until the process is stopped.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let common = CommonArgs::from_matches(m);
    let ctx = Ctx::load(&common)?;
    let addr = *m.get_one::<SocketAddr>("listen").expect("defaulted");
    let api_key = m
        .get_one::<String>("api_key")
        .cloned()
        .or_else(|| std::env::var(API_KEY_ENV).ok())
        .filter(|k| !k.is_empty());
    if !addr.ip().is_loopback() && api_key.is_none() {
        return Err(CliError::usage(format!(
            "--listen {addr} is not a loopback address: give --api-key (or ${API_KEY_ENV}) so only callers with \
             the key are served"
        )));
    }
    let request_timeout = timeout(*m.get_one::<f64>("request_timeout").expect("defaulted"))
        .map_err(|e| CliError::usage(e.message.replace("--timeout", "--request-timeout")))?;
    let settings = Settings {
        api_key,
        cors: m
            .get_many::<String>("cors")
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        request_timeout,
        max_query_bytes: usize::try_from(*m.get_one::<u64>("max_query_bytes").expect("defaulted"))
            .unwrap_or(usize::MAX),
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::failure(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::failure(format!("cannot listen on {addr}: {e}")))?;
    crate::support::write_stdout(&format!("listening on http://{local}"))?;
    axum::serve(listener, router(ctx, settings))
        .await
        .map_err(|e| CliError::failure(format!("serving failed: {e}")))
}

/// The server's routes over `ctx` (credentials, base URLs, client settings).
pub fn router(ctx: Ctx, settings: Settings) -> Router {
    let mut commands = HashMap::new();
    for domain in generated::commands::<ServeHost>() {
        for op in domain.get_subcommands() {
            if let Some(r) = routes::find(domain.get_name(), op.get_name()) {
                commands.insert((r.domain, r.command), op.clone());
            }
        }
    }
    let app = Arc::new(App {
        shared: Arc::new(Shared::new(ctx)),
        commands,
        settings,
        pool: LocalPoolHandle::new(
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        ),
    });
    Router::new()
        .route("/v1/{domain}/{operation}", get(operation))
        .route("/v1", get(|| async { axum::Json(routes::index()) }))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .route("/healthz", get(healthz))
        .with_state(app)
}

async fn healthz() -> Response {
    axum::Json(serde_json::json!({ "status": "ok" })).into_response()
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        generated::serve::OPENAPI,
    )
        .into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    ServeError::not_found(uri.path(), routes::nearest(uri.path(), 3)).into_response()
}

/// Before any route: the API key, the size limits and CORS.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let allowed = origin
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .filter(|o| app.settings.cors.iter().any(|c| c == o))
        .is_some();
    if allowed && request.method() == Method::OPTIONS {
        return cors(StatusCode::NO_CONTENT.into_response(), origin);
    }
    let refused = check(&app.settings, &request);
    let response = match refused {
        Some(e) => e.into_response(),
        None => next.run(request).await,
    };
    if allowed {
        cors(response, origin)
    } else {
        response
    }
}

/// Why a request is refused before routing, if it is.
fn check(settings: &Settings, request: &Request) -> Option<ServeError> {
    if let Some(key) = &settings.api_key {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
            .unwrap_or_default();
        if !bool::from(given.ct_eq(key.as_bytes())) {
            return Some(ServeError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send the server's API key as `Authorization: Bearer KEY`",
            ));
        }
    }
    let query = request.uri().query().map_or(0, str::len);
    if query > settings.max_query_bytes {
        return Some(ServeError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!(
                "the query is {query} bytes; at most {} are accepted",
                settings.max_query_bytes
            ),
        ));
    }
    let has_body = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v != "0")
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    has_body.then(|| {
        ServeError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "requests take no body: give the parameters in the query",
        )
    })
}

fn cors(mut response: Response, origin: Option<HeaderValue>) -> Response {
    if let Some(origin) = origin {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization"),
        );
        h.insert(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}

async fn operation(
    State(app): State<Arc<App>>,
    Path((domain, op)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    match serve_operation(&app, &domain, &op, query.as_deref().unwrap_or("")).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn serve_operation(
    app: &App,
    domain: &str,
    op: &str,
    query: &str,
) -> Result<Response, ServeError> {
    let path = format!("/v1/{domain}/{op}");
    let route = routes::find(domain, op)
        .ok_or_else(|| ServeError::not_found(&path, routes::nearest(&path, 3)))?;
    let command = app
        .commands
        .get(&(route.domain, route.command))
        .ok_or_else(|| ServeError::not_found(&path, routes::nearest(&path, 3)))?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let request = routes::request(route, command, &pairs)?;
    let m = command
        .clone()
        .try_get_matches_from(&request.argv)
        .map_err(|e| routes::clap_error(route, command, &e))?;
    if request.all_pages {
        return stream(app, route, m).await;
    }
    let shared = app.shared.clone();
    let mut handle = app.pool.spawn_pinned(move || async move {
        let host = ServeHost::new(shared);
        generated::run(&host, route.domain, route.command, &m).await?;
        Ok::<_, ServeError>(host.take())
    });
    let limit = app.settings.request_timeout;
    let answer = match tokio::time::timeout(limit, &mut handle).await {
        Err(_) => {
            handle.abort();
            return Err(ServeError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                format!("no answer within {limit:?} (--request-timeout)"),
            ));
        }
        Ok(joined) => {
            joined.map_err(|e| internal(&format!("the operation's task failed: {e}")))??
        }
    };
    match answer {
        Some(Answer::Json(text)) => {
            Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
        }
        Some(Answer::Text(text)) => {
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
        }
        None => Err(internal("the operation gave no answer")),
    }
}

fn internal(message: &str) -> ServeError {
    ServeError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
}

/// `all_pages=true`: the walk runs in a task sending pages down a channel; the answer's status waits for the first
/// page (so a failing first request is a plain error), then the lines stream. A failure later ends the stream with
/// one `{"error":…}` line. Dropping the body (the caller left) closes the channel, which stops the walk.
async fn stream(
    app: &App,
    route: &'static route::Route,
    m: ArgMatches,
) -> Result<Response, ServeError> {
    let (tx, mut rx) = mpsc::channel::<Chunk>(2);
    let shared = app.shared.clone();
    // Detached: the walk ends by itself when the caller leaves (the channel closes).
    drop(app.pool.spawn_pinned(move || async move {
        let host = ServeHost::streaming(shared, tx.clone());
        let result = generated::run(&host, route.domain, route.command, &m).await;
        let _ = tx.send(Chunk::End(result)).await;
    }));
    let first = match rx.recv().await {
        Some(Chunk::End(Err(e))) => return Err(e),
        other => other,
    };
    let body = futures::stream::unfold((first, rx), |(next, mut rx)| async move {
        let bytes = match next? {
            Chunk::Lines(b) => b,
            Chunk::End(Ok(())) => return None,
            Chunk::End(Err(e)) => bytes::Bytes::from(format!("{}\n", e.body())),
        };
        let following = rx.recv().await;
        Some((Ok::<_, std::convert::Infallible>(bytes), (following, rx)))
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(body),
    )
        .into_response())
}
