//! Cursor pagination: the one set of stop rules ([`CursorWalk`]) and the library's `Stream` of items built on it.
//! The `douyin` CLI's `--all-pages` walks with the same [`CursorWalk`].

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, Stream, StreamExt};

use crate::error::{Error, ErrorCode};

/// One page, as a generated method extracts it from a response.
#[derive(Debug)]
pub struct Page<I> {
    /// The page's items.
    pub items: Vec<I>,
    /// The cursor for the next page.
    pub next_cursor: Option<i64>,
    /// Whether the service says more pages follow.
    pub has_more: bool,
}

/// The stop rules of one walk over a paginated operation, page after page.
///
/// A walk ends when the service says no more pages follow (or gives no next cursor). It ends with
/// [`Error::StalledCursor`] when the next cursor is one this walk already fetched: an immediate repeat or a cycle
/// (`0 → 1 → 0 …` with `has_more` always set) would otherwise loop forever. Memory grows by one `i64` per page.
#[derive(Clone, Debug, Default)]
pub struct CursorWalk {
    fetched: HashSet<i64>,
}

impl CursorWalk {
    /// A walk whose first page is fetched at `start` (`None`: the operation's default first page).
    pub fn new(start: Option<i64>) -> Self {
        CursorWalk {
            fetched: start.into_iter().collect(),
        }
    }

    /// The cursor of the next page after a page that said `next_cursor` and `has_more`: `Ok(None)` when the walk is
    /// over, `Err` when that cursor was fetched before in this walk. A returned cursor counts as fetched.
    pub fn next<C: ErrorCode>(
        &mut self,
        next_cursor: Option<i64>,
        has_more: bool,
    ) -> Result<Option<i64>, Error<C>> {
        match next_cursor.filter(|_| has_more) {
            None => Ok(None),
            Some(next) if !self.fetched.insert(next) => Err(Error::StalledCursor {
                cursor: next.to_string(),
            }),
            Some(next) => Ok(Some(next)),
        }
    }

    /// How many distinct cursors the walk has fetched (the start cursor included when one was given).
    pub fn cursors(&self) -> usize {
        self.fetched.len()
    }
}

/// Streams the items of every page. `fetch` gets one page for the given params; `cursor` reads and `set_cursor`
/// moves the cursor in the params. Errors are yielded as items and end the stream; the stop rules are
/// [`CursorWalk`]'s.
pub fn paginate<P, I, C, F, Fut>(
    params: P,
    fetch: F,
    cursor: fn(&P) -> Option<i64>,
    set_cursor: fn(&mut P, i64),
) -> impl Stream<Item = Result<I, Error<C>>>
where
    F: FnMut(P) -> Fut,
    Fut: Future<Output = Result<Page<I>, Error<C>>>,
    P: Clone,
    C: ErrorCode,
{
    let walk = CursorWalk::new(cursor(&params));
    stream::unfold(Some((params, fetch, walk)), move |state| async move {
        let (mut params, mut fetch, mut walk) = state?;
        match fetch(params.clone()).await {
            Err(e) => Some((vec![Err(e)], None)),
            Ok(page) => {
                let mut items: Vec<Result<I, Error<C>>> = page.items.into_iter().map(Ok).collect();
                match walk.next(page.next_cursor, page.has_more) {
                    Ok(None) => Some((items, None)),
                    Err(e) => {
                        items.push(Err(e));
                        Some((items, None))
                    }
                    Ok(Some(next)) => {
                        set_cursor(&mut params, next);
                        Some((items, Some((params, fetch, walk))))
                    }
                }
            }
        }
    })
    .flat_map(stream::iter)
}

/// A has-more flag, which services send as a boolean or as 0/1.
pub trait MoreFlag {
    /// Whether more pages follow.
    fn is_set(&self) -> bool;
}

impl MoreFlag for bool {
    fn is_set(&self) -> bool {
        *self
    }
}

impl MoreFlag for i64 {
    fn is_set(&self) -> bool {
        *self != 0
    }
}
