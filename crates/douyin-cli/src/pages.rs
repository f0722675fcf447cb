//! `--all-pages`: follows an operation's cursor pagination page by page with douyin-core's stop rules
//! ([`CursorWalk`], the same as the library's stream), writes one item per line (JSON Lines) to stdout, shows
//! progress on stderr when it is a terminal, and on Ctrl-C (or `--max-pages`, or a failed page) stops after complete
//! lines and prints the cursor to resume from.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::Instant;

use douyin_core::{CursorWalk, ErrorCode, Page};
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

/// The progress line on stderr (only when stderr is a terminal).
struct Progress {
    on: bool,
    started: Instant,
    /// The latest crawl event (an identity resting, a breaker open).
    crawl: crate::identities::CrawlNote,
}

impl Progress {
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

/// Fetches pages with `fetch(cursor)` (`None`: the arguments' own cursor) until the walk ends.
pub async fn run<I, C, F, Fut>(ctx: &Ctx, paging: Paging, mut fetch: F) -> Result<(), CliError>
where
    I: Serialize,
    C: ErrorCode,
    F: FnMut(Option<i64>) -> Fut,
    Fut: Future<Output = Result<Page<I>, douyin_core::Error<C>>>,
{
    let mut interrupt = Interrupt::new()?;
    let progress = Progress {
        on: std::io::stderr().is_terminal(),
        started: Instant::now(),
        crawl: ctx.crawl_note.clone(),
    };
    let (mut items, mut pages) = (0u64, 0u64);
    let mut walk = CursorWalk::new(paging.start);
    // The cursor of the page being fetched: `None` for the first request (whatever the arguments say).
    let mut cursor: Option<i64> = None;
    let mut stdout = std::io::stdout().lock();
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
        progress.clear();
        match stdout
            .write_all(buf.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                progress.done();
                ctx.note("stdout closed; stopping");
                return Ok(());
            }
            Err(e) => return Err(CliError::failure(format!("writing to stdout failed: {e}"))),
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
