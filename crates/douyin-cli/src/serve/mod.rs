//! `douyin serve`: every operation of every spec over HTTP, from the generated route table
//! (`crate::generated::serve`): `GET /v1/<domain>/<operation>?<parameter>=…` answers the decoded response as JSON
//! (`all_pages=true`: every item of every page as streamed JSON Lines), `/openapi.json` the served API's document,
//! `/healthz` that it is up; `/v1/resolve` describes a link, `POST /v1/download` starts a download job whose status
//! and files `/v1/jobs/{id}` serves ([`media`], [`jobs`]). A query becomes the arguments of the operation's CLI subcommand, so parsing, links and
//! dispatch are the CLI's generated ones, run by [`host::ServeHost`]. With `--mcp` the same routes are MCP tools over
//! streamable HTTP at `/mcp` ([`mcp`]; `douyin mcp` serves them over stdio).
//!
//! Access: loopback by default; any other address needs `--api-key` (a bearer token, compared in constant time).
//! Credentials come from the config file and environment as for the CLI and never appear in an answer: neither
//! the configured values nor those learned while serving ([`learned`]: identities, the token file's tokens and
//! their refreshed successors). Limits: the
//! query length (414), a request body (413), the time for one answer (504); no CORS header unless `--cors` names
//! the origin.

mod app;
mod errors;
mod host;
mod jobs;
mod learned;
mod mcp;
mod media;
pub mod route;
pub mod routes;

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

use crate::context::{timeout, Ctx};
use crate::generated::{self, CommonArgs};
use crate::support::CliError;
use app::App;
use errors::ServeError;
use host::{Answer, Chunk};

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
             `/openapi.json` is the served API's OpenAPI document, `/healthz` says it is up. `/v1/resolve?link=…` \
             says what a share link points at; `POST /v1/download` (a JSON object of `download`'s options: inputs, \
             user, favorites, mix, what, …) starts a job whose status and files `/v1/jobs/{id}` serves. Errors are \
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
        .arg(request_timeout_arg())
        .arg(
            Arg::new("mcp")
                .long("mcp")
                .action(clap::ArgAction::SetTrue)
                .help("Also serve every operation as an MCP tool over streamable HTTP at /mcp (see `douyin mcp`)"),
        )
        .args(job_args())
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

/// Where download jobs write and how many there are.
fn job_args() -> [Arg; 3] {
    [
        Arg::new("jobs_dir")
            .long("jobs-dir")
            .value_name("DIR")
            .value_parser(clap::value_parser!(std::path::PathBuf))
            .help("Where download jobs write, a folder per job [default: a folder in the temporary directory]"),
        Arg::new("max_jobs")
            .long("max-jobs")
            .value_name("N")
            .default_value("32")
            .value_parser(clap::value_parser!(u64).range(1..=10_000))
            .help("Download jobs kept (a new one evicts the oldest finished one, files and all)"),
        Arg::new("max_running_jobs")
            .long("max-running-jobs")
            .value_name("N")
            .default_value("2")
            .value_parser(clap::value_parser!(u64).range(1..=64))
            .help("Download jobs run at once (the others wait)"),
    ]
}

/// The settings of download jobs from `m`.
fn job_settings(m: &ArgMatches, common: CommonArgs) -> JobSettings {
    let number =
        |id: &str| usize::try_from(*m.get_one::<u64>(id).expect("defaulted")).unwrap_or(usize::MAX);
    JobSettings {
        dir: m
            .get_one::<std::path::PathBuf>("jobs_dir")
            .cloned()
            .unwrap_or_else(|| {
                std::env::temp_dir().join(format!("douyin-serve-{}", std::process::id()))
            }),
        max_jobs: number("max_jobs"),
        max_running: number("max_running_jobs"),
        common,
    }
}

fn request_timeout_arg() -> Arg {
    Arg::new("request_timeout")
        .long("request-timeout")
        .value_name("SECONDS")
        .default_value("120")
        .value_parser(clap::value_parser!(f64))
        .help("Time allowed for one answer (504 after it); a JSON Lines stream is bounded per page by --timeout")
}

