//! `--all-pages`: follows an operation's cursor pagination page by page with douyin-core's stop rules
//! ([`CursorWalk`], the same as the library's stream), writes one item per line (JSON Lines) to stdout, shows
//! progress on stderr when it is a terminal, and on Ctrl-C (or `--max-pages`, or a failed page) stops after complete
//! lines and prints the cursor to resume from.
//!
//! With `--state` the cursor lives in a [`Store`] ([`douyin_media::walk`]): each page is taken as a turn, its lines
//! written, then the next cursor saved, so a walk interrupted or killed resumes at the page it had not finished, and
//! processes walking the same listing over PostgreSQL take turns instead of fetching a page twice. A page whose lines
//! were written but whose cursor could not be saved (the database failed) is fetched and written again on the next
//! run: lines are written at least once. A walk started after the listing's last pass finished starts over at the
//! first page.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::ArgMatches;
use douyin_core::{CursorWalk, ErrorCode, Page};
use douyin_media::{Store, Turn};
use serde::Serialize;

use crate::context::Ctx;
use crate::generated::Paging;
use crate::support::{api_error, CliError, EXIT_INTERRUPTED};

/// The long help of `--all-pages` for an operation whose cursor is set with `cursor_flag`.
pub fn help(cursor_flag: &str) -> String {
    format!(
        "Follow the operation's pagination and print every item of every page, one JSON value per line (JSON \
         Lines). A progress line (items, pages, rate) goes to stderr when it is a terminal. Ctrl-C stops after the \
         lines already written and prints the cursor to resume from with `{cursor_flag}`. A cursor that comes back \
         (the service repeats or cycles) stops the walk with an error."
    )
}

