//! The routes beside the generated ones: `GET /v1/resolve?link=…` (what a share link or text points at, as
//! `douyin resolve` says), `POST /v1/download` (a JSON body of [`super::jobs::FIELDS`]; answers 202 with the job),
//! `GET /v1/jobs/{id}` (its status, progress and files) and `GET /v1/jobs/{id}/files/{name}` (a file the job
//! recorded, streamed). Their OpenAPI operations are in the generated document (`resolve`, `download`,
//! `job_status`, `job_file`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use super::app::App;
use super::errors::ServeError;

/// Where download jobs are started.
pub const DOWNLOAD_PATH: &str = "/v1/download";

/// The largest download request accepted (a long list of links fits many times over).
const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// The routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/resolve", get(resolve))
        .route(DOWNLOAD_PATH, post(download))
        .route("/v1/jobs/{id}", get(job))
        .route("/v1/jobs/{id}/files/{*name}", get(file))
}

fn answer(r: Result<Response, ServeError>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

async fn resolve(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    answer(
        async {
            let mut link = None;
            for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
                if name != "link" {
                    return Err(ServeError::bad_request(
                        format!("unknown parameter {name}; /v1/resolve takes: link"),
                        vec![name.into_owned()],
                    ));
                }
                link = Some(value.into_owned());
            }
            let link = link.filter(|l| !l.trim().is_empty()).ok_or_else(|| {
                ServeError::bad_request(
                    "missing required parameter: link (a link, short link or share text)",
                    vec!["link".to_owned()],
                )
            })?;
            Ok(axum::Json(app.resolve(link).await?).into_response())
        }
        .await,
    )
}

async fn download(State(app): State<Arc<App>>, request: Request) -> Response {
    answer(
        async {
            let body = axum::body::to_bytes(request.into_body(), MAX_REQUEST_BYTES)
                .await
                .map_err(|_| {
                    ServeError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("a download request is at most {MAX_REQUEST_BYTES} bytes"),
                    )
                })?;
            let fields = match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(fields)) => fields,
                _ => {
                    return Err(ServeError::bad_request(
                        "the body is a JSON object of the download's fields (inputs, user, …)",
                        Vec::new(),
                    ))
                }
            };
            let job = app.download(&fields)?;
            let location = HeaderValue::try_from(format!("/v1/jobs/{}", job.id))
                .map_err(|e| super::app::internal(&e.to_string()))?;
            Ok((
                StatusCode::ACCEPTED,
                [(header::LOCATION, location)],
                axum::Json(job.status(false)),
            )
                .into_response())
        }
        .await,
    )
}

async fn job(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    answer(
        app.jobs
            .get(&id)
            .map(|j| axum::Json(j.status(false)).into_response()),
    )
}

async fn file(State(app): State<Arc<App>>, Path((id, name)): Path<(String, String)>) -> Response {
    answer(
        async {
            let missing = || {
                ServeError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("job {id} has no file {name} (yet): its status lists the files it has"),
                )
            };
            let path = app.jobs.get(&id)?.file(&name).ok_or_else(missing)?;
            let f = tokio::fs::File::open(&path).await.map_err(|_| missing())?;
            let size = f.metadata().await.map_err(|_| missing())?.len();
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/octet-stream"),
                    ),
                    (header::CONTENT_LENGTH, HeaderValue::from(size)),
                ],
                Body::from_stream(tokio_util::io::ReaderStream::new(f)),
            )
                .into_response())
        }
        .await,
    )
}
