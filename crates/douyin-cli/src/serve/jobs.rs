//! Download jobs (`POST /v1/download`, the MCP tool `download`): a request's fields become the arguments of the
//! `download` command a domain offers (`crate::hooks::job_command`), so the CLI's own download code runs the job,
//! reporting to the job (a [`JobSink`]) instead of a terminal. Each job writes under its own directory; its status
//! and its files are served, a file only by a name the job recorded (no path from the caller is ever joined).
//!
//! Bounded: at most `max_running` jobs run at once (the others wait, `queued`), at most `max_jobs` are kept; a new
//! job evicts the oldest finished one (its files deleted) and is refused (429) when every kept job is unfinished.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use clap::{ArgMatches, Command};
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio_util::task::LocalPoolHandle;

use super::errors::ServeError;
use super::JobSettings;
use crate::customize::JobSink;
use crate::generated::CommonArgs;

/// The fields a request may give, each the `download` argument of the same id. Where files go, the archive, saved
/// JSON and stdin are the server's business, so they are not among them.
pub const FIELDS: &[&str] = &[
    "inputs",
    "user",
    "favorites",
    "mix",
    "what",
    "max_height",
    "codec",
    "smallest",
    "metadata",
    "limit",
    "since",
];

/// The fields that name what to download; a request gives at least one.
const SOURCES: [&str; 4] = ["inputs", "user", "favorites", "mix"];

/// The request's JSON Schema: the served OpenAPI document's `DownloadRequest` (generated, so the document and the
/// MCP tool cannot differ).
pub fn request_schema() -> Value {
    serde_json::from_str::<Value>(crate::generated::serve::OPENAPI)
        .ok()
        .and_then(|doc| doc.pointer("/components/schemas/DownloadRequest").cloned())
        .unwrap_or_else(|| json!({ "type": "object" }))
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Queued,
    Running,
    Done,
    Failed,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }
}

/// A job's state as it changes.
struct State {
    status: Status,
    /// The current batch: items finished, items, bytes on disk, sizes known.
    batch: (usize, usize, u64, u64),
    /// Complete files: name under the job's directory, size.
    files: Vec<(String, u64)>,
    failures: Vec<String>,
    error: Option<String>,
}

/// One download job.
pub struct Job {
    /// Its id (in its paths).
    pub id: String,
    dir: PathBuf,
    state: Mutex<State>,
}

impl Job {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn finished(&self) -> bool {
        matches!(self.state().status, Status::Done | Status::Failed)
    }

    /// Its status as served: `paths` adds where each file is on disk (for an MCP client on the same machine).
    pub fn status(&self, paths: bool) -> Value {
        let s = self.state();
        let files: Vec<Value> = s
            .files
            .iter()
            .map(|(name, size)| {
                let mut f = json!({ "name": name, "size": size, "url": format!("/v1/jobs/{}/files/{name}", self.id) });
                if paths {
                    f["path"] = json!(self.dir.join(name));
                }
                f
            })
            .collect();
        let (done, items, bytes, total) = s.batch;
        let mut v = json!({
            "id": self.id,
            "status": s.status.word(),
            "progress": { "files": s.files.len(), "items_done": done, "items": items, "bytes": bytes, "total_bytes": total },
            "files": files,
            "failures": s.failures,
        });
        if let Some(e) = &s.error {
            v["error"] = json!(e);
        }
        v
    }

    /// The path of file `name` if the job recorded it.
    pub fn file(&self, name: &str) -> Option<PathBuf> {
        let s = self.state();
        let (name, _) = s.files.iter().find(|(n, _)| n == name)?;
        Some(self.dir.join(name))
    }
}

impl JobSink for Job {
    fn progress(&self, done: usize, items: usize, bytes: u64, total: u64) {
        self.state().batch = (done, items, bytes, total);
    }

    fn file(&self, path: &Path, size: u64) {
        // Only a plain relative path under the job's directory is recorded (and so ever served).
        let Ok(rel) = path.strip_prefix(&self.dir) else {
            return;
        };
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return;
        }
        let name = rel.to_string_lossy().replace('\\', "/");
        let mut s = self.state();
        match s.files.iter_mut().find(|(n, _)| *n == name) {
            Some(f) => f.1 = size,
            None => s.files.push((name, size)),
        }
    }
}