/// Ctrl-C, registered before the first request so no interrupt is lost between pages.
struct Interrupt {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Interrupt {
    fn new() -> Result<Self, CliError> {
        #[cfg(unix)]
        {
            let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(|e| CliError::failure(format!("cannot watch for Ctrl-C: {e}")))?;
            Ok(Interrupt { signal })
        }
        #[cfg(not(unix))]
        {
            Ok(Interrupt {})
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            self.signal.recv().await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// How long a walker waits before looking again while another process fetches the listing's page.
const BUSY_POLL: Duration = Duration::from_millis(200);

/// Opens `--state` (checked before any request: an unreachable database stops the run here) for a command that
/// walks with `--all-pages`.
pub async fn open_state(ctx: &mut Ctx, leaf: &ArgMatches) -> Result<(), CliError> {
    let Some(state) = ctx.crawl.state.clone() else {
        return Ok(());
    };
    if leaf.try_get_one::<bool>("all_pages").ok().flatten() != Some(&true) {
        return Err(CliError::usage(
            "--state keeps the cursor of an --all-pages walk: give --all-pages (douyin download takes its own --state)",
        ));
    }
    let store: Box<dyn Store> =
        if state.starts_with("postgres://") || state.starts_with("postgresql://") {
            Box::new(
                douyin_media::postgres::PgState::connect(&state)
                    .await
                    .map_err(|e| CliError::failure(format!("--state: {e}")))?,
            )
        } else {
            Box::new(
                douyin_media::Archive::open(&state)
                    .map_err(|e| CliError::failure(format!("--state: {e}")))?,
            )
        };
    ctx.walk_state = Some(store);
    Ok(())
}

/// The progress line on stderr (only when stderr is a terminal).
struct Progress {
    on: bool,
    started: Instant,
    /// The latest crawl event (an identity resting, a breaker open).
    crawl: crate::identities::CrawlNote,
}

impl Progress {
    fn new(ctx: &Ctx) -> Self {
        Progress {
            on: std::io::stderr().is_terminal(),
            started: Instant::now(),
            crawl: ctx.crawl_note.clone(),
        }
    }

    fn show(&self, items: u64, pages: u64) {
        if !self.on {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        eprint!(
            "\r\x1b[2K{items} items · {pages} pages · {:.1} items/s · {:.1} pages/s",
            items as f64 / secs,
            pages as f64 / secs
        );
        if let Some(note) = self.crawl.get() {
            eprint!(" · {note}");
        }
        let _ = std::io::stderr().flush();
    }

    /// Clears the progress line before items are written (stdout and stderr are often the same terminal).
    fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }

    fn done(&self) {
        if self.on {
            eprintln!();
        }
    }
}

fn resume(paging: &Paging, cursor: Option<i64>) -> String {
    match cursor {
        Some(c) => format!("resume with {} {c}", paging.cursor_flag),
        None => format!(
            "resume without {} (from the first page)",
            paging.cursor_flag
        ),
    }
}

/// Each item of `page` as compact JSON, one per line (raw-kept values compacted too: JSON Lines).
fn lines<I: Serialize>(page: &Page<I>) -> Result<String, CliError> {
    let mut buf = String::new();
    for item in &page.items {
        let line = serde_json::to_string(item)
            .map_err(|e| CliError::failure(format!("encoding an item failed: {e}")))?;
        buf.push_str(&crate::output::compact(&line));
        buf.push('\n');
    }
    Ok(buf)
}

/// Writes `buf` (a page's lines) to stdout; `false` when stdout was closed (the walk stops quietly).
fn write_lines(ctx: &Ctx, progress: &Progress, buf: &str) -> Result<bool, CliError> {
    progress.clear();
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(buf.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            progress.done();
            ctx.note("stdout closed; stopping");
            Ok(false)
        }
        Err(e) => Err(CliError::failure(format!("writing to stdout failed: {e}"))),
    }
}

/// Fetches pages with `fetch(cursor)` (`None`: the arguments' own cursor) until the walk ends.
pub async fn run<I, C, F, Fut>(ctx: &Ctx, paging: Paging, mut fetch: F) -> Result<(), CliError>
where
    I: Serialize,
    C: ErrorCode,
    F: FnMut(Option<i64>) -> Fut,
    Fut: Future<Output = Result<Page<I>, douyin_core::Error<C>>>,
{
    if let Some(store) = &ctx.walk_state {
        return run_kept(ctx, store.as_ref(), paging, fetch).await;
    }
    let mut interrupt = Interrupt::new()?;
    let progress = Progress::new(ctx);
    let (mut items, mut pages) = (0u64, 0u64);
    let mut walk = CursorWalk::new(paging.start);
    // The cursor of the page being fetched: `None` for the first request (whatever the arguments say).
    let mut cursor: Option<i64> = None;
    progress.show(0, 0);
    loop {
        let current = cursor.or(paging.start);
        let stopped = |e: CliError, items: u64, pages: u64| {
            progress.done();
            CliError {
                message: format!(
                    "{}; stopped after {items} items from {pages} pages; {}",
                    e.message,
                    resume(&paging, current)
                ),
                exit: e.exit,
            }
        };
        let page = tokio::select! {
            biased;
            _ = interrupt.recv() => {
                progress.done();
                return Err(CliError {
                    message: format!(
                        "interrupted; {items} items from {pages} pages written; {}",
                        resume(&paging, current)
                    ),
                    exit: EXIT_INTERRUPTED,
                });
            }
            page = fetch(cursor) => page,
        };
        let page = page.map_err(|e| stopped(api_error(e), items, pages))?;
        let buf = lines(&page).map_err(|e| stopped(e, items, pages))?;
        if !write_lines(ctx, &progress, &buf)? {
            return Ok(());
        }
        items += page.items.len() as u64;
        pages += 1;
        progress.show(items, pages);
        ctx.note(&format!(
            "page {pages}: {} items; next cursor {:?}, has more: {}",
            page.items.len(),
            page.next_cursor,
            page.has_more
        ));
        let next = match walk.next::<C>(page.next_cursor, page.has_more) {
            Ok(None) => break,
            Ok(Some(next)) => next,
            Err(e) => {
                progress.done();
                return Err(CliError::failure(format!(
                    "{e} after {items} items from {pages} pages"
                )));
            }
        };
        if paging.max_pages.is_some_and(|max| pages >= max) {
            progress.done();
            eprintln!(
                "douyin: stopped at --max-pages {pages}; {items} items written; {}",
                resume(&paging, Some(next))
            );
            return Ok(());
        }
        cursor = Some(next);
    }
    progress.done();
    ctx.note(&format!(
        "done: {items} items from {pages} pages in {} ms",
        ctx.started.elapsed().as_millis()
    ));
    Ok(())
}

/// [`run`] with the cursor kept in `store` (see the [module](self) docs).
async fn run_kept<I, C, F, Fut>(
    ctx: &Ctx,
    store: &dyn Store,
    paging: Paging,
    mut fetch: F,
) -> Result<(), CliError>
where
    I: Serialize,
    C: ErrorCode,
    F: FnMut(Option<i64>) -> Fut,
    Fut: Future<Output = Result<Page<I>, douyin_core::Error<C>>>,
{
    let mut interrupt = Interrupt::new()?;
    let progress = Progress::new(ctx);
    let key = paging.walk.as_str();
    let state = |e: douyin_media::Error| {
        progress.done();
        CliError::failure(format!("--state: {e}"))
    };
    let resume = "its cursor is saved in --state: run the same command again to resume";
    let (mut items, mut pages) = (0u64, 0u64);
    let interrupted = |items: u64, pages: u64| {
        progress.done();
        CliError {
            message: format!("interrupted; {items} items from {pages} pages written; {resume}"),
            exit: EXIT_INTERRUPTED,
        }
    };
    let pass = store.join_walk(key).await.map_err(state)?;
    let mut walk = CursorWalk::new(paging.start);
    progress.show(0, 0);
    loop {
        let turn = tokio::select! {
            biased;
            _ = interrupt.recv() => return Err(interrupted(items, pages)),
            turn = store.take_walk(key, pass) => turn.map_err(state)?,
        };
        let held = match turn {
            Turn::Page(held) => held,
            Turn::Finished => break,
            Turn::Busy => {
                tokio::select! {
                    biased;
                    _ = interrupt.recv() => return Err(interrupted(items, pages)),
                    () = tokio::time::sleep(BUSY_POLL) => continue,
                }
            }
        };
        let cursor = match held.cursor() {
            None => None,
            Some(c) => Some(c.parse::<i64>().map_err(|_| {
                state(douyin_media::Error::State {
                    database: store.describe(),
                    reason: format!("the saved cursor of `{key}` is `{c}`, not a number"),
                })
            })?),
        };
        if pages == 0 {
            if let Some(c) = cursor {
                eprintln!(
                    "douyin: resuming `{key}` at cursor {c} (saved in {})",
                    store.describe()
                );
            }
        }
        // Dropping `held` (Ctrl-C, a failed page) saves nothing: the next turn asks for this page again.
        let page = tokio::select! {
            biased;
            _ = interrupt.recv() => return Err(interrupted(items, pages)),
            page = fetch(cursor) => page,
        };
        let failed = |e: CliError, items: u64, pages: u64| {
            progress.done();
            CliError {
                message: format!(
                    "{}; stopped after {items} items from {pages} pages; {resume}",
                    e.message
                ),
                exit: e.exit,
            }
        };
        let page = page.map_err(|e| failed(api_error(e), items, pages))?;
        let buf = lines(&page).map_err(|e| failed(e, items, pages))?;
        if !write_lines(ctx, &progress, &buf)? {
            return Ok(());
        }
        items += page.items.len() as u64;
        pages += 1;
        progress.show(items, pages);
        let next = walk
            .next::<C>(page.next_cursor, page.has_more)
            .map_err(|e| failed(CliError::failure(e.to_string()), items, pages))?;
        held.advance(next.map(|n| n.to_string()).as_deref())
            .await
            .map_err(state)?;
        ctx.note(&format!(
            "page {pages}: {} items; next cursor {next:?} saved",
            page.items.len()
        ));
        if next.is_none() {
            break;
        }
        if paging.max_pages.is_some_and(|max| pages >= max) {
            progress.done();
            eprintln!("douyin: stopped at --max-pages {pages}; {items} items written; {resume}");
            return Ok(());
        }
    }
    progress.done();
    ctx.note(&format!(
        "done: {items} items from {pages} pages in {} ms (walk `{key}` finished)",
        ctx.started.elapsed().as_millis()
    ));
    Ok(())
}