fn request_timeout(m: &ArgMatches) -> Result<Duration, CliError> {
    timeout(*m.get_one::<f64>("request_timeout").expect("defaulted"))
        .map_err(|e| CliError::usage(e.message.replace("--timeout", "--request-timeout")))
}

/// The `mcp` command.
pub fn mcp_command(common: Vec<Arg>) -> Command {
    Command::new("mcp")
        .about("Serve every operation of every spec as an MCP tool over stdio (for assistants)")
        .long_about(
            "An MCP server on stdin/stdout: one tool per operation of every spec, named <domain>_<operation> \
             (`web_aweme_detail`), its input JSON Schema generated from the spec, plus `resolve` for share links. \
             Results are the decoded JSON; a paginated operation answers {\"items\":[…],\"next\":{cursor}|null}, \
             one page per call unless `max_pages` asks for more. Credentials: the config file and environment, as \
             for the other commands; never in a result. `download` starts a download job (files under --jobs-dir), \
             `job_status` follows it. `douyin serve --mcp` serves the same over streamable HTTP.",
        )
        .arg(request_timeout_arg())
        .args(job_args())
        .args(common)
}

/// Runs `mcp` until stdin closes.
pub async fn run_mcp(m: &ArgMatches) -> Result<(), CliError> {
    use rmcp::ServiceExt;
    let common = CommonArgs::from_matches(m);
    let ctx = Ctx::load(&common)?;
    let settings = Settings {
        api_key: None,
        cors: Vec::new(),
        request_timeout: request_timeout(m)?,
        max_query_bytes: usize::MAX,
        mcp: true,
        jobs: job_settings(m, common),
    };
    let server = mcp::Mcp::new(Arc::new(App::new(ctx, settings)))
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| CliError::failure(format!("MCP: {e}")))?;
    server
        .waiting()
        .await
        .map_err(|e| CliError::failure(format!("MCP: {e}")))?;
    Ok(())
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
    /// Whether MCP is served at `/mcp`.
    pub mcp: bool,
    /// Download jobs.
    pub jobs: JobSettings,
}

/// Where download jobs write, their bounds, and the common options they run with.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// A folder per job goes here.
    pub dir: std::path::PathBuf,
    /// Jobs kept.
    pub max_jobs: usize,
    /// Jobs run at once.
    pub max_running: usize,
    /// The server's common options (base URL, timeouts), as a job's `download` takes them.
    pub common: CommonArgs,
}

/// Runs `serve` until the process is stopped.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let addr = *m.get_one::<SocketAddr>("listen").expect("defaulted");
    let app = from_matches(m)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::failure(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::failure(format!("cannot listen on {addr}: {e}")))?;
    crate::support::write_stdout(&format!("listening on http://{local}"))?;
    axum::serve(listener, app)
        .await
        .map_err(|e| CliError::failure(format!("serving failed: {e}")))
}

/// `douyin serve ARGS…` as a router to serve in the caller's runtime (`--listen` is the caller's business): what the
/// e2e tests and the serving-cost bench run in process.
pub fn router_from_args<I, T>(args: I) -> Result<Router, CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let m = command(CommonArgs::args())
        .try_get_matches_from(
            std::iter::once("serve".into()).chain(args.into_iter().map(Into::into)),
        )
        .map_err(|e| CliError::usage(e.to_string()))?;
    from_matches(&m)
}

/// The router `serve`'s arguments ask for.
fn from_matches(m: &ArgMatches) -> Result<Router, CliError> {
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
    let request_timeout = request_timeout(m)?;
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
        mcp: m.get_flag("mcp"),
        jobs: job_settings(m, common),
    };
    Ok(router(ctx, settings))
}