/// Every kept job, and the bounds.
pub struct Jobs {
    root: PathBuf,
    command: Option<Command>,
    common: CommonArgs,
    max_jobs: usize,
    running: Arc<Semaphore>,
    kept: Mutex<VecDeque<Arc<Job>>>,
    counter: AtomicU64,
}

impl Jobs {
    /// No jobs yet, to run as `settings` say.
    pub fn new(settings: &JobSettings) -> Jobs {
        Jobs {
            root: settings.dir.clone(),
            command: crate::hooks::job_command(&CommonArgs::args()),
            common: settings.common.clone(),
            max_jobs: settings.max_jobs.max(1),
            running: Arc::new(Semaphore::new(settings.max_running.max(1))),
            kept: Mutex::new(VecDeque::new()),
            counter: AtomicU64::new(0),
        }
    }

    /// The kept job `id`.
    pub fn get(&self, id: &str) -> Result<Arc<Job>, ServeError> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter().find(|j| j.id == id).cloned().ok_or_else(|| {
            ServeError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "no job {id}: it never existed or was evicted (at most {} are kept)",
                    self.max_jobs
                ),
            )
        })
    }

    /// Starts a job for `request` on `pool`.
    pub fn start(
        &self,
        pool: &LocalPoolHandle,
        request: &serde_json::Map<String, Value>,
    ) -> Result<Arc<Job>, ServeError> {
        let command = self.command.clone().ok_or_else(|| {
            ServeError::new(StatusCode::NOT_FOUND, "not_found", "no domain downloads")
        })?;
        let id = self.new_id();
        let dir = self.root.join(&id);
        let (mut argv, inputs) = arguments(&command, request)?;
        argv.push(format!("--dir={}", dir.display()));
        argv.push("--no-archive".to_owned());
        argv.push("--".to_owned());
        argv.extend(inputs);
        let m = command
            .clone()
            .try_get_matches_from(&argv)
            .map_err(|e| super::routes::clap_error_naming(&command, FIELDS.iter().copied(), &e))?;
        let job = Arc::new(Job {
            id,
            dir: dir.clone(),
            state: Mutex::new(State {
                status: Status::Queued,
                batch: (0, 0, 0, 0),
                files: Vec::new(),
                failures: Vec::new(),
                error: None,
            }),
        });
        self.keep(job.clone())?;
        std::fs::create_dir_all(&dir).map_err(|e| {
            ServeError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("cannot create the job's directory: {e}"),
            )
        })?;
        let (running, common, work) = (self.running.clone(), self.common.clone(), job.clone());
        // Detached: the job's state is what callers see; the pool's thread runs it to its end.
        drop(pool.spawn_pinned(move || run(work, running, common, m)));
        Ok(job)
    }

    /// Keeps `job`, evicting the oldest finished job when full.
    fn keep(&self, job: Arc<Job>) -> Result<(), ServeError> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= self.max_jobs {
            let Some(at) = kept.iter().position(|j| j.finished()) else {
                let mut e = ServeError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_jobs",
                    format!(
                        "all {} kept jobs are unfinished; ask again when one is done",
                        self.max_jobs
                    ),
                );
                e.retry_after = Some(std::time::Duration::from_secs(10));
                return Err(e);
            };
            if let Some(old) = kept.remove(at) {
                let _ = std::fs::remove_dir_all(&old.dir);
            }
        }
        kept.push_back(job);
        Ok(())
    }

    /// A fresh id that is hard to guess (a caller cannot read another's job by counting).
    fn new_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        format!("{n}-{:016x}", h.finish())
    }
}

/// Runs `job` once a running slot is free.
async fn run(job: Arc<Job>, running: Arc<Semaphore>, common: CommonArgs, m: ArgMatches) {
    let _slot = running.acquire_owned().await;
    job.state().status = Status::Running;
    let result = match crate::hooks::run_job(&common, &m, &*job) {
        Some(work) => work.await,
        None => Ok(vec!["no domain downloads".to_owned()]),
    };
    let mut s = job.state();
    match result {
        Ok(failures) => {
            s.status = if failures.is_empty() {
                Status::Done
            } else {
                Status::Failed
            };
            s.failures = failures;
        }
        Err(e) => {
            s.status = Status::Failed;
            s.error = Some(e.message);
        }
    }
}

