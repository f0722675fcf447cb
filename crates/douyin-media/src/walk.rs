//! A listing's cursor walk kept in a [`crate::Store`], so that an interrupted (even killed) walk resumes at its saved
//! cursor and, on PostgreSQL, several processes walking the same listing never fetch one page twice.
//!
//! A walker first [joins](crate::Store::join_walk) the listing, which names the *pass* it works on; then, page after
//! page, it [takes a turn](crate::Store::take_walk): [`Turn::Page`] hands it the cursor of the next page and holds
//! the listing (PostgreSQL: its row locked `FOR UPDATE SKIP LOCKED` in an open transaction) until
//! [`WalkPage::advance`] saves the next cursor, or records the pass finished, and lets go. A [`WalkPage`] dropped
//! without `advance` (a failed page, Ctrl-C, a killed process) saves nothing: the next turn asks for the same page.
//!
//! Passes define a re-crawl: a walker that joins a listing whose last pass finished starts a new pass from the first
//! page (new items are found; a downloader's archive and queue skip the awemes it already has), while walkers that
//! joined the pass before it finished see [`Turn::Finished`] and stop. The SQLite [`crate::Archive`] serves one
//! process: it never answers [`Turn::Busy`], and a finished walk forgets its cursor, so the next run starts over.

use futures::future::BoxFuture;

use crate::error::Error;

/// What a walker's turn at a listing found.
pub enum Turn<'a> {
    /// This walker holds the listing: fetch the page at [`WalkPage::cursor`], then [`WalkPage::advance`].
    Page(WalkPage<'a>),
    /// Another walker holds the listing (it is fetching a page): look again shortly.
    Busy,
    /// The pass this walker joined is over.
    Finished,
}

/// The listing held for one page (see the [module](self) docs).
pub struct WalkPage<'a> {
    cursor: Option<String>,
    hold: Box<dyn Hold<'a> + 'a>,
}

/// What a store does when a page's walker moves on.
pub(crate) trait Hold<'a>: Send {
    /// Saves `next` (`None`: the pass is finished) and lets go of the listing.
    fn advance(self: Box<Self>, next: Option<String>) -> BoxFuture<'a, Result<(), Error>>;
}

impl<'a> WalkPage<'a> {
    pub(crate) fn new(cursor: Option<String>, hold: Box<dyn Hold<'a> + 'a>) -> Self {
        let cursor = cursor.filter(|c| !c.is_empty());
        WalkPage { cursor, hold }
    }

    /// The cursor of the page to fetch; `None`: the walk's first page.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// Saves `next` as the cursor of the following page, or (`None`) records the pass finished; lets go of the
    /// listing either way.
    pub async fn advance(self, next: Option<&str>) -> Result<(), Error> {
        self.hold.advance(next.map(str::to_owned)).await
    }
}

impl std::fmt::Debug for WalkPage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalkPage")
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Turn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Turn::Page(p) => f.debug_tuple("Page").field(p).finish(),
            Turn::Busy => f.write_str("Busy"),
            Turn::Finished => f.write_str("Finished"),
        }
    }
}

/// The SQLite archive's hold: one process, so nothing is locked; the cursor is saved, or forgotten at the end.
pub(crate) struct ArchiveHold<'a> {
    pub(crate) archive: &'a crate::Archive,
    pub(crate) listing: &'a str,
}

impl<'a> Hold<'a> for ArchiveHold<'a> {
    fn advance(self: Box<Self>, next: Option<String>) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(std::future::ready(match next {
            Some(c) => self.archive.set_cursor(self.listing, &c),
            None => self.archive.clear_cursor(self.listing),
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Archive, Store, Turn};

    async fn cursor_of(archive: &Archive, key: &str) -> Option<String> {
        let pass = archive.join_walk(key).await.expect("join");
        match archive.take_walk(key, pass).await.expect("turn") {
            Turn::Page(p) => p.cursor().map(str::to_owned),
            other => panic!("one process always gets the page, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_archive_walk_resumes_at_its_cursor_and_starts_over_once_finished() {
        let archive = Archive::in_memory().expect("archive");
        let key = "web:aweme_post?sec_user_id=MS4";
        assert_eq!(cursor_of(&archive, key).await, None);

        let Turn::Page(page) = archive.take_walk(key, 0).await.expect("turn") else {
            panic!("a page")
        };
        page.advance(Some("1700000000000")).await.expect("saved");
        assert_eq!(
            cursor_of(&archive, key).await.as_deref(),
            Some("1700000000000")
        );

        // A page dropped without advancing saves nothing: the same page comes back.
        let Turn::Page(page) = archive.take_walk(key, 0).await.expect("turn") else {
            panic!("a page")
        };
        drop(page);
        assert_eq!(
            cursor_of(&archive, key).await.as_deref(),
            Some("1700000000000")
        );

        let Turn::Page(page) = archive.take_walk(key, 0).await.expect("turn") else {
            panic!("a page")
        };
        page.advance(None).await.expect("finished");
        assert_eq!(
            cursor_of(&archive, key).await,
            None,
            "a re-crawl starts over"
        );
    }
}
