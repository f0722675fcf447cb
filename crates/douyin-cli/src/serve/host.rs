//! The server's side of the generated CLI seam: [`ServeHost`] implements the generated `Host` for one request, so
//! the generated dispatch of every operation serves HTTP as it serves the shell. Clients are built once per domain
//! (credentials from the config file and environment, as the CLI) and shared by every request; a response is kept
//! for the handler instead of printed, and `all_pages` sends each page's items as JSON Lines down a channel, stopping
//! the walk when the caller has gone.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use clap::ArgMatches;
use douyin_core::{ClientBuilder, CursorWalk, Domain, ErrorCode, Page};
use serde::Serialize;
use tokio::sync::mpsc;

use super::errors::ServeError;
use super::learned::Learned;
use crate::context::Ctx;
use crate::seam::{Call, ClientSetup, Host, Link, Paging};

/// What every request shares: the settings and credentials, and the clients built so far.
pub struct Shared {
    /// Credentials, base URLs, retries and timeout (the CLI's common options).
    pub ctx: Ctx,
    /// One client per domain, built on first use (`douyin_core::Client<D>` behind `Any`).
    clients: Mutex<HashMap<&'static str, Arc<dyn Any + Send + Sync>>>,
    /// Every configured credential value (the values in a cookie header too), masked in every answer.
    secrets: Vec<String>,
    /// Credential values learned since (identities, the token file's, refreshed ones), masked as well.
    learned: Learned,
}

impl Shared {
    /// The shared state over `ctx`.
    pub fn new(ctx: Ctx) -> Self {
        let mut secrets = Vec::new();
        for domain in crate::generated::DOMAINS {
            for c in crate::generated::credentials(domain).unwrap_or_default() {
                if let Some(value) = ctx.config.credential(domain, c.name) {
                    let value = value.expose();
                    // Whichever credential is a cookie header, its values (a session id) are masked on their own.
                    secrets.extend(douyin_core::redact::cookie_values(value).map(str::to_owned));
                    secrets.push(value.to_owned());
                }
            }
        }
        Shared {
            ctx,
            clients: Mutex::new(HashMap::new()),
            secrets,
            learned: Learned::default(),
        }
    }

    /// `text` with every configured credential masked: the runtime masks what reaches its errors, but an upstream
    /// can echo a request's cookie or token inside a successful answer, which is served as data.
    pub fn mask(&self, text: String) -> String {
        let learned = self.learned.values();
        let secrets: Vec<&str> = self
            .secrets
            .iter()
            .chain(learned.iter())
            .map(String::as_str)
            .collect();
        match douyin_core::redact::mask(&text, &secrets) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(masked) => masked,
        }
    }

    /// Whether the client of `domain` was built already.
    fn cached(&self, domain: &str) -> bool {
        self.clients
            .lock()
            .is_ok_and(|clients| clients.contains_key(domain))
    }
}

/// A missing or bad credential is the server's configuration, not the caller's request.
fn unavailable(e: crate::support::CliError) -> ServeError {
    ServeError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "credential",
        e.message,
    )
}

/// A decoded answer.
#[derive(Debug)]
pub enum Answer {
    /// JSON text.
    Json(String),
    /// A body in a text format (not JSON), as received.
    Text(String),
}

/// One message of an `all_pages` stream.
#[derive(Debug)]
pub enum Chunk {
    /// Complete JSON Lines (one page's items).
    Lines(Bytes),
    /// The walk stopped with more to come (at `--max-pages`, or a later page failed): the cursor to continue from.
    Resume(i64),
    /// The walk ended: how.
    End(Result<(), ServeError>),
}

/// The host of one request.
pub struct ServeHost {
    shared: Arc<Shared>,
    answer: Mutex<Option<Answer>>,
    pages: Option<mpsc::Sender<Chunk>>,
}

impl ServeHost {
    /// A host answering once ([`ServeHost::take`]).
    pub fn new(shared: Arc<Shared>) -> Self {
        ServeHost {
            shared,
            answer: Mutex::new(None),
            pages: None,
        }
    }

    /// A host streaming pages down `pages`.
    pub fn streaming(shared: Arc<Shared>, pages: mpsc::Sender<Chunk>) -> Self {
        ServeHost {
            pages: Some(pages),
            ..ServeHost::new(shared)
        }
    }

    /// The answer kept by `respond`.
    pub fn take(&self) -> Option<Answer> {
        self.answer.lock().ok()?.take()
    }

    fn keep(&self, answer: Answer) {
        if let Ok(mut slot) = self.answer.lock() {
            *slot = Some(answer);
        }
    }
}

impl Host for ServeHost {
    type Error = ServeError;

    fn usage(&self, message: String) -> ServeError {
        ServeError::bad_request(message, Vec::new())
    }

