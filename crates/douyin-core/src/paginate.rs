//! Cursor pagination as a `Stream` of items: stops when the service says there is no more, never loops.

use futures::stream::{self, Stream, StreamExt};
use std::future::Future;

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

/// Streams the items of every page. `fetch` gets one page for the given params; `cursor` reads and `set_cursor`
/// moves the cursor in the params. Errors are yielded as items and end the stream.
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
    stream::unfold(Some((params, fetch)), move |state| async move {
        let (mut params, mut fetch) = state?;
        let current = cursor(&params);
        match fetch(params.clone()).await {
            Err(e) => Some((vec![Err(e)], None)),
            Ok(page) => {
                let items: Vec<Result<I, Error<C>>> = page.items.into_iter().map(Ok).collect();
                match page.next_cursor.filter(|_| page.has_more) {
                    None => Some((items, None)),
                    Some(next) if Some(next) == current => {
                        let mut items = items;
                        items.push(Err(Error::StalledCursor {
                            cursor: next.to_string(),
                        }));
                        Some((items, None))
                    }
                    Some(next) => {
                        set_cursor(&mut params, next);
                        Some((items, Some((params, fetch))))
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
