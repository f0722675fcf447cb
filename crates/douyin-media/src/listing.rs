//! The paged listings of awemes — a user's posts (`aweme/post`), the posts a user liked (`aweme/favorite`), the
//! awemes of a collection (`mix/aweme`) — one page at a time through a [`douyin_web::Client`], and the key under
//! which the [`crate::Archive`] keeps the cursor of an interrupted walk.
//!
//! [`crate::Downloads::listing`] walks a listing page by page from its saved cursor, downloading each page before
//! asking for the next.

use douyin_web::types::Aweme;
use douyin_web::{AwemeFavoriteParams, AwemePostParams, MixAwemeParams};

use crate::error::Error;

/// A listing of awemes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Listing {
    /// A user's posts, newest first (pinned ones on top), by sec_uid.
    Posts(String),
    /// The posts a user liked, by sec_uid.
    Favorites(String),
    /// A collection's awemes, by mix id.
    Mix(String),
}

/// One page of a listing.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Page {
    /// The page's awemes, in the listing's order.
    pub awemes: Vec<Aweme>,
    /// Whether the site says more pages follow.
    pub has_more: bool,
    /// The cursor of the next page.
    pub next: i64,
}

impl Listing {
    /// The archive's key for the listing's cursor: the operation's name and the id (`aweme_post:<sec_uid>`).
    pub fn cursor_key(&self) -> String {
        let (op, id) = match self {
            Listing::Posts(id) => (&douyin_web::operations::AWEME_POST, id),
            Listing::Favorites(id) => (&douyin_web::operations::AWEME_FAVORITE, id),
            Listing::Mix(id) => (&douyin_web::operations::MIX_AWEME, id),
        };
        format!("{}:{id}", op.name)
    }

    /// The listing in words, for progress and failure lines (`MS4…'s posts`, `collection 7348…`).
    pub fn describe(&self) -> String {
        match self {
            Listing::Posts(id) => format!("{id}'s posts"),
            Listing::Favorites(id) => format!("{id}'s liked posts"),
            Listing::Mix(id) => format!("collection {id}"),
        }
    }

    /// Whether awemes come newest first by publication, so that the first one older than a `since` day ends the
    /// listing. Likes come in the order they were liked and collections in episode order: those are filtered only.
    pub fn newest_first(&self) -> bool {
        matches!(self, Listing::Posts(_))
    }

    /// The page at `cursor` (0: the first).
    pub async fn page(&self, client: &douyin_web::Client, cursor: i64) -> Result<Page, Error> {
        let failed = |source| Error::Listing {
            listing: self.describe(),
            source: Box::new(source),
        };
        let (awemes, has_more, next) = match self {
            Listing::Posts(sec_uid) => {
                let p = client
                    .aweme_post(&AwemePostParams::new(sec_uid).max_cursor(cursor))
                    .await
                    .map_err(failed)?;
                (p.aweme_list, p.has_more, p.max_cursor)
            }
            Listing::Favorites(sec_uid) => {
                let p = client
                    .aweme_favorite(&AwemeFavoriteParams::new(sec_uid).max_cursor(cursor))
                    .await
                    .map_err(failed)?;
                (p.aweme_list, p.has_more, p.max_cursor)
            }
            Listing::Mix(mix_id) => {
                let p = client
                    .mix_aweme(&MixAwemeParams::new(mix_id).cursor(cursor))
                    .await
                    .map_err(failed)?;
                (p.aweme_list, p.has_more, p.cursor)
            }
        };
        Ok(Page {
            awemes: awemes.unwrap_or_default(),
            has_more: has_more.unwrap_or(0) != 0,
            next: next.unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_keys_name_the_operation_and_the_id() {
        // The posts key is the one the archive has held since `douyin download --user` first saved cursors.
        assert_eq!(Listing::Posts("MS4".into()).cursor_key(), "aweme_post:MS4");
        assert_eq!(
            Listing::Favorites("MS4".into()).cursor_key(),
            "aweme_favorite:MS4"
        );
        assert_eq!(Listing::Mix("7348".into()).cursor_key(), "mix_aweme:7348");
    }
}