/// The `download` arguments of `request` (its flags, then `--` and the inputs, so no input reads as a flag), each
/// bad field named.
fn arguments(
    command: &Command,
    request: &serde_json::Map<String, Value>,
) -> Result<(Vec<String>, Vec<String>), ServeError> {
    let mut flags = vec![command.get_name().to_owned()];
    let mut inputs = Vec::new();
    let mut bad = Vec::new();
    let mut sources = 0;
    for (field, value) in request {
        let arg = FIELDS
            .contains(&field.as_str())
            .then(|| {
                command
                    .get_arguments()
                    .find(|a| a.get_id() == field.as_str())
            })
            .flatten();
        let values: Option<Vec<String>> = match value {
            Value::Null | Value::Bool(false) => Some(Vec::new()),
            Value::Bool(true) => arg.and_then(|a| a.get_long()).map(|long| {
                flags.push(format!("--{long}"));
                Vec::new()
            }),
            Value::String(s) => Some(vec![s.clone()]),
            Value::Number(n) => Some(vec![n.to_string()]),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Value::Object(_) => None,
        };
        // `-` would read the server's stdin.
        let (Some(arg), Some(values)) = (arg, values.filter(|v| v.iter().all(|v| v.trim() != "-")))
        else {
            bad.push(field.clone());
            continue;
        };
        if SOURCES.contains(&field.as_str()) {
            sources += values.len();
        }
        match arg.get_long() {
            Some(long) => flags.extend(values.iter().map(|v| format!("--{long}={v}"))),
            None => inputs.extend(values),
        }
    }
    if !bad.is_empty() {
        // The map's order is the request's or sorted, depending on serde_json's features in the build.
        bad.sort_unstable();
        return Err(ServeError::bad_request(
            format!(
                "bad field {}: a download takes {}",
                bad.join(", "),
                FIELDS.join(", ")
            ),
            bad,
        ));
    }
    if sources == 0 {
        return Err(ServeError::bad_request(
            "nothing to download: give inputs, user, favorites or mix",
            SOURCES.iter().map(|s| (*s).to_owned()).collect(),
        ));
    }
    Ok((flags, inputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_are_the_documented_ones_and_download_arguments() {
        let schema = request_schema();
        // Sorted: serde_json keeps insertion order when another crate of the build turns on `preserve_order`.
        let mut documented: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        documented.sort_unstable();
        let mut fields = FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(documented, fields);
        let command = crate::hooks::job_command(&CommonArgs::args()).unwrap();
        for f in FIELDS {
            assert!(command.get_arguments().any(|a| a.get_id() == *f), "{f}");
        }
    }

    #[test]
    fn requests_become_flags_then_inputs_and_bad_fields_are_named() {
        let command = crate::hooks::job_command(&CommonArgs::args()).unwrap();
        let request = |v: Value| v.as_object().unwrap().clone();
        let (flags, inputs) = arguments(
            &command,
            &request(json!({ "inputs": ["--dir=/etc", "7331"], "user": "u1", "smallest": true, "metadata": false, "limit": 2 })),
        )
        .unwrap();
        let mut sorted = flags[1..].to_vec();
        sorted.sort();
        assert_eq!(
            (flags[0].as_str(), sorted),
            (
                "download",
                vec![
                    "--limit=2".to_owned(),
                    "--smallest".into(),
                    "--user=u1".into()
                ]
            )
        );
        assert_eq!(inputs, ["--dir=/etc", "7331"]);
        let e = arguments(
            &command,
            &request(json!({ "dir": "/", "inputs": ["-"], "mix": {} })),
        )
        .unwrap_err();
        assert_eq!(e.parameters, ["dir", "inputs", "mix"]);
        let e = arguments(&command, &request(json!({ "what": "video" }))).unwrap_err();
        assert_eq!(e.parameters, SOURCES);
    }
}