    fn client_setup(&self, domain: &'static str) -> Result<ClientSetup, ServeError> {
        if self.shared.cached(domain) {
            // `build_client` answers with the client built before: neither the configuration nor an identities
            // file is read again for each request.
            return Ok(ClientSetup::new(
                Default::default(),
                douyin_core::ClientSettings::default(),
            ));
        }
        let ctx = &self.shared.ctx;
        let setup = crate::clients::setup(ctx, domain, None).map_err(unavailable)?;
        let provided = crate::hooks::credentials(ctx, domain).map_err(unavailable)?;
        Ok(ClientSetup { provided, ..setup })
    }

    fn build_client<D, C>(
        &self,
        domain: &'static str,
        mut setup: ClientSetup,
        configure: impl FnOnce(&ClientSetup) -> Result<ClientBuilder<D>, douyin_core::Error<D::Code>>,
    ) -> Result<C, ServeError>
    where
        D: Domain,
        C: From<douyin_core::Client<D>>,
    {
        let mut clients = self.shared.clients.lock().map_err(|_| {
            ServeError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "client table poisoned",
            )
        })?;
        if let Some(c) = clients
            .get(domain)
            .and_then(|c| c.downcast_ref::<douyin_core::Client<D>>())
        {
            return Ok(C::from(c.clone()));
        }
        let configured = configure(&setup);
        // What the client will send beyond the configured values is learned before it is sent.
        for identity in &setup.identities {
            identity
                .values
                .values()
                .for_each(|v| self.shared.learned.learn(v.expose()));
        }
        setup.provided = setup.provided.map(|p| self.shared.learned.watching(p));
        let client: douyin_core::Client<D> =
            crate::clients::build(&self.shared.ctx, domain, configured, setup)
                .map_err(unavailable)?;
        clients.insert(domain, Arc::new(client.clone()));
        Ok(C::from(client))
    }

    /// Nothing: a request's arguments are the caller's own, and the server logs no query (it may hold links to
    /// private content).
    fn announce(&self, _call: Call<'_>, _m: &ArgMatches) {}

    fn respond<T: Serialize, C: ErrorCode>(
        &self,
        result: Result<T, douyin_core::Error<C>>,
    ) -> Result<(), ServeError> {
        let value = result.map_err(ServeError::upstream)?;
        let text = serde_json::to_string(&value).map_err(|e| {
            ServeError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "encode",
                format!("encoding the response failed: {e}"),
            )
        })?;
        self.keep(Answer::Json(self.shared.mask(text)));
        Ok(())
    }

    fn respond_text<C: ErrorCode>(
        &self,
        result: Result<String, douyin_core::Error<C>>,
    ) -> Result<(), ServeError> {
        let text = result.map_err(ServeError::upstream)?;
        self.keep(Answer::Text(self.shared.mask(text)));
        Ok(())
    }

    async fn all_pages<I, C, F, Fut>(&self, paging: Paging, mut fetch: F) -> Result<(), ServeError>
    where
        I: Serialize,
        C: ErrorCode,
        F: FnMut(Option<i64>) -> Fut,
        Fut: Future<Output = Result<Page<I>, douyin_core::Error<C>>>,
    {
        let Some(tx) = &self.pages else {
            return Err(ServeError::bad_request(
                "all_pages: not served here",
                Vec::new(),
            ));
        };
        let mut walk = CursorWalk::new(paging.start);
        let mut cursor = None;
        let mut pages = 0u64;
        loop {
            let page = match fetch(cursor).await {
                Ok(page) => page,
                Err(e) => {
                    // A later page failed: where to resume is the page that failed.
                    if let Some(at) = cursor {
                        let _ = tx.send(Chunk::Resume(at)).await;
                    }
                    return Err(ServeError::upstream(e));
                }
            };
            let mut buf = String::new();
            for item in &page.items {
                let line = serde_json::to_string(item).map_err(|e| {
                    ServeError::new(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "encode",
                        format!("encoding an item failed: {e}"),
                    )
                })?;
                buf.push_str(&line);
                buf.push('\n');
            }
            let lines = Bytes::from(self.shared.mask(buf));
            if tx.send(Chunk::Lines(lines)).await.is_err() {
                // The caller disconnected: no further page is fetched.
                return Ok(());
            }
            pages += 1;
            let next = match walk.next::<C>(page.next_cursor, page.has_more) {
                Ok(None) => return Ok(()),
                Ok(Some(next)) => next,
                Err(e) => return Err(ServeError::upstream(e)),
            };
            if paging.max_pages.is_some_and(|max| pages >= max) {
                let _ = tx.send(Chunk::Resume(next)).await;
                return Ok(());
            }
            cursor = Some(next);
        }
    }

    fn paging_help(cursor_flag: &str) -> String {
        crate::pages::help(cursor_flag)
    }

    async fn link(&self, link: Link, text: String) -> Result<String, ServeError> {
        crate::hooks::link(&self.shared.ctx, link, text)
            .await
            .map_err(ServeError::from_cli)
    }
}
