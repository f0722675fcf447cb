//! Where a crawl keeps what it fetched and how far its listings got: one [`Store`] trait served by the embedded
//! SQLite [`Archive`] (one machine, the default) and, with the `postgres` feature, by PostgreSQL
//! ([`crate::postgres::PgState`]: several processes on several machines sharing one crawl, with a work queue).
//! [`crate::Downloads`] and [`crate::Downloader::fetch_all`] take any of them, and a listing's cursor walk is kept in
//! one ([`crate::walk`]).

use std::fmt::Debug;
use std::path::Path;

use futures::future::BoxFuture;

use crate::archive::{Archive, Record};
use crate::error::Error;
use crate::select::MediaItem;
use crate::walk::{ArchiveHold, Turn, WalkPage};

/// The archive of fetched items and the cursors of interrupted listings, wherever they live.
pub trait Store: Debug + Send + Sync {
    /// Where it lives, in words for messages (a file path, or a database without its password).
    fn describe(&self) -> String;

    /// The record of `item`, if it was fetched before.
    fn find<'a>(&'a self, item: &'a MediaItem) -> BoxFuture<'a, Result<Option<Record>, Error>>;

    /// Records that `item` was written to `file` with `size` bytes.
    fn record<'a>(
        &'a self,
        item: &'a MediaItem,
        file: &'a Path,
        size: u64,
    ) -> BoxFuture<'a, Result<(), Error>>;

    /// How many items are recorded.
    fn recorded(&self) -> BoxFuture<'_, Result<u64, Error>>;

    /// The cursor an interrupted listing stopped at (`listing` is [`crate::Listing::cursor_key`]).
    fn cursor<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<Option<String>, Error>>;

    /// Saves where `listing` has got to.
    fn set_cursor<'a>(
        &'a self,
        listing: &'a str,
        cursor: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>>;

    /// Forgets `listing`'s cursor (it ran to the end).
    fn clear_cursor<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<(), Error>>;

    /// Joins the walk of `listing`: the pass to work on, handed to [`Store::take_walk`] (a finished pass makes
    /// this walker start the next one, see [`crate::walk`]).
    fn join_walk<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<i64, Error>>;

    /// This walker's turn at `listing` in `pass`: the page to fetch (the listing held until it advances), or that
    /// another walker holds it, or that the pass is over.
    fn take_walk<'a>(
        &'a self,
        listing: &'a str,
        pass: i64,
    ) -> BoxFuture<'a, Result<Turn<'a>, Error>>;
}

/// SQLite calls are short and local: each runs at once under the archive's mutex.
impl Store for Archive {
    fn describe(&self) -> String {
        self.path().display().to_string()
    }

    fn find<'a>(&'a self, item: &'a MediaItem) -> BoxFuture<'a, Result<Option<Record>, Error>> {
        Box::pin(std::future::ready(Archive::find(self, item)))
    }

    fn record<'a>(
        &'a self,
        item: &'a MediaItem,
        file: &'a Path,
        size: u64,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(std::future::ready(Archive::record(self, item, file, size)))
    }

    fn recorded(&self) -> BoxFuture<'_, Result<u64, Error>> {
        Box::pin(std::future::ready(Archive::len(self)))
    }

    fn cursor<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(std::future::ready(Archive::cursor(self, listing)))
    }

    fn set_cursor<'a>(
        &'a self,
        listing: &'a str,
        cursor: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(std::future::ready(Archive::set_cursor(
            self, listing, cursor,
        )))
    }

    fn clear_cursor<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(std::future::ready(Archive::clear_cursor(self, listing)))
    }

    /// One process walks an archive's listing: passes need no number.
    fn join_walk<'a>(&'a self, _listing: &'a str) -> BoxFuture<'a, Result<i64, Error>> {
        Box::pin(std::future::ready(Ok(0)))
    }

    fn take_walk<'a>(
        &'a self,
        listing: &'a str,
        _pass: i64,
    ) -> BoxFuture<'a, Result<Turn<'a>, Error>> {
        Box::pin(std::future::ready(Archive::cursor(self, listing).map(
            |cursor| {
                let hold = ArchiveHold {
                    archive: self,
                    listing,
                };
                Turn::Page(WalkPage::new(cursor, Box::new(hold)))
            },
        )))
    }
}