/// The server's routes over `ctx` (credentials, base URLs, client settings).
pub fn router(ctx: Ctx, settings: Settings) -> Router {
    let app = Arc::new(App::new(ctx, settings));
    let mut router = media::routes()
        .route("/v1/{domain}/{operation}", get(operation))
        .route("/v1", get(|| async { axum::Json(routes::index()) }))
        .route("/openapi.json", get(openapi));
    if app.settings.mcp {
        router = router.nest_service(MCP_PATH, mcp_service(&app));
    }
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .route("/healthz", get(healthz))
        .with_state(app)
}

/// Where `--mcp` serves MCP.
const MCP_PATH: &str = "/mcp";

/// MCP over streamable HTTP. Its `Host` check (against DNS rebinding) stays on loopback names unless an API key
/// guards the server; a browser `Origin` is refused unless `--cors` names it.
fn mcp_service(
    app: &Arc<App>,
) -> rmcp::transport::StreamableHttpService<
    mcp::Mcp,
    rmcp::transport::streamable_http_server::session::local::LocalSessionManager,
> {
    let mut config = rmcp::transport::StreamableHttpServerConfig::default();
    if app.settings.api_key.is_some() {
        config = config.disable_allowed_hosts();
    }
    config = if app.settings.cors.is_empty() {
        config.enforce_origin_validation()
    } else {
        config.with_allowed_origins(app.settings.cors.iter().cloned())
    };
    let server = mcp::Mcp::new(app.clone());
    rmcp::transport::StreamableHttpService::new(move || Ok(server.clone()), Arc::default(), config)
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
    // MCP messages are bodies (rmcp bounds them: 413 past 4 MiB), so is a download's request (bounded by its
    // handler); the rest of the HTTP API takes none.
    let path = request.uri().path();
    let has_body = !(path.starts_with(MCP_PATH) || path == media::DOWNLOAD_PATH)
        && request
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
            HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(
                "authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id",
            ),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("mcp-session-id"),
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
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let parsed = app.parse(route, &pairs)?;
    if parsed.all_pages {
        return stream(app, route, parsed.matches).await;
    }
    match app.answer(route, parsed.matches).await? {
        Answer::Json(text) => {
            Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
        }
        Answer::Text(text) => {
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
        }
    }
}

/// `all_pages=true`: the answer's status waits for the first page (so a failing first request is a plain error),
/// then the lines stream, and the last line says where to continue: `{"next":{"<cursor>":N}}` when the walk stopped
/// with more to come (`max_pages`), `{"next":null}` at the end, `{"error":…,"next":…}` when a later page failed.
/// Dropping the body (the caller left) drops the receiver, which stops the walk.
async fn stream(
    app: &App,
    route: &'static route::Route,
    m: ArgMatches,
) -> Result<Response, ServeError> {
    let mut rx = app.walk(route, m);
    let first = match rx.recv().await {
        Some(Chunk::End(Err(e))) => return Err(e),
        other => other,
    };
    let next = move |resume: Option<i64>| match (route.cursor, resume) {
        (Some(param), Some(cursor)) => serde_json::json!({ param: cursor }),
        _ => serde_json::Value::Null,
    };
    let state = (first, rx, None::<i64>);
    let body = futures::stream::unfold(state, move |(chunk, mut rx, mut resume)| async move {
        let bytes = match chunk? {
            Chunk::Lines(b) => b,
            Chunk::Resume(cursor) => {
                resume = Some(cursor);
                bytes::Bytes::new()
            }
            Chunk::End(result) => {
                let mut last = match result {
                    Ok(()) => serde_json::json!({}),
                    Err(e) => e.body(),
                };
                last["next"] = next(resume);
                let line = format!("{last}\n");
                // Nothing follows the last line.
                return Some((Ok(bytes::Bytes::from(line)), (None, rx, resume)));
            }
        };
        let following = rx.recv().await;
        Some((
            Ok::<_, std::convert::Infallible>(bytes),
            (following, rx, resume),
        ))
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(body),
    )
        .into_response())
}
