//! What the HTTP routes and the MCP tools share: the settings, the clients, every route's CLI subcommand and the pool
//! download jobs run on; and running one route — its parameters turned into the subcommand's arguments, the
//! generated dispatch run by a [`ServeHost`] — for one answer, a stream of pages, or a bounded number of pages with
//! the cursor to continue from.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use axum::http::StatusCode;
use clap::{ArgMatches, Command};
use tokio::sync::mpsc;
use tokio_util::task::LocalPoolHandle;

use super::errors::ServeError;
use super::host::{Answer, Chunk, ServeHost, Shared};
use super::jobs::{Job, Jobs};
use super::route::Route;
use super::routes;
use super::Settings;
use crate::context::Ctx;
use crate::generated;

/// Everything the handlers share.
pub struct App {
    /// Settings, credentials and clients.
    pub shared: Arc<Shared>,
    /// Every route's CLI subcommand, by (domain, command).
    commands: HashMap<(&'static str, &'static str), Command>,
    /// The server's settings.
    pub settings: Settings,
    /// Where download jobs run: their futures are not `Send` (see `tokio-util` in Cargo.toml).
    pool: LocalPoolHandle,
    /// Download jobs.
    pub jobs: Jobs,
}

/// A route's parsed arguments.
pub struct Parsed {
    /// The subcommand's matches.
    pub matches: ArgMatches,
    /// Whether every page is wanted.
    pub all_pages: bool,
}

/// Pages of a paginated route, as an MCP tool answers them.
pub struct Pages {
    /// One compact JSON value per item, in order.
    pub items: Vec<String>,
    /// The cursor to continue from, when the walk stopped with more to come.
    pub resume: Option<i64>,
}

impl App {
    /// The shared state over `ctx`.
    pub fn new(ctx: Ctx, settings: Settings) -> App {
        let mut commands = HashMap::new();
        for domain in generated::commands::<ServeHost>() {
            for op in domain.get_subcommands() {
                if let Some(r) = routes::find(domain.get_name(), op.get_name()) {
                    commands.insert((r.domain, r.command), op.clone());
                }
            }
        }
        let jobs = Jobs::new(&settings.jobs);
        App {
            shared: Arc::new(Shared::new(ctx)),
            commands,
            jobs,
            settings,
            pool: LocalPoolHandle::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            ),
        }
    }

    /// `route`'s arguments from the parameter pairs, each bad one named.
    pub fn parse(
        &self,
        route: &'static Route,
        pairs: &[(String, String)],
    ) -> Result<Parsed, ServeError> {
        let command = self
            .commands
            .get(&(route.domain, route.command))
            .ok_or_else(|| {
                let path = route.path();
                ServeError::not_found(&path, routes::nearest(&path, 3))
            })?;
        let request = routes::request(route, command, pairs)?;
        let matches = command
            .clone()
            .try_get_matches_from(&request.argv)
            .map_err(|e| routes::clap_error(route, command, &e))?;
        Ok(Parsed {
            matches,
            all_pages: request.all_pages,
        })
    }

    /// `work` within `--request-timeout` (504 after it). The operations' futures are `Send`, so they run in the
    /// handler's own task: no hop to another thread and back.
    async fn timed<T>(
        &self,
        work: impl Future<Output = Result<T, ServeError>>,
    ) -> Result<T, ServeError> {
        let limit = self.settings.request_timeout;
        tokio::time::timeout(limit, work).await.map_err(|_| {
            ServeError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                format!("no answer within {limit:?} (--request-timeout)"),
            )
        })?
    }

    /// One answer of `route`.
    pub async fn answer(&self, route: &'static Route, m: ArgMatches) -> Result<Answer, ServeError> {
        self.timed(async {
            let host = ServeHost::new(self.shared.clone());
            generated::run(&host, route.domain, route.command, &m).await?;
            host.take()
                .ok_or_else(|| internal("the operation gave no answer"))
        })
        .await
    }

    /// Walks `route`'s pages in a task sending them down the returned channel, which ends with [`Chunk::End`].
    /// Dropping the receiver (the caller left) stops the walk before its next page.
    pub fn walk(&self, route: &'static Route, m: ArgMatches) -> mpsc::Receiver<Chunk> {
        let (tx, rx) = mpsc::channel::<Chunk>(2);
        let shared = self.shared.clone();
        // Detached: the walk ends by itself when the receiver is dropped (its next send fails).
        drop(tokio::spawn(async move {
            let host = ServeHost::streaming(shared, tx.clone());
            let result = generated::run(&host, route.domain, route.command, &m).await;
            let _ = tx.send(Chunk::End(result)).await;
        }));
        rx
    }

    /// The items of `route`'s pages as its arguments bound them (`--max-pages`), within `--request-timeout`.
    pub async fn pages(&self, route: &'static Route, m: ArgMatches) -> Result<Pages, ServeError> {
        let mut rx = self.walk(route, m);
        let collect = async {
            let mut pages = Pages {
                items: Vec::new(),
                resume: None,
            };
            while let Some(chunk) = rx.recv().await {
                match chunk {
                    Chunk::Lines(lines) => pages
                        .items
                        .extend(String::from_utf8_lossy(&lines).lines().map(str::to_owned)),
                    Chunk::Resume(cursor) => pages.resume = Some(cursor),
                    Chunk::End(result) => return result.map(|()| pages),
                }
            }
            Err(internal("the walk ended without a word"))
        };
        self.timed(collect).await
    }
}

impl App {
    /// What a link or share text points at, as `douyin resolve` says.
    pub async fn resolve(&self, text: String) -> Result<serde_json::Value, ServeError> {
        self.timed(async {
            match crate::hooks::describe_link(&self.shared.ctx, text).await {
                Some(described) => described.map_err(ServeError::from_cli),
                None => Err(ServeError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no domain describes links",
                )),
            }
        })
        .await
    }

    /// Starts a download job for `request` (its fields: [`super::jobs::FIELDS`]).
    pub fn download(
        &self,
        request: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Arc<Job>, ServeError> {
        self.jobs.start(&self.pool, request)
    }
}

/// A failure of the server itself.
pub fn internal(message: &str) -> ServeError {
    ServeError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
}
